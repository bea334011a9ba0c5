// The browser's merge against Python's vectors (tests/vectors/merge.json) and some seeded property checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import {
  MARK_END, MARK_OTHER, MARK_START, NOTE_VALUE, canonicalJson, diff3, mergeDocuments, mergeText, splitLines, useKinds,
} from '../../js/core/merge.js';
import { ProtocolError } from '../../js/core/errors.js';

const ROOT = new URL('../../../', import.meta.url);
const readJson = async (path) => JSON.parse(await readFile(new URL(path, ROOT), 'utf8'));
const kinds = await readJson('sync/kinds.json');
const vectors = await readJson('tests/vectors/merge.json');

test('the vector file has cases and the same marker lines', () => {
  assert.ok(vectors.cases.length >= 45);
  assert.deepEqual(vectors.markers, { start: MARK_START, other: MARK_OTHER, end: MARK_END });
});

for (const c of vectors.cases) {
  test(`vector: ${c.name}`, () => {
    const got = mergeDocuments(c.base, c.local, c.remote,
      { localDeleted: c.local_deleted, remoteDeleted: c.remote_deleted, kinds });
    assert.deepEqual(got.document, c.expected.document);
    assert.equal(canonicalJson(got.document), canonicalJson(c.expected.document));
    assert.equal(got.deleted, c.expected.deleted);
    assert.equal(got.conflicted, c.expected.conflicted);
  });
}

test('merging leaves its inputs untouched and shares no objects with them', () => {
  for (const c of vectors.cases) {
    const before = canonicalJson([c.base, c.local, c.remote]);
    const got = mergeDocuments(c.base, c.local, c.remote,
      { localDeleted: c.local_deleted, remoteDeleted: c.remote_deleted, kinds });
    assert.equal(canonicalJson([c.base, c.local, c.remote]), before, c.name);
    if (got.document.fields && c.local?.fields) assert.notEqual(got.document.fields, c.local.fields);
  }
});

test('canonicalJson writes what Python json.dumps(sort_keys, compact, ensure_ascii=False) writes', () => {
  const cases = [
    [{ b: 1, a: [true, false, null] }, '{"a":[true,false,null],"b":1}'],
    ['é✓😀\u2028\u007f', '"é✓😀\u2028\u007f"'],
    ['"\\\n\r\t\b\f\u0000\u001f', '"\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f"'],
    [[0.5, -1.25, 1e-4, 1.5e-5, 1e-7, 123456.789, 2.0, -0, 1e21, 2 ** 53],
      '[0.5,-1.25,0.0001,1.5e-05,1e-07,123456.789,2,0,1000000000000000000000,9007199254740992]'],
    [{ '\uffff': 1, '😀': 2, z: 3, Z: 4 }, '{"Z":4,"z":3,"\uffff":1,"😀":2}'], // code point order, not UTF-16
    [JSON.parse('{"__proto__":{"x":1}}'), '{"__proto__":{"x":1}}'],
    // Keys an object orders first for looking like indexes, nested objects written in any order, a stroke list.
    [{ 9: 'a', 10: 'b', x: { b: [{ y: 1, x: -2 }], a: '' } }, '{"10":"b","9":"a","x":{"a":"","b":[{"x":-2,"y":1}]}}'],
    [[{ width: 4, id: 'abcdefgh', tool: 'pen' }, { tool: 'eraser', id: 'ijklmnop', width: 16 }],
      '[{"id":"abcdefgh","tool":"pen","width":4},{"id":"ijklmnop","tool":"eraser","width":16}]'],
    [Object.assign(Object.create(null), { b: 2, a: 1 }), '{"a":1,"b":2}'],
    [[new Date(0), { n: 0.1 }], '[{},{"n":0.1}]'], // own keys only, never toJSON
  ];
  for (const [value, expected] of cases) assert.equal(canonicalJson(value), expected);
  for (const bad of [NaN, Infinity, '\ud800', 'a\udc00b', undefined, () => 1, 10n]) {
    assert.throws(() => canonicalJson([bad]), TypeError);
  }
});

