// The page's recorder and photo picker, their pure parts (page/recorder.js, page/photos.js): the recording's type
// among the protocol's media, the microphone's problems in words, a photo's stored size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { baseType, clock, micProblem, recordingType, RECORDING_TYPES } from '../../js/page/recorder.js';
import { fitted, LONG_EDGE } from '../../js/page/photos.js';

const en = JSON.parse(readFileSync(new URL('../../i18n/en.json', import.meta.url), 'utf8'));

test('Opus in WebM first, then what the browser has among the allowed media', () => {
  assert.equal(recordingType(() => true), 'audio/webm;codecs=opus');
  assert.equal(recordingType((t) => t.startsWith('audio/ogg')), 'audio/ogg;codecs=opus');
  assert.equal(recordingType((t) => t === 'audio/mp4'), 'audio/mp4'); // Safari
  assert.equal(recordingType(() => false), '');
  for (const type of RECORDING_TYPES) assert.ok(['audio/webm', 'audio/ogg', 'audio/mp4'].includes(baseType(type)));
  assert.equal(baseType('audio/webm; codecs="opus"'), 'audio/webm');
});

test('the microphone refused, missing or busy: each in its own words', () => {
  assert.equal(micProblem({ name: 'NotAllowedError' }), 'attach.rec.denied');
  assert.equal(micProblem({ name: 'NotFoundError' }), 'attach.rec.noMic');
  assert.equal(micProblem({ name: 'NotReadableError' }), 'attach.rec.busy');
  assert.equal(micProblem(new Error('x')), 'attach.rec.failed');
  for (const key of ['attach.rec.denied', 'attach.rec.noMic', 'attach.rec.busy', 'attach.rec.failed']) assert.ok(en[key], key);
});

test('a photo is stored at most 2048 px on its long edge, its shape kept', () => {
  assert.equal(LONG_EDGE, 2048);
  assert.deepEqual(fitted(4032, 3024), { width: 2048, height: 1536 });
  assert.deepEqual(fitted(3024, 4032), { width: 1536, height: 2048 });
  assert.deepEqual(fitted(800, 600), { width: 800, height: 600 });
  assert.deepEqual(fitted(10000, 3), { width: 2048, height: 1 });
  assert.equal(clock(5012), '0:05');
  assert.equal(clock(4999), '0:04');
  assert.equal(clock(300_000), '5:00');
});
