/** Fragments of the entry screens: list, search, one entry, the form of each kind. All through html``. */

import { kindFor } from '../../core/assignments.js';
import { instantWords } from '../../core/dates.js';
import { answeredByChoice, unknownFields } from '../../core/kinds.js';
import { kindWords, link, listWords, nav, summary, WORDING } from '../components.js';
import { DRAFT_FORMS, draftAttributes, draftsToContinue } from '../drafts.js';
import { captionOf } from '../media-views.js';
import { fieldControl, fieldDisplay, fieldErrorText, fieldHint } from '../fields.js';
import { shareSwitches } from '../share-switch.js';
import { html, t, tt } from '../views.js';

/** A document time (ISO 8601) for people; an unreadable one is shown as it is. */
const when = (stamp) => instantWords(stamp) ?? stamp;

/** The same as a <time> element, for a message to put in its place. */
const timeOf = (stamp) => html`<time datetime="${stamp}">${when(stamp)}</time>`;

/** The wording setting's name (components.js WORDING), for the messages that choose by it. */
const wordingOf = (words) => words?.name ?? WORDING.activities.name;

export function entryList(entries, kinds, query) {
  if (!entries.length) {
    return query
      ? html`<p class="empty">${t('entries.noMatch', { query })}</p>`
      : html`<p class="empty">${t('entries.none')}</p>`;
  }
  return html`<ul class="entries">${entries.map((e) => {
    const kind = kindFor(kinds, e);
    return html`<li><a href="/app/entries/${e.id}" hx-get="/app/entries/${e.id}" hx-target="#view" hx-push-url="true">
      <span class="kind">${kindWords(kind, e.kind)}</span>
      <span class="summary">${summary(e, kind)}</span>
      <time datetime="${e.createdAt}">${when(e.createdAt)}</time></a></li>`;
  })}</ul>`;
}

export function searchForm(query) {
  // The query stays out of the address bar: browser history is stored in plaintext on the device.
  return html`<form class="search" role="search" action="/app/entries" method="get"
      hx-get="/app/entries" hx-target="#view">
    <label for="q">${t('entries.search.label')}</label>
    <div class="row"><input id="q" name="q" type="search" value="${query}" autocomplete="off">
    <button type="submit">${t('entries.search.button')}</button></div>
  </form>`;
}

/** What the undo banner offers after a delete. */
export function undoNotice(entryId) {
  return html`<div class="notice" role="status">
    <p>${t('entries.deleted')}</p>
    <form action="/app/entries/${entryId}/restore" method="post" hx-post="/app/entries/${entryId}/restore" hx-target="#view">
      <button type="submit" class="secondary">${t('entries.undo')}</button></form></div>`;
}

/**
 * @param {unknown[]} entries @param {Map<string, any>} kinds
 * @param {{query?: string, notice?: unknown, words?: {name: string},
 *   drafts?: import('../../data/drafts.js').DraftInfo[]}} [options] drafts: the forms in progress to continue
 */
export function entriesPage(entries, kinds, { query = '', notice = null, words = WORDING.activities, drafts = [] } = {}) {
  return html`${nav('entries')}<section aria-labelledby="entries-title">
    <h1 id="entries-title">${t('entries.heading')}</h1>
    ${notice}
    <p class="lead">${t('entries.lead', { wording: wordingOf(words) })}</p>
    ${draftsToContinue(drafts, kinds)}
    ${newEntryLinks(kinds, ['journal', 'thought-record', 'mood'])}
    ${searchForm(query)}
    ${query ? html`<p class="count" role="status">${t('entries.found', { count: entries.length })}</p>` : null}
    ${entryList(entries, kinds, query)}
  </section>`;
}

export function newEntryLinks(kinds, only = null) {
  const list = [...kinds.values()].filter((k) => !only || only.includes(k.id));
  return html`<ul class="kinds">${list.map((k) =>
    html`<li>${link(`/app/entries/new?kind=${encodeURIComponent(k.id)}`, k.label, 'button')}</li>`)}</ul>`;
}

// Kinds with a screen of their own, not offered as a new entry: the safety plan is one document, kept at
// /app/safety-plan (screens/safety/), though stored, synced and shared as an entry.
const OWN_SCREEN = new Set(['safety-plan']);

export function chooseKindPage(kinds, words = WORDING.activities) {
  return html`${nav('new')}<section aria-labelledby="new-title"><h1 id="new-title">${t('entry.new.heading')}</h1>
    <p class="lead">${t('entry.new.choose', { wording: wordingOf(words) })}</p>
    <ul class="kind-cards">${[...kinds.values()].filter((k) => !OWN_SCREEN.has(k.id)).map((k) => html`<li>
      ${link(`/app/entries/new?kind=${encodeURIComponent(k.id)}`, k.label, 'card-title')}
      <p>${k.description}</p></li>`)}</ul></section>`;
}

