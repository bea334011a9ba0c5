/** Cryptographic primitives of protocol bt1 over WebCrypto: HKDF, AES-GCM, Ed25519, X25519, HPKE, padding. */

import { concat, equal, fromBase64, fromHex, toHex, uintBE, utf8 } from './bytes.js';
import { CryptoError, DowngradeError, ProtocolError } from './errors.js';
import { HPKE_SUITE_ID, KDF_FLOOR_ITERATIONS, KDF_FLOOR_MEMORY_KIB, LABELS, ZERO32 } from './layout.js';

export const NONCE_LEN = 12;
export const TAG_LEN = 16;
export const KEY_LEN = 32;

const subtle = globalThis.crypto.subtle;

/** @param {number} n */
export const randomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** @param {Uint8Array} data */
export const sha256 = async (data) => new Uint8Array(await subtle.digest('SHA-256', data));

/** @param {Uint8Array} data */
export const sha512 = async (data) => new Uint8Array(await subtle.digest('SHA-512', data));

// ---------------------------------------------------------------- KDFs

/** NFKC then UTF-8, so the same passphrase typed on any keyboard derives the same key. @param {string} passphrase */
export const normalizePassphrase = (passphrase) => utf8(passphrase.normalize('NFKC'));

/** Refuse parameters weaker than the floor: a server must not talk a client into a cheap KDF. */
export function checkKdfFloor(memoryKib, iterations, lanes) {
  if (memoryKib < KDF_FLOOR_MEMORY_KIB || iterations < KDF_FLOOR_ITERATIONS || lanes < 1) {
    throw new DowngradeError('key derivation parameters are below the accepted minimum');
  }
}

/**
 * HKDF-SHA256 with an explicit all-zero salt; info = the label's bytes followed by the context.
 * @param {Uint8Array} ikm @param {keyof typeof LABELS} label @param {Uint8Array} [context] @param {number} [length]
 */
export async function hkdf(ikm, label, context = new Uint8Array(0), length = KEY_LEN) {
  const prefix = LABELS[label];
  if (!prefix) throw new ProtocolError('bad_label', 'unknown HKDF label');
  const key = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const info = concat(prefix, context);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: ZERO32, info }, key, length * 8));
}

// ---------------------------------------------------------------- AES-GCM

/** AES-GCM ciphertext followed by the 16-byte tag; the nonce is the caller's to store. */
export async function gcmEncrypt(key, nonce, plaintext, aad) {
  if (nonce.length !== NONCE_LEN) throw new ProtocolError('bad_nonce', 'nonce must be 12 bytes');
  if (key.length !== 16 && key.length !== 32) throw new ProtocolError('bad_key', 'AES key must be 16 or 32 bytes');
  const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, k, plaintext));
}

// Imported decryption keys by the key array itself: one key (the KWK) opens every DEK wrap of a list, and
// importing it for each is a tenth of the work. Held only as long as the caller holds the array (WeakMap), with a
// copy of the bytes it was imported from, so an array changed in place is imported again.
const decryptKeys = new WeakMap();

function decryptKey(key) {
  const known = decryptKeys.get(key);
  if (known && equal(known.bytes, key)) return known.imported;
  const imported = subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  decryptKeys.set(key, { bytes: Uint8Array.from(key), imported });
  imported.catch(() => decryptKeys.delete(key));
  return imported;
}

export async function gcmDecrypt(key, nonce, ct, aad) {
  if (nonce.length !== NONCE_LEN || ct.length < TAG_LEN || (key.length !== 16 && key.length !== 32)) {
    throw new CryptoError('decryption failed');
  }
  try {
    const k = await decryptKey(key);
    return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, k, ct));
  } catch {
    throw new CryptoError('decryption failed');
  }
}

/** AES-256-GCM with a random 12-byte nonce; returns nonce || ciphertext || tag. */
export async function aeadSeal(key, plaintext, aad, nonce = undefined) {
  if (key.length !== KEY_LEN) throw new ProtocolError('bad_key', 'AES-256-GCM key must be 32 bytes');
  const n = nonce ?? randomBytes(NONCE_LEN);
  return concat(n, await gcmEncrypt(key, n, plaintext, aad));
}

export async function aeadOpen(key, blob, aad) {
  if (key.length !== KEY_LEN || blob.length < NONCE_LEN + TAG_LEN) throw new CryptoError('decryption failed');
  return gcmDecrypt(key, blob.subarray(0, NONCE_LEN), blob.subarray(NONCE_LEN), aad);
}

// ---------------------------------------------------------------- Ed25519 and X25519 from 32-byte seeds

// PKCS#8 wrappers of a raw 32-byte private key (RFC 8410): the only import form WebCrypto accepts for seeds.
const PKCS8_ED25519 = fromHex('302e020100300506032b657004220420');
const PKCS8_X25519 = fromHex('302e020100300506032b656e04220420');

function checkSeed(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new ProtocolError('bad_key', 'a seed is 32 bytes');
}

