/** Fragments of the entry screens: list, search, one entry, the form of each kind. All through html``. */

import { kindFor } from '../../core/assignments.js';
import { instantWords } from '../../core/dates.js';
import { answeredByChoice, unknownFields } from '../../core/kinds.js';
import { html } from '../views.js';

/** A link htmx follows into #view (and the address bar), a plain link otherwise. */
export const link = (href, label, cls = '') =>
  html`<a href="${href}" class="${cls}" hx-get="${href}" hx-target="#view" hx-push-url="true">${label}</a>`;

/** A document time (ISO 8601) for people; an unreadable one is shown as it is. */
const when = (stamp) => instantWords(stamp) ?? stamp;

/**
 * The main tabs. A therapist's app opens on their clients; a client's on their entries.
 * @param {string} current the tab of this page @param {'client'|'therapist'} [role]
 */
export function nav(current, role = 'client') {
  const item = (href, label, name) => html`<li>${current === name
    ? html`<a href="${href}" aria-current="page" hx-get="${href}" hx-target="#view" hx-push-url="true">${label}</a>`
    : link(href, label)}</li>`;
  if (role === 'therapist') {
    return html`<nav class="tabs" aria-label="Main"><ul>
      ${item('/app/clients', 'Clients', 'clients')}${item('/app/invites', 'Invites', 'invites')}
      ${item('/app/account', 'Sync', 'account')}
    </ul></nav>`;
  }
  return html`<nav class="tabs" aria-label="Main"><ul>
    ${item('/app/entries', 'Entries', 'entries')}${item('/app/entries/new', 'New entry', 'new')}
    ${item('/app/todo', 'To do', 'todo')}${item('/app/shared', 'Shared', 'shared')}
    ${item('/app/account', 'Sync', 'account')}
  </ul></nav>`;
}

/** One line that says what an entry is about, without opening it. */
export function summary(entry, kind) {
  const f = entry.fields;
  if (entry.kind === 'mood' && typeof f.score === 'number') {
    return `Mood ${f.score}/10${Array.isArray(f.emotions) && f.emotions.length ? ` · ${f.emotions.join(', ')}` : ''}`;
  }
  for (const field of kind?.fields ?? []) {
    const value = f[field.id];
    if (typeof value === 'string' && value.trim()) {
      const text = value.trim().replace(/\s+/g, ' ');
      return text.length > 90 ? `${text.slice(0, 89)}…` : text;
    }
  }
  return kind?.label ?? entry.kind;
}

export function entryList(entries, kinds, query) {
  if (!entries.length) {
    return query
      ? html`<p class="empty">Nothing on this device matches “${query}”.</p>`
      : html`<p class="empty">No entries yet. What would you like to start with?</p>`;
  }
  return html`<ul class="entries">${entries.map((e) => {
    const kind = kindFor(kinds, e);
    return html`<li><a href="/app/entries/${e.id}" hx-get="/app/entries/${e.id}" hx-target="#view" hx-push-url="true">
      <span class="kind">${kind?.label ?? e.kind}</span>
      <span class="summary">${summary(e, kind)}</span>
      <time datetime="${e.createdAt}">${when(e.createdAt)}</time></a></li>`;
  })}</ul>`;
}

export function searchForm(query) {
  // The query stays out of the address bar: browser history is stored in plaintext on the device.
  return html`<form class="search" role="search" action="/app/entries" method="get"
      hx-get="/app/entries" hx-target="#view">
    <label for="q">Search your entries</label>
    <div class="row"><input id="q" name="q" type="search" value="${query}" autocomplete="off">
    <button type="submit">Search</button></div>
  </form>`;
}

/** What the undo banner offers after a delete. */
export function undoNotice(entryId) {
  return html`<div class="notice" role="status">
    <p>Entry deleted.</p>
    <form action="/app/entries/${entryId}/restore" method="post" hx-post="/app/entries/${entryId}/restore" hx-target="#view">
      <button type="submit" class="secondary">Undo</button></form></div>`;
}

/** The person's word for what they do between sessions (a setting): "activities" unless they prefer "homework". */
export const WORDING = Object.freeze({
  activities: { lead: 'Your activities between sessions, kept on this device, encrypted.',
    choose: 'Which activity would you like to do?' },
  homework: { lead: 'Your homework between sessions, kept on this device, encrypted.',
    choose: 'Which homework would you like to do?' },
});

export const wordsFor = (settings) => WORDING[settings?.wording] ?? WORDING.activities;

export function entriesPage(entries, kinds, { query = '', notice = null, words = WORDING.activities } = {}) {
  return html`${nav('entries')}<section aria-labelledby="entries-title">
    <h1 id="entries-title">Your entries</h1>
    ${notice}
    <p class="lead">${words.lead}</p>
    ${newEntryLinks(kinds, ['journal', 'thought-record', 'mood'])}
    ${searchForm(query)}
    ${query ? html`<p class="count" role="status">${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} found</p>` : null}
    ${entryList(entries, kinds, query)}
  </section>`;
}

