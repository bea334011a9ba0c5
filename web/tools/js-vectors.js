/** Deterministic vectors made by the JS implementation; tests/browser/test_js_vectors.py checks them with Python. */

import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex, utf8 } from '../js/core/bytes.js';
import * as att from '../js/core/attachments.js';
import * as c from '../js/core/crypto.js';
import * as keys from '../js/core/keys.js';
import * as records from '../js/core/records.js';
import * as safety from '../js/core/safety.js';
import { authTranscript, packKdfParams } from '../js/core/layout.js';
import { FieldError, kindTable, validateFields } from '../js/core/kinds.js';
import { makeDocument, makeTombstone, validateEntryDocument } from '../js/core/entry-document.js';
import { readFileSync } from 'node:fs';

export const OUT_DIR = fileURLToPath(new URL('../../tests/vectors/js/', import.meta.url));

/** A fixed byte string of length n: vectors must be byte-identical on every run. */
const fixed = (n, start) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);
const hex = toHex;

export async function makeJsVectors() {
  const ownerSig = fixed(32, 1);
  const ownerKem = fixed(32, 2);
  const granteeKem = fixed(32, 3);
  const ownerId = fixed(16, 4);
  const recordId = fixed(16, 5);
  const granteeId = fixed(16, 6);
  const keyId = fixed(16, 7);
  const dek = fixed(32, 8);
  const accountKey = fixed(32, 9);
  const kek = fixed(32, 10);
  const eph = fixed(32, 11);

  const primitives = [];
  for (const [label, ctx] of [['ak_kwk', ''], ['key_commit', hex(keyId)], ['pw_login', '']]) {
    primitives.push({ op: 'hkdf', ikm: hex(accountKey), label, context: ctx, out: hex(await c.hkdf(accountKey, label, fromHex(ctx))) });
  }
  const nonce = fixed(12, 12);
  primitives.push({ op: 'aead', key: hex(kek), nonce: hex(nonce), aad: hex(utf8('aad')), plaintext: hex(utf8('héllo')),
    out: hex(await c.aeadSeal(kek, utf8('héllo'), utf8('aad'), nonce)) });
  const msg = utf8('between js vector');
  primitives.push({ op: 'ed25519', seed: hex(ownerSig), public: hex(await c.ed25519Public(ownerSig)), message: hex(msg),
    signature: hex(await c.ed25519Sign(ownerSig, msg)) });
  primitives.push({ op: 'x25519', seed: hex(ownerKem), public: hex(await c.x25519Public(ownerKem)),
    peer: hex(await c.x25519Public(granteeKem)), shared: hex(await c.x25519(ownerKem, await c.x25519Public(granteeKem))) });
  const granteePub = await c.x25519Public(granteeKem);
  primitives.push({ op: 'hpke', recipient_seed: hex(granteeKem), recipient_pub: hex(granteePub), info: hex(utf8('info')),
    ephemeral_seed: hex(eph), plaintext: hex(dek), sealed: hex(await c.hpkeSeal(granteePub, utf8('info'), dek, eph)) });
  for (const n of [0, 1, 1023, 1024, 16383, 16384, 100000]) {
    primitives.push({ op: 'pad', length: n, padded_length: c.paddedLength(n) });
  }

  // Entry documents as docs/PROTOCOL.md section 13 defines them (a tombstone says deleted and has no fields).
  const device = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
  const created = makeDocument('journal', { body: '<script>alert(1)</script> ✓\n' }, '2026-11-25T19:46:40.123Z', device);
  const body = records.encodeDocument(created);
  const rev1 = await records.sealRevision({ ownerId, recordId, version: 1, parent: null, keyId, dek, plaintext: body,
    sigSeed: ownerSig, nonce: fixed(12, 13) });
  const rid1 = await records.revId(rev1.header, rev1.ct);
  const gone = records.encodeDocument(makeTombstone(created, '2026-11-26T08:00:00.000Z', device));
  const rev2 = await records.sealRevision({ ownerId, recordId, version: 2, parent: rid1, keyId, dek,
    plaintext: gone, sigSeed: ownerSig, deleted: true, nonce: fixed(12, 14) });
  const kwk = await keys.deriveKwk(accountKey);
  const recordVectors = {
    owner_id: hex(ownerId), record_id: hex(recordId), key_id: hex(keyId), dek: hex(dek), sig_seed: hex(ownerSig),
    sig_pub: hex(await c.ed25519Public(ownerSig)), account_key: hex(accountKey),
    revisions: [
      { version: 1, plaintext: hex(body), header: hex(rev1.header), ct: hex(rev1.ct), signature: hex(rev1.signature), rev_id: hex(rid1) },
      { version: 2, deleted: true, plaintext: hex(gone), header: hex(rev2.header), ct: hex(rev2.ct), signature: hex(rev2.signature),
        rev_id: hex(await records.revId(rev2.header, rev2.ct)) },
    ],
    dek_wrap: hex(await records.wrapDek(kwk, ownerId, recordId, keyId, dek, fixed(12, 15))),
    document: { doc: { z: 1, a: ['ü', { y: true, b: null }], kind: 'mood' },
      encoded: hex(records.encodeDocument({ z: 1, a: ['ü', { y: true, b: null }], kind: 'mood' })) },
  };

  const grant = await records.makeGrant({ sigSeed: ownerSig, ownerId, recordId, keyId, dek, granteeId,
    granteeKemPub: granteePub, ephemeralSeed: eph });
  const grantVectors = { owner_sig_pub: hex(await c.ed25519Public(ownerSig)), owner_id: hex(ownerId), record_id: hex(recordId),
    key_id: hex(keyId), grantee_id: hex(granteeId), grantee_kem_seed: hex(granteeKem), dek: hex(dek),
    body: hex(grant.body), sealed: hex(grant.sealed), signature: hex(grant.signature) };

  const userId = ownerId;
  const kdf = keys.newKdfParams({ memoryKib: 19456, iterations: 2, lanes: 1 }, fixed(16, 16));
  const bundle = await keys.makeBundle({ userId, handle: 'río.client', role: 'client', sigSeed: ownerSig, kemSeed: ownerKem });
  const therapist = await keys.makeBundle({ userId: granteeId, handle: 'dr-lee', role: 'therapist', sigSeed: fixed(32, 17),
    kemSeed: granteeKem });
  const rkRaw = fixed(16, 18);
  const rkKeys = await keys.deriveRecoveryKeys(rkRaw);
  const challengeId = fixed(16, 19);
  const challenge = fixed(32, 20);
  const accountVectors = {
    description: 'One account as the browser seals it (PROTOCOL.md section 5). pw_kek is a fixed stand-in for '
      + 'the passphrase KEK (hkdf(Argon2id output, pw_kek)), so no Argon2id runs here: pw_envelope = '
      + 'aead_seal(pw_kek, account_key, "between/v1/env/pw" || user_id || kdf.packed). The recovery KEK is '
      + 'derived from recovery.raw (hkdf(raw, rk_kek) = recovery.kek), and recovery.rk_envelope = '
      + 'aead_seal(recovery.kek, account_key, "between/v1/env/rk" || user_id). id_wrap is sealed under '
      + 'hkdf(account_key, ak_idwk). Byte strings are lowercase hex.',
    user_id: hex(userId), account_key: hex(accountKey), pw_kek: hex(kek),
    kdf: { memory_kib: 19456, iterations: 2, lanes: 1, salt: hex(kdf.salt),
      packed: hex(packKdfParams(19456, 2, 1, kdf.salt)) },
    pw_envelope: hex(await keys.sealPwEnvelope(kek, userId, kdf, accountKey, fixed(12, 21))),
    id_wrap: hex(await keys.sealIdWrap(await keys.deriveIdwk(accountKey), userId, ownerSig, ownerKem, fixed(12, 23))),
    sig_seed: hex(ownerSig), kem_seed: hex(ownerKem),
    recovery: { raw: hex(rkRaw), text: await keys.formatRecoveryKey(rkRaw), kek: hex(rkKeys.kek),
      login_pub: hex(rkKeys.loginPub),
      rk_envelope: hex(await keys.sealRkEnvelope(rkKeys.kek, userId, accountKey, fixed(12, 22))) },
    bundles: [bundle, therapist].map((b) => ({ user_id: hex(b.userId), handle: b.handle, role: b.role,
      sig_pub: hex(b.sigPub), kem_pub: hex(b.kemPub), signature: hex(b.signature) })),
    safety_number: await safety.safetyNumber(bundle, therapist),
    fingerprint: await safety.keyFingerprint(therapist),
    auth: { origin: 'http://127.0.0.1:8000', handle: 'río.client', challenge_id: hex(challengeId), challenge: hex(challenge),
      action: 'login', bound: hex(fixed(32, 24)),
      transcript: hex(authTranscript('http://127.0.0.1:8000', 'río.client', challengeId, challenge, 'login', fixed(32, 24))),
      signature: hex(await keys.signAuth(rkKeys.loginSeed, 'http://127.0.0.1:8000', 'río.client', challengeId, challenge,
        'login', fixed(32, 24))),
      public: hex(rkKeys.loginPub) },
  };
  return { 'primitives.json': primitives, 'records.json': recordVectors, 'grants.json': grantVectors,
    'accounts.json': accountVectors, 'kinds.json': kindCases(), 'documents.json': documentCases(),
    'attachments.json': await attachmentVectors() };
}

