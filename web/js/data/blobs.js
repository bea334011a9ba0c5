/**
 * Attachment blobs on this device (IndexedDB 'blobs' and 'uploads', db.js version 6): the bytes exactly as the server
 * stores them (ciphertext under each attachment's own key, which only the entry's sealed document holds), and the
 * upload queue's rows. The rules of the queue are core/uploads.js; running it, engine/uploads.js.
 */

import { done, get, write } from './db.js';
import { MEDIA_TYPES, newAttachment } from '../core/attachments.js';
import { queued } from '../core/uploads.js';
import { readAttachmentsForm, unreadablePicture } from './attachment-form.js';
import { stripImageMetadata } from '../core/image-metadata.js';

/** The stores a save with new attachments writes besides the record's. */
export const BLOB_STORES = ['blobs', 'uploads'];

/**
 * Queue the new attachments' blobs of a record in a transaction that also writes its revision (data/entries.js
 * commit): each blob's bytes, and its row in the upload queue, nothing sent yet.
 * @param {IDBTransaction} tx @param {string} recordId @param {{id: string, bytes: Uint8Array}[]} blobs
 */
export function putBlobs(tx, recordId, blobs, now = Date.now()) {
  for (const { id, bytes } of blobs) {
    tx.objectStore('blobs').put({ id, recordId, bytes });
    tx.objectStore('uploads').put(queued(id, recordId, bytes.length, now));
  }
}

/** A blob's bytes held here, or null. @param {IDBDatabase} db @param {string} id @returns {Promise<Uint8Array|null>} */
export async function blobBytes(db, id) {
  return (await get(db, 'blobs', id))?.bytes ?? null;
}

/** Keep a blob fetched from the server (after it verified against its document). */
export async function keepBlob(db, id, recordId, bytes) {
  await write(db, ['blobs'], (tx) => tx.objectStore('blobs').put({ id, recordId, bytes }));
}

/** @param {IDBDatabase} db @param {string} id @returns {Promise<import('../core/uploads.js').Upload|null>} */
export async function getUpload(db, id) {
  return (await get(db, 'uploads', id)) ?? null;
}

/** Every row of the upload queue (uploaded ones too). @returns {Promise<import('../core/uploads.js').Upload[]>} */
export async function listUploads(db) {
  return done(db.transaction('uploads').objectStore('uploads').getAll());
}

