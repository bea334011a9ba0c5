/**
 * The service worker's Progress handler: the client's own progress, worked out here from what this device holds
 * (their entries, their answers, the activities they were given). Nothing of it is stored or sent.
 */

import { getAll } from '../../data/db.js';
import { listOwnAll } from '../../data/documents.js';
import { listReceived } from '../../engine/received.js';
import { sortAssigned } from '../todo/assigned.js';
import { deviceZone } from '../todo/todo.js';
import { dayIn } from '../today/today.js';
import { wordsFor } from '../components.js';
import { htmlResponse } from '../views.js';
import {
  activityWeeks, addDays, calendarWeeks, feedbackOf, helpingRecords, isMonth, monthDays, moodDays, moodScores,
  practiceWeeks, shiftMonth, thoughtRecords,
} from './progress.js';
import { progressPage } from './progress-views.js';

/** The data layer; tests pass their own in `app.store`. */
const STORE = { listReceived, listOwnAll, peers: (db) => getAll(db, 'peers') };

// How far back the month view goes: ten years is a calendar, not a mistake.
const OLDEST_MONTHS = 120;

/**
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App & {store?: Partial<typeof STORE>, zone?: () => string}} app `now`, `zone`
 *   and `store` replace the clock, this device's time zone and the data layer (tests)
 */
export function register(router, app) {
  const store = { ...STORE, ...app.store };
  const clock = app.now ?? (() => new Date());
  const zoneOf = app.zone ?? (() => deviceZone() ?? 'UTC');

  async function progress({ url }) {
    const { db, me, settings, kinds } = await app.load();
    const now = clock();
    const zone = zoneOf();
    const today = dayIn(now, zone) ?? dayIn(now, 'UTC');
    const current = today.slice(0, 7);
    const asked = url.searchParams.get('month');
    const month = isMonth(asked) && asked <= current && asked >= shiftMonth(current, -OLDEST_MONTHS) ? asked : current;
    const [received, own, peerRows] = await Promise.all([store.listReceived(db, me, { type: 'assignment' }),
      store.listOwnAll(db, me), store.peers(db)]);
    const peers = new Map(peerRows.map((p) => [p.userId, p]));
    const { shown } = sortAssigned({ peers, kinds }, received);
    const responses = own.documents.get('assignment-response') ?? [];
    const scores = moodScores(own.entries, zone);
    const [first, last] = monthDays(month);
    return htmlResponse(progressPage({
      today, month, zone, words: wordsFor(settings),
      months: { previous: shiftMonth(month, -1), next: month < current ? shiftMonth(month, 1) : null },
      week: moodDays(scores, addDays(today, -6), today),
      monthDays: moodDays(scores, first, last),
      calendar: calendarWeeks(month),
      practice: practiceWeeks({ entries: own.entries, assignments: shown, responses, today, zone }),
      activities: activityWeeks({ assignments: shown, responses, now, today }),
      feedback: feedbackOf(shown, responses),
      thoughts: thoughtRecords(own.entries),
      helping: helpingRecords(own.entries),
      hasAssignments: shown.length > 0,
    }));
  }

  router.add('GET', '/app/progress', progress);
  return router;
}
