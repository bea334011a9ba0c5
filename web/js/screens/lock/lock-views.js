/**
 * Fragments of the app lock: the lock screen (nothing of the person's content, the way to unlock, the crisis lines),
 * the screen after the device forgot its keys, the set-up screen under Settings, and Settings' "App lock" section.
 * The secrets typed here never reach the worker as a request: the page's lock forms (page/lock-forms.js) derive and
 * send them by message.
 */

import { toBase64, toHex } from '../../core/bytes.js';
import { LOCK_MINUTES, MAX_FAILURES, MIN_LOCK_PASSPHRASE, MIN_PIN, triesLeft, waitLeft } from '../../core/lock.js';
import { backToMore, link, nav } from '../components.js';
import { html, t } from '../views.js';

const b64 = toBase64;

/** A wait in words: seconds under two minutes, else minutes (rounded up). @param {number} ms */
const waitWords = (ms) => (ms < 120e3 ? t('lock.wait.seconds', { n: Math.ceil(ms / 1000) })
  : t('lock.wait.minutes', { n: Math.ceil(ms / 60e3) }));

/** The link to the crisis lines, which a locked app still opens (a plain navigation: /app/crisis). */
const crisisLink = () => html`<p class="lock-crisis"><a href="/app/crisis" class="button secondary" id="lock-crisis">${
  t('lock.crisis')}</a></p>`;

/**
 * The lock screen: the form for the method set up (its public parameters in data attributes for the page's lock
 * form: the Argon2id salt and cost, or the credential and PRF salt), and how many tries are left.
 * @param {import('../../engine/lock.js').LockRow} row @param {number} now
 */
export function lockPage(row, now) {
  const wait = waitLeft(row, now);
  const left = triesLeft(row);
  const said = wait > 0 ? t('lock.waiting', { wait: waitWords(wait), left })
    : row.failures > 0 ? t('lock.wrong', { left }) : null;
  const secret = row.method === 'prf' ? null : html`<div class="field"><label for="lock-secret">${
    row.method === 'pin' ? t('lock.pin.label') : t('lock.passphrase.label')}</label>
    <input id="lock-secret" type="password" required autocomplete="off" autocapitalize="off"
      spellcheck="false"${row.method === 'pin' ? html` inputmode="numeric" pattern="[0-9]*"` : null}
      aria-describedby="lock-status"></div>`;
  const params = row.method === 'prf'
    ? html` data-cred="${b64(row.credId)}" data-prf-salt="${b64(row.prfSalt)}"`
    : html` data-salt="${toHex(row.kdf.salt)}" data-memory="${row.kdf.memoryKib}" data-iterations="${
      row.kdf.iterations}" data-lanes="${row.kdf.lanes}"`;
  // A PRF lock's fallback PIN or passphrase: a second form, for when the authenticator is not at hand.
  const fb = row.method === 'prf' ? row.fallback ?? null : null;
  const fallback = fb ? html`<form data-lock-form="unlock" data-method="${fb.method}" data-salt="${toHex(fb.kdf.salt)}"
      data-memory="${fb.kdf.memoryKib}" data-iterations="${fb.kdf.iterations}" data-lanes="${fb.kdf.lanes}"
      class="lock-fallback" aria-labelledby="lock-fallback-title" novalidate>
      <h2 id="lock-fallback-title">${t('lock.fallback.heading', { method: fb.method })}</h2>
      <div class="field"><label for="lock-secret">${fb.method === 'pin' ? t('lock.pin.label')
    : t('lock.passphrase.label')}</label>
      <input id="lock-secret" type="password" required autocomplete="off" autocapitalize="off" spellcheck="false"${
  fb.method === 'pin' ? html` inputmode="numeric" pattern="[0-9]*"` : null} aria-describedby="lock-status"></div>
      <p class="error" data-error role="alert" hidden></p>
      <p class="visually-hidden" data-progress role="status"></p>
      <div class="actions"><button type="submit" class="secondary"${wait > 0 ? html` aria-disabled="true"` : null}>${
  t('lock.unlock')}</button></div>
    </form>` : null;
  return html`<section aria-labelledby="lock-title" class="lock-screen" data-lock-screen>
    <h1 id="lock-title">${t('lock.heading')}</h1>
    <p class="lead">${t('lock.lead')}</p>
    <form data-lock-form="unlock" data-method="${row.method}"${params} novalidate>
      ${secret}
      <p id="lock-status" class="${said ? 'error' : 'hint'}"${said ? html` role="alert"` : null}>${
  said ?? t('lock.tries', { max: MAX_FAILURES })}</p>
      <p class="error" data-error role="alert" hidden></p>
      <p class="visually-hidden" data-progress role="status"></p>
      <div class="actions"><button type="submit"${wait > 0 ? html` aria-disabled="true"` : null}>${
  row.method === 'prf' ? t('lock.unlock.prf') : t('lock.unlock')}</button></div>
    </form>
    ${fallback}
    ${crisisLink()}
  </section>`;
}

