import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PMR_SEQUENCES, pmrSteps, sequenceFromText, sitSteps, timerAt, totalMs } from '../../js/core/timer.js';

test('PMR: each group tensed then released, one after another', () => {
  const steps = pmrSteps(PMR_SEQUENCES.short);
  assert.equal(steps.length, 10);
  assert.deepEqual(steps.slice(0, 3).map((s) => [s.kind, s.group, s.start, s.ms]),
    [['tense', 'hands', 0, 5000], ['release', 'hands', 5000, 10000], ['tense', 'shoulders', 15000, 5000]]);
  assert.equal(totalMs(steps), 75000);
  assert.deepEqual(timerAt(steps, 4000), { index: 0, secondsLeft: 1, bell: false, over: false });
  assert.equal(timerAt(steps, 5000).index, 1);
  assert.deepEqual(timerAt(steps, 75000), { index: 10, secondsLeft: 0, bell: false, over: true });
});

test('a sequence can be written as text, one group a line; anything else is refused', () => {
  assert.deepEqual(sequenceFromText('Shoulders: 5, 15\n\n  Jaw : 3,10  '),
    [{ group: 'Shoulders', tense: 5, release: 15 }, { group: 'Jaw', tense: 3, release: 10 }]);
  assert.equal(sequenceFromText('Shoulders 5 15'), null);
  assert.equal(sequenceFromText('Shoulders: 0, 15'), null);
  assert.equal(sequenceFromText('Shoulders: 5, 121'), null);
  assert.equal(sequenceFromText(''), null);
});

test('a plain timer rings its interval bells between the start and the end, not at the end', () => {
  const steps = sitSteps(10);
  assert.equal(timerAt(steps, 299_900, 299_800, 300_000).bell, false);
  assert.equal(timerAt(steps, 300_050, 299_950, 300_000).bell, true);
  assert.equal(timerAt(steps, 600_000, 599_950, 300_000).bell, false); // the end has its own bell
  assert.equal(timerAt(steps, 600_000, 599_950, 300_000).over, true);
});
