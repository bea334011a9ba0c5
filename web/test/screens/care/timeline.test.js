// A client's timeline grouped by session (web/js/screens/care/timeline.js): pure, so checked here with plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addSession, countNew, dateRange, groupBySession, lastSession, localDay, todayLocal,
} from '../../../js/screens/care/timeline.js';

const item = (id, date, at = `${date}T12:00:00Z`) => ({ id, date, at });
const ids = (group) => group.items.map((i) => i.id);

test('without sessions everything is one group, newest first', () => {
  const items = [item('a', '2026-03-01'), item('c', '2026-03-09'), item('b', '2026-03-05')];
  const out = groupBySession(items, [], '2026-03-10');
  assert.equal(out.sessionToday, false);
  assert.equal(out.last, null);
  assert.equal(out.groups.length, 1);
  assert.equal(out.groups[0].kind, 'all');
  assert.deepEqual(ids(out.groups[0]), ['c', 'b', 'a']);
  assert.deepEqual(groupBySession([], [], '2026-03-10').groups, []);
});

test('groups run newest first: since the last session, each earlier gap, before the first', () => {
  const items = [item('old', '2026-02-20'), item('g1', '2026-03-03'), item('g1b', '2026-03-05'),
    item('new', '2026-03-12'), item('g2', '2026-03-08')];
  const out = groupBySession(items, ['2026-03-10', '2026-03-01', '2026-03-07'], '2026-03-14');
  assert.deepEqual(out.groups.map((g) => [g.kind, g.from, g.to]), [
    ['since', '2026-03-10', null], ['between', '2026-03-07', '2026-03-10'], ['between', '2026-03-01', '2026-03-07'],
    ['before', null, '2026-03-01']]);
  assert.deepEqual(out.groups.map(ids), [['new'], ['g2'], ['g1b', 'g1'], ['old']]);
  assert.equal(out.last, '2026-03-10');
  assert.equal(out.sessionToday, false);
});

test('an item on a session day belongs to the period that session starts', () => {
  const out = groupBySession([item('on-first', '2026-03-01'), item('on-last', '2026-03-10'), item('eve', '2026-03-09')],
    ['2026-03-01', '2026-03-10'], '2026-03-10');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]), [['since', ['on-last']], ['between', ['eve', 'on-first']]]);
  assert.equal(out.sessionToday, true);
});

test('"since last session" is there even when empty; empty earlier gaps and "before" are left out', () => {
  const out = groupBySession([item('x', '2026-03-02')], ['2026-03-01', '2026-03-05', '2026-03-09'], '2026-03-09');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]), [['since', []], ['between', ['x']]]);
});

test('within a day the later instant comes first; an undated item counts as the oldest', () => {
  const out = groupBySession([item('morning', '2026-03-02', '2026-03-02T08:00:00Z'),
    item('evening', '2026-03-02', '2026-03-02T20:00:00Z'), { id: 'undated', date: null }], ['2026-03-01'],
  '2026-03-05');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]),
    [['since', ['evening', 'morning']], ['before', ['undated']]]);
});

test('adding a session is idempotent and keeps the dates ascending', () => {
  assert.deepEqual(addSession([], '2026-03-10'), ['2026-03-10']);
  assert.deepEqual(addSession(['2026-03-10', '2026-03-01'], '2026-03-05'), ['2026-03-01', '2026-03-05', '2026-03-10']);
  const once = addSession(['2026-03-01'], '2026-03-10');
  assert.deepEqual(addSession(once, '2026-03-10'), once);
  assert.throws(() => addSession([], '10/03/2026'), TypeError);
  assert.equal(lastSession(['2026-03-10', '2026-03-01']), '2026-03-10');
  assert.equal(lastSession([]), null);
});

test('new since the last session counts by when this device got the current version', () => {
  // Local dates: stamps at local noon, so the test holds in any time zone.
  const at = (day) => new Date(`${day}T12:00:00`).toISOString();
  const items = [{ updatedAt: at('2026-03-01') }, { updatedAt: at('2026-03-10') }, { updatedAt: at('2026-03-12') }];
  assert.equal(countNew(items, []), 3); // no session yet: all of it is new
  assert.equal(countNew(items, ['2026-03-05']), 2);
  assert.equal(countNew(items, ['2026-03-05', '2026-03-10']), 2); // the session day itself counts
  assert.equal(countNew(items, ['2026-03-13']), 0);
});

test('local days and the date range', () => {
  assert.equal(localDay(new Date(2026, 2, 29, 23, 30)), '2026-03-29');
  assert.equal(localDay('not a date'), null);
  assert.equal(todayLocal(new Date(2026, 0, 5, 0, 1)), '2026-01-05');
  assert.deepEqual(dateRange([item('a', '2026-03-09'), item('b', '2026-03-01'), { date: null }]),
    { from: '2026-03-01', to: '2026-03-09' });
  assert.equal(dateRange([]), null);
});
