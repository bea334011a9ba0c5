/** Assignment and response documents, therapist-built worksheets and the template library, as sync/core/assignments.py. */

import { FIELD_TYPES, fieldType, MAX_DAY_MINUTES } from './fields.js';
import { text } from './messages.js';
import { FieldError, checkField, missing } from './kinds.js';
import { CUSTOM_LIMITS, DURATIONS, TECHNIQUE_IDS } from './pacer.js';
import { checkSchedule, formatDay, isOccurrence, parseDate, parseInstant, planRecurrence } from './recurrence.js';

export const WORKSHEET = 'worksheet';
export const RATINGS = ['helping', 'not_helping', 'too_hard', 'tedious'];
/** A feedback rating in the words every screen shows (`todo.rating.*` in the catalogue); another as it is. */
export const ratingWords = (rating) => (RATINGS.includes(rating)
  ? text(`todo.rating.${rating.replace(/_(\w)/g, (_, c) => c.toUpperCase())}`) : String(rating));
export const STATUSES = ['done', 'not_done'];
const MAX_TITLE = 200;
const MAX_INSTRUCTIONS = 5000;
const MAX_NOTE = 2000; // a reason for not doing it, a feedback comment
const MAX_FIELDS = 40;
const MAX_OPTIONS = 20;
const MAX_WEEK_MINUTES = 7 * 24 * 60;

/** The field types a worksheet may ask for (each type's `worksheet` says how), in the order the builder offers them. */
export const WORKSHEET_TYPES = Object.keys(FIELD_TYPES).filter((t) => FIELD_TYPES[t].worksheet);

const FIELD_ID = /^[a-z][a-z0-9_]{0,39}$/;
const OPTION_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
// C0 controls other than tab and newline (and DEL) have no business in what a person writes.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

const ASSIGNMENT_KEYS = ['v', 'type', 'template', 'kind', 'title', 'instructions', 'worksheet', 'schedule',
  'target_minutes_per_week', 'practice', 'created_at', 'updated_at', 'withdrawn'];
