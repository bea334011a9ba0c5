/**
 * The app lock in the service worker (docs/WEB.md "App lock"): whether the app is locked, setting a lock up, changing
 * or removing it, unlocking (with the wrong-attempt policy of core/lock.js), locking at once, and forgetting the
 * device's keys after the last wrong try. While a lock is set the device's secrets rest under a vault key that lives
 * only in memory: here, and in the app's open pages, which hand it back when the browser restarted this worker.
 */

import { get, openDb, write } from '../data/db.js';
import { dropVault, holdVault, lockGeneration, opensWith, restUnder, vaultHeld } from '../data/device.js';
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
 * `fallback`: with the PRF method only, a PIN or passphrase that unlocks too (the authenticator lost, broken or not
 * at hand): the same vault key wrapped a second time, under that secret's Argon2id output. Both share one count of
 * wrong tries.
 * @typedef {{alg: string, memoryKib: number, iterations: number, lanes: number, salt: Uint8Array}} LockKdf
 * @typedef {{method: 'pin'|'passphrase', wrap: {iv: Uint8Array, ct: Uint8Array}, kdf: LockKdf}} LockFallback
 * @typedef {{v: 1, method: 'pin'|'passphrase'|'prf', wrap: {iv: Uint8Array, ct: Uint8Array},
 *   kdf: LockKdf|null, credId: Uint8Array|null, prfSalt: Uint8Array|null, fallback?: LockFallback|null,
 *   minutes: number, failures: number, notBefore: number, lastFailAt: number|null}} LockRow
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
 *   windows?: () => Promise<number>, now?: () => number}} io
 *   reset: drop the worker's loaded state (keys, settings); tell: a message to every open page of the app;
 *   recover: ask the open pages for the vault key they hold (null when none does); windows: how many windows of the
 *   app are open
 */
