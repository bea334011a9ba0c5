/**
 * How each field type looks on a screen, as core/fields.js says what it is: its form control, the hint under it,
 * its value on an entry's page and in a therapist's timeline, and its name in the worksheet builder. Every view asks
 * here instead of testing type names; a type this version does not know has a plain fallback in each.
 */

import { attachmentWords, fieldType } from '../core/fields.js';
import { answeredByChoice } from '../core/kinds.js';
import { sketchEditor, sketchSvg } from './sketch-views.js';
import { html, t } from './views.js';

/** @typedef {import('../core/kinds.js').Field} Field */
/**
 * What every control of one field shares, made once by `fieldControl`.
 * @typedef {{common: unknown, choices: (options: {id: string, label: string}[], type: 'radio'|'checkbox',
 *   isChecked: (id: string) => boolean) => unknown}} Kit
 */
/**
 * @typedef {object} FieldView
 * @property {(field: Field, value: any, kit: Kit) => unknown} control the form control holding `value`
 * @property {(field: Field) => string|null} hint how to answer, shown under the label (beside the field's own)
 * @property {(field: Field, value: any) => unknown} display the value on its own entry's page
 * @property {(field: Field, value: any, options?: {whole?: boolean}) => unknown} timeline the value in a therapist's
 *   timeline and print: what a client shared is shown as it came, so nothing here assumes its shape; a long answer
 *   shows its first lines with "Show all", unless `whole` (the print view)
 * @property {string|null} builder its name in the worksheet builder (`field.type.<builder>` in the catalogue); null when a worksheet cannot ask for it
 * @property {(field: Field) => number|null} [limit] the most characters the whole answer may hold, when the person
 *   types it: its control then shows a counter near it (page/field-limits.js) and never cuts what is typed or pasted
 */

const textLines = (value) => String(value).split('\n').map((l, i) => html`${i ? html`<br>` : null}${l}`);
const arrayOf = (value) => (Array.isArray(value) ? value : []);

/** A choice this version has no label for (a newer version's): its id, marked as such, never silently dropped. */
export const newerChoice = (id) => t('words.newerChoice', { id });

/** A value in words, as its type says it: choices by their labels (core/fields.js words). */
export const answerWords = (field, value) => fieldType(field.type).words(field, value, newerChoice);
const words = answerWords;

/** An answer longer than this (characters, or lines) shows its first lines in a timeline, with "Show all". */
export const LONG_ANSWER = Object.freeze({ chars: 400, lines: 6 });
const PREVIEW = Object.freeze({ chars: 240, lines: 3 });

/** The first few lines of a long text, cut at a space, with "…". */
function preview(text) {
  const lines = text.split('\n').slice(0, PREVIEW.lines).join('\n');
  const points = [...lines];
  if (points.length <= PREVIEW.chars) return `${lines.trimEnd()}…`; // more lines follow
  const cut = points.slice(0, PREVIEW.chars).join('');
  const space = cut.search(/\s\S*$/);
  return `${(space > PREVIEW.chars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A written answer in a therapist's timeline: as it is when short; when long, its first lines and a "Show all"
 * (a <details>: a real control for keyboard and screen reader, named by the question) that shows all of it in
 * their place. `whole`: all of it at once (the print view). Printing the timeline opens every one (page/app.js).
 * @param {unknown} value @param {string} question the question's words @param {{whole?: boolean}} [options]
 */
export function longAnswer(value, question, { whole = false } = {}) {
  const text = String(value);
  if (whole || ([...text].length <= LONG_ANSWER.chars && text.split('\n').length <= LONG_ANSWER.lines)) {
    return html`${textLines(text)}`;
  }
  return html`<div class="long-answer"><p class="long-preview">${textLines(preview(text))}</p>
    <details><summary><span class="when-closed">${t('words.showAll')}</span><span class="when-open">${
      t('words.showLess')}</span><span class="visually-hidden"> ${t('words.ofQuestion', { question })}</span></summary>
    <div class="long-full">${textLines(text)}</div></details></div>`;
}
/** A value a view cannot interpret, in plain words. */
const raw = (value) => (typeof value === 'object' ? JSON.stringify(value) : value);
const noHint = () => null;

function numberBox(field, value, { common }) {
  const c = field.constraints ?? {};
  return html`<input type="number" inputmode="numeric" ${common} min="${c.min}" max="${c.max}" step="${
    c.step ?? 1}" value="${value ?? ''}">`;
}

