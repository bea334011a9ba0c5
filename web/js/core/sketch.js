/**
 * Sketches as compact vector strokes (the `sketch` field type), as sync/core/sketch.py: points quantised and
 * delta-encoded, checked the same way (tests/vectors/sketch.json), and drawn as SVG paths. A stroke is
 * `{id, tool, color, width, points}`; `points` is base64url (no padding) of x0, y0, p0, dx1, dy1, dp1, ... each
 * zigzag-encoded and written as an unsigned LEB128 varint of at most 4 bytes; x and y in quarter units of a
 * 1000 x 750 sheet, p the pressure 0..255; one canonical spelling per stroke. Pure.
 */

import { fromBase64, toBase64Url } from './bytes.js';

export const WIDTH = 4000;
export const HEIGHT = 3000;
export const PRESSURE = 255;
export const MAX_POINTS = 2000;
export const TOOLS = Object.freeze(['pen', 'marker', 'eraser']);
export const COLORS = Object.freeze(['ink', 'red', 'blue', 'green', 'orange', 'purple']);
export const WIDTHS = Object.freeze([2, 4, 8, 16]);
const KEYS = ['color', 'id', 'points', 'tool', 'width'];
const ID = /^[A-Za-z0-9_-]{8,32}$/;
const B64 = /^[A-Za-z0-9_-]*$/;

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
const unzigzag = (u) => (u % 2 ? -(u + 1) / 2 : u / 2);

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

/** The absolute points of a `points` text; SketchError when it is not one canonical spelling of valid points. */
export function decodePoints(text) {
  const unreadable = () => new SketchError('has a stroke whose points cannot be read', 'strokePoints');
  if (typeof text !== 'string' || !B64.test(text) || text.length % 4 === 1) throw unreadable();
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const raw = fromBase64(padded);
  const numbers = [];
  let u = 0;
  let scale = 1;
  let length = 0;
  for (const byte of raw) {
    u += (byte & 0x7f) * scale;
    scale *= 0x80;
    length += 1;
    if (length > 4) throw unreadable();
    if (!(byte & 0x80)) {
      numbers.push(unzigzag(u));
      u = 0;
      scale = 1;
      length = 0;
    }
  }
  if (length || !numbers.length || numbers.length % 3) throw unreadable();
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
  if (encodePoints(points) !== text) throw unreadable();
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

/**
 * The numbers of a `points` text as they are stored (the first point, then steps), without the checks of
 * decodePoints: for drawing a stroke that was checked when it was saved. Throws on what cannot be read at all.
 * @param {string} text @returns {number[]}
 */
function stepsOf(text) {
  const numbers = [];
  let u = 0;
  let scale = 1;
  let bits = 0;
  let buffer = 0;
  for (let i = 0; i < text.length; i += 1) {
    const six = SIXES[text.charCodeAt(i)];
    if (six === undefined || six < 0) throw new SketchError('has a stroke whose points cannot be read', 'strokePoints');
    buffer = ((buffer << 6) | six) & 0xffffff;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    const byte = (buffer >> bits) & 0xff;
    u += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
    } else {
      numbers.push(unzigzag(u));
      u = 0;
      scale = 1;
    }
  }
  if (numbers.length < 3 || numbers.length % 3) throw new SketchError('has a stroke whose points cannot be read', 'strokePoints');
  return numbers;
}

/** The value of each base64url character by its code, -1 for any other. */
const SIXES = Int8Array.from({ length: 128 }, (_, c) =>
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(String.fromCharCode(c)));

/**
 * How a stroke is drawn on the sheet, in quarter units (an SVG's viewBox is `0 0 4000 3000`): its path (the first
 * point, then each step as it is stored: a relative line; a dot for one point), colour, width (the stroke's, by its
 * average pressure: half at none, one and a half at full) and opacity. A marker is wide and see-through; the
 * eraser draws the paper's white.
 * @param {{tool: string, color: string, width: number, points: string}} stroke
 */
export function strokeShape(stroke) {
  const n = stepsOf(stroke.points);
  let d = `M${n[0]} ${n[1]}l`;
  let p = n[2];
  let pressure = p;
  for (let i = 3; i < n.length; i += 3) {
    d += `${i > 3 ? ' ' : ''}${n[i]} ${n[i + 1]}`;
    p += n[i + 2];
    pressure += p;
  }
  if (n.length === 3) d += '0 0';
  const average = pressure / (n.length / 3) / PRESSURE;
  const marker = stroke.tool === 'marker';
  const eraser = stroke.tool === 'eraser';
  const width = 4 * stroke.width * (marker ? 2.5 : eraser ? 2 : 0.5 + average);
  return { d, color: eraser ? PAPER : INK[stroke.color] ?? INK.ink, width: Math.round(width * 10) / 10,
    opacity: marker ? 0.45 : 1 };
}
