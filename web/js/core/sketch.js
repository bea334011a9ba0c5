/**
 * Sketches as compact vector strokes (the `sketch` field type), as sync/core/sketch.py: points quantised and
 * delta-encoded, checked the same way (tests/vectors/sketch.json), and drawn as SVG paths. A stroke is
 * `{id, tool, color, width, points}`; `points` is base64url (no padding) of x0, y0, p0, dx1, dy1, dp1, ... each
 * zigzag-encoded and written as an unsigned LEB128 varint of at most 4 bytes; x and y in quarter units of a
 * 1000 x 750 sheet, p the pressure 0..255; one canonical spelling per stroke. Pure.
 */

import { toBase64Url } from './bytes.js';

export const WIDTH = 4000;
export const HEIGHT = 3000;
export const PRESSURE = 255;
export const MAX_POINTS = 2000;
export const TOOLS = Object.freeze(['pen', 'marker', 'eraser']);
export const COLORS = Object.freeze(['ink', 'red', 'blue', 'green', 'orange', 'purple']);
export const WIDTHS = Object.freeze([2, 4, 8, 16]);
const KEYS = ['color', 'id', 'points', 'tool', 'width'];
const ID = /^[A-Za-z0-9_-]{8,32}$/;

/** The colours as drawn: on a white sheet in light and dark alike, each at least 4.5:1 against it. */
export const INK = Object.freeze({ ink: '#1d2326', red: '#b3261e', blue: '#1f5fa8', green: '#2e6b3a',
  orange: '#9c4a00', purple: '#6a3d9a' });
export const PAPER = '#ffffff';

/** A stroke that does not fit; the message is the problem in words, said after the question's label. */
export class SketchError extends Error {
  name = 'SketchError';

  /**
   * @param {string} message the problem in English, as sync/core says it
   * @param {string} code its words in the catalogue (`field.problem.<code>`) @param {Record<string, unknown>} [params]
   */
  constructor(message, code, params = {}) {
    super(message);
    this.problem = { code, params };
  }
}

const zigzag = (n) => (n >= 0 ? n * 2 : -n * 2 - 1);

/** Absolute [x, y, p] points as a stroke's `points` text. @param {number[][]} points */
export function encodePoints(points) {
  const out = [];
  let prev = [0, 0, 0];
  for (const point of points) {
    for (let i = 0; i < 3; i += 1) {
      let u = zigzag(point[i] - prev[i]);
      while (u >= 0x80) {
        out.push((u % 0x80) | 0x80);
        u = Math.floor(u / 0x80);
      }
      out.push(u);
    }
    prev = point;
  }
  return toBase64Url(Uint8Array.from(out));
}

/** The value of each base64url character by its code, -1 for any other. */
const SIXES = Int8Array.from({ length: 128 }, (_, c) =>
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(String.fromCharCode(c)));

/**
 * The numbers of a `points` text as they are stored (the first point, then steps), read straight from its base64url
 * characters in one pass; null when a character is not base64url. `clean`: every varint ends and has at most 4 bytes,
 * and the length is one base64 can have. `canonical`: it is the one spelling encodePoints writes (no varint longer
 * than it needs, no spare bits set in the last character), which is what re-encoding the numbers would show.
 * @param {string} text @returns {{numbers: number[], clean: boolean, canonical: boolean}|null}
 */
function readPoints(text) {
  const numbers = [];
  let u = 0;
  let shift = 0;
  let longest = 0;
  let canonical = true;
  let bits = 0;
  let buffer = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const six = c < 128 ? SIXES[c] : -1;
    if (six < 0) return null;
    buffer = ((buffer << 6) | six) & 0xfff;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    const byte = (buffer >> bits) & 0xff;
    u |= (byte & 0x7f) << shift; // at most 4 bytes count, 28 bits: a small integer throughout
    shift += 7;
    if (byte & 0x80) continue;
    if (byte === 0 && shift > 7) canonical = false; // a last byte of nothing: a longer spelling than needed
    if (shift > longest) longest = shift;
    numbers.push((u >>> 1) ^ -(u & 1));
    u = 0;
    shift = 0;
  }
  if (buffer & ((1 << bits) - 1)) canonical = false; // spare bits of the last character set
  return { numbers, clean: !shift && longest <= 28 && bits !== 6, canonical };
}

