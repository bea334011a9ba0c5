/** The service worker's More handlers: the More screen, and Settings (shown and saved). */

import { write } from '../../data/db.js';
import { htmlResponse, t } from '../views.js';
import { morePage, saidFirst, settingsPage } from './more-views.js';

/**
 * The More screen and its Settings. The screens it leads to (Sync, devices, passphrase, forgetting, deleting, a copy,
 * Shared) are their features' own (account/, export/, share/).
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, { load, sync }) {
  /** The More screen, with `notice` said first. */
  async function more(notice = null) {
    const { me, settings } = await load();
    return htmlResponse(morePage(me, settings, sync?.status() ?? { state: 'off' }, { notice }));
  }

  return router
    .add('GET', '/app/more', () => more())
    .add('GET', '/app/settings', async () => {
      const { me, settings } = await load();
      return htmlResponse(settingsPage(settings, me.role));
    })
    .add('POST', '/app/settings', async ({ request }) => {
      const e = await load();
      const wording = (await request.formData()).get('wording') === 'homework' ? 'homework' : 'activities';
      e.settings = { ...e.settings, wording };
      await write(e.db, ['meta'], (tx) => tx.objectStore('meta').put(e.settings, 'settings'));
      return htmlResponse(settingsPage(e.settings, e.me.role, { notice: saidFirst(t('settings.saved')) }));
    });
}

/**
 * The More screen's markup with a notice (after a step that came from it: the passphrase changed).
 * @param {import('../features.js').App} app @param {string} notice
 */
export async function moreView({ load, sync }, notice) {
  const { me, settings } = await load();
  return morePage(me, settings, sync?.status() ?? { state: 'off' }, { notice: saidFirst(notice) });
}
