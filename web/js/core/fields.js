/**
 * The field types of activity kinds and worksheets, each defined once, as sync/core/fields.py: the merges that fit,
 * how a worksheet may use the type, how a value is checked and normalised, read from a form and said in words.
 * Pure; how a type looks on a screen (its control, its value in HTML) is screens/fields.js. Adding a type:
 * docs/INTERNALS.md "Adding a field type".
 */

import { MAX_ATTACHMENT_BYTES, MAX_DIMENSION, MAX_DURATION_MS, MEDIA_TYPES, fromBase64Url } from './attachments.js';
import { text } from './messages.js';
import { SketchError, checkStrokes } from './sketch.js';

// C0 controls other than tab and newline (and DEL) have no business in what a person writes.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
/** The most minutes a day holds: a minutes answer's highest bound. */
export const MAX_DAY_MINUTES = 24 * 60;

const length = (text) => [...text].length; // code points, as Python's len()

/** @typedef {import('./kinds.js').Field} Field */
/** Builds the error for a value that does not fit, from the problem in words; never holds the value.
 * `code` and `params` name the problem in the catalogue (`field.problem.<code>`), for a screen to say it in the
 * language in use; the problem itself stays English, as sync/core/fields.py says it.
 * @typedef {(problem: string, code?: string, params?: Record<string, unknown>) => Error} Fail */
/**
 * How a therapist-built worksheet may use a type (docs/ASSIGNMENTS.md).
 * @typedef {{merge: string, limits: Record<string, [number, number, number]>, extra: string[]}} Worksheet
 *   merge: the one an entry kind of the same type would use; limits: constraint -> [lowest, highest, default];
 *   extra: constraints without numeric limits it may hold ("options", then required, or "suggestions")
 */
/**
 * @typedef {object} FieldType
 * @property {string[]} merges the merge strategies that fit (docs/MERGE.md), sorted
 * @property {Worksheet|null} worksheet null: a worksheet cannot ask for it
 * @property {boolean} recordsMinutes its answers are practice minutes (an assignment's weekly target counts them)
 * @property {'text'|'choice'|null} headline how an answer can say what an entry is about in one line (the lists'
 *   summary): 'text' says it, 'choice' (its label) may lead the line before the first text, null takes no part
 * @property {(field: Field, value: any, fail: Fail) => unknown} check the value normalised, or null when empty;
 *   `value` is never null or undefined
 * @property {(form: FormData, name: string) => unknown} read what the form sent, before check: form controls
 *   only send text, so numbers and yes/no are parsed here, and anything unparseable is passed on for check to refuse
 * @property {(field: Field) => boolean} byChoice answered by choosing among a few, not by typing
 * @property {(field: Field, value: any, newer?: Newer) => unknown} words the value in words (choices by their
 *   labels; a choice the field does not offer, a newer version's, as `newer` says it)
 * @property {(field: Field, value: any, newer?: Newer) => string} text the value as lines of plain text (the saved
 *   copy), choices as `words` says them
 */
/** How to say a choice id the field does not offer (a newer version's), which has no label here.
 * @typedef {(id: string) => string} Newer */

/**
 * The error for a text longer than its field's limit: refused whole, never cut. It carries the limit and the length
 * (`limit`), so a screen can say both in the person's words beside the question's label.
 * @param {Fail} fail @param {string} problem @param {number} max @param {number} count
 */
export const tooLong = (fail, problem, max, count) => Object.assign(fail(problem, 'tooLong', { part: 'answer', max }),
  { limit: { max, length: count } });

/** One line of text, trimmed (`collapse`: every run of space made one space). */
function oneLine(value, maxLength, fail, what = 'must be', collapse = false) {
  const part = { 'must be': 'answer', 'items must be': 'items', 'emotion names must be': 'names' }[what];
  if (typeof value !== 'string') throw fail(`${what} text`, 'notText', { part });
  const text = collapse ? value.split(/\s+/).filter(Boolean).join(' ') : value.trim();
  if (/[\r\n]/.test(text)) throw fail(`${what} a single line`, 'oneLine', { part });
  if (CONTROL.test(text)) throw fail('contains control characters', 'control');
  const count = length(text);
  if (count > maxLength) {
    const problem = `${what} at most ${maxLength} characters`;
    // The whole answer's limit (a short text); an item's (a list's) is said by the message alone.
    throw what === 'must be' ? tooLong(fail, problem, maxLength, count)
      : fail(problem, 'tooLong', { part, max: maxLength });
  }
  return text;
}

