/** The service worker's More handlers: the More screen, and Settings (shown and saved). */

import { write } from '../../data/db.js';
import { LANGUAGES } from '../../core/messages.js';
import { lockSettings } from '../lock/lock-views.js';
import { storageSettings } from '../storage/storage-views.js';
import { htmlResponse, t, tt } from '../views.js';
import { languageRefused, morePage, ownName, saidFirst, settingsPage } from './more-views.js';

/**
 * The More screen and its Settings. The screens it leads to (Sync, devices, passphrase, forgetting, deleting, a copy,
 * Shared) are their features' own (account/, export/, share/).
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, { load, sync, storage, lock, languages }) {
  // Said once on the Settings screen the app reloads to after a language change (in the new language).
  let languageChanged = false;

  /** The More screen, with `notice` said first. */
  async function more(notice = null) {
    const { me, settings } = await load();
    return htmlResponse(morePage(me, settings, sync?.status() ?? { state: 'off' }, { notice }));
  }

  /**
   * Settings (`saved`: as just saved), with its "Storage on this device" section (screens/storage), `notice` first;
   * `languageAlert`: why a language could not be chosen (`status` then says so too).
   */
  async function settingsScreen(notice = null, saved = null, { languageAlert = null, status = 200 } = {}) {
    const { me, settings } = await load();
    const kept = storage ? storageSettings(await storage.state({ usage: true })) : null;
    const locking = lock ? lockSettings(await lock.state()) : null;
    return htmlResponse(settingsPage(saved ?? settings, me.role, { notice, storage: kept, lock: locking, languageAlert,
      device: languages?.device() }), status);
  }

  return router
    .add('GET', '/app/more', () => more())
    .add('GET', '/app/settings', () => {
      const said = languageChanged ? saidFirst(t('language.saved'), true) : null;
      languageChanged = false;
      return settingsScreen(said);
    })
    // The language: "device" (no setting: the browser's languages decide) or one with a catalogue. Its catalogue is
    // made sure of on this device first (kept for offline use); if it cannot be, nothing changes. Then the whole app
    // loads again in it (HX-Redirect: the page's own words, <html lang> and the header come from the load).
    .add('POST', '/app/settings/language', async ({ request }) => {
      const value = String((await request.formData()).get('language') ?? '');
      if (value !== 'device' && !Object.hasOwn(LANGUAGES, value)) {
        return settingsScreen(null, null, { languageAlert: languageRefused(t('language.unknown')), status: 400 });
      }
      const e = await load();
      const target = value === 'device' ? (languages?.device() ?? 'en') : value;
      if (languages && !(await languages.keep(target))) {
        return settingsScreen(null, null, { status: 503,
          languageAlert: languageRefused(tt('language.offline', { language: ownName(target) })) });
      }
      const { language: _previous, ...rest } = e.settings ?? {};
      e.settings = value === 'device' ? rest : { ...rest, language: value };
      await write(e.db, ['meta'], (tx) => tx.objectStore('meta').put(e.settings, 'settings'));
      languages?.changed();
      languageChanged = true;
      return htmlResponse(saidFirst(t('language.saved')), 200, { 'HX-Redirect': '/app/settings' });
    })
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
