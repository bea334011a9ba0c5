/** The page: register the service worker, hold every click until it controls the page, then start htmx. */

import { estimateStrength } from './strength.js';
import { createChangeStream } from './live.js';
import { createRefresher } from './refresh.js';
import { createStatusBar } from './status-bar.js';
import { watchDrafts } from './drafts.js';
import { watchLimits } from './field-limits.js';
import { watchPacer } from './pacer.js';
import { watchSketches } from './sketch.js';
import { unsavedMedia, watchAttachments } from './attachments.js';
import { watchTimers } from './timer.js';
import { missingCapabilities, registerWorker, showUnsupported } from './browser.js';
import { startStorage } from './storage.js';
import { startLock } from './lock.js';
import { watchReminders } from './reminders.js';
import { pageWords } from './words.js';

/** A strength score's words: `app.strength.<name>`. */
const STRENGTHS = ['tooShort', 'weak', 'fair', 'good', 'strong'];

const view = document.getElementById('view');
const SYNC_EVERY_MS = 60_000;

function say(message) {
  const status = document.getElementById('boot');
  if (status) status.textContent = message;
}

/** Resolves once a service worker controls this page: before that, requests would go to the network. */
function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return /** @type {Promise<void>} */ (new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
  }));
}

// "Skip to content" skips the tabs too: they are part of each view, so #view alone would land before them.
document.querySelector('.skip')?.addEventListener('click', (event) => {
  const heading = view.querySelector('h1');
  if (!heading) return;
  event.preventDefault();
  heading.setAttribute('tabindex', '-1');
  heading.focus();
});

/**
 * The window title names the screen by its tab ("To do – Between"), or by the name its navigation gives a screen
 * under a tab ("Settings – Between", data-screen: catalogue words only), never by what is on it: titles are kept
 * in the browser's history, which the app keeps free of what people write.
 */
function titleView() {
  const nav = /** @type {HTMLElement|null} */ (view.querySelector('nav'));
  const name = nav?.dataset.screen || nav?.querySelector('[aria-current="page"]')?.textContent.trim();
  document.title = name ? `${name} – Between` : 'Between';
}

/** Move focus to the new view's heading (or its error) so screen readers hear that the screen changed. */
function focusView(event) {
  if (event.target !== view && !view.contains(event.target)) return;
  titleView();
  // An error first; else what the step did ("Entry deleted." with its Undo, "Saved."), which a screen reader
  // might not read out when it arrives already filled in; else the screen's heading.
  const target = /** @type {HTMLElement|null} */ (view.querySelector('[role="alert"]:not([hidden])')
    ?? view.querySelector('.notice[role="status"]') ?? view.querySelector('h1'));
  if (!target || target.contains(document.activeElement)) return;
  if (document.activeElement?.matches?.('input[type="search"]')) return;
  target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: false });
}

/**
 * A message to the worker, answered on its own channel. Secrets (Argon2id output, a recovery key, an invite
 * fragment) travel this way only: a message cannot reach the network, a request could (a hard reload
 * bypasses the worker).
 */
function ask(data) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data: answer }) => resolve(answer);
    navigator.serviceWorker.controller.postMessage(data, [channel.port2]);
  });
}

const poke = () => navigator.serviceWorker.controller?.postMessage({ type: 'sync' });

// The header's status (page/status-bar.js): the worker's word, and offline as soon as the browser says so.
const statusBar = createStatusBar({ region: document.getElementById('sync-status'), view });
let refresher = null; // page/refresh.js, once htmx is there

/**
 * Live screens (docs/WEB.md "Live screens"): while the page is visible and online it holds the server's change
 * stream (page/live.js); each "moved" asks the worker to sync now, and what the run changed renders again in place.
 */
const liveWanted = () => document.visibilityState === 'visible' && navigator.onLine
  && !['off', 'signed_out'].includes(statusBar.state) && document.documentElement.dataset.locked !== 'true';
const changes = createChangeStream({
  token: async (renew) => (await ask({ type: 'live-token', renew })).token ?? null,
  moved: poke,
  opened: poke, // what moved before the stream opened is not announced
}, { wanted: liveWanted });

/** Open or close the change stream as the page's visibility, the network and the sign-in allow. */
function liveWhenWanted() {
  if (liveWanted()) changes.start();
  else changes.stop();
}

// ------------------------------------------------------------------ account forms

/** Stop a secret form: its button and status line as before it ran, the words in its own alert, focused (also when
 * its code could not even load). */
function failed(form, words) {
  const box = form.querySelector('[data-error]');
  box.textContent = words;
  box.hidden = false;
  box.setAttribute('tabindex', '-1');
  box.focus();
  const button = form.querySelector('button[type="submit"]');
  button.removeAttribute('aria-disabled');
  if (button.dataset.label) button.textContent = button.dataset.label;
  const progress = form.querySelector('[data-progress]');
  if (progress) progress.textContent = '';
}

