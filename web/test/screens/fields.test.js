// How each field type looks (screens/fields.js): every type of the core registry has a control, a hint, a display
// and a timeline value, and a name in the worksheet builder exactly when a worksheet may ask for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_TYPES } from '../../js/core/fields.js';
import {
  fieldControl, fieldDisplay, fieldHint, fieldView, timelineValue, TYPE_WORDS,
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
