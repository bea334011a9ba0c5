/**
 * Whose key is whose, as sync/core/trust.py: the invitation's proof back to the therapist, the account's synced key
 * verifications, and `judge`, the one rule that says how far a peer's key is trusted (PROTOCOL.md §11).
 * Bundles here are keys.js bundles: {userId, handle, role, sigPub, kemPub, signature} with Uint8Array fields.
 */

import { concat, equal, fromBase64, toBase64, toHex, uuidBytes, uuidString } from './bytes.js';
import { hkdf, hmacSha256, sha256 } from './crypto.js';
import { LABELS, bundleBody } from './layout.js';

export const INVITE_SECRET_LEN = 16;
export const VERIFICATION = 'key-verification';
/** How a key was verified, weakest first. `tofu`: as the server gave it, on first sight (not verified). */
export const HOW_RANK = Object.freeze({ tofu: 0, 'invite-link': 1, 'safety-number': 2 });
const RECORDED = new Set(['invite-link', 'safety-number']);
/** A verification's time: UTC, to the second or the millisecond (compared as instants, not as text). */
const STAMP = /^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{3}))?Z$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HANDLE = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const ROLE_CODES = { client: 1, therapist: 2 };

// ---------------------------------------------------------------- the invitation's proof

/** The `s` of an invitation link: any device of the therapist's account can make it again from the invite id. */
export const inviteSecret = (accountKey, inviteId) => hkdf(accountKey, 'ak_invite', inviteId, INVITE_SECRET_LEN);

/** SHA-256 of the signed bundle text: user id, handle, role and both public keys. */
export const bundleDigest = (b) => sha256(bundleBody(b.userId, b.handle, ROLE_CODES[b.role], b.sigPub, b.kemPub));

/** What the accepting client sends: HMAC-SHA256 under the link's secret over its own bundle. */
export async function inviteProof(secret, inviteId, therapistId, client) {
  if (secret.length !== INVITE_SECRET_LEN || inviteId.length !== 16 || therapistId.length !== 16) {
    throw new TypeError('invite proof inputs have the wrong length');
  }
  return hmacSha256(secret, concat(LABELS.invite_proof, inviteId, therapistId, await bundleDigest(client)));
}

/**
 * On a therapist's device: does the client on this care link (wire form, bytes decoded by api.js) hold the key
 * the invitation's secret vouches for? `used` maps invite ids to the peer an earlier verification by proof was
 * for: one invitation vouches for one person (the invite id comes from the server, which could reuse one).
 * @returns {Promise<'valid'|'invalid'|'none'>}
 */
export async function checkInviteProof(accountKey, link, client, used = new Map()) {
  if (!link.invite_id || !link.proof) return 'none'; // a link made before invitations carried a secret
  const inviteId = uuidBytes(link.invite_id);
  const expected = await inviteProof(await inviteSecret(accountKey, inviteId), inviteId,
    uuidBytes(link.therapist.user_id), client);
  if (link.proof.length !== expected.length || !equal(expected, link.proof)) return 'invalid';
  const other = used.get(link.invite_id);
  return other !== undefined && other !== uuidString(client.userId) ? 'invalid' : 'valid';
}

/** Invite id -> the peer whose key a proof under it verified. @returns {Map<string, string>} */
export const usedInvites = (verifications) => new Map(verifications.filter((v) => v.invite)
  .map((v) => [v.invite, uuidString(v.bundle.userId)]));

// ---------------------------------------------------------------- the account's key verifications

/** A bundle as documents carry it: the wire's JSON (ids as UUID text, bytes as standard base64). */
export const bundleToDocument = (b) => ({ user_id: uuidString(b.userId), handle: b.handle, role: b.role,
  sig_pub: toBase64(b.sigPub), kem_pub: toBase64(b.kemPub), signature: toBase64(b.signature) });

function bytesOf(text, length) {
  if (typeof text !== 'string' || text.length !== 4 * Math.ceil(length / 3)) return null;
  try {
    const out = fromBase64(text);
    return out.length === length && toBase64(out) === text ? out : null;
  } catch {
    return null;
  }
}

/** A document's bundle, checked as the wire type would be; null when malformed. */
export function bundleFromDocument(d) {
  if (d === null || typeof d !== 'object' || typeof d.user_id !== 'string' || !UUID_TEXT.test(d.user_id)
      || typeof d.handle !== 'string' || !HANDLE.test(d.handle) || !(d.role in ROLE_CODES)) return null;
  const [sigPub, kemPub, signature] = [bytesOf(d.sig_pub, 32), bytesOf(d.kem_pub, 32), bytesOf(d.signature, 64)];
  if (!sigPub || !kemPub || !signature) return null;
  return { userId: uuidBytes(d.user_id), handle: d.handle, role: d.role, sigPub, kemPub, signature };
}

