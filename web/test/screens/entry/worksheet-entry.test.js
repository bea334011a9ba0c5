// A worksheet answer is an entry of kind "worksheet" carrying its questions: the entry screens read it like any kind.
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { kindFor } from '../../../js/core/assignments.js';
import { entryList, entryPage } from '../../../js/screens/entry/entry-views.js';
import { kindTable } from '../../../js/core/kinds.js';

const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../../sync/kinds.json', import.meta.url))));
const worksheet = { fields: [
  { id: 'what', label: 'What did you try?', type: 'short_text' },
  { id: 'felt', label: 'How did it feel?', type: 'scale', constraints: { min: 0, max: 10 } },
] };
const entry = { id: '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21', version: 1, kind: 'worksheet', createdAt: '2026-03-24T19:00:00Z',
  updatedAt: '2026-03-24T19:00:00Z', fields: { what: 'Asked <b>for</b> help', felt: 6 }, conflicts: [], worksheet,
  title: 'Setting a boundary' };

test('kindFor: the kinds of kinds.json, a worksheet from the entry itself, null when unknown or broken', () => {
  assert.equal(kindFor(kinds, { kind: 'journal' }).id, 'journal');
  const k = kindFor(kinds, entry);
  assert.equal(k.label, 'Setting a boundary');
  assert.deepEqual(k.fields.map((f) => f.id), ['what', 'felt']);
  assert.equal(kindFor(kinds, { kind: 'nonsense' }), null);
  assert.equal(kindFor(kinds, { kind: 'worksheet' }), null);
  assert.equal(kindFor(kinds, { kind: 'worksheet', worksheet: { fields: [] } }), null);
});

test('a worksheet entry shows its title, questions and answers, escaped', () => {
  const list = String(entryList([entry], kinds, ''));
  assert.match(list, /Setting a boundary/);
  assert.match(list, /Asked &lt;b&gt;for&lt;\/b&gt; help/);
  const page = String(entryPage(entry, kindFor(kinds, entry)));
  assert.match(page, /<dt>What did you try\?<\/dt>/);
  assert.match(page, /<dt>How did it feel\?<\/dt><dd>6/);
  assert.doesNotMatch(page, /<b>for<\/b>/);
});
