/**
 * The page's side of the app lock (docs/WEB.md "App lock"): it holds the vault key while the app is unlocked (to hand
 * back to a worker the browser restarted) and drops it when the app locks; hides the screen before the system takes
 * its app-switcher picture; locks after the chosen minutes in the background or idle; the header's "Lock" button;
 * and loads the lock forms (page/lock-forms.js) when one is submitted.
 */

import { pageWords } from './words.js';

const root = document.documentElement;

/** The screen that was asked for, loaded again now that the app is unlocked (once, however many say so). */
export function reopen() {
  if (root.dataset.reopening) return;
  root.dataset.reopening = 'true';
  location.reload();
}

/**
 * @param {{view: HTMLElement, htmx: any, ask: (data: object) => Promise<any>, stopLive: () => void,
 *   refuse: (form: HTMLFormElement, words: string) => void}} io
 */
export async function startLock({ view, htmx, ask, stopLive, refuse }) {
  /** @type {CryptoKey|null} */
  let key = null;
  let configured = false;
  let minutes = 5;
  let lastActive = Date.now();
  let hiddenAt = null;
  // One more at every lock: a response to a request made before it is not swapped into the view after it.
  let era = 0;
  const button = /** @type {HTMLButtonElement|null} */ (document.getElementById('lock-now'));
  if (view.querySelector('[data-lock-screen]')) root.dataset.locked = 'true';

  const showButton = () => {
    if (!button) return;
    button.hidden = !configured || root.dataset.locked === 'true';
  };

  /** The lock screen in the view, the key and the change stream dropped; the address stays for after unlocking. */
  function locked() {
    key = null;
    era += 1;
    root.dataset.locked = 'true';
    stopLive();
    showButton();
    if (!view.querySelector('[data-lock-screen]')) {
      view.replaceChildren(); // nothing of the screen stays in the page while the lock screen loads
      htmx.ajax('GET', '/app/lock', { target: '#view' });
    }
  }

  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data;
    if (event.source !== navigator.serviceWorker.controller) return;
    if (data?.type === 'lock-key?') {
      // Away or idle for the minutes (a timer of a hidden page may not have run): the key is dropped, not handed.
      if (overdue()) key = null;
      event.ports[0]?.postMessage({ key });
      return;
    }
    if (data?.type !== 'lock') return;
    if (data.forgotten) {
      key = null;
      location.assign('/app/lock/forgotten');
      return;
    }
    if ('configured' in data) configured = Boolean(data.configured);
    else configured = true;
    if (typeof data.minutes === 'number') minutes = data.minutes;
    if (data.locked) {
      locked();
      return;
    }
    if (data.key instanceof CryptoKey) key = data.key;
    lastActive = Date.now();
    if (root.dataset.locked === 'true' || view.querySelector('[data-lock-screen]')) {
      delete root.dataset.locked;
      reopen();
      return;
    }
    showButton();
  });

  /** Whether the page has been hidden, or idle while shown, for the minutes (it must lock). */
  const overdue = () => configured && Date.now() - (hiddenAt ?? lastActive) >= minutes * 60e3;

  // The key goes first: a worker that asks for it meanwhile (one the browser restarted) is not handed it back.
  const lockNow = () => {
    key = null;
    era += 1;
    return ask({ type: 'lock-now' });
  };
  document.addEventListener('click', (event) => {
    if (/** @type {Element} */ (event.target).closest?.('[data-lock-now]')) lockNow();
  });

  // Nothing on show: the view is hidden as the page is hidden, before the system's app-switcher picture.
  document.addEventListener('visibilitychange', () => {
    if (!configured) return;
    if (document.visibilityState === 'hidden') {
      root.dataset.veil = 'true';
      hiddenAt = Date.now();
      return;
    }
    const away = hiddenAt === null ? 0 : Date.now() - hiddenAt;
    hiddenAt = null;
    if (root.dataset.locked !== 'true' && away >= minutes * 60e3) lockNow();
    else lastActive = Date.now();
    delete root.dataset.veil;
  });
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input']) {
    document.addEventListener(type, () => { lastActive = Date.now(); }, { passive: true, capture: true });
  }
  setInterval(() => {
    if (configured && root.dataset.locked !== 'true' && document.visibilityState === 'visible'
      && Date.now() - lastActive >= minutes * 60e3) lockNow();
  }, 15_000);

  document.addEventListener('submit', (event) => {
    const form = /** @type {HTMLFormElement|null} */ (/** @type {Element} */ (event.target).closest?.('form[data-lock-form]'));
    if (!form) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (form.dataset.running) return;
    form.dataset.running = 'true';
    import('./lock-forms.js')
      .then(({ runLockForm }) => runLockForm(form, { ask, refuse, htmx, words: pageWords }))
      .catch(() => pageWords().then((w) => refuse(form, w('lock.form.failed'))))
      .finally(() => { delete form.dataset.running; });
  }, true);

  // WebAuthn with the PRF extension is offered only where the browser says it has it.
  const markPrf = async () => {
    const options = view.querySelectorAll('input[data-needs-prf]');
    if (!options.length) return;
    const caps = await globalThis.PublicKeyCredential?.getClientCapabilities?.().catch(() => null);
    if (caps?.['extension:prf']) return;
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (options)) input.disabled = true;
    for (const note of view.querySelectorAll('[data-prf-missing]')) /** @type {HTMLElement} */ (note).hidden = false;
  };
  document.addEventListener('htmx:after:swap', () => { markPrf(); });
  // A response that set out before the app locked is not put over the lock screen (audit F5).
  document.addEventListener('htmx:config:request', (event) => {
    /** @type {any} */ (event).detail.ctx.lockEra = era;
  });
  document.addEventListener('htmx:before:swap', (event) => {
    const lockEra = /** @type {any} */ (event).detail?.ctx?.lockEra;
    if (typeof lockEra === 'number' && lockEra !== era) event.preventDefault();
  });
  markPrf();

  const words = await pageWords();
  if (button) button.textContent = words('lock.now');
  const state = await ask({ type: 'lock-state' });
  configured = Boolean(state?.configured);
  minutes = state?.minutes ?? minutes;
  if (state?.locked) {
    root.dataset.locked = 'true';
  } else if (configured) {
    const answer = await ask({ type: 'lock-key' });
    if (answer?.key instanceof CryptoKey) key = answer.key;
  }
  showButton();
}
