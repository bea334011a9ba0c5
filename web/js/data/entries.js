/** Entries on this device: each one a bt1 record, sealed and signed before it touches IndexedDB. */

import { equal, toHex, uuidBytes, uuidString, newUuid } from '../core/bytes.js';
import { randomBytes } from '../core/crypto.js';
import { get, getAll, write } from './db.js';
import { BLOB_STORES, discardBlobs, putBlobs } from './blobs.js';
import { mayKeepPlaintext, stillUnlocked } from './device.js';
import { BetweenError, CryptoError } from '../core/errors.js';
import { FLAG_DELETED, parseHeader } from '../core/layout.js';
import { fieldType } from '../core/fields.js';
import { unknownFields } from '../core/kinds.js';
import { mergeDocuments } from '../core/merge.js';
import {
  decodeDocument, encodeDocument, openStoredRevision, revId, sealRevision, unwrapDek, wrapDek,
} from '../core/records.js';
import { documentType, makeDocument, makeTombstone } from '../core/entry-document.js';
import { canGrant } from '../core/sharing.js';

/**
 * @typedef {{id: string, version: number, kind: string, createdAt: string, updatedAt: string,
 *   fields: Record<string, unknown>, conflicts: unknown[]}} Entry
 */

/** UTC ISO 8601 with milliseconds, as sync/client/client.py writes it: sorts as text, lives only in ciphertext. */
const now = () => new Date().toISOString();

// Decrypted documents by rev_id, in memory only: a revision never changes, so the cache never goes stale,
// and listing does not pay the crypto again for every entry. It dies with the service worker.
const opened = new Map();

export { makeDocument };

/** An entry as the views see it; `worksheet` and `title` are set for the answers to a therapist's worksheet. */
export function toEntry(recordId, version, doc) {
  return { id: recordId, version, kind: String(doc.kind ?? ''), createdAt: String(doc.created_at ?? ''),
    updatedAt: String(doc.updated_at ?? doc.created_at ?? ''), fields: doc.fields ?? {}, conflicts: doc.conflicts ?? [],
    worksheet: doc.worksheet ?? null, title: typeof doc.title === 'string' ? doc.title : null };
}

/** An entry's document, as opposed to an assignment, an answer or a session log (those carry a `type`). */
export const isEntryDocument = (doc) => documentType(doc) === 'entry';

/** The DEK wrap of one key epoch of a row (a re-key on share or unshare starts a new epoch). */
export function dekWrapFor(row, keyId) {
  if (row.keyId && toHex(row.keyId) === toHex(keyId) && row.dekWrap) return row.dekWrap;
  const wrap = row.dekWraps?.[toHex(keyId)];
  if (!wrap) throw new CryptoError('no key for this revision on this device');
  return wrap;
}

/**
 * Decrypt one stored revision of an own record (context, AEAD, padding). It was verified before it was stored
 * (made here, or pulled and checked under this account's key), so its signature is not checked again on every
 * read (PROTOCOL §18, "reading back").
 */
export async function openPlaintext(me, row, revision) {
  stillUnlocked(me); // secrets read before the app last locked open nothing (audit F5)
  const rid = toHex(revision.revId ?? await revId(revision.header, revision.ct));
  if (opened.has(rid)) return opened.get(rid);
  const { keyId } = parseHeader(revision.header);
  const dek = await unwrapDek(me.kwk, row.ownerId, uuidBytes(row.recordId), keyId, dekWrapFor(row, keyId));
  const [, plaintext] = await openStoredRevision(revision, { ownerId: row.ownerId, recordId: uuidBytes(row.recordId),
    dek, keyId });
  stillUnlocked(me); // the app locked while this was decrypted: nothing of it is kept or handed on
  opened.set(rid, plaintext);
  return plaintext;
}

/** Drop every decrypted document from memory (the app locked, or the device is being forgotten). */
export const forgetPlaintexts = () => opened.clear();

/** Remember a plaintext this device just verified or sealed, by rev_id (memory only); never while locked. */
export const rememberPlaintext = (rid, plaintext) => {
  if (mayKeepPlaintext()) opened.set(toHex(rid), plaintext);
};

