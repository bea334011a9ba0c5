/**
 * The sharing rules, pure: who may be given a record key, whose records are taken, why one is held back, which
 * served grants count. Python has the same rules in sync/core/sharing.py; tests/vectors/sharing.json holds both.
 * (share.js is the flows that use them: invitations, share and unshare.)
 */

import { equal } from './bytes.js';
import { peerState } from './key-status.js';
import { BLOCKED } from './trust.js';

/**
 * Whether this device takes records from a peer whose pinned key is in `state` (null: not pinned). A key that is
 * only the server's word is taken, marked "Not verified" where it shows; a blocked one never.
 * @param {string|null|undefined} state
 */
export const takesFrom = (state) => state != null && !BLOCKED.has(state);

/**
 * Why a record key may not go to a peer (`linked` null: no pin on this device), or null when it may. The same rule
 * says who a re-key leaves out: a grantee whose key changed or whose link ended loses access rather than receiving
 * the new key under an unverified identity.
 * @param {boolean|null|undefined} linked
 * @param {string|null|undefined} state
 * @returns {'no_peer'|'link_ended'|'key_changed'|'key_mismatch'|null}
 */
export function heldBack(linked, state) {
  if (linked == null || state == null) return 'no_peer';
  if (!linked) return 'link_ended';
  if (BLOCKED.has(state)) return state === 'changed' ? 'key_changed' : 'key_mismatch';
  return null;
}

/** A key may go to a linked peer whose key is not blocked; an unverified one (the server's word) is used too. */
export const mayGrant = (linked, state) => heldBack(linked, state) === null;

/** `mayGrant` for a row of the 'peers' store (or none). */
export const canGrant = (peer) => (peer ? mayGrant(peer.linked, peerState(peer)) : false);

/** Who shares once the intent lands: the current grantees plus `add`, minus `revoke`. */
export function granteesAfterIntent(grantees, add, revoke) {
  const out = new Set(grantees);
  for (const uid of add) out.add(uid);
  for (const uid of revoke) out.delete(uid);
  return out;
}

/** Grantees after a record row's pending intent: the synced ones plus `add`, minus `revoke`. */
export const granteesAfter = (row) => granteesAfterIntent(Object.keys(row.grantees ?? {}), row.intent?.add ?? [],
  row.intent?.revoke ?? []);

/**
 * The share list after a pull, from the owner-signed grants the server listed. Only grants for the head's
 * key count (`served`, grantee -> created_at); grants for older keys (`stale`) never put anyone back. The
 * list is replaced only when the key changed (a re-key by this account, here or on another own device);
 * under the same key only this device's own share and unshare change it, so a differing list is a warning.
 * `gone` are peers whose link ended (the server drops their grants, this device revokes them itself).
 * @returns {{grantees: Record<string, string>, warnings: string[]}}
 */
export function shareListAfterPull({ known, knownKeyId, keyId, served, stale, gone = new Set() }) {
  const warnings = [];
  if ([...stale].some((uid) => !(uid in served))) warnings.push('old_grants_ignored');
  if (!known || !knownKeyId || !equal(knownKeyId, keyId)) return { grantees: { ...served }, warnings };
  const mine = Object.keys(known);
  if (Object.keys(served).some((uid) => !(uid in known)) || mine.some((uid) => !(uid in served) && !gone.has(uid))) {
    warnings.push('share_list_differs');
  }
  return { grantees: { ...known }, warnings };
}

/**
 * The sharing change still to send once the server holds `grantees`, for a person who wants `desired`:
 * adds only for peers this device may grant to (anyone else would block the push for good).
 * @param {Set<string>} desired @param {Record<string, unknown>|null} grantees
 * @param {(uid: string) => boolean} [grantable]
 * @returns {{add: string[], revoke: string[]} | null}
 */
export function rebaseIntent(desired, grantees, grantable = () => true) {
  const has = new Set(Object.keys(grantees ?? {}));
  const add = [...desired].filter((uid) => !has.has(uid) && grantable(uid)).sort();
  const revoke = [...has].filter((uid) => !desired.has(uid)).sort();
  return add.length || revoke.length ? { add, revoke } : null;
}
