// The review of one assignment: occurrence states (across daylight saving time), completion, minutes, mood, feedback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { timeWords } from '../../../js/core/dates.js';
import {
  feedbackList, linkedEntries, minutesByWeek, moodSeries, reviewAssignment, scheduleWords, weekStart,
} from '../../../js/screens/assign/review.js';

const assignment = (recurrence, extra = {}) => ({ v: 1, type: 'assignment', template: null, kind: 'relaxation',
  title: 'Slow breathing', instructions: '', schedule: { recurrence }, created_at: '2026-03-20T10:00:00Z',
  updated_at: '2026-03-20T10:00:00Z', withdrawn: false, ...extra });
const berlinDaily = (start = '2026-03-27', more = {}) => ({ freq: 'daily', start, time_zone: 'Europe/Berlin',
  ...more });
const answer = (occurrence, status, more = {}) => ({ v: 1, type: 'assignment-response',
  assignment_id: '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21', occurrence, status, created_at: `${occurrence}T18:00:00Z`,
  updated_at: `${occurrence}T18:00:00Z`, ...more });
const states = (review) => review.rows.map((r) => `${r.date} ${r.state}`);

test('states across the Berlin change to summer time (2026-03-29 ends at 22:00Z)', () => {
  const a = assignment(berlinDaily());
  // 23:59 local on the 23-hour day: still that day.
  assert.deepEqual(states(reviewAssignment(a, [], { now: '2026-03-29T21:59:00Z' })),
    ['2026-03-27 missed', '2026-03-28 missed', '2026-03-29 due_today', '2026-03-30 upcoming']);
  // 00:30 local on the 30th: the 29th has ended, and no date is skipped or repeated.
  const after = reviewAssignment(a, [], { now: '2026-03-29T22:30:00Z' });
  assert.equal(after.today, '2026-03-30');
  assert.deepEqual(states(after),
    ['2026-03-27 missed', '2026-03-28 missed', '2026-03-29 missed', '2026-03-30 due_today', '2026-03-31 upcoming']);
  // The same instant for an assignment kept in Los Angeles time (15:30 there): still the 29th.
  const la = assignment(berlinDaily('2026-03-27', { time_zone: 'America/Los_Angeles' }));
  assert.deepEqual(states(reviewAssignment(la, [], { now: new Date('2026-03-29T22:30:00Z') })),
    ['2026-03-27 missed', '2026-03-28 missed', '2026-03-29 due_today', '2026-03-30 upcoming']);
});

test('done, not done with a reason, missed, due today and upcoming; the latest answer of a day counts', () => {
  const a = assignment(berlinDaily('2026-03-23'));
  const responses = [
    answer('2026-03-23', 'done', { minutes: 10 }),
    answer('2026-03-24', 'not_done', { reason: 'Away' }),
    answer('2026-03-25', 'done', { updated_at: '2026-03-25T18:00:00Z' }),
    answer('2026-03-25', 'not_done', { updated_at: '2026-03-25T20:00:00Z', reason: 'Changed my mind' }),
  ];
  const review = reviewAssignment(a, responses, { now: '2026-03-27T09:00:00Z' });
  assert.deepEqual(states(review), ['2026-03-23 done', '2026-03-24 not_done', '2026-03-25 not_done',
    '2026-03-26 missed', '2026-03-27 due_today', '2026-03-28 upcoming']);
  assert.equal(review.rows[2].response.reason, 'Changed my mind');
  // Due so far: the four days that ended; today counts only once answered.
  assert.deepEqual(review.completion, { done: 1, due: 4, rate: 0.25 });
  const doneToday = reviewAssignment(a, [...responses, answer('2026-03-27', 'done')], { now: '2026-03-27T09:00:00Z' });
  assert.deepEqual(doneToday.completion, { done: 2, due: 5, rate: 0.4 });
});

test('weekly on chosen days, a one-off in the future, and a withdrawn activity', () => {
  const weekly = assignment({ freq: 'weekly', days: ['mon', 'wed'], start: '2026-03-23', time_zone: 'Europe/Berlin' });
  assert.deepEqual(states(reviewAssignment(weekly, [], { now: '2026-03-30T12:00:00Z' })),
    ['2026-03-23 missed', '2026-03-25 missed', '2026-03-30 due_today', '2026-04-01 upcoming']);
  const once = assignment({ freq: 'once', start: '2026-03-23', until: '2026-03-30', time_zone: 'Europe/Berlin' });
  const early = reviewAssignment(once, [], { now: '2026-03-24T12:00:00Z' });
  assert.deepEqual(states(early), ['2026-03-30 upcoming']);
  assert.deepEqual(early.completion, { done: 0, due: 0, rate: null });
  // Answered ahead of its date: shown and counted.
  assert.deepEqual(reviewAssignment(once, [answer('2026-03-30', 'done')], { now: '2026-03-24T12:00:00Z' }).completion,
    { done: 1, due: 1, rate: 1 });
  const gone = assignment(berlinDaily('2026-03-23'), { withdrawn: true });
  assert.deepEqual(states(reviewAssignment(gone, [], { now: '2026-03-24T12:00:00Z' })),
    ['2026-03-23 missed', '2026-03-24 due_today']);
  // Not started yet: only the first date, as upcoming.
  assert.deepEqual(states(reviewAssignment(assignment(berlinDaily('2026-04-10')), [], { now: '2026-03-24T12:00:00Z' })),
    ['2026-04-10 upcoming']);
});

