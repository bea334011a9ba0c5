/**
 * The page's own words (the draft notice, the counters of limited fields, the sync status, the live screens'
 * notice), from the message catalogue of the language the worker renders the screens in: `<html lang>` of the page
 * it answered, the browser's languages when the plain shell is shown. Loaded once, from the worker's cache (sw.js
 * precaches the catalogue in use).
 */

import { format, pickLanguage, useLanguage } from '../core/messages.js';

/** @typedef {(key: string, params?: Record<string, unknown>) => string} Words */

/** @type {Promise<Words>|null} */
let loading = null;

/**
 * The language of the page's words and the locale to format with: the language the worker renders in (`<html lang>`),
 * formatted in the browser's own variant of it when it has one (`en` screens read "19:16" in an `en-GB` browser, as
 * the worker's dates do), else the browser's first language with a catalogue.
 * @param {string} lang @param {readonly string[]} languages
 */
export function pageLocale(lang, languages) {
  const browser = pickLanguage(languages.filter(Boolean));
  return lang && browser.language !== lang ? pickLanguage([lang]) : browser;
}

/** The page's words: a function of a key and its arguments. @returns {Promise<Words>} */
export function pageWords() {
  loading ??= (async () => {
    const { language, locale } = pageLocale(document.documentElement.lang, navigator.languages);
    const response = await fetch(`/i18n/${language}.json`);
    if (!response.ok) throw new Error('no catalogue');
    const catalogue = await response.json();
    // The core modules the page loads (core/sync-status.js) word things through the catalogue in use, as in the worker.
    useLanguage({ language, locale, catalogue });
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
