/**
 * The client's progress, worked out on the device from their own entries and answers (nothing here is sent
 * anywhere): mood per day over a week and a month and as a calendar, practice minutes per week against any target
 * their therapist set, activities done and not done per week with what they said about them, and the strength of the
 * feelings in thought records before and after, and the time given to helping others with the mood before and after.
 * Pure: plain data in, plain data out. Days are calendar dates on this
 * device (`zone`); an activity's days are its own (its time zone), as To do counts them. Weeks start on Monday.
 */

import { formatDay, parseDate } from '../../core/recurrence.js';
import { history, lastDate, latestResponses, weekStart } from '../todo/todo.js';
import { dayIn } from '../today/today.js';

/**
 * @typedef {import('../../data/entries.js').Entry} Entry
 * @typedef {{id: string, doc: Record<string, any>}} ResponseRecord
 * @typedef {{id: string, doc: Record<string, any>, from?: {handle: string}}} AssignmentRecord
 * @typedef {{day: string, mean: number|null, count: number}} MoodDay a day's average score (null: no check-in)
 */

/** The kinds whose minutes are practice: breathing and relaxation (kinds.json `relaxation`). */
export const PRACTICE_KINDS = Object.freeze(['relaxation']);

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const round1 = (n) => Math.round(n * 10) / 10;

/** The days from `first` to `last` (YYYY-MM-DD), inclusive. */
export function daysFrom(first, last) {
  const out = [];
  for (let d = parseDate(first); d <= parseDate(last); d += 1) out.push(formatDay(d));
  return out;
}

/** The day `n` days after `date` (before, for a negative `n`). */
export const addDays = (date, n) => formatDay(parseDate(date) + n);

/** Whether `text` is a month written YYYY-MM. */
export const isMonth = (text) => typeof text === 'string' && MONTH.test(text);

/** The month after (`delta` 1) or before (-1) a YYYY-MM month. */
export function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first and last day of a YYYY-MM month. */
export function monthDays(month) {
  const first = `${month}-01`;
  return [first, addDays(`${shiftMonth(month, 1)}-01`, -1)];
}

/**
 * The mood check-ins of each day: every mood entry's score (0-10), by the day it was written on this device's
 * calendar. @param {Entry[]} entries @param {string} zone @returns {Map<string, number[]>}
 */
export function moodScores(entries, zone) {
  const out = new Map();
  for (const e of entries) {
    const score = e.fields?.score;
    if (e.kind !== 'mood' || typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) continue;
    const day = dayIn(e.createdAt, zone);
    if (!day) continue;
    if (!out.has(day)) out.set(day, []);
    out.get(day).push(score);
  }
  return out;
}

/**
 * Each day from `first` to `last` with its average mood (to one decimal) and how many check-ins it had.
 * @param {Map<string, number[]>} scores moodScores @returns {MoodDay[]}
 */
export function moodDays(scores, first, last) {
  return daysFrom(first, last).map((day) => {
    const list = scores.get(day) ?? [];
    return { day, count: list.length, mean: list.length ? round1(list.reduce((a, b) => a + b, 0) / list.length)
      : null };
  });
}

/**
 * A month as the calendar shows it: weeks from Monday to Sunday, each seven days or null outside the month.
 * @param {string} month YYYY-MM @returns {(string|null)[][]}
 */
export function calendarWeeks(month) {
  const [first, last] = monthDays(month);
  const days = [];
  for (let d = parseDate(weekStart(first)); d <= parseDate(weekStart(last)) + 6; d += 1) {
    const day = formatDay(d);
    days.push(day >= first && day <= last ? day : null);
  }
  return Array.from({ length: days.length / 7 }, (_, i) => days.slice(i * 7, i * 7 + 7));
}

/** The Mondays of the `weeks` weeks that end with the week of `today`, oldest first. */
export function weekStarts(today, weeks) {
  const last = parseDate(weekStart(today));
  return Array.from({ length: weeks }, (_, i) => formatDay(last - 7 * (weeks - 1 - i)));
}

/**
 * Practice minutes per week, oldest first, ending with this week: the minutes of every breathing or relaxation entry
 * (by the day it was written here), plus the minutes answered for an activity with a weekly target that is not one
 * of those kinds (by the day answered). `target`: the sum of the weekly targets of the activities running that week,
 * or null when none set one.
 * @param {{entries: Entry[], assignments: AssignmentRecord[], responses: ResponseRecord[], today: string,
 *   zone: string, weeks?: number}} input
 * @returns {{week_start: string, minutes: number, target: number|null}[]}
 */
export function practiceWeeks({ entries, assignments, responses, today, zone, weeks = 8 }) {
  const starts = weekStarts(today, weeks);
  const minutes = new Map(starts.map((w) => [w, 0]));
  const add = (day, n) => {
    const week = day && weekStart(day);
    if (minutes.has(week) && Number.isInteger(n) && n > 0) minutes.set(week, minutes.get(week) + n);
  };
  for (const e of entries) {
    if (PRACTICE_KINDS.includes(e.kind)) add(dayIn(e.createdAt, zone), e.fields?.minutes);
  }
  const targeted = new Map(assignments.filter((a) => a.doc.target_minutes_per_week).map((a) => [a.id, a]));
  for (const r of latestResponses(responses).values()) {
    const a = targeted.get(r.doc.assignment_id);
    if (a && !PRACTICE_KINDS.includes(a.doc.kind) && r.doc.status === 'done') add(r.doc.occurrence, r.doc.minutes);
  }
  return starts.map((week) => {
    const end = addDays(week, 6);
    let target = null;
    for (const a of targeted.values()) {
      const r = a.doc.schedule?.recurrence;
      let last;
      try {
        last = lastDate(r);
      } catch {
        continue;
      }
      if (a.doc.withdrawn || !r?.start || r.start > end || (last !== null && last < week)) continue;
      target = (target ?? 0) + a.doc.target_minutes_per_week;
    }
    return { week_start: week, minutes: minutes.get(week), target };
  });
}

