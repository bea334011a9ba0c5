/** Deterministic three-way merge of entry documents (docs/MERGE.md): a step-for-step port of sync/core/merge.py. */

import { WORKSHEET, worksheetKind } from './assignments.js';
import { ProtocolError } from './errors.js';
import { FieldError } from './kinds.js';

// Marker lines around the two versions of a text hunk both devices changed (same words as Python).
export const MARK_START = "──── Edited on two devices. This device's version: ────";
export const MARK_OTHER = "──── The other device's version: ────";
export const MARK_END = '──── End of the two versions ────';

// Past this edit distance the line diff reports no common lines between the trimmed middles.
export const MAX_EDIT_DISTANCE = 2000;

export const NOTE_TEXT = 'Edited on two devices at once: both versions are kept in the text.';
export const NOTE_VALUE = "Changed on two devices at once: this device's value was kept; the other one is saved here.";
export const NOTE_LIST = "Changed on two devices at once: items from both were kept; the other device's list is saved here.";
export const NOTE_ITEM = "Changed on two devices at once: this device's item was kept; the other one is saved here.";
export const NOTE_DELETE = 'Deleted on one device but edited on another: the edited entry was kept.';

const RESERVED = new Set(['v', 'kind', 'fields', 'created_at', 'updated_at', 'device', 'conflicts', 'deleted']);
const CONTENT_IGNORED = new Set(['updated_at', 'device', 'conflicts', 'deleted']);
// Python's `$` also matches before one final "\n"; the `\n?` keeps the two in step.
const TIMESTAMP = /^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?(?:Z|\+00:00)\n?$/;

/** A document time as this app and sync/client/client.py write them, whole (Python's `fullmatch`: no final newline). */
export const isTimestamp = (value) => typeof value === 'string' && !value.endsWith('\n') && TIMESTAMP.test(value);
const SPACES = /[ \t\n\r]+/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is valid Unicode (no lone surrogate): the browser's own check where it has one (ES2024). */
const nativeWellFormed = /** @type {{isWellFormed?: () => boolean}} */ (String.prototype).isWellFormed;
const wellFormed = typeof nativeWellFormed === 'function'
  ? (/** @type {string} */ text) => nativeWellFormed.call(text)
  : (/** @type {string} */ text) => !LONE_SURROGATE.test(text);

/** A value absent from a document (not the same as JSON null). */
export const MISSING = Object.freeze({ toString: () => 'MISSING' });

/** @typedef {null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}} JsonValue */
/** @typedef {{[key: string]: JsonValue}} Doc */
/** @typedef {{document: Doc, deleted: boolean, conflicted: boolean}} MergeResult */
/** @typedef {{id: string, merge: string}} KindField */
/** @typedef {{id: string, fields: KindField[]}} Kind */
/** @typedef {Map<string, Kind> | {v: number, kinds: Kind[]}} Kinds */

// ---- JSON values ----

const isObject = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const has = (obj, key) => Object.hasOwn(obj, key);
const get = (obj, key) => (has(obj, key) ? obj[key] : MISSING);

/** Sets an own property even for the key "__proto__", which plain assignment would treat as the prototype. */
function put(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Python's str ordering: by code point (JavaScript's default sort compares UTF-16 units). */
export function compareCodePoints(a, b) {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0);
    const cy = y.value.codePointAt(0);
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Keys in Python's order. Without surrogates (characters beyond U+FFFF) the order of UTF-16 units is the order of
 * code points, so the built-in sort gives it; only keys with them need the slower comparison.
 * @param {Iterable<string>} keys
 */
const sortedKeys = (keys) => {
  const list = [...keys];
  return list.some((key) => SURROGATE.test(key)) ? list.sort(compareCodePoints) : list.sort();
};

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 (as "1e-05"). */
function numberJson(x) {
  if (!Number.isFinite(x)) throw new TypeError('JSON cannot carry NaN or Infinity');
  // JSON has one number type: an integral value prints as an exact integer, as Python's int does.
  if (Number.isSafeInteger(x)) return String(x); // below 2**53 String() prints every digit, as BigInt() does
  if (Number.isInteger(x)) return BigInt(x).toString();
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4) return `${mantissa}e-${String(-e).padStart(2, '0')}`;
  return String(x); // fixed notation for 1e-4 <= |x| < 2**53, the same digits Python prints
}

