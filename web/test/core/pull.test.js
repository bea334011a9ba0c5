// What a client does with one pulled record (web/js/core/pull.js) against Python's cases, tests/vectors/pull.json
// (sync/core/pull.py passes the same: tests/sync/core/test_pull.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fromHex } from '../../js/core/bytes.js';
import { CryptoError, ProtocolError, RollbackError } from '../../js/core/errors.js';
import { decide, refusal, REFUSALS } from '../../js/core/pull.js';

const vectors = JSON.parse(await readFile(new URL('../../../tests/vectors/pull.json', import.meta.url), 'utf8'));

const revision = (r) => r && { recordId: r.record_id, ownerId: r.owner_id, version: r.version, revId: fromHex(r.rev_id),
  parent: r.parent == null ? null : fromHex(r.parent) };
const mark = (pair) => pair && [pair[0], fromHex(pair[1])];

/** A case of the file in pull.js's shapes. */
function shapes({ pulled: p, here: h }) {
  const pending = h.pending && { revId: fromHex(h.pending.rev_id), baseVersion: h.pending.base_version,
    sentRevId: h.pending.sent_rev_id == null ? null : fromHex(h.pending.sent_rev_id) };
  return [{ access: p.access, recordId: p.record_id, ownerId: p.owner_id, key: p.key, head: revision(p.head),
    read: revision(p.read) },
  { me: h.me, holds: h.holds, synced: mark(h.synced), highWater: mark(h.high_water), ownerKey: h.owner_key, pending }];
}

for (const c of vectors.cases) {
  test(`pull: ${c.name}`, () => {
    assert.deepEqual(decide(...shapes(c)), c.expected);
  });
}

test('the cases cover every action and every reason', () => {
  assert.deepEqual(new Set(vectors.cases.map((c) => c.expected.kind)), new Set(vectors.kinds));
  assert.deepEqual(new Set(vectors.cases.map((c) => c.expected.reason).filter(Boolean)),
    new Set(Object.keys(vectors.reasons)));
  assert.deepEqual(Object.keys(REFUSALS).sort(), Object.keys(vectors.reasons).sort());
});

test('each refusal throws the error both engines name, with the same words', () => {
  const named = { ProtocolError, CryptoError, RollbackError };
  for (const [reason, { error, detail }] of Object.entries(vectors.reasons)) {
    const err = refusal(reason);
    assert.equal(err.constructor, named[error], reason);
    assert.equal(err.message, detail, reason);
  }
});