/** Put a screen the worker rendered (html`` escaped) into the view, as htmx would have. */
function swapIn(htmx, markup, path) {
  refresher?.replaced();
  view.innerHTML = markup;
  htmx.process(view);
  history.pushState({}, '', path);
  focusView({ target: view });
}

/** @param {any} htmx @param {(moment?: string) => unknown} [storageChanged] told when an account step is done */
function wireForms(htmx, storageChanged = () => {}) {
  document.addEventListener('submit', (event) => {
    const target = /** @type {Element} */ (event.target);
    const form = /** @type {HTMLFormElement|null} */ (target.closest?.('form[data-secret]'));
    if (!form) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (form.dataset.running) return; // a second press while the first is still at work
    form.dataset.running = 'true';
    // The forms' code loads on first use (they need the server anyway); the worker keeps it (LAZY in sw.js).
    import('./account-forms.js')
      .then(({ runSecretForm }) => runSecretForm(form, { ask, refuse: failed, done: (markup, path) => {
        swapIn(htmx, markup, path);
        // An account made is a moment to ask the browser to keep the storage; any account step moves the marker.
        storageChanged(form.dataset.secret === 'signup' ? 'account' : undefined);
      } }))
      .catch(async () => failed(form, (await pageWords())('app.formFailed')))
      .finally(() => { delete form.dataset.running; });
  }, true);
  document.addEventListener('input', (event) => {
    const field = /** @type {HTMLInputElement} */ (event.target);
    if (!field.matches?.('[data-strength]')) return;
    const { score } = estimateStrength(field.value);
    const meter = /** @type {HTMLMeterElement} */ (document.getElementById(field.dataset.strength));
    meter.value = score;
    pageWords().then((w) => {
      if (meter.value !== score) return; // typed on meanwhile: a later event says it
      document.getElementById(`${field.dataset.strength}-text`).textContent = w('app.strength',
        { level: w(`app.strength.${STRENGTHS[score]}`) });
    });
  });
  document.addEventListener('change', (event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    // The app lock's set-up form: the fields of the chosen method, and of a PRF lock's chosen fallback.
    const [name, attribute] = input.matches?.('input[name="method"]') ? ['method', 'data-method']
      : input.matches?.('input[name="fallback"]') ? ['fallback', 'data-fallback'] : [null, null];
    if (!name) return;
    const parts = /** @type {NodeListOf<HTMLElement>} */ (input.form.querySelectorAll(`[${attribute}]`));
    for (const el of parts) el.hidden = el.getAttribute(attribute) !== input.value;
  });
}

// ------------------------------------------------------------------ updates

