/**
 * The people on the other side of this account's care links, as this device sees them: `settlePeer` judges a
 * peer's key (trust.js judge) and stores the verdict, adding a key verification to the account where one is due;
 * the account's verifications are kept in the 'verifications' store as read from their documents.
 */

import { equal, uuidString } from '../core/bytes.js';
import { get, getAll, write } from '../data/db.js';
import { createDocument } from '../data/documents.js';
import { BLOCKED, judge, verificationDocument, verifiedAt } from '../core/trust.js';

/** The current UTC time as verification documents write it (to the millisecond). */
const nowStamp = () => new Date().toISOString();

/** This account's verifications of one peer (of everyone: `uid` null), as judge() takes them. */
export async function verificationsOf(db, uid) {
  const store = db.transaction('verifications').objectStore('verifications');
  const rows = await new Promise((resolve, reject) => {
    const req = uid === null ? store.getAll() : store.index('peer').getAll(uid);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return rows.map((r) => ({ bundle: r.bundle, how: r.how, createdAt: r.createdAt, invite: r.invite ?? null }));
}

/** The row the 'verifications' store keeps for one own verification record. */
export const verificationRow = (recordId, v) => ({ recordId, peerId: uuidString(v.bundle.userId), bundle: v.bundle,
  how: v.how, createdAt: v.createdAt, invite: v.invite ?? null });

/**
 * Add "this key was verified, this way, now" to the account: an own record, synced to every own device.
 * @param {string} how 'invite-link' or 'safety-number'
 */
export async function recordVerification(db, me, bundle, how, invite = null) {
  const uid = uuidString(bundle.userId);
  const createdAt = verifiedAt(await verificationsOf(db, uid), nowStamp());
  const made = await createDocument(db, me, verificationDocument(bundle, how, createdAt, me.deviceId, invite));
  await write(db, ['verifications'], (tx) => tx.objectStore('verifications')
    .put(verificationRow(made.id, { bundle, how, createdAt, invite })));
}

/**
 * Judge one peer and store the verdict: the pin, its state, a verification due to the account, and what was
 * received from them under a key that is no longer theirs (dropped; the pull cursor goes back to 0 so it comes
 * again, verified under the right key). `served` is the bundle the server lists now (keys.js form, already
 * verified), null when the care link ended. @returns {Promise<{peer: object, restart: boolean}>}
 */
export async function settlePeer(db, me, uid, served, { linkId = null, proof = 'none', invite = null } = {}) {
  const old = await get(db, 'peers', uid);
  const verifications = await verificationsOf(db, uid);
  const verdict = judge(served, old?.bundle ?? null, old?.verifiedHow ?? 'tofu', verifications, proof);
  const pin = verdict.pin;
  const samePin = Boolean(old?.sigPub && equal(old.sigPub, pin.sigPub) && equal(old.kemPub, pin.kemPub));
  const peer = { userId: uid, handle: pin.handle, role: pin.role, sigPub: pin.sigPub, kemPub: pin.kemPub, bundle: pin,
    verifiedHow: verdict.how, pinnedAt: samePin ? old.pinnedAt : nowStamp(), linkId: linkId ?? old?.linkId ?? null,
    linked: Boolean(served), changed: verdict.changed, state: verdict.state,
    held: BLOCKED.has(verdict.state) ? old?.held ?? 0 : 0 };
  const dropped = verdict.forget ? (await getAll(db, 'received'))
    .filter((r) => r.ownerId === uid && !(r.signer && equal(r.signer, pin.sigPub))) : [];
  // Pulled again from the start: what came under the old key comes verified under the new one, and what was held
  // back while the key was blocked comes now.
  const unblocked = Boolean(old?.held) && BLOCKED.has(old?.state) && !BLOCKED.has(verdict.state);
  const restart = dropped.length > 0 || unblocked;
  await write(db, ['peers', 'received', 'meta'], (tx) => {
    tx.objectStore('peers').put(peer);
    for (const row of dropped) tx.objectStore('received').delete(row.recordId);
    if (restart) tx.objectStore('meta').put(0, 'cursor');
  });
  if (verdict.record) {
    await recordVerification(db, me, pin, verdict.record, verdict.record === 'invite-link' ? invite : null);
  }
  return { peer, restart };
}

/** `count` more records of a blocked peer held back: they come again, from cursor 0, once the peer is verified. */
export async function holdFrom(db, uid, count) {
  const peer = await get(db, 'peers', uid);
  if (peer && BLOCKED.has(peer.state)) {
    await write(db, ['peers'], (tx) => tx.objectStore('peers').put({ ...peer, held: (peer.held ?? 0) + count }));
  }
}
