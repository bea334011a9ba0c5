// Nothing untranslated: the screens converted to the catalogues so far (the tabs, the entry list, search, an
// entry, the kind chooser, the form, not found), rendered with the pseudo-locale, show no word that did not come
// from it. What a person wrote, dates (Intl) and what comes from kinds.json (not in the catalogues yet) aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useLanguage } from '../../js/core/messages.js';
import { instantWords } from '../../js/core/dates.js';
import { nav } from '../../js/screens/components.js';
import { chooseKindPage, entriesPage, entryForm, entryPage, notFoundPage, undoNotice }
  from '../../js/screens/entry/entry-views.js';
import { WORDING } from '../../js/screens/components.js';
import { morePage, settingsPage } from '../../js/screens/more/more-views.js';
import { pseudoLocalise } from '../pseudo-locale.js';
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
  'Synced', 'English', 'ana'];

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
