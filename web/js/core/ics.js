/**
 * "Add to calendar": an assignment as an iCalendar file (RFC 5545), made on the device. One VEVENT at the chosen
 * time of day in the client's zone (TZID, with a VTIMEZONE listing that zone's changes), an RRULE whose days are
 * exactly the recurrence's (sync/core/recurrence.py; tests/sync/core/test_ics.py checks it with `icalendar`), and a
 * VALARM, so the phone's own calendar reminds with no server involved.
 */

import { WEEKDAYS, checkRecurrence } from './recurrence.js';
import { wallClock, wallToUtc } from './reminders.js';

const BYDAY = { mon: 'MO', tue: 'TU', wed: 'WE', thu: 'TH', fri: 'FR', sat: 'SA', sun: 'SU' };
const DAY_MS = 86_400_000;
const ZONE_YEARS = 3; // a series without an end: its zone's changes are listed for this many years

const addDays = (day, n) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
};
const weekdayOf = (day) => WEEKDAYS[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7];
const stampLocal = (day, time) => `${day.replaceAll('-', '')}T${time.replace(':', '')}00`;
const stampUtc = (ms) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** TEXT values (§3.3.11): backslash, semicolon, comma and line ends escaped. */
export const icsText = (s) => String(s).replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');

/** Lines of at most 75 octets, continued with CRLF and a space (§3.1); never splitting a UTF-8 character. */
export function fold(line) {
  const bytes = new TextEncoder();
  const out = [];
  let current = '';
  let size = 0;
  for (const ch of line) {
    const n = bytes.encode(ch).length;
    if (size + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** `zone`'s offset at `ms` as ±HHMM. */
function offsetText(ms, zone) {
  const w = wallClock(ms, zone);
  const [y, m, d] = w.day.split('-').map(Number);
  const minutes = Math.round((Date.UTC(y, m - 1, d) + w.minutes * 60_000 - Math.floor(ms / 60_000) * 60_000) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

/**
 * A VTIMEZONE for `zone` from `fromMs` to `toMs`: the offset in force at the start, and one observance per change
 * (found hour by hour, then to the minute). Offsets only, as the zone's rules give them on this device.
 */
export function vtimezone(zone, fromMs, toMs) {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  // DTSTART of an observance is the wall time just before its change, read with the offset then in force (§3.6.5)
  const observance = (ms, from, to) => {
    const kind = toMinutes(to) > toMinutes(from) ? 'DAYLIGHT' : 'STANDARD';
    lines.push(`BEGIN:${kind}`, `DTSTART:${localBefore(ms, from)}`, `TZOFFSETFROM:${from}`, `TZOFFSETTO:${to}`,
      `END:${kind}`);
  };
  const start = Math.floor(fromMs / 3_600_000) * 3_600_000 - DAY_MS;
  let prev = offsetText(start, zone);
  observance(start, prev, prev); // the offset in force from before the first event
  for (let t = start + 3_600_000; t <= toMs + DAY_MS; t += 3_600_000) {
    const now = offsetText(t, zone);
    if (now === prev) continue;
    let lo = t - 3_600_000, hi = t; // the change is in (lo, hi]: narrow it to the minute
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetText(mid, zone) === prev) lo = mid; else hi = mid;
    }
    observance(hi, prev, now);
    prev = now;
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** ±HHMM as minutes. */
const toMinutes = (offset) => (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));

/** The wall time at instant `ms` read with the offset `offset` (±HHMM) that was in force just before it. */
function localBefore(ms, offset) {
  return stampUtc(ms + toMinutes(offset) * 60_000).slice(0, 15);
}

/**
 * The days of the recurrence as an RRULE (null for a one-off), its first day, and its last (null: no end).
 * @param {any} recurrence an assignment's schedule.recurrence
 */
export function ruleOf(recurrence) {
  const rec = checkRecurrence(recurrence);
  if (rec.freq === 'once') return { rule: null, first: rec.until ?? rec.start, last: rec.until ?? rec.start };
  let last = rec.until ?? null;
  if (rec.freq === 'until_next_session') {
    const before = addDays(rec.next_session.slice(0, 10), -1);
    last = last && last < before ? last : before;
  }
  let first = rec.start;
  let rule = 'FREQ=DAILY';
  if (rec.freq === 'weekly') {
    // DTSTART must itself be one of the rule's days (§3.3.10; some readers skip it otherwise)
    while (!rec.days.includes(weekdayOf(first))) first = addDays(first, 1);
    rule = `FREQ=WEEKLY;BYDAY=${rec.days.map((d) => BYDAY[d]).join(',')};WKST=MO`;
  }
  return { rule, first, last };
}

/**
 * The .ics text for an assignment: `time` (HH:MM) on each of its days in `zone`, lasting `minutes`, with an alarm at
 * its start. Null when the series has no day (its end is before its first day).
 * @param {{id: string, doc: any, time: string, zone: string, now: number, origin: string, summary: string,
 *   description?: string, minutes?: number}} input
 */
export function assignmentIcs({ id, doc, time, zone, now, origin, summary, description = '', minutes = 15 }) {
  const { rule, first, last } = ruleOf(doc.schedule.recurrence);
  if (last && last < first) return null;
  const startMs = wallToUtc(first, time, zone);
  const endMs = last ? wallToUtc(last, time, zone) : startMs + ZONE_YEARS * 365 * DAY_MS;
  const event = [
    'BEGIN:VEVENT',
    `UID:${id}-${first}@between`,
    `DTSTAMP:${stampUtc(now)}`,
    `DTSTART;TZID=${zone}:${stampLocal(first, time)}`,
    `DURATION:PT${minutes}M`,
    `SUMMARY:${icsText(summary)}`,
  ];
  if (description) event.push(`DESCRIPTION:${icsText(description)}`);
  event.push(`URL:${origin}/app/todo/${id}`);
  // With a TZID start, UNTIL is UTC (§3.3.10): the last day's start, as an instant.
  if (rule) event.push(`RRULE:${rule}${last ? `;UNTIL=${stampUtc(wallToUtc(last, time, zone))}` : ''}`);
  event.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${icsText(summary)}`, 'TRIGGER:PT0M', 'END:VALARM',
    'END:VEVENT');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Between//Reminders//EN', 'CALSCALE:GREGORIAN',
    ...vtimezone(zone, startMs, endMs), ...event, 'END:VCALENDAR'];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
