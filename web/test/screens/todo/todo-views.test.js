// The to-do screens as pure functions of plain data: escaping, sections, the words people read, trust notices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { WORDING } from '../../../js/screens/components.js';
import {
  answeredPage, assignmentPage, blockedPage, dayText, feedbackFields, kindFields, occurrencePage, scheduleWords,
  termsFor, todoPage, trustNotices,
} from '../../../js/screens/todo/todo-views.js';
import { FieldError } from '../../../js/core/kinds.js';

const HOSTILE = '<script>alert(1)</script>';
const AID = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const UID = '11111111-1111-4111-8111-111111111111';
const from = { userId: UID, handle: 'dr.mira', verified: true };
const a = (doc = {}, extra = {}) => ({ id: AID, ownerId: UID, from, ...extra, doc: { type: 'assignment',
  kind: 'journal', title: `Walk ${HOSTILE}`, instructions: `Step one ${HOSTILE}\nStep two\n\nLater`, withdrawn: false,
  schedule: { recurrence: { freq: 'daily', start: '2026-03-26', time_zone: 'Europe/Berlin' } }, ...doc } });
const item = (occurrence, state, response = null) => ({ assignment: a(), occurrence, state, response });
const empty = { today: [], week: [], overdue: [] };
const text = (fragment) => String(fragment);
const journal = { id: 'journal', label: 'Journal', fields: [
  { id: 'title', label: 'Title', type: 'short_text', required: false, constraints: { max_length: 200 } },
  { id: 'body', label: 'What is on your mind', type: 'long_text', required: true, constraints: { max_length: 100 } }] };

