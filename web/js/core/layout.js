/** Byte layouts and labels of protocol bt1, identical to sync/core/layout.py (tests/vectors/labels.json pins both). */

import { concat, equal, readUintBE, uintBE, utf8 } from './bytes.js';
import { ProtocolError } from './errors.js';

/** HKDF labels and signature/AAD domain strings, as bytes. */
export const LABELS = Object.freeze(Object.fromEntries(Object.entries({
  pw_kek: 'between/v1/pw/kek',
  pw_login: 'between/v1/pw/login',
  rk_kek: 'between/v1/rk/kek',
  rk_login: 'between/v1/rk/login',
  ak_kwk: 'between/v1/ak/kwk',
  ak_idwk: 'between/v1/ak/idwk',
  ak_local: 'between/v1/ak/local',
  ak_invite: 'between/v1/ak/invite',
  key_commit: 'between/v1/key-commit',
  env_pw: 'between/v1/env/pw',
  env_rk: 'between/v1/env/rk',
  dek: 'between/v1/dek',
  id: 'between/v1/id',
  bundle: 'between/v1/bundle',
  rev: 'between/v1/rev',
  grant: 'between/v1/grant',
  auth: 'between/v1/auth',
  invite_proof: 'between/v1/invite-proof',
  att: 'between/v1/att',
}).map(([name, text]) => [name, utf8(text)])));

export const HEADER_MAGIC = utf8('BTW1');
export const HEADER_VERSION = 1;
export const SUITE_AES256GCM = 1;
export const FLAG_DELETED = 0x01;
export const KNOWN_FLAGS = FLAG_DELETED;
export const HEADER_LEN = 136;
export const ZERO32 = new Uint8Array(32);

export const KDF_ARGON2ID = 1;
export const KDF_DEFAULT = Object.freeze({ memoryKib: 65536, iterations: 3, lanes: 1 });
export const KDF_FLOOR_MEMORY_KIB = 19456;
export const KDF_FLOOR_ITERATIONS = 2;
export const KDF_PARAMS_LEN = 1 + 4 + 4 + 4 + 16;

export const ROLE_CLIENT = 1;
export const ROLE_THERAPIST = 2;
export const ROLE_CODES = Object.freeze({ client: ROLE_CLIENT, therapist: ROLE_THERAPIST });

/** DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM (RFC 9180 A.1). */
export const HPKE_SUITE_ID = new Uint8Array([0x00, 0x20, 0x00, 0x01, 0x00, 0x01]);

const FIELD_SIZES = /** @type {const} */ ([
  ['ownerId', 16], ['recordId', 16], ['parent', 32], ['keyId', 16], ['keyCommit', 32], ['nonce', 12],
]);

/**
 * The 136-byte record header; it is the AEAD associated data of the revision it heads.
 * @typedef {{ownerId: Uint8Array, recordId: Uint8Array, version: number, parent: Uint8Array,
 *   keyId: Uint8Array, keyCommit: Uint8Array, nonce: Uint8Array, flags: number}} Header
 */

/** @param {Header} h */
export function packHeader(h) {
  for (const [name, size] of FIELD_SIZES) {
    if (!(h[name] instanceof Uint8Array) || h[name].length !== size) {
      throw new ProtocolError('bad_header', `${name} must be ${size} bytes`);
    }
  }
  if (!Number.isInteger(h.version) || h.version < 1 || h.version > 0xffffffff) {
    throw new ProtocolError('bad_header', 'version out of range');
  }
  const flags = h.flags ?? 0;
  if (flags & ~KNOWN_FLAGS) throw new ProtocolError('bad_header', 'unknown flags');
  return concat(HEADER_MAGIC, new Uint8Array([HEADER_VERSION, SUITE_AES256GCM, flags, 0]), h.ownerId, h.recordId,
    uintBE(h.version, 4), h.parent, h.keyId, h.keyCommit, h.nonce);
}

