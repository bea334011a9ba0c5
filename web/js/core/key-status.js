/**
 * How far this device trusts a person's key, in the words every screen uses (never by colour alone): how it was
 * verified (by the invitation, or by comparing the safety number in person or by video), not verified (the
 * server's word), or blocked (a changed key, or one that does not match the invitation they accepted).
 */

import { text } from './messages.js';

/** trust.js judge's state of a peer row (rows from before it was stored: from their old flags). */
export const peerState = (peer) => peer.state
  ?? (peer.changed ? 'changed' : peer.verifiedHow === 'tofu' ? 'unverified' : 'verified');

/**
 * @param {{state?: string, changed?: unknown, verifiedHow?: string, linked?: boolean}|null|undefined} peer a row
 *   of the 'peers' store
 * @returns {{state: 'verified'|'unverified'|'changed'|'mismatch'|'ended'|'unknown', word: string,
 *   badge: 'verified'|'unverified'|'changed', how: string|null}} `badge` the CSS state of the badge
 */
export function keyStatus(peer) {
  if (!peer) return { state: 'unknown', word: text('key.notLinked'), badge: 'unverified', how: null };
  const state = peerState(peer);
  if (state === 'changed') return { state, word: text('key.changed'), badge: 'changed', how: null };
  if (state === 'mismatch') return { state, word: text('key.mismatch'), badge: 'changed', how: null };
  if (peer.linked === false) return { state: 'ended', word: text('key.ended'), badge: 'unverified', how: null };
  if (state === 'unverified') return { state, word: text('key.unverified'), badge: 'unverified', how: null };
  return peer.verifiedHow === 'safety-number'
    ? { state, word: text('key.verifiedBySafetyNumber'), badge: 'verified', how: 'safety-number' }
    : { state, word: text('key.verifiedByInvitation'), badge: 'verified', how: 'invite-link' };
}

/** Whether nothing goes to or comes from this person until the safety number is compared. */
export const isBlocked = (peer) => ['changed', 'mismatch'].includes(keyStatus(peer).state);

/** Why a blocked person's things are held back, a sentence naming them by their handle. */
export function blockedWhy(peer) {
  return text(keyStatus(peer).state === 'mismatch' ? 'key.blocked.mismatch' : 'key.blocked.changed',
    { handle: peer.handle });
}

/** How many of a blocked person's changes this device did not take ("3 changes are waiting."), or ''. */
export function heldText(peer) {
  const n = isBlocked(peer) ? peer.held ?? 0 : 0;
  return n ? text('key.held', { count: n }) : '';
}
