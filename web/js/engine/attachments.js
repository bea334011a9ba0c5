/**
 * Attachments as the screens read them (docs/WEB.md "Attachments"): an entry's item found in its document (an own
 * entry, or a record someone shared), its bytes opened from this device's blob or fetched from the server
 * (GET /blobs/{id}: the owner's, or a grantee's of a revision that names it), verified against the item (PROTOCOL.md
 * §19: length, digest, header, every chunk, padding) and kept; and where its upload stands.
 */

import { openItem } from '../core/attachments.js';
import { CryptoError } from '../core/errors.js';
import { isQuotaError } from '../core/storage.js';
import { statusOf } from '../core/uploads.js';
import { ApiError } from '../data/api.js';
import { blobBytes, getUpload, keepBlob, namedAttachments } from '../data/blobs.js';
import { mayKeepPlaintext } from '../data/device.js';
import { getEntry } from '../data/entries.js';
import { getReceived } from './received.js';

// Decrypted attachments by record, id and digest, in memory only (an audio element asks for many ranges of one recording), a few at
// most; dropped when the app locks, like every decrypted document.
const KEEP_OPEN = 3;
const opened = new Map();
// Attachments the server said it no longer keeps (404), this worker's life long: their status says so.
const gone = new Set();

/** Drop every decrypted attachment from memory (the app locked, or the device is forgotten). */
export const forgetAttachments = () => opened.clear();

/**
 * @param {{load: () => Promise<{db: IDBDatabase, me: any,
 *     kinds?: Map<string, import('../core/kinds.js').Kind>}>,
 *   sessionApi: () => Promise<import('../data/api.js').Api|null>}} io
 */
export function createAttachments({ load, sessionApi }) {
  /** @type {Map<string, Promise<any>>} reads in progress, by record and attachment */
  const reading = new Map();

  /**
   * The item `id` of record `recordId` as its current document names it, and whose record it is; null when the
   * record or the item is not here (deleted, never shared, another id).
   * @returns {Promise<{item: import('../core/attachments.js').AttachmentItem, own: boolean}|null>}
   */
  async function find(recordId, id) {
    const { db, me, kinds } = await load();
    const entry = await getEntry(db, me, recordId);
    const doc = entry ? { kind: entry.kind, fields: entry.fields } : (await getReceived(db, me, recordId))?.doc ?? null;
    // Only an item of an allowed media type, of the top-level type its field takes (data/blobs.js servable): a
    // sharer's `text/html` is no attachment to serve on this origin.
    const kind = typeof doc?.kind === 'string' ? kinds?.get?.(doc.kind) ?? null : null;
    const item = namedAttachments(doc, kind).find((a) => a.id === id);
    return item ? { item, own: Boolean(entry) } : null;
  }

  /**
   * Remember an opened attachment under `key` (its record, id and digest), the oldest forgotten past KEEP_OPEN;
   * nothing while (or since) the app locked.
   */
  function remember(me, key, bytes) {
    if (!mayKeepPlaintext(me)) return;
    opened.delete(key);
    opened.set(key, bytes);
    while (opened.size > KEEP_OPEN) opened.delete(opened.keys().next().value);
  }

  /**
   * The attachment's bytes. `offline`: not on this device and the server cannot be reached (or has not all of it
   * yet); `gone`: the server no longer keeps it; `failed`: what came does not verify (not kept).
   * @returns {Promise<{item: import('../core/attachments.js').AttachmentItem, bytes: Uint8Array}
   *   |{missing: 'none'|'offline'|'gone'|'failed'}>}
   */
  function read(recordId, id) {
    // An audio element asks for several ranges at once at first play: one fetch and one opening serve them all.
    const key = `${recordId}/${id}`;
    if (!reading.has(key)) reading.set(key, readOnce(recordId, id).finally(() => reading.delete(key)));
    return reading.get(key);
  }

  /** @returns {Promise<{item: import('../core/attachments.js').AttachmentItem, bytes: Uint8Array}
   *   |{missing: 'none'|'offline'|'gone'|'failed'}>} */
  async function readOnce(recordId, id) {
    const found = await find(recordId, id);
    if (!found) return { missing: 'none' };
    const { item } = found;
    // Kept bytes count only for this record's item, with this digest: the same id named by another record (or with
    // another key or digest) is opened and verified against its own item.
    const cached = `${recordId}/${id}/${item.digest}`;
    if (opened.has(cached)) return { item, bytes: opened.get(cached) };
    const { db, me } = await load();
    const held = await blobBytes(db, id);
    if (held) {
      try {
        const bytes = await openItem(item, held);
        remember(me, cached, bytes);
        return { item, bytes };
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        // A copy here that no longer verifies is fetched again (and replaced if the server's does).
      }
    }
    const api = await sessionApi().catch(() => null);
    if (!api) return { missing: 'offline' };
    let blob;
    try {
      blob = await api.getBlob(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        gone.add(id);
        return { missing: 'gone' };
      }
      return { missing: 'offline' }; // unreachable, not complete yet, signed out: another time
    }
    let bytes;
    try {
      bytes = await openItem(item, blob);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      return { missing: 'failed' };
    }
    gone.delete(id);
    // Kept for offline use; a device without room shows it all the same.
    await keepBlob(db, id, recordId, blob).catch((err) => {
      if (!isQuotaError(err)) throw err;
    });
    remember(me, cached, bytes);
    return { item, bytes };
  }

  /**
   * Where the attachment's upload stands, for its status line (core/uploads.js statusOf); null when the record does
   * not name it.
   */
  async function status(recordId, id) {
    if (!(await find(recordId, id))) return null;
    const { db } = await load();
    const row = await getUpload(db, id);
    const held = row ? true : Boolean(await blobBytes(db, id));
    return statusOf(row, { held, gone: gone.has(id) });
  }

  return { find, read, status };
}
