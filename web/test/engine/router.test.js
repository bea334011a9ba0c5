// The service worker's route table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, rankOf } from '../../js/engine/router.js';

const h = (name) => async () => name;

test('method and path select the handler; :params are decoded', async () => {
  const r = new Router().add('GET', '/app/entries', h('list')).add('GET', '/app/entries/:id', h('show'))
    .add('POST', '/app/entries/:id/delete', h('delete'));
  assert.equal(await r.match('GET', '/app/entries').handler(), 'list');
  const m = r.match('get', '/app/entries/a%20b');
  assert.equal(await m.handler(), 'show');
  assert.deepEqual(m.params, { id: 'a b' });
  assert.equal(m.path, '/app/entries/:id');
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

test('a rank has one letter per segment: a literal sorts before a parameter', () => {
  assert.equal(rankOf('/app/entries/new'), 'aaaa');
  assert.equal(rankOf('/app/entries/:id'), 'aaab');
  assert.equal(rankOf('/app/todo/:aid/:occurrence/not-done'), 'aaabba');
  assert.ok(rankOf('/app/todo/:aid/feedback') < rankOf('/app/todo/:aid/:occurrence'));
  assert.ok(rankOf('/a/b/:x') < rankOf('/a/:y/c'));
});

/** Both orders of adding `routes` to a new router. */
const bothOrders = (routes) => [routes, [...routes].reverse()].map((list) => {
  const r = new Router();
  for (const [method, path, name] of list) r.add(method, path, h(name));
  return r;
});

test('a literal segment beats a parameter at the same place, whatever the order of adding', async () => {
  for (const r of bothOrders([['GET', '/app/entries/:id', 'show'], ['GET', '/app/entries/new', 'new']])) {
    assert.equal(await r.match('GET', '/app/entries/new').handler(), 'new');
    assert.equal(await r.match('GET', '/app/entries/1').handler(), 'show');
  }
});

test('the longer literal prefix wins: the first place where two routes differ decides', async () => {
  for (const r of bothOrders([['GET', '/a/:x/c', 'later literal'], ['GET', '/a/b/:y', 'earlier literal']])) {
    assert.equal(await r.match('GET', '/a/b/c').handler(), 'earlier literal');
    assert.deepEqual(r.match('GET', '/a/b/c').params, { y: 'c' });
    assert.equal(await r.match('GET', '/a/z/c').handler(), 'later literal');
  }
  for (const r of bothOrders([['POST', '/t/:aid/:day', 'day'], ['POST', '/t/:aid/feedback', 'feedback']])) {
    assert.equal(await r.match('POST', '/t/1/feedback').handler(), 'feedback');
    assert.equal(await r.match('POST', '/t/1/2026-11-27').handler(), 'day');
  }
});

test('a path taken only under another method hides no other route; none for the method is a 405', async () => {
  for (const r of bothOrders([['POST', '/t/:aid/feedback', 'feedback'], ['GET', '/t/:aid/:day', 'day form']])) {
    assert.equal(await r.match('GET', '/t/1/feedback').handler(), 'day form');
    assert.equal(await r.match('POST', '/t/1/feedback').handler(), 'feedback');
    assert.deepEqual(r.match('POST', '/t/1/2026-11-27'), { methodNotAllowed: true });
    assert.deepEqual(r.match('DELETE', '/t/1/feedback'), { methodNotAllowed: true });
  }
});

test('a second route of the same method and shape is refused; another method of it is not', () => {
  const r = new Router().add('GET', '/app/entries/:id', h('show'));
  assert.throws(() => r.add('GET', '/app/entries/:uid', h('other')), /already taken by \/app\/entries\/:id/);
  assert.throws(() => r.add('get', '/app/entries/:id', h('again')), /already taken/);
  r.add('POST', '/app/entries/:id', h('update')).add('GET', '/app/entries/new', h('new'));
  assert.equal(r.routes.length, 3);
});
