// The sharing rules (web/js/core/sharing.js) against Python's cases, tests/vectors/sharing.json (sync/core/sharing.py
// passes the same: tests/sync/core/test_sharing.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fromHex } from '../../js/core/bytes.js';
import { granteesAfterIntent, heldBack, mayGrant, shareListAfterPull, takesFrom } from '../../js/core/sharing.js';

const vectors = JSON.parse(await readFile(new URL('../../../tests/vectors/sharing.json', import.meta.url), 'utf8'));

test('who may be given a key, and why not', () => {
  for (const c of vectors.held_back) {
    assert.equal(heldBack(c.linked, c.state), c.held_back, `${c.linked} ${c.state}`);
    assert.equal(mayGrant(c.linked, c.state), c.may_grant, `${c.linked} ${c.state}`);
  }
});

test('whose records are taken', () => {
  for (const c of vectors.takes_from) assert.equal(takesFrom(c.state), c.takes_from, String(c.state));
});

test('who shares once an intent lands', () => {
  for (const c of vectors.grantees_after) {
    assert.deepEqual([...granteesAfterIntent(c.grantees, c.add, c.revoke)].sort(), c.expected);
  }
});

for (const c of vectors.share_list_after_pull) {
  test(`share list after a pull: ${c.name}`, () => {
    const got = shareListAfterPull({ known: c.known ?? undefined, knownKeyId: c.known_key && fromHex(c.known_key),
      keyId: fromHex(c.key), served: c.served, stale: new Set(c.stale), gone: new Set(c.gone) });
    assert.deepEqual(got, c.expected);
  });
}