// A relaxation assignment's guided practice (docs/ASSIGNMENTS.md, "A practice's timings"): the pacer's own technique
// ids, custom timings' bounds in seconds and session lengths (core/pacer.js; Python has them written out).
export const PRACTICE_KIND = 'relaxation';
const PRACTICE_KEYS = ['technique', 'timings', 'minutes'];
const PRACTICE_TECHNIQUES = TECHNIQUE_IDS;
const TIMING_LIMITS = CUSTOM_LIMITS;
const PRACTICE_MINUTES = DURATIONS;
const RESPONSE_KEYS = ['v', 'type', 'assignment_id', 'occurrence', 'status', 'reason', 'entry_id', 'minutes',
  'feedback', 'created_at', 'updated_at'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const length = (text) => [...text].length; // code points, as Python's len()
const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

/** Checks one document and builds the error that names its field path, never the value. */
class Doc {
  constructor(docType) {
    this.docType = docType;
  }

  /**
   * `code` and `params`: the problem in the catalogue (`assign.problem.<code>`), for the ones a form can lead to;
   * the English stays as sync/core/assignments.py words it.
   * @param {string} path @param {string} problem @param {string|null} [code] @param {Record<string, unknown>} [params]
   */
  fail(path, problem, code = null, params = {}) {
    /** @type {FieldError & {kindId?: string, problem?: {code: string, params: Record<string, unknown>}}} */
    const error = new FieldError(`${this.docType} '${path}' ${problem}.`, path);
    if (code) error.problem = { code, params };
    error.code = `invalid_${this.docType.replace('-', '_')}`;
    error.kindId = this.docType;
    return error;
  }

  keys(value, allowed, path) {
    if (!isObject(value)) throw this.fail(path, 'must be an object');
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const shown = key.length <= 40 ? key : '(a long name)';
        throw this.fail(path === 'document' ? shown : `${path}.${shown}`, 'is not a field this version knows');
      }
    }
    return value;
  }

  line(value, path, maxLength, required = true) {
    if (typeof value !== 'string') throw this.fail(path, 'must be text');
    const text = value.trim();
    if (/[\r\n]/.test(text)) throw this.fail(path, 'must be a single line', 'oneLine');
    return this.#text(text, path, maxLength, required);
  }

  text(value, path, maxLength, required = false) {
    if (typeof value !== 'string') throw this.fail(path, 'must be text');
    const text = value.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
    return this.#text(text.trim() ? text : '', path, maxLength, required);
  }

  #text(text, path, maxLength, required) {
    if (CONTROL.test(text)) throw this.fail(path, 'contains control characters', 'control');
    if (length(text) > maxLength) {
      throw this.fail(path, `must be at most ${maxLength} characters`, 'tooLong', { max: maxLength });
    }
    if (required && !text) throw this.fail(path, 'must not be empty', 'empty');
    return text;
  }

  whole(value, path, lo, hi, unit = '') {
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw this.fail(path, `must be a whole number from ${lo} to ${hi}${unit}`);
    }
    return value;
  }

  stamps(doc) {
    const at = {};
    for (const key of ['created_at', 'updated_at']) {
      if (typeof doc[key] !== 'string' || !STAMP.test(doc[key])) {
        throw this.fail(key, 'must be a UTC time like 2026-03-29T08:15:00Z');
      }
      try {
        at[key] = parseInstant(doc[key], key);
      } catch {
        throw this.fail(key, 'is not a real date and time');
      }
    }
    if (at.updated_at < at.created_at) throw this.fail('updated_at', 'must not be before created_at');
    return [doc.created_at, doc.updated_at];
  }

  header(doc, type, allowed, versions = [1]) {
    this.keys(doc, allowed, 'document');
    if (!versions.includes(doc.v)) throw this.fail('v', `must be ${versions.join(' or ')} (this version reads no other)`);
    if (doc.type !== type) throw this.fail('type', `must be '${type}'`);
    return doc;
  }
}

function checkOptions(d, value, path) {
  if (!Array.isArray(value) || value.length < 2 || value.length > MAX_OPTIONS) {
    throw d.fail(path, `must list from 2 to ${MAX_OPTIONS} choices`, 'choiceCount', { max: MAX_OPTIONS });
  }
  const out = value.map((raw, i) => {
    const where = `${path}[${i}]`;
    // A bare label is the builder's shorthand; the id it gets is its position, stable as written.
    const option = d.keys(typeof raw === 'string' ? { id: `o${i + 1}`, label: raw } : raw, ['id', 'label'], where);
    if (typeof option.id !== 'string' || !OPTION_ID.test(option.id)) {
      throw d.fail(`${where}.id`, 'must be lowercase letters, digits, - or _ (at most 40)');
    }
    return { id: option.id, label: d.line(option.label, `${where}.label`, MAX_TITLE) };
  });
  if (new Set(out.map((o) => o.id)).size !== out.length) throw d.fail(path, 'holds the same choice twice', 'sameChoice');
  return out;
}

function checkConstraints(d, { limits, extra }, value, path) {
  const given = d.keys(value ?? {}, [...Object.keys(limits), ...extra], path);
  const out = {};
  for (const [key, [lo, hi, fallback]] of Object.entries(limits)) {
    out[key] = has(given, key) ? d.whole(given[key], `${path}.${key}`, lo, hi) : fallback;
  }
  if ('min' in out && out.min >= out.max) throw d.fail(`${path}.max`, 'must be more than min');
  if (extra.includes('options')) out.options = checkOptions(d, given.options, `${path}.options`);
  if (has(given, 'suggestions')) {
    const items = given.suggestions;
    if (!Array.isArray(items) || items.length > 30) {
      throw d.fail(`${path}.suggestions`, 'must be a list of at most 30 suggestions');
    }
    out.suggestions = items.map((s, i) => d.line(s, `${path}.suggestions[${i}]`, out.max_length));
  }
  return out;
}

