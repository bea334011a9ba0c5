/** Accounts on this device: turn on sync from the device's own keys, sign in, refresh sessions, sign out, forget. */

import { equal, newUuid, uuidBytes, uuidString } from '../core/bytes.js';
import { randomBytes } from '../core/crypto.js';
import { getAll } from '../data/db.js';
import { readToken, saveAccount, storeToken } from '../data/device.js';
import { forgetPlaintexts, openPlaintext } from '../data/entries.js';
import { forgetReceived } from './received.js';
import { forgetAttachments } from './attachments.js';
import { BetweenError, CryptoError } from '../core/errors.js';
import { text } from '../core/messages.js';
import {
  checkKdf, deriveIdwk, deriveKwk, derivePassphraseKeys, deriveRecoveryKeys, finishUnlock, formatRecoveryKey, makeBundle,
  openPwEnvelope, openRkEnvelope, parseRecoveryKey, passphraseChangeBound, sealIdWrap, sealPwEnvelope, sealRkEnvelope,
  signAuth,
} from '../core/keys.js';
import { FLAG_DELETED, KDF_DEFAULT, authTranscript, parseHeader } from '../core/layout.js';
import { revId, sealRevision, wrapDek } from '../core/records.js';
import { Api, ApiError, bundleFromWire, bundleToWire, kdfFromWire, kdfToWire } from '../data/api.js';

export const HANDLE = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const MIN_PASSPHRASE = 10;
// Visible to the server (docs/CLI.md): says what kind of device, nothing about the person.
/**
 * The name this device is listed under in "Your devices": the browser and system, as the User-Agent every
 * request carries tells the server anyway (nothing new reaches it). At most 64 characters (wire DeviceName).
 * @param {string} [ua] navigator.userAgent
 */