function items(field, value, fail, counted = true) {
  if (!Array.isArray(value)) throw fail('must be a list', 'notList');
  const c = field.constraints ?? {};
  if (counted && value.length > (c.max_items ?? 0)) throw fail(`may hold at most ${c.max_items} items`, 'tooMany', { max: c.max_items });
  return value;
}

function whole(field, value, fail, unit = '') {
  const c = field.constraints ?? {};
  if (!Number.isInteger(value) || value < c.min || value > c.max) {
    throw fail(`must be a whole number from ${c.min} to ${c.max}${unit}`, 'range', { min: c.min, max: c.max,
      unit: unit ? 'minutes' : 'none' });
  }
  return value;
}

const optionIds = (field) => (field.constraints?.options ?? []).map((o) => o.id);

/** The label of a choice the field offers, or null for an id it does not (a newer version's choice). */
export function optionLabel(field, id) {
  const option = (field.constraints?.options ?? []).find((o) => o.id === id);
  return option ? option.label : null;
}

/** The stored id itself: what a view that says nothing better shows for a choice it has no label for. */
const asId = (id) => String(id);
/** Choices in words: each by its label, in the order given; one without a label as `newer` says it. */
const chosen = (field, value, newer = asId) => (Array.isArray(value) ? value : [value])
  .map((id) => optionLabel(field, id) ?? newer(String(id))).join(', ');
