// The client's Progress, computed on the device: mood per day, week and month (in this device's zone, across daylight
// saving changes), the calendar's weeks, practice minutes per week against the aims set, activities done and not done
// per week, what was said about them, thought records before and after, helping others (minutes, mood before and
// after); the charts' tables say the same numbers; the
// /app/progress route against an in-memory data layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFile } from 'node:fs/promises';
import { buildAssignment, validateResponse } from '../../../js/core/assignments.js';
import { kindTable } from '../../../js/core/kinds.js';
import { Router } from '../../../js/engine/router.js';
import {
  activityWeeks, calendarWeeks, feedbackOf, helpingRecords, monthDays, moodDays, moodScores, practiceWeeks,
  shiftMonth, thoughtRecords, weekStarts,
} from '../../../js/screens/progress/progress.js';
import {
  activitiesChart, helpingChart, moodLine, practiceChart, thoughtChart,
} from '../../../js/screens/progress/progress-charts.js';
import { register } from '../../../js/screens/progress/progress-routes.js';

const kinds = kindTable(JSON.parse(await readFile(new URL('../../../../sync/kinds.json', import.meta.url), 'utf8')));
const THERAPIST = '11111111-1111-4111-8111-111111111111';
const A1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const A2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const BERLIN = 'Europe/Berlin';

const entry = (id, kind, fields, createdAt) => ({ id, version: 1, kind, fields, createdAt, updatedAt: createdAt,
  conflicts: [] });
const mood = (id, score, at) => entry(id, 'mood', { score }, at);
const assignment = (id, recurrence, extra = {}) => ({ id, ownerId: THERAPIST, from: { handle: 'dr.mira' },
  doc: buildAssignment({ kind: 'journal', title: `Journal ${id.slice(0, 4)}`, instructions: '', recurrence,
    now: '2026-03-01T08:00:00Z', ...extra }, kinds) });
const answer = (id, aid, occurrence, status = 'done', extra = {}) => ({ id, doc: validateResponse({ v: 1,
  type: 'assignment-response', assignment_id: aid, occurrence, status, created_at: `${occurrence}T18:00:00Z`,
  updated_at: `${occurrence}T18:00:00Z`, ...(status === 'not_done' ? { reason: 'Busy' } : {}), ...extra }) });

/** The rows of the table of a chart: each row's header and cells, as text. */
const rows = (fragment) => [...String(fragment).split('<tbody>')[1].matchAll(/<tr>(.*?)<\/tr>/gs)]
  .map((m) => [...m[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1].replace(/<[^>]+>/g, '').trim()));

test('mood per day in this device\'s zone: the night Berlin\'s clocks go forward, and the average to one decimal', () => {
  const entries = [
    mood('m1', 4, '2026-03-28T22:30:00Z'), // 23:30 CET on the 28th
    mood('m2', 7, '2026-03-28T23:30:00Z'), // 00:30 CET on the 29th
    mood('m3', 8, '2026-03-29T21:30:00Z'), // 23:30 CEST on the 29th
    mood('m4', 6, '2026-03-29T22:30:00Z'), // 00:30 CEST on the 30th
    entry('j1', 'journal', { body: 'x' }, '2026-03-29T10:00:00Z'),
    mood('bad', 11, '2026-03-29T10:00:00Z'),
  ];
  const scores = moodScores(entries, BERLIN);
  assert.deepEqual(Object.fromEntries(scores), { '2026-03-28': [4], '2026-03-29': [7, 8], '2026-03-30': [6] });
  assert.deepEqual(moodDays(scores, '2026-03-27', '2026-03-30'), [
    { day: '2026-03-27', count: 0, mean: null }, { day: '2026-03-28', count: 1, mean: 4 },
    { day: '2026-03-29', count: 2, mean: 7.5 }, { day: '2026-03-30', count: 1, mean: 6 }]);
  // In UTC the same check-ins fall on other days.
  assert.deepEqual(Object.fromEntries(moodScores(entries, 'UTC')), { '2026-03-28': [4, 7], '2026-03-29': [8, 6] });
  assert.deepEqual(moodDays(new Map([['2026-03-01', [1, 2, 2]]]), '2026-03-01', '2026-03-01')[0].mean, 1.7);
});

