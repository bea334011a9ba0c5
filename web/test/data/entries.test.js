// The outbox (data/entries.js isPending): what sync pushes, what documents show as waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { isPending } from '../../js/data/entries.js';

const bytes = (n, fill) => new Uint8Array(n).fill(fill);

test('the outbox is every record whose head the server has not acknowledged', () => {
  const rev = (b) => ({ revId: bytes(32, b) });
  assert.ok(isPending({ head: rev(1), synced: null }));
  assert.ok(isPending({ head: rev(2), synced: rev(1) }));
  assert.ok(!isPending({ head: rev(1), synced: rev(1) }));
});