/** The lock screen asked for while the app is not locked (an old tab, the back button). */
export const unlockedPage = () => html`<section aria-labelledby="lock-open-title"><h1 id="lock-open-title">${
  t('lock.open.heading')}</h1><div class="actions"><a href="/app" class="button">${t('lock.open.go')}</a></div></section>`;

/** After the tenth wrong try: what happened, and the way on (sign in again, or start afresh). */
export function forgottenPage() {
  return html`<section aria-labelledby="lock-gone-title"><h1 id="lock-gone-title">${t('lock.gone.heading')}</h1>
    <p class="lead">${t('lock.gone.what')}</p>
    <p>${t('lock.gone.account')}</p>
    <div class="actions"><a href="/app/account" class="button">${t('lock.gone.signIn')}</a>
      <a href="/app/today" class="button secondary">${t('lock.gone.fresh')}</a></div>
    ${crisisLink()}</section>`;
}

/** The minutes choice (in the set-up form, and on its own once a lock is set). @param {number} current */
const minutesSelect = (current) => html`<div class="field"><label for="lock-minutes">${t('lock.minutes.label')}</label>
  <select id="lock-minutes" name="minutes">${LOCK_MINUTES.map((m) => html`<option value="${m}"${
  m === current ? html` selected` : null}>${t('lock.minutes.option', { n: m })}</option>`)}</select></div>`;

/**
 * The set-up screen (Settings → App lock): what a lock does and what each way of unlocking guards against, said
 * plainly; the form to set it up or change it; once set, the minutes, "Lock now" and turning it off.
 * @param {{configured: boolean, minutes: number, method: string|null, fallback?: string|null}} state
 * @param {'client'|'therapist'} role
 * @param {{notice?: unknown}} [extra]
 */