export function deviceName(ua = globalThis.navigator?.userAgent ?? '') {
  const system = /** @type {[RegExp, string][]} */ ([[/Android/, 'Android'], [/iPhone/, 'iPhone'], [/iPad/, 'iPad'],
    [/CrOS/, 'ChromeOS'], [/Macintosh|Mac OS X/, 'Mac'], [/Windows/, 'Windows'], [/Linux/, 'Linux']])
    .find(([re]) => re.test(ua))?.[1];
  const browser = /** @type {[RegExp, string][]} */ ([[/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'],
    [/SamsungBrowser\//, 'Samsung Internet'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari']])
    .find(([re]) => re.test(ua))?.[1];
  if (!system && !browser) return 'Between web app';
  return `Between in ${browser ?? 'a browser'}${system ? ` on ${system}` : ''}`.slice(0, 64);
}
const CHALLENGE_LIFE_MS = 50_000;

/**
 * A fresh session key for this device: Ed25519, generated here. In use it is a non-extractable CryptoKey; its PKCS#8
 * private key (`deviceSeed`) is only for data/device.js saveAccount, which seals it like the token and zeroes it.
 */
export async function newDeviceKey() {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const deviceSeed = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const deviceKey = await crypto.subtle.importKey('pkcs8', deviceSeed, { name: 'Ed25519' }, false, ['sign']);
  return { deviceKey, deviceSeed, devicePub: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

/** A problem's code -> its words, `account.problem.<name>` in the catalogue. */
const PROBLEMS = Object.freeze({ handle_taken: 'handleTaken', user_exists: 'userExists',
  invalid_credentials: 'invalidCredentials', registration_closed: 'registrationClosed', rate_limited: 'rateLimited',
  unreachable: 'unreachable', kdf_below_floor: 'kdfBelowFloor', bad_recovery_key: 'badRecoveryKey', crypto: 'crypto',
  wrong_current: 'wrongCurrent', wrong_passphrase: 'wrongPassphrase', wrong_recovery: 'wrongRecovery',
  expired: 'expired', signed_out: 'signedOut', weak_kdf: 'weakKdf' });

/** Words a person can act on for a problem the server sent (its details stay out of the screen). */
export function explain(err) {
  const key = Object.hasOwn(PROBLEMS, err?.code) ? PROBLEMS[err.code] : 'other';
  return text(`account.problem.${key}`);
}

/** Floor first, then our own default: a new account never gets a cheaper Argon2id than 64 MiB, t=3. */
export function checkNewKdf(kdf) {
  checkKdf(kdf);
  if (kdf.memoryKib < KDF_DEFAULT.memoryKib || kdf.iterations < KDF_DEFAULT.iterations) {
    throw new BetweenError('weak_kdf', 'a new account uses at least the default key derivation cost');
  }
}

/**
 * What GET /account served after a sign-in must match (PROTOCOL.md section 17, sign-in flow): the handle signed in,
 * the Session's user id, and exactly the KDF parameters prelogin served, under which the login key and the
 * passphrase KEK were already derived (so no second Argon2id runs, and a server cannot name other parameters).
 * @typedef {{alg: string, memory_kib: number, iterations: number, lanes: number, salt: Uint8Array}} WireKdf
 * @param {{handle: string, user_id: string, kdf: WireKdf}} account the AccountKeys answer
 * @param {{handle: string, userId: string, kdf: WireKdf}} expected `kdf` is prelogin's Challenge.kdf (wire form)
 */
export function checkServedAccount(account, { handle, userId, kdf }) {
  if (account.handle !== handle || account.user_id !== userId) {
    throw new CryptoError('the server answered for another account');
  }
  const [a, b] = [account.kdf, kdf];
  if (a.alg !== b.alg || a.memory_kib !== b.memory_kib || a.iterations !== b.iterations || a.lanes !== b.lanes
    || !equal(a.salt, b.salt)) {
    throw new CryptoError('the server changed the key derivation parameters during sign-in');
  }
}

/**
 * The account half of the local server. `env()` is the worker's loaded state, `reset()` drops it after the
 * keys changed, `origin` is this app's (and the API's) origin.
 */
export function createAccounts({ env, reset, origin }) {
  const challenges = new Map(); // handle -> {challenge, at}: prelogin answers waiting for the page's Argon2id

  async function sessionApi() {
    const { db, me } = await env();
    if (!me.session) return null;
    return new Api(origin, { token: () => readToken(db), refresh: () => refresh() });
  }

  /** A new session without the passphrase: the device signs a device challenge with its own key. */
  async function refresh() {
    const { db, me } = await env();
    const api = new Api(origin);
    try {
      const ch = await api.deviceChallenge(me.deviceId);
      const transcript = authTranscript(origin, me.handle, ch.challenge_id, ch.challenge, 'refresh', uuidBytes(me.deviceId));
      const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', me.session.deviceKey, transcript));
      const session = await api.refresh({ device_id: me.deviceId, challenge_id: ch.challenge_id, signature });
      await storeToken(db, session.token);
      return session.token;
    } catch (err) {
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
        // The server no longer takes this device's key (signed out from another device, or removed): the session
        // is dropped here too, so the Sync screen offers to sign in again. Entries and unsent changes stay.
        await saveAccount(db, { ...me, session: null });
        reset();
        throw new BetweenError('signed_out', 'this device is signed out (revoked or expired)');
      }
      throw err;
    }
  }

  /**
   * Turn on sync: an account from the keys this device already holds, so every entry stays as it is.
   * @param {{handle: string, kdf: import('../core/keys.js').KdfParams, prk: Uint8Array,
   *   role?: 'client'|'therapist', inviteCode?: string}} form
   */
  async function signup({ handle, kdf, prk, role = 'client', inviteCode = '' }) {
    const { db, me } = await env();
    if (me.session) throw new BetweenError('signed_in', 'this device is signed in already');
    if (!HANDLE.test(handle)) throw new BetweenError('bad_handle', 'bad handle');
    if (role !== 'client' && role !== 'therapist') throw new BetweenError('bad_role', 'bad role');
    const code = String(inviteCode ?? '').trim();
    if (code.length > 128) throw new BetweenError('registration_closed', 'bad invitation code');
    checkNewKdf(kdf);
    // The page ran Argon2id in its worker; only that output crosses into this worker, never the passphrase.
    const pw = await derivePassphraseKeys('', kdf, async () => prk);
    const recovery = randomBytes(16);
    const rk = await deriveRecoveryKeys(recovery);
    const secrets = { userId: me.userId, handle, role, accountKey: me.accountKey, sigSeed: me.sigSeed,
      kemSeed: me.kemSeed };
    const device = await newDeviceKey();
    const deviceId = uuidString(newUuid());
    const session = await new Api(origin).signup({
      user_id: uuidString(me.userId), handle, kdf: kdfToWire(kdf), login_pub: pw.loginPub,
      recovery_login_pub: rk.loginPub,
      pw_envelope: await sealPwEnvelope(pw.kek, me.userId, kdf, me.accountKey),
      rk_envelope: await sealRkEnvelope(rk.kek, me.userId, me.accountKey),
      id_wrap: await sealIdWrap(await deriveIdwk(me.accountKey), me.userId, me.sigSeed, me.kemSeed),
      bundle: bundleToWire(await makeBundle(secrets)),
      device: { device_id: deviceId, name: deviceName(), sig_pub: device.devicePub },
      ...(code ? { invite_code: code } : {}),
    });
    await saveAccount(db, { ...secrets, deviceId: session.device_id, session: { ...device, token: session.token } });
    reset();
    return formatRecoveryKey(recovery);
  }

  /**
   * Step one of signing in, or of changing the passphrase (`own`: this signed-in account's handle): the server's
   * KDF parameters, refused below the floor before any Argon2id work; its challenge is kept for step two.
   */
  async function prelogin(handle, { own = false } = {}) {
    const { me } = await env();
    if (own) {
      if (!me.session) throw new BetweenError('signed_out', 'this device is signed out');
      handle = me.handle;
    } else {
      guardSignIn(me, handle);
    }
    const challenge = await new Api(origin).prelogin(handle);
    const kdf = kdfFromWire(challenge.kdf);
    checkKdf(kdf);
    challenges.set(handle, { challenge, at: Date.now() });
    return kdf;
  }

  /**
   * A new passphrase (PROTOCOL.md /account/passphrase): the account key re-wrapped under it, signed with the current
   * passphrase's login key (`currentPrk`: the page's Argon2id output), or the recovery key's (`recoveryText`, for a
   * forgotten passphrase), over a fresh challenge from prelogin(…, {own: true}); `prk`: the new passphrase's
   * Argon2id output under `kdf` (new salt). The account key, every entry and the
   * recovery key stay as they are; the server ends the account's other sessions (each device renews with its key).
   */
  async function changePassphrase({ currentPrk = null, recoveryText = null, kdf, prk }) {
    const { me } = await env();
    const api = await signedInApi();
    const { kdf: currentKdf, challenge_id: challengeId, challenge } = takeChallenge(me.handle);
    checkNewKdf(kdf);
    const signer = recoveryText === null ? 'passphrase' : 'recovery';
    const current = signer === 'recovery'
      ? await deriveRecoveryKeys(await parseRecoveryKey(String(recoveryText))) // a typo stops here
      : await derivePassphraseKeys('', kdfFromWire(currentKdf), async () => currentPrk);
    const next = await derivePassphraseKeys('', kdf, async () => prk);
    const envelope = await sealPwEnvelope(next.kek, me.userId, kdf, me.accountKey);
    const signature = await signAuth(current.loginSeed, origin, me.handle, challengeId, challenge, 'change-passphrase',
      await passphraseChangeBound(next.loginPub, kdf, envelope));
    try {
      await api.changePassphrase({ signer, challenge_id: challengeId, signature, kdf: kdfToWire(kdf),
        login_pub: next.loginPub, pw_envelope: envelope });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') {
        throw new BetweenError(signer === 'recovery' ? 'wrong_recovery' : 'wrong_current', 'the key did not match');
      }
      throw err;
    }
  }

  /** The challenge prelogin kept for `handle`, taken once; 'expired' if there is none or it is too old. */
  function takeChallenge(handle) {
    const ch = challenges.get(handle);
    challenges.delete(handle);
    if (!ch || Date.now() - ch.at > CHALLENGE_LIFE_MS) throw new BetweenError('expired', 'that took too long');
    return ch.challenge;
  }

  /** The API with this device's session, for a step that needs one; 'signed_out' when there is none. */
  async function signedInApi() {
    const api = await sessionApi();
    if (!api) throw new BetweenError('signed_out', 'this device is signed out');
    return api;
  }

  function guardSignIn(me, handle) {
    if (me.session) throw new BetweenError('signed_in', 'this device is signed in already');
    if (!HANDLE.test(handle)) throw new BetweenError('invalid_credentials', 'bad handle');
    if (me.handle && me.handle !== handle) {
      throw new BetweenError('other_account', 'this device holds the entries of another account');
    }
  }

  /** Sign in with a passphrase (`prk`: the page's Argon2id output) or the recovery key text. */
  async function login({ handle, prk = null, recoveryText = null }) {
    const { db, me } = await env();
    guardSignIn(me, handle);
    const action = prk ? 'login' : 'recover';
    let login;
    let pre;
    if (prk) {
      pre = takeChallenge(handle);
      login = await derivePassphraseKeys('', kdfFromWire(pre.kdf), async () => prk);
    } else {
      challenges.delete(handle);
      login = await deriveRecoveryKeys(await parseRecoveryKey(String(recoveryText ?? ''))); // a typo stops here
      pre = await new Api(origin).prelogin(handle);
    }
    const device = await newDeviceKey();
    const api = new Api(origin);
    const { challenge_id: challengeId, challenge } = pre;
    const signature = await signAuth(login.loginSeed, origin, handle, challengeId, challenge, action, device.devicePub);
    const session = await api.login({ handle, action, challenge_id: challengeId, signature,
      device: { device_id: uuidString(newUuid()), name: deviceName(), sig_pub: device.devicePub } });
    const account = await new Api(origin, { token: async () => session.token }).account();
    checkServedAccount(account, { handle, userId: session.user_id, kdf: pre.kdf });
    const userId = uuidBytes(account.user_id);
    let accountKey;
    try {
      accountKey = prk ? await openPwEnvelope(login.kek, userId, kdfFromWire(pre.kdf), account.pw_envelope)
        : await openRkEnvelope(login.kek, userId, account.rk_envelope);
    } catch {
      throw new CryptoError('could not unlock the account');
    }
    // Also requires the served bundle to carry exactly our keys and a valid signature.
    const secrets = await finishUnlock({ userId, handle: account.handle, role: account.role, idWrap: account.id_wrap,
      bundle: bundleFromWire(account.bundle) }, accountKey);
    const moved = equal(me.userId, userId) ? null : await adoptEntries(db, me, secrets);
    await saveAccount(db, { ...secrets, deviceId: session.device_id, session: { ...device, token: session.token } },
      (tx) => {
        if (!moved) return;
        for (const store of ['records', 'revisions', 'peers']) tx.objectStore(store).clear();
        tx.objectStore('meta').put(0, 'cursor');
        for (const { row, revision } of moved) {
          tx.objectStore('records').put(row);
          tx.objectStore('revisions').put(revision);
        }
      });
    reset();
    return { handle, role: secrets.role, adopted: moved?.length ?? 0 };
  }

  /** Sign out: end the session and retire this device's key on the server; the entries stay here, encrypted. */
  async function logout() {
    const { db, me } = await env();
    const api = await sessionApi();
    if (api) await retire(api, me);
    await saveAccount(db, { ...me, session: null });
    reset();
  }

  async function retire(api, me) {
    try {
      await api.revokeDevice(me.deviceId); // ends every session of this device, and its refresh key
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err; // offline or already gone: nothing more to end
    }
  }

  /**
   * Delete the account on the server (every row of it: entries, shares, links, devices), signed with the
   * passphrase's login key over a fresh challenge (`prk`: the page's Argon2id output), then clear this device.
   */
  async function deleteAccount({ prk }) {
    const { db, me } = await env();
    const api = await signedInApi();
    const { kdf: currentKdf, challenge_id: challengeId, challenge } = takeChallenge(me.handle);
    const login = await derivePassphraseKeys('', kdfFromWire(currentKdf), async () => prk);
    const signature = await signAuth(login.loginSeed, origin, me.handle, challengeId, challenge, 'delete-account',
      me.userId);
    try {
      await api.deleteAccount({ challenge_id: challengeId, signature });
    } catch (err) {
      if (err instanceof ApiError && [401, 403].includes(err.status)) {
        throw new BetweenError('wrong_passphrase', 'the passphrase did not match');
      }
      throw err;
    }
    await erase(db);
  }

  /** Forget this device: sign out if possible, then remove every local key and entry. */
  async function forget() {
    const { db, me } = await env();
    const api = await sessionApi();
    if (api) await retire(api, me);
    await erase(db);
  }

  /** Every key and entry off this device: the database closed and deleted, nothing decrypted kept in memory. */
  async function erase(db) {
    db.close();
    reset();
    forgetPlaintexts();
    forgetReceived();
    forgetAttachments();
    await /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(db.name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      req.onblocked = () => resolve(); // finishes once the last connection closes
    }));
  }

  /** This account's devices from the server (this one marked `current`); null when signed out. */
  async function devices() {
    const api = await sessionApi();
    return api ? api.devices() : null;
  }

  /**
   * Sign another device out for good: its sessions end and it cannot renew them (a lost phone). Not this device
   * (that is "Sign out"), which the server would also end. False when signed out here.
   */
  async function revokeOther(deviceId) {
    const { me } = await env();
    if (deviceId === me.deviceId) throw new BetweenError('this_device', 'use sign out for this device');
    const api = await sessionApi();
    if (!api) return false;
    await api.revokeDevice(deviceId);
    return true;
  }

  return { signup, prelogin, login, logout, forget, sessionApi, refresh, devices, revokeOther, changePassphrase,
    deleteAccount };
}

/**
 * Entries written here before signing in to an existing account: re-sealed as new records of that account
 * (new ids, new keys, signed by its identity), so nothing typed on this device is lost.
 */
async function adoptEntries(db, me, secrets) {
  const kwk = await deriveKwk(secrets.accountKey);
  const out = [];
  for (const row of await getAll(db, 'records')) {
    if (!equal(row.ownerId, me.userId) || parseHeader(row.head.header).flags & FLAG_DELETED) continue;
    const plaintext = await openPlaintext(me, row, row.head);
    const recordId = newUuid();
    const keyId = randomBytes(16);
    const dek = randomBytes(32);
    const revision = await sealRevision({ ownerId: secrets.userId, recordId, version: 1, parent: null, keyId, dek,
      plaintext, sigSeed: secrets.sigSeed });
    const rid = await revId(revision.header, revision.ct);
    const dekWrap = await wrapDek(kwk, secrets.userId, recordId, keyId, dek);
    const id = uuidString(recordId);
    out.push({ row: { recordId: id, ownerId: secrets.userId, keyId, dekWrap, dekWraps: {}, syncedVersion: 0,
      head: { version: 1, revId: rid, ...revision } }, revision: { recordId: id, version: 1, revId: rid, ...revision } });
  }
  return out;
}
