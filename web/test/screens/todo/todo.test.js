// The client's to-do list: due today / this week / missed in each assignment's own zone, the responses that answer
// them, and the /app/todo routes against an in-memory data layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFile } from 'node:fs/promises';
import { buildAssignment, validateResponse } from '../../../js/core/assignments.js';
import { BetweenError } from '../../../js/core/errors.js';
import { FieldError, kindTable } from '../../../js/core/kinds.js';
import { Router } from '../../../js/engine/router.js';
import {
  doneList, history, isCurrent, lastDate, readFeedback, responseDoc, responseFor, todoList, trustOf, weekStart,
} from '../../../js/screens/todo/todo.js';
import { register } from '../../../js/screens/todo/todo-routes.js';

const kinds = kindTable(JSON.parse(await readFile(new URL('../../../../sync/kinds.json', import.meta.url), 'utf8')));
const THERAPIST = '11111111-1111-4111-8111-111111111111';
const A1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const A2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const A3 = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

const assignment = (id, recurrence, extra = {}) => ({ id, ownerId: THERAPIST, doc: buildAssignment({ kind: 'journal',
  title: `Journal ${id.slice(0, 4)}`, instructions: 'Write a few lines.', recurrence, now: '2026-03-01T08:00:00Z',
  ...extra }, kinds) });
const response = (id, doc) => ({ id, doc: validateResponse(doc) });
const answer = (aid, occurrence, status = 'done', extra = {}) => ({ v: 1, type: 'assignment-response',
  assignment_id: aid, occurrence, status, created_at: '2026-03-29T10:00:00Z', updated_at: '2026-03-29T10:00:00Z',
  ...extra });
const dates = (items) => items.map((i) => i.occurrence);

const berlinDaily = assignment(A1, { freq: 'daily', start: '2026-03-26', time_zone: 'Europe/Berlin' });

test('daily across Berlin\'s spring change: each calendar date once, each day ends at local midnight', () => {
  const late = todoList([berlinDaily], [], { now: '2026-03-29T21:59:00Z' }); // 23:59 CEST on the 29th
  assert.deepEqual(dates(late.today), ['2026-03-29']);
  assert.equal(late.today[0].state, 'due_today');
  assert.deepEqual(dates(late.overdue), ['2026-03-28', '2026-03-27', '2026-03-26']);
  assert.ok(late.overdue.every((i) => i.state === 'missed' && i.response === null));
  assert.deepEqual(dates(late.week), ['2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03',
    '2026-04-04', '2026-04-05']);
  const midnight = todoList([berlinDaily], [], { now: '2026-03-29T22:00:00Z' }); // 00:00 CEST on the 30th
  assert.deepEqual(dates(midnight.today), ['2026-03-30']);
  assert.equal(midnight.overdue[0].occurrence, '2026-03-29');
  // The 29th starts at 23:00Z on the 28th (still +01:00) and is only 23 hours long.
  assert.deepEqual(dates(todoList([berlinDaily], [], { now: '2026-03-28T22:59:59Z' }).today), ['2026-03-28']);
  assert.deepEqual(dates(todoList([berlinDaily], [], { now: '2026-03-28T23:00:00Z' }).today), ['2026-03-29']);
  assert.deepEqual(dates(todoList([berlinDaily], [], { now: new Date('2026-03-29T12:00:00Z') }).today), ['2026-03-29']);
});

