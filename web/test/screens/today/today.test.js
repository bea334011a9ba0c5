// The client's Today: which day "today" is (this device's zone, across daylight saving changes), what is due or still
// open, what was done today, the quick mood check-in and its Undo, and why anything is held back; the /app/today
// routes against an in-memory data layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFile } from 'node:fs/promises';
import { buildAssignment, validateResponse } from '../../../js/core/assignments.js';
import { kindTable } from '../../../js/core/kinds.js';
import { Router } from '../../../js/engine/router.js';
import { todoList } from '../../../js/screens/todo/todo.js';
import {
  QUICK_MOODS, dayIn, doneToday, dueNow, moodLevel, quickMood,
} from '../../../js/screens/today/today.js';
import { register } from '../../../js/screens/today/today-routes.js';
import { todayPage } from '../../../js/screens/today/today-views.js';

const kinds = kindTable(JSON.parse(await readFile(new URL('../../../../sync/kinds.json', import.meta.url), 'utf8')));
const THERAPIST = '11111111-1111-4111-8111-111111111111';
const A1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const A2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const HOSTILE = '<script>alert(1)</script>';

const assignment = (id, recurrence, extra = {}) => ({ id, ownerId: THERAPIST, doc: buildAssignment({ kind: 'journal',
  title: `Journal ${id.slice(0, 4)}`, instructions: 'Write a few lines.', recurrence, now: '2026-03-01T08:00:00Z',
  ...extra }, kinds) });
const response = (id, doc) => ({ id, doc: validateResponse(doc) });
const answer = (aid, occurrence, status = 'done', extra = {}) => ({ v: 1, type: 'assignment-response',
  assignment_id: aid, occurrence, status, created_at: '2026-03-29T10:00:00Z', updated_at: '2026-03-29T10:00:00Z',
  ...(status === 'not_done' ? { reason: 'Too tired' } : {}), ...extra });
const entry = (id, kind, fields, createdAt) => ({ id, version: 1, kind, fields, createdAt, updatedAt: createdAt,
  conflicts: [] });

test('five quick answers, each a fifth of the 0-10 scale at its middle; any score or average maps back to one', () => {
  assert.deepEqual(QUICK_MOODS.map((m) => m.score), [1, 3, 5, 7, 9]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => moodLevel(s).level), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
  assert.equal(moodLevel(5.9).name, 'okay');
  assert.equal(moodLevel(6).name, 'good');
  for (const m of QUICK_MOODS) assert.equal(moodLevel(m.score), m);
  assert.equal(quickMood('7').name, 'good');
  for (const bad of ['0', '6', '10', '', null, '7 ', 'good']) assert.equal(quickMood(bad), null, String(bad));
});

test('"today" is this device\'s calendar day: across Berlin\'s spring and autumn changes and far from UTC', () => {
  // 2026-03-29: Berlin goes from UTC+1 to UTC+2 at 01:00 UTC. 23:30 UTC the day before is already the 29th there.
  assert.equal(dayIn('2026-03-28T22:59:59Z', 'Europe/Berlin'), '2026-03-28');
  assert.equal(dayIn('2026-03-28T23:00:00Z', 'Europe/Berlin'), '2026-03-29');
  assert.equal(dayIn('2026-03-29T21:59:59Z', 'Europe/Berlin'), '2026-03-29'); // 23:59:59 CEST
  assert.equal(dayIn('2026-03-29T22:00:00Z', 'Europe/Berlin'), '2026-03-30');
  // 2026-10-25: back to UTC+1; the day has 25 hours and ends at 23:00 UTC.
  assert.equal(dayIn('2026-10-25T22:30:00Z', 'Europe/Berlin'), '2026-10-25');
  assert.equal(dayIn('2026-10-25T23:00:00Z', 'Europe/Berlin'), '2026-10-26');
  assert.equal(dayIn('2026-03-29T10:00:00.123Z', 'Pacific/Kiritimati'), '2026-03-30'); // UTC+14
  assert.equal(dayIn('2026-03-29T10:00:00Z', 'Pacific/Pago_Pago'), '2026-03-28'); // UTC-11
  assert.equal(dayIn(new Date('2026-03-29T10:00:00Z'), 'UTC'), '2026-03-29');
  assert.equal(dayIn('not a time', 'UTC'), null);
  assert.equal(dayIn('2026-03-29T10:00:00Z', 'Not/AZone'), null);
});

