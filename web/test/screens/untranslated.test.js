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
import { accountPage, deleteAccountPage, deletedPage, deviceProblem, devicesPage, forgetPage, forgottenPage,
  passphrasePage, recoveryPage, revokePage, signedInPage } from '../../js/screens/account/account-views.js';
import { explain } from '../../js/engine/account.js';
import { WARNINGS } from '../../js/engine/share.js';
import { invitePage, inviteProblemPage, linkPage } from '../../js/screens/share/share-views.js';
import { invitesPage, noClientPage, withdrawInvitePage } from '../../js/screens/care/care-views.js';
import { failed, foreignRefused, notAllowed } from '../../js/screens/server-pages.js';
import { assignForm, assignNotFoundPage, blockedPage as assignBlockedPage, errorWords, libraryPage, reviewPage,
  withdrawPage } from '../../js/screens/assign/assign-views.js';
import { reviewAssignment } from '../../js/screens/assign/review.js';
import { clientPage, clientsPage, printPage, timelineItems } from '../../js/screens/care/care-views.js';
import { weekdayWords } from '../../js/core/dates.js';
import { copyWords, exportPage, exportText } from '../../js/screens/export/export.js';
import { localiseKinds, localiseTemplates } from '../../js/core/kind-words.js';
import { checkField, kindTable, missing } from '../../js/core/kinds.js';
import { templateTable } from '../../js/core/assignments.js';
import { forgottenPage as lockForgottenPage, lockPage, lockSettings, setupPage, unlockedPage }
  from '../../js/screens/lock/lock-views.js';
import { crisisPage, planForm, planPage, savedNotice } from '../../js/screens/safety/safety-views.js';
import { contactForm } from '../../js/screens/safety/contact-views.js';
import { NO_LINES } from '../../js/core/crisis-lines.js';
import { FieldError } from '../../js/core/kinds.js';
import { NOTE_DELETE, NOTE_ITEM, NOTE_LIST, NOTE_TEXT, NOTE_VALUE } from '../../js/core/merge.js';

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
  'lock: the lock screen, PIN': () => lockPage({ method: 'pin', kdf: { memoryKib: 32768, iterations: 2, lanes: 1,
    salt: new Uint8Array(16) }, failures: 0, notBefore: 0 }, 0),
  'lock: the lock screen, waiting': () => lockPage({ method: 'passphrase', kdf: { memoryKib: 32768, iterations: 2,
    lanes: 1, salt: new Uint8Array(16) }, failures: 5, notBefore: 90e3 }, 0),
  'lock: the lock screen, PRF, a wrong try': () => lockPage({ method: 'prf', credId: new Uint8Array(16),
    prfSalt: new Uint8Array(32), failures: 1, notBefore: 0 }, 0),
  'lock: the lock screen, PRF with a PIN as well': () => lockPage({ method: 'prf', credId: new Uint8Array(16),
    prfSalt: new Uint8Array(32), failures: 0, notBefore: 0, fallback: { method: 'pin', wrap: null,
      kdf: { memoryKib: 32768, iterations: 2, lanes: 1, salt: new Uint8Array(16) } } }, 0),
  'lock: the lock screen, PRF with a passphrase as well': () => lockPage({ method: 'prf', credId: new Uint8Array(16),
    prfSalt: new Uint8Array(32), failures: 0, notBefore: 0, fallback: { method: 'passphrase', wrap: null,
      kdf: { memoryKib: 32768, iterations: 2, lanes: 1, salt: new Uint8Array(16) } } }, 0),
  'lock: set up, on with a fallback': () => setupPage({ configured: true, minutes: 15, method: 'prf',
    fallback: 'passphrase' }, 'client'),
  'lock: forgotten': () => lockForgottenPage(),
  // A problem of a document no form makes (no code): the catalogue's words, not the validator's English.
  'assign: a problem no form leads to': () => html`<p>${errorWords(new FieldError(
    "assignment 'schedule.recurrence.interval' is not part of a 'daily' schedule.", 'schedule.recurrence.interval'))}</p>`,
  'lock: not locked': () => unlockedPage(),
  'lock: set up': () => setupPage({ configured: false, minutes: 5, method: null }, 'client'),
  'lock: set up, on': () => setupPage({ configured: true, minutes: 15, method: 'prf' }, 'client'),
  'lock: settings': () => lockSettings({ configured: true }),
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
DATES.push(calendarWords('2026-02-01', { month: 'long', year: 'numeric' })); // Progress's "previous month" link
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