/** A record this device changed that the server has not acknowledged yet (the outbox, never dropped). */
export const isPending = (row) => !row.synced || !equal(row.head.revId, row.synced.revId);

/**
 * Seal the next revision of a record and store it with its history in one transaction.
 * `dek` is given for a new record (no wrap yet), else unwrapped from the row.
 */
export async function commit(db, me, row, plaintext, deleted, dek = null, blobs = []) {
  const recordId = uuidBytes(row.recordId);
  dek ??= await unwrapDek(me.kwk, row.ownerId, recordId, row.keyId, row.dekWrap);
  const version = (row.head?.version ?? 0) + 1;
  const revision = await sealRevision({ ownerId: row.ownerId, recordId, version, parent: row.head?.revId ?? null,
    keyId: row.keyId, dek, plaintext, sigSeed: me.sigSeed, deleted });
  const rid = await revId(revision.header, revision.ct);
  const dekWrap = row.dekWrap ?? await wrapDek(me.kwk, row.ownerId, recordId, row.keyId, dek);
  const head = { version, revId: rid, ...revision };
  // Everything else the row carries (the synced head, key epochs, grantees, a pending share) is kept.
  const next = { ...row, keyId: row.keyId, dekWrap, head, syncedVersion: row.syncedVersion ?? 0,
    dekWraps: { ...row.dekWraps, [toHex(row.keyId)]: dekWrap } };
  // New attachments' blobs and their place in the upload queue land with the revision that names them, or nothing
  // does (a device without room for them keeps no half-saved entry: data/blobs.js).
  await write(db, blobs.length ? ['records', 'revisions', ...BLOB_STORES] : ['records', 'revisions'], (tx) => {
    tx.objectStore('records').put(next);
    tx.objectStore('revisions').put({ recordId: row.recordId, version, revId: rid, ...revision });
    putBlobs(tx, row.recordId, blobs);
  });
  if (mayKeepPlaintext(me)) opened.set(toHex(rid), plaintext);
  changed();
  return next;
}

// Told after every local write (the sync engine schedules a push); set by the local server.
let changed = () => {};
export const onLocalChange = (fn) => { changed = fn; };

/**
 * A new revision of an own record with the same content under a fresh key epoch (share and unshare re-key),
 * carrying the sharing intent the next push sends atomically with it.
 */
export async function rekeyEntry(db, me, id, intent) {
  const row = await get(db, 'records', id);
  if (!row) return null;
  const plaintext = await openPlaintext(me, row, row.head);
  const deleted = Boolean(parseHeader(row.head.header).flags & FLAG_DELETED);
  return commit(db, me, { ...row, keyId: randomBytes(16), dekWrap: null, intent }, plaintext, deleted, randomBytes(32));
}

/**
 * @param {Record<string, unknown>} [extra] more top-level keys of the document (a worksheet answer's `worksheet`
 *   and `title`); they cannot replace the entry's own keys
 * @param {{shareWith?: string[], blobs?: {id: string, bytes: Uint8Array}[]}} [sharing] shared at
 *   once with these peers (the grants go out with its first push, as documents.js createDocument); nothing is
 *   written when one of them may not be given a key. `blobs`: the new attachments' sealed bytes, stored and queued
 *   for upload in the same transaction as the entry
 * @returns {Promise<Entry>}
 */
export async function createEntry(db, me, kind, fields, extra = {}, sharing = {}) {
  const shareWith = sharing.shareWith ?? [];
  const blobs = sharing.blobs ?? [];
  for (const uid of shareWith) {
    if (!canGrant(await get(db, 'peers', uid))) throw new BetweenError('share_blocked', 'sharing is blocked');
  }
  const intent = shareWith.length ? { add: [...new Set(shareWith)].sort(), revoke: [] } : null;
  return newEntry(db, me, { ...extra, ...makeDocument(kind, fields, now(), me.deviceId) }, intent, blobs);
}

