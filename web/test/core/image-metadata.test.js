// core/image-metadata.js: a photo's metadata dropped byte-wise (audit 2 A2), the picture's own segments and chunks
// kept as they were; anything that is no well-formed JPEG, PNG or WebP is null (refused by the save route).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageFormat, stripImageMetadata } from '../../js/core/image-metadata.js';

const bytes = (...parts) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])));
const has = (hay, text) => Buffer.from(hay).includes(Buffer.from(text));
const seg = (marker, body) => bytes([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255], body);

export function jpeg(...extra) {
  return bytes([0xff, 0xd8], seg(0xe0, bytes('JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0])), ...extra,
    seg(0xdb, bytes([0], new Uint8Array(64).fill(1))), seg(0xc0, bytes([8, 0, 2, 0, 2, 1, 1, 0x11, 0])),
    seg(0xda, bytes([1, 1, 0, 0, 63, 0])), [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56], [0xff, 0xd9]);
}

test('JPEG: EXIF/GPS, XMP, IPTC and comments go; JFIF, ICC, Adobe, tables and the scan stay; nothing after EOI', () => {
  const exif = seg(0xe1, bytes('Exif\0\0MM\0*GPS-CANARY'));
  const xmp = seg(0xe1, bytes('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude</x:xmpmeta>'));
  const iptc = seg(0xed, bytes('Photoshop 3.0\0CITY'));
  const icc = seg(0xe2, bytes('ICC_PROFILE\0', [1, 1, 9, 9]));
  const adobe = seg(0xee, bytes('Adobe', [0, 100, 0, 0, 0, 0, 1]));
  const comment = seg(0xfe, bytes('taken at home'));
  const clean = jpeg(icc, adobe);
  const dirty = bytes(jpeg(exif, xmp, iptc, icc, comment, adobe), 'TRAILING-GPS');
  assert.equal(imageFormat(dirty), 'jpeg');
  const out = stripImageMetadata(dirty);
  assert.deepEqual(out, clean);
  for (const word of ['Exif', 'GPS', 'CITY', 'taken at home', 'TRAILING']) assert.ok(!has(out, word), word);
  assert.deepEqual(stripImageMetadata(clean), clean, 'a clean JPEG comes back the same');
  // A segment past the end, no EOI, a broken marker: not a JPEG it can clean.
  assert.equal(stripImageMetadata(clean.subarray(0, clean.length - 2)), null);
  assert.equal(stripImageMetadata(bytes([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2])), null);
  assert.equal(stripImageMetadata(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x41])), null);
});

const u32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const chunk = (type, data) => bytes(u32(data.length), type, data, [0, 0, 0, 0]);
const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('PNG: tEXt, zTXt, iTXt, eXIf and tIME go; the image chunks stay; nothing after IEND', () => {
  const ihdr = chunk('IHDR', new Uint8Array(13).fill(1));
  const keep = [chunk('iCCP', bytes('p\0\0x')), chunk('IDAT', bytes('pixels'))];
  const dirty = bytes(SIG, ihdr, chunk('eXIf', bytes('MM\0*GPS')), keep[0], chunk('tEXt', bytes('Location\0home')),
    chunk('iTXt', bytes('XML:com.adobe.xmp\0GPS')), chunk('zTXt', bytes('c\0\0x')), chunk('tIME', new Uint8Array(7)),
    keep[1], chunk('IEND', bytes()), 'after');
  const out = stripImageMetadata(dirty);
  assert.deepEqual(out, bytes(SIG, ihdr, ...keep, chunk('IEND', bytes())));
  assert.ok(!has(out, 'GPS') && !has(out, 'home') && !has(out, 'after'));
  assert.equal(stripImageMetadata(bytes(SIG, ihdr)), null, 'no IEND');
  assert.equal(stripImageMetadata(bytes(SIG, u32(99), 'IDAT', [1, 2])), null, 'a chunk past the end');
});

const le = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const riffChunk = (type, data) => bytes(type, le(data.length), data, data.length % 2 ? [0] : []);
const webp = (...chunks) => {
  const body = bytes(...chunks);
  return bytes('RIFF', le(4 + body.length), 'WEBP', body);
};

test('WebP: EXIF and XMP chunks go and VP8X stops announcing them; the RIFF length is made right', () => {
  const vp8x = (flags) => riffChunk('VP8X', bytes([flags, 0, 0, 0], [1, 0, 0, 1, 0, 0]));
  const image = riffChunk('VP8L', bytes('/pixels'));
  const dirty = webp(vp8x(0x08 | 0x04 | 0x10), image, riffChunk('EXIF', bytes('MM\0*GPS')), riffChunk('XMP ', bytes('<x>GPS</x>')));
  const out = stripImageMetadata(dirty);
  assert.deepEqual(out, webp(vp8x(0x10), image));
  assert.ok(!has(out, 'GPS'));
  assert.equal(stripImageMetadata(bytes('RIFF', le(400), 'WEBP')), null, 'longer than it is');
});

test('bytes that are no JPEG, PNG or WebP are null: nothing to clean them by', () => {
  for (const b of [bytes('GIF89a....'), bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), new Uint8Array(0),
    bytes([0, 0, 0, 0x18], 'ftypheic')]) {
    assert.equal(imageFormat(b), null);
    assert.equal(stripImageMetadata(b), null);
  }
});