/** The JSON text of a value, built by concatenation (one flat string at the end, no array of pieces). */
function write(value, strict) {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return numberJson(value);
  if (typeof value === 'string') {
    if (strict && !wellFormed(value)) throw new TypeError('a string is not valid Unicode');
    return JSON.stringify(value); // escapes exactly what Python's json.dumps(ensure_ascii=False) escapes
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i ? ',' : '') + write(value[i], strict);
    return `${out}]`;
  }
  if (isObject(value)) {
    const keys = sortedKeys(Object.keys(value));
    let out = '{';
    for (let i = 0; i < keys.length; i += 1) {
      out += `${i ? ',' : ''}${write(keys[i], strict)}:${write(value[keys[i]], strict)}`;
    }
    return `${out}}`;
  }
  throw new TypeError(`JSON cannot carry a ${typeof value}`);
}

/**
 * Canonical JSON as sync/core/records.py encode_document writes it: sorted keys (by code point), no spaces,
 * non-ASCII unescaped. Encode with TextEncoder for the bytes. Integral numbers print as integers (a
 * document written by JavaScript never holds Python's 2.0). Throws TypeError for NaN, Infinity, lone
 * surrogates and non-JSON values, where Python raises ProtocolError("bad_document").
 * @param {JsonValue} value
 * @returns {string}
 */
export function canonicalJson(value) {
  const copy = sortedCopy(value, true);
  return copy === UNLIKE ? write(value, true) : JSON.stringify(copy);
}

const UNLIKE = Symbol('unlike');
const DIGIT = /^[0-9]/;

/**
 * The value again with every object's keys inserted in Python's order, for JSON.stringify (the browser's own, and much
 * faster) to write exactly what `write` writes; UNLIKE when it holds anything JSON.stringify would write otherwise or
 * `write` refuses: a number other than a safe integer, a key an object would put first for looking like an index, the
 * key `__proto__`, an object that is not plain (it may have a toJSON), a string that is not valid Unicode (`strict`),
 * undefined, a function. Those take `write`'s own path, which writes or refuses them as before.
 */
function sortedCopy(value, strict) {
  if (value === null || value === true || value === false) return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : UNLIKE;
  if (typeof value === 'string') return !strict || wellFormed(value) ? value : UNLIKE;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item = sortedCopy(value[i], strict);
      if (item === UNLIKE) return UNLIKE;
      out[i] = item;
    }
    return out;
  }
  if (typeof value !== 'object') return UNLIKE;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNLIKE;
  const keys = sortedKeys(Object.keys(value));
  const out = {};
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i];
    if (DIGIT.test(key) || key === '__proto__' || (strict && !wellFormed(key))) return UNLIKE;
    const item = sortedCopy(value[key], strict);
    if (item === UNLIKE) return UNLIKE;
    out[key] = item;
  }
  return out;
}

function canon(value) {
  if (value === MISSING) return '\x00missing';
  const copy = sortedCopy(value, false);
  return copy === UNLIKE ? write(value, false) : JSON.stringify(copy);
}

const same = (a, b) => canon(a) === canon(b);

function deepCopy(value) {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (isObject(value)) {
    const out = {};
    for (const key of Object.keys(value)) put(out, key, deepCopy(value[key]));
    return out;
  }
  return value;
}

