/** Byte helpers shared by every protocol module: concatenation, text, hex, base64, ids, big-endian ints. */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** @param {...Uint8Array} parts */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** @param {string} text */
export const utf8 = (text) => encoder.encode(text);

/** Strict UTF-8 decode: malformed bytes throw instead of turning into U+FFFD. @param {Uint8Array} data */
export const fromUtf8 = (data) => decoder.decode(data);

/** @param {Uint8Array} data */
export const toHex = (data) => Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');

/** @param {string} hex */
export function fromHex(hex) {
  if (hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) throw new TypeError('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Standard base64 with padding, as the wire format carries bytes. @param {Uint8Array} data */
export function toBase64(data) {
  let binary = '';
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** @param {string} text */
export function fromBase64(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** base64url without padding (JWK members, invite fingerprints). @param {Uint8Array} data */
export const toBase64Url = (data) => toBase64(data).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Constant-time comparison of two byte strings of equal length. @param {Uint8Array} a @param {Uint8Array} b */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** @param {number} value @param {number} size */
export function uintBE(value, size) {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = value % 256;
    value = Math.floor(value / 256);
  }
  if (value !== 0) throw new RangeError('integer too large');
  return out;
}

/** @param {Uint8Array} data */
export const readUintBE = (data) => data.reduce((n, b) => n * 256 + b, 0);

/** Canonical UUID text of 16 bytes. @param {Uint8Array} raw */
export function uuidString(raw) {
  if (raw.length !== 16) throw new TypeError('an id is 16 bytes');
  const h = toHex(raw);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** @param {string} text */
export function uuidBytes(text) {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text)) {
    throw new TypeError('not a UUID');
  }
  return fromHex(text.replace(/-/g, ''));
}

/** A random version-4 UUID as 16 bytes: random, never time-based, so ids leak no timing. */
export function newUuid() {
  const raw = crypto.getRandomValues(new Uint8Array(16));
  raw[6] = (raw[6] & 0x0f) | 0x40;
  raw[8] = (raw[8] & 0x3f) | 0x80;
  return raw;
}
