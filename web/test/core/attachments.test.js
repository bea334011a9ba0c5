// Attachments (web/js/core/attachments.js, PROTOCOL.md section 19) beyond the vectors of tests/vectors/attachments.json
// (checked in tools/vector-checks.js): every chunk moved or changed, the streaming reader, sizes at the edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as att from '../../js/core/attachments.js';
import { concat, newUuid, uuidString } from '../../js/core/bytes.js';
import { paddedLength, randomBytes, unpad } from '../../js/core/crypto.js';
import { CryptoError, ProtocolError } from '../../js/core/errors.js';

const chunksOf = (blob) => {
  const out = [];
  for (let i = att.HEADER_LEN; i < blob.length; i += att.SEALED_CHUNK) out.push(blob.subarray(i, i + att.SEALED_CHUNK));
  return out;
};

/** A size a blob of `length` bytes fits (`size` itself when it does), so the length check passes. */
function sizeFitting(length, size) {
  if (att.blobLength(size) === length) return size;
  for (let n = 1; n <= Math.floor(length / att.SEALED_CHUNK) + 1; n++) {
    const padded = length - att.HEADER_LEN - 16 * n;
    if (padded > 1 && att.chunkCount(padded - 1) === n && paddedLength(padded - 1) === padded) return padded - 1;
  }
  return size;
}

async function sealed(size) {
  const key = randomBytes(32);
  const id = uuidString(newUuid());
  const data = randomBytes(Math.min(size, 65536));
  const full = size > data.length ? Uint8Array.from({ length: size }, (_, i) => data[i % data.length] ^ (i >> 16)) : data;
  return { key, id, data: full, blob: await att.sealBlob(key, id, full) };
}

test('every chunk flipped, swapped, dropped or cut off is refused, even with the digest of the changed blob', async () => {
  const { key, id, data, blob } = await sealed(4 * att.CHUNK_SIZE + 777);
  assert.deepEqual(await att.openBlob(key, id, blob, data.length, await att.digest(blob)), data);
  const header = blob.subarray(0, att.HEADER_LEN);
  const chunks = chunksOf(blob);
  const n = chunks.length;
  const bad = [];
  for (let i = 0; i < n; i++) {
    for (const where of [0, chunks[i].length >> 1, chunks[i].length - 1]) {
      const changed = Uint8Array.from(chunks[i]);
      changed[where] ^= 0x80;
      bad.push(concat(header, ...chunks.slice(0, i), changed, ...chunks.slice(i + 1)));
    }
    if (i + 1 < n - 1) bad.push(concat(header, ...chunks.slice(0, i), chunks[i + 1], chunks[i], ...chunks.slice(i + 2)));
    if (i < n - 1) bad.push(concat(header, ...chunks.slice(0, i), ...chunks.slice(i + 1)));
  }
  bad.push(concat(header, ...chunks.slice(0, -1)));
  for (const changed of bad) {
    await assert.rejects(att.openBlob(key, id, changed, sizeFitting(changed.length, data.length),
      await att.digest(changed)), CryptoError);
  }
});

test('the streaming reader opens chunk by chunk, and a chunk opens only at its place and with its final flag', async () => {
  const { key, id, data, blob } = await sealed(3 * att.CHUNK_SIZE); // padded to four chunks, the last all padding
  const header = blob.subarray(0, att.HEADER_LEN);
  const n = att.chunkCount(data.length);
  assert.equal(n, 4);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const [start, end] = att.chunkSpan(data.length, i);
    parts.push(await att.openChunk(key, id, header, i, i === n - 1, blob.subarray(start, end)));
  }
  assert.deepEqual(unpad(concat(...parts)), data);
  const [s2, e2] = att.chunkSpan(data.length, 2);
  await assert.rejects(att.openChunk(key, id, header, 2, true, blob.subarray(s2, e2)), CryptoError);
  await assert.rejects(att.openChunk(key, id, header, 1, false, blob.subarray(s2, e2)), CryptoError);
  await assert.rejects(att.openChunk(key, uuidString(newUuid()), header, 2, false, blob.subarray(s2, e2)), CryptoError);
  assert.throws(() => att.chunkSpan(data.length, n), ProtocolError);
});

test('sealChunks from a Blob gives the bytes sealBlob gives, header first', async () => {
  const key = randomBytes(32);
  const id = uuidString(newUuid());
  const prefix = randomBytes(7);
  const { data } = await sealed(2 * att.CHUNK_SIZE + 5);
  const pieces = [];
  for await (const piece of att.sealChunks(key, id, new Blob([data]), { prefix })) pieces.push(piece);
  assert.equal(pieces.length, 1 + att.chunkCount(data.length));
  assert.deepEqual(pieces[0], att.blobHeader(prefix));
  assert.deepEqual(concat(...pieces), await att.sealBlob(key, id, data, { prefix }));
});

test('sizes at the edges, and what is refused before any work', async () => {
  for (const size of [1, 1023, 1024, 65535, 65536, 65537]) {
    const { key, id, data, blob } = await sealed(size);
    assert.equal(blob.length, att.blobLength(size));
    assert.deepEqual(await att.openBlob(key, id, blob, size, await att.digest(blob)), data);
  }
  const id = uuidString(newUuid());
  await assert.rejects(att.sealBlob(randomBytes(32), id, new Uint8Array(0)), ProtocolError);
  await assert.rejects(att.sealBlob(randomBytes(31), id, new Uint8Array(1)), ProtocolError);
  const { key, blob } = await sealed(10);
  for (const size of [0, -1, 10.5, '10', att.MAX_ATTACHMENT_BYTES + 1]) {
    await assert.rejects(att.openBlob(key, id, blob, size, await att.digest(blob)), CryptoError, String(size));
  }
});

test('an item names its blob; a broken item is one CryptoError', async () => {
  const { item, blob } = await att.newAttachment(new Uint8Array([1, 2, 3]), 'image/png', { width: 640, height: 480 });
  assert.deepEqual(Object.keys(item).sort(), ['digest', 'height', 'id', 'key', 'media', 'size', 'width']);
  assert.equal(item.key.length, 43);
  assert.deepEqual(await att.openItem(item, blob), new Uint8Array([1, 2, 3]));
  const otherKey = (item.key[0] === 'B' ? 'C' : 'B') + item.key.slice(1);
  for (const broken of [{ ...item, key: otherKey }, { ...item, key: '!'.repeat(43) }, { ...item, id: 'x' },
    { ...item, digest: `${item.digest.slice(0, -1)}B` }]) {
    await assert.rejects(att.openItem(broken, blob), CryptoError);
  }
  await assert.rejects(att.newAttachment(new Uint8Array(1), 'video/mp4'), ProtocolError);
  assert.throws(() => att.fromBase64Url(`${item.key.slice(0, -1)}B`, 32), ProtocolError); // spare bits set
});

test('a 48 MiB attachment seals and opens in one buffer each', async () => {
  const size = att.MAX_ATTACHMENT_BYTES;
  const key = randomBytes(32);
  const id = uuidString(newUuid());
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) data.set(randomBytes(64), i);
  const blob = await att.sealBlob(key, id, data);
  assert.equal(blob.length, att.MAX_BLOB_BYTES);
  const opened = await att.openBlob(key, id, blob, size, await att.digest(blob));
  assert.equal(opened.length, size);
  assert.equal(opened.buffer.byteLength, paddedLength(size)); // a view of the padded stream, no second copy
  assert.deepEqual(opened.subarray(size - 100), data.subarray(size - 100));
});
