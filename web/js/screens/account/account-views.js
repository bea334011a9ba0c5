/** Fragments of the account screens: turn on sync, sign in, the recovery key step, sign out, forget this device. */

import { instantWords } from '../../core/dates.js';
import { statusText } from '../../core/sync-status.js';
import { backToMore, badge, link, nav } from '../components.js';
import { html, t, tt } from '../views.js';

const when = (seconds) => html`<time datetime="${new Date(seconds * 1000).toISOString()}">${
  instantWords(seconds) ?? ''}</time>`;

function passphraseFields(fresh = false) {
  return html`<div class="field"><label for="a-pass">${t(fresh ? 'account.change.new' : 'account.passphrase')}</label>
      <p class="hint" id="a-pass-hint">${t('account.passphrase.hint')}</p>
      <input id="a-pass" type="password" autocomplete="new-password" required minlength="10" data-strength="a-strength"
        aria-describedby="a-pass-hint a-strength-text"></div>
    <div class="strength"><meter id="a-strength" min="0" max="4" low="2" high="3" optimum="4" value="0"
      aria-labelledby="a-strength-text"></meter>
      <p id="a-strength-text" class="hint" aria-live="polite">${t('account.passphrase.strengthEmpty')}</p></div>
    <div class="field"><label for="a-pass2">${t(fresh ? 'account.passphrase.repeatNew' : 'account.passphrase.repeat')}</label>
      <input id="a-pass2" type="password" autocomplete="new-password" required></div>`;
}

/** Forms marked data-secret are handled by account-forms.js: the passphrase goes to the Argon2id worker, never to htmx. */
export function signupForm(handle = '') {
  return html`<section aria-labelledby="signup-title" class="panel"><h2 id="signup-title">${t('account.signup.heading')}</h2>
    <p>${t('account.signup.lead')}</p>
    <form id="signup-form" data-secret="signup" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <div class="field"><label for="a-handle">${t('account.handle')}</label>
        <p class="hint" id="a-handle-hint">${t('account.handle.hint')}</p>
        <input id="a-handle" name="handle" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
          required value="${handle}" aria-describedby="a-handle-hint"></div>
      ${passphraseFields()}
      <fieldset class="field"><legend>${t('account.role.legend')}</legend>
        <div class="choices"><label class="choice"><input type="radio" name="role" value="client" checked> ${t('account.role.client')}</label>
        <label class="choice"><input type="radio" name="role" value="therapist"> ${t('account.role.therapist')}</label></div>
        <p class="hint">${t('account.role.hint')}</p>
      </fieldset>
      <div class="field"><label for="a-code">${t('account.code')} <span class="hint">${t('account.code.hint')}</span></label>
        <input id="a-code" name="invite_code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false"
          maxlength="128"></div>
      <div class="actions"><button type="submit">${t('account.signup.submit')}</button></div>
    </form></section>`;
}

export function signinForm(handle = '') {
  return html`<section aria-labelledby="signin-title" class="panel"><h2 id="signin-title">${t('account.signin.heading')}</h2>
    <p>${t('account.signin.lead')}</p>
    <form id="signin-form" data-secret="signin" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <div class="field"><label for="s-handle">${t('account.handle')}</label>
        <input id="s-handle" name="handle" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
          required value="${handle}"></div>
      <fieldset class="field"><legend>${t('account.signin.with')}</legend><div class="choices">
        <label class="choice"><input type="radio" name="method" value="passphrase" checked><span>${t('account.signin.myPassphrase')}</span></label>
        <label class="choice"><input type="radio" name="method" value="recovery"><span>${t('account.signin.myRecoveryKey')}</span></label>
      </div></fieldset>
      <div class="field" data-method="passphrase"><label for="s-pass">${t('account.passphrase')}</label>
        <input id="s-pass" type="password" autocomplete="current-password"></div>
      ${recoveryKeyField('s-recovery')}
      <div class="actions"><button type="submit">${t('account.signin.submit')}</button></div>
    </form></section>`;
}

/** The recovery key's field, shown when "My recovery key" is chosen (app.js toggles `data-method`). */
const recoveryKeyField = (id) => html`<div class="field" data-method="recovery" hidden>
    <label for="${id}">${t('account.recoveryKey')}</label>
    <input id="${id}" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false"
      placeholder="${t('account.recoveryKey.placeholder')}"></div>`;