test('due now: today\'s items, and per activity its latest open day with how many earlier ones are open too', () => {
  const daily = assignment(A1, { freq: 'daily', start: '2026-03-25', time_zone: 'Europe/Berlin' });
  const weekly = assignment(A2, { freq: 'weekly', days: ['wed'], start: '2026-03-20', time_zone: 'Europe/Berlin' });
  const responses = [response('r1', answer(A1, '2026-03-27'))];
  const lists = todoList([daily, weekly], responses, { now: '2026-03-29T12:00:00Z' });
  const due = dueNow(lists);
  assert.deepEqual(due.due.map((i) => [i.assignment.id, i.occurrence]), [[A1, '2026-03-29']]);
  // Daily: the 28th, 26th and 25th are open (the 27th was answered); weekly: Wednesday the 25th.
  assert.deepEqual(due.open.map(({ item, more }) => [item.assignment.id, item.occurrence, more]),
    [[A1, '2026-03-28', 2], [A2, '2026-03-25', 0]]);
  assert.equal(due.coming, 2); // both have days later this week
  // In Berlin it is already Monday the 30th at 22:30 UTC on Sunday: the 29th has become an open day.
  const late = dueNow(todoList([daily], responses, { now: '2026-03-29T22:30:00Z' }));
  assert.deepEqual(late.due.map((i) => i.occurrence), ['2026-03-30']);
  assert.deepEqual(late.open.map(({ item, more }) => [item.occurrence, more]), [['2026-03-29', 3]]);
});

test('done today: entries written on this device\'s day (in its zone), each naming the activity it answered', () => {
  const daily = assignment(A1, { freq: 'daily', start: '2026-03-25', time_zone: 'Europe/Berlin' });
  const entries = [
    entry('e1', 'journal', { body: 'answer' }, '2026-03-29T08:00:00.000Z'),
    entry('e2', 'mood', { score: 7 }, '2026-03-28T23:30:00.000Z'), // 00:30 on the 29th in Berlin (CET then)
    entry('e3', 'mood', { score: 4 }, '2026-03-28T22:30:00.000Z'), // 23:30 on the 28th in Berlin
  ];
  // Entry ids are UUIDs in the app; these short ones keep the test readable (doneToday only matches them).
  const responses = [{ id: 'r1', doc: { ...answer(A1, '2026-03-29'), entry_id: 'e1' } }];
  const notDone = response('r2', answer(A1, '2026-03-28', 'not_done', { created_at: '2026-03-29T09:00:00Z',
    updated_at: '2026-03-29T09:00:00Z' }));
  const berlin = doneToday({ entries, responses: [...responses, notDone], assignments: [daily],
    now: '2026-03-29T12:00:00Z', zone: 'Europe/Berlin' });
  assert.deepEqual(berlin.entries.map((e) => [e.entry.id, e.assignment?.id ?? null]), [['e1', A1], ['e2', null]]);
  assert.deepEqual(berlin.notDone.map((n) => n.response.id), ['r2']);
  // Seen from New York (UTC-4 on that date) it is still the 29th at 12:00 UTC, and all three are from the 28th
  // or the 29th there: only e1 (04:00 on the 29th) is today's.
  const ny = doneToday({ entries, responses, assignments: [daily], now: '2026-03-29T12:00:00Z',
    zone: 'America/New_York' });
  assert.deepEqual(ny.entries.map((e) => e.entry.id), ['e1']);
});

// ------------------------------------------------------------------ the routes

