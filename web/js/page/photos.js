/**
 * The photo picker of a form (screens/media-views.js attachmentsEditor, image): photos from the gallery or
 * files ("Choose photos"), or from the camera on a phone ("Take a photo", `capture`). Every photo is re-encoded here
 * before it goes into the form: decoded the way it is meant to stand (`imageOrientation: 'from-image'`), drawn onto a
 * canvas at most 2048 px on its long edge, and made a new JPEG (quality 0.85). The new file holds pixels only: no
 * EXIF, no GPS location, no camera or date, nothing of the original file. The worker never receives an original.
 * Each shows as a thumbnail (a canvas: the app's CSP allows no blob: images) with Remove; up to the field's max_items.
 */

import { button, countOf, fail, maxOf, pending, say, syncForm } from './attach-form.js';

/** The longest edge of a stored photo, in pixels. */
export const LONG_EDGE = 2048;
/** JPEG quality of a stored photo. */
export const QUALITY = 0.85;
/** The longest edge of a thumbnail in the form, in CSS pixels (drawn at twice that). */
const THUMB = 96;

/** The size a photo is stored at: its own, or scaled down to LONG_EDGE on its long edge. */
export function fitted(width, height, longEdge = LONG_EDGE) {
  const scale = Math.min(1, longEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * A photo made anew from its pixels: upright, at most LONG_EDGE, a JPEG with nothing of the original's metadata.
 * @param {Blob} original @returns {Promise<{file: File, width: number, height: number, bitmap: ImageBitmap}>}
 */
export async function reencode(original) {
  const bitmap = await createImageBitmap(original, { imageOrientation: 'from-image' });
  const { width, height } = fitted(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#ffffff'; // a transparent picture (PNG) on white, as JPEG has no transparency
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  if (!blob) throw new Error('not encoded');
  return { file: new File([blob], 'photo.jpg', { type: 'image/jpeg' }), width, height, bitmap };
}

/** A small picture of a photo, for the form. @param {ImageBitmap} bitmap @param {string} label */
function thumbnail(bitmap, label) {
  const { width, height } = fitted(bitmap.width, bitmap.height, THUMB * 2);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.className = 'attach-thumb';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/**
 * @param {HTMLElement} box the field's [data-photos]
 * @param {(key: string, params?: Record<string, unknown>) => string} words
 */
export function runPhotos(box, words) {
  const list = /** @type {HTMLElement} */ (box.querySelector('[data-attach-list]'));
  const pick = /** @type {HTMLButtonElement} */ (box.querySelector('[data-photos-pick]'));
  const camera = /** @type {HTMLButtonElement} */ (box.querySelector('[data-photos-camera]'));
  const input = /** @type {HTMLInputElement} */ (box.querySelector('[data-photos-input]'));
  const capture = /** @type {HTMLInputElement} */ (box.querySelector('[data-photos-capture]'));
  const count = /** @type {HTMLElement} */ (box.querySelector('[data-attach-count]'));
  // The camera where there is one to hold up: a touch screen (on a desktop, `capture` opens the file picker anyway).
  camera.hidden = !window.matchMedia?.('(pointer: coarse)').matches;

  function counted() {
    const n = countOf(box);
    const max = maxOf(box);
    count.textContent = words('attach.photo.count', { count: n, max });
    pick.disabled = n >= max;
    camera.disabled = n >= max;
  }

  const label = (i) => words('attach.photo.alt', { n: list.querySelectorAll('[data-attach-kept]').length + i + 1,
    count: countOf(box) });

  function draw() {
    list.querySelectorAll('[data-attach-new]').forEach((el) => el.remove());
    pending(box).forEach((item, i) => {
      const li = document.createElement('li');
      li.className = 'attach-item';
      li.dataset.attachNew = String(i);
      const what = label(i);
      const unsaved = document.createElement('span');
      unsaved.className = 'hint attach-unsaved';
      unsaved.textContent = words('attach.notSaved');
      const remove = button(words('attach.remove'), { action: 'remove', extra: what, kind: 'secondary danger' });
      remove.addEventListener('click', () => {
        pending(box).splice(i, 1);
        syncForm(box);
        draw();
        counted();
        say(box, words('attach.photo.removed', { count: countOf(box), max: maxOf(box) }));
        /** @type {HTMLElement|null} */ (list.querySelector('[data-attach-new] [data-action="remove"]') ?? pick)?.focus();
      });
      li.append(thumbnail(item.shown, what), unsaved, remove);
      list.append(li);
    });
  }

  /** The photos chosen: each re-encoded and added, while there is room. @param {HTMLInputElement} from */
  async function add(from) {
    const chosen = [...(from.files ?? [])];
    from.value = ''; // the original leaves the page's hands: only the re-encoded copy is kept
    if (!chosen.length) return;
    const room = maxOf(box) - countOf(box);
    let added = 0;
    let unreadable = 0;
    let left = 0; // chosen past the field's room: not added
    say(box, words('attach.photo.working')); // and the last problem goes
    for (const original of chosen) {
      if (added >= room) {
        left++;
        continue;
      }
      try {
        const photo = await reencode(original);
        pending(box).push({ file: photo.file, meta: { width: photo.width, height: photo.height }, shown: photo.bitmap });
        added++;
      } catch {
        unreadable++;
      }
    }
    syncForm(box);
    draw();
    counted();
    if (unreadable || left > 0) {
      fail(box, [unreadable ? words('attach.photo.unreadable', { count: unreadable }) : '',
        left > 0 ? words('attach.photo.tooMany', { count: left, max: maxOf(box) }) : ''].filter(Boolean).join(' '));
    }
    say(box, added ? words('attach.photo.added', { added, count: countOf(box), max: maxOf(box) }) : '',
      { keepError: true });
  }

  pick.addEventListener('click', () => input.click());
  camera.addEventListener('click', () => capture.click());
  input.addEventListener('change', () => { add(input); });
  capture.addEventListener('change', () => { add(capture); });
  box.addEventListener('attach:changed', () => { draw(); counted(); });
  box.addEventListener('attach:put-back', (event) => {
    pending(box).push(.../** @type {CustomEvent} */ (event).detail);
    syncForm(box);
    draw();
    counted();
  });
  counted();
}
