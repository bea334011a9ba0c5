/**
 * What the recorder and the photo picker share (page/attachments.js wires them): the new files of a field kept on the
 * page and put into the form as the save route reads them (the files of `<name>.new`, a `<name>.new-meta` JSON each,
 * in the same order), and the field's status and error lines.
 */

/**
 * One new file of a field, not yet saved: the file as the form sends it, its meta (`duration_ms`; `width` and
 * `height`), and what the page shows of it (a decoded recording, a thumbnail).
 * @typedef {{file: File, meta: Record<string, number>, shown?: any}} Pending
 */

/** @type {WeakMap<HTMLElement, Pending[]>} */
const pendingOf = new WeakMap();

/** The new files of a field's box, in order. @param {HTMLElement} box @returns {Pending[]} */
export function pending(box) {
  let list = pendingOf.get(box);
  if (!list) pendingOf.set(box, (list = []));
  return list;
}

/** How many attachments the field holds now: the kept ones and the new ones. @param {HTMLElement} box */
export const countOf = (box) => box.querySelectorAll('[data-attach-kept]').length + pending(box).length;

/** The most the field may hold (`max_items`). @param {HTMLElement} box */
export const maxOf = (box) => Number(box.dataset.maxItems) || 1;

/**
 * Put the box's new files into the form: the file input's files and the meta inputs, in the same order.
 * @param {HTMLElement} box
 */
export function syncForm(box) {
  const list = pending(box);
  const input = /** @type {HTMLInputElement} */ (box.querySelector('[data-attach-files]'));
  const transfer = new DataTransfer();
  for (const item of list) transfer.items.add(item.file);
  input.files = transfer.files;
  const metas = /** @type {HTMLElement} */ (box.querySelector('[data-attach-metas]'));
  metas.replaceChildren(...list.map((item) => {
    const meta = document.createElement('input');
    meta.type = 'hidden';
    meta.name = `${box.dataset.name}.new-meta`;
    meta.value = JSON.stringify(item.meta);
    return meta;
  }));
  box.dataset.unsaved = list.length || box.dataset.removed ? 'true' : '';
}

/** @type {WeakMap<HTMLElement, number>} */
const saying = new WeakMap();

/**
 * Say something in the box's polite status line (a state change), and clear its error unless `keepError`.
 * @param {HTMLElement} box @param {string} words @param {{keepError?: boolean}} [options]
 */
export function say(box, words, { keepError = false } = {}) {
  const status = box.querySelector('[data-attach-status]');
  const error = /** @type {HTMLElement} */ (box.querySelector('[data-attach-error]'));
  if (!keepError) {
    error.hidden = true;
    error.removeAttribute('role');
    error.textContent = '';
  }
  if (!status) return;
  status.textContent = '';
  // A fresh text node, a moment later: the same words twice are read out twice. The last words said win.
  window.clearTimeout(saying.get(box));
  saying.set(box, window.setTimeout(() => { status.textContent = words; }, 50));
}

/**
 * Show a problem in the box's error line (the microphone refused, a file that is no photo), as an alert: the line is
 * an alert only while it says something, so the screen holds no empty alert beside the form's own.
 */
export function fail(box, words) {
  const error = /** @type {HTMLElement} */ (box.querySelector('[data-attach-error]'));
  error.setAttribute('role', 'alert');
  error.textContent = words;
  error.hidden = false;
}

/** A button made on the page, with its words (and more words for screen readers only). */
export function button(words, { action = '', extra = '', kind = 'secondary' } = {}) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = kind;
  if (action) b.dataset.action = action;
  b.textContent = words;
  if (extra) {
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = ` ${extra}`;
    b.append(hidden);
  }
  return b;
}
