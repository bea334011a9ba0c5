/**
 * Attachments on the screens (docs/PROTOCOL.md §19, docs/WEB.md "Voice recordings and photos"): the form's
 * recorder (a field whose `media` is audio) and photo picker (image), which page/recorder.js and page/photos.js
 * bring to life, and an entry's recordings and photos as the entry's page, a therapist's timeline and the print
 * view show them. The bytes are the worker's `/app/attachments/<record>/<attachment>` (decrypted on the device); the
 * markup the save route reads is docs/att-web-interface (the contract): per kept attachment a hidden `<name>` with
 * its id, the new ones as files of `<name>.new` with their `<name>.new-meta`.
 */

import { uploadStatusSlot } from './attachments/attachment-views.js';
import { html, t } from './views.js';

/** The longest recording, in milliseconds (5 minutes): the recorder stops there and says so. */
export const RECORDING_LIMIT_MS = 5 * 60 * 1000;

/** @typedef {{id: string, media?: string, duration_ms?: number, width?: number, height?: number}} Item */

/** The entry's own words for what its picture shows (a sketch's caption), for a photo's text alternative. */
export const captionOf = (fields) => (typeof fields?.caption === 'string' && fields.caption.trim() ? fields.caption.trim()
  : null);

/** A length as a clock and a player show it, whole seconds gone by: "0:05", "4:30", "1:02:03". @param {number} ms */
export function clockWords(ms) {
  const total = Math.max(0, Math.floor(Number(ms) / 1000)) || 0;
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** What a field takes: 'audio' or 'image' (the first of its `media`). @param {import('../core/kinds.js').Field} field */
export function mediaOf(field) {
  const media = /** @type {any} */ (field.constraints)?.media ?? /** @type {any} */ (field).media ?? [];
  return Array.isArray(media) && media.includes('image') && !media.includes('audio') ? 'image' : 'audio';
}

/** The items of a value, whatever shape it came in (an older or newer version's: only objects with an id count). */
export const itemsOf = (value) => (Array.isArray(value) ? value : [])
  .map((v) => (typeof v === 'string' ? { id: v } : v))
  .filter((v) => v && typeof v === 'object' && typeof v.id === 'string');

const isAudio = (item) => String(item.media ?? '').startsWith('audio/');

/** The address of an attachment's bytes in the worker. */
export const attachmentPath = (recordId, id) => `/app/attachments/${encodeURIComponent(recordId)}/${encodeURIComponent(id)}`;

/** "Recording, 0:05" (or "Recording 2 of 3, 0:05"); "Recording" when its length is not known. */
export function recordingWords(item, n = 1, count = 1) {
  const length = Number.isInteger(item.duration_ms) ? clockWords(item.duration_ms) : '';
  return t('attach.recording.words', { n, count, length: length || 'none' });
}

/** "Photo 1 of 3", or the entry's caption when it has one (one photo). */
const photoAlt = (n, count, caption) => (caption && count === 1 ? caption : t('attach.photo.alt', { n, count }));

/**
 * One recording: its words, and a player of its bytes. The player asks for the length only (preload=metadata), never
 * plays by itself; page/attachments.js makes a WebM without a length in its header show the right one.
 */
function recordingPlayer(recordId, item, n, count) {
  const id = `att-${item.id}`;
  return html`<figure class="attach-audio"><figcaption id="${id}-words">${recordingWords(item, n, count)}</figcaption>
    <audio controls preload="metadata" src="${attachmentPath(recordId, item.id)}" aria-labelledby="${id}-words"
      data-attach-media${Number.isInteger(item.duration_ms) ? html` data-duration-ms="${item.duration_ms}"` : null}></audio>
    <p class="hint attach-missing" hidden>${t('attach.missing')}</p></figure>`;
}

function photo(recordId, item, n, count, caption) {
  const size = item.width && item.height ? html` width="${item.width}" height="${item.height}"` : null;
  return html`<figure class="attach-photo"><img src="${attachmentPath(recordId, item.id)}" alt="${
    photoAlt(n, count, caption)}" loading="lazy" decoding="async" data-attach-media${size}>
    <p class="hint attach-missing" hidden>${t('attach.missing')}</p></figure>`;
}

/** Where an attachment's upload stands: the worker's status line, asked for once shown (screens/attachments/). */
const uploadStatus = (recordId, item) => uploadStatusSlot(recordId, item.id);

/**
 * An entry's recordings and photos. `recordId`: whose bytes; `status`: with where each upload stands (the owner's
 * own entry page); `caption`: the words that say what a single photo shows.
 * @param {unknown} value @param {{recordId?: string, status?: boolean, caption?: string|null}} [options]
 */
export function attachmentsShow(value, { recordId = '', status = false, caption = null } = {}) {
  const items = itemsOf(value);
  if (!items.length) return null;
  if (!recordId) return html`${items.map((item, i) => html`<p>${isAudio(item) ? recordingWords(item, i + 1, items.length)
    : photoAlt(i + 1, items.length, caption)}</p>`)}`;
  const audio = items.filter(isAudio);
  const images = items.filter((item) => !isAudio(item));
  return html`<div class="attachments">${audio.map((item, i) => html`<div class="attach-one">${
    recordingPlayer(recordId, item, i + 1, audio.length)}${status ? uploadStatus(recordId, item) : null}</div>`)}${
    images.length ? html`<ul class="attach-photos">${images.map((item, i) => html`<li class="attach-one">${
      photo(recordId, item, i + 1, images.length, caption)}${status ? uploadStatus(recordId, item) : null}</li>`)}</ul>`
      : null}</div>`;
}

/** An attachment the form keeps (a hidden input with its id), shown as it is, with Remove. */
function keptItem(name, recordId, item, n, count, kind) {
  const words = kind === 'audio' ? recordingWords(item, n, count) : t('attach.photo.alt', { n, count });
  const shown = kind === 'audio'
    ? html`<span class="attach-words">${words}</span>${recordId ? html`<audio controls preload="metadata" src="${
      attachmentPath(recordId, item.id)}" aria-label="${words}" data-attach-media${Number.isInteger(item.duration_ms)
      ? html` data-duration-ms="${item.duration_ms}"` : null}></audio>` : null}`
    : html`${recordId ? html`<img src="${attachmentPath(recordId, item.id)}" alt="${words}" class="attach-thumb"
      data-attach-media>` : html`<span class="attach-words">${words}</span>`}`;
  return html`<li class="attach-item" data-attach-kept>${shown}
    <input type="hidden" name="${name}" value="${item.id}">
    <button type="button" class="secondary danger" data-attach-remove>${t('attach.remove')}<span
      class="visually-hidden"> ${words}</span></button></li>`;
}

