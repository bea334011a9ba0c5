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
 *
 * Two cases ask before anything is put back or replaced (restoreChoice): a draft of an edit started from an older
 * version of what the form edits (changed elsewhere since: putting it back and saving would undo that change), and a
 * draft met after the person already typed into the form (keeping what was typed would replace the draft). While
 * the question is open, nothing is sent: the stored draft stays as it is until the person chooses.
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

/**
 * What to do with the draft a form's screen met.
 * - 'none': no draft, or the form already holds what was typed into it and the draft is that (nothing to do);
 * - 'discard': the form already shows what the draft holds (saved, from here or elsewhere): nothing to continue;
 * - 'moved': the draft was started from another version than the one the form shows: ask before putting it back;
 * - 'typed': something was typed before the draft came, and it differs: ask which to keep;
 * - 'restore': put the draft in the form.
 * @param {{draft: {values: Values, base?: string}|null, original: Values, base?: string, typed: Values|null}} d
 *   original: the values the form was shown with; base: the version it shows ('' when it edits nothing);
 *   typed: the form's values when input came before the draft did, else null
 * @returns {'none'|'discard'|'moved'|'typed'|'restore'}
 */
export function restoreChoice({ draft, original, base = '', typed }) {
  if (!draft) return 'none';
  if (same(draft.values, original)) return 'discard';
  if (typed && same(draft.values, typed)) return 'none';
  if (draft.base && base && draft.base !== base) return 'moved';
  return typed ? 'typed' : 'restore';
}

/** Whether a form may keep a draft: marked by its screen, and holding no secret. @param {Element} form */
const keepable = (form) => form.matches('form[data-draft]:not([data-secret])')
  && !form.querySelector('input[type="password"]');

