/** This device's keys: the account made on the device, kept at rest only under a non-extractable device key. */

import { concat, equal, fromUtf8, newUuid, utf8, uuidString } from '../core/bytes.js';
import { ed25519Public } from '../core/crypto.js';
import { get, write } from './db.js';
import { deriveKwk, newLocalSecrets } from '../core/keys.js';
import { BetweenError } from '../core/errors.js';

// Local-only AAD of the device wrap (not a protocol label: these bytes never leave the device).
const DEVICE_WRAP_AAD = utf8('between/web/device-secrets/v1');
const META_KEY = 'device';

// With an app lock set (engine/lock.js), the device row holds no DLK: the secrets rest under the vault key, which
// exists only in memory (here, and in the app's open pages) while the app is unlocked.
/** @type {CryptoKey|null} */
let vault = null;

// The lock generation: one more each time the keys leave memory (the app locked, the lock turned off, the keys
// forgotten). A device's unlocked secrets carry the generation they were read in (`unlockDevice`); work that began
// before a lock (a handler, a sync run) holds secrets of an older one, and nothing of it is decrypted or kept after.
let generation = 0;
// Locked: the keys left memory for a lock and the vault key is not back yet. No decrypted document is kept then.
let shut = false;

/** Hold the vault key in memory (the app was unlocked, or a lock set up). @param {CryptoKey} key */
export function holdVault(key) {
  vault = key;
  shut = false;
}

/**
 * The keys leave memory: the vault key is dropped and the lock generation moves on. `locked`: for a lock (no
 * plaintext is kept until it is unlocked), not for the lock turned off or the keys forgotten.
 */
export function dropVault(locked) {
  vault = null;
  generation += 1;
  shut = locked;
}

/** The lock generation now (see `dropVault`). */
export const lockGeneration = () => generation;

/** Whether plaintext may be kept in memory: not while locked, nor for secrets read before the last lock. */
export const mayKeepPlaintext = (me = null) => !shut && (me?.generation ?? generation) === generation;

/** Whether the vault key is held in memory. */
export const vaultHeld = () => vault !== null;

/** The vault key held in memory (to hand to a page of the app), or null. */
export const heldVault = () => vault;

/** The app is locked: the device's secrets cannot be read until it is unlocked (engine/lock.js). */
export class LockedError extends BetweenError {
  static defaultCode = 'locked';
}

/** The key the device's secrets rest under: its DLK, or with an app lock the vault key held in memory. */
function restKey(row) {
  if (row.dlk) return row.dlk;
  if (!vault) throw new LockedError('the app is locked');
  return vault;
}

/**
 * @typedef {{userId: Uint8Array, accountKey: Uint8Array, sigSeed: Uint8Array, kemSeed: Uint8Array,
 *   kwk: Uint8Array, sigPub: Uint8Array, deviceId: string, handle: string|null, role: 'client'|'therapist',
 *   session: {deviceKey: CryptoKey, devicePub: Uint8Array}|null, generation?: number}} Unlocked
 * generation: the lock generation the secrets were read in (`lockGeneration`)
 */

/** Refuse secrets read before the last lock: what was started then stops at its next decryption. @param {Unlocked} me */
export function stillUnlocked(me) {
  if (shut || (me.generation !== undefined && me.generation !== generation)) throw new LockedError('the app locked');
}

async function wrapSecrets(dlk, userId, secrets) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = concat(secrets.accountKey, secrets.sigSeed, secrets.kemSeed);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: concat(DEVICE_WRAP_AAD, userId) },
    dlk, plain));
  plain.fill(0);
  return { iv, ct };
}

async function unwrapSecrets(row) {
  const plain = new Uint8Array(await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: row.wrapped.iv, additionalData: concat(DEVICE_WRAP_AAD, row.userId) }, restKey(row),
    row.wrapped.ct));
  return { accountKey: plain.slice(0, 32), sigSeed: plain.slice(32, 64), kemSeed: plain.slice(64, 96) };
}