test('months and the calendar: Monday first, leap years, the year\'s turn', () => {
  assert.deepEqual(monthDays('2024-02'), ['2024-02-01', '2024-02-29']);
  assert.deepEqual(monthDays('2026-02'), ['2026-02-01', '2026-02-28']);
  assert.equal(shiftMonth('2026-01', -1), '2025-12');
  assert.equal(shiftMonth('2025-12', 1), '2026-01');
  const march = calendarWeeks('2026-03'); // the 1st is a Sunday, the 31st a Tuesday
  assert.equal(march.length, 6);
  assert.deepEqual(march[0], [null, null, null, null, null, null, '2026-03-01']);
  assert.deepEqual(march[5], ['2026-03-30', '2026-03-31', null, null, null, null, null]);
  assert.equal(march.flat().filter(Boolean).length, 31);
  assert.deepEqual(calendarWeeks('2021-02').map((w) => w.filter(Boolean).length), [7, 7, 7, 7]); // Monday to Sunday
  assert.deepEqual(weekStarts('2026-03-29', 3), ['2026-03-09', '2026-03-16', '2026-03-23']);
});

test('practice minutes per week: breathing entries by the day written here, target activities by the day answered', () => {
  const practice = assignment(A1, { freq: 'daily', start: '2026-03-16', until: '2026-04-30', time_zone: BERLIN },
    { kind: 'relaxation', targetMinutesPerWeek: 60 });
  const reading = assignment(A2, { freq: 'daily', start: '2026-03-23', time_zone: BERLIN },
    { kind: 'reading', targetMinutesPerWeek: 30 });
  const entries = [
    entry('r1', 'relaxation', { minutes: 10 }, '2026-03-16T08:00:00Z'),
    entry('r2', 'relaxation', { minutes: 15 }, '2026-03-22T22:30:00Z'), // Sunday 23:30 in Berlin: that week
    entry('r3', 'relaxation', { minutes: 20 }, '2026-03-22T23:30:00Z'), // Monday 00:30 in Berlin: the next week
    entry('l1', 'lifestyle', { area: 'sleep', goal: 'x', minutes: 90 }, '2026-03-24T08:00:00Z'), // not practice
  ];
  const responses = [answer('x1', A2, '2026-03-24', 'done', { minutes: 25 }),
    answer('x2', A2, '2026-03-25', 'not_done'), answer('x3', A1, '2026-03-24', 'done', { minutes: 20 })];
  const weeks = practiceWeeks({ entries, assignments: [practice, reading], responses, today: '2026-03-29',
    zone: BERLIN, weeks: 3 });
  // The relaxation answer's minutes are its entry's (r3): not counted twice.
  assert.deepEqual(weeks, [
    { week_start: '2026-03-09', minutes: 0, target: null },
    { week_start: '2026-03-16', minutes: 25, target: 60 },
    { week_start: '2026-03-23', minutes: 45, target: 90 }]);
  const chart = String(practiceChart(weeks));
  assert.deepEqual(rows(chart).map((r) => r.slice(1)), [['0', '–'], ['25', '60'], ['45', '90']]);
  assert.match(chart, /<figcaption id="practice-chart-caption">Practice minutes per week<\/figcaption>/);
  assert.match(chart, /3 weeks, 70 minutes in all; this week 45 minutes, with an aim of 90 minutes a week\./);
  assert.equal(practiceChart([{ week_start: '2026-03-23', minutes: 0, target: null }]), null);
});