// Sync and the account screens (issue 14): signed out and in, every form, the devices, the steps that remove things.
const client = { role: 'client', session: {}, handle: 'ana' };
const devices = [{ device_id: 'd1', name: 'DeviceName', created_at: 1_773_100_000, last_seen_at: 1_773_200_000,
  current: true }, { device_id: 'd2', name: 'DeviceName', created_at: 1_773_100_000, last_seen_at: 1_773_200_000,
  current: false }];
DATA.push('DeviceName', 'RECOVERY-KEY', 'NoteText', instantWords(1_773_100_000), instantWords(1_773_200_000));
Object.assign(SCREENS, {
  'sync: signed out, new device': () => accountPage({ role: 'client', session: null, handle: null }, { state: 'off' }),
  'sync: signed out by another device': () => accountPage({ role: 'client', session: null, handle: 'ana' },
    { state: 'signed_out' }),
  'sync: signed in, with notes and a therapist': () => accountPage(client, { state: 'synced' }, { waiting: 3,
    peers: [therapist], notes: [{ id: 'n1', text: 'NoteText' }] }),
  'sync: a therapist with clients': () => accountPage({ ...client, role: 'therapist' }, { state: 'synced' },
    { peers: [therapist] }),
  'account: change the passphrase': () => passphrasePage(client),
  'account: change the passphrase, signed out': () => passphrasePage({ ...client, session: null }),
  'account: delete it': () => [deleteAccountPage(client), deleteAccountPage({ ...client, role: 'therapist' }),
    deleteAccountPage({ ...client, session: null })].join(''),
  'account: deleted': () => deletedPage(),
  'account: devices': () => devicesPage({ me: client, devices }),
  'account: devices, only this one': () => devicesPage({ me: client, devices: devices.slice(0, 1) }),
  'account: devices, not listed': () => ['unreachable', 'signed_out', 'not_found', 'rate_limited', 'odd']
    .map((code) => devicesPage({ me: client, devices: null, problem: deviceProblem(code) })).join(''),
  'account: revoke a device': () => revokePage(client, devices[1]),
  'account: the recovery key': () => recoveryPage('ana', 'RECOVERY-KEY'),
  'account: forget this device': () => [forgetPage(client, 0), forgetPage({ ...client, session: null }, 1),
    forgetPage(client, 2)].join(''),
  'account: forgotten': () => forgottenPage(),
  'account: signed in': () => [signedInPage({ role: 'client', handle: 'ana', adopted: 0 }),
    signedInPage({ role: 'client', handle: 'ana', adopted: 1 }), signedInPage({ role: 'client', handle: 'ana',
      adopted: 4 })].join(''),
  'sync: every warning as a note': () => accountPage(client, { state: 'synced' }, { notes: Object.values(WARNINGS)
    .map((name, i) => ({ id: `n${i}`, text: t(`sync.warning.${name}`) })) }),
  'account: problems in words': () => html`${['handle_taken', 'user_exists', 'invalid_credentials',
    'registration_closed', 'rate_limited', 'unreachable', 'kdf_below_floor', 'bad_recovery_key', 'crypto',
    'wrong_current', 'wrong_passphrase', 'wrong_recovery', 'expired', 'signed_out', 'weak_kdf', 'odd', 'toString']
    .map((code) => html`<p>${explain({ code })}</p>`)}`,
});

