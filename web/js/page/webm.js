/**
 * A WebM's length written into its header. MediaRecorder writes a WebM as it records (a live stream): its Segment
 * Info has no Duration, so a player says "Infinity" or nothing until it has read the whole file, and a copy saved
 * out of the app plays without a length in most players. `withDuration` puts the Duration element (EBML ID 0x4489,
 * a 64-bit float in TimecodeScale units) into the Segment's Info, and nothing else changes: the clusters, their
 * timecodes and the sound are the same bytes. A file it does not understand is given back as it came.
 */

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const SEEK_HEAD = 0x114d9b74; // positions within the Segment: a file that has one is left as it is

/** An element's ID at `at` (its marker bits kept, as IDs are written), and its length in bytes. */
function readId(bytes, at) {
  const first = bytes[at];
  const length = first >= 0x80 ? 1 : first >= 0x40 ? 2 : first >= 0x20 ? 3 : first >= 0x10 ? 4 : 0;
  if (!length || at + length > bytes.length) return null;
  let id = 0;
  for (let i = 0; i < length; i++) id = id * 256 + bytes[at + i];
  return { id, length };
}

/** A size at `at`: its value (null when "unknown", all ones) and its length in bytes. */
function readSize(bytes, at) {
  const first = bytes[at];
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8 || at + length > bytes.length) return null;
  let value = first & (0xff >> length);
  let unknown = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i];
    if (bytes[at + i] !== 0xff) unknown = false;
  }
  return { value: unknown ? null : value, length };
}

/** A size written in `length` bytes (8 unless said). @param {number} value @param {number} [length] */
function writeSize(value, length = 8) {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0] |= 0x80 >> (length - 1);
  return out;
}

/** One element at `at`: where its data starts and ends (the end of `limit` when its size is unknown). */
function element(bytes, at, limit) {
  const id = readId(bytes, at);
  if (!id) return null;
  const size = readSize(bytes, at + id.length);
  if (!size) return null;
  const start = at + id.length + size.length;
  const end = size.value === null ? limit : start + size.value;
  if (end > limit) return null;
  return { id: id.id, at, sizeAt: at + id.length, sizeLength: size.length, known: size.value !== null, start, end };
}

/** The element of `wanted` ID among the children of [from, to). */
function child(bytes, from, to, wanted) {
  for (let at = from; at < to;) {
    const el = element(bytes, at, to);
    if (!el) return null;
    if (el.id === wanted) return el;
    if (!el.known) return null;
    at = el.end;
  }
  return null;
}

/** An unsigned integer element's value. */
function uint(bytes, el) {
  let value = 0;
  for (let i = el.start; i < el.end; i++) value = value * 256 + bytes[i];
  return value;
}

/**
 * The WebM with its Duration set to `ms` milliseconds (an old one replaced), or the same bytes when it is not a WebM
 * this can read.
 * @param {Uint8Array} bytes @param {number} ms @returns {Uint8Array}
 */
export function withDuration(bytes, ms) {
  if (!(ms > 0)) return bytes;
  const header = element(bytes, 0, bytes.length);
  if (!header || header.id !== EBML) return bytes;
  const segment = element(bytes, header.end, bytes.length);
  if (!segment || segment.id !== SEGMENT) return bytes;
  const info = child(bytes, segment.start, segment.end, INFO);
  if (!info || !info.known || child(bytes, segment.start, info.at, SEEK_HEAD)) return bytes;
  const scaleEl = child(bytes, info.start, info.end, TIMECODE_SCALE);
  const scale = scaleEl ? uint(bytes, scaleEl) || 1_000_000 : 1_000_000; // nanoseconds per tick
  const old = child(bytes, info.start, info.end, DURATION);
  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]); // ID, size 8
  new DataView(duration.buffer).setFloat64(3, (ms * 1_000_000) / scale);
  // Info's children without an old Duration, then the new one.
  const children = old
    ? [bytes.subarray(info.start, old.at), bytes.subarray(old.end, info.end)]
    : [bytes.subarray(info.start, info.end)];
  const body = [...children, duration];
  const bodyLength = body.reduce((n, part) => n + part.length, 0);
  const infoHead = [bytes.subarray(info.at, info.sizeAt), writeSize(bodyLength)];
  const newInfoLength = infoHead.reduce((n, part) => n + part.length, 0) + bodyLength;
  const grown = newInfoLength - (info.end - info.at);
  if (segment.known && segment.end - segment.start + grown >= 2 ** (7 * segment.sizeLength) - 1) return bytes;
  const parts = [bytes.subarray(0, segment.sizeAt)];
  // A Segment of known size grows by as much (in the same number of bytes); "unknown", as MediaRecorder writes it, stays.
  parts.push(segment.known ? writeSize(segment.end - segment.start + grown, segment.sizeLength)
    : bytes.subarray(segment.sizeAt, segment.start));
  parts.push(bytes.subarray(segment.start, info.at), ...infoHead, ...body, bytes.subarray(info.end));
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
