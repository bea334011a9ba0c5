// The service worker's route table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../js/engine/router.js';

const h = (name) => async () => name;

test('method and path select the handler; :params are decoded', async () => {
  const r = new Router().add('GET', '/app/entries', h('list')).add('GET', '/app/entries/:id', h('show'))
    .add('POST', '/app/entries/:id/delete', h('delete'));
  assert.equal(await r.match('GET', '/app/entries').handler(), 'list');
  const m = r.match('get', '/app/entries/a%20b');
  assert.equal(await m.handler(), 'show');
  assert.deepEqual(m.params, { id: 'a b' });
  assert.equal(await r.match('POST', '/app/entries/1/delete').handler(), 'delete');
});

test('unknown paths fall through; known paths under another method are refused', () => {
  const r = new Router().add('GET', '/app/entries/:id', h('show'));
  assert.equal(r.match('GET', '/app/entries/1/extra'), null);
  assert.equal(r.match('GET', '/app/entries'), null);
  assert.equal(r.match('GET', '/app.entries/1'), null); // the dot is literal
  assert.deepEqual(r.match('DELETE', '/app/entries/1'), { methodNotAllowed: true });
});

test('a malformed escape in a parameter names nothing (no exception out of the fetch handler)', () => {
  const r = new Router().add('GET', '/app/entries/:id', h('show'));
  assert.equal(r.match('GET', '/app/entries/%E0%A4%A'), null);
  assert.equal(r.match('GET', '/app/entries/%'), null);
});