// Invitations and the key screen (issue 14): a client's invitation in each state, the key screen of each kind of key
// from both sides, a therapist's invites, and the local server's own pages. Safety numbers and links are data.
DATA.push('123456789012', 'https://example.test/i#x');
const invitation = { handle: 'Handle', therapist: { handle: 'Handle' }, peer: { handle: 'Handle' },
  safety: '123456789012' };
const keyPeers = [fine, moved, wrong, tofu, { ...fine, verifiedHow: 'safety-number' },
  { ...fine, linked: false, held: 2 }, { ...moved, held: 1 }, { ...wrong, held: 3 }];
Object.assign(SCREENS, {
  'invite: each state': () => ['needs_account', 'ready', 'accepted', 'none'].map((state) => invitePage({
    ...invitation, state })).join(''),
  'invite: problems': () => inviteProblemPage(t('invite.problem.crypto')),
  'key screen: a client looking at their therapist': () => keyPeers.map((p) => linkPage({ ...p,
    pinnedAt: A }, '123456789012')).join(''),
  'key screen: a therapist looking at a client': () => keyPeers.map((p) => linkPage({ ...p, role: 'client',
    pinnedAt: A }, '123456789012')).join(''),
  'invites: ready, with a new one': () => invitesPage({ state: 'ready', invites: [{ invite_id: 'i1',
    created_at: 1_773_100_000, expires_at: 1_773_200_000 }], created: { link: 'https://example.test/i#x',
    expiresAt: 1_773_200_000 }, notice: t('care.invites.withdrawn'), problem: t('care.problem.unreachable') }),
  'invites: none, signed out, a client': () => ['ready', 'signed_out', 'client'].map((state) => invitesPage({ state }))
    .join(''),
  'invites: withdraw one': () => withdrawInvitePage({ invite_id: 'i1', created_at: 1_773_100_000 }),
  'care: no such client': () => noClientPage(),
  "the local server's own pages": async () => (await Promise.all([failed(), notAllowed(), foreignRefused()]
    .map((r) => r.text()))).join(''),
});

// A therapist's assignments (issue 14): the library, the form (a template's, a worksheet's, with an error), the
// review with its charts, withdrawing, the blocked and not-found pages; and a client's page, its timeline and print.
// Titles, instructions, templates' and kinds.json's words, the time zone and what the client wrote are data.
const sam = { userId: 'u1', handle: 'Handle', role: 'client', linked: true, changed: null, verifiedHow: 'invite-link',
  pinnedAt: A };
const assigned = { title: 'ActivityTitle', instructions: 'Instructions', kind: 'journal', withdrawn: false,
  schedule: { recurrence: { freq: 'daily', start: '2026-03-02', until: '2026-03-20', time_zone: 'Europe/Berlin' } } };
const rows = [{ occurrence: '2026-03-02', status: 'done', minutes: 5, updated_at: '2026-03-02T20:00:00Z',
  feedback: { rating: 'too_hard', comment: 'ReasonGiven' } }, { occurrence: '2026-03-03', status: 'not_done',
  reason: 'ReasonGiven', updated_at: '2026-03-03T20:00:00Z' }, { occurrence: '2026-03-04', status: 'not_done',
  updated_at: '2026-03-04T20:00:00Z' }];
const reviewed = reviewAssignment(assigned, rows, { now: '2026-03-06T12:00:00Z' });
const values = { title: 'ActivityTitle', instructions: 'Instructions', freq: 'weekly', days: ['mon'],
  start: '2026-03-02', time_zone: 'Europe/Berlin', questions: [{ label: 'FieldLabel', type: 'single_choice',
    required: true, options: ['calm', 'tired'] }, {}] };
// The builder's own problems have codes (assign.problem.*); the validators' problems of whole documents are English
// for now (docs/WEB.md "Not yet"), so these are the builder's.
const formError = Object.assign(new Error("assignment 'title' must not be empty."), { fieldId: 'title',
  problem: { code: 'empty' } });
