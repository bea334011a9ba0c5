// core/uploads.js: the upload queue's rules. When a blob is tried, the piece that goes next, what a server's answer
// or an error makes of its row (quota full keeps it, offline keeps its progress), the waits, and the words' state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIRST_WAIT_MS, LONGEST_WAIT_MS, PIECE, QUOTA_FIRST_WAIT_MS, afterError, afterState, backoff, due, nextPiece, queued,
  statusOf,
} from '../../js/core/uploads.js';

const ID = '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e21';
const RECORD = '0b9e0c7e-2f57-4a8e-8d6c-3c1f4f0f2a10';
const SIZE = 2 * PIECE + 1234;
const NOW = 1_800_000_000_000;

test('a new blob is queued with nothing sent, and due at once', () => {
  const row = queued(ID, RECORD, SIZE, NOW);
  assert.deepEqual(row, { id: ID, recordId: RECORD, size: SIZE, received: 0, state: 'queued', tries: 0, nextTry: 0,
    error: null, updatedAt: NOW });
  assert.equal(due(row, NOW), true);
  assert.deepEqual(nextPiece(row), { offset: 0, end: PIECE });
});

test('pieces follow what the server received, the last one short, 1 MiB at most', () => {
  const row = queued(ID, RECORD, SIZE, NOW);
  let at = afterState(row, { size: SIZE, received: PIECE, complete: false }, false, NOW);
  assert.equal(at.state, 'uploading');
  assert.deepEqual(nextPiece(at), { offset: PIECE, end: 2 * PIECE });
  at = afterState(at, { size: SIZE, received: 2 * PIECE, complete: false }, false, NOW);
  assert.deepEqual(nextPiece(at), { offset: 2 * PIECE, end: SIZE });
  // a server that has more than we last noted (the answer to a PATCH was lost): we go on from there, never resend
  const ahead = afterState(row, { size: SIZE, received: 2 * PIECE, complete: false }, false, NOW);
  assert.equal(nextPiece(ahead).offset, 2 * PIECE);
});

test('complete with our digest: uploaded and final; with another digest: failed for good', () => {
  const row = { ...queued(ID, RECORD, SIZE, NOW), received: 2 * PIECE, tries: 3, error: 'server' };
  const done = afterState(row, { size: SIZE, received: SIZE, complete: true }, true, NOW);
  assert.equal(done.state, 'uploaded');
  assert.equal(done.received, SIZE);
  assert.equal(done.tries, 0);
  assert.equal(done.error, null);
  assert.equal(due(done, NOW, true), false, 'an uploaded blob is never sent again, not even when forced');
  const wrong = afterState(row, { size: SIZE, received: SIZE, complete: true }, false, NOW);
  assert.equal(wrong.state, 'failed');
  assert.equal(wrong.error, 'digest_mismatch');
  assert.equal(due(wrong, NOW + LONGEST_WAIT_MS * 100), false);
  assert.equal(afterState(row, { size: SIZE + 1, received: 0, complete: false }, true, NOW).error, 'size_mismatch');
});

test('offline or signed out: queued again with its progress, no try counted, the run stops', () => {
  const row = { ...queued(ID, RECORD, SIZE, NOW), state: 'uploading', received: PIECE };
  for (const code of ['unreachable', 'signed_out']) {
    const { row: next, stop } = afterError(row, { code }, NOW);
    assert.equal(stop, true);
    assert.equal(next.state, 'queued');
    assert.equal(next.received, PIECE);
    assert.equal(next.tries, 0);
    assert.equal(due(next, NOW), true);
  }
});

test('quota full (413 quota_exceeded): kept and said, tried again after a longer wait, or at once when asked', () => {
  const row = queued(ID, RECORD, SIZE, NOW);
  const { row: next, stop } = afterError(row, { code: 'quota_exceeded', status: 413 }, NOW);
  assert.equal(stop, true, 'every other blob would meet the same quota');
  assert.equal(next.state, 'quota_full');
  assert.equal(next.error, 'quota_exceeded');
  assert.equal(next.nextTry, NOW + QUOTA_FIRST_WAIT_MS);
  assert.equal(due(next, NOW + 1000), false);
  assert.equal(due(next, NOW + 1000, true), true);
  assert.equal(due(next, NOW + QUOTA_FIRST_WAIT_MS), true);
  assert.deepEqual(statusOf(next), { state: 'quota_full', percent: 0, final: false });
  // a second refusal waits twice as long
  assert.equal(afterError(next, { code: 'quota_exceeded', status: 413 }, NOW).row.nextTry, NOW + 2 * QUOTA_FIRST_WAIT_MS);
});

test('busy or failing server: failed, waits doubling to a ceiling; other refusals do not stop the run', () => {
  let row = queued(ID, RECORD, SIZE, NOW);
  const waits = [];
  for (let i = 0; i < 12; i++) {
    const { row: next, stop } = afterError(row, { code: 'internal', status: 500 }, NOW);
    assert.equal(stop, true);
    assert.equal(next.state, 'failed');
    waits.push(next.nextTry - NOW);
    row = next;
  }
  assert.equal(waits[0], FIRST_WAIT_MS);
  assert.equal(waits[1], 2 * FIRST_WAIT_MS);
  assert.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]));
  assert.equal(waits.at(-1), LONGEST_WAIT_MS);
  assert.equal(afterError(queued(ID, RECORD, SIZE, NOW), { code: 'blob_exists', status: 409 }, NOW).stop, false);
  assert.equal(afterError(queued(ID, RECORD, SIZE, NOW), { code: 'rate_limited', status: 429 }, NOW).stop, true);
  assert.ok(backoff(3, FIRST_WAIT_MS, 0.99) > backoff(3), 'jitter only lengthens');
  assert.ok(backoff(3, FIRST_WAIT_MS, 0.99) <= backoff(3) * 1.25);
});

test('the words: waiting, uploading with a percentage, uploaded, quota full, gone', () => {
  const row = queued(ID, RECORD, 1000, NOW);
  assert.deepEqual(statusOf(row), { state: 'waiting', percent: 0, final: false });
  assert.deepEqual(statusOf({ ...row, state: 'uploading', received: 400 }), { state: 'uploading', percent: 40, final: false });
  assert.equal(statusOf({ ...row, state: 'uploading', received: 999 }).percent, 99, 'never 100 % before it is done');
  assert.deepEqual(statusOf({ ...row, state: 'failed', received: 0 }), { state: 'waiting', percent: 0, final: false });
  assert.deepEqual(statusOf({ ...row, state: 'uploaded', received: 1000 }), { state: 'uploaded', percent: 100, final: true });
  // no row here: another device's or person's attachment
  assert.equal(statusOf(null).state, 'uploaded');
  assert.equal(statusOf(null, { gone: true }).state, 'gone');
  assert.equal(statusOf(null, { gone: true, held: true }).state, 'uploaded');
});