test('until the next session stops the day before the session', () => {
  const a = assignment({ freq: 'until_next_session', start: '2026-03-27', next_session: '2026-03-30T17:00',
    time_zone: 'Europe/Berlin' });
  assert.deepEqual(states(reviewAssignment(a, [], { now: '2026-04-02T12:00:00Z' })),
    ['2026-03-27 missed', '2026-03-28 missed', '2026-03-29 missed']);
  // The session's time as Intl writes it in this machine's locale ("17:00", "5:00 PM").
  assert.match(scheduleWords(a.schedule), new RegExp(`until the next session on .* at ${timeWords('17:00')}`));
});

test('practice minutes per week (Monday to Sunday) against the target', () => {
  const a = assignment(berlinDaily('2026-03-18'), { target_minutes_per_week: 70 });
  const responses = [
    answer('2026-03-18', 'done', { minutes: 15 }),
    answer('2026-03-22', 'done', { minutes: 20 }), // Sunday: still the week of the 16th
    answer('2026-03-23', 'done', { minutes: 40 }),
    answer('2026-03-24', 'done', { minutes: 40 }),
    answer('2026-03-25', 'not_done', { minutes: 5 }), // not done: not counted
    answer('2026-03-26', 'done', { minutes: 30, updated_at: '2026-03-26T18:00:00Z' }),
    answer('2026-03-26', 'not_done', { updated_at: '2026-03-26T21:00:00Z' }), // changed later: not counted
  ];
  assert.equal(weekStart('2026-03-29'), '2026-03-23');
  assert.equal(weekStart('2026-03-30'), '2026-03-30');
  assert.deepEqual(minutesByWeek(a, responses, '2026-04-01', 6), [
    { week_start: '2026-03-16', minutes: 35, target: 70 },
    { week_start: '2026-03-23', minutes: 80, target: 70 },
    { week_start: '2026-03-30', minutes: 0, target: 70 },
  ]);
  // At most `weeks` weeks, the latest last.
  assert.deepEqual(minutesByWeek(a, responses, '2026-04-01', 2).map((w) => w.week_start), ['2026-03-23', '2026-03-30']);
  assert.equal(minutesByWeek(assignment(berlinDaily('2026-03-18')), responses, '2026-03-20')[0].target, null);
});

test('mood over time: only mood check-ins with a score 0-10, oldest first', () => {
  const mood = (at, score) => ({ id: at, doc: { v: 1, kind: 'mood', fields: { score }, created_at: at } });
  const series = moodSeries([
    mood('2026-03-25T08:00:00Z', 6),
    { doc: { v: 1, kind: 'journal', fields: { body: 'x' }, created_at: '2026-03-24T08:00:00Z' } },
    mood('2026-03-20T08:00:00Z', 3),
    mood('2026-03-21T08:00:00Z', 11),
    mood('2026-03-22T08:00:00Z', '5'),
    { v: 1, kind: 'mood', fields: { score: 0 }, created_at: '2026-03-23T08:00:00Z' },
  ]);
  assert.deepEqual(series, [{ at: '2026-03-20T08:00:00Z', score: 3 }, { at: '2026-03-23T08:00:00Z', score: 0 },
    { at: '2026-03-25T08:00:00Z', score: 6 }]);
  assert.equal(moodSeries([mood('2026-03-20T08:00:00Z', 1), mood('2026-03-21T08:00:00Z', 2)], 1)[0].score, 2);
});

test('feedback newest first, in words; linked entries only when shared', () => {
  const responses = [
    answer('2026-03-23', 'done', { feedback: { rating: 'helping' }, entry_id: '11111111-1111-4111-8111-111111111111' }),
    answer('2026-03-24', 'not_done', { feedback: { rating: 'not_helping', comment: 'Too long' },
      entry_id: '22222222-2222-4222-8222-222222222222' }),
    answer('2026-03-25', 'done'),
  ];
  assert.deepEqual(feedbackList(responses).map((f) => [f.words, f.comment, f.occurrence]),
    [['Not helping', 'Too long', '2026-03-24'], ['Helping', '', '2026-03-23']]);
  const shared = new Map([['11111111-1111-4111-8111-111111111111', { kind: 'journal', fields: { body: 'hi' } }]]);
  assert.deepEqual(linkedEntries(responses, shared).map((l) => [l.occurrence, l.entry === null]),
    [['2026-03-24', true], ['2026-03-23', false]]);
});

test('schedules in words', () => {
  const weekly = { recurrence: { freq: 'weekly', days: ['wed', 'mon', 'fri'], start: '2026-03-23',
    until: '2026-04-05', time_zone: 'Europe/Berlin' } };
  assert.match(scheduleWords(weekly), /^Every Monday, Wednesday,? and Friday from .*, until /);
  assert.match(scheduleWords({ recurrence: { freq: 'once', start: '2026-03-23', until: '2026-03-30',
    time_zone: 'Europe/Berlin' }, due: '2026-03-30' }), /^Once, due /);
  assert.match(scheduleWords({ recurrence: berlinDaily() }), /^Every day from /);
});

test('minutes per week: a later day already done extends the chart to its week', () => {
  const a = assignment({ freq: 'once', start: '2026-11-27', until: '2026-11-30', time_zone: 'Europe/Berlin' },
    { target_minutes_per_week: 60 });
  assert.deepEqual(minutesByWeek(a, [answer('2026-11-30', 'done', { minutes: 25 })], '2026-11-27', 8), [
    { week_start: '2026-11-23', minutes: 0, target: 60 }, { week_start: '2026-11-30', minutes: 25, target: 60 }]);
});