/** Python's truth value of a JSON value: empty lists and objects, 0, "" and null are false. */
function pyFalsy(v) {
  if (v === MISSING || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

function sameItems(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- line diff (Myers 1986, greedy forward, with common prefix and suffix trimmed first) ----

function myers(a, b) {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [];
  const limit = Math.min(n + m, MAX_EDIT_DISTANCE);
  const off = limit + 1; // v[off + k] is the furthest x reached on diagonal k
  const v = new Array(2 * limit + 3).fill(0);
  const trace = []; // trace[d] holds v for k in -d-1 .. d+1 as it was before round d
  for (let d = 0; d <= limit; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return [];
}

function backtrack(trace, x, y) {
  const pairs = [];
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]; // v[d + 1 + k] is diagonal k
    const k = x - y;
    const prevK = k === -d || (k !== d && v[d + k] < v[d + k + 2]) ? k + 1 : k - 1;
    const prevX = v[d + 1 + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      pairs.push([x - 1, y - 1]);
      x -= 1;
      y -= 1;
    }
    x = prevX;
    y = prevY;
  }
  return pairs.reverse();
}

/**
 * Index in `a` -> index in `b` of the lines the diff keeps in common.
 * @param {string[]} a
 * @param {string[]} b
 * @returns {Map<number, number>}
 */
export function matching(a, b) {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre += 1;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf += 1;
  const out = new Map();
  for (let i = 0; i < pre; i++) out.set(i, i);
  for (const [i, j] of myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf))) out.set(pre + i, pre + j);
  for (let s = 0; s < suf; s++) out.set(a.length - suf + s, b.length - suf + s);
  return out;
}

/**
 * Split three sequences into chunks [base, a, b]: stable chunks have all three equal.
 * @param {string[]} o
 * @param {string[]} a
 * @param {string[]} b
 * @returns {[string[], string[], string[]][]}
 */
export function diff3(o, a, b) {
  const ma = matching(o, a);
  const mb = matching(o, b);
  const chunks = [];
  let io = 0;
  let ia = 0;
  let ib = 0;
  for (;;) {
    let i = 0;
    while (io + i < o.length && ma.get(io + i) === ia + i && mb.get(io + i) === ib + i) i += 1;
    if (i) {
      const stable = o.slice(io, io + i);
      chunks.push([stable, stable, stable]);
      io += i;
      ia += i;
      ib += i;
      continue;
    }
    let j = io;
    while (j < o.length && !(ma.has(j) && mb.has(j))) j += 1;
    if (j < o.length) {
      chunks.push([o.slice(io, j), a.slice(ia, ma.get(j)), b.slice(ib, mb.get(j))]);
      [io, ia, ib] = [j, ma.get(j), mb.get(j)];
      continue;
    }
    if (io < o.length || ia < a.length || ib < b.length) chunks.push([o.slice(io), a.slice(ia), b.slice(ib)]);
    return chunks;
  }
}

/**
 * Lines with their terminators. Only "\n" ends a line; a "\r" before it stays part of the line.
 * @param {string} text
 * @returns {string[]}
 */
export function splitLines(text) {
  const parts = text.split('\n');
  const lines = parts.slice(0, -1).map((p) => p + '\n');
  if (parts[parts.length - 1]) lines.push(parts[parts.length - 1]);
  return lines;
}

/**
 * Three-way merge over lines: the text and how many hunks kept both versions between markers.
 * @param {string} base
 * @param {string} local
 * @param {string} remote
 * @returns {{text: string, hunks: number}}
 */
export function mergeText(base, local, remote) {
  if (local === remote || base === remote) return { text: local, hunks: 0 };
  if (base === local) return { text: remote, hunks: 0 };
  const crlf = local.includes('\r\n') || (!local.includes('\n') && remote.includes('\r\n'));
  const eol = crlf ? '\r\n' : '\n';
  const out = [];
  let hunks = 0;
  for (const [ob, ac, bc] of diff3(splitLines(base), splitLines(local), splitLines(remote))) {
    if (sameItems(ac, bc) || sameItems(bc, ob)) out.push(...ac);
    else if (sameItems(ac, ob)) out.push(...bc);
    else {
      hunks += 1;
      out.push(MARK_START + eol, ...terminated(ac, eol), MARK_OTHER + eol, ...terminated(bc, eol), MARK_END + eol);
    }
  }
  return { text: out.join(''), hunks };
}

function terminated(lines, eol) {
  if (lines.length && !lines[lines.length - 1].endsWith('\n')) return [...lines.slice(0, -1), lines[lines.length - 1] + eol];
  return lines;
}

// ---- field strategies ----

