/**
 * Fields with a limit never cut what is typed or pasted (no `maxlength`, which truncates a paste without a word).
 * Instead a counter shows near the limit ("19,950 / 20,000", from 90 %), and over it by how much; a save over the
 * limit is refused by the worker with the question's label and the limit, keeping everything typed.
 *
 * The screens mark such a control with `data-limit="N"` and render its counter (`<id>-count`, named by the control's
 * aria-describedby, so it is read with the field) and a polite status (`<id>-count-say`): screens/fields.js
 * limitCounter. The status speaks when typing pauses and only when what it would say changed, never at every key.
 */

import { pageWords } from './words.js';

const NEAR = 0.9;
const PAUSE_MS = 1500;

/** Characters as the validators count them (code points, as Python's len()). @param {string} text */
const length = (text) => [...text].length;

/**
 * Where a field stands against its limit.
 * @param {number} count @param {number} max @returns {'under'|'near'|'over'}
 */
export function limitLevel(count, max) {
  if (count > max) return 'over';
  return count >= Math.ceil(max * NEAR) ? 'near' : 'under';
}

/** @param {HTMLInputElement|HTMLTextAreaElement} field */
async function showCount(field) {
  const box = document.getElementById(`${field.id}-count`);
  const max = Number(field.dataset.limit);
  if (!box || !(max > 0)) return null;
  const words = await pageWords();
  const count = length(field.value);
  const level = limitLevel(count, max);
  if (level === 'under') {
    box.hidden = true;
    box.textContent = '';
    delete box.dataset.level;
  } else {
    box.hidden = false;
    box.dataset.level = level;
    const numbers = words('limit.count', { count, max });
    box.textContent = level === 'over' ? `${numbers} · ${words('limit.over', { count: count - max })}` : numbers;
  }
  return { words, count, max, level };
}

/**
 * Counters for every limited field of the page, kept as the person types. Returns `refresh(root)`, which shows
 * the counters of the fields under `root` as they are now (a new screen, a form restored from its draft).
 * @param {HTMLElement} view
 */
export function watchLimits(view) {
  /** @type {WeakMap<Element, ReturnType<typeof setTimeout>>} */
  const pauses = new WeakMap();
  /** @type {WeakMap<Element, string>} */
  const said = new WeakMap();

  /** Say where the field stands in its polite status, if that changed since it last spoke. */
  async function speak(field) {
    const shown = await showCount(field);
    const status = document.getElementById(`${field.id}-count-say`);
    if (!shown || !status) return;
    const { words, count, max, level } = shown;
    const message = level === 'over' ? words('limit.over', { count: count - max })
      : level === 'near' ? words('limit.left', { count: max - count }) : '';
    if (message === (said.get(field) ?? '')) return;
    said.set(field, message);
    status.textContent = message;
  }

  document.addEventListener('input', (event) => {
    const field = /** @type {HTMLInputElement} */ (event.target);
    if (!field.matches?.('[data-limit]')) return;
    showCount(field);
    clearTimeout(pauses.get(field));
    pauses.set(field, setTimeout(() => speak(field), PAUSE_MS));
  });

  /** @param {ParentNode} root */
  const refresh = (root = view) => {
    for (const field of /** @type {NodeListOf<HTMLInputElement>} */ (root.querySelectorAll('[data-limit]'))) {
      showCount(field);
    }
  };
  document.addEventListener('htmx:after:swap', () => refresh());
  refresh();
  return refresh;
}
