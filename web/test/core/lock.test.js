// core/lock.js: the vault key's wrap and unwrap under each method's KEK, the wrong-try waits, PIN and passphrase rules.
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  LOCK_KDF, MAX_FAILURES, afterFailure, delayAfter, lockKek, newVaultKey, passphraseProblem, pinProblem, triesLeft,
  unwrapVault, waitLeft, wrapVault,
} from '../../js/core/lock.js';
import { CryptoError } from '../../js/core/errors.js';

const output = (fill) => new Uint8Array(32).fill(fill);

/** What a vault key does: seal a message the other key must open. */
async function sameKey(a, b) {
  const iv = new Uint8Array(12);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, a, new TextEncoder().encode('vault'));
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, b, ct)) === 'vault';
}

test('a vault key wrapped under a secret output unwraps with the same output and method, never extractable', async () => {
  const { wrappable, held } = await newVaultKey();
  assert.equal(held.extractable, false);
  const wrap = await wrapVault(await lockKek('pin', output(7)), wrappable, 'pin');
  assert.equal(wrap.iv.length, 12);
  assert.equal(wrap.ct.length, 32 + 16);
  const back = await unwrapVault(await lockKek('pin', output(7)), wrap, 'pin');
  assert.equal(back.extractable, false);
  assert.ok(await sameKey(held, back));
  // The raw key is not in the wrap.
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', wrappable));
  assert.ok(!Buffer.from(wrap.ct).includes(Buffer.from(raw)));
});

test('a wrong output, another method or a changed wrap does not unwrap', async () => {
  const { wrappable } = await newVaultKey();
  const wrap = await wrapVault(await lockKek('passphrase', output(1)), wrappable, 'passphrase');
  await assert.rejects(unwrapVault(await lockKek('passphrase', output(2)), wrap, 'passphrase'), CryptoError);
  // The same output through another method's HKDF info, or the wrap bound to another method: refused.
  await assert.rejects(unwrapVault(await lockKek('prf', output(1)), wrap, 'prf'), CryptoError);
  await assert.rejects(unwrapVault(await lockKek('passphrase', output(1)), wrap, 'pin'), CryptoError);
  const bent = { iv: wrap.iv, ct: Uint8Array.from(wrap.ct, (b, i) => (i === 3 ? b ^ 1 : b)) };
  await assert.rejects(unwrapVault(await lockKek('passphrase', output(1)), bent, 'passphrase'), CryptoError);
});

test('the KEK is refused for an unknown method or an output that is not 32 bytes', async () => {
  await assert.rejects(lockKek('face', output(1)), CryptoError);
  await assert.rejects(lockKek('pin', new Uint8Array(16)), CryptoError);
});

test('waits grow after the third wrong try, and the tenth forgets the keys', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(delayAfter),
    [0, 0, 0, 0, 30e3, 60e3, 300e3, 900e3, 1800e3, 3600e3]);
  let state = { failures: 0, notBefore: 0 };
  const now = 1_000_000;
  for (let n = 1; n < MAX_FAILURES; n++) {
    state = afterFailure(state, now);
    assert.equal(state.failures, n);
    assert.equal(state.forget, false);
    assert.equal(state.notBefore, now + delayAfter(n));
    assert.equal(triesLeft(state), MAX_FAILURES - n);
  }
  assert.equal(waitLeft(state, now + 1000), 3600e3 - 1000);
  assert.equal(waitLeft(state, now + 3600e3 + 1), 0);
  assert.equal(afterFailure(state, now).forget, true);
  for (let n = 1; n < MAX_FAILURES - 1; n++) assert.ok(delayAfter(n + 1) >= delayAfter(n));
});

test('a PIN is 6 or more digits; a lock passphrase at least 10 characters', () => {
  assert.equal(pinProblem('123456'), null);
  assert.equal(pinProblem('12345'), 'pin');
  assert.equal(pinProblem('12345a'), 'pin');
  assert.equal(pinProblem('１２３４５６'), 'pin'); // full-width digits are not what a PIN pad types
  assert.equal(passphraseProblem('short one'), 'passphrase');
  assert.equal(passphraseProblem('a longer one'), null);
});

test('the lock KDF is above the sign-in floor and cheaper than sign-in', () => {
  assert.ok(LOCK_KDF.memoryKib >= 19456 && LOCK_KDF.iterations >= 2);
  assert.ok(LOCK_KDF.memoryKib * LOCK_KDF.iterations < 65536 * 3);
});