/** A value this version cannot interpret (a newer version's field), in plain words: text as it is, lists joined. */
function rawValue(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return listWords(value);
  return JSON.stringify(value);
}

/** One entry; `extra` is a fragment shown under its fields (the sharing panel). `kind` null: one this version does not know. */
export function entryPage(entry, kind, extra = null) {
  const known = kind?.fields ?? [];
  const others = Object.entries(kind ? unknownFields(kind, entry.fields) : entry.fields);
  return html`${nav('')}<article aria-labelledby="entry-title">
    <p class="kind">${kindWords(kind, entry.kind)}</p>
    <h1 id="entry-title">${summary(entry, kind)}</h1>
    <p class="meta">${entry.updatedAt > entry.createdAt
      ? tt('entry.writtenEdited', { created: timeOf(entry.createdAt), updated: timeOf(entry.updatedAt) })
      : tt('entry.written', { created: timeOf(entry.createdAt) })}</p>
    <dl>${known.filter((f) => entry.fields[f.id] !== undefined).map((f) =>
      html`<dt>${f.label}</dt><dd>${fieldDisplay(f, entry.fields[f.id], { recordId: entry.id,
        caption: captionOf(entry.fields) })}</dd>`)}${
      others.map(([id, value]) => html`<dt>${id}</dt><dd>${rawValue(value)}</dd>`)}</dl>
    ${!kind ? html`<p class="hint">${t('entry.newerKind')}</p>` : others.length ? html`<p class="hint">${t('entry.newerFields')}</p>` : null}
    <div class="actions">
      ${kind ? link(`/app/entries/${entry.id}/edit`, t('entry.edit'), 'button') : null}
      <form action="/app/entries/${entry.id}/delete" method="post" hx-post="/app/entries/${entry.id}/delete" hx-target="#view"
        hx-push-url="/app/entries"><button type="submit" class="danger secondary">${t('entry.delete')}</button></form>
    </div>${extra}</article>`;
}

/**
 * Every question of a kind (kinds.json's, or a worksheet's) with its values, the error's field marked. `recordId`:
 * the entry edited, whose recordings and photos the form shows.
 */
export const entryFields = (kind, values = {}, error = null, recordId = null) => kind.fields.map((f) =>
  fieldBlock(f, values[f.id], error, recordId));

/** Whether a kind's form sends files (an attachments field): it then goes as multipart/form-data. */
export const sendsFiles = (kind) => kind.fields.some((f) => f.type === 'attachments');

/** The form's encoding attribute when it sends files (screens/media-views.js), else nothing. */
export const filesEncoding = (kind) => (sendsFiles(kind) ? html`enctype="multipart/form-data" hx-encoding="multipart/form-data"` : null);

function fieldBlock(field, value, error, recordId = null) {
  const invalid = error?.fieldId === field.id;
  const grouped = answeredByChoice(field);
  const hint = [field.hint, fieldHint(field)].filter(Boolean).join(' ');
  const hintEl = hint ? html`<p class="hint" id="f-${field.id}-hint">${hint}</p>` : null;
  // The form's error is named by the field it is about, so a screen reader reads it with that field.
  const described = [invalid ? FORM_ERROR_ID : null, hint ? `f-${field.id}-hint` : null].filter(Boolean).join(' ');
  const opt = field.required ? null : html` <span class="optional">${t('entry.optional')}</span>`;
  if (grouped) {
    return html`<fieldset class="field${invalid ? ' invalid' : ''}" ${described ? html`aria-describedby="${described}"` : null}
      ${invalid ? html`aria-invalid="true"` : null}>
      <legend>${field.label}${opt}</legend>${hintEl}${fieldControl(field, value, invalid, { recordId })}</fieldset>`;
  }
  // A group of controls (a recorder, a photo picker) is named by its label, which names no single control.
  const group = field.type === 'attachments';
  return html`<div class="field${invalid ? ' invalid' : ''}">${group
    ? html`<p class="label" id="f-${field.id}-label">${field.label}${opt}</p>`
    : html`<label for="f-${field.id}" id="f-${field.id}-label">${field.label}${opt}</label>`}
    ${hintEl}${fieldControl({ ...field, described }, value, invalid, { recordId })}</div>`;
}

/** The starters a new list offers (list.starter.<id> in the catalogue): gratitude, coping ideas, pleasant
 * activities, values, people to reach out to. */
