/** When an assignment falls due: its occurrences as local dates in its own time zone (as sync/core/recurrence.py). */

import { FieldError } from './kinds.js';

export const FREQS = ['once', 'daily', 'weekly', 'until_next_session'];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// A view asks for a few weeks or months; a range longer than this is a mistake, not a calendar.
export const MAX_RANGE_DAYS = 3660;
const MAX_TZ_LENGTH = 64;
const DAY_MS = 86400000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const TZ_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const KEYS = {
  once: ['freq', 'start', 'until', 'time_zone'],
  daily: ['freq', 'start', 'until', 'time_zone'],
  weekly: ['freq', 'days', 'start', 'until', 'time_zone'],
  until_next_session: ['freq', 'start', 'until', 'next_session', 'time_zone'],
};

/** A schedule's problem; `code`: its words in the catalogue (`assign.problem.<code>`) when a form can lead to it. */
const fail = (field, problem, code = null) => {
  const name = field.replace(/^schedule\.(recurrence\.)?/, '');
  const error = new FieldError(`schedule '${name}' ${problem}.`, field);
  error.code = 'invalid_schedule';
  if (code) Object.assign(error, { problem: { code, params: {} } });
  return error;
};

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A calendar date written YYYY-MM-DD, as a day number (days since 1970-01-01). Days are counted in UTC,
 * which has no daylight saving time, so adding one is always the next calendar date.
 */
export function parseDate(value, field = 'date') {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) throw fail(field, 'must be a date written YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear below keeps the year as written.
  back.setUTCFullYear(y);
  if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw fail(field, 'is not a real calendar date');
  }
  return Math.round(back.getTime() / DAY_MS);
}

/** The YYYY-MM-DD text of a day number. */
export function formatDay(day) {
  const d = new Date(day * DAY_MS);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

// 1970-01-01 was a Thursday.
const weekday = (day) => WEEKDAYS[(((day + 3) % 7) + 7) % 7];

const formatters = new Map();

/** The formatter that reads wall dates in time zone `name`, or throws if the name is not an IANA zone. */
function zoneFormatter(name, field = 'time_zone') {
  if (typeof name !== 'string' || name.length > MAX_TZ_LENGTH || !TZ_NAME.test(name)) {
    throw fail(field, 'must be an IANA time zone name like Europe/Berlin');
  }
  let f = formatters.get(name);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: name, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      throw fail(field, 'is not a time zone this device knows');
    }
    const resolved = f.resolvedOptions().timeZone;
    // Intl ignores case, zone files do not: "europe/berlin" must fail here as it does in Python.
    if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
      throw fail(field, 'is not a time zone this device knows');
    }
    formatters.set(name, f);
  }
  return f;
}

/** Throws unless `name` is an IANA time zone this runtime knows. */
export function checkZone(name, field = 'time_zone') {
  zoneFormatter(name, field);
  return name;
}

/** An instant as milliseconds since the epoch, whole seconds: a Date, or RFC 3339 text with Z or an offset. */
export function parseInstant(value, field = 'instant') {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw fail(field, 'must be a time like 2026-03-29T22:30:00Z');
    return Math.floor(ms / 1000) * 1000;
  }
  const m = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!m) throw fail(field, 'must be a time like 2026-03-29T22:30:00Z');
  const day = parseDate(m[1], field);
  let offsetMinutes = 0;
  if (m[5] !== 'Z') {
    const sign = m[5][0] === '-' ? -1 : 1;
    offsetMinutes = sign * (Number(m[5].slice(1, 3)) * 60 + Number(m[5].slice(4, 6)));
  }
  return day * DAY_MS + ((Number(m[2]) * 60 + Number(m[3]) - offsetMinutes) * 60 + Number(m[4] ?? 0)) * 1000;
}

/** The day number of the calendar date on the wall in time zone `tz` at instant `ms`. */
function localDay(ms, tz) {
  const parts = {};
  for (const p of zoneFormatter(tz).formatToParts(ms)) parts[p.type] = p.value;
  return parseDate(`${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}`);
}

/** The calendar date (YYYY-MM-DD) on the wall in `tz` at `instant`. */
export const localDate = (instant, tz) => formatDay(localDay(parseInstant(instant), tz));

/** Validate a recurrence; return it normalised (weekdays in week order, no duplicates). */
export function checkRecurrence(recurrence) {
  if (!isObject(recurrence)) throw fail('recurrence', 'must be an object');
  const freq = recurrence.freq;
  if (!FREQS.includes(freq)) throw fail('freq', `must be one of: ${FREQS.join(', ')}`);
  for (const key of Object.keys(recurrence)) {
    if (!KEYS[freq].includes(key)) throw fail(key.length <= 40 ? key : '(a long name)', `is not part of a '${freq}' schedule`);
  }
  const out = { freq };
  const start = parseDate(recurrence.start, 'start');
  out.start = formatDay(start);
  if ('until' in recurrence) {
    const until = parseDate(recurrence.until, 'until');
    if (until < start) throw fail('until', 'must not be before the start date', 'beforeStart');
    out.until = formatDay(until);
  }
  checkZone(recurrence.time_zone);
  out.time_zone = recurrence.time_zone;
  if (freq === 'weekly') {
    const days = recurrence.days;
    if (!Array.isArray(days) || !days.length || days.some((d) => !WEEKDAYS.includes(d))) {
      throw Object.assign(fail('days', `must list at least one of: ${WEEKDAYS.join(', ')}`),
        { problem: { code: 'noDays', params: {} } });
    }
    out.days = WEEKDAYS.filter((d) => days.includes(d));
  }
  if (freq === 'until_next_session') {
    const session = recurrence.next_session;
    const m = typeof session === 'string' ? LOCAL_TIME.exec(session) : null;
    if (!m) throw fail('next_session', 'must be a local date and time like 2026-04-02T17:00');
    if (parseDate(m[1], 'next_session') <= start) throw fail('next_session', 'must be after the start date', 'afterStart');
    out.next_session = session;
  }
  return out;
}

