// kinds.json and templates.json in the catalogues (core/kind-words.js): en.json holds exactly their English under
// keys derived from where each piece of text sits, and the worker's copy of the files speaks the language in use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kindMessages, localiseKinds, localiseTemplates, templateMessages } from '../../js/core/kind-words.js';
import { useLanguage } from '../../js/core/messages.js';
import { withKindSection } from '../../tools/kind-messages.js';
import { pseudoLocalise } from '../pseudo-locale.js';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const kinds = JSON.parse(read('../../../sync/kinds.json'));
const templates = JSON.parse(read('../../../sync/templates.json'));
const enText = read('../../i18n/en.json');
const en = JSON.parse(enText);

test("en.json's kind.* and template.* keys are exactly kinds.json's and templates.json's words", () => {
  const derived = { ...kindMessages(kinds), ...templateMessages(templates) };
  const inCatalogue = Object.fromEntries(Object.entries(en).filter(([key]) => /^(kind|template)\./.test(key)));
  assert.deepEqual(inCatalogue, derived);
  // and `make messages` would change no message (where the section sits in the file is left to it)
  assert.deepEqual(JSON.parse(withKindSection(enText, kinds, templates)), en, 'run make messages');
});

test('every label, description, hint and option has its key; ids as the files spell them', () => {
  const words = kindMessages(kinds);
  assert.equal(words['kind.journal.label'], 'Journal');
  assert.equal(words['kind.thought-record.field.thinking_patterns.option.all-or-nothing'], 'All-or-nothing thinking');
  for (const kind of kinds.kinds) {
    for (const field of kind.fields) {
      assert.ok(`kind.${kind.id}.field.${field.id}.label` in words, `${kind.id} ${field.id}`);
      if (field.hint) assert.ok(`kind.${kind.id}.field.${field.id}.hint` in words);
    }
  }
  assert.equal(templateMessages(templates)['template.pleasant-activities.field.did_it.label'], 'I did it');
  assert.throws(() => kindMessages({ kinds: [{ id: 'x', label: 'A {b}', description: 'd', fields: [] }] }),
    /cannot be in a message/);
});

test('the copy the worker keeps speaks the language in use, its structure unchanged; the English where a key is missing', () => {
  const pseudo = pseudoLocalise(en);
  delete pseudo['kind.mood.field.note.label']; // a newer kinds.json than the catalogue
  useLanguage({ language: 'en-XA', locale: 'en', catalogue: pseudo });
  const local = localiseKinds(kinds);
  const journal = local.kinds.find((k) => k.id === 'journal');
  assert.match(journal.label, /^⟦.*⟧$/);
  assert.match(journal.fields.find((f) => f.id === 'prompt').hint, /^⟦.*⟧$/);
  const technique = local.kinds.find((k) => k.id === 'relaxation').fields.find((f) => f.id === 'technique');
  assert.ok(technique.constraints.options.every((o) => /^⟦.*⟧$/.test(o.label)));
  assert.equal(local.kinds.find((k) => k.id === 'mood').fields.find((f) => f.id === 'note').label, 'Note');
  const strip = (schema) => JSON.stringify(schema, (key, value) => (['label', 'description', 'hint'].includes(key)
    ? '' : value));
  assert.equal(strip(local), strip(kinds));
  const sheet = localiseTemplates(templates).templates.find((t) => t.id === 'pleasant-activities');
  assert.match(sheet.title, /^⟦.*⟧$/);
  assert.match(sheet.instructions, /^⟦.*⟧$/);
  assert.ok(sheet.worksheet.fields.every((f) => /^⟦.*⟧$/.test(f.label)));
  assert.equal(kinds.kinds[0].label, 'Journal', 'the file itself is left as it is');
  // No catalogue with these words in use: the files as they are.
  useLanguage({ language: 'en', catalogue: {} });
  assert.equal(localiseKinds(kinds), kinds);
  assert.equal(localiseTemplates(templates), templates);
});

test("the command's catalogues get the kind.* and field.problem.* sections of the web's, the rest of theirs kept", async () => {
  const { cliKindWords, withSection, CLI_SECTIONS } = await import('../../tools/kind-messages.js');
  const web = { 'kind.a.label': 'A', 'field.problem.range': '“{label}” from {min}', 'nav.today': 'Today' };
  const copied = cliKindWords(web);
  assert.deepEqual(copied, { 'kind.a.label': 'A', 'field.problem.range': '“{label}” from {min}' });
  const cli = '{\n  "account.x": "X",\n  "field.problem.range": "old words",\n  "field.parse.choose": "mine",\n'
    + '  "kind.gone.label": "Gone"\n}\n';
  const next = JSON.parse(withSection(cli, copied, CLI_SECTIONS));
  assert.deepEqual(next, { 'account.x': 'X', 'field.parse.choose': 'mine', ...copied });
  // The files as they are now: each command catalogue holds its web catalogue's sections exactly (what
  // `node tools/kind-messages.js --check` checks).
  for (const code of ['en', 'es']) {
    const mine = JSON.parse(read(`../../../sync/i18n/${code}.json`));
    const theirs = cliKindWords(JSON.parse(read(`../../i18n/${code}.json`)));
    const section = Object.fromEntries(Object.entries(mine).filter(([key]) => CLI_SECTIONS.some((p) => key.startsWith(p))));
    assert.deepEqual(section, theirs, `${code}: run make messages`);
  }
});
