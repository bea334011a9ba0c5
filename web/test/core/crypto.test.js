// The JS protocol code against the Python-made vectors in tests/vectors/ and against its own committed JS vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { checkKdfFloor } from '../../js/core/crypto.js';
import { DowngradeError } from '../../js/core/errors.js';
import { KDF_DEFAULT, KDF_FLOOR_ITERATIONS, KDF_FLOOR_MEMORY_KIB } from '../../js/core/layout.js';
import { makeJsVectors, OUT_DIR, serialise } from '../../tools/js-vectors.js';
import { CHECKERS } from '../../tools/vector-checks.js';

const VECTORS = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));

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
  const root = fileURLToPath(new URL('..', import.meta.url)); // web/test/, every folder of it
  const tests = await Promise.all((await readdir(root, { recursive: true })).filter((f) => f.endsWith('.test.js'))
    .map((f) => readFile(root + f, 'utf8')));
  const present = (await readdir(VECTORS)).filter((f) => f.endsWith('.json'));
  const unchecked = present.filter((f) => !(f in CHECKERS) && !tests.some((text) => text.includes(`vectors/${f}`)));
  assert.deepEqual(unchecked, [], 'add a checker in web/tools/vector-checks.js or a test that reads the file');
});

test('committed JS vectors are what the JS code makes now (run node web/tools/js-vectors.js)', async () => {
  for (const [name, value] of Object.entries(await makeJsVectors())) {
    assert.equal(await readFile(OUT_DIR + name, 'utf8'), serialise(value), name);
  }
});

// As tests/sync/core/test_crypto.py: each parameter below the floor, the others at or above it, is refused on its
// own.
for (const [memoryKib, iterations, lanes] of [[19455, 2, 1], [19456, 1, 1], [65536, 0, 1], [65536, 3, 0], [1024, 10, 1]]) {
  test(`the KDF floor refuses m=${memoryKib} t=${iterations} p=${lanes}`, () => {
    assert.throws(() => checkKdfFloor(memoryKib, iterations, lanes), DowngradeError);
  });
}

test('the KDF floor accepts the floor itself and the default', () => {
  checkKdfFloor(KDF_FLOOR_MEMORY_KIB, KDF_FLOOR_ITERATIONS, 1);
  checkKdfFloor(KDF_DEFAULT.memoryKib, KDF_DEFAULT.iterations, KDF_DEFAULT.lanes);
});
