/** Key hierarchy of bt1, as sync/core/keys.py: login keys, recovery key text, envelopes, identity wrap, bundles, auth. */

import { concat, equal } from './bytes.js';
import {
  aeadOpen, aeadSeal, checkKdfFloor, checkX25519Public, ed25519Public, ed25519Sign, ed25519Verify, hkdf,
  randomBytes, sha256, x25519Public,
} from './crypto.js';
import { CryptoError, ProtocolError } from './errors.js';
import { KDF_DEFAULT, LABELS, ROLE_CODES, authTranscript, bundleBody, packKdfParams } from './layout.js';

const UNLOCK_FAILED = 'could not unlock the account';

/**
 * @typedef {{alg: 'argon2id', memoryKib: number, iterations: number, lanes: number, salt: Uint8Array}} KdfParams
 * @typedef {{kek: Uint8Array, loginSeed: Uint8Array, loginPub: Uint8Array}} LoginKeys
 * @typedef {{userId: Uint8Array, handle: string, role: 'client'|'therapist', sigPub: Uint8Array,
 *   kemPub: Uint8Array, signature: Uint8Array}} KeyBundle
 * @typedef {(passphrase: string, memoryKib: number, iterations: number, lanes: number, salt: Uint8Array)
 *   => Promise<Uint8Array>} Argon2id
 */

// ---------------------------------------------------------------- login keys

/** Fresh KDF parameters with a random salt (default: 64 MiB, t=3, p=1). @returns {KdfParams} */
export function newKdfParams({ memoryKib, iterations, lanes } = KDF_DEFAULT, salt = randomBytes(16)) {
  return { alg: 'argon2id', memoryKib, iterations, lanes, salt };
}

/** @param {KdfParams} kdf */
export function checkKdf(kdf) {
  if (kdf.alg !== 'argon2id') throw new ProtocolError('bad_kdf', 'unknown key derivation function');
  checkKdfFloor(kdf.memoryKib, kdf.iterations, kdf.lanes);
}

/** @param {KdfParams} kdf */
export const kdfBytes = (kdf) => packKdfParams(kdf.memoryKib, kdf.iterations, kdf.lanes, kdf.salt);

/** @returns {Promise<LoginKeys>} */
async function loginKeys(ikm, kekLabel, loginLabel) {
  const loginSeed = await hkdf(ikm, loginLabel);
  return { kek: await hkdf(ikm, kekLabel), loginSeed, loginPub: await ed25519Public(loginSeed) };
}

/**
 * Checks the floor before any Argon2id work. `argon2id` is injected: a Web Worker in the browser, hash-wasm in Node.
 * @param {string} passphrase @param {KdfParams} kdf @param {Argon2id} argon2id
 */
export async function derivePassphraseKeys(passphrase, kdf, argon2id) {
  checkKdf(kdf);
  const prk = await argon2id(passphrase, kdf.memoryKib, kdf.iterations, kdf.lanes, kdf.salt);
  return loginKeys(prk, 'pw_kek', 'pw_login');
}

/** The recovery key is 128 random bits, so HKDF suffices. @param {Uint8Array} recoveryKey */
export async function deriveRecoveryKeys(recoveryKey) {
  if (recoveryKey.length !== 16) throw new ProtocolError('bad_recovery_key', 'recovery key must be 16 bytes');
  return loginKeys(recoveryKey, 'rk_kek', 'rk_login');
}

// ---------------------------------------------------------------- recovery key text

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Map([...CROCKFORD].map((c, i) => [c, i]).concat([['O', 0], ['I', 1], ['L', 1]]));
const RK_CHARS = 29; // 18 bytes = 144 bits -> 29 symbols of 5 bits, the last bit zero
const RK_GROUPS = [5, 5, 5, 5, 5, 4];

const toBigInt = (data) => data.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

/** Crockford base32 of the key and a 2-byte SHA-256 checksum, as XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXX. */
export async function formatRecoveryKey(raw16) {
  if (raw16.length !== 16) throw new ProtocolError('bad_recovery_key', 'recovery key must be 16 bytes');
  const number = toBigInt(concat(raw16, (await sha256(raw16)).subarray(0, 2))) << 1n;
  let chars = '';
  for (let i = RK_CHARS - 1; i >= 0; i--) chars += CROCKFORD[Number((number >> BigInt(5 * i)) & 31n)];
  const groups = [];
  let start = 0;
  for (const size of RK_GROUPS) {
    groups.push(chars.slice(start, start + size));
    start += size;
  }
  return groups.join('-');
}

/** Case-insensitive, ignores spaces and dashes, reads O as 0 and I/L as 1; a typo fails the checksum. */
export async function parseRecoveryKey(text) {
  const cleaned = [...text.toUpperCase()].filter((c) => !' -\t\n'.includes(c)).join('');
  if (cleaned.length !== RK_CHARS || [...cleaned].some((c) => !DECODE.has(c))) {
    throw new ProtocolError('bad_recovery_key', 'recovery key is malformed');
  }
  let number = 0n;
  for (const c of cleaned) number = (number << 5n) | BigInt(DECODE.get(c));
  const data = new Uint8Array(18);
  let rest = number >> 1n;
  for (let i = 17; i >= 0; i--) {
    data[i] = Number(rest & 255n);
    rest >>= 8n;
  }
  if (number & 1n || !equal((await sha256(data.subarray(0, 16))).subarray(0, 2), data.subarray(16))) {
    throw new ProtocolError('bad_recovery_key', 'recovery key has a typo');
  }
  return data.slice(0, 16);
}

// ---------------------------------------------------------------- account key and envelopes