/** A therapist-built worksheet, normalised so every field reads like a field of kinds.json. */
export function validateWorksheet(worksheet, docType = 'assignment', path = 'worksheet') {
  const d = new Doc(docType);
  const sheet = d.keys(worksheet, ['fields'], path);
  const fields = sheet.fields;
  if (!Array.isArray(fields) || fields.length < 1 || fields.length > MAX_FIELDS) {
    throw d.fail(`${path}.fields`, `must list from 1 to ${MAX_FIELDS} questions`, 'questionCount',
      { max: MAX_FIELDS });
  }
  const out = fields.map((raw, i) => {
    const where = `${path}.fields[${i}]`;
    const f = d.keys(raw, ['id', 'label', 'type', 'required', 'merge', 'constraints', 'hint'], where);
    if (typeof f.id !== 'string' || !FIELD_ID.test(f.id)) {
      throw d.fail(`${where}.id`, 'must start with a letter and hold only a-z, 0-9 and _ (at most 40)');
    }
    if (!WORKSHEET_TYPES.includes(f.type)) throw d.fail(`${where}.type`, `must be one of: ${WORKSHEET_TYPES.join(', ')}`);
    const required = has(f, 'required') ? f.required : false;
    if (typeof required !== 'boolean') throw d.fail(`${where}.required`, 'must be true or false');
    const { merges, worksheet: spec } = FIELD_TYPES[f.type];
    const merge = has(f, 'merge') ? f.merge : spec.merge;
    if (!merges.includes(merge)) throw d.fail(`${where}.merge`, `must be one of: ${merges.join(', ')}`);
    const field = { id: f.id, label: d.line(f.label, `${where}.label`, MAX_TITLE), type: f.type, required, merge,
      constraints: checkConstraints(d, spec, f.constraints, `${where}.constraints`) };
    const hint = d.line(has(f, 'hint') ? f.hint : '', `${where}.hint`, 500, false);
    if (hint) field.hint = hint;
    return field;
  });
  if (new Set(out.map((f) => f.id)).size !== out.length) {
    throw d.fail(`${path}.fields`, 'holds two questions with the same id');
  }
  return { fields: out };
}

/** The worksheet as a kind (the shape of kinds.json), so its answers validate and render like an entry's. */
export function worksheetKind(worksheet, title = 'Worksheet') {
  return { id: WORKSHEET, label: title, description: '', fields: validateWorksheet(worksheet).fields };
}

/**
 * The Kind to show or check an entry (or an entry document) with: its kind from kinds.json, or for the answers to
 * a worksheet the kind made from the worksheet the entry carries. Null when unknown.
 * @param {Map<string, any>} kinds @param {{kind?: string, worksheet?: object|null, title?: string|null}} entry
 */
export function kindFor(kinds, entry) {
  if (entry.kind === WORKSHEET) {
    if (!entry.worksheet) return null;
    try {
      return worksheetKind(entry.worksheet, typeof entry.title === 'string' ? entry.title : 'Worksheet');
    } catch {
      return null;
    }
  }
  return kinds.get(entry.kind) ?? null;
}

/** A client's answers to a worksheet, checked and normalised as kinds.js checks an entry's fields. */
export function validateWorksheetAnswers(worksheet, fields) {
  const kind = worksheetKind(worksheet);
  if (!isObject(fields)) throw new FieldError('worksheet answers must be an object of question ids to answers.');
  const ids = kind.fields.map((f) => f.id);
  for (const key of Object.keys(fields)) {
    if (!ids.includes(key)) throw new FieldError(`worksheet has no question '${key.slice(0, 40)}'.`, key);
  }
  const out = {};
  for (const field of kind.fields) {
    const value = checkField(field, fields[field.id]);
    if (value === null) {
      if (field.required) throw missing(field);
      continue;
    }
    out[field.id] = value;
  }
  return out;
}

