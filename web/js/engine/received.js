/**
 * Records other people shared with this account: a client's shared entries and answers on a therapist's device,
 * a therapist's assignments on a client's. Verified when pulled (the owner is a pinned peer, the grant and the
 * revision are signed by that peer's pinned key), stored as ciphertext with the DEK re-wrapped under our KWK,
 * decrypted only when read, in memory.
 */

import { equal, toHex, uuidBytes } from '../core/bytes.js';
import { get, getAll } from '../data/db.js';
import { mayKeepPlaintext, stillUnlocked } from '../data/device.js';
import { CryptoError } from '../core/errors.js';
import { FLAG_DELETED, parseHeader } from '../core/layout.js';
import {
  decodeDocument, openGrant, openRevision, openStoredRevision, unwrapDek, wrapDek,
} from '../core/records.js';

/**
 * @typedef {import('../core/records.js').Doc} Doc
 */

/**
 * @typedef {{id: string, ownerId: string, version: number, doc: Doc, receivedAt: string, updatedAt: string,
 *   feed: number|null}} Received
 * receivedAt: when this device first got the record; updatedAt: when it got the current version (ISO, UTC);
 * feed: the seq of this account's feed the current version came at (the same on every device of the account;
 * null for a row stored before it was kept).
 */

// Decrypted documents by rev_id (memory only, like entries.js): a revision never changes.
const opened = new Map();

/** Drop every decrypted document from memory. */
export const forgetReceived = () => opened.clear();

/** The row that drops a record someone shared whose access ended: its content goes, its high-water mark stays. */
export const removedReceived = (old) => ({ store: 'received', before: old.head.revId,
  row: { ...old, head: null, deks: {}, removedAt: now() } });

/**
 * The row a pulled record someone shared with us leads to, once pull.js `decide` said to store it (or that it is
 * the head held already); throws CryptoError when it does not verify (then nothing of it is stored).
 * `e` = {db, me, peers: Map}; `old` the row held now; `header` and `rid32` the head's parsed header and rev_id.
 * @returns {Promise<{store: 'received', before: Uint8Array|null, row: object}>}
 */
export async function prepareReceived(e, state, old, header, rid32) {
  const { me } = e;
  stillUnlocked(me); // a sync run that began before the app locked stops here
  const rid = state.record_id;
  const h = state.head;
  const peer = e.peers.get(state.owner_id);
  const ownerId = uuidBytes(state.owner_id);
  const recordId = uuidBytes(rid);
  const deks = { ...old?.deks };
  let dek = null;
  for (const g of state.grants ?? []) {
    const [body, key] = await openGrant(g, { ownerSigPub: peer.sigPub, meId: me.userId, myKemSeed: me.kemSeed });
    if (!equal(body.ownerId, ownerId) || !equal(body.recordId, recordId)) throw new CryptoError('a grant for another record');
    deks[toHex(body.keyId)] = await wrapDek(me.kwk, ownerId, recordId, body.keyId, key);
    if (equal(body.keyId, header.keyId)) dek = key;
  }
  if (!dek) {
    const wrap = deks[toHex(header.keyId)];
    if (!wrap) throw new CryptoError('no key for this revision');
    dek = await unwrapDek(me.kwk, ownerId, recordId, header.keyId, wrap);
  }
  // Signed by the owner's pinned identity key, under the key this grant gave: or not stored at all.
  const [, plaintext] = await openRevision(h.revision, { ownerId, recordId, dek, keyId: header.keyId,
    signerPub: peer.sigPub, knownRevId: rid32 });
  decodeDocument(plaintext); // a document no reader could parse is refused here, not at render time
  if (mayKeepPlaintext(me)) opened.set(toHex(rid32), plaintext);
  const stamp = now();
  const unchanged = old?.head && equal(old.head.revId, rid32);
  // The feed position of the current version: kept while the content is the same (a grant that moved the record
  // in the feed, a pull from the start again), so it says when this content reached the account.
  const seq = Number.isSafeInteger(state.seq) ? state.seq : null;
  const row = { recordId: rid, ownerId: state.owner_id, head: { version: header.version, revId: rid32, ...h.revision },
    deks, signer: peer.sigPub, highWater: [header.version, rid32], receivedAt: old?.receivedAt ?? stamp,
    updatedAt: unchanged ? old.updatedAt : stamp, feed: unchanged ? old.feed ?? seq : seq, removedAt: null };
  return { store: 'received', before: old?.head?.revId ?? null, row };
}

const now = () => new Date().toISOString();

async function openRow(me, row) {
  stillUnlocked(me); // secrets read before the app last locked open nothing (audit F5)
  const key = toHex(row.head.revId);
  if (!opened.has(key)) {
    const ownerId = uuidBytes(row.ownerId);
    const recordId = uuidBytes(row.recordId);
    const { keyId } = parseHeader(row.head.header);
    const wrap = row.deks[toHex(keyId)];
    if (!wrap) throw new CryptoError('no key for this revision');
    const dek = await unwrapDek(me.kwk, ownerId, recordId, keyId, wrap);
    // Verified under the owner's pinned key when pulled (a later key change does not re-judge that); read back
    // without the signature, which would only be checked against `row.signer` from this same row (PROTOCOL §18).
    const [, plaintext] = await openStoredRevision(row.head, { ownerId, recordId, dek, keyId });
    stillUnlocked(me);
    opened.set(key, plaintext);
  }
  return decodeDocument(opened.get(key));
}

const live = (row) => row.head && !(parseHeader(row.head.header).flags & FLAG_DELETED);

function matches(doc, type) {
  if (type === null) return true;
  if (type === 'entry') return doc.type === undefined;
  return doc.type === type;
}

const newestFirst = (a, b) => {
  const [x, y] = [String(a.doc.created_at ?? ''), String(b.doc.created_at ?? '')];
  if (x !== y) return x < y ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
};

/** @returns {Promise<Received[]>} live records shared with this account, newest first */
export async function listReceived(db, me, { ownerId = null, type = null } = {}) {
  const rows = (await getAll(db, 'received')).filter((r) => live(r) && (!ownerId || r.ownerId === ownerId));
  // All at once: WebCrypto runs them off the worker's thread, so a long timeline opens in parallel.
  const docs = await Promise.all(rows.map((row) => openRow(me, row).catch((err) => {
    if (!(err instanceof CryptoError)) throw err;
    return null; // verified when pulled; a row that no longer opens (its keys gone) is not shown
  })));
  const out = [];
  rows.forEach((row, i) => {
    if (docs[i] && matches(docs[i], type)) out.push(toReceived(row, docs[i]));
  });
  return out.sort(newestFirst);
}

const toReceived = (row, doc) => ({ id: row.recordId, ownerId: row.ownerId, version: row.head.version, doc,
  receivedAt: row.receivedAt, updatedAt: row.updatedAt, feed: Number.isSafeInteger(row.feed) ? row.feed : null });

/**
 * How far this device has read the account's feed: the pull cursor, or the latest feed position of a record it
 * holds when that is later (a pull that started again from the beginning has not caught up yet).
 */
export async function feedPosition(db) {
  const cursor = (await get(db, 'meta', 'cursor')) ?? 0;
  const rows = await getAll(db, 'received');
  return rows.reduce((max, r) => (Number.isSafeInteger(r.feed) && r.feed > max ? r.feed : max),
    Number.isSafeInteger(cursor) ? cursor : 0);
}

/** @returns {Promise<Received|null>} */
export async function getReceived(db, me, id) {
  const row = await get(db, 'received', id);
  if (!row || !live(row)) return null;
  try {
    return toReceived(row, await openRow(me, row));
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    return null;
  }
}
