// What the page does with a form's stored draft when its screen comes (js/page/drafts.js restoreChoice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreChoice } from '../../js/page/drafts.js';

const shown = [['f.body', 'as saved']];
const mine = [['f.body', 'as I was writing it']];

test('no draft, or one the form already shows, leaves nothing to continue', () => {
  assert.equal(restoreChoice({ draft: null, original: shown, typed: null }), 'none');
  assert.equal(restoreChoice({ draft: { values: shown }, original: shown, typed: null }), 'discard');
  // Even when started from an older version: the form holds what the draft holds.
  assert.equal(restoreChoice({ draft: { values: shown, base: '2' }, original: shown, base: '3', typed: null }),
    'discard');
});

test('a draft of the version the form shows is put back; a form that edits nothing has no version', () => {
  assert.equal(restoreChoice({ draft: { values: mine, base: '3' }, original: shown, base: '3', typed: null }),
    'restore');
  assert.equal(restoreChoice({ draft: { values: mine, base: '' }, original: shown, base: '', typed: null }), 'restore');
  // A draft kept before drafts carried their version: put back as before.
  assert.equal(restoreChoice({ draft: { values: mine }, original: shown, base: '3', typed: null }), 'restore');
});

test('a draft started from an older version of the entry is never put back without asking', () => {
  assert.equal(restoreChoice({ draft: { values: mine, base: '2' }, original: shown, base: '3', typed: null }),
    'moved');
  // Typed into the form before the draft came too: still the entry's change that is asked about first.
  assert.equal(restoreChoice({ draft: { values: mine, base: '2' }, original: shown, base: '3',
    typed: [['f.body', 'as saved, and more']] }), 'moved');
});

test('typing before the draft came asks which to keep, unless what was typed is the draft', () => {
  assert.equal(restoreChoice({ draft: { values: mine }, original: shown, typed: [['f.body', 'as saved!']] }), 'typed');
  assert.equal(restoreChoice({ draft: { values: mine, base: '3' }, original: shown, base: '3',
    typed: [['f.body', 'x']] }), 'typed');
  assert.equal(restoreChoice({ draft: { values: mine }, original: shown, typed: mine }), 'none');
});
