// Schedules give the same local dates as sync/core/recurrence.py: the shared vectors, then the edges around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  checkRecurrence, dueState, formatDay, isOccurrence, localDate, occurrences, parseDate, parseInstant,
} from '../../js/core/recurrence.js';
import { FieldError } from '../../js/core/kinds.js';

const vectors = JSON.parse(await readFile(new URL('../../../tests/vectors/recurrence.json', import.meta.url), 'utf8'));

test('the vector file holds at least twenty cases of each sort it names', () => {
  assert.equal(vectors.v, 1);
  assert.ok(vectors.occurrences.length + vectors.due_state.length >= 20);
  assert.ok(vectors.errors.length >= 10);
});

for (const c of vectors.occurrences) {
  test(`occurrences: ${c.name}`, () => {
    assert.deepEqual(occurrences(c.recurrence, ...c.range), c.expect);
  });
}

for (const c of vectors.due_state) {
  test(`due state: ${c.name}`, () => {
    assert.equal(dueState(c.occurrence, c.now, c.time_zone), c.expect);
    assert.equal(dueState(c.occurrence, new Date(c.now), c.time_zone), c.expect);
  });
}

for (const c of vectors.errors) {
  test(`refused: ${c.name}`, () => {
    assert.throws(() => occurrences(c.recurrence, ...c.range),
      (e) => e instanceof FieldError && e.fieldId === c.field && e.code === 'invalid_schedule');
  });
}

test('dates: strict YYYY-MM-DD, leap years, and back again', () => {
  assert.equal(formatDay(parseDate('2028-02-29')), '2028-02-29');
  assert.equal(formatDay(parseDate('2026-12-31') + 1), '2027-01-01');
  assert.equal(formatDay(parseDate('0099-03-01')), '0099-03-01');
  for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '0000-01-01', '20260301', ' 2026-03-01', 20260301]) {
    assert.throws(() => parseDate(bad), FieldError, String(bad));
  }
});

test('instants: Z, offsets and Dates agree; fractions of a second are dropped', () => {
  const ms = Date.UTC(2026, 2, 29, 1, 30, 0);
  assert.equal(parseInstant('2026-03-29T01:30:00Z'), ms);
  assert.equal(parseInstant('2026-03-29T03:30:00+02:00'), ms);
  assert.equal(parseInstant('2026-03-28T21:30-04:00'), ms);
  assert.equal(parseInstant('2026-03-29T01:30:00.999Z'), ms);
  assert.equal(parseInstant(new Date(ms + 999)), ms);
  assert.throws(() => parseInstant('2026-03-29 01:30:00Z'), FieldError);
  assert.throws(() => parseInstant(new Date(NaN)), FieldError);
});

test('local dates read the zone, not the machine', () => {
  assert.equal(localDate('2026-03-29T22:30:00Z', 'Europe/Berlin'), '2026-03-30');
  assert.equal(localDate('2026-03-29T22:30:00Z', 'America/New_York'), '2026-03-29');
  assert.equal(localDate('2026-03-29T22:30:00Z', 'Pacific/Kiritimati'), '2026-03-30');
  assert.equal(localDate('2026-03-29T22:30:00Z', 'Pacific/Pago_Pago'), '2026-03-29');
});

test('checkRecurrence normalises weekdays and keeps only what it knows', () => {
  const r = checkRecurrence({ freq: 'weekly', days: ['sun', 'mon', 'sun'], start: '2026-03-02', time_zone: 'UTC' });
  assert.deepEqual(r, { freq: 'weekly', days: ['mon', 'sun'], start: '2026-03-02', time_zone: 'UTC' });
  assert.throws(() => checkRecurrence({ ...r, colour: 'blue' }), (e) => e.fieldId === 'colour');
  const long = 'k'.repeat(300);
  assert.throws(() => checkRecurrence({ ...r, [long]: 1 }), (e) => !e.message.includes(long));
  assert.throws(() => checkRecurrence([]), (e) => e.fieldId === 'recurrence');
});

test('an open-ended daily series stops at the end of the range; a year is 365 dates', () => {
  const r = { freq: 'daily', start: '2026-01-01', time_zone: 'Europe/Berlin' };
  const all = occurrences(r, '2026-01-01', '2026-12-31');
  assert.equal(all.length, 365);
  assert.equal(new Set(all).size, 365);
  assert.equal(all.at(-1), '2026-12-31');
});

test('isOccurrence follows the weekly days and the session day', () => {
  const weekly = { freq: 'weekly', days: ['wed'], start: '2026-03-02', time_zone: 'Europe/Berlin' };
  assert.equal(isOccurrence(weekly, '2026-03-04'), true);
  assert.equal(isOccurrence(weekly, '2026-03-05'), false);
  assert.equal(isOccurrence(weekly, '2026-02-25'), false);
  const session = { freq: 'until_next_session', start: '2026-03-02', next_session: '2026-03-05T10:00', time_zone: 'UTC' };
  assert.equal(isOccurrence(session, '2026-03-04'), true);
  assert.equal(isOccurrence(session, '2026-03-05'), false);
});