test('activities per week: done, not done, and days gone by without an answer; today and later days not yet', () => {
  const daily = assignment(A1, { freq: 'daily', start: '2026-03-19', time_zone: BERLIN });
  const responses = [answer('d1', A1, '2026-03-20'), answer('d2', A1, '2026-03-24'),
    answer('d3', A1, '2026-03-25', 'not_done'), answer('d4', A1, '2026-03-31'), // answered early, next week
    answer('d5', A1, '2026-03-24', 'not_done', { updated_at: '2026-03-24T19:00:00Z' })]; // a later answer wins
  const weeks = activityWeeks({ assignments: [daily], responses, now: '2026-03-29T12:00:00Z', today: '2026-03-29',
    weeks: 2 });
  // Week of the 16th: the 19th to 22nd (4 days), the 20th done. Week of the 23rd: the 23rd to 28th gone by (the
  // 29th is today, still open), the 24th and 25th not done.
  assert.deepEqual(weeks, [
    { week_start: '2026-03-16', done: 1, notDone: 0, open: 3 },
    { week_start: '2026-03-23', done: 0, notDone: 2, open: 4 }]);
  const chart = String(activitiesChart(weeks));
  assert.deepEqual(rows(chart).map((r) => r.slice(1)), [['1', '0', '3'], ['0', '2', '4']]);
  assert.match(chart, /2 weeks: 1 days done, 2 not done, 7 without an answer\./);
  assert.equal(activitiesChart([{ week_start: '2026-03-23', done: 0, notDone: 0, open: 0 }]), null);
  const withdrawn = { ...daily, doc: { ...daily.doc, withdrawn: true } };
  assert.deepEqual(activityWeeks({ assignments: [withdrawn], responses, now: '2026-03-29T12:00:00Z',
    today: '2026-03-29', weeks: 2 }).map((w) => [w.done, w.notDone, w.open]), [[1, 0, 0], [0, 2, 0]]);
});

test('what was said about each activity: its latest feedback, "not helping" as information', () => {
  const daily = assignment(A1, { freq: 'daily', start: '2026-03-19', time_zone: BERLIN });
  const responses = [answer('f1', A1, '2026-03-20', 'done', { feedback: { rating: 'helping' } }),
    answer('f2', A1, '2026-03-24', 'not_done', { feedback: { rating: 'not_helping', comment: 'Makes me tense' } }),
    answer('f3', A1, '2026-03-25')];
  assert.deepEqual(feedbackOf([daily], responses).map((f) => [f.assignment.id, f.rating, f.comment]),
    [[A1, 'not_helping', 'Makes me tense']]);
});

test('thought records: feelings before and after matched by name; averages; the chart\'s table row by row', () => {
  const entries = [
    entry('t1', 'thought-record', { emotions: [{ name: 'Anxious', intensity: 80 }, { name: 'sad', intensity: 50 }],
      emotions_rerated: [{ name: 'anxious', intensity: 40 }, { name: 'hopeful', intensity: 30 }] },
    '2026-03-20T10:00:00Z'),
    entry('t2', 'thought-record', { emotions: [{ name: 'angry', intensity: 60 }] }, '2026-03-25T10:00:00Z'),
    entry('t0', 'thought-record', { situation: 'no emotions' }, '2026-03-18T10:00:00Z'),
  ];
  const records = thoughtRecords(entries);
  assert.deepEqual(records.map((r) => [r.id, r.before, r.after]), [['t1', 65, 35], ['t2', 60, null]]);
  assert.deepEqual(records[0].emotions, [{ name: 'Anxious', before: 80, after: 40 },
    { name: 'sad', before: 50, after: null }, { name: 'hopeful', before: null, after: 30 }]);
  const chart = String(thoughtChart(records, { zone: BERLIN }));
  assert.deepEqual(rows(chart).map((r) => r.slice(1)), [['Anxious', '80', '40'], ['sad', '50', '–'],
    ['hopeful', '–', '30'], ['angry', '60', '–']]);
  assert.match(chart, /2 thought records; 1 with the feelings re-rated at the end, 1 of them lower afterwards\./);
  assert.equal(thoughtChart([]), null);
});

