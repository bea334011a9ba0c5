// The sync engine's reading of push verdicts against Python's vectors (tests/vectors/push.json, sync/core/push.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { pushOutcome } from '../../js/engine/push-result.js';

const ROOT = new URL('../../../', import.meta.url);
const vectors = JSON.parse(await readFile(new URL('tests/vectors/push.json', ROOT), 'utf8'));
const verdicts = vectors.cases.flatMap((c) => c.verdicts);

// Every status the push rules give, and what the engine does with it. A new status in the vectors fails the test
// below until the engine decides what to do with it.
const OUTCOME = { ok: 'acknowledge', conflict: 'pull', invalid: 'keep', forbidden: 'keep', aborted: 'keep' };

test('the vectors hold every status, and only those the engine knows', () => {
  assert.deepEqual([...new Set(verdicts.map((v) => v.status))].sort(), Object.keys(OUTCOME).sort());
});

test('every verdict of the vectors: acknowledged, pulled again, or kept with its reason', () => {
  for (const c of vectors.cases) {
    for (const v of c.verdicts) assert.equal(pushOutcome(v), OUTCOME[v.status], `${c.name}: ${v.status}`);
  }
  // a replay (ok, not new) is acknowledged like a write: the revision is stored either way
  assert.ok(verdicts.some((v) => v.status === 'ok' && !v.new));
});

test('an item the answer left out stays pending, untouched', () => {
  assert.equal(pushOutcome(undefined), null);
});
