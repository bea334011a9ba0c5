// Pure parts of sync and accounts: the wire codec, the outbox rule, sharing intents, KDF checks, status words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromWire, bundleToWire, fromWire, kdfFromWire, kdfToWire, toWire } from '../../js/data/api.js';
import { checkNewKdf, checkServedAccount, explain, HANDLE } from '../../js/engine/account.js';
import { DowngradeError, ProtocolError } from '../../js/core/errors.js';
import { makeBundle, verifyBundle } from '../../js/core/keys.js';
import { estimateStrength } from '../../js/page/strength.js';
import { granteesAfter } from '../../js/core/sharing.js';
import { headerText, problemText, statusText } from '../../js/core/sync-status.js';
import { problemOf } from '../../js/engine/sync.js';
import { ApiError } from '../../js/data/api.js';
import { BetweenError, RollbackError } from '../../js/core/errors.js';
import '../messages-setup.js';

const bytes = (n, fill) => new Uint8Array(n).fill(fill);

test('bytes travel as standard base64 with padding and come back as Uint8Array', () => {
  const body = { handle: 'sam', kdf: { alg: 'argon2id', memory_kib: 65536, salt: bytes(16, 0xfb) },
    items: [{ header: bytes(136, 1), ct: bytes(17, 0xff), record_id: '0b7f3c2e-8d57-4e0b-9a43-f2f9c1a4d001' }] };
  const text = toWire(body);
  assert.match(text, /"salt":"\+\/v7\+\/v7\+\/v7\+\/v7\+\/v7\+w=="/);
  const back = fromWire(JSON.parse(text));
  assert.deepEqual(back.kdf.salt, bytes(16, 0xfb));
  assert.deepEqual(back.items[0].ct, bytes(17, 0xff));
  assert.equal(back.items[0].record_id, body.items[0].record_id); // ids stay UUID strings
  assert.equal(back.handle, 'sam'); // text fields untouched
});

test('a malformed bytes field is a clean error, not a crash', () => {
  assert.throws(() => fromWire({ signature: '***' }), (err) => err.code === 'bad_response');
});

test('bundles and KDF parameters convert both ways and still verify', async () => {
  const secrets = { userId: bytes(16, 7), handle: 'dr.lee', role: 'therapist', sigSeed: bytes(32, 1), kemSeed: bytes(32, 2) };
  const bundle = await makeBundle(secrets);
  const wire = fromWire(JSON.parse(toWire(bundleToWire(bundle))));
  assert.equal(wire.user_id, '07070707-0707-0707-0707-070707070707');
  const back = bundleFromWire(wire);
  await verifyBundle(back);
  assert.deepEqual(back, bundle);
  const kdf = { alg: 'argon2id', memoryKib: 65536, iterations: 3, lanes: 1, salt: bytes(16, 9) };
  assert.deepEqual(kdfFromWire(kdfToWire(kdf)), kdf);
});

test('new accounts never get less than the default Argon2id cost; below the floor is a downgrade', () => {
  const salt = bytes(16, 0);
  checkNewKdf({ alg: 'argon2id', memoryKib: 65536, iterations: 3, lanes: 1, salt });
  assert.throws(() => checkNewKdf({ alg: 'argon2id', memoryKib: 19456, iterations: 2, lanes: 1, salt }),
    (err) => err.code === 'weak_kdf');
  assert.throws(() => checkNewKdf({ alg: 'argon2id', memoryKib: 1024, iterations: 3, lanes: 1, salt }), DowngradeError);
  assert.throws(() => checkNewKdf({ alg: 'scrypt', memoryKib: 65536, iterations: 3, lanes: 1, salt }), ProtocolError);
  assert.match(explain(new DowngradeError('x')), /weaker protection/);
});

test('after a sign-in, GET /account must name the account signed in and exactly the KDF parameters of prelogin', () => {
  const kdf = { alg: 'argon2id', memory_kib: 65536, iterations: 3, lanes: 1, salt: new Uint8Array(16).fill(7) };
  const userId = '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21';
  const account = { handle: 'alice', user_id: userId, kdf: { ...kdf, salt: new Uint8Array(16).fill(7) } };
  checkServedAccount(account, { handle: 'alice', userId, kdf });
  const refused = (changed) => assert.throws(() => checkServedAccount({ ...account, ...changed }, { handle: 'alice', userId,
    kdf }), { code: 'crypto' });
  refused({ handle: 'bob' });
  refused({ user_id: '1b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21' });
  refused({ kdf: { ...kdf, memory_kib: 1048576 } });
  refused({ kdf: { ...kdf, iterations: 4 } });
  refused({ kdf: { ...kdf, lanes: 2 } });
  refused({ kdf: { ...kdf, salt: new Uint8Array(16).fill(8) } });
});