/**
 * Activities per week, oldest first, ending with this week: the days answered done, the days answered not done (with
 * a reason), and the days that went by without an answer (from each activity's schedule; today's unanswered days and
 * the days to come are not counted yet). Withdrawn activities count the days that were answered.
 * @param {{assignments: AssignmentRecord[], responses: ResponseRecord[], now: Date|string, today: string,
 *   weeks?: number}} input
 * @returns {{week_start: string, done: number, notDone: number, open: number}[]}
 */
export function activityWeeks({ assignments, responses, now, today, weeks = 8 }) {
  const starts = weekStarts(today, weeks);
  const out = new Map(starts.map((w) => [w, { week_start: w, done: 0, notDone: 0, open: 0 }]));
  const back = parseDate(today) - parseDate(starts[0]) + 1;
  for (const a of assignments) {
    const mine = responses.filter((r) => r.doc.assignment_id === a.id);
    for (const item of history(a, mine, { now, back, ahead: 7 }).past) {
      const week = out.get(weekStart(item.occurrence));
      if (!week) continue;
      if (item.response?.doc.status === 'done') week.done += 1;
      else if (item.response?.doc.status === 'not_done') week.notDone += 1;
      else if (item.state === 'missed') week.open += 1;
    }
  }
  return [...out.values()];
}

/**
 * What the person said about each activity (the "how is it going" of their latest answer that carries one), newest
 * first: information for them and their therapist, never a score.
 * @returns {{assignment: AssignmentRecord, rating: string, comment: string|null, occurrence: string}[]}
 */
export function feedbackOf(assignments, responses) {
  const byId = new Map(assignments.map((a) => [a.id, a]));
  const latest = new Map();
  for (const r of latestResponses(responses).values()) {
    if (!r.doc.feedback || !byId.has(r.doc.assignment_id)) continue;
    const seen = latest.get(r.doc.assignment_id);
    if (!seen || String(r.doc.updated_at) > String(seen.doc.updated_at)) latest.set(r.doc.assignment_id, r);
  }
  return [...latest.values()].sort((x, y) => String(y.doc.updated_at).localeCompare(String(x.doc.updated_at)))
    .map((r) => ({ assignment: byId.get(r.doc.assignment_id), rating: r.doc.feedback.rating,
      comment: r.doc.feedback.comment ?? null, occurrence: r.doc.occurrence }));
}

const mean = (list) => (list.length ? round1(list.reduce((a, b) => a + b, 0) / list.length) : null);

/**
 * Thought records with their feelings before (`emotions`) and after (`emotions_rerated`, matched by name), oldest
 * first, the last `limit` of them; `before`/`after` the average strength (0-100) of the feelings rated.
 * @param {Entry[]} entries
 * @returns {{id: string, at: string, emotions: {name: string, before: number|null, after: number|null}[],
 *   before: number|null, after: number|null}[]}
 */
export function thoughtRecords(entries, limit = 12) {
  const valid = (list) => (Array.isArray(list) ? list : []).filter((x) => typeof x?.name === 'string'
    && Number.isFinite(x?.intensity));
  return entries.filter((e) => e.kind === 'thought-record' && valid(e.fields?.emotions).length)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .slice(-limit)
    .map((e) => {
      const before = valid(e.fields.emotions);
      const after = valid(e.fields.emotions_rerated);
      const later = new Map(after.map((x) => [x.name.toLowerCase(), x.intensity]));
      const emotions = before.map((x) => ({ name: x.name, before: x.intensity,
        after: later.get(x.name.toLowerCase()) ?? null }));
      const known = new Set(before.map((x) => x.name.toLowerCase()));
      for (const x of after) {
        if (!known.has(x.name.toLowerCase())) emotions.push({ name: x.name, before: null, after: x.intensity });
      }
      return { id: e.id, at: e.createdAt, emotions, before: mean(before.map((x) => x.intensity)),
        after: mean(after.map((x) => x.intensity)) };
    });
}

/** A whole number from `min` to `max`, or null for anything else (a field left empty, or a value out of range). */
const whole = (n, min, max) => (Number.isInteger(n) && n >= min && n <= max ? n : null);

/**
 * Helping others (kinds.json `helping`) where it has numbers: each entry's minutes and mood before and after (0-10),
 * oldest first, the last `limit` of them. An entry with none of the three is left out (its words are in the entry).
 * @param {Entry[]} entries
 * @returns {{id: string, at: string, minutes: number|null, before: number|null, after: number|null}[]}
 */
export function helpingRecords(entries, limit = 12) {
  return entries.filter((e) => e.kind === 'helping')
    .map((e) => ({ id: e.id, at: e.createdAt, minutes: whole(e.fields?.minutes, 0, 1440),
      before: whole(e.fields?.mood_before, 0, 10), after: whole(e.fields?.mood_after, 0, 10) }))
    .filter((r) => r.minutes !== null || r.before !== null || r.after !== null)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(-limit);
}