/** Empty rows a checklist's form offers under its items, to add more (a save drops the empty ones). */
const SPARE_ROWS = 3;

/**
 * A checklist's rows: each a tick box and its words (both named by the row: "Item 2", "Item 2 done"), then empty
 * rows for more. What each sends is read by core/fields.js.
 * @param {Field} field @param {unknown} value
 */
function checklistRows(field, value) {
  const name = `f.${field.id}`;
  const rows = [...arrayOf(value), ...Array.from({ length: SPARE_ROWS }, () => ({ text: '', done: false }))];
  return html`<ol class="checklist-rows" id="f-${field.id}">${rows.map((item, i) => html`<li class="checklist-row">
    <input type="checkbox" name="${name}.done" value="${i}" id="f-${field.id}-done-${i}"${item?.done ? html` checked` : null}
      aria-label="${t('list.item.done', { n: i + 1 })}">
    <input type="text" name="${name}.text" id="f-${field.id}-text-${i}" value="${item?.text ?? ''}" autocomplete="off"
      aria-label="${t('list.item', { n: i + 1 })}"></li>`)}</ol>`;
}

/** A checklist's items in words: each with its tick said (a mark for the eye, the words for screen readers). */
const checklistWords = (value) => html`<ul class="checklist">${arrayOf(value).map((item) => html`<li class="${
  item?.done ? 'done' : 'open'}"><span aria-hidden="true">${item?.done ? '☑' : '☐'}</span> <span
  class="visually-hidden">${item?.done ? t('list.done') : t('list.open')}: </span>${item?.text}</li>`)}</ul>`;