test('a weekly assignment is judged in its own zone: Monday in New York is still due when Berlin\'s is missed', () => {
  const plan = { freq: 'weekly', days: ['mon'], start: '2026-03-16' };
  const berlin = assignment(A1, { ...plan, time_zone: 'Europe/Berlin' });
  const newYork = assignment(A2, { ...plan, time_zone: 'America/New_York' });
  const now = '2026-03-24T02:00:00Z'; // Tuesday 03:00 in Berlin, Monday 22:00 in New York
  const out = todoList([berlin, newYork], [], { now });
  assert.deepEqual(out.today.map((i) => [i.assignment.id, i.occurrence]), [[A2, '2026-03-23']]);
  // Berlin's missed week reaches back to the 17th; New York's (today the 23rd) to the 16th.
  assert.deepEqual(out.overdue.map((i) => [i.assignment.id, i.occurrence]), [[A1, '2026-03-23'], [A2, '2026-03-16']]);
  assert.deepEqual(out.week.map((i) => [i.assignment.id, i.occurrence]), [[A1, '2026-03-30'], [A2, '2026-03-30']]);
});

test('answered days drop out of the lists but stay on the assignment\'s page; withdrawn ones show nothing due', () => {
  const now = '2026-03-29T12:00:00Z';
  const done = response('dddddddd-dddd-4ddd-8ddd-dddddddddddd', answer(A1, '2026-03-29'));
  const skipped = response('eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
    answer(A1, '2026-03-27', 'not_done', { reason: 'Away' }));
  const other = response('ffffffff-ffff-4fff-8fff-ffffffffffff', answer(A2, '2026-03-28'));
  const out = todoList([berlinDaily], [done, skipped, other], { now });
  assert.deepEqual(out.today, []);
  assert.deepEqual(dates(out.overdue), ['2026-03-28', '2026-03-26']);
  const { past, next } = history(berlinDaily, [done, skipped], { now });
  assert.deepEqual(past.map((i) => [i.occurrence, i.response?.doc.status ?? null]), [['2026-03-29', 'done'],
    ['2026-03-28', null], ['2026-03-27', 'not_done'], ['2026-03-26', null]]);
  assert.equal(next.occurrence, '2026-03-30');
  const withdrawn = { ...berlinDaily, doc: { ...berlinDaily.doc, withdrawn: true } };
  assert.deepEqual(todoList([withdrawn], [], { now }), { today: [], week: [], overdue: [] });
  const gone = history(withdrawn, [done], { now });
  assert.deepEqual(dates(gone.past), ['2026-03-29']);
  assert.equal(gone.next, null);
  assert.equal(isCurrent(withdrawn, now), false);
});

test('missed means the last seven days only, and a later answer for the same day wins', () => {
  const out = todoList([berlinDaily], [], { now: '2026-04-10T12:00:00Z' });
  assert.deepEqual(dates(out.overdue), ['2026-04-09', '2026-04-08', '2026-04-07', '2026-04-06', '2026-04-05',
    '2026-04-04', '2026-04-03']);
  const first = response('dddddddd-dddd-4ddd-8ddd-dddddddddddd', answer(A1, '2026-03-29', 'not_done'));
  const later = response('eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', answer(A1, '2026-03-29', 'done',
    { updated_at: '2026-03-29T18:00:00Z' }));
  assert.equal(responseFor([first, later], A1, '2026-03-29').id, later.id);
  assert.equal(responseFor([later, first], A1, '2026-03-29').id, later.id);
});

test('a one-off due a week out is listed under this week; ended assignments are no longer current', () => {
  const once = assignment(A3, { freq: 'once', start: '2026-03-23', until: '2026-03-30', time_zone: 'Europe/Berlin' });
  assert.deepEqual(dates(todoList([once], [], { now: '2026-03-23T09:00:00Z' }).week), ['2026-03-30']);
  assert.equal(lastDate(once.doc.schedule.recurrence), '2026-03-30');
  assert.equal(isCurrent(once, '2026-04-06T09:00:00Z'), true);
  assert.equal(isCurrent(once, '2026-04-07T09:00:00Z'), false);
  // Done early: on its page as answered, and nothing left to come.
  const early = response('dddddddd-dddd-4ddd-8ddd-dddddddddddd', answer(A3, '2026-03-30'));
  const seen = history(once, [early], { now: '2026-03-25T09:00:00Z' });
  assert.deepEqual(seen.past.map((i) => [i.occurrence, i.response.id]), [['2026-03-30', early.id]]);
  assert.equal(seen.next, null);
  assert.deepEqual(todoList([once], [early], { now: '2026-03-25T09:00:00Z' }).week, []);
  const session = { freq: 'until_next_session', start: '2026-03-23', next_session: '2026-03-30T17:00',
    time_zone: 'UTC' };
  assert.equal(lastDate(session), '2026-03-29');
  assert.equal(weekStart('2026-03-29'), '2026-03-23');
  assert.equal(weekStart('2026-03-23'), '2026-03-23');
});

