/**
 * A client's timeline for their therapist, grouped by session, and what is new: pure functions of plain data, so
 * they are tested in node.
 *
 * "Session held" puts a mark in the therapist's session log: the day (this device's local date), the instant, and
 * how far the account's feed had been read then (received.js feedPosition). An item is *new* when it reached the
 * account after the last mark (`isNew`, the one rule every screen and count uses): its current version came later
 * in the feed than the mark (the feed is the account's, so every device of the therapist agrees), or, for an item
 * or a mark without a feed position, this device got it after the mark's instant. A mark from before instants were
 * kept has only its day: then what came on that day or later is new, as it was. The timeline groups the same way:
 * what came since the last mark, then between each two marks, then before the first.
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

// ------------------------------------------------------------------ marks and what is new

/**
 * @typedef {{day: string, at: string|null, feed: number|null}} Mark one "Session held": its local date, the instant
 *   (ISO, UTC) and the feed position it was made at (null when the log did not keep them)
 * @typedef {{updatedAt?: string|null, feed?: number|null}} Arrival when an item's current version reached this
 *   account: received.js `updatedAt` (this device's time) and `feed`
 */

const isFeed = (n) => Number.isSafeInteger(n) && n >= 0;
const instant = (text) => (typeof text === 'string' ? Date.parse(text) : Number.NaN);
const byDay = (a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0);

/** A mark as a session log holds it, or null when it is not one. @returns {Mark|null} */
function readMark(day, held) {
  if (typeof day !== 'string' || !DAY.test(day)) return null;
  const at = typeof held?.at === 'string' && !Number.isNaN(instant(held.at)) ? held.at : null;
  return { day, at, feed: isFeed(held?.feed) ? held.feed : null };
}

/** The first of two marks of the same day (two devices may each have marked it); one with its instant wins. */
function first(a, b) {
  if (!a.at || !b.at) return a.at ? a : b.at ? b : a;
  return instant(b.at) < instant(a.at) ? b : a;
}

const heldOf = (doc) => (doc?.held && typeof doc.held === 'object' && !Array.isArray(doc.held) ? doc.held : {});

/**
 * Every mark of a client's session logs (one log per device that made one; the app reads the union), one per
 * day, oldest first. A log's `sessions` lists the days; `held` maps a day to its instant and feed position.
 * @param {{sessions?: unknown, held?: unknown}[]} docs session-log documents @returns {Mark[]}
 */
export function marksOf(docs) {
  const days = new Map();
  for (const doc of docs) {
    const held = heldOf(doc);
    for (const day of Array.isArray(doc?.sessions) ? doc.sessions : []) {
      const mark = readMark(day, Object.hasOwn(held, day) ? held[day] : null);
      if (mark) days.set(day, days.has(day) ? first(days.get(day), mark) : mark);
    }
  }
  return [...days.values()].sort(byDay);
}

/**
 * A session log's `sessions` and `held` with one more mark. A day marked already keeps its first mark (the
 * session began then); the days stay ascending, each once; what is not a date is dropped.
 * @param {{sessions?: unknown, held?: unknown}|null} doc the log so far (null: none yet)
 * @param {{day: string, at: string, feed?: number|null}} mark
 * @returns {{sessions: string[], held: Record<string, {at: string, feed?: number}>}}
 */
export function addMark(doc, mark) {
  if (!DAY.test(mark.day) || Number.isNaN(instant(mark.at))) {
    throw new TypeError('a mark is a YYYY-MM-DD date and an instant');
  }
  const sessions = (Array.isArray(doc?.sessions) ? doc.sessions : [])
    .filter((s) => typeof s === 'string' && DAY.test(s));
  const held = { ...heldOf(doc) };
  if (!sessions.includes(mark.day)) {
    held[mark.day] = isFeed(mark.feed) ? { at: mark.at, feed: mark.feed } : { at: mark.at };
  }
  return { sessions: [...new Set([...sessions, mark.day])].sort(), held };
}

/** The latest mark, or null. @param {Mark[]} marks @returns {Mark|null} */
export const lastMark = (marks) => [...marks].sort(byDay).at(-1) ?? null;

/** Whether a session was marked on `day`. @param {Mark[]} marks @param {string} day */
export const markedOn = (marks, day) => marks.some((m) => m.day === day);

/**
 * Whether an item reached the account after a mark: by the feed when both have a position, else by this
 * device's clock, else (a mark with only its day) on that day or later.
 * @param {Arrival} item @param {Mark} mark
 */
export function cameAfter(item, mark) {
  if (isFeed(item.feed) && isFeed(mark.feed)) return item.feed > mark.feed;
  if (mark.at) return instant(item.updatedAt) > instant(mark.at); // an unreadable time is never after
  return (localDay(item.updatedAt ?? '') ?? '') >= mark.day;
}

/**
 * New: the item reached the account after the last "Session held" (with no session yet, everything is). The one
 * rule for every screen and count that says "new".
 * @param {Arrival} item @param {Mark[]} marks
 */
export function isNew(item, marks) {
  const last = lastMark(marks);
  return !last || cameAfter(item, last);
}

/** How many items are new (`isNew`). @param {Arrival[]} items @param {Mark[]} marks */
export const countNew = (items, marks) => items.filter((item) => isNew(item, marks)).length;

// ------------------------------------------------------------------ the timeline

/**
 * @typedef {{date: string|null, at?: string, id?: string, updatedAt?: string|null, feed?: number|null}} TimelineItem
 *   date: its local day; at: an instant to order by (ISO, UTC: when it was written); updatedAt, feed: its Arrival
 * @typedef {{kind: 'since'|'between'|'before'|'all', from: string|null, to: string|null, items: TimelineItem[]}} Group
 *   since: what came after the last session (from); between: after one session (from), before the next (to);
 *   before: before the first session (to); all: no session yet
 */

const newestFirst = (a, b) => {
  const [x, y] = [a.at ?? a.date ?? '', b.at ?? b.date ?? ''];
  if (x !== y) return x < y ? 1 : -1;
  const [p, q] = [a.id ?? '', b.id ?? ''];
  return p < q ? 1 : p > q ? -1 : 0;
};

/**
 * The items grouped by session, newest group first and newest item first in each. An item belongs to the period
 * of the latest mark it came after (`cameAfter`), so the "since" group holds exactly what `isNew` counts. The
 * "since" group is there even when empty (it says nothing is new); earlier groups only when something is in them.
 * @param {TimelineItem[]} items @param {Mark[]} marks any order @param {string} today
 * @returns {{sessionToday: boolean, last: string|null, groups: Group[]}}
 */
export function groupBySession(items, marks, today) {
  const sorted = [...items].sort(newestFirst);
  const ordered = [...marks].sort(byDay);
  if (!ordered.length) {
    /** @type {Group[]} */
    const groups = sorted.length ? [{ kind: 'all', from: null, to: null, items: sorted }] : [];
    return { sessionToday: false, last: null, groups };
  }
  // One bucket per mark (what came after it, and not after the next) plus one before the first.
  const buckets = ordered.map(() => []);
  const before = [];
  for (const item of sorted) {
    let i = ordered.length - 1;
    while (i >= 0 && !cameAfter(item, ordered[i])) i--;
    (i < 0 ? before : buckets[i]).push(item);
  }
  const last = ordered.length - 1;
  const days = ordered.map((m) => m.day);
  /** @type {Group[]} */
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