/**
 * Attachments as the browser seals them (PROTOCOL.md section 19): sync/core/attachments.py must make the same blobs
 * (pinned by their digest and each chunk's tag; a short one written out) and open them to the same bytes.
 */
async function attachmentVectors() {
  const key = fixed(32, 25);
  const prefix = fixed(7, 26);
  const pattern = fixed(53, 27);
  const cases = [
    ['voice_note', '6f1c0d2e-3b4a-4c5d-9e6f-708192a3b4c5', { hex: hex(utf8('¿Lo digo en voz alta? Sí.')) }],
    ['photo_two_chunks', '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a', { pattern: hex(pattern), size: 100000 }],
  ];
  const vectors = [];
  for (const [name, attachmentId, data] of cases) {
    const bytes = data.hex !== undefined ? fromHex(data.hex)
      : Uint8Array.from({ length: data.size }, (_, i) => pattern[i % pattern.length]);
    const blob = await att.sealBlob(key, attachmentId, new Blob([bytes]), { prefix });
    const tags = [];
    for (let i = 0; i < att.chunkCount(bytes.length); i++) {
      const [, end] = att.chunkSpan(bytes.length, i);
      tags.push(hex(blob.subarray(end - 16, end)));
    }
    vectors.push({ name, key: hex(key), attachment_id: attachmentId, prefix: hex(prefix), data, size: bytes.length,
      blob_length: blob.length, tags, digest: hex(await att.digest(blob)), ...(blob.length <= 2048 ? { blob: hex(blob) } : {}) });
  }
  const photo = await att.newAttachment(fromHex(cases[0][2].hex), 'image/jpeg', { width: 1200, height: 900, key,
    attachmentId: cases[0][1], prefix });
  return {
    description: 'Attachments sealed by web/js/core/attachments.js (PROTOCOL.md section 19): data is "hex", or '
      + '"pattern" repeated to "size"; a blob is written out when short, else pinned by its digest (SHA-256) and each '
      + "chunk's tag. item: newAttachment(voice_note's data, 'image/jpeg', {width: 1200, height: 900}) with its key, "
      + 'id and prefix. Byte strings are lowercase hex.',
    vectors, item: photo.item,
  };
}

