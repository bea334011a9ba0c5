// The therapist's assignment screens: views escape what people wrote, the blocked explanation, the form's values
// in and out, and the handlers' answers for a blocked client and for bad input (422, nothing written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFile } from 'node:fs/promises';
import { buildAssignment, templateTable, validateAssignment } from '../../../js/core/assignments.js';
import {
  padQuestions, practiceFrom, readAssignForm, recurrenceFrom, register, targetFrom, valuesFromDoc, valuesFromTemplate,
  worksheetFrom,
} from '../../../js/screens/assign/assign-routes.js';
import { BetweenError } from '../../../js/core/errors.js';
import {
  assignForm, blockedPage, errorWords, fieldWords, libraryPage, reviewPage,
} from '../../../js/screens/assign/assign-views.js';
import { FieldError, kindTable } from '../../../js/core/kinds.js';
import { reviewAssignment } from '../../../js/screens/assign/review.js';
import { Router } from '../../../js/engine/router.js';
import { practiceWords } from '../../../js/screens/practice/practice-views.js';

const read = async (path) => JSON.parse(await readFile(new URL(path, import.meta.url), 'utf8'));
const kinds = kindTable(await read('../../../../sync/kinds.json'));
const templates = templateTable(await read('../../../../sync/templates.json'));
const EVIL = '<img src=x onerror=alert(1)>';
const UID = '5d2f8e6c-1c7e-4f0e-8a51-0b3f6a524b21';
const verified = { userId: UID, handle: 'sam', role: 'client', linked: true, changed: null,
  verifiedHow: 'safety-number' };
const AID = '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21';
const s = String;

test('the library lists each template with its link, the worksheet builder, and escapes what it shows', () => {
  const list = [...templates.values()];
  const out = s(libraryPage({ peer: { ...verified, handle: EVIL }, kinds,
    templates: [{ ...list[0], title: EVIL }, ...list.slice(1)],
    assignments: [{ id: AID, doc: { title: EVIL, withdrawn: true } }] }));
  assert.doesNotMatch(out, /<img/);
  for (const t of list) assert.ok(out.includes(`/app/clients/${UID}/assign/new?template=${t.id}`), t.id);
  assert.ok(out.includes(`/app/clients/${UID}/assign/new?worksheet=1`));
  assert.match(out, />Build a worksheet</);
  assert.match(out, /<h1 id="assign-title">Assign an activity<\/h1>/);
  assert.match(out, new RegExp(`<a class="badge badge-verified" href="/app/link/${UID}"[^>]*>Verified by safety number</a>`));
  assert.match(s(libraryPage({ peer: verified, templates: null, kinds })),
    /role="alert">The library could not be loaded/);
});

test('a client who may not be sent anything: a plain reason, the way to compare numbers, no form', () => {
  const cases = [
    [{ ...verified, state: 'mismatch' }, /does not match the invitation they accepted/],
    [{ ...verified, changed: { handle: 'sam' } }, /security key changed/],
    [{ ...verified, linked: false }, /link with sam has ended/],
  ];
  for (const [peer, words] of cases) {
    const out = s(blockedPage(peer));
    assert.match(out, /role="alert"/);
    assert.match(out, words);
    assert.ok(out.includes(`href="/app/link/${UID}"`));
    assert.doesNotMatch(out, /<form/);
  }
  assert.doesNotMatch(s(blockedPage({ ...verified, handle: EVIL, state: 'mismatch' })), /<img/);
});

const formData = (entries) => {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
};

