/** Care links and sharing, client side: invites, pinned keys, share intents (the rules they follow: sharing.js). */

import { equal, uuidBytes } from '../core/bytes.js';
import { get, getAll, write } from '../data/db.js';
import { rekeyEntry } from '../data/entries.js';
import { BetweenError, CryptoError } from '../core/errors.js';
import { makeBundle, verifyBundle } from '../core/keys.js';
import { recordVerification, settlePeer, verificationsOf } from './peers.js';
import { checkKeyFingerprint, formatSafetyNumber, normaliseOrigin, parseInviteUrl, safetyNumber } from '../core/safety.js';
import { inviteProof, latest, sameKeys } from '../core/trust.js';
import { canGrant, granteesAfter } from '../core/sharing.js';
import { bundleFromWire } from '../data/api.js';

/** The codes in the sync status's `warnings`, each to its words in the catalogue (`sync.warning.<name>`). */
export const WARNINGS = Object.freeze({ old_grants_ignored: 'oldGrantsIgnored', share_list_differs: 'shareListDiffers',
  link_ended_rekeyed: 'linkEndedRekeyed', waiting_for_verification: 'waitingForVerification',
  unverified_revoked: 'unverifiedRevoked', key_changed: 'keyChanged', server_restored: 'serverRestored' });

/** Who this person shares with and since when (a pending share or unshare is marked as such). */
export async function sharingOf(db, row) {
  const peers = new Map((await getAll(db, 'peers')).map((p) => [p.userId, p]));
  const now = granteesAfter(row);
  const shared = [...now].map((uid) => ({ peer: peers.get(uid) ?? { userId: uid, handle: 'someone', linked: false },
    since: row.grantees?.[uid] ?? null, pending: !(uid in (row.grantees ?? {})) }));
  const stopping = (row.intent?.revoke ?? []).filter((uid) => uid in (row.grantees ?? {}))
    .map((uid) => peers.get(uid)).filter(Boolean);
  return { shared, stopping, peers: [...peers.values()].filter((p) => p.linked) };
}

/**
 * @param {{env: () => Promise<any>, sessionApi: () => Promise<any>, origin: string, changed: () => void}} deps
 */
export function createSharing({ env, sessionApi, origin, changed }) {
  let invite = null; // the parsed fragment of an invite link, in memory only

  /** Read an invite link the page took from its own address bar (the fragment never went to a server). */
  function setInvite(link) {
    const parsed = parseInviteUrl(link);
    if (parsed.origin !== normaliseOrigin(origin)) throw new BetweenError('wrong_server', 'invite for another server');
    invite = parsed;
  }

  /** The therapist the invite names, checked against the fingerprint and handle of the link. */
  async function preview() {
    if (!invite) return { state: 'none' };
    const api = await sessionApi();
    if (!api) return { state: 'needs_account', handle: invite.handle };
    const { db, me } = await env();
    const answer = await api.previewInvite(invite.token);
    const therapist = bundleFromWire(answer.therapist);
    await verifyBundle(therapist);
    // A server that swapped the therapist's key is caught here, before anything is accepted.
    await checkKeyFingerprint(therapist, invite.fingerprint);
    if (therapist.handle !== invite.handle || therapist.role !== 'therapist') {
      throw new CryptoError('the invitation does not match the therapist the server named');
    }
    const mine = await makeBundle({ ...me, role: me.role });
    return { state: 'ready', therapist, wire: answer.therapist, inviteId: answer.invite_id, expiresAt: answer.expires_at,
      db, mine, safety: formatSafetyNumber(await safetyNumber(mine, therapist)) };
  }

  async function accept() {
    const seen = await preview();
    if (seen.state !== 'ready') return seen;
    const api = await sessionApi();
    const { me } = await env();
    // The link's secret proves this account's key back to the therapist; the server cannot make or check it.
    const proof = await inviteProof(invite.secret, uuidBytes(seen.inviteId), seen.therapist.userId, seen.mine);
    const link = await api.acceptInvite(invite.token, proof);
    const t = link.therapist;
    if (t.user_id !== seen.wire.user_id || !equal(t.sig_pub, seen.wire.sig_pub) || !equal(t.kem_pub, seen.wire.kem_pub)
        || !equal(bundleFromWire(link.client).userId, me.userId)) {
      throw new CryptoError('the server answered the invitation with different keys');
    }
    // Checked against the link: the account records it for every own device (unless it says so already).
    const verifications = await verificationsOf(seen.db, t.user_id);
    if (!verifications.length || !sameKeys(latest(verifications).bundle, seen.therapist)) {
      await recordVerification(seen.db, me, seen.therapist, 'invite-link');
    }
    const { peer } = await settlePeer(seen.db, me, t.user_id, seen.therapist, { linkId: link.link_id });
    invite = null;
    changed();
    return { state: 'accepted', peer, safety: seen.safety };
  }

  /** The safety number with a pinned peer, for comparing in session. */
  async function safetyWith(peer) {
    const { me } = await env();
    return formatSafetyNumber(await safetyNumber(await makeBundle(me), peer.changed ?? peer.bundle));
  }

  /**
   * The safety numbers matched (in person or by video): the account records it for the key the server names now,
   * and every own device follows. A changed key, or one that does not match its invitation, is accepted only
   * this way.
   */
  async function markVerified(uid) {
    const { db, me } = await env();
    const peer = await get(db, 'peers', uid);
    if (!peer) return null;
    const served = peer.changed ?? peer.bundle;
    await recordVerification(db, me, served, 'safety-number');
    const { peer: next } = await settlePeer(db, me, uid, peer.linked ? served : null, { linkId: peer.linkId });
    // Pull again from the start: what was held back from this peer, or refused under another key, comes now.
    await write(db, ['meta'], (tx) => tx.objectStore('meta').put(0, 'cursor'));
    changed(); // sync again: what waited for this peer (a blocked re-key) goes out now
    return next;
  }

  /** Share or stop sharing one entry: a new key epoch and the intent, pushed atomically by the sync engine. */
  async function setShared(id, uid, on) {
    const { db, me } = await env();
    const row = await get(db, 'records', id);
    const peer = await get(db, 'peers', uid);
    if (!row || !peer) return null;
    // A blocked key (changed, or not what the invitation proved) or an ended link: nothing is shared until the
    // safety number is confirmed. A key only the server vouches for is shared with, marked "Not verified".
    if (on && !canGrant(peer)) throw new BetweenError('share_blocked', 'sharing is blocked');
    const add = new Set(row.intent?.add ?? []);
    const revoke = new Set(row.intent?.revoke ?? []);
    const had = uid in (row.grantees ?? {});
    if (on) {
      revoke.delete(uid);
      if (!had) add.add(uid);
    } else {
      add.delete(uid);
      if (had) revoke.add(uid);
    }
    const intent = add.size || revoke.size ? { add: [...add], revoke: [...revoke] } : null;
    return rekeyEntry(db, me, id, intent);
  }

  return { setInvite, preview, accept, safetyWith, markVerified, setShared, hasInvite: () => Boolean(invite) };
}