test('splitLines keeps terminators and splits on "\\n" only', () => {
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('a\r\nb\u2028c\vd\n\ne'), ['a\r\n', 'b\u2028c\vd\n', '\n', 'e']);
  assert.deepEqual(splitLines('x\n'), ['x\n']);
});

test('diff3 gives stable and unstable chunks', () => {
  const chunks = diff3(['a', 'b', 'c'], ['a', 'B', 'c'], ['a', 'b', 'c', 'd']);
  assert.deepEqual(chunks, [[['a'], ['a'], ['a']], [['b'], ['B'], ['b']], [['c'], ['c'], ['c']], [[], [], ['d']]]);
});

test('a version other than 1 and a non-object are refused with ProtocolError', () => {
  assert.throws(() => mergeDocuments({ v: 2 }, {}, {}, { kinds }), (e) => e instanceof ProtocolError && e.code === 'merge_version');
  assert.throws(() => mergeDocuments(null, [], {}, { kinds }), (e) => e instanceof ProtocolError && e.code === 'merge_input');
});

test('merging without the kinds is refused rather than silently merging every field as a scalar', () => {
  assert.throws(() => mergeDocuments(null, {}, {}), TypeError);
  useKinds(kinds);
  assert.equal(mergeDocuments(null, { v: 1 }, { v: 1 }).conflicted, false);
});

test('a "__proto__" key in a document is kept as data, never as a prototype', () => {
  const base = JSON.parse('{"v":1,"kind":"journal","fields":{"body":"a\\n"},"__proto__":{"polluted":1}}');
  const local = JSON.parse('{"v":1,"kind":"journal","fields":{"body":"b\\n","__proto__":1},"__proto__":{"polluted":2}}');
  const got = mergeDocuments(base, local, base, { kinds }).document;
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.equal({}.polluted, undefined);
  assert.equal(canonicalJson(got), '{"__proto__":{"polluted":2},"fields":{"__proto__":1,"body":"b\\n"},"kind":"journal","v":1}');
});

// ---- property-style checks over seeded random texts ----

const WORDS = ['calm\n', 'tired\n', 'Sam\n', 'work\n', 'walk\n', '\n', 'ok\n', 'sad\n'];

function randomText(next, lines) {
  return Array.from({ length: lines }, () => WORDS[Math.floor(next() * WORDS.length)]).join('');
}

function mutate(next, text) {
  const lines = splitLines(text);
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (lines.length + 1));
    const op = next();
    if (op < 0.4) lines.splice(at, 0, `new ${Math.floor(next() * 1000)}\n`);
    else if (op < 0.7) lines.splice(at, 1);
    else lines.splice(at, 1, `changed ${Math.floor(next() * 1000)}\n`);
  }
  return lines.join('');
}

test('property: mergeText is deterministic, takes a one-sided change whole and loses no line', () => {
  const next = rng(20261126);
  for (let i = 0; i < 300; i++) {
    const base = randomText(next, Math.floor(next() * 12));
    const local = mutate(next, base);
    const remote = mutate(next, base);
    const first = mergeText(base, local, remote);
    assert.deepEqual(mergeText(base, local, remote), first);
    assert.deepEqual(mergeText(base, local, base), { text: local, hunks: 0 });
    assert.deepEqual(mergeText(base, base, remote), { text: remote, hunks: 0 });
    // Every line either side added is in the result at least as often as that side has more of it than base.
    const count = (lines) => lines.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map());
    const merged = count(splitLines(first.text).map((l) => (l.endsWith('\n') ? l : l + '\n')));
    const baseCount = count(splitLines(base));
    for (const side of [local, remote]) {
      for (const [line, n] of count(splitLines(side))) {
        const added = n - (baseCount.get(line) ?? 0);
        if (added > 0) assert.ok((merged.get(line) ?? 0) >= added, `line ${JSON.stringify(line)} lost in case ${i}`);
      }
    }
    if (first.hunks === 0) assert.ok(!first.text.includes(MARK_START));
    else assert.equal(first.text.split(MARK_START).length - 1, first.hunks);
  }
});