test('form values: schedules, target and worksheet rows become a valid assignment', () => {
  const v = readAssignForm(formData([['title', 'Walks'], ['instructions', 'Go\r\nout'], ['freq', 'weekly'],
    ['days', 'wed'], ['days', 'mon'], ['start', '2026-03-23'], ['until', '2026-04-30'], ['time_zone', 'Europe/Berlin'],
    ['slots', '3'], ['q.0.label', 'How long?'], ['q.0.type', 'minutes'], ['q.1.label', ''], ['q.1.type', 'short_text'],
    ['q.2.label', 'Where?'], ['q.2.type', 'single_choice'], ['q.2.options', 'Park\n\nRiver\n'], ['q.2.required', 'yes'],
    ['target', '90']]));
  assert.deepEqual(v.days, ['wed', 'mon']);
  const rec = recurrenceFrom(v);
  assert.deepEqual(rec, { freq: 'weekly', start: '2026-03-23', time_zone: 'Europe/Berlin', days: ['wed', 'mon'],
    until: '2026-04-30' });
  const { worksheet, slots } = worksheetFrom(v.questions);
  assert.deepEqual(slots, [0, 2]); // the empty row is left out
  assert.deepEqual(worksheet.fields.map((f) => f.id), ['q1', 'q2']);
  assert.deepEqual(worksheet.fields[1].constraints.options,
    [{ id: 'o1', label: 'Park' }, { id: 'o2', label: 'River' }]);
  const doc = buildAssignment({ kind: 'worksheet', title: v.title, instructions: v.instructions, recurrence: rec,
    now: '2026-03-23T10:00:00Z', worksheet, targetMinutesPerWeek: targetFrom(v) }, kinds);
  assert.deepEqual(doc.schedule.recurrence.days, ['mon', 'wed']);
  assert.equal(doc.instructions, 'Go\nout');
  // And back: the edit form shows what was saved, and saving it unchanged gives the same document.
  const again = valuesFromDoc(doc);
  assert.equal(again.questions.length, 8);
  const rebuilt = worksheetFrom(again.questions, doc.worksheet).worksheet;
  const resaved = { ...doc, worksheet: rebuilt, schedule: { recurrence: recurrenceFrom(again) } };
  assert.deepEqual(validateAssignment(resaved, kinds), doc);
});

test('a worksheet from the library keeps its hints, limits and suggestions; a changed type drops them', () => {
  const t = templates.get('coping-ideas');
  const rows = valuesFromTemplate(t, { start: '2026-03-23', timeZone: 'UTC' }).questions;
  const { worksheet } = worksheetFrom(rows, t.worksheet);
  assert.deepEqual(worksheet.fields[0].constraints.suggestions, t.worksheet.fields[0].constraints.suggestions);
  const hinted = templates.get('pleasant-activities');
  const kept = worksheetFrom(valuesFromTemplate(hinted, { start: '2026-03-23', timeZone: 'UTC' }).questions,
    hinted.worksheet).worksheet;
  assert.equal(kept.fields[2].hint, '0 is not at all, 10 is very much.');
  const changed = worksheetFrom([{ ...rows[0], type: 'long_text' }], t.worksheet).worksheet.fields[0];
  assert.equal(changed.constraints, undefined);
  // Choices keep their ids by label, new ones get unused ids.
  const options = [{ id: 'o2', label: 'B' }, { id: 'o1', label: 'A' }];
  const old = { fields: [{ id: 'c', label: 'C', type: 'single_choice', constraints: { options } }] };
  const row = { id: 'c', label: 'C', type: 'single_choice', required: false, options: ['A', 'New', 'B'] };
  const opts = worksheetFrom([row], old).worksheet.fields[0].constraints.options;
  assert.deepEqual(opts, [{ id: 'o1', label: 'A' }, { id: 'o3', label: 'New' }, { id: 'o2', label: 'B' }]);
});

test('question rows: at least 8, three blank after the last in use, at most 40', () => {
  const q = (label) => ({ label, type: 'short_text', required: false, options: [] });
  assert.equal(padQuestions([]).length, 8);
  assert.equal(padQuestions([q('a'), q('b')]).length, 8);
  assert.equal(padQuestions(Array.from({ length: 7 }, (_, i) => q(`q${i}`))).length, 10);
  assert.equal(padQuestions([q('a')], 4).length, 12);
  assert.equal(padQuestions(Array.from({ length: 39 }, (_, i) => q(`q${i}`)), 4).length, 40);
});

