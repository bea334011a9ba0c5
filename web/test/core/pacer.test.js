import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY, FULL, TECHNIQUES, breathsPerMinute, customPhases, cycleMs, pacerAddress, positionAt, practisedMinutes,
  techniqueById,
} from '../../js/core/pacer.js';
import { kindTable } from '../../js/core/kinds.js';
import { readFileSync } from 'node:fs';

const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));

test('paced breathing is six breaths a minute; box is 4-4-4-4; 4-7-8 is 19 seconds', () => {
  assert.equal(breathsPerMinute(techniqueById('paced').phases), 6);
  assert.deepEqual(techniqueById('box').phases.map((p) => p.seconds), [4, 4, 4, 4]);
  assert.equal(cycleMs(techniqueById('fourSevenEight').phases), 19000);
});

test('every technique is saved as a technique the relaxation kind offers', () => {
  const field = kinds.get('relaxation').fields.find((f) => f.id === 'technique');
  const offered = field.constraints.options.map((o) => o.id);
  for (const t of TECHNIQUES) assert.ok(offered.includes(t.technique), t.id);
  assert.ok(offered.includes('other')); // custom timings
});

test('the shape grows while breathing in, holds, shrinks while breathing out, and a cycle starts again', () => {
  const box = techniqueById('box').phases;
  assert.equal(positionAt(box, 0).size, EMPTY);
  const mid = positionAt(box, 2000);
  assert.equal(mid.phase.step, 'in');
  assert.ok(mid.size > EMPTY && mid.size < FULL);
  assert.equal(mid.secondsLeft, 2);
  assert.equal(positionAt(box, 5000).phase.step, 'hold');
  assert.equal(positionAt(box, 5000).size, FULL);
  assert.equal(positionAt(box, 9000).phase.step, 'out');
  assert.ok(positionAt(box, 10000).size < positionAt(box, 9000).size);
  assert.equal(positionAt(box, 13000).phase.step, 'rest');
  assert.equal(positionAt(box, 13000).size, EMPTY);
  const again = positionAt(box, 16000);
  assert.deepEqual([again.cycle, again.index, again.size], [1, 0, EMPTY]);
});

test('the physiological sigh breathes in twice: most of the way, then to full', () => {
  const sigh = techniqueById('sigh').phases;
  assert.ok(Math.abs(positionAt(sigh, 1999.9).size - 0.85) < 0.001);
  assert.equal(positionAt(sigh, 2500).index, 1);
  assert.ok(Math.abs(positionAt(sigh, 2999.9).size - FULL) < 0.001);
});

test('custom timings: whole seconds within bounds, holds of 0 left out, anything else refused', () => {
  assert.deepEqual(customPhases({ in: '4', hold: '0', out: '6', rest: 0 }),
    [{ step: 'in', seconds: 4 }, { step: 'out', seconds: 6 }]);
  assert.equal(customPhases({ in: '0', hold: 0, out: 6, rest: 0 }), null);
  assert.equal(customPhases({ in: 4, hold: 21, out: 6, rest: 0 }), null);
  assert.equal(customPhases({ in: 4.5, hold: 0, out: 6, rest: 0 }), null);
  assert.equal(customPhases({ in: 'four', hold: 0, out: 6, rest: 0 }), null);
});

test('minutes practised are whole, rounded, at least one', () => {
  assert.equal(practisedMinutes(60000), 1);
  assert.equal(practisedMinutes(10000), 1);
  assert.equal(practisedMinutes(150000), 3);
  assert.equal(practisedMinutes(5 * 60000 - 200), 5);
});

test('an assigned practice becomes the pacer\'s address, and the pacer\'s screen reads back the same choice', async () => {
  const { pacerChoice } = await import('../../js/screens/practice/practice-routes.js');
  const then = '/app/todo/0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21/2026-03-24';
  const custom = pacerAddress({ technique: 'custom', timings: { in: 4, hold: 7, out: 8, rest: 0 }, minutes: 2 }, then);
  const params = new URL(custom, 'https://between.test').searchParams;
  assert.deepEqual(pacerChoice(params), { technique: 'custom', minutes: 2, custom: { in: 4, hold: 7, out: 8, rest: 0 } });
  assert.equal(params.get('then'), then);
  const box = new URL(pacerAddress({ technique: 'box' }, then), 'https://between.test').searchParams;
  assert.deepEqual(pacerChoice(box), { technique: 'box' });
  // No practice: only where it ends, as before practices could be assigned.
  assert.equal(pacerAddress(undefined, then), `/app/practice?then=${encodeURIComponent(then)}`);
});
