/**
 * The entry document (docs/PROTOCOL.md section 13): what a revision of an entry carries, and the check that a
 * document is one a conforming writer could have written. sync/core/entry_document.py is the Python copy.
 */

import { WORKSHEET, validateWorksheet, validateWorksheetAnswers } from './assignments.js';
import { FieldError, validateFields } from './kinds.js';

const ENTRY_KEYS = ['v', 'kind', 'fields', 'created_at', 'updated_at', 'device', 'conflicts', 'deleted'];
const WORKSHEET_KEYS = ['worksheet', 'title']; // an answer to a therapist's worksheet carries both
const NOTE_KEYS = ['at', 'strategy', 'note', 'hunks', 'other_value', 'item', 'deleted_on_device', 'other_device',
  'other_updated_at'];
const NOTE_STRATEGIES = ['text', 'scalar', 'list', 'delete'];
const MAX_TITLE = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|\+00:00)$/;
const LINE_BREAK_OR_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

/** `entry` for an entry document; otherwise its `type` (assignment, assignment-response, session-log, ...). */
export function documentType(doc) {
  if (!has(doc, 'type')) return 'entry';
  return typeof doc.type === 'string' ? doc.type : 'unknown';
}

/** The first revision's document; `fields` already normalised (kinds.js validateFields). */
export function makeDocument(kind, fields, stamp, device) {
  return { v: 1, kind, fields, created_at: stamp, updated_at: stamp, device };
}

/**
 * The document of a delete (header flag bit 0): the entry without its fields, marked deleted. The content stays in
 * the earlier revisions, so a delete can be undone.
 */
export function makeTombstone(doc, stamp, device) {
  return { ...doc, fields: {}, updated_at: stamp, device, deleted: true };
}

function fail(path, problem) {
  const error = new FieldError(`entry document '${path}' ${problem}.`, path);
  error.code = 'invalid_entry';
  return error;
}

/**
 * A document time as a sortable [UTC second text, nanoseconds], or null when it is not one: `YYYY-MM-DDTHH:MM:SS`,
 * an optional fraction of 1 to 9 digits, then `Z` or `+00:00`, naming a real date and time.
 */
export function instant(value) {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const at = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  at.setUTCFullYear(y);
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d || at.getUTCHours() !== h
    || at.getUTCMinutes() !== mi || at.getUTCSeconds() !== s || y < 1) return null;
  return [value.slice(0, 19), Number((m[7] ?? '').padEnd(9, '0'))];
}

const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

function checkNote(note, path) {
  if (!isObject(note) || Object.keys(note).some((k) => !NOTE_KEYS.includes(k))) {
    throw fail(path, 'must be a conflict note (at, strategy, note and the keys of docs/MERGE.md)');
  }
  if (typeof note.at !== 'string' || !(note.at === '' || note.at.startsWith('/'))) throw fail(`${path}.at`, 'must be a JSON pointer');
  if (!NOTE_STRATEGIES.includes(note.strategy)) throw fail(`${path}.strategy`, `must be one of: ${NOTE_STRATEGIES.join(', ')}`);
  if (typeof note.note !== 'string' || !note.note) throw fail(`${path}.note`, 'must be text');
  const hunks = has(note, 'hunks') ? note.hunks : 1;
  if (!Number.isInteger(hunks) || hunks < 1) throw fail(`${path}.hunks`, 'must be a whole number from 1');
  for (const key of ['item', 'deleted_on_device', 'other_device', 'other_updated_at']) {
    if (has(note, key) && typeof note[key] !== 'string') throw fail(`${path}.${key}`, 'must be text');
  }
}

/**
 * Check an entry document as a conforming writer makes it; return it normalised (a normalised document validates to
 * itself). `deleted` is the revision's header flag bit 0: a tombstone says `"deleted": true` and has no fields.
 * Throws FieldError: code invalid_entry naming the key, or the field's own error.
 * @param {unknown} doc @param {Map<string, object>} kinds the table of kinds.js kindTable()
 * @param {{deleted?: boolean}} [options]
 */
export function validateEntryDocument(doc, kinds, { deleted = false } = {}) {
  if (!isObject(doc)) throw fail('document', 'must be an object');
  const kind = doc.kind;
  const allowed = kind === WORKSHEET ? [...ENTRY_KEYS, ...WORKSHEET_KEYS] : ENTRY_KEYS;
  for (const key of Object.keys(doc)) {
    if (!allowed.includes(key)) {
      throw fail(key.length <= 40 ? key : '(a long name)',
        key === 'type' ? 'marks another document' : 'is not a key of an entry document');
    }
  }
  if (doc.v !== 1) throw fail('v', 'must be 1 (this version reads no other)');
  if (typeof kind !== 'string' || (kind !== WORKSHEET && !kinds.has(kind))) {
    throw fail('kind', "must be an activity kind of kinds.json or 'worksheet'");
  }
  const times = {};
  for (const key of ['created_at', 'updated_at']) {
    times[key] = instant(doc[key]);
    if (!times[key]) throw fail(key, 'must be a UTC time like 2026-11-02T10:00:00.000Z');
  }
  if (before(times.updated_at, times.created_at)) throw fail('updated_at', 'must not be before created_at');
  if (typeof doc.device !== 'string' || !UUID.test(doc.device)) {
    throw fail('device', "must be the writing device's id, a lowercase UUID");
  }
  if (has(doc, 'conflicts')) {
    if (!Array.isArray(doc.conflicts) || !doc.conflicts.length) {
      throw fail('conflicts', 'must be a list of at least one note (an empty list is left out)');
    }
    doc.conflicts.forEach((note, i) => checkNote(note, `conflicts[${i}]`));
  }
  if (has(doc, 'deleted') !== deleted || (has(doc, 'deleted') && doc.deleted !== true)) {
    throw fail('deleted', 'must be true in a revision whose header flag says deleted, and absent otherwise');
  }
  const out = { ...doc };
  if (kind === WORKSHEET) {
    out.worksheet = validateWorksheet(doc.worksheet, 'entry');
    const title = typeof doc.title === 'string' ? doc.title.trim() : '';
    if ([...title].length < 1 || [...title].length > MAX_TITLE || LINE_BREAK_OR_CONTROL.test(title)) {
      throw fail('title', `must be one line of 1 to ${MAX_TITLE} characters (the worksheet's title)`);
    }
    out.title = title;
  }
  if (deleted) {
    if (!isObject(doc.fields) || Object.keys(doc.fields).length) {
      throw fail('fields', 'must be empty in a deleted entry (the content stays in earlier revisions)');
    }
  } else {
    out.fields = kind === WORKSHEET ? validateWorksheetAnswers(out.worksheet, doc.fields)
      : validateFields(kinds.get(kind), doc.fields);
  }
  return out;
}