/** An account screen that needs this device signed in, shown while it is not. */
const needsSignIn = (me, id, title) => html`${nav('more', me.role, title)}<section aria-labelledby="${id}">
  <h1 id="${id}">${title}</h1><p class="notice">${t('account.needsSignIn')}</p>
  <div class="actions">${link('/app/account', t('account.goToSync'), 'button secondary')}</div></section>`;

/** Change the passphrase: the current one (or the recovery key), then the new one twice (account-forms.js). */
export function passphrasePage(me) {
  if (!me.session) return needsSignIn(me, 'pass-title', t('more.passphrase'));
  return html`${nav('more', me.role, t('more.passphrase'))}<section aria-labelledby="pass-title">
    <h1 id="pass-title">${t('more.passphrase')}</h1>
    <p class="lead">${tt('account.change.lead', { handle: html`<strong>${me.handle}</strong>` })}</p>
    <form id="passphrase-form" data-secret="passphrase" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <input type="text" name="username" autocomplete="username" value="${me.handle}" hidden>
      <fieldset class="field"><legend>${t('account.change.confirmWith')}</legend><div class="choices">
        <label class="choice"><input type="radio" name="method" value="passphrase" checked><span>${t('account.change.byPassphrase')}</span></label>
        <label class="choice"><input type="radio" name="method" value="recovery"><span>${t('account.change.byRecovery')}</span></label>
      </div></fieldset>
      <div class="field" data-method="passphrase"><label for="p-current">${t('account.change.current')}</label>
        <input id="p-current" type="password" autocomplete="current-password"></div>
      ${recoveryKeyField('p-recovery')}
      ${passphraseFields(true)}
      <div class="actions"><button type="submit">${t('account.change.submit')}</button>
        ${link('/app/more', t('account.cancel'), 'button secondary')}</div>
    </form></section>`;
}

/** Delete the account: what goes, what may stay, then the passphrase (account-forms.js). */
export function deleteAccountPage(me) {
  if (!me.session) return needsSignIn(me, 'delete-title', t('more.title.delete'));
  return html`${nav('more', me.role, t('more.title.delete'))}<section aria-labelledby="delete-title">
    <h1 id="delete-title">${t('more.title.delete')}</h1>
    <div class="error" id="delete-warning"><p>${tt('account.delete.warning', { handle: html`<strong>${me.handle}</strong>`,
      role: me.role })}</p>
      <p>${t('account.delete.others', { role: me.role })}</p></div>
    <p>${tt('account.delete.keep', { link: link('/app/export', t('account.delete.keepLink')) })}</p>
    <form id="delete-form" data-secret="delete-account" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <input type="text" name="username" autocomplete="username" value="${me.handle}" hidden>
      <div class="field"><label for="d-handle">${t('account.delete.typeName', { handle: me.handle })}</label>
        <input id="d-handle" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required
          data-expect="${me.handle}"></div>
      <div class="field"><label for="d-pass">${t('account.passphrase')}</label>
        <input id="d-pass" type="password" autocomplete="current-password" required></div>
      <div class="actions"><button type="submit" class="danger" aria-describedby="delete-warning">${t('account.delete.submit')}</button>
        ${link('/app/more', t('account.cancel'), 'button secondary')}</div>
    </form></section>`;
}

/** After the account was deleted: nothing of it is left here or on the server. */
export function deletedPage() {
  return html`<section aria-labelledby="gone-title"><h1 id="gone-title">${t('account.deleted.heading')}</h1>
    <p>${t('account.deleted.body')}</p>${link('/app/entries', t('account.startAgain'),
    'button')}</section>`;
}

/** Warnings from sync, in plain words, each with its own Dismiss button (the event then never comes back). */
export function notesSection(notes) {
  if (!notes.length) return null;
  return html`<section class="sync-notes" aria-labelledby="notes-title"><h2 id="notes-title">${t('account.notes.heading')}</h2>
    <ul>${notes.map((note, i) => html`<li><p id="note-${i}">${note.text}</p>
      <form action="/app/sync/notes/dismiss" method="post" hx-post="/app/sync/notes/dismiss" hx-target="#view">
        <input type="hidden" name="note" value="${note.id}">
        <button type="submit" class="secondary" aria-describedby="note-${i}">${t('account.notes.dismiss')}</button></form></li>`)}</ul>
  </section>`;
}

