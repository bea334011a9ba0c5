// The invitation QR code: drawn on the device by qr.js over the vendored qrcode-generator (served as
// /vendor/qrcode.js; here that URL is resolved to the npm package's ESM build, as server/web.py maps it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';

import { html } from '../../js/screens/views.js';

const vendor = new URL('../../node_modules/qrcode-generator/dist/qrcode.mjs', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === '/vendor/qrcode.js') return { url: ${JSON.stringify(vendor)}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
const { qrMatrix, qrPath, qrSvg, QUIET_ZONE } = await import('../../js/page/qr.js');

const sizeOf = (version) => 17 + 4 * version;
const LINK = 'https://between.example/invite#v=1&t=Zm9vYmFyYmF6cXV4cXV1eHpvcmtibGFyZ2hmb29iYXJiYXo'
  + '&fp=AbCdEfGhIjKlMnOpQrStUv&h=dr.lee';

test('the version is the smallest that holds the bytes at level M (byte mode, UTF-8)', () => {
  // Level M byte capacities: version 1 holds 14 bytes, 2: 26, 6: 106, 7: 122.
  assert.equal(qrMatrix('x'.repeat(14)).size, sizeOf(1));
  assert.equal(qrMatrix('x'.repeat(15)).size, sizeOf(2));
  assert.equal(qrMatrix('x'.repeat(106)).size, sizeOf(6));
  assert.equal(qrMatrix('x'.repeat(107)).size, sizeOf(7));
  // "é" is two bytes in UTF-8: seven fit version 1, eight do not.
  assert.equal(qrMatrix('é'.repeat(7)).size, sizeOf(1));
  assert.equal(qrMatrix('é'.repeat(8)).size, sizeOf(2));
  assert.equal(LINK.length, 119); // between 107 and 122 bytes: version 7
  assert.equal(qrMatrix(LINK).size, sizeOf(7));
});

/** True when a 7×7 finder pattern (with its light separator inside the symbol) has its corner at (r, c). */
function finderAt(dark, r, c) {
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 7; j++) {
      const ring = Math.max(Math.abs(i - 3), Math.abs(j - 3));
      if (dark[r + i][c + j] !== (ring !== 2)) return false; // dark outer ring and 3×3 centre, light ring between
    }
  }
  return true;
}

test('the three finder patterns sit in the top-left, top-right and bottom-left corners only', () => {
  const { size, dark } = qrMatrix(LINK);
  assert.ok(finderAt(dark, 0, 0));
  assert.ok(finderAt(dark, 0, size - 7));
  assert.ok(finderAt(dark, size - 7, 0));
  assert.ok(!finderAt(dark, size - 7, size - 7));
  // The separators around them are light.
  for (let i = 0; i < 8; i++) {
    assert.equal(dark[7][i], false);
    assert.equal(dark[i][7], false);
    assert.equal(dark[7][size - 1 - i], false);
    assert.equal(dark[size - 8][i], false);
  }
});

/** The 15 format bits next to the top-left finder (ISO/IEC 18004 §7.9), unmasked. */
function formatBits(dark, size) {
  let vertical = 0;
  let horizontal = 0;
  for (let i = 0; i < 15; i++) {
    const v = i < 6 ? dark[i][8] : i < 8 ? dark[i + 1][8] : dark[size - 15 + i][8];
    const h = i < 8 ? dark[8][size - i - 1] : i < 9 ? dark[8][15 - i] : dark[8][15 - i - 1];
    vertical |= (v ? 1 : 0) << i;
    horizontal |= (h ? 1 : 0) << i;
  }
  return { vertical: vertical ^ 0x5412, horizontal: horizontal ^ 0x5412 };
}

test('the format information says error correction level M, in both copies, as a valid BCH code', () => {
  const { size, dark } = qrMatrix(LINK);
  const { vertical, horizontal } = formatBits(dark, size);
  assert.equal(vertical, horizontal);
  assert.equal(vertical >> 13, 0b00); // level indicator: L 01, M 00, Q 11, H 10
  let rem = vertical;
  for (let bit = 14; bit >= 10; bit--) if (rem & (1 << bit)) rem ^= 0x537 << (bit - 10);
  assert.equal(rem, 0);
});

test('the path draws exactly the dark modules, offset by a quiet zone of 4', () => {
  const { size, dark } = qrMatrix(LINK);
  const { side, d } = qrPath(LINK);
  assert.equal(side, size + 2 * QUIET_ZONE);
  const drawn = Array.from({ length: size }, () => new Array(size).fill(false));
  for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let k = 0; k < Number(n); k++) drawn[Number(y) - QUIET_ZONE][Number(x) - QUIET_ZONE + k] = true;
  }
  assert.deepEqual(drawn, dark);
  assert.equal(d.replace(/M(\d+) (\d+)h(\d+)v1h-\3z/g, ''), ''); // nothing else in it
});

test('the SVG is deterministic, labelled and has one path', () => {
  const a = String(qrSvg(LINK, html));
  assert.equal(a, String(qrSvg(LINK, html)));
  assert.notEqual(a, String(qrSvg(`${LINK}x`, html)));
  assert.match(a, /^<svg class="qr-code" role="img" aria-label="QR code of the invitation link" viewBox="0 0 53 53"/);
  assert.equal(a.match(/<path /g).length, 1);
  assert.doesNotMatch(a, /style=/);
  // The link's & is escaped nowhere because the link is not in the markup, only its modules.
  assert.doesNotMatch(a, /invite#/);
});
