// Reminders, pure: wall-clock times in the client's zone through daylight-saving changes, quiet hours, and no fire
// time for a day already answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterQuiet, dueTodayCount, planReminders, wallClock, wallToUtc } from '../../js/core/reminders.js';

const iso = (ms) => new Date(ms).toISOString();

test('20:00 stays 20:00 on the wall across the spring and autumn changes, in two zones', () => {
  assert.equal(iso(wallToUtc('2026-03-28', '20:00', 'Europe/Berlin')), '2026-03-28T19:00:00.000Z');
  assert.equal(iso(wallToUtc('2026-03-29', '20:00', 'Europe/Berlin')), '2026-03-29T18:00:00.000Z');
  assert.equal(iso(wallToUtc('2026-10-25', '20:00', 'Europe/Berlin')), '2026-10-25T19:00:00.000Z');
  assert.equal(iso(wallToUtc('2026-03-07', '20:00', 'America/New_York')), '2026-03-08T01:00:00.000Z');
  assert.equal(iso(wallToUtc('2026-03-08', '20:00', 'America/New_York')), '2026-03-09T00:00:00.000Z');
});

test('a skipped wall time moves on by the gap; a repeated one is the first', () => {
  // 02:30 does not exist in Berlin on 29 March 2026: 03:30 summer time
  const skipped = wallToUtc('2026-03-29', '02:30', 'Europe/Berlin');
  assert.equal(iso(skipped), '2026-03-29T01:30:00.000Z');
  assert.deepEqual(wallClock(skipped, 'Europe/Berlin'), { day: '2026-03-29', minutes: 3 * 60 + 30 });
  // 02:30 happens twice on 25 October: the first (summer time, +02:00)
  assert.equal(iso(wallToUtc('2026-10-25', '02:30', 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
});

test('quiet hours move a reminder to their end the same day, or hold it back past midnight', () => {
  const night = { from: '22:00', to: '07:00' };
  assert.equal(afterQuiet('20:00', night), '20:00');
  assert.equal(afterQuiet('06:30', night), '07:00');
  assert.equal(afterQuiet('23:00', night), null);
  assert.equal(afterQuiet('13:15', { from: '12:00', to: '14:00' }), '14:00');
  assert.equal(afterQuiet('13:15', null), '13:15');
});

const journal = {
  id: '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21',
  doc: { type: 'assignment', title: 'Evening journal', withdrawn: false,
    schedule: { recurrence: { freq: 'weekly', days: ['mon', 'wed', 'fri'], start: '2026-03-23', until: '2026-04-10',
      time_zone: 'Europe/Berlin' } } },
};

test('each occurrence of an assignment with a time gets one fire time; an answered day gets none', () => {
  const now = Date.parse('2026-03-23T08:00:00Z'); // Monday morning in Berlin
  const base = { assignments: [journal], doneKinds: new Set(), now, zone: 'Europe/Berlin',
    prefs: { times: { [journal.id]: '20:00' } } };
  const all = planReminders({ ...base, answered: new Set() });
  assert.deepEqual(all.map((p) => p.ref.day), ['2026-03-23', '2026-03-25', '2026-03-27', '2026-03-30', '2026-04-01',
    '2026-04-03']);
  assert.equal(iso(all[0].at), '2026-03-23T19:00:00.000Z');
  assert.equal(iso(all[3].at), '2026-03-30T18:00:00.000Z'); // after the change: still 20:00 in Berlin
  assert.equal(all[0].url, `/app/todo/${journal.id}/2026-03-23`);
  const answered = planReminders({ ...base, answered: new Set([`${journal.id}|2026-03-23`]) });
  assert.deepEqual(answered.map((p) => p.ref.day).slice(0, 2), ['2026-03-25', '2026-03-27']);
  // past times are not planned; a withdrawn assignment has none; no time chosen: none
  assert.equal(planReminders({ ...base, answered: new Set(), now: Date.parse('2026-03-23T19:00:00Z') })[0].ref.day,
    '2026-03-25');
  assert.deepEqual(planReminders({ ...base, answered: new Set(),
    assignments: [{ ...journal, doc: { ...journal.doc, withdrawn: true } }] }), []);
  assert.deepEqual(planReminders({ ...base, answered: new Set(), prefs: {} }), []);
});

test('a personal reminder fires daily unless an entry of its kind was made that day', () => {
  const now = Date.parse('2026-03-23T08:00:00Z');
  const plan = planReminders({ assignments: [], answered: new Set(), doneKinds: new Set(['mood|2026-03-24']), now,
    zone: 'America/New_York', prefs: { personal: { mood: '20:00' } }, days: 3 });
  assert.deepEqual(plan.map((p) => [p.ref.type, p.ref.id, p.ref.day]),
    [['personal', 'mood', '2026-03-23'], ['personal', 'mood', '2026-03-25']]);
});

test('the badge counts what is due today and not answered', () => {
  const monday = Date.parse('2026-03-23T08:00:00Z');
  assert.equal(dueTodayCount({ assignments: [journal], answered: new Set(), now: monday }), 1);
  assert.equal(dueTodayCount({ assignments: [journal], answered: new Set([`${journal.id}|2026-03-23`]), now: monday }), 0);
  assert.equal(dueTodayCount({ assignments: [journal], answered: new Set(), now: Date.parse('2026-03-24T08:00:00Z') }), 0);
});