/** Strict parse: exact length, known magic/version/suite/flags, parent zero exactly for version 1. @param {Uint8Array} data @returns {Header} */
export function parseHeader(data) {
  if (data.length !== HEADER_LEN) throw new ProtocolError('bad_header', 'header must be 136 bytes');
  if (!equal(data.subarray(0, 4), HEADER_MAGIC) || data[4] !== HEADER_VERSION || data[5] !== SUITE_AES256GCM) {
    throw new ProtocolError('bad_header', 'unknown header magic, version or suite');
  }
  const flags = data[6];
  if (data[7] !== 0 || flags & ~KNOWN_FLAGS) throw new ProtocolError('bad_header', 'unknown flags');
  const version = readUintBE(data.subarray(40, 44));
  if (version < 1) throw new ProtocolError('bad_header', 'version must be at least 1');
  const parent = data.slice(44, 76);
  if ((version === 1) !== equal(parent, ZERO32)) {
    throw new ProtocolError('bad_header', 'parent must be zero exactly for version 1');
  }
  return {
    ownerId: data.slice(8, 24), recordId: data.slice(24, 40), version, parent,
    keyId: data.slice(76, 92), keyCommit: data.slice(92, 124), nonce: data.slice(124, 136), flags,
  };
}

/** A u16 big-endian length prefix and the bytes: the only way variable data enters signed text. @param {Uint8Array} data */
export function lp(data) {
  if (data.length > 0xffff) throw new ProtocolError('too_long', 'field longer than 65535 bytes');
  return concat(uintBE(data.length, 2), data);
}

/** @param {number} memoryKib @param {number} iterations @param {number} lanes @param {Uint8Array} salt */
export function packKdfParams(memoryKib, iterations, lanes, salt) {
  if (salt.length !== 16) throw new ProtocolError('bad_kdf', 'salt must be 16 bytes');
  return concat(new Uint8Array([KDF_ARGON2ID]), uintBE(memoryKib, 4), uintBE(iterations, 4), uintBE(lanes, 4), salt);
}

/** The signed text of a key bundle. @param {Uint8Array} userId @param {string} handle @param {number} role @param {Uint8Array} sigPub @param {Uint8Array} kemPub */
export function bundleBody(userId, handle, role, sigPub, kemPub) {
  if (userId.length !== 16 || sigPub.length !== 32 || kemPub.length !== 32) {
    throw new ProtocolError('bad_bundle', 'wrong key or id length');
  }
  if (role !== ROLE_CLIENT && role !== ROLE_THERAPIST) throw new ProtocolError('bad_bundle', 'unknown role');
  return concat(LABELS.bundle, userId, lp(utf8(handle)), new Uint8Array([role]), sigPub, kemPub);
}

/**
 * What a login, recovery, refresh or account deletion signs.
 * @param {string} origin @param {string} handle @param {Uint8Array} challengeId @param {Uint8Array} challenge
 * @param {string} action @param {Uint8Array} [bound]
 */
export function authTranscript(origin, handle, challengeId, challenge, action, bound = new Uint8Array(0)) {
  if (challengeId.length !== 16 || challenge.length !== 32) {
    throw new ProtocolError('bad_challenge', 'wrong challenge length');
  }
  return concat(LABELS.auth, lp(utf8(origin)), lp(utf8(handle)), challengeId, challenge, lp(utf8(action)), lp(bound));
}

export const GRANT_BODY_LEN = LABELS.grant.length + 6 + 16 + 16 + 16 + 16 + 32;

/**
 * Who may open which key of which record: the HPKE info and the signed part of a grant.
 * @typedef {{ownerId: Uint8Array, recordId: Uint8Array, keyId: Uint8Array, granteeId: Uint8Array,
 *   granteeKemHash: Uint8Array}} GrantBody
 */

/** @param {GrantBody} g */
export function packGrantBody(g) {
  return concat(LABELS.grant, HPKE_SUITE_ID, g.ownerId, g.recordId, g.keyId, g.granteeId, g.granteeKemHash);
}

/** @param {Uint8Array} data @returns {GrantBody} */
export function parseGrantBody(data) {
  if (data.length !== GRANT_BODY_LEN) throw new ProtocolError('bad_grant', 'grant body has the wrong length');
  const n = LABELS.grant.length;
  if (!equal(data.subarray(0, n), LABELS.grant) || !equal(data.subarray(n, n + 6), HPKE_SUITE_ID)) {
    throw new ProtocolError('bad_grant', 'unknown grant label or HPKE suite');
  }
  const o = n + 6;
  return {
    ownerId: data.slice(o, o + 16), recordId: data.slice(o + 16, o + 32), keyId: data.slice(o + 32, o + 48),
    granteeId: data.slice(o + 48, o + 64), granteeKemHash: data.slice(o + 64, o + 96),
  };
}
