/** The app's local server inside the service worker: answers htmx requests from IndexedDB, as a web server would. */

import { openDb } from './db.js';
import { unlockDevice } from './device.js';
import { addEntryRoutes } from './entry-routes.js';
import { kindTable } from './kinds.js';
import { Router } from './router.js';
import { html, htmlResponse } from './views.js';

/**
 * @param {{shell: () => Promise<Response>, kindsResponse: () => Promise<Response>}} io how to reach the
 *   precached shell and kinds.json (the worker passes its cache lookups)
 */
export function createLocalServer(io) {
  let env = null;

  /** The database, this device's unlocked keys and the kinds, made once per worker life. */
  function load() {
    env ??= (async () => {
      const db = await openDb();
      const me = await unlockDevice(db);
      return { db, me, kinds: kindTable(await (await io.kindsResponse()).json()) };
    })().catch((err) => {
      env = null; // let the next request try again
      throw err;
    });
    return env;
  }

  const router = addEntryRoutes(new Router(), load);

  const failure = () => htmlResponse(html`<section><h1>Something went wrong</h1>
    <p>This device could not complete that. Your entries are unchanged; please try again.</p></section>`, 500);

  async function answer(request, url, found) {
    if (found.methodNotAllowed) return htmlResponse(html`<p>Not allowed.</p>`, 405);
    try {
      return await found.handler({ request, url, params: found.params });
    } catch (err) {
      // Only the error's class: its message could echo something of an entry.
      console.error('between: handler failed', err?.name ?? 'error');
      return failure();
    }
  }

  /**
   * The response for a same-origin request, or null when it is not the app's to answer.
   * @param {Request} request
   */
  function handle(request) {
    const url = new URL(request.url);
    const found = router.match(request.method, url.pathname);
    if (!found) return null;
    return (async () => {
      // A full page load of an app address gets the shell, which then asks for its view with htmx.
      if (request.mode === 'navigate' && request.method === 'GET') return io.shell();
      const response = await answer(request, url, found);
      if (request.headers.get('HX-History-Restore-Request') === 'true') {
        // htmx restores history by swapping this element of the answer over its own.
        const body = await response.text();
        return new Response(`<main id="view" tabindex="-1" hx-history-elt>${body}</main>`,
          { status: response.status, headers: response.headers });
      }
      if (!request.headers.get('HX-Request') && request.method === 'POST') {
        // A form posted without htmx: show the result the ordinary way, after a redirect.
        return Response.redirect(new URL(response.headers.get('HX-Push-Url') ?? '/app/entries', url).href, 303);
      }
      return response;
    })();
  }

  return { handle };
}
