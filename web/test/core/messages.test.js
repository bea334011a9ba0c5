// The message formatter (core/messages.js): arguments, plurals by each language's rules, select, missing keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format, formatParts, LANGUAGES, MessageError, messageParts, parse, pickLanguage, useLanguage }
  from '../../js/core/messages.js';
import { html, t, tt } from '../../js/screens/views.js';

const ENTRIES = '{count, plural, one {# entry found} other {# entries found}}';

test('arguments go in as given; numbers through Intl.NumberFormat of the locale', () => {
  assert.equal(format({ hi: 'Hello {name}, you have {n} notes' }, 'hi', { name: 'Sam', n: 1234 }),
    'Hello Sam, you have 1,234 notes');
  assert.equal(format({ hi: '{n} notes' }, 'hi', { n: 1234.5 }, 'de'), '1.234,5 notes');
  assert.equal(format({ plain: 'Don\'t panic #1' }, 'plain'), 'Don\'t panic #1', 'apostrophes and # are text');
});

test('plurals in English: one and other, # is the number, =N first', () => {
  const c = { found: ENTRIES, zero: '{n, plural, =0 {nothing} one {one thing} other {# things}}' };
  assert.equal(format(c, 'found', { count: 1 }), '1 entry found');
  assert.equal(format(c, 'found', { count: 0 }), '0 entries found');
  assert.equal(format(c, 'found', { count: 2500 }), '2,500 entries found');
  assert.equal(format(c, 'zero', { n: 0 }), 'nothing');
  assert.equal(format(c, 'zero', { n: 1 }), 'one thing');
});

test('plurals in Polish and Arabic: their own categories through Intl.PluralRules', () => {
  const pl = { files: '{n, plural, one {# plik} few {# pliki} many {# plików} other {# pliku}}' };
  assert.deepEqual([1, 2, 5, 22, 25, 1.5].map((n) => format(pl, 'files', { n }, 'pl')),
    ['1 plik', '2 pliki', '5 plików', '22 pliki', '25 plików', '1,5 pliku']);
  const ar = { d: '{n, plural, zero {z} one {o} two {t} few {f} many {m} other {x}}' };
  assert.deepEqual([0, 1, 2, 3, 11, 100].map((n) => format(ar, 'd', { n }, 'ar')), ['z', 'o', 't', 'f', 'm', 'x']);
});

test('select picks the branch named by the value, else other; # in a select inside a plural is the number', () => {
  const c = { lead: '{w, select, homework {Your homework} other {Your activities}}',
    nested: '{n, plural, one {{w, select, a {# A} other {# O}}} other {{w, select, a {# As} other {# Os}}}}' };
  assert.equal(format(c, 'lead', { w: 'homework' }), 'Your homework');
  assert.equal(format(c, 'lead', { w: 'anything' }), 'Your activities');
  assert.equal(format(c, 'nested', { n: 1, w: 'a' }), '1 A');
  assert.equal(format(c, 'nested', { n: 3, w: 'b' }), '3 Os');
});

test('the formatter returns text; escaping stays with html``, fragments as arguments stay fragments', () => {
  const c = { hi: 'Hi <b>{name}</b>', when: 'Written {t} & kept' };
  assert.equal(format(c, 'hi', { name: '<img>' }), 'Hi <b><img></b>');
  useLanguage({ language: 'en', catalogue: c, strict: true });
  assert.equal(String(html`<p>${t('hi', { name: '<img>' })}</p>`), '<p>Hi &lt;b&gt;&lt;img&gt;&lt;/b&gt;</p>');
  const time = html`<time datetime="x">now</time>`;
  assert.equal(String(tt('when', { t: time })), 'Written <time datetime="x">now</time> &amp; kept');
  assert.equal(String(tt('when', { t: '<i>' })), 'Written &lt;i&gt; &amp; kept');
  assert.equal(formatParts(c, 'when', { t: time })[1], time);
});

test('a missing key or argument throws in strict mode (tests); the app shows the key instead', () => {
  useLanguage({ language: 'en', catalogue: { a: 'A {x}' }, strict: true });
  assert.throws(() => messageParts('nope'), MessageError);
  assert.throws(() => messageParts('a'), /needs "x"/);
  useLanguage({ language: 'en', catalogue: { a: 'A {x}' } });
  const errors = [];
  const original = console.error;
  console.error = (...args) => errors.push(args.join(' '));
  try {
    assert.equal(t('nope'), 'nope');
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 1);
  assert.throws(() => format({}, 'nope'), MessageError, 'format itself always throws');
});

test('malformed messages are refused', () => {
  for (const bad of ['{', 'a}', '{x, plural, one {a}}', '{x, number}', '{x, select, other {a}', '{x y}']) {
    assert.throws(() => parse(bad), MessageError, bad);
  }
});

test('the language: the setting or the browser\'s, by full tag or base language, else English', () => {
  const available = { en: 'English', es: 'Español', 'pt-BR': 'Português' };
  assert.deepEqual(pickLanguage(['en-GB'], available), { language: 'en', locale: 'en-GB' });
  assert.deepEqual(pickLanguage(['ja', 'es-MX', 'en'], available), { language: 'es', locale: 'es-MX' });
  assert.deepEqual(pickLanguage(['pt-br'], available), { language: 'pt-BR', locale: 'pt-br' });
  assert.deepEqual(pickLanguage(['ja'], available), { language: 'en', locale: 'en' });
  assert.deepEqual(pickLanguage([], available), { language: 'en', locale: 'en' });
  assert.ok('en' in LANGUAGES);
});
