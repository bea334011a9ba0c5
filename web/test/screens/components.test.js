// The pieces every screen shares (screens/components.js): links, the main tabs, an entry in one line, key badges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../messages-setup.js'; // the English catalogue in use, strict
import { badge, kindWords, link, nav, summary, verification, wordsFor, WORDING } from '../../js/screens/components.js';
import { icon, ICONS } from '../../js/screens/icons.js';

const UID = '22222222-2222-4222-8222-222222222222';
const HOSTILE = '<img src=x onerror="alert(1)">';
const peer = (over = {}) => ({ userId: UID, handle: 'sam', role: 'client', linked: true, changed: null,
  verifiedHow: 'safety-number', pinnedAt: '2026-03-01T10:00:00Z', ...over });

test('badges say in words how the key was verified, and link to the safety number', () => {
  assert.equal(verification(peer()).word, 'Verified by safety number');
  assert.equal(verification(peer({ verifiedHow: 'invite-link' })).word, 'Verified by invitation');
  assert.equal(verification(peer({ verifiedHow: 'tofu' })).word, 'Not verified');
  assert.equal(verification(peer({ changed: { handle: 'sam' } })).word, 'Key changed');
  assert.equal(verification(peer({ state: 'mismatch' })).word, 'Key does not match the invitation');
  assert.equal(verification(peer({ state: 'mismatch' })).state, 'changed');
  assert.match(String(badge(peer({ verifiedHow: 'tofu' }))),
    new RegExp(`href="/app/link/${UID}"[^>]*>Not verified</a>`));
});

test('a link goes into #view and the address bar; what it shows is escaped', () => {
  const a = String(link('/app/entries', HOSTILE, 'button'));
  assert.match(a, /^<a href="\/app\/entries" class="button" hx-get="\/app\/entries" hx-target="#view"/);
  assert.match(a, /hx-push-url="true">/);
  assert.ok(!a.includes('<img') && a.includes('&lt;img'));
});

test('the main tabs: the current one marked, a therapist\'s tabs on clients, a client\'s on entries', () => {
  const client = String(nav('todo'));
  assert.match(client, /<a href="\/app\/todo" class="tab" aria-current="page"[^>]*>To do<svg /);
  assert.equal((client.match(/aria-current/g) ?? []).length, 1);
  assert.ok(client.includes('/app/entries') && !client.includes('/app/clients'));
  const therapist = String(nav('clients', 'therapist'));
  assert.match(therapist, /<a href="\/app\/clients" class="tab" aria-current="page"/);
  assert.ok(therapist.includes('/app/invites') && !therapist.includes('/app/entries'));
});

test('a client\'s bar: Today, Entries, To do, Progress, More, each labelled with its icon, "New entry" first and "Safety plan" last', () => {
  const bar = String(nav('entries'));
  const links = [...bar.matchAll(/<a href="([^"]+)" class="([^"]+)"[^>]*>([^<]+)<svg class="icon"[^>]*aria-hidden="true"/g)]
    .map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(links, [['/app/entries/new', 'new-entry', 'New entry'], ['/app/today', 'tab', 'Today'],
    ['/app/entries', 'tab', 'Entries'], ['/app/todo', 'tab', 'To do'], ['/app/progress', 'tab', 'Progress'],
    ['/app/more', 'tab', 'More'], ['/app/safety-plan', 'safety-link', 'Safety plan']]);
  assert.equal((bar.match(/<svg /g) ?? []).length, links.length);
  assert.equal((bar.match(/focusable="false"/g) ?? []).length, links.length);
  for (const name of ['today', 'progress', 'more', 'new', 'safety']) {
    const marked = String(nav(name));
    assert.equal((marked.match(/aria-current="page"/g) ?? []).length, 1, name);
  }
  assert.match(String(nav('new')), /class="new-entry" aria-current="page"/);
  assert.match(String(nav('today')), /href="\/app\/today" class="tab" aria-current="page"/);
  assert.match(String(nav('progress')), /href="\/app\/progress" class="tab" aria-current="page"/);
  assert.match(String(nav('safety')), /href="\/app\/safety-plan" class="safety-link" aria-current="page"/);
  // The tabs of earlier versions are screens under More now.
  assert.match(String(nav('account')), /href="\/app\/more" class="tab" aria-current="page"/);
  assert.match(String(nav('shared')), /href="\/app\/more" class="tab" aria-current="page"/);
  assert.equal((String(nav('')).match(/aria-current/g) ?? []).length, 0);
});

