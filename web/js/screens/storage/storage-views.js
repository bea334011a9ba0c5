/**
 * Fragments about this device's storage, each on its own so any screen can show it: the home screen's notice while
 * entries exist only here, the Settings section (kept or not, space in use, the same ways out, freeing space), the
 * alert of a save the full device refused, and the screen of a device whose storage the browser cleared.
 * The state is core/storage.js StorageState (engine/storage.js `state`). Words from the catalogue (`storage.*`).
 */

import { atRisk, noticeDue, sizeWords } from '../../core/storage.js';
import { link } from '../components.js';
import { html, t, tt } from '../views.js';

/**
 * The ways out of "only on this device", each a line to act on and a line of why: install (only in a browser tab:
 * CSS hides `.in-browser` in an installed app; the page shows "Install now" where the browser offers its install
 * prompt), sync, a saved copy.
 * @param {import('../../core/storage.js').StorageState} state @param {string} id prefix of the ids in it
 */
function waysOut(state, id) {
  const sync = state.account ? t('storage.ways.sync.account') : t('storage.ways.sync.link');
  return html`<p id="${id}-ways">${t('storage.ways.heading')}</p>
    <ul class="ways" aria-labelledby="${id}-ways">
      <li class="in-browser"><strong class="way">${t('storage.ways.install')}</strong>
        <span>${t('storage.ways.install.how')}</span>
        <button type="button" class="secondary" data-install hidden>${t('storage.ways.install.button')}</button></li>
      <li>${link('/app/account', sync, 'way')}
        <span>${state.account ? t('storage.ways.sync.pending') : t('storage.ways.sync')}</span></li>
      <li>${link('/app/export', t('storage.ways.copy.link'), 'way')} <span>${t('storage.ways.copy')}</span></li>
    </ul>`;
}

/**
 * What is at risk and why. The notice's heading has said where the entries are, so it adds only the unsynced count
 * and why; Settings has just said whether the browser keeps them, so it says what is only here.
 * @param {import('../../core/storage.js').StorageState} state @param {'notice'|'settings'} where
 */
function riskWords(state, where) {
  const what = state.account ? t('storage.risk.waiting', { count: state.onlyHere })
    : where === 'settings' ? t('storage.risk.noAccount') : null;
  return html`<p>${what} ${where === 'notice' ? t('storage.risk.why') : null}</p>
    ${state.sevenDays ? html`<p class="in-browser">${t('storage.risk.sevenDays')}</p>` : null}`;
}

/**
 * The home screen's notice (Today, and the Entries list): calm, once, until put away; null when not due
 * (nothing only here, the storage kept, or put away). "Got it" replaces it with a line saying where it stays.
 * @param {import('../../core/storage.js').StorageState|null} state
 */
export function storageNotice(state) {
  if (!state || !noticeDue(state)) return null;
  return html`<section class="storage-notice" data-storage-notice aria-labelledby="storage-notice-title">
    <h2 id="storage-notice-title">${state.account ? t('storage.notice.heading.waiting')
      : t('storage.notice.heading')}</h2>
    ${riskWords(state, 'notice')}
    ${waysOut(state, 'storage-notice')}
    <form action="/app/storage/notice/dismiss" method="post" hx-post="/app/storage/notice/dismiss"
      hx-target="closest .storage-notice" hx-swap="outerHTML">
      <button type="submit" class="secondary" aria-describedby="storage-notice-title">${t('storage.notice.dismiss')}</button>
    </form></section>`;
}

/** What "Got it" leaves in the notice's place. */
export const noticePutAway = () => html`<p class="hint" role="status">${t('storage.notice.putAway')}</p>`;

/** Whether the browser keeps the storage, in words. @param {boolean|null} persisted */
const keptWords = (persisted) => (persisted === true ? t('storage.settings.persisted')
  : persisted === false ? t('storage.settings.notPersisted') : t('storage.settings.persistUnknown'));

/**
 * The Settings section "Storage on this device": kept or not, the space in use of what the browser allows, the
 * "only on this device" words with the ways out (always here, put away or not), asking the browser to keep it
 * (the page asks: `persist()` exists in windows only), and freeing what can be fetched again.
 * @param {import('../../core/storage.js').StorageState} state
 * @param {{notice?: unknown}} [extra] a line saying what the last step did
 */
export function storageSettings(state, { notice = null } = {}) {
  const { usage } = state;
  return html`<section class="storage-settings" id="storage" aria-labelledby="storage-title">
    <h2 id="storage-title">${t('storage.settings.heading')}</h2>
    ${notice}
    <p data-persisted="${String(state.persisted)}">${keptWords(state.persisted)}</p>
    <p>${usage ? t('storage.settings.usage', { used: sizeWords(usage.used), quota: sizeWords(usage.quota) })
      : t('storage.settings.usageUnknown')}</p>
    ${atRisk(state) ? html`<div class="storage-risk">${riskWords(state, 'settings')}${waysOut(state, 'storage-settings')}</div>`
      : state.account && state.records ? html`<p>${t('storage.settings.allSynced')}</p>` : null}
    ${state.persisted === false ? html`<p class="hint" id="storage-ask-hint">${t('storage.settings.ask.hint')}</p>
      <div class="actions"><button type="button" class="secondary" data-persist
        aria-describedby="storage-ask-hint">${t('storage.settings.ask')}</button></div>` : null}
    <form action="/app/storage/free" method="post" hx-post="/app/storage/free" hx-target="closest .storage-settings"
      hx-swap="outerHTML">
      <p class="hint" id="storage-free-hint">${t('storage.free.text')}</p>
      <button type="submit" class="secondary" aria-describedby="storage-free-hint">${t('storage.free.button')}</button>
    </form></section>`;
}

/** What "Free space" did: how many items went (files and older versions). @param {number} count */
export const freedNotice = (count) => html`<p class="notice" role="status">${t('storage.free.done', { count })}</p>`;

/**
 * A save the full device refused, shown above the form with what was typed still in it: the button submits the
 * same form (form="…") with `free_space=yes`, which frees what can be fetched again before saving once more.
 * `freed`: that was tried already, and it is still full.
 * @param {string} formId the id of the form to submit @param {{freed?: boolean, id?: string}} [options]
 */
export function quotaAlert(formId, { freed = false, id = 'form-error' } = {}) {
  return html`<div class="error quota" role="alert" id="${id}">
    <p>${freed ? t('storage.quota.stillFull') : t('storage.quota.full')}</p>
    ${freed ? null : html`<button type="submit" form="${formId}" name="free_space" value="yes">${
      t('storage.quota.free')}</button>`}</div>`;
}

/**
 * A device that had an account and finds its storage gone (the page tells this from its marker: page/storage.js):
 * say so, and offer to sign in again instead of a first start. "Start without an account" drops the marker.
 */
export function wipedPage() {
  return html`<section aria-labelledby="wiped-title"><h1 id="wiped-title">${t('storage.wiped.heading')}</h1>
    <p class="lead">${t('storage.wiped.what')}</p>
    <p>${t('storage.wiped.synced')}</p>
    <div class="actions">${link('/app/account', t('storage.wiped.signIn'), 'button')}
      <a href="/app/entries" class="button secondary" hx-get="/app/entries" hx-target="#view" hx-push-url="true"
        data-storage-marker="clear">${t('storage.wiped.fresh')}</a></div></section>`;
}
