/**
 * This device's storage, as the worker sees it: where the entries live (only here, or also on the server), whether
 * the browser promised to keep them (`navigator.storage.persisted()`, which workers have; asking for it is the page's:
 * `persist()` exists in windows only), how full it is, the notice put away, and freeing what can be fetched again.
 */

import { done, get, getAll, write } from '../data/db.js';
import { isPending } from '../data/entries.js';
import { dropBlobs, heldBlobs, listUploads } from '../data/blobs.js';
import { FLAG_DELETED, parseHeader } from '../core/layout.js';
import { sevenDayRule } from '../core/storage.js';

// In 'meta': {noticeDismissed: true} once the person put the home screen's notice away. Nothing about entries.
const META_KEY = 'storage';

/** @param {IDBDatabase} db @param {string} store */
const count = (db, store) => done(db.transaction(store).objectStore(store).count());

/**
 * @param {{load: () => Promise<{db: IDBDatabase, me: import('../data/device.js').Unlocked}>,
 *   sync?: {status: () => {state: string, waiting?: number}}, freeCaches?: () => Promise<number>,
 *   manager?: () => StorageManager|undefined, userAgent?: () => string}} io `freeCaches` drops the worker's cached
 *   files that are fetched again when needed (sw.js) and says how many; `manager` and `userAgent` are the browser's
 *   (tests give their own)
 */
export function createStorage({ load, sync, freeCaches = async () => 0,
  manager = () => globalThis.navigator?.storage, userAgent = () => globalThis.navigator?.userAgent ?? '' }) {

  /** How many own records the server does not have yet. */
  async function waiting(db, me, records) {
    if (!me.handle) return records; // no account: everything is here only
    const status = sync?.status();
    // A run since the worker started knows (the sync engine counts after every run); before it, count here.
    if (me.session && status && status.state !== 'off') return status.waiting ?? 0;
    return (await getAll(db, 'records')).filter(isPending).length;
  }

  /**
   * The state the screens show (core/storage.js StorageState). `usage` is asked only with `{usage: true}` (Settings):
   * the home screen does not need it. With `{notice: true}` (the home screen) and a notice that cannot show (put away,
   * or the storage kept), `onlyHere` is not counted and says 0: on an account's first screen, before the first sync
   * run, counting reads every record.
   * @returns {Promise<import('../core/storage.js').StorageState>}
   */
  async function state({ usage = false, notice = false } = {}) {
    const { db, me } = await load();
    const storage = manager();
    const [records, kept, persisted, estimate] = await Promise.all([
      count(db, 'records'),
      get(db, 'meta', META_KEY),
      storage?.persisted ? storage.persisted().catch(() => null) : null,
      usage && storage?.estimate ? storage.estimate().catch(() => null) : null,
    ]);
    const dismissed = Boolean(kept?.noticeDismissed);
    const spared = notice && (dismissed || persisted === true);
    return {
      records, onlyHere: spared ? 0 : await waiting(db, me, records), account: Boolean(me.handle),
      persisted: typeof persisted === 'boolean' ? persisted : null,
      usage: estimate && Number.isFinite(estimate.usage) && Number.isFinite(estimate.quota)
        ? { used: estimate.usage, quota: estimate.quota } : null,
      dismissed, sevenDays: sevenDayRule(userAgent()),
    };
  }

  /** The home screen's notice put away for good; Settings keeps saying it. */
  async function dismissNotice() {
    const { db } = await load();
    const kept = (await get(db, 'meta', META_KEY)) ?? {};
    await write(db, ['meta'], (tx) => tx.objectStore('meta').put({ ...kept, noticeDismissed: true }, META_KEY));
  }

  /**
   * Free what can be fetched again, before what cannot: the worker's files cached on first use (sw.js), and the
   * older versions of entries the server has (their history is served again by GET /records/{id}/history). Each
   * record keeps its head, and a deleted one the version before its deletion (Undo). Nothing the server does not
   * have is touched: an unsynced record keeps its whole history. Records others shared whose access ended keep only
   * their high-water mark already (engine/received.js). And the attachments' blobs the server keeps (fetchableBlobs).
   * Returns how many items went.
   */
  async function freeSpace() {
    const { db } = await load();
    const files = await freeCaches().catch(() => 0);
    const drop = [];
    for (const row of await getAll(db, 'records')) {
      if (isPending(row) || !row.head || row.head.version <= 1) continue;
      const older = await getAll(db, 'revisions', IDBKeyRange.bound([row.recordId, 0], [row.recordId, row.head.version],
        false, true));
      let keep = null;
      if (parseHeader(row.head.header).flags & FLAG_DELETED) {
        keep = older.reverse().find((r) => !(parseHeader(r.header).flags & FLAG_DELETED))?.version ?? null;
      }
      for (const r of older) if (r.version !== keep) drop.push([row.recordId, r.version]);
    }
    if (drop.length) {
      await write(db, ['revisions'], (tx) => {
        const store = tx.objectStore('revisions');
        for (const key of drop) store.delete(key);
      });
    }
    const blobs = await fetchableBlobs(db);
    await dropBlobs(db, blobs);
    return files + drop.length + blobs.length;
  }

  /**
   * The attachments' blobs the server keeps for this account: uploaded from here (or never this device's to upload)
   * and named by an entry the server has (not waiting to sync), or fetched for a record someone shared. They open
   * again online (engine/attachments.js fetches and keeps them). A blob still to upload, or whose entry waits, stays.
   * @param {IDBDatabase} db @returns {Promise<string[]>}
   */
  async function fetchableBlobs(db) {
    const waiting = new Set((await listUploads(db)).filter((u) => u.state !== 'uploaded').map((u) => u.id));
    const out = [];
    for (const { id, recordId } of await heldBlobs(db)) {
      if (waiting.has(id)) continue;
      const own = await get(db, 'records', recordId);
      if (own ? !isPending(own) : Boolean(await get(db, 'received', recordId))) out.push(id);
    }
    return out;
  }

  return { state, dismissNotice, freeSpace };
}