export function newEntryLinks(kinds, only = null) {
  const list = [...kinds.values()].filter((k) => !only || only.includes(k.id));
  return html`<ul class="kinds">${list.map((k) =>
    html`<li>${link(`/app/entries/new?kind=${encodeURIComponent(k.id)}`, k.label, 'button')}</li>`)}</ul>`;
}

export function chooseKindPage(kinds, words = WORDING.activities) {
  return html`${nav('new')}<section aria-labelledby="new-title"><h1 id="new-title">New entry</h1>
    <p class="lead">${words.choose}</p>
    <ul class="kind-cards">${[...kinds.values()].map((k) => html`<li>
      ${link(`/app/entries/new?kind=${encodeURIComponent(k.id)}`, k.label, 'card-title')}
      <p>${k.description}</p></li>`)}</ul></section>`;
}

/** A field's value in words (choices by their labels, yes/no, minutes, a scale out of its maximum). */
export function valueText(field, value) {
  const options = new Map((field.constraints?.options ?? []).map((o) => [o.id, o.label]));
  switch (field.type) {
    case 'yes_no': return value ? 'Yes' : 'No';
    case 'single_choice': return options.get(value) ?? value;
    case 'multi_choice': return value.map((v) => options.get(v) ?? v).join(', ');
    case 'minutes': return `${value} min`;
    case 'scale': return `${value} out of ${field.constraints.max}`;
    default: return value;
  }
}

function fieldValue(field, value) {
  if (field.type === 'long_text') return html`<div class="text">${String(value).split('\n').map((l, i) => html`${i ? html`<br>` : null}${l}`)}</div>`;
  if (field.type === 'list') return html`<ul>${value.map((v) => html`<li>${v}</li>`)}</ul>`;
  if (field.type === 'emotions') return html`<ul>${value.map((v) => html`<li>${v.name}: ${v.intensity}</li>`)}</ul>`;
  return valueText(field, value);
}

