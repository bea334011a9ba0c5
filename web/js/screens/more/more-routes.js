/** The service worker's More handlers: the More screen, and Settings (shown and saved). */

import { write } from '../../data/db.js';
import { lockSettings } from '../lock/lock-views.js';
import { storageSettings } from '../storage/storage-views.js';
import { htmlResponse, t } from '../views.js';
import { morePage, saidFirst, settingsPage } from './more-views.js';

/**
 * The More screen and its Settings. The screens it leads to (Sync, devices, passphrase, forgetting, deleting, a copy,
 * Shared) are their features' own (account/, export/, share/).
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, { load, sync, storage, lock }) {
  /** The More screen, with `notice` said first. */
  async function more(notice = null) {
    const { me, settings } = await load();
    return htmlResponse(morePage(me, settings, sync?.status() ?? { state: 'off' }, { notice }));
  }

  /** Settings (`saved`: as just saved), with its "Storage on this device" section (screens/storage), `notice` first. */
  async function settingsScreen(notice = null, saved = null) {
    const { me, settings } = await load();
    const kept = storage ? storageSettings(await storage.state({ usage: true })) : null;
    const locking = lock ? lockSettings(await lock.state()) : null;
    return htmlResponse(settingsPage(saved ?? settings, me.role, { notice, storage: kept, lock: locking }));
  }

  return router
    .add('GET', '/app/more', () => more())
    .add('GET', '/app/settings', () => settingsScreen())
    .add('POST', '/app/settings', async ({ request }) => {
      const e = await load();
      const wording = (await request.formData()).get('wording') === 'homework' ? 'homework' : 'activities';
      e.settings = { ...e.settings, wording };
      await write(e.db, ['meta'], (tx) => tx.objectStore('meta').put(e.settings, 'settings'));
      return settingsScreen(saidFirst(t('settings.saved')), e.settings);
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
