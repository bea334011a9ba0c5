/** The app's local server inside the service worker: answers htmx requests from IndexedDB, as a web server would. */

import { createAccounts } from './account.js';
import { get, openDb } from '../data/db.js';
import { lockGeneration, readToken, unlockDevice } from '../data/device.js';
import { draftMessage } from './draft-messages.js';
import { onLocalChange } from '../data/entries.js';
import { splitShell, streamPage, withLanguage, withShellWords } from './full-page.js';
import { templateTable } from '../core/assignments.js';
import { kindTable } from '../core/kinds.js';
import { NO_LINES, readCrisisLines } from '../core/crisis-lines.js';
import { localiseKinds, localiseTemplates } from '../core/kind-words.js';
import { LANGUAGES, languageInUse, pickLanguage, SOURCE, text, useLanguage } from '../core/messages.js';
import { Router } from './router.js';
import { createLock, isLocked } from './lock.js';
import { createSharing } from './share.js';
import { createStorage } from './storage.js';
import { createSync } from './sync.js';
import { createUploads } from './uploads.js';
import { createReminders } from './reminders.js';
// The one import from engine/ into screens/ (web/test/layers.test.js): what the dispatcher serves is the features'.
import {
  FEATURES, accountMessages, entryPanel, failed, foreignRefused, lockMessages, notAllowed,
} from '../screens/features.js';

// The server's protections of its pages (server/web.py), copied from the cached shell onto every page this worker
// makes: the Content-Security-Policy must hold for the pages people actually see, not only the first load.
const PAGE_HEADERS = ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'Cross-Origin-Opener-Policy'];
const pageHeaders = (shell) => Object.fromEntries(PAGE_HEADERS.filter((h) => shell.headers.has(h))
  .map((h) => [h, shell.headers.get(h)]));

/**
 * The addresses a locked app still answers (docs/WEB.md "App lock"): the lock screen and its steps, and the crisis
 * lines, which must be one tap away even from the lock screen. Everything else shows the lock screen.
 * @param {string} path
 */
export const openWhileLocked = (path) => ['/app/lock', '/app/crisis'].some((open) => path === open
  || path.startsWith(`${open}/`));

/** Where a language's catalogue is served (web/i18n/). @param {string} language */
export const catalogueUrl = (language) => `/i18n/${language}.json`;

/**
 * The language the person reads: their setting if they chose one, else the browser's languages in order; the
 * first with a catalogue, English when none has one (core/messages.js pickLanguage).
 * @param {IDBDatabase} db
 */
export async function languageOf(db) {
  const settings = await get(db, 'meta', 'settings');
  return pickLanguage([settings?.language, ...(globalThis.navigator?.languages ?? [])].filter(Boolean));
}

/**
 * @param {{shell: () => Promise<Response>, kindsResponse: () => Promise<Response>,
 *   templatesResponse: () => Promise<Response>, catalogueResponse: (url: string) => Promise<Response>,
 *   keepCatalogue?: (url: string) => Promise<boolean>, onlyCatalogue?: (url: string) => Promise<void>,
 *   origin: string, notify: (status: object, scopes?: string[]) => void, freeCaches?: () => Promise<number>,
 *   tell?: (message: object) => Promise<void>, recover?: () => Promise<CryptoKey|null>,
 *   windows?: () => Promise<number>, crisisResponse?: () => Promise<Response|null>}} io
 *   how to reach the precached shell, kinds.json, templates.json and a language's catalogue (the worker passes its
 *   cache lookups), how to make sure a catalogue is kept for offline use (`keepCatalogue`: fetched into the cache if
 *   need be, false when it cannot be) and to keep no other (`onlyCatalogue`), this app's origin (the API's too), how
 *   to tell the pages the sync status (with what a run that ended changed), and how to drop the worker's cached files
 *   that are fetched again when needed (engine/storage.js freeSpace); `tell` a message to every open page (the lock's,
 *   a language change), `recover` the vault key the open pages hold and count the app's open `windows`
 *   (engine/lock.js); the kept copy of the crisis lines (sw.js: cached, refreshed behind it)
 */
/**
 * Whether a message's `source` may be handed the session token: a top-level window of this `origin` that this worker
 * controls (`controlled`: the ids of those windows). Not a dedicated worker a page started (it can message this
 * worker too), not a frame (the app is never framed: frame-ancestors 'none'), not a window this worker does not
 * control. @param {unknown} from the message event's `source` @param {string} origin @param {string[]} controlled
 */