/**
 * The Sync screen: the status in words, "Sync now", notes from sync and who this account is linked with; signed out,
 * the forms that turn sync on or sign in. Devices, the passphrase, signing out, settings and the steps that remove
 * things are under More (screens/more/).
 */
export function accountPage(me, status, { notice = null, waiting = 0, peers = [], notes = [] } = {}) {
  const top = nav('more', me.role, t('more.sync'));
  if (!me.session) {
    return html`${top}<section aria-labelledby="account-title"><h1 id="account-title">${t('account.heading')}</h1>
      ${notice}
      ${status?.state === 'signed_out' ? html`<p class="notice" role="status">${t('account.signedOutBySync')}</p>` : null}
      <p class="lead">${t('account.onlyHere')}</p>
      ${me.handle ? html`<p>${tt('account.wasSignedIn', { handle: html`<strong>${me.handle}</strong>` })}</p>` : null}
      ${me.handle ? null : signupForm()}
      ${signinForm(me.handle ?? '')}
      <div class="actions">${backToMore()}</div></section>`;
  }
  return html`${top}<section aria-labelledby="account-title"><h1 id="account-title">${t('account.heading')}</h1>
    ${notice}
    <p class="lead">${tt('account.signedInLead', { handle: html`<strong>${me.handle}</strong>` })}</p>
    <p>${tt('account.status', { status: html`<span data-sync-text>${statusText(status)}</span>` })}${
  waiting ? html` ${t('account.waiting', { count: waiting })}` : null}</p>
    <form action="/app/sync" method="post" hx-post="/app/sync" hx-target="#view"><button type="submit">${t('account.syncNow')}</button></form>
    ${notesSection(notes)}
    ${peers.length ? html`<h2>${t('account.peers', { role: me.role })}</h2><ul>${peers.map((p) => html`<li>${link(`/app/link/${p.userId}`,
      p.handle)} ${badge(p)}</li>`)}</ul>` : null}
    <div class="actions">${backToMore()}</div></section>`;
}

const DEVICE_PROBLEMS = { unreachable: 'account.devices.unreachable', signed_out: 'account.devices.signedOut',
  not_found: 'account.devices.notFound', rate_limited: 'account.devices.rateLimited', other: 'account.devices.other' };

/** Words for a failed devices call (a code: never the server's detail). */
export const deviceProblem = (code) => t(DEVICE_PROBLEMS[code] ?? DEVICE_PROBLEMS.other);

/**
 * "Your devices": every device signed in to this account, this one marked; any other can be signed out for good
 * (a lost or sold phone). `devices` null: not listed (see `problem`).
 * @param {{me: import('../../data/device.js').Unlocked, devices: {device_id: string, name: string, created_at: number, last_seen_at: number,
 *   current: boolean}[]|null, notice?: unknown, problem?: string|null}} p
 */
export function devicesPage({ me, devices, notice = null, problem = null }) {
  const mine = devices ?? [];
  const others = mine.filter((d) => !d.current).length;
  return html`${nav('more', me.role, t('more.devices'))}<section aria-labelledby="devices-title">
    <h1 id="devices-title">${t('more.devices')}</h1>
    ${notice}
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <p class="lead">${tt('account.devices.lead', { handle: html`<strong>${me.handle}</strong>` })}</p>
    ${devices ? html`<ul class="devices">${mine.map((d) => deviceItem(d))}</ul>
      ${others ? html`<p class="hint">${t('account.devices.stopHint')}</p>`
        : html`<p>${t('account.devices.none')}</p>`}` : null}
    <div class="actions">${backToMore()}</div></section>`;
}

function deviceItem(d) {
  const title = `device-${d.device_id}`;
  return html`<li class="device" aria-labelledby="${title}"><p class="device-name" id="${title}"><strong>${d.name}</strong>${
    d.current ? html` <span class="tag">${t('account.devices.this')}</span>` : null}</p>
    <p class="meta">${tt('account.devices.meta', { created: when(d.created_at), seen: when(d.last_seen_at) })}</p>
    ${d.current ? html`<p class="hint">${t('account.devices.thisHint')}</p>`
      : html`<a href="/app/account/devices/${d.device_id}/revoke" class="button danger secondary"
        hx-get="/app/account/devices/${d.device_id}/revoke" hx-target="#view" hx-push-url="true"
        aria-describedby="${title}">${t('more.revoke.open')}</a>`}</li>`;
}

