/**
 * The client's assignments as every client screen shows them (To do, Today, Progress): each validated, with who it is
 * from and how far this device trusts them; those held back, each with its reason (a blocked or ended therapist, a
 * document from a newer version of the app). One place, so the screens never disagree about what is shown.
 */

import { validateAssignment } from '../../core/assignments.js';
import { isBlocked, keyStatus } from '../../core/key-status.js';
import { FieldError } from '../../core/kinds.js';
import { trustOf } from './todo.js';

/**
 * @typedef {import('../../data/db.js').Peer} Peer
 * @typedef {{id: string, ownerId: string, doc: Record<string, any>, trust: string,
 *   from: {userId: string, handle: string, verified: boolean, word: string, state: string, how: string|null}}}
 *   Assigned an assignment as shown (`from.word` and `state`: core/key-status.js keyStatus)
 * @typedef {{peer: Peer, why: 'changed'|'mismatch'|'ended'}} TrustNotice a therapist whose activities are held back
 * @typedef {{userId: string, handle: string, count: number}} NewerNotice activities this version cannot read
 */

/** The trust states whose activities are shown as to-do (an unverified key is the server's word, said so). */
export const SHOWN = new Set(['verified', 'unverified']);

/**
 * An assignment record as the views show it: validated, with who it is from and how far they are trusted; null when
 * this version cannot read it (a newer version's document).
 * @param {{id: string, ownerId: string, doc: any}} record a Received document
 * @param {{peers: Map<string, Peer>, kinds: Map<string, any>}} e
 * @returns {Assigned|null}
 */
export function decorate(e, record) {
  const peer = e.peers.get(record.ownerId);
  let doc;
  try {
    doc = validateAssignment(record.doc, e.kinds);
  } catch (err) {
    if (err instanceof FieldError) return null;
    throw err;
  }
  const trust = trustOf(peer);
  const status = keyStatus(peer);
  return { ...record, doc, trust, from: { userId: record.ownerId, handle: peer?.handle ?? 'someone',
    verified: trust === 'verified', word: status.word, state: trust, how: status.how } };
}

/**
 * The assignments shown as from a therapist, a notice for each therapist whose are held back, and how many from each
 * therapist this version cannot read.
 * @param {{peers: Map<string, Peer>, kinds: Map<string, any>}} e
 * @param {{id: string, ownerId: string, doc: any}[]} received the account's received records of type 'assignment'
 * @returns {{shown: Assigned[], notices: TrustNotice[], newer: NewerNotice[]}}
 */
export function sortAssigned(e, received) {
  const shown = [];
  const notices = new Map();
  const newer = new Map();
  for (const record of received) {
    const a = decorate(e, record);
    if (!a) {
      const peer = e.peers.get(record.ownerId);
      // Only from a therapist this device takes records from: anything else is not theirs to see.
      if (peer?.role === 'therapist' && SHOWN.has(trustOf(peer))) {
        const seen = newer.get(record.ownerId) ?? { userId: record.ownerId, handle: peer.handle, count: 0 };
        seen.count += 1;
        newer.set(record.ownerId, seen);
      }
      continue;
    }
    if (SHOWN.has(a.trust)) shown.push(a);
    else if (a.trust !== 'unknown') notices.set(a.ownerId, { peer: e.peers.get(a.ownerId), why: a.trust });
  }
  // A blocked therapist (changed key, or not what the invitation proved): what they send is held back, not stored,
  // so there may be nothing to list; the notice says so all the same.
  for (const peer of e.peers.values()) {
    if (peer.role === 'therapist' && isBlocked(peer) && !notices.has(peer.userId)) {
      notices.set(peer.userId, { peer, why: /** @type {'changed'|'mismatch'} */ (trustOf(peer)) });
    }
  }
  return { shown, notices: [...notices.values()], newer: [...newer.values()] };
}