const care = timelineItems([{ id: 'e1', updatedAt: A, doc: { v: 1, kind: 'journal', fields: { body: 'Sunny walk' },
  created_at: A, updated_at: B } }, { id: 'r1', updatedAt: A, doc: { v: 1, type: 'assignment-response',
  assignment_id: 'a1', occurrence: '2026-03-09', status: 'done', minutes: 5, entry_id: 'e1',
  feedback: { rating: 'helping', comment: 'ReasonGiven' }, created_at: A, updated_at: A } }, { id: 'r2',
  updatedAt: A, doc: { v: 1, type: 'assignment-response', assignment_id: 'a1', occurrence: '2026-03-10',
  status: 'not_done', reason: 'ReasonGiven', entry_id: 'e9', created_at: A, updated_at: A } }],
(doc) => (doc.kind === 'journal' ? journal : null), new Map([['a1', 'ActivityTitle']]), (at) => at.slice(0, 10));
const marks = [{ day: '2026-03-05', at: '2026-03-05T17:00:00Z', feed: null }];
DATA.push('Template', 'TemplateSummary', 'Europe/Berlin', 'between export --format json', '5:00 PM', '17:00',
  ...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => weekdayWords(d)));
for (const stamp of [A, B, '2026-03-05T17:00:00Z', '2026-03-02T08:00:00Z', '2026-03-04T08:00:00Z']) {
  DATA.push(instantWords(stamp), instantWords(stamp, 'Europe/Berlin'));
}
for (let d = 1; d <= 31; d++) {
  const day = `2026-03-${String(d).padStart(2, '0')}`;
  for (const style of [{ dateStyle: 'medium' }, { day: 'numeric', month: 'short' },
    { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }]) DATA.push(calendarWords(day, style));
}
DATA.sort((x, y) => y.length - x.length); // the longest first, so no shorter one splits it
Object.assign(SCREENS, {
  'assign: the library': () => libraryPage({ peer: sam, kinds, templates: [{ id: 't1', title: 'Template',
    summary: 'TemplateSummary', kind: 'journal' }, { id: 't2', title: 'Template', summary: 'TemplateSummary',
    kind: 'worksheet' }], assignments: [{ id: 'a1', doc: assigned }, { id: 'a2', doc: { ...assigned,
    withdrawn: true } }] }),
  'assign: the library could not load': () => libraryPage({ peer: { ...sam, linked: false }, kinds, templates: null }),
  'assign: a worksheet, with an error': () => assignForm({ peer: sam, action: '/a', heading: 'Template',
    kindLabel: 'KindLabel', worksheet: true, minutes: true, values, error: formError, cancel: '/x' }),
  'assign: editing': () => assignForm({ peer: { userId: '', handle: 'Handle', linked: false }, action: '/a',
    heading: 'Template', kindLabel: 'KindLabel', worksheet: false, minutes: false, values, editing: true,
    error: Object.assign(new Error("assignment 'schedule.due' must not be before the start date."),
      { fieldId: 'schedule.due', problem: { code: 'beforeStart' } }), slots: [0, 1], cancel: '/x' }),
  'assign: the review': () => reviewPage({ id: 'a1', doc: assigned, pending: true, peer: sam, review: reviewed,
    feedback: [{ words: 'KindLabel', comment: 'ReasonGiven', occurrence: '2026-03-02' }],
    linked: [{ occurrence: '2026-03-02', summary: null }, { occurrence: '2026-03-03', summary: 'Sunny walk' }],
    weeks: [{ week_start: '2026-03-02', minutes: 5, target: 30 }, { week_start: '2026-03-09', minutes: 40,
      target: 30 }], mood: [{ at: '2026-03-02T08:00:00Z', score: 4 }, { at: '2026-03-04T08:00:00Z', score: 6 }],
    notice: t('assign.saved') }),
  'assign: a review, withdrawn, nobody, nothing yet': () => reviewPage({ id: 'a1', doc: { ...assigned,
    withdrawn: true, instructions: '' }, peer: null, review: { today: '2026-03-06', rows: [],
    completion: { done: 0, due: 0, rate: null } }, feedback: [], linked: [], weeks: [], mood: [] }),
  'assign: withdraw': () => [withdrawPage({ id: 'a1', doc: assigned, peer: sam }), withdrawPage({ id: 'a1',
    doc: assigned, peer: null })].join(''),
  'assign: blocked': () => [assignBlockedPage(moved), assignBlockedPage(wrong), assignBlockedPage({ ...fine,
    linked: false }), assignBlockedPage(fine), assignBlockedPage(null)].join(''),
  'assign: not found': () => assignNotFoundPage(),
  "care: the clients": () => clientsPage([{ peer: sam, newCount: 2, lastSession: '2026-03-05' },
    { peer: { ...moved, held: 2 }, newCount: 0, lastSession: null }]),
  "care: no clients": () => clientsPage([]),
  "care: a client's page": () => clientPage({ peer: sam, marks, today: '2026-03-10', items: care, canAssign: true,
    assignments: [{ id: 'a1', doc: assigned, pending: true }], notice: t('assign.saved'),
    clients: [{ peer: sam, newCount: 1, lastSession: null }] }),
  "care: a blocked client's page": () => [moved, wrong, tofu, { ...fine, linked: false }].map((p) => clientPage({
    peer: { ...p, held: 1 }, marks: [], today: '2026-03-10', items: [], canAssign: false, assignments: [] }))
    .join(''),
  'care: print': () => [printPage({ peer: sam, marks, today: '2026-03-10', items: care,
    range: { from: '2026-03-01', to: '2026-03-10' } }), printPage({ peer: sam, marks: [], today: '2026-03-10',
    items: [], range: null })].join(''),
});

