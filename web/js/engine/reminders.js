/**
 * Reminders on this device (docs/WEB.md "Reminders"): the person's choices, the coming fire times worked out from
 * them (core/reminders.js) and uploaded as instants under opaque ids, what a push shows, and the app badge.
 *
 * Kept in IndexedDB's `meta` under 'reminders': {enabled, idKey, prefs, plan}. `prefs` holds times of day by
 * assignment id and quiet hours, `plan` the fire times with what each is about (ids and dates, never a title): the
 * worker reads titles from the encrypted records when a push comes.
 */

import { toBase64 } from '../core/bytes.js';
import { deviceZone } from '../core/dates.js';
import { messageParts } from '../core/messages.js';
import { dueTodayCount, planReminders, refKey, wallClock } from '../core/reminders.js';
import { get, getAll, write } from '../data/db.js';
import { listOwnDocuments } from '../data/documents.js';
import { listEntries } from '../data/entries.js';
import { getReceived, listReceived } from './received.js';

const ROW = 'reminders';

/** A message of the catalogue in use, as text (a notification is plain text, not HTML). */
const t = (key, params = {}) => messageParts(key, params).map(String).join('');

/**
 * @typedef {import('../core/reminders.js').Prefs} Prefs
 * @typedef {{id: string, at: number, ref: import('../core/reminders.js').Ref, url: string}} Fire
 * @typedef {{enabled: boolean, idKey: Uint8Array|null, prefs: Prefs, plan: Fire[]}} State
 */

/** @returns {State} */
const fresh = () => ({ enabled: false, idKey: null, prefs: { times: {}, personal: {}, quiet: null }, plan: [] });

/** Base64url without padding: the id alphabet the server accepts. */
const urlSafe = (bytes) => toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * @param {{load: () => Promise<any>, sessionApi: () => Promise<any>, now?: () => number,
 *   badge?: ((n: number) => Promise<void>) & {available: () => boolean}}} io `badge` sets the app badge
 *   (navigator.setAppBadge where there is one); `available` says whether there is one
 */
