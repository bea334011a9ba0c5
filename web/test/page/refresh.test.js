// Which screens render again after a sync run (js/page/refresh.js): by the data each shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affects, scopesOf } from '../../js/page/refresh.js';

test('each screen renders again only for the data it shows', () => {
  assert.ok(affects('/app/todo', ['received']));
  assert.ok(affects('/app/todo/3f1/2026-12-07', ['received']));
  assert.ok(affects('/app/clients', ['peers']));
  assert.ok(affects('/app/clients/abc', ['received']));
  assert.ok(affects('/app/entries?q=walk', ['records']));
  assert.ok(!affects('/app/entries', ['received']));
  assert.ok(!affects('/app/invites', ['records']));
  assert.ok(affects('/app/invites', ['peers']));
  assert.deepEqual(scopesOf('/app/invite'), []); // accepting an invitation: never
  assert.deepEqual(scopesOf('/app/invites/'), ['peers']);
});

test('Progress is the client\'s own entries only; a screen the table does not know renders for any change', () => {
  assert.ok(affects('/app/today', ['received']));
  assert.ok(affects('/app/progress', ['records']) && !affects('/app/progress', ['received']));
  assert.deepEqual(scopesOf('/app/some-new-screen').sort(), ['peers', 'received', 'records']);
  assert.deepEqual(scopesOf('/app').sort(), ['peers', 'received', 'records']); // the home screen
});