test('form values: once needs its due date, until the next session its date and time', () => {
  const base = { start: '2026-03-23', time_zone: 'Europe/Berlin', days: [], until: '', next_date: '', next_time: '' };
  assert.deepEqual(recurrenceFrom({ ...base, freq: 'once', due: '2026-03-30' }),
    { freq: 'once', start: '2026-03-23', until: '2026-03-30', time_zone: 'Europe/Berlin' });
  assert.throws(() => recurrenceFrom({ ...base, freq: 'once', due: '' }), (e) => e.fieldId === 'schedule.due');
  assert.throws(() => recurrenceFrom({ ...base, freq: 'once', due: '2026-03-01' }),
    (e) => e.fieldId === 'schedule.due');
  assert.throws(() => recurrenceFrom({ ...base, freq: 'until_next_session', next_date: '2026-03-30' }),
    (e) => e.fieldId === 'schedule.recurrence.next_session');
  assert.equal(recurrenceFrom({ ...base, freq: 'until_next_session', next_date: '2026-03-30', next_time: '17:00' })
    .next_session, '2026-03-30T17:00');
  assert.throws(() => recurrenceFrom({ ...base, freq: '' }), (e) => e.fieldId === 'schedule.recurrence.freq');
  assert.throws(() => targetFrom({ target: '1.5' }), FieldError);
  const t = valuesFromTemplate(templates.get('muscle-relaxation'), { start: '2026-03-23', timeZone: 'Europe/Berlin' });
  assert.deepEqual([t.freq, t.days, t.until, t.target], ['weekly', ['mon', 'wed', 'fri'], '2026-04-05', '60']);
  assert.equal(valuesFromTemplate(templates.get('thought-record'), { start: '2026-03-23', timeZone: 'UTC' }).due,
    '2026-03-30');
});

test('the form escapes its values, names the wrong field in words, and offers a target only with minutes', () => {
  const values = { ...valuesFromTemplate(templates.get('breathing-practice'), { start: '2026-03-23',
    timeZone: 'Europe/Berlin' }), title: `"${EVIL}`, instructions: `</textarea>${EVIL}` };
  // as core/assignments.js makes it: the problem's code beside its English
  const error = Object.assign(new FieldError("assignment 'title' must not be empty.", 'title'),
    { problem: { code: 'empty' } });
  const out = s(assignForm({ peer: verified, action: `/app/clients/${UID}/assign/new`, heading: EVIL,
    kindLabel: 'Breathing', worksheet: false, minutes: true, values, error, cancel: '/x' }));
  assert.doesNotMatch(out, /<img|<\/textarea><img/);
  assert.match(out, /<p class="error" role="alert">Title: must not be empty\.<\/p>/);
  assert.match(out, /id="a-title"[^>]*aria-invalid="true"/);
  assert.match(out, /name="target"/);
  assert.match(out, />Assign to sam</);
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
    assert.match(out, new RegExp(`name="days"\\s+value="${d}"`));
  }
  const plain = s(assignForm({ peer: verified, action: '/a', heading: 'x', kindLabel: 'Journal', worksheet: false,
    minutes: false, values, cancel: '/x' }));
  assert.doesNotMatch(plain, /name="target"/);
  assert.doesNotMatch(plain, /q\.0\.label/);
  const sheet = s(assignForm({ peer: verified, action: '/a', heading: 'x', kindLabel: 'A worksheet', worksheet: true,
    minutes: true, values: { ...values, questions: padQuestions([]) }, cancel: '/x' }));
  assert.equal((sheet.match(/<legend>Question \d+<\/legend>/g) ?? []).length, 8);
  assert.match(sheet, />Add more\s+questions</);
  const path = 'worksheet.fields[1].constraints.options';
  // A problem without a code (a document no form makes: a bug, or a newer version's) is said from the catalogue too,
  // never in the validator's English.
  assert.equal(errorWords(new FieldError(`assignment '${path}' must list from 2 to 20 choices.`, path), [0, 4]),
    'Question 5: the choices: is not something this version of Between can make or read.');
});

const assignmentDoc = (more = {}) => buildAssignment({ kind: 'relaxation', title: EVIL,
  instructions: `Breathe\n${EVIL}`,
  recurrence: { freq: 'daily', start: '2026-03-23', time_zone: 'Europe/Berlin' }, now: '2026-03-23T10:00:00Z',
  targetMinutesPerWeek: 70, ...more }, kinds);

