/** Draws the app icons (PNG, no dependencies): two dots joined by a bar, "between" two people. */

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BACKGROUND = [0x1f, 0x4e, 0x5a];
const FOREGROUND = [0xf4, 0xf1, 0xea];

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA PNG of size x size; `paint(x, y)` returns coverage 0..1 of the foreground, or -1 for transparent. */
function png(size, paint) {
  const rows = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 4);
    rows[row] = 0;
    for (let x = 0; x < size; x++) {
      // 4x4 supersampling for smooth edges.
      let cover = 0;
      let inside = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const v = paint((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size);
          if (v >= 0) { inside++; cover += v; }
        }
      }
      const o = row + 1 + x * 4;
      const f = inside ? cover / inside : 0;
      for (let i = 0; i < 3; i++) rows[o + i] = Math.round(BACKGROUND[i] * (1 - f) + FOREGROUND[i] * f);
      rows[o + 3] = Math.round((inside / 16) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; header[9] = 6; header[10] = 0; header[11] = 0; header[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The mark inside a unit square; `scale` shrinks it toward the centre (maskable icons keep a safe zone). */
function mark(x, y, scale) {
  const u = (x - 0.5) / scale + 0.5;
  const v = (y - 0.5) / scale + 0.5;
  const dot = (cx) => Math.hypot(u - cx, v - 0.5) <= 0.13;
  const bar = u >= 0.3 && u <= 0.7 && Math.abs(v - 0.5) <= 0.035;
  return dot(0.3) || dot(0.7) || bar ? 1 : 0;
}

const roundedSquare = (x, y) => {
  const r = 0.2;
  const dx = Math.max(r - x, 0, x - (1 - r));
  const dy = Math.max(r - y, 0, y - (1 - r));
  return Math.hypot(dx, dy) <= r;
};

const out = (name) => fileURLToPath(new URL(`../icons/${name}`, import.meta.url));
for (const size of [192, 512]) {
  writeFileSync(out(`icon-${size}.png`), png(size, (x, y) => (roundedSquare(x, y) ? mark(x, y, 1) : -1)));
}
// Maskable: full bleed, the mark within the central 80% circle every mask keeps.
writeFileSync(out('icon-maskable-512.png'), png(512, (x, y) => mark(x, y, 0.75)));
console.log('icons written');
