/**
 * The client's to-do list: which occurrences of the activities a therapist gave are due today, in the coming days,
 * or were missed, each judged in the assignment's own time zone (docs/ASSIGNMENTS.md "Schedules"); and the
 * response documents that answer them. Pure: plain data in, plain data out.
 */

import { fieldType } from '../../core/fields.js';
import { keyStatus } from '../../core/key-status.js';
import { RATINGS, validateResponse } from '../../core/assignments.js';
import { dueState, formatDay, localDate, occurrences, parseDate } from '../../core/recurrence.js';
import { t } from '../views.js';

export { deviceZone } from '../../core/dates.js';

/**
 * @typedef {import('../../core/records.js').Doc} Doc
 * @typedef {import('../../data/db.js').Peer} Peer
 */

/**
 * @typedef {{id: string, ownerId: string, doc: Doc}} AssignmentRecord a Received document of type 'assignment'
 * @typedef {{id: string, doc: Doc}} ResponseRecord an OwnDocument of type 'assignment-response'
 * @typedef {{assignment: AssignmentRecord, occurrence: string, state: 'due_today'|'upcoming'|'missed',
 *   response: ResponseRecord|null}} TodoItem
 */

const MAX_NOTE = 2000;

/** The time zone an assignment's dates are in. */
export const zoneOf = (assignment) => assignment.doc.schedule.recurrence.time_zone;

/** The local date (YYYY-MM-DD) it is now in the assignment's own time zone. */
export const todayOf = (assignment, now) => localDate(now, zoneOf(assignment));

const keyOf = (assignmentId, occurrence) => `${assignmentId} ${occurrence}`;
const stampOf = (r) => String(r.doc.updated_at ?? r.doc.created_at ?? '');

/**
 * The latest response for each (assignment, occurrence): two devices may each have answered the same day.
 * @param {ResponseRecord[]} responses @returns {Map<string, ResponseRecord>}
 */
export function latestResponses(responses) {
  const out = new Map();
  for (const r of responses) {
    if (r?.doc?.type !== 'assignment-response') continue;
    const key = keyOf(r.doc.assignment_id, r.doc.occurrence);
    const seen = out.get(key);
    if (!seen || stampOf(r) > stampOf(seen) || (stampOf(r) === stampOf(seen) && r.id > seen.id)) out.set(key, r);
  }
  return out;
}

/** The response that answers one occurrence of an assignment, or null. */
export function responseFor(responses, assignmentId, occurrence) {
  return latestResponses(responses).get(keyOf(assignmentId, occurrence)) ?? null;
}

/** The occurrences of `assignment` from `back` days before today through `ahead` days after, or [] if unreadable. */
function datesAround(assignment, now, back, ahead) {
  try {
    const today = parseDate(todayOf(assignment, now));
    return occurrences(assignment.doc.schedule.recurrence, formatDay(today - back), formatDay(today + ahead));
  } catch {
    return []; // a schedule this version cannot read has nothing due
  }
}

const byTitle = (a, b) => a.assignment.doc.title.localeCompare(b.assignment.doc.title)
  || (a.assignment.id < b.assignment.id ? -1 : 1);

/**
 * What is due: `today` (due today), `week` (the next `days` days after today) and `overdue` (missed in the last
 * `days` days), each occurrence judged in its assignment's own time zone. Answered occurrences drop out (the
 * assignment's page shows them); a withdrawn assignment has nothing due.
 * @param {AssignmentRecord[]} assignments @param {ResponseRecord[]} responses
 * @param {{now: Date|string, days?: number}} options
 * @returns {{today: TodoItem[], week: TodoItem[], overdue: TodoItem[]}}
 */
export function todoList(assignments, responses, { now, days = 7 }) {
  const answered = latestResponses(responses);
  const out = { today: [], week: [], overdue: [] };
  const lists = { due_today: out.today, upcoming: out.week, missed: out.overdue };
  for (const assignment of assignments) {
    if (assignment?.doc?.type !== 'assignment' || assignment.doc.withdrawn) continue;
    for (const occurrence of datesAround(assignment, now, days, days)) {
      if (answered.has(keyOf(assignment.id, occurrence))) continue;
      const state = dueState(occurrence, now, zoneOf(assignment));
      lists[state].push({ assignment, occurrence, state, response: null });
    }
  }
  out.today.sort(byTitle);
  out.week.sort((a, b) => a.occurrence.localeCompare(b.occurrence) || byTitle(a, b));
  out.overdue.sort((a, b) => b.occurrence.localeCompare(a.occurrence) || byTitle(a, b));
  return out;
}

/**
 * What was done lately, so finished work does not vanish from the list: the days answered "done" from `days` days
 * before today (in each assignment's own time zone) onwards, answered-early days included, newest first. Withdrawn
 * assignments keep theirs: the work was done.
 * @param {AssignmentRecord[]} assignments @param {ResponseRecord[]} responses
 * @param {{now: Date|string, days?: number}} options
 * @returns {TodoItem[]}
 */
export function doneList(assignments, responses, { now, days = 7 }) {
  const byId = new Map(assignments.filter((a) => a?.doc?.type === 'assignment').map((a) => [a.id, a]));
  const out = [];
  for (const response of latestResponses(responses).values()) {
    const assignment = byId.get(response.doc.assignment_id);
    if (!assignment || response.doc.status !== 'done') continue;
    let since;
    try {
      since = formatDay(parseDate(todayOf(assignment, now)) - days);
    } catch {
      continue; // a schedule this version cannot read
    }
    if (response.doc.occurrence < since) continue;
    out.push({ assignment, occurrence: response.doc.occurrence,
      state: dueState(response.doc.occurrence, now, zoneOf(assignment)), response });
  }
  return out.sort((a, b) => b.occurrence.localeCompare(a.occurrence) || byTitle(a, b));
}


