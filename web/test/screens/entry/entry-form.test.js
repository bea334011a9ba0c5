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
  // A limited answer is described by its counter too (screens/fields.js limitCounter).
  assert.match(text, /id="f-situation"[^>]*aria-invalid="true" aria-describedby="form-error f-situation-hint f-situation-count"/);
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

test('a new entry of their own offers a switch per therapist, off: nothing is shared unless chosen', () => {
  const therapist = { userId: '11111111-1111-4111-8111-111111111111', handle: 'dr.lee', role: 'therapist',
    linked: true, changed: null, verifiedHow: 'invite-link' };
  const fresh = form('mood', { share: [{ peer: therapist, on: false }] });
  assert.match(fresh, /<input type="checkbox" role="switch" id="share-0" name="share"\s+value="11111111-1111-4111-8111-111111111111"\s*>/);
  assert.doesNotMatch(fresh, /role="switch"[^>]*checked/);
  assert.match(fresh, /<label for="share-0">Share with dr\.lee<\/label>/);
  assert.match(fresh, /<p class="share-on">dr\.lee will see this entry\.<\/p>/);
  assert.match(fresh, /<p class="share-off">Only you will see this entry\.<\/p>/);
  // Sent back with an error, it stays as it was sent; editing an entry has no switch (its page shares it).
  assert.match(form('mood', { share: [{ peer: therapist, on: true }] }), /role="switch"[^>]*\s+checked/);
  const editing = form('mood', { entry: { id: 'e1', fields: {} }, share: [{ peer: therapist, on: true }] });
  assert.doesNotMatch(editing, /role="switch"/);
  assert.doesNotMatch(form('mood'), /role="switch"/);
});

test('a field with a limit has a counter and no maxlength (which cuts a paste short without a word)', () => {
  for (const kind of kinds.values()) {
    const text = form(kind.id);
    assert.doesNotMatch(text, /maxlength/, kind.id);
    for (const f of kind.fields.filter((x) => ['short_text', 'long_text'].includes(x.type))) {
      assert.match(text, new RegExp(`id="f-${f.id}"[^>]*aria-describedby="[^"]*f-${f.id}-count"[^>]*data-limit="${
        f.constraints.max_length}"`), `${kind.id}.${f.id}`);
      assert.match(text, new RegExp(`<p class="limit-count" id="f-${f.id}-count" aria-hidden="true" hidden></p>`));
      assert.match(text, new RegExp(`<span class="visually-hidden" role="status" id="f-${f.id}-count-say"></span>`));
    }
  }
});

test('a save over the limit is refused naming the question and the limit, and the form keeps every character', () => {
  const over = `${'word '.repeat(4000)}and more`; // 20,008 characters
  const error = Object.assign(new FieldError('Situation must be at most 20000 characters.', 'situation'),
    { limit: { max: 20000, length: over.length } });
  const text = form('thought-record', { values: { situation: over }, error });
  assert.match(text, /role="alert" id="form-error">“Situation” holds 20,008 characters, more than its limit of 20,000\. Nothing was cut: shorten it by 8 characters and save again\.<\/p>/);
  assert.ok(text.includes(`>${over}</textarea>`), 'everything typed is in the form again');
});

test('entry forms keep a draft: one per kind when new, one per entry when edited', () => {
  assert.match(form('journal'), /data-draft="entry\/new\/journal" data-draft-path="\/app\/entries\/new\?kind=journal" data-draft-kind="journal" data-draft-title=""\s+data-draft-what="new"/);
  const entry = written('journal', { body: 'Slept well.' });
  assert.match(String(entryForm(kinds.get('journal'), { entry, values: entry.fields })),
    new RegExp(`data-draft="entry/${entry.id}/edit" data-draft-path="/app/entries/${entry.id}/edit"`));
});

test('Entries lists the drafts to continue, newest first as given, each a link back to its form', async () => {
  const { entriesPage } = await import('../../../js/screens/entry/entry-views.js');
  const none = String(entriesPage([], kinds));
  assert.doesNotMatch(none, /Continue where you left off/);
  const page = String(entriesPage([], kinds, { drafts: [
    { form: 'entry/new/journal', path: '/app/entries/new?kind=journal', kind: 'journal', title: '', what: 'new',
      updatedAt: '2026-03-24T19:00:00.000Z' },
    { form: 'todo/a/2026-03-24', path: '/app/todo/a/2026-03-24', kind: 'worksheet', title: 'Worry <log>',
      what: 'answer', updatedAt: '2026-03-24T18:00:00.000Z' }] }));
  assert.match(page, /<h2 id="drafts-title">Continue where you left off<\/h2>/);
  assert.match(page, /<a href="\/app\/entries\/new\?kind=journal" class="" hx-get="\/app\/entries\/new\?kind=journal"[^>]*>Journal<\/a>\s*<span class="meta">New entry · changed <time datetime="2026-03-24T19:00:00.000Z">/);
  assert.match(page, /hx-get="\/app\/todo\/a\/2026-03-24"[^>]*>Worry &lt;log&gt;<\/a>\s*<span class="meta">Answer · changed/);
  assert.ok(page.indexOf('Continue where') < page.indexOf('id="q"'), 'above the search and the list');
});