/** @param {Uint8Array} seed @param {boolean} [extractable] non-extractable unless the public half is wanted */
export function importEd25519Seed(seed, extractable = false) {
  checkSeed(seed);
  return subtle.importKey('pkcs8', concat(PKCS8_ED25519, seed), { name: 'Ed25519' }, extractable, ['sign']);
}

/** @param {Uint8Array} seed @param {boolean} [extractable] */
export function importX25519Seed(seed, extractable = false) {
  checkSeed(seed);
  return subtle.importKey('pkcs8', concat(PKCS8_X25519, seed), { name: 'X25519' }, extractable, ['deriveBits']);
}

async function publicFromPrivate(key) {
  // WebCrypto has no "public key of this private key"; the JWK export of a private key carries x.
  return fromBase64((await subtle.exportKey('jwk', key)).x);
}

export const ed25519Public = async (seed) => publicFromPrivate(await importEd25519Seed(seed, true));

export async function ed25519Sign(seed, message) {
  return new Uint8Array(await subtle.sign('Ed25519', await importEd25519Seed(seed), message));
}

// Imported public keys by their bytes (hex): a list of 1,000 entries verifies 1,000 signatures by one key, and
// importing it each time is a fifth of the work. Public keys only, so nothing secret is kept; bounded.
const verifyKeys = new Map();
const VERIFY_KEYS_MAX = 64;

async function verifyKey(publicKey) {
  const id = toHex(publicKey);
  let key = verifyKeys.get(id);
  if (!key) {
    key = subtle.importKey('raw', Uint8Array.from(publicKey), { name: 'Ed25519' }, false, ['verify']);
    if (verifyKeys.size >= VERIFY_KEYS_MAX) verifyKeys.delete(verifyKeys.keys().next().value);
    verifyKeys.set(id, key);
    key.catch(() => verifyKeys.delete(id));
  }
  return key;
}

// Encodings (canonical and not) of the eight small-order Edwards points. WebCrypto (OpenSSL in Node, BoringSSL in
// Chromium) verifies signatures under them, and under the identity one signature matches every message.
export const ED25519_SMALL_ORDER = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
]);
// Ed25519's prime-order subgroup size and field prime (RFC 8032 5.1).
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P25519 = 2n ** 255n - 19n;

const littleEndian = (bytes) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);

/** A point encoding as RFC 8032 5.1.3 decodes it: y below p, and no sign bit on x = 0 (y = 1 or p - 1). */
export function ed25519Canonical(encoding) {
  const n = littleEndian(encoding);
  const y = n & ((1n << 255n) - 1n);
  return y < P25519 && !((n >> 255n) && (y === 1n || y === P25519 - 1n));
}

/**
 * bt1's rules before WebCrypto runs (PROTOCOL.md section 1): S < L, A and R canonical and not of small order.
 * WebCrypto already refuses S >= L and a non-canonical R and verifies cofactorless, but accepts small-order and
 * non-canonical keys; checking all of it here keeps the browser identical to every other verifier of bt1.
 */
export function ed25519Strict(publicKey, signature) {
  const r = signature.subarray(0, 32);
  return littleEndian(signature.subarray(32)) < ED25519_L
    && ed25519Canonical(publicKey) && !ED25519_SMALL_ORDER.has(toHex(publicKey))
    && ed25519Canonical(r) && !ED25519_SMALL_ORDER.has(toHex(r));
}

/** Throws CryptoError unless the signature verifies under bt1's rules. */
export async function ed25519Verify(publicKey, signature, message) {
  if (publicKey.length !== 32 || signature.length !== 64 || !ed25519Strict(publicKey, signature)) {
    throw new CryptoError('signature verification failed');
  }
  let ok = false;
  try {
    const key = await verifyKey(publicKey);
    ok = await subtle.verify('Ed25519', key, signature, message);
  } catch {
    ok = false;
  }
  if (!ok) throw new CryptoError('signature verification failed');
}

export const x25519Public = async (seed) => publicFromPrivate(await importX25519Seed(seed, true));

/** Raw Diffie-Hellman; a low-order or malformed peer key (all-zero shared secret) is refused. */
export async function x25519(seed, peerPublic) {
  if (peerPublic.length !== 32) throw new CryptoError('invalid public key');
  let shared;
  try {
    const peer = await subtle.importKey('raw', peerPublic, { name: 'X25519' }, false, []);
    shared = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: peer }, await importX25519Seed(seed), 256));
  } catch {
    throw new CryptoError('invalid public key');
  }
  // Engines differ on whether they reject low-order points themselves; the zero check makes it certain.
  if (equal(shared, ZERO32)) throw new CryptoError('invalid public key');
  return shared;
}

/** Raise CryptoError for a key no one could use. */
export async function checkX25519Public(publicKey) {
  await x25519(new Uint8Array(32).fill(1), publicKey);
}

// ---------------------------------------------------------------- HPKE (RFC 9180) base mode