/**
 * One assignment's occurrences from `back` days ago through today and any later day answered early, newest first,
 * with their answers; plus the next unanswered one to come (null when none within `ahead` days). A withdrawn
 * assignment keeps its answered days only.
 * @returns {{past: TodoItem[], next: TodoItem|null}}
 */
export function history(assignment, responses, { now, back = 60, ahead = 366 }) {
  const answered = latestResponses(responses);
  const item = (occurrence) => ({ assignment, occurrence, state: dueState(occurrence, now, zoneOf(assignment)),
    response: answered.get(keyOf(assignment.id, occurrence)) ?? null });
  const dates = datesAround(assignment, now, back, ahead).map(item);
  const withdrawn = Boolean(assignment.doc.withdrawn);
  const past = dates.filter((i) => (i.state !== 'upcoming' && !withdrawn) || i.response).reverse();
  const next = withdrawn ? null : dates.find((i) => i.state === 'upcoming' && !i.response) ?? null;
  return { past, next };
}

/** The last date an assignment can fall on, or null when it has no end. */
export function lastDate(recurrence) {
  const until = recurrence.until ?? null;
  if (recurrence.freq === 'once') return until ?? recurrence.start;
  if (recurrence.freq === 'until_next_session') {
    const before = formatDay(parseDate(recurrence.next_session.slice(0, 10)) - 1);
    return until !== null && until < before ? until : before;
  }
  return until;
}

/** Whether an assignment still belongs on the list: not withdrawn, and not ended more than `days` days ago. */
export function isCurrent(assignment, now, days = 7) {
  if (assignment.doc.withdrawn) return false;
  try {
    const end = lastDate(assignment.doc.schedule.recurrence);
    return end === null || parseDate(end) >= parseDate(todayOf(assignment, now)) - days;
  } catch {
    return false;
  }
}

/**
 * How far this device trusts the person an assignment comes from. Only a pinned therapist's records are
 * received at all (received.js checks each signature under the pinned key); a blocked key (changed, or not what
 * the invitation proved) or an ended link means their activities are not shown as to-do.
 * @param {Peer|null|undefined} peer a row of the 'peers' store
 * @returns {'verified'|'unverified'|'changed'|'mismatch'|'ended'|'unknown'}
 */
export function trustOf(peer) {
  if (!peer || peer.role !== 'therapist') return 'unknown';
  return keyStatus(peer).state;
}

/** The current UTC time as the documents write it. */
const stamp = (now) => (now instanceof Date ? now : new Date(now)).toISOString();

/**
 * A response document that validateResponse(doc, assignment) accepts, or throws its FieldError.
 * `previous` (a response document or OwnDocument for the same occurrence) keeps its created_at, and its
 * feedback when `feedback` is undefined (null drops it).
 * @param {{assignment: Doc, assignmentId: string, occurrence: string, status: 'done'|'not_done',
 *   reason?: string|null, entryId?: string|null, minutes?: number|null,
 *   feedback?: Feedback|null, now: Date|string, previous?: Record<string, any>|null}} args
 */
export function responseDoc({ assignment, assignmentId, occurrence, status, reason = null, entryId = null,
  minutes = null, feedback, now, previous = null }) {
  const before = previous?.doc ?? previous;
  const at = stamp(now);
  const created = before?.created_at ?? at;
  const doc = { v: 1, type: 'assignment-response', assignment_id: assignmentId, occurrence, status,
    created_at: created, updated_at: at < created ? created : at };
  if (status === 'not_done' && reason !== null && reason !== undefined) doc.reason = reason;
  if (entryId) doc.entry_id = entryId;
  if (minutes !== null && minutes !== undefined) doc.minutes = minutes;
  const kept = feedback === undefined ? before?.feedback ?? null : feedback;
  if (kept) doc.feedback = kept.comment ? { rating: kept.rating, comment: kept.comment } : { rating: kept.rating };
  return validateResponse(doc, assignment);
}

/** @typedef {{rating: string, comment?: string}} Feedback a client's "how is it going" */

/**
 * The optional "how is it going" part of a form: {rating, comment} or null when no rating was chosen, or
 * {error} with a readable message.
 * @param {FormData} form @param {boolean} [required]
 * @returns {{rating?: string, comment?: string, error?: string}|null} a Feedback, or {error}
 */
export function readFeedback(form, required = false) {
  const rating = String(form.get('rating') ?? '');
  const comment = String(form.get('comment') ?? '').replace(/\r\n?/g, '\n');
  if (!rating) {
    if (required) return { error: t('todo.feedback.choose') };
    return comment.trim() ? { error: t('todo.feedback.chooseOrEmpty') } : null;
  }
  if (!RATINGS.includes(rating)) return { error: t('todo.feedback.offered') };
  const count = [...comment].length;
  if (count > MAX_NOTE) {
    return { error: t('limit.tooLong', { label: t('todo.feedback.comment'), count, max: MAX_NOTE,
      over: count - MAX_NOTE }) };
  }
  return comment.trim() ? { rating, comment: comment.trim() } : { rating };
}

/** The practice minutes of an entry's fields: its first question that records them (a minutes one), or null. */
export function entryMinutes(kind, fields) {
  const field = kind.fields.find((f) => fieldType(f.type)?.recordsMinutes && Number.isInteger(fields[f.id]));
  return field ? fields[field.id] : null;
}

/** The Monday (YYYY-MM-DD) of the week `date` is in. */
export function weekStart(date) {
  const day = parseDate(date);
  return formatDay(day - ((((day + 3) % 7) + 7) % 7)); // 1970-01-01, day 0, was a Thursday
}
