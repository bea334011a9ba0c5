import assert from 'node:assert/strict';
import test from 'node:test';

import { pageLocale } from '../../js/page/words.js';

test("the page words things in the worker's language, formatted in the browser's own variant of it", () => {
  assert.deepEqual(pageLocale('en', ['en-GB', 'de']), { language: 'en', locale: 'en-GB' });
  assert.deepEqual(pageLocale('en', ['en']), { language: 'en', locale: 'en' });
  // A browser whose languages have no catalogue: the worker's language, as it is.
  assert.deepEqual(pageLocale('en', ['xx-YY']), { language: 'en', locale: 'en' });
  // No <html lang> yet (the plain shell): the browser's first language with a catalogue.
  assert.deepEqual(pageLocale('', ['xx', 'en-AU']), { language: 'en', locale: 'en-AU' });
  assert.deepEqual(pageLocale('', []), { language: 'en', locale: 'en' });
});
