// data/device.js's lock generation (audit F5): secrets read before a lock open nothing after it, and no decrypted
// document is kept in memory while the app is locked (data/entries.js's cache).
import assert from 'node:assert/strict';
import test from 'node:test';

import {
  LockedError, dropVault, holdVault, lockGeneration, mayKeepPlaintext, stillUnlocked,
} from '../../js/data/device.js';
import { openPlaintext, rememberPlaintext } from '../../js/data/entries.js';

const rid = new Uint8Array(32).fill(7);
const plaintext = new TextEncoder().encode('{"kind":"journal"}');
// A revision whose ciphertext opens under no key: only a kept plaintext can answer for it.
const revision = { revId: rid, header: new Uint8Array(0), ct: new Uint8Array(0) };
const row = { ownerId: new Uint8Array(16), recordId: '00000000-0000-4000-8000-000000000000' };

test('secrets read before a lock are refused after it, and nothing is kept while locked', async () => {
  const vault = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  holdVault(vault);
  const before = { generation: lockGeneration(), kwk: new Uint8Array(32) };
  stillUnlocked(before);
  assert.ok(mayKeepPlaintext(before));
  rememberPlaintext(rid, plaintext);
  assert.equal(await openPlaintext(before, row, revision), plaintext, 'kept while unlocked');

  dropVault(true); // locked
  assert.throws(() => stillUnlocked(before), LockedError);
  assert.ok(!mayKeepPlaintext() && !mayKeepPlaintext(before));
  await assert.rejects(openPlaintext(before, row, revision), LockedError);

  // A sync run that began before the lock remembers what it opened: not kept.
  const other = new Uint8Array(32).fill(9);
  rememberPlaintext(other, plaintext);
  holdVault(vault); // unlocked again
  const after = { generation: lockGeneration(), kwk: new Uint8Array(32) };
  assert.throws(() => stillUnlocked(before), LockedError, 'still refused after the unlock');
  assert.ok(!mayKeepPlaintext(before) && mayKeepPlaintext(after));
  // Not in memory: opening it tries the (undecryptable) ciphertext and fails, instead of answering the kept copy.
  await assert.rejects(openPlaintext(after, row, { ...revision, revId: other }));
  dropVault(false); // the lock turned off: the generation moves on, but plaintext may be kept again
  assert.ok(mayKeepPlaintext());
});
