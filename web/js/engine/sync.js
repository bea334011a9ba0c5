/** The sync engine in the service worker: outbox, pull and verify, three-way merge, push with base versions. */

import { equal, toHex, uuidBytes, uuidString } from '../core/bytes.js';
import { randomBytes } from '../core/crypto.js';
import { get, getAll } from '../data/db.js';
import { isPending, openPlaintext, rekeyEntry, rememberPlaintext } from '../data/entries.js';
import { namedBlobIds, requeueBlobs } from '../data/blobs.js';
import { BetweenError, CryptoError, ProtocolError, RollbackError } from '../core/errors.js';
import { FLAG_DELETED, ZERO32, parseHeader } from '../core/layout.js';
import { canonicalJson, mergeDocuments, useKinds } from '../core/merge.js';
import { ApiError, bundleFromWire } from '../data/api.js';
import { verifyBundle } from '../core/keys.js';
import { peerState } from '../core/key-status.js';
import { holdFrom, settlePeer, verificationRow, verificationsOf } from './peers.js';
import { decide, refusal } from '../core/pull.js';
import { prepareReceived, removedReceived } from './received.js';
import { pushOutcome } from './push-result.js';
import { canGrant, granteesAfter, rebaseIntent, shareListAfterPull } from '../core/sharing.js';
import { BLOCKED, checkInviteProof, readVerification, usedInvites } from '../core/trust.js';
import {
  decodeDocument, makeGrant, openRevision, revId, sealRevision, unwrapDek, verifyGrant, wrapDek,
} from '../core/records.js';

const PULL_LIMIT = 200;
const PUSH_BATCH = 100;
const PUSH_ROUNDS = 5;
const PAGE_TRIES = 3;
const MERGE_SHOWN_MS = 10 * 60_000;

const isDeleted = (revision) => Boolean(parseHeader(revision.header).flags & FLAG_DELETED);

/** A pulled own record that changed what this device holds. */
const bring = (report) => {
  report.pulled++;
  report.touched.add('records');
};

/** A re-key waits in this row: a share or unshare, or a new key epoch the server has not seen yet. */
const sharingWaits = (row) => isPending(row)
  && (Boolean(row.intent) || !row.synced || !equal(row.keyId, row.synced.keyId));

/**
 * What one pulled record leads to: its row for `store` (default 'records'), put only if the stored head is still
 * `before`, with the revisions it brings and an own key verification; or `held`, the owner of a record held back
 * while their key is blocked.
 * @typedef {{store?: string, before?: Uint8Array|null, row?: Record<string, any>, revisions?: object[],
 *   verification?: {peerId: string, row: object, deleted: boolean}, held?: string}} Change
 */

/**
 * Puts that must land together, each only if its record's head is still the one the change was computed
 * from: a local edit made while we were verifying or merging wins, and the whole batch is retried.
 * @param {IDBDatabase} db @param {Change[]} changes @param {(tx: IDBTransaction) => void} [extra] more to write
 * @returns {Promise<boolean>} false when something moved under us (nothing was written)
 */
function writeChecked(db, changes, extra = () => {}) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(['records', 'revisions', 'meta', 'peers', 'received', 'verifications'], 'readwrite',
      { durability: 'strict' });
    let stale = false;
    tx.oncomplete = () => resolve(true);
    tx.onabort = () => (stale ? resolve(false) : reject(tx.error ?? new Error('transaction aborted')));
    for (const change of changes) {
      // Own records by default; `received` for what others shared (its head is null once access was removed).
      const store = tx.objectStore(change.store ?? 'records');
      const req = store.get(change.row.recordId);
      req.onsuccess = () => {
        const now = req.result;
        const head = now?.head?.revId ?? null;
        const same = now && head ? change.before && equal(head, change.before) : change.before === null;
        if (!same) {
          stale = true;
          tx.abort();
          return;
        }
        store.put(change.row);
        for (const rev of change.revisions ?? []) tx.objectStore('revisions').put(rev);
        // An own key verification (PROTOCOL.md §11): kept in its store as read, in the same transaction.
        if (change.verification?.deleted) tx.objectStore('verifications').delete(change.row.recordId);
        else if (change.verification) tx.objectStore('verifications').put(change.verification.row);
      };
    }
    extra(tx);
  });
}

const revisionRow = (recordId, rev) => ({ recordId, version: rev.version, revId: rev.revId, header: rev.header,
  ct: rev.ct, signature: rev.signature });

/**
 * What a sync run changed on this device, by the data screens show (web/js/page/refresh.js reads them):
 * `records` own records (entries, assignments, answers, notes: pulled, merged, acknowledged, refused, re-keyed),
 * `received` what others shared with this account, `peers` care links and how far each person is trusted.
 * @typedef {'records'|'received'|'peers'} Scope
 */

