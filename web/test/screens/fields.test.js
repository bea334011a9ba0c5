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

/** Attachment items each wrong in one way (PROTOCOL.md section 19), and right ones given twice. */
function attachmentSamples() {
  const b64 = 'A'.repeat(43);
  const voice = { id: '6f1c0d2e-3b4a-4c5d-9e6f-708192a3b4c5', key: b64, size: 1000, digest: b64, media: 'audio/webm' };
  const photo = { ...voice, media: 'image/jpeg', width: 10, height: 10 };
  return [[{ ...voice, media: 'video/mp4' }], [{ ...voice, colour: 'red' }], [{ ...voice, id: 'x' }],
    [{ ...voice, key: 'not base64' }], [{ ...voice, size: 0 }], [{ ...voice, duration_ms: 4_000_000 }],
    [{ ...photo, width: 9000 }], [voice, voice], [photo, photo], [{ ...photo, colour: 'red' }], [{ ...photo, id: 'x' }],
    [{ ...photo, size: 0 }]];
}

test("a field's problem in the catalogue's words reads as the validator's own English, for every code", async () => {
  const { readFileSync } = await import('node:fs');
  const { checkField, missing, kindTable: table } = await import('../../js/core/kinds.js');
  const { fieldErrorText: say } = await import('../../js/screens/fields.js');
  const en = JSON.parse(readFileSync(new URL('../../i18n/en.json', import.meta.url), 'utf8'));
  const all = table(JSON.parse(readFileSync(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));
  const BAD = [5, 'a\nb', '\u0001', 'x'.repeat(100_000), [], true, 'nope', ['nope'], [{}], [{ name: '', intensity: 5 }],
    [{ name: 'a', intensity: 500 }], [{ name: 'a', intensity: 5 }, { name: 'A', intensity: 5 }], 11, 3, 0.5, -1,
    ['a\nb'], ['x'.repeat(100_000)], [{ name: 'a\nb', intensity: 5 }], Array(200).fill('a'), { a: 1 },
    ...attachmentSamples()];
  const seen = new Set();
  for (const kind of all.values()) {
    for (const field of kind.fields) {
      const errors = [missing(field)];
      for (const value of BAD) {
        try {
          checkField(field, value);
        } catch (err) {
          errors.push(err);
        }
      }
      for (const err of errors) {
        if (!err.problem) continue;
        seen.add(err.problem.code);
        if (err.limit) continue; // said with the count by limit.tooLong
        // Numbers are the catalogue's through Intl ("1,440"), the validator's as they are ("1440").
        assert.equal(say(err, kind.fields).replace(/(\d),(\d)/g, '$1$2'), err.message,
          `${kind.id} ${field.id} ${err.problem.code}`);
      }
    }
  }
  const codes = Object.keys(en).filter((k) => k.startsWith('field.problem.')).map((k) => k.slice(14));
  // What no sample value reaches (a type this version lacks, a drawing no canvas makes, a checklist item's flag): each
  // code's English is held to the validator's own words in its source instead.
  const unreached = codes.filter((c) => !seen.has(c));
  assert.deepEqual(unreached, ['unknownType', 'checklistDone', 'strokePoints', 'strokeLong', 'outside', 'strokes',
    'strokeId', 'strokeTwice', 'strokeTool', 'strokeWidth', 'drawingLarge']);
  const source = ['core/fields.js', 'core/sketch.js', 'core/kinds.js'].map((path) => readFileSync(new URL(`../../js/${path}`,
    import.meta.url), 'utf8')).join('\n').replace(/\$\{[^}]*\}/g, '{max}');
  for (const code of unreached) {
    const words = en[`field.problem.${code}`].replace(/^“\{label\}” /, '').replace(/\.$/, '');
    assert.ok(source.includes(`'${words}'`) || source.includes(`\`${words}\``), code);
  }
});
