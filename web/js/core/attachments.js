/**
 * Attachments of bt1 (PROTOCOL.md section 19), as sync/core/attachments.py: a blob per voice recording or photo,
 * sealed in STREAM chunks. `blob = header(16) ‖ chunk_0 ‖ … ‖ chunk_(n−1)`; the plaintext stream is the attachment
 * padded as a revision's plaintext and cut into chunks of 65 536 bytes, chunk i sealed under the attachment's own
 * key with the nonce prefix(7) ‖ u32(i) ‖ final(1) and the AAD LABELS.att ‖ attachment_id ‖ header.
 *
 * Memory: a 48 MiB attachment is never copied whole more than once. `sealBlob` writes every chunk into one buffer
 * of the blob's length (the source may be a Blob, read a chunk at a time); `sealChunks` yields the header and each
 * chunk as it is made; `openBlob` decrypts into one buffer of the padded length and hands back a view of it.
 */

import { equal, toBase64Url, uintBE, utf8, uuidBytes, uuidString, newUuid } from './bytes.js';
import { KEY_LEN, TAG_LEN, paddedLength, randomBytes, sha256 } from './crypto.js';
import { CryptoError, ProtocolError } from './errors.js';
import { LABELS } from './layout.js';

export const MAGIC = utf8('BTA1');
export const VERSION = 1;
export const CHUNK_SHIFT = 16;
/** Plaintext bytes of every chunk but the last. */
export const CHUNK_SIZE = 2 ** CHUNK_SHIFT;
export const HEADER_LEN = 16;
export const PREFIX_LEN = 7;
export const SEALED_CHUNK = CHUNK_SIZE + TAG_LEN;
export const MAX_ATTACHMENT_BYTES = 48 * 1024 * 1024;
export const MAX_DURATION_MS = 3_600_000;
export const MAX_DIMENSION = 8192;

/** The MIME types an item may name, by their top-level type (a field's `media` in kinds.json). */
export const MEDIA_TYPES = Object.freeze({
  'audio/webm': 'audio', 'audio/ogg': 'audio', 'audio/mp4': 'audio',
  'image/jpeg': 'image', 'image/webp': 'image', 'image/png': 'image',
});

const OPEN_FAILED = 'attachment failed verification';
// Chunks sealed or opened at once by sealBlob and openBlob: WebCrypto works off the main thread, so a few at a time
// keep it busy without holding many chunks in flight.
const WINDOW = 8;
const subtle = globalThis.crypto.subtle;

/** How many chunks the blob of an attachment of `size` bytes has. @param {number} size */
export const chunkCount = (size) => Math.ceil(paddedLength(size) / CHUNK_SIZE);

/** The exact length of the blob of an attachment of `size` bytes. @param {number} size */
export const blobLength = (size) => HEADER_LEN + paddedLength(size) + TAG_LEN * chunkCount(size);

export const MAX_BLOB_BYTES = blobLength(MAX_ATTACHMENT_BYTES);

/**
 * Where chunk `index` lies in the blob, [start, end): for a ranged download of one chunk.
 * @param {number} size @param {number} index @returns {[number, number]}
 */
export function chunkSpan(size, index) {
  if (!Number.isInteger(index) || index < 0 || index >= chunkCount(size)) {
    throw new ProtocolError('bad_attachment', 'no such chunk');
  }
  const start = HEADER_LEN + index * SEALED_CHUNK;
  return [start, Math.min(start + SEALED_CHUNK, blobLength(size))];
}

/** magic `BTA1`, version 1, chunk shift 16, three reserved zero bytes, the 7-byte nonce prefix. @param {Uint8Array} prefix */
export function blobHeader(prefix) {
  if (!(prefix instanceof Uint8Array) || prefix.length !== PREFIX_LEN) {
    throw new ProtocolError('bad_attachment', 'the nonce prefix is 7 bytes');
  }
  const header = new Uint8Array(HEADER_LEN);
  header.set(MAGIC);
  header.set([VERSION, CHUNK_SHIFT, 0, 0, 0], 4);
  header.set(prefix, 9);
  return header;
}