/**
 * Asked once more before another device is signed out for good: which one, and what that means.
 * @param {import('../../data/device.js').Unlocked} me @param {{device_id: string, name: string}} device
 */
export function revokePage(me, device) {
  return html`${nav('more', me.role, t('more.revoke.confirm'))}<section aria-labelledby="revoke-title">
    <h1 id="revoke-title">${t('more.revoke.heading', { name: device.name })}</h1>
    <p class="error" id="revoke-warning">${t('more.revoke.warning')}</p>
    <form action="/app/account/devices/${device.device_id}/revoke" method="post"
      hx-post="/app/account/devices/${device.device_id}/revoke" hx-target="#view">
      <div class="actions"><button type="submit" class="danger" aria-describedby="revoke-warning">${
  t('more.revoke.confirm')}</button>
      ${link('/app/account/devices', t('more.revoke.keep'), 'button secondary')}</div></form></section>`;
}

/**
 * Shown once, right after the account was made: the only way back in without the passphrase.
 * @param {string} handle @param {string} recoveryKey @param {'client'|'therapist'} [role]
 */
export function recoveryPage(handle, recoveryKey, role = 'client') {
  return html`${nav('more', role, t('more.sync'))}<section aria-labelledby="recovery-title"><h1 id="recovery-title">${t('account.recovery.heading')}</h1>
    <p class="lead">${tt('account.recovery.ready', { handle: html`<strong>${handle}</strong>` })}</p>
    <p>${tt('account.recovery.body', { onlyNow: html`<strong>${t('account.recovery.onlyNow')}</strong>` })}</p>
    <p class="recovery-key"><code>${recoveryKey}</code></p>
    <form action="/app/account/done" method="get" hx-get="/app/account/done" hx-target="#view" hx-push-url="/app/account">
      <label class="choice"><input type="checkbox" id="r-written" name="written" value="yes" required>
        <span>${t('account.recovery.written')}</span></label>
      <div class="actions"><button type="submit">${t('account.continue')}</button></div></form></section>`;
}

export function forgetPage(me, waiting) {
  return html`${nav('more', me.role, t('more.title.forget'))}<section aria-labelledby="forget-title"><h1 id="forget-title">${t('more.title.forget')}</h1>
    <p class="error" id="forget-warning">${t('account.forget.warning')}
      ${waiting ? html`<strong>${t('account.forget.waiting', { count: waiting })}</strong>` : null}
      ${t(me.session ? 'account.forget.synced' : 'account.forget.notSynced')}</p>
    <p>${tt('account.forget.keep', { link: link('/app/export', t('account.forget.keepLink')) })}</p>
    <form action="/app/account/forget" method="post" hx-post="/app/account/forget" hx-target="#view">
      <label class="choice"><input type="checkbox" name="confirm" value="yes" required>
        <span>${t('account.forget.confirm')}</span></label>
      <div class="actions"><button type="submit" class="danger" aria-describedby="forget-warning">${t('account.forget.submit')}</button>
      ${link('/app/more', t('account.cancel'), 'button secondary')}</div></form></section>`;
}

export function forgottenPage() {
  return html`<section aria-labelledby="gone-title"><h1 id="gone-title">${t('account.forgotten.heading')}</h1>
    <p>${t('account.forgotten.body')}</p>${link('/app/entries', t('account.startAgain'), 'button')}</section>`;
}

export function signedInPage(result) {
  return html`${nav('more', result.role, t('more.sync'))}<section aria-labelledby="in-title"><h1 id="in-title">${t('account.signedIn.heading', { handle: result.handle })}</h1>
    <p class="lead">${t('account.signedIn.lead')}</p>
    ${result.adopted ? html`<p>${t('account.signedIn.adopted', { count: result.adopted })}</p>` : null}
    ${link('/app/entries', t('account.signedIn.go'), 'button')}</section>`;
}
