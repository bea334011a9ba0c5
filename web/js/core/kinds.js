/** The activity kinds (sync/kinds.json, served at /kinds.json): form values in, validated fields out, as sync/core/kinds.py. */

import { BetweenError } from './errors.js';

/** Entry fields that do not fit their kind's schema; the detail names the field, never the value. */
export class FieldError extends BetweenError {
  static defaultCode = 'invalid_field';

  constructor(detail, fieldId = null) {
    super(undefined, detail);
    this.fieldId = fieldId;
  }
}

// C0 controls other than tab and newline (and DEL) have no business in what a person writes.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/** @typedef {{id: string, label: string, type: string, required: boolean, merge: string, hint?: string,
 *   constraints: {max_length?: number, min?: number, max?: number, step?: number, max_items?: number,
 *   options?: {id: string, label: string}[], suggestions?: string[]}}} Field */
/** @typedef {{id: string, label: string, description: string, fields: Field[]}} Kind */

/** @param {{v: number, kinds: Kind[]}} schema */
export function kindTable(schema) {
  if (schema?.v !== 1) throw new Error('kinds.json: unsupported version');
  return new Map(schema.kinds.map((k) => [k.id, k]));
}

const fail = (field, problem) => new FieldError(`${field.label} ${problem}.`, field.id);

const length = (text) => [...text].length; // code points, as Python's len()

function oneLine(field, value, maxLength, what = 'must be') {
  if (typeof value !== 'string') throw fail(field, `${what} text`);
  const text = field.type === 'emotions' ? value.split(/\s+/).filter(Boolean).join(' ') : value.trim();
  if (/[\r\n]/.test(text)) throw fail(field, `${what} a single line`);
  if (CONTROL.test(text)) throw fail(field, 'contains control characters');
  if (length(text) > maxLength) throw fail(field, `${what} at most ${maxLength} characters`);
  return text;
}

/** The normalised value, or null when it is empty (the field is then left out). */
export function checkField(field, value) {
  const c = field.constraints ?? {};
  const t = field.type;
  if (value === null || value === undefined) return null;
  if (t === 'short_text') return oneLine(field, value, c.max_length ?? 0) || null;
  if (t === 'long_text') {
    if (typeof value !== 'string') throw fail(field, 'must be text');
    const text = value.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
    if (CONTROL.test(text)) throw fail(field, 'contains control characters');
    if (length(text) > (c.max_length ?? 0)) throw fail(field, `must be at most ${c.max_length} characters`);
    return text.trim() ? text : null;
  }
  if (t === 'scale' || t === 'minutes') {
    const unit = t === 'minutes' ? ' minutes' : '';
    if (!Number.isInteger(value) || value < c.min || value > c.max) {
      throw fail(field, `must be a whole number from ${c.min} to ${c.max}${unit}`);
    }
    if (t === 'scale' && (value - c.min) % c.step) {
      throw fail(field, `must be a whole number from ${c.min} to ${c.max} in steps of ${c.step}`);
    }
    return value;
  }
  if (t === 'yes_no') {
    if (typeof value !== 'boolean') throw fail(field, 'must be yes or no');
    return value;
  }
  const optionIds = (c.options ?? []).map((o) => o.id);
  if (t === 'single_choice') {
    if (!optionIds.includes(value)) throw fail(field, 'must be one of the choices offered');
    return value;
  }
  if (!Array.isArray(value)) throw fail(field, 'must be a list');
  if (t === 'multi_choice') {
    if (value.some((v) => !optionIds.includes(v))) throw fail(field, 'may only hold the choices offered');
    const chosen = optionIds.filter((o) => value.includes(o));
    return chosen.length ? chosen : null;
  }
  if (value.length > (c.max_items ?? 0)) throw fail(field, `may hold at most ${c.max_items} items`);
  if (t === 'list') {
    let items = value.map((v) => oneLine(field, v, c.max_length ?? 0, 'items must be')).filter(Boolean);
    if (field.merge === 'set') items = [...new Set(items)];
    return items.length ? items : null;
  }
  if (t === 'emotions') {
    const seen = new Set();
    const out = value.map((item) => {
      const keys = item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item).sort() : [];
      if (keys.length !== 2 || keys[0] !== 'intensity' || keys[1] !== 'name') {
        throw fail(field, 'must list emotions as a name and an intensity each');
      }
      const name = oneLine(field, item.name, c.max_length ?? 0, 'emotion names must be');
      if (!name) throw fail(field, 'has an emotion without a name');
      if (!Number.isInteger(item.intensity) || item.intensity < c.min || item.intensity > c.max) {
        throw fail(field, `needs each intensity to be a whole number from ${c.min} to ${c.max}`);
      }
      const folded = name.toLowerCase();
      if (seen.has(folded)) throw fail(field, 'names the same emotion twice');
      seen.add(folded);
      return { name, intensity: item.intensity };
    });
    return out.length ? out : null;
  }
  throw fail(field, 'has a type this version does not know');
}