test('trust: a linked therapist with an unchanged key is shown; blocked keys and ended links are held back', () => {
  const base = { role: 'therapist', linked: true, changed: null, verifiedHow: 'invite-link' };
  assert.equal(trustOf(base), 'verified');
  assert.equal(trustOf({ ...base, verifiedHow: 'tofu' }), 'unverified');
  assert.equal(trustOf({ ...base, changed: { handle: 'x' } }), 'changed');
  assert.equal(trustOf({ ...base, state: 'mismatch' }), 'mismatch');
  assert.equal(trustOf({ ...base, linked: false }), 'ended');
  assert.equal(trustOf({ ...base, role: 'client' }), 'unknown');
  assert.equal(trustOf(undefined), 'unknown');
});

test('responseDoc builds what validateResponse accepts, and an edit keeps created_at', () => {
  const args = { assignment: berlinDaily.doc, assignmentId: A1, occurrence: '2026-03-29', status: 'done',
    entryId: A2, minutes: 12, feedback: { rating: 'too_hard', comment: 'Long' },
    now: new Date('2026-03-29T19:00:00Z') };
  const first = responseDoc(args);
  assert.deepEqual(first, { v: 1, type: 'assignment-response', assignment_id: A1, occurrence: '2026-03-29',
    status: 'done', entry_id: A2, minutes: 12, feedback: { rating: 'too_hard', comment: 'Long' },
    created_at: '2026-03-29T19:00:00.000Z', updated_at: '2026-03-29T19:00:00.000Z' });
  assert.deepEqual(validateResponse(first, berlinDaily.doc), first);
  const again = responseDoc({ ...args, status: 'not_done', reason: 'Ill', entryId: null, minutes: null,
    feedback: undefined, now: '2026-03-30T08:00:00Z', previous: { id: A3, doc: first } });
  assert.equal(again.created_at, first.created_at);
  assert.equal(again.updated_at, '2026-03-30T08:00:00.000Z');
  assert.equal(again.reason, 'Ill');
  assert.deepEqual(again.feedback, first.feedback); // kept when not given
  assert.equal('entry_id' in again, false);
  assert.equal('feedback' in responseDoc({ ...args, feedback: null, previous: first }), false);
  assert.equal('reason' in responseDoc({ ...args, reason: 'not for done' }), false);
  assert.throws(() => responseDoc({ ...args, occurrence: '2026-03-25' }), (e) => e instanceof FieldError
    && e.fieldId === 'occurrence');
});

test('readFeedback: optional unless asked for, a known rating, a comment needs a rating', () => {
  const form = (pairs) => new URLSearchParams(pairs);
  assert.equal(readFeedback(form({})), null);
  assert.ok(readFeedback(form({}), true).error);
  assert.deepEqual(readFeedback(form({ rating: 'tedious', comment: '  same every day \r\n' })),
    { rating: 'tedious', comment: 'same every day' });
  assert.deepEqual(readFeedback(form({ rating: 'helping', comment: ' ' })), { rating: 'helping' });
  assert.ok(readFeedback(form({ rating: 'great' })).error);
  assert.ok(readFeedback(form({ comment: 'no rating' })).error);
  assert.ok(readFeedback(form({ rating: 'helping', comment: 'x'.repeat(2001) })).error);
});