test('the review escapes everything the client wrote and says only that an unshared entry was not shared', () => {
  const doc = assignmentDoc();
  const responses = [{ occurrence: '2026-03-23', status: 'not_done', reason: EVIL, updated_at: '2026-03-23T20:00:00Z',
    feedback: { rating: 'not_helping', comment: EVIL } }];
  const review = reviewAssignment(doc, responses, { now: '2026-03-24T12:00:00Z' });
  const out = s(reviewPage({ id: AID, doc, peer: { ...verified, handle: EVIL }, review,
    feedback: [{ words: 'Not helping', comment: EVIL, occurrence: '2026-03-23' }],
    linked: [{ occurrence: '2026-03-23', summary: null }, { occurrence: '2026-03-24', summary: EVIL }],
    weeks: [{ week_start: '2026-03-23', minutes: 0, target: 70 }], mood: [{ at: '2026-03-23T08:00:00Z', score: 4 }] }));
  assert.doesNotMatch(out, /<img/);
  assert.match(out, /<h1 id="review-title">&lt;img/);
  assert.match(out, /<td>Not done<\/td><td>Reason: &lt;img/);
  assert.match(out, /<td>Due today<\/td>/);
  assert.match(out, /<td>Upcoming<\/td>/);
  assert.match(out, /<strong>Not helping<\/strong>: &lt;img/);
  assert.match(out, /the entry was not shared/);
  assert.match(out, /href="\/app\/assignments\/[^"]+\/withdraw"[^>]*>Withdraw this activity…</);
  assert.equal((out.match(/<svg role="img"/g) ?? []).length, 3);
  const gone = s(reviewPage({ id: AID, doc: { ...doc, withdrawn: true }, peer: verified,
    review, feedback: [], linked: [], weeks: null, mood: [] }));
  assert.doesNotMatch(gone, /Withdraw this activity/);
  assert.match(gone, /Withdrawn/);
});

const CLIENT_AID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const SHARED = 'eeeeeeee-eeee-4eee-8eee-000000000001';
const PRIVATE = 'eeeeeeee-eeee-4eee-8eee-000000000002';

/** The handlers over an in-memory store: one client `peer`, what they shared, and a record of every write. */
function fixture(peer = verified, { role = 'therapist' } = {}) {
  const state = { docs: [], writes: 0, changed: 0, blockShare: false, received: [], drafts: new Map(), discarded: [] };
  let n = 0;
  const store = {
    readDraft: async (db, me, form) => state.drafts.get(form) ?? null,
    discardDraft: async (db, me, form) => { state.discarded.push(form); state.drafts.delete(form); },
    peer: async (db, uid) => (peer && uid === peer.userId ? peer : null),
    createDocument: async (db, me, doc, { shareWith }) => {
      if (state.blockShare) throw new BetweenError('share_blocked', 'blocked');
      state.writes += 1;
      const own = { id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, version: 1, doc,
        grantees: shareWith, pending: true };
      state.docs.push(own);
      return own;
    },
    getOwnDocument: async (db, me, id) => state.docs.find((d) => d.id === id) ?? null,
    listOwnDocuments: async (db, me, type) => state.docs.filter((d) => d.doc.type === type),
    updateDocument: async (db, me, id, doc) => {
      state.writes += 1;
      const own = state.docs.find((d) => d.id === id);
      Object.assign(own, { doc, version: own.version + 1 });
      return own;
    },
    listReceived: async (db, me, { ownerId, type }) => state.received.filter((r) => r.ownerId === ownerId
      && (type === 'entry' ? r.doc.type === undefined : r.doc.type === type)),
  };
  const router = register(new Router(), { load: async () => ({ db: {}, me: { role }, kinds }), store,
    changed: () => { state.changed += 1; }, templates: async () => templates,
    now: () => new Date('2026-03-25T12:00:00Z') });
  async function call(method, path, form = null) {
    const url = new URL(`https://between.test${path}`);
    const found = router.match(method, url.pathname);
    assert.ok(found?.handler, `${method} ${path} is routed`);
    const request = new Request(url, form ? { method, body: formData(form) } : { method });
    const response = await found.handler({ request, url, params: found.params });
    return { status: response.status, body: await response.text(), push: response.headers.get('HX-Push-Url') };
  }
  return { state, call };
}

const NEW = `/app/clients/${UID}/assign/new`;
const breathing = [['template', 'breathing-practice'], ['title', 'Slow breathing'], ['instructions', 'Ten minutes'],
  ['freq', 'daily'], ['start', '2026-03-23'], ['time_zone', 'Europe/Berlin'], ['target', '70']];

test('handlers: a client whose key does not match the invitation gets the explanation and nothing is written', async () => {
  const { state, call } = fixture({ ...verified, verifiedHow: 'tofu', state: 'mismatch' });
  for (const path of [`/app/clients/${UID}/assign`, `${NEW}?template=thought-record`, `${NEW}?worksheet=1`]) {
    const r = await call('GET', path);
    assert.equal(r.status, 200);
    assert.match(r.body, /does not match the invitation they accepted/);
    assert.doesNotMatch(r.body, /<form/);
  }
  const post = await call('POST', NEW, breathing);
  assert.equal(post.status, 422);
  assert.match(post.body, /Compare safety numbers/);
  assert.deepEqual([state.writes, state.changed], [0, 0]);
});

