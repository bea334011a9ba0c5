// Recordings and photos on the screens (screens/media-views.js): the form's markup the save route reads (the
// attachments contract), the players of the entry's page and a therapist's timeline, their words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../messages-setup.js'; // the English catalogue in use, strict
import {
  attachmentPath, attachmentsEditor, attachmentsShow, captionOf, clockWords, itemsOf, mediaOf, recordingWords,
} from '../../js/screens/media-views.js';
import { fieldControl, fieldDisplay, timelineValue } from '../../js/screens/fields.js';

const voice = { id: 'recording', label: 'Recording', type: 'attachments', required: true, merge: 'union',
  constraints: { max_items: 1, media: ['audio'] } };
const photos = { id: 'photos', label: 'Photos', type: 'attachments', required: false, merge: 'union',
  constraints: { max_items: 6, media: ['image'] } };
const ID = '0b6c1f4e-8a53-4c1e-9d0a-3f2b7e5a6c11';
const ID2 = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';
const item = (id, media, extra = {}) => ({ id, key: 'k'.repeat(43), size: 10, digest: 'd'.repeat(43), media, ...extra });

test('lengths read as a clock', () => {
  assert.equal(clockWords(5012), '0:05');
  assert.equal(clockWords(299_600), '4:59'); // as a player counts: whole seconds gone by
  assert.equal(clockWords(3_723_000), '1:02:03');
  assert.equal(clockWords(NaN), '0:00');
});

test('a recording in words: its number only when there are several, its length when known', () => {
  assert.equal(recordingWords({ id: ID, duration_ms: 5012 }), 'Recording, 0:05');
  assert.equal(recordingWords({ id: ID, duration_ms: 61_000 }, 2, 3), 'Recording 2 of 3, 1:01');
  assert.equal(recordingWords({ id: ID }), 'Recording');
});

test('a field takes audio or images, from its media', () => {
  assert.equal(mediaOf(voice), 'audio');
  assert.equal(mediaOf(photos), 'image');
  assert.deepEqual(itemsOf([item(ID, 'audio/webm'), 'x', null, 3, { no: 'id' }]).map((i) => i.id), [ID, 'x']);
  assert.equal(captionOf({ caption: '  A tree  ' }), 'A tree');
  assert.equal(captionOf({ caption: ' ' }), null);
});

test('the recorder: kept ids as hidden inputs, the new files and their meta under <name>.new', () => {
  const markup = String(attachmentsEditor(voice, [item(ID, 'audio/webm', { duration_ms: 5012 })], 'f-recording',
    'f.recording', { recordId: 'r1' }));
  assert.match(markup, /<input type="hidden" name="f.recording" value="0b6c1f4e-8a53-4c1e-9d0a-3f2b7e5a6c11">/);
  assert.match(markup, /<input type="file" name="f.recording.new" multiple hidden/);
  assert.match(markup, /data-attach-metas/);
  assert.match(markup, /data-limit-ms="300000"/);
  assert.match(markup, /<audio controls preload="metadata" src="\/app\/attachments\/r1\/0b6c1f4e/);
  assert.doesNotMatch(markup, /autoplay/);
  // One fits and one is there: the button records again (the new one replaces it).
  assert.match(markup, /data-rec="record" class="secondary">Record again</);
  const empty = String(attachmentsEditor(voice, undefined, 'f-recording', 'f.recording'));
  assert.match(empty, /data-rec="record">Record</);
  assert.match(empty, /role="status"/);
  assert.match(empty, /data-attach-error hidden/); // an alert once it says something (page/attach-form.js fail)
  assert.doesNotMatch(empty, /role="alert"/);
});

test('the photo picker: image/* with a camera choice, its count, up to max_items', () => {
  const markup = String(fieldControl(photos, [], false, {}));
  assert.match(markup, /accept="image\/\*" multiple hidden data-photos-input/);
  assert.match(markup, /capture="environment"/);
  assert.match(markup, /data-max-items="6"/);
  assert.match(markup, /No photos yet: up to 6\./);
  assert.match(markup, /name="f.photos.new"/);
});

test('an entry shows each recording with its words and player, each photo with its text alternative', () => {
  const value = [item(ID, 'audio/webm', { duration_ms: 5012 })];
  const page = String(fieldDisplay(voice, value, { recordId: 'rec-1' }));
  assert.match(page, /Recording, 0:05/);
  assert.match(page, /<audio controls preload="metadata" src="\/app\/attachments\/rec-1\/0b6c1f4e[^"]*"/);
  assert.match(page, /data-duration-ms="5012"/);
  assert.match(page, /hx-get="\/app\/attachments\/rec-1\/0b6c1f4e-8a53-4c1e-9d0a-3f2b7e5a6c11\/status"/);
  const timeline = String(timelineValue(voice, value, { recordId: 'rec-1' }));
  assert.match(timeline, /<audio controls/);
  assert.doesNotMatch(timeline, /\/status/); // where the owner's upload stands is the owner's
  const pics = String(timelineValue(photos, [item(ID, 'image/jpeg', { width: 800, height: 600 }),
    item(ID2, 'image/jpeg')], { recordId: 'rec-2' }));
  assert.match(pics, /<img src="\/app\/attachments\/rec-2\/0b6c1f4e[^"]*" alt="Photo 1 of 2"[^>]* width="800" height="600">/);
  assert.match(pics, /alt="Photo 2 of 2"/);
  const one = String(timelineValue(photos, [item(ID, 'image/jpeg')], { recordId: 'r', caption: 'My drawing' }));
  assert.match(one, /alt="My drawing"/);
  assert.equal(attachmentPath('a/b', 'c'), '/app/attachments/a%2Fb/c');
  assert.equal(attachmentsShow([], { recordId: 'r' }), null);
});