/**
 * @typedef {{form: string, original: Values, timer: ReturnType<typeof setTimeout>|null, ready: boolean,
 *   typedEarly: boolean, applying: boolean, asking?: {choice: 'moved'|'typed', values: Values, base: string}|null,
 *   stored?: Values|null}} Watch
 *   original: the values as the screen first showed them (what Discard puts back, and "nothing to keep");
 *   stored: what the worker holds for the form as far as this page knows (the draft put back, or the last values it
 *   kept), null when unknown: a send of the same values again is skipped (a control's `change` on leaving it, for
 *   one, comes after its `input` with nothing new, and may fire as the screen is being left)
 *   asking: the stored draft while the person is asked what to do with it (nothing is sent meanwhile)
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
    title: form.dataset.draftTitle, what: form.dataset.draftWhat, base: form.dataset.draftBase ?? '' });

  /** Send the form's values now: kept as its draft, or the draft deleted when the form is as it was shown. */
  async function send(form) {
    const watch = watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = null;
    waiting.delete(form);
    const values = readValues(form);
    const untouched = same(values, watch.original);
    if (watch.stored && same(values, watch.stored)) {
      form.dataset.draftState = untouched ? 'none' : 'saved';
      return; // nothing new to keep
    }
    form.dataset.draftState = 'saving';
    watch.stored = null; // unknown until the worker answers
    const answer = untouched ? await ask({ type: 'draft', op: 'discard', form: watch.form })
      : await ask({ type: 'draft', op: 'save', ...describe(form), values });
    if (answer?.ok && !watch.timer) watch.stored = untouched ? watch.original : values;
    if (watch.timer) return; // typed again meanwhile: the next send says how it ends
    form.dataset.draftState = !answer?.ok ? 'failed' : untouched ? 'none' : 'saved';
    if (!answer?.ok && !untouched) notice(form, 'draft.notKept');
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

  /**
   * The draft notice at the top of a form, focused so a screen reader reads it, with its buttons: each a
   * [data attribute, value, catalogue key] ("Discard draft" is ['draftDiscard', '', 'draft.discard']).
   * @param {HTMLFormElement} form @param {string} key @param {[string, string, string][]} [buttons]
   */
  async function notice(form, key, buttons = []) {
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
    if (buttons.length) {
      const row = document.createElement('div');
      row.className = 'notice-actions';
      for (const [attribute, value, label] of buttons) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary';
        button.dataset[attribute] = value;
        button.textContent = words(label);
        row.append(button);
      }
      parts.push(row);
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

  const DISCARD = /** @type {[string, string, string]} */ (['draftDiscard', '', 'draft.discard']);

  /** The draft put in the form, with "Draft restored · Discard draft". */
  async function putBack(form, watch, values) {
    putValues(form, watch, values);
    watch.stored = values;
    form.dataset.draftState = 'restored';
    await notice(form, 'draft.restored', [DISCARD]);
  }

  /**
   * Put back a form's draft, if it has one and nothing was typed since the screen came; ask first when it was
   * started from an older version of what the form edits, or when something was typed already (restoreChoice).
   */
  async function restore(form, watch) {
    const answer = await ask({ type: 'draft', op: 'get', form: watch.form });
    const draft = answer?.ok ? answer.draft : null;
    const choice = form.isConnected ? restoreChoice({ draft, original: watch.original,
      base: form.dataset.draftBase ?? '', typed: watch.typedEarly ? readValues(form) : null }) : 'none';
    if (choice === 'restore') {
      await putBack(form, watch, draft.values);
    } else if (choice === 'moved' || choice === 'typed') {
      // Nothing is put in and nothing sent until the person chooses: the form shows what it was shown with (the
      // entry as it is now) or what was typed, and the stored draft stays as it is.
      watch.asking = { choice, values: draft.values, base: draft.base ?? '' };
      form.dataset.draftState = 'asking';
      await notice(form, choice === 'moved' ? 'draft.moved' : 'draft.early', choice === 'moved'
        ? [['draftChoice', 'restore', 'draft.moved.restore'], DISCARD]
        : [['draftChoice', 'restore', 'draft.early.restore'], ['draftChoice', 'keep', 'draft.early.keep']]);
    } else if (choice === 'discard') {
      // The form already shows what the draft holds (saved from another device, say): nothing left to continue.
      await ask({ type: 'draft', op: 'discard', form: watch.form });
      form.dataset.draftState = 'none';
    } else if (!form.dataset.draftState) {
      form.dataset.draftState = 'none';
    }
    watch.ready = true;
    if (watch.typedEarly && !watch.asking) later(form);
  }

  /** The person's answer to the question restore asked: put the draft back, or keep the form as it is. */
  async function choose(form, watch, value) {
    const asked = watch.asking;
    if (!asked) return;
    watch.asking = null;
    if (value === 'restore') {
      watch.typedEarly = false;
      if (asked.choice === 'moved') {
        // The draft stays a draft of the version it was started from, and the save says so (the form's `from`):
        // the route merges it into the entry as it is now, so what changed elsewhere is kept.
        form.dataset.draftBase = asked.base;
        const from = /** @type {HTMLInputElement|null} */ (form.querySelector('input[type="hidden"][name="from"]'));
        if (from) from.value = asked.base;
      }
      await putBack(form, watch, asked.values);
    } else {
      // What was typed replaces the draft now, and only now.
      await notice(form, 'draft.early.kept');
      send(form);
    }
  }

  /** @type {Map<string, HTMLFormElement>} the form last shown for each draft identity */
  const shown = new Map();

  /**
   * Start watching the drafted forms a new screen brought. `event`: a screen rendered again in place
   * (`between:refreshed`, page/refresh.js) carries what was typed into its new forms, so a form that replaced the
   * one being typed into goes on from where that one was: nothing to put back, and nothing to ask about.
   * @param {Event} [event]
   */
  function scan(event) {
    const inPlace = event?.type === 'between:refreshed';
    // A form swapped out with typing still waiting: kept now, not when its timer ends (by then the person may have
    // saved the same form again elsewhere, and a late write would bring back a draft that save deleted).
    for (const form of [...waiting]) if (!form.isConnected) send(form);
    for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (view.querySelectorAll('form[data-draft]'))) {
      if (watched.has(form) || !keepable(form)) continue;
      const id = form.dataset.draft ?? '';
      const before = inPlace ? shown.get(id) : undefined;
      const was = before && !before.isConnected ? watched.get(before) : undefined;
      shown.set(id, form);
      if (was && was.ready && !was.asking) {
        watched.set(form, { ...was, timer: null });
        form.dataset.draftState = before?.dataset.draftState ?? 'none';
        if (!same(readValues(form), was.stored ?? was.original)) later(form);
        continue;
      }
      if (submitted === id && originals.has(id)) {
        // The same form back after its save was refused: it shows what was sent, which is the draft now.
        const watch = { form: id, original: originals.get(id) ?? [], timer: null, ready: true, typedEarly: false,
          applying: false, asking: null };
        watched.set(form, watch);
        send(form);
        continue;
      }
      const watch = { form: id, original: readValues(form), timer: null, ready: false, typedEarly: false,
        applying: false, asking: null };
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
    if (!watch.ready || watch.asking) watch.typedEarly = true; // asked what to keep: nothing is sent until answered
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
    const chosen = /** @type {HTMLElement|null} */ (/** @type {Element} */ (event.target).closest?.('[data-draft-choice]'));
    const asked = /** @type {HTMLFormElement|null} */ (chosen?.closest('form[data-draft]') ?? null);
    const asker = asked && watched.get(asked);
    if (asked && asker) {
      choose(asked, asker, chosen?.dataset.draftChoice);
      return;
    }
    const button = /** @type {Element} */ (event.target).closest?.('[data-draft-discard]');
    const form = /** @type {HTMLFormElement|null} */ (button?.closest('form[data-draft]') ?? null);
    const watch = form && watched.get(form);
    if (!watch) return;
    clearTimeout(watch.timer ?? undefined);
    watch.timer = null;
    waiting.delete(form);
    // Asked about a draft of an older version: the form already shows the entry as it is (or what was typed since).
    const wasAsking = Boolean(watch.asking);
    watch.asking = null;
    if (!wasAsking) putValues(form, watch, watch.original);
    watch.stored = null;
    ask({ type: 'draft', op: 'discard', form: watch.form }).then((answer) => {
      if (!watch.timer && answer?.ok) watch.stored = watch.original;
      if (!watch.timer) form.dataset.draftState = answer?.ok ? 'none' : 'failed';
    });
    notice(form, wasAsking ? 'draft.moved.discarded' : 'draft.discarded');
    if (wasAsking && watch.typedEarly) later(form);
  });

  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
  window.addEventListener('pagehide', flush);
  document.addEventListener('htmx:after:swap', scan);
  document.addEventListener('between:refreshed', scan); // a screen rendered again in place (page/refresh.js)
  scan();
}
