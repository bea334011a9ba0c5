/**
 * The local server's own answers, for when no feature's view gives one: a handler that failed, a method a path does
 * not take, a navigation another site started. Errors say nothing of what failed: it could echo an entry.
 */

import { languageInUse } from '../core/messages.js';
import { html, htmlResponse, t as message } from './views.js';

// The last resort, when no catalogue could be read at all (the failure may be that very read): the same words as
// en.json's, which the catalogue test compares them with.
export const LAST_RESORT = Object.freeze({
  'server.failed.heading': 'Something went wrong',
  'server.failed.body': 'This device could not complete that. Your entries are unchanged; please try again.',
  'server.notAllowed': 'Not allowed.',
});

/** @param {string} key */
const t = (key) => (languageInUse() === null && Object.hasOwn(LAST_RESORT, key) ? LAST_RESORT[key] : message(key));

/** A handler failed (500): nothing of the error, only that the entries are unchanged. */
export const failed = () => htmlResponse(html`<section><h1>${t('server.failed.heading')}</h1>
    <p>${t('server.failed.body')}</p></section>`, 500);

/** A path that only other methods take (405). */
export const notAllowed = () => htmlResponse(html`<p>${t('server.notAllowed')}</p>`, 405);

/** A navigation another site started that would make the app act (403): refused, nothing done. */
export const foreignRefused = () => htmlResponse(html`<section aria-labelledby="foreign-title"><h1 id="foreign-title">${
  t('server.foreign.heading')}</h1>
      <p>${t('server.foreign.body')}</p>
      <p><a href="/">${t('server.foreign.open')}</a></p></section>`, 403);
