// A WebM's length written into its header (page/webm.js): as MediaRecorder writes one (a Segment of unknown size,
// an Info without Duration), the Duration goes into the Info and every other byte stays; an old one is replaced; a
// file that is not a WebM, or one with a SeekHead, is given back as it came.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { withDuration } from '../../js/page/webm.js';

const el = (id, body) => [...id, 0x80 | body.length, ...body]; // sizes under 127 in one byte
const text = (s) => [...Buffer.from(s)];
const EBML_HEAD = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], text('webm')));
const SCALE = el([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]); // 1,000,000 ns: milliseconds
const CLUSTER = el([0x1f, 0x43, 0xb6, 0x75], el([0xe7], [0x00]));
const UNKNOWN = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

function recorded(infoChildren, segmentSize = UNKNOWN) {
  const info = el([0x15, 0x49, 0xa9, 0x66], infoChildren);
  return Uint8Array.from([...EBML_HEAD, 0x18, 0x53, 0x80, 0x67, ...segmentSize, ...info, ...CLUSTER]);
}

/** The Duration in the Info, read back (in ms at the default scale). */
function durationOf(bytes) {
  const at = Buffer.from(bytes).indexOf(Buffer.from([0x44, 0x89, 0x88]));
  return at < 0 ? null : new DataView(bytes.buffer, bytes.byteOffset + at + 3, 8).getFloat64(0);
}

test('a recording gets its Duration, and keeps every other byte', () => {
  const before = recorded([...SCALE, ...el([0x4d, 0x80], text('Chrome'))]);
  const after = withDuration(before, 5012);
  assert.equal(durationOf(after), 5012);
  assert.equal(after.length, before.length - 1 + 8 + 11); // Info's size now in 8 bytes, the Duration element added
  assert.deepEqual(Buffer.from(after.subarray(after.length - CLUSTER.length)), Buffer.from(CLUSTER));
  assert.deepEqual(Buffer.from(after.subarray(0, EBML_HEAD.length + 12)), Buffer.from(before.subarray(0, EBML_HEAD.length + 12)));
  // Again: the Duration is replaced, not added twice.
  const again = withDuration(after, 7000);
  assert.equal(durationOf(again), 7000);
  assert.equal(again.length, after.length);
});

test('a Segment of known size grows by as much; ticks other than milliseconds are counted in', () => {
  const scale = el([0x2a, 0xd7, 0xb1], [0x1e, 0x84, 0x80]); // 2,000,000 ns a tick
  const info = el([0x15, 0x49, 0xa9, 0x66], scale);
  const size = info.length + CLUSTER.length;
  const before = recorded(scale, [0x01, 0, 0, 0, 0, 0, 0, size]);
  const after = withDuration(before, 5000);
  assert.equal(durationOf(after), 2500);
  assert.equal(after[EBML_HEAD.length + 4 + 7], size + (after.length - before.length));
});

test('what it cannot read comes back as it was', () => {
  const notWebm = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
  assert.equal(withDuration(notWebm, 5000), notWebm);
  const seekHead = el([0x11, 0x4d, 0x9b, 0x74], []);
  const withSeek = Uint8Array.from([...EBML_HEAD, 0x18, 0x53, 0x80, 0x67, ...UNKNOWN, ...seekHead,
    ...el([0x15, 0x49, 0xa9, 0x66], SCALE), ...CLUSTER]);
  assert.equal(withDuration(withSeek, 5000), withSeek);
  const empty = recorded(SCALE);
  assert.equal(withDuration(empty, 0), empty);
});
