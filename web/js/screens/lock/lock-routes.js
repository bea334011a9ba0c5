/**
 * The app lock's routes and messages (over engine/lock.js, `app.lock`): the lock screen, the screen after the keys
 * were forgotten, the set-up screen under Settings, the minutes and turning the lock off; and the page's messages
 * that carry a secret's output (set up, unlock), lock at once, and hand the vault key to a page of the app.
 */

import { heldVault } from '../../data/device.js';
import { saidFirst } from '../more/more-views.js';
import { htmlResponse, t } from '../views.js';
import { forgottenPage, lockPage, setupPage, unlockedPage } from './lock-views.js';

/** A byte string that came by message (structured clone keeps Uint8Array), else null. */
const bytes = (value) => (value instanceof Uint8Array ? value : null);

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { load, lock }) {
  const setup = async (notice = null) => {
    const { me } = await load();
    return htmlResponse(setupPage(await lock.state(), me.role, { notice: notice && saidFirst(notice) }));
  };
  return router
    .add('GET', '/app/lock', async () => {
      const row = await lock.lockRow();
      if (!row || !(await lock.locked())) return htmlResponse(unlockedPage());
      return htmlResponse(lockPage(row, Date.now()), 200, { 'Cache-Control': 'no-store' });
    })
    .add('GET', '/app/lock/forgotten', async () => htmlResponse(forgottenPage()))
    .add('GET', '/app/settings/lock', async ({ url }) => setup(url.searchParams.has('done') ? t('lock.setup.done') : null))
    .add('POST', '/app/settings/lock/minutes', async ({ request }) => {
      const minutes = Number((await request.formData()).get('minutes'));
      try {
        await lock.setMinutes(minutes);
      } catch {
        return setup(t('lock.minutes.bad'));
      }
      return setup(t('lock.minutes.saved'));
    })
    .add('POST', '/app/settings/lock/off', async () => {
      const { me } = await load();
      await lock.turnOff(me);
      return setup(t('lock.offDone'));
    });
}

/**
 * The page's lock messages, answered on their channel. `own`: the sender is a top-level window of the app this worker
 * controls (local-server.js ownWindow); only such a window may set a lock up or be handed the vault key.
 * @param {import('../features.js').App} app
 */
export function lockMessages({ load, lock }) {
  return async (data, own) => {
    switch (data.type) {
      case 'lock-state':
        return { ok: true, ...(await lock.state()) };
      case 'lock-now':
        return { ok: await lock.lockNow() };
      case 'lock-key':
        // A page that opened while the app was unlocked keeps the key too, to hand it back to a restarted worker.
        return own && !(await lock.locked()) ? { ok: true, key: heldVault() } : { ok: false };
      case 'lock-unlock':
        return { ...(await lock.unlock({ method: String(data.method), output: bytes(data.output) })) };
      case 'lock-setup': {
        if (!own || await lock.locked()) return { ok: false, error: t('lock.setup.failed') };
        const { me } = await load();
        try {
          const fallback = data.fallback ? { method: String(data.fallback.method), output: bytes(data.fallback.output),
            salt: bytes(data.fallback.salt) } : null;
          await lock.setUp({ me, method: String(data.method), output: bytes(data.output), salt: bytes(data.salt),
            credId: bytes(data.credId), prfSalt: bytes(data.prfSalt), minutes: Number(data.minutes), fallback });
        } catch {
          return { ok: false, error: t('lock.setup.failed') };
        }
        return { ok: true };
      }
      default:
        return { ok: false };
    }
  };
}
