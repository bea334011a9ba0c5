/** This device's keys: the account made on the device, kept at rest only under a non-extractable device key. */

import { concat, fromUtf8, newUuid, utf8, uuidString } from '../core/bytes.js';
import { ed25519Public } from '../core/crypto.js';
import { get, write } from './db.js';
import { deriveKwk, newLocalSecrets } from '../core/keys.js';

// Local-only AAD of the device wrap (not a protocol label: these bytes never leave the device).
const DEVICE_WRAP_AAD = utf8('between/web/device-secrets/v1');
const META_KEY = 'device';

/**
 * @typedef {{userId: Uint8Array, accountKey: Uint8Array, sigSeed: Uint8Array, kemSeed: Uint8Array,
 *   kwk: Uint8Array, sigPub: Uint8Array, deviceId: string, handle: string|null, role: 'client'|'therapist',
 *   session: {deviceKey: CryptoKey, devicePub: Uint8Array}|null}} Unlocked
 */

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
    { name: 'AES-GCM', iv: row.wrapped.iv, additionalData: concat(DEVICE_WRAP_AAD, row.userId) }, row.dlk, row.wrapped.ct));
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
  let row = await get(db, 'meta', META_KEY);
  if (!row) {
    await createDevice(db);
    row = await get(db, 'meta', META_KEY);
  }
  const secrets = await unwrapSecrets(row);
  const [kwk, sigPub] = await Promise.all([deriveKwk(secrets.accountKey), ed25519Public(secrets.sigSeed)]);
  return {
    userId: row.userId, deviceId: row.deviceId, handle: row.handle, role: row.role, ...secrets, kwk, sigPub,
    // Signed in: this device's session key (a non-extractable Ed25519 CryptoKey) and its public half.
    session: row.session ? { deviceKey: row.session.deviceKey, devicePub: row.session.devicePub } : null,
  };
}

const TOKEN_AAD = utf8('between/web/session-token/v1');

/**
 * Become (or stay) an account on this device: the account's secrets are re-wrapped under the same DLK, and
 * the session's device key and token are kept. Without `session` the device is signed out but keeps its data.
 * @param {IDBDatabase} db
 * @param {{userId: Uint8Array, handle: string|null, role: string, accountKey: Uint8Array, sigSeed: Uint8Array,
 *   kemSeed: Uint8Array, deviceId: string, session: {deviceKey: CryptoKey, devicePub: Uint8Array, token: string}|null}} next
 * @param {(tx: IDBTransaction) => void} [alsoInTx] more writes that must commit together with the keys
 */
export async function saveAccount(db, next, alsoInTx = () => {}) {
  const row = await get(db, 'meta', META_KEY);
  const wrapped = await wrapSecrets(row.dlk, next.userId, next);
  const session = next.session ? { deviceKey: next.session.deviceKey, devicePub: next.session.devicePub,
    tokenWrap: await sealToken(row.dlk, next.session.token) } : null;
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
    row.dlk, ct)));
}

/** Replace the session token after a refresh. */
export async function storeToken(db, token) {
  const row = await get(db, 'meta', META_KEY);
  if (!row?.session) return;
  const tokenWrap = await sealToken(row.dlk, token);
  await write(db, ['meta'], (tx) => { tx.objectStore('meta').put({ ...row, session: { ...row.session, tokenWrap } }, META_KEY); });
}