export function createReminders({ load, sessionApi, now = () => Date.now(), badge = setBadge }) {
  /** @returns {Promise<State>} */
  async function state() {
    const { db } = await load();
    const row = await get(db, 'meta', ROW);
    return row ? { ...fresh(), ...row, prefs: { ...fresh().prefs, ...row.prefs } } : fresh();
  }

  async function save(next) {
    const { db } = await load();
    await write(db, ['meta'], (tx) => tx.objectStore('meta').put(next, ROW));
    return next;
  }

  /** The opaque id of a fire time: HMAC-SHA-256 under this device's own key, so it says nothing to the server. */
  async function idOf(idKey, ref) {
    const key = await crypto.subtle.importKey('raw', idKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(refKey(ref))));
    return urlSafe(mac.slice(0, 16));
  }

  /**
   * The assignments from therapists, answered days, and (only when a daily check-in is chosen: it means opening every
   * entry) own entries' kinds by day: what a plan is made from.
   */
  async function inputs(withEntries) {
    const { db, me } = await load();
    const zone = deviceZone() ?? 'UTC';
    const assignments = me.role === 'client' ? await listReceived(db, me, { type: 'assignment' }) : [];
    const responses = me.role === 'client' ? await listOwnDocuments(db, me, 'assignment-response') : [];
    const answered = new Set(responses.map((r) => `${r.doc.assignment_id}|${r.doc.occurrence}`));
    const doneKinds = new Set();
    for (const entry of withEntries ? await listEntries(db, me) : []) {
      const at = Date.parse(entry.createdAt);
      if (Number.isFinite(at)) doneKinds.add(`${entry.kind}|${wallClock(at, zone).day}`);
    }
    return { assignments, answered, doneKinds, zone };
  }

  /**
   * Work the fire times out again and give the server the new set (on sync, on every local change, on a choice
   * made): an answered day's time goes, a new assignment's comes. Sets the badge too. Returns the plan.
   */
  async function refresh() {
    const s = await state();
    const on = s.enabled && Boolean(s.idKey);
    // Off, and no badge on this browser: nothing to work out (this runs after every local change).
    if (!on && !badge.available()) return [];
    const input = await inputs(on && Object.values(s.prefs.personal ?? {}).some(Boolean));
    const at = now();
    await badge(dueTodayCount({ assignments: input.assignments, answered: input.answered, now: at })).catch(() => {});
    if (!on) return [];
    const planned = planReminders({ ...input, prefs: s.prefs, now: at });
    const plan = await Promise.all(planned.map(async (p) => ({ ...p, id: await idOf(s.idKey, p.ref) })));
    const api = await sessionApi();
    if (api) {
      await api.call('PUT', '/reminders/times', {
        times: plan.map((p) => ({ id: p.id, at: Math.floor(p.at / 1000) })),
      });
    }
    await save({ ...(await state()), plan });
    return plan;
  }

  /** Turn reminders on for this device with the browser's PushSubscription (its toJSON()). */
  async function optIn(subscription) {
    const api = await sessionApi();
    if (!api) throw new Error('signed_out');
    const keys = subscription?.keys ?? {};
    const bytes = (s) => Uint8Array.from(atob(String(s).replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    await api.call('PUT', '/reminders/subscription', {
      endpoint: String(subscription?.endpoint ?? ''), p256dh: bytes(keys.p256dh ?? ''), auth: bytes(keys.auth ?? ''),
    });
    const s = await state();
    await save({ ...s, enabled: true, idKey: s.idKey ?? crypto.getRandomValues(new Uint8Array(32)) });
    return refresh();
  }

  /** Turn them off here: the server forgets this device's subscription and fire times. */
  async function optOut() {
    const api = await sessionApi();
    if (api) await api.call('DELETE', '/reminders/subscription');
    await save({ ...(await state()), enabled: false, plan: [] });
  }

  /** Change the person's choices (a time for an assignment, a personal reminder, quiet hours) and re-plan. */
  async function choose(change) {
    const s = await state();
    await save({ ...s, prefs: change(s.prefs) });
    return s.enabled ? refresh() : [];
  }

  /**
   * What to show for a push: the activity it is about, from this device's records (never from the push, which holds
   * only an id). A push this device does not know still shows something: browsers require every push to show a
   * notification, and a reminder is better generic than lost.
   * @param {any} data the push's decrypted JSON ({r: id, at}) or null
   * @param {{locked?: boolean}} [options] locked: the app lock is on (only the generic words)
   * @returns {Promise<{title: string, body: string, tag: string, url: string}>}
   */
  async function onPush(data, { locked = false } = {}) {
    let shown = { title: t('reminders.notify.generic'), body: t('reminders.notify.genericBody'),
      tag: `reminder-${String(data?.r ?? 'any')}`, url: '/app/today' };
    if (locked) return shown; // the app lock: no activity, no therapist, no re-planning until it is unlocked
    const s = await state();
    const fire = s.plan.find((p) => p.id === data?.r);
    try {
      if (fire?.ref.type === 'assignment') {
        const { db, me } = await load();
        const record = await getReceived(db, me, fire.ref.id);
        const peers = new Map((await getAll(db, 'peers')).map((p) => [p.userId, p]));
        if (record?.doc?.type === 'assignment' && !record.doc.withdrawn) {
          shown = { ...shown, url: fire.url,
            title: t('reminders.notify.assignment', { title: record.doc.title,
              therapist: peers.get(record.ownerId)?.handle ?? t('reminders.notify.someone') }),
            body: t('reminders.notify.assignmentBody') };
        }
      } else if (fire?.ref.type === 'personal') {
        shown = { ...shown, url: fire.url, title: t(`reminders.personal.${fire.ref.id}`),
          body: t('reminders.notify.personalBody') };
      }
    } catch {
      // the generic words: a record that no longer opens must not lose the reminder
    }
    await refresh().catch(() => {});
    return shown;
  }

  /** What the server holds for this account's devices (GET /reminders), or null when signed out or offline. */
  async function onServer() {
    const api = await sessionApi();
    if (!api) return null;
    try {
      return await api.call('GET', '/reminders');
    } catch {
      return null;
    }
  }

  /** Clear everything the server holds for this account's reminders; this device's are off afterwards. */
  async function clearServer() {
    const api = await sessionApi();
    if (!api) throw new Error('signed_out');
    await api.call('DELETE', '/reminders');
    await save({ ...(await state()), enabled: false, plan: [] });
  }

  /** The server's VAPID public key (the applicationServerKey to subscribe with), or null. */
  async function serverKey() {
    const api = await sessionApi();
    if (!api) return null;
    try {
      return (await api.call('GET', '/reminders/key')).public_key;
    } catch {
      return null;
    }
  }

  return { state, refresh, optIn, optOut, choose, onPush, onServer, clearServer, serverKey };
}

/** The app badge where the browser has one (installed apps on desktop, iOS Home Screen apps); otherwise nothing. */
const setBadge = Object.assign(async (/** @type {number} */ n) => {
  const nav = /** @type {any} */ (globalThis.navigator);
  if (!nav?.setAppBadge) return;
  if (n > 0) await nav.setAppBadge(n);
  else await nav.clearAppBadge?.();
}, { available: () => Boolean(/** @type {any} */ (globalThis.navigator)?.setAppBadge) });