// ---- routes, against an in-memory data layer ----

function fixture({ peer = {}, assignments = null } = {}) {
  const peers = [{ userId: THERAPIST, handle: 'dr.mira', role: 'therapist', linked: true, changed: null,
    verifiedHow: 'invite-link', ...peer }];
  const received = assignments ?? [berlinDaily,
    { id: A2, ownerId: THERAPIST, doc: buildAssignment({ kind: 'worksheet', title: 'Gratitude <list>',
      instructions: '', recurrence: { freq: 'daily', start: '2026-03-26', time_zone: 'Europe/Berlin' },
      now: '2026-03-01T08:00:00Z',
      worksheet: { fields: [{ id: 'items', label: 'Things', type: 'list', required: true }] },
    }, kinds) }];
  const state = { entries: [], docs: [], writes: 0, changed: 0, blockShare: false, discarded: [] };
  let n = 0;
  const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const store = {
    peers: async () => peers,
    listReceived: async (db, me, { type }) => received.filter((r) => r.doc.type === type),
    getReceived: async (db, me, rid) => received.find((r) => r.id === rid) ?? null,
    listOwnDocuments: async (db, me, type) => state.docs.filter((d) => d.doc.type === type),
    createEntry: async (db, me, kind, fields, extra, { shareWith = [] } = {}) => {
      state.writes += 1;
      const entry = { id: id(), kind, fields, extra, sharedWith: [...shareWith] };
      state.entries.push(entry);
      return entry;
    },
    getEntry: async (db, me, eid) => state.entries.find((x) => x.id === eid && !x.deleted) ?? null,
    sharedWith: async (db, eid) => new Set(state.entries.find((x) => x.id === eid)?.sharedWith ?? []),
    setShared: async (db, me, eid, uid, on) => {
      if (on && state.blockShare) throw new BetweenError('share_blocked', 'blocked');
      const entry = state.entries.find((x) => x.id === eid);
      entry.sharedWith = on ? [...new Set([...entry.sharedWith, uid])] : entry.sharedWith.filter((u) => u !== uid);
      state.rekeys = (state.rekeys ?? 0) + 1;
    },
    updateEntry: async (db, me, eid, fields) => {
      const entry = state.entries.find((x) => x.id === eid && !x.deleted);
      if (!entry) return null;
      state.writes += 1;
      entry.fields = fields;
      entry.edits = (entry.edits ?? 0) + 1;
      return entry;
    },
    createDocument: async (db, me, doc, { shareWith }) => {
      if (state.blockShare) throw new BetweenError('share_blocked', 'blocked');
      state.writes += 1;
      const own = { id: id(), doc, grantees: shareWith };
      state.docs.push(own);
      return own;
    },
    updateDocument: async (db, me, did, doc) => {
      state.writes += 1;
      const own = state.docs.find((d) => d.id === did);
      own.doc = doc;
      return own;
    },
    discardDraft: async (db, me, form) => { state.discarded.push(form); },
  };
  const router = register(new Router(), { load: async () => ({ db: {}, me: {}, settings: null, kinds }), store,
    changed: () => { state.changed += 1; }, now: () => new Date('2026-03-29T12:00:00Z') });
  async function call(method, path, form = null) {
    const found = router.match(method, path);
    assert.ok(found?.handler, `${method} ${path} is routed`);
    const init = form ? { method, body: new URLSearchParams(form) } : { method };
    const request = new Request(`https://app.test${path}`, init);
    const response = await found.handler({ request, url: new URL(request.url), params: found.params });
    return { status: response.status, push: response.headers.get('HX-Push-Url'), body: await response.text() };
  }
  return { state, call };
}