/**
 * An entry brought back from a saved copy (export.js): its own times, in a new record (a new id, so it can never
 * collide with a record of another account on a server).
 * @returns {Promise<Entry>}
 */
export function copyEntry(db, me, kind, fields, createdAt, updatedAt) {
  return newEntry(db, me, { ...makeDocument(kind, fields, createdAt, me.deviceId), updated_at: updatedAt });
}

async function newEntry(db, me, doc, intent = null, blobs = []) {
  const row = { recordId: uuidString(newUuid()), ownerId: me.userId, keyId: randomBytes(16), dekWrap: null,
    head: null, syncedVersion: 0, intent };
  const saved = await commit(db, me, row, encodeDocument(doc), false, randomBytes(32), blobs);
  return toEntry(saved.recordId, saved.head.version, doc);
}

export async function liveRow(db, id) {
  const row = await get(db, 'records', id);
  if (!row || parseHeader(row.head.header).flags & FLAG_DELETED) return null;
  return row;
}

/** @returns {Promise<Entry|null>} null when gone, or when the record is not an entry (an assignment, …) */
export async function getEntry(db, me, id) {
  const row = await liveRow(db, id);
  if (!row) return null;
  const doc = decodeDocument(await openPlaintext(me, row, row.head));
  return isEntryDocument(doc) ? toEntry(row.recordId, row.head.version, doc) : null;
}

/**
 * The next version of an entry with `fields`, the checked answers to `kind`'s questions. What this version does
 * not know is kept as it is: top-level keys (a newer app's, merge notes) and fields `kind` does not define.
 * `from`: the version the edit was made from (the form showed it, or the draft put back in it was started from it).
 * When the entry has moved on since, the edit is merged three ways into the current version, as sync merges two
 * devices' edits (core/merge.js): what changed meanwhile is kept, not written over. `kinds`: the merge's schemas.
 * @param {IDBDatabase} db @param {any} me @param {string} id @param {Record<string, any>} fields
 * @param {import('../core/kinds.js').Kind} kind
 * @param {{from?: number|null, kinds?: Map<string, import('../core/kinds.js').Kind>,
 *   blobs?: {id: string, bytes: Uint8Array}[]}} [options] `blobs`: new attachments' sealed bytes (as createEntry)
 * @returns {Promise<Entry|null>} null when the entry is gone
 */
export async function updateEntry(db, me, id, fields, kind, { from = null, kinds, blobs = [] } = {}) {
  const row = await liveRow(db, id);
  if (!row) return null;
  const old = decodeDocument(await openPlaintext(me, row, row.head));
  if (!isEntryDocument(old)) return null;
  const stamp = { updated_at: now(), device: me.deviceId };
  /** @type {Record<string, any>} */
  let doc = { ...old, fields: { ...unknownFields(kind, old.fields), ...fields }, ...stamp };
  const base = from && from !== row.head.version && kinds ? await get(db, 'revisions', [id, from]) : null;
  if (base && !(parseHeader(base.header).flags & FLAG_DELETED)) {
    const before = decodeDocument(await openPlaintext(me, row, base));
    if (isEntryDocument(before)) {
      const mine = { ...before, fields: { ...unknownFields(kind, before.fields), ...fields }, ...stamp };
      doc = { ...mergeDocuments(before, mine, old, { kinds }).document, ...stamp };
    }
  }
  const saved = await commit(db, me, row, encodeDocument(doc), false, null, blobs);
  return toEntry(saved.recordId, saved.head.version, doc);
}

/**
 * A tombstone revision (header flag bit 0, the document without its fields and with `"deleted": true`, as
 * sync/client/client.py writes it): it syncs like any edit, and the content before it stays in the history for undo.
 */
export async function deleteEntry(db, me, id) {
  const row = await liveRow(db, id);
  if (!row) return false;
  const old = decodeDocument(await openPlaintext(me, row, row.head));
  if (!isEntryDocument(old)) return false;
  const doc = makeTombstone(old, now(), me.deviceId);
  await commit(db, me, row, encodeDocument(doc), true);
  return true;
}

