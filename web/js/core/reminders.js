/**
 * Reminders, pure: which instants this device asks the server to wake it at, and what it shows when woken
 * (docs/WEB.md "Reminders"). The device keeps what each fire time is about; the server gets instants and opaque ids.
 */

import { occurrences } from './recurrence.js';

export const HORIZON_DAYS = 14; // fire times are set this far ahead, and re-computed on every sync
export const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Personal reminders a person can choose: an entry kind each, so "done" is an entry of that kind that day. */
export const PERSONAL = Object.freeze([
  { id: 'mood', kind: 'mood', url: '/app/entries/new?kind=mood' },
  { id: 'journal', kind: 'journal', url: '/app/entries/new?kind=journal' },
]);

const DAY_MS = 86_400_000;
const parts = new Map();

/** The wall clock in `zone` at `ms`: {day: 'YYYY-MM-DD', minutes}. */
export function wallClock(ms, zone) {
  let f = parts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit' });
    parts.set(zone, f);
  }
  const p = {};
  for (const x of f.formatToParts(ms)) p[x.type] = x.value;
  return { day: `${p.year.padStart(4, '0')}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** `zone`'s offset from UTC at `ms`, in milliseconds. */
function offset(ms, zone) {
  const w = wallClock(ms, zone);
  const [y, m, d] = w.day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) + w.minutes * 60_000 - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant (ms) when the wall clock in `zone` shows `time` (HH:MM) on `day`. A time that does not exist that day
 * (the hour skipped when clocks go forward) is moved on by the gap; a time that happens twice is the first.
 * @param {string} day YYYY-MM-DD @param {string} time HH:MM @param {string} zone IANA name
 */
export function wallToUtc(day, time, zone) {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const before = wall - offset(wall - DAY_MS / 2, zone); // the offset earlier that day
  const after = wall - offset(wall + DAY_MS / 2, zone); // and later
  const fits = (t) => { const w = wallClock(t, zone); return w.day === day && w.minutes === hh * 60 + mm; };
  if (fits(before)) return Math.min(before, fits(after) ? after : before);
  if (fits(after)) return after;
  return Math.max(before, after); // in the gap: as late as the clock jumped
}

/** Minutes since midnight of HH:MM. */
const minutesOf = (time) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Where quiet hours move a reminder at `time`: to their end when it falls inside them and the end is on the same
 * day; null (not sent) when they last past midnight; unchanged outside them.
 * @param {string} time @param {{from: string, to: string}|null} quiet
 */
export function afterQuiet(time, quiet) {
  if (!quiet || !TIME.test(quiet.from) || !TIME.test(quiet.to) || quiet.from === quiet.to) return time;
  const t = minutesOf(time), from = minutesOf(quiet.from), to = minutesOf(quiet.to);
  const inside = from < to ? t >= from && t < to : t >= from || t < to;
  if (!inside) return time;
  return from < to || t < to ? quiet.to : null;
}

/** The day `n` days after `day` (calendar days). */
function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * @typedef {{type: 'assignment', id: string, day: string} | {type: 'personal', id: string, day: string}} Ref
 * @typedef {{ref: Ref, at: number, url: string}} Planned a fire time: what it is about (this device only), when
 * @typedef {{times?: Record<string, string>, personal?: Record<string, string>, quiet?: {from: string, to: string}|null}}
 *   Prefs `times`: assignment id -> HH:MM; `personal`: PERSONAL id -> HH:MM (daily)
 */

/** What a fire time is, as the text its id is made from (the id itself is an HMAC of it under a device key). */
export const refKey = (ref) => `${ref.type}|${ref.id}|${ref.day}`;

/**
 * The coming fire times: each assignment with a time of day on each of its occurrences (its recurrence's days),
 * each personal reminder daily, all at wall-clock times in `zone` (the client's own), moved by quiet hours; none
 * for a day already answered (`answered`: assignment id|day) or done (`doneKinds`: kind|day of own entries), none
 * in the past, none of a withdrawn assignment.
 * @param {{assignments: {id: string, doc: any}[], answered: Set<string>, doneKinds: Set<string>, prefs: Prefs,
 *   now: number, zone: string, days?: number}} input
 * @returns {Planned[]}
 */
export function planReminders({ assignments, answered, doneKinds, prefs, now, zone, days = HORIZON_DAYS }) {
  const today = wallClock(now, zone).day;
  const last = addDays(today, days - 1);
  const out = [];
  const add = (ref, time, url) => {
    const moved = afterQuiet(time, prefs.quiet ?? null);
    if (!moved) return;
    const at = wallToUtc(ref.day, moved, zone);
    if (at > now) out.push({ ref, at, url });
  };
  for (const a of assignments) {
    const time = prefs.times?.[a.id];
    if (!time || !TIME.test(time) || a.doc?.type !== 'assignment' || a.doc.withdrawn) continue;
    let dates;
    try {
      dates = occurrences(a.doc.schedule.recurrence, today, last);
    } catch {
      continue;
    }
    for (const day of dates) {
      if (answered.has(`${a.id}|${day}`)) continue;
      add({ type: 'assignment', id: a.id, day }, time, `/app/todo/${a.id}/${day}`);
    }
  }
  for (const p of PERSONAL) {
    const time = prefs.personal?.[p.id];
    if (!time || !TIME.test(time)) continue;
    for (let i = 0; i < days; i++) {
      const day = addDays(today, i);
      if (doneKinds.has(`${p.kind}|${day}`)) continue;
      add({ type: 'personal', id: p.id, day }, time, p.url);
    }
  }
  return out.sort((x, y) => x.at - y.at);
}

/**
 * How many activities are due today and not answered: the app badge's number.
 * @param {{assignments: {id: string, doc: any}[], answered: Set<string>, now: number}} input
 */
export function dueTodayCount({ assignments, answered, now }) {
  let n = 0;
  for (const a of assignments) {
    if (a.doc?.type !== 'assignment' || a.doc.withdrawn) continue;
    try {
      const zone = a.doc.schedule.recurrence.time_zone;
      const day = wallClock(now, zone).day;
      if (occurrences(a.doc.schedule.recurrence, day, day).length && !answered.has(`${a.id}|${day}`)) n += 1;
    } catch {
      // an assignment this version cannot read counts for nothing
    }
  }
  return n;
}