// "Save a copy of your entries" (issue 14): the page in each state, what bringing a copy back did, and the text file.
Object.assign(SCREENS, {
  'export: the page': () => [exportPage(client, { entries: 1, others: 0 }), exportPage(client, { entries: 3,
    others: 1, notice: copyWords({ entries: [{}], already: 1, unreadable: 2, notEntries: 3 }) }),
  exportPage(client, { entries: 0, others: 2, notice: copyWords({ entries: [], already: 0, unreadable: 0,
    notEntries: 0 }), problem: t('export.problem.notJson') })].join(''),
  'export: the text file': () => exportText([{ id: 'e1', kind: 'journal', fields: { body: 'Sunny walk',
    plot: 'Flying' }, created_at: A, updated_at: B, shared_with: ['Handle'], conflicts: [{ note: 'ReasonGiven' },
      ...[NOTE_TEXT, NOTE_VALUE, NOTE_LIST, NOTE_ITEM, NOTE_DELETE].map((note) => ({ at: '', strategy: 'x', note }))] },
  { id: 'e2', kind: 'journal', fields: {}, created_at: null, updated_at: null, shared_with: [] }],
  new Map([['journal', journal]]), 'Handle', new Date(A)),
});

// kinds.json and templates.json through the catalogue (core/kind-words.js), as the worker keeps them: every kind's
// card and form, and the template library, with no word of their own. Emotion suggestions are not shown as words.
const realKinds = kindTable(localiseKinds(JSON.parse(readFileSync(new URL('../../../sync/kinds.json',
  import.meta.url), 'utf8'))));
const realTemplates = templateTable(localiseTemplates(JSON.parse(readFileSync(new URL('../../../sync/templates.json',
  import.meta.url), 'utf8'))));
