// The message catalogues (web/i18n/): every key in every catalogue, every message well formed, and the
// pseudo-locale (made from English here) keeps the placeholders and plurals of each message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { format, LANGUAGES, parse, SOURCE } from '../../js/core/messages.js';
import { pseudoLocalise } from '../pseudo-locale.js';

const folder = new URL('../../i18n/', import.meta.url);
const read = (code) => JSON.parse(readFileSync(new URL(`${code}.json`, folder), 'utf8'));
const catalogues = Object.fromEntries(Object.keys(LANGUAGES).map((code) => [code, read(code)]));
catalogues['en-XA'] = pseudoLocalise(catalogues[SOURCE]);

/** The arguments a message uses, with their types (plural, select or plain), sorted. */
function argumentsOf(message) {
  const found = new Set();
  const walk = (nodes) => nodes.forEach((node) => {
    if (typeof node === 'string' || 'hash' in node) return;
    found.add(`${node.arg}:${'branches' in node ? (node.plural ? 'plural' : 'select') : 'plain'}`);
    if ('branches' in node) Object.values(node.branches).forEach(walk);
  });
  walk(parse(message));
  return [...found].sort();
}

test('web/i18n holds exactly the languages LANGUAGES names', () => {
  const files = readdirSync(folder).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5));
  assert.deepEqual(files.sort(), Object.keys(LANGUAGES).sort());
});

test('every key is present in every catalogue, and no catalogue has keys English does not', () => {
  const keys = Object.keys(catalogues[SOURCE]).sort();
  assert.ok(keys.length > 0);
  for (const [code, catalogue] of Object.entries(catalogues)) {
    assert.deepEqual(Object.keys(catalogue).sort(), keys, code);
  }
});

test('every message parses, and uses the same arguments in every catalogue as in English', () => {
  for (const [code, catalogue] of Object.entries(catalogues)) {
    for (const [key, message] of Object.entries(catalogue)) {
      assert.deepEqual(argumentsOf(message), argumentsOf(catalogues[SOURCE][key]), `${code} ${key}`);
    }
  }
});

test('keys are stable dotted ids', () => {
  for (const key of Object.keys(catalogues[SOURCE])) {
    // kinds.json's and templates.json's words are keyed by their ids, as the files spell them (core/kind-words.js).
    const id = /^(kind|template)\./.test(key) ? /^[a-z][a-z0-9_-]*$/ : /^[a-z][a-zA-Z]*$/;
    const [first, ...rest] = key.split('.');
    assert.match(first, /^[a-z][a-zA-Z]*$/, key);
    assert.ok(rest.length > 0 && rest.every((part) => id.test(part)), key);
  }
});

test('the pseudo-locale marks and accents the words, keeps arguments and plurals working', () => {
  const pseudo = catalogues['en-XA'];
  // Each piece of the message's own text is marked, the arguments are not: one that did not come from the
  // catalogue (an English problem put into a message) shows outside the marks.
  assert.equal(format(pseudo, 'entries.found', { count: 1 }), '1⟦ éñtŕý föûñd⟧');
  assert.equal(format(pseudo, 'entries.found', { count: 3 }), '3⟦ éñtŕîéš föûñd⟧');
  assert.equal(format(pseudo, 'entries.noMatch', { query: 'sun' }), '⟦Ñöthîñg öñ thîš dévîçé måtçhéš “⟧sun⟦”.⟧');
});

test("the worker's last-resort words, for when no catalogue can be read, are English's", async () => {
  const { LAST_RESORT } = await import('../../js/screens/server-pages.js');
  for (const [key, words] of Object.entries(LAST_RESORT)) assert.equal(words, catalogues[SOURCE][key], key);
});
