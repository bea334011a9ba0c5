/** Argon2id for the page: hash-wasm (served at /vendor/argon2.js) in a module Worker, so the UI never freezes. */

import { normalizePassphrase } from '../core/crypto.js';

/** @type {Worker|null} */
let worker = null;
let nextId = 0;
const pending = new Map();

function kdfWorker() {
  if (worker) return worker;
  worker = new Worker('/js/page/kdf-worker.js', { type: 'module', name: 'between-kdf' });
  worker.onmessage = ({ data }) => {
    const job = pending.get(data.id);
    pending.delete(data.id);
    if (!job) return;
    if (data.out) job.resolve(new Uint8Array(data.out));
    else job.reject(new Error('key derivation failed'));
  };
  worker.onerror = () => {
    for (const job of pending.values()) job.reject(new Error('key derivation failed'));
    pending.clear();
    worker = null;
  };
  return worker;
}

/**
 * Argon2id v1.3, 32-byte output over the NFKC-normalised UTF-8 passphrase: the same contract as
 * sync/core/crypto.py argon2id. The floor is the caller's to check first (keys.derivePassphraseKeys does).
 * @param {string} passphrase @param {number} memoryKib @param {number} iterations @param {number} lanes
 * @param {Uint8Array} salt @returns {Promise<Uint8Array>}
 */
export function argon2id(passphrase, memoryKib, iterations, lanes, salt) {
  const id = ++nextId;
  const password = normalizePassphrase(passphrase);
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // The passphrase bytes are transferred, not copied: no second copy stays behind in this thread.
    kdfWorker().postMessage({ id, password, salt: Uint8Array.from(salt), memoryKib, iterations, lanes },
      [password.buffer]);
  });
}
