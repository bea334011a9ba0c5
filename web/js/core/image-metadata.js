/**
 * A photo without what its file says about where and how it was taken (docs/WEB.md "Attachments", audit 2 A2): the
 * worker's last line of defence when a JPEG, PNG or WebP reaches the save route without the page's re-encoding (a form
 * sent without JS, a script that failed). Byte-wise, without decoding the picture: the segments and chunks that carry
 * metadata are dropped, the picture's own are kept as they are.
 *
 * - JPEG: APP1 (EXIF, XMP, with GPS), APP3–APP13 (APP13: Photoshop/IPTC), APP15 and COM go; APP0 (JFIF), APP2 when it
 *   is an ICC profile and APP14 when it is Adobe's (colour transform) stay; nothing after EOI is kept.
 * - PNG: tEXt, zTXt, iTXt, eXIf and tIME go; nothing after IEND is kept.
 * - WebP: EXIF and XMP chunks go, and VP8X's flags stop announcing them; nothing past the RIFF length is kept.
 *
 * `stripImageMetadata` answers null for bytes that are none of these three formats, or not well formed: the caller
 * refuses them (an image field takes only pictures it can clean).
 */

const JPEG_SOI = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_DROP = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);
const WEBP_DROP = new Set(['EXIF', 'XMP ']);
const ascii = (bytes, start, length) => String.fromCharCode(...bytes.subarray(start, start + length));
const startsWith = (bytes, prefix, at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/** Which image format the bytes are, by their first bytes: 'jpeg', 'png', 'webp' or null. @param {Uint8Array} bytes */
export function imageFormat(bytes) {
  if (startsWith(bytes, JPEG_SOI)) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  return null;
}

/** The pieces joined in one buffer. @param {Uint8Array[]} parts */
function join(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether a JPEG marker segment (its bytes from 0xFF on) is kept. */
function keepJpegSegment(marker, segment) {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // not an APPn: the picture's own (tables, frame, scan)
  if (marker === 0xe0) return ascii(segment, 4, 5) === 'JFIF\0' || ascii(segment, 4, 5) === 'JFXX\0';
  if (marker === 0xe2) return ascii(segment, 4, 12) === 'ICC_PROFILE\0';
  if (marker === 0xee) return ascii(segment, 4, 5) === 'Adobe';
  return false;
}

/** @param {Uint8Array} b @returns {Uint8Array|null} */
function stripJpeg(b) {
  const parts = [b.subarray(0, 2)];
  let pos = 2;
  const n = b.length;
  while (pos < n) {
    if (b[pos] !== 0xff || pos + 1 >= n) return null;
    const marker = b[pos + 1];
    if (marker === 0xff) { // fill byte
      pos += 1;
      continue;
    }
    if (marker === 0xd9) { // EOI: the end, whatever follows it
      parts.push(b.subarray(pos, pos + 2));
      return join(parts);
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
      parts.push(b.subarray(pos, pos + 2));
      pos += 2;
      continue;
    }
    if (marker === 0x00 || marker === 0xd8 || pos + 4 > n) return null;
    const length = (b[pos + 2] << 8) | b[pos + 3];
    if (length < 2 || pos + 2 + length > n) return null;
    const segment = b.subarray(pos, pos + 2 + length);
    if (keepJpegSegment(marker, segment)) parts.push(segment);
    pos += 2 + length;
    if (marker === 0xda) { // a scan: entropy-coded data up to the next marker that is not a stuffed 0 or a restart
      const start = pos;
      while (pos < n && !(b[pos] === 0xff && pos + 1 < n && b[pos + 1] !== 0x00
        && !(b[pos + 1] >= 0xd0 && b[pos + 1] <= 0xd7))) pos += 1;
      parts.push(b.subarray(start, pos));
    }
  }
  return null; // no EOI: not a whole JPEG
}

/** @param {Uint8Array} b @returns {Uint8Array|null} */
function stripPng(b) {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const parts = [b.subarray(0, 8)];
  let pos = 8;
  while (pos + 12 <= b.length) {
    const length = view.getUint32(pos);
    const type = ascii(b, pos + 4, 4);
    const end = pos + 12 + length;
    if (length > 0x7fffffff || end > b.length || !/^[A-Za-z]{4}$/.test(type)) return null;
    if (!PNG_DROP.has(type)) parts.push(b.subarray(pos, end));
    pos = end;
    if (type === 'IEND') return join(parts);
  }
  return null; // no IEND
}

/** @param {Uint8Array} b @returns {Uint8Array|null} */
function stripWebp(b) {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > b.length || riffEnd < 12) return null;
  const parts = [];
  let pos = 12;
  while (pos + 8 <= riffEnd) {
    const type = ascii(b, pos, 4);
    const length = view.getUint32(pos + 4, true);
    const end = pos + 8 + length + (length % 2);
    if (end > riffEnd) return null;
    if (!WEBP_DROP.has(type)) {
      const chunk = b.slice(pos, end);
      if (type === 'VP8X' && length >= 1) chunk[8] &= ~(0x08 | 0x04); // no EXIF, no XMP any more
      parts.push(chunk);
    }
    pos = end;
  }
  if (pos !== riffEnd || !parts.length) return null;
  const body = join(parts);
  const out = new Uint8Array(12 + body.length);
  out.set(b.subarray(0, 12));
  new DataView(out.buffer).setUint32(4, 4 + body.length, true);
  out.set(body, 12);
  return out;
}

/**
 * The picture without its metadata, or null when the bytes are not a well-formed JPEG, PNG or WebP.
 * @param {Uint8Array} bytes @returns {Uint8Array|null}
 */
export function stripImageMetadata(bytes) {
  const format = imageFormat(bytes);
  if (format === 'jpeg') return stripJpeg(bytes);
  if (format === 'png') return stripPng(bytes);
  if (format === 'webp') return stripWebp(bytes);
  return null;
}
