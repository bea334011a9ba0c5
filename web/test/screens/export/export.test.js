// "Save a copy of your entries" (export.js): the readable file and the page. The JSON file and the downloads are
// checked in Chromium (tests/browser/test_export_browser.py), where IndexedDB and the worker exist.
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { exportPage, exportText, JSON_FILE, TEXT_FILE } from '../../../js/screens/export/export.js';
import { kindTable } from '../../../js/core/kinds.js';

const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../../sync/kinds.json', import.meta.url))));
const HOSTILE = '<script>alert(1)</script>';

const item = (id, kind, fields, extra = {}) => ({ id, kind, fields, created_at: '2026-11-20T09:30:00.000Z',
  updated_at: '2026-11-20T09:30:00.000Z', shared_with: [], pending: false, ...extra });

const items = [
  item('c', 'thought-record', {
    situation: 'Team meeting\nI presented the plan', automatic_thought: 'They think I am boring',
    emotions: [{ name: 'anxious', intensity: 70 }, { name: 'ashamed', intensity: 30 }],
    thinking_patterns: ['mind-reading'], balanced_thought: HOSTILE,
  }, { shared_with: ['dr-lee'], updated_at: '2026-11-21T10:00:00.000Z' }),
  item('b', 'mood', { score: 3, emotions: ['tired', 'flat'] }, { created_at: null, updated_at: null }),
  item('a', 'journal', { body: 'Slept badly.', from_a_newer_app: { x: 1 } },
    { conflicts: [{ note: 'Edited on two devices at once: both versions are kept in the text.' }] }),
  item('z', null, {}, { type: 'assignment', document: { type: 'assignment' } }),
];

test('the text file: one block per entry, fields by their labels in the kind\'s order, values in words', () => {
  const text = exportText(items, kinds, 'sam');
  assert.match(text, /^Between: 3 entries of sam\n/);
  assert.match(text, /Anyone who has this file can read it\./);
  const blocks = text.split(/\n─{40}\n/).slice(1);
  assert.equal(blocks.length, 3, 'assignments and other documents are left to the JSON file');
  const [thought, mood, journal] = blocks;
  assert.match(thought, /^\nThought record, /);
  assert.match(thought, /\nEdited /);
  assert.match(thought, /\nShared with dr-lee\n/);
  assert.match(thought, /\n {2}Team meeting\n {2}I presented the plan\n/, 'long text keeps its lines');
  assert.match(thought, /anxious 70, ashamed 30/);
  assert.ok(thought.indexOf('Situation') < thought.indexOf('Automatic thought'), 'the kind\'s order');
  assert.ok(thought.includes(HOSTILE), 'plain text: written as typed, not escaped');
  assert.match(thought, /Thinking patterns:\n {2}Mind reading\n/, 'choices by their labels');
  assert.match(mood, /, undated\n/);
  assert.match(mood, /3 out of 10/);
  assert.match(mood, / {2}- tired\n {2}- flat/);
  assert.match(journal, /Slept badly\./);
  assert.match(journal, /from_a_newer_app:\n {2}\{"x":1\}/, 'a field the kind does not know is kept, as JSON');
  assert.match(journal, /Note: Edited on two devices at once/);
  assert.match(exportText([], kinds), /^Between: 0 entries\n/);
  assert.match(exportText(items.slice(2, 3), kinds), /^Between: 1 entry\n/);
});

test('the page: both downloads, the warning that the file is readable, the handle escaped', () => {
  const page = String(exportPage({ role: 'client', handle: HOSTILE }, { entries: 2, others: 1 }));
  // Plain links, no `download` attribute: Chromium sends such a download past the service worker, while a
  // navigation reaches it, and the worker's Content-Disposition makes it a download.
  assert.ok(page.includes(`href="/app/export/${TEXT_FILE}">`) && page.includes(`href="/app/export/${JSON_FILE}">`));
  assert.ok(!page.includes(' download'));
  assert.match(page, /holds 2 entries of yours, and 1 assignment, answer or session note/);
  assert.match(page, /not encrypted: anyone who opens it can read your entries/);
  assert.match(String(exportPage({ role: 'client' }, { entries: 1, others: 0 })), /holds 1 entry of yours\. /);
  assert.ok(!page.includes('<script>'));
});

