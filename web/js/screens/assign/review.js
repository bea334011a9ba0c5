/**
 * What a therapist's review of one assignment shows, computed from shared data only: each occurrence so far and
 * the next one with its state, the completion rate, practice minutes per week against the target, the feedback,
 * and a client's mood over time. Pure functions of plain documents (no database, no clock unless passed in).
 */

import { ratingWords, weeklyMinutes } from '../../core/assignments.js';
import { formatter, hourOf, timeWords, weekdayWords } from '../../core/dates.js';
import { andWords } from '../components.js';
import { t } from '../views.js';
import { dueState, formatDay, localDate, occurrences, parseDate, WEEKDAYS } from '../../core/recurrence.js';

/**
 * @typedef {import('../../core/records.js').Doc} Doc
 */

const STATES = Object.freeze({ done: 'done', not_done: 'notDone', missed: 'missed', due_today: 'dueToday',
  upcoming: 'upcoming' });

/** The words for a state of an occurrence (never colour alone): `assign.state.*`; another as it is. */
export const stateWords = (state) => (Object.hasOwn(STATES, state) ? t(`assign.state.${STATES[state]}`)
  : String(state));

// occurrences() looks at most this many days at once (recurrence.js MAX_RANGE_DAYS is 3660).
const LOOK = 3650;

/** @type {Intl.DateTimeFormatOptions} */
const SHORT_DAY = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

/** A calendar date (YYYY-MM-DD) in words, the same wherever it is read ("Mon, 2 Mar 2026" in en-GB). */
export function dayWords(date) {
  const day = parseDate(date);
  return formatter(SHORT_DAY).format(new Date(day * 86400000));
}

/** A local wall time "YYYY-MM-DDTHH:MM" in words. */
export function sessionWords(local) {
  const time = timeWords(local.slice(11, 16));
  return t('assign.schedule.at', { day: dayWords(local.slice(0, 10)), time, hour: hourOf(time) });
}

/** An assignment's schedule in one plain sentence. */
export function scheduleWords(schedule) {
  const r = schedule.recurrence;
  const ends = { ends: r.until ? 'yes' : 'no', until: r.until ? dayWords(r.until) : '', start: '' };
  switch (r.freq) {
    case 'once': return t('assign.schedule.once', { day: dayWords(schedule.due ?? r.until ?? r.start) });
    case 'daily': return t('assign.schedule.daily', { ...ends, start: dayWords(r.start) });
    case 'weekly': return t('assign.schedule.weekly', { ...ends, start: dayWords(r.start),
      days: andWords(WEEKDAYS.filter((d) => r.days.includes(d)).map((d) => weekdayWords(d))) });
    case 'until_next_session': return t('assign.schedule.session', { ...ends, start: dayWords(r.start),
      session: sessionWords(r.next_session) });
    default: return t('assign.schedule.unknown');
  }
}

/** The latest answer per occurrence (by updated_at): a client may answer the same day again. */
export function latestByOccurrence(responses) {
  const out = new Map();
  for (const r of responses) {
    const old = out.get(r.occurrence);
    if (!old || String(r.updated_at) > String(old.updated_at)) out.set(r.occurrence, r);
  }
  return out;
}

/**
 * Every occurrence from the start through today (in the assignment's zone), any later one already answered, and
 * the next upcoming one (none once withdrawn), each with its state and the answer behind it.
 * @param {Doc} assignment the assignment document
 * @param {Doc[]} responses the client's response documents for this assignment
 * @param {{now?: string|Date}} [options] the instant "now" (default: the clock)
 * @returns {{today: string, rows: {date: string, state: string, response: Doc|null}[],
 *   completion: {done: number, due: number, rate: number|null}}}
 */
