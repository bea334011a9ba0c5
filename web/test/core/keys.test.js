// Checks of keys.js that sit behind another check, each fed an input that passes every other one (as
// tests/sync/core/test_keys.py does for sync/core/keys.py): the served bundle must be this account's own, and a
// bundle's X25519 key must be usable even when the bundle is properly signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Sign, randomBytes } from '../../js/core/crypto.js';
import { CryptoError } from '../../js/core/errors.js';
import { deriveIdwk, finishUnlock, makeBundle, sealIdWrap, verifyBundle } from '../../js/core/keys.js';
import { bundleBody, ROLE_CLIENT } from '../../js/core/layout.js';

const person = (handle) => ({ userId: randomBytes(16), handle, role: 'client', accountKey: randomBytes(32),
  sigSeed: randomBytes(32), kemSeed: randomBytes(32) });

async function served(me, bundle) {
  const idWrap = await sealIdWrap(await deriveIdwk(me.accountKey), me.userId, me.sigSeed, me.kemSeed);
  return { userId: me.userId, handle: me.handle, role: me.role, idWrap, bundle };
}

test('unlocking refuses a served bundle that verifies but is not this account\'s', async () => {
  const alice = person('alice');
  const unlocked = await finishUnlock(await served(alice, await makeBundle(alice)), alice.accountKey);
  assert.deepEqual(unlocked.sigSeed, alice.sigSeed);
  const mallory = person('mallory');
  // mallory's own bundle, one mallory signed naming alice, and one that also carries alice's X25519 key (only its
  // signing key is not hers): each verifies on its own
  const swapped = [await makeBundle(mallory), await makeBundle({ ...mallory, userId: alice.userId, handle: 'alice' }),
    await makeBundle({ ...mallory, userId: alice.userId, handle: 'alice', kemSeed: alice.kemSeed })];
  for (const bundle of swapped) {
    await verifyBundle(bundle);
    await assert.rejects(finishUnlock(await served(alice, bundle), alice.accountKey), CryptoError);
  }
  // alice's own bundle, with the account served under another role or handle than the bundle names
  for (const change of [{ role: 'therapist' }, { handle: 'alice2' }]) {
    const keys = { ...await served(alice, await makeBundle(alice)), ...change };
    await assert.rejects(finishUnlock(keys, alice.accountKey), CryptoError, JSON.stringify(change));
  }
});

test('a properly signed bundle with an unusable X25519 key is refused', async () => {
  const alice = person('alice');
  const good = await makeBundle(alice);
  const kemPub = new Uint8Array(32); // a low-order point: every shared secret with it is zero
  const signature = await ed25519Sign(alice.sigSeed, bundleBody(alice.userId, alice.handle, ROLE_CLIENT, good.sigPub,
    kemPub));
  await assert.rejects(verifyBundle({ ...good, kemPub, signature }), CryptoError);
});
