// The counter of a limited field (page/field-limits.js): hidden well under the limit, shown from 90 %, over it in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { limitLevel } from '../../js/page/field-limits.js';

test('a field shows its counter from 90 % of its limit, and says when it is over', () => {
  assert.equal(limitLevel(0, 20000), 'under');
  assert.equal(limitLevel(17999, 20000), 'under');
  assert.equal(limitLevel(18000, 20000), 'near');
  assert.equal(limitLevel(19950, 20000), 'near');
  assert.equal(limitLevel(20000, 20000), 'near');
  assert.equal(limitLevel(20001, 20000), 'over');
  assert.equal(limitLevel(9, 10), 'near');
  assert.equal(limitLevel(8, 10), 'under');
});
