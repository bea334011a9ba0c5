// Who the worker hands the session token to (js/engine/local-server.js `ownWindow`): only a top-level window of the
// app's origin that the worker controls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownWindow } from '../../js/engine/local-server.js';

const ORIGIN = 'https://between.example';
const win = { type: 'window', frameType: 'top-level', url: `${ORIGIN}/app/today`, id: 'w1' };

test('a controlled top-level window of the app is handed the token', () => {
  assert.equal(ownWindow(win, ORIGIN, ['w0', 'w1']), true);
});

test('a worker, a frame, another origin, an uncontrolled window or no source at all is not', () => {
  assert.equal(ownWindow({ ...win, type: 'worker', frameType: 'none' }, ORIGIN, ['w1']), false);
  assert.equal(ownWindow({ ...win, frameType: 'nested' }, ORIGIN, ['w1']), false);
  assert.equal(ownWindow({ ...win, url: 'https://between.example.evil.test/app' }, ORIGIN, ['w1']), false);
  assert.equal(ownWindow({ ...win, url: 'not a url' }, ORIGIN, ['w1']), false);
  assert.equal(ownWindow(win, ORIGIN, ['w2']), false);
  assert.equal(ownWindow(null, ORIGIN, ['w1']), false);
  assert.equal(ownWindow(undefined, ORIGIN, []), false);
});
