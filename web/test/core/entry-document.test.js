// Entry documents (docs/PROTOCOL.md section 13): every vector plaintext is one, checked by the browser's validator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../js/core/bytes.js';
import { documentType, makeDocument, makeTombstone, validateEntryDocument } from '../../js/core/entry-document.js';
import { kindTable } from '../../js/core/kinds.js';
import * as records from '../../js/core/records.js';

const VECTORS = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));
const load = async (name) => JSON.parse(await readFile(VECTORS + name, 'utf8'));
const kinds = kindTable(JSON.parse(await readFile(new URL('../../../sync/kinds.json', import.meta.url), 'utf8')));

/** Decode a revision's plaintext and validate it as its deleted flag says; it must be normalised already. */
function check(plaintextHex, deleted) {
  const plaintext = fromHex(plaintextHex);
  const doc = records.decodeDocument(plaintext);
  assert.deepEqual(records.encodeDocument(doc), plaintext, 'canonical JSON, byte for byte');
  assert.equal(documentType(doc), 'entry');
  assert.deepEqual(validateEntryDocument(doc, kinds, { deleted }), doc);
  return doc;
}

test('every Python record vector (vectors/records.json) carries an entry document', async () => {
  const docs = (await load('records.json')).vectors.map((v) => check(v.plaintext, v.deleted));
  assert.deepEqual(docs.map((d) => d.deleted ?? false), [false, false, true]);
  assert.deepEqual(docs.at(-1).fields, {});
});

test('every JS record vector (vectors/js/records.json) carries an entry document', async () => {
  const docs = (await load('js/records.json')).revisions.map((r) => check(r.plaintext, r.deleted ?? false));
  assert.equal(docs.at(-1).deleted, true);
});

test('the revision tamper.json accepts carries an entry document', async () => {
  const t = await load('tamper.json');
  const x = t.revision_context;
  const ctx = { ownerId: fromHex(x.owner_id), recordId: fromHex(x.record_id), keyId: fromHex(x.key_id),
    dek: fromHex(x.dek), signerPub: fromHex(x.signer_pub) };
  const accepted = t.revisions.filter((c) => c.expect === 'accept');
  assert.ok(accepted.length);
  for (const c of accepted) {
    const [header, plaintext] = await records.openRevision({ header: fromHex(c.header), ct: fromHex(c.ct),
      signature: fromHex(c.signature) }, ctx);
    const doc = records.decodeDocument(plaintext);
    assert.deepEqual(validateEntryDocument(doc, kinds, { deleted: Boolean(header.flags & 1) }), doc);
  }
});

test('the JS-made plaintext cases (vectors/js/documents.json) decode, or not, as the decoder says now', async () => {
  for (const c of (await load('js/documents.json')).plaintexts) {
    if (c.decodes) records.decodeDocument(fromHex(c.plaintext));
    else assert.throws(() => records.decodeDocument(fromHex(c.plaintext)), { code: 'bad_document' }, c.name);
  }
});

test('the JS-made document cases (vectors/js/documents.json) are what the validator says now', async () => {
  for (const c of (await load('js/documents.json')).documents) {
    if (c.valid) {
      assert.deepEqual(validateEntryDocument(c.doc, kinds, { deleted: c.deleted }), c.valid, c.name);
      assert.deepEqual(validateEntryDocument(c.valid, kinds, { deleted: c.deleted }), c.valid, c.name);
    } else {
      assert.throws(() => validateEntryDocument(c.doc, kinds, { deleted: c.deleted }),
        (err) => err.code === c.error.code && err.fieldId === c.error.field, c.name);
    }
  }
});

test('a tombstone keeps kind and times, drops the fields, says deleted; the flag must agree', () => {
  const device = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
  const doc = makeDocument('mood', { score: 3 }, '2026-11-02T10:00:00.000Z', device);
  const gone = makeTombstone({ ...doc, conflicts: [{ at: '', strategy: 'delete', note: 'x' }] },
    '2026-11-02T11:00:00.000Z', device);
  assert.deepEqual(Object.keys(gone).sort(), ['conflicts', 'created_at', 'deleted', 'device', 'fields', 'kind',
    'updated_at', 'v']);
  assert.deepEqual(validateEntryDocument(gone, kinds, { deleted: true }), gone);
  assert.throws(() => validateEntryDocument(gone, kinds, { deleted: false }), { code: 'invalid_entry' });
  assert.throws(() => validateEntryDocument(doc, kinds, { deleted: true }), { code: 'invalid_entry' });
});