export function setupPage(state, role, { notice = null } = {}) {
  const method = (value, label, hint) => html`<label class="choice"><input type="radio" name="method" value="${value}"
    ${value === 'pin' ? html`checked` : null}${value === 'prf' ? html` data-needs-prf` : null}
    aria-describedby="lock-m-${value}-hint"><span>${label}</span></label>
    <p class="hint" id="lock-m-${value}-hint">${hint}</p>`;
  const current = state.configured ? html`<section aria-labelledby="lock-now-title">
      <h2 id="lock-now-title">${t('lock.setup.on.heading')}</h2>
      <p>${t('lock.setup.on.method', { method: state.method })}${state.fallback ? html` ${
  t('lock.setup.on.fallback', { method: state.fallback })}` : null}</p>
      <form action="/app/settings/lock/minutes" method="post" hx-post="/app/settings/lock/minutes" hx-target="#view">
        ${minutesSelect(state.minutes)}
        <div class="actions"><button type="submit" class="secondary">${t('lock.minutes.save')}</button></div></form>
      <div class="actions"><button type="button" data-lock-now id="lock-setup-now">${t('lock.nowLong')}</button></div>
      <form action="/app/settings/lock/off" method="post" hx-post="/app/settings/lock/off" hx-target="#view">
        <div class="actions"><button type="submit" class="secondary" id="lock-off">${t('lock.off')}</button></div>
      </form></section>` : null;
  return html`${nav('more', role, t('lock.setup.heading'))}<section aria-labelledby="lock-setup-title" class="lock-setup">
    <h1 id="lock-setup-title">${t('lock.setup.heading')}</h1>
    ${notice}
    <p class="lead">${t('lock.setup.lead')}</p>
    <section aria-labelledby="lock-guards-title"><h2 id="lock-guards-title">${t('lock.setup.guards.heading')}</h2>
      <ul class="plain-list">
        <li>${t('lock.setup.guards.pickUp', { max: MAX_FAILURES })}</li>
        <li>${t('lock.setup.guards.copy')}</li>
        <li>${t('lock.setup.guards.unlocked')}</li>
      </ul>
      <p class="error" id="lock-forget-warning"><strong>${t('lock.setup.forget', { max: MAX_FAILURES })}</strong></p>
    </section>
    ${current}
    <section aria-labelledby="lock-form-title"><h2 id="lock-form-title">${
  state.configured ? t('lock.setup.change.heading') : t('lock.setup.form.heading')}</h2>
      <form data-lock-form="setup" novalidate>
        <fieldset class="field"><legend>${t('lock.setup.method.legend')}</legend>
          <div class="choices">
            ${method('pin', t('lock.method.pin'), t('lock.method.pin.hint', { min: MIN_PIN }))}
            ${method('passphrase', t('lock.method.passphrase'), t('lock.method.passphrase.hint',
    { min: MIN_LOCK_PASSPHRASE }))}
            ${method('prf', t('lock.method.prf'), t('lock.method.prf.hint'))}
          </div>
          <p class="hint" data-prf-missing hidden>${t('lock.method.prf.missing')}</p>
        </fieldset>
        <div data-method="pin">
          <div class="field"><label for="lock-pin">${t('lock.setup.pin')}</label>
            <input id="lock-pin" type="password" inputmode="numeric" pattern="[0-9]*" autocomplete="new-password"
              minlength="${MIN_PIN}"></div>
          <div class="field"><label for="lock-pin2">${t('lock.setup.pinAgain')}</label>
            <input id="lock-pin2" type="password" inputmode="numeric" pattern="[0-9]*" autocomplete="new-password"></div>
        </div>
        <div data-method="passphrase" hidden>
          <div class="field"><label for="lock-pass">${t('lock.setup.passphrase')}</label>
            <input id="lock-pass" type="password" autocomplete="new-password" spellcheck="false"></div>
          <div class="field"><label for="lock-pass2">${t('lock.setup.passphraseAgain')}</label>
            <input id="lock-pass2" type="password" autocomplete="new-password" spellcheck="false"></div>
        </div>
        <div data-method="prf" hidden><p class="hint">${t('lock.setup.prf')}</p>
          <fieldset class="field"><legend>${t('lock.fallback.legend')}</legend>
            <p class="hint" id="lock-fallback-hint">${t('lock.fallback.hint')}</p>
            <div class="choices">${['none', 'pin', 'passphrase'].map((value) => html`<label class="choice"><input
              type="radio" name="fallback" value="${value}"${value === 'none' ? html` checked` : null}
              aria-describedby="lock-fallback-hint"><span>${t(`lock.fallback.${value}`)}</span></label>`)}</div>
          </fieldset>
          <div data-fallback="pin" hidden>
            <div class="field"><label for="lock-fb-pin">${t('lock.setup.pin')}</label>
              <input id="lock-fb-pin" type="password" inputmode="numeric" pattern="[0-9]*" autocomplete="new-password"
                minlength="${MIN_PIN}"></div>
            <div class="field"><label for="lock-fb-pin2">${t('lock.setup.pinAgain')}</label>
              <input id="lock-fb-pin2" type="password" inputmode="numeric" pattern="[0-9]*"
                autocomplete="new-password"></div>
          </div>
          <div data-fallback="passphrase" hidden>
            <div class="field"><label for="lock-fb-pass">${t('lock.setup.passphrase')}</label>
              <input id="lock-fb-pass" type="password" autocomplete="new-password" spellcheck="false"></div>
            <div class="field"><label for="lock-fb-pass2">${t('lock.setup.passphraseAgain')}</label>
              <input id="lock-fb-pass2" type="password" autocomplete="new-password" spellcheck="false"></div>
          </div>
        </div>
        ${state.configured ? null : minutesSelect(state.minutes)}
        <p class="error" data-error role="alert" hidden></p>
        <p class="visually-hidden" data-progress role="status"></p>
        <div class="actions"><button type="submit" aria-describedby="lock-forget-warning">${
  state.configured ? t('lock.setup.change') : t('lock.setup.turnOn')}</button></div>
      </form></section>
    <div class="actions">${link('/app/settings', t('lock.setup.back'), 'button secondary')}${backToMore()}</div>
  </section>`;
}

/** Settings' "App lock" section: on or off, and the way to set it up. @param {{configured: boolean}} state */
export function lockSettings(state) {
  return html`<section aria-labelledby="lock-settings-title"><h2 id="lock-settings-title">${t('lock.settings.heading')}</h2>
    <p>${state.configured ? t('lock.settings.on') : t('lock.settings.off')}</p>
    <div class="actions">${link('/app/settings/lock', state.configured ? t('lock.settings.change')
    : t('lock.settings.setUp'), 'button secondary')}${state.configured
    ? html`<button type="button" data-lock-now id="settings-lock-now">${t('lock.nowLong')}</button>` : null}</div></section>`;
}
