/**
 * Drafts: forms in progress kept on this device as the person types, so nothing typed is lost when the phone locks,
 * the app is killed or the person goes elsewhere. Sealed like an entry (a fresh DEK per write, wrapped under the
 * KWK of the account key; the content padded and AES-256-GCM sealed under that DEK), in their own store. Nothing
 * here is ever synced, shared, exported or sent: the sync engine, sharing and export read other stores only.
 *
 * A draft belongs to one form identity (`form`: "entry/new/journal", "entry/<id>/edit", "todo/<aid>/<day>", …,
 * made by screens/drafts.js). The row's key is an HMAC of that identity under a key derived from the account key,
 * so IndexedDB holds no hint of which form, which entry or which kind a draft is for; everything else is sealed.
 */

import { concat, fromUtf8, toHex, utf8 } from '../core/bytes.js';
import { aeadOpen, aeadSeal, hkdf, hmacSha256, pad, randomBytes, unpad } from '../core/crypto.js';
import { unwrapDek, wrapDek } from '../core/records.js';
import { get, getAll, write } from './db.js';

/** The IndexedDB store (db.js, version 5). */
export const STORE = 'drafts';

// Local-only AAD and HMAC context (not protocol labels: these bytes never leave the device).
const DRAFT_AAD = utf8('between/web/draft/v1');
const ID_CONTEXT = utf8('between/web/draft-id/v1');

/** What one draft may hold, at most: every limit of the app's forms fits well inside (about 40 worksheet answers
 * of 100,000 characters each would not, and such a draft is refused rather than cut). */
export const MAX_DRAFT_CHARS = 4_000_000;

/**
 * @typedef {{form: string, path: string, kind: string, title: string, what: string,
 *   values: [string, string][], updatedAt: string, base?: string}} Draft
 *   form: the form's identity; path: the app address that shows it again; kind: the kind of entry it writes (a
 *   kinds.json id, '' when none); title: what the form is about in the person's words (an assignment's title, or
 *   ''); what: which form of that address ('new', 'edit', 'answer', 'reason', 'feedback'); values: the form's
 *   controls as [name, value] pairs, as the page read them; updatedAt: when it was last written (this device's clock);
 *   base: for an edit, the version of what it edits the form showed when the draft was written ('' when none)
 * @typedef {Omit<Draft, 'values'>} DraftInfo what the lists of drafts show: everything but the values
 * @typedef {{userId: Uint8Array, accountKey: Uint8Array, kwk: Uint8Array}} Keys the unlocked device's (device.js)
 */

// The HMAC key for row ids, derived once per unlocked account (by its account key's bytes).
const idKeys = new WeakMap();

/** @param {Keys} me @returns {Promise<Uint8Array>} */
async function idKey(me) {
  if (!(me?.accountKey instanceof Uint8Array)) throw new TypeError('no account key');
  let key = idKeys.get(me.accountKey);
  if (!key) {
    key = hkdf(me.accountKey, 'ak_local', ID_CONTEXT);
    idKeys.set(me.accountKey, key);
    key.catch(() => idKeys.delete(me.accountKey));
  }
  return key;
}

/** The 16-byte id of a form's draft: the same form always has the same one, and it tells nothing of the form. */
export async function draftId(me, form) {
  return (await hmacSha256(await idKey(me), utf8(form))).slice(0, 16);
}

const aad = (me, id, keyId) => concat(DRAFT_AAD, me.userId, id, keyId);

/**
 * A draft sealed: {id (hex), keyId, dekWrap, ct}. The DEK wrap is an entry's own (core/records.js wrapDek under the
 * KWK, bound to the owner, this id and the key id); the content is padded as a record's is, so its length tells
 * little more than an entry's.
 * @param {Keys} me @param {Draft} draft
 */