/** Write an upload's row back, unless it went meanwhile (its entry's device was forgotten). @returns {Promise<void>} */
export async function saveUpload(db, row) {
  const tx = db.transaction('uploads', 'readwrite');
  const store = tx.objectStore('uploads');
  const request = store.get(row.id);
  request.onsuccess = () => { if (request.result) store.put(row); };
  await new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a value has the shape of an attachment item of a document (PROTOCOL.md §19): an object with these keys. */
const isItem = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.id === 'string'
  && UUID.test(v.id) && typeof v.key === 'string' && typeof v.digest === 'string' && Number.isInteger(v.size)
  && typeof v.media === 'string';

/** Items of every field whose value is a list, in field order then item order, with their field's id. */
function itemsByField(doc) {
  const out = [];
  for (const [field, value] of Object.entries(doc?.fields ?? {})) {
    if (Array.isArray(value)) out.push(...value.filter(isItem).map((item) => ({ field, item })));
  }
  return out;
}

/**
 * The ids of the blobs a document names (PushItem.attachments, PROTOCOL.md §17): every item with the shape of one,
 * whatever its media type (a newer version's item too: the server must keep its blob).
 * @param {{fields?: Record<string, unknown>}|null} doc @returns {string[]}
 */
export const namedBlobIds = (doc) => [...new Set(itemsByField(doc).map(({ item }) => item.id))];

/**
 * Whether an item may be opened and shown as the attachment it says it is (docs/WEB.md "Attachments"): its media
 * type is one of MEDIA_TYPES and, when `kind` knows its field, of a top-level type the field takes. Anything else
 * (`text/html`, `image/svg+xml`, audio in a photos field) a sharer wrote is not an attachment this app serves.
 * @param {import('../core/attachments.js').AttachmentItem} item @param {string} field
 * @param {import('../core/kinds.js').Kind|null} [kind]
 */
export function servable(item, field, kind = null) {
  if (!Object.hasOwn(MEDIA_TYPES, item.media)) return false;
  const known = kind?.fields?.find((f) => f.id === field);
  if (!known) return true;
  const media = /** @type {any} */ (known.constraints)?.media ?? [];
  return known.type === 'attachments' && Array.isArray(media) && media.includes(MEDIA_TYPES[item.media]);
}

/**
 * The attachment items a document names that this app opens and serves (`servable`), in field order then item order:
 * every item of a field whose value is a list of attachment items (a kind this version does not know names its
 * attachments the same way). `kind`: the document's kind, when known, whose fields say which media each takes.
 * @param {{fields?: Record<string, unknown>}|null} doc @param {import('../core/kinds.js').Kind|null} [kind]
 * @returns {import('../core/attachments.js').AttachmentItem[]}
 */
export function namedAttachments(doc, kind = null) {
  return itemsByField(doc).filter(({ field, item }) => servable(item, field, kind)).map(({ item }) => item);
}

/**
 * Queue again, from nothing, the blobs of `ids` this device holds (the server said it has none of them: collected
 * while the revision naming them waited). @param {IDBDatabase} db @param {string} recordId @param {string[]} ids
 */
export async function requeueBlobs(db, recordId, ids, now = Date.now()) {
  const held = [];
  for (const id of ids) {
    const bytes = await blobBytes(db, id);
    if (bytes) held.push({ id, size: bytes.length });
  }
  if (!held.length) return;
  await write(db, ['uploads'], (tx) => {
    for (const { id, size } of held) tx.objectStore('uploads').put(queued(id, recordId, size, now));
  });
}

/**
 * The attachments fields of a kind as a form sent them (data/attachment-form.js), with the new files sealed
 * (core/attachments.js: a fresh key and id each, the blob as it goes to the server): each field's value (the kept
 * items in the form's order, then the new ones) and the new blobs to store with the revision. A FieldError when the
 * form asks for something the field does not take; nothing is stored either way.
 * @param {import('../core/kinds.js').Kind} kind @param {FormData} form @param {Record<string, unknown>} previous the
 *   fields of the revision the form edits ({} for a new entry)
 * @returns {Promise<{values: Record<string, unknown[]|null>, kept: Record<string, unknown[]|null>,
 *   blobs: {id: string, bytes: Uint8Array}[]}>} `kept`: the values without the new files (a form shown again keeps
 *   only those: its new files are the page's to put back)
 */
export async function sealAttachments(kind, form, previous) {
  const values = {};
  const kept = {};
  const blobs = [];
  for (const field of kind.fields.filter((f) => f.type === 'attachments')) {
    const read = readAttachmentsForm(field, form, `f.${field.id}`, previous?.[field.id]);
    const items = [...read.kept];
    for (const { file, media, meta } of read.added) {
      const { item, blob } = await newAttachment(await cleaned(field, file, media), media, { durationMs: meta.duration_ms, width: meta.width,
        height: meta.height });
      items.push(item);
      blobs.push({ id: item.id, bytes: blob });
    }
    values[field.id] = items.length ? items : null;
    kept[field.id] = read.kept.length ? read.kept : null;
  }
  return { values, kept, blobs };
}

/**
 * What is sealed of a new file: a photo without its metadata (core/image-metadata.js: the page re-encodes photos, and
 * this is the last line when one came without that), a recording as it came. A FieldError for an image field's file
 * that is no well-formed JPEG, PNG or WebP (it could not be cleaned).
 * @param {import('../core/kinds.js').Field} field @param {File} file @param {string} media
 * @returns {Promise<Blob|Uint8Array>}
 */
async function cleaned(field, file, media) {
  if (MEDIA_TYPES[media] !== 'image') return file;
  const clean = stripImageMetadata(new Uint8Array(await file.arrayBuffer()));
  if (!clean) throw unreadablePicture(field);
  return clean;
}

/**
 * Which blobs this device holds, by id and record, without reading their bytes.
 * @param {IDBDatabase} db @returns {Promise<{id: string, recordId: string}[]>}
 */
export function heldBlobs(db) {
  return new Promise((resolve, reject) => {
    const out = [];
    const request = db.transaction('blobs').objectStore('blobs').index('record').openKeyCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve(out);
      out.push({ id: String(cursor.primaryKey), recordId: String(cursor.key) });
      cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

/** Drop the bytes of these blobs (their upload rows stay: they say the server has them). */
export async function dropBlobs(db, ids) {
  if (!ids.length) return;
  await write(db, ['blobs'], (tx) => {
    for (const id of ids) tx.objectStore('blobs').delete(id);
  });
}

/**
 * Delete, in a transaction over BLOB_STORES, every blob of a record and its row in the upload queue (an entry taken
 * back before it was ever sent: data/entries.js discardNewEntry). @param {IDBTransaction} tx @param {string} recordId
 */
export function discardBlobs(tx, recordId) {
  for (const name of BLOB_STORES) {
    const store = tx.objectStore(name);
    const request = store.index('record').openKeyCursor(IDBKeyRange.only(recordId));
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return;
      store.delete(cursor.primaryKey);
      cursor.continue();
    };
  }
}