/** The absolute points of a `points` text; SketchError when it is not one canonical spelling of valid points. */
export function decodePoints(text) {
  const unreadable = () => new SketchError('has a stroke whose points cannot be read', 'strokePoints');
  const read = typeof text === 'string' ? readPoints(text) : null;
  if (!read || !read.clean || !read.numbers.length || read.numbers.length % 3) throw unreadable();
  const { numbers } = read;
  if (numbers.length > 3 * MAX_POINTS) throw new SketchError(`has a stroke of more than ${MAX_POINTS} points`, 'strokeLong',
    { max: MAX_POINTS });
  const points = [];
  let x = 0;
  let y = 0;
  let p = 0;
  for (let i = 0; i < numbers.length; i += 3) {
    x += numbers[i];
    y += numbers[i + 1];
    p += numbers[i + 2];
    if (x < 0 || x > WIDTH || y < 0 || y > HEIGHT || p < 0 || p > PRESSURE) {
      throw new SketchError('has a point outside the sheet', 'outside');
    }
    points.push([x, y, p]);
  }
  if (!read.canonical) throw unreadable();
  return points;
}

/**
 * The strokes, each checked; SketchError otherwise. `maxLength` bounds the points text of all strokes together.
 * @param {unknown} value @param {number} maxItems @param {number} maxLength
 */
export function checkStrokes(value, maxItems, maxLength) {
  if (!Array.isArray(value)) throw new SketchError('must be a drawing', 'drawing');
  if (value.length > maxItems) throw new SketchError(`may hold at most ${maxItems} strokes`, 'strokes',
    { max: maxItems });
  const seen = new Set();
  let total = 0;
  const out = value.map((stroke) => {
    const keys = stroke !== null && typeof stroke === 'object' && !Array.isArray(stroke)
      ? Object.keys(stroke).sort() : [];
    if (keys.join() !== KEYS.join()) throw new SketchError('must be a drawing', 'drawing');
    if (typeof stroke.id !== 'string' || !ID.test(stroke.id)) throw new SketchError('has a stroke without a proper id', 'strokeId');
    if (seen.has(stroke.id)) throw new SketchError('has the same stroke twice', 'strokeTwice');
    seen.add(stroke.id);
    if (!TOOLS.includes(stroke.tool) || !COLORS.includes(stroke.color)) {
      throw new SketchError('has a stroke with a tool or colour this version does not know',
        'strokeTool');
    }
    if (!WIDTHS.includes(stroke.width)) throw new SketchError('has a stroke with a width this version does not know',
      'strokeWidth');
    decodePoints(stroke.points);
    total += stroke.points.length;
    return { ...stroke };
  });
  if (total > maxLength) {
    throw new SketchError(`is too large: it may hold at most ${maxLength} characters of points`,
      'drawingLarge', { max: maxLength });
  }
  return out;
}

/** How much of a sketch's room its strokes use: the larger share of the two limits (0..1 and above when over). */
export function roomUsed(strokes, maxItems, maxLength) {
  const total = strokes.reduce((sum, s) => sum + (typeof s?.points === 'string' ? s.points.length : 0), 0);
  return Math.max(strokes.length / maxItems, total / maxLength);
}

/** A random stroke id: 16 characters of base64url (96 bits). */
export function strokeId() {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(12)));
}

