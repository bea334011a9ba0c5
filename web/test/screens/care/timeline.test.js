// A client's timeline grouped by session, and what is new (web/js/screens/care/timeline.js): pure, so checked here
// with plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMark, cameAfter, countNew, dateRange, groupBySession, isNew, lastMark, localDay, markedOn, marksOf, todayLocal,
} from '../../../js/screens/care/timeline.js';

// An item as timelineItems makes it: written at `at` (its date the day of that), reached this account at `updatedAt`
// (by default the same instant) at feed position `feed`.
const item = (id, date, { at = `${date}T12:00:00Z`, updatedAt = at, feed = null } = {}) =>
  ({ id, date, at, updatedAt, feed });
const mark = (day, at = `${day}T17:00:00Z`, feed = null) => ({ day, at, feed });
const ids = (group) => group.items.map((i) => i.id);

test('without sessions everything is one group, newest first, and all of it is new', () => {
  const items = [item('a', '2026-03-01'), item('c', '2026-03-09'), item('b', '2026-03-05')];
  const out = groupBySession(items, [], '2026-03-10');
  assert.equal(out.sessionToday, false);
  assert.equal(out.last, null);
  assert.equal(out.groups.length, 1);
  assert.equal(out.groups[0].kind, 'all');
  assert.deepEqual(ids(out.groups[0]), ['c', 'b', 'a']);
  assert.deepEqual(groupBySession([], [], '2026-03-10').groups, []);
  assert.equal(countNew(items, []), 3);
});

test('groups run newest first: since the last session, each earlier gap, before the first', () => {
  const items = [item('old', '2026-02-20'), item('g1', '2026-03-03'), item('g1b', '2026-03-05'),
    item('new', '2026-03-12'), item('g2', '2026-03-08')];
  const out = groupBySession(items, [mark('2026-03-10'), mark('2026-03-01'), mark('2026-03-07')], '2026-03-14');
  assert.deepEqual(out.groups.map((g) => [g.kind, g.from, g.to]), [
    ['since', '2026-03-10', null], ['between', '2026-03-07', '2026-03-10'], ['between', '2026-03-01', '2026-03-07'],
    ['before', null, '2026-03-01']]);
  assert.deepEqual(out.groups.map(ids), [['new'], ['g2'], ['g1b', 'g1'], ['old']]);
  assert.equal(out.last, '2026-03-10');
  assert.equal(out.sessionToday, false);
});

test('the session day is split at the mark: shared before it is not new, shared after it is (issue 10, item 8)', () => {
  // Marked at 17:00 on the 10th; two items reached the account that day, one before and one after.
  const marks = [mark('2026-03-01'), mark('2026-03-10', '2026-03-10T17:00:00Z')];
  const morning = item('morning', '2026-03-10', { at: '2026-03-10T08:00:00Z' });
  const evening = item('evening', '2026-03-10', { at: '2026-03-10T19:00:00Z' });
  const out = groupBySession([morning, evening], marks, '2026-03-10');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]), [['since', ['evening']], ['between', ['morning']]]);
  assert.equal(out.sessionToday, true);
  assert.deepEqual([isNew(morning, marks), isNew(evening, marks)], [false, true]);
  assert.equal(countNew([morning, evening], marks), 1);
});

test('new is by when it reached the account, not when it was written: an old entry shared later is new', () => {
  const marks = [mark('2026-03-10')];
  const lateShare = item('late', '2026-02-01', { updatedAt: '2026-03-11T09:00:00Z' });
  assert.equal(isNew(lateShare, marks), true);
  assert.deepEqual(groupBySession([lateShare], marks, '2026-03-11').groups.map(ids), [['late']]);
});

test('the feed decides when both have a position: every device of the account agrees, whatever its clock', () => {
  // A second device got the item after the mark's instant (it synced later), but the feed says it came before.
  const marks = [mark('2026-03-10', '2026-03-10T17:00:00Z', 40)];
  const before = item('before', '2026-03-10', { updatedAt: '2026-03-10T21:00:00Z', feed: 38 });
  const after = item('after', '2026-03-10', { updatedAt: '2026-03-10T16:00:00Z', feed: 41 });
  assert.deepEqual([cameAfter(before, marks[0]), cameAfter(after, marks[0])], [false, true]);
  assert.equal(countNew([before, after], marks), 1);
  // Without a feed position on either side, this device's clock decides.
  const noFeed = item('nofeed', '2026-03-10', { updatedAt: '2026-03-10T21:00:00Z' });
  assert.equal(cameAfter(noFeed, marks[0]), true);
  assert.equal(cameAfter({ ...noFeed, updatedAt: 'garbled' }, marks[0]), false);
});

