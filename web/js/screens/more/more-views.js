/**
 * Fragments of the More tab: everything that is not a daily screen, in groups (your entries, sync and account,
 * settings, and the steps that remove things), and the Settings screen (the words the app uses, the language).
 */

import { languageInUse, LANGUAGES } from '../../core/messages.js';
import { statusText } from '../../core/sync-status.js';
import { backToMore, nav } from '../components.js';
import { icon } from '../icons.js';
import { remindersLine } from '../reminders/reminders-views.js';
import { html, t, tt } from '../views.js';

/**
 * One line of a group: a link with its icon and label (its whole name), and a hint under it, which the whole line
 * answers to (app.css stretches the link over it) and which describes the link.
 * @param {{id: string, href: string, label: string, hint: unknown, glyph: Parameters<typeof icon>[0],
 *   danger?: boolean, live?: boolean}} item
 */
function menuItem({ id, href, label, hint, glyph, danger = false, live = false }) {
  return html`<li class="menu-item"><a href="${href}" class="menu-link${danger ? ' danger' : ''}" id="more-${id}"
    hx-get="${href}" hx-target="#view" hx-push-url="true" aria-describedby="more-${id}-hint">${icon(glyph)}<span
    class="label">${label}</span></a><p class="hint" id="more-${id}-hint"${live ? html` data-sync-text` : null}>${
    hint}</p></li>`;
}

/** A group of More: its heading, what it says first, its lines. */
const group = (id, heading, lead, items) => html`<section class="menu-group" aria-labelledby="more-${id}-title">
  <h2 id="more-${id}-title">${heading}</h2>${lead ? html`<p class="lead">${lead}</p>` : null}
  <ul class="menu">${items}</ul></section>`;

/** A language's name in that language (from LANGUAGES): the one in use unless given. @param {string} [code] */
export const languageName = (code = languageInUse() ?? 'en') =>
  LANGUAGES[code] ?? LANGUAGES[code.split('-')[0]] ?? code;

/** A language's own name, marked as that language so a screen reader says it in its own voice. @param {string} code */
export const ownName = (code) => html`<span lang="${code}">${languageName(code)}</span>`;

/**
 * The language chooser of Settings: "Same as this device" (no setting: the browser's languages decide), then every
 * language with a catalogue by its own name. Kept on this device; a change reloads the app in the new language.
 * `chosen`: the setting ('device' when none); `device`: the language the browser's languages pick.
 * @param {string} chosen @param {string} device @param {unknown} [alert] a refusal, said first in the form
 */
function languageChooser(chosen, device, alert = null) {
  const option = (value, label, lang = null) => html`<label class="choice"${lang ? html` lang="${lang}"` : null}><input
    type="radio" name="language" value="${value}"${chosen === value ? html` checked` : null}><span>${label}</span></label>`;
  return html`<section aria-labelledby="language-title"><h2 id="language-title">${t('settings.language.heading')}</h2>
      <form action="/app/settings/language" method="post" hx-post="/app/settings/language" hx-target="#view"
        id="language-form">${alert}
        <fieldset class="field"><legend>${t('language.legend')}</legend>
          <div class="choices">${option('device', tt('language.device', { language: ownName(device) }))}${
  Object.keys(LANGUAGES).map((code) => option(code, LANGUAGES[code], code))}</div></fieldset>
        <p class="hint" id="language-hint">${t('language.hint')}</p>
        <div class="actions"><button type="submit" class="secondary" aria-describedby="language-hint">${
  t('language.save')}</button></div></form></section>`;
}

/**
 * The More screen. `status` is the sync status (core/sync-status.js); `notice` a fragment said first.
 * @param {import('../../data/device.js').Unlocked} me @param {{wording?: string}|null} settings
 * @param {{state: string}} status @param {{notice?: unknown}} [extra]
 */