/** @param {Uint8Array} accountKey */
export const deriveKwk = (accountKey) => hkdf(accountKey, 'ak_kwk');

/** @param {Uint8Array} accountKey */
export const deriveIdwk = (accountKey) => hkdf(accountKey, 'ak_idwk');

// The KDF parameters are in the AAD: a server that swaps them breaks the envelope instead of weakening it.
export const sealPwEnvelope = async (kek, userId, kdf, accountKey, nonce = undefined) =>
  aeadSeal(kek, accountKey, concat(LABELS.env_pw, userId, kdfBytes(kdf)), nonce);

export const openPwEnvelope = (kek, userId, kdf, envelope) =>
  aeadOpen(kek, envelope, concat(LABELS.env_pw, userId, kdfBytes(kdf)));

export const sealRkEnvelope = (kek, userId, accountKey, nonce = undefined) =>
  aeadSeal(kek, accountKey, concat(LABELS.env_rk, userId), nonce);

export const openRkEnvelope = (kek, userId, envelope) => aeadOpen(kek, envelope, concat(LABELS.env_rk, userId));

export const sealIdWrap = (idwk, userId, sigSeed, kemSeed, nonce = undefined) =>
  aeadSeal(idwk, concat(sigSeed, kemSeed), concat(LABELS.id, userId), nonce);

/** @returns {Promise<[Uint8Array, Uint8Array]>} (sigSeed, kemSeed) */
export async function openIdWrap(idwk, userId, wrapped) {
  const seeds = await aeadOpen(idwk, wrapped, concat(LABELS.id, userId));
  if (seeds.length !== 64) throw new CryptoError('decryption failed');
  return [seeds.slice(0, 32), seeds.slice(32)];
}

// ---------------------------------------------------------------- key bundles

/**
 * @param {{userId: Uint8Array, handle: string, role: 'client'|'therapist', sigSeed: Uint8Array, kemSeed: Uint8Array}} secrets
 * @returns {Promise<KeyBundle>}
 */
export async function makeBundle(secrets) {
  const sigPub = await ed25519Public(secrets.sigSeed);
  const kemPub = await x25519Public(secrets.kemSeed);
  const body = bundleBody(secrets.userId, secrets.handle, ROLE_CODES[secrets.role], sigPub, kemPub);
  return {
    userId: secrets.userId, handle: secrets.handle, role: secrets.role, sigPub, kemPub,
    signature: await ed25519Sign(secrets.sigSeed, body),
  };
}

/** Self-consistency only (signed by its own key, usable X25519 key); trust comes from safety numbers. @param {KeyBundle} bundle */
export async function verifyBundle(bundle) {
  let body;
  try {
    if (!(bundle.role in ROLE_CODES)) throw new ProtocolError('bad_bundle', 'unknown role');
    body = bundleBody(bundle.userId, bundle.handle, ROLE_CODES[bundle.role], bundle.sigPub, bundle.kemPub);
  } catch {
    throw new CryptoError('invalid key bundle');
  }
  await ed25519Verify(bundle.sigPub, bundle.signature, body);
  await checkX25519Public(bundle.kemPub);
}

// ---------------------------------------------------------------- the device's own account (no server yet)

/**
 * Keys of a person who has no server account yet: made on this device, kept for a later signup
 * (which wraps this same account key, so creating an account keeps the data).
 */
export function newLocalSecrets() {
  return { accountKey: randomBytes(32), sigSeed: randomBytes(32), kemSeed: randomBytes(32) };
}

/**
 * Unlock from the server's AccountKeys once the account key is known: identity seeds, then the bundle must be ours.
 * @param {{userId: Uint8Array, handle: string, role: 'client'|'therapist', idWrap: Uint8Array, bundle: KeyBundle}} keys
 * @param {Uint8Array} accountKey
 */
export async function finishUnlock(keys, accountKey) {
  try {
    const [sigSeed, kemSeed] = await openIdWrap(await deriveIdwk(accountKey), keys.userId, keys.idWrap);
    const b = keys.bundle;
    if (!equal(b.userId, keys.userId) || b.handle !== keys.handle || b.role !== keys.role
        || !equal(b.sigPub, await ed25519Public(sigSeed)) || !equal(b.kemPub, await x25519Public(kemSeed))) {
      throw new CryptoError(UNLOCK_FAILED);
    }
    await verifyBundle(b);
    return { userId: keys.userId, handle: keys.handle, role: keys.role, accountKey, sigSeed, kemSeed };
  } catch (err) {
    if (err instanceof CryptoError) throw new CryptoError(UNLOCK_FAILED);
    throw err;
  }
}

// ---------------------------------------------------------------- auth signatures

/**
 * What a passphrase change signs (layout.passphrase_change_bound): SHA-256(new login_pub ‖ new KDF parameter bytes ‖
 * new pw_envelope), so the signature covers exactly what the server stores.
 */
export const passphraseChangeBound = async (loginPub, kdf, pwEnvelope) =>
  sha256(concat(loginPub, kdfBytes(kdf), pwEnvelope));

export const signAuth = (seed, origin, handle, challengeId, challenge, action, bound = new Uint8Array(0)) =>
  ed25519Sign(seed, authTranscript(origin, handle, challengeId, challenge, action, bound));

export async function verifyAuth(publicKey, signature, origin, handle, challengeId, challenge, action,
  bound = new Uint8Array(0)) {
  let transcript;
  try {
    transcript = authTranscript(origin, handle, challengeId, challenge, action, bound);
  } catch {
    throw new CryptoError('signature verification failed');
  }
  await ed25519Verify(publicKey, signature, transcript);
}