/**
 * Take back an entry this device has just made and never sent (its first version only, no synced head): the record
 * and its revision go, in one transaction, as if it had never been written. A form whose second write failed (a To
 * do answer: the entry, then the response that names it) leaves nothing half-saved this way. Returns whether it went;
 * an entry with a later version or one the server acknowledged stays (delete it instead).
 * @param {IDBDatabase} db @param {string} id
 */
export async function discardNewEntry(db, id) {
  const row = await get(db, 'records', id);
  if (!row || row.head?.version !== 1 || row.synced) return false;
  await write(db, ['records', 'revisions', ...BLOB_STORES], (tx) => {
    tx.objectStore('records').delete(id);
    tx.objectStore('revisions').delete([id, 1]);
    discardBlobs(tx, id); // its new attachments, and their place in the upload queue, go with it
  });
  opened.delete(toHex(row.head.revId));
  return true;
}

/** Undo a delete: a new revision carrying the last content before the tombstone. */
export async function restoreEntry(db, me, id) {
  const row = await get(db, 'records', id);
  if (!row || !(parseHeader(row.head.header).flags & FLAG_DELETED)) return null;
  const history = await getAll(db, 'revisions', IDBKeyRange.bound([id, 0], [id, row.head.version]));
  const last = history.reverse().find((r) => !(parseHeader(r.header).flags & FLAG_DELETED));
  if (!last) return null;
  const doc = { ...decodeDocument(await openPlaintext(me, row, last)), updated_at: now(), device: me.deviceId };
  const saved = await commit(db, me, row, encodeDocument(doc), false);
  return toEntry(saved.recordId, saved.head.version, doc);
}

/** Every live entry, newest first. @returns {Promise<Entry[]>} */
export async function listEntries(db, me) {
  const docs = await listOwnRecords(db, me);
  const entries = docs.filter(({ doc }) => isEntryDocument(doc)).map(({ row, doc }) =>
    toEntry(row.recordId, row.head.version, doc));
  return entries.sort(newestFirst((e) => [e.createdAt, e.id]));
}

/**
 * The order sync/client/client.py lists in: created_at, then record id, both descending. `key` gives the two of an item.
 * @template T @param {(item: T) => [string, string]} key @returns {(a: T, b: T) => number}
 */
export function newestFirst(key) {
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] !== y[0] ? (x[0] < y[0] ? 1 : -1) : (x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : 0);
  };
}

/** Every live own record with its document (entries, assignments, answers, session logs), in no order. */
export async function listOwnRecords(db, me) {
  const rows = (await getAll(db, 'records')).filter((r) => !(parseHeader(r.head.header).flags & FLAG_DELETED));
  return Promise.all(rows.map(async (row) => ({ row, doc: decodeDocument(await openPlaintext(me, row, row.head)) })));
}

/**
 * Text of an entry that a search looks at: its kind and every answer in the words its screens show (a choice by
 * its label, not its stored id); answers of a kind or field this version does not know, as they are.
 * @param {Entry} entry @param {import('../core/kinds.js').Kind|null} kind
 */
function searchableText(entry, kind) {
  const parts = [kind?.label ?? entry.kind];
  for (const [id, value] of Object.entries(entry.fields)) {
    const field = kind?.fields.find((f) => f.id === id);
    const type = field ? fieldType(field.type) : null;
    if (type && value !== null && value !== undefined) parts.push(type.text(field, value));
    else if (Array.isArray(value)) parts.push(...value.map((v) => (typeof v === 'object' ? v?.name : String(v))));
    else parts.push(String(value));
  }
  return parts.join('\n').toLocaleLowerCase();
}

/**
 * Search on the device (the server could not: it only holds ciphertext). Every word must appear.
 * @param {Entry[]} entries @param {string} query
 * @param {(entry: Entry) => import('../core/kinds.js').Kind|null} [kindOf] the kind to read an entry's answers by
 */
export function searchEntries(entries, query, kindOf = () => null) {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return entries;
  return entries.filter((e) => {
    const text = searchableText(e, kindOf(e));
    return words.every((w) => text.includes(w));
  });
}