/** True when a form in the view holds input the person has not saved (search boxes aside). */
function unsavedInput(root = view) {
  if (unsavedMedia(root)) return true; // a recording or photo made, or a kept one removed (page/attachments.js)
  for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (root.querySelectorAll('form:not([role="search"])'))) {
    // Every kind of control (input, select, text area, button), told apart by its type and tag, as the DOM allows.
    for (const el of /** @type {Iterable<any>} */ (form.elements)) {
      if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === 'SELECT') {
        if ([...el.options].some((o) => o.selected !== o.defaultSelected)) return true;
      } else if ('defaultValue' in el && el.value !== el.defaultValue) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Offer a new version of the app without forcing it: a waiting worker takes over only when the person presses
 * "Update now" (or at the next cold start, when the browser activates it itself), and never while a form holds
 * unsaved input: then the update waits for the next screen without any (after a save or a cancel).
 */
function offerUpdates(registration) {
  const region = document.getElementById('app-update');
  let wanted = false; // the person chose to update, or another window did
  let asked = false;

  const apply = () => {
    if (unsavedInput()) {
      pageWords().then((w) => { region.querySelector('p').textContent = w('app.update.wait'); });
      return;
    }
    if (navigator.serviceWorker.controller !== registration.active || !registration.waiting) {
      location.reload(); // already taken over (by another window): load this version's page
      return;
    }
    asked = true;
    registration.waiting.postMessage({ type: 'update-now' });
  };

  const show = async () => {
    const w = await pageWords();
    if (!registration.waiting || region.childElementCount) return;
    const words = document.createElement('p');
    words.textContent = w('app.update.ready');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = w('app.update.now');
    button.addEventListener('click', () => {
      wanted = true;
      apply();
    });
    region.replaceChildren(words, button);
  };

  registration.addEventListener('updatefound', () => {
    const next = registration.installing;
    next?.addEventListener('statechange', () => { if (next.state === 'installed') show(); });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // The new worker is in charge: reload into its version, unless that would drop what is being written.
    if (asked || !unsavedInput()) location.reload();
    else wanted = true;
  });
  // A save or a cancel leaves the form: that is the moment a chosen update can go ahead.
  document.addEventListener('htmx:after:swap', () => { if (wanted) apply(); });
  show();
}

// ------------------------------------------------------------------ care screens (QR code, copy, print)
// BEGIN care block (owned by the care screens: web/js/screens/care/care-views.js). The worker's view holds
// <div class="qr" data-qr="LINK">; the page draws the code there, so the QR encoder (/js/page/qr.js, /vendor/qrcode.js)
// loads only on the invite screen and never in the service worker (module workers cannot import() on demand).

/** Draw every empty QR placeholder of the view (DOM calls, no markup); the link itself is never logged. */
function drawQrCodes() {
  const boxes = [.../** @type {NodeListOf<HTMLElement>} */ (view.querySelectorAll('[data-qr]'))]
    .filter((box) => !box.firstElementChild);
  if (!boxes.length) return;
  import('/js/page/qr.js').then(({ drawQr }) => {
    for (const box of boxes) drawQr(box, box.dataset.qr);
  }).catch(async () => {
    const w = await pageWords();
    for (const box of boxes) box.textContent = w('app.qrFailed');
  });
}

/** "Copy link" (data-copy = the id of the field to copy) and "Print" (data-print) buttons of the care screens. */
function careClick(event) {
  const copy = event.target.closest?.('[data-copy]');
  if (copy) {
    const field = /** @type {HTMLInputElement|null} */ (document.getElementById(copy.dataset.copy));
    const status = view.querySelector(`[data-copy-status="${copy.dataset.copy}"]`);
    if (!field) return;
    field.select();
    const said = async (key) => { if (status) status.textContent = (await pageWords())(key); };
    (navigator.clipboard?.writeText(field.value) ?? Promise.reject(new Error('no clipboard')))
      .then(() => said('app.copied'), () => said('app.copySelected'));
    return;
  }
  if (event.target.closest?.('[data-print]')) window.print();
}

document.addEventListener('htmx:after:swap', drawQrCodes);
document.addEventListener('between:refreshed', drawQrCodes); // a screen rendered again in place (page/refresh.js)
document.addEventListener('click', careClick);
// A long answer shows its first lines with "Show all" (screens/fields.js longAnswer); on paper, all of it.
window.addEventListener('beforeprint', () => {
  for (const details of document.querySelectorAll('details')) {
    if (details.closest('.long-answer')) details.open = true;
  }
});
drawQrCodes(); // a page the worker answered in full already has its view
// END care block

// ------------------------------------------------------------------ focus clear of the bottom bar

/**
 * A control that takes focus is never left under the phone's fixed bottom bar (WCAG 2.2 SC 2.4.11). The CSS gives
 * the page a scroll-padding the size of the bar, but Chromium scrolls on focus only when the control is outside the
 * viewport, not when it sits inside it under the bar; so here, a control within the padding is scrolled just clear
 * of it (scrollIntoView honours the scroll-padding). Nothing moves when it is already clear, or beside the rail.
 */
document.addEventListener('focusin', (event) => {
  const el = event.target;
  if (!(el instanceof Element) || el.closest('nav.tabs')) return;
  const style = getComputedStyle(document.documentElement);
  const end = parseFloat(style.scrollPaddingBlockEnd) || 0;
  const start = parseFloat(style.scrollPaddingBlockStart) || 0;
  const box = el.getBoundingClientRect();
  if ((end && box.bottom > innerHeight - end) || (start && box.top < start)) el.scrollIntoView({ block: 'nearest' });
});

// ------------------------------------------------------------------ start

/** An invite link: hand its fragment to the worker, then drop it from the address bar and history. */
async function takeInvite() {
  if (location.pathname !== '/invite' || !location.hash) return null;
  const link = location.href;
  history.replaceState(null, '', '/app/invite');
  const answer = await ask({ type: 'invite', link });
  return answer.ok ? '/app/invite' : '/app/invite?problem=bad_invite';
}

async function start() {
  // Everything Between needs, checked before anything is registered or stored (page/browser.js).
  const missing = await missingCapabilities();
  if (missing.length) {
    await showUnsupported(missing);
    return;
  }
  // Controlled already (every start but the first): the worker answers htmx's requests, so it can load at once.
  const early = navigator.serviceWorker.controller ? import('/vendor/htmx.js') : null;
  const registration = await registerWorker();
  await controlled();
  // A page the worker did not render (the first start, an invite) says the language its views are in, as the
  // worker's pages do, before any of the page's own words are read (page/words.js reads <html lang>).
  // Its own words (index.html's elements marked data-words: the skip link) follow, as the worker's pages have them.
  if (!view.dataset.rendered) {
    const { language } = await ask({ type: 'language' });
    if (language && language !== document.documentElement.lang) {
      document.documentElement.lang = language;
      const words = await pageWords();
      for (const el of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-words]'))) {
        el.textContent = words(/** @type {string} */ (el.dataset.words));
      }
    }
  }
  // The screen renders again with what a run changed before the header says how it went, so the two never
  // disagree ("Synced" over an entry still "waiting to sync"); statuses keep their order.
  let shown = Promise.resolve();
  // The language changed (Settings, in this window or another): load again in it, unless this window holds unsaved
  // input (it then follows at its next page load) or is the one that chose (it loads again by itself: HX-Redirect).
  let choosing = false;
  document.addEventListener('submit', (event) => {
    if (/** @type {Element} */ (event.target).id === 'language-form') choosing = true;
  });
  document.addEventListener('htmx:after:swap', () => { choosing = false; }); // refused: the choice was not made
  navigator.serviceWorker.addEventListener('message', ({ data }) => {
    if (data?.type === 'language-changed' && !choosing && !unsavedInput()) location.reload();
  });
  navigator.serviceWorker.addEventListener('message', ({ data }) => {
    if (data?.type !== 'sync-status') return;
    const scopes = Array.isArray(data.changed) ? data.changed : [];
    shown = shown.then(() => (scopes.length ? refresher?.changed(scopes) : undefined)).catch(() => {})
      .then(() => {
        statusBar.status(data.status);
        liveWhenWanted();
      });
  });
  const invite = await takeInvite();
  // htmx arrives only now, so no element can send a request before the worker answers it.
  const { default: htmx } = await (early ?? import('/vendor/htmx.js'));
  await new Promise((resolve) => setTimeout(resolve)); // htmx initialises itself on the next task
  document.addEventListener('htmx:after:swap', focusView);
  const here = () => location.pathname + location.search;
  const storage = await startStorage({ view, refresh: () => htmx.ajax('GET', here(), { target: '#view' }) });
  wireForms(htmx, storage.changed);
  // The app lock (page/lock.js): the vault key held while unlocked, the screen hidden when the page is, the timers.
  startLock({ view, htmx, ask, refuse: failed, stopLive: () => changes.stop() }).catch(() => {});
  // Forms in progress kept as drafts in the worker, sealed (page/drafts.js); limited fields count, never cut.
  const refreshLimits = watchLimits(view);
  watchDrafts({ view, ask, refreshed: refreshLimits });
  // Reminders: "Turn on" subscribes with the browser's push service here (the page alone may ask for permission).
  watchReminders({ view, ask, reload: () => htmx.ajax('GET', '/app/reminders', { target: '#view' }) });
  watchPacer(view); // the breathing pacer runs on the page (page/pacer.js)
  watchSketches(view); // a sketch's drawing editor and its export (page/sketch.js)
  watchAttachments(view); // the voice recorder, the photo picker and the players (page/attachments.js)
  watchTimers(view); // the relaxation timer (page/timer.js)
  refresher = createRefresher({ view, htmx, unsaved: unsavedInput, after: document.getElementById('app-update') });
  // A device that had an account and whose storage the browser cleared says so, instead of a first start.
  if (storage.wiped && !invite) {
    await htmx.ajax('GET', '/app/storage/wiped', { target: '#view' });
  } else if (invite || !view.dataset.rendered) {
    // The worker rendered the first view into the page it answered the navigation with; else ask for it.
    // `/app` is the person's home screen, which the worker knows (Today for a client, Clients for a therapist).
    const path = invite ?? (location.pathname.startsWith('/app') ? location.pathname + location.search : '/app');
    await htmx.ajax('GET', path, { target: '#view' });
  }
  titleView();
  // A page that loads saying what a step did (a language change reloads the app on Settings) says it first.
  if (view.querySelector('.notice[role="status"][data-on-load]')) focusView({ target: view });
  document.documentElement.dataset.ready = 'true';
  offerUpdates(registration);
  navigator.serviceWorker.controller.postMessage({ type: 'status' });
  poke();
  window.addEventListener('online', () => {
    poke();
    liveWhenWanted();
  });
  window.addEventListener('offline', liveWhenWanted);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') poke();
    liveWhenWanted();
  });
  setInterval(poke, SYNC_EVERY_MS); // the fallback: the stream only makes changes arrive sooner
}

// Said in English when even the catalogue cannot be had (the words fall back to the key then).
start().catch(async () => {
  const words = (await pageWords())('app.startFailed');
  say(words === 'app.startFailed' ? 'Between could not start on this device. Reload the page to try again.' : words);
});
