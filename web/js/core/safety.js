/** Safety numbers (Signal's numeric fingerprint) and the invite link's key fingerprint, as sync/core/safety.py. */

import { concat, equal, fromBase64, readUintBE, toBase64Url, utf8 } from './bytes.js';
import { sha256, sha512 } from './crypto.js';
import { CryptoError, ProtocolError } from './errors.js';

const FINGERPRINT_VERSION = new Uint8Array([0, 0]);
export const ITERATIONS = 5200;
const KEY_TYPE_ED25519 = new Uint8Array([1]); // our key encoding: type byte then the raw Ed25519 identity key
const INVITE_VERSION = '2';

/** 30 digits: six 5-byte big-endian chunks of the iterated SHA-512, each mod 100000. */
export async function displayableHalf(key, stableId, iterations = ITERATIONS) {
  let digest = await sha512(concat(FINGERPRINT_VERSION, key, stableId, key));
  for (let i = 1; i < iterations; i++) digest = await sha512(concat(digest, key));
  let out = '';
  for (let i = 0; i < 30; i += 5) out += String(readUintBE(digest.subarray(i, i + 5)) % 100000).padStart(5, '0');
  return out;
}

/** The smaller half first, so both parties see the same 60 digits. */
export const combineHalves = (a, b) => (a < b ? a + b : b + a);

/** 60 digits over both identity signing keys (0x01 || sig_pub) and user ids (16 bytes). */
export async function safetyNumber(a, b) {
  return combineHalves(await displayableHalf(concat(KEY_TYPE_ED25519, a.sigPub), a.userId),
    await displayableHalf(concat(KEY_TYPE_ED25519, b.sigPub), b.userId));
}

/** Twelve groups of five digits, as people read them aloud. @param {string} number */
export const formatSafetyNumber = (number) => number.match(/.{1,5}/g).join(' ');

/** base64url (no padding) of the first 16 bytes of SHA-256(0x01 || sig_pub): 22 characters. */
export async function keyFingerprint(bundle) {
  return toBase64Url((await sha256(concat(KEY_TYPE_ED25519, bundle.sigPub))).subarray(0, 16));
}

/** The bundle the server serves for an invite must carry the key the link's fragment names. */
export async function checkKeyFingerprint(bundle, fingerprint) {
  if (!equal(utf8(await keyFingerprint(bundle)), utf8(fingerprint))) {
    throw new CryptoError('key does not match the invitation');
  }
}

const INVITE_KEYS = ['v', 't', 'fp', 'h', 's'];
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const HANDLE = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * `scheme://host[:port][/prefix]` as every client compares it: scheme and host lower-cased, the default port left
 * out, an IPv6 host in brackets, no trailing slash. Anything else is not a server address (sync/core/safety.py).
 * @param {string} text
 */
export function normaliseOrigin(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ProtocolError('bad_origin', 'not a server address');
  }
  if (!['http:', 'https:'].includes(url.protocol) || !url.hostname || url.username || url.password) {
    throw new ProtocolError('bad_origin', 'not a server address');
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** `<origin>/invite#v=2&t=<token>&fp=<fingerprint>&h=<handle>&s=<secret>`; the fragment never reaches a server. */
export async function inviteUrl(origin, token, bundle, secret) {
  if (secret?.length !== 16) throw new ProtocolError('bad_invite', 'the invitation secret must be 16 bytes');
  return `${normaliseOrigin(origin)}/invite#v=${INVITE_VERSION}&t=${encodeURIComponent(token)}`
    + `&fp=${await keyFingerprint(bundle)}&h=${encodeURIComponent(bundle.handle)}&s=${toBase64Url(secret)}`;
}

/**
 * `k=v` pairs split on `&`, percent-decoded as UTF-8 (`+` is a plus, not a space). Each known key exactly once;
 * unknown keys are ignored, so a later version can add one.
 */
function fragmentValues(fragment) {
  const values = {};
  for (const pair of fragment.split('&')) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !INVITE_KEYS.includes(key)) continue;
    if (Object.hasOwn(values, key)) throw new ProtocolError('bad_invite', 'unsupported invitation link');
    try {
      values[key] = decodeURIComponent(pair.slice(at + 1));
    } catch {
      throw new ProtocolError('bad_invite', 'invitation link is damaged');
    }
  }
  return values;
}

/** The parts of an invitation link, or ProtocolError('bad_invite'). */
export function parseInviteUrl(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ProtocolError('bad_invite', 'not an invitation link');
  }
  if (url.search || !url.pathname.endsWith('/invite')) throw new ProtocolError('bad_invite', 'not an invitation link');
  let origin;
  try {
    origin = normaliseOrigin(`${url.protocol}//${url.host}${url.pathname.slice(0, -'/invite'.length)}`);
  } catch {
    throw new ProtocolError('bad_invite', 'not an invitation link');
  }
  const values = fragmentValues(url.hash.slice(1));
  if ('v' in values && values.v !== INVITE_VERSION) throw new ProtocolError('bad_invite', 'unsupported invitation link');
  if (INVITE_KEYS.some((k) => !(k in values))) throw new ProtocolError('bad_invite', 'invitation link is incomplete');
  const { t: token, fp, h: handle, s } = values;
  if (!TOKEN.test(token) || fp.length !== 22 || !B64URL.test(fp) || !HANDLE.test(handle) || s.length !== 22
      || !B64URL.test(s)) {
    throw new ProtocolError('bad_invite', 'invitation link is damaged');
  }
  const secret = fromBase64(s.replace(/-/g, '+').replace(/_/g, '/') + '==');
  // The two spare bits of the last character must be zero: one spelling per secret.
  if (toBase64Url(secret) !== s) throw new ProtocolError('bad_invite', 'invitation link is damaged');
  return { origin, token, fingerprint: fp, handle, secret };
}