/** @type {Readonly<Record<string, FieldView>>} */
const FIELD_VIEWS = Object.freeze({
  short_text: {
    control: (field, value, { common }) => html`<input type="text" ${common} value="${value ?? ''}">`,
    hint: noHint,
    display: words,
    timeline: (field, value, options) => longAnswer(raw(value), field.label, options),
    builder: 'shortText',
    limit: (field) => field.constraints?.max_length ?? null,
  },
  long_text: {
    control: (field, value, { common }) => html`<textarea ${common} rows="6">${value ?? ''}</textarea>`,
    hint: noHint,
    display: (field, value) => html`<div class="text">${textLines(value)}</div>`,
    timeline: (field, value, options) => longAnswer(raw(value), field.label, options),
    builder: 'longText',
    limit: (field) => field.constraints?.max_length ?? null,
  },
  scale: {
    control(field, value, kit) {
      if (!answeredByChoice(field)) return numberBox(field, value, kit);
      const c = field.constraints ?? {};
      const steps = Array.from({ length: (c.max - c.min) / c.step + 1 }, (_, i) => String(c.min + i * c.step));
      return kit.choices(steps.map((n) => ({ id: n, label: n })), 'radio', (v) => String(value) === v);
    },
    // What a number typed into a box may be, said before it is refused: its range and step.
    hint(field) {
      const c = field.constraints ?? {};
      if (!((c.max - c.min) / c.step > 10)) return null; // NaN (no range): nothing to say
      return t('field.hint.number', { min: c.min, max: c.max, step: c.step > 1 ? c.step : 'none' });
    },
    display: words,
    timeline: (field, value) => t('field.outOf', { value: raw(value), max: field.constraints?.max ?? 10 }),
    builder: 'scale',
  },
  yes_no: {
    control: (field, value, { choices }) => choices([{ id: 'yes', label: t('field.yes') }, { id: 'no', label: t('field.no') }], 'radio',
      (v) => (v === 'yes' && value === true) || (v === 'no' && value === false)),
    hint: noHint,
    display: words,
    timeline: words,
    builder: 'yesNo',
  },
  single_choice: {
    control: (field, value, { choices }) => choices(field.constraints?.options, 'radio', (v) => value === v),
    hint: noHint,
    display: words,
    timeline: words,
    builder: 'oneChoice',
  },
  multi_choice: {
    control: (field, value, { choices }) => choices(field.constraints?.options, 'checkbox',
      (v) => Array.isArray(value) && value.includes(v)),
    hint: noHint,
    display: words,
    timeline: (field, value) => words(field, arrayOf(value)),
    builder: 'severalChoices',
  },
  list: {
    control: (field, value, { common }) => html`<textarea ${common} rows="4">${(value ?? []).join('\n')}</textarea>`,
    hint: () => t('field.hint.list'),
    display: (field, value) => html`<ul>${value.map((v) => html`<li>${v}</li>`)}</ul>`,
    timeline: (field, value) => html`<ul>${arrayOf(value).map((v) => html`<li>${v}</li>`)}</ul>`,
    builder: 'list',
  },
  minutes: {
    control: numberBox,
    hint: (field) => t('field.hint.minutes', { min: field.constraints?.min, max: field.constraints?.max }),
    display: words,
    timeline: words,
    builder: 'minutes',
  },
  emotions: {
    control: (field, value, { common }) => html`<textarea ${common} rows="4" placeholder="${t('field.emotions.placeholder')}">${
      (value ?? []).map((e) => `${e.name} ${e.intensity ?? ''}`).join('\n')}</textarea>`,
    hint: () => t('field.hint.emotions'),
    display: (field, value) => html`<ul>${value.map((v) => html`<li>${v.name}: ${v.intensity}</li>`)}</ul>`,
    timeline: (field, value) => html`<ul>${arrayOf(value).map((v) => html`<li>${v?.name}: ${v?.intensity}</li>`)}</ul>`,
    builder: null,
  },
  checklist: {
    control: (field, value) => checklistRows(field, value),
    hint: noHint,
    display: (field, value) => checklistWords(value),
    timeline: (field, value) => checklistWords(value),
    builder: null,
  },
  sketch: {
    control: (field, value, { common }) => sketchEditor(field, value, `f-${field.id}`, `f.${field.id}`),
    hint: () => t('sketch.hint'),
    display: (field, value) => sketchSvg(value, { exporting: true }),
    timeline: (field, value) => sketchSvg(value),
    builder: null,
  },
  // In words only, the ids kept as the form's value (the recorder and photo picker come with the screens' own views).
  attachments: {
    control: (field, value) => html`${arrayOf(value).map((item) => html`<input type="hidden" name="f.${field.id}"
      value="${item?.id}">`)}${attachmentList(value)}`,
    hint: noHint,
    display: (field, value) => attachmentList(value),
    timeline: (field, value) => attachmentList(value),
    builder: null,
  },
});

/** Attachments in words ("Voice recording, 0:05, 84 KB"), never their keys. */
const attachmentList = (value) => html`<ul class="attachments">${arrayOf(value).map((item) => html`<li>${
  attachmentWords(item)}</li>`)}</ul>`;

/** How a type looks, or null for one this version does not know. @returns {FieldView|null} */
export const fieldView = (name) => (Object.hasOwn(FIELD_VIEWS, name) ? FIELD_VIEWS[name] : null);

/** The types a worksheet may ask for, each by its name in the builder (`field.type.<builder>` in the catalogue). */
export const TYPE_WORDS = Object.freeze(Object.fromEntries(Object.entries(FIELD_VIEWS)
  .filter(([, view]) => view.builder).map(([name, view]) => [name, `field.type.${view.builder}`])));

/** A type's name in the builder's words. @param {string} type */
export const typeWords = (type) => (Object.hasOwn(TYPE_WORDS, type) ? t(TYPE_WORDS[type]) : String(type));

/**
 * The form control of one field. `field.described`: the ids that describe it (aria-describedby).
 * @param {Field & {described?: string}} field @param {any} value @param {boolean} invalid
 */