test('handlers: a client who is only not verified (trust on first use) can be assigned to, marked as such', async () => {
  const { state, call } = fixture({ ...verified, verifiedHow: 'tofu', state: 'unverified' });
  const library = await call('GET', `/app/clients/${UID}/assign`);
  assert.match(library.body, /badge-unverified[^>]*>Not verified</);
  assert.match((await call('GET', `${NEW}?template=breathing-practice`)).body, /<form/);
  const post = await call('POST', NEW, breathing);
  assert.ok(post.status < 400, `assigned: ${post.status}`);
  assert.deepEqual([state.writes, state.changed], [1, 1]);
});

test('handlers: library, a template form, bad input 422 with nothing written, more question rows', async () => {
  const { state, call } = fixture();
  assert.match((await call('GET', `/app/clients/${UID}/assign`)).body, /assign\/new\?template=breathing-practice/);
  const form = await call('GET', `${NEW}?template=breathing-practice`);
  assert.match(form.body, /value="Slow breathing practice"/);
  assert.match(form.body, /name="start" value="2026-03-25"/); // today, on this device
  assert.match(form.body, /name="freq" value="until_next_session" checked/);
  const bad = await call('POST', NEW, breathing.map(([k, v]) => [k, k === 'title' ? '' : v]));
  assert.equal(bad.status, 422);
  assert.match(bad.body, /role="alert">Title: must not be empty/);
  const noSession = await call('POST', NEW, breathing.map(([k, v]) => [k, k === 'freq' ? 'until_next_session' : v]));
  assert.match(noSession.body, /role="alert">Next session: needs its date and its time/);
  // Both wrong: the title, first on the screen, is named first.
  const both = await call('POST', NEW, breathing.map(([k, v]) => [k, k === 'freq' ? 'until_next_session'
    : k === 'title' ? ' ' : v]));
  assert.match(both.body, /role="alert">Title: must not be empty/);
  const sheet = await call('POST', NEW, [['worksheet', '1'], ['title', 'Mine'], ['freq', 'once'],
    ['start', '2026-03-25'], ['due', '2026-03-30'], ['time_zone', 'UTC'], ['slots', '8'], ['q.0.label', 'Pick'],
    ['q.0.type', 'single_choice'],
    ['q.0.options', 'Only one']]);
  assert.equal(sheet.status, 422);
  assert.match(sheet.body, /role="alert">Question 1: the choices: must list from 2 to 20 choices/);
  assert.deepEqual([state.writes, state.changed], [0, 0]);
  const more = await call('POST', NEW, [['worksheet', '1'], ['slots', '8'], ['more', '1'],
    ['q.0.label', `Kept ${EVIL}`], ['time_zone', 'UTC']]);
  assert.equal(more.status, 200);
  assert.equal((more.body.match(/<legend>Question \d+<\/legend>/g) ?? []).length, 12);
  assert.match(more.body, /value="Kept &lt;img/);
  assert.equal(state.writes, 0);
});

test('handlers: assign, review what was shared (and nothing of what was not), edit, withdraw', async () => {
  const { state, call } = fixture();
  const made = await call('POST', NEW, breathing);
  assert.equal(made.status, 200);
  const [own] = state.docs;
  assert.equal(made.push, `/app/assignments/${own.id}`);
  assert.deepEqual([own.grantees, own.doc.kind, own.doc.template, own.doc.target_minutes_per_week, state.changed],
    [[UID], 'relaxation', 'breathing-practice', 70, 1]);
  assert.equal(own.doc.created_at, '2026-03-25T12:00:00Z');
  assert.match(made.body, /Assigned to sam/);

  const response = (occurrence, more) => ({ id: `r-${occurrence}`, ownerId: UID, doc: { v: 1,
    type: 'assignment-response', assignment_id: own.id, occurrence, created_at: `${occurrence}T19:00:00Z`,
    updated_at: `${occurrence}T19:00:00Z`,
    ...more } });
  state.received.push(
    response('2026-03-23', { status: 'done', minutes: 12, entry_id: SHARED, feedback: { rating: 'helping' } }),
    response('2026-03-24', { status: 'not_done', reason: 'Away', entry_id: PRIVATE,
      feedback: { rating: 'too_hard', comment: 'Long' } }),
    { ...response('2026-03-25', { status: 'done' }), doc: { ...response('2026-03-25', { status: 'done' }).doc,
      assignment_id: CLIENT_AID } }, // another assignment's answer
    { id: SHARED, ownerId: UID, doc: { v: 1, kind: 'relaxation', fields: { minutes: 12, note: 'Calmer after' },
      created_at: '2026-03-23T19:00:00Z' } },
    { id: 'm1', ownerId: UID, doc: { v: 1, kind: 'mood', fields: { score: 6 }, created_at: '2026-03-24T08:00:00Z' } });
  const review = await call('GET', `/app/assignments/${own.id}`);
  assert.match(review.body, /<td>Done<\/td><td>12 min · Calmer after<\/td>/); // its entry is shared: its words show
  assert.match(review.body, /<td>Not done<\/td><td>Reason: Away<\/td>/);
  assert.match(review.body, /<td>Due today<\/td>/); // the 25th: the other assignment's answer does not count
  assert.match(review.body, /1 of 2 done \(50%\)/);
  assert.match(review.body, /<strong>Too hard<\/strong>: Long/);
  assert.match(review.body, /Calmer after/);
  assert.match(review.body, /the entry was not shared/);
  assert.ok(!review.body.includes(PRIVATE));
  assert.equal((review.body.match(/<circle class="point"/g) ?? []).length, 1);

  const edit = await call('GET', `/app/assignments/${own.id}/edit`);
  assert.match(edit.body, /value="Slow breathing"/);
  assert.match(edit.body, />Save changes</);
  const saved = await call('POST', `/app/assignments/${own.id}/edit`, [['title', 'Slower breathing'],
    ['instructions', ''], ['freq', 'weekly'], ['days', 'mon'], ['start', '2026-03-23'], ['target', '']]);
  assert.equal(saved.status, 200);
  assert.equal(saved.push, `/app/assignments/${own.id}`);
  assert.deepEqual([own.doc.title, own.doc.schedule.recurrence.days, own.doc.schedule.recurrence.time_zone,
    'target_minutes_per_week' in own.doc, own.doc.updated_at], [`Slower breathing`, ['mon'], 'Europe/Berlin', false,
    '2026-03-25T12:00:00Z']);
  const asked = await call('GET', `/app/assignments/${own.id}/withdraw`);
  assert.match(asked.body, /<h1 id="withdraw-title">Withdraw “Slower breathing”\?<\/h1>/);
  assert.match(asked.body, /hx-post="\/app\/assignments\/[^"]+\/withdraw"/);
  assert.equal(own.doc.withdrawn, false, 'asking changes nothing');
  const gone = await call('POST', `/app/assignments/${own.id}/withdraw`);
  assert.equal(own.doc.withdrawn, true);
  assert.doesNotMatch(gone.body, /Withdraw this activity/);
  assert.equal((await call('POST', `/app/assignments/${own.id}/edit`, [['title', 'x']])).status, 422);
  assert.equal(state.changed, 3);
});

test('handlers: a share refused at the last moment, unknown ids, and a client account get nothing', async () => {
  const late = fixture();
  late.state.blockShare = true;
  const r = await late.call('POST', NEW, breathing);
  assert.equal(r.status, 422);
  assert.match(r.body, /role="alert">This could not be sent to sam/);
  assert.match(r.body, new RegExp(`href="/app/link/${UID}"`));
  assert.equal(late.state.changed, 0);
  const { call } = fixture();
  assert.equal((await call('GET', '/app/clients/not-a-uuid/assign')).status, 404);
  assert.equal((await call('GET', `/app/clients/${CLIENT_AID}/assign`)).status, 404);
  assert.equal((await call('GET', '/app/assignments/not-a-uuid')).status, 404);
  assert.equal((await call('GET', `/app/assignments/${CLIENT_AID}`)).status, 404);
  assert.equal((await fixture(verified, { role: 'client' }).call('GET', `/app/clients/${UID}/assign`)).status, 404);
});

test('handlers: the assignment form keeps a draft; a worksheet shows as many rows as its draft; saving deletes it', async () => {
  const { state, call } = fixture();
  const form = `assign/${UID}/new/worksheet`;
  const fresh = await call('GET', `${NEW}?worksheet=1`);
  assert.match(fresh.body, new RegExp(`data-draft="${form}" data-draft-path="/app/clients/${UID}/assign/new\\?worksheet=1"`));
  assert.match(fresh.body, /data-draft-what="assign"/);
  assert.equal(fresh.body.match(/name="q\.\d+\.label"/g).length, 8);
  // Nothing cut: the title, the instructions and the questions count instead of a maxlength.
  assert.doesNotMatch(fresh.body, /maxlength/);
  assert.match(fresh.body, /id="a-title"[^>]*data-limit="200"[^>]*aria-describedby="a-title-count"/);
  assert.match(fresh.body, /id="a-instructions"[^>]*data-limit="5000"/);
  // "Add more questions" was pressed before the app was closed: the draft holds row 15, the form shows 15 rows.
  state.drafts.set(form, { values: [['title', 'Worries'], ['q.14.label', 'Last one']] });
  const back = await call('GET', `${NEW}?worksheet=1`);
  assert.equal(back.body.match(/name="q\.\d+\.label"/g).length, 15);
  const template = await call('GET', `${NEW}?template=thought-record`);
  assert.match(template.body, new RegExp(`data-draft="assign/${UID}/new/thought-record"`));
  const out = await call('POST', NEW, [['worksheet', '1'], ['title', 'Worries'], ['freq', 'once'], ['start', '2026-03-25'],
    ['due', '2026-03-30'], ['time_zone', 'UTC'], ['slots', '8'], ['q.0.label', 'What worry came up?'],
    ['q.0.type', 'long_text']]);
  assert.equal(out.status, 200);
  assert.deepEqual(state.discarded, [form]);
  const id = state.docs[0].id;
  assert.match((await call('GET', `/app/assignments/${id}/edit`)).body, new RegExp(`data-draft="assignment/${id}/edit"`));
});

test("a worksheet's problems a form can lead to read in the catalogue's words as the validator's English", async () => {
  const { validateWorksheet } = await import('../../../js/core/assignments.js');
  const q = (over) => ({ id: 'q1', label: 'Question', type: 'single_choice', constraints: { options: ['a', 'b'] },
    ...over });
  const cases = [[q({ label: '' }), 'empty'], [q({ label: 'x'.repeat(201) }), 'tooLong'],
    [q({ label: 'a\u0001' }), 'control'], [q({ constraints: { options: ['a'] } }), 'choiceCount'],
    [q({ constraints: { options: [{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }] } }), 'sameChoice']];
  for (const [question, code] of cases) {
    let err = null;
    try {
      validateWorksheet({ fields: [question] });
    } catch (e) {
      err = e;
    }
    assert.equal(err?.problem?.code, code);
    const english = /'[^']*' (.*?)\.?$/.exec(err.message)[1];
    assert.equal(errorWords(err), `${fieldWords(err.fieldId)}: ${english}.`, code);
  }
  let none = null;
  try {
    validateWorksheet({ fields: [] });
  } catch (e) {
    none = e;
  }
  assert.equal(none.problem.code, 'questionCount');
  assert.equal(errorWords(none), 'Questions: must list from 1 to 40 questions.');
});