test('a therapist\'s bar: Clients, Invites, More, no new entry; a screen under a tab names itself, escaped', () => {
  const bar = String(nav('more', 'therapist', 'Settings <b>'));
  assert.deepEqual([...bar.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]), ['/app/clients', '/app/invites', '/app/more']);
  assert.ok(!bar.includes('new-entry'));
  assert.match(bar, /<nav class="tabs" aria-label="Main" data-screen="Settings &lt;b&gt;">/);
  assert.ok(!String(nav('more')).includes('data-screen'));
});

test('every icon draws in the text\'s colour and hides from screen readers', () => {
  for (const name of ICONS) {
    const svg = String(icon(name));
    assert.match(svg, /^<svg class="icon" viewBox="0 0 24 24"[^>]* aria-hidden="true"\s+focusable="false"/, name);
    assert.match(svg, /stroke="currentColor"/, name);
    assert.ok(!/#[0-9a-f]{3,6}/i.test(svg), name);
  }
});

test('an entry in one line: a mood by its score, else its first written field, shortened; else the kind', () => {
  const kind = { label: 'Journal', fields: [{ id: 'title', type: 'short_text' }, { id: 'body', type: 'long_text' }] };
  assert.equal(summary({ kind: 'mood', fields: { score: 4, emotions: ['calm'] } }, null), 'Mood 4/10 · calm');
  assert.equal(summary({ kind: 'journal', fields: { title: ' ', body: 'A  long\nday' } }, kind), 'A long day');
  assert.equal(summary({ kind: 'journal', fields: { body: 'x'.repeat(100) } }, kind), `${'x'.repeat(89)}…`);
  assert.equal(summary({ kind: 'journal', fields: {} }, kind), 'Journal');
});

test('the wording setting picks the words; anything else is "activities"', () => {
  assert.equal(wordsFor({ wording: 'homework' }), WORDING.homework);
  assert.equal(wordsFor({ wording: 'other' }), WORDING.activities);
  assert.equal(wordsFor(null), WORDING.activities);
});

test('an entry in one line says a choice by its label, led before the first written answer', async () => {
  const { readFileSync } = await import('node:fs');
  const { kindTable } = await import('../../js/core/kinds.js');
  const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));
  const line = (kind, fields) => summary({ kind, fields }, kinds.get(kind));
  assert.equal(line('relaxation', { minutes: 10, technique: 'box-breathing' }), 'Box breathing');
  assert.equal(line('relaxation', { minutes: 10, technique: 'box-breathing', note: 'Calmer  after' }),
    'Box breathing · Calmer after');
  assert.equal(line('lifestyle', { area: 'sleep', goal: 'Lights out by eleven' }), 'Sleep · Lights out by eleven');
  assert.equal(line('relaxation', { minutes: 10 }), 'Breathing or relaxation', 'nothing to say: the kind');
  assert.equal(line('relaxation', { minutes: 10, technique: 'tapping' }), 'tapping (a newer choice)');
  assert.equal(line('conversation-rehearsal', { goal: 'Be heard', practised: ['out-loud'] }), 'Be heard');
  // A worksheet's choice question before its text question.
  const sheet = { label: 'Worry log', fields: [
    { id: 'q1', label: 'Where?', type: 'single_choice', constraints: { options: [{ id: 'o1', label: 'At home' }] } },
    { id: 'q2', label: 'What worry came up?', type: 'long_text' }] };
  assert.equal(summary({ kind: 'worksheet', fields: { q1: 'o1', q2: 'The bus' } }, sheet), 'At home · The bus');
  assert.equal(summary({ kind: 'dream', fields: { plot: 'Flying' } }, null), 'dream (a newer kind)');
  assert.equal(kindWords(null, 'dream'), 'dream (a newer kind)');
  assert.equal(kindWords(kinds.get('lifestyle'), 'lifestyle'), 'Lifestyle change');
});
