/**
 * Dates and times for people. Each formatter is made once: `toLocaleString(…, options)` builds a new
 * Intl.DateTimeFormat on every call (about 0.1 ms), which a list of 500 entries pays 500 times.
 * A formatter without a timeZone keeps the device's zone as it was when first used; the worker restarts often.
 */

import { localeInUse } from './messages.js';

const made = new Map();

/**
 * The shared formatter for these options, in the locale of the language in use (core/messages.js; the device's
 * until one is chosen). @param {Intl.DateTimeFormatOptions} options
 */
export function formatter(options) {
  const locale = localeInUse();
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = made.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    made.set(key, f);
  }
  return f;
}

/** @type {Intl.DateTimeFormatOptions} */
const INSTANT = { dateStyle: 'medium', timeStyle: 'short' };

/** An instant (ISO text, a Date or unix seconds) as a date and time ("Mar 10, 2026, 9:05 PM"); null if unreadable. */
export function instantWords(stamp, timeZone = undefined) {
  const d = typeof stamp === 'number' ? new Date(stamp * 1000) : new Date(stamp);
  if (Number.isNaN(d.getTime())) return null;
  return formatter(timeZone ? { ...INSTANT, timeZone } : INSTANT).format(d);
}

/**
 * A calendar date `YYYY-MM-DD` in words, the same wherever it is read (formatted at noon UTC); null if it is not one.
 * @param {string} day @param {Intl.DateTimeFormatOptions} [style] dateStyle medium unless given
 */
export function calendarWords(day, style = { dateStyle: 'medium' }) {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return null;
  return formatter({ ...style, timeZone: 'UTC' }).format(d);
}

/** The weekdays as schedules name them, Monday first (core/recurrence.js WEEKDAYS). */
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * A weekday's name (`mon`…`sun`) in the language in use, from Intl ("Monday"); anything else as it is.
 * @param {string} code @param {'long'|'short'} [width]
 */
export function weekdayWords(code, width = 'long') {
  const i = WEEK.indexOf(code);
  return i < 0 ? String(code) : calendarWords(`2024-01-0${i + 1}`, { weekday: width }) ?? String(code);
}

/** A wall time "HH:MM" in the language's way ("17:00", "5:00 PM"), from Intl; anything else as it is. */
export function timeWords(hhmm) {
  const d = new Date(`2024-01-01T${hhmm}:00Z`);
  return Number.isNaN(d.getTime()) ? String(hhmm) : formatter({ hour: 'numeric', minute: '2-digit', timeZone: 'UTC' })
    .format(d);
}

/**
 * The hour as a time in words shows it ("1:05" and, on a 12-hour clock, "1:05 p. m." → 1; "13:05" → 13): the
 * catalogues' `hour` argument beside `time`, for a language whose words before a time depend on it (Spanish "a la
 * 1:05", "a las 2:05").
 * @param {string} time a time of day in words (timeWords, sync-status timeOfDay) @returns {number}
 */
export function hourOf(time) {
  const digits = /\d+/.exec(String(time));
  return digits ? Number(digits[0]) : 0;
}

/** The IANA time zone this device is in, or null when the runtime does not say. */
export function deviceZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}