test('a mark kept before instants were (its day only): what came on that day or later is new, as it was', () => {
  // Local dates: stamps at local noon, so the test holds in any time zone.
  const at = (day) => new Date(`${day}T12:00:00`).toISOString();
  const items = [{ updatedAt: at('2026-03-01') }, { updatedAt: at('2026-03-10') }, { updatedAt: at('2026-03-12') }];
  const dayOnly = (day) => ({ day, at: null, feed: null });
  assert.equal(countNew(items, [dayOnly('2026-03-05')]), 2);
  assert.equal(countNew(items, [dayOnly('2026-03-05'), dayOnly('2026-03-10')]), 2); // the session day itself counts
  assert.equal(countNew(items, [dayOnly('2026-03-13')]), 0);
});

test('marks from session logs: the union of every log, one per day (the first), old logs without instants read', () => {
  const logs = [
    { sessions: ['2026-03-10', '2026-03-01', 'garbage', 7], held: { '2026-03-10': { at: '2026-03-10T17:00:00Z',
      feed: 12 } } },
    { sessions: ['2026-03-10'], held: { '2026-03-10': { at: '2026-03-10T16:00:00.500Z', feed: 11 } } },
    { sessions: ['2026-03-12'], held: { '2026-03-12': { at: 'not a time', feed: -1 } } },
    { sessions: 'not a list', held: [] }, null];
  assert.deepEqual(marksOf(logs), [{ day: '2026-03-01', at: null, feed: null },
    { day: '2026-03-10', at: '2026-03-10T16:00:00.500Z', feed: 11 }, { day: '2026-03-12', at: null, feed: null }]);
  assert.deepEqual(lastMark(marksOf(logs)), { day: '2026-03-12', at: null, feed: null });
  assert.equal(lastMark([]), null);
  assert.equal(markedOn(marksOf(logs), '2026-03-10'), true);
  assert.equal(markedOn(marksOf(logs), '2026-03-11'), false);
});

test('adding a mark: the day once, ascending, its instant and feed kept; a day marked already keeps its first', () => {
  const first = addMark(null, { day: '2026-03-10', at: '2026-03-10T17:00:00.000Z', feed: 9 });
  assert.deepEqual(first, { sessions: ['2026-03-10'], held: { '2026-03-10': { at: '2026-03-10T17:00:00.000Z',
    feed: 9 } } });
  const old = { sessions: ['2026-03-10', '2026-03-01', 'x'], held: first.held };
  const next = addMark(old, { day: '2026-03-05', at: '2026-03-05T09:00:00.000Z', feed: null });
  assert.deepEqual(next.sessions, ['2026-03-01', '2026-03-05', '2026-03-10']);
  assert.deepEqual(next.held['2026-03-05'], { at: '2026-03-05T09:00:00.000Z' });
  assert.deepEqual(addMark(next, { day: '2026-03-10', at: '2026-03-10T20:00:00.000Z', feed: 30 }), next);
  assert.throws(() => addMark(null, { day: '10/03/2026', at: '2026-03-10T17:00:00Z' }), TypeError);
  assert.throws(() => addMark(null, { day: '2026-03-10', at: 'later' }), TypeError);
  // What addMark writes, marksOf reads back.
  assert.deepEqual(marksOf([next]).map((m) => [m.day, m.at, m.feed]), [['2026-03-01', null, null],
    ['2026-03-05', '2026-03-05T09:00:00.000Z', null], ['2026-03-10', '2026-03-10T17:00:00.000Z', 9]]);
});

test('"since last session" is there even when empty; empty earlier gaps and "before" are left out', () => {
  const out = groupBySession([item('x', '2026-03-02')], [mark('2026-03-01'), mark('2026-03-05'), mark('2026-03-09')],
    '2026-03-09');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]), [['since', []], ['between', ['x']]]);
});

test('within a group the later written comes first; an item with no readable arrival counts as the oldest', () => {
  const out = groupBySession([item('morning', '2026-03-02', { at: '2026-03-02T08:00:00Z' }),
    item('evening', '2026-03-02', { at: '2026-03-02T20:00:00Z' }), { id: 'undated', date: null }],
  [mark('2026-03-01')], '2026-03-05');
  assert.deepEqual(out.groups.map((g) => [g.kind, ids(g)]),
    [['since', ['evening', 'morning']], ['before', ['undated']]]);
});

test('local days and the date range', () => {
  assert.equal(localDay(new Date(2026, 2, 29, 23, 30)), '2026-03-29');
  assert.equal(localDay('not a date'), null);
  assert.equal(todayLocal(new Date(2026, 0, 5, 0, 1)), '2026-01-05');
  assert.deepEqual(dateRange([item('a', '2026-03-09'), item('b', '2026-03-01'), { date: null }]),
    { from: '2026-03-01', to: '2026-03-09' });
  assert.equal(dateRange([]), null);
});