export function reviewAssignment(assignment, responses, { now = new Date() } = {}) {
  const rec = assignment.schedule.recurrence;
  const tz = rec.time_zone;
  const today = localDate(now, tz);
  const answers = latestByOccurrence(responses);
  const todayDay = parseDate(today);
  const startDay = parseDate(rec.start);
  const dates = new Set(startDay <= todayDay
    ? occurrences(rec, formatDay(Math.max(startDay, todayDay - LOOK)), today) : []);
  const later = occurrences(rec, formatDay(Math.max(startDay, todayDay + 1)), formatDay(Math.max(startDay,
    todayDay + 1) + LOOK));
  for (const d of later) if (answers.has(d)) dates.add(d);
  const next = later.find((d) => !answers.has(d));
  if (next && !assignment.withdrawn) dates.add(next);
  const rows = [...dates].sort().map((date) => {
    const response = answers.get(date) ?? null;
    return { date, response, state: response ? response.status : dueState(date, now, tz) };
  });
  const counted = rows.filter((r) => r.state !== 'due_today' && r.state !== 'upcoming');
  const done = counted.filter((r) => r.state === 'done').length;
  const due = counted.length;
  return { today, rows, completion: { done, due, rate: due ? done / due : null } };
}

/** The feedback the client gave, newest first: rating words, comment, the date it is about and when given. */
export function feedbackList(responses) {
  return [...latestByOccurrence(responses).values()].filter((r) => r.feedback)
    .map((r) => ({ rating: r.feedback.rating, words: ratingWords(r.feedback.rating),
      comment: r.feedback.comment ?? '', occurrence: r.occurrence, at: r.updated_at }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** The Monday on or before a date (YYYY-MM-DD). */
export function weekStart(date) {
  const day = parseDate(date);
  const monday = day - ((((day + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday
  return formatDay(monday);
}

/**
 * Practice minutes of the `weeks` weeks (Monday to Sunday) up to the one holding `today` (or a later day already done
 * with minutes), not before the week of the start, oldest first, each with the target (weeklyMinutes of
 * assignments.js).
 * @returns {{week_start: string, minutes: number, target: number|null}[]}
 */
export function minutesByWeek(assignment, responses, today, weeks = 6) {
  const latest = [...latestByOccurrence(responses).values()];
  // A later day already done (answered early) extends the chart to its week, as the review's rows show it.
  const early = latest.filter((r) => r.status === 'done' && Number.isInteger(r.minutes) && r.occurrence > today);
  const last = parseDate(weekStart(early.reduce((max, r) => (r.occurrence > max ? r.occurrence : max), today)));
  const first = Math.max(last - 7 * (weeks - 1), parseDate(weekStart(assignment.schedule.recurrence.start)));
  const out = [];
  for (let day = first; day <= last; day += 7) out.push(weeklyMinutes(assignment, latest, formatDay(day)));
  return out;
}

/**
 * A client's mood over time from their shared mood entries (kind 'mood', fields.score 0-10), oldest first.
 * @param {Doc[]} entries entry documents (or {doc} records of received.js)
 * @param {number} [limit] the most recent this many
 * @returns {{at: string, score: number}[]}
 */
export function moodSeries(entries, limit = 60) {
  return entries.map((e) => e.doc ?? e)
    .filter((d) => d.kind === 'mood' && Number.isFinite(d.fields?.score) && d.fields.score >= 0 && d.fields.score <= 10
      && typeof d.created_at === 'string' && !Number.isNaN(Date.parse(d.created_at)))
    .map((d) => ({ at: d.created_at, score: d.fields.score }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .slice(-limit);
}

/**
 * Which linked entries the therapist may show: for each answer with an entry_id, the shared entry or null
 * (then the page says only that it was not shared).
 * @param {Doc[]} responses response documents @param {Map<string, Doc>} sharedEntries id -> entry document
 * @returns {{occurrence: string, entryId: string, entry: Doc|null}[]}
 */
export function linkedEntries(responses, sharedEntries) {
  return [...latestByOccurrence(responses).values()].filter((r) => r.entry_id)
    .sort((a, b) => (a.occurrence < b.occurrence ? 1 : -1))
    .map((r) => ({ occurrence: r.occurrence, entryId: r.entry_id, entry: sharedEntries.get(r.entry_id) ?? null }));
}