function recordsMinutes(kindId, worksheet, kinds) {
  const fields = worksheet ? worksheet.fields : kinds.get(kindId).fields;
  return fields.some((f) => fieldType(f.type)?.recordsMinutes);
}

function checkPractice(d, value) {
  const practice = d.keys(value, PRACTICE_KEYS, 'practice');
  if (!PRACTICE_TECHNIQUES.includes(practice.technique)) {
    throw d.fail('practice.technique', `must be one of: ${PRACTICE_TECHNIQUES.join(', ')}`, 'choose');
  }
  const out = { technique: practice.technique };
  if (practice.technique === 'custom') {
    if (!has(practice, 'timings')) throw d.fail('practice.timings', 'must be given for custom timings');
    const timings = d.keys(practice.timings, Object.keys(TIMING_LIMITS), 'practice.timings');
    out.timings = Object.fromEntries(Object.entries(TIMING_LIMITS).map(([step, [lo, hi]]) => [step,
      d.whole(timings[step], `practice.timings.${step}`, lo, hi, ' seconds')]));
  } else if (has(practice, 'timings')) {
    throw d.fail('practice.timings', "belongs only to technique 'custom'");
  }
  if (has(practice, 'minutes')) {
    if (!PRACTICE_MINUTES.includes(practice.minutes)) {
      throw d.fail('practice.minutes', `must be one of: ${PRACTICE_MINUTES.join(', ')}`, 'choose');
    }
    out.minutes = practice.minutes;
  }
  return out;
}

/**
 * Check an assignment document (the plaintext of a therapist's record); return it normalised. It is `v: 2` exactly
 * when it carries a practice, so every other assignment stays readable by versions that know only 1.
 * @param {Map<string, object>} kinds the table of kinds.js kindTable()
 */
export function validateAssignment(doc, kinds) {
  const d = new Doc('assignment');
  d.header(doc, 'assignment', ASSIGNMENT_KEYS, [1, 2]);
  const out = { v: doc.v, type: 'assignment' };
  const template = doc.template ?? null;
  if (!has(doc, 'template') || (template !== null && (typeof template !== 'string' || !TEMPLATE_ID.test(template)))) {
    throw d.fail('template', 'must be a template id or null');
  }
  out.template = template;
  if (doc.kind !== WORKSHEET && !(typeof doc.kind === 'string' && kinds.has(doc.kind))) {
    throw d.fail('kind', `must be '${WORKSHEET}' or an activity kind: ${[...kinds.keys()].join(', ')}`);
  }
  out.kind = doc.kind;
  out.title = d.line(doc.title, 'title', MAX_TITLE);
  out.instructions = d.text(doc.instructions, 'instructions', MAX_INSTRUCTIONS);
  let worksheet = null;
  if (doc.kind === WORKSHEET) {
    worksheet = out.worksheet = validateWorksheet(doc.worksheet);
  } else if (has(doc, 'worksheet')) {
    throw d.fail('worksheet', `belongs only to kind '${WORKSHEET}'`);
  }
  out.schedule = checkSchedule(doc.schedule);
  if (has(doc, 'target_minutes_per_week')) {
    out.target_minutes_per_week = d.whole(doc.target_minutes_per_week, 'target_minutes_per_week', 1, MAX_WEEK_MINUTES,
      ' minutes');
    if (!recordsMinutes(doc.kind, worksheet, kinds)) {
      throw d.fail('target_minutes_per_week', 'needs an activity that records minutes');
    }
  }
  if (has(doc, 'practice')) {
    if (doc.kind !== PRACTICE_KIND) throw d.fail('practice', `belongs only to kind '${PRACTICE_KIND}'`);
    out.practice = checkPractice(d, doc.practice);
  }
  if (has(out, 'practice') && out.v !== 2) throw d.fail('v', 'must be 2 for an assignment with a practice');
  if (!has(out, 'practice') && out.v !== 1) throw d.fail('v', 'must be 1 for an assignment without a practice');
  [out.created_at, out.updated_at] = d.stamps(doc);
  if (typeof doc.withdrawn !== 'boolean') throw d.fail('withdrawn', 'must be true or false');
  out.withdrawn = doc.withdrawn;
  return out;
}

