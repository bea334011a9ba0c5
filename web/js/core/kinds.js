/** The activity kinds (sync/kinds.json, served at /kinds.json): form values in, validated fields out, as sync/core/kinds.py. */

import { BetweenError } from './errors.js';
import { fieldType } from './fields.js';

/** Entry fields that do not fit their kind's schema; the detail names the field, never the value. */
export class FieldError extends BetweenError {
  static defaultCode = 'invalid_field';

  constructor(detail, fieldId = null) {
    super(undefined, detail);
    this.fieldId = fieldId;
  }
}

/** @typedef {{id: string, label: string, type: string, required: boolean, merge: string, hint?: string,
 *   constraints: {max_length?: number, min?: number, max?: number, step?: number, max_items?: number,
 *   options?: {id: string, label: string}[], suggestions?: string[], media?: string[]}}} Field */
/** @typedef {{id: string, label: string, description: string, fields: Field[]}} Kind */

/** @param {{v: number, kinds: Kind[]}} schema */
export function kindTable(schema) {
  if (schema?.v !== 1) throw new Error('kinds.json: unsupported version');
  return new Map(schema.kinds.map((k) => [k.id, k]));
}

/**
 * An answer that does not fit its question, named by the question's words (its label), never its id, and never
 * holding the value: "“Tension before” must be a whole number from 0 to 10." sync/core/kinds.py says the same.
 */
const fail = (field, problem, code = null, params = {}) => Object.assign(
  new FieldError(`“${field.label}” ${problem}.`, field.id), code ? { problem: { code, params } } : {});

/** The normalised value, or null when it is empty (the field is then left out). */
export function checkField(field, value) {
  if (value === null || value === undefined) return null;
  const type = fieldType(field.type);
  if (!type) throw fail(field, 'has a type this version does not know', 'unknownType');
  return type.check(field, value, (problem, code, params) => fail(field, problem, code, params));
}

/** Whether a field is answered by choosing among a few (a scale of at most 11 steps too), not by typing. */
export const answeredByChoice = (field) => Boolean(fieldType(field.type)?.byChoice(field));

/**
 * A required answer left out, said as a request rather than a rule and named by the question's words (an entry's
 * field and a worksheet's question alike; sync/core/kinds.py says the same).
 */
export function missing(field) {
  const choose = answeredByChoice(field);
  return Object.assign(new FieldError(choose ? `Please choose an answer for “${field.label}”.`
    : `Please fill in “${field.label}”.`, field.id), { problem: { code: choose ? 'choose' : 'fillIn', params: {} } });
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

/**
 * Read one field from a submitted form, as its type reads it (core/fields.js); null for a type this version does
 * not know. Anything unparseable is passed on as text and refused by checkField with a clear message.
 * @param {Field} field @param {FormData} form
 */
export function readFormField(field, form) {
  const type = fieldType(field.type);
  return type ? type.read(form, `f.${field.id}`) : null;
}

/** @param {Kind} kind @param {FormData} form */
export const readForm = (kind, form) => Object.fromEntries(kind.fields.map((f) => [f.id, readFormField(f, form)]));

/**
 * The answers an address fills a form with (`f.<field>=value`, as the form sends them: the breathing pacer's minutes
 * and technique, a list's starter title), each only when it is a valid answer on its own; the person reviews them.
 * @param {Kind} kind @param {URLSearchParams} params @returns {Record<string, unknown>}
 */
export function prefilled(kind, params) {
  const values = {};
  for (const field of kind.fields) {
    if (!params.has(`f.${field.id}`)) continue;
    try {
      const value = checkField(field, readFormField(field, /** @type {any} */ (params)));
      if (value !== null) values[field.id] = value;
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
    }
  }
  return values;
}
