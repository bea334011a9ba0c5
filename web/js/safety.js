/** Safety numbers (Signal's numeric fingerprint) and the invite link's key fingerprint, as sync/safety.py. */

import { concat, equal, readUintBE, toBase64Url, utf8 } from './bytes.js';
import { sha256, sha512 } from './crypto.js';
import { CryptoError, ProtocolError } from './errors.js';

const FINGERPRINT_VERSION = new Uint8Array([0, 0]);
export const ITERATIONS = 5200;
const KEY_TYPE_ED25519 = new Uint8Array([1]); // our key encoding: type byte then the raw Ed25519 identity key
const INVITE_VERSION = '1';

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

/** `<origin>/invite#v=1&t=<token>&fp=<fingerprint>&h=<handle>`; the fragment never reaches a server. */
export async function inviteUrl(origin, token, bundle) {
  return `${origin.replace(/\/+$/, '')}/invite#v=${INVITE_VERSION}&t=${encodeURIComponent(token)}`
    + `&fp=${await keyFingerprint(bundle)}&h=${encodeURIComponent(bundle.handle)}`;
}

export function parseInviteUrl(url) {
  let parts;
  try {
    parts = new URL(url.trim());
  } catch {
    throw new ProtocolError('bad_invite', 'not an invitation link');
  }
  if (!parts.host || !parts.pathname.endsWith('/invite')) throw new ProtocolError('bad_invite', 'not an invitation link');
  const fields = new URLSearchParams(parts.hash.slice(1));
  const values = {};
  for (const k of ['v', 't', 'fp', 'h']) {
    const all = fields.getAll(k);
    if (all.length === 0) throw new ProtocolError('bad_invite', 'invitation link is incomplete');
    if (all.length !== 1) throw new ProtocolError('bad_invite', 'unsupported invitation link');
    values[k] = all[0];
  }
  if (values.v !== INVITE_VERSION) throw new ProtocolError('bad_invite', 'unsupported invitation link');
  const origin = `${parts.protocol}//${parts.host}${parts.pathname.slice(0, -'/invite'.length)}`;
  return { origin, token: values.t, fingerprint: values.fp, handle: values.h };
}
