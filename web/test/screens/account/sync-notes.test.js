import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dismissNote, noteId, notesAfter } from '../../../js/screens/account/account-routes.js';
import { notesSection } from '../../../js/screens/account/account-views.js';
import { WARNINGS } from '../../../js/engine/share.js';
import { t } from '../../../js/screens/views.js';
import { warningLine } from '../../../js/core/sync-status.js';
import '../../messages-setup.js';

const empty = { open: [], dismissed: [] };
const run1 = { state: 'synced', at: '2026-11-26T16:00:00.000Z', warnings: ['link_ended_rekeyed', 'unverified_revoked'] };

test('a sync run with warnings adds one note per code, once', () => {
  const kept = notesAfter(empty, run1);
  assert.deepEqual(kept.open.map((n) => n.code), ['link_ended_rekeyed', 'unverified_revoked']);
  assert.equal(notesAfter(kept, run1), kept); // the same status again: nothing new
  assert.equal(notesAfter(kept, { state: 'synced', at: 'later', warnings: [] }), kept);
});

test('unknown codes and a status without a run time are left out', () => {
  assert.equal(notesAfter(empty, { at: 'x', warnings: ['no_such_code', 'toString'] }), empty);
  assert.equal(notesAfter(empty, { warnings: ['link_ended_rekeyed'] }), empty);
});

test('a dismissed note does not come back for the same event, but a later event shows again', () => {
  const kept = notesAfter(empty, run1);
  const id = noteId({ code: 'link_ended_rekeyed', at: run1.at });
  const after = dismissNote(kept, id);
  assert.deepEqual(after.open.map((n) => n.code), ['unverified_revoked']);
  assert.deepEqual(after.dismissed, [id]);
  assert.equal(notesAfter(after, run1), after);
  assert.equal(dismissNote(after, id), after); // twice: no change
  const run2 = { ...run1, at: '2026-11-26T16:05:00.000Z', warnings: ['link_ended_rekeyed'] };
  assert.deepEqual(notesAfter(after, run2).open.map(noteId), [noteId({ code: 'unverified_revoked', at: run1.at }),
    noteId({ code: 'link_ended_rekeyed', at: run2.at })]);
});

test('the dismissed list stays bounded', () => {
  let kept = empty;
  for (let i = 0; i < 80; i++) {
    kept = notesAfter(kept, { at: `t${i}`, warnings: ['old_grants_ignored'] });
    kept = dismissNote(kept, `old_grants_ignored@t${i}`);
  }
  assert.equal(kept.open.length, 0);
  assert.equal(kept.dismissed.length, 50);
  assert.equal(kept.dismissed.at(-1), 'old_grants_ignored@t79');
});

test('the Sync screen shows each note in plain words, escaped, with a Dismiss button', () => {
  assert.equal(notesSection([]), null);
  const out = String(notesSection([{ id: 'link_ended_rekeyed@"<x>', text: t(`sync.warning.${WARNINGS.link_ended_rekeyed}`) },
    { id: 'a@b', text: '<script>alert(1)</script>' }]));
  assert.ok(out.includes('A care link ended'));
  assert.ok(out.includes('&lt;script&gt;') && !out.includes('<script>'));
  assert.ok(!out.includes('"<x>') && !/\sstyle=|\son\w+=/.test(out));
  assert.equal(out.match(/>Dismiss</g).length, 2);
  assert.ok(out.includes('aria-describedby="note-1"') && out.includes('id="note-1"'));
});

test('the header line is short and only says there is something to read', () => {
  assert.equal(warningLine({ state: 'synced', warnings: [] }), '');
  assert.equal(warningLine({ state: 'error', warnings: ['link_ended_rekeyed'] }), '');
  assert.equal(warningLine({ state: 'synced', warnings: ['link_ended_rekeyed'] }),
    'Sync has a note for you on the Sync screen.');
  assert.equal(warningLine({ state: 'waiting', warnings: ['a', 'b'] }), 'Sync has 2 notes for you on the Sync screen.');
});