/** An assignment's schedule: {recurrence, due?}; errors name the path, e.g. schedule.due. */
export function checkSchedule(schedule) {
  if (!isObject(schedule)) throw fail('schedule', 'must be an object');
  for (const key of Object.keys(schedule)) {
    if (key !== 'due' && key !== 'recurrence') {
      throw fail(`schedule.${key.length <= 40 ? key : '(a long name)'}`, 'is not a field this version knows');
    }
  }
  let rec;
  try {
    rec = checkRecurrence(schedule.recurrence);
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    const error = new FieldError(e.message, `schedule.recurrence.${e.fieldId}`);
    error.code = 'invalid_schedule';
    throw Object.assign(error, 'problem' in e ? { problem: e.problem } : {});
  }
  const out = { recurrence: rec };
  if ('due' in schedule) {
    const due = parseDate(schedule.due, 'schedule.due');
    if (due < parseDate(rec.start)) throw fail('schedule.due', 'must not be before the start date', 'beforeStart');
    // A one-off activity has one date: its due date and its occurrence must agree.
    if (rec.freq === 'once' && formatDay(due) !== (rec.until ?? rec.start)) {
      throw fail('schedule.due', "must equal the recurrence's until (or start) for a one-off activity");
    }
    out.due = formatDay(due);
  }
  return out;
}

/** A template's dateless plan (freq, days, due_in_days, for_days) as a recurrence from `start`. */
export function planRecurrence(plan, { start, timeZone, nextSession = null }) {
  const first = parseDate(start, 'start');
  const rec = { freq: plan.freq, start: formatDay(first), time_zone: timeZone };
  if (plan.days) rec.days = [...plan.days];
  if (plan.due_in_days !== undefined) rec.until = formatDay(first + plan.due_in_days);
  if (plan.for_days !== undefined) rec.until = formatDay(first + plan.for_days - 1);
  if (plan.freq === 'until_next_session') {
    if (nextSession === null || nextSession === undefined) {
      throw fail('schedule.recurrence.next_session', 'is needed: this activity runs until the next session');
    }
    rec.next_session = nextSession;
  }
  return rec;
}

/** The last day number that can hold an occurrence, or null for a series without an end. */
function lastDay(rec) {
  const until = rec.until !== undefined ? parseDate(rec.until) : null;
  if (rec.freq === 'once') return until ?? parseDate(rec.start);
  if (rec.freq === 'until_next_session') {
    // The session day itself is for the session, so the series stops the day before.
    const beforeSession = parseDate(rec.next_session.slice(0, 10)) - 1;
    return until === null ? beforeSession : Math.min(beforeSession, until);
  }
  return until;
}

const isDateText = (v) => typeof v === 'string' && DATE.test(v);

/** Local day numbers a range covers: dates as given (inclusive), instants as the half-open [start, end). */
function rangeDays(rangeStart, rangeEnd, tz) {
  let first;
  let last;
  if (isDateText(rangeStart) && isDateText(rangeEnd)) {
    first = parseDate(rangeStart, 'range_start');
    last = parseDate(rangeEnd, 'range_end');
  } else {
    const begin = parseInstant(rangeStart, 'range_start');
    const end = parseInstant(rangeEnd, 'range_end');
    if (end <= begin) throw fail('range_end', 'must be after the start of the range');
    // The last second inside the range: an occurrence counts when its local day overlaps the range.
    first = localDay(begin, tz);
    last = localDay(end - 1000, tz);
  }
  if (last < first) throw fail('range_end', 'must not be before the start of the range');
  if (last - first > MAX_RANGE_DAYS) {
    throw fail('range_end', `must be at most ${MAX_RANGE_DAYS} days after the start of the range`);
  }
  return [first, last];
}

/**
 * The assignment's occurrences (YYYY-MM-DD in its own time zone) that fall within the range: two dates
 * (inclusive, read in the assignment's zone) or two instants (half-open, any zone). Only calendar days
 * are counted, never 24-hour steps, so daylight saving time changes nothing.
 */
export function occurrences(recurrence, rangeStart, rangeEnd) {
  const rec = checkRecurrence(recurrence);
  const [first, last] = rangeDays(rangeStart, rangeEnd, rec.time_zone);
  const start = parseDate(rec.start);
  const end = lastDay(rec);
  if (rec.freq === 'once') return first <= end && end <= last ? [formatDay(end)] : [];
  const lo = Math.max(first, start);
  const hi = end === null ? last : Math.min(last, end);
  const days = new Set(rec.days ?? WEEKDAYS);
  const out = [];
  for (let day = lo; day <= hi; day += 1) {
    if (days.has(weekday(day))) out.push(formatDay(day));
  }
  return out;
}

/** Whether `day` (YYYY-MM-DD) is one of the assignment's occurrences. */
export function isOccurrence(recurrence, day) {
  const text = formatDay(parseDate(day, 'occurrence'));
  const found = occurrences(recurrence, text, text);
  return found.length === 1 && found[0] === text;
}

/**
 * "upcoming" before the occurrence's local day, "due_today" during it, "missed" once it has ended in `tz`.
 * @returns {'upcoming'|'due_today'|'missed'}
 */
export function dueState(occurrence, nowUtc, tz) {
  const day = parseDate(occurrence, 'occurrence');
  const today = localDay(parseInstant(nowUtc, 'now'), tz);
  if (today < day) return 'upcoming';
  return today === day ? 'due_today' : 'missed';
}
