/**
 * The local server's own answers, for when no feature's view gives one: a handler that failed, a method a path does
 * not take, a navigation another site started. Errors say nothing of what failed: it could echo an entry.
 */

import { html, htmlResponse } from './views.js';

/** A handler failed (500): nothing of the error, only that the entries are unchanged. */
export const failed = () => htmlResponse(html`<section><h1>Something went wrong</h1>
    <p>This device could not complete that. Your entries are unchanged; please try again.</p></section>`, 500);

/** A path that only other methods take (405). */
export const notAllowed = () => htmlResponse(html`<p>Not allowed.</p>`, 405);

/** A navigation another site started that would make the app act (403): refused, nothing done. */
export const foreignRefused = () => htmlResponse(html`<section aria-labelledby="foreign-title"><h1 id="foreign-title">Not done</h1>
      <p>Another website tried to make Between do something here. Nothing was changed and nothing was saved.</p>
      <p><a href="/">Open Between</a></p></section>`, 403);