const HEADER_START = blobHeader(new Uint8Array(PREFIX_LEN)).subarray(0, 9);

/** The nonce prefix of a well-formed header; CryptoError for anything else (section 19, step 3). @param {Uint8Array} header */
export function parseBlobHeader(header) {
  if (header.length !== HEADER_LEN || !equal(header.subarray(0, 9), HEADER_START)) throw new CryptoError(OPEN_FAILED);
  return header.slice(9);
}

/** @param {Uint8Array} prefix @param {number} index @param {boolean} final */
export function chunkNonce(prefix, index, final) {
  const nonce = new Uint8Array(12);
  nonce.set(prefix);
  nonce.set(uintBE(index, 4), PREFIX_LEN);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/** An attachment id as 16 bytes: the item's UUID text, or the bytes. @param {string|Uint8Array} id */
function id16(id) {
  const raw = typeof id === 'string' ? uuidBytes(id) : id;
  if (!(raw instanceof Uint8Array) || raw.length !== 16) throw new ProtocolError('bad_id', 'ids are 16 bytes');
  return raw;
}

/** @param {string|Uint8Array} attachmentId @param {Uint8Array} header */
export function chunkAad(attachmentId, header) {
  const label = LABELS.att;
  const aad = new Uint8Array(label.length + 16 + HEADER_LEN);
  aad.set(label);
  aad.set(id16(attachmentId), label.length);
  aad.set(header, label.length + 16);
  return aad;
}

/**
 * The attachment key as a WebCrypto key, imported once for every chunk (a CryptoKey passes through).
 * @param {Uint8Array|CryptoKey} key @returns {Promise<CryptoKey>}
 */
export async function importAttachmentKey(key) {
  if (!(key instanceof Uint8Array)) return key;
  if (key.length !== KEY_LEN) throw new ProtocolError('bad_key', 'an attachment key is 32 bytes');
  return subtle.importKey('raw', /** @type {Uint8Array<ArrayBuffer>} */ (key), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * Chunk `index` of a blob: AES-256-GCM ciphertext ‖ tag.
 * @param {Uint8Array|CryptoKey} key @param {string|Uint8Array} attachmentId @param {Uint8Array} header
 * @param {number} index @param {boolean} final @param {Uint8Array} plaintext
 */
export async function sealChunk(key, attachmentId, header, index, final, plaintext) {
  const k = await importAttachmentKey(key);
  const iv = chunkNonce(parseBlobHeader(header), index, final);
  return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: chunkAad(attachmentId, header) },
    k, /** @type {Uint8Array<ArrayBuffer>} */ (plaintext)));
}

/**
 * One chunk opened: its plaintext, or CryptoError (openBlob's step 4). Not for use before the whole blob's digest
 * is checked (PROTOCOL.md §19 "No plaintext before the digest": a chunk that opens is no proof it is the owner's).
 * @param {Uint8Array|CryptoKey} key @param {string|Uint8Array} attachmentId @param {Uint8Array} header
 * @param {number} index @param {boolean} final @param {Uint8Array} chunk
 */
export async function openChunk(key, attachmentId, header, index, final, chunk) {
  if (chunk.length < TAG_LEN || (key instanceof Uint8Array && key.length !== KEY_LEN)) throw new CryptoError(OPEN_FAILED);
  const iv = chunkNonce(parseBlobHeader(header), index, final);
  try {
    const k = await importAttachmentKey(key);
    return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: chunkAad(attachmentId, header) },
      k, /** @type {Uint8Array<ArrayBuffer>} */ (chunk)));
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
}

/**
 * Bytes start..end of pad(source) without the padded copy: a view of a Uint8Array, a slice read from a Blob; only a
 * chunk that reaches the padding is made anew.
 * @param {Uint8Array|Blob} source @param {number} start @param {number} end @returns {Promise<Uint8Array>}
 */
