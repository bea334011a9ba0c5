/**
 * Live screens: when a sync run changed data a screen shows (the worker's `{type: 'sync-changed', scopes}`), the
 * screen is rendered again in place, as the worker renders it now, keeping the scroll position, the focus and
 * anything typed in a search box. A form holding unsaved input is never replaced: an "Updated" notice offers to show
 * the update, and then what was typed is put back into the same fields. docs/WEB.md "Live screens".
 */

import { pageWords } from './words.js';

/**
 * Which data (engine/sync.js Scope) each screen shows, by its first path segments; a screen not listed: all.
 * @type {[string, string[]][]}
 */
const SHOWS = [
  ['/app/invite', []], // accepting an invitation: nothing a sync changes
  ['/app/invites', ['peers']], // open invitations go when a client links
  ['/app/today', ['received', 'records', 'peers']], // what is due (assignments), done, held back
  ['/app/progress', ['records']], // the client's own entries only
  ['/app/entries', ['records', 'peers']],
  ['/app/todo', ['received', 'records', 'peers']],
  ['/app/shared', ['records', 'received', 'peers']],
  ['/app/clients', ['received', 'records', 'peers']],
  ['/app/assignments', ['records', 'received', 'peers']],
  ['/app/link', ['peers', 'records']],
  ['/app/account', ['records', 'peers']],
  ['/app/export', ['records']],
];
const ALL = ['records', 'received', 'peers'];

/** The data a screen at `path` shows. @param {string} path @returns {string[]} */
export function scopesOf(path) {
  const pathname = path.split(/[?#]/)[0].replace(/\/+$/, '');
  const found = SHOWS.find(([prefix]) => pathname === prefix || pathname.startsWith(`${prefix}/`));
  return found ? found[1] : ALL;
}

/** Whether a run that changed `scopes` changed anything the screen at `path` shows. */
export const affects = (path, scopes) => scopesOf(path).some((s) => scopes.includes(s));

/**
 * What a form's answer shows once and its address would not show again: what the step did ("Entry deleted." with
 * its Undo, "Saved."), a refusal, or anything a view marks `data-once` (a new invitation's link).
 * @param {ParentNode} root
 */
const holdsOnce = (root) => Boolean(root.querySelector('[data-once], .notice[role="status"]')
  || [...root.querySelectorAll('[role="alert"]')].some((el) => !el.hasAttribute('hidden') && el.textContent.trim()));

/** The form controls that hold something the person typed or chose and has not saved (search boxes too). */
function typed(root) {
  const found = [];
  for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (root.querySelectorAll('form'))) {
    for (const el of /** @type {Iterable<any>} */ (form.elements)) {
      if (!el.name || ['hidden', 'submit', 'button', 'file', 'password'].includes(el.type)) continue;
      const changed = el.type === 'checkbox' || el.type === 'radio' ? el.checked !== el.defaultChecked
        : el.tagName === 'SELECT' ? [...el.options].some((o) => o.selected !== o.defaultSelected)
          : 'defaultValue' in el && el.value !== el.defaultValue;
      if (changed) found.push(el);
    }
  }
  return found;
}

/** The same control in another rendering of the screen: same form action, same name (and value, for a choice). */
function counterpart(root, el) {
  const action = el.form?.getAttribute('hx-post') ?? el.form?.getAttribute('action') ?? '';
  for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (root.querySelectorAll('form'))) {
    if ((form.getAttribute('hx-post') ?? form.getAttribute('action') ?? '') !== action) continue;
    const same = [...form.elements].find((o) => /** @type {any} */ (o).name === el.name
      && (!['checkbox', 'radio'].includes(el.type) || /** @type {any} */ (o).value === el.value));
    if (same) return /** @type {any} */ (same);
  }
  return null;
}

/** How to find the focused element again in a new rendering: its id, else what it is and says. */
function focusKey(el) {
  if (!el || el === document.body) return null;
  if (el.id) return { id: el.id };
  return { tag: el.tagName, href: el.getAttribute('href'), name: el.getAttribute('name'),
    value: el.getAttribute('value'), text: el.textContent.trim().slice(0, 80) };
}

function findFocus(root, key) {
  if (!key) return null;
  if (key.id) return document.getElementById(key.id);
  return [...root.querySelectorAll(key.tag)].find((el) => el.getAttribute('href') === key.href
    && el.getAttribute('name') === key.name && el.getAttribute('value') === key.value
    && el.textContent.trim().slice(0, 80) === key.text) ?? null;
}

