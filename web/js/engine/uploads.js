/**
 * The upload queue in the service worker (docs/WEB.md "Attachments"): each blob this device sealed goes to the server
 * in 1 MiB pieces that resume where the server stands (POST /blobs, PATCH from `received`, GET /blobs/{id}/state
 * after a lost answer), only while signed in and online, in the background, tried again with growing waits; the
 * progress is kept in 'uploads' as it goes. The rules are core/uploads.js; a push of a revision that names a blob
 * waits for it (engine/sync.js `ready`).
 */

import { equal, fromBase64 } from '../core/bytes.js';
import { sha256 } from '../core/crypto.js';
import { afterError, afterState, due, nextPiece, uploaded } from '../core/uploads.js';
import { ApiError } from '../data/api.js';
import { blobBytes, getUpload, listUploads, saveUpload } from '../data/blobs.js';

/** Whether the server's digest (bytes, or its base64 text) is SHA-256 `ours`. */
function sameDigest(theirs, ours) {
  if (theirs instanceof Uint8Array) return equal(theirs, ours);
  if (typeof theirs !== 'string') return false;
  try {
    return equal(fromBase64(theirs.replace(/-/g, '+').replace(/_/g, '/')), ours);
  } catch {
    return false;
  }
}

/**
 * @param {{load: () => Promise<{db: IDBDatabase}>, sessionApi: () => Promise<import('../data/api.js').Api|null>,
 *   changed?: (ids: string[]) => void, now?: () => number, random?: () => number}} io
 *   `changed`: rows whose state moved (the status fragments the pages poll read them); `now`, `random`: the clock
 *   and the jitter (tests give their own)
 */
export function createUploads({ load, sessionApi, changed = () => {}, now = () => Date.now(), random = Math.random }) {
  let running = null;
  let again = null;

  /** Note a row's new state; the pages polling its status read it from there. */
  async function note(db, row) {
    await saveUpload(db, row);
    changed([row.id]);
    return row;
  }

  /**
   * Send one blob until the server has it all, or an error says to wait. @returns {Promise<{stop: boolean}>}
   * @param {IDBDatabase} db @param {import('../data/api.js').Api} api @param {import('../core/uploads.js').Upload} row
   */
  async function send(db, api, row) {
    const bytes = await blobBytes(db, row.id);
    if (!bytes || bytes.length !== row.size) {
      // The bytes are gone (the device was forgotten half-way): nothing to send, and nothing to send it for.
      await note(db, { ...row, state: 'failed', error: 'missing', nextTry: Number.MAX_SAFE_INTEGER, updatedAt: now() });
      return { stop: false };
    }
    const ours = await sha256(bytes);
    try {
      // Made, or found again as it is (same id and size): where the server stands is where we go on from.
      let state = await api.createBlob(row.id, row.size);
      row = await note(db, afterState({ ...row, state: 'uploading' }, state, sameDigest(state.digest, ours), now()));
      while (!uploaded(row) && row.state === 'uploading') {
        const { offset, end } = nextPiece(row);
        try {
          state = await api.appendBlob(row.id, offset, bytes.subarray(offset, end));
        } catch (err) {
          // Not where the server is (an answer lost on the way back): ask it, and go on from there.
          if (!(err instanceof ApiError) || err.code !== 'upload_offset') throw err;
          state = await api.blobState(row.id);
        }
        row = await note(db, afterState(row, state, sameDigest(state.digest, ours), now()));
      }
      return { stop: false };
    } catch (err) {
      const next = afterError(row, /** @type {any} */ (err), now(), random());
      await note(db, next.row);
      return { stop: next.stop };
    }
  }

  /**
   * One pass over the queue: every blob that is due (all of `only` when given, waits skipped with `force`), oldest
   * first; stops at the first error that holds for all (offline, signed out, quota full, a failing server).
   * @param {{force?: boolean, only?: string[]|null}} [options]
   */
  async function pass({ force = false, only = null } = {}) {
    if (globalThis.navigator?.onLine === false) return; // offline: they wait, queued, and go on from where they were
    const { db } = await load();
    const api = await sessionApi();
    if (!api) return; // no account, or signed out: they wait, queued
    const rows = (await listUploads(db)).filter((r) => (only ? only.includes(r.id) : true) && due(r, now(), force))
      .sort((a, b) => a.updatedAt - b.updatedAt);
    for (const row of rows) {
      if ((await send(db, api, row)).stop) return;
    }
  }

  /**
   * Run the queue now, or right after the run in progress (one at a time: two runs would send the same piece twice).
   * Resolves when that run ended; never rejects (what failed is in each row).
   * @param {{force?: boolean, only?: string[]|null}} [options]
   */
  function run(options = {}) {
    if (running) {
      // Folded into one more run after this one, with everything asked for meanwhile.
      again = { force: Boolean(again?.force || options.force),
        only: again && !again.only ? null : options.only ? [...new Set([...(again?.only ?? []), ...options.only])] : null };
      return running;
    }
    running = (async () => {
      let next = options;
      while (next) {
        again = null;
        await pass(next).catch((err) => console.error('between: uploads failed', err?.name ?? 'error'));
        next = again;
      }
    })().finally(() => { running = null; });
    return running;
  }

  /**
   * Whether every blob of `ids` this device queued is on the server: those not uploaded yet and due are sent first
   * (a blob waiting after a failure keeps its wait: "Sync now" skips it, `run({force: true})`). A blob this device
   * has no row for was uploaded by another device (or before this one held it).
   * @param {string[]} ids @returns {Promise<boolean>}
   */
  async function ready(ids) {
    if (!ids.length) return true;
    const { db } = await load();
    const pending = async () => (await Promise.all(ids.map((id) => getUpload(db, id))))
      .filter((row) => row && !uploaded(row)).map((row) => row.id);
    const waiting = await pending();
    if (!waiting.length) return true;
    await run({ only: waiting });
    return !(await pending()).length;
  }

  return { run, ready };
}