const lines = (text) => (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const typed = (form, name) => {
  const text = form.get(name);
  return typeof text === 'string' ? text : null;
};
function number(form, name) {
  const text = form.get(name);
  if (typeof text !== 'string' || text.trim() === '') return null;
  return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}
const never = () => false;
const asIs = (field, value) => value;

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ITEM_KEYS = ['id', 'key', 'size', 'digest', 'media'];
const MEDIA_KEYS = { audio: ['duration_ms'], image: ['width', 'height'] };
const MEDIA_WORDS = { audio: 'voice recordings', image: 'photos' };
const within = (value, low, high) => Number.isInteger(value) && value >= low && value <= high;

/** One item of an attachments field, checked as PROTOCOL.md section 19 says (as sync/core/fields.py); never says its
 * key or digest. */
function attachmentItem(item, media, fail) {
  const isObject = item !== null && typeof item === 'object' && !Array.isArray(item);
  if (!isObject || !ITEM_KEYS.every((k) => Object.hasOwn(item, k))) {
    throw fail('must list attachments, each with its id, key, size, digest and media type', 'attachmentItems');
  }
  const top = typeof item.media === 'string' && Object.hasOwn(MEDIA_TYPES, item.media) ? MEDIA_TYPES[item.media] : null;
  if (top === null || !media.includes(top)) {
    throw fail(`may only hold ${media.map((m) => MEDIA_WORDS[m] ?? m).join(' or ')}`, 'attachmentMedia',
      { media: media.join(' ') });
  }
  if (Object.keys(item).some((k) => !ITEM_KEYS.includes(k) && !MEDIA_KEYS[top].includes(k))) {
    throw fail('has an attachment with something it does not know', 'attachmentUnknown');
  }
  if (typeof item.id !== 'string' || !UUID4.test(item.id)) throw fail('has an attachment without a proper id', 'attachmentId');
  for (const name of ['key', 'digest']) {
    try {
      fromBase64Url(item[name], 32);
    } catch {
      throw fail('has an attachment whose key or digest cannot be read', 'attachmentBytes');
    }
  }
  if (!within(item.size, 1, MAX_ATTACHMENT_BYTES)) {
    throw fail('has an attachment larger than 48 MiB or without a size', 'attachmentSize');
  }
  if (Object.hasOwn(item, 'duration_ms') && !within(item.duration_ms, 0, MAX_DURATION_MS)) {
    throw fail('has a recording longer than an hour', 'attachmentDuration');
  }
  const sides = ['width', 'height'].filter((k) => Object.hasOwn(item, k));
  if (sides.length === 1 || sides.some((k) => !within(item[k], 1, MAX_DIMENSION))) {
    throw fail(`has a photo whose width and height are not both from 1 to ${MAX_DIMENSION}`, 'attachmentDimensions',
      { max: MAX_DIMENSION });
  }
  return Object.fromEntries(Object.keys(item).map((k) => [k, item[k]]));
}

/** m:ss (h:mm:ss from an hour), rounded to the nearest second: the same in every language. @param {number} ms */
export function durationText(ms) {
  const seconds = Math.floor((ms + 500) / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const two = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Bytes as KB (below a megabyte, at least 1) or MB with one decimal (1 KB = 1000 bytes). @param {number} size */
export function sizeText(size) {
  if (size < 999_500) return text('attachment.kb', { count: Math.max(1, Math.floor((size + 500) / 1000)) });
  const tenths = Math.floor((size + 50_000) / 100_000);
  return text('attachment.mb', { whole: Math.floor(tenths / 10), tenth: tenths % 10 });
}

/**
 * An attachment in words, never its key: "Voice recording, 0:05, 84 KB", "Photo, 1200 × 900, 2.1 MB" (as
 * sync/core/fields.py attachment_words says it).
 * @param {any} item
 */
export function attachmentWords(item) {
  const isObject = item !== null && typeof item === 'object';
  const top = isObject && Object.hasOwn(MEDIA_TYPES, item.media) ? MEDIA_TYPES[item.media] : null;
  const parts = [text(top === 'audio' ? 'attachment.audio' : top === 'image' ? 'attachment.image' : 'attachment.other')];
  if (top === 'audio' && Number.isInteger(item.duration_ms)) parts.push(durationText(item.duration_ms));
  if (top === 'image' && Number.isInteger(item.width) && Number.isInteger(item.height)) {
    parts.push(`${item.width} × ${item.height}`);
  }
  if (isObject && Number.isInteger(item.size)) parts.push(sizeText(item.size));
  return parts.join(', ');
}

/** Whether a value holds attachment items (keys and all): said in words, never shown as it is, whatever field holds
 * it (one this version does not know too). @param {unknown} value */
export const isAttachmentList = (value) => Array.isArray(value)
  && value.some((v) => v !== null && typeof v === 'object' && 'key' in v && 'digest' in v);

/** @type {Readonly<Record<string, FieldType>>} every field type, in the order the worksheet builder offers them */
export const FIELD_TYPES = Object.freeze({
  short_text: {
    merges: ['scalar', 'text'],
    worksheet: { merge: 'scalar', limits: { max_length: [1, 2000, 500] }, extra: [] },
    recordsMinutes: false,
    headline: 'text',
    check: (field, value, fail) => oneLine(value, field.constraints?.max_length ?? 0, fail) || null,
    read: typed,
    byChoice: never,
    words: asIs,
    text: (field, value) => String(value),
  },
  long_text: {
    merges: ['scalar', 'text'],
    worksheet: { merge: 'text', limits: { max_length: [1, 100000, 20000] }, extra: [] },
    recordsMinutes: false,
    headline: 'text',
    check(field, value, fail) {
      const max = field.constraints?.max_length;
      if (typeof value !== 'string') throw fail('must be text', 'notText', { part: 'answer' });
      const text = value.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
      if (CONTROL.test(text)) throw fail('contains control characters', 'control');
      const count = length(text);
      if (count > (max ?? 0)) throw tooLong(fail, `must be at most ${max} characters`, max ?? 0, count);
      return text.trim() ? text : null;
    },
    read: typed,
    byChoice: never,
    words: asIs,
    text: (field, value) => String(value),
  },
  scale: {
    merges: ['scalar'],
    worksheet: { merge: 'scalar', limits: { min: [0, 10, 0], max: [0, 10, 10], step: [1, 1, 1] }, extra: [] },
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const c = field.constraints ?? {};
      whole(field, value, fail);
      if ((value - c.min) % c.step) {
        throw fail(`must be a whole number from ${c.min} to ${c.max} in steps of ${c.step}`, 'steps',
          { min: c.min, max: c.max, step: c.step });
      }
      return value;
    },
    read: number,
    // At most 11 steps: a row of choices; more: a number typed into a box.
    byChoice: (field) => {
      const c = field.constraints ?? {};
      return (c.max - c.min) / c.step <= 10;
    },
    words: (field, value) => text('field.outOf', { value, max: field.constraints.max }),
    text: (field, value) => `${value} out of ${field.constraints.max}`,
  },
  yes_no: {
    merges: ['scalar'],
    worksheet: { merge: 'scalar', limits: {}, extra: [] },
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      if (typeof value !== 'boolean') throw fail('must be yes or no', 'yesNo');
      return value;
    },
    read: (form, name) => {
      const text = form.get(name);
      return text === 'yes' ? true : text === 'no' ? false : null;
    },
    byChoice: () => true,
    words: (field, value) => text(value ? 'field.yes' : 'field.no'),
    text: (field, value) => text(value ? 'field.yes' : 'field.no'),
  },
  single_choice: {
    merges: ['scalar'],
    worksheet: { merge: 'scalar', limits: {}, extra: ['options'] },
    recordsMinutes: false,
    headline: 'choice',
    check(field, value, fail) {
      if (!optionIds(field).includes(value)) throw fail('must be one of the choices offered', 'choice');
      return value;
    },
    read: (form, name) => {
      const text = form.get(name);
      return typeof text === 'string' && text !== '' ? text : null;
    },
    byChoice: () => true,
    words: chosen,
    text: chosen,
  },
  multi_choice: {
    merges: ['scalar', 'set'],
    worksheet: { merge: 'set', limits: {}, extra: ['options'] },
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const ids = optionIds(field);
      if (items(field, value, fail, false).some((v) => !ids.includes(v))) {
        throw fail('may only hold the choices offered', 'choices');
      }
      const chosen = ids.filter((o) => value.includes(o));
      return chosen.length ? chosen : null;
    },
    read: (form, name) => form.getAll(name).filter((v) => typeof v === 'string'),
    byChoice: () => true,
    words: chosen,
    text: chosen,
  },
  list: {
    merges: ['list', 'scalar', 'set'],
    worksheet: { merge: 'list', limits: { max_items: [1, 100, 20], max_length: [1, 2000, 300] },
      extra: ['suggestions'] },
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const max = field.constraints?.max_length ?? 0;
      let out = items(field, value, fail).map((v) => oneLine(v, max, fail, 'items must be')).filter(Boolean);
      if (field.merge === 'set') out = [...new Set(out)];
      return out.length ? out : null;
    },
    read: (form, name) => lines(form.get(name)), // one item a line
    byChoice: never,
    words: asIs,
    text: (field, value) => (Array.isArray(value) ? value.map((v) => `- ${v}`).join('\n') : String(value)),
  },
  minutes: {
    merges: ['scalar'],
    worksheet: { merge: 'scalar', limits: { min: [0, MAX_DAY_MINUTES, 0], max: [1, MAX_DAY_MINUTES, 240] },
      extra: [] },
    recordsMinutes: true,
    headline: null,
    check: (field, value, fail) => whole(field, value, fail, ' minutes'),
    read: number,
    byChoice: never,
    words: (field, value) => text('field.minutes', { value }),
    text: (field, value) => `${value} min`,
  },
  emotions: {
    merges: ['list', 'scalar'],
    worksheet: null,
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const c = field.constraints ?? {};
      const seen = new Set();
      const out = items(field, value, fail).map((item) => {
        const keys = item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item).sort() : [];
        if (keys.length !== 2 || keys[0] !== 'intensity' || keys[1] !== 'name') {
          throw fail('must list emotions as a name and an intensity each', 'emotions');
        }
        const name = oneLine(item.name, c.max_length ?? 0, fail, 'emotion names must be', true);
        if (!name) throw fail('has an emotion without a name', 'emotionName');
        if (!Number.isInteger(item.intensity) || item.intensity < c.min || item.intensity > c.max) {
          throw fail(`needs each intensity to be a whole number from ${c.min} to ${c.max}`, 'intensity',
            { min: c.min, max: c.max });
        }
        const folded = name.toLowerCase();
        if (seen.has(folded)) throw fail('names the same emotion twice', 'sameEmotion');
        seen.add(folded);
        return { name, intensity: item.intensity };
      });
      return out.length ? out : null;
    },
    // One emotion a line, its intensity last: "anxious 80". A line without a number is refused.
    read: (form, name) => lines(form.get(name)).map((line) => {
      const m = /^(.*?)[\s:]+(\d+)\s*%?$/.exec(line);
      return m ? { name: m[1], intensity: Number(m[2]) } : { name: line, intensity: null };
    }),
    byChoice: never,
    words: asIs,
    text: (field, value) => (Array.isArray(value) ? value.map((v) => `${v.name} ${v.intensity}`).join(', ')
      : String(value)),
  },
  checklist: {
    merges: ['list', 'scalar'],
    worksheet: null,
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const c = field.constraints ?? {};
      const out = [];
      for (const item of items(field, value, fail)) {
        const keys = item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item).sort() : [];
        if (keys.length !== 2 || keys[0] !== 'done' || keys[1] !== 'text') {
          throw fail('must list items as a text and whether it is ticked each', 'checklistItems');
        }
        const text = oneLine(item.text, c.max_length ?? 0, fail, 'items must be');
        if (typeof item.done !== 'boolean') throw fail('must say yes or no for whether each item is ticked', 'checklistDone');
        if (text) out.push({ text, done: item.done });
      }
      return out.length ? out : null;
    },
    // The form's rows (screens/fields.js): `<name>.text` for each row's words, `<name>.done` for the ticked rows' index.
    read: (form, name) => {
      const ticked = new Set(form.getAll(`${name}.done`).map(String));
      return form.getAll(`${name}.text`).map((said, i) => ({ text: String(said), done: ticked.has(String(i)) }))
        .filter((item) => item.text.trim() !== '');
    },
    byChoice: never,
    words: asIs,
    text: (field, value) => (Array.isArray(value)
      ? value.map((i) => `[${i?.done ? 'x' : ' '}] ${i?.text}`).join('\n') : String(value)),
  },
  sketch: {
    merges: ['union'],
    worksheet: null,
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const c = field.constraints ?? {};
      try {
        const strokes = checkStrokes(value, c.max_items ?? 0, c.max_length ?? 0);
        return strokes.length ? strokes : null;
      } catch (err) {
        if (err instanceof SketchError) throw fail(err.message, err.problem.code, err.problem.params);
        throw err;
      }
    },
    // The page's canvas keeps the strokes as JSON in a hidden field (page/sketch.js); empty means none.
    read: (form, name) => {
      const text = form.get(name);
      if (typeof text !== 'string' || !text.trim()) return null;
      try {
        return JSON.parse(text);
      } catch {
        return text; // refused by check, in words
      }
    },
    byChoice: never,
    words: (field, value) => (Array.isArray(value) ? value.length : 0),
    text: (field, value) => text('sketch.text', { count: Array.isArray(value) ? value.length : 0 }),
  },
  attachments: {
    merges: ['union'],
    worksheet: null,
    recordsMinutes: false,
    headline: null,
    check(field, value, fail) {
      const media = field.constraints?.media ?? [];
      const seen = new Set();
      const out = items(field, value, fail).map((item) => {
        const checked = attachmentItem(item, media, fail);
        if (seen.has(checked.id)) throw fail('has the same attachment twice', 'attachmentTwice');
        seen.add(checked.id);
        return checked;
      });
      return out.length ? out : null;
    },
    // The form sends the ids of the attachments the entry keeps (hidden inputs, in order) and the new files apart
    // (`<name>.new`, docs/WEB.md): the save route turns both into items; this reads the kept ids only.
    read: (form, name) => {
      const ids = form.getAll(name).filter((v) => typeof v === 'string' && v !== '');
      return ids.length ? ids : null;
    },
    byChoice: never,
    words: (field, value) => (Array.isArray(value) ? value.map(attachmentWords).join('; ') : String(value)),
    text: (field, value) => (Array.isArray(value) ? value.map(attachmentWords).join('\n') : String(value)),
  },
});

/** The type called `name`, or null for one this version does not know. @returns {FieldType|null} */
export const fieldType = (name) => (Object.hasOwn(FIELD_TYPES, name) ? FIELD_TYPES[name] : null);