async function paddedPiece(source, start, end) {
  const size = source instanceof Uint8Array ? source.length : source.size;
  const read = async (a, b) => (source instanceof Uint8Array ? source.subarray(a, b)
    : new Uint8Array(await source.slice(a, b).arrayBuffer()));
  if (end <= size) return read(start, end);
  const piece = new Uint8Array(end - start);
  if (start < size) piece.set(await read(start, size));
  if (start <= size) piece[size - start] = 0x80;
  return piece;
}

function sourceSize(source) {
  const size = source instanceof Uint8Array ? source.length : source?.size;
  if (!Number.isInteger(size) || size < 1 || size > MAX_ATTACHMENT_BYTES) {
    throw new ProtocolError('bad_attachment', 'an attachment holds 1 byte to 48 MiB');
  }
  return size;
}

/**
 * The blob a piece at a time: yields the header, then chunk 0, 1, … as each is sealed (for writing to storage or
 * the network as it goes). `prefix` (7 bytes) is random unless a vector fixes it.
 * @param {Uint8Array|CryptoKey} key @param {string|Uint8Array} attachmentId @param {Uint8Array|Blob} source
 * @param {{prefix?: Uint8Array}} [options] @returns {AsyncGenerator<Uint8Array>}
 */
export async function* sealChunks(key, attachmentId, source, { prefix = undefined } = {}) {
  const size = sourceSize(source);
  const header = blobHeader(prefix ?? randomBytes(PREFIX_LEN));
  const k = await importAttachmentKey(key);
  yield header;
  const padded = paddedLength(size);
  const n = chunkCount(size);
  for (let i = 0; i < n; i++) {
    const start = i * CHUNK_SIZE;
    yield await sealChunk(k, attachmentId, header, i, i === n - 1,
      await paddedPiece(source, start, Math.min(start + CHUNK_SIZE, padded)));
  }
}

/**
 * The whole blob of an attachment (1 byte to 48 MiB), in one buffer of blobLength(size).
 * @param {Uint8Array|CryptoKey} key @param {string|Uint8Array} attachmentId @param {Uint8Array|Blob} source
 * @param {{prefix?: Uint8Array}} [options]
 */
export async function sealBlob(key, attachmentId, source, { prefix = undefined } = {}) {
  const size = sourceSize(source);
  const header = blobHeader(prefix ?? randomBytes(PREFIX_LEN));
  const k = await importAttachmentKey(key);
  const out = new Uint8Array(blobLength(size));
  out.set(header);
  const padded = paddedLength(size);
  const n = chunkCount(size);
  const seal = async (i) => {
    const start = i * CHUNK_SIZE;
    const piece = await paddedPiece(source, start, Math.min(start + CHUNK_SIZE, padded));
    out.set(await sealChunk(k, attachmentId, header, i, i === n - 1, piece), HEADER_LEN + i * SEALED_CHUNK);
  };
  await window(n, seal);
  return out;
}

/** Runs job(0) … job(n − 1), at most WINDOW at a time; the first failure rejects. */
async function window(n, job) {
  let next = 0;
  const worker = async () => {
    while (next < n) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, n) }, worker));
}

/** What the document names the blob by: SHA-256 of the whole blob. @param {Uint8Array} blob */
export const digest = (blob) => sha256(blob);

/**
 * The attachment's bytes after every check of section 19, in its order (length, digest, header, each chunk, strict
 * unpadding to exactly `size`); any failure is one CryptoError('attachment failed verification'). The answer is a
 * view of the padded buffer (no second copy of a large attachment).
 * @param {Uint8Array|CryptoKey} key @param {string|Uint8Array} attachmentId @param {Uint8Array} blob
 * @param {number} size @param {Uint8Array} expectedDigest @returns {Promise<Uint8Array>}
 */
