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