test("a schedule's problems a form can lead to are said by the catalogue", async () => {
  const { checkSchedule } = await import('../../../js/core/recurrence.js');
  const say = (schedule) => {
    try {
      checkSchedule(schedule);
    } catch (err) {
      return [err.problem?.code, errorWords(err)];
    }
    return null;
  };
  const rec = (over) => ({ recurrence: { freq: 'daily', start: '2026-03-10', time_zone: 'UTC', ...over } });
  assert.deepEqual(say(rec({ until: '2026-03-01' })), ['beforeStart', 'End date: must not be before the start date.']);
  assert.deepEqual(say(rec({ freq: 'weekly', days: [] })), ['noDays', 'Days: must list at least one day.']);
  assert.deepEqual(say(rec({ freq: 'until_next_session', next_session: '2026-03-09T17:00' })),
    ['afterStart', 'Next session: must be after the start date.']);
});

test('a relaxation\'s practice: the form part, its values in and out, and a timing out of bounds named in words', () => {
  const form = new FormData();
  for (const [k, v] of Object.entries({ title: 'Breathe', technique: 'custom', p_minutes: '2', p_in: '4', p_hold: '7',
    p_out: '8', p_rest: '0' })) form.set(k, v);
  const v = readAssignForm(form);
  const practice = practiceFrom(v);
  assert.deepEqual(practice, { technique: 'custom', timings: { in: 4, hold: 7, out: 8, rest: 0 }, minutes: 2 });
  const doc = buildAssignment({ kind: 'relaxation', title: 'Breathe', instructions: '', now: '2026-03-23T10:00:00Z',
    recurrence: { freq: 'daily', start: '2026-03-23', time_zone: 'UTC' }, practice }, kinds);
  assert.equal(doc.v, 2);
  const back = valuesFromDoc(doc);
  assert.deepEqual([back.technique, back.p_minutes, back.p_in, back.p_hold, back.p_out, back.p_rest],
    ['custom', '2', '4', '7', '8', '0']);
  // No technique: no practice, and the document stays v1; own timings are left out for a named technique.
  assert.equal(practiceFrom({ ...v, technique: '' }), null);
  assert.deepEqual(practiceFrom({ ...v, technique: 'box', p_minutes: '' }), { technique: 'box' });
  assert.throws(() => practiceFrom({ ...v, p_hold: '21' }), (e) => e.fieldId === 'practice.timings.hold'
    && errorWords(e) === 'Hold (seconds): must be a whole number of seconds from 0 to 20.');
  const out = s(assignForm({ peer: verified, action: '/a', heading: 'x', kindLabel: 'Relaxation', worksheet: false,
    minutes: true, practice: true, values: { ...back, time_zone: 'UTC', freq: 'daily' } }));
  assert.match(out, /<select id="a-technique" name="technique"[^>]*><option value="">None: the client chooses<\/option>/);
  assert.match(out, /<option value="custom" selected>Custom timings<\/option>/);
  assert.match(out, /<label for="a-p_hold">Hold \(seconds\)<\/label>/);
  assert.match(out, /id="a-p_hold" name="p_hold" min="0" max="20" step="1"\s+value="7"/);
  assert.match(out, /<option value="2" selected>2 minutes<\/option>/);
  assert.equal(practiceWords(doc.practice), 'Custom timings (4 s in · 7 s hold · 8 s out), 2 minutes a session');
  assert.equal(practiceWords({ technique: 'fourSevenEight' }), '4-7-8 breathing');
  assert.equal(practiceWords(undefined), null);
  const journal = s(assignForm({ peer: verified, action: '/a', heading: 'x', kindLabel: 'Journal', worksheet: false,
    minutes: false, values: { time_zone: 'UTC' } }));
  assert.doesNotMatch(journal, /name="technique"/);
});

