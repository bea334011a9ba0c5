/**
 * The app lock, pure: the vault key wrapped under what unlocks it (a PIN's or passphrase's Argon2id output, or a
 * WebAuthn PRF output, each through HKDF), the rules for PINs and passphrases, and the wrong-attempt policy.
 * No IndexedDB, no DOM: the worker (engine/lock.js) and the tests use it alike.
 */

import { concat, utf8 } from './bytes.js';
import { CryptoError } from './errors.js';

/** The unlock methods: a PIN (digits), a passphrase, or a WebAuthn credential with the PRF extension. */
export const METHODS = Object.freeze(['pin', 'passphrase', 'prf']);

/**
 * Argon2id for a PIN or a lock passphrase: 32 MiB, 2 passes, 1 lane (a third of the sign-in cost, 64 MiB × 3).
 * An unlock happens many times a day on a phone, sign-in once per device; 32 MiB fits the memory a low-end phone
 * gives one tab, and it is above the floor the sign-in refuses to go below (19 MiB, 2 passes). docs/SECURITY.md
 * says what it buys against a copy of the storage (for a 6-digit PIN: little).
 */
export const LOCK_KDF = Object.freeze({ alg: 'argon2id', memoryKib: 32768, iterations: 2, lanes: 1 });

export const MIN_PIN = 6;
export const MAX_PIN = 64;
export const MIN_LOCK_PASSPHRASE = 10;
/** Minutes in the background or idle before the app locks itself, as Settings offers them. */
export const LOCK_MINUTES = Object.freeze([1, 5, 15, 60]);
export const DEFAULT_MINUTES = 5;
/** After this many wrong PINs or passphrases in a row, the device forgets its keys. */
export const MAX_FAILURES = 10;

// HKDF info per method: an output made for one method never unwraps a vault set up with another.
const LABEL = 'between/app-lock/v1';
const WRAP_AAD = utf8('between/app-lock/v1/vault');

/** Whether `pin` is an acceptable PIN: digits only, at least MIN_PIN of them. @param {string} pin */
export const pinProblem = (pin) => (/^[0-9]+$/.test(pin) && pin.length >= MIN_PIN && pin.length <= MAX_PIN
  ? null : 'pin');

/** Whether `text` is long enough for a lock passphrase (its strength is the page's to judge). @param {string} text */
export const passphraseProblem = (text) => ([...text].length >= MIN_LOCK_PASSPHRASE ? null : 'passphrase');

/**
 * The wait after `failures` wrong tries in a row, in milliseconds: none for the first three (a typo, a child's
 * poke), then 30 s, 1, 5, 15, 30 and 60 minutes; the tenth wrong one forgets the keys (MAX_FAILURES), so there is
 * no wait after it. @param {number} failures
 */
export function delayAfter(failures) {
  const steps = [0, 0, 0, 0, 30e3, 60e3, 5 * 60e3, 15 * 60e3, 30 * 60e3, 60 * 60e3];
  if (failures <= 0) return 0;
  return steps[Math.min(failures, steps.length - 1)];
}

/**
 * The attempt state after one more wrong try at `now` (ms): the count, when the next try is allowed, and whether
 * this one was the last allowed (the keys must go).
 * @param {{failures?: number}} state @param {number} now
 * @returns {{failures: number, notBefore: number, lastFailAt: number, forget: boolean}}
 */
export function afterFailure(state, now) {
  const failures = (state.failures ?? 0) + 1;
  return { failures, lastFailAt: now, notBefore: now + delayAfter(failures), forget: failures >= MAX_FAILURES };
}

/** How long (ms) until another try is allowed at `now`; 0 when it is. @param {{notBefore?: number}} state */
export const waitLeft = (state, now) => Math.max(0, (state.notBefore ?? 0) - now);

/** The wrong tries left before the device forgets its keys. @param {{failures?: number}} state */
export const triesLeft = (state) => Math.max(0, MAX_FAILURES - (state.failures ?? 0));

/**
 * The key-encryption key for `method` from its secret output (Argon2id's 32 bytes, or the PRF's 32 bytes): HKDF-SHA256
 * with a zero salt and the method in its info. Not extractable; wraps and unwraps only.
 * @param {string} method @param {Uint8Array} output
 */
export async function lockKek(method, output) {
  if (!METHODS.includes(method)) throw new CryptoError('unknown lock method');
  if (!(output instanceof Uint8Array) || output.length !== 32) throw new CryptoError('a lock secret is 32 bytes');
  const ikm = await crypto.subtle.importKey('raw', /** @type {BufferSource} */ (output), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: utf8(`${LABEL}/${method}`) },
    ikm, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

/**
 * A fresh vault key: the AES-256-GCM key the device's secrets rest under while a lock is set. Returned twice: the
 * `wrappable` copy only to be wrapped at once, and the `held` copy (not extractable) to keep in memory.
 */
export async function newVaultKey() {
  const wrappable = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', wrappable));
  const held = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  raw.fill(0);
  return { wrappable, held };
}

/**
 * The vault key wrapped under `kek` (AES-GCM, the method bound as associated data).
 * @param {CryptoKey} kek @param {CryptoKey} vault extractable @param {string} method
 * @returns {Promise<{iv: Uint8Array, ct: Uint8Array}>}
 */
export async function wrapVault(kek, vault, method) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.wrapKey('raw', vault, kek,
    { name: 'AES-GCM', iv, additionalData: concat(WRAP_AAD, utf8(method)) }));
  return { iv, ct };
}

/**
 * The vault key from its wrap, never extractable; CryptoError when `kek` is not the one it was wrapped under (a
 * wrong PIN, passphrase or authenticator).
 * @param {CryptoKey} kek @param {{iv: Uint8Array, ct: Uint8Array}} wrap @param {string} method
 * @returns {Promise<CryptoKey>}
 */
export async function unwrapVault(kek, wrap, method) {
  try {
    const params = /** @type {AesGcmParams} */ ({ name: 'AES-GCM', iv: wrap.iv, additionalData: concat(WRAP_AAD,
      utf8(method)) });
    return await crypto.subtle.unwrapKey('raw', /** @type {BufferSource} */ (wrap.ct), kek, params,
      { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  } catch {
    throw new CryptoError('the lock did not open');
  }
}
