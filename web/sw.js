/** The service worker: lifecycle only (precache the shell, drop old caches) and dispatch to the local server. */

import { createLocalServer } from '/js/local-server.js';

// Bump on every change to the shell list or any file in it: the new name makes a fresh precache,
// and activate deletes every other between-shell-* cache.
const VERSION = '2026-11-26.2';
const CACHE = `between-shell-${VERSION}`;

// What the page needs to start offline. The worker's own modules are kept by the browser with the worker.
const SHELL = [
  '/',
  '/css/app.css',
  '/js/app.js',
  '/js/strength.js',
  '/js/sync-status.js',
  '/js/argon2.js',
  '/js/kdf-worker.js',
  '/vendor/argon2.js',
  '/vendor/htmx.js',
  '/kinds.json',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache, so a new version never precaches a stale file.
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('between-shell-') && name !== CACHE) await caches.delete(name);
    }
    // Take the page that registered us now: the page holds every click until a worker controls it.
    await self.clients.claim();
  })());
});

const shell = async () => (await caches.match('/')) ?? fetch('/');

/** Tell every open page the sync status (the words are made there, in an aria-live region). */
async function notify(status) {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'sync-status', status });
}

const local = createLocalServer({
  shell,
  kindsResponse: async () => (await caches.match('/kinds.json')) ?? fetch('/kinds.json'),
  origin: self.location.origin,
  notify,
});

// Work started by a request (a sync after an edit) that the worker must stay alive for.
let background = Promise.resolve();
local.keepAlive((promise) => { background = promise.catch(() => {}); });

self.addEventListener('message', (event) => {
  if (event.origin && event.origin !== self.location.origin) return;
  event.waitUntil(local.message(event.data, event.ports[0]).catch(() => {}));
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  try {
    return await fetch(request);
  } catch {
    return new Response('Offline, and this file is not on the device.',
      { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return; // the network's business
  const answer = local.handle(request);
  if (answer) {
    event.respondWith(answer);
    event.waitUntil(answer.then(() => background, () => {}));
  } else if (request.mode === 'navigate'
      && (url.pathname === '/' || url.pathname === '/invite' || url.pathname.startsWith('/app'))) {
    event.respondWith(shell());
  } else if (request.method === 'GET') {
    event.respondWith(cacheFirst(request));
  }
});