test('GET /app/todo: due today from the verified therapist, a Do it link, every current activity listed', async () => {
  const { call } = fixture();
  const { status, body } = await call('GET', '/app/todo');
  assert.equal(status, 200);
  assert.match(body, /<h1 id="todo-title">To do<\/h1>/);
  assert.match(body, /Due today/);
  assert.match(body, new RegExp(`href="/app/todo/${A1}/2026-03-29"`));
  assert.match(body, /dr\.mira<\/strong> <span class="trust verified">\(Verified by invitation\)/);
  assert.match(body, /Gratitude &lt;list&gt;/);
  assert.match(body, new RegExp(`href="/app/todo/${A2}"`));
});

test('a changed key: its assignments are not to-do, one notice links to the safety numbers', async () => {
  const { call } = fixture({ peer: { changed: { handle: 'dr.mira' } } });
  const { body } = await call('GET', '/app/todo');
  assert.doesNotMatch(body, /Do it/);
  assert.equal(body.match(/security key changed/g).length, 1);
  assert.match(body, new RegExp(`href="/app/link/${THERAPIST}"`));
  const form = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.doesNotMatch(form.body, /Save and mark done/);
  const post = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'x' });
  assert.equal(post.status, 422);
});

test('done: the entry, then the response shared with the therapist; a confirmation that links the entry', async () => {
  const { state, call } = fixture();
  const form = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.match(form.body, /Save and mark done/);
  assert.match(form.body, /dr\.mira will see this answer and your feedback/); // the switch, on
  assert.match(form.body, /Kept private: dr\.mira sees only that it is done, and your feedback/); // its off words
  assert.match(form.body, /name="f\.body"/);
  assert.match(form.body, /I didn(&#39;|')t do this<\/button>/);
  const out = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Went for a walk', rating: 'helping' });
  assert.equal(out.status, 200);
  assert.equal(out.push, `/app/todo/${A1}`);
  assert.match(out.body, /Done — Journal aaaa/);
  const [entry] = state.entries;
  assert.deepEqual([entry.kind, entry.fields.body], ['journal', 'Went for a walk']);
  assert.match(out.body, new RegExp(`href="/app/entries/${entry.id}"`));
  const [doc] = state.docs;
  assert.deepEqual(doc.grantees, [THERAPIST]);
  assert.deepEqual([doc.doc.status, doc.doc.entry_id, doc.doc.feedback], ['done', entry.id, { rating: 'helping' }]);
  assert.equal(state.changed, 1);
  // Answered: gone from what is due, kept under "Done recently" (with its way to change the answer) and on the
  // activity's page; answering again edits the same response.
  const list = (await call('GET', '/app/todo')).body;
  const [due, done] = [list.split('id="todo-today"')[1].split('</section>')[0],
    list.split('id="todo-done"')[1].split('</section>')[0]];
  assert.doesNotMatch(due, new RegExp(`/app/todo/${A1}/2026-03-29"`));
  assert.match(done, new RegExp(`href="/app/todo/${A1}/2026-03-29"[^>]*>Change answer<`));
  assert.match(done, /Done · Helping/);
  assert.match((await call('GET', `/app/todo/${A1}`)).body, /Change answer/);
  await call('POST', `/app/todo/${A1}/2026-03-29/not-done`, { reason: 'Changed my mind' });
  assert.equal(state.docs.length, 1);
  assert.deepEqual([state.docs[0].doc.status, state.docs[0].doc.reason, state.docs[0].doc.created_at],
    ['not_done', 'Changed my mind', doc.doc.created_at]);
});

test('the answer switch: on by default, it shares the entry with the therapist at once; off keeps it private', async () => {
  const { state, call } = fixture();
  const form = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.match(form.body, new RegExp(`role="switch" id="d-share-0" name="share" value="${THERAPIST}"\\s+checked`));
  assert.match(form.body, /dr\.mira will see this answer and your feedback\./);
  // Sent on (the browser sends a checked switch's value): the new entry carries the share from its first push.
  const on = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Shared walk', share: THERAPIST });
  assert.equal(on.status, 200);
  assert.deepEqual(state.entries[0].sharedWith, [THERAPIST]);
  assert.equal(state.rekeys, undefined, 'a new entry is shared as it is written, not re-keyed after');
  assert.match(on.body, /dr\.mira will see what you wrote too/);
  // Sent off (no value): private, as an entry of their own.
  await call('POST', `/app/todo/${A2}/2026-03-29`, { 'f.items': 'Sun' });
  assert.deepEqual(state.entries[1].sharedWith, []);
  // A value that is not the therapist who assigned it shares with no one.
  await call('POST', `/app/todo/${A2}/2026-03-28`, { 'f.items': 'Tea', share: '99999999-9999-4999-8999-999999999999' });
  assert.deepEqual(state.entries[2].sharedWith, []);
  // Changing the answer: the form starts from how it is shared now, and saving follows the switch either way.
  assert.match((await call('GET', `/app/todo/${A1}/2026-03-29`)).body, /role="switch"[^>]*\s+checked/);
  const off = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Shared walk, then not' });
  assert.deepEqual([state.entries.length, state.entries[0].sharedWith, state.rekeys], [3, [], 1]);
  assert.match(off.body, /What you wrote is private/);
  assert.doesNotMatch((await call('GET', `/app/todo/${A1}/2026-03-29`)).body, /role="switch"[^>]*\s+checked/);
  await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'And shared again', share: THERAPIST });
  assert.deepEqual([state.entries[0].sharedWith, state.rekeys], [[THERAPIST], 2]);
  // A form sent back with an error keeps the switch as it was sent.
  const bad = await call('POST', `/app/todo/${A2}/2026-03-27`, { 'f.items': '' });
  assert.equal(bad.status, 422);
  assert.doesNotMatch(bad.body, /role="switch"[^>]*\s+checked/);
  const badOn = await call('POST', `/app/todo/${A2}/2026-03-27`, { 'f.items': '', share: THERAPIST });
  assert.match(badOn.body, /role="switch"[^>]*\s+checked/);
});

