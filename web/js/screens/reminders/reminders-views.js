/**
 * Fragments of Reminders: the screen (on or off on this device, a daily check-in, quiet hours, what the server holds,
 * how it works on each platform), the section on an activity (its time of day, "Add to calendar"), and the Settings
 * line that leads here.
 */

import { hourOf, instantWords, timeWords } from '../../core/dates.js';
import { PERSONAL } from '../../core/reminders.js';
import { backToMore, link, nav } from '../components.js';
import { html, t } from '../views.js';

/** Unpadded base64url of bytes: how the page hands the key to pushManager.subscribe. */
const urlSafe = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_')
  .replace(/=+$/, '');

/** A time field (HH:MM) with its label; empty means "no reminder". */
const timeField = (id, name, label, value, hint = null) => html`<div class="field"><label for="${id}">${label}</label>
  ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : null}
  <input type="time" id="${id}" name="${name}" value="${value ?? ''}"${hint ? html` aria-describedby="${id}-hint"` : null}>
  </div>`;

/**
 * The Reminders screen.
 * @param {{state: import('../../engine/reminders.js').State, signedIn: boolean, key: Uint8Array|null,
 *   server: any, notice?: unknown, role: 'client'|'therapist', zone: string}} input
 */
export function remindersPage({ state, signedIn, key, server, notice = null, role, zone }) {
  const on = state.enabled;
  const prefs = state.prefs;
  const onOff = !signedIn
    ? html`<p>${t('reminders.signedOut')}</p>`
    : on ? html`<p>${t('reminders.onHere')}</p><form action="/app/reminders/off" method="post"
        hx-post="/app/reminders/off" hx-target="#view"><div class="actions"><button type="submit"
        class="secondary">${t('reminders.turnOff')}</button></div></form>`
      : key ? html`<p>${t('reminders.offHere')}</p><div class="actions"><button type="button" data-reminders-on
        data-key="${urlSafe(key)}" data-denied="${t('reminders.denied')}" data-failed="${t('reminders.failed')}"
        data-unsupported="${t('reminders.unsupported')}">${t('reminders.turnOn')}</button></div>
        <p class="hint" data-reminders-status role="status"></p>
        <a href="/app/reminders" hx-get="/app/reminders" hx-target="#view" data-reminders-done hidden></a>`
        : html`<p>${t('reminders.unavailable')}</p>`;
  const devices = server?.devices ?? [];
  const held = devices.length ? html`<ul class="reminder-devices">${devices.map((d) => html`<li>${
    t(d.current ? 'reminders.server.thisDevice' : 'reminders.server.otherDevice', { count: d.times.length })}${
    d.times.length ? html` ${t('reminders.server.next', { when: instantWords(d.times[0].at) ?? '' })}` : null}</li>`)}
    </ul><form action="/app/reminders/clear" method="post" hx-post="/app/reminders/clear" hx-target="#view">
    <div class="actions"><button type="submit" class="secondary danger">${t('reminders.server.clear')}</button></div>
    </form>` : html`<p>${t('reminders.server.none')}</p>`;
  return html`${nav('more', role, t('reminders.heading'))}<section aria-labelledby="reminders-title">
    <h1 id="reminders-title">${t('reminders.heading')}</h1>
    ${notice}
    <p class="lead">${t('reminders.lead')}</p>
    <section aria-labelledby="reminders-device"><h2 id="reminders-device">${t('reminders.device.heading')}</h2>
      ${onOff}</section>
    <section aria-labelledby="reminders-daily"><h2 id="reminders-daily">${t('reminders.daily.heading')}</h2>
      <form action="/app/reminders/choices" method="post" hx-post="/app/reminders/choices" hx-target="#view">
        <p class="hint">${t('reminders.daily.hint', { zone })}</p>
        ${role === 'therapist' ? null : PERSONAL.map((p) => timeField(`reminder-${p.id}`, `personal-${p.id}`,
          t(`reminders.personal.${p.id}`), prefs.personal?.[p.id]))}
        <fieldset class="field"><legend>${t('reminders.quiet.legend')}</legend>
          <p class="hint" id="reminders-quiet-hint">${t('reminders.quiet.hint')}</p>
          ${timeField('quiet-from', 'quiet-from', t('reminders.quiet.from'), prefs.quiet?.from)}
          ${timeField('quiet-to', 'quiet-to', t('reminders.quiet.to'), prefs.quiet?.to)}</fieldset>
        <div class="actions"><button type="submit" class="secondary">${t('reminders.save')}</button></div></form>
    </section>
    <section aria-labelledby="reminders-server"><h2 id="reminders-server">${t('reminders.server.heading')}</h2>
      <p class="hint">${t('reminders.server.hint')}</p>${signedIn ? held : html`<p>${t('reminders.signedOut')}</p>`}
    </section>
    <section aria-labelledby="reminders-where"><h2 id="reminders-where">${t('reminders.where.heading')}</h2>
      <ul><li>${t('reminders.where.android')}</li><li>${t('reminders.where.ios')}</li>
      <li>${t('reminders.where.desktop')}</li><li>${t('reminders.where.calendar')}</li></ul></section>
    <div class="actions">${link('/app/settings', t('reminders.back'), 'button secondary')} ${backToMore()}</div>
  </section>`;
}

/**
 * The section on one activity: its reminder time (the days are its schedule's) and "Add to calendar".
 * @param {{id: string, time: string|null, enabled: boolean, saved?: boolean}} input
 */
export function reminderSection({ id, time, enabled, saved = false }) {
  return html`<section class="todo-section" id="todo-reminder" aria-labelledby="todo-reminder-title">
    <h2 id="todo-reminder-title">${t('reminders.activity.heading')}</h2>
    ${saved ? html`<p class="notice" role="status">${time ? t('reminders.activity.saved', { time: timeWords(time),
      hour: hourOf(timeWords(time)) })
      : t('reminders.activity.cleared')}</p>` : null}
    <form action="/app/todo/${id}/reminder" method="post" hx-post="/app/todo/${id}/reminder"
      hx-target="#todo-reminder" hx-swap="outerHTML">
      ${timeField(`todo-reminder-time-${id}`, 'time', t('reminders.activity.time'), time,
        t('reminders.activity.hint'))}
      ${enabled ? null : html`<p class="hint">${t('reminders.activity.notOn')} ${link('/app/reminders',
        t('reminders.activity.turnOn'))}</p>`}
      <div class="actions"><button type="submit" class="secondary">${t('reminders.activity.save')}</button>
      <a class="button secondary" href="/app/todo/${id}/calendar.ics" download="between-activity.ics">${
        t('reminders.activity.calendar')}</a></div>
      <p class="hint">${t('reminders.activity.calendarHint')}</p></form></section>`;
}

/** The Settings screen's line to Reminders. */
export const remindersLine = () => html`<section aria-labelledby="settings-reminders"><h2
  id="settings-reminders">${t('reminders.heading')}</h2><p>${t('reminders.settings.hint')}</p>
  <p>${link('/app/reminders', t('reminders.settings.open'))}</p></section>`;
