/**
 * The page's own words: the catalogue of the language the worker renders in, put in use in this realm too, so
 * the header and the notices the page writes itself say what the screens say (docs/WEB.md "Messages and languages").
 */

import { pickLanguage, SOURCE, useLanguage } from '../core/messages.js';

let ready = null;

/**
 * Load and use the catalogue once; resolves when `t`-style words can be made here. The language is the one the
 * worker's page says in `<html lang>` (the plain shell says English until the next page load); dates use the
 * browser's own tag when it is of that language (`en-GB`), as the worker does. The catalogue comes from the
 * worker's cache (precached with the shell), so this works offline; if it cannot be read, English.
 * @returns {Promise<void>}
 */
export function useCatalogue() {
  ready ??= (async () => {
    const language = document.documentElement.lang || SOURCE;
    const browser = pickLanguage(navigator.languages ?? [], { [language]: language });
    for (const code of new Set([language, SOURCE])) {
      try {
        const response = await fetch(`/i18n/${code}.json`);
        if (!response.ok) continue;
        const locale = code === browser.language ? browser.locale : code;
        useLanguage({ language: code, locale, catalogue: await response.json() });
        return;
      } catch {
        // the next one
      }
    }
    throw new Error('no catalogue');
  })();
  return ready;
}
