// The registry of field types (core/fields.js): every type kinds.json names has a complete entry, and the same
// types as sync/core/fields.py (tests/sync/core/test_fields.py holds that one to the same list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../messages-setup.js'; // the English catalogue in use, strict (values in words)
import { readFile } from 'node:fs/promises';
import { FIELD_TYPES, fieldType, optionLabel } from '../../js/core/fields.js';
import { WORKSHEET_TYPES } from '../../js/core/assignments.js';

const read = async (path) => readFile(new URL(path, import.meta.url), 'utf8');
const schema = JSON.parse(await read('../../../sync/kinds.json'));
const templates = JSON.parse(await read('../../../sync/templates.json')).templates;
const pythonSource = await read('../../../sync/core/fields.py');
const pythonLiteral = /FieldType = Literal\[([^\]]+)\]/.exec(pythonSource)[1];
const MERGES = ['list', 'scalar', 'set', 'text', 'union'];

test('the registry is the list of field types kinds.json names, in its order, and the Python FieldType', () => {
  const named = /Field types: ([^.]+)\./.exec(schema.about)[1].split(', ');
  assert.deepEqual(Object.keys(FIELD_TYPES), named);
  assert.deepEqual(Object.keys(FIELD_TYPES), [...pythonLiteral.matchAll(/"(\w+)"/g)].map((m) => m[1]));
  const used = new Set([...schema.kinds.flatMap((k) => k.fields.map((f) => f.type)),
    ...templates.flatMap((t) => t.worksheet?.fields.map((f) => f.type) ?? [])]);
  for (const type of used) assert.ok(fieldType(type), type);
});

test('every type has every hook', () => {
  for (const [name, t] of Object.entries(FIELD_TYPES)) {
    assert.ok(t.merges.length && t.merges.every((m) => MERGES.includes(m)), name);
    assert.deepEqual(t.merges, [...t.merges].sort(), `${name}: merges sorted, as error messages list them`);
    assert.equal(typeof t.recordsMinutes, 'boolean', name);
    assert.ok([null, 'text', 'choice'].includes(t.headline), name);
    for (const hook of ['check', 'read', 'byChoice', 'words', 'text']) {
      assert.equal(typeof t[hook], 'function', `${name}.${hook}`);
    }
    if (t.worksheet !== null) {
      assert.ok(t.merges.includes(t.worksheet.merge), name);
      assert.ok(t.worksheet.extra.every((e) => ['options', 'suggestions'].includes(e)), name);
      for (const [lo, hi, fallback] of Object.values(t.worksheet.limits)) {
        assert.ok(lo <= fallback && fallback <= hi, name);
      }
    }
  }
  assert.equal(fieldType('constructor'), null, 'only the registry\'s own names');
  assert.equal(fieldType('newer_type'), null);
});

test('worksheets offer every type that says how, in the registry\'s order', () => {
  assert.deepEqual(WORKSHEET_TYPES, Object.keys(FIELD_TYPES).filter((t) => FIELD_TYPES[t].worksheet));
  assert.ok(!WORKSHEET_TYPES.includes('emotions'));
});

test('values in words and as the saved copy\'s text', () => {
  const options = [{ id: 'a', label: 'Apple' }, { id: 'b', label: 'Bean' }];
  const choice = { type: 'multi_choice', constraints: { options } };
  assert.equal(FIELD_TYPES.multi_choice.words(choice, ['b', 'a']), 'Bean, Apple');
  assert.equal(FIELD_TYPES.scale.text({ constraints: { max: 10 } }, 3), '3 out of 10');
  assert.equal(FIELD_TYPES.list.text({}, ['a', 'b']), '- a\n- b');
  assert.equal(FIELD_TYPES.emotions.text({}, [{ name: 'sad', intensity: 40 }]), 'sad 40');
  assert.equal(FIELD_TYPES.yes_no.text({}, false), 'No');
});

test('choices in words by their labels; one this version does not offer as the view says it, else by its id', () => {
  const options = [{ id: 'a', label: 'Apple' }, { id: 'b', label: 'Bean' }];
  const one = { type: 'single_choice', constraints: { options } };
  const several = { type: 'multi_choice', constraints: { options } };
  const newer = (id) => `${id} (newer)`;
  assert.equal(FIELD_TYPES.single_choice.words(one, 'b'), 'Bean');
  assert.equal(FIELD_TYPES.single_choice.text(one, 'z', newer), 'z (newer)');
  assert.equal(FIELD_TYPES.single_choice.words(one, 'z'), 'z');
  assert.equal(FIELD_TYPES.multi_choice.text(several, ['a', 'z'], newer), 'Apple, z (newer)');
  assert.equal(optionLabel(one, 'a'), 'Apple');
  assert.equal(optionLabel(one, 'z'), null);
});

test('the types that say what an entry is about are the same in sync/core/fields.py', () => {
  const python = Object.fromEntries([...pythonSource.matchAll(/name = "(\w+)"\n    headline = "(\w+)"/g)]
    .map((m) => [m[1], m[2]]));
  const js = Object.fromEntries(Object.entries(FIELD_TYPES).filter(([, t]) => t.headline).map(([n, t]) => [n, t.headline]));
  assert.deepEqual(js, python);
  assert.deepEqual(js, { short_text: 'text', long_text: 'text', single_choice: 'choice' });
});