const loadKinds = () => kindTable(JSON.parse(readFileSync(new URL('../../sync/kinds.json', import.meta.url), 'utf8')));

/**
 * Entry documents checked by the browser (web/js/core/entry-document.js, PROTOCOL.md section 13):
 * sync/core/entry_document.py must return the same normalised document, or refuse with the same code and field.
 */
function documentCases() {
  const kinds = loadKinds();
  const device = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
  const at = '2026-11-02T10:00:00.000Z';
  const mood = makeDocument('mood', { score: 6, emotions: ['calm'] }, at, device);
  const gone = makeTombstone(mood, '2026-11-03T08:00:00.000Z', device);
  const sheet = { fields: [{ id: 'what', label: 'What happened?', type: 'long_text', required: true, merge: 'text',
    constraints: { max_length: 20000 } }] };
  const answer = { ...makeDocument('worksheet', { what: 'Tram.\n' }, at, device), worksheet: sheet, title: 'Tram' };
  const note = { at: '/fields/score', strategy: 'scalar', note: 'Changed on two devices at once.', other_value: 4,
    other_device: device, other_updated_at: at };
  const without = (doc, key) => Object.fromEntries(Object.entries(doc).filter(([k]) => k !== key));
  const inputs = [
    ['an entry', mood, false],
    ['an entry whose fields get normalised', { ...mood, kind: 'journal', fields: { title: '  Morning\u3000', body: 'b\r\n' } }, false],
    ['times with +00:00 and nine fraction digits', { ...mood, created_at: '2026-11-02T10:00:00+00:00',
      updated_at: '2026-11-02T10:00:00.000000001Z' }, false],
    ['a tombstone', gone, true],
    ['a tombstone without "deleted"', without(gone, 'deleted'), true],
    ['"deleted" in a revision not flagged deleted', gone, false],
    ['"deleted": false', { ...mood, deleted: false }, false],
    ['a tombstone that keeps its fields', { ...gone, fields: mood.fields }, true],
    ['a later version', { ...mood, v: 2 }, false],
    ['an assignment is not an entry', { ...mood, type: 'assignment' }, false],
    ['an unknown key', { ...mood, colour: 'blue' }, false],
    ['an unknown kind', { ...mood, kind: 'dream' }, false],
    ['a date that does not exist', { ...mood, created_at: '2026-02-29T10:00:00.000Z' }, false],
    ['a time with a line break after it', { ...mood, created_at: '2026-11-02T10:00:00.000Z\n' }, false],
    ['a local time', { ...mood, created_at: '2026-11-02T10:00:00.000+01:00' }, false],
    ['edited before it was made', { ...mood, updated_at: '2026-11-02T09:59:59.999Z' }, false],
    ['a device id in capitals', { ...mood, device: device.toUpperCase() }, false],
    ['a device name', { ...mood, device: 'phone' }, false],
    ['an empty conflicts list', { ...mood, conflicts: [] }, false],
    ['a conflict note', { ...mood, conflicts: [note] }, false],
    ['a note with an unknown strategy', { ...mood, conflicts: [{ ...note, strategy: 'guess' }] }, false],
    ['a note with an unknown key', { ...mood, conflicts: [{ ...note, colour: 'blue' }] }, false],
    ['a field out of range', { ...mood, fields: { score: 11 } }, false],
    ['a field the kind lacks', { ...mood, fields: { score: 5, colour: 'blue' } }, false],
    ['fields that are not an object', { ...mood, fields: ['calm'] }, false],
    ['answers to a worksheet', answer, false],
    ['answers to a worksheet, deleted', makeTombstone(answer, at, device), true],
    ['a worksheet on a mood entry', { ...mood, worksheet: sheet, title: 'Tram' }, false],
    ['answers without the worksheet title', without(answer, 'title'), false],
    ['answers to a worksheet that is not one', { ...answer, worksheet: { fields: [] } }, false],
    ['answers missing a required one', { ...answer, fields: {} }, false],
    ['a voice journal entry with its recording', makeDocument('voice', { recording: [VOICE] }, at, device), false],
    ['a voice journal entry without its recording', makeDocument('voice', {}, at, device), false],
  ];
  const documents = inputs.map(([name, doc, deleted]) => {
    try {
      return { name, doc, deleted, valid: validateEntryDocument(doc, kinds, { deleted }) };
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      return { name, doc, deleted, error: { code: err.code, field: err.fieldId } };
    }
  });
  const nested = (n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
  const plaintexts = [
    ['canonical', '{"a":{"b":1},"b":[true,null,"ü"]}'],
    ['a key again in another object', '{"a":{"a":1},"b":{"a":2}}'],
    ['brackets and an escaped quote inside a string', `{"a":"\\"${'['.repeat(40)}{{{"}`],
    ['nested 32 deep (the object counts)', nested(31)],
    ['nested 33 deep', nested(32)],
    ['a key twice', '{"a":1,"a":2}'],
    ['a key twice, once escaped', '{"a":1,"\\u0061":2}'],
    ['a key twice in an inner object', '{"x":[{"a":1,"b":{},"a":2}]}'],
    ['a number too large for a double', '{"a":1e999}'],
    ['a byte order mark', '\ufeff{"a":1}'],
    ['not an object', '[1]'],
    ['not JSON', '{"a":'],
  ].map(([name, text]) => {
    const data = utf8(text);
    try {
      records.decodeDocument(data);
      return { name, plaintext: hex(data), decodes: true };
    } catch (err) {
      if (err.code !== 'bad_document') throw err;
      return { name, plaintext: hex(data), decodes: false };
    }
  });
  plaintexts.push({ name: 'invalid UTF-8', plaintext: '7b2261223a22ff227d', decodes: false });
  return {
    description: 'Entry documents (docs/PROTOCOL.md section 13) as web/js/entry-document.js validates them, and '
      + 'plaintexts as web/js/records.js decodes them; sync/core/entry_document.py and sync/core/records.py must agree '
      + '(documents: the same normalised document, or the same error code and field; plaintexts: decodes or not).',
    documents, plaintexts,
  };
}

const VOICE = { id: '6f1c0d2e-3b4a-4c5d-9e6f-708192a3b4c5', key: 'GSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k6_I',
  size: 84321, digest: 'YzDBd1LEcrlTFDmRncUxd0fyK-G9EwhQc6bf-dRMXaQ', media: 'audio/webm', duration_ms: 5012 };
const PHOTO = { id: '5777ee97-d319-4841-b5e7-5619aa283fe4', key: VOICE.key, size: 2149999, digest: VOICE.digest,
  media: 'image/jpeg', width: 1200, height: 900 };

/** Field validation outcomes of the browser: sync/core/kinds.py must normalise the same way or refuse the same field. */
function kindCases() {
  const kinds = loadKinds();
  const inputs = [
    ['journal', { title: '  Morning  ', body: 'line one\r\nline two', prompt: '' }],
    ['journal', { title: 'x', body: '   ' }],
    ['journal', { title: 'two\nlines', body: 'b' }],
    ['journal', { title: 'y'.repeat(201), body: 'b' }],
    ['journal', { body: 'bell \u0007' }],
    ['thought-record', { situation: 's', automatic_thought: 't',
      emotions: [{ name: '  very   anxious ', intensity: 80 }, { name: 'sad', intensity: 0 }],
      thinking_patterns: ['labelling', 'all-or-nothing', 'labelling'], evidence_for: '' }],
    ['thought-record', { situation: 's', automatic_thought: 't', emotions: [{ name: 'sad', intensity: 101 }] }],
    ['thought-record', { situation: 's', automatic_thought: 't', emotions: [{ name: 'Sad', intensity: 1 }, { name: 'sad', intensity: 2 }] }],
    ['thought-record', { situation: 's', automatic_thought: 't', emotions: [] }],
    ['mood', { score: 7, emotions: ['calm', ' calm ', 'tired', ''], note: 'ok' }],
    ['mood', { score: 11 }],
    ['mood', { score: true }],
    ['mood', {}],
    ['relaxation', { minutes: 10, technique: 'box-breathing', tension_before: 6, tension_after: 3 }],
    ['relaxation', { minutes: 0 }],
    ['relaxation', { minutes: 5, technique: 'yoga' }],
    ['experiment', { plan: 'p', prediction: 'q', belief_before: 55, done: true }],
    ['experiment', { plan: 'p', prediction: 'q', belief_before: 52 }],
    ['experiment', { plan: 'p', prediction: 'q', done: 'yes' }],
    ['reading', { title: 'Book', key_ideas: ['a', 'a', ' b '], minutes: 1440 }],
    ['lifestyle', { area: 'sleep', goal: 'bed by 11', did_it: false, minutes: 0 }],
    ['conversation-rehearsal', { goal: 'g', possible_replies: ['no', 'no'], practised: ['in-my-head', 'out-loud'] }],
    // Space is what JavaScript's trim() and \s take (U+FEFF, U+3000 yes; U+0085 and U+001F no), in both languages.
    ['journal', { title: '\ufeff Morning\u3000', body: 'b' }],
    ['journal', { title: 'unit separator\u001f', body: 'b' }],
    ['journal', { body: '\u0085' }],
    ['mood', { score: 5, emotions: ['\u2003calm\u2003', 'calm'] }],
    ['mood', { score: 5, colour: 'blue' }],
    ['thought-record', { situation: 's', automatic_thought: 't',
      emotions: [{ name: 'very\u00a0 anxious', intensity: 3 }, { name: 'Straße', intensity: 1 }, { name: 'STRASSE', intensity: 2 }] }],
    ['thought-record', { situation: 's', automatic_thought: 't', emotions: [{ name: 'sad', intensity: 1, note: 'x' }] }],
    ['thought-record', { situation: 's', automatic_thought: 't', emotions: [['sad', 1]] }],
    // The safety plan: every step optional (a plan is built a step at a time), each a list of lines.
    ['safety-plan', {}],
    ['safety-plan', { warning_signs: ['  Not sleeping ', '', 'Pulling away from friends'], helpers: ['Alex 07700 900123'],
      professionals: ['Out of hours: +44 20 7946 0000', 'Out of hours: +44 20 7946 0000'], reasons: ['My sister'] }],
    ['safety-plan', { coping: ['x'.repeat(301)] }],
    ['safety-plan', { helpers: Array.from({ length: 21 }, (_, i) => `Friend ${i}`) }],
    ['safety-plan', { reasons: 'My sister' }],
    ['safety-plan', { safer_surroundings: ['two\nlines'] }],
    // Attachments (PROTOCOL.md section 19): items naming their blobs, checked alike, never changed but for 2.0 → 2.
    ['voice', { title: ' Morning ', recording: [VOICE], note: '' }],
    ['voice', { recording: [{ ...VOICE, size: 84321.0 }] }],
    ['voice', { recording: [] }],
    ['voice', { recording: [VOICE, { ...VOICE, id: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a' }] }],
    ['voice', { recording: [{ ...VOICE, media: 'image/png' }] }],
    ['voice', { recording: [{ ...VOICE, width: 10, height: 10 }] }],
    ['voice', { recording: [{ ...VOICE, id: VOICE.id.toUpperCase() }] }],
    ['voice', { recording: [{ ...VOICE, key: `${VOICE.key.slice(0, -1)}B` }] }],
    ['voice', { recording: [{ ...VOICE, size: 0 }] }],
    ['voice', { recording: [{ ...VOICE, duration_ms: 3600001 }] }],
    ['journal', { body: 'b', photos: [PHOTO, { ...PHOTO, id: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a' }] }],
    ['journal', { body: 'b', photos: [PHOTO, PHOTO] }],
    ['journal', { body: 'b', photos: [{ ...PHOTO, height: undefined }] }],
    ['journal', { body: 'b', photos: [{ ...PHOTO, duration_ms: 5 }] }],
    ['conversation-rehearsal', { goal: 'g', recording: [VOICE, { ...VOICE, id: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a' }] }],
    ['conversation-rehearsal', { goal: 'g', recording: 'my voice' }],
  ];
  return inputs.map(([kind, fields]) => {
    try {
      return { kind, fields, valid: validateFields(kinds.get(kind), fields) };
    } catch (err) {
      return { kind, fields, error_field: err.fieldId };
    }
  });
}

export const serialise = (value) => `${JSON.stringify(value, null, 1)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir(OUT_DIR, { recursive: true });
  for (const [name, value] of Object.entries(await makeJsVectors())) await writeFile(OUT_DIR + name, serialise(value));
  console.log(`wrote ${OUT_DIR}`);
}