/**
 * The form's control of an attachments field: a recorder (audio) or a photo picker (image). `recordId`: the entry
 * edited (its kept attachments are shown from the worker); none for a new entry.
 * @param {import('../core/kinds.js').Field} field @param {unknown} value @param {string} id @param {string} name
 * @param {{recordId?: string|null}} [context]
 */
export function attachmentsEditor(field, value, id, name, { recordId = null } = {}) {
  const kind = mediaOf(field);
  const max = Number(field.constraints?.max_items ?? 1) || 1;
  const items = itemsOf(value);
  const kept = html`<ul class="attach-list" data-attach-list aria-labelledby="${id}-label">${items.map((item, i) =>
    keptItem(name, recordId, item, i + 1, items.length, kind))}</ul>`;
  const files = html`<input type="file" name="${name}.new" multiple hidden data-attach-files tabindex="-1" aria-hidden="true">
    <span data-attach-metas></span>`;
  const common = html`data-attach="${kind}" data-name="${name}" data-max-items="${max}" role="group"
    aria-labelledby="${id}-label" id="${id}"`;
  if (kind === 'image') {
    return html`<div class="attach photos" ${common} data-photos>${kept}
      <div class="actions attach-actions">
        <button type="button" class="secondary" data-photos-pick>${t('attach.photo.choose')}</button>
        <button type="button" class="secondary" data-photos-camera hidden>${t('attach.photo.camera')}</button>
      </div>
      <input type="file" accept="image/*" multiple hidden data-photos-input tabindex="-1" aria-hidden="true">
      <input type="file" accept="image/*" capture="environment" hidden data-photos-capture tabindex="-1" aria-hidden="true">
      <p class="hint" data-attach-count>${t('attach.photo.count', { count: items.length, max })}</p>
      <p class="attach-say" role="status" data-attach-status></p>
      <p class="error attach-error" data-attach-error hidden></p>${files}</div>`;
  }
  return html`<div class="attach recorder" ${common} data-recorder data-limit-ms="${RECORDING_LIMIT_MS}">${kept}
    <div class="actions recorder-actions">
      <button type="button" data-rec="record"${items.length >= max ? html` class="secondary"` : null}>${
        t(items.length >= max ? 'attach.rec.again' : 'attach.rec.record')}</button>
      <button type="button" data-rec="stop" hidden>${t('attach.rec.stop')}</button>
    </div>
    <p class="recorder-clock" data-rec-clock hidden><span role="timer" data-rec-elapsed>0:00</span>
      <span class="recorder-left" data-rec-left></span></p>
    <progress class="recorder-meter" max="${RECORDING_LIMIT_MS}" value="0" data-rec-progress hidden
      aria-label="${t('attach.rec.progress')}"></progress>
    <p class="hint">${t('attach.rec.hint', { limit: RECORDING_LIMIT_MS / 60000 })}</p>
    <p class="attach-say" role="status" data-attach-status></p>
    <p class="error attach-error" data-attach-error hidden></p>${files}</div>`;
}
