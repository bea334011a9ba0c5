// Reading back a stored revision (records.js openStoredRevision): context, AEAD and padding are checked on every
// read; the signature was checked when the revision entered the device and is not checked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Public, randomBytes } from '../../js/core/crypto.js';
import { CryptoError } from '../../js/core/errors.js';
import { openRevision, openStoredRevision, sealRevision } from '../../js/core/records.js';
import { utf8 } from '../../js/core/bytes.js';

async function sealed() {
  const ctx = { ownerId: randomBytes(16), recordId: randomBytes(16), keyId: randomBytes(16), dek: randomBytes(32) };
  const plaintext = utf8('{"kind":"journal","v":1}');
  const sigSeed = randomBytes(32);
  const rev = await sealRevision({ ...ctx, version: 1, parent: null, plaintext, sigSeed });
  return { ctx, rev, plaintext, signerPub: await ed25519Public(sigSeed) };
}

const flip = (bytes, i) => {
  const out = Uint8Array.from(bytes);
  out[i] ^= 1;
  return out;
};

test('a stored revision opens to its plaintext', async () => {
  const { ctx, rev, plaintext } = await sealed();
  const [header, out] = await openStoredRevision(rev, ctx);
  assert.deepEqual(out, plaintext);
  assert.equal(header.version, 1);
});

test('another owner, record, key id or DEK does not open it', async () => {
  const { ctx, rev } = await sealed();
  for (const name of ['ownerId', 'recordId', 'keyId', 'dek']) {
    const other = { ...ctx, [name]: randomBytes(name === 'dek' ? 32 : 16) };
    await assert.rejects(openStoredRevision(rev, other), CryptoError, name);
  }
});

test('any flipped byte of the header or ciphertext fails', async () => {
  const { ctx, rev } = await sealed();
  for (const part of ['header', 'ct']) {
    for (let i = 0; i < rev[part].length; i += 7) {
      await assert.rejects(openStoredRevision({ ...rev, [part]: flip(rev[part], i) }, ctx), CryptoError, `${part}[${i}]`);
    }
  }
  await assert.rejects(openStoredRevision({ ...rev, ct: rev.ct.subarray(0, 8) }, ctx), CryptoError);
});

test('the signature is not re-checked on reading back, while openRevision (pull) still checks it', async () => {
  const { ctx, rev, signerPub } = await sealed();
  await assert.doesNotReject(openRevision(rev, { ...ctx, signerPub }));
  const forged = { ...rev, signature: flip(rev.signature, 0) };
  await assert.doesNotReject(openStoredRevision(forged, ctx));
  await assert.rejects(openRevision(forged, { ...ctx, signerPub }), CryptoError);
});
