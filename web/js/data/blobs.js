/**
 * Attachment blobs on this device (IndexedDB 'blobs' and 'uploads', db.js version 6): the bytes exactly as the server
 * stores them (ciphertext under each attachment's own key, which only the entry's sealed document holds), and the
 * upload queue's rows. The rules of the queue are core/uploads.js; running it, engine/uploads.js.
 */

import { done, get, write } from './db.js';
import { queued } from '../core/uploads.js';

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

/** Whether a value is an attachment item of a document (PROTOCOL.md §19): an object with these keys. */
const isItem = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.id === 'string'
  && UUID.test(v.id) && typeof v.key === 'string' && typeof v.digest === 'string' && Number.isInteger(v.size)
  && typeof v.media === 'string';

/**
 * The attachment items a document names, in field order then item order: every item of a field whose value is a
 * list of attachment items (a kind this version does not know names its attachments the same way).
 * @param {{fields?: Record<string, unknown>}|null} doc @returns {Record<string, any>[]}
 */
export function namedAttachments(doc) {
  const out = [];
  for (const value of Object.values(doc?.fields ?? {})) {
    if (Array.isArray(value)) out.push(...value.filter(isItem));
  }
  return out;
}