/**
 * First run without an account: make the account key and identity seeds here. The device key (DLK) is a
 * non-extractable AES-GCM CryptoKey stored in IndexedDB, so script can use it but never read it out; the
 * account secrets rest only as AES-GCM(DLK, ...). A later signup wraps this same account key, keeping the data.
 */
async function createDevice(db) {
  const dlk = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const userId = newUuid();
  const secrets = newLocalSecrets();
  // deviceId names this device in documents now and registers it with a server at sign-in later.
  const row = { userId, deviceId: uuidString(newUuid()), dlk, wrapped: await wrapSecrets(dlk, userId, secrets),
    handle: null, role: 'client', createdAt: new Date().toISOString() };
  try {
    // add(), not put(): if another context created the device first, theirs wins and we read it back.
    await write(db, ['meta'], (tx) => { tx.objectStore('meta').add(row, META_KEY); });
  } catch (err) {
    if (err?.name !== 'ConstraintError') throw err;
  }
}

/** The device's unlocked secrets, creating them on first use. @param {IDBDatabase} db @returns {Promise<Unlocked>} */
export async function unlockDevice(db) {
  const since = generation; // a lock while the row is read and opened makes these secrets stale at once
  let row = await get(db, 'meta', META_KEY);
  if (!row) {
    await createDevice(db);
    row = await get(db, 'meta', META_KEY);
  }
  const secrets = await unwrapSecrets(row);
  const [kwk, sigPub, deviceKey] = await Promise.all([deriveKwk(secrets.accountKey), ed25519Public(secrets.sigSeed),
    row.session ? sessionKey(row) : null]);
  return {
    userId: row.userId, deviceId: row.deviceId, handle: row.handle, role: row.role, ...secrets, kwk, sigPub,
    // Signed in: this device's session key (a non-extractable Ed25519 CryptoKey) and its public half.
    session: row.session ? { deviceKey, devicePub: row.session.devicePub } : null,
    generation: since,
  };
}

const TOKEN_AAD = utf8('between/web/session-token/v1');
// The session's sign-in key at rest (local only, like the device wrap): bound to its public half.
const SESSION_KEY_AAD = utf8('between/web/session-key/v1');
const sessionKeyAad = (devicePub) => concat(SESSION_KEY_AAD, devicePub);

async function sealBytes(key, additionalData, bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, bytes));
  return { iv, ct };
}

async function openBytes(key, additionalData, { iv, ct }) {
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, ct));
}

/**
 * The session's sign-in key (Ed25519, imported non-extractable): its PKCS#8 private key rests sealed under the
 * device's rest key like the token (`keyWrap`), so a locked device's storage holds no key that can sign in. A device
 * signed in before it was sealed keeps the non-extractable CryptoKey the browser stores (`deviceKey`) until it signs
 * in again (docs/SECURITY.md "What the lock does not cover").
 */
async function sessionKey(row) {
  if (!row.session.keyWrap) return row.session.deviceKey;
  const pkcs8 = await openBytes(restKey(row), sessionKeyAad(row.session.devicePub), row.session.keyWrap);
  try {
    return await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  } finally {
    pkcs8.fill(0);
  }
}

/** The session's sign-in key as it rests under `key`: sealed, or the stored CryptoKey of an older sign-in. */
async function sessionKeyAtRest(key, session, row) {
  if (session.deviceSeed) return { keyWrap: await sealBytes(key, sessionKeyAad(session.devicePub), session.deviceSeed) };
  if (row.session?.keyWrap && equal(row.session.devicePub, session.devicePub)) {
    const pkcs8 = await openBytes(restKey(row), sessionKeyAad(session.devicePub), row.session.keyWrap);
    try {
      return { keyWrap: await sealBytes(key, sessionKeyAad(session.devicePub), pkcs8) };
    } finally {
      pkcs8.fill(0);
    }
  }
  return { deviceKey: session.deviceKey };
}