const LIST_STARTERS = ['gratitude', 'coping', 'pleasant', 'values', 'people'];

/**
 * Ways to start a new list: each a link to the form with its title filled in (`f.title=`); none once it has one.
 * @param {import('../../core/kinds.js').Kind} kind @param {Record<string, any>} values
 */
function starters(kind, values) {
  if (kind.id !== 'list' || values.title || !kind.fields.some((f) => f.id === 'title')) return null;
  const href = (words) => `/app/entries/new?kind=list&f.title=${encodeURIComponent(words)}`;
  return html`<nav class="starters" aria-labelledby="starters-title"><h2 id="starters-title">${t('list.starters')}</h2>
    <ul class="kinds">${LIST_STARTERS.map((id) => t(`list.starter.${id}`)).map((words) =>
      html`<li>${link(href(words), words, 'button secondary')}</li>`)}</ul></nav>`;
}

/** The id of a form's error paragraph: the field it is about names it in aria-describedby. */
export const FORM_ERROR_ID = 'form-error';

/** The id of the entry form: a button outside it (the quota alert's) submits it with `form="…"`. */
export const ENTRY_FORM_ID = 'entry-form';

/** The draft an entry form keeps (page/drafts.js): one per kind for a new entry, one per entry for an edit. */
const entryDraft = (kind, entry) => (entry
  ? draftAttributes({ form: DRAFT_FORMS.entryEdit(entry.id), path: `/app/entries/${entry.id}/edit`, kind: kind.id,
    what: 'edit', base: entry.version ?? '' })
  : draftAttributes({ form: DRAFT_FORMS.entryNew(kind.id), path: `/app/entries/new?kind=${encodeURIComponent(kind.id)}`,
    kind: kind.id, what: 'new' }));

/**
 * The form of one kind, to create (entry null) or edit; `error` is a FieldError to show; `alert` another problem
 * that is no field's (a save the full device refused: screens/storage/storage-views.js quotaAlert), in its place.
 * `share`: the switches that share a new entry with a therapist (share-switch.js; off unless chosen); an entry's page
 * shares it later. `from`: the version an edit was made from (sent back with a refused save), else the entry's own.
 * @param {import('../../core/kinds.js').Kind} kind
 * @param {{entry?: any, values?: Record<string, any>, error?: any, alert?: unknown,
 *   share?: import('../share-switch.js').Choice[], from?: number|null}} [options]
 */
export function entryForm(kind, { entry = null, values = {}, error = null, alert = null, share = [], from = null } = {}) {
  const action = entry ? `/app/entries/${entry.id}` : '/app/entries';
  return html`${nav(entry ? '' : 'new')}<section aria-labelledby="form-title">
    <h1 id="form-title">${entry ? t('entry.edit.heading', { kind: kind.label }) : kind.label}</h1>
    ${entry ? null : html`<p class="lead">${kind.description}</p>`}
    ${!entry && kind.id === 'relaxation' ? html`<p class="actions">${link('/app/practice', t('pacer.open'), 'button secondary')}
      ${link('/app/practice/timer', t('timer.open'), 'button secondary')}</p>` : null}
    ${entry ? null : starters(kind, values)}
    ${error ? html`<p class="error" role="alert" id="${FORM_ERROR_ID}">${fieldErrorText(error, kind.fields)}</p>`
      : alert}
    ${entry && Object.keys(unknownFields(kind, entry.fields)).length
      ? html`<p class="hint">${t('entry.edit.newerFields')}</p>` : null}
    <form class="entry-form" id="${ENTRY_FORM_ID}" action="${action}" method="post" hx-post="${action}" hx-target="#view"
      novalidate autocomplete="off" ${filesEncoding(kind)} ${entryDraft(kind, entry)}>
      <input type="hidden" name="kind" value="${kind.id}">
      ${entry ? html`<input type="hidden" name="from" value="${String(from ?? entry.version ?? '')}">` : null}
      ${kind.fields.map((f) => fieldBlock(f, values[f.id], error, entry?.id ?? null))}
      ${entry ? null : shareSwitches(share, { what: 'entry' })}
      <div class="actions"><button type="submit">${t('entry.save')}</button>
      ${link(entry ? `/app/entries/${entry.id}` : '/app/entries', t('entry.cancel'), 'button secondary')}</div>
    </form></section>`;
}

export function notFoundPage() {
  return html`${nav('')}<section><h1>${t('entry.notFound.heading')}</h1><p>${t('entry.notFound.text')}</p>
    ${link('/app/entries', t('entry.notFound.back'), 'button')}</section>`;
}