/** Check a client's response document; with the assignment, also that it answers one of its occurrences. */
export function validateResponse(doc, assignment = null) {
  const d = new Doc('assignment-response');
  d.header(doc, 'assignment-response', RESPONSE_KEYS);
  const out = { v: 1, type: 'assignment-response' };
  for (const key of ['assignment_id', 'entry_id']) {
    if (has(doc, key) || key === 'assignment_id') {
      if (typeof doc[key] !== 'string' || !RECORD_ID.test(doc[key])) {
        throw d.fail(key, 'must be a record id (a lowercase UUID)');
      }
      out[key] = doc[key];
    }
  }
  try {
    out.occurrence = formatDay(parseDate(doc.occurrence, 'occurrence'));
  } catch {
    throw d.fail('occurrence', 'must be a date written YYYY-MM-DD');
  }
  if (!STATUSES.includes(doc.status)) throw d.fail('status', `must be one of: ${STATUSES.join(', ')}`);
  out.status = doc.status;
  if (has(doc, 'reason')) {
    if (doc.status !== 'not_done') throw d.fail('reason', 'is only for an activity that was not done');
    const reason = d.text(doc.reason, 'reason', MAX_NOTE);
    if (reason) out.reason = reason;
  }
  if (has(doc, 'minutes')) out.minutes = d.whole(doc.minutes, 'minutes', 0, MAX_DAY_MINUTES, ' minutes');
  if (has(doc, 'feedback')) {
    const feedback = d.keys(doc.feedback, ['rating', 'comment'], 'feedback');
    if (!RATINGS.includes(feedback.rating)) throw d.fail('feedback.rating', `must be one of: ${RATINGS.join(', ')}`);
    out.feedback = { rating: feedback.rating };
    const comment = d.text(has(feedback, 'comment') ? feedback.comment : '', 'feedback.comment', MAX_NOTE);
    if (comment) out.feedback.comment = comment;
  }
  [out.created_at, out.updated_at] = d.stamps(doc);
  if (assignment && !isOccurrence(assignment.schedule.recurrence, out.occurrence)) {
    throw d.fail('occurrence', 'is not a date this assignment falls on');
  }
  return out;
}

const PLAN_CONTACT_KEYS = ['v', 'type', 'client_id', 'name', 'phone', 'sms', 'hours', 'note', 'withdrawn',
  'created_at', 'updated_at'];
// As sync/core/wire.py PhoneNumber: what a phone's dialler takes, written as people write it.
const PHONE = /^\+?[0-9][0-9 ()-]{0,28}[0-9]$/;

/**
 * A therapist's out-of-hours contact for one client's safety plan (docs/ASSIGNMENTS.md, "The plan contact"), as
 * sync/core/assignments.py validate_plan_contact: normalised (text trimmed, empty optional fields left out).
 * @param {any} doc
 */
