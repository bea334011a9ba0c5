// Drafts at rest (data/drafts.js): sealed like an entry under the account's keys, the row's id telling nothing of
// the form, opened only by the account that sealed it, refused when tampered with.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { newUuid, toHex, utf8 } from '../../js/core/bytes.js';
import { randomBytes } from '../../js/core/crypto.js';
import { deriveKwk } from '../../js/core/keys.js';
import { MAX_DRAFT_CHARS, draftId, openDraft, saveDraft, sealDraft } from '../../js/data/drafts.js';

async function account() {
  const accountKey = randomBytes(32);
  return { userId: newUuid(), accountKey, kwk: await deriveKwk(accountKey) };
}

const CANARY = 'canary-draft-7f3a';
const draft = (form = 'entry/new/journal') => ({ form, path: '/app/entries/new?kind=journal', kind: 'journal',
  title: '', what: 'new', values: [['f.title', `title ${CANARY}`], ['f.body', `body ${CANARY}\nline two`]],
  updatedAt: '2026-04-01T10:00:00.000Z' });

/** Every byte of a row, as one text (bytes as Latin-1 characters, so any ASCII run shows), to look for plaintext in. */
const latin1 = (bytes) => new TextDecoder('latin1').decode(bytes);
const bytesOf = (row) => [row.id, latin1(row.keyId), latin1(row.dekWrap), latin1(row.ct)].join(' ');

test('a draft is sealed: nothing of the form, its kind or what was typed is in the stored row', async () => {
  const me = await account();
  const row = await sealDraft(me, draft());
  for (const plain of [CANARY, 'journal', 'entry/new', '/app/', 'f.body']) assert.ok(!bytesOf(row).includes(plain), plain);
  assert.deepEqual(Object.keys(row).sort(), ['ct', 'dekWrap', 'id', 'keyId']);
  assert.ok(row.ct.length >= 1024, 'padded as a record is');
  assert.deepEqual(await openDraft(me, row), draft());
});

test('one row per form: the same form always has the same id, another form another; ids differ per account', async () => {
  const me = await account();
  const a = toHex(await draftId(me, 'entry/new/journal'));
  assert.equal(a, toHex(await draftId(me, 'entry/new/journal')));
  assert.notEqual(a, toHex(await draftId(me, 'entry/new/mood')));
  assert.notEqual(a, toHex(await draftId(await account(), 'entry/new/journal')));
  assert.equal((await sealDraft(me, draft())).id, a);
  // A fresh key per write: the same draft sealed twice shares nothing but its id.
  const [one, two] = [await sealDraft(me, draft()), await sealDraft(me, draft())];
  assert.notEqual(toHex(one.ct), toHex(two.ct));
  assert.notEqual(toHex(one.keyId), toHex(two.keyId));
});

test('another account cannot open it; a changed byte or a row moved to another form\'s id opens nothing', async () => {
  const me = await account();
  const row = await sealDraft(me, draft());
  assert.equal(await openDraft(await account(), row), null);
  const ct = row.ct.slice();
  ct[ct.length - 1] ^= 1;
  assert.equal(await openDraft(me, { ...row, ct }), null);
  const other = toHex(await draftId(me, 'entry/new/mood'));
  assert.equal(await openDraft(me, { ...row, id: other }), null);
  assert.equal(await openDraft(me, { ...row, keyId: randomBytes(16) }), null);
});

test('a draft too large to keep is refused, not cut', async () => {
  const me = await account();
  const big = { ...draft(), values: [['f.body', 'x'.repeat(MAX_DRAFT_CHARS + 1)]] };
  await assert.rejects(saveDraft(/** @type {any} */ ({}), me, big), RangeError);
  assert.equal(utf8(CANARY).length, CANARY.length);
});
