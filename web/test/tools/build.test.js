// The minified build (tools/build.js): each file minified on its own, the worker's version mark kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { minified } from '../../tools/build.js';

const WORKER = fileURLToPath(new URL('../../sw.js', import.meta.url));

test('the minified worker keeps its VERSION mark once, for the server to put the version in', async () => {
  const out = String(await minified(WORKER));
  assert.equal(out.split('__SHELL_VERSION__').length - 1, 1);
  assert.match(out, /const [\w$]+="__SHELL_VERSION__"/);
});