export function validatePlanContact(doc) {
  const d = new Doc('plan-contact');
  d.header(doc, 'plan-contact', PLAN_CONTACT_KEYS);
  const out = { v: 1, type: 'plan-contact' };
  if (typeof doc.client_id !== 'string' || !RECORD_ID.test(doc.client_id)) {
    throw d.fail('client_id', 'must be a user id (a lowercase UUID)');
  }
  out.client_id = doc.client_id;
  out.name = d.line(doc.name, 'name', 200);
  for (const key of ['phone', 'sms']) {
    if (key !== 'phone' && !has(doc, key)) continue;
    const number = d.line(doc[key], key, 30, key === 'phone');
    if (number && !PHONE.test(number)) {
      throw d.fail(key, 'must be a phone number: digits, spaces, brackets and dashes, an optional leading +');
    }
    if (number) out[key] = number;
  }
  if (has(doc, 'hours')) {
    const hours = d.line(doc.hours, 'hours', 200, false);
    if (hours) out.hours = hours;
  }
  if (has(doc, 'note')) {
    const note = d.text(doc.note, 'note', 500);
    if (note) out.note = note;
  }
  const withdrawn = has(doc, 'withdrawn') ? doc.withdrawn : false;
  if (typeof withdrawn !== 'boolean') throw d.fail('withdrawn', 'must be true or false');
  out.withdrawn = withdrawn;
  [out.created_at, out.updated_at] = d.stamps(doc);
  return out;
}

/** Practice minutes of the seven local dates from `weekStart`, against the assignment's weekly target. */
export function weeklyMinutes(assignment, responses, weekStart) {
  const first = parseDate(weekStart, 'week_start');
  const days = new Set([0, 1, 2, 3, 4, 5, 6].map((i) => formatDay(first + i)));
  const minutes = responses.filter((r) => r.status === 'done' && days.has(r.occurrence))
    .reduce((sum, r) => sum + (r.minutes ?? 0), 0);
  return { week_start: formatDay(first), minutes, target: assignment.target_minutes_per_week ?? null };
}

/**
 * An activity of the library (sync/templates.json): `kind` a kind of kinds.json or 'worksheet' (with its fields).
 * @typedef {{id: string, title: string, summary: string, kind: string, instructions?: string,
 *   worksheet?: {fields: Record<string, any>[]}, schedule?: Record<string, any>, target_minutes_per_week?: number}}
 *   Template
 */

/**
 * The library (sync/templates.json) as a Map of id to template, in the order it offers them.
 * @returns {Map<string, Template>}
 */
export function templateTable(raw) {
  if (raw?.v !== 1) throw new Error('templates.json: unsupported version');
  return new Map(raw.templates.map((t) => [t.id, t]));
}

/**
 * A new, validated assignment document; a one-off activity is due on its single date. With a practice (a
 * relaxation's technique, timings and minutes) it is `v: 2`.
 */
export function buildAssignment({ kind, title, instructions, recurrence, now, template = null, worksheet = null,
  targetMinutesPerWeek = null, practice = null }, kinds) {
  const schedule = { recurrence };
  if (recurrence?.freq === 'once') schedule.due = recurrence.until ?? recurrence.start;
  const doc = { v: practice === null ? 1 : 2, type: 'assignment', template, kind, title, instructions, schedule, created_at: now,
    updated_at: now, withdrawn: false };
  if (worksheet !== null) doc.worksheet = worksheet;
  if (targetMinutesPerWeek !== null) doc.target_minutes_per_week = targetMinutesPerWeek;
  if (practice !== null) doc.practice = practice;
  return validateAssignment(doc, kinds);
}

/** An assignment from a library template, with the therapist's own title, wording, target and practice if given. */
export function buildFromTemplate(templates, kinds, templateId, { start, timeZone, now, nextSession = null,
  title = null, instructions = null, targetMinutesPerWeek = null, practice = null }) {
  const t = templates.get(templateId);
  if (!t) {
    const error = new FieldError('There is no template with that id.', 'template');
    error.code = 'unknown_template';
    throw error;
  }
  return buildAssignment({
    kind: t.kind, title: title ?? t.title, instructions: instructions ?? t.instructions,
    recurrence: planRecurrence(t.schedule, { start, timeZone, nextSession }), now, template: t.id,
    worksheet: t.worksheet ?? null, targetMinutesPerWeek: targetMinutesPerWeek ?? t.target_minutes_per_week ?? null,
    practice,
  }, kinds);
}
