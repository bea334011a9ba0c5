// How each field type looks (screens/fields.js): every type of the core registry has a control, a hint, a display
// and a timeline value, and a name in the worksheet builder exactly when a worksheet may ask for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_TYPES } from '../../js/core/fields.js';
import '../messages-setup.js'; // the English catalogue in use, strict
import {
  fieldControl, fieldDisplay, fieldHint, fieldView, LONG_ANSWER, longAnswer, timelineValue, TYPE_WORDS,
} from '../../js/screens/fields.js';

test('every type has every view hook', () => {
  for (const [name, type] of Object.entries(FIELD_TYPES)) {
    const view = fieldView(name);
    assert.ok(view, name);
    for (const hook of ['control', 'hint', 'display', 'timeline']) {
      assert.equal(typeof view[hook], 'function', `${name}.${hook}`);
    }
    assert.equal(typeof view.builder === 'string', type.worksheet !== null,
      `${name}: a builder name exactly when a worksheet may ask for it`);
  }
  assert.deepEqual(Object.keys(TYPE_WORDS), Object.keys(FIELD_TYPES).filter((t) => FIELD_TYPES[t].worksheet));
});

test('a type this version does not know: a note instead of a control, its value in plain words', () => {
  const field = { id: 'x', label: 'X', type: 'newer_type' };
  assert.equal(String(fieldControl(field, null, false)), '<p>This field needs a newer version of the app.</p>');
  assert.equal(fieldHint(field), null);
  assert.deepEqual(fieldDisplay(field, 4), 4);
  assert.equal(timelineValue(field, { a: 1 }), '{"a":1}');
});

test('what a client shared is shown whatever its shape; the own entry page shows a checked value', () => {
  const list = { id: 'l', label: 'L', type: 'list' };
  assert.equal(String(timelineValue(list, 'not a list')), '<ul></ul>');
  assert.equal(String(fieldDisplay(list, ['a', '<b>'])), '<ul><li>a</li><li>&lt;b&gt;</li></ul>');
  assert.equal(String(fieldDisplay({ type: 'long_text' }, 'a\nb')), '<div class="text">a<br>b</div>');
  assert.equal(timelineValue({ type: 'scale' }, 4), '4 out of 10');
});

test('a long answer in a timeline: its first lines, then "Show all" named by its question; short or whole: all', () => {
  const short = 'A calm morning.\nThen the bus.';
  assert.equal(String(longAnswer(short, 'What happened?')), 'A calm morning.<br>Then the bus.');
  const long = `${'The bus was late again and I felt the worry build. '.repeat(12)}\n<b>Last</b> line.`;
  const out = String(longAnswer(long, 'What worry came up?'));
  assert.match(out, /^<div class="long-answer"><p class="long-preview">The bus was late/);
  const preview = /<p class="long-preview">([^<]*)<\/p>/.exec(out)[1];
  assert.ok(preview.endsWith('…') && preview.length <= 241, preview);
  const kept = preview.slice(0, -1);
  assert.ok(long.startsWith(kept) && /\s/.test(long[kept.length]), 'cut at a space, not mid-word');
  assert.match(out, /<details><summary><span class="when-closed">Show all<\/span><span class="when-open">Show less<\/span><span class="visually-hidden"> of “What worry came up\?”<\/span><\/summary>/);
  assert.match(out, /<div class="long-full">The bus was late[^]*<br>&lt;b&gt;Last&lt;\/b&gt; line\.<\/div><\/details>/,
    'all of it, escaped, inside the details');
  const whole = String(longAnswer(long, 'What worry came up?', { whole: true }));
  assert.doesNotMatch(whole, /details|Show all/);
  assert.match(whole, /<br>&lt;b&gt;Last&lt;\/b&gt; line\.$/);
  // Many short lines are long too.
  assert.match(String(longAnswer(Array.from({ length: 8 }, (_, i) => `line ${i}`).join('\n'), 'Q')), /Show all/);
  assert.equal(LONG_ANSWER.lines, 6);
  // The timeline's long and short text answers go through it; choices are said by their labels.
  const field = { id: 'situation', label: 'Situation', type: 'long_text' };
  assert.match(String(timelineValue(field, long)), /Show all/);
  assert.doesNotMatch(String(timelineValue(field, long, { whole: true })), /Show all/);
  const choice = { id: 't', label: 'Technique', type: 'single_choice', constraints: { options: [
    { id: 'box-breathing', label: 'Box breathing' }] } };
  assert.equal(String(timelineValue(choice, 'box-breathing')), 'Box breathing');
  assert.equal(String(timelineValue(choice, 'tapping')), 'tapping (a newer choice)');
  assert.equal(String(timelineValue({ ...choice, type: 'multi_choice' }, ['box-breathing', 'x'])),
    'Box breathing, x (a newer choice)');
  assert.equal(String(fieldDisplay(choice, 'box-breathing')), 'Box breathing');
});
