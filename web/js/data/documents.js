/**
 * This account's own documents that are not entries: a therapist's assignments and private session logs, a
 * client's answers to assignments. Each is an ordinary record (sealed, signed, synced, shared by grants like
 * any entry: docs/ASSIGNMENTS.md "How they travel"); only the `type` inside the ciphertext tells them apart.
 */

import { newUuid, uuidString } from '../core/bytes.js';
import { randomBytes } from '../core/crypto.js';
import { get } from './db.js';
import {
  commit, isEntryDocument, isPending, listOwnRecords, liveRow, newestFirst as newestOf, openPlaintext, toEntry,
} from './entries.js';
import { BetweenError } from '../core/errors.js';
import { kindFor } from '../core/assignments.js';
import { decodeDocument, encodeDocument } from '../core/records.js';
import { canGrant, granteesAfter } from '../core/sharing.js';

/**
 * @typedef {import('../core/records.js').Doc} Doc
 */

export { kindFor };

/**
 * @typedef {{id: string, version: number, doc: Doc, grantees: string[], pending: boolean}} OwnDocument
 * grantees: the user ids it is shared with, or about to be (a share still waiting for the next sync).
 */

const toOwn = (row, doc) => ({ id: row.recordId, version: row.head.version, doc,
  grantees: [...granteesAfter(row)].sort(), pending: isPending(row) });

const newestFirst = (a, b) => {
  const [x, y] = [String(a.doc.created_at ?? ''), String(b.doc.created_at ?? '')];
  if (x !== y) return x < y ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
};

/** @returns {Promise<OwnDocument[]>} live own documents of one `type`, newest first */
export async function listOwnDocuments(db, me, type) {
  const all = await listOwnRecords(db, me);
  return all.filter(({ doc }) => doc.type === type).map(({ row, doc }) => toOwn(row, doc)).sort(newestFirst);
}

/**
 * Every live own record, each opened once: the entries (as listEntries gives them, newest first) and the documents
 * of each `type` (as listOwnDocuments gives them). For a screen that needs both (Today, Progress): one pass over the
 * store instead of one per list.
 * @returns {Promise<{entries: import('./entries.js').Entry[], documents: Map<string, OwnDocument[]>}>}
 */
export async function listOwnAll(db, me) {
  const entries = [];
  const documents = new Map();
  for (const { row, doc } of await listOwnRecords(db, me)) {
    if (isEntryDocument(doc)) entries.push(toEntry(row.recordId, row.head.version, doc));
    else if (typeof doc.type === 'string') {
      if (!documents.has(doc.type)) documents.set(doc.type, []);
      documents.get(doc.type).push(toOwn(row, doc));
    }
  }
  entries.sort(newestOf((e) => [e.createdAt, e.id]));
  for (const list of documents.values()) list.sort(newestFirst);
  return { entries, documents };
}

/** @returns {Promise<OwnDocument|null>} an own document with a `type` (null for an entry or nothing) */
export async function getOwnDocument(db, me, id) {
  const row = await liveRow(db, id);
  if (!row) return null;
  const doc = decodeDocument(await openPlaintext(me, row, row.head));
  return doc.type === undefined ? null : toOwn(row, doc);
}

/**
 * A new own document, shared at once with `shareWith` (the grants go out with its first push). Nothing is
 * written when one of them may not be given a key (not verified on this device, key changed, link ended).
 * @returns {Promise<OwnDocument>}
 */
export async function createDocument(db, me, doc, { shareWith = [] } = {}) {
  if (typeof doc?.type !== 'string') throw new TypeError('a document needs its type');
  for (const uid of shareWith) {
    if (!canGrant(await get(db, 'peers', uid))) throw new BetweenError('share_blocked', 'sharing is blocked');
  }
  const intent = shareWith.length ? { add: [...new Set(shareWith)].sort(), revoke: [] } : null;
  const row = { recordId: uuidString(newUuid()), ownerId: me.userId, keyId: randomBytes(16), dekWrap: null, head: null,
    syncedVersion: 0, intent };
  const saved = await commit(db, me, row, encodeDocument(doc), false, randomBytes(32));
  return toOwn(saved, doc);
}

/** The next version of an own document; who it is shared with stays as it is. @returns {Promise<OwnDocument|null>} */
export async function updateDocument(db, me, id, doc) {
  const row = await liveRow(db, id);
  if (!row) return null;
  const old = decodeDocument(await openPlaintext(me, row, row.head));
  if (old.type === undefined || old.type !== doc?.type) return null; // never turns an entry into something else
  const saved = await commit(db, me, row, encodeDocument(doc), false);
  return toOwn(saved, doc);
}
