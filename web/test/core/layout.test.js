// Header parsing is strict: every malformed header is refused the way sync/core/layout.py refuses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_LEN, ZERO32, lp, packHeader, parseHeader } from '../../js/core/layout.js';
import { ProtocolError } from '../../js/core/errors.js';

const base = () => ({ ownerId: new Uint8Array(16).fill(1), recordId: new Uint8Array(16).fill(2), version: 2,
  parent: new Uint8Array(32).fill(3), keyId: new Uint8Array(16).fill(4), keyCommit: new Uint8Array(32).fill(5),
  nonce: new Uint8Array(12).fill(6), flags: 0 });

test('pack then parse gives the same header', () => {
  const packed = packHeader(base());
  assert.equal(packed.length, HEADER_LEN);
  const h = parseHeader(packed);
  assert.equal(h.version, 2);
  assert.deepEqual(h.parent, base().parent);
});

test('malformed headers are refused', () => {
  const good = packHeader(base());
  const mutate = (i, v) => { const b = Uint8Array.from(good); b[i] = v; return b; };
  const versionZero = Uint8Array.from(good);
  versionZero.set([0, 0, 0, 0], 40);
  const v1WithParent = packHeader({ ...base(), version: 1 }); // pack does not judge; parse must
  for (const bad of [good.slice(0, 135), mutate(0, 0x41), mutate(4, 2), mutate(5, 2), mutate(6, 2), mutate(7, 1),
    versionZero, v1WithParent]) {
    assert.throws(() => parseHeader(bad), ProtocolError);
  }
  assert.throws(() => packHeader({ ...base(), version: 0 }), ProtocolError);
  assert.throws(() => packHeader({ ...base(), flags: 2 }), ProtocolError);
  assert.throws(() => packHeader({ ...base(), nonce: new Uint8Array(11) }), ProtocolError);
  assert.doesNotThrow(() => parseHeader(packHeader({ ...base(), version: 1, parent: ZERO32 })));
});

test('lp refuses fields longer than a u16 can say', () => {
  assert.deepEqual(lp(new Uint8Array([9])), new Uint8Array([0, 1, 9]));
  assert.throws(() => lp(new Uint8Array(0x10000)), ProtocolError);
});