/**
 * @param {{view: HTMLElement, htmx: any, unsaved: (root: HTMLElement) => boolean, after: Element|null}} where
 *   the view, htmx (to make a new rendering live), whether a form in the view holds unsaved input, and the element
 *   the notice goes after (it is made once, outside the view, so a screen reader hears it when it fills)
 */
export function createRefresher({ view, htmx, unsaved, after }) {
  // What the view shows: `path`, the address whose GET renders it (the GET it came from, or the address a form's
  // answer was pushed to; null when there is none), whether it came from a GET, and whether a change must never
  // touch it (a secret form's answer: a recovery key is shown once).
  const here = () => (location.pathname.startsWith('/app') ? location.pathname + location.search : null);
  let shown = { path: view.dataset.path ?? here(), get: true, secret: false };
  let busy = 0; // htmx requests in flight
  let missed = false; // a change came while a request was in flight
  let rendering = null;
  let again = false;

  const notice = document.createElement('div');
  notice.className = 'live-notice';
  notice.id = 'live-notice';
  notice.setAttribute('role', 'status');
  notice.setAttribute('aria-live', 'polite');
  (after ?? view).insertAdjacentElement(after ? 'afterend' : 'beforebegin', notice);

  const clearNotice = () => notice.replaceChildren();
  let lastFocus = null; // the last element of the view that had focus
  view.addEventListener('focusin', (event) => { lastFocus = event.target; });

  function button(label, onClick, kind = 'secondary') {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = kind;
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  /** The "Updated" notice: its words, and the update shown only when the person asks. */
  async function offer() {
    const words = await pageWords();
    if (notice.dataset.mode === 'lost') return; // already asking about what would be lost
    const text = document.createElement('p');
    text.textContent = words(unsaved(view) ? 'live.changedTyping' : 'live.changed');
    notice.dataset.mode = 'offer';
    notice.replaceChildren(text, button(words('live.show'), () => { showUpdate(false).catch(() => {}); }));
  }

  /** The current rendering of the screen from the worker, or null (an error page is not shown over a screen). */
  async function fetchView(path) {
    const response = await fetch(path, { headers: { 'HX-Request': 'true' } });
    return response.status < 500 ? response.text() : null;
  }

  /**
   * Swap in `markup`, keeping scroll, focus and what was typed (`keep`: the controls to carry over; `focused`: where
   * focus goes back to when it is not in the view now, as after pressing the notice's button).
   */
  function swap(markup, keep, focused = null) {
    // Locked since the screen was asked for: what came back is not put over the lock screen (audit F5).
    if (document.documentElement.dataset.locked === 'true') return;
    const { scrollX, scrollY } = window;
    const active = view.contains(document.activeElement) ? /** @type {any} */ (document.activeElement) : focused;
    const key = focusKey(active);
    const selection = active && typeof active.selectionStart === 'number'
      ? [active.selectionStart, active.selectionEnd] : null;
    const carried = keep.map((el) => ({ el, value: el.value, checked: el.checked,
      chosen: el.tagName === 'SELECT' ? [...el.options].map((o) => o.selected) : null }));
    const box = document.createElement('template');
    box.innerHTML = markup;
    const homes = carried.map((c) => counterpart(box.content, c.el));
    view.replaceChildren(box.content);
    htmx.process(view);
    // The page's other parts take the new screen as they take one htmx swapped in (drafts watch its forms, the
    // counters of limited fields, QR codes); `htmx:after:swap` itself would also move the focus.
    view.dispatchEvent(new CustomEvent('between:refreshed', { bubbles: true }));
    // What was typed goes back in as typed (an input event): a draft keeps it, a counter counts it.
    carried.forEach((c, i) => {
      const home = homes[i];
      if (!home) return;
      if (['checkbox', 'radio'].includes(home.type)) home.checked = c.checked;
      else if (home.tagName === 'SELECT' && c.chosen) [...home.options].forEach((o, n) => { o.selected = c.chosen[n]; });
      else home.value = c.value;
      home.dispatchEvent(new Event('input', { bubbles: true }));
    });
    window.scrollTo(scrollX, scrollY);
    const again = findFocus(view, key);
    if (again) {
      again.focus({ preventScroll: true });
      if (selection && typeof again.setSelectionRange === 'function') again.setSelectionRange(...selection);
    } else if (active) {
      // What had focus is gone (an item removed): the screen's heading, so a screen reader keeps its place.
      const heading = view.querySelector('h1');
      heading?.setAttribute('tabindex', '-1');
      heading?.focus({ preventScroll: true });
    }
    clearNotice();
    delete notice.dataset.mode;
  }

  /** Render again now, in place. Only when nothing unsaved is in the view (else the notice). */
  async function rerender() {
    if (rendering) {
      again = true;
      return rendering;
    }
    rendering = (async () => {
      do {
        again = false;
        const before = shown;
        if (!before.path) return;
        // The view's address must be the one shown (a search keeps its query out of the address bar, not its path;
        // `/` shows the home screen, whose address the worker's page names).
        if (before.path.split('?')[0] !== location.pathname && before.path !== view.dataset.path) return;
        const markup = await fetchView(before.path);
        // Navigated meanwhile, or typing started: this rendering is not for the view as it is now.
        if (markup === null || shown !== before || busy) return;
        if (unsaved(view) || (!before.get && holdsOnce(view))) {
          await offer();
          return;
        }
        swap(markup, typed(view));
      } while (again);
    })().finally(() => { rendering = null; });
    return rendering;
  }

  /** The person asked to see the update over what they typed (`anyway`: even where it has no place). */
  async function showUpdate(anyway) {
    const path = shown.path ?? here();
    if (!path) return;
    const markup = await fetchView(path);
    if (markup === null) return;
    const keep = typed(view);
    const box = document.createElement('template');
    box.innerHTML = markup;
    if (!anyway && keep.some((el) => !counterpart(box.content, el))) {
      const words = await pageWords();
      const text = document.createElement('p');
      text.textContent = words('live.lost');
      notice.dataset.mode = 'lost';
      notice.replaceChildren(text, button(words('live.showAnyway'), () => { showUpdate(true).catch(() => {}); }),
        button(words('live.keep'), () => { clearNotice(); delete notice.dataset.mode; }));
      return;
    }
    shown = { path, get: true, secret: false };
    // Back to where the person was in the form (they pressed the notice's button, outside the view).
    swap(markup, keep, lastFocus?.isConnected ? lastFocus : null);
  }

  /**
   * A sync run changed `scopes` on this device; resolves once the screen shows it (or offers to).
   * @param {string[]} scopes @returns {Promise<void>}
   */
  async function changed(scopes) {
    if (shown.secret) return;
    const path = shown.path ?? here();
    if (!path || !affects(path, scopes)) return;
    if (busy) {
      missed = true; // looked at again once that request's screen is in
      return;
    }
    if (!shown.path || (!shown.get && holdsOnce(view)) || unsaved(view)) {
      await offer();
      return;
    }
    await rerender();
  }

  document.addEventListener('htmx:before:request', () => { busy++; });
  // Back and forward: htmx restores the screen of that address.
  window.addEventListener('popstate', () => {
    shown = { path: here(), get: true, secret: false };
    clearNotice();
  });
  document.addEventListener('htmx:finally:request', () => {
    busy = Math.max(0, busy - 1);
    if (busy || !missed) return;
    missed = false;
    // A GET may have been answered before the run wrote its data: render it again. A form's answer was made after
    // what it did (a sync, a save) and is kept as it is.
    if (shown.path && shown.get && !shown.secret) rerender().catch(() => {});
  });
  document.addEventListener('htmx:after:swap', (event) => {
    const ctx = /** @type {CustomEvent} */ (event).detail?.ctx;
    if (!ctx || (ctx.target !== view && ctx.target?.id !== 'view')) return;
    const get = String(ctx.request?.method ?? 'GET').toUpperCase() === 'GET';
    const pushed = ctx.hx?.pushurl && ctx.hx.pushurl !== 'false' ? ctx.hx.pushurl : null; // HX-Push-Url
    const from = get ? ctx.request?.action : pushed;
    const url = from ? new URL(from, location.href) : null;
    shown = { path: url ? url.pathname + url.search : null, get, secret: false };
    clearNotice();
    delete notice.dataset.mode;
  });

  return {
    changed,
    /** A screen put in by the page itself (a secret form's answer): never re-rendered, never offered. */
    replaced() {
      shown = { path: null, get: false, secret: true };
      clearNotice();
    },
  };
}