export async function sealDraft(me, draft) {
  const id = await draftId(me, draft.form);
  const dek = randomBytes(32);
  const keyId = randomBytes(16);
  try {
    const dekWrap = await wrapDek(me.kwk, me.userId, id, keyId, dek);
    const ct = await aeadSeal(dek, pad(utf8(JSON.stringify(draft))), aad(me, id, keyId));
    return { id: toHex(id), keyId, dekWrap, ct };
  } finally {
    dek.fill(0);
  }
}

/**
 * The draft in a row, or null when it cannot be opened (sealed under another account's keys, damaged) or is not
 * the form it claims to be.
 * @param {Keys} me @param {{id: string, keyId: Uint8Array, dekWrap: Uint8Array, ct: Uint8Array}} row
 * @returns {Promise<Draft|null>}
 */
export async function openDraft(me, row) {
  try {
    const id = Uint8Array.from(row.id.match(/../g) ?? [], (h) => parseInt(h, 16));
    const dek = await unwrapDek(me.kwk, me.userId, id, row.keyId, row.dekWrap);
    const draft = JSON.parse(fromUtf8(unpad(await aeadOpen(dek, row.ct, aad(me, id, row.keyId)))));
    dek.fill(0);
    if (toHex(await draftId(me, String(draft?.form))) !== row.id) return null;
    return draft;
  } catch {
    return null;
  }
}

// One queue per form: writes and deletes of the same draft happen in the order they were asked for, so a save
// that was still sealing can never bring back a draft that a Save or a Discard deleted after it.
const queues = new Map();

function queued(form, work) {
  const before = queues.get(form) ?? Promise.resolve();
  const next = before.then(work, work);
  const tail = next.catch(() => {});
  queues.set(form, tail);
  tail.then(() => { if (queues.get(form) === tail) queues.delete(form); });
  return next;
}

/**
 * Keep (or replace) the draft of one form. Refused (a RangeError) when it holds more than MAX_DRAFT_CHARS.
 * @param {IDBDatabase} db @param {Keys} me @param {Omit<Draft, 'updatedAt'>} draft @returns {Promise<string>} when
 */
export function saveDraft(db, me, draft) {
  const full = { ...draft, updatedAt: new Date().toISOString() };
  const size = full.values.reduce((n, [name, value]) => n + name.length + value.length, 0);
  if (size > MAX_DRAFT_CHARS) return Promise.reject(new RangeError('draft too large'));
  return queued(draft.form, async () => {
    const row = await sealDraft(me, full);
    await write(db, [STORE], (tx) => { tx.objectStore(STORE).put(row); });
    return full.updatedAt;
  });
}

/**
 * The draft of one form, or null. One that cannot be opened is left as it is: it is only ciphertext, and it may open
 * again (a device whose local data was adopted by an account it signed in to). @returns {Promise<Draft|null>}
 */
export function readDraft(db, me, form) {
  return queued(form, async () => {
    const id = toHex(await draftId(me, form));
    const row = await get(db, STORE, id);
    return row ? openDraft(me, row) : null;
  });
}

/** Delete the draft of one form (saved, discarded, or its entry deleted); nothing when there is none. */
export function discardDraft(db, me, form) {
  return queued(form, async () => {
    const id = toHex(await draftId(me, form));
    await write(db, [STORE], (tx) => { tx.objectStore(STORE).delete(id); });
  });
}

/**
 * Every draft on this device, newest first, without its values: for "Drafts to continue" (Today) and "Continue
 * where you left off" (Entries). Drafts that cannot be opened are left out of the list but kept (see readDraft).
 * @param {IDBDatabase} db @param {Keys} me @returns {Promise<DraftInfo[]>}
 */
export async function listDrafts(db, me) {
  const rows = await getAll(db, STORE);
  const opened = await Promise.all(rows.map((row) => openDraft(me, row)));
  return opened.filter((d) => d !== null)
    .map(({ form, path, kind, title, what, updatedAt }) => ({ form, path, kind, title, what, updatedAt }))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}