test('a saved copy: entries not here yet come back checked; the rest is counted, never half-read', async () => {
  const { readCopy, copyWords, CopyError } = await import('../../../js/screens/export/export.js');
  const here = [{ kind: 'journal', createdAt: '2026-11-20T09:30:00.000Z' }];
  const copy = JSON.stringify([
    item('a', 'journal', { body: 'already on this device' }),
    item('b', 'journal', { body: 'Walked to the sea.', title: HOSTILE }, { created_at: '2026-11-21T08:00:00.000Z',
      updated_at: '2026-11-21T09:00:00.000Z' }),
    item('c', 'mood', { score: 11 }, { created_at: '2026-11-22T08:00:00.000Z' }), // off the scale
    item('d', 'no-such-kind', { body: 'x' }),
    item('e', 'mood', { score: 4 }, { created_at: 'yesterday-ish' }),
    item('f', null, {}, { type: 'assignment', document: { type: 'assignment' } }),
    'not an entry',
  ]);
  const found = readCopy(copy, kinds, here);
  assert.deepEqual(found.entries, [{ kind: 'journal', fields: { title: HOSTILE, body: 'Walked to the sea.' },
    createdAt: '2026-11-21T08:00:00.000Z', updatedAt: '2026-11-21T09:00:00.000Z' }]);
  assert.deepEqual([found.already, found.unreadable, found.notEntries], [1, 4, 1]);
  assert.equal(copyWords(found), 'Brought back 1 entry. 1 was on this device already. 4 entries could not be read '
    + 'and were left out. 1 assignment, answer or note was left out: they come back with sync.');
  // The same copy twice: the second time nothing new (its entries are here now).
  const again = readCopy(copy, kinds, [...here, ...found.entries]);
  assert.equal(again.entries.length, 0);
  assert.match(copyWords(again), /^No entry was brought back\. 2 were on this device already\./);
  for (const bad of ['{"not": "a list"}', 'plain words', '']) {
    assert.throws(() => readCopy(bad, kinds, []), CopyError);
  }
});

// The rules live in the shared cases, which sync/client/saved_copy.py (between import) passes too.
const RESTORE = JSON.parse(readFileSync(new URL('../../../../tests/vectors/restore.json', import.meta.url))).cases;

for (const c of RESTORE) {
  test(`bringing back a saved copy, as Python does: ${c.name}`, async () => {
    const { readCopy, CopyError } = await import('../../../js/screens/export/export.js');
    const text = c.text ?? JSON.stringify(c.copy);
    const here = c.here.map(([kind, createdAt]) => ({ kind, createdAt }));
    if (c.expect.refused) {
      assert.throws(() => readCopy(text, kinds, here),
        (err) => err instanceof CopyError && err.message.endsWith(`(${c.expect.refused}).`));
      return;
    }
    const found = readCopy(text, kinds, here);
    assert.deepEqual(found.entries.map((e) => ({ kind: e.kind, fields: e.fields, created_at: e.createdAt,
      updated_at: e.updatedAt })), c.expect.entries);
    assert.deepEqual([found.already, found.unreadable, found.notEntries],
      [c.expect.already, c.expect.unreadable, c.expect.not_entries]);
  });
}

test('the text file says every choice by its label: a relaxation, a lifestyle change, a worksheet answer', () => {
  const sheet = { fields: [{ id: 'q1', label: 'What worry came up?', type: 'long_text', required: true },
    { id: 'q2', label: 'Where did it happen?', type: 'single_choice', constraints: { options: [
      { id: 'o1', label: 'At home' }, { id: 'o2', label: 'At work' }] } }] };
  const text = exportText([
    item('r', 'relaxation', { minutes: 10, technique: 'box-breathing' }),
    item('l', 'lifestyle', { area: 'sleep', goal: 'Lights out by eleven', did_it: true }),
    item('w', 'worksheet', { q1: 'The bus', q2: 'o2' }, { worksheet: sheet, title: 'Worry log' }),
    item('n', 'relaxation', { minutes: 5, technique: 'tapping' }),
  ], kinds);
  assert.match(text, /Technique:\n {2}Box breathing\n/);
  assert.match(text, /Area:\n {2}Sleep\n/);
  assert.match(text, /\nWorry log, /, 'a worksheet answer under its title');
  assert.match(text, /Where did it happen\?:\n {2}At work\n/);
  assert.match(text, /Technique:\n {2}tapping \(a newer choice\)\n/, 'a newer version\'s choice: its id, marked');
  for (const id of ['box-breathing', 'sleep', 'q1', 'q2', 'o2', 'worksheet']) {
    assert.ok(!new RegExp(`(^|[^\\w-])${id}([^\\w-]|$)`).test(text), id);
  }
});

test('attachments in the text file: in words, never by their keys, in a field this version knows or not', () => {
  const key = 'GSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k6_I';
  const voice = { id: '6f1c0d2e-3b4a-4c5d-9e6f-708192a3b4c5', key, size: 84321, digest: key, media: 'audio/webm',
    duration_ms: 5012 };
  const photo = { ...voice, id: '5777ee97-d319-4841-b5e7-5619aa283fe4', media: 'image/jpeg', width: 1200, height: 900,
    size: 2149999 };
  delete photo.duration_ms;
  const text = exportText([item('v', 'voice', { recording: [voice] }),
    item('j', 'journal', { body: 'b', photos: [photo], from_a_newer_app: [voice] })], kinds, 'sam');
  assert.match(text, /Recording:\n {2}Voice recording, 0:05, 84 KB\n/);
  assert.match(text, /Photos:\n {2}Photo, 1200 × 900, 2\.1 MB\n/);
  assert.match(text, /from_a_newer_app:\n {2}Voice recording, 0:05, 84 KB\n/);
  assert.ok(!text.includes(key));
});
