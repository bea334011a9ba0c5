/** Record revisions of bt1 (seal, verify, open), the owner's DEK wraps, grants, documents; as sync/core/records.py. */

import { concat, equal, utf8 } from './bytes.js';
import {
  NONCE_LEN, TAG_LEN, aeadOpen, aeadSeal, ed25519Sign, ed25519Verify, gcmDecrypt, gcmEncrypt, hkdf, hpkeOpen,
  hpkeSeal, pad,
  randomBytes, sha256, unpad, x25519Public,
} from './crypto.js';
import { CryptoError, ProtocolError, RollbackError } from './errors.js';
import { canonicalJson } from './merge.js';
import {
  FLAG_DELETED, GRANT_BODY_LEN, LABELS, ZERO32, packGrantBody, packHeader, parseGrantBody, parseHeader,
} from './layout.js';

const OPEN_FAILED = 'revision failed verification';
const GRANT_FAILED = 'grant failed verification';

/** @typedef {{header: Uint8Array, ct: Uint8Array, signature: Uint8Array}} Revision */
/** @typedef {{body: Uint8Array, sealed: Uint8Array, signature: Uint8Array}} GrantUpload */

function id16(value) {
  if (!(value instanceof Uint8Array) || value.length !== 16) throw new ProtocolError('bad_id', 'ids are 16 bytes');
  return value;
}

export const revId = (header, ct) => sha256(concat(header, ct));

/** AES-GCM is not key-committing; this binds the one DEK every reader must hold (invisible salamanders). */
export const keyCommit = (dek, keyId) => hkdf(dek, 'key_commit', keyId);

const revMessage = (rid) => concat(LABELS.rev, rid);

// ---------------------------------------------------------------- revisions

/**
 * Pad, encrypt under the header as AAD, sign LABELS.rev || rev_id. parent null = zeros (version 1).
 * @returns {Promise<Revision>}
 */
export async function sealRevision({ ownerId, recordId, version, parent, keyId, dek, plaintext, sigSeed,
  deleted = false, nonce = undefined }) {
  const header = packHeader({
    ownerId: id16(ownerId), recordId: id16(recordId), version, parent: parent ?? ZERO32, keyId,
    keyCommit: await keyCommit(dek, keyId), nonce: nonce ?? randomBytes(NONCE_LEN), flags: deleted ? FLAG_DELETED : 0,
  });
  parseHeader(header); // refuse to produce what no reader would accept (e.g. a parent on version 1)
  const ct = await gcmEncrypt(dek, header.subarray(header.length - NONCE_LEN), pad(plaintext), header);
  const signature = await ed25519Sign(sigSeed, revMessage(await revId(header, ct)));
  return { header, ct, signature };
}

/**
 * What the server checks: a well-formed header and the owner's signature. Returns [header, revId].
 * `knownRevId`: the caller's own revId over these same bytes, computed just before (saves hashing twice).
 */