test('a share refused when a changed answer is saved: the answer is kept, the page says it was not shared', async () => {
  const { state, call } = fixture();
  await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Private first' });
  state.blockShare = true; // their key changed after the form was made
  const out = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Now shared?', share: THERAPIST });
  assert.equal(out.status, 200);
  assert.deepEqual(state.entries[0].sharedWith, []);
  assert.match(out.body, /role="alert">Your answer is saved, but it could not be shared with dr\.mira/);
});

test('changing a done answer starts from the entry written for it and edits that entry, not a second one', async () => {
  const { state, call } = fixture();
  await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Went for a walk <slowly>' });
  const [entry] = state.entries;
  const form = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.match(form.body, /You answered this day already/);
  assert.match(form.body, /Went for a walk &lt;slowly&gt;<\/textarea>/);
  const out = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'Went for a long walk' });
  assert.equal(out.status, 200);
  assert.equal(state.entries.length, 1);
  assert.deepEqual([entry.edits, entry.fields.body], [1, 'Went for a long walk']);
  assert.equal(state.docs.length, 1);
  assert.equal(state.docs[0].doc.entry_id, entry.id);
  // The entry deleted meanwhile: the next answer writes a new one rather than failing.
  entry.deleted = true;
  const blank = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.doesNotMatch(blank.body, /long walk/);
  await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'A third try' });
  assert.equal(state.entries.length, 2);
  assert.equal(state.docs[0].doc.entry_id, state.entries[1].id);
});

