/**
 * The page's own words (the draft notice, the counters of limited fields), from the message catalogue of the
 * language the worker renders the screens in: `<html lang>` of the page it answered, the browser's languages when
 * the plain shell is shown. Loaded once, from the worker's cache (sw.js precaches the catalogue in use).
 */

import { format, pickLanguage } from '../core/messages.js';

/** @typedef {(key: string, params?: Record<string, unknown>) => string} Words */

/** @type {Promise<Words>|null} */
let loading = null;

/** The page's words: a function of a key and its arguments. @returns {Promise<Words>} */
export function pageWords() {
  loading ??= (async () => {
    const { language, locale } = pickLanguage([document.documentElement.lang, ...navigator.languages].filter(Boolean));
    const response = await fetch(`/i18n/${language}.json`);
    if (!response.ok) throw new Error('no catalogue');
    const catalogue = await response.json();
    return /** @type {Words} */ ((key, params = {}) => {
      try {
        return format(catalogue, key, params, locale);
      } catch {
        return key; // one odd word rather than a failing page, as the worker does (core/messages.js)
      }
    });
  })().catch(() => {
    loading = null; // the next call tries again
    return /** @type {Words} */ ((key) => key);
  });
  return loading;
}