function fixture({ peer = {}, received = null, now = '2026-03-29T12:00:00Z', zone = 'Europe/Berlin',
  drafts = [], storage = null } = {}) {
  const peers = [{ userId: THERAPIST, handle: 'dr.mira', role: 'therapist', linked: true, changed: null,
    verifiedHow: 'invite-link', ...peer }];
  const daily = assignment(A1, { freq: 'daily', start: '2026-03-26', time_zone: 'Europe/Berlin' },
    { title: `Breathe ${HOSTILE}`, instructions: `Sit comfortably ${HOSTILE}.\n\nThen count to four, twice.` });
  const list = received ?? [daily];
  const state = { entries: [], docs: [], deleted: [] };
  let n = 0;
  const store = {
    peers: async () => peers,
    listReceived: async (db, me, { type }) => list.filter((r) => r.doc.type === type),
    listOwnAll: async () => ({ entries: state.entries.filter((e) => !state.deleted.includes(e.id)),
      documents: new Map([['assignment-response', state.docs]]) }),
    createEntry: async (db, me, kind, fields) => {
      const e = entry(`00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, kind, fields, new Date(now)
        .toISOString());
      state.entries.unshift(e);
      return e;
    },
    getEntry: async (db, me, id) => state.entries.find((e) => e.id === id && !state.deleted.includes(id)) ?? null,
    deleteEntry: async (db, me, id) => { state.deleted.push(id); return true; },
    listDrafts: async () => drafts,
  };
  const router = new Router();
  register(router, { load: async () => ({ db: {}, me: {}, settings: null, kinds }), store,
    now: () => new Date(now), zone: () => zone, home: async () => '/app/today',
    storage: storage && { state: async () => storage } });
  async function call(method, path, form = null) {
    const found = router.match(method, path);
    assert.ok(found?.handler, `${method} ${path} is routed`);
    const init = form ? { method, body: new URLSearchParams(form) } : { method };
    const request = new Request(`https://app.test${path}`, init);
    const res = await found.handler({ request, url: new URL(request.url), params: found.params });
    return { status: res.status, push: res.headers.get('HX-Push-Url'), body: await res.text() };
  }
  return { state, call };
}

test('GET /app/today: the date, due today with who gave it and their instructions, one tap to start', async () => {
  const { call } = fixture();
  const { status, body } = await call('GET', '/app/today');
  assert.equal(status, 200);
  assert.match(body, /<h1 id="today-title">Today<\/h1>/);
  assert.match(body, /<time datetime="2026-03-29">/);
  assert.match(body, /aria-current="page" hx-get="\/app\/today"/);
  const due = body.split('id="today-due-title"')[1].split('</section>')[0];
  assert.match(due, /Breathe &lt;script&gt;/);
  assert.match(due, /from <strong>dr\.mira<\/strong> <span class="trust verified">\(Verified by invitation\)/);
  assert.match(due, /<p>Sit comfortably &lt;script&gt;alert\(1\)&lt;\/script&gt;\.<\/p>/);
  assert.match(due, /<details><summary>All instructions<\/summary><p>Then count to four, twice\.<\/p><\/details>/);
  assert.match(due, new RegExp(`href="/app/todo/${A1}/2026-03-29"[^>]*>Start<span class="visually-hidden">`));
  assert.doesNotMatch(body, /<script>/);
  // Days since the 26th are still open: the latest, with how many earlier ones.
  const open = body.split('id="today-open-title"')[1].split('</section>')[0];
  assert.match(open, new RegExp(`href="/app/todo/${A1}/2026-03-28"`));
  assert.match(open, /\(and 2 earlier days\)/);
  assert.doesNotMatch(open, /Sit comfortably/); // its instructions are just above, under Due today
  assert.match(body, /1 more activity later this week: <a href="\/app\/todo"/);
  assert.match(body, /<h2 id="today-done-title">Done today<\/h2>\s*<p class="empty">Nothing yet/);
  assert.doesNotMatch(body, /drafts-title/);
  // `/app` is the home screen, which for a client is Today.
  assert.match((await call('GET', '/app')).body, /<h1 id="today-title">Today<\/h1>/);
});

test('the quick check-in: one tap saves a mood entry, it is done today, Add details opens its form, Undo removes it', async () => {
  const { state, call } = fixture();
  const saved = await call('POST', '/app/today/mood', { score: '7' });
  assert.equal(saved.status, 200);
  assert.equal(saved.push, '/app/today');
  assert.equal(state.entries.length, 1);
  const [mood] = state.entries;
  assert.deepEqual([mood.kind, mood.fields], ['mood', { score: 7 }]);
  assert.match(saved.body, /<div class="notice" role="status"><p>Mood check-in saved: Good \(7 out of 10\)\.<\/p>/);
  assert.match(saved.body, new RegExp(`href="/app/entries/${mood.id}/edit"[^>]*>Add details</a>`));
  assert.match(saved.body, new RegExp(`hx-post="/app/today/mood/${mood.id}/undo"`));
  const done = saved.body.split('id="today-done-title"')[1];
  assert.match(done, /Mood check-in/);
  assert.match(done, /Mood 7\/10/);
  const undone = await call('POST', `/app/today/mood/${mood.id}/undo`);
  assert.match(undone.body, /Mood check-in removed\./);
  assert.deepEqual(state.deleted, [mood.id]);
  assert.match(undone.body.split('id="today-done-title"')[1], /Nothing yet/);
});

test('the check-in takes only its five answers; Undo only a mood entry', async () => {
  const { state, call } = fixture();
  for (const score of ['0', '6', '11', 'x']) {
    assert.equal((await call('POST', '/app/today/mood', { score })).status, 422, score);
  }
  assert.equal((await call('POST', '/app/today/mood', {})).status, 422);
  assert.equal(state.entries.length, 0);
  state.entries.push(entry('00000000-0000-4000-8000-00000000000f', 'journal', { body: 'x' }, '2026-03-29T08:00:00Z'));
  const refused = await call('POST', '/app/today/mood/00000000-0000-4000-8000-00000000000f/undo');
  assert.equal(refused.status, 404);
  assert.deepEqual(state.deleted, []);
  assert.equal((await call('POST', '/app/today/mood/not-an-id/undo')).status, 404);
});

test('held back, said where it would have shown: a changed key with the safety number; a newer version with the update', async () => {
  const changed = fixture({ peer: { changed: { handle: 'dr.mira' }, held: 3 } });
  const { body } = await changed.call('GET', '/app/today');
  assert.doesNotMatch(body, />Start</);
  assert.match(body, /Activities from dr\.mira are held back: dr\.mira(&#39;|')s security key changed\. 3 changes are waiting\./);
  assert.match(body, new RegExp(`href="/app/link/${THERAPIST}"[^>]*>Compare the safety number</a>`));
  const future = { id: A2, ownerId: THERAPIST, doc: { ...assignment(A2, { freq: 'daily', start: '2026-03-26',
    time_zone: 'Europe/Berlin' }).doc, kind: 'dream-diary' } };
  const newer = await fixture({ received: [future] }).call('GET', '/app/today');
  assert.match(newer.body, /One activity from dr\.mira needs a newer version of Between\./);
  assert.match(newer.body, /<a href="\/app\/today" class="button secondary">Check for an update<\/a>/);
  assert.match(newer.body, /Nothing is due today\./);
  const unverified = await fixture({ peer: { verifiedHow: 'tofu' } }).call('GET', '/app/today');
  assert.match(unverified.body, /\(Not verified\)/);
  assert.match(unverified.body, /dr\.mira(&#39;|')s key is not verified on this device yet\. <a href="\/app\/link\//);
  assert.match(unverified.body, />Start</); // answering is allowed: the key is the server's word, said so
});

test('nothing assigned: an inviting word, not a scolding one', async () => {
  const { body } = await fixture({ received: [] }).call('GET', '/app/today');
  assert.match(body, /Nothing is due\. When your therapist gives you an activity, it shows here\./);
  assert.doesNotMatch(body, /today-open-title/);
  const page = String(todayPage({ date: '2026-03-29', due: { due: [], open: [], coming: 0 },
    done: { entries: [], notDone: [] }, kinds, mood: false }));
  assert.doesNotMatch(page, /How are you feeling/);
});

test('drafts to continue: each a link back to its form, named by what it answers (data/drafts.js listDrafts)', async () => {
  const drafts = [{ form: `todo/${A1}/2026-03-29`, path: `/app/todo/${A1}/2026-03-29`, kind: 'journal',
    title: `Breathe ${HOSTILE}`, what: 'answer', updatedAt: '2026-03-29T11:00:00.000Z' },
  { form: 'entry/new/mood', path: '/app/entries/new?kind=mood', kind: 'mood', title: '', what: 'new',
    updatedAt: '2026-03-29T10:00:00.000Z' }];
  const { body } = await fixture({ drafts }).call('GET', '/app/today');
  const section = body.split('id="drafts-title"')[1].split('</section>')[0];
  assert.match(section, /Continue where you left off/);
  assert.match(section, new RegExp(`href="/app/todo/${A1}/2026-03-29"[^>]*>Breathe &lt;script&gt;`));
  assert.match(section, /href="\/app\/entries\/new\?kind=mood"[^>]*>Mood check-in</);
  assert.doesNotMatch(body, /<script>/);
  // Before what was done today, after what is due.
  assert.ok(body.indexOf('id="today-due-title"') < body.indexOf('id="drafts-title"'));
  assert.ok(body.indexOf('id="drafts-title"') < body.indexOf('id="today-done-title"'));
});

test('the home screen\'s storage notice shows on Today while entries exist only here, and never stops the page', async () => {
  const risky = { records: 2, onlyHere: 2, account: false, persisted: false, usage: null, dismissed: false,
    sevenDays: false };
  const { body } = await fixture({ storage: risky }).call('GET', '/app/today');
  assert.match(body, /data-storage-notice/);
  assert.ok(body.indexOf('id="today-title"') < body.indexOf('data-storage-notice')); // at the top, under the heading
  assert.ok(body.indexOf('data-storage-notice') < body.indexOf('id="today-mood-title"'));
  assert.doesNotMatch((await fixture({ storage: { ...risky, dismissed: true } }).call('GET', '/app/today')).body,
    /data-storage-notice/);
  assert.doesNotMatch((await fixture().call('GET', '/app/today')).body, /data-storage-notice/);
});
