// Checks of records.js that sit behind another check, each fed an input that passes every other one (as
// tests/sync/core/test_records.py does for sync/core/records.py): a stored grant's row, a fork at the same version, a
// key wrap that holds no DEK. The one-check revision and grant cases are in tests/vectors/tamper.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Public, randomBytes, x25519Public } from '../../js/core/crypto.js';
import { CryptoError, RollbackError } from '../../js/core/errors.js';
import {
  checkHighWater, decodeDocument, makeGrant, openGrant, unwrapDek, verifyGrant, wrapDek,
} from '../../js/core/records.js';

async function granted() {
  const sigSeed = randomBytes(32);
  const kemSeed = randomBytes(32);
  const row = { ownerId: randomBytes(16), recordId: randomBytes(16), keyId: randomBytes(16), granteeId: randomBytes(16) };
  const dek = randomBytes(32);
  const grant = await makeGrant({ sigSeed, ...row, dek, granteeKemPub: await x25519Public(kemSeed) });
  return { grant, row, dek, kemSeed, ownerSigPub: await ed25519Public(sigSeed) };
}

test('a stored grant whose row names another record, grantee or key is refused though its body verifies', async () => {
  const { grant, row, dek, kemSeed, ownerSigPub } = await granted();
  const [, opened] = await openGrant(grant, { ownerSigPub, meId: row.granteeId, myKemSeed: kemSeed, stored: row });
  assert.deepEqual(opened, dek);
  for (const field of ['ownerId', 'recordId', 'granteeId', 'keyId']) {
    await assert.rejects(verifyGrant(grant, ownerSigPub, { ...row, [field]: randomBytes(16) }), CryptoError, field);
  }
});

test('the high-water mark refuses an older version and a fork at the same version, and nothing else', () => {
  const seen = [3, randomBytes(32)];
  assert.throws(() => checkHighWater(seen, 2, randomBytes(32)), RollbackError);
  assert.throws(() => checkHighWater(seen, 3, randomBytes(32)), RollbackError); // same version, another rev_id
  checkHighWater(seen, 3, seen[1]);
  checkHighWater(seen, 4, randomBytes(32));
  checkHighWater(null, 1, randomBytes(32));
});

test('a key wrap that opens under the right key but holds no 32-byte DEK is refused', async () => {
  const kwk = randomBytes(32);
  const ids = [randomBytes(16), randomBytes(16), randomBytes(16)];
  assert.deepEqual(await unwrapDek(kwk, ...ids, await wrapDek(kwk, ...ids, new Uint8Array(32).fill(7))),
    new Uint8Array(32).fill(7));
  for (const size of [31, 33]) {
    await assert.rejects(unwrapDek(kwk, ...ids, await wrapDek(kwk, ...ids, randomBytes(size))), CryptoError);
  }
});

test('a document is refused for a key twice in one object at any depth, or nesting past 32, and nothing else', () => {
  const decode = (text) => decodeDocument(new TextEncoder().encode(text));
  const refused = (text, detail) => assert.throws(() => decode(text), { code: 'bad_document', message: detail }, text);
  refused('{"a":1,"a":2}', 'duplicate key in document');
  refused('{"a":[{"b":1},{"b":1,"c":{"d":1,"d":1}}]}', 'duplicate key in document');
  refused('{"__proto__":1,"__proto__":2}', 'duplicate key in document');
  refused(`{"a":${'['.repeat(33)}${']'.repeat(33)}}`, 'document is nested too deeply');
  refused('{"a":1e999}', 'non-finite number in document');
  // Colons, quotes and brackets inside strings are text; the same key in two objects is no repeat.
  assert.deepEqual(decode('{"a:b":"c:\\":[[{","b":[{"k":1},{"k":2}],"c" : {"k" : 3}}'),
    { 'a:b': 'c:":[[{', b: [{ k: 1 }, { k: 2 }], c: { k: 3 } });
  assert.equal(decode(`{"a":${'['.repeat(31)}${']'.repeat(31)}}`).a.length, 1);
});