test('property: mergeDocuments takes a one-sided edit whole and is deterministic', () => {
  const next = rng(7);
  for (let i = 0; i < 200; i++) {
    const base = { v: 1, kind: 'journal', fields: { body: randomText(next, 5), title: `t${i}` }, device: 'a' };
    const local = { ...base, fields: { ...base.fields, body: mutate(next, base.fields.body) }, device: 'a' };
    const got = mergeDocuments(base, local, base, { kinds });
    assert.deepEqual(got.document.fields, local.fields);
    assert.equal(got.conflicted, false);
    assert.equal(canonicalJson(mergeDocuments(base, local, base, { kinds }).document), canonicalJson(got.document));
  }
});

// ---- JS-made vectors: seeded random cases and the JS results, checked by tests/sync/core/test_merge_js_vectors.py

const OUT_FILE = new URL('tests/vectors/js/merge_js.json', ROOT);

/** A small seeded PRNG (mulberry32): the same seed gives the same cases on every engine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINES = ['Lunch with Sam.', 'Felt calm', 'Slept badly', '', 'Дождь весь день', '今日は疲れた', 'שלום',
  'e\u0301te\u0301 🌧️', 'tab\there', 'quote " and \\ back', 'ctrl \u0001\u001f\u007f', 'line\u2028sep', 'ok'];
const ITEMS = ['calm', 'tired', 'hopeful', 'proud', 'sad', 'Ängstlich', '😀', 'a b'];
const NAMES = ['anxious', 'Anxious', ' sad ', 'SAD', 'hurt', 'very\t angry', 'Σίσυφος', 'İstanbul'];
const SCALARS = [0, 1, 5, -3, 2.5, 0.1, 1e-7, 1.5e-5, 123456.789, true, false, null, '', 'yes', 'naïve ✓',
  [1, 2], { a: 1 }, 'x\ny'];
const STAMPS = ['2026-11-01T09:00:00Z', '2026-11-01T09:00:00.5Z', '2026-11-01T09:00:00.500+00:00',
  '2026-11-02T10:00:00Z', '2026-11-02T10:00:00.000000001Z', 'yesterday', '2026-11-02T10:00:00+01:00'];

const J = (text) => JSON.parse(text); // JSON.parse keeps "__proto__" as an own key
const T = (fields, extra = {}) => ({ v: 1, kind: 'journal', fields, created_at: '2026-11-01T09:00:00Z', ...extra });
const SCORE_NOTE = { at: '/fields/score', strategy: 'scalar', note: NOTE_VALUE, other_value: 4, other_device: 'laptop' };

/** Hand-picked inputs where Python's and JavaScript's built-ins behave differently; results are checked by Python. */
const EDGE_CASES = [
  ['timestamps with a final newline parse, as Python\'s $ allows',
    T({}), T({}, { created_at: '2026-11-01T08:00:00Z\n', updated_at: '2026-11-03T00:00:00Z\n' }),
    T({}, { created_at: '2026-11-01T08:30:00Z', updated_at: '2026-11-02T00:00:00Z' })],
  ['fractions and +00:00 compare as instants', T({}),
    T({}, { created_at: '2026-11-01T09:00:00.1Z', updated_at: '2026-11-01T09:00:00.100000001+00:00' }),
    T({}, { created_at: '2026-11-01T09:00:00.09Z', updated_at: '2026-11-01T09:00:00.1000000011Z' })],
  ['v true passes as 1', { v: true, kind: 'journal' }, { v: true, kind: 'journal', x: 1 }, { kind: 'journal', x: 2 }],
  ['an existing identical note: conflicted, no new entry', { v: 1, kind: 'mood', fields: { score: 5 } },
    { v: 1, kind: 'mood', fields: { score: 6 }, conflicts: [SCORE_NOTE] },
    { v: 1, kind: 'mood', fields: { score: 4 }, device: 'laptop', conflicts: [SCORE_NOTE] }],
  ['deleted here: conflicts {} is dropped as Python drops every falsy value', T({ body: 'a\n' }),
    T({ body: 'a\n' }, { conflicts: {} }), T({ body: 'a\n' }, { conflicts: '' }), true],
  ['deleted there: conflicts 0 is dropped', T({ body: 'a\n' }), T({ body: 'a\n' }), T({ body: 'a\n' }, { conflicts: 0 }),
    false, true],
  ['deleted both: a truthy non-list conflicts value is kept', T({}), T({}, { conflicts: 'x', deleted: true }),
    T({}, { deleted: true })],
  ['"__proto__" keys are data', J('{"v":1,"kind":"journal","fields":{"__proto__":{"a":1},"body":"x\\n"},"__proto__":1}'),
    J('{"v":1,"kind":"journal","fields":{"__proto__":{"a":2},"body":"x\\n"},"__proto__":2}'),
    J('{"v":1,"kind":"journal","fields":{"__proto__":{"a":3},"body":"y\\n"},"__proto__":3,"device":"laptop"}')],
  ['field ids and keys sort by code point, so notes come in that order', T({ '\uffff': 0, '😀': 0, Z: 0, z: 0 }),
    T({ '\uffff': 1, '😀': 1, Z: 1, z: 1 }, { '\uffff': 1, '😀': 1 }),
    T({ '\uffff': 2, '😀': 2, Z: 2, z: 2 }, { '\uffff': 2, '😀': 2 })],
  ['numbers print as Python prints them', T({ a: 0 }),
    T({ a: 0.1 + 0.2, b: 1e-7, c: -1.5e-5, d: 1e21, e: -0, f: 2 ** 53, g: 0.0001, h: 123456789.125 }),
    T({ a: 0.5, b: 1e-7, c: 2.5e-300, d: 1e20, e: 0, f: -(2 ** 53), g: 1e-5, h: 1 / 3 })],
  ['strings keep non-ASCII and escape only controls, quote and backslash', T({ body: '' }),
    T({ body: 'a\u2028b\u2029\u007f\u0000\u001f"\\\n', title: 'é😀\u0301' }),
    T({ body: 'c\t\b\f\r\n', title: '\u05e9\u05dc\u05d5\u05dd' })],
  ['local device null is kept; remote device not a string gives no other_device', T({ title: 'a' }),
    T({ title: 'b' }, { device: null }), T({ title: 'c' }, { device: 7 })],
  ['null documents', null, null, T({ body: 'x\n' })],
  ['fields not an object on one side merge as one scalar', T({ body: 'a\n' }), { ...T({}), fields: 'text' },
    T({ body: 'b\n' })],
  ['a deleted flag other than true is no delete', T({ body: 'a\n' }), T({ body: 'a\n' }, { deleted: 1 }),
    T({ body: 'b\n' }, { deleted: 'yes' })],
  ['emotion names match ignoring case and spacing, repeats apart',
    { v: 1, kind: 'thought-record', fields: { emotions: [{ name: 'Sad', intensity: 50 }, { name: 'sad', intensity: 10 }] } },
    { v: 1, kind: 'thought-record', fields: { emotions: [{ name: ' SAD\t', intensity: 60 }, { name: 'sad', intensity: 10 }, { name: 'ΣΑΣ', intensity: 1 }] } },
    { v: 1, kind: 'thought-record', fields: { emotions: [{ name: 'sad', intensity: 70 }, { name: 'Sad', intensity: 20 }, { name: 'σας', intensity: 2 }] }, device: 'laptop' }],
  ['a text list both edited at one place keeps both without repeats',
    { v: 1, kind: 'reading', fields: { key_ideas: ['a', 'b', 'c', 'b'] } },
    { v: 1, kind: 'reading', fields: { key_ideas: ['a', 'x', 'y', 'c', 'b'] } },
    { v: 1, kind: 'reading', fields: { key_ideas: ['a', 'y', 'z', 'c'] } }],
  ['set with objects and repeats', { v: 1, kind: 'mood', fields: { emotions: [{ a: 1 }, 'x', 'x'] } },
    { v: 1, kind: 'mood', fields: { emotions: [{ a: 1 }, 'x', 'y', 'y'] } },
    { v: 1, kind: 'mood', fields: { emotions: ['x', 2, 2.0, { a: 1 }] } }],
];