const CHOSEN = new Set(['yes_no', 'single_choice', 'multi_choice']);

/** Whether a field is answered by choosing among a few (a scale of at most 11 steps too), not by typing. */
export function answeredByChoice(field) {
  const c = field.constraints ?? {};
  return CHOSEN.has(field.type) || (field.type === 'scale' && (c.max - c.min) / c.step <= 10);
}

/** A required answer left out, said as a request rather than a rule. */
function missing(field) {
  return new FieldError(answeredByChoice(field) ? `Please choose an answer for “${field.label}”.`
    : `Please fill in “${field.label}”.`, field.id);
}

/**
 * Check every field; return them normalised with empty optional fields left out, or throw the first error.
 * A field id the kind does not have is refused (code `unknown_field`), as sync/core/kinds.py refuses it.
 */
export function validateFields(kind, fields) {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new FieldError(`${kind.label} fields must be an object of field names to values.`);
  }
  for (const key of Object.keys(fields)) {
    if (!kind.fields.some((f) => f.id === key)) {
      const error = new FieldError(`${kind.label} has no field called that.`, key);
      error.code = 'unknown_field';
      throw error;
    }
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

/**
 * The fields of `fields` that `kind` does not define: a newer version's, which this one can neither check nor show
 * in a form. An edit keeps them as they are (docs/PROTOCOL.md §14).
 * @param {Kind} kind @param {Record<string, unknown>} fields @returns {Record<string, unknown>}
 */
export function unknownFields(kind, fields) {
  const known = new Set(kind.fields.map((f) => f.id));
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([id]) => !known.has(id)));
}

const lines = (text) => (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/**
 * Read one field from a submitted form. Form controls only send text, so numbers and yes/no are parsed
 * here; anything unparseable is passed on as text and refused by checkField with a clear message.
 * @param {Field} field @param {FormData} form
 */
export function readFormField(field, form) {
  const name = `f.${field.id}`;
  const text = form.get(name);
  switch (field.type) {
    case 'short_text':
    case 'long_text':
      return typeof text === 'string' ? text : null;
    case 'scale':
    case 'minutes':
      if (typeof text !== 'string' || text.trim() === '') return null;
      return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'yes_no':
      return text === 'yes' ? true : text === 'no' ? false : null;
    case 'single_choice':
      return typeof text === 'string' && text !== '' ? text : null;
    case 'multi_choice':
      return form.getAll(name).filter((v) => typeof v === 'string');
    case 'list':
      return lines(text);
    case 'emotions':
      // One emotion a line, its intensity last: "anxious 80". A line without a number is refused.
      return lines(text).map((line) => {
        const m = /^(.*?)[\s:]+(\d+)\s*%?$/.exec(line);
        return m ? { name: m[1], intensity: Number(m[2]) } : { name: line, intensity: null };
      });
    default:
      return null;
  }
}

/** @param {Kind} kind @param {FormData} form */
export const readForm = (kind, form) => Object.fromEntries(kind.fields.map((f) => [f.id, readFormField(f, form)]));
