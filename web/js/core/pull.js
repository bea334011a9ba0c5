/**
 * What a client does with one pulled record: `decide`, a pure function of what the server sent and what this device
 * holds (no IndexedDB, no network, no crypto). Python has the same function in sync/core/pull.py; both pass
 * tests/vectors/pull.json. The sync engine verifies the signature, key commitment and grants of whatever it stores.
 */

import { equal } from './bytes.js';
import { CryptoError, ProtocolError, RollbackError } from './errors.js';
import { checkHighWater } from './records.js';
import { takesFrom } from './sharing.js';

/**
 * @typedef {{recordId: string, ownerId: string, version: number, revId: Uint8Array, parent?: Uint8Array|null}} Revision
 *   who a revision says it is: the server's labels of a served head, or what its bytes say (the parsed header;
 *   revId = SHA-256(header || ct)); `parent` is known from the bytes only
 * @typedef {{access: string, recordId: string, ownerId: string, key: boolean, head: Revision|null,
 *   read: Revision|null}} Pulled
 *   the item as served (`key`: an own record came with its key wrap), its head's labels, and what the head's bytes
 *   say (null when there is no head, or for a removed record)
 * @typedef {{me: string, holds: 'own'|'received'|null, synced: [number, Uint8Array]|null,
 *   highWater: [number, Uint8Array]|null, ownerKey: string|null,
 *   pending: {revId: Uint8Array, baseVersion: number, sentRevId: Uint8Array|null}|null}} Here
 *   what this device holds under the record's id: an own record (stored or only pending) or one someone shared,
 *   the server head it holds and the newest one it ever accepted, the owner's pinned key state (null: not pinned),
 *   and the pending own edit (with an earlier revision of this device that may have landed unacknowledged)
 * @typedef {{kind: 'ignore'|'forget'|'keep_own'|'refuse'|'hold'|'unchanged'|'store'|'landed'|'keep_pending'
 *   |'landed_earlier'|'merge', reason: string|null}} Action
 */

const action = (kind, reason = null) => ({ kind, reason });
const REMOVED = { received: 'forget', own: 'keep_own' };

/**
 * The one rule for a pulled record (PROTOCOL.md §8 steps 2 and 10, §18), as sync/core/pull.py `decide`.
 * ignore: nothing here to change. forget: access to someone's record ended: drop it, keep the high-water mark.
 * keep_own: the server says an own record was removed: never on its word. refuse: `reason` says why; nothing of the
 * item is stored. hold: the owner's key is blocked: counted, pulled again once they are verified. unchanged: the
 * head held already. store: a newer head, nothing pending. landed: the pending edit itself came back (its push
 * answer was lost). keep_pending: the pending edit is based on this version or a later one. landed_earlier: an
 * earlier push landed and the record was edited since. merge: someone else's newer head meets a local edit.
 * @param {Pulled} pulled
 * @param {Here} here
 * @returns {Action}
 */
export function decide(pulled, here) {
  if (pulled.access === 'removed') return action(REMOVED[here.holds] ?? 'ignore');
  const { head, read } = pulled;
  if (!['owner', 'granted'].includes(pulled.access) || !head || !read || head.recordId !== pulled.recordId
      || head.ownerId !== pulled.ownerId) {
    return action('refuse', 'inconsistent');
  }
  if (pulled.access === 'owner') {
    if (pulled.ownerId !== here.me || !pulled.key) return action('refuse', 'own_without_key');
  } else {
    if (here.holds === 'own') return action('refuse', 'own_as_shared'); // the server cannot re-label our own
    if (pulled.ownerId === here.me || here.ownerKey == null) return action('refuse', 'not_pinned');
    if (!takesFrom(here.ownerKey)) return action('hold'); // not refused: it comes again once they are verified
  }
  // The server's labels around the revision must agree with its bytes: signatures cover the bytes, not the labels.
  if (!equal(read.revId, head.revId) || read.version !== head.version || read.recordId !== head.recordId
      || read.ownerId !== head.ownerId) {
    return action('refuse', 'labels');
  }
  try {
    checkHighWater(here.highWater, read.version, read.revId);
  } catch (err) {
    if (err instanceof RollbackError) return action('refuse', 'rollback');
    throw err;
  }
  const { synced, pending } = here;
  if (synced && read.version === synced[0] + 1 && !(read.parent && equal(read.parent, synced[1]))) {
    return action('refuse', 'forked'); // the next version must descend from the head this device holds
  }
  if (synced && equal(synced[1], read.revId)) return action('unchanged');
  if (pulled.access === 'granted' || !pending) return action('store');
  if (equal(pending.revId, read.revId)) return action('landed');
  if (pending.baseVersion >= read.version) return action('keep_pending');
  if (pending.sentRevId && equal(pending.sentRevId, read.revId)) return action('landed_earlier');
  return action('merge');
}

/** The error each refusal throws, as both engines word it (the detail never holds content). */
export const REFUSALS = {
  inconsistent: [ProtocolError, 'the server sent an inconsistent record'],
  own_without_key: [ProtocolError, 'an own record without its key'],
  own_as_shared: [ProtocolError, 'an own record served as shared'],
  not_pinned: [CryptoError, 'shared by someone who is not a pinned contact'],
  labels: [CryptoError, 'a served label (rev_id, version, owner or record id) does not match its bytes'],
  rollback: [RollbackError, 'the server served an older or forked revision'],
  forked: [RollbackError, 'the server served a forked revision: its parent is not the head before it'],
};

/** The error to throw for a refused item. */
export function refusal(reason) {
  const [Cls, detail] = REFUSALS[reason];
  return Cls === ProtocolError ? new ProtocolError('bad_state', detail) : new Cls(detail);
}
