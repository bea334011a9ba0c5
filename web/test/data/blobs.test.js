// data/blobs.js (the parts without IndexedDB): a form's attachments sealed into items the kind's validators accept
// and whose blobs open back to the files' bytes, and the items a document names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import '../messages-setup.js'; // the English catalogue in use, strict
import { blobLength, openItem } from '../../js/core/attachments.js';
import { FieldError, kindTable, validateFields } from '../../js/core/kinds.js';
import { namedAttachments, namedBlobIds, sealAttachments, servable } from '../../js/data/blobs.js';

const KINDS = kindTable(JSON.parse(readFileSync(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));
const JOURNAL = KINDS.get('journal');

function form(entries) {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

test('new photos are sealed into items the kind accepts, after the kept ones; their blobs open to the bytes', async () => {
  // Pictures with no metadata to drop (core/image-metadata.js), so sealed as they are: a JPEG whose scan spans two
  // chunks, and the smallest PNG.
  const scan = new Uint8Array(70_000).map((_, i) => i % 251);
  const first = Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2, ...scan, 0xff, 0xd9]);
  const second = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82]);
  const made = await sealAttachments(JOURNAL, form([
    ['f.photos.new', new File([first], 'a.jpg', { type: 'image/jpeg' })],
    ['f.photos.new-meta', '{"width": 2048, "height": 1536}'],
  ]), {});
  assert.equal(made.blobs.length, 1);
  const [item] = made.values.photos;
  assert.deepEqual([item.size, item.media, item.width, item.height], [first.length, 'image/jpeg', 2048, 1536]);
  assert.equal(made.blobs[0].id, item.id);
  assert.equal(made.blobs[0].bytes.length, blobLength(first.length));
  assert.deepEqual(await openItem(item, made.blobs[0].bytes), first);
  assert.equal(made.kept.photos, null);

  // An edit keeps the first and adds another: kept first, then the new one; only the new one has a blob.
  const again = await sealAttachments(JOURNAL, form([
    ['f.photos', item.id],
    ['f.photos.new', new File([second], 'b.png', { type: 'image/png' })],
  ]), { photos: [item] });
  assert.deepEqual(again.values.photos.map((i) => i.id).slice(0, 1), [item.id]);
  assert.equal(again.values.photos.length, 2);
  assert.deepEqual(again.kept.photos, [item]);
  assert.equal(again.blobs.length, 1);
  assert.deepEqual(await openItem(again.values.photos[1], again.blobs[0].bytes), second);
  const fields = validateFields(JOURNAL, { body: 'A drawing.', photos: again.values.photos });
  assert.equal(fields.photos.length, 2);
  assert.deepEqual(namedAttachments({ fields }).map((i) => i.id), again.values.photos.map((i) => i.id));
});

test('a form that asks for what the field does not take is refused before anything is sealed', async () => {
  await assert.rejects(sealAttachments(JOURNAL, form([['f.photos.new', new File([new Uint8Array(3)], 'v.webm',
    { type: 'audio/webm' })]]), {}), FieldError);
  await assert.rejects(sealAttachments(JOURNAL, form([['f.photos', '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e21']]), {}),
    FieldError);
});

test('the items a document names: lists of attachment items in any field, nothing else', () => {
  const item = { id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e21', key: 'k', size: 3, digest: 'd', media: 'image/png' };
  const doc = { fields: { body: 'text', photos: [item], tags: ['a', 'b'], emotions: [{ name: 'calm', intensity: 3 }],
    odd: [{ ...item, id: 'not-a-uuid' }] } };
  assert.deepEqual(namedAttachments(doc), [item]);
  assert.deepEqual(namedAttachments(null), []);
  assert.deepEqual(namedAttachments({ fields: {} }), []);
});

test('only items of an allowed media type are served, of the top-level type their field takes; every id is named', () => {
  const base = { key: 'k', size: 3, digest: 'd' };
  const png = { ...base, id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e21', media: 'image/png' };
  const html = { ...base, id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e22', media: 'text/html' };
  const svg = { ...base, id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e23', media: 'image/svg+xml' };
  const audio = { ...base, id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e24', media: 'audio/webm' };
  const proto = { ...base, id: '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e25', media: 'constructor' };
  const doc = { fields: { photos: [png, html, svg, audio, proto] } };
  // No kind known (a newer version's): the allowlist alone.
  assert.deepEqual(namedAttachments(doc).map((i) => i.id), [png.id, audio.id]);
  // The journal's photos take images only: a recording there is not served either.
  assert.deepEqual(namedAttachments(doc, JOURNAL).map((i) => i.id), [png.id]);
  assert.equal(servable(png, 'title', JOURNAL), false, 'a known field that is not an attachments field');
  // What a push names is every item's blob, whatever its media type: the server keeps them all.
  assert.deepEqual(namedBlobIds(doc), [png.id, html.id, svg.id, audio.id, proto.id]);
});

test('a photo posted with its metadata is sealed without it; bytes that are no picture are refused', async () => {
  const exif = [0xff, 0xe1, 0, 22, ...new TextEncoder().encode('Exif\0\0MM\0*GPS-CANARY')];
  const clean = [0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9];
  const made = await sealAttachments(JOURNAL, form([
    ['f.photos.new', new File([Uint8Array.from([0xff, 0xd8, ...exif, ...clean])], 'gps.jpg', { type: 'image/jpeg' })],
  ]), {});
  const opened = await openItem(made.values.photos[0], made.blobs[0].bytes);
  assert.deepEqual(opened, Uint8Array.from([0xff, 0xd8, ...clean]));
  await assert.rejects(sealAttachments(JOURNAL, form([['f.photos.new', new File([new Uint8Array([1, 2, 3])], 'x.png',
    { type: 'image/png' })]]), {}), FieldError);
});
