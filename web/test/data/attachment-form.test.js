// data/attachment-form.js: what an entry form sends for an attachments field (docs/WEB.md "Attachments"), read with
// the FormData and File a browser gives the worker: kept ids only from the previous value, new files with their
// facts, and every refusal before anything is sealed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../messages-setup.js'; // the English catalogue in use, strict
import { FieldError } from '../../js/core/kinds.js';
import { MAX_ATTACHMENT_BYTES, mediaOf, readAttachmentsForm, readMeta } from '../../js/data/attachment-form.js';

const FIELD = { id: 'recording', label: 'Recording', type: 'attachments', required: true, merge: 'union',
  constraints: { media: ['audio'], max_items: 3 } };
const PHOTOS = { ...FIELD, id: 'photos', label: 'Photos', constraints: { media: ['image'], max_items: 6 } };
const item = (n) => ({ id: `6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e2${n}`, key: 'k'.repeat(43), size: 10 + n,
  digest: 'd'.repeat(43), media: 'audio/webm' });
const PREVIOUS = [item(1), item(2)];

function form(entries) {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}
const audio = (bytes = 5, type = 'audio/webm;codecs=opus') => new File([new Uint8Array(bytes).fill(7)], 'voice.webm', { type });

test('kept ids come back as the previous items, in the order the form lists them', () => {
  const read = readAttachmentsForm(FIELD, form([['f.recording', item(2).id], ['f.recording', item(1).id]]),
    'f.recording', PREVIOUS);
  assert.deepEqual(read.kept, [item(2), item(1)]);
  assert.deepEqual(read.added, []);
});

test('new files with their facts, in order; the media type without parameters', () => {
  const read = readAttachmentsForm(FIELD, form([
    ['f.recording', item(1).id],
    ['f.recording.new', audio(5)], ['f.recording.new', audio(9, 'audio/ogg')],
    ['f.recording.new-meta', '{"duration_ms":5012}'], ['f.recording.new-meta', '{}'],
  ]), 'f.recording', PREVIOUS);
  assert.equal(read.kept.length, 1);
  assert.deepEqual(read.added.map((a) => [a.file.size, a.media, a.meta]),
    [[5, 'audio/webm', { duration_ms: 5012 }], [9, 'audio/ogg', {}]]);
});

test('an input with no file chosen sends one empty nameless file: not an attachment', () => {
  const empty = new File([], '', { type: 'application/octet-stream' });
  const read = readAttachmentsForm(FIELD, form([['f.recording.new', empty]]), 'f.recording', []);
  assert.deepEqual(read, { kept: [], added: [] });
});

test('refused before anything is sealed, with the question named', () => {
  const cases = [
    [[['f.recording', '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e29']], /names an attachment this entry does not have/],
    [[['f.recording', 'not-an-id']], /names an attachment this entry does not have/],
    [[['f.recording', item(1).id], ['f.recording', item(1).id]], /same attachment twice/],
    [[['f.recording.new', audio(5, 'image/png')]], /cannot hold this kind of file/],
    [[['f.recording.new', audio(5, 'audio/x-wav')]], /cannot hold this kind of file/],
    [[['f.recording.new', audio(0)]], /empty file/],
    [[['f.recording', item(1).id], ['f.recording', item(2).id], ['f.recording.new', audio()], ['f.recording.new', audio()]],
      /at most 3 attachments/],
  ];
  for (const [entries, words] of cases) {
    assert.throws(() => readAttachmentsForm(FIELD, form(entries), 'f.recording', PREVIOUS), (err) => {
      assert.ok(err instanceof FieldError);
      assert.equal(err.fieldId, 'recording');
      assert.match(err.message, /“Recording”/);
      assert.match(err.message, words);
      return true;
    });
  }
  // a kept id is checked against the previous value only: on a new entry nothing can be kept
  assert.throws(() => readAttachmentsForm(FIELD, form([['f.recording', item(1).id]]), 'f.recording', undefined), FieldError);
});

test('a file over 48 MiB is refused by its size (no bytes read)', () => {
  const big = { size: MAX_ATTACHMENT_BYTES + 1, type: 'audio/webm', name: 'long.webm' };
  const data = { getAll: (name) => (name === 'f.recording.new' ? [big] : []) };
  assert.throws(() => readAttachmentsForm(FIELD, /** @type {any} */ (data), 'f.recording', []), /larger than 48 MB/);
});

test('media types by the field: photos take images only', () => {
  assert.equal(mediaOf('image/JPEG', ['image']), 'image/jpeg');
  assert.equal(mediaOf('image/jpeg', ['audio']), null);
  assert.equal(mediaOf('audio/mp4', ['audio', 'image']), 'audio/mp4');
  assert.equal(mediaOf('', ['image']), null);
  const photo = new File([new Uint8Array(3)], 'p.webp', { type: 'image/webp' });
  const read = readAttachmentsForm(PHOTOS, form([['f.photos.new', photo], ['f.photos.new-meta', '{"width":2048,"height":1536}']]),
    'f.photos', []);
  assert.deepEqual(read.added[0].meta, { width: 2048, height: 1536 });
});

test('facts: kept only when whole and in range, both sizes or neither; bad JSON is no facts', () => {
  assert.deepEqual(readMeta('{"duration_ms": 3600000}', 'audio/webm'), { duration_ms: 3600000 });
  assert.deepEqual(readMeta('{"duration_ms": 3600001}', 'audio/webm'), {});
  assert.deepEqual(readMeta('{"duration_ms": 1.5}', 'audio/webm'), {});
  assert.deepEqual(readMeta('{"width": 10}', 'image/png'), {});
  assert.deepEqual(readMeta('{"width": 10, "height": 8193}', 'image/png'), {});
  assert.deepEqual(readMeta('{"width": 10, "height": 20, "gps": "x"}', 'image/png'), { width: 10, height: 20 });
  assert.deepEqual(readMeta('{"width": 10, "height": 20}', 'audio/ogg'), {});
  assert.deepEqual(readMeta('not json', 'audio/ogg'), {});
  assert.deepEqual(readMeta('[1]', 'audio/ogg'), {});
  assert.deepEqual(readMeta(undefined, 'audio/ogg'), {});
});