Object.assign(SCREENS, {
  "kinds.json: choosing a kind": () => chooseKindPage(realKinds),
  "kinds.json: every kind's form": () => [...realKinds.values()].map((kind) => entryForm(kind)).join(''),
  'templates.json: the library': () => libraryPage({ peer: sam, kinds: realKinds,
    templates: [...realTemplates.values()] }),
  "templates.json: every template's form": () => [...realTemplates.values()].map((one) => assignForm({ peer: sam,
    action: '/a', heading: one.title, kindLabel: realKinds.get(one.kind)?.label ?? t('assign.form.aWorksheet'),
    worksheet: Boolean(one.worksheet), minutes: true, cancel: '/x', values: { title: one.title,
      instructions: one.instructions, freq: 'daily', time_zone: 'Europe/Berlin', questions: (one.worksheet?.fields
        ?? []).map((f) => ({ label: f.label, type: f.type, options: (f.constraints?.options ?? []).map((o) => o.label)
      })) } })).join(''),
});

// The safety plan and the crisis page (issue 14): the plan's steps come from kinds.json (data here); the operator's
// lines, the numbers and the therapist's contact are data too.
const planKind = { id: 'safety-plan', label: 'KindLabel', description: 'KindDescription',
  fields: ['warning_signs', 'helpers', 'professionals', 'reasons'].map((id) => ({ id, label: 'FieldLabel', type: 'list',
    required: false, merge: 'list', constraints: {} })) };
const plan = { id: 'e9', kind: 'safety-plan', createdAt: A, updatedAt: B,
  fields: { warning_signs: ['Sunny walk'], helpers: ['Sunny walk 07700 900123'] } };
const lines = { region: 'Region', emergency: '112', lines: [{ name: 'LineName', phone: '+49 800 111 0 111',
  sms: '85258', url: 'https://line.example.org', hours: 'LineHours', about: 'LineAbout' }] };
const contact = { from: 'dr.lee', name: 'LineName', phone: '020 7946 0999', sms: null, hours: 'LineHours',
  note: 'LineAbout' };
DATA.push('Region', 'LineName', 'LineHours', 'LineAbout', '07700 900123', '+49 800 111 0 111', '85258', '112',
  '020 7946 0999',
  // A list question's own hint (screens/fields.js), not in the catalogues yet, as for every list of kinds.json.
  'One per line.');
Object.assign(SCREENS, {
  'safety plan: none yet, no lines configured': () => planPage({ plan: null, kind: planKind, crisis: NO_LINES }),
  'safety plan: written, lines and a contact': () => planPage({ plan, kind: planKind, crisis: lines,
    contacts: [contact], notice: savedNotice() }),
  'safety plan: the form, refused': () => planForm({ kind: planKind, plan, values: plan.fields,
    error: Object.assign(new FieldError('too long', 'helpers'), { limit: { max: 300, length: 301 } }) }),
  'crisis page: configured': () => crisisPage(lines),
  'crisis page: nothing configured': () => crisisPage(NO_LINES),
  'plan contact: the form, with one': () => contactForm({ peer: fine, values: contact, current: contact,
    notice: 'saved' }),
  'plan contact: refused': () => ['name', 'phone', 'hours'].map((id) => contactForm({ peer: fine, values: {},
    error: new FieldError('bad', id) })).join(''),
});

// A form's problems as the validators name them (core/fields.js codes), said by the catalogue.
const problems = [];
for (const kind of realKinds.values()) {
  for (const field of kind.fields) {
    problems.push([kind, missing(field)]);
    for (const value of [5, 'a\nb', true, 'nope', [{}], [{ name: 'a', intensity: 500 }], 11, -1]) {
      try {
        checkField(field, value);
      } catch (err) {
        problems.push([kind, err]);
      }
    }
  }
}
SCREENS["a form's problems, every field of every kind"] = () => problems.map(([kind, err]) => entryForm(kind,
  { error: err })).join('');

for (const [name, render] of Object.entries(SCREENS)) {
  test(`nothing untranslated: ${name}`, async () => {
    const markup = String(await render());
    assert.ok(markup.includes('⟦'), 'the pseudo-locale is in use');
    assert.deepEqual(untranslated(markup), []);
  });
}

test('the check itself finds a word that is not from the catalogue', () => {
  assert.deepEqual(untranslated(`${nav('entries')}<p>Hello</p><a aria-label="Close">×</a>`), ['Hello', 'Close']);
});