test('bad input is answered 422 with the values kept and nothing written', async () => {
  const { state, call } = fixture();
  const missing = await call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.title': 'Kept <title>', rating: 'nope' });
  assert.equal(missing.status, 422);
  assert.match(missing.body, /role="alert"/);
  assert.match(missing.body, /value="Kept &lt;title&gt;"/);
  const reasonless = await call('POST', `/app/todo/${A1}/2026-03-29/not-done`, { reason: '  ', rating: 'tedious' });
  assert.equal(reasonless.status, 422);
  assert.match(reasonless.body, /What got in the way\?/);
  assert.match(reasonless.body, /value="tedious"\s+id="nd-rating-3"\s+checked/);
  assert.equal(state.writes, 0);
  assert.equal((await call('GET', `/app/todo/${A1}/2026-03-25`)).status, 404); // before the start
  assert.equal((await call('GET', `/app/todo/${A1}/feedback`)).status, 404);
  assert.equal((await call('GET', '/app/todo/not-a-uuid')).status, 404);
});

test('a worksheet answer is an entry of kind worksheet carrying the worksheet and title', async () => {
  const { state, call } = fixture();
  const out = await call('POST', `/app/todo/${A2}/2026-03-29`, { 'f.items': 'Sun\nTea' });
  assert.equal(out.status, 200);
  const [entry] = state.entries;
  assert.equal(entry.kind, 'worksheet');
  assert.deepEqual(entry.fields, { items: ['Sun', 'Tea'] });
  assert.equal(entry.extra.title, 'Gratitude <list>');
  assert.equal(entry.extra.worksheet.fields[0].id, 'items');
});

test('share blocked: a blocked key refuses before writing; a late refusal names the saved entry', async () => {
  // Not verified (the server's word) is marked, and answering goes on.
  const tofu = fixture({ peer: { verifiedHow: 'tofu', state: 'unverified' } });
  assert.match((await tofu.call('GET', '/app/todo')).body, /\(Not verified\)/);
  assert.match((await tofu.call('GET', `/app/todo/${A1}/2026-03-29`)).body, /Save and mark done/);
  assert.equal((await tofu.call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'x' })).status, 200);
  // A key that does not match the invitation: nothing of theirs is answered, nothing written.
  const bad = fixture({ peer: { verifiedHow: 'tofu', state: 'mismatch' } });
  assert.doesNotMatch((await bad.call('GET', `/app/todo/${A1}/2026-03-29`)).body, /Save and mark done/);
  const refused = await bad.call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'x' });
  assert.equal(refused.status, 422);
  assert.match(refused.body, /Nothing was saved\. dr\.mira(&#39;|')s security key does not match the invitation/);
  assert.equal(bad.state.writes, 0);
  const late = fixture();
  late.state.blockShare = true;
  const out = await late.call('POST', `/app/todo/${A1}/2026-03-29`, { 'f.body': 'x' });
  assert.equal(out.status, 422);
  assert.match(out.body, new RegExp(`Your entry is saved \\(<a href="/app/entries/${late.state.entries[0].id}"`));
});

test('feedback: asks for an answered day first, then goes with the latest answered day', async () => {
  const { state, call } = fixture();
  const early = await call('POST', `/app/todo/${A1}/feedback`, { rating: 'not_helping' });
  assert.equal(early.status, 422);
  assert.match(early.body, /role="alert">Answer a day first/);
  assert.equal(state.writes, 0);
  await call('POST', `/app/todo/${A1}/2026-03-27/not-done`, { reason: 'Busy' });
  await call('POST', `/app/todo/${A1}/2026-03-28`, { 'f.body': 'Done' });
  const out = await call('POST', `/app/todo/${A1}/feedback`, { rating: 'not_helping', comment: 'Hard <to> start' });
  assert.equal(out.status, 200);
  assert.match(out.body, /will see your feedback/);
  const latest = state.docs.find((d) => d.doc.occurrence === '2026-03-28');
  assert.deepEqual(latest.doc.feedback, { rating: 'not_helping', comment: 'Hard <to> start' });
  assert.equal(latest.doc.entry_id, state.entries[0].id);
  assert.equal(state.docs.find((d) => d.doc.occurrence === '2026-03-27').doc.feedback, undefined);
  assert.equal((await call('POST', `/app/todo/${A1}/feedback`, {})).status, 422);
});