const HPKE_V1 = utf8('HPKE-v1');
const KEM_SUITE = concat(utf8('KEM'), uintBE(0x0020, 2));
const HPKE_SUITE = concat(utf8('HPKE'), HPKE_SUITE_ID);
const EMPTY = new Uint8Array(0);

export async function hmacSha256(key, data) {
  // HMAC zero-pads keys, so an empty salt equals 32 zero bytes (RFC 5869); WebCrypto refuses empty keys.
  const k = await subtle.importKey('raw', key.length ? key : ZERO32, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

async function expand(prk, info, length) {
  let out = EMPTY;
  let block = EMPTY;
  for (let counter = 1; out.length < length; counter++) {
    block = await hmacSha256(prk, concat(block, info, new Uint8Array([counter])));
    out = concat(out, block);
  }
  return out.slice(0, length);
}

const labeledExtract = (suite, salt, label, ikm) => hmacSha256(salt, concat(HPKE_V1, suite, utf8(label), ikm));

const labeledExpand = (suite, prk, label, info, length) =>
  expand(prk, concat(uintBE(length, 2), HPKE_V1, suite, utf8(label), info), length);

/** The single-shot key schedule; only sequence number 0 is ever used. */
export async function hpkeKeySchedule(enc, recipientPub, dh, info) {
  const eaePrk = await labeledExtract(KEM_SUITE, EMPTY, 'eae_prk', dh);
  const sharedSecret = await labeledExpand(KEM_SUITE, eaePrk, 'shared_secret', concat(enc, recipientPub), 32);
  const context = concat(new Uint8Array([0]), await labeledExtract(HPKE_SUITE, EMPTY, 'psk_id_hash', EMPTY),
    await labeledExtract(HPKE_SUITE, EMPTY, 'info_hash', info));
  const secret = await labeledExtract(HPKE_SUITE, sharedSecret, 'secret', EMPTY);
  return {
    enc,
    sharedSecret,
    key: await labeledExpand(HPKE_SUITE, secret, 'key', context, 16),
    baseNonce: await labeledExpand(HPKE_SUITE, secret, 'base_nonce', context, NONCE_LEN),
  };
}

/** SetupBaseS; an explicit ephemeral seed exists for test vectors only. */
export async function hpkeSetupSender(recipientPub, info, ephemeralSeed = undefined) {
  const eph = ephemeralSeed ?? randomBytes(32);
  const enc = await x25519Public(eph);
  return hpkeKeySchedule(enc, recipientPub, await x25519(eph, recipientPub), info);
}

export async function hpkeSetupReceiver(recipientSeed, enc, info) {
  return hpkeKeySchedule(enc, await x25519Public(recipientSeed), await x25519(recipientSeed, enc), info);
}

/** Single-shot HPKE seal with empty aad (all context goes into info); returns enc || ct. */
export async function hpkeSeal(recipientPub, info, plaintext, ephemeralSeed = undefined) {
  const ctx = await hpkeSetupSender(recipientPub, info, ephemeralSeed);
  return concat(ctx.enc, await gcmEncrypt(ctx.key, ctx.baseNonce, plaintext, EMPTY));
}

export async function hpkeOpen(recipientSeed, info, sealed) {
  if (sealed.length < 32 + TAG_LEN) throw new CryptoError('decryption failed');
  const ctx = await hpkeSetupReceiver(recipientSeed, sealed.subarray(0, 32), info);
  return gcmDecrypt(ctx.key, ctx.baseNonce, sealed.subarray(32), EMPTY);
}

// ---------------------------------------------------------------- padding

export const PAD_SMALL_LIMIT = 16 * 1024;
export const PAD_BLOCK = 1024;

/** Python's int.bit_length for non-negative safe integers. @param {number} n */
const bitLength = (n) => (n === 0 ? 0 : n.toString(2).length);

/** PADMÉ (Nikitin et al., PoPETs 2019): round up so at most O(log log L) bits leak. */
function padme(length) {
  const e = bitLength(length) - 1;
  const s = bitLength(e);
  const mask = 2 ** (e - s) - 1;
  return Math.floor((length + mask) / (mask + 1)) * (mask + 1);
}

/** Next multiple of 1 KiB strictly above L below 16 KiB, PADMÉ(L + 1) from there: at least one pad byte. */
export function paddedLength(length) {
  if (length < PAD_SMALL_LIMIT) return (Math.floor(length / PAD_BLOCK) + 1) * PAD_BLOCK;
  return padme(length + 1);
}

/** ISO/IEC 7816-4: 0x80 then zeros. @param {Uint8Array} data */
export function pad(data) {
  const out = new Uint8Array(paddedLength(data.length));
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Strict inverse of pad: the marker, zeros only after it, and exactly the canonical length. */
export function unpad(data) {
  let end = data.length - 1;
  while (end >= 0 && data[end] === 0) end--;
  if (end < 0 || data[end] !== 0x80 || paddedLength(end) !== data.length) throw new CryptoError('decryption failed');
  return data.slice(0, end);
}