test('handlers: a practice makes the assignment v2; taken away on edit it is v1 again; a bad timing writes nothing', async () => {
  const { state, call } = fixture();
  const custom = [['technique', 'custom'], ['p_in', '4'], ['p_hold', '7'], ['p_out', '8'], ['p_rest', '0'],
    ['p_minutes', '2']];
  const bad = await call('POST', NEW, [...breathing, ...custom.map(([k, v]) => [k, k === 'p_out' ? '21' : v])]);
  assert.equal(bad.status, 422);
  assert.match(bad.body, /role="alert">Breathe out \(seconds\): must be a whole number of seconds from 1 to 20/);
  assert.match(bad.body, /id="a-p_out" name="p_out" min="1" max="20" step="1"\s+value="21" aria-describedby="[^"]+" aria-invalid="true"/);
  assert.equal(state.writes, 0);
  const made = await call('POST', NEW, [...breathing, ...custom]);
  assert.equal(made.status, 200);
  const [own] = state.docs;
  assert.deepEqual([own.doc.v, own.doc.practice],
    [2, { technique: 'custom', timings: { in: 4, hold: 7, out: 8, rest: 0 }, minutes: 2 }]);
  const edited = [['title', 'Slow breathing'], ['freq', 'daily'], ['start', '2026-03-23'], ['target', '70']];
  await call('POST', `/app/assignments/${own.id}/edit`, [...edited, ['technique', 'box'], ['p_in', '4']]);
  assert.deepEqual([own.doc.v, own.doc.practice], [2, { technique: 'box' }]);
  await call('POST', `/app/assignments/${own.id}/edit`, [...edited, ['technique', '']]);
  assert.deepEqual([own.doc.v, 'practice' in own.doc], [1, false]);
  // A document this version cannot make (as an older app meets a newer one's): 422 in words, nothing written.
  own.doc = { ...own.doc, v: 3 };
  const writes = state.writes;
  const refused = await call('POST', `/app/assignments/${own.id}/edit`, [...edited, ['technique', '']]);
  assert.equal(refused.status, 422);
  assert.match(refused.body, /role="alert">[^<]*: is not something this version of Between can make or read/);
  assert.equal(state.writes, writes);
});
