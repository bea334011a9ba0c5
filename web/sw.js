/** The service worker: lifecycle only (precache the shell, drop old caches) and dispatch to the local server. */

import { pickLanguage } from '/js/core/messages.js';
import { catalogueUrl, createLocalServer, ownWindow } from '/js/engine/local-server.js';

// The global scope as what it is here: the WebWorker types know `self` only as some worker's.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

// Made from the content, never by hand: the server puts in place of the mark a hash of every file it serves the
// app (server/web.py worker_script), so any change to any of them is a new version with a new cache name (a fresh
// precache; activate deletes every other between-shell-* cache), and the same files keep the same name.
const VERSION = '__SHELL_VERSION__';
const CACHE = `between-shell-${VERSION}`;

// What the page needs to start offline. The worker's own modules are kept by the browser with the worker.
// Argon2 (js/page/argon2.js, js/page/kdf-worker.js, vendor/argon2.js) is not here: only signup and sign-in need it,
// and both are online; LAZY below caches it on first use.
const SHELL = [
  '/',
  '/css/app.css',
  '/js/page/app.js',
  '/js/page/browser.js',
  '/js/page/storage.js',
  '/js/page/strength.js',
  '/js/page/drafts.js',
  '/js/page/field-limits.js',
  '/js/page/pacer.js',
  '/js/core/pacer.js',
  '/js/page/timer.js',
  '/js/core/timer.js',
  '/js/page/sketch.js',
  '/js/core/sketch.js',
  '/js/page/attachments.js',
  '/js/page/attach-form.js',
  '/js/page/recorder.js',
  '/js/page/webm.js',
  '/js/page/photos.js',
  '/js/core/bytes.js',
  '/js/page/words.js',
  '/js/page/live.js',
  '/js/page/refresh.js',
  '/js/page/reminders.js',
  '/js/page/status-bar.js',
  '/js/page/lock.js',
  '/js/core/messages.js',
  '/js/core/sync-status.js',
  '/js/core/dates.js',
  '/vendor/htmx.js',
  '/kinds.json',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];

// Fetched when first needed, then kept with the shell (same cache, so a new version drops them too).
// The template library only a therapist's app reads: fetched once online, then kept for offline use.
// The account forms' code (js/page/account-forms.js) loads when one is first submitted, as Argon2 does.
// A message catalogue (/i18n/*.json) other than the precached one is kept the same way once a language is chosen
// (then it is the only one kept: onlyCatalogue).
// The app lock's forms (js/page/lock-forms.js, js/core/lock.js) and Argon2 are kept across updates once fetched
// (`carried`): a locked device must unlock offline after an update too.
const LAZY = new Set(['/templates.json', '/js/page/account-forms.js', '/js/page/argon2.js', '/js/page/kdf-worker.js',
  '/vendor/argon2.js', '/js/core/crypto.js', '/js/core/errors.js', '/js/core/layout.js',
  '/js/page/lock-forms.js', '/js/core/lock.js']);
// What "Free space" keeps while an app lock is set: unlocking with a PIN or passphrase needs Argon2 offline.
const LOCK_NEEDS = new Set(['/js/page/lock-forms.js', '/js/core/lock.js', '/js/page/argon2.js',
  '/js/page/kdf-worker.js', '/vendor/argon2.js', '/js/core/crypto.js', '/js/core/bytes.js', '/js/core/errors.js',
  '/js/core/layout.js']);

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // An update skips the HTTP cache ('reload'), so a new version never precaches a stale file. A first install
    // takes what the page has just loaded from the HTTP cache instead of fetching it all a second time.
    const mode = sw.registration.active ? 'reload' : 'default';
    await cache.addAll([...SHELL, ...await catalogues()].map((path) => new Request(path, { cache: mode })));
    // What the running version had fetched for the app lock comes along (fresh from the network, as the shell).
    await Promise.all((await carried()).map((path) => cache.add(new Request(path, { cache: mode })).catch(() => {})));
    // The crisis lines, so the safety plan and the crisis page show them offline from the start. Not a condition of
    // the install: a server that cannot answer now leaves them to the next time the plan or the page is opened.
    await refreshCrisisLines().catch(() => {});
    // No skipWaiting here: an update waits until the person chooses it (the page offers it) or every window
    // of the app has closed, so a new worker never takes over a page mid-edit.
  })());
});

/**
 * The message catalogue to precache: only the language in use is ever fetched (web/i18n/ holds them all). The one
 * the running version keeps (the language in use: the local server keeps no other, onlyCatalogue), so an update
 * starts offline in the same language; on a first install, the browser's language. IndexedDB, where the setting is,
 * is not opened here: a new version's schema upgrade must wait until it takes over.
 */