test('helping others: minutes and mood before and after, oldest first; entries without numbers left out', () => {
  const helping = (id, fields, at) => entry(id, 'helping', { what_i_did: 'Helped', ...fields }, at);
  const entries = [
    helping('h2', { minutes: 30, mood_before: 4, mood_after: 7 }, '2026-03-25T10:00:00Z'),
    helping('h1', { minutes: 90, mood_before: 6 }, '2026-03-20T23:30:00Z'), // 00:30 on the 21st in Berlin
    helping('h3', { mood_before: 5, mood_after: 5 }, '2026-03-27T10:00:00Z'),
    helping('words', { for_whom: 'A neighbour' }, '2026-03-26T10:00:00Z'),
    helping('odd', { minutes: -3, mood_before: 11, mood_after: 'high' }, '2026-03-26T11:00:00Z'),
    entry('r1', 'relaxation', { minutes: 20 }, '2026-03-26T10:00:00Z'),
  ];
  const records = helpingRecords(entries);
  assert.deepEqual(records.map((r) => [r.id, r.minutes, r.before, r.after]),
    [['h1', 90, 6, null], ['h2', 30, 4, 7], ['h3', null, 5, 5]]);
  assert.deepEqual(helpingRecords(entries, 2).map((r) => r.id), ['h2', 'h3']);
  const chart = String(helpingChart(records, { zone: BERLIN }));
  assert.deepEqual(rows(chart), [['Mar 21', '90', '6', '–'], ['Mar 25', '30', '4', '7'], ['Mar 27', '–', '5', '5']]);
  assert.match(chart, /Helped 3 times, 120 minutes in all; 2 with the mood noted before and after, 1 of them higher afterwards\./);
  assert.match(chart, /<title>Mar 21: 6 before, none noted after, 90 minutes<\/title>/);
  assert.match(chart, /<title>Mar 27: 5 before, 5 after<\/title>/);
  assert.equal(chart.match(/<line class="change"/g).length, 2); // the first has no "after" to join
  assert.equal(chart.match(/<circle class="before"/g).length, 3);
  assert.equal(chart.match(/<circle class="point"/g).length, 2);
  assert.equal(helpingChart([]), null);
});