export function ownWindow(from, origin, controlled) {
  const source = /** @type {{type?: unknown, frameType?: unknown, url?: unknown, id?: unknown}} */ (from ?? {});
  if (source.type !== 'window' || source.frameType !== 'top-level') return false;
  try {
    if (new URL(String(source.url)).origin !== origin) return false;
  } catch {
    return false;
  }
  return controlled.includes(String(source.id));
}

export function createLocalServer(io) {
  let env = null;

  /** The database, this device's unlocked keys and the kinds, made once per worker life. */
  function load() {
    if (env) return env;
    const loading = env = (async () => {
      // The kinds come from the cache while the database opens: a cold start waits for the slower of the two.
      const kinds = io.kindsResponse().then((response) => response.json());
      kinds.catch(() => {});
      const db = await openDb();
      // The database closed under us (deleted by another context, or the browser cleared the site's storage): the
      // next request opens it again instead of failing on a closed connection.
      const drop = () => { if (env === loading) env = null; };
      db.addEventListener('close', drop);
      db.addEventListener('versionchange', drop);
      const [me, settings] = await Promise.all([unlockDevice(db), get(db, 'meta', 'settings')]);
      // A therapist's device keeps the template library for offline use from its first start online.
      if (me.role === 'therapist') loadTemplates().catch(() => {});
      // kinds.json's words in the language in use (core/kind-words.js): every screen shows them as they are here.
      await loadLanguage().catch(() => {});
      return { db, me, settings: settings ?? { wording: 'activities' }, kinds: kindTable(localiseKinds(await kinds)) };
    })().catch((err) => {
      env = null; // let the next request try again
      throw err;
    });
    return loading;
  }

  // The therapist's template library (sync/templates.json), read on first use.
  let templates = null;
  function loadTemplates() {
    templates ??= io.templatesResponse().then(async (response) => {
      if (!response.ok) throw new Error('templates unavailable');
      const raw = await response.json();
      await loadLanguage().catch(() => {});
      return templateTable(localiseTemplates(raw));
    }).catch((err) => {
      templates = null;
      throw err;
    });
    return templates;
  }

  /**
   * The person's language in use (useLanguage) before anything is rendered, once per worker life and again after
   * the setting changes (`languages.changed`); its catalogue was precached with the shell (sw.js install), or kept
   * when it was chosen. If it cannot be read (offline, and the browser's language changed), the app's own English,
   * else any language this device keeps. The one in use is then the only catalogue kept (sw.js `onlyCatalogue`).
   */
  let language = null;
  function loadLanguage() {
    language ??= (async () => {
      const choice = await languageOf(await openDb());
      for (const code of new Set([choice.language, SOURCE, ...Object.keys(LANGUAGES)])) {
        const response = await io.catalogueResponse(catalogueUrl(code)).catch(() => null);
        if (!response?.ok) continue;
        useLanguage({ language: code, locale: code === choice.language ? choice.locale : code,
          catalogue: await response.json() });
        if (code === choice.language) await io.onlyCatalogue?.(catalogueUrl(code)).catch(() => {});
        return;
      }
      throw new Error('no catalogue');
    })().catch((err) => {
      language = null; // the next request tries again
      throw err;
    });
    return language;
  }

  /** The language setting's machinery (screens/more: the chooser in Settings). */
  const languages = {
    device: () => pickLanguage([...(globalThis.navigator?.languages ?? [])]).language,
    /** @param {string} code */
    keep: async (code) => {
      const url = catalogueUrl(code);
      if (io.keepCatalogue) return io.keepCatalogue(url).catch(() => false);
      return Boolean((await io.catalogueResponse(url).catch(() => null))?.ok);
    },
    changed: () => {
      language = null;
      // kinds.json's and the templates' words are kept localised (load, loadTemplates): made again in the new one.
      env = null;
      templates = null;
      // Every open window loads again in it (page/app.js), unless it holds unsaved input.
      io.tell?.({ type: 'language-changed' }).catch(() => {});
    },
  };

  const reset = () => { env = null; };
  const lock = createLock({ reset, tell: io.tell ?? (async () => {}), recover: io.recover ?? (async () => null),
    windows: io.windows });
  const accounts = createAccounts({ env: load, reset, origin: io.origin });
  // Attachments' blobs go up in the background; a push of a revision that names one waits for it.
  const uploads = createUploads({ load, sessionApi: accounts.sessionApi });
  const sync = createSync({
    env: load,
    uploads,
    api: async () => {
      const api = await accounts.sessionApi();
      return api && { api };
    },
    notify: (status, scopes) => {
      if (lockedNow()) return; // a run cut short by the lock says nothing
      io.notify(status, scopes);
      // A run that ended (it says what it changed): fire times and the badge follow what came in.
      if (['synced', 'waiting'].includes(/** @type {{state?: string}} */ (status).state)) background(reminders.refresh().catch(() => {}));
      // Saved when the run ends, not when the Sync screen is next drawn (a later run would replace them).
      background(account.keepWarnings(status).catch(() => {}));
    },
  });
  // Every local write is counted in the status at once and schedules a sync shortly after (debounced);
  // `background` keeps the worker alive for it.
  /** @type {(work: Promise<unknown>) => void} */
  let background = () => {};
  onLocalChange(() => {
    background(sync.edited().catch(() => {}));
    background(uploads.run()); // a new attachment starts up at once, before the sync that pushes its entry
    // Done means done: an answered day's fire time is withdrawn (the new set goes up without it).
    background(reminders.refresh().catch(() => {}));
    background(sync.soon());
  });
  const sharing = createSharing({ env: load, sessionApi: accounts.sessionApi, origin: io.origin,
    changed: () => background(sync.soon(100)) });

  const storage = createStorage({ load, sync, freeCaches: io.freeCaches });
  const reminders = createReminders({ load, sessionApi: accounts.sessionApi });

  /** The operator's crisis lines as the worker keeps them (io.crisisResponse); no key is read. */
  async function crisisLines() {
    const response = await io.crisisResponse?.().catch(() => null);
    if (!response?.ok) return NO_LINES;
    return readCrisisLines(await response.clone().json().catch(() => null));
  }

  /** @type {import('../screens/features.js').App} */
  const app = { load, sessionApi: accounts.sessionApi, origin: io.origin, templates: loadTemplates,
    changed: () => background(sync.soon(100)), accounts, sync, uploads, sharing, storage, reminders, panel: entryPanel(load),
    home, lock, crisisLines, languages };
  const router = new Router();
  for (const register of Object.values(FEATURES)) register(router, app);
  const account = accountMessages(app);
  const lockAsk = lockMessages(app);
  let lockedKnown = null;
  /** Whether the app is locked (engine/lock.js), remembered for the synchronous checks above. */
  const isAppLocked = async () => (lockedKnown = await lock.locked());
  function lockedNow() {
    // Once looked at, lock.js's own word: it says locked from the moment lockNow ran (a sync run cut short by it).
    return lockedKnown !== null && isLocked();
  }

  /**
   * The lock screen in place of what was asked, while the app is locked: no handler of the app runs, nothing is
   * decrypted or stored. For htmx, it replaces the whole view whatever the request targeted.
   */
  async function lockScreen(request, url) {
    const found = router.match('GET', '/app/lock');
    const screen = () => answer(request, new URL('/app/lock', url), found);
    if (request.mode === 'navigate') return (await wholePage(screen(), 200)) ?? io.shell();
    const response = await screen();
    const headers = new Headers(response.headers);
    headers.set('HX-Retarget', '#view');
    headers.set('HX-Reswap', 'innerHTML');
    headers.set('Cache-Control', 'no-store');
    return new Response(response.body, { status: response.status, headers });
  }

  /** Where the app opens (`/`, `/app`): a therapist's on their clients, anyone else's on Today. */
  async function home() {
    try {
      return (await load()).me.role === 'therapist' ? '/app/clients' : '/app/today';
    } catch {
      return '/app/today';
    }
  }

  async function answer(request, url, found) {
    if (found.methodNotAllowed) return notAllowed();
    const since = lockGeneration();
    try {
      await loadLanguage();
      const response = await found.handler({ request, url, params: found.params });
      // The app locked while this ran (audit F5): what it made is not handed out, the lock screen is.
      if (lockGeneration() !== since && isLocked() && !openWhileLocked(url.pathname)) return lockScreen(request, url);
      return response;
    } catch (err) {
      if (lockGeneration() !== since && isLocked() && !openWhileLocked(url.pathname)) return lockScreen(request, url);
      // Only the error's class: its message could echo something of an entry.
      console.error('between: handler failed', err?.name ?? 'error');
      return failed();
    }
  }

  /**
   * A page load (navigation) of an app address: the shell with its view rendered in, so the first paint already
   * shows it and the page needs no second round trip; htmx takes over for what follows. `/` and `/app` show the
   * person's home screen (`home`).
   * An invite or an unexpected shell gets the plain shell, which asks for its view itself. A view that fails is
   * the same "Something went wrong" screen htmx would have shown.
   * @param {Request} request
   */
  async function navigate(request) {
    const url = new URL(request.url);
    await lock.lockIfAlone().catch(() => {});
    lock.seen();
    if (!openWhileLocked(url.pathname) && await isAppLocked()) return lockScreen(request, url);
    if (url.pathname === '/' || url.pathname === '/app') url.pathname = await home();
    const found = url.pathname.startsWith('/app') ? router.match('GET', url.pathname) : null;
    if (!found?.handler) return plainShell();
    if (found.handler.download) return answer(request, url, found); // a file (export.js), not a page
    const shown = url.pathname !== new URL(request.url).pathname ? url.pathname + url.search : null;
    return (await wholePage(answer(request, url, found), 200, shown)) ?? plainShell();
  }

  /**
   * The shell without a view (an invite, which the page asks for itself), its `<html lang>` and its own words
   * (withShellWords) the language in use, so the page's own words (page/words.js) are in it too. As it is when no
   * language can be put in use.
   */
  async function plainShell() {
    const shell = await io.shell();
    try {
      await loadLanguage();
    } catch {
      return shell;
    }
    if (!shell.ok) return shell;
    const page = withShellWords(withLanguage(await shell.clone().text(), languageInUse()), text);
    return new Response(page, { status: shell.status,
      headers: { ...pageHeaders(shell), 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' } });
  }

  /**
   * The shell with a view (a promise of the handler's response) in it; null when the shell does not have the
   * expected shape. Streamed: the head goes out at once, so the stylesheet and app.js load while the view is
   * rendered (entries decrypted). no-store: the page holds decrypted content. `path`: the address of the view when
   * it is not the page's own (splitShell).
   */
  async function wholePage(rendering, status = 200, path = null) {
    const shell = await io.shell();
    const parts = shell.ok ? splitShell(await shell.clone().text(), path) : null;
    if (!parts) return null;
    await loadLanguage().catch(() => {}); // the view's language, which may have just changed (languages.changed)
    const words = languageInUse() ? text : null;
    parts.head = withShellWords(withLanguage(parts.head, languageInUse()), words);
    parts.tail = withShellWords(parts.tail, words);
    return new Response(streamPage(parts, rendering.then((view) => view.text())), {
      status, headers: { ...pageHeaders(shell), 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }

  /**
   * A form posted the ordinary way (before htmx took over): a refusal is shown in place, as a whole page with its
   * status, so its words are not lost; anything else redirects (303) to where htmx would have gone: the pushed
   * address, else the page the form was on, else the person's home screen.
   */
  async function plainPost(request, url, response) {
    if (response.status >= 400) {
      const page = await wholePage(Promise.resolve(response), response.status);
      if (page) return page;
    }
    let target = response.headers.get('HX-Push-Url');
    if (!target) {
      const from = request.referrer ? new URL(request.referrer) : null;
      target = from && from.origin === url.origin && from.pathname.startsWith('/app/') ? from.pathname : await home();
    }
    return Response.redirect(new URL(target, url).href, 303);
  }

  /** A navigation another site started that would make the app act: refused, nothing done. */
  async function foreign() {
    const refusal = foreignRefused();
    return (await wholePage(Promise.resolve(refusal), 403)) ?? refusal;
  }

  /**
   * The response for a same-origin request, or null when it is not the app's to answer. A navigation that would
   * change something (a form posted the ordinary way) or download a decrypted copy is answered only when
   * `fromAppPage()` says one of the app's own pages started it: any site can start a navigation into the app.
   * htmx's requests are not navigations: only pages this worker controls (the app's own) can send them here.
   * @param {Request} request @param {() => Promise<boolean>} [fromAppPage]
   */
  function handle(request, fromAppPage = async () => false) {
    const url = new URL(request.url);
    const found = router.match(request.method, url.pathname);
    if (!found) return null;
    return (async () => {
      // With no window open for the minutes, the app locks before anything is answered (engine/lock.js).
      await lock.lockIfAlone().catch(() => {});
      lock.seen();
      const acts = request.method !== 'GET' || found.handler?.download;
      if (request.mode === 'navigate' && acts && !(await fromAppPage())) return foreign();
      if (!openWhileLocked(url.pathname) && await isAppLocked()) return lockScreen(request, url);
      if (request.mode === 'navigate' && request.method === 'GET') return navigate(request);
      const response = await answer(request, url, found);
      if (request.headers.get('HX-History-Restore-Request') === 'true') {
        // htmx restores history by swapping this element of the answer over its own.
        const body = await response.text();
        return new Response(`<main id="view" tabindex="-1" hx-history-elt>${body}</main>`,
          { status: response.status, headers: response.headers });
      }
      if (!request.headers.get('HX-Request') && request.method === 'POST') return plainPost(request, url, response);
      return response;
    })();
  }

  /**
   * A message from a page: secrets for the account steps (answered on `port`), an invite link read from the
   * address bar, a form's draft (engine/draft-messages.js), or a nudge to sync. Returns a promise the worker keeps itself
   * alive for. `fromWindow` says whether the sender is one of the app's own windows (`ownWindow`): only such a window
   * is handed the session token.
   */
  async function message(data, port, fromWindow = async () => false) {
    await lock.lockIfAlone().catch(() => {});
    lock.seen();
    if (typeof data?.type === 'string' && data.type.startsWith('lock-')) {
      port?.postMessage(await lockAsk(data, await fromWindow()).catch(() => ({ ok: false })));
      return undefined;
    }
    // Locked: nothing that reads the device's keys runs (a sync, a draft, an account step, the session token).
    if (await isAppLocked()) {
      port?.postMessage({ ok: false, locked: true, token: null });
      return undefined;
    }
    switch (data?.type) {
      case 'draft':
        port?.postMessage(await draftMessage(load, data).catch(() => ({ ok: false })));
        return undefined;
      case 'sync':
        return sync.run();
      case 'status':
        return io.notify(sync.status());
      case 'language': // the plain shell's page asks which language the views are in (`<html lang>`)
        port?.postMessage({ language: await loadLanguage().then(languageInUse, () => null) });
        return undefined;
      case 'live-token':
        port?.postMessage({ token: (await fromWindow()) ? await liveToken(Boolean(data.renew)) : null });
        return undefined;
      case 'reminders-subscribe':
        // The page subscribed with the browser's push service (it alone can ask for permission): register it here.
        if (!(await fromWindow())) {
          port?.postMessage({ ok: false });
          return undefined;
        }
        port?.postMessage(await reminders.optIn(data.subscription).then(() => ({ ok: true }), () => ({ ok: false })));
        return undefined;
      case 'invite':
        try {
          sharing.setInvite(String(data.link ?? ''));
          port?.postMessage({ ok: true });
        } catch {
          port?.postMessage({ ok: false });
        }
        return undefined;
      default:
        port?.postMessage(await account.message(data));
        return undefined;
    }
  }

  /**
   * The session token for the page's change stream (web/js/page/live.js), or null when this device is not signed in.
   * The page holds the stream, not the worker: a browser stops an idle worker within seconds. The token goes only
   * into that request's Authorization header; `renew` after the server refused it (the device's key signs a new one).
   */
  async function liveToken(renew) {
    try {
      const { db, me } = await load();
      if (!me.session) return null;
      return renew ? await accounts.refresh() : await readToken(db);
    } catch {
      return null; // signed out, or the server cannot be reached: the page tries again later
    }
  }

  /**
   * A push arrived (sw.js): what the notification says, worked out here from this device's records; the push itself
   * holds only an opaque id. @param {any} data the push's JSON, or null
   */
  async function push(data) {
    await lock.lockIfAlone().catch(() => {}); // a push wakes the worker with no window open, maybe after the minutes
    await loadLanguage().catch(() => {});
    // Locked (asked of the lock, since a push may wake a fresh worker): the generic words, nothing read from this
    // device's records.
    return reminders.onPush(data, { locked: await isAppLocked().catch(() => true) });
  }

  return { handle, navigate, message, sync, lock, push, keepAlive: (fn) => { background = fn; } };
}