/** What every new conflict note says about the other side, and the notes collected so far. */
class Context {
  constructor(remote) {
    this.aboutOther = ['device', 'updated_at'].filter((k) => typeof get(remote, k) === 'string').map((k) => [k, remote[k]]);
    this.notes = [];
  }

  note(at, strategy, text, extra = {}) {
    const entry = { at, strategy, note: text };
    for (const [key, value] of Object.entries(extra)) put(entry, key, value);
    for (const [key, value] of this.aboutOther) put(entry, 'other_' + key, value);
    this.notes.push(entry);
  }
}

function mergeValue(strategy, at, base, local, remote, ctx) {
  if (same(local, remote) || same(base, remote)) return local;
  if (same(base, local)) return remote;
  if (local === MISSING) return remote; // cleared here, changed there: the change is kept
  if (remote === MISSING) return local;
  if (strategy === 'text' && typeof local === 'string' && typeof remote === 'string') {
    const { text, hunks } = mergeText(typeof base === 'string' ? base : '', local, remote);
    if (hunks) ctx.note(at, 'text', NOTE_TEXT, { hunks });
    return text;
  }
  if (['set', 'list', 'union'].includes(strategy) && Array.isArray(local) && Array.isArray(remote)) {
    const baseList = Array.isArray(base) ? base : [];
    if (strategy === 'set') return mergeSet(baseList, local, remote);
    if (strategy === 'union') return mergeSet(baseList, local, remote, strokeKey);
    if ([...baseList, ...local, ...remote].every(named)) return mergeNamed(at, baseList, local, remote, ctx);
    return mergePositions(at, baseList, local, remote, ctx);
  }
  ctx.note(at, 'scalar', NOTE_VALUE, { other_value: remote });
  return local;
}

/** A sketch's stroke is known by its id (strokes never change: one id, one stroke); anything else by its value. */
const strokeKey = (item) => (isObject(item) && typeof get(item, 'id') === 'string' ? `id:${get(item, 'id')}`
  : `value:${canon(item)}`);