test('handles follow the wire pattern', () => {
  for (const ok of ['sam', 'dr.lee', 'a_b-c.d', '0ab']) assert.ok(HANDLE.test(ok), ok);
  for (const bad of ['jo', 'Sam', '.sam', 'sam lee', 'x'.repeat(65), 'sam\n']) assert.ok(!HANDLE.test(bad), bad);
});

test('a pending share or unshare changes who the next key epoch is granted to', () => {
  const row = { grantees: { a: '2026-11-26T10:00:00Z', b: '2026-11-26T11:00:00Z' }, intent: { add: ['c'], revoke: ['a'] } };
  assert.deepEqual([...granteesAfter(row)].sort(), ['b', 'c']);
  assert.deepEqual([...granteesAfter({})], []);
});

test('passphrase strength: short is refused, several words are strong, patterns are weak', () => {
  assert.equal(estimateStrength('short').score, 0);
  assert.equal(estimateStrength('aaaaaaaaaaaa').score, 1);
  assert.equal(estimateStrength('password1234').score, 1);
  assert.ok(estimateStrength('quiet harbour maple seventeen lantern').score >= 3);
  assert.ok(estimateStrength('quiet-harbour-maple-seventeen').score >= 3);
  assert.ok(estimateStrength('Tr0ub4dor&3x!').score >= 2);
});

test('status words say synced, how many wait, offline and merges', () => {
  assert.equal(statusText({ state: 'synced' }), 'Synced');
  assert.equal(statusText({ state: 'synced', merged: 1 }), 'Synced · merged an edit made on two devices');
  assert.equal(statusText({ state: 'offline', waiting: 2 }), 'Offline · 2 changes waiting');
  assert.equal(statusText({ state: 'waiting', waiting: 1 }), '1 change waiting to sync');
  assert.equal(statusText({ state: 'off' }), 'On this device only');
});

test('refused changes are reported with the status', () => {
  assert.equal(statusText({ state: 'synced', refused: 1 }), 'Synced · 1 change was refused');
  assert.equal(statusText({ state: 'waiting', waiting: 2, refused: 2 }), '2 changes waiting to sync · 2 changes were refused');
  assert.equal(statusText({ state: 'offline', refused: 1 }), 'Offline');
});

test('the header says when it synced, in the language in use, and offline as soon as the page knows', () => {
  const at = '2026-12-07T14:05:00.000Z';
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(at));
  assert.equal(headerText({ state: 'synced', at }), `Synced at ${time}`);
  assert.equal(headerText({ state: 'synced', at, merged: 1 }), `Synced at ${time} · merged an edit made on two devices`);
  assert.equal(statusText({ state: 'synced', at }), 'Synced'); // the Sync screen: no time
  assert.equal(headerText({ state: 'synced', at, waiting: 0 }, { offline: true }), 'Offline');
  assert.equal(headerText({ state: 'waiting', waiting: 3 }, { offline: true }), 'Offline · 3 changes waiting');
  assert.equal(headerText({ state: 'waiting', waiting: 1 }), '1 change waiting to sync');
  assert.equal(headerText({ state: 'off' }, { offline: true }), ''); // nothing to sync: nothing to say
  assert.equal(headerText({ state: 'signed_out' }, { offline: true }), 'Signed out: sign in again to sync');
});

test('a failed run says why, in words, from a fixed code', () => {
  assert.equal(problemOf(new ApiError('unavailable', 'x', 503)), 'server');
  assert.equal(problemOf(new ApiError('rate_limited', 'x', 429)), 'busy_server');
  assert.equal(problemOf(new ApiError('bad_cursor', 'x', 400)), 'refused');
  assert.equal(problemOf(new RollbackError('back')), 'rollback');
  assert.equal(problemOf(new BetweenError('busy', 'x')), 'busy');
  assert.equal(problemOf(new Error('what')), 'unexpected');
  assert.equal(problemText({ state: 'error', problem: 'server' }), 'the server is not available right now');
  assert.equal(statusText({ state: 'error', problem: 'rollback', waiting: 2 }),
    'Sync failed: the server sent an older state than this device already has · will try again · 2 changes waiting');
  assert.equal(statusText({ state: 'error' }), 'Sync failed: something unexpected went wrong · will try again');
});
