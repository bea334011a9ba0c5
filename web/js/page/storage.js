/**
 * The page's side of this device's storage (the worker's is engine/storage.js):
 * - asking the browser to keep it (`navigator.storage.persist()`, which only windows have) at the moments it most
 *   likely will: once installed (at start in an installed app, and on `appinstalled`), once there are entries, and
 *   when an account was created; each moment once (a browser that asks the person, as Firefox does, is asked at
 *   most three times), and whenever the person presses "Ask the browser to keep it" in Settings;
 * - the marker that tells a device whose storage the browser cleared from a new one: a cookie, because browsers
 *   evict a site's storage (IndexedDB, caches, the worker) as a whole but keep its cookies (docs/SECURITY.md,
 *   "The marker cookie"). It is set while the device has an account and dropped when it has none any more;
 *   only at start does "marker set, no account, nothing stored" mean the storage went while the app was closed;
 * - the install button of the "only on this device" notice, where the browser offers its install prompt.
 */

// Over https the marker is a `__Host-` cookie: the browser then takes it only with Secure, Path=/ and no Domain, so no
// other host of the same site (a sibling subdomain, plain http) can set, replace or read it. That prefix needs Secure,
// which http://127.0.0.1 (development) cannot have: there the plain name, which is also read (and dropped) over
// https, where an older version of the app set it.
const MARKER = 'between-account';
const SECURE_MARKER = `__Host-${MARKER}`;
const MARKER_LIFE_S = 400 * 24 * 3600; // the longest a browser keeps a cookie (Chromium caps at 400 days)
const ASKED = 'between.persist.asked'; // localStorage: the moments already asked for (names only)

/** Whether `cookies` (document.cookie) hold a marker, under either name. @param {string} cookies */
export const markedIn = (cookies) => cookies.split(/;\s*/).some((c) => c === `${MARKER}=1` || c === `${SECURE_MARKER}=1`);

/**
 * The cookie strings that set (`on`) or drop the marker over `protocol`: over https the `__Host-` one, and the plain
 * name dropped; over http the plain name only. @param {string} protocol @param {boolean} on @returns {string[]}
 */
export function markerCookies(protocol, on) {
  const cookie = (name, set, secure) => `${name}=${set ? '1' : ''}; Path=/; Max-Age=${set ? MARKER_LIFE_S : 0}; `
    + `SameSite=Strict${secure ? '; Secure' : ''}`;
  if (protocol !== 'https:') return [cookie(MARKER, on, false)];
  return [cookie(SECURE_MARKER, on, true), cookie(MARKER, false, true)];
}

/** Whether this device had an account when the app last looked (the marker cookie). */
export const hadAccount = () => markedIn(document.cookie);

/**
 * Set or drop the marker. The browser sends it with every request to this server the worker does not answer (the
 * API, the first load): it tells the server only that this browser has had an account here (docs/SECURITY.md).
 */
function mark(on) {
  for (const cookie of markerCookies(location.protocol, on)) document.cookie = cookie;
}

function asked() {
  try {
    const list = JSON.parse(localStorage.getItem(ASKED) ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** Whether this page runs as an installed app (its own window, from the home screen or the app list). */
const installed = () => ['standalone', 'fullscreen', 'minimal-ui'].some((mode) => matchMedia(`(display-mode: ${mode})`).matches)
  || /** @type {{standalone?: boolean}} */ (navigator).standalone === true;

/** @typedef {{records: number, onlyHere: number, account: boolean, persisted: boolean|null}} PageState */

/** The worker's answer to GET /app/storage/state, or null (not controlled yet, or the answer was not the state). */
async function readState() {
  try {
    const response = await fetch('/app/storage/state', { cache: 'no-store' });
    if (!response.ok || !response.headers.get('Content-Type')?.startsWith('application/json')) return null;
    return /** @type {PageState} */ (await response.json());
  } catch {
    return null;
  }
}

/**
 * Start the page's storage work. Returns whether the storage went while the app was closed (a device that had an
 * account and holds nothing now), for the page to show /app/storage/wiped instead of the first start, and
 * `changed(moment)` to call after something that may change the state (a save, an account made or left).
 * @param {{view: HTMLElement, refresh: () => unknown}} page `refresh` draws the current screen again
 * @returns {Promise<{wiped: boolean, changed: (moment?: string) => Promise<void>}>}
 */
export async function startStorage({ view, refresh }) {
  /** @type {any} the browser's install prompt, kept for the notice's button (Chromium's beforeinstallprompt) */
  let installPrompt = null;

  /** Ask the browser to keep the storage, once per moment (`moment` null: the person asked, always). */
  async function ask(moment) {
    const storage = navigator.storage;
    if (!storage?.persist) return false;
    if (await storage.persisted?.().catch(() => false)) return true;
    if (moment) {
      const done = asked();
      if (done.includes(moment)) return false;
      try {
        localStorage.setItem(ASKED, JSON.stringify([...done, moment]));
      } catch {
        // not remembered: asked again at this moment next time, which is no harm
      }
    }
    const granted = await storage.persist().catch(() => false);
    // Kept now: the notice has nothing more to say.
    if (granted) for (const el of view.querySelectorAll('[data-storage-notice]')) el.remove();
    return granted;
  }

  /** Keep the marker and the asking in step with the state. @param {PageState|null} state */
  function settle(state) {
    if (!state) return;
    mark(state.account);
    if (state.records > 0) ask('entries');
  }

  const revealInstall = () => {
    for (const button of view.querySelectorAll('[data-install]')) button.toggleAttribute('hidden', !installPrompt);
  };

  const changed = async (moment = null) => {
    if (moment === 'account') ask('account');
    settle(await readState());
  };

  window.addEventListener('appinstalled', () => {
    installPrompt = null;
    revealInstall();
    ask('installed');
  });
  window.addEventListener('beforeinstallprompt', (event) => {
    installPrompt = event;
    revealInstall();
  });
  document.addEventListener('htmx:after:swap', (event) => {
    revealInstall();
    // After a save (or any other change): the first entries are a moment to ask; an account made or gone moves the
    // marker. Reading a screen changes nothing.
    const method = /** @type {CustomEvent} */ (event).detail?.ctx?.request?.method;
    if (method && method !== 'GET') changed();
  });
  document.addEventListener('click', (event) => {
    const target = /** @type {Element} */ (event.target);
    if (target.closest?.('[data-install]') && installPrompt) {
      installPrompt.prompt();
      installPrompt = null;
      revealInstall();
    } else if (target.closest?.('[data-persist]')) {
      ask(null).then(() => refresh());
    } else if (target.closest?.('[data-storage-marker="clear"]')) {
      mark(false);
    }
  });

  if (installed()) ask('installed');
  const reading = readState();
  if (!hadAccount()) {
    reading.then(settle); // nothing to tell at start: the app need not wait for it
    return { wiped: false, changed };
  }
  // The marker says this device had an account; the worker finds none and nothing stored: the browser cleared the
  // storage while the app was closed. The marker stays until the person signs in again or starts without.
  const state = await reading;
  const wiped = Boolean(state && !state.account && !state.records);
  if (!wiped) settle(state);
  return { wiped, changed };
}
