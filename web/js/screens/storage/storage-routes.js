/**
 * The storage routes: the state for the page (JSON: it asks for persistence and keeps its marker by it), putting the
 * home screen's notice away, freeing space (answered with the Settings section), and the screen of a device whose
 * storage the browser cleared. The views are storage-views.js; the state is engine/storage.js (`app.storage`).
 */

import { freedNotice, noticePutAway, storageSettings, wipedPage } from './storage-views.js';
import { htmlResponse } from '../views.js';

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { storage }) {
  const settings = async (notice = null) =>
    htmlResponse(storageSettings(await storage.state({ usage: true }), { notice }));

  router
    // What the page needs, nothing of any entry: counts and flags, never cached (it changes with every save). Marked
    // as a download so a navigation to it gets the answer as it is, not a page around it.
    .add('GET', '/app/storage/state', Object.assign(async () => {
      const { records, onlyHere, account, persisted } = await storage.state();
      return new Response(JSON.stringify({ records, onlyHere, account, persisted }),
        { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
    }, { download: true }))
    .add('POST', '/app/storage/notice/dismiss', async () => {
      await storage.dismissNotice();
      return htmlResponse(noticePutAway());
    })
    .add('POST', '/app/storage/free', async () => settings(freedNotice(await storage.freeSpace())))
    .add('GET', '/app/storage/wiped', async () => htmlResponse(wipedPage()));
  return router;
}