export async function verifyRevision(revision, signerPub, knownRevId = null) {
  let header;
  try {
    header = parseHeader(revision.header);
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
  if (revision.ct.length < TAG_LEN) throw new CryptoError(OPEN_FAILED);
  const rid = knownRevId ?? await revId(revision.header, revision.ct);
  try {
    await ed25519Verify(signerPub, revision.signature, revMessage(rid));
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
  return [header, rid];
}

/**
 * Every check a client makes before trusting a revision; returns [header, plaintext].
 * The context (owner, record, key) must come from the client, never from the server's answer.
 */
export async function openRevision(revision, { ownerId, recordId, dek, keyId, signerPub, knownRevId = null }) {
  const [header] = await verifyRevision(revision, signerPub, knownRevId);
  if (!equal(header.keyCommit, await keyCommit(dek, keyId))) throw new CryptoError(OPEN_FAILED);
  return decryptInContext(header, revision, { ownerId, recordId, dek, keyId });
}

/**
 * The header names this owner, record and key, and the ciphertext opens under the DEK with it as AAD.
 * @returns {Promise<[import('./layout.js').Header, Uint8Array]>}
 */
async function decryptInContext(header, revision, { ownerId, recordId, dek, keyId }) {
  if (!equal(header.ownerId, id16(ownerId)) || !equal(header.recordId, id16(recordId))
      || !equal(header.keyId, keyId) || revision.ct.length < TAG_LEN) {
    throw new CryptoError(OPEN_FAILED);
  }
  try {
    return [header, unpad(await gcmDecrypt(dek, header.nonce, revision.ct, revision.header))];
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
}

/**
 * Decrypt a revision read back from this device's own store, where it was put only after openRevision (or
 * sealRevision) accepted it: context, AEAD and padding, but no signature or key commitment again (PROTOCOL §18,
 * "reading back"). The DEK comes from this device's KWK wrap, which binds owner, record and key id.
 * @returns {Promise<[import('./layout.js').Header, Uint8Array]>}
 */
export async function openStoredRevision(revision, context) {
  let header;
  try {
    header = parseHeader(revision.header);
  } catch {
    throw new CryptoError(OPEN_FAILED);
  }
  return decryptInContext(header, revision, context);
}

/** Refuse a head older than, or forked from, the newest [version, revId] this device has accepted. */
export function checkHighWater(seen, version, rid) {
  if (!seen) return;
  const [seenVersion, seenRid] = seen;
  if (version < seenVersion || (version === seenVersion && !equal(rid, seenRid))) {
    throw new RollbackError('the server served an older or forked revision');
  }
}

// ---------------------------------------------------------------- the owner's DEK wrap

function dekAad(ownerId, recordId, keyId) {
  if (keyId.length !== 16) throw new ProtocolError('bad_key_id', 'key_id must be 16 bytes');
  return concat(LABELS.dek, id16(ownerId), id16(recordId), keyId);
}

export function wrapDek(kwk, ownerId, recordId, keyId, dek, nonce = undefined) {
  return aeadSeal(kwk, dek, dekAad(ownerId, recordId, keyId), nonce);
}

export async function unwrapDek(kwk, ownerId, recordId, keyId, wrapped) {
  const dek = await aeadOpen(kwk, wrapped, dekAad(ownerId, recordId, keyId));
  if (dek.length !== 32) throw new CryptoError('decryption failed');
  return dek;
}

// ---------------------------------------------------------------- grants

const grantMessage = async (body, sealed) => concat(body, await sha256(sealed));

/** HPKE-seal the DEK to the grantee's X25519 identity key with the grant body as info, then sign. @returns {Promise<GrantUpload>} */
export async function makeGrant({ sigSeed, ownerId, recordId, keyId, dek, granteeId, granteeKemPub,
  ephemeralSeed = undefined }) {
  const body = packGrantBody({
    ownerId: id16(ownerId), recordId: id16(recordId), keyId, granteeId: id16(granteeId),
    granteeKemHash: await sha256(granteeKemPub),
  });
  if (body.length !== GRANT_BODY_LEN) throw new ProtocolError('bad_grant', 'wrong id length');
  const sealed = await hpkeSeal(granteeKemPub, body, dek, ephemeralSeed);
  return { body, sealed, signature: await ed25519Sign(sigSeed, await grantMessage(body, sealed)) };
}

/**
 * Body well-formed and signed by the owner; a stored grant's row fields (`stored`) must equal its body.
 * @param {GrantUpload} grant @param {Uint8Array} ownerSigPub
 * @param {{ownerId: Uint8Array, recordId: Uint8Array, granteeId: Uint8Array, keyId: Uint8Array}} [stored]
 */
export async function verifyGrant(grant, ownerSigPub, stored = undefined) {
  let body;
  try {
    body = parseGrantBody(grant.body);
  } catch {
    throw new CryptoError(GRANT_FAILED);
  }
  try {
    await ed25519Verify(ownerSigPub, grant.signature, await grantMessage(grant.body, grant.sealed));
  } catch {
    throw new CryptoError(GRANT_FAILED);
  }
  if (stored && (!equal(body.ownerId, stored.ownerId) || !equal(body.recordId, stored.recordId)
      || !equal(body.granteeId, stored.granteeId) || !equal(body.keyId, stored.keyId))) {
    throw new CryptoError(GRANT_FAILED);
  }
  return body;
}

/** Verify, check the grant names me and my key, open the DEK. Returns [body, dek]. */
export async function openGrant(grant, { ownerSigPub, meId, myKemSeed, stored = undefined }) {
  const body = await verifyGrant(grant, ownerSigPub, stored);
  if (!equal(body.granteeId, id16(meId))
      || !equal(body.granteeKemHash, await sha256(await x25519Public(myKemSeed)))) {
    throw new CryptoError(GRANT_FAILED);
  }
  let dek;
  try {
    dek = await hpkeOpen(myKemSeed, grant.body, grant.sealed);
  } catch {
    throw new CryptoError(GRANT_FAILED);
  }
  if (dek.length !== 32) throw new CryptoError(GRANT_FAILED);
  return [body, dek];
}

// ---------------------------------------------------------------- documents (the plaintext)

/**
 * A document as decoded from a revision: a JSON object. Its keys are whatever its type says (PROTOCOL.md section 13)
 * and are checked where it is read (core/entry-document.js, core/assignments.js), not by this type.
 * @typedef {Record<string, any>} Doc
 */

/** Canonical JSON (sorted keys by code point, no spaces, UTF-8), byte for byte what sync/core/records.py writes. */
export function encodeDocument(doc) {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ProtocolError('bad_document', 'a document is a JSON object');
  }
  try {
    // One canonical encoder for the whole app: merge.js compares documents with the same one.
    return utf8(canonicalJson(doc));
  } catch {
    throw new ProtocolError('bad_document', 'not representable in canonical JSON');
  }
}

// Keeps a leading U+FEFF, as Python's decode does, so that JSON.parse refuses it as Python's json does.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const MAX_DOCUMENT_DEPTH = 32;

/**
 * How many keys `text` writes, counted over every object (a ':' outside strings stands after each key and nowhere
 * else), or -1 when it nests deeper than MAX_DOCUMENT_DEPTH. `text` is already valid JSON. Against the keys the parsed
 * value holds, this finds what JSON.parse lets through and sync/core/records.py refuses: a key twice in one object
 * (JSON.parse keeps the last, so the value holds fewer keys than the text writes).
 */
function keysWritten(text) {
  let keys = 0;
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // a string: find its end, skipping escaped characters
      let end = i + 1;
      for (;;) {
        end = text.indexOf('"', end);
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        end++;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x3a) { // :
      keys++;
    } else if (c === 0x7b || c === 0x5b) { // { [
      depth++;
      if (depth > MAX_DOCUMENT_DEPTH) return -1;
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
    }
    i++;
  }
  return keys;
}

/**
 * The keys a parsed value holds, counted over every object, and whether every number in it is finite (1e999 parses to
 * Infinity, which JSON cannot carry back; Python refuses it). Called only on a value nested at most 32 deep.
 * @returns {{keys: number, finite: boolean}}
 */
function keysHeld(value) {
  const count = { keys: 0, finite: true };
  const walk = (v) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) count.finite = false;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      count.keys += keys.length;
      for (let i = 0; i < keys.length; i++) walk(v[keys[i]]);
    }
  };
  walk(value);
  return count;
}

/**
 * Decode a revision's plaintext (PROTOCOL.md section 13): UTF-8 without a byte order mark, one JSON object, no key
 * twice in an object, nesting at most 32 deep, finite numbers. Anything else is a ProtocolError `bad_document`.
 * @returns {Doc}
 */
export function decodeDocument(data) {
  let text;
  let doc;
  try {
    text = strictUtf8.decode(data);
    doc = JSON.parse(text);
  } catch {
    throw new ProtocolError('bad_document', 'document is not valid JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ProtocolError('bad_document', 'a document is a JSON object');
  }
  // In Python's order: the nesting first, then the keys and numbers.
  const written = keysWritten(text);
  if (written < 0) throw new ProtocolError('bad_document', 'document is nested too deeply');
  const held = keysHeld(doc);
  if (held.keys !== written) throw new ProtocolError('bad_document', 'duplicate key in document');
  if (!held.finite) throw new ProtocolError('bad_document', 'non-finite number in document');
  return doc;
}