/** A value this version cannot interpret (a newer version's field), in plain words: text as it is, lists joined. */
function rawValue(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

const NEWER_KIND = 'This kind of entry comes from a newer version of Between. It is kept as it is: update the app to edit it here.';
const NEWER_FIELDS = 'The answers shown under their own names come from a newer version of Between; they are kept as they are.';

/** One entry; `extra` is a fragment shown under its fields (the sharing panel). `kind` null: one this version does not know. */
export function entryPage(entry, kind, extra = null) {
  const known = kind?.fields ?? [];
  const others = Object.entries(kind ? unknownFields(kind, entry.fields) : entry.fields);
  return html`${nav('')}<article aria-labelledby="entry-title">
    <p class="kind">${kind?.label ?? entry.kind}</p>
    <h1 id="entry-title">${summary(entry, kind)}</h1>
    <p class="meta">Written <time datetime="${entry.createdAt}">${when(entry.createdAt)}</time>${
      entry.updatedAt > entry.createdAt ? html`, edited <time datetime="${entry.updatedAt}">${when(entry.updatedAt)}</time>` : null}</p>
    <dl>${known.filter((f) => entry.fields[f.id] !== undefined).map((f) =>
      html`<dt>${f.label}</dt><dd>${fieldValue(f, entry.fields[f.id])}</dd>`)}${
      others.map(([id, value]) => html`<dt>${id}</dt><dd>${rawValue(value)}</dd>`)}</dl>
    ${!kind ? html`<p class="hint">${NEWER_KIND}</p>` : others.length ? html`<p class="hint">${NEWER_FIELDS}</p>` : null}
    <div class="actions">
      ${kind ? link(`/app/entries/${entry.id}/edit`, 'Edit', 'button') : null}
      <form action="/app/entries/${entry.id}/delete" method="post" hx-post="/app/entries/${entry.id}/delete" hx-target="#view"
        hx-push-url="/app/entries"><button type="submit" class="danger">Delete</button></form>
    </div>${extra}</article>`;
}

function control(field, value, invalid) {
  const c = field.constraints ?? {};
  const id = `f-${field.id}`;
  const name = `f.${field.id}`;
  const { described } = field;
  // autocomplete=off: the browser keeps no copy of what is typed (autofill, saved form state).
  const common = html`id="${id}" name="${name}" autocomplete="off" ${field.required ? html`required aria-required="true"` : null}
    ${invalid ? html`aria-invalid="true"` : null} ${described ? html`aria-describedby="${described}"` : null}`;
  // An optional one-of-a-few question can be left unanswered again after a tap: "No answer" (sent as "").
  const none = (type) => (type === 'radio' && !field.required ? [{ id: '', label: 'No answer' }] : []);
  const choices = (options, type, isChecked) => html`<div class="choices">${[...options, ...none(type)].map((o, i) => html`
    <label class="choice"><input type="${type}" name="${name}" value="${o.id}" id="${id}-${i}"
      ${(o.id === '' ? value === null || value === undefined : isChecked(o.id)) ? html`checked` : null}><span>${o.label}</span></label>`)}</div>`;
  switch (field.type) {
    case 'short_text':
      return html`<input type="text" ${common} maxlength="${c.max_length}" value="${value ?? ''}">`;
    case 'long_text':
      return html`<textarea ${common} rows="6" maxlength="${c.max_length}">${value ?? ''}</textarea>`;
    case 'scale':
    case 'minutes': {
      if (answeredByChoice(field)) {
        const steps = (c.max - c.min) / c.step;
        const opts = Array.from({ length: steps + 1 }, (_, i) => ({ id: String(c.min + i * c.step), label: String(c.min + i * c.step) }));
        return choices(opts, 'radio', (v) => String(value) === v);
      }
      return html`<input type="number" inputmode="numeric" ${common} min="${c.min}" max="${c.max}" step="${c.step ?? 1}" value="${value ?? ''}">`;
    }
    case 'yes_no':
      return choices([{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], 'radio',
        (v) => (v === 'yes' && value === true) || (v === 'no' && value === false));
    case 'single_choice':
      return choices(c.options, 'radio', (v) => value === v);
    case 'multi_choice':
      return choices(c.options, 'checkbox', (v) => Array.isArray(value) && value.includes(v));
    case 'list':
      return html`<textarea ${common} rows="4">${(value ?? []).join('\n')}</textarea>`;
    case 'emotions':
      return html`<textarea ${common} rows="4" placeholder="anxious 70">${(value ?? []).map((e) => `${e.name} ${e.intensity ?? ''}`).join('\n')}</textarea>`;
    default:
      return html`<p>This field needs a newer version of the app.</p>`;
  }
}

const LIST_HINTS = { list: 'One per line.', emotions: 'One feeling per line with a number, like “anxious 70”.' };

/** What a number typed into a box may be, said before it is refused: its unit, range and step. */
function rangeHint(field) {
  const c = field.constraints ?? {};
  if (field.type === 'minutes') return `In minutes, from ${c.min} to ${c.max}.`;
  if (field.type === 'scale' && (c.max - c.min) / c.step > 10) {
    return `A number from ${c.min} to ${c.max}${c.step > 1 ? `, in steps of ${c.step}` : ''}.`;
  }
  return null;
}

/** Every question of a kind (kinds.json's, or a worksheet's) with its values, the error's field marked. */
export const entryFields = (kind, values = {}, error = null) => kind.fields.map((f) => fieldBlock(f, values[f.id], error));

function fieldBlock(field, value, error) {
  const invalid = error?.fieldId === field.id;
  const grouped = answeredByChoice(field);
  const hint = [field.hint, LIST_HINTS[field.type], rangeHint(field)].filter(Boolean).join(' ');
  const hintEl = hint ? html`<p class="hint" id="f-${field.id}-hint">${hint}</p>` : null;
  // The form's error is named by the field it is about, so a screen reader reads it with that field.
  const described = [invalid ? FORM_ERROR_ID : null, hint ? `f-${field.id}-hint` : null].filter(Boolean).join(' ');
  const opt = field.required ? null : html` <span class="optional">(optional)</span>`;
  if (grouped) {
    return html`<fieldset class="field${invalid ? ' invalid' : ''}" ${described ? html`aria-describedby="${described}"` : null}
      ${invalid ? html`aria-invalid="true"` : null}>
      <legend>${field.label}${opt}</legend>${hintEl}${control(field, value, invalid)}</fieldset>`;
  }
  return html`<div class="field${invalid ? ' invalid' : ''}"><label for="f-${field.id}">${field.label}${opt}</label>
    ${hintEl}${control({ ...field, described }, value, invalid)}</div>`;
}

/** The id of a form's error paragraph: the field it is about names it in aria-describedby. */
export const FORM_ERROR_ID = 'form-error';

/** The form of one kind, to create (entry null) or edit; `error` is a FieldError to show. */
export function entryForm(kind, { entry = null, values = {}, error = null } = {}) {
  const action = entry ? `/app/entries/${entry.id}` : '/app/entries';
  return html`${nav(entry ? '' : 'new')}<section aria-labelledby="form-title">
    <h1 id="form-title">${entry ? `Edit: ${kind.label}` : kind.label}</h1>
    ${entry ? null : html`<p class="lead">${kind.description}</p>`}
    ${error ? html`<p class="error" role="alert" id="${FORM_ERROR_ID}">${error.message}</p>` : null}
    ${entry && Object.keys(unknownFields(kind, entry.fields)).length
      ? html`<p class="hint">This entry also holds answers from a newer version of Between; saving keeps them as they are.</p>` : null}
    <form class="entry-form" action="${action}" method="post" hx-post="${action}" hx-target="#view" novalidate
      autocomplete="off">
      <input type="hidden" name="kind" value="${kind.id}">
      ${kind.fields.map((f) => fieldBlock(f, values[f.id], error))}
      <div class="actions"><button type="submit">Save</button>
      ${link(entry ? `/app/entries/${entry.id}` : '/app/entries', 'Cancel', 'button secondary')}</div>
    </form></section>`;
}

export function notFoundPage() {
  return html`${nav('')}<section><h1>Not found</h1><p>This entry is not on this device (it may have been deleted).</p>
    ${link('/app/entries', 'Back to your entries', 'button')}</section>`;
}
