/**
 * The service worker's Reminders handlers: the screen, turning them off, the daily choices, clearing what the server
 * holds, an activity's reminder time, and its "Add to calendar" file (made here, on the device).
 */

import { deviceZone } from '../../core/dates.js';
import { assignmentIcs } from '../../core/ics.js';
import { PERSONAL, TIME } from '../../core/reminders.js';
import { getReceived } from '../../engine/received.js';
import { UUID } from '../../engine/router.js';
import { saidFirst } from '../more/more-views.js';
import { htmlResponse, t } from '../views.js';
import { reminderSection, remindersPage } from './reminders-views.js';

/** A download: the local server answers a navigation to it with the file itself (as export.js). */
const download = (handler) => Object.assign(handler, { download: true });

/** HH:MM, or null for an empty or malformed field. @param {FormDataEntryValue|null} value */
const timeOf = (value) => (typeof value === 'string' && TIME.test(value.trim()) ? value.trim() : null);

/**
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, app) {
  const { load } = app;
  const reminders = app.reminders;
  if (!reminders) return router;

  async function screen(notice = null, status = 200) {
    const { me } = await load();
    const signedIn = Boolean(me.session);
    const [state, key, server] = await Promise.all([reminders.state(),
      signedIn ? reminders.serverKey() : null, signedIn ? reminders.onServer() : null]);
    return htmlResponse(remindersPage({ state, signedIn, key, server, notice: notice ? saidFirst(notice) : null,
      role: me.role, zone: deviceZone() ?? 'UTC' }), status);
  }

  /**
   * An action that talks to the server: a refusal or no connection is said on the screen, nothing else changes.
   * `done`: the catalogue key of what is said after it (read when it is said: the catalogue loads after start-up).
   */
  const acting = (work, done) => async (request) => {
    try {
      await work(request);
    } catch {
      return screen(t('reminders.failed'), 503);
    }
    return screen(t(done));
  };

  return router
    .add('GET', '/app/reminders', () => screen())
    .add('POST', '/app/reminders/off', acting(async () => {
      await reminders.optOut();
      // The browser's subscription goes too, so no push service keeps a way to wake this device.
      const registration = /** @type {any} */ (globalThis).registration;
      await (await registration?.pushManager?.getSubscription())?.unsubscribe().catch(() => {});
    }, 'reminders.turnedOff'))
    .add('POST', '/app/reminders/clear', acting(() => reminders.clearServer(), 'reminders.server.cleared'))
    .add('POST', '/app/reminders/choices', async ({ request }) => {
      const form = await request.formData();
      const from = timeOf(form.get('quiet-from'));
      const to = timeOf(form.get('quiet-to'));
      if (Boolean(from) !== Boolean(to) || (from && from === to)) {
        return screen(t('reminders.quiet.invalid'), 422);
      }
      const personal = Object.fromEntries(PERSONAL.map((p) => [p.id, timeOf(form.get(`personal-${p.id}`))])
        .filter(([, v]) => v));
      try {
        await reminders.choose((prefs) => ({ ...prefs, personal, quiet: from ? { from, to } : null }));
      } catch {
        return screen(t('reminders.savedOffline'));
      }
      return screen(t('reminders.saved'));
    })
    .add('POST', '/app/todo/:aid/reminder', async ({ request, params }) => {
      if (!UUID.test(params.aid)) return htmlResponse(reminderSection({ id: '', time: null, enabled: false }), 404);
      const time = timeOf((await request.formData()).get('time'));
      const planned = reminders.choose((prefs) => {
        const times = { ...prefs.times };
        if (time) times[params.aid] = time;
        else delete times[params.aid];
        return { ...prefs, times };
      });
      await planned.catch(() => {}); // kept on the device even offline; uploaded at the next sync
      const { enabled } = await reminders.state();
      return htmlResponse(reminderSection({ id: params.aid, time, enabled, saved: true }));
    })
    .add('GET', '/app/todo/:aid/calendar.ics', download(async ({ params }) => {
      const { db, me } = await load();
      const record = UUID.test(params.aid) ? await getReceived(db, me, params.aid) : null;
      if (record?.doc?.type !== 'assignment') return htmlResponse(t('reminders.activity.gone'), 404);
      const { prefs } = await reminders.state();
      const zone = deviceZone() ?? record.doc.schedule.recurrence.time_zone;
      const ics = assignmentIcs({ id: params.aid, doc: record.doc, time: prefs.times?.[params.aid] ?? '18:00', zone,
        now: Date.now(), origin: app.origin ?? '', summary: record.doc.title });
      if (!ics) return htmlResponse(t('reminders.activity.ended'), 404);
      return new Response(ics, { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'attachment; filename="between-activity.ics"' } });
    }));
}

/**
 * An activity's reminder section for its page (todo-routes), or null when reminders are not part of this app.
 * @param {import('../features.js').App} app @param {string} id
 */
export async function activityReminder(app, id) {
  if (!app.reminders) return null;
  const { prefs, enabled } = await app.reminders.state();
  return reminderSection({ id, time: prefs.times?.[id] ?? null, enabled });
}
