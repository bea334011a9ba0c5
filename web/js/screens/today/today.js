/**
 * The client's Today, as plain data: what is due today or still open from earlier days (To do's lists, todo.js
 * todoList), the quick mood check-in's five answers on the mood kind's 0-10 scale, and what was done today (the
 * entries written and the activities answered on this device's calendar day). Pure: plain data in, plain data out.
 * (The drafts to continue are data/drafts.js `listDrafts`, shown by screens/drafts.js `draftsToContinue`.)
 */

import { localDate } from '../../core/recurrence.js';
import { latestResponses } from '../todo/todo.js';

/**
 * @typedef {import('../todo/todo.js').TodoItem} TodoItem
 * @typedef {import('../../data/entries.js').Entry} Entry
 * @typedef {{id: string, doc: Record<string, any>}} ResponseRecord
 */

/**
 * The quick check-in: five answers, each a real button with its words, saved at once as a mood entry whose score is
 * the middle of its fifth of the kind's 0-10 scale (1, 3, 5, 7, 9), so "Very low" never claims "the lowest you can
 * imagine" (0). Five labelled levels are what Daylio and most mood trackers offer, and what a one-tap answer can hold
 * in a thumb's reach; the full form ("Add details") takes an exact score, emotions and a note.
 */
export const QUICK_MOODS = Object.freeze([
  Object.freeze({ level: 0, name: 'veryLow', score: 1 }),
  Object.freeze({ level: 1, name: 'low', score: 3 }),
  Object.freeze({ level: 2, name: 'okay', score: 5 }),
  Object.freeze({ level: 3, name: 'good', score: 7 }),
  Object.freeze({ level: 4, name: 'veryGood', score: 9 }),
]);

/**
 * The quick answer a score (or a day's average) is nearest to: 0-1.9 very low, 2-3.9 low, 4-5.9 okay, 6-7.9 good,
 * 8-10 very good.
 */
export function moodLevel(score) {
  const levels = [2, 4, 6, 8];
  const i = levels.findIndex((edge) => score < edge);
  return QUICK_MOODS[i === -1 ? 4 : i];
}

/** The quick answer a button sent, or null for anything else. */
export const quickMood = (value) => QUICK_MOODS.find((m) => String(m.score) === String(value)) ?? null;

/** The local date (YYYY-MM-DD) of an instant in time zone `zone`, or null when either cannot be read. */
export function dayIn(stamp, zone) {
  try {
    return localDate(stamp, zone);
  } catch {
    return null;
  }
}

/**
 * What Today lists as to do: the items due today, and for each assignment with days still open from the last week its
 * latest such day (answering it is one tap) with how many earlier ones are open too; `coming`, how many assignments
 * have days later this week (To do lists them).
 * @param {{today: TodoItem[], week: TodoItem[], overdue: TodoItem[]}} lists todo.js todoList
 * @returns {{due: TodoItem[], open: {item: TodoItem, more: number}[], coming: number}}
 */
export function dueNow(lists) {
  const open = new Map();
  for (const item of lists.overdue) { // newest first
    const seen = open.get(item.assignment.id);
    if (seen) seen.more += 1;
    else open.set(item.assignment.id, { item, more: 0 });
  }
  return { due: lists.today, open: [...open.values()],
    coming: new Set(lists.week.map((i) => i.assignment.id)).size };
}

/**
 * What was done today, on this device's calendar (`zone`): the entries written today, newest first, each with the
 * assignment it answers (null for the person's own), and the activities answered "not done" today.
 * @param {{entries: Entry[], responses: ResponseRecord[], assignments: {id: string, doc: Record<string, any>}[],
 *   now: Date|string, zone: string}} input
 * @returns {{entries: {entry: Entry, assignment: object|null}[],
 *   notDone: {assignment: object, response: ResponseRecord}[]}}
 */
export function doneToday({ entries, responses, assignments, now, zone }) {
  const today = dayIn(now, zone);
  const byId = new Map(assignments.map((a) => [a.id, a]));
  const latest = [...latestResponses(responses).values()];
  const answers = new Map();
  for (const r of latest) {
    if (r.doc.status === 'done' && typeof r.doc.entry_id === 'string' && byId.has(r.doc.assignment_id)) {
      answers.set(r.doc.entry_id, byId.get(r.doc.assignment_id));
    }
  }
  const written = entries.filter((e) => today !== null && dayIn(e.createdAt, zone) === today)
    .map((entry) => ({ entry, assignment: answers.get(entry.id) ?? null }));
  const notDone = latest.filter((r) => r.doc.status === 'not_done' && byId.has(r.doc.assignment_id)
      && today !== null && dayIn(r.doc.updated_at, zone) === today)
    .sort((a, b) => String(b.doc.updated_at).localeCompare(String(a.doc.updated_at)))
    .map((response) => ({ assignment: byId.get(response.doc.assignment_id), response }));
  return { entries: written, notDone };
}