test('doneList: the days answered done in the last seven days of each activity\'s calendar, newest first', () => {
  const ny = assignment(A2, { freq: 'daily', start: '2026-03-10', time_zone: 'America/New_York' });
  const responses = [
    response('r1', answer(A1, '2026-03-22')), // 7 days before the 29th in Berlin: kept
    response('r2', answer(A1, '2026-03-21')), // 8 days: gone
    response('r3', answer(A1, '2026-03-28', 'not_done', { reason: 'Busy' })), // not done: not here
    response('r4', answer(A1, '2026-03-30')), // answered early
    response('r5', answer(A2, '2026-03-22')), // at 00:30 UTC on the 30th New York is still on the 29th: kept
  ];
  const now = '2026-03-30T00:30:00Z'; // 02:30 on the 30th in Berlin: the 23rd is seven days back there
  const done = doneList([berlinDaily, ny], responses, { now });
  assert.deepEqual(done.map((i) => [i.assignment.id, i.occurrence]), [[A1, '2026-03-30'], [A2, '2026-03-22']]);
  const earlier = doneList([berlinDaily, ny], responses, { now: '2026-03-29T12:00:00Z' });
  assert.deepEqual(earlier.map((i) => [i.assignment.id, i.occurrence]),
    [[A1, '2026-03-30'], [A1, '2026-03-22'], [A2, '2026-03-22']]);
  assert.equal(earlier[0].response.id, 'r4');
});

test('drafts: each answer form keeps its own draft, deleted once that form is saved, never when it is refused', async () => {
  const { state, call } = fixture();
  const form = await call('GET', `/app/todo/${A1}/2026-03-29`);
  assert.match(form.body, new RegExp(`data-draft="todo/${A1}/2026-03-29" data-draft-path="/app/todo/${A1}/2026-03-29"`));
  assert.match(form.body, new RegExp(`data-draft="todo/${A1}/2026-03-29/not-done"`));
  assert.match(form.body, /data-draft-what="answer"/);
  assert.match(form.body, /data-draft-what="reason"/);
  const refused = await call('POST', `/app/todo/${A1}/2026-03-29/not-done`, { reason: 'x'.repeat(2001) });
  assert.equal(refused.status, 422);
  assert.deepEqual(state.discarded, []);
  // Refused whole, with the question and the limit in words; nothing of it cut.
  assert.match(refused.body, /“What got in the way\?” holds 2,001 characters, more than its limit of 2,000\. Nothing was cut/);
  assert.ok(refused.body.includes(`>${'x'.repeat(2001)}</textarea>`));
  await call('POST', `/app/todo/${A1}/2026-03-29/not-done`, { reason: 'Busy' });
  assert.deepEqual(state.discarded, [`todo/${A1}/2026-03-29/not-done`]);
  await call('POST', `/app/todo/${A1}/2026-03-28`, { 'f.body': 'Done' });
  assert.equal(state.discarded.at(-1), `todo/${A1}/2026-03-28`);
  const page = await call('GET', `/app/todo/${A1}`);
  assert.match(page.body, new RegExp(`data-draft="todo/${A1}/feedback"`));
  await call('POST', `/app/todo/${A1}/feedback`, { rating: 'not_helping' });
  assert.equal(state.discarded.at(-1), `todo/${A1}/feedback`);
});

test('no answer field cuts what is typed: counters instead of maxlength', async () => {
  const { call } = fixture();
  await call('POST', `/app/todo/${A1}/2026-03-27/not-done`, { reason: 'Busy' });
  for (const path of [`/app/todo/${A1}/2026-03-29`, `/app/todo/${A1}`]) {
    const { body } = await call('GET', path);
    assert.doesNotMatch(body, /maxlength/, path);
    assert.match(body, /data-limit="2000"/, path);
  }
});
