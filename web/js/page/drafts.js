/**
 * Drafts, the page's side: every form marked `data-draft` (screens/drafts.js draftAttributes) is kept as a draft
 * while the person types, and put back when they come back to it, with "Draft restored · Discard draft".
 *
 * The values go to the service worker by postMessage, never as a request (a hard reload sends requests past the
 * worker to the network); the worker seals and stores them (engine/draft-messages.js, data/drafts.js). A form is
 * sent a moment after typing stops, and at once when the page is hidden or left (the phone locks, the app is
 * switched away from or killed). Forms with a secret (data-secret, a password field) are never kept.
 *
 * Saving the form deletes its draft in the worker (the route that saves it); "Discard draft" puts the form back as
 * it was first shown and deletes the draft. A form that comes back refused (a 422 with its error) keeps its draft.
 */

import { pageWords } from './words.js';

const PAUSE_MS = 600;
// Controls whose value is not something the person typed or chose, or must never be kept.
const SKIP = new Set(['hidden', 'submit', 'button', 'reset', 'image', 'file', 'password']);

/** @typedef {[string, string][]} Values */
/** @typedef {(message: Record<string, unknown>) => Promise<any>} Ask a message to the worker, its answer */

/**
 * The values of a form's controls as [name, value] pairs in document order: what was typed, and what is chosen.
 * @param {HTMLFormElement} form @returns {Values}
 */
export function readValues(form) {
  /** @type {Values} */
  const out = [];
  for (const el of /** @type {Iterable<any>} */ (form.elements)) {
    if (!el.name || SKIP.has(el.type)) continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      if (el.checked) out.push([el.name, el.value]);
    } else if (el.tagName === 'SELECT') {
      for (const option of el.selectedOptions) out.push([el.name, option.value]);
    } else if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
      out.push([el.name, el.value]);
    }
  }
  return out;
}

/**
 * Put values read by readValues back into a form (controls it no longer has are left out).
 * @param {HTMLFormElement} form @param {Values} values
 */