function makeMergeVectors(schema) {
  const next = rng(0x5eed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const int = (n) => Math.floor(next() * n);
  const kindsById = new Map(schema.kinds.map((k) => [k.id, k]));

  const text = () => {
    const eol = chance(0.2) ? '\r\n' : '\n';
    const lines = Array.from({ length: int(7) }, () => pick(LINES));
    return lines.join(eol) + (chance(0.8) && lines.length ? eol : '');
  };
  const editText = (t) => {
    const lines = splitLines(t);
    const eol = t.includes('\r\n') ? '\r\n' : '\n';
    for (let e = 1 + int(3); e > 0; e--) {
      const at = int(lines.length + 1);
      const r = next();
      if (r < 0.4) lines.splice(at, 0, pick(LINES) + eol);
      else if (r < 0.7) lines.splice(at, 1);
      else lines.splice(at, 1, `${pick(LINES)} ${int(100)}${eol}`);
    }
    return lines.join('');
  };
  const emotion = () => ({ name: pick(NAMES), intensity: chance(0.1) ? 12.5 : int(101) });
  const value = (field) => {
    if (!field) return pick(SCALARS);
    if (field.merge === 'text') return text();
    if (field.type === 'emotions') return Array.from({ length: int(4) }, emotion);
    if (field.merge === 'set' || field.merge === 'list') return Array.from({ length: int(5) }, () => pick(ITEMS));
    return pick(SCALARS);
  };
  const edit = (field, old) => {
    const r = next();
    if (r < 0.1) return undefined; // cleared
    if (old === undefined || r < 0.3) return value(field);
    if (typeof old === 'string' && field?.merge === 'text') return editText(old);
    if (Array.isArray(old)) {
      const out = [...old];
      for (let e = 1 + int(2); e > 0; e--) {
        const at = int(out.length + 1);
        const s = next();
        if (out.length && field?.type === 'emotions' && s < 0.5 && typeof out[at % out.length] === 'object') {
          out[at % out.length] = { ...out[at % out.length], intensity: int(101) };
        } else if (s < 0.65) out.splice(at, 0, field?.type === 'emotions' ? emotion() : pick(ITEMS));
        else if (s < 0.8) out.splice(at, 1);
        else out.splice(at, 1, pick(ITEMS));
      }
      return out;
    }
    return value(field);
  };

  const derive = (base, kind, device) => {
    const doc = structuredClone(base);
    if (chance(0.05)) doc.kind = pick([...kindsById.keys(), 'unknown-kind']);
    const fields = kind ? kind.fields : [];
    const ids = new Set([...fields.map((f) => f.id), ...Object.keys(doc.fields)]);
    for (const id of [...ids].sort()) {
      const field = fields.find((f) => f.id === id);
      if (!chance(field?.merge === 'list' ? 0.7 : 0.35)) continue;
      const changed = edit(field, doc.fields[id]);
      if (changed === undefined) delete doc.fields[id];
      else doc.fields[id] = changed;
    }
    if (chance(0.1)) doc.fields[`extra_${int(3)}`] = pick(SCALARS);
    if (chance(0.1)) { // defineProperty: plain assignment to "__proto__" would set the prototype instead
      Object.defineProperty(doc, pick(['tags', 'pinned', '__proto__', 'zz']),
        { value: pick(SCALARS), enumerable: true, writable: true, configurable: true });
    }
    if (chance(0.15)) delete doc[pick(['tags', 'pinned', 'zz', 'created_at'])];
    doc.updated_at = pick(STAMPS);
    if (chance(0.15)) doc.created_at = pick(STAMPS);
    doc.device = device;
    if (chance(0.1)) doc.conflicts = [...(doc.conflicts ?? []), { at: '/fields/x', strategy: 'scalar', note: `n${int(3)}` }];
    if (chance(0.1) && doc.conflicts?.length) doc.conflicts.shift(); // dismissed
    if (chance(0.05)) doc.deleted = true;
    return doc;
  };

  const cases = [];
  for (let i = 0; i < 120; i++) {
    const kindId = chance(0.9) ? pick([...kindsById.keys()]) : 'unknown-kind';
    const kind = kindsById.get(kindId);
    const fields = {};
    for (const f of kind ? kind.fields : [{ id: 'a' }, { id: 'b' }]) if (chance(0.7)) fields[f.id] = value(kind ? f : null);
    const base = { v: 1, kind: kindId, fields, created_at: pick(STAMPS), updated_at: pick(STAMPS), device: 'phone' };
    if (chance(0.2)) base.tags = pick(SCALARS);
    if (chance(0.1)) base.conflicts = [{ at: '/fields/x', strategy: 'scalar', note: 'n0' }];
    // Now and then one side only touched the entry (a new updated_at): the other side's edit is taken whole.
    const touched = (device) => ({ ...structuredClone(base), updated_at: pick(STAMPS), device });
    const local = chance(0.1) ? touched('phone') : derive(base, kind, 'phone');
    const remote = chance(0.1) ? touched('laptop') : derive(base, kind, chance(0.9) ? 'laptop' : 'phone');
    if (chance(0.1)) delete remote.device;
    const localDeleted = chance(0.05);
    const remoteDeleted = chance(0.05);
    const noBase = chance(0.1);
    const got = mergeDocuments(noBase ? null : base, local, remote, { localDeleted, remoteDeleted, kinds: schema });
    cases.push({
      name: `random ${i}`, base: noBase ? null : base, local, remote, local_deleted: localDeleted,
      remote_deleted: remoteDeleted, expected: got, canonical: canonicalJson(got.document),
    });
  }
  for (const [name, base, local, remote, localDeleted = false, remoteDeleted = false] of EDGE_CASES) {
    const got = mergeDocuments(base, local, remote, { localDeleted, remoteDeleted, kinds: schema });
    cases.push({
      name: `edge: ${name}`, base, local, remote, local_deleted: localDeleted, remote_deleted: remoteDeleted,
      expected: got, canonical: canonicalJson(got.document),
    });
  }
  return {
    about: 'Made by web/test/merge.test.js (MERGE_VECTORS=write node --test test/merge.test.js): seeded random '
      + 'merges and the results of web/js/merge.js. tests/sync/core/test_merge_js_vectors.py checks that '
      + 'sync/core/merge.py gives the same document (encode_document byte-identical to `canonical`), deleted and '
      + 'conflicted flags.',
    cases,
  };
}

// Numbers are written as canonicalJson writes them (integers as digits), so Python reads the same types back.
function serialise(data) {
  return canonicalJson(data).replace(/\},\{"base"/g, '},\n{"base"') + '\n';
}

test('the committed JS merge vectors are what the JS code makes now (MERGE_VECTORS=write rewrites them)', async () => {
  const made = serialise(makeMergeVectors(kinds));
  assert.equal(serialise(makeMergeVectors(kinds)), made, 'generation is deterministic');
  if (process.env.MERGE_VECTORS === 'write') await writeFile(OUT_FILE, made);
  assert.equal(await readFile(OUT_FILE, 'utf8'), made);
});
