// Nothing untranslated: the screens converted to the catalogues so far (the tabs, the entry list, search, an
// entry, the kind chooser, the form, not found; To do, Shared, the sharing panel and more below), rendered with the
// pseudo-locale, show no word that did not come from it. What a person wrote, dates (Intl) and what comes from
// kinds.json (not in the catalogues yet) aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useLanguage } from '../../js/core/messages.js';
import { calendarWords, formatter, instantWords } from '../../js/core/dates.js';
import { nav } from '../../js/screens/components.js';
import { chooseKindPage, entriesPage, entryForm, entryPage, notFoundPage, undoNotice }
  from '../../js/screens/entry/entry-views.js';
import { WORDING } from '../../js/screens/components.js';
import { morePage, settingsPage } from '../../js/screens/more/more-views.js';
import { pseudoLocalise } from '../pseudo-locale.js';
import { todayPage } from '../../js/screens/today/today-views.js';
import { answeredPage, assignmentPage, blockedPage, occurrencePage, scheduleWords, todoNotFoundPage, todoPage }
  from '../../js/screens/todo/todo-views.js';
import { readFeedback } from '../../js/screens/todo/todo.js';
import { html, t } from '../../js/screens/views.js';
import { sharedPage, sharingPanel } from '../../js/screens/share/share-views.js';
import { progressPage } from '../../js/screens/progress/progress-views.js';
import { calendarWeeks } from '../../js/screens/progress/progress.js';
import { quotaAlert, storageNotice, storageSettings, wipedPage } from '../../js/screens/storage/storage-views.js';
import { sizeWords } from '../../js/core/storage.js';

const en = JSON.parse(readFileSync(new URL('../../i18n/en.json', import.meta.url), 'utf8'));
useLanguage({ language: 'en-XA', locale: 'en', catalogue: pseudoLocalise(en), strict: true });

// kinds.json's words join the catalogues in a later step; until then they are data here, as the person's are.
const journal = { id: 'journal', label: 'KindLabel', description: 'KindDescription',
  fields: [{ id: 'body', label: 'FieldLabel', type: 'long_text', required: true, merge: 'text', constraints: {} },
    { id: 'title', label: 'FieldLabel', type: 'short_text', required: false, merge: 'scalar', constraints: {} }] };
const mood = { id: 'mood', label: 'KindLabel', description: 'KindDescription', fields: [] };
const kinds = new Map([['journal', journal], ['mood', mood]]);
const A = '2026-03-10T21:05:00Z';
const B = '2026-03-12T08:00:00Z';
const written = { id: 'e1', kind: 'journal', fields: { body: 'Sunny walk' }, createdAt: A, updatedAt: B };
const feeling = { id: 'e2', kind: 'mood', fields: { score: 4, emotions: ['calm', 'tired'] }, createdAt: A, updatedAt: A };
const newer = { id: 'e3', kind: 'dream', fields: { plot: 'Flying' }, createdAt: A, updatedAt: A };
// Field ids (plot, score, emotions) are shown as they are for answers this version cannot interpret.
const therapist = { userId: '11111111-1111-4111-8111-111111111111', handle: 'dr.lee', role: 'therapist', linked: true,
  changed: null, verifiedHow: 'invite-link' };
// Storage: a device with entries only here, the browser not keeping them (Safari), and one whose account has them.
const risky = { records: 2, onlyHere: 2, account: false, persisted: false, usage: { used: 1_234_567, quota: 10e9 },
  dismissed: false, sevenDays: true };
const synced = { ...risky, onlyHere: 0, account: true, persisted: true, usage: null, sevenDays: false };
const DATA = ['dr.lee', 'Sunny walk', 'calm', 'tired', 'Flying', 'plot', 'score', 'emotions', 'dream', 'KindLabel', 'KindDescription', 'FieldLabel',
  'sunny', instantWords(A), instantWords(B), sizeWords(1_234_567), sizeWords(10e9),
  // The sync status in words (core/sync-status.js, not in the catalogues yet) and a language's own name (LANGUAGES).
  'Synced', 'English', 'Español', 'ana'];

