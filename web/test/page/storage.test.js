// The eviction marker cookie (js/page/storage.js): its name and attributes over https and over http (development).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markedIn, markerCookies } from '../../js/page/storage.js';

const attributes = (cookie) => cookie.split('; ').slice(1);

test('over https the marker is a __Host- cookie (Secure, Path=/, no Domain, SameSite=Strict); the old name goes', () => {
  const [set, old] = markerCookies('https:', true);
  assert.ok(set.startsWith('__Host-between-account=1; '));
  assert.deepEqual(attributes(set), ['Path=/', 'Max-Age=34560000', 'SameSite=Strict', 'Secure']);
  assert.ok(!/domain/i.test(set));
  assert.ok(old.startsWith('between-account=; ') && old.includes('Max-Age=0'));
  const dropped = markerCookies('https:', false);
  assert.ok(dropped.every((c) => c.includes('Max-Age=0; SameSite=Strict')));
  assert.deepEqual(dropped.map((c) => c.split('=')[0]), ['__Host-between-account', 'between-account']);
});

test('over http (development on 127.0.0.1) the marker keeps the plain name, without Secure', () => {
  assert.deepEqual(markerCookies('http:', true), ['between-account=1; Path=/; Max-Age=34560000; SameSite=Strict']);
  assert.deepEqual(markerCookies('http:', false), ['between-account=; Path=/; Max-Age=0; SameSite=Strict']);
});

test('either name marks the device; anything else does not', () => {
  assert.ok(markedIn('a=b; __Host-between-account=1'));
  assert.ok(markedIn('between-account=1; theme=dark'));
  assert.ok(!markedIn('between-account=; x-between-account=1; between-account=10'));
  assert.ok(!markedIn(''));
});
