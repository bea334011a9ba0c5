/**
 * Whether this browser can run Between, checked at every start before anything is registered or stored: when a
 * piece is missing, a plain page names it and what to use instead, never a half-working app. And the service
 * worker registered as a module where the browser can, else as the classic bundle (/sw-classic.js, built by
 * tools/build.js). docs/WEB.md "Browsers" lists each capability with the versions that have it (MDN's data).
 */

// The oldest versions with everything Between needs (Ed25519 decides for Chrome and Firefox, Ed25519 and
// estimate() for Safari). Firefox below 147 runs the classic worker. docs/WEB.md "Browsers".
export const MINIMUM = Object.freeze({ firefox: 130, chrome: 137, safari: 17 });

// PKCS#8 of a fixed test seed, the way core/crypto.js imports every key of the app (RFC 8410 prefixes).
const ED25519_PKCS8 = '302e020100300506032b657004220420';
const X25519_PKCS8 = '302e020100300506032b656e04220420';
const pkcs8 = (prefix) => Uint8Array.from([...prefix.match(/../g).map((h) => parseInt(h, 16)), ...new Uint8Array(32).fill(7)]);

async function works(check) {
  try {
    return Boolean(await check());
  } catch {
    return false;
  }
}

/** Ed25519 as the app uses it: imported from a seed and generated (a device's session key), then signing. */
const ed25519 = (subtle) => works(async () => {
  const data = new Uint8Array(1);
  const key = await subtle.importKey('pkcs8', pkcs8(ED25519_PKCS8), { name: 'Ed25519' }, false, ['sign']);
  const pair = /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']));
  await subtle.sign('Ed25519', key, data);
  return subtle.verify('Ed25519', pair.publicKey, await subtle.sign('Ed25519', pair.privateKey, data), data);
});

/** X25519 as HPKE uses it: a key from a seed agreeing with a generated one. */
const x25519 = (subtle) => works(async () => {
  const key = await subtle.importKey('pkcs8', pkcs8(X25519_PKCS8), { name: 'X25519' }, false, ['deriveBits']);
  const other = /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']));
  const bits = await subtle.deriveBits(/** @type {any} */ ({ name: 'X25519', public: other.publicKey }), key, 256);
  return bits.byteLength === 32;
});

/** Dates, numbers (sizes in units), plural rules and lists in the person's language. */
const intl = () => works(() => typeof Intl === 'object' && Intl.PluralRules && Intl.ListFormat && Intl.DateTimeFormat
  && new Intl.NumberFormat('en', { style: 'unit', unit: 'megabyte' }).format(1));

/**
 * What this browser lacks of what Between needs, by name (the keys of the `browser.missing.*` messages); empty when
 * nothing. Module service workers are not on the list: the classic worker stands in for them.
 * @returns {Promise<string[]>}
 */
export async function missingCapabilities() {
  if (!window.isSecureContext) return ['secure'];
  const missing = [];
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker) missing.push('serviceWorker');
  if (typeof indexedDB === 'undefined' || !indexedDB) missing.push('indexedDB');
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) missing.push('webCrypto');
  else {
    const [ed, x] = await Promise.all([ed25519(subtle), x25519(subtle)]);
    if (!ed) missing.push('signing'); // Ed25519
    if (!x) missing.push('keyAgreement'); // X25519
  }
  if (!(await intl())) missing.push('intl');
  return missing;
}

// The last resort when not even a catalogue can be read (offline before the app was ever stored here).
const NO_WORDS = 'Between cannot run in this browser. Please open it in a current version of Firefox, Chrome, Edge or '
  + 'Safari.';

/** The words of the catalogue for the browser's languages (English if it has none), or null when unreadable. */
async function words() {
  try {
    const { format, pickLanguage, SOURCE } = await import('../core/messages.js');
    const choice = pickLanguage(navigator.languages ?? [navigator.language]);
    for (const code of new Set([choice.language, SOURCE])) {
      const response = await fetch(`/i18n/${code}.json`).catch(() => null);
      if (!response?.ok) continue;
      const catalogue = await response.json();
      const locale = code === choice.language ? choice.locale : code;
      return (key, params = {}) => format(catalogue, key, params, locale);
    }
  } catch {
    // below: the last resort
  }
  return null;
}

/**
 * The plain page for a browser that cannot run Between: what is missing, in words, and what to use instead. Built
 * with DOM calls into #view (no markup from strings); the rest of the page's start never runs.
 * @param {string[]} missing names from missingCapabilities
 */
export async function showUnsupported(missing) {
  const view = document.getElementById('view');
  const say = await words();
  const make = (tag, text, attributes = {}) => {
    const el = document.createElement(tag);
    el.textContent = text;
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    return el;
  };
  if (!say) {
    view.replaceChildren(make('p', NO_WORDS, { role: 'alert' }));
    return;
  }
  const list = document.createElement('ul');
  for (const name of missing) list.append(make('li', say(`browser.missing.${name}`), { 'data-missing': name }));
  const section = make('section', '', { 'aria-labelledby': 'unsupported-title', class: 'unsupported' });
  section.append(make('h1', say('browser.unsupported.heading'), { id: 'unsupported-title', tabindex: '-1' }),
    make('p', say('browser.unsupported.lead')), list,
    make('p', say('browser.unsupported.instead', MINIMUM)),
    make('p', say('browser.unsupported.nothing'), { class: 'hint' }));
  view.replaceChildren(section);
  document.title = say('browser.unsupported.heading');
  section.querySelector('h1').focus();
}

// The classic bundle of sw.js and everything it imports, for browsers without module service workers.
export const CLASSIC_WORKER = '/sw-classic.js';

/**
 * Register the service worker: the module one where the browser runs module workers (and no classic one runs here
 * already), else the classic bundle. A browser without module service workers refuses the first (Firefox before
 * 147): it fails to evaluate `import`, or refuses the type outright. Registering what already runs changes nothing.
 * @returns {Promise<ServiceWorkerRegistration>}
 */
export async function registerWorker() {
  const container = navigator.serviceWorker;
  const current = await container.getRegistration('/').catch(() => undefined);
  const classic = [current?.installing, current?.waiting, current?.active]
    .some((worker) => worker && new URL(worker.scriptURL).pathname === CLASSIC_WORKER);
  if (!classic) {
    try {
      return await container.register('/sw.js', { type: 'module', scope: '/' });
    } catch {
      // no module service workers here: the classic bundle below
    }
  }
  return container.register(CLASSIC_WORKER, { scope: '/' });
}
