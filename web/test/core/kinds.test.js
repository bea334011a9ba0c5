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

// The same cases, with the same words, as tests/sync/core/test_kinds.py SAME_WORDS: the app and the `between`
// command say a refusal identically, naming the question by its words and never by its id.
const WORRY = { fields: [
  { id: 'q1', label: 'What worry came up?', type: 'long_text', required: true },
  { id: 'q2', label: 'Where did it happen?', type: 'single_choice', required: true,
    constraints: { options: ['At home', 'At work'] } },
] };
const SAME_WORDS = [
  ['relaxation', { minutes: 5, technique: 'yoga' }, '“Technique” must be one of the choices offered.'],
  ['relaxation', { minutes: 0 }, '“How long” must be a whole number from 1 to 240 minutes.'],
  ['mood', {}, 'Please choose an answer for “Mood”.'],
  ['journal', {}, 'Please fill in “What\'s on your mind”.'],
  ['thought-record', { situation: 's', automatic_thought: 't', emotions: [{ name: 'sad', intensity: 5 }],
    thinking_patterns: ['nope'] }, '“Thinking patterns” may only hold the choices offered.'],
  ['worksheet', {}, 'Please fill in “What worry came up?”.'],
  ['worksheet', { q1: 'the bus' }, 'Please choose an answer for “Where did it happen?”.'],
  ['worksheet', { q1: 'the bus', q2: 'o9' }, '“Where did it happen?” must be one of the choices offered.'],
];

test('errors name the question by its words, as the Python core does', async () => {
  const { validateWorksheetAnswers } = await import('../../js/core/assignments.js');
  for (const [kindId, fields, words] of SAME_WORDS) {
    const check = () => (kindId === 'worksheet' ? validateWorksheetAnswers(WORRY, fields)
      : validateFields(kinds.get(kindId), fields));
    assert.throws(check, (e) => e instanceof FieldError && e.message === words && Boolean(e.fieldId), words);
  }
});

test('every question of every kind is named by its label when refused, never by its id', () => {
  const wrong = { scale: 999, minutes: -1, yes_no: 'maybe', single_choice: 'nope', multi_choice: ['nope'],
    short_text: 5, long_text: 5, list: 'x', emotions: 'x' };
  for (const kind of kinds.values()) {
    for (const field of kind.fields) {
      assert.throws(() => validateFields(kind, { [field.id]: wrong[field.type] }), (e) => {
        const refused = kind.fields.find((f) => f.id === e.fieldId);
        assert.ok(e.message.includes(`“${refused.label}”`), e.message);
        if (/[_-]/.test(refused.id)) assert.ok(!e.message.includes(refused.id), e.message);
        return true;
      });
    }
  }
});