async function catalogues() {
  const urls = new Set();
  for (const name of await caches.keys()) {
    if (!name.startsWith('between-shell-') || name === CACHE) continue;
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname;
      if (path.startsWith('/i18n/')) urls.add(path);
    }
  }
  if (!urls.size) urls.add(catalogueUrl(pickLanguage(sw.navigator.languages).language));
  return [...urls];
}

/**
 * A chosen language's catalogue kept with the shell for offline use: from this version's cache, or fetched into it
 * now (awaited, so the choice holds offline at once). False when it is not here and cannot be fetched.
 * @param {string} url
 */
async function keepCatalogue(url) {
  const cache = await caches.open(CACHE);
  if (await cache.match(url)) return true;
  const response = await fetch(url).catch(() => null);
  if (!response?.ok) return false;
  await cache.put(url, response);
  return true;
}

/** Keep no catalogue but the one in use (a language chosen before is fetched again if chosen again). @param {string} url */
async function onlyCatalogue(url) {
  const cache = await caches.open(CACHE);
  if (!(await cache.match(url))) return; // never drop the one a device offline could fall back on
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/i18n/') && path !== url) await cache.delete(request);
  }
}

/** The files of LOCK_NEEDS that an older version of the app had cached (the lock was used here). */
async function carried() {
  const urls = new Set();
  for (const name of await caches.keys()) {
    if (!name.startsWith('between-shell-') || name === CACHE) continue;
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname;
      if (LOCK_NEEDS.has(path)) urls.add(path);
    }
  }
  return [...urls];
}

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('between-shell-') && name !== CACHE) await caches.delete(name);
    }
    // Take the page that registered us now: the page holds every click until a worker controls it. After an
    // update the person asked for, the pages that asked reload themselves; the others keep their view.
    await sw.clients.claim();
  })());
});

// This version's own cache first: while an update waits, the next version's cache exists too.
const own = async (request) => (await caches.open(CACHE)).match(request, { ignoreSearch: true });
const shell = async () => (await own('/')) ?? fetch('/');

/**
 * Tell every open page the sync status (the words are made there, in an aria-live region) and which data the run
 * that ended changed (each page renders its screen again if it shows any of it, then shows the status).
 */
async function notify(status, scopes = []) {
  for (const client of await sw.clients.matchAll({ type: 'window' })) {
    client.postMessage({ type: 'sync-status', status, changed: scopes });
  }
}

/**
 * "Free space" (engine/storage.js): drop the files cached on first use that are fetched again when next needed (the
 * account forms' code and Argon2, needed online only). The template library stays: a therapist's app works offline
 * with it. Returns how many went.
 */
async function freeCaches() {
  const cache = await caches.open(CACHE);
  const locking = await local.lock.configured().catch(() => true);
  let freed = 0;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (locking && LOCK_NEEDS.has(path)) continue;
    if (LAZY.has(path) && path !== '/templates.json' && await cache.delete(request)) freed += 1;
  }
  return freed;
}

// The operator's crisis lines (GET /api/v1/crisis-lines: public, the same for everyone), kept in a cache of their
// own that outlives versions of the app: a person in distress must find them offline, after any update.
const CRISIS_CACHE = 'between-crisis-lines';
const CRISIS_URL = '/api/v1/crisis-lines';

/** Ask the server for the crisis lines (revalidated by their ETag) and keep the answer; throws when it cannot. */
async function refreshCrisisLines() {
  const response = await fetch(CRISIS_URL, { credentials: 'omit', cache: 'no-cache', signal: AbortSignal.timeout(8000) });
  if (!response.ok) throw new Error('crisis lines unavailable');
  await (await caches.open(CRISIS_CACHE)).put(CRISIS_URL, response.clone());
  return response;
}

/** The kept copy at once (refreshed behind it), else the server's answer; null when there is neither. */
async function crisisResponse() {
  const kept = await (await caches.open(CRISIS_CACHE)).match(CRISIS_URL);
  const fresh = refreshCrisisLines();
  if (kept) {
    fresh.catch(() => {});
    return kept;
  }
  return fresh.catch(() => null);
}

const local = createLocalServer({
  shell,
  freeCaches,
  kindsResponse: async () => (await own('/kinds.json')) ?? fetch('/kinds.json'),
  templatesResponse: () => cacheFirst(new Request('/templates.json')),
  catalogueResponse: (url) => cacheFirst(new Request(url)),
  keepCatalogue,
  onlyCatalogue,
  crisisResponse,
  origin: sw.location.origin,
  notify,
  tell,
  recover,
  windows: async () => (await appWindows()).length,
});

/** The app's open top-level windows (the only ones told of the lock or asked for its key). */
async function appWindows() {
  return (await sw.clients.matchAll({ type: 'window' }))
    .filter((client) => client.frameType === 'top-level' && new URL(client.url).origin === sw.location.origin);
}