function mergeSet(base, local, remote, keyOf = canon) {
  const [b, lo, r] = [base, local, remote].map((s) => new Set(s.map(keyOf)));
  const removed = new Set([...b].filter((k) => !lo.has(k) || !r.has(k)));
  const out = [];
  const seen = new Set();
  for (const item of [...local, ...remote.filter((x) => !lo.has(keyOf(x)))]) {
    const key = keyOf(item);
    if (!removed.has(key) && !seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

const named = (item) => isObject(item) && typeof get(item, 'name') === 'string';

// Identity is the name ignoring case and spacing; a repeated name is told apart by its occurrence.
function keyed(items) {
  const out = new Map();
  for (const item of items) {
    const name = item.name.replace(SPACES, ' ').replace(/^ +| +$/g, '').toLowerCase();
    let n = 0;
    while (out.has(JSON.stringify([name, n]))) n += 1;
    out.set(JSON.stringify([name, n]), item);
  }
  return out;
}

const lookup = (map, key) => (map.has(key) ? map.get(key) : MISSING);

function mergeNamed(at, base, local, remote, ctx) {
  const [b, lo, r] = [keyed(base), keyed(local), keyed(remote)];
  const out = [];
  for (const [key, mine] of lo) {
    const theirs = lookup(r, key);
    const old = lookup(b, key);
    if (same(old, mine) && !same(mine, theirs)) {
      if (theirs !== MISSING) out.push(theirs);
    } else if (same(mine, theirs) || same(old, theirs) || theirs === MISSING) {
      out.push(mine); // removed there but changed here counts as an edit, and edits win
    } else {
      ctx.note(at, 'list', NOTE_ITEM, { item: theirs.name, other_value: theirs });
      out.push(mine);
    }
  }
  for (const [key, theirs] of r) {
    if (!lo.has(key) && !same(lookup(b, key), theirs)) out.push(theirs); // added there, or removed here but changed there
  }
  return out;
}

function mergePositions(at, base, local, remote, ctx) {
  const items = new Map();
  for (const x of [...base, ...local, ...remote]) if (!items.has(canon(x))) items.set(canon(x), x);
  const [o, a, b] = [base, local, remote].map((s) => s.map(canon));
  const out = [];
  for (const [ob, ac, bc] of diff3(o, a, b)) {
    if (sameItems(ac, bc) || sameItems(bc, ob)) out.push(...ac);
    else if (sameItems(ac, ob)) out.push(...bc);
    else {
      out.push(...ac, ...bc.filter((x) => !ac.includes(x)));
      if (ob.length) ctx.note(at, 'list', NOTE_LIST, { other_value: remote }); // both only inserted: no conflict
    }
  }
  return out.map((k) => items.get(k));
}

// ---- documents ----

function instant(value) {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  return m ? [m[1], (m[2] ?? '').padEnd(9, '0')] : null;
}

// Python compares the (seconds, fraction) tuples; both parts are fixed-width ASCII digits here.
const later = (p, q) => p[0] > q[0] || (p[0] === q[0] && p[1] > q[1]);

/** The earliest (or latest) of two timestamps as instants; local's wins a tie or when neither parses. */
function pickTime(local, remote, latest) {
  const mine = instant(local);
  const theirs = instant(remote);
  if (mine === null) return theirs !== null || local === MISSING ? remote : local;
  if (theirs !== null && (latest ? later(theirs, mine) : later(mine, theirs))) return remote;
  return local;
}

function content(doc) {
  const kept = {};
  for (const key of Object.keys(doc)) if (!CONTENT_IGNORED.has(key)) put(kept, key, doc[key]);
  return canon(kept);
}

function checkVersion(doc) {
  if (doc !== null && doc !== undefined && !isObject(doc)) {
    throw new ProtocolError('merge_input', 'An entry document must be a JSON object.');
  }
  // Python's `!= 1` lets 1.0 and True through too; JavaScript has no 1.0 apart from 1.
  const v = isObject(doc) ? get(doc, 'v') : MISSING;
  if (v !== MISSING && v !== 1 && v !== true) {
    throw new ProtocolError('merge_version', 'An entry document has a version this app cannot merge; update the app.');
  }
}

const shallow = (doc) => {
  const out = {};
  for (const key of Object.keys(doc)) put(out, key, doc[key]);
  return out;
};

function finish(doc, local, remote, deleted) {
  put(doc, 'v', 1);
  for (const [key, latest] of [['created_at', false], ['updated_at', true]]) {
    const value = pickTime(get(local, key), get(remote, key), latest);
    if (value !== MISSING) put(doc, key, value);
  }
  delete doc.deleted;
  if (deleted) put(doc, 'deleted', true);
  if (pyFalsy(get(doc, 'conflicts'))) delete doc.conflicts;
  return deepCopy(doc);
}

function surviveDelete(base, local, remote, localDeleted) {
  const [survivor, deleter] = localDeleted ? [remote, local] : [local, remote];
  if (base !== null && base !== undefined && content(survivor) === content(base)) {
    return { document: finish(shallow(deleter), local, remote, true), deleted: true, conflicted: false };
  }
  const doc = shallow(survivor);
  if (typeof get(local, 'device') === 'string') put(doc, 'device', local.device); // this device writes the merge
  const entry = { at: '', strategy: 'delete', note: NOTE_DELETE };
  if (typeof get(deleter, 'device') === 'string') entry.deleted_on_device = deleter.device;
  const conflicts = Array.isArray(get(doc, 'conflicts')) ? [...doc.conflicts] : [];
  if (!conflicts.some((c) => same(entry, c))) conflicts.push(entry);
  put(doc, 'conflicts', conflicts);
  return { document: finish(doc, local, remote, false), deleted: false, conflicted: true };
}

let defaultKinds = null;

function kindMap(kinds) {
  if (kinds instanceof Map) return kinds;
  if (kinds?.v !== 1 || !Array.isArray(kinds.kinds)) throw new TypeError('kinds: expected sync/kinds.json or a Map');
  return new Map(kinds.kinds.map((k) => [k.id, k]));
}

/**
 * Sets the field schemas (sync/kinds.json, or kinds.js's kindTable) that mergeDocuments uses when a call
 * passes none. The merge of a known kind depends on them, so merging without any is refused.
 * @param {Kinds} kinds
 */
export function useKinds(kinds) {
  defaultKinds = kindMap(kinds);
}

/**
 * Answers to a worksheet merge by the strategies its questions carry (the worksheet travels in each answer
 * document): local's worksheet first, then remote's, then the base's; null if none is readable (all scalar).
 */
function worksheetSchema(...docs) {
  for (const d of docs) {
    const sheet = get(d, 'worksheet');
    if (!isObject(sheet)) continue;
    try {
      return worksheetKind(sheet);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
    }
  }
  return null;
}

/**
 * Merge two concurrent revisions of one entry against their common ancestor `base` (null: unknown).
 * Pure and deterministic; `local` wins ties and the result is what this device pushes next.
 * @param {Doc | null | undefined} base
 * @param {Doc | null | undefined} local
 * @param {Doc | null | undefined} remote
 * @param {{localDeleted?: boolean, remoteDeleted?: boolean, kinds?: Kinds}} [options]
 * @returns {MergeResult}
 */
export function mergeDocuments(base, local, remote, { localDeleted = false, remoteDeleted = false, kinds } = {}) {
  const table = kinds === undefined ? defaultKinds : kindMap(kinds);
  if (!table) throw new TypeError('mergeDocuments needs the kinds: call useKinds(schema) or pass {kinds}');
  for (const doc of [base, local, remote]) checkVersion(doc);
  local = local ?? {};
  remote = remote ?? {};
  localDeleted = localDeleted || get(local, 'deleted') === true;
  remoteDeleted = remoteDeleted || get(remote, 'deleted') === true;
  if (localDeleted && remoteDeleted) {
    return { document: finish(shallow(local), local, remote, true), deleted: true, conflicted: false };
  }
  if (localDeleted || remoteDeleted) return surviveDelete(base, local, remote, localDeleted);

  const old = base ?? {};
  const ctx = new Context(remote);
  const doc = {};
  const kind = mergeValue('scalar', '/kind', get(old, 'kind'), get(local, 'kind'), get(remote, 'kind'), ctx);
  if (kind !== MISSING) put(doc, 'kind', kind);
  const schema = kind === WORKSHEET ? worksheetSchema(local, remote, old)
    : typeof kind === 'string' && table.has(kind) ? table.get(kind) : null;
  const strategies = new Map(schema ? schema.fields.map((f) => [f.id, f.merge]) : []);

  const parts = [old, local, remote].map((d) => get(d, 'fields'));
  if (parts.every((p) => p === MISSING || isObject(p))) {
    const [fb, fl, fr] = parts.map((p) => (p === MISSING ? {} : p));
    const fields = {};
    for (const fid of sortedKeys(new Set([...Object.keys(fb), ...Object.keys(fl), ...Object.keys(fr)]))) {
      const value = mergeValue(strategies.get(fid) ?? 'scalar', '/fields/' + fid, get(fb, fid), get(fl, fid), get(fr, fid), ctx);
      if (value !== MISSING) put(fields, fid, value);
    }
    put(doc, 'fields', fields);
  } else {
    const value = mergeValue('scalar', '/fields', ...parts, ctx);
    if (value !== MISSING) put(doc, 'fields', value);
  }

  const others = new Set([old, local, remote].flatMap((d) => Object.keys(d)).filter((k) => !RESERVED.has(k)));
  for (const key of sortedKeys(others)) {
    const value = mergeValue('scalar', '/' + key, get(old, key), get(local, key), get(remote, key), ctx);
    if (value !== MISSING) put(doc, key, value);
  }

  const device = has(local, 'device') ? local.device : get(remote, 'device');
  if (device !== MISSING) put(doc, 'device', device);
  const lists = [old, local, remote].map((d) => (Array.isArray(get(d, 'conflicts')) ? d.conflicts : []));
  const conflicts = mergeSet(...lists);
  const fresh = ctx.notes.filter((n) => !conflicts.some((c) => same(n, c)));
  put(doc, 'conflicts', [...conflicts, ...fresh]);
  return { document: finish(doc, local, remote, false), deleted: false, conflicted: ctx.notes.length > 0 };
}