export function applyValues(form, values) {
  /** @type {Map<string, string[]>} */
  const byName = new Map();
  for (const [name, value] of values) byName.set(name, [...(byName.get(name) ?? []), value]);
  /** @type {Map<string, number>} */
  const next = new Map(); // several text controls of one name take their values in order
  for (const el of /** @type {Iterable<any>} */ (form.elements)) {
    if (!el.name || SKIP.has(el.type)) continue;
    const given = byName.get(el.name) ?? [];
    if (el.type === 'checkbox' || el.type === 'radio') {
      el.checked = given.includes(el.value);
    } else if (el.tagName === 'SELECT') {
      for (const option of el.options) option.selected = given.includes(option.value);
    } else if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
      const at = next.get(el.name) ?? 0;
      el.value = given[at] ?? '';
      next.set(el.name, at + 1);
    }
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Whether a form may keep a draft: marked by its screen, and holding no secret. @param {Element} form */
const keepable = (form) => form.matches('form[data-draft]:not([data-secret])')
  && !form.querySelector('input[type="password"]');

/**
 * @typedef {{form: string, original: Values, timer: ReturnType<typeof setTimeout>|null, ready: boolean,
 *   typedEarly: boolean, applying: boolean}} Watch
 *   original: the values as the screen first showed them (what Discard puts back, and "nothing to keep")
 */

/**
 * Keep every drafted form of the view, and put drafts back. `refreshed(form)` is told after values were put in (the
 * counters of limited fields follow them).
 * @param {{view: HTMLElement, ask: Ask, refreshed?: (form: HTMLFormElement) => void}} io
 */
export function watchDrafts({ view, ask, refreshed = () => {} }) {
  /** @type {WeakMap<HTMLFormElement, Watch>} */
  const watched = new WeakMap();
  /** @type {Set<HTMLFormElement>} forms with values waiting to be sent */
  const waiting = new Set();
  /** @type {Map<string, Values>} each form's values as first shown, by identity: a refused save re-renders it */
  const originals = new Map();
  /** @type {string|null} the identity of the drafted form whose save is on its way */
  let submitted = null;

  const describe = (form) => ({ form: form.dataset.draft, path: form.dataset.draftPath, kind: form.dataset.draftKind,
    title: form.dataset.draftTitle, what: form.dataset.draftWhat });

  /** Send the form's values now: kept as its draft, or the draft deleted when the form is as it was shown. */
  async function send(form) {
    const watch = watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = null;
    waiting.delete(form);
    const values = readValues(form);
    const untouched = same(values, watch.original);
    form.dataset.draftState = 'saving';
    const answer = untouched ? await ask({ type: 'draft', op: 'discard', form: watch.form })
      : await ask({ type: 'draft', op: 'save', ...describe(form), values });
    if (watch.timer) return; // typed again meanwhile: the next send says how it ends
    form.dataset.draftState = !answer?.ok ? 'failed' : untouched ? 'none' : 'saved';
    if (!answer?.ok && !untouched) notice(form, 'draft.notKept', false);
  }

  function later(form) {
    const watch = watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = setTimeout(() => send(form), PAUSE_MS);
    waiting.add(form);
    form.dataset.draftState = 'waiting';
  }

  /** Everything typed goes out now: the page is being hidden or left, and may not come back. */
  const flush = () => { for (const form of [...waiting]) send(form); };

  /** The draft notice at the top of a form, focused so a screen reader reads it; `discard`: with its button. */
  async function notice(form, key, discard) {
    const words = await pageWords();
    let box = /** @type {HTMLElement|null} */ (form.querySelector(':scope > .draft-notice'));
    if (!box) {
      box = document.createElement('div');
      box.className = 'notice draft-notice';
      box.setAttribute('role', 'status');
      box.tabIndex = -1;
      form.prepend(box);
    }
    const text = document.createElement('p');
    text.textContent = words(key);
    /** @type {HTMLElement[]} */
    const parts = [text];
    if (discard) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.dataset.draftDiscard = '';
      button.textContent = words('draft.discard');
      parts.push(button);
    }
    box.replaceChildren(...parts);
    // Read out by focus (a notice that arrives filled in often is not), unless the screen's error has it or another
    // form's notice of the same screen was first (two forms on one screen: the focus stays on the upper one).
    const holder = document.activeElement?.closest?.('.draft-notice');
    const taken = Boolean(holder) && holder !== box;
    if (!view.querySelector('[role="alert"]:not([hidden])') && !taken) box.focus();
  }

  /** Values put in by the app, not typed: the form's input listeners hear them, drafts do not. */
  function putValues(form, watch, values) {
    watch.applying = true;
    try {
      applyValues(form, values);
      for (const el of /** @type {Iterable<any>} */ (form.elements)) {
        if (el.name && !SKIP.has(el.type)) el.dispatchEvent(new Event('input', { bubbles: true }));
      }
    } finally {
      watch.applying = false;
    }
    refreshed(form);
  }

  /** Put back a form's draft, if it has one and nothing was typed since the screen came. */
  async function restore(form, watch) {
    const answer = await ask({ type: 'draft', op: 'get', form: watch.form });
    const draft = answer?.ok ? answer.draft : null;
    if (draft && form.isConnected && !watch.typedEarly && !same(draft.values, watch.original)) {
      putValues(form, watch, draft.values);
      form.dataset.draftState = 'restored';
      await notice(form, 'draft.restored', true);
    } else if (draft && same(draft.values, watch.original)) {
      // The form already shows what the draft holds (saved from another device, say): nothing left to continue.
      await ask({ type: 'draft', op: 'discard', form: watch.form });
      form.dataset.draftState = 'none';
    } else if (!form.dataset.draftState) {
      form.dataset.draftState = 'none';
    }
    watch.ready = true;
    if (watch.typedEarly) later(form);
  }

  /** Start watching the drafted forms a new screen brought. */
  function scan() {
    for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (view.querySelectorAll('form[data-draft]'))) {
      if (watched.has(form) || !keepable(form)) continue;
      const id = form.dataset.draft ?? '';
      if (submitted === id && originals.has(id)) {
        // The same form back after its save was refused: it shows what was sent, which is the draft now.
        const watch = { form: id, original: originals.get(id) ?? [], timer: null, ready: true, typedEarly: false,
          applying: false };
        watched.set(form, watch);
        send(form);
        continue;
      }
      const watch = { form: id, original: readValues(form), timer: null, ready: false, typedEarly: false,
        applying: false };
      originals.set(id, watch.original);
      watched.set(form, watch);
      restore(form, watch);
    }
    submitted = null;
  }

  const onInput = (event) => {
    const form = /** @type {HTMLFormElement|null} */ (/** @type {Element} */ (event.target).closest?.('form[data-draft]'));
    const watch = form && watched.get(form);
    if (!watch || watch.applying) return;
    if (!watch.ready) watch.typedEarly = true;
    else later(form);
  };
  document.addEventListener('input', onInput);
  document.addEventListener('change', onInput);

  // A save on its way: nothing more is sent for this form (its route deletes the draft once it is saved; a later
  // write could bring it back). If the save is refused, the form comes back and is kept again (scan).
  document.addEventListener('submit', (event) => {
    const form = /** @type {HTMLFormElement} */ (event.target);
    const watch = watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = null;
    waiting.delete(form);
    watched.delete(form);
    submitted = watch.form;
  });

  document.addEventListener('click', (event) => {
    const button = /** @type {Element} */ (event.target).closest?.('[data-draft-discard]');
    const form = /** @type {HTMLFormElement|null} */ (button?.closest('form[data-draft]') ?? null);
    const watch = form && watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = null;
    waiting.delete(form);
    putValues(form, watch, watch.original);
    ask({ type: 'draft', op: 'discard', form: watch.form }).then((answer) => {
      if (!watch.timer) form.dataset.draftState = answer?.ok ? 'none' : 'failed';
    });
    notice(form, 'draft.discarded', false);
  });

  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
  window.addEventListener('pagehide', flush);
  document.addEventListener('htmx:after:swap', scan);
  document.addEventListener('between:refreshed', scan); // a screen rendered again in place (page/refresh.js)
  scan();
}