test('the to-do page shows only the sections that hold something, each item with who, when and Do it', () => {
  const out = text(todoPage({ lists: { today: [item('2026-03-29', 'due_today')], week: [],
    overdue: [item('2026-03-27', 'missed')] }, current: [a()] }));
  assert.match(out, /<h1 id="todo-title">To do<\/h1>/);
  assert.match(out, /<h2 id="todo-today">Due today<\/h2>/);
  assert.match(out, /<h2 id="todo-missed">Missed<\/h2>/);
  assert.doesNotMatch(out, /This week/);
  assert.match(out, /aria-current="page" hx-get="\/app\/todo"/);
  assert.doesNotMatch(out, /<script>/);
  assert.match(out, /Walk &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(out, new RegExp(`href="/app/todo/${AID}/2026-03-29"[^>]*>Do it<span class="visually-hidden">`));
  assert.match(out, /from <strong>dr\.mira<\/strong> <span class="trust verified">\(Verified\)<\/span>/);
  assert.match(out, /<time datetime="2026-03-29">Today<\/time>/);
  assert.match(out, /<time datetime="2026-03-27">/);
  assert.match(out, /<h2 id="todo-all">All your activities<\/h2>/);
  assert.match(out, new RegExp(`href="/app/todo/${AID}"`));
});

test('this week shows each assignment once, at its next day, with how many more days follow', () => {
  const other = { ...a(), id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
  const week = ['2026-03-30', '2026-03-31', '2026-04-01'].map((d) => item(d, 'upcoming'));
  week.splice(1, 0, { assignment: other, occurrence: '2026-03-30', state: 'upcoming', response: null });
  const out = text(todoPage({ lists: { ...empty, week } }));
  assert.match(out, /<h2 id="todo-week">This week<\/h2>/);
  assert.equal(out.match(/Do it<span/g).length, 2);
  assert.match(out, new RegExp(`href="/app/todo/${AID}/2026-03-30"`));
  assert.doesNotMatch(out, new RegExp(`/app/todo/${AID}/2026-03-31`));
  assert.match(out, /, then 2 more days<\/p>/);
});

test('an empty list is friendly, in the person\'s own word for it', () => {
  assert.match(text(todoPage({ lists: empty, current: [a()] })), /Nothing is due this week/);
  const none = text(todoPage({ lists: empty, words: WORDING.homework }));
  assert.match(none, /Nothing to do yet/);
  assert.doesNotMatch(none, /activit/);
  assert.deepEqual(termsFor(WORDING.homework), { one: 'homework', many: 'homework' });
  assert.deepEqual(termsFor(WORDING.activities), { one: 'activity', many: 'activities' });
  assert.match(text(todoPage({ lists: empty, current: [a()], words: WORDING.homework })), /All your homework/);
});

test('a not verified therapist says so in words', () => {
  const out = text(todoPage({ lists: { ...empty, today: [{ ...item('2026-03-29', 'due_today'),
    assignment: a({}, { from: { ...from, verified: false } }) }] } }));
  assert.match(out, /\(Not verified\)/);
});

test('a blocked key is one plain notice saying what is held and linking to the safety number; an ended link is said plainly', () => {
  const peer = { userId: UID, handle: `mira${HOSTILE}`, held: 2 };
  const out = text(todoPage({ lists: empty, notices: [{ peer, why: 'changed' }] }));
  assert.match(out, new RegExp('Activities from mira&lt;script&gt;alert\\(1\\)&lt;/script&gt; are held back: '
    + 'mira&lt;script&gt;alert\\(1\\)&lt;/script&gt;(&#39;|\')s security key changed\\. 2 changes are waiting\\. '
    + `<a href="/app/link/${UID}"[^>]*>Compare the safety number</a>`));
  assert.equal(out.match(/security key changed/g).length, 1);
  const mismatch = text(trustNotices([{ peer, why: 'mismatch' }]));
  assert.match(mismatch, /does not match the invitation they accepted/);
  assert.match(text(trustNotices([{ peer, why: 'ended' }])), /Your link with mira&lt;script&gt;.* has ended/);
});

test('schedules in words, with the zone named when it is not this device\'s', () => {
  assert.equal(scheduleWords({ freq: 'daily', start: '2026-03-26', time_zone: 'UTC' }, 'UTC'),
    `Every day from ${dayText('2026-03-26')}.`);
  assert.match(scheduleWords({ freq: 'weekly', days: ['mon', 'wed', 'fri'], start: '2026-03-23', until: '2026-04-05',
    time_zone: 'Europe/Berlin' }, 'America/New_York'),
  /^Every Monday, Wednesday and Friday from .+ until .+\. Dates follow Europe\/Berlin time\.$/);
  assert.match(scheduleWords({ freq: 'once', start: '2026-03-23', until: '2026-03-30', time_zone: 'UTC' }),
    new RegExp(`^Once, by ${dayText('2026-03-30')}\\.$`));
  assert.match(scheduleWords({ freq: 'until_next_session', start: '2026-03-23', next_session: '2026-03-30T17:00',
    time_zone: 'UTC' }), /until your next session on/);
});

test('an activity\'s page: escaped instructions, the days and their answers, feedback once a day is answered', () => {
  const answered = { doc: { status: 'not_done', reason: `Away ${HOSTILE}`, feedback: { rating: 'too_hard' } } };
  const out = text(assignmentPage({ assignment: a(), past: [item('2026-03-29', 'due_today'),
    item('2026-03-28', 'missed', answered)], next: item('2026-03-30', 'upcoming'),
    progress: { minutes: 20, target: 70 } }));
  assert.match(out, /<p>Step one &lt;script&gt;alert\(1\)&lt;\/script&gt;<br>Step two<\/p><p>Later<\/p>/);
  assert.match(out, /Not done · Too hard<span class="todo-reason">: Away &lt;script&gt;/);
  assert.match(out, /Change answer/);
  assert.match(out, /Aim: 70 minutes a week\. This week so far: 20 minutes\./);
  assert.match(out, /<legend>How is this activity going\?<\/legend>/);
  assert.match(out, /<button type="submit">Send feedback<\/button>/);
  assert.match(out, new RegExp(`hx-post="/app/todo/${AID}/feedback"`));
  for (const label of ['Helping', 'Not helping', 'Too hard', 'Tedious']) {
    assert.match(out, new RegExp(`<span>${label}</span>`));
  }
  const fresh = text(assignmentPage({ assignment: a(), past: [item('2026-03-29', 'due_today')],
    feedback: { error: 'Answer a day first' } }));
  assert.doesNotMatch(fresh, /Send feedback/);
  assert.match(fresh, /role="alert">Answer a day first/);
  const gone = text(assignmentPage({ assignment: a({ withdrawn: true }), past: [] }));
  assert.match(gone, /dr\.mira took this activity back/);
  assert.doesNotMatch(gone, /Do it/);
});

test('a day\'s page: the kind\'s fields, optional feedback, the notice and both buttons; errors in an alert', () => {
  const error = new FieldError('What is on your mind is required.', 'body');
  const out = text(occurrencePage({ assignment: a(), occurrence: '2026-03-29', state: 'due_today', kind: journal,
    done: { values: { title: `T ${HOSTILE}` }, error, feedback: { rating: 'tedious', comment: HOSTILE } },
    words: WORDING.homework }));
  assert.match(out, /<p class="error" role="alert" id="form-error">What is on your mind is required\.<\/p>/);
  assert.match(out, /value="T &lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  assert.match(out, /<textarea id="f-body" name="f\.body"[^>]*required aria-required="true"\s+aria-invalid="true"/);
  assert.match(out, /How is this homework going\? <span class="optional">\(optional\)<\/span>/);
  assert.match(out, /value="tedious"\s+id="d-rating-3"\s+checked/);
  // Who sees what: the answer itself always; what was written as the switch says (none here: no peer given).
  assert.match(out, /dr\.mira will see that this is done and your feedback\./);
  assert.doesNotMatch(out, /role="switch"/);
  assert.match(out, /<button type="submit">Save and mark done<\/button>/);
  assert.match(out, /<label for="nd-reason">What got in the way\?<\/label>/);
  assert.match(out, /I didn(&#39;|')t do this<\/button>/);
  assert.match(out, new RegExp(`hx-post="/app/todo/${AID}/2026-03-29/not-done"`));
  assert.doesNotMatch(out, /<script>/);
  const again = text(occurrencePage({ assignment: a(), occurrence: '2026-03-28', state: 'missed', kind: journal,
    previous: { doc: { status: 'done', minutes: 10 } }, notDone: { reason: `R ${HOSTILE}`, error: 'Too long' } }));
  assert.match(again, /You answered this day already: Done · 10 min/);
  assert.match(again, />R &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/textarea>/);
  assert.match(again, /role="alert">Too long/);
  const withdrawn = text(occurrencePage({ assignment: a({ withdrawn: true }), occurrence: '2026-03-29',
    kind: journal }));
  assert.doesNotMatch(withdrawn, /Save and mark done/);
});

test('the answer form shares what is written with the therapist: a labelled switch, on unless chosen otherwise', () => {
  const therapist = { userId: UID, handle: 'dr.mira', role: 'therapist', linked: true, changed: null,
    verifiedHow: 'invite-link' };
  const page = (share) => text(occurrencePage({ assignment: a(), occurrence: '2026-03-29', state: 'due_today',
    kind: journal, share }));
  const on = page([{ peer: therapist, on: true }]);
  assert.match(on, new RegExp(`<input type="checkbox" role="switch" id="d-share-0" name="share" value="${UID}"\\s+checked>`));
  assert.match(on, /<label for="d-share-0">Share with dr\.mira<\/label>/);
  assert.match(on, /<p class="share-on">dr\.mira will see this answer and your feedback\.<\/p>/);
  assert.doesNotMatch(on, /will see that this is done/, "the switch says it: no second sentence");
  assert.match(on, /<p class="share-off">Kept private: dr\.mira sees only that it is done, and your feedback\.<\/p>/);
  // Inside the done form, before its button: sent with the answer.
  const form = on.slice(on.indexOf('<form class="entry-form"'), on.indexOf('Save and mark done'));
  assert.match(form, /role="switch"/);
  assert.doesNotMatch(page([{ peer: therapist, on: false }]), /role="switch"[^>]*checked/);
  // Only the server's word for their key: the switch starts off and says why, with the way to check it.
  const tofu = page([{ peer: { ...therapist, verifiedHow: 'tofu' }, on: true }]);
  assert.doesNotMatch(tofu, /role="switch"[^>]*checked/);
  assert.match(tofu, /dr\.mira(&#39;|')s security key is not verified/);
  assert.match(tofu, new RegExp(`href="/app/link/${UID}"[^>]*>Compare the safety number<`));
  // A changed key: no switch at all, the reason and the way out in its place.
  const changed = page([{ peer: { ...therapist, changed: { handle: 'dr.mira' } }, on: true }]);
  assert.doesNotMatch(changed, /role="switch"/);
  assert.match(changed, /<p class="share-blocked">dr\.mira(&#39;|')s security key changed/);
  assert.match(changed, new RegExp(`href="/app/link/${UID}"[^>]*>Compare the safety number<`));
});

test('every kind of question gets a labelled control named as readForm reads it', () => {
  const kind = { fields: [
    { id: 'score', label: 'Score', type: 'scale', required: true, constraints: { min: 0, max: 10, step: 1 } },
    { id: 'did', label: 'Did it', type: 'yes_no', required: false, constraints: {} },
    { id: 'pick', label: 'Pick', type: 'multi_choice', required: false,
      constraints: { options: [{ id: 'x', label: 'X' }] } },
    { id: 'items', label: 'Items', type: 'list', required: false, constraints: { max_items: 5, max_length: 10 } },
    { id: 'mins', label: 'Minutes', type: 'minutes', required: false, constraints: { min: 0, max: 240 } }] };
  const out = text(kindFields(kind, { score: 7, did: false, pick: ['x'], items: ['a', 'b'], mins: 15 }));
  assert.match(out, /<legend>Score<\/legend>/);
  assert.match(out, /name="f\.score" value="7" id="f-score-7"\s+checked/);
  assert.match(out, /name="f\.did" value="no" id="f-did-1"\s+checked/);
  assert.match(out, /type="checkbox" name="f\.pick" value="x" id="f-pick-0"\s+checked/);
  assert.match(out, /<label for="f-items" id="f-items-label">Items <span class="optional">\(optional\)<\/span><\/label>/);
  assert.match(out, />a\nb<\/textarea>/);
  assert.match(out, /<input type="number" inputmode="numeric" id="f-mins" name="f\.mins"[^>]*value="15">/);
  assert.match(text(feedbackFields('x', {}, { required: true })), /<legend>How is this activity going\?<\/legend>/);
});

test('the confirmation says who sees what, links the private entry and goes back to To do', () => {
  const out = text(answeredPage({ assignment: a(), status: 'done', entryId: AID, feedback: { rating: 'helping' } }));
  assert.match(out, /<h1 id="todo-done-title">Done — Walk &lt;script&gt;/);
  assert.match(out, /dr\.mira will see that this is done and your feedback after the next sync/);
  assert.match(out, new RegExp(`href="/app/entries/${AID}"[^>]*>Open your entry</a>`));
  assert.match(out, /What you wrote is private\./);
  const shared = text(answeredPage({ assignment: a(), status: 'done', entryId: AID, shared: true }));
  assert.match(shared, /dr\.mira will see what you wrote too\./);
  assert.doesNotMatch(shared, /role="alert"/);
  const failed = text(answeredPage({ assignment: a(), status: 'done', entryId: AID, shareFailed: true }));
  assert.match(failed, /role="alert">Your answer is saved, but it could not be shared with dr\.mira/);
  assert.match(out, /href="\/app\/todo"[^>]*>Back to To do<\/a>/);
  const skipped = text(answeredPage({ assignment: a(), status: 'not_done' }));
  assert.match(skipped, /Noted — Walk/);
  assert.match(skipped, /was not done and your reason/);
  assert.doesNotMatch(skipped, /Open your entry/);
  const blocked = text(blockedPage({ assignment: a(), posted: true }));
  assert.match(blocked, /role="alert">Nothing was saved\. dr\.mira(&#39;|')s security key changed/);
  assert.match(blocked, /href="\/app\/link\/11111111-1111-4111-8111-111111111111"/);
  assert.match(text(blockedPage({ assignment: a(), why: 'ended' })), /role="alert">Your link with dr\.mira has ended/);
});

test('finished work stays in sight: "Done recently" with its minutes, feedback and a way to change the answer', () => {
  const done = { ...item('2026-03-28', 'missed'), response: { id: 'r1', doc: { status: 'done', minutes: 12,
    feedback: { rating: 'not_helping' } } } };
  const out = text(todoPage({ lists: empty, done: [done], current: [a()] }));
  const section = out.split('<h2 id="todo-done">Done recently</h2>')[1].split('</section>')[0];
  assert.match(section, /Walk &lt;script&gt;/);
  assert.match(section, /<time datetime="2026-03-28">[^<]+<\/time> · Done · 12 min · Not helping/);
  assert.match(section, new RegExp(`href="/app/todo/${AID}/2026-03-28"[^>]*>Change answer<span`));
  assert.doesNotMatch(text(todoPage({ lists: empty, current: [a()] })), /Done recently/);
});

test('an activity this version cannot read is said, per therapist, with the way to the update', () => {
  const out = text(todoPage({ lists: empty, newer: [{ userId: UID, handle: `mira${HOSTILE}`, count: 2 }],
    words: WORDING.homework }));
  assert.match(out, /2 pieces of homework from mira&lt;script&gt;alert\(1\)&lt;\/script&gt; need a newer version of Between\./);
  assert.match(out, /<a href="\/app\/todo" class="button secondary">Check for an update<\/a>/);
});