/**
 * Why a run failed, as a fixed code the status words are chosen by (core/sync-status.js): never an error's text.
 * @param {unknown} err @returns {string}
 */
export function problemOf(err) {
  if (err instanceof RollbackError) return 'rollback';
  if (err instanceof ApiError) {
    if (err.status === 429) return 'busy_server';
    if (err.status >= 500) return 'server';
    return 'refused';
  }
  if (err instanceof BetweenError) {
    if (err.code === 'busy') return 'busy';
    if (err.code === 'bad_response') return 'bad_response';
  }
  if (err instanceof CryptoError || err instanceof ProtocolError) return 'bad_response';
  if (err instanceof DOMException || (err instanceof Error && err.name === 'QuotaExceededError')) return 'storage';
  return 'unexpected';
}

/** Whether a peer as judged now differs, for any screen, from how it was. @param {any} was @param {any} now */
const peerMoved = (was, now) => !was || ['handle', 'state', 'linked', 'linkId', 'verifiedHow', 'held']
  .some((k) => was[k] !== now[k]) || Boolean(was.changed) !== Boolean(now.changed);

/**
 * One engine per worker life. `env()` gives {db, me, kinds}; `api()` an Api with the session (or null when the
 * device is signed out); `notify(status, scopes)` tells the pages the status and, when a run ends, which kinds of
 * data it changed on this device (empty when it changed nothing): together, so that a page shows the new status
 * only with the screen that agrees with it.
 * `uploads` (engine/uploads.js): a revision that names attachments is pushed only once their blobs are on the server.
 * @param {{env: () => Promise<any>, api: () => Promise<any>, notify: (status: object, scopes: Scope[]) => void,
 *   uploads?: {ready: (ids: string[]) => Promise<boolean>, run: (options?: object) => Promise<void>}}} io
 */
