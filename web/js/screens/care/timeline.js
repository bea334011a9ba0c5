/**
 * A client's timeline for their therapist, grouped by session: what came since the last session, then each earlier
 * gap between two sessions, then what came before the first. Pure functions of plain data (dates as local
 * `YYYY-MM-DD` strings of this device), so they are tested in node.
 *
 * A session is a day, not a time: an item dated on a session day belongs to the period that starts with that
 * session, so nothing written after a session is ever left out of "since last session" (at worst something from
 * the morning before it shows there too).
 */

export const DAY = /^\d{4}-\d{2}-\d{2}$/;

const pad = (n, size = 2) => String(n).padStart(size, '0');

/**
 * The local date (this device's time zone) of an instant, or null when it is not one.
 * @param {string|number|Date} stamp ISO text, milliseconds or a Date
 * @returns {string|null}
 */
export function localDay(stamp) {
  const d = stamp instanceof Date ? stamp : new Date(stamp);
  if (Number.isNaN(d.getTime())) return null;
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today's local date on this device. @param {Date} [now] */
export const todayLocal = (now = new Date()) => localDay(now);

/**
 * The session dates with `day` added: ascending, each once. Adding a day already there changes nothing.
 * @param {string[]} sessions @param {string} day
 * @returns {string[]} a new array
 */
export function addSession(sessions, day) {
  if (!DAY.test(day)) throw new TypeError('a session is a YYYY-MM-DD date');
  return [...new Set([...sessions.filter((s) => DAY.test(s)), day])].sort();
}

/** The latest session date, or null. @param {string[]} sessions */
export const lastSession = (sessions) => [...sessions].filter((s) => DAY.test(s)).sort().at(-1) ?? null;

/**
 * How many items are new since the last session: those whose `updatedAt` (when this device got their current
 * version) falls on or after its date. With no session yet, everything is new.
 * @param {{updatedAt: string}[]} items @param {string[]} sessions
 */
export function countNew(items, sessions) {
  const last = lastSession(sessions);
  if (!last) return items.length;
  return items.filter((item) => (localDay(item.updatedAt) ?? '') >= last).length;
}

/**
 * @typedef {{date: string|null, at?: string, id?: string}} TimelineItem  date: its local day; at: an instant to
 *   order by within a day (ISO, UTC)
 * @typedef {{kind: 'since'|'between'|'before'|'all', from: string|null, to: string|null, items: TimelineItem[]}} Group
 *   since: from the last session (from) on; between: from one session (from) to the next (to), that day excluded;
 *   before: before the first session (to); all: no session yet
 */

const newestFirst = (a, b) => {
  const [x, y] = [a.at ?? a.date ?? '', b.at ?? b.date ?? ''];
  if (x !== y) return x < y ? 1 : -1;
  const [p, q] = [a.id ?? '', b.id ?? ''];
  return p < q ? 1 : p > q ? -1 : 0;
};

/**
 * The items grouped by session, newest group first and newest item first in each. The "since last session" group is
 * there even when empty (it says nothing is new); earlier groups only when something falls in them. An item without
 * a readable date counts as the oldest.
 * @param {TimelineItem[]} items @param {string[]} sessions YYYY-MM-DD, any order @param {string} today
 * @returns {{sessionToday: boolean, last: string|null, groups: Group[]}}
 */
export function groupBySession(items, sessions, today) {
  const days = [...new Set(sessions.filter((s) => DAY.test(s)))].sort();
  const sorted = [...items].sort(newestFirst);
  if (!days.length) {
    const groups = sorted.length ? [{ kind: 'all', from: null, to: null, items: sorted }] : [];
    return { sessionToday: false, last: null, groups };
  }
  // One bucket per session (what came on or after it, before the next) plus one before the first.
  const buckets = days.map(() => []);
  const before = [];
  for (const item of sorted) {
    const date = item.date && DAY.test(item.date) ? item.date : '';
    let i = days.length - 1;
    while (i >= 0 && days[i] > date) i--;
    (i < 0 ? before : buckets[i]).push(item);
  }
  const last = days.length - 1;
  const groups = [{ kind: 'since', from: days[last], to: null, items: buckets[last] }];
  for (let i = last - 1; i >= 0; i--) {
    if (buckets[i].length) groups.push({ kind: 'between', from: days[i], to: days[i + 1], items: buckets[i] });
  }
  if (before.length) groups.push({ kind: 'before', from: null, to: days[0], items: before });
  return { sessionToday: days.includes(today), last: days[last], groups };
}

/**
 * The first and last item dates, for a printed record's "from … to …". Null when there is nothing.
 * @param {TimelineItem[]} items
 * @returns {{from: string, to: string}|null}
 */
export function dateRange(items) {
  const days = items.map((i) => i.date).filter((d) => d && DAY.test(d)).sort();
  return days.length ? { from: days[0], to: days.at(-1) } : null;
}