export async function openBlob(key, attachmentId, blob, size, expectedDigest) {
  if (!Number.isInteger(size) || size < 1 || size > MAX_ATTACHMENT_BYTES || blob.length !== blobLength(size)
    || expectedDigest.length !== 32 || !equal(await digest(blob), expectedDigest)
    || (key instanceof Uint8Array && key.length !== KEY_LEN)) {
    throw new CryptoError(OPEN_FAILED);
  }
  const header = blob.slice(0, HEADER_LEN);
  parseBlobHeader(header);
  let k;
  try {
    k = await importAttachmentKey(key);
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
  const padded = paddedLength(size);
  const n = chunkCount(size);
  const stream = new Uint8Array(padded);
  await window(n, async (i) => {
    const start = HEADER_LEN + i * SEALED_CHUNK;
    const chunk = blob.subarray(start, Math.min(start + SEALED_CHUNK, blob.length));
    stream.set(await openChunk(k, attachmentId, header, i, i === n - 1, chunk), i * CHUNK_SIZE);
  });
  // Strict unpadding to exactly `size`: the marker at `size`, zeros after it (the length is right by step 1).
  let zeros = stream[size] === 0x80;
  for (let i = size + 1; zeros && i < padded; i++) zeros = stream[i] === 0;
  if (!zeros) throw new CryptoError(OPEN_FAILED);
  return stream.subarray(0, size);
}

// ---------------------------------------------------------------- the item in the entry document

/**
 * Exactly `length` bytes in their one canonical base64url spelling, without padding.
 * @param {string} text @param {number} length
 */
export function fromBase64Url(text, length) {
  if (typeof text !== 'string' || text.length !== Math.ceil((length * 4) / 3) || /[^A-Za-z0-9_-]/.test(text)) {
    throw new ProtocolError('bad_attachment', 'not base64url of the right length');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const raw = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (raw.length !== length || toBase64Url(raw) !== text) {
    throw new ProtocolError('bad_attachment', 'not base64url of the right length');
  }
  return raw;
}

/**
 * An item of an `attachments` field (PROTOCOL.md section 19).
 * @typedef {{id: string, key: string, size: number, digest: string, media: string, duration_ms?: number,
 *   width?: number, height?: number}} AttachmentItem
 */

/**
 * A new attachment: its item for the entry document and its blob to upload. Key, id and prefix are random unless a
 * vector fixes them.
 * @param {Uint8Array|Blob} source @param {string} media
 * @param {{durationMs?: number, width?: number, height?: number, key?: Uint8Array, attachmentId?: string,
 *   prefix?: Uint8Array}} [options]
 * @returns {Promise<{item: AttachmentItem, blob: Uint8Array}>}
 */
export async function newAttachment(source, media, { durationMs = undefined, width = undefined, height = undefined,
  key = undefined, attachmentId = undefined, prefix = undefined } = {}) {
  if (!Object.hasOwn(MEDIA_TYPES, media)) throw new ProtocolError('bad_attachment', 'unknown media type');
  const k = key ?? randomBytes(KEY_LEN);
  const id = attachmentId ?? uuidString(newUuid());
  const blob = await sealBlob(k, id, source, { prefix });
  /** @type {AttachmentItem} */
  const item = { id, key: toBase64Url(k), size: sourceSize(source), digest: toBase64Url(await digest(blob)), media };
  if (durationMs !== undefined) item.duration_ms = durationMs;
  if (width !== undefined || height !== undefined) Object.assign(item, { width, height });
  return { item, blob };
}

/**
 * The bytes of a document's item, from its blob; CryptoError when they fail any check (or the item is not well
 * formed). @param {AttachmentItem} item @param {Uint8Array} blob
 */
export async function openItem(item, blob) {
  let key;
  let expected;
  let id;
  try {
    key = fromBase64Url(item.key, KEY_LEN);
    expected = fromBase64Url(item.digest, 32);
    id = uuidBytes(item.id);
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
  return openBlob(key, id, blob, item.size, expected);
}
