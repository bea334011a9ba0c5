/**
 * Facts about the browser's storage that both realms need, pure: which errors mean "the device is full", where the
 * 7-day rule applies, when entries are at risk, and sizes in words (Intl, in the locale of the language in use).
 * The page asks for persistence (page/storage.js); the worker tells the state (engine/storage.js); docs/WEB.md
 * "Storage on this device".
 */

import { localeInUse } from './messages.js';

/**
 * Whether an error says a write was refused for lack of space. Browsers name it differently: the standard
 * `QuotaExceededError` (a DOMException, or its own class in newer engines; legacy code 22), Firefox's old
 * `NS_ERROR_DOM_QUOTA_REACHED` (code 1014), and Chromium's IndexedDB on a full disk, which has aborted transactions
 * with an `UnknownError` naming the disk or the quota. An aborted transaction's `AbortError` is not one: the cause is
 * on the transaction (`tx.error`), which data/db.js `write` rejects with.
 * @param {unknown} err
 */
export function isQuotaError(err) {
  if (!err || typeof err !== 'object') return false;
  const { name, code, message } = /** @type {{name?: unknown, code?: unknown, message?: unknown}} */ (err);
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (code === 22 || code === 1014) return true;
  return name === 'UnknownError' && /quota|disk|space/i.test(String(message ?? ''));
}

/**
 * Whether this browser deletes a site's storage after 7 days of use without a visit (WebKit's tracking prevention):
 * Safari on a Mac, and every browser on iPhone and iPad (all of them are WebKit there). Not for an app added to the
 * Home Screen or the Dock, which the screens tell apart with CSS (`display-mode`), not here.
 * @param {string} ua navigator.userAgent
 */
export function sevenDayRule(ua) {
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return true;
  return /Macintosh/.test(ua) && /Version\/[\d.]+.*Safari\//.test(ua) && !/Chrom|Edg|OPR|Firefox|FxiOS/.test(ua);
}

/**
 * @typedef {object} StorageState what engine/storage.js `state` reads
 * @property {number} records own records on this device (entries and the rest, deleted ones too)
 * @property {number} onlyHere how many of them the server does not have: all without an account, else the unsynced
 * @property {boolean} account this device has (or had, signed out) an account
 * @property {boolean|null} persisted whether the browser promised to keep the storage; null when it does not say
 * @property {{used: number, quota: number}|null} usage bytes in use and available to the app; null when unknown
 * @property {boolean} dismissed the person put the notice on the home screen away
 * @property {boolean} sevenDays this browser applies the 7-day rule (sevenDayRule)
 */

/**
 * Whether something exists only on this device, which the browser may drop: there is something the server does not
 * have, and the browser did not promise to keep the storage. A browser that does not say counts as not promising.
 * @param {Pick<StorageState, 'onlyHere'|'persisted'>} state
 */
export const atRisk = (state) => state.onlyHere > 0 && state.persisted !== true;

/** Whether the home screen shows the notice: at risk, and not put away yet. @param {StorageState} state */
export const noticeDue = (state) => atRisk(state) && !state.dismissed;

const UNITS = /** @type {const} */ ([['gigabyte', 1e9], ['megabyte', 1e6], ['kilobyte', 1e3]]);
const sizes = new Map();

/**
 * A size for people ("1.2 MB", "10.7 GB", "0.5 kB"), in decimal units as file managers and browsers show them, in the locale
 * of the language in use. @param {number} bytes
 */
export function sizeWords(bytes) {
  const [unit, scale] = UNITS.find(([, s]) => bytes >= s) ?? UNITS[2]; // under a kilobyte: "0.5 kB", never bytes
  const locale = localeInUse();
  const key = `${locale}|${unit}`;
  let format = sizes.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });
    sizes.set(key, format);
  }
  return format.format(bytes / scale);
}
