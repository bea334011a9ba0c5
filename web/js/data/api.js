/** Calls to the server's /api/v1 from the service worker: wire JSON <-> bytes, bearer sessions, problems as errors. */

import { fromBase64, toBase64, uuidBytes, uuidString } from '../core/bytes.js';
import { BetweenError } from '../core/errors.js';
import { BYTES_FIELDS, SHAPES } from '../core/wire-contract.js';

export const API_PREFIX = '/api/v1';

// Every `bytes` field of sync/core/wire.py (wire-contract.js, generated from it): standard base64 on the wire,
// Uint8Array in the app.
const BYTES = new Set(BYTES_FIELDS);

/** The server could not be reached: offline, DNS, refused. Nothing was sent or nothing came back. */
export class Unreachable extends BetweenError {
  static defaultCode = 'unreachable';
}

/** The server answered with a problem (RFC 9457); `code` is its stable code, `status` the HTTP status. */
export class ApiError extends BetweenError {
  constructor(code, detail, status) {
    super(code, detail);
    this.status = status;
  }
}

/** JSON text of a request body: Uint8Array -> base64. Ids must already be UUID strings. */
export function toWire(value) {
  return JSON.stringify(value, (key, v) => (v instanceof Uint8Array ? toBase64(v) : v));
}

/** A parsed answer with every bytes field decoded; a malformed one is a protocol error, not a crash. */
export function fromWire(value, key = '') {
  if (Array.isArray(value)) return value.map((v) => fromWire(v, ''));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v, k)]));
  }
  if (BYTES.has(key) && typeof value === 'string') {
    try {
      return fromBase64(value);
    } catch {
      throw new BetweenError('bad_response', 'the server sent a malformed answer');
    }
  }
  return value;
}

/** The app's name of a wire field: camelCase (`memory_kib` is `memoryKib`). */
const appName = (field) => field.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** A wire object of one of SHAPES' types as the app holds it: its fields only, camelCase, ids as 16 bytes. */
function fromShape(type, value) {
  const { fields, uuid } = SHAPES[type];
  return Object.fromEntries(fields.map((f) => [appName(f), uuid.includes(f) ? uuidBytes(value[f]) : value[f]]));
}

/** The app's object back in the wire's shape (ids as UUID strings). */
function toShape(type, value) {
  const { fields, uuid } = SHAPES[type];
  return Object.fromEntries(fields.map((f) => {
    const v = value[appName(f)];
    return [f, uuid.includes(f) ? uuidString(v) : v];
  }));
}

/** A wire KeyBundle as keys.js wants it (and back). @returns {import('../core/keys.js').KeyBundle} */
export const bundleFromWire = (b) => /** @type {any} */ (fromShape('KeyBundle', b));
export const bundleToWire = (b) => toShape('KeyBundle', b);

/** A wire KdfParams as keys.js wants it (and back). @returns {import('../core/keys.js').KdfParams} */
export const kdfFromWire = (k) => /** @type {any} */ (fromShape('KdfParams', k));
export const kdfToWire = (k) => toShape('KdfParams', k);

/**
 * A thin client of /api/v1. `session()` gives the current bearer token (or null); `refresh()` is called once on
 * a 401 and must return a new token or throw (the device is signed out).
 */
export class Api {
  /** @param {string} origin @param {{token?: () => Promise<string|null>, refresh?: () => Promise<string>}} [auth] */
  constructor(origin, auth = {}) {
    this.origin = origin;
    this.auth = auth;
    /** @type {string|null} the `Between-Epoch` of the last answer that carried a well-formed one */
    this.epoch = null;
  }

  async send(method, path, body, token) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      // no-store and no referrer: answers hold ciphertext and envelopes, nothing to keep in a cache.
      return await fetch(this.origin + API_PREFIX + path, { method, headers, cache: 'no-store',
        credentials: 'omit', referrerPolicy: 'no-referrer', body: body === undefined ? undefined : toWire(body) });
    } catch {
      throw new Unreachable(undefined, 'the server could not be reached');
    }
  }

  /** @returns {Promise<any>} the decoded answer, or null for 204 */
  async call(method, path, body = undefined, { auth = true } = {}) {
    let token = auth ? await this.auth.token?.() : null;
    let response = await this.send(method, path, body, token);
    if (response.status === 401 && auth && this.auth.refresh) {
      token = await this.auth.refresh();
      response = await this.send(method, path, body, token);
    }
    // The server epoch (PROTOCOL.md "Restores and the server epoch"): every answer carries it, problems included.
    const epoch = response.headers.get('between-epoch');
    if (epoch && /^[0-9a-f]{32}$/.test(epoch)) this.epoch = epoch;
    if (response.status >= 400) throw await problem(response);
    if (response.status === 204) return null;
    let parsed;
    try {
      parsed = await response.json();
    } catch {
      throw new BetweenError('bad_response', 'the server sent a malformed answer');
    }
    return fromWire(parsed);
  }

  signup(body) { return this.call('POST', '/accounts', body, { auth: false }); }

  prelogin(handle) { return this.call('POST', '/auth/prelogin', { handle }, { auth: false }); }

  login(body) { return this.call('POST', '/auth/login', body, { auth: false }); }

  deviceChallenge(deviceId) { return this.call('POST', '/auth/device-challenge', { device_id: deviceId }, { auth: false }); }

  refresh(body) { return this.call('POST', '/auth/refresh', body, { auth: false }); }

  logout() { return this.call('POST', '/auth/logout'); }

  account() { return this.call('GET', '/account'); }

  revokeDevice(deviceId) { return this.call('DELETE', `/devices/${encodeURIComponent(deviceId)}`); }

  pull(after, limit = 200) { return this.call('GET', `/sync/pull?after=${after}&limit=${limit}`); }

  push(body) { return this.call('POST', '/sync/push', body); }

  links() { return this.call('GET', '/links'); }

  previewInvite(token) { return this.call('POST', '/invites/preview', { token }); }

  acceptInvite(token, proof) { return this.call('POST', '/invites/accept', { token, proof }); }

  /** A therapist's new invite: {invite_id, token, expires_at}. The token goes only into a link's fragment. */
  createInvite() { return this.call('POST', '/invites'); }

  /** A therapist's pending, unexpired invites: [{invite_id, created_at, expires_at}]. */
  listInvites() { return this.call('GET', '/invites'); }

  revokeInvite(inviteId) { return this.call('DELETE', `/invites/${encodeURIComponent(inviteId)}`); }

  devices() { return this.call('GET', '/devices'); }

  changePassphrase(body) { return this.call('POST', '/account/passphrase', body); }

  deleteAccount(body) { return this.call('POST', '/account/delete', body); }
}

async function problem(response) {
  let code = `http_${response.status}`;
  let detail = 'the server refused the request';
  try {
    const body = await response.json();
    if (body && typeof body === 'object') {
      code = String(body.code || code);
      detail = String(body.detail || body.title || detail).slice(0, 300);
    }
  } catch {
    // not a problem document: keep the generic words
  }
  return new ApiError(code, detail, response.status);
}
