// core/storage.js: which errors mean a full device, where the 7-day rule applies, when entries are at risk, sizes.
import assert from 'node:assert/strict';
import '../messages-setup.js'; // a language in use: sizes are formatted in its locale
import test from 'node:test';

import { atRisk, isQuotaError, noticeDue, sevenDayRule, sizeWords } from '../../js/core/storage.js';
import { useLanguage } from '../../js/core/messages.js';
import { en } from '../messages-setup.js';

test('quota errors as each engine names them count; other errors do not', () => {
  assert.ok(isQuotaError(new DOMException('The quota has been exceeded.', 'QuotaExceededError')));
  assert.ok(isQuotaError({ name: 'QuotaExceededError' })); // the newer engines' own class carries the same name
  assert.ok(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED', code: 1014 })); // Firefox, older
  assert.ok(isQuotaError({ name: 'Error', code: 22 })); // DOMException.QUOTA_EXCEEDED_ERR
  assert.ok(isQuotaError({ name: 'UnknownError', message: 'Internal error: disk full' })); // Chromium's IndexedDB
  for (const other of [null, undefined, 'QuotaExceededError', new Error('quota'), new DOMException('x', 'AbortError'),
    new DOMException('x', 'ConstraintError'), { name: 'UnknownError', message: 'Internal error opening backing store' }]) {
    assert.equal(isQuotaError(other), false, String(other?.name ?? other));
  }
});

const UA = {
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36',
  edgeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36 Edg/137.0',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0 Mobile Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
};

test('the 7-day rule: Safari on a Mac, and every browser on iPhone and iPad (all WebKit there)', () => {
  for (const name of ['safariMac', 'safariIphone', 'chromeIphone', 'ipad']) assert.equal(sevenDayRule(UA[name]), true, name);
  for (const name of ['chromeMac', 'edgeMac', 'firefoxMac', 'chromeAndroid', 'firefoxLinux']) {
    assert.equal(sevenDayRule(UA[name]), false, name);
  }
  assert.equal(sevenDayRule(''), false);
});

test('at risk: something the server does not have, and no promise to keep it', () => {
  assert.equal(atRisk({ onlyHere: 3, persisted: false }), true);
  assert.equal(atRisk({ onlyHere: 3, persisted: null }), true); // a browser that does not say promises nothing
  assert.equal(atRisk({ onlyHere: 3, persisted: true }), false);
  assert.equal(atRisk({ onlyHere: 0, persisted: false }), false); // nothing only here (or nothing at all)
  const state = { records: 3, onlyHere: 3, account: false, persisted: false, usage: null, dismissed: false, sevenDays: false };
  assert.equal(noticeDue(state), true);
  assert.equal(noticeDue({ ...state, dismissed: true }), false); // once, then in Settings only
});

test('sizes in decimal units, in the locale of the language in use', () => {
  useLanguage({ language: 'en', locale: 'en', catalogue: en, strict: true });
  assert.equal(sizeWords(0), '0 kB');
  assert.equal(sizeWords(512), '0.5 kB');
  assert.equal(sizeWords(48_000), '48 kB');
  assert.equal(sizeWords(1_234_567), '1.2 MB');
  assert.equal(sizeWords(10_738_075_741), '10.7 GB');
  useLanguage({ language: 'en', locale: 'de-DE', catalogue: en, strict: true });
  assert.equal(sizeWords(1_234_567), '1,2 MB');
  useLanguage({ language: 'en', locale: new Intl.DateTimeFormat().resolvedOptions().locale, catalogue: en, strict: true });
});