export function createSync({ env, api, notify, uploads = null }) {
  let running = null;
  let again = false;
  let timer = null;
  const waiters = []; // callers of soon() waiting for the run their timer starts
  let status = { state: 'off', waiting: 0, merged: 0, refused: 0 };

  /** A new status for the pages; `scopes`: what the run that ends with it changed (shown before the status). */
  const tell = (next, scopes = []) => {
    status = { ...status, ...next };
    notify(status, scopes);
  };

  async function countWaiting(db) {
    return (await getAll(db, 'records')).filter(isPending).length;
  }

  // ---------------------------------------------------------------- pull

  /** The same content on top of `remote` under a new record key (the server never saw it: anything may be sent). */
  async function sealFresh(me, recordId, remote, plaintext, deleted) {
    const keyId = randomBytes(16);
    const dek = randomBytes(32);
    const dekWrap = await wrapDek(me.kwk, me.userId, recordId, keyId, dek);
    const sealed = await sealRevision({ ownerId: me.userId, recordId, version: remote.version + 1, parent: remote.revId,
      keyId, dek, plaintext, sigSeed: me.sigSeed, deleted });
    const headRid = await revId(sealed.header, sealed.ct);
    rememberPlaintext(headRid, plaintext);
    return { keyId, dekWrap, head: { version: remote.version + 1, revId: headRid, ...sealed } };
  }

  /** The served head's labels and what its bytes say (pull.js reads both), with its parsed header and rev_id. */
  async function readHead(state) {
    const h = state.head;
    if (!h || state.access === 'removed') return { head: null, read: null, header: null, rid32: null };
    const header = parseHeader(h.revision.header);
    const rid32 = await revId(h.revision.header, h.revision.ct);
    return { header, rid32, head: { recordId: h.record_id, ownerId: h.owner_id, version: h.version, revId: h.rev_id },
      read: { recordId: uuidString(header.recordId), ownerId: uuidString(header.ownerId), version: header.version,
        revId: rid32, parent: header.parent } };
  }

  /** What this device holds under a pulled record's id, as pull.js decide reads it, with the rows it came from. */
  async function holding(e, state, read) {
    const { db } = e;
    const rid = state.record_id;
    const row = await get(db, 'records', rid);
    const old = row ? null : await get(db, 'received', rid);
    let pending = null;
    if (row && isPending(row)) {
      // A revision this device made at that version may have landed although its push answer was lost.
      const kept = read ? await get(db, 'revisions', [rid, read.version]) : null;
      pending = { revId: row.head.revId, baseVersion: row.synced?.version ?? 0, sentRevId: kept?.revId ?? null };
    }
    const held = row ? row.synced : old?.head;
    const peer = state.access === 'granted' ? e.peers.get(state.owner_id) : null;
    const holds = /** @type {'own'|'received'|null} */ (row ? 'own' : old?.head ? 'received' : null);
    const synced = /** @type {[number, Uint8Array]|null} */ (held ? [held.version, held.revId] : null);
    const here = { me: uuidString(e.me.userId), holds, synced, highWater: (row ?? old)?.highWater ?? null,
      ownerKey: peer ? peerState(peer) : null, pending };
    return { here, row, old };
  }

  /**
   * Verify one pulled record and work out the row it leads to (pull.js decides what to do with it).
   * @returns {Promise<Change|null>}
   */
  async function prepare(e, state, report) {
    const seen = await readHead(state);
    const { here, row, old } = await holding(e, state, seen.read);
    const next = decide({ access: state.access, recordId: state.record_id, ownerId: state.owner_id,
      key: Boolean(state.dek_wrap), head: seen.head, read: seen.read }, here);
    const restoring = e.restoring;
    if (restoring && state.access === 'owner') {
      if (seen.head) restoring.served.set(state.record_id, seen.head.version);
      for (const g of state.grants ?? []) restoring.holders.add(`${state.record_id} ${g.grantee_id}`);
    }
    if (restoring && next.kind === 'refuse' && next.reason === 'rollback') {
      // The restored server is behind this device (PROTOCOL.md "Restores and the server epoch"): nothing here goes
      // back. An own record is sent again; someone else's stays as it is until their device sends it.
      if (here.holds === 'own') restoring.lost.add(state.record_id);
      return null;
    }
    if (next.kind === 'refuse') throw refusal(next.reason);
    if (next.kind === 'ignore' || next.kind === 'keep_own') return null; // an own record is never dropped on its word
    if (next.kind === 'hold') {
      report.warnings.add('waiting_for_verification');
      report.touched.add('peers'); // its count of what is held back
      return { held: state.owner_id };
    }
    if (state.access !== 'owner') {
      // Shared with us by a peer (or no longer): its own store.
      const change = next.kind === 'forget' ? removedReceived(old)
        : await prepareReceived(e, state, old, seen.header, seen.rid32);
      report.pulled++;
      report.touched.add('received');
      return change;
    }
    let verification = null;
    const change = await prepareRecord(e, state, row, next.kind, seen, report, (v) => { verification = v; });
    if (change && verification) change.verification = verification;
    return change;
  }

  /**
   * Verify one owner head from the server and work out the row it leads to for `kind` (pull.js decide: store,
   * unchanged, landed, landed_earlier, keep_pending or merge); `verified(v)` is told of a key verification it holds.
   * @returns {Promise<Change|null>}
   */
  async function prepareRecord(e, state, row, kind, { header, rid32 }, report, verified) {
    const { me } = e;
    const rid = state.record_id;
    const h = state.head;
    const recordId = uuidBytes(rid);
    const dek = await unwrapDek(me.kwk, me.userId, recordId, header.keyId, state.dek_wrap);
    // Own records verify under our own identity key only: the server cannot forge one.
    const [, plaintext] = await openRevision(h.revision, { ownerId: me.userId, recordId, dek, keyId: header.keyId,
      signerPub: me.sigPub });
    const incoming = decodeDocument(plaintext);
    const found = readVerification(incoming);
    if (found) verified({ peerId: uuidString(found.bundle.userId), row: verificationRow(rid, found),
      deleted: isDeleted(h.revision) });
    const served = {};
    const stale = new Set();
    for (const g of state.grants ?? []) {
      const body = await verifyGrant(g, me.sigPub, { ownerId: me.userId, recordId, granteeId: uuidBytes(g.grantee_id),
        keyId: g.key_id });
      // A grant for an older key says who could read once, not who shares now (a replayed one must not re-add).
      if (equal(body.keyId, header.keyId)) served[g.grantee_id] = g.created_at;
      else stale.add(g.grantee_id);
    }
    const gone = new Set([...e.peers.values()].filter((p) => !p.linked).map((p) => p.userId));
    const judged = shareListAfterPull({ known: row?.grantees, knownKeyId: row?.synced?.keyId, keyId: header.keyId,
      served, stale, gone });
    for (const w of judged.warnings) report.warnings.add(w);
    const grantees = judged.grantees;
    rememberPlaintext(rid32, plaintext);
    const remote = { version: header.version, revId: rid32, ...h.revision, keyId: header.keyId };
    const dekWraps = { ...row?.dekWraps, [toHex(header.keyId)]: state.dek_wrap };
    const common = { synced: remote, syncedVersion: remote.version, highWater: [remote.version, rid32], dekWraps,
      grantees };
    const revisions = [revisionRow(rid, remote)];
    const adopt = { keyId: header.keyId, dekWrap: state.dek_wrap, head: remote, intent: null, pushError: null };
    if (!row) {
      bring(report);
      return { before: null, row: { recordId: rid, ownerId: me.userId, ...common, ...adopt }, revisions };
    }
    const before = row.head.revId;
    if (kind === 'unchanged') return { before, row: { ...row, ...common } };
    if (kind === 'store') {
      bring(report);
      return { before, row: { ...row, ...common, ...adopt, intent: row.intent }, revisions };
    }
    if (kind === 'keep_pending') {
      bring(report); // the pending edit is based on this version already: it stays as it is
      return { before, row: { ...row, ...common }, revisions };
    }
    if (kind === 'landed' || kind === 'landed_earlier') {
      // Our own revision, whose push answer was lost: no merge. The server applied the sharing change sent
      // with it; what the person wants now may differ (changed while the answer was lost), and a replay with
      // other grants is refused, so any difference goes out as a new revision under a key the server never saw.
      bring(report);
      const desired = sharingWaits(row) ? granteesAfter(row) : new Set(Object.keys(grantees));
      const intent = rebaseIntent(desired, grantees, (uid) => canGrant(e.peers.get(uid)));
      const replayed = kind === 'landed';
      if (!intent) {
        return replayed ? { before, row: { ...row, ...common, ...adopt, intent: null }, revisions }
          : { before, row: { ...row, ...common, intent: null, pushError: null }, revisions };
      }
      if (!replayed && !equal(row.keyId, header.keyId)) {
        return { before, row: { ...row, ...common, intent, pushError: null }, revisions }; // already a fresh key
      }
      const plain = replayed ? plaintext : await openPlaintext(me, row, row.head);
      const fresh = await sealFresh(me, recordId, remote, plain, isDeleted(row.head));
      const wraps = { ...dekWraps, [toHex(fresh.keyId)]: fresh.dekWrap };
      return { before, row: { ...row, ...common, ...fresh, dekWraps: wraps, intent, pushError: null },
        revisions: [...revisions, revisionRow(rid, fresh.head)] };
    }
    // A local edit meets a newer remote head: merge three ways against the last head both sides shared.
    const base = row.synced ? decodeDocument(await openPlaintext(me, row, row.synced)) : null;
    const local = decodeDocument(await openPlaintext(me, row, row.head));
    const remoteDeleted = Boolean(header.flags & FLAG_DELETED);
    const result = mergeDocuments(base, local, incoming, { localDeleted: isDeleted(row.head), remoteDeleted,
      kinds: e.kinds });
    report.merged++;
    report.touched.add('records');
    if (result.conflicted) report.conflicts++;
    const same = canonicalJson(result.document) === canonicalJson(incoming) && result.deleted === remoteDeleted;
    if (same && !row.intent) return { before, row: { ...row, ...common, ...adopt }, revisions };
    // A pending share keeps its fresh key epoch; otherwise the remote's epoch (an unshare elsewhere re-keyed).
    const keep = Boolean(row.intent);
    const keyId = keep ? row.keyId : header.keyId;
    const wrap = keep ? row.dekWrap : state.dek_wrap;
    const mergedDek = keep ? await unwrapDek(me.kwk, me.userId, recordId, keyId, wrap) : dek;
    const mergedPlain = new TextEncoder().encode(canonicalJson(result.document));
    const sealed = await sealRevision({ ownerId: me.userId, recordId, version: remote.version + 1, parent: rid32, keyId,
      dek: mergedDek, plaintext: mergedPlain, sigSeed: me.sigSeed, deleted: result.deleted });
    const mergedRid = await revId(sealed.header, sealed.ct);
    rememberPlaintext(mergedRid, mergedPlain);
    const head = { version: remote.version + 1, revId: mergedRid, ...sealed };
    return { before, row: { ...row, ...common, keyId, dekWrap: wrap, head, pushError: null },
      revisions: [...revisions, revisionRow(rid, head)] };
  }

  async function pull(e, client, report) {
    const { db } = e;
    for (;;) {
      const cursor = (await get(db, 'meta', 'cursor')) ?? 0;
      const page = await client.pull(cursor, PULL_LIMIT);
      if (page.cursor < cursor) throw new RollbackError('the server moved the sync cursor backwards');
      let written = false;
      let held;
      let changes;
      for (let attempt = 0; attempt < PAGE_TRIES && !written; attempt++) {
        changes = [];
        held = new Map();
        for (const state of page.items) {
          try {
            const change = await prepare(e, state, report);
            if (change?.held) held.set(change.held, (held.get(change.held) ?? 0) + 1);
            else if (change) changes.push(change);
          } catch (err) {
            if (!(err instanceof CryptoError || err instanceof ProtocolError || err instanceof RollbackError)) throw err;
            report.refused++; // a head that fails verification is not stored; the others still apply
          }
        }
        // The records and the cursor that covers them commit together, or neither does.
        written = await writeChecked(db, changes, (tx) => tx.objectStore('meta').put(page.cursor, 'cursor'));
      }
      if (!written) throw new BetweenError('busy', 'entries kept changing during sync');
      for (const [uid, count] of held) await holdFrom(db, uid, count);
      // Verifications this page brought: their peers are judged again (which may send the cursor back to 0).
      const judged = new Set(changes.filter((c) => c.verification).map((c) => c.verification.peerId));
      let restart = false;
      for (const uid of [...judged].sort()) restart = (await rejudge(e, uid, report)) || restart;
      if (!page.more && !restart) return;
    }
  }

  // ---------------------------------------------------------------- push

  /** The push item of an outbox row; re-seals the head as synced.version + 1 first when local edits piled up. */
  async function outboxItem(e, row, report) {
    const { db, me } = e;
    const recordId = uuidBytes(row.recordId);
    const base = row.synced?.version ?? 0;
    const parent = row.synced?.revId ?? ZERO32;
    const dek = await unwrapDek(me.kwk, me.userId, recordId, row.keyId, row.dekWrap);
    let head = row.head;
    if (head.version !== base + 1 || !equal(parseHeader(head.header).parent, parent)) {
      const plaintext = await openPlaintext(me, row, head);
      const sealed = await sealRevision({ ownerId: me.userId, recordId, version: base + 1, parent: row.synced?.revId ?? null,
        keyId: row.keyId, dek, plaintext, sigSeed: me.sigSeed, deleted: isDeleted(head) });
      head = { version: base + 1, revId: await revId(sealed.header, sealed.ct), ...sealed };
      rememberPlaintext(head.revId, plaintext);
      // Stored before it is sent, so a push whose answer is lost is recognised when the pull brings it back.
      const saved = { ...row, head };
      if (!(await writeChecked(db, [{ before: row.head.revId, row: saved, revisions: [revisionRow(row.recordId, head)] }]))) {
        return null;
      }
      row = saved;
    }
    const grants = [];
    const revoke = new Set(row.intent?.revoke ?? []);
    const newEpoch = !row.synced || !equal(row.synced.keyId, row.keyId);
    if (newEpoch) {
      for (const uid of granteesAfter(row)) {
        const peer = await get(db, 'peers', uid);
        if (!canGrant(peer)) {
          // Never hand a new key to an identity that is changed, no longer linked, or only the server's word.
          if (row.intent?.add?.includes(uid)) throw new BetweenError('share_blocked', 'sharing is blocked');
          if (peer?.linked) report.warnings.add('unverified_revoked');
          revoke.add(uid);
          continue;
        }
        grants.push(await makeGrant({ sigSeed: me.sigSeed, ownerId: me.userId, recordId, keyId: row.keyId, dek,
          granteeId: uuidBytes(uid), granteeKemPub: peer.kemPub }));
      }
    }
    // The blobs its document names (PROTOCOL.md §17 "Naming blobs in a push"): the server keeps and serves them for it.
    const attachments = isDeleted(head) ? []
      : namedBlobIds(decodeDocument(await openPlaintext(me, row, head)));
    return { row, atomic: Boolean(row.intent), item: { record_id: row.recordId, base_version: base,
      revision: { header: head.header, ct: head.ct, signature: head.signature }, dek_wrap: row.dekWrap, grants,
      revoke: [...revoke], attachments } };
  }

  async function acknowledge(e, sent) {
    const { db } = e;
    const now = await get(db, 'records', sent.row.recordId);
    if (!now) return;
    const head = sent.row.head;
    const synced = { ...head, keyId: sent.row.keyId };
    const grantees = {};
    const since = new Date().toISOString();
    for (const g of sent.item.grants) {
      const uid = uuidString(g.body.subarray(70, 86));
      grantees[uid] = sent.row.grantees?.[uid] ?? since;
    }
    const stillThere = equal(now.head.revId, head.revId);
    const next = { ...now, synced, syncedVersion: head.version, highWater: [head.version, head.revId], pushError: null,
      grantees: sent.item.grants.length || sent.item.revoke.length ? grantees : now.grantees,
      // an intent changed while this push was in flight stays for the next one
      intent: canonicalJson(now.intent ?? null) === canonicalJson(sent.row.intent ?? null) ? null : now.intent };
    if (!stillThere) next.head = now.head; // edited meanwhile: that edit stays pending on top of this one
    await writeChecked(db, [{ before: now.head.revId, row: next, revisions: [revisionRow(now.recordId, head)] }]);
  }

  async function push(e, client, report) {
    const rows = (await getAll(e.db, 'records')).filter(isPending);
    const prepared = [];
    for (const row of rows) {
      try {
        const p = await outboxItem(e, row, report);
        // Not before its attachments are uploaded (tried now); until then it waits in the outbox, kept, and counted.
        if (p && uploads && !(await uploads.ready(p.item.attachments))) continue;
        if (p) prepared.push(p);
      } catch (err) {
        if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
        report.failed++;
      }
    }
    const batches = prepared.filter((p) => p.atomic).map((p) => [p]);
    const plain = prepared.filter((p) => !p.atomic);
    for (let i = 0; i < plain.length; i += PUSH_BATCH) batches.push(plain.slice(i, i + PUSH_BATCH));
    let conflict = false;
    for (const batch of batches) {
      const answer = await client.push({ atomic: batch.length === 1 && batch[0].atomic, items: batch.map((p) => p.item) });
      const byId = new Map(answer.results.map((r) => [r.record_id, r]));
      for (const sent of batch) {
        const result = byId.get(sent.row.recordId);
        const outcome = pushOutcome(result);
        if (outcome === 'acknowledge') {
          await acknowledge(e, sent);
          report.pushed++;
          report.touched.add('records'); // no longer waiting to sync
        } else if (outcome === 'pull') {
          conflict = true;
        } else if (result && outcome === 'keep') {
          report.failed++;
          report.touched.add('records');
          const row = await get(e.db, 'records', sent.row.recordId);
          // Kept in the outbox: refused is not acknowledged. The reason is the server's fixed words.
          if (row) await writeChecked(e.db, [{ before: row.head.revId, row: { ...row, pushError: result.status } }]);
          // A blob it names is not on the server (collected while the push waited, a day after its upload): the
          // blobs this device holds are sent again, and the item with them at the next run.
          if (result.detail === 'unknown_blob' && sent.item.attachments.length) {
            await requeueBlobs(e.db, sent.row.recordId, sent.item.attachments);
          }
        }
      }
    }
    return conflict;
  }

  // ---------------------------------------------------------------- restores

  /**
   * The server was restored from a backup: its epoch changed (PROTOCOL.md "Restores and the server epoch"). Pull the
   * whole feed again without taking anything older than this device holds, send again the own records the server
   * lost, and only then keep the new epoch, so an interrupted round starts over. What this device holds stays.
   */
  async function afterRestore(e, client, epoch, report) {
    const { db } = e;
    await writeChecked(db, [], (tx) => tx.objectStore('meta').put(0, 'cursor'));
    const restoring = { lost: new Set(), served: new Map(), holders: new Set() };
    e.restoring = restoring;
    try {
      await pull(e, client, report);
    } finally {
      e.restoring = null;
    }
    for (const row of await getAll(db, 'records')) {
      if (row.synced && row.synced.version > (restoring.served.get(row.recordId) ?? 0)) restoring.lost.add(row.recordId);
    }
    const later = await resend(e, client, [...restoring.lost].sort(), restoring.holders, report);
    // A blob the restored server lost is uploaded again from this device first: the round starts over next time.
    if (later) return;
    await writeChecked(db, [], (tx) => tx.objectStore('meta').put(epoch, 'epoch'));
    report.warnings.add('server_restored');
    report.touched.add('records');
  }

  /**
   * After a restore: the last head the server acknowledged of each record in `ids`, sent again as it was signed,
   * marked `restored`, with its key granted again to whoever shares it now and may still be given it. A reader the
   * restored server still lists (`holders`: "record grantee") who no longer shares it is revoked again: that head's
   * key is one they never held (an unshare re-keyed), so push rule 7 accepts it. The blobs its document names go
   * with it (`attachments`); one the restored server lost is queued to upload again from this device, and the item
   * waits: returns true when something must be sent again on a later run.
   */
  async function resend(e, client, ids, holders, report) {
    const { db, me } = e;
    const items = [];
    let later = false;
    for (const rid of ids) {
      const row = await get(db, 'records', rid);
      const synced = row?.synced;
      if (!synced) continue;
      const dekWrap = row.dekWraps?.[toHex(synced.keyId)] ?? (equal(row.keyId, synced.keyId) ? row.dekWrap : null);
      if (!dekWrap) continue;
      const recordId = uuidBytes(rid);
      const dek = await unwrapDek(me.kwk, me.userId, recordId, synced.keyId, dekWrap);
      const attachments = isDeleted(synced) ? []
        : namedBlobIds(decodeDocument(await openPlaintext(me, row, synced)));
      if (attachments.length && uploads && !(await uploads.ready(attachments))) {
        later = true; // its blobs are still on their way up
        continue;
      }
      const sharing = Object.keys(row.grantees ?? {}).sort();
      const grants = [];
      for (const uid of sharing) {
        const peer = await get(db, 'peers', uid);
        if (!canGrant(peer)) continue; // a key is given again only where it could be given now
        grants.push(await makeGrant({ sigSeed: me.sigSeed, ownerId: me.userId, recordId, keyId: synced.keyId, dek,
          granteeId: uuidBytes(uid), granteeKemPub: peer.kemPub }));
      }
      const granted = new Set(grants.map((g) => uuidString(g.body.subarray(70, 86))));
      const revoke = [...holders].filter((h) => h.startsWith(`${rid} `)).map((h) => h.slice(rid.length + 1))
        .filter((uid) => !granted.has(uid) && !sharing.includes(uid)).sort();
      items.push({ record_id: rid, base_version: synced.version - 1,
        revision: { header: synced.header, ct: synced.ct, signature: synced.signature }, dek_wrap: dekWrap, grants,
        revoke, restored: true, attachments });
    }
    const again = [];
    const send = async (batch, last) => {
      const answer = await client.push({ atomic: false, items: batch });
      for (const result of answer.results) {
        const item = batch.find((it) => it.record_id === result.record_id);
        if (result.status === 'ok') report.pushed++;
        else if (result.detail === 'unknown_blob' && item?.attachments.length && !last) {
          // The restored server lost a blob this revision names: it is uploaded again from this device (if it still
          // holds it), then the revision is sent again.
          await requeueBlobs(db, result.record_id, item.attachments);
          again.push(item);
        } else if (result.status === 'invalid' || result.status === 'forbidden') report.failed++; // a blob no one here holds
        // conflict: a newer revision reached the restored server first; the next pull brings it
      }
    };
    for (let i = 0; i < items.length; i += PUSH_BATCH) await send(items.slice(i, i + PUSH_BATCH), false);
    const ready = [];
    for (const item of again) {
      if (uploads && (await uploads.ready(item.attachments))) ready.push(item);
      else later = true;
    }
    for (let i = 0; i < ready.length; i += PUSH_BATCH) await send(ready.slice(i, i + PUSH_BATCH), true);
    return later;
  }

  // ---------------------------------------------------------------- care links

  /** Judge one peer (peers.js settlePeer) and keep `e.peers` current; true when the pull must start over. */
  async function settle(e, uid, served, options, report) {
    const was = e.peers.get(uid);
    const { peer, restart } = await settlePeer(e.db, e.me, uid, served, options);
    e.peers.set(uid, peer);
    if (peerMoved(was, peer)) report.touched.add('peers');
    if (BLOCKED.has(peer.state) && (!was || peerState(was) !== peer.state)) report.warnings.add('key_changed');
    return restart;
  }

  /** After the account's verifications of a peer changed: judged again against what the server listed last. */
  async function rejudge(e, uid, report) {
    const peer = await get(e.db, 'peers', uid);
    const served = peer?.linked ? peer.changed ?? peer.bundle : null;
    return settle(e, uid, served, {}, report);
  }

  /**
   * Judge the other side of every care link before anything is pulled: a new device pins its peers here first,
   * then the account's verifications (here already, or pulled) settle how far each is trusted. On a therapist's
   * device, the client's invitation proof is checked here.
   */
  async function refreshLinks(e, client, report) {
    const links = await client.links();
    const mine = uuidString(e.me.userId);
    const seen = new Set();
    // The other side of each link: a client pins their therapist, a therapist each client.
    const side = e.me.role === 'therapist' ? ['therapist', 'client'] : ['client', 'therapist'];
    // One invitation vouches for one person: an invite id the server lists on two links proves neither.
    const counts = new Map();
    for (const link of links) if (link.invite_id) counts.set(link.invite_id, (counts.get(link.invite_id) ?? 0) + 1);
    // Ids used by earlier proofs; one recorded during this listing is in `counts` too, so read once.
    const used = e.me.role === 'therapist' ? usedInvites(await verificationsOf(e.db, null)) : new Map();
    for (const link of links) {
      if (link[side[0]].user_id !== mine) continue; // a link that is not this account's
      const uid = link[side[1]].user_id;
      try {
        const other = bundleFromWire(link[side[1]]);
        await verifyBundle(other);
        let proof = 'none';
        if (e.me.role === 'therapist') {
          proof = await checkInviteProof(e.me.accountKey, link, other, used);
          if (proof === 'valid' && counts.get(link.invite_id) > 1) proof = 'invalid';
        }
        await settle(e, uid, other, { linkId: link.link_id, proof, invite: proof === 'valid' ? link.invite_id : null },
          report);
        seen.add(uid);
      } catch (err) {
        if (!(err instanceof CryptoError || err instanceof ProtocolError)) throw err;
      }
    }
    for (const peer of await getAll(e.db, 'peers')) {
      if (peer.linked && !seen.has(peer.userId)) {
        report.touched.add('peers');
        e.peers.set(peer.userId, { ...peer, linked: false });
        await writeChecked(e.db, [], (tx) => tx.objectStore('peers').put({ ...peer, linked: false }));
      }
    }
    await revokeUnlinked(e, report);
  }

  /**
   * Queue a re-key and revoke of every own entry someone whose care link ended holds the key of: they keep the
   * keys they received, so later versions need one they never had (and the server refuses a revision under a
   * key revoked from a reader). Runs every sync, so a device that saw the link end earlier catches up.
   */
  async function revokeUnlinked(e, report) {
    const gone = new Set((await getAll(e.db, 'peers')).filter((p) => !p.linked).map((p) => p.userId));
    if (!gone.size) return;
    for (const row of await getAll(e.db, 'records')) {
      const queued = new Set(row.intent?.revoke ?? []);
      const holders = Object.keys(row.grantees ?? {}).filter((uid) => gone.has(uid) && !queued.has(uid));
      if (!holders.length) continue;
      if (isDeleted(row.head) && !isPending(row)) {
        // A deleted entry gets no later versions to protect: only forget the share.
        const grantees = Object.fromEntries(Object.entries(row.grantees).filter(([uid]) => !gone.has(uid)));
        await writeChecked(e.db, [{ before: row.head.revId, row: { ...row, grantees } }]);
        report.touched.add('records');
        continue;
      }
      const intent = { add: (row.intent?.add ?? []).filter((uid) => !gone.has(uid)), revoke: [...queued, ...holders] };
      try {
        await rekeyEntry(e.db, e.me, row.recordId, intent);
        report.warnings.add('link_ended_rekeyed');
        report.touched.add('records');
      } catch (err) {
        if (!(err instanceof BetweenError)) throw err;
        report.failed++;
      }
    }
  }

  // ---------------------------------------------------------------- running

  async function once() {
    const e = { ...(await env()), peers: new Map(), restoring: null }; // this run's own copy: `peers` changes as links are judged
    const client = await api();
    if (!client) {
      tell({ state: 'off', waiting: 0 });
      return;
    }
    useKinds(e.kinds);
    const report = { pulled: 0, pushed: 0, merged: 0, conflicts: 0, refused: 0, failed: 0, warnings: new Set(),
      touched: /** @type {Set<Scope>} */ (new Set()) };
    tell({ state: 'syncing', waiting: await countWaiting(e.db) });
    try {
      for (const p of await getAll(e.db, 'peers')) e.peers.set(p.userId, p);
      await refreshLinks(e, client.api, report);
      // The first answer of a round carried the server's epoch: a new one means the server was restored.
      const epoch = client.api.epoch;
      const known = await get(e.db, 'meta', 'epoch');
      if (epoch && !known) await writeChecked(e.db, [], (tx) => tx.objectStore('meta').put(epoch, 'epoch'));
      else if (epoch && epoch !== known) await afterRestore(e, client.api, epoch, report);
      for (let round = 0; round < PUSH_ROUNDS; round++) {
        await pull(e, client.api, report);
        if (!(await countWaiting(e.db)) || !(await push(e, client.api, report))) break;
      }
      const waiting = await countWaiting(e.db);
      // A merge stays in the status for a while, so a person who looks a minute later still learns of it.
      const mergedAt = report.merged ? Date.now() : status.mergedAt ?? 0;
      tell({ state: waiting ? 'waiting' : 'synced', waiting, merged: Date.now() - mergedAt < MERGE_SHOWN_MS ? 1 : 0,
        mergedAt, refused: report.refused + report.failed, at: new Date().toISOString(), problem: null,
        // fixed codes only (see WARNINGS): never an entry's content
        warnings: [...report.warnings].sort() }, [...report.touched].sort());
    } catch (err) {
      // What a run that failed half-way already wrote is on the device too: the screens show it.
      const waiting = await countWaiting(e.db);
      const touched = [...report.touched].sort();
      if (err?.code === 'unreachable') tell({ state: 'offline', waiting }, touched);
      else if (err?.code === 'signed_out') tell({ state: 'signed_out', waiting }, touched);
      else {
        console.error('between: sync failed', err?.name ?? 'error'); // the class only: never content
        tell({ state: 'error', waiting, problem: problemOf(err) }, touched);
      }
    }
  }

  /**
   * After a local write (an edit, a share): the status counts it at once, so the header never says "Synced" while
   * a screen says "waiting to sync". A run in progress counts again when it ends; signed out or off says so still.
   */
  async function edited() {
    if (!['synced', 'waiting', 'offline', 'error'].includes(status.state)) return;
    const waiting = await countWaiting((await env()).db);
    if (status.state === 'synced' || status.state === 'waiting') tell({ state: waiting ? 'waiting' : 'synced', waiting });
    else tell({ waiting });
  }

  /** Run now (or right after the run in progress); resolves when the device is as synced as it can be. */
  function run() {
    clearTimeout(timer);
    const now = (async () => undefined)().then(() => running);
    for (const resolve of waiters.splice(0)) resolve(now); // a scheduled run folds into this one
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again);
    })().finally(() => { running = null; });
    return running;
  }

  /** Shortly after an edit: several quick edits make one sync. */
  function soon(delay = 1500) {
    clearTimeout(timer);
    return new Promise((resolve) => {
      waiters.push(resolve);
      timer = setTimeout(() => run(), delay);
    });
  }

  return { run, soon, edited, status: () => status };
}
