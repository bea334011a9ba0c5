/**
 * The app lock in the service worker (docs/WEB.md "App lock"): whether the app is locked, setting a lock up, changing
 * or removing it, unlocking (with the wrong-attempt policy of core/lock.js), locking at once, and forgetting the
 * device's keys after the last wrong try. While a lock is set the device's secrets rest under a vault key that lives
 * only in memory: here, and in the app's open pages, which hand it back when the browser restarted this worker.
 */

import { get, openDb, write } from '../data/db.js';
import { holdVault, opensWith, restUnder, vaultHeld } from '../data/device.js';
import { forgetPlaintexts } from '../data/entries.js';
import { forgetReceived } from './received.js';
import { forgetAttachments } from './attachments.js';
import { BetweenError } from '../core/errors.js';
import {
  DEFAULT_MINUTES, LOCK_KDF, LOCK_MINUTES, METHODS, afterFailure, lockKek, newVaultKey, unwrapVault, waitLeft,
  wrapVault,
} from '../core/lock.js';

const LOCK_KEY = 'lock';

/**
 * The row of 'meta' under 'lock' while a lock is set.
 * @typedef {{v: 1, method: 'pin'|'passphrase'|'prf', wrap: {iv: Uint8Array, ct: Uint8Array},
 *   kdf: {alg: string, memoryKib: number, iterations: number, lanes: number, salt: Uint8Array}|null,
 *   credId: Uint8Array|null, prfSalt: Uint8Array|null, minutes: number, failures: number, notBefore: number,
 *   lastFailAt: number|null}} LockRow
 */

// Whether the app is locked, as far as this worker knows: null until it has looked (at start, for a request).
/** @type {boolean|null} */
let lockedNow = null;

/**
 * For the worker's other parts (reminders, notifications): true when the app is locked, or when this worker has not
 * yet looked (treat as locked: show nothing of the content). A notification shown while this is true must carry
 * generic words only. `appLocked()` looks first.
 */
export const isLocked = () => lockedNow !== false;

/**
 * @param {{reset: () => void, tell: (message: object) => Promise<void>, recover: () => Promise<CryptoKey|null>,
 *   now?: () => number}} io
 *   reset: drop the worker's loaded state (keys, settings); tell: a message to every open page of the app;
 *   recover: ask the open pages for the vault key they hold (null when none does)
 */
