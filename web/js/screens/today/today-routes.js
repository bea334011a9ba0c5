/** The service worker's Today handlers: the client's home screen, and the quick mood check-in with its Undo. */

import { getAll } from '../../data/db.js';
import { listOwnAll } from '../../data/documents.js';
import { listDrafts } from '../../data/drafts.js';
import { createEntry, deleteEntry, getEntry } from '../../data/entries.js';
import { FieldError, validateFields } from '../../core/kinds.js';
import { listReceived } from '../../engine/received.js';
import { UUID } from '../../engine/router.js';
import { sortAssigned } from '../todo/assigned.js';
import { deviceZone, todoList } from '../todo/todo.js';
import { wordsFor } from '../components.js';
import { storageNotice } from '../storage/storage-views.js';
import { htmlResponse } from '../views.js';
import { dayIn, doneToday, dueNow, quickMood } from './today.js';
import { moodSavedNotice, moodUndoneNotice, todayPage } from './today-views.js';

// After a post, the address is Today's (and a form posted without htmx is sent back there).
const PUSH = { 'HX-Push-Url': '/app/today' };

/** The data layer; tests pass their own in `app.store`. */
const STORE = { listReceived, listOwnAll, listDrafts, createEntry, deleteEntry, getEntry,
  peers: (db) => getAll(db, 'peers') };

/**
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App & {store?: Partial<typeof STORE>, zone?: () => string}} app `now`, `zone`
 *   and `store` replace the clock, this device's time zone and the data layer (tests)
 */
export function register(router, app) {
  const store = { ...STORE, ...app.store };
  const clock = app.now ?? (() => new Date());
  const zoneOf = app.zone ?? (() => deviceZone() ?? 'UTC');

  /** The home screen's storage notice (while entries exist only here), or nothing; never in the way of the rest. */
  async function storage() {
    try {
      return storageNotice(await app.storage?.state({ notice: true }));
    } catch {
      return null;
    }
  }

  async function view({ notice = null, status = 200, headers = {} } = {}) {
    const { db, me, settings, kinds } = await app.load();
    const now = clock();
    const zone = zoneOf();
    // Everything at once: the received assignments, this account's own records (one pass), the peers, the drafts.
    const [received, own, peerRows, drafts, kept] = await Promise.all([
      store.listReceived(db, me, { type: 'assignment' }), store.listOwnAll(db, me), store.peers(db),
      store.listDrafts(db, me), storage()]);
    const peers = new Map(peerRows.map((p) => [p.userId, p]));
    const { shown, notices, newer } = sortAssigned({ peers, kinds }, received);
    const responses = own.documents.get('assignment-response') ?? [];
    const due = dueNow(todoList(shown, responses, { now }));
    const done = doneToday({ entries: own.entries, responses, assignments: shown, now, zone });
    return htmlResponse(todayPage({ date: dayIn(now, zone) ?? dayIn(now, 'UTC'), due, done, drafts, notices, newer,
      kinds,
      hasAssignments: shown.some((a) => !a.doc.withdrawn) || notices.length > 0 || newer.length > 0,
      words: wordsFor(settings), notice, storage: kept,
      mood: kinds.has('mood') }), status, headers);
  }

  /** One tap: a mood entry with the chosen score, saved at once; the notice offers "Add details" and Undo. */
  async function checkIn({ request }) {
    const { db, me, kinds } = await app.load();
    const mood = quickMood((await request.formData()).get('score'));
    const kind = kinds.get('mood');
    if (!mood || !kind) return view({ status: 422 });
    let fields;
    try {
      fields = validateFields(kind, { score: mood.score });
    } catch (err) {
      if (err instanceof FieldError) return view({ status: 422 });
      throw err;
    }
    const entry = await store.createEntry(db, me, 'mood', fields);
    return view({ notice: moodSavedNotice(entry.id, mood), headers: PUSH });
  }

  /** Undo a check-in: its entry is deleted (a tombstone, as the entries list's Delete). Only a mood entry. */
  async function undo({ params }) {
    const { db, me } = await app.load();
    if (!UUID.test(params.id)) return view({ status: 404 });
    const entry = await store.getEntry(db, me, params.id);
    if (!entry || entry.kind !== 'mood') return view({ status: 404 });
    await store.deleteEntry(db, me, params.id);
    return view({ notice: moodUndoneNotice(), headers: PUSH });
  }

  /** `/app`: the person's home screen (Today for a client, Clients for a therapist: the local server's `home`). */
  async function home(context) {
    const found = router.match('GET', (await app.home?.()) ?? '/app/today');
    return found?.handler ? found.handler({ ...context, params: found.params }) : view();
  }

  router
    .add('GET', '/app', home)
    .add('GET', '/app/today', () => view())
    .add('POST', '/app/today/mood', checkIn)
    .add('POST', '/app/today/mood/:id/undo', undo);
  return router;
}