/**
 * Become (or stay) an account on this device: the account's secrets are re-wrapped under the same DLK, and
 * the session's device key and token are kept. Without `session` the device is signed out but keeps its data.
 * @param {IDBDatabase} db
 * @param {{userId: Uint8Array, handle: string|null, role: string, accountKey: Uint8Array, sigSeed: Uint8Array,
 *   kemSeed: Uint8Array, deviceId: string, session: {deviceKey: CryptoKey, devicePub: Uint8Array, token: string,
 *   deviceSeed?: Uint8Array}|null}} next
 *   deviceSeed: a new session key's PKCS#8 private key, sealed here and zeroed (engine/account.js newDeviceKey)
 * @param {(tx: IDBTransaction) => void} [alsoInTx] more writes that must commit together with the keys
 */
export async function saveAccount(db, next, alsoInTx = () => {}) {
  const row = await get(db, 'meta', META_KEY);
  const wrapped = await wrapSecrets(restKey(row), next.userId, next);
  const session = next.session ? { ...(await sessionKeyAtRest(restKey(row), next.session, row)),
    devicePub: next.session.devicePub, tokenWrap: await sealToken(restKey(row), next.session.token) } : null;
  next.session?.deviceSeed?.fill(0);
  const updated = { ...row, userId: next.userId, handle: next.handle, role: next.role, deviceId: next.deviceId,
    wrapped, session };
  await write(db, ['meta', 'records', 'revisions', 'peers'], (tx) => {
    tx.objectStore('meta').put(updated, META_KEY);
    alsoInTx(tx);
  });
}

async function sealToken(dlk, token) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: TOKEN_AAD }, dlk,
    utf8(token)));
  return { iv, ct };
}

/** The session token (kept under the DLK at rest, like the keys), or null when signed out. */
export async function readToken(db) {
  const row = await get(db, 'meta', META_KEY);
  if (!row?.session?.tokenWrap) return null;
  const { iv, ct } = row.session.tokenWrap;
  return fromUtf8(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: TOKEN_AAD },
    restKey(row), ct)));
}

/** Replace the session token after a refresh. */
export async function storeToken(db, token) {
  const row = await get(db, 'meta', META_KEY);
  if (!row?.session) return;
  const tokenWrap = await sealToken(restKey(row), token);
  await write(db, ['meta'], (tx) => { tx.objectStore('meta').put({ ...row, session: { ...row.session, tokenWrap } }, META_KEY); });
}

/**
 * Put the device's secrets (and the session token) to rest under another key, in one transaction with `alsoInTx`:
 * `key` a vault key (an app lock set up or changed; the DLK is dropped from the row), or null for a fresh DLK (the
 * lock turned off). `me` is the unlocked device; the row must be readable now (unlocked).
 * @param {IDBDatabase} db @param {Unlocked} me @param {CryptoKey|null} key
 * @param {(tx: IDBTransaction) => void} alsoInTx
 */
export async function restUnder(db, me, key, alsoInTx) {
  const row = await get(db, 'meta', META_KEY);
  const token = await readToken(db);
  const next = key ?? await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const wrapped = await wrapSecrets(next, me.userId, me);
  const session = row.session ? { ...row.session, ...(row.session.keyWrap ? await sessionKeyAtRest(next, row.session, row) : {}),
    tokenWrap: token === null ? null : await sealToken(next, token) } : null;
  const { dlk: _dropped, ...rest } = row;
  const updated = key ? { ...rest, wrapped, session } : { ...rest, dlk: next, wrapped, session };
  await write(db, ['meta'], (tx) => {
    tx.objectStore('meta').put(updated, META_KEY);
    alsoInTx(tx);
  });
}

/** Whether this device's secrets can be opened with `key` (a vault key a page handed back). @param {IDBDatabase} db */
export async function opensWith(db, key) {
  const row = await get(db, 'meta', META_KEY);
  if (!row || row.dlk) return false;
  try {
    new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.wrapped.iv,
      additionalData: concat(DEVICE_WRAP_AAD, row.userId) }, key, row.wrapped.ct)).fill(0);
    return true;
  } catch {
    return false;
  }
}