/**
 * The document of an own record that says "this account verified this key, this way, at this time"; a
 * verification by a client's proof names its invite id, so that invitation vouches for no one else.
 */
export function verificationDocument(bundle, how, createdAt, device, invite = null) {
  if (!RECORDED.has(how) || (invite !== null && how !== 'invite-link')) throw new TypeError('unknown verification');
  const doc = { v: 1, type: VERIFICATION, peer: uuidString(bundle.userId), bundle: bundleToDocument(bundle), how,
    created_at: createdAt, updated_at: createdAt, device };
  if (invite !== null) doc.invite = invite;
  return doc;
}

/**
 * A verification from a decrypted own document; null for anything else or a malformed one (ignored, kept).
 * @returns {{bundle: object, how: string, createdAt: string, invite: string|null}|null}
 */
export function readVerification(doc) {
  if (doc?.type !== VERIFICATION || doc.v !== 1) return null;
  const bundle = bundleFromDocument(doc.bundle);
  const invite = doc.invite ?? null;
  if (!bundle || !RECORDED.has(doc.how) || typeof doc.created_at !== 'string' || !STAMP.test(doc.created_at)
      || doc.peer !== doc.bundle.user_id || (invite !== null && !(typeof invite === 'string' && UUID_TEXT.test(invite)))) {
    return null;
  }
  return { bundle, how: doc.how, createdAt: doc.created_at, invite };
}

export const sameKeys = (a, b) => Boolean(a && b && equal(a.userId, b.userId) && equal(a.sigPub, b.sigPub)
  && equal(a.kemPub, b.kemPub));

// ---------------------------------------------------------------- the judgement

const instant = (stamp) => {
  const [, whole, ms] = STAMP.exec(stamp);
  return [whole, Number(ms ?? 0)];
};

function later(a, b) {
  const [x, y] = [instant(a.createdAt), instant(b.createdAt)];
  if (x[0] !== y[0]) return x[0] > y[0];
  if (x[1] !== y[1]) return x[1] > y[1];
  if (HOW_RANK[a.how] !== HOW_RANK[b.how]) return HOW_RANK[a.how] > HOW_RANK[b.how];
  return toHex(a.bundle.sigPub) > toHex(b.bundle.sigPub);
}

/** The newest decision; at the same instant the stronger way, then the larger key (any fixed order will do). */
export const latest = (verifications) => verifications.reduce((best, v) => (later(v, best) ? v : best));

/**
 * The one trust rule (PROTOCOL.md §11, "Judging a peer's key"), pure, as sync/core/trust.py judge: `served` is the
 * bundle the server lists now (null when the care link ended), `pinned` and `pinnedHow` this device's pin,
 * `verifications` the account's for this peer, `proof` the invitation's (therapist side).
 * @returns {{pin: object, how: string, state: 'verified'|'unverified'|'changed'|'mismatch', changed: object|null,
 *   record: string|null, forget: boolean}}
 */
export function judge(served, pinned, pinnedHow, verifications, proof = 'none') {
  if (!served && !pinned && !verifications.length) throw new TypeError('nothing to judge');
  const out = (pin, how, state, extra = {}) => ({ pin, how, state, changed: null, record: null, forget: false,
    ...extra });
  if (verifications.length) {
    const trusted = latest(verifications).bundle;
    const how = verifications.filter((v) => sameKeys(v.bundle, trusted)).map((v) => v.how)
      .reduce((a, b) => (HOW_RANK[b] > HOW_RANK[a] ? b : a));
    const forget = Boolean(pinned) && !sameKeys(pinned, trusted);
    if (!served || sameKeys(served, trusted)) return out(trusted, how, 'verified', { forget });
    return out(trusted, how, 'changed', { changed: served, forget });
  }
  if (proof === 'valid' && served) {
    return out(served, 'invite-link', 'verified', { record: 'invite-link',
      forget: Boolean(pinned) && !sameKeys(pinned, served) });
  }
  const [pin, how] = pinned ? [pinned, pinnedHow] : [served, 'tofu'];
  if (served && !sameKeys(pin, served)) return out(pin, how, 'changed', { changed: served });
  // Verified on this device before verifications were kept by the account: recorded there now.
  if (how !== 'tofu') return out(pin, how, 'verified', { record: how });
  return out(pin, 'tofu', proof === 'invalid' ? 'mismatch' : 'unverified');
}

/** Nothing is shared with, granted to, assigned to or taken from a peer in these states until verified again. */
export const BLOCKED = new Set(['changed', 'mismatch']);

/**
 * The time a new verification records: now, or just after the latest one if this device's clock is behind, so
 * the newest decision is the one every device follows.
 */
export function verifiedAt(verifications, now) {
  if (!verifications.length) return now;
  const last = latest(verifications).createdAt;
  const [a, b] = [instant(now), instant(last)];
  if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) return now;
  return new Date(Date.parse(`${b[0]}Z`) + b[1] + 1).toISOString();
}
