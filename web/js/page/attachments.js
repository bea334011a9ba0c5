/**
 * Attachments on the page (docs/WEB.md "Voice recordings and photos"): brings the form's recorder (page/recorder.js)
 * and photo picker (page/photos.js) to life, and what they share:
 * - the new files go into the form as the save route reads them (docs: the attachments contract): the files of the
 *   hidden `<name>.new` input (DataTransfer), one `<name>.new-meta` hidden JSON per file, in the same order; a kept
 *   attachment is a hidden `<name>` with its id, and Remove takes it out of the form;
 * - nothing made here is lost without a word: leaving the form (a link, the browser's back, closing the tab) while a
 *   recording or photo is not saved asks first, and a refused save (the form back with its error) gets them back;
 * - players: a recording made by MediaRecorder (WebM) often has no length in its header, so `<audio>` says
 *   "Infinity" until it has read it all; the page seeks to the end once, which makes it learn the length, then back;
 * - a recording or photo not on this device while offline says so in words (the worker answers 504).
 */

import { pending, say, syncForm } from './attach-form.js';
import { runPhotos } from './photos.js';
import { runRecorder } from './recorder.js';
import { pageWords } from './words.js';

/** Whether the view holds a recording or photo not saved (or a kept one removed, or one being recorded). */
export const unsavedMedia = (/** @type {ParentNode} */ root) => [.../** @type {NodeListOf<HTMLElement>} */ (
  root.querySelectorAll('[data-attach]'))].some((box) => box.dataset.unsaved === 'true' || box.classList.contains('is-recording'));

/** A field's box made live once: the recorder or the photo picker, and Remove on the kept attachments. */
function wire(box, words) {
  box.dataset.wired = 'true';
  box.addEventListener('click', (event) => {
    const remove = /** @type {HTMLElement|null} */ (/** @type {Element} */ (event.target).closest?.('[data-attach-remove]'));
    if (!remove) return;
    const item = remove.closest('[data-attach-kept]');
    if (!item) return;
    const list = item.parentElement;
    const next = /** @type {HTMLElement|null} */ (item.nextElementSibling ?? item.previousElementSibling);
    item.remove();
    box.dataset.removed = 'true';
    syncForm(box);
    box.dispatchEvent(new CustomEvent('attach:changed'));
    say(box, words('attach.removed'));
    /** @type {HTMLElement|null} */ (next?.querySelector('button') ?? list?.closest('[data-attach]')
      ?.querySelector('button:not([hidden])'))?.focus();
  });
  if (box.dataset.attach === 'image') runPhotos(box, words);
  else runRecorder(box, words);
}

/**
 * A recording's player that knows its length: a WebM without one in its header reports Infinity (or NaN) until
 * played through; seeking far past the end makes the browser find it, then the player goes back to the start.
 * @param {HTMLAudioElement} audio
 */
function knowLength(audio) {
  if (audio.dataset.lengthWired) return;
  audio.dataset.lengthWired = 'true';
  const fix = () => {
    if (Number.isFinite(audio.duration) || audio.dataset.seeking) return;
    audio.dataset.seeking = 'true';
    const back = () => {
      if (!Number.isFinite(audio.duration)) return;
      audio.removeEventListener('durationchange', back);
      audio.currentTime = 0;
      delete audio.dataset.seeking;
    };
    audio.addEventListener('durationchange', back);
    audio.currentTime = 1e7; // past any recording's end: the browser reads to the end and learns the length
  };
  audio.addEventListener('loadedmetadata', fix);
  if (audio.readyState >= 1) fix();
}

/** A recording or photo the worker could not give (not on this device, offline): its words say so. */
function missing(event) {
  const media = /** @type {HTMLElement} */ (event.target);
  if (!(media instanceof HTMLElement) || !media.matches('[data-attach-media]')) return;
  const note = /** @type {HTMLElement|null} */ (media.parentElement?.querySelector('.attach-missing'));
  if (note) note.hidden = false;
  if (media instanceof HTMLImageElement) media.hidden = true;
}

/**
 * Start: every recorder and photo picker that a screen brings, every player, the questions before leaving.
 * @param {HTMLElement} view
 */
export function watchAttachments(view) {
  const scan = async () => {
    const boxes = /** @type {NodeListOf<HTMLElement>} */ (view.querySelectorAll('[data-attach]:not([data-wired])'));
    for (const audio of /** @type {NodeListOf<HTMLAudioElement>} */ (view.querySelectorAll('audio[data-attach-media]'))) {
      knowLength(audio);
    }
    if (!boxes.length) return;
    const words = await pageWords();
    for (const box of boxes) if (!box.dataset.wired) wire(box, words);
    putBack();
  };
  // A refused save brings the form back with its error: the new recordings and photos go back in it.
  /** @type {{key: string, fields: Map<string, import('./attach-form.js').Pending[]>}|null} */
  let sent = null;
  const formKey = (form) => form.dataset.draft ?? form.getAttribute('action') ?? '';
  const putBack = () => {
    if (!sent) return;
    const form = [...view.querySelectorAll('form')].find((f) => formKey(f) === sent.key);
    if (form) {
      for (const box of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[data-attach]'))) {
        const items = sent.fields.get(box.dataset.name ?? '');
        if (items?.length) box.dispatchEvent(new CustomEvent('attach:put-back', { detail: items }));
      }
    }
    sent = null;
  };
  document.addEventListener('htmx:after:swap', () => { scan(); });
  view.addEventListener('error', missing, true); // media errors do not bubble
  scan();

  document.addEventListener('htmx:before:request', (event) => {
    const ctx = /** @type {CustomEvent} */ (event).detail?.ctx;
    const source = /** @type {Element|null} */ (ctx?.sourceElement ?? null);
    const form = source?.closest?.('form');
    if (form && view.contains(form) && form.querySelector('[data-attach]') && ctx?.request?.method !== 'GET') {
      // The form with recordings or photos is sent: keep its new files until its answer is shown.
      sent = { key: formKey(form), fields: new Map([...form.querySelectorAll('[data-attach]')].map((box) =>
        [/** @type {HTMLElement} */ (box).dataset.name ?? '', [...pending(/** @type {HTMLElement} */ (box))]])) };
      return;
    }
    // Anything else the person started (a link, a tab, another form) while a recording or photo is not saved.
    if (!source || !source.matches?.('a, form, button, [hx-get]') || source.closest('[data-attach]')) return;
    if (source.closest('.upload-status')) return;
    if (!unsavedMedia(view)) return;
    if (!window.confirm(leaveWords ?? '')) event.preventDefault();
  });
  let leaveWords = /** @type {string|null} */ (null);
  pageWords().then((words) => { leaveWords = words('attach.leave'); }).catch(() => {});
  // Closing the tab, reloading, or leaving the app by the address bar: the browser's own question.
  window.addEventListener('beforeunload', (event) => {
    if (unsavedMedia(view)) event.preventDefault();
  });
}
