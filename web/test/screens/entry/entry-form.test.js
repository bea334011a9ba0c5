// The entry form's questions: an optional one-of-a-few can be unanswered again, numbers say their range before they
// are refused, and the form's error is tied to the field it is about.
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { readFileSync } from 'node:fs';
import test from 'node:test';

import { entryForm, entryPage } from '../../../js/screens/entry/entry-views.js';
import { FieldError, kindTable, readForm } from '../../../js/core/kinds.js';

const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../../sync/kinds.json', import.meta.url))));
const form = (kind, options) => String(entryForm(kinds.get(kind), options));

test('an optional scale or choice offers "No answer", checked when there is none; a required one does not', () => {
  const fresh = form('relaxation');
  assert.match(fresh, /name="f.tension_before" value="" id="f-tension_before-11"\s+checked><span>No answer<\/span>/);
  assert.match(fresh, /name="f.technique" value="" id="f-technique-\d+"\s+checked><span>No answer<\/span>/);
  const answered = form('relaxation', { values: { tension_before: 7 } });
  assert.match(answered, /name="f.tension_before" value="7" id="f-tension_before-7"\s+checked>/);
  assert.doesNotMatch(answered, /name="f.tension_before" value="" id="f-tension_before-11"\s+checked/);
  assert.doesNotMatch(form('mood'), /No answer/, 'the mood score is required');
  // Choosing "No answer" after a tap leaves the field out, as never answering it does.
  const data = new FormData();
  data.set('f.minutes', '10');
  data.set('f.tension_before', '');
  data.set('f.technique', '');
  const values = readForm(kinds.get('relaxation'), data);
  assert.equal(values.tension_before, null);
  assert.equal(values.technique, null);
});

test('numbers typed in a box say their unit and range; scales say what their ends mean', () => {
  assert.match(form('relaxation'), /id="f-minutes-hint">In minutes, from 1 to 240\.</);
  assert.match(form('experiment'), /completely sure it will happen as I expect\. A number from 0 to 100, in steps of 5\.</);
  assert.match(form('experiment'), /id="f-belief_before"[^>]*aria-describedby="f-belief_before-hint"/);
  assert.match(form('relaxation'), /0 is no tension at all, 10 the most you can imagine\./);
});

test('the error is named by the field it is about', () => {
  const text = form('thought-record', { error: new FieldError('Situation is required.', 'situation') });
  assert.match(text, /<p class="error" role="alert" id="form-error">Situation is required\.<\/p>/);
  assert.match(text, /id="f-situation"[^>]*aria-invalid="true" aria-describedby="form-error f-situation-hint"/);
  const grouped = form('mood', { error: new FieldError('Mood is required.', 'score') });
  assert.match(grouped, /<fieldset class="field invalid" aria-describedby="form-error f-score-hint"\s+aria-invalid="true">/);
});

const written = (kind, fields) => ({ id: '0b9d6a4e-3c1f-4f0e-9c55-5d8a1e2f3a4b', version: 1, kind, fields,
  createdAt: '2026-03-24T19:00:00.000Z', updatedAt: '2026-03-24T19:00:00.000Z', conflicts: [] });

test('an entry shows the fields a newer version added under their own names, and its form says they are kept', () => {
  const entry = written('journal', { body: 'Slept well.', photo_ids: ['p-1', 'p-2'], place: { label: '<home>' } });
  const page = String(entryPage(entry, kinds.get('journal')));
  assert.match(page, /<dt>photo_ids<\/dt><dd>p-1, p-2<\/dd>/);
  assert.match(page, /<dt>place<\/dt><dd>\{&quot;label&quot;:&quot;&lt;home&gt;&quot;\}<\/dd>/);  // escaped
  assert.match(page, /newer version of Between; they are kept as they are/);
  assert.match(page, /href="\/app\/entries\/[^"]+\/edit"/);
  assert.match(String(entryForm(kinds.get('journal'), { entry, values: entry.fields })), /saving keeps them as they are/);
  assert.doesNotMatch(String(entryPage(written('journal', { body: 'x' }), kinds.get('journal'))), /newer version/);
});

test('an entry of a kind this version does not know shows its fields and no Edit, and says why', () => {
  const page = String(entryPage(written('walk-log', { steps: 4200, route: ['park', 'river'] }), null));
  // Its kind has no label here: its id, marked as a newer version's, as the heading too (it has no known answers).
  assert.match(page, /<p class="kind">walk-log \(a newer kind\)<\/p>/);
  assert.match(page, /<h1 id="entry-title">walk-log \(a newer kind\)<\/h1>/);
  assert.match(page, /<dt>steps<\/dt><dd>4200<\/dd><dt>route<\/dt><dd>park, river<\/dd>/);
  assert.match(page, /comes from a newer version of Between/);
  assert.doesNotMatch(page, /\/edit"/);
  assert.match(page, /\/delete"/);
});
