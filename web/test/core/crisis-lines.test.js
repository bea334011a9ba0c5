// The crisis-lines document read as the app shows it, and the phone numbers in a line of text (js/core/crisis-lines.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_LINES, dialable, phoneParts, phonesIn, readCrisisLines, smsHref, telHref } from '../../js/core/crisis-lines.js';

const LINE = { name: 'Night Line', phone: '+49 800 111 0 111', sms: '85258', url: 'https://nightline.example.org',
  hours: '24 hours', about: 'For anyone.', source: 'https://nightline.example.org/contact', reviewed: '2026-11-30' };

test('the document as served is read as it is, the source and review date left to the operator', () => {
  assert.deepEqual(readCrisisLines({ region: 'Testland', emergency: '112', lines: [LINE] }), {
    region: 'Testland', emergency: '112',
    lines: [{ name: 'Night Line', phone: '+49 800 111 0 111', sms: '85258', url: 'https://nightline.example.org',
      hours: '24 hours', about: 'For anyone.' }] });
});

test('nothing, or anything that is not the document, is no lines at all: never a number of our own', () => {
  for (const doc of [null, undefined, 'x', [], { lines: 'many' }, { region: null, emergency: null, lines: [] }]) {
    assert.deepEqual(readCrisisLines(doc), NO_LINES);
  }
});

test('what does not fit is left out, never repaired', () => {
  const read = readCrisisLines({ emergency: 'nine one one', region: 'a\nb', lines: [
    { ...LINE, phone: 'call 988', sms: null, url: 'javascript:alert(1)' }, // nothing left to reach it by
    { ...LINE, name: '' },
    { ...LINE, phone: '988', sms: '12345678901234567890123456789012', url: 'ftp://x' },
    'a line',
  ] });
  assert.equal(read.emergency, null);
  assert.equal(read.region, null);
  assert.deepEqual(read.lines.map((l) => [l.phone, l.sms, l.url]), [['988', null, null]]);
});

test('numbers for the dialler: digits, a leading + kept', () => {
  assert.equal(dialable('+44 (0)20 7946-0999'), '+4402079460999');
  assert.equal(telHref('07700 900123'), 'tel:07700900123');
  assert.equal(smsHref('+49 800 111 0 111'), 'sms:+498001110111');
});

test('phone numbers in a line of text, with at least three digits', () => {
  assert.deepEqual(phoneParts('Alex 07700 900123'), [{ text: 'Alex ' }, { phone: '07700 900123' }]);
  assert.deepEqual(phoneParts('Mum (+44 20 7946 0000) or 999'),
    [{ text: 'Mum (' }, { phone: '+44 20 7946 0000' }, { text: ') or ' }, { phone: '999' }]);
  assert.deepEqual(phonesIn('Walk for 10 minutes, 2 or 3 times'), []);
  assert.deepEqual(phonesIn('no numbers here'), []);
  assert.deepEqual(phoneParts(''), []);
});