// Each step's numbers as the path writes them, for the steps a sheet can hold (-4000..4000): with the space that
// parts it from the number before, or none before a minus sign, which parts them as well ("l2-2-3 0" is
// "l2 -2 -3 0", in fewer bytes). A hand's steps are mostly small: those of -31..31 each way are written whole, a pair
// at a time (made on the first drawing).
const LOWEST = -WIDTH;
const SPACED = Array.from({ length: 2 * WIDTH + 1 }, (_, i) => (i + LOWEST < 0 ? '' : ' ') + (i + LOWEST));
const spaced = (n) => (n >= LOWEST && n <= WIDTH ? SPACED[n - LOWEST] : (n < 0 ? '' : ' ') + n);
const SMALL = 31;
const SIDE = 2 * SMALL + 1;
/** @type {string[]|null} */
let pairs = null;
const makePairs = () => Array.from({ length: SIDE * SIDE }, (_, i) =>
  SPACED[Math.floor(i / SIDE) - SMALL - LOWEST] + SPACED[(i % SIDE) - SMALL - LOWEST]);

/**
 * A stroke's path, read straight from its `points` text in one pass (the first point, then each step as it is
 * stored: a relative line; a dot for one point), with its number of points and the sum of their pressures. Without
 * the checks of decodePoints (the sheet, the canonical spelling): for drawing a stroke that was checked when it was
 * saved. Throws on what cannot be read at all.
 * @param {string} text @returns {{d: string, points: number, pressure: number}}
 */
function pathOf(text) {
  const unreadable = () => new SketchError('has a stroke whose points cannot be read', 'strokePoints');
  if (typeof text !== 'string') throw unreadable();
  let d = '';
  let u = 0;
  let shift = 0;
  let bits = 0;
  let buffer = 0;
  let which = 0; // 0: x, 1: y, 2: pressure
  let x = 0;
  let p = 0;
  let pressure = 0;
  let points = 0;
  pairs ??= makePairs();
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const six = c < 128 ? SIXES[c] : -1;
    if (six < 0) throw unreadable();
    buffer = ((buffer << 6) | six) & 0xfff;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    const byte = (buffer >> bits) & 0xff;
    u |= (byte & 0x7f) << shift;
    shift += 7;
    if (byte & 0x80) {
      if (shift > 21) throw unreadable(); // a fifth byte to come
      continue;
    }
    const n = (u >>> 1) ^ -(u & 1);
    u = 0;
    shift = 0;
    if (which === 0) {
      x = n;
      which = 1;
    } else if (which === 1) {
      if (points === 0) d = `M${x} ${n}l`;
      else if (points > 1 && x >= -SMALL && x <= SMALL && n >= -SMALL && n <= SMALL) d += pairs[(x + SMALL) * SIDE + n + SMALL];
      else d += (points === 1 ? String(x) : spaced(x)) + spaced(n);
      which = 2;
    } else {
      p += n;
      pressure += p;
      points += 1;
      which = 0;
    }
  }
  if (shift || which || !points) throw unreadable();
  if (points === 1) d += '0 0';
  return { d, points, pressure };
}

/**
 * How a stroke is drawn on the sheet, in quarter units (an SVG's viewBox is `0 0 4000 3000`): its path (the first
 * point, then each step as it is stored: a relative line; a dot for one point), colour, width (the stroke's, by its
 * average pressure: half at none, one and a half at full) and opacity. A marker is wide and see-through; the
 * eraser draws the paper's white.
 * @param {{tool: string, color: string, width: number, points: string}} stroke
 */
export function strokeShape(stroke) {
  const { d, points, pressure } = pathOf(stroke.points);
  const average = pressure / points / PRESSURE;
  const marker = stroke.tool === 'marker';
  const eraser = stroke.tool === 'eraser';
  const width = 4 * stroke.width * (marker ? 2.5 : eraser ? 2 : 0.5 + average);
  return { d, color: eraser ? PAPER : INK[stroke.color] ?? INK.ink, width: Math.round(width * 10) / 10,
    opacity: marker ? 0.45 : 1 };
}