/** The words a person sees: text between tags and the attributes that are read out. */
function visibleText(markup) {
  const attributes = [...markup.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map((m) => m[1]);
  const text = markup.replace(/<[^>]*>/g, '\n');
  return [text, ...attributes].join('\n').replace(/&[a-z]+;|&#\d+;/g, ' ');
}

/** What is left once the catalogue's messages (⟦…⟧) and the data are taken out: must hold no letter. */
function untranslated(markup) {
  let rest = visibleText(markup);
  for (const data of DATA) rest = rest.split(data).join(' ');
  while (/⟦[^⟦⟧]*⟧/.test(rest)) rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  return rest.split('\n').map((line) => line.trim()).filter((line) => /\p{L}/u.test(line));
}

const SCREENS = {
  'client tabs': () => nav('entries'),
  'therapist tabs': () => nav('clients', 'therapist'),
  'the list': () => entriesPage([written, feeling, newer], kinds),
  'the list, homework': () => entriesPage([written], kinds, { words: WORDING.homework }),
  'no entries': () => entriesPage([], kinds),
  'search found one': () => entriesPage([written], kinds, { query: 'sunny' }),
  'search found two': () => entriesPage([written, feeling], kinds, { query: 'sunny' }),
  'search found none': () => entriesPage([], kinds, { query: 'sunny' }),
  'deleted, undo': () => entriesPage([], kinds, { notice: undoNotice('e1') }),
  'drafts to continue': () => entriesPage([written], kinds, { drafts: [
    { form: 'entry/new/journal', path: '/app/entries/new?kind=journal', kind: 'journal', title: '', what: 'new', updatedAt: B },
    { form: 'entry/e1/edit', path: '/app/entries/e1/edit', kind: 'dream', title: '', what: 'edit', updatedAt: A },
    { form: 'todo/a/2026-03-10', path: '/app/todo/a/2026-03-10', kind: 'journal', title: 'Sunny walk', what: 'answer',
      updatedAt: A }] }),
  'choose a kind': () => chooseKindPage(kinds),
  'an entry, edited': () => entryPage(written, journal),
  'a mood': () => entryPage(feeling, mood),
  'a newer kind': () => entryPage(newer, null),
  'newer fields': () => entryPage({ ...written, fields: { ...written.fields, plot: 'Flying' } }, journal),
  'new entry form': () => entryForm(journal),
  'new entry form, share switches': () => entryForm(journal, { share: [{ peer: therapist, on: false },
    { peer: { ...therapist, userId: 'x', verifiedHow: 'tofu' }, on: false },
    { peer: { ...therapist, userId: 'y', changed: {} }, on: false }] }),
  'edit form, newer fields': () => entryForm(journal, { entry: { ...written, fields: { plot: 'Flying' } } }),
  'not found': () => notFoundPage(),
  'more, signed out': () => morePage({ role: 'client', session: null, handle: null }, null, { state: 'off' }),
  'more, signed in': () => morePage({ role: 'client', session: {}, handle: 'ana' }, { wording: 'homework' },
    { state: 'synced' }),
  'more, therapist': () => morePage({ role: 'therapist', session: {}, handle: 'ana' }, null, { state: 'synced' }),
  'settings': () => settingsPage({ wording: 'homework' }, 'client'),
  'settings, with storage': () => settingsPage(null, 'client', { storage: storageSettings(risky) }),
  'storage: the notice': () => storageNotice(risky),
  'storage: the notice, unsynced changes': () => storageNotice({ ...risky, account: true, onlyHere: 1 }),
  'storage: settings, at risk': () => storageSettings(risky),
  'storage: settings, synced and kept': () => storageSettings(synced),
  'storage: settings, the browser says nothing': () => storageSettings({ ...risky, persisted: null, usage: null }),
  'storage: a save the full device refused': () => entryForm(journal, { alert: quotaAlert('entry-form') }),
  'storage: still full': () => entryForm(journal, { alert: quotaAlert('entry-form', { freed: true }) }),
  'storage: cleared by the browser': () => wipedPage(),
};

// Today, To do's list and Progress (issue 10). An activity's title, the therapist's handle and instructions, emotion
// names and kinds.json's labels are data; so are the dates and numbers Intl writes.
const from = { userId: 'u1', handle: 'Handle', verified: true, state: 'verified', how: 'invite-link' };
const given = { id: 'a1', ownerId: 'u1', from, doc: { title: 'ActivityTitle', instructions: 'Instructions\n\nMore',
  schedule: { recurrence: { freq: 'daily', start: '2026-03-01', time_zone: 'UTC' } }, withdrawn: false } };
const unverified = { ...given, from: { ...from, verified: false, state: 'unverified' } };
const item = (occurrence, state, a = given) => ({ assignment: a, occurrence, state, response: null });
const doneItem = { ...item('2026-03-09', 'missed'), response: { id: 'r1', doc: { status: 'done', minutes: 5,
  feedback: { rating: 'not_helping' } } } };
const peer = { userId: 'u1', handle: 'Handle', held: 2 };
const days = ['2026-03-09', '2026-03-10'].map((day, i) => ({ day, mean: i ? 7 : null, count: i }));
const weekly = [{ week_start: '2026-03-02', minutes: 0, target: null }, { week_start: '2026-03-09', minutes: 20,
  target: 30 }];
const DATA_TOO = ['ActivityTitle', 'Instructions', 'More', 'Handle', 'Anxious', ...days.map((d) => d.day)];
// Dates in the forms these screens write them (Intl's words, not the catalogue's), longest first.
const DATES = [];
for (let d = 1; d <= 31; d++) {
  const day = `2026-03-${String(d).padStart(2, '0')}`;
  for (const style of [{ weekday: 'long', day: 'numeric', month: 'long' }, { weekday: 'long' }, { weekday: 'short' },
    { day: 'numeric', month: 'short' }, { month: 'long', year: 'numeric' }]) DATES.push(calendarWords(day, style));
}
DATES.push(formatter({ hour: 'numeric', minute: '2-digit' }).format(new Date(A)));
DATA.push(...DATA_TOO, ...[...new Set(DATES)].sort((x, y) => y.length - x.length));
Object.assign(SCREENS, {
  'today, with everything': () => todayPage({ date: '2026-03-10', due: { due: [item('2026-03-10', 'due_today',
    unverified)], open: [{ item: item('2026-03-08', 'missed'), more: 2 }], coming: 1 },
    done: { entries: [{ entry: feeling, assignment: given }], notDone: [{ assignment: given,
      response: { doc: { updated_at: A } } }] }, notices: [{ peer, why: 'changed' }, { peer, why: 'ended' }],
    newer: [{ userId: 'u1', handle: 'Handle', count: 2 }], kinds, hasAssignments: true,
    drafts: [{ form: 'entry/new/journal', path: '/app/entries/new?kind=journal', kind: 'journal',
      title: 'ActivityTitle', what: 'answer', updatedAt: A }] }),
  'today, nothing yet, homework': () => todayPage({ date: '2026-03-10', due: { due: [], open: [], coming: 0 },
    done: { entries: [], notDone: [] }, kinds, words: WORDING.homework }),
  'to do, due and done': () => todoPage({ lists: { today: [item('2026-03-10', 'due_today')],
    week: [item('2026-03-11', 'upcoming'), item('2026-03-12', 'upcoming')], overdue: [item('2026-03-08', 'missed')] },
  done: [doneItem], notices: [{ peer, why: 'mismatch' }], newer: [{ userId: 'u1', handle: 'Handle', count: 1 }] }),
  'to do, nothing yet': () => todoPage({ lists: { today: [], week: [], overdue: [] } }),
  'progress, with data': () => progressPage({ today: '2026-03-10', month: '2026-03',
    months: { previous: '2026-02', next: null }, week: days, monthDays: days, calendar: calendarWeeks('2026-03'),
    practice: weekly, activities: weekly.map((w) => ({ week_start: w.week_start, done: 2, notDone: 1, open: 1 })),
    feedback: [{ assignment: given, rating: 'not_helping', comment: 'Instructions', occurrence: '2026-03-09' }],
    thoughts: [{ id: 't1', at: A, before: 60, after: 30, emotions: [{ name: 'Anxious', before: 60, after: 30 }] }],
    hasAssignments: true }),
  'progress, empty': () => progressPage({ today: '2026-03-10', month: '2026-03',
    months: { previous: '2026-02', next: null }, week: days.map((d) => ({ ...d, mean: null })), monthDays: [],
    calendar: calendarWeeks('2026-03'), practice: [], activities: [], feedback: [], thoughts: [] }),
});

// To do's other screens (issue 14): an activity, a day's forms, the confirmation, the blocked and not-found pages.
// The time zone a schedule names and the reason a person gave are data.
DATA.push('Europe/Berlin', 'ReasonGiven');
const answers = [item('2026-03-02', 'missed'), { ...item('2026-03-03', 'missed'), response: { doc: { status: 'done',
  minutes: 5, feedback: { rating: 'too_hard' } } } }, { ...item('2026-03-04', 'due_today'), response: { doc: {
  status: 'not_done', reason: 'ReasonGiven' } } }, item('2026-03-05', 'upcoming')];
const withdrawn = { ...given, doc: { ...given.doc, withdrawn: true } };
const schedule = (recurrence) => ({ ...given, doc: { ...given.doc, schedule: { recurrence: { time_zone: 'Europe/Berlin',
  ...recurrence } } } });
const schedules = [{ freq: 'once', start: '2026-03-02' }, { freq: 'daily', start: '2026-03-02', until: '2026-03-20' },
  { freq: 'weekly', start: '2026-03-02', days: ['mon', 'wed', 'fri'], until: '2026-03-30' },
  { freq: 'until_next_session', start: '2026-03-02', next_session: '2026-03-20T10:00:00Z', until: '2026-03-18' },
  { freq: 'fortnightly' }];
const form = (fields) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const feedbackErrors = [readFeedback(form({}), true), readFeedback(form({ comment: 'x' })),
  readFeedback(form({ rating: 'odd' })), readFeedback(form({ rating: 'helping', comment: 'x'.repeat(2001) }))];
for (const words of [WORDING.activities, WORDING.homework]) {
  const w = words === WORDING.homework ? ', homework' : '';
  Object.assign(SCREENS, {
    [`to do: an activity, answered${w}`]: () => assignmentPage({ assignment: given, past: answers, next: answers[3],
      kindLabel: 'KindLabel', words, progress: { minutes: 20, target: 30 }, deviceZone: 'UTC',
      notice: html`<p>${t('todo.feedback.thanks', { handle: 'Handle' })}</p>`,
      feedback: { values: { rating: 'helping' }, error: feedbackErrors[0].error } }),
    [`to do: an activity, nothing answered, taken back${w}`]: () => assignmentPage({ assignment: withdrawn, past: [],
      words, feedback: { error: t('todo.feedback.answerFirst', { handle: 'Handle' }) } }),
    [`to do: a day's forms, answered before${w}`]: () => occurrencePage({ assignment: given, occurrence: '2026-03-10',
      state: 'due_today', kind: journal, words, previous: { doc: { status: 'done', entry_id: 'e1', minutes: 5 } },
      notDone: { reason: 'ReasonGiven', error: t('todo.notDone.empty', { handle: 'Handle' }) } }),
    [`to do: a day's forms, not done before${w}`]: () => occurrencePage({ assignment: given, occurrence: '2026-03-09',
      state: 'missed', kind: journal, words, previous: { doc: { status: 'not_done', reason: 'ReasonGiven' } },
      notDone: { error: t('todo.notDone.invalid') } }),
    [`to do: a day, taken back${w}`]: () => occurrencePage({ assignment: withdrawn, occurrence: '2026-03-11',
      state: 'upcoming', kind: journal, words }),
    [`to do: a day of a newer kind${w}`]: () => occurrencePage({ assignment: given, occurrence: '2026-03-10',
      kind: null, words }),
    [`to do: answered${w}`]: () => [true, false].flatMap((withFeedback) => ['done', 'not_done'].map((status) =>
      answeredPage({ assignment: given, status, words, entryId: status === 'done' ? 'e1' : null, shared: withFeedback,
        feedback: withFeedback ? { rating: 'helping' } : null }))).join(''),
    [`to do: not found${w}`]: () => todoNotFoundPage(words),
    [`to do: blocked${w}`]: () => ['changed', 'mismatch', 'ended'].map((why) => blockedPage({ assignment: given, why,
      words, occurrence: '2026-03-10', posted: why !== 'ended', entryId: why === 'mismatch' ? 'e1' : null })).join(''),
  });
}
SCREENS['to do: schedules, and errors'] = () => html`${schedules.map((r) => html`<p>${scheduleWords(schedule(r).doc
  .schedule.recurrence, 'UTC')}</p>`)}${feedbackErrors.map((e) => html`<p>${e.error}</p>`)}`;

// Shared and an entry's sharing panel (issue 14): one peer of each kind of key, shared, stopping and offered.
const who = (userId, state, extra = {}) => ({ userId, handle: 'Handle', state, verifiedHow: 'invite-link',
  linked: true, role: 'therapist', ...extra });
const [fine, moved, wrong, tofu] = [who('p1', 'verified'), who('p2', 'changed'), who('p3', 'mismatch'),
  who('p4', 'unverified', { verifiedHow: 'tofu' })];
Object.assign(SCREENS, {
  'shared: a list, linked': () => sharedPage([{ entry: written, sharing: { shared: [{ peer: fine },
    { peer: tofu, pending: true }] } }, { entry: feeling, sharing: { shared: [{ peer: fine }] } }], kinds,
  [fine, tofu]),
  'shared: nothing, not linked': () => sharedPage([], kinds, []),
  'sharing panel: shared with each': () => sharingPanel('e1', { shared: [{ peer: fine, since: A },
    { peer: moved, pending: true }, { peer: wrong }], stopping: [tofu], peers: [fine, moved, wrong, tofu] },
  t('share.panel.refused')),
  'sharing panel: offered to each': () => sharingPanel('e1', { shared: [], stopping: [],
    peers: [fine, moved, wrong, tofu] }),
});

for (const [name, render] of Object.entries(SCREENS)) {
  test(`nothing untranslated: ${name}`, () => {
    const markup = String(render());
    assert.ok(markup.includes('⟦'), 'the pseudo-locale is in use');
    assert.deepEqual(untranslated(markup), []);
  });
}

test('the check itself finds a word that is not from the catalogue', () => {
  assert.deepEqual(untranslated(`${nav('entries')}<p>Hello</p><a aria-label="Close">×</a>`), ['Hello', 'Close']);
});
