/**
 * The words of kinds.json and templates.json in the message catalogues (docs/WEB.md "Words of kinds and
 * templates"). The two files stay the one source of the structure and of the English; each piece of text a person
 * reads has a key derived mechanically from where it sits:
 *   kind.<id>.label, kind.<id>.description,
 *   kind.<id>.field.<field>.label, kind.<id>.field.<field>.hint, kind.<id>.field.<field>.option.<option>,
 *   template.<id>.title, template.<id>.summary, template.<id>.instructions,
 *   template.<id>.field.<field>.label|hint|option.<option> (a template's worksheet questions).
 * `kindMessages`/`templateMessages` give the English section of en.json (`node tools/kind-messages.js` writes it,
 * test/core/kind-words.test.js checks it is up to date); `localiseKinds`/`localiseTemplates` give a copy of the files
 * with the words of the language in use, which is what the worker keeps and every screen shows.
 */

import { hasMessage, text } from './messages.js';

/**
 * The text of one kind's, or one worksheet's, fields under `prefix`, each as [key, English].
 * @param {string} prefix @param {any[]} fields @returns {[string, string][]}
 */
function fieldPairs(prefix, fields) {
  /** @type {[string, string][]} */
  const out = [];
  for (const field of fields ?? []) {
    const at = `${prefix}.field.${field.id}`;
    out.push([`${at}.label`, field.label]);
    if (field.hint) out.push([`${at}.hint`, field.hint]);
    for (const option of field.constraints?.options ?? []) {
      if (option && typeof option === 'object') out.push([`${at}.option.${option.id}`, option.label]);
    }
  }
  return out;
}

/**
 * Every [key, English] of kinds.json, in the file's order.
 * @param {{kinds: any[]}} schema @returns {[string, string][]}
 */
const kindPairs = (schema) => schema.kinds.flatMap((kind) => [[`kind.${kind.id}.label`, kind.label],
  [`kind.${kind.id}.description`, kind.description], ...fieldPairs(`kind.${kind.id}`, kind.fields)]);

/**
 * Every [key, English] of templates.json, in the file's order.
 * @param {{templates: any[]}} raw @returns {[string, string][]}
 */
const templatePairs = (raw) => raw.templates.flatMap((t) => [[`template.${t.id}.title`, t.title],
  [`template.${t.id}.summary`, t.summary], [`template.${t.id}.instructions`, t.instructions],
  ...fieldPairs(`template.${t.id}`, t.worksheet?.fields)]);

/**
 * Pairs as a catalogue section. English that the message syntax would read otherwise (`{` or `}`) is refused: the
 * files' words go into the catalogue as they are.
 * @param {[string, string][]} pairs @returns {Record<string, string>}
 */
function section(pairs) {
  const out = {};
  for (const [key, english] of pairs) {
    if (typeof english !== 'string' || !english) throw new Error(`${key}: no text`);
    if (/[{}]/.test(english)) throw new Error(`${key}: { and } cannot be in a message`);
    if (Object.hasOwn(out, key)) throw new Error(`${key}: twice`);
    out[key] = english;
  }
  return out;
}

/** kinds.json's words as catalogue messages (the English). */
export const kindMessages = (schema) => section(kindPairs(schema));
/** templates.json's words as catalogue messages (the English). */
export const templateMessages = (raw) => section(templatePairs(raw));

/** A key's words in the language in use; the file's own English when the catalogue lacks it (a newer file). */
const say = (key, english) => (hasMessage(key) ? text(key) : english);

/** A copy of fields with their words from the catalogue. */
function localiseFields(prefix, fields) {
  return fields.map((field) => {
    const at = `${prefix}.field.${field.id}`;
    const out = { ...field, label: say(`${at}.label`, field.label) };
    if (field.hint) out.hint = say(`${at}.hint`, field.hint);
    if (Array.isArray(field.constraints?.options)) {
      out.constraints = { ...field.constraints, options: field.constraints.options.map((o) => (o && typeof o === 'object'
        ? { ...o, label: say(`${at}.option.${o.id}`, o.label) } : o)) };
    }
    return out;
  });
}

/**
 * kinds.json with the words of the language in use (its structure unchanged); as it is when none is in use.
 * @template {{kinds: any[]}} S @param {S} schema @returns {S}
 */
export function localiseKinds(schema) {
  if (!hasMessage(`kind.${schema.kinds[0]?.id}.label`)) return schema;
  return { ...schema, kinds: schema.kinds.map((kind) => ({ ...kind, label: say(`kind.${kind.id}.label`, kind.label),
    description: say(`kind.${kind.id}.description`, kind.description),
    fields: localiseFields(`kind.${kind.id}`, kind.fields) })) };
}

/**
 * templates.json with the words of the language in use; as it is when none is in use.
 * @template {{templates: any[]}} S @param {S} raw @returns {S}
 */
export function localiseTemplates(raw) {
  if (!hasMessage(`template.${raw.templates[0]?.id}.title`)) return raw;
  return { ...raw, templates: raw.templates.map((t) => {
    const out = { ...t, title: say(`template.${t.id}.title`, t.title), summary: say(`template.${t.id}.summary`,
      t.summary), instructions: say(`template.${t.id}.instructions`, t.instructions) };
    if (t.worksheet?.fields) out.worksheet = { ...t.worksheet, fields: localiseFields(`template.${t.id}`, t.worksheet.fields) };
    return out;
  }) };
}
