// Dates for people (web/js/core/dates.js): the same words as toLocaleString, from formatters made once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarWords, formatter, instantWords } from '../../js/core/dates.js';

const INSTANT = { dateStyle: 'medium', timeStyle: 'short' };

test('an instant reads as toLocaleString would, from ISO text, a Date or unix seconds', () => {
  const iso = '2026-03-29T00:30:00Z';
  const expected = new Date(iso).toLocaleString(undefined, INSTANT);
  assert.equal(instantWords(iso), expected);
  assert.equal(instantWords(new Date(iso)), expected);
  assert.equal(instantWords(Date.parse(iso) / 1000), expected);
});

test('an instant in a named zone is shown in that zone', () => {
  const iso = '2026-03-29T00:30:00Z';
  assert.equal(instantWords(iso, 'Pacific/Auckland'),
    new Date(iso).toLocaleString(undefined, { ...INSTANT, timeZone: 'Pacific/Auckland' }));
  assert.notEqual(instantWords(iso, 'Pacific/Auckland'), instantWords(iso, 'America/Los_Angeles'));
});

test('a calendar date is the same day wherever it is read', () => {
  assert.equal(calendarWords('2026-03-10'),
    new Date('2026-03-10T12:00:00Z').toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' }));
  const long = { weekday: 'long', day: 'numeric', month: 'long' };
  assert.equal(calendarWords('2026-03-10', long),
    new Date('2026-03-10T12:00:00Z').toLocaleDateString(undefined, { ...long, timeZone: 'UTC' }));
});

test('unreadable input gives null, never "Invalid Date"', () => {
  for (const bad of ['', 'yesterday', '2026-13-45', undefined, NaN]) {
    assert.equal(calendarWords(bad), null);
    assert.equal(instantWords(bad), null);
  }
});

test('one formatter per set of options, made once', () => {
  assert.equal(formatter({ dateStyle: 'short' }), formatter({ dateStyle: 'short' }));
  assert.notEqual(formatter({ dateStyle: 'short' }), formatter({ dateStyle: 'long' }));
});

test('Spanish says "a la" before one o\'clock and "a las" before every other hour, on 24- and 12-hour clocks', async () => {
  const { readFileSync } = await import('node:fs');
  const { hourOf, timeWords } = await import('../../js/core/dates.js');
  const { text: t, useLanguage } = await import('../../js/core/messages.js');
  const { sessionWords } = await import('../../js/screens/assign/review.js');
  const es = JSON.parse(readFileSync(new URL('../../i18n/es.json', import.meta.url), 'utf8'));
  const en = JSON.parse(readFileSync(new URL('../../i18n/en.json', import.meta.url), 'utf8'));
  try {
    useLanguage({ language: 'es', locale: 'es-ES', catalogue: es, strict: true });
    const at = (hhmm) => t('status.syncedAt', { time: timeWords(hhmm), hour: hourOf(timeWords(hhmm)) });
    assert.equal(at('01:05'), 'Sincronizado a la 1:05');
    assert.equal(at('13:05'), 'Sincronizado a las 13:05');
    assert.equal(at('00:30'), 'Sincronizado a las 0:30');
    assert.equal(at('02:00'), 'Sincronizado a las 2:00');
    assert.equal(at('21:15'), 'Sincronizado a las 21:15');
    assert.match(sessionWords('2026-04-02T01:30'), / a la 1:30$/);
    assert.match(sessionWords('2026-04-02T11:30'), / a las 11:30$/);
    // A 12-hour clock (Mexico): 1 p. m. is "a la 1" too.
    useLanguage({ language: 'es', locale: 'es-MX', catalogue: es, strict: true });
    assert.match(at('13:05'), /^Sincronizado a la 1:05\s?p/);
    assert.match(at('14:05'), /^Sincronizado a las 2:05\s?p/);
    assert.match(t('reminders.activity.saved', { time: timeWords('01:00'), hour: hourOf(timeWords('01:00')) }),
      /^Te lo recordaremos a la 1:00\s?a/);
    useLanguage({ language: 'en', locale: 'en-GB', catalogue: en, strict: true });
    assert.equal(at('01:05'), `Synced at ${timeWords('01:05')}`);
  } finally {
    useLanguage({ language: 'en', catalogue: {} });
  }
});