export function morePage(me, settings, status, { notice = null } = {}) {
  const client = me.role !== 'therapist';
  const signedIn = Boolean(me.session);
  const entries = [
    client ? menuItem({ id: 'shared', href: '/app/shared', label: t('more.shared'), hint: t('more.shared.hint'),
      glyph: 'shared' }) : null,
    menuItem({ id: 'copy', href: '/app/export', label: t('more.copy'), hint: t('more.copy.hint'), glyph: 'copy' }),
  ];
  const account = [
    menuItem({ id: 'sync', href: '/app/account', label: t('more.sync'), glyph: 'sync', live: signedIn,
      hint: signedIn ? statusText(status) : t('more.sync.off') }),
    signedIn ? menuItem({ id: 'devices', href: '/app/account/devices', label: t('more.devices'),
      hint: t('more.devices.hint'), glyph: 'devices' }) : null,
    signedIn ? menuItem({ id: 'passphrase', href: '/app/account/passphrase', label: t('more.passphrase'),
      hint: t('more.passphrase.hint'), glyph: 'key' }) : null,
    signedIn ? html`<li class="menu-item"><form action="/app/account/logout" method="post"
      hx-post="/app/account/logout" hx-target="#view"><button type="submit" class="menu-link" id="more-sign-out"
      aria-describedby="more-sign-out-hint">${icon('signOut')}<span class="label">${t('more.signOut')}</span></button>
      </form><p class="hint" id="more-sign-out-hint">${t('more.signOut.hint')}</p></li>` : null,
  ];
  const wording = settings?.wording === 'homework' ? 'homework' : 'activities';
  const careful = [
    signedIn || me.handle ? menuItem({ id: 'forget', href: '/app/account/forget', label: t('more.forget'),
      hint: t('more.forget.hint'), glyph: 'forget', danger: true }) : null,
    signedIn ? menuItem({ id: 'delete', href: '/app/account/delete', label: t('more.delete'),
      hint: t('more.delete.hint'), glyph: 'delete', danger: true }) : null,
  ].filter(Boolean);
  return html`${nav('more', me.role)}<section aria-labelledby="more-title" class="more">
    <h1 id="more-title">${t('more.heading')}</h1>
    ${notice}
    ${group('entries', t('more.entries.heading'), null, entries)}
    ${group('account', t('more.account.heading'), signedIn
      ? tt('more.account.signedIn', { handle: html`<strong>${me.handle}</strong>` }) : null, account)}
    ${group('settings', t('more.settings.heading'), null, menuItem({ id: 'settings', href: '/app/settings',
      label: t('more.settings'), hint: t('more.settings.hint', { wording, language: languageName() }),
      glyph: 'settings' }))}
    ${careful.length ? group('careful', t('more.careful.heading'), t('more.careful.lead'), careful) : null}
  </section>`;
}

/**
 * The Settings screen: the word for what is done between sessions (a setting the screens read with wordsFor), the
 * language (`device`: the one the browser's languages pick; `languageAlert`: why a choice was refused), and
 * `storage`: the "Storage on this device" section (screens/storage, storageSettings).
 * @param {{wording?: string, language?: string}|null} settings @param {'client'|'therapist'} role
 * @param {{notice?: unknown, storage?: unknown, lock?: unknown, device?: string, languageAlert?: unknown}} [extra]
 *   `lock`: the "App lock" section (screens/lock)
 */
export function settingsPage(settings, role, { notice = null, storage = null, lock = null,
  device = languageInUse() ?? 'en', languageAlert = null } = {}) {
  const current = settings?.wording === 'homework' ? 'homework' : 'activities';
  const choice = (value, key) => html`<label class="choice"><input type="radio" name="wording" value="${value}"
    ${current === value ? html`checked` : null}><span>${t(key)}</span></label>`;
  return html`${nav('more', role, t('settings.heading'))}<section aria-labelledby="settings-title">
    <h1 id="settings-title">${t('settings.heading')}</h1>
    ${notice}
    <section aria-labelledby="words-title"><h2 id="words-title">${t('settings.words.heading')}</h2>
      <form action="/app/settings" method="post" hx-post="/app/settings" hx-target="#view">
        <fieldset class="field"><legend>${t('settings.words.legend')}</legend>
          <div class="choices">${choice('activities', 'settings.words.activities')}${
  choice('homework', 'settings.words.homework')}</div></fieldset>
        <div class="actions"><button type="submit" class="secondary">${t('settings.save')}</button></div></form>
    </section>
    ${languageChooser(settings?.language && Object.hasOwn(LANGUAGES, settings.language) ? settings.language : 'device',
    device, languageAlert)}
    ${lock}
    ${storage}
    ${remindersLine()}
    <div class="actions">${backToMore()}</div></section>`;
}

/**
 * A short message said first on a screen (role=status: app.js moves focus to it, also when the page loads with it:
 * `onLoad`, after a language change reloads the app). @param {string} words @param {boolean} [onLoad]
 */
export const saidFirst = (words, onLoad = false) =>
  html`<p class="notice" role="status"${onLoad ? html` data-on-load` : null}>${words}</p>`;

/** Why a language could not be chosen, said first in its form (app.js focuses an alert). @param {unknown} words */
export const languageRefused = (words) => html`<p class="error" role="alert" id="language-error">${words}</p>`;