test('the mood line: a gap where no check-in was made, each point named, the table lists the days with check-ins', () => {
  const days = [{ day: '2026-03-23', mean: 4, count: 1 }, { day: '2026-03-24', mean: null, count: 0 },
    { day: '2026-03-25', mean: 6, count: 2 }, { day: '2026-03-26', mean: 7.5, count: 2 }];
  const chart = String(moodLine(days, { id: 'm', title: 'Mood', label: () => null }));
  assert.equal(chart.match(/<polyline/g).length, 1); // the 25th to the 26th; the 23rd stands alone
  assert.equal(chart.match(/<circle class="point"/g).length, 3);
  assert.match(chart, /<title>[^<]*: Good, 7\.5 out of 10<\/title>/);
  assert.deepEqual(rows(chart).map((r) => r.slice(1)), [['4', '1'], ['6', '2'], ['7.5', '2']]);
  assert.match(chart, /3 days of 4 with a mood check-in; the day(&#39;|')s average from 4 to 7\.5 out of 10\./);
  assert.equal(moodLine([{ day: '2026-03-23', mean: null, count: 0 }], { id: 'm', title: 'Mood', label: () => null }),
    null);
});

// ------------------------------------------------------------------ the route

function call(path, { entries = [], docs = [], received = [], now = '2026-03-29T12:00:00Z' } = {}) {
  const store = {
    peers: async () => [{ userId: THERAPIST, handle: 'dr.mira', role: 'therapist', linked: true, changed: null,
      verifiedHow: 'invite-link' }],
    listReceived: async () => received,
    listOwnAll: async () => ({ entries, documents: new Map([['assignment-response', docs]]) }),
  };
  const router = register(new Router(), { load: async () => ({ db: {}, me: {}, settings: null, kinds }), store,
    now: () => new Date(now), zone: () => BERLIN });
  const found = router.match('GET', path.split('?')[0]);
  const request = new Request(`https://app.test${path}`);
  return found.handler({ request, url: new URL(request.url), params: found.params }).then((r) => r.text());
}

test('GET /app/progress: empty states that invite, never scold', async () => {
  const body = await call('/app/progress');
  assert.match(body, /<h1 id="progress-title">Your progress<\/h1>/);
  assert.match(body, /Nothing on this screen is sent anywhere\./);
  assert.match(body, /No mood check-ins in the last 7 days\. A quick one takes a single tap\. <a href="\/app\/today"/);
  assert.match(body, /No practice minutes yet\./);
  assert.match(body, /When your therapist gives you activities, how they went shows here week by week\./);
  assert.match(body, /No thought records yet\./);
  assert.doesNotMatch(body, /Helping others/); // a kind the client starts alone: no section until there is one
  assert.match(body, /<table class="mood-calendar"><caption>Mood each day in March 2026/);
  assert.doesNotMatch(body, /streak|missed|fail/i);
  assert.match(body, /aria-current="page" hx-get="\/app\/progress"/);
});

test('GET /app/progress: the week, the month asked for and its calendar, with links to the months around it', async () => {
  const entries = [mood('m1', 7, '2026-03-27T08:00:00Z'), mood('m2', 3, '2026-03-27T20:00:00Z'),
    mood('m3', 9, '2026-02-10T08:00:00Z')];
  const body = await call('/app/progress', { entries });
  const week = body.split('id="mood-week-caption"')[1].split('</figure>')[0];
  assert.deepEqual(rows(week).map((r) => r.slice(1)), [['5', '2']]);
  assert.match(body, /<td class="cal-day mood-level-2"><time datetime="2026-03-27">27<\/time><span class="cal-score" aria-hidden="true">5<\/span><span class="visually-hidden">Okay, 5 out of 10<\/span><\/td>/);
  assert.match(body, /href="\/app\/progress\?month=2026-02"[^>]*>Earlier: February 2026</);
  assert.doesNotMatch(body, /month=2026-04/); // no later month than this one
  const feb = await call('/app/progress?month=2026-02', { entries });
  assert.match(feb, /<h3 id="progress-month">February 2026<\/h3>/);
  assert.match(feb, /datetime="2026-02-10">10<\/time><span class="cal-score" aria-hidden="true">9</);
  assert.match(feb, /href="\/app\/progress\?month=2026-03"[^>]*>Later: March 2026</);
  for (const odd of ['2026-04', '2026-13', 'soon', '1999-01']) {
    assert.match(await call(`/app/progress?month=${odd}`, { entries }), /<h3 id="progress-month">March 2026<\/h3>/, odd);
  }
});

test('GET /app/progress: helping others, with its numbers, under its own heading', async () => {
  const entries = [entry('h1', 'helping', { what_i_did: 'Walked the dog next door', minutes: 45, mood_before: 3,
    mood_after: 6 }, '2026-03-27T08:00:00Z'), entry('h2', 'helping', { what_i_did: 'Listened' },
    '2026-03-28T08:00:00Z')];
  const body = await call('/app/progress', { entries });
  assert.match(body, /<section class="progress-section" aria-labelledby="progress-helping">\s*<h2 id="progress-helping">Helping others<\/h2>/);
  const helped = body.split('id="helping-chart-caption"')[1].split('</figure>')[0];
  assert.deepEqual(rows(helped), [['Mar 27', '45', '3', '6']]);
  assert.match(helped, /Helped once, 45 minutes in all; 1 with the mood noted before and after, 1 of them higher afterwards\./);
  assert.doesNotMatch(body, /Walked the dog/); // numbers only: the words stay in the entry
});