export function createLock(io) {
  const now = io.now ?? (() => Date.now());
  /** @type {Promise<IDBDatabase>|null} */
  let opened = null;
  /** @type {LockRow|null|undefined} */
  let row; // undefined until read

  function database() {
    opened ??= openDb().then((db) => {
      const drop = () => { opened = null; row = undefined; };
      db.addEventListener('close', drop);
      db.addEventListener('versionchange', drop);
      return db;
    }, (err) => {
      opened = null;
      throw err;
    });
    return opened;
  }

  /** The lock row (null: no lock on this device), read once per worker life. @returns {Promise<LockRow|null>} */
  async function lockRow() {
    if (row === undefined) row = (await get(await database(), 'meta', LOCK_KEY)) ?? null;
    return row;
  }

  async function saveRow(next) {
    await write(await database(), ['meta'], (tx) => tx.objectStore('meta').put(next, LOCK_KEY));
    row = next;
  }

  let recovering = null;
  /**
   * Whether the app is locked now. A lock is set and no vault key is in memory: the open pages may still hold it
   * (the browser stopped and restarted this worker while the app was open), so they are asked once first.
   */
  async function locked() {
    const current = await lockRow();
    if (!current) return (lockedNow = false);
    if (vaultHeld()) return (lockedNow = false);
    recovering ??= (async () => {
      const key = await io.recover().catch(() => null);
      if (key && await opensWith(await database(), key)) {
        holdVault(key);
        io.reset();
      }
    })().finally(() => { recovering = null; });
    await recovering;
    return (lockedNow = !vaultHeld());
  }

  /** What the page needs to know: whether a lock is set, locked or not, and after how many minutes it locks. */
  async function state() {
    const current = await lockRow();
    return { configured: Boolean(current), locked: await locked(), minutes: current?.minutes ?? DEFAULT_MINUTES,
      method: current?.method ?? null };
  }

  /** Lock at once: the vault key and everything decrypted leave memory, here and in every page. */
  async function lockNow() {
    if (!(await lockRow())) return false;
    holdVault(null);
    lockedNow = true;
    io.reset();
    forgetPlaintexts();
    forgetReceived();
    forgetAttachments();
    await io.tell({ type: 'lock', locked: true });
    return true;
  }

  /**
   * Set a lock up, or change it (the app is unlocked: `me` is the device's unlocked secrets): a fresh vault key,
   * wrapped under the KEK from `output` (the page's Argon2id output for a PIN or passphrase under `salt`, or the PRF
   * output of the credential `credId` for `prfSalt`), and the device's secrets put to rest under it.
   * @param {{me: import('../data/device.js').Unlocked, method: string, output: Uint8Array, salt?: Uint8Array|null,
   *   credId?: Uint8Array|null, prfSalt?: Uint8Array|null, minutes?: number}} setup
   */
  async function setUp({ me, method, output, salt = null, credId = null, prfSalt = null, minutes = DEFAULT_MINUTES }) {
    if (!METHODS.includes(method)) throw new BetweenError('bad_method', 'unknown lock method');
    if (method === 'prf' ? !(credId?.length && prfSalt?.length === 32) : salt?.length !== 16) {
      throw new BetweenError('bad_setup', 'what the lock needs is missing');
    }
    const { wrappable, held } = await newVaultKey();
    const wrap = await wrapVault(await lockKek(method, output), wrappable, method);
    /** @type {LockRow} */
    const next = { v: 1, method: /** @type {any} */ (method), wrap,
      kdf: method === 'prf' ? null : { ...LOCK_KDF, salt }, credId: method === 'prf' ? credId : null,
      prfSalt: method === 'prf' ? prfSalt : null, minutes: LOCK_MINUTES.includes(minutes) ? minutes : DEFAULT_MINUTES,
      failures: 0, notBefore: 0, lastFailAt: null };
    const db = await database();
    await restUnder(db, me, held, (tx) => tx.objectStore('meta').put(next, LOCK_KEY));
    row = next;
    holdVault(held);
    lockedNow = false;
    io.reset();
    await io.tell({ type: 'lock', locked: false, key: held, minutes: next.minutes });
  }

  /** Remove the lock (the app is unlocked): the secrets rest under a fresh device key again, as before any lock. */
  async function turnOff(me) {
    const db = await database();
    await restUnder(db, me, null, (tx) => tx.objectStore('meta').delete(LOCK_KEY));
    row = null;
    holdVault(null);
    lockedNow = false;
    io.reset();
    await io.tell({ type: 'lock', locked: false, configured: false });
  }

  /** After how many minutes in the background or idle the app locks itself. @param {number} minutes */
  async function setMinutes(minutes) {
    const current = await lockRow();
    if (!current || !LOCK_MINUTES.includes(minutes)) throw new BetweenError('bad_minutes', 'not a choice');
    await saveRow({ ...current, minutes });
    await io.tell({ type: 'lock', locked: false, minutes });
  }

  /**
   * One try to unlock with `output` (the Argon2id output of what was typed, or the PRF output). Refused without
   * trying while a wait after wrong tries runs. A wrong one is counted and sets the next wait; the tenth wrong one in
   * a row forgets this device's keys and data (`forgotten`).
   * @param {{method: string, output: Uint8Array}} attempt
   * @returns {Promise<{ok: true}|{ok: false, wait: number, failures: number, forgotten: boolean}>}
   */
  async function unlock({ method, output }) {
    row = undefined; // the attempt state as stored, not as this worker last saw it
    const current = await lockRow();
    if (!current) return { ok: true };
    const left = waitLeft(current, now());
    if (left > 0) return { ok: false, wait: left, failures: current.failures, forgotten: false };
    let key = null;
    if (method === current.method) {
      try {
        key = await unwrapVault(await lockKek(method, output), current.wrap, method);
      } catch {
        key = null;
      }
    }
    if (key && await opensWith(await database(), key)) {
      if (current.failures) await saveRow({ ...current, failures: 0, notBefore: 0, lastFailAt: null });
      holdVault(key);
      lockedNow = false;
      io.reset();
      await io.tell({ type: 'lock', locked: false, key, minutes: current.minutes });
      return { ok: true };
    }
    const next = afterFailure(current, now());
    if (next.forget) {
      await forgetKeys();
      return { ok: false, wait: 0, failures: next.failures, forgotten: true };
    }
    await saveRow({ ...current, ...next });
    return { ok: false, wait: next.notBefore - now(), failures: next.failures, forgotten: false };
  }

  /**
   * Every key and entry off this device, as "Forget this device" does but without the session (it rests under the
   * vault key too): the server keeps the device listed until it is signed out from another device or expires.
   */
  async function forgetKeys() {
    holdVault(null);
    io.reset();
    forgetPlaintexts();
    forgetReceived();
    forgetAttachments();
    const db = await database();
    db.close();
    opened = null;
    row = undefined;
    lockedNow = false;
    await /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(db.name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      req.onblocked = () => resolve(); // finishes once the last connection closes
    }));
    await io.tell({ type: 'lock', locked: false, configured: false, forgotten: true });
  }

  return { locked, state, lockRow, lockNow, setUp, turnOff, setMinutes, unlock, configured: async () => Boolean(await lockRow()) };
}