export function createLock(io) {
  const now = io.now ?? (() => Date.now());
  const windows = io.windows ?? (async () => 1);
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

  // Locked on purpose (lockNow) in this worker's life: no page is asked for the key again until an unlock. The lock
  // generation (data/device.js) moves on at every lock: a key asked for before it is not used after it.
  let lockedHere = false;
  let recovering = null;
  /**
   * Whether the app is locked now. A lock is set and no vault key is in memory: the open pages may still hold it
   * (the browser stopped and restarted this worker while the app was open), so they are asked once first, unless the
   * app was locked meanwhile. A key that comes back is used only if no lock came between the question and the answer.
   */
  async function locked() {
    const current = await lockRow();
    if (!current) return (lockedNow = false);
    if (vaultHeld()) return (lockedNow = false);
    if (lockedHere) return (lockedNow = true);
    recovering ??= (async () => {
      const asked = lockGeneration();
      const key = await io.recover().catch(() => null);
      if (!key || !(await opensWith(await database(), key))) return;
      if (lockedHere || lockGeneration() !== asked || vaultHeld()) return; // locked meanwhile: the key stays out
      holdVault(key);
      seen();
      io.reset();
    })().finally(() => { recovering = null; });
    await recovering;
    return (lockedNow = !vaultHeld());
  }

  // When a window of the app was last known open (a request or a message from one). The pages lock after the
  // minutes by their own timers; with no window open, no timer runs there, so the worker looks at this itself on
  // every request, message and push (its own timers do not outlive it, and it is stopped and woken at will).
  let seenAt = now();
  /** A window of the app is open (it sent a request or a message). */
  function seen() {
    seenAt = now();
  }

  /**
   * Lock at once if the app is unlocked, no window of it is open, and none has been for the chosen minutes (audit
   * F7: a worker the browser keeps alive with every window closed would otherwise keep the vault key).
   */
  async function lockIfAlone() {
    if (!vaultHeld()) return;
    const current = await lockRow();
    if (!current || now() - seenAt < current.minutes * 60e3) return;
    if (await windows().catch(() => 0)) {
      seen(); // open windows keep their own time (page/lock.js)
      return;
    }
    await lockNow();
  }

  /**
   * What the page needs to know: whether a lock is set, locked or not, after how many minutes it locks, its method
   * and the fallback of a PRF lock (null: none).
   */
  async function state() {
    const current = await lockRow();
    return { configured: Boolean(current), locked: await locked(), minutes: current?.minutes ?? DEFAULT_MINUTES,
      method: current?.method ?? null, fallback: current?.fallback?.method ?? null };
  }

  /**
   * Lock at once: the vault key and everything decrypted leave memory, here and in every page; no page is asked for
   * the key again (a question already asked is not answered with it: the generation moved on).
   */
  async function lockNow() {
    if (!(await lockRow())) return false;
    dropVault(true);
    lockedHere = true;
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
   * output of the credential `credId` for `prfSalt`), and the device's secrets put to rest under it. A PRF lock may
   * have a `fallback` PIN or passphrase (its Argon2id output under its own salt): the vault key is wrapped under both.
   * @param {{me: import('../data/device.js').Unlocked, method: string, output: Uint8Array, salt?: Uint8Array|null,
   *   credId?: Uint8Array|null, prfSalt?: Uint8Array|null, minutes?: number,
   *   fallback?: {method: string, output: Uint8Array, salt: Uint8Array}|null}} setup
   */
  async function setUp({ me, method, output, salt = null, credId = null, prfSalt = null, minutes = DEFAULT_MINUTES,
    fallback = null }) {
    if (!METHODS.includes(method)) throw new BetweenError('bad_method', 'unknown lock method');
    if (method === 'prf' ? !(credId?.length && prfSalt?.length === 32) : salt?.length !== 16) {
      throw new BetweenError('bad_setup', 'what the lock needs is missing');
    }
    if (fallback && (method !== 'prf' || !['pin', 'passphrase'].includes(fallback.method)
      || fallback.salt?.length !== 16)) {
      throw new BetweenError('bad_setup', 'a fallback is a PIN or passphrase, for a PRF lock only');
    }
    const { wrappable, held } = await newVaultKey();
    const wrap = await wrapVault(await lockKek(method, output), wrappable, method);
    const second = fallback ? { method: /** @type {'pin'|'passphrase'} */ (fallback.method),
      wrap: await wrapVault(await lockKek(fallback.method, fallback.output), wrappable, fallback.method),
      kdf: { ...LOCK_KDF, salt: fallback.salt } } : null;
    /** @type {LockRow} */
    const next = { v: 1, method: /** @type {any} */ (method), wrap,
      kdf: method === 'prf' ? null : { ...LOCK_KDF, salt }, credId: method === 'prf' ? credId : null,
      prfSalt: method === 'prf' ? prfSalt : null, fallback: second,
      minutes: LOCK_MINUTES.includes(minutes) ? minutes : DEFAULT_MINUTES, failures: 0, notBefore: 0,
      lastFailAt: null };
    const db = await database();
    await restUnder(db, me, held, (tx) => tx.objectStore('meta').put(next, LOCK_KEY));
    row = next;
    holdVault(held);
    lockedHere = false;
    lockedNow = false;
    io.reset();
    await io.tell({ type: 'lock', locked: false, key: held, minutes: next.minutes });
  }

  /** Remove the lock (the app is unlocked): the secrets rest under a fresh device key again, as before any lock. */
  async function turnOff(me) {
    const db = await database();
    await restUnder(db, me, null, (tx) => tx.objectStore('meta').delete(LOCK_KEY));
    row = null;
    dropVault(false);
    lockedHere = false;
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

  // Unlock tries, one at a time (two tabs, or messages sent together, would each read the same count otherwise).
  /** @type {Promise<unknown>} */
  let attempts = Promise.resolve();

  /**
   * One try to unlock with `output` (the Argon2id output of what was typed, or the PRF output), by the lock's method
   * or its fallback's. Refused without trying while a wait after wrong tries runs. Tries run one after another, and
   * each is counted as wrong before it is tried (the count and the next wait are stored first; a worker stopped in
   * the middle has counted it), then set back to zero when it was right. The tenth wrong one in a row forgets this
   * device's keys and data (`forgotten`).
   * @param {{method: string, output: Uint8Array}} attempt
   * @returns {Promise<{ok: true}|{ok: false, wait: number, failures: number, forgotten: boolean}>}
   */
  function unlock(attempt) {
    const run = attempts.then(() => tryUnlock(attempt));
    attempts = run.catch(() => {});
    return run;
  }

  /**
   * @param {{method: string, output: Uint8Array}} attempt
   * @returns {Promise<{ok: true}|{ok: false, wait: number, failures: number, forgotten: boolean}>}
   */
  async function tryUnlock({ method, output }) {
    row = undefined; // the attempt state as stored, not as this worker last saw it
    const current = await lockRow();
    if (!current) return { ok: true };
    const left = waitLeft(current, now());
    if (left > 0) return { ok: false, wait: left, failures: current.failures, forgotten: false };
    const next = afterFailure(current, now());
    const { forget, ...counted } = next;
    await saveRow({ ...current, ...counted });
    const asked = lockGeneration();
    let key = null;
    const wrap = method === current.method ? current.wrap
      : method === current.fallback?.method ? current.fallback.wrap : null;
    if (wrap) {
      try {
        key = await unwrapVault(await lockKek(method, output), wrap, method);
      } catch {
        key = null;
      }
    }
    if (key && await opensWith(await database(), key)) {
      await saveRow({ ...current, failures: 0, notBefore: 0, lastFailAt: null });
      // Locked again (or the keys forgotten) while this try ran: it was right, but it opens nothing now.
      if (lockGeneration() !== asked) return { ok: false, wait: 0, failures: 0, forgotten: false };
      holdVault(key);
      seen();
      lockedHere = false;
      lockedNow = false;
      io.reset();
      await io.tell({ type: 'lock', locked: false, key, minutes: current.minutes });
      return { ok: true };
    }
    if (forget) {
      await forgetKeys();
      return { ok: false, wait: 0, failures: next.failures, forgotten: true };
    }
    return { ok: false, wait: next.notBefore - now(), failures: next.failures, forgotten: false };
  }

  /**
   * Every key and entry off this device, as "Forget this device" does but without the session (it rests under the
   * vault key too): the server keeps the device listed until it is signed out from another device or expires.
   */
  async function forgetKeys() {
    dropVault(false);
    lockedHere = false;
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

  return { locked, state, lockRow, lockNow, setUp, turnOff, setMinutes, unlock, seen, lockIfAlone,
    configured: async () => Boolean(await lockRow()) };
}