/**
 * A message to every open window of the app: the lock's (engine/lock.js: locked, or unlocked with the vault key), a
 * language change (the windows load again in it).
 */
async function tell(message) {
  for (const client of await appWindows()) client.postMessage(message);
}

/**
 * The vault key from an open window of the app that holds it (the browser restarted this worker while the app was
 * unlocked), or null: each window answers at once, with the key or without; a window that does not answer within
 * half a second is not waited for.
 */
async function recover() {
  const windows = await appWindows();
  if (!windows.length) return null;
  return new Promise((resolve) => {
    let left = windows.length;
    const timer = setTimeout(() => resolve(null), 500);
    for (const client of windows) {
      const channel = new MessageChannel();
      channel.port1.onmessage = ({ data }) => {
        if (data?.key instanceof CryptoKey) {
          clearTimeout(timer);
          resolve(data.key);
        } else if (--left === 0) {
          clearTimeout(timer);
          resolve(null);
        }
      };
      client.postMessage({ type: 'lock-key?' }, [channel.port2]);
    }
  });
}

// Work started by a request (a sync after an edit) that the worker must stay alive for.
let background = Promise.resolve();
local.keepAlive((promise) => { background = promise.catch(() => {}); });

sw.addEventListener('message', (event) => {
  if (event.origin && event.origin !== sw.location.origin) return;
  // Sent to a waiting worker by the page when the person chose "Update now" (and no form holds unsaved input).
  if (event.data?.type === 'update-now') {
    event.waitUntil(sw.skipWaiting());
    return;
  }
  if (event.data?.type === 'version') {
    event.ports[0]?.postMessage(VERSION);
    return;
  }
  event.waitUntil(local.message(event.data, event.ports[0], () => fromControlledWindow(event)).catch(() => {}));
});

/** Whether a message came from a top-level window of this app that this worker controls (engine's `ownWindow`). */
async function fromControlledWindow(event) {
  const windows = await sw.clients.matchAll({ type: 'window' }); // without includeUncontrolled: the controlled ones
  return ownWindow(event.source, sw.location.origin, windows.map((client) => client.id));
}

async function cacheFirst(request) {
  const cached = (await own(request)) ?? (await caches.match(request, { ignoreSearch: true }));
  if (cached) return cached;
  try {
    const response = await fetch(request);
    const path = new URL(request.url).pathname;
    if (response.ok && (LAZY.has(path) || path.startsWith('/i18n/'))) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
    }
    return response;
  } catch {
    return new Response('Offline, and this file is not on the device.',
      { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
}

/**
 * Whether a request was started by one of this app's own pages. A navigation reaches this worker from anywhere:
 * another site can send the person's browser here with a form or a link, and only the app's pages may make the
 * app act on it (change something, or write a decrypted copy to disk). Both same-origin and cross-site form posts
 * carry `Origin: null` (the page's referrer policy is no-referrer), so the initiating client is what tells them
 * apart.
 */
async function fromAppPage(event) {
  if (!event.clientId) return false;
  const client = await sw.clients.get(event.clientId);
  return Boolean(client) && new URL(client.url).origin === sw.location.origin;
}

/**
 * A reminder (docs/WEB.md "Reminders"): the push holds an opaque id only; what is due, and so what the notification
 * says, comes from this device's records. Every push shows a notification (browsers require it of a visible
 * subscription; a generic one when the id is unknown here).
 */
sw.addEventListener('push', (event) => {
  let data = null;
  try {
    data = event.data?.json() ?? null;
  } catch {
    data = null;
  }
  event.waitUntil(local.push(data).then((shown) => sw.registration.showNotification(shown.title, {
    body: shown.body, tag: shown.tag, data: { url: shown.url }, icon: '/icons/icon-192.png', badge: '/icons/icon-192.png',
  })));
});

/** Tapping a reminder opens its activity: in a window of the app if one is open, else a new one. */
sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const asked = new URL(String(event.notification.data?.url ?? '/app/today'), sw.location.origin);
  const url = asked.origin === sw.location.origin && asked.pathname.startsWith('/app/') ? asked.href
    : new URL('/app/today', sw.location.origin).href;
  event.waitUntil((async () => {
    const [open] = await sw.clients.matchAll({ type: 'window' });
    if (open) {
      await open.focus();
      return open.navigate(url);
    }
    return sw.clients.openWindow(url);
  })());
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/')) return; // the network's business
  const answer = local.handle(request, () => fromAppPage(event));
  if (answer) {
    event.respondWith(answer);
    event.waitUntil(answer.then(() => background, () => {}));
  } else if (request.mode === 'navigate'
      && (url.pathname === '/' || url.pathname === '/invite' || url.pathname.startsWith('/app'))) {
    event.respondWith(local.navigate(request));
  } else if (request.method === 'GET') {
    event.respondWith(cacheFirst(request));
  }
});
