// The JS protocol code against the Python-made vectors in tests/vectors/ and against its own committed JS vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeJsVectors, OUT_DIR, serialise } from '../tools/js-vectors.js';
import { CHECKERS } from '../tools/vector-checks.js';

const VECTORS = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));

// Vector files the JS must pass. A file is added here once the Python side has written it; a listed file
// that goes missing fails the run.
const VECTOR_FILES = Object.keys(CHECKERS);


for (const name of VECTOR_FILES) {
  test(`vectors: ${name}`, async () => {
    const data = JSON.parse(await readFile(VECTORS + name, 'utf8'));
    const checked = await CHECKERS[name](data);
    assert.ok(checked > 0, `${name}: no case was checked`);
  });
}

test('every vector file in tests/vectors/ is read by some JS test', async () => {
  // Checked here (tools/vector-checks.js) or by its own test file (merge.json by test/merge.test.js, ...).
  const here = fileURLToPath(new URL('.', import.meta.url));
  const tests = await Promise.all((await readdir(here)).filter((f) => f.endsWith('.test.js'))
    .map((f) => readFile(here + f, 'utf8')));
  const present = (await readdir(VECTORS)).filter((f) => f.endsWith('.json'));
  const unchecked = present.filter((f) => !(f in CHECKERS) && !tests.some((text) => text.includes(`vectors/${f}`)));
  assert.deepEqual(unchecked, [], 'add a checker in web/tools/vector-checks.js or a test that reads the file');
});

test('committed JS vectors are what the JS code makes now (run node web/tools/js-vectors.js)', async () => {
  for (const [name, value] of Object.entries(await makeJsVectors())) {
    assert.equal(await readFile(OUT_DIR + name, 'utf8'), serialise(value), name);
  }
});