export function fieldControl(field, value, invalid) {
  const id = `f-${field.id}`;
  const name = `f.${field.id}`;
  const view = fieldView(field.type);
  const max = view?.limit?.(field) ?? null;
  // A limited answer is described by its counter too, so its count is read out with the field.
  const described = [field.described, max ? `${id}-count` : null].filter(Boolean).join(' ');
  // autocomplete=off: the browser keeps no copy of what is typed (autofill, saved form state). No maxlength: it
  // cuts a paste short without a word; the counter warns instead, and a save over the limit is refused.
  const common = html`id="${id}" name="${name}" autocomplete="off" ${
    field.required ? html`required aria-required="true"` : null}
    ${invalid ? html`aria-invalid="true"` : null} ${described ? html`aria-describedby="${described}"` : null}
    ${max ? html`data-limit="${max}"` : null}`;
  // An optional one-of-a-few question can be left unanswered again after a tap: "No answer" (sent as "").
  const none = (type) => (type === 'radio' && !field.required ? [{ id: '', label: t('field.noAnswer') }] : []);
  const choices = (options, type, isChecked) => html`<div class="choices">${[...options, ...none(type)].map((o, i) =>
    html`
    <label class="choice"><input type="${type}" name="${name}" value="${o.id}" id="${id}-${i}"
      ${(o.id === '' ? value === null || value === undefined : isChecked(o.id)) ? html`checked` : null}><span>${
      o.label}</span></label>`)}</div>`;
  if (!view) return html`<p>This field needs a newer version of the app.</p>`;
  return html`${view.control(field, value, { common, choices })}${max ? limitCounter(id) : null}`;
}

/**
 * The counter of a field with a limit (the control has `data-limit` and names `<id>-count` in its
 * aria-describedby): empty and hidden until the text comes near the limit; page/field-limits.js fills it in as the
 * person types ("19,950 / 20,000") and says it in the polite status beside it when typing pauses, not at every key.
 * @param {string} id the control's id
 */
export const limitCounter = (id) => html`<p class="limit-count" id="${id}-count" aria-hidden="true" hidden></p>
  <span class="visually-hidden" role="status" id="${id}-count-say"></span>`;

/**
 * A form's error in words. An answer over its limit is named by its question's label, with its length and the
 * limit (nothing of it was cut); any other error by its own message.
 * @param {unknown} error a FieldError (`limit` set by core/fields.js tooLong), or words already
 * @param {Field[]} [fields] the questions of the form, to find the label by the error's field id
 */
export function fieldErrorText(error, fields = []) {
  if (typeof error === 'string') return error;
  const e = /** @type {{message?: string, fieldId?: string|null, limit?: {max: number, length: number}}} */ (error);
  const field = fields.find((f) => f.id === e?.fieldId);
  if (e?.limit && field) {
    return t('limit.tooLong', { label: field.label, count: e.limit.length, max: e.limit.max,
      over: e.limit.length - e.limit.max });
  }
  // A problem the validators name by a code (core/fields.js, core/kinds.js): said in the language in use, by the
  // question's label; their own English message otherwise.
  const problem = /** @type {{problem?: {code: string, params: Record<string, unknown>}}} */ (error).problem;
  if (problem && field) return t(`field.problem.${problem.code}`, { part: 'answer', ...problem.params, label: field.label });
  return e?.message ?? '';
}

/** How to answer a field, beyond its own hint; null when its type has nothing to add. */
export const fieldHint = (field) => fieldView(field.type)?.hint(field) ?? null;

/** A field's value on its entry's page. */
export const fieldDisplay = (field, value) => {
  const view = fieldView(field.type);
  return view ? view.display(field, value) : value;
};

/**
 * A field's value in a therapist's timeline: a type this version does not know, in plain words. `whole`: a long
 * answer all at once (the print view), not its first lines with "Show all".
 * @param {Field} field @param {unknown} value @param {{whole?: boolean}} [options]
 */
export const timelineValue = (field, value, options = {}) => {
  const view = fieldView(field.type);
  return view ? view.timeline(field, value, options) : raw(value);
};
