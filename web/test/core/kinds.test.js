// Form values become validated fields the way sync/core/kinds.py validates them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FieldError, kindTable, readForm, unknownFields, validateFields } from '../../js/core/kinds.js';

const kinds = kindTable(JSON.parse(await readFile(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));

const form = (entries) => {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
};

test('a thought record from a form: text trimmed, emotions parsed, patterns kept in schema order', () => {
  const kind = kinds.get('thought-record');
  const fields = validateFields(kind, readForm(kind, form([
    ['f.situation', 'At work\r\nlate'], ['f.automatic_thought', 'I failed'], ['f.emotions', 'anxious 80\n  sad: 40 '],
    ['f.thinking_patterns', 'labelling'], ['f.thinking_patterns', 'all-or-nothing'], ['f.balanced_thought', '   '],
  ])));
  assert.deepEqual(fields, { situation: 'At work\nlate', automatic_thought: 'I failed',
    emotions: [{ name: 'anxious', intensity: 80 }, { name: 'sad', intensity: 40 }],
    thinking_patterns: ['all-or-nothing', 'labelling'] });
});

test('mood: the score is required and must be on the scale', () => {
  const kind = kinds.get('mood');
  assert.throws(() => validateFields(kind, readForm(kind, form([]))), (e) => e instanceof FieldError && e.fieldId === 'score'
    && e.message === 'Please choose an answer for “Mood”.');
  assert.throws(() => validateFields(kinds.get('journal'), {}), { message: 'Please fill in “What\'s on your mind”.' });
  assert.throws(() => validateFields(kind, readForm(kind, form([['f.score', '11']]))), /from 0 to 10/);
  assert.throws(() => validateFields(kind, readForm(kind, form([['f.score', 'seven']]))), FieldError);
  assert.deepEqual(validateFields(kind, readForm(kind, form([['f.score', '7'], ['f.emotions', 'calm\ncalm\nok']]))),
    { score: 7, emotions: ['calm', 'ok'] });
});

test('limits and control characters are refused without echoing the value', () => {
  const kind = kinds.get('journal');
  const long = 'x'.repeat(201);
  assert.throws(() => validateFields(kind, { title: long, body: 'b' }), (e) => !e.message.includes(long));
  assert.throws(() => validateFields(kind, { body: 'a\u0007b' }), /control characters/);
  assert.throws(() => validateFields(kind, { title: 'two\nlines', body: 'b' }), /single line/);
  assert.throws(() => validateFields(kinds.get('thought-record'), { situation: 's', automatic_thought: 't',
    emotions: [{ name: 'sad', intensity: 1 }, { name: 'SAD', intensity: 2 }] }), /same emotion twice/);
});

test('the fields a newer version added are told apart from the kind\'s own, and kept as they are', () => {
  const fields = { score: 5, note: 'ok', photo_ids: ['p-1'], colour: { name: 'amber' } };
  assert.deepEqual(unknownFields(kinds.get('mood'), fields), { photo_ids: ['p-1'], colour: { name: 'amber' } });
  assert.deepEqual(unknownFields(kinds.get('mood'), { score: 5 }), {});
  assert.deepEqual(unknownFields(kinds.get('mood'), undefined), {});
});

test('an answer over its limit is refused whole, with the limit and its length, never cut', () => {
  const kind = kinds.get('thought-record');
  const over = 'a'.repeat(19_990) + ' ending 😀 here!'; // 20,005 code points, the emoji one (two UTF-16 units)
  assert.equal([...over].length, 20_005);
  const values = readForm(kind, form([['f.situation', over], ['f.automatic_thought', 'I failed'], ['f.emotions', 'sad 40']]));
  assert.equal(values.situation, over, 'read from the form as it was typed');
  assert.throws(() => validateFields(kind, values), (e) => e instanceof FieldError && e.fieldId === 'situation'
    && e.limit.max === 20_000 && e.limit.length === 20_005 && !e.message.includes(over));
  assert.equal(values.situation, over, 'nothing cut on the way');
  // At the limit exactly, counted in code points as Python's len() counts: kept whole.
  const full = 'b'.repeat(19_999) + '😀';
  assert.equal(validateFields(kind, { situation: full, automatic_thought: 't', emotions: [{ name: 'sad', intensity: 4 }] })
    .situation, full);
  // A short text's limit the same way; a list item's is said by its message alone.
  const journal = kinds.get('journal');
  assert.throws(() => validateFields(journal, { title: 'x'.repeat(201), body: 'b' }),
    (e) => e.fieldId === 'title' && e.limit.max === 200 && e.limit.length === 201);
});
