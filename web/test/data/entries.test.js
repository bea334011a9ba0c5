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

test('search looks at what the screens show: a choice by its label, not its stored id', async () => {
  const { readFileSync } = await import('node:fs');
  const { kindTable } = await import('../../js/core/kinds.js');
  const { searchEntries } = await import('../../js/data/entries.js');
  const kinds = kindTable(JSON.parse(readFileSync(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));
  const entry = (id, kind, fields) => ({ id, kind, fields, createdAt: '', updatedAt: '', conflicts: [] });
  const all = [entry('r', 'relaxation', { minutes: 5, technique: 'muscle-relaxation' }),
    entry('l', 'lifestyle', { area: 'food', goal: 'Breakfast' }), entry('x', 'dream', { plot: 'Flying' })];
  const found = (query) => searchEntries(all, query, (e) => kinds.get(e.kind) ?? null).map((e) => e.id);
  assert.deepEqual(found('progressive muscle'), ['r']);
  assert.deepEqual(found('food and drink'), ['l']);
  assert.deepEqual(found('lifestyle change'), ['l'], 'the kind by its label');
  assert.deepEqual(found('flying'), ['x'], 'a newer kind: its answers as they are');
});
