// The imported-key caches in js/core/crypto.js must never answer for other bytes than the ones given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Public, ed25519Sign, ed25519Verify, gcmDecrypt, gcmEncrypt } from '../../js/core/crypto.js';
import { CryptoError } from '../../js/core/errors.js';

const nonce = new Uint8Array(12).fill(7);
const aad = new Uint8Array([1, 2, 3]);
const text = new TextEncoder().encode('entry');

test('a decryption key changed in place is imported again', async () => {
  const key = new Uint8Array(32).fill(1);
  const other = new Uint8Array(32).fill(2);
  const sealedByKey = await gcmEncrypt(key, nonce, text, aad);
  const sealedByOther = await gcmEncrypt(other, nonce, text, aad);
  assert.deepEqual(await gcmDecrypt(key, nonce, sealedByKey, aad), text);
  assert.deepEqual(await gcmDecrypt(key, nonce, sealedByKey, aad), text); // from the cache
  key.set(other); // same array, other bytes
  assert.deepEqual(await gcmDecrypt(key, nonce, sealedByOther, aad), text);
  await assert.rejects(gcmDecrypt(key, nonce, sealedByKey, aad), CryptoError);
});

test('a verification key is looked up by its bytes', async () => {
  const a = new Uint8Array(32).fill(3);
  const b = new Uint8Array(32).fill(4);
  const message = new TextEncoder().encode('rev');
  const sig = await ed25519Sign(a, message);
  const pub = await ed25519Public(a);
  await ed25519Verify(pub, sig, message);
  await ed25519Verify(pub, sig, message); // from the cache
  pub.set(await ed25519Public(b)); // same array, b's key: a's signature must no longer verify
  await assert.rejects(ed25519Verify(pub, sig, message), CryptoError);
  await ed25519Verify(pub, await ed25519Sign(b, message), message);
});
