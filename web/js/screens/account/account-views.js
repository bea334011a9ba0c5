/** Fragments of the account screens: turn on sync, sign in, the recovery key step, sign out, forget this device. */

import { instantWords } from '../../core/dates.js';
import { statusText } from '../../core/sync-status.js';
import { backToMore, badge, link, nav } from '../components.js';
import { html, t } from '../views.js';

const when = (seconds) => html`<time datetime="${new Date(seconds * 1000).toISOString()}">${
  instantWords(seconds) ?? ''}</time>`;

const HANDLE_HINT = 'Lowercase letters, digits, dots, dashes or underscores; 3 to 64 characters. The server sees it.';

function passphraseFields(label = 'Passphrase') {
  return html`<div class="field"><label for="a-pass">${label}</label>
      <p class="hint" id="a-pass-hint">At least 10 characters. A few unrelated words are strong and easy to remember.</p>
      <input id="a-pass" type="password" autocomplete="new-password" required minlength="10" data-strength="a-strength"
        aria-describedby="a-pass-hint a-strength-text"></div>
    <div class="strength"><meter id="a-strength" min="0" max="4" low="2" high="3" optimum="4" value="0"
      aria-labelledby="a-strength-text"></meter>
      <p id="a-strength-text" class="hint" aria-live="polite">Strength: type a passphrase</p></div>
    <div class="field"><label for="a-pass2">Repeat the ${label.toLowerCase()}</label>
      <input id="a-pass2" type="password" autocomplete="new-password" required></div>`;
}

/** Forms marked data-secret are handled by account-forms.js: the passphrase goes to the Argon2id worker, never to htmx. */
export function signupForm(handle = '') {
  return html`<section aria-labelledby="signup-title" class="panel"><h2 id="signup-title">Turn on sync</h2>
    <p>Create an account so your entries are kept, encrypted, on the server and on your other devices.
      The entries already on this device stay as they are.</p>
    <form id="signup-form" data-secret="signup" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <div class="field"><label for="a-handle">Account name</label>
        <p class="hint" id="a-handle-hint">${HANDLE_HINT}</p>
        <input id="a-handle" name="handle" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
          required value="${handle}" aria-describedby="a-handle-hint"></div>
      ${passphraseFields()}
      <fieldset class="field"><legend>Who is this account for?</legend>
        <div class="choices"><label class="choice"><input type="radio" name="role" value="client" checked> For me</label>
        <label class="choice"><input type="radio" name="role" value="therapist"> For my work as a therapist</label></div>
        <p class="hint">A therapist's account invites clients and gives activities; clients choose what they share.</p>
      </fieldset>
      <div class="field"><label for="a-code">Invitation code <span class="hint">(only if your server asks for
        one)</span></label>
        <input id="a-code" name="invite_code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false"
          maxlength="128"></div>
      <div class="actions"><button type="submit">Create account</button></div>
    </form></section>`;
}

export function signinForm(handle = '') {
  return html`<section aria-labelledby="signin-title" class="panel"><h2 id="signin-title">Sign in on this device</h2>
    <p>Already have an account? Sign in with your passphrase, or with your recovery key if you forgot it.</p>
    <form id="signin-form" data-secret="signin" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <div class="field"><label for="s-handle">Account name</label>
        <input id="s-handle" name="handle" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
          required value="${handle}"></div>
      <fieldset class="field"><legend>Sign in with</legend><div class="choices">
        <label class="choice"><input type="radio" name="method" value="passphrase" checked><span>My passphrase</span></label>
        <label class="choice"><input type="radio" name="method" value="recovery"><span>My recovery key</span></label>
      </div></fieldset>
      <div class="field" data-method="passphrase"><label for="s-pass">Passphrase</label>
        <input id="s-pass" type="password" autocomplete="current-password"></div>
      ${recoveryKeyField('s-recovery')}
      <div class="actions"><button type="submit">Sign in</button></div>
    </form></section>`;
}

/** The recovery key's field, shown when "My recovery key" is chosen (app.js toggles `data-method`). */
const recoveryKeyField = (id) => html`<div class="field" data-method="recovery" hidden>
    <label for="${id}">Recovery key</label>
    <input id="${id}" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false"
      placeholder="XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXX"></div>`;

/** An account screen that needs this device signed in, shown while it is not. */
const needsSignIn = (me, id, title) => html`${nav('more', me.role, title)}<section aria-labelledby="${id}">
  <h1 id="${id}">${title}</h1><p class="notice">This device is signed out. Sign in on the Sync screen first.</p>
  <div class="actions">${link('/app/account', 'Go to Sync', 'button secondary')}</div></section>`;

/** Change the passphrase: the current one (or the recovery key), then the new one twice (account-forms.js). */
export function passphrasePage(me) {
  if (!me.session) return needsSignIn(me, 'pass-title', 'Change your passphrase');
  return html`${nav('more', me.role, t('more.passphrase'))}<section aria-labelledby="pass-title">
    <h1 id="pass-title">Change your passphrase</h1>
    <p class="lead">For <strong>${me.handle}</strong>. Your entries, your devices and your recovery key stay as they
      are; from now on you sign in with the new passphrase.</p>
    <form id="passphrase-form" data-secret="passphrase" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <input type="text" name="username" autocomplete="username" value="${me.handle}" hidden>
      <fieldset class="field"><legend>Confirm with</legend><div class="choices">
        <label class="choice"><input type="radio" name="method" value="passphrase" checked><span>My current
          passphrase</span></label>
        <label class="choice"><input type="radio" name="method" value="recovery"><span>My recovery key (I forgot the
          passphrase)</span></label>
      </div></fieldset>
      <div class="field" data-method="passphrase"><label for="p-current">Current passphrase</label>
        <input id="p-current" type="password" autocomplete="current-password"></div>
      ${recoveryKeyField('p-recovery')}
      ${passphraseFields('New passphrase')}
      <div class="actions"><button type="submit">Change passphrase</button>
        ${link('/app/more', 'Cancel', 'button secondary')}</div>
    </form></section>`;
}

/** Delete the account: what goes, what may stay, then the passphrase (account-forms.js). */
export function deleteAccountPage(me) {
  if (!me.session) return needsSignIn(me, 'delete-title', 'Delete your account');
  const theirs = me.role === 'therapist' ? 'clients' : 'therapist';
  return html`${nav('more', me.role, t('more.title.delete'))}<section aria-labelledby="delete-title">
    <h1 id="delete-title">Delete your account</h1>
    <div class="error" id="delete-warning"><p>This deletes <strong>${me.handle}</strong> from the server for good: every entry,
      every share and link with your ${theirs}, and every device. It cannot be undone, not even with the recovery key.</p>
      <p>This device is cleared too. Other devices you signed in to keep their copy until you clear them there, and
      what your ${theirs} already received may stay on their devices.</p></div>
    <p>Want to keep your entries? ${link('/app/export', 'Save a copy of them')} first.</p>
    <form id="delete-form" data-secret="delete-account" novalidate autocomplete="off">
      <p class="error" role="alert" data-error hidden></p>
      <p class="hint" role="status" data-progress></p>
      <input type="text" name="username" autocomplete="username" value="${me.handle}" hidden>
      <div class="field"><label for="d-handle">Type your account name, ${me.handle}, to confirm</label>
        <input id="d-handle" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required
          data-expect="${me.handle}"></div>
      <div class="field"><label for="d-pass">Passphrase</label>
        <input id="d-pass" type="password" autocomplete="current-password" required></div>
      <div class="actions"><button type="submit" class="danger" aria-describedby="delete-warning">Delete my account</button>
        ${link('/app/more', 'Cancel', 'button secondary')}</div>
    </form></section>`;
}

/** After the account was deleted: nothing of it is left here or on the server. */
export function deletedPage() {
  return html`<section aria-labelledby="gone-title"><h1 id="gone-title">Your account was deleted</h1>
    <p>Nothing of it is kept on the server or on this device any more.</p>${link('/app/entries', 'Start again',
    'button')}</section>`;
}

/** Warnings from sync, in plain words, each with its own Dismiss button (the event then never comes back). */
export function notesSection(notes) {
  if (!notes.length) return null;
  return html`<section class="sync-notes" aria-labelledby="notes-title"><h2 id="notes-title">Notes from sync</h2>
    <ul>${notes.map((note, i) => html`<li><p id="note-${i}">${note.text}</p>
      <form action="/app/sync/notes/dismiss" method="post" hx-post="/app/sync/notes/dismiss" hx-target="#view">
        <input type="hidden" name="note" value="${note.id}">
        <button type="submit" class="secondary" aria-describedby="note-${i}">Dismiss</button></form></li>`)}</ul>
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
    return html`${top}<section aria-labelledby="account-title"><h1 id="account-title">Sync</h1>
      ${notice}
      ${status?.state === 'signed_out' ? html`<p class="notice" role="status">Sync stopped: this device was signed out,
        perhaps from another of your devices. Sign in again to sync; your entries are still here.</p>` : null}
      <p class="lead">Right now your entries are kept only on this device, encrypted.</p>
      ${me.handle ? html`<p>This device was signed in as <strong>${me.handle}</strong>.</p>` : null}
      ${me.handle ? null : signupForm()}
      ${signinForm(me.handle ?? '')}
      <div class="actions">${backToMore()}</div></section>`;
  }
  return html`${top}<section aria-labelledby="account-title"><h1 id="account-title">Sync</h1>
    ${notice}
    <p class="lead">Signed in as <strong>${me.handle}</strong>. Your entries sync encrypted; the server cannot read them.</p>
    <p>Status: <span data-sync-text>${statusText(status)}</span>${waiting ? html` (${waiting} waiting)` : null}</p>
    <form action="/app/sync" method="post" hx-post="/app/sync" hx-target="#view"><button type="submit">Sync now</button></form>
    ${notesSection(notes)}
    ${peers.length ? html`<h2>${me.role === 'therapist' ? 'Your clients' : 'Your therapist'}</h2><ul>${peers.map((p) => html`<li>${link(`/app/link/${p.userId}`,
      p.handle)} ${badge(p)}</li>`)}</ul>` : null}
    <div class="actions">${backToMore()}</div></section>`;
}

const DEVICE_PROBLEMS = {
  unreachable: 'The server cannot be reached, so your devices cannot be listed or signed out right now. Check the '
    + 'connection and try again.',
  signed_out: 'This device is signed out, so it cannot list your devices. Sign in again on the Sync screen (under More).',
  not_found: 'That device was signed out already.',
  rate_limited: 'Too many tries. Please wait a minute and try again.',
  other: 'The server could not do that just now. Please try again.',
};

/** Words for a failed devices call (a code: never the server's detail). */
export const deviceProblem = (code) => DEVICE_PROBLEMS[code] ?? DEVICE_PROBLEMS.other;

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
    <h1 id="devices-title">Your devices</h1>
    ${notice}
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <p class="lead">Every device signed in to <strong>${me.handle}</strong>. Sign out one you no longer have: it can no
      longer sync, and signing in again needs your passphrase or recovery key.</p>
    ${devices ? html`<ul class="devices">${mine.map((d) => deviceItem(d))}</ul>
      ${others ? html`<p class="hint">Signing a device out stops it syncing: nothing new reaches it. What it already
        holds stays on it, encrypted, until it is cleared.</p>`
        : html`<p>No other device is signed in.</p>`}` : null}
    <div class="actions">${backToMore()}</div></section>`;
}

function deviceItem(d) {
  const title = `device-${d.device_id}`;
  return html`<li class="device" aria-labelledby="${title}"><p class="device-name" id="${title}"><strong>${d.name}</strong>${
    d.current ? html` <span class="tag">This device</span>` : null}</p>
    <p class="meta">Signed in ${when(d.created_at)}; last renewed ${when(d.last_seen_at)}</p>
    ${d.current ? html`<p class="hint">To sign out this device, use “Sign out” under More.</p>`
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
  return html`${nav('more', role, t('more.sync'))}<section aria-labelledby="recovery-title"><h1 id="recovery-title">Write down your recovery key</h1>
    <p class="lead">Your account <strong>${handle}</strong> is ready and sync is on.</p>
    <p>If you forget your passphrase, this key is the only way back into your entries. Nobody else has it, not
      even the server, and it is shown <strong>only now</strong>. Write it on paper and keep it somewhere safe.</p>
    <p class="recovery-key"><code>${recoveryKey}</code></p>
    <form action="/app/account/done" method="get" hx-get="/app/account/done" hx-target="#view" hx-push-url="/app/account">
      <label class="choice"><input type="checkbox" id="r-written" name="written" value="yes" required>
        <span>I have written down my recovery key</span></label>
      <div class="actions"><button type="submit">Continue</button></div></form></section>`;
}

export function forgetPage(me, waiting) {
  return html`${nav('more', me.role, t('more.title.forget'))}<section aria-labelledby="forget-title"><h1 id="forget-title">Forget this device</h1>
    <p class="error" id="forget-warning">This removes every entry and key from this device.
      ${waiting ? html`<strong>${waiting} ${waiting === 1 ? 'change has' : 'changes have'} not reached the server yet and will be lost.</strong>` : null}
      ${me.session ? ' Entries that are synced stay in your account.' : ' They are not synced anywhere.'}</p>
    <p>Want to keep them? ${link('/app/export', 'Save a copy of your entries')} first.</p>
    <form action="/app/account/forget" method="post" hx-post="/app/account/forget" hx-target="#view">
      <label class="choice"><input type="checkbox" name="confirm" value="yes" required>
        <span>Yes, remove everything from this device</span></label>
      <div class="actions"><button type="submit" class="danger" aria-describedby="forget-warning">Forget this device</button>
      ${link('/app/more', 'Cancel', 'button secondary')}</div></form></section>`;
}

export function forgottenPage() {
  return html`<section aria-labelledby="gone-title"><h1 id="gone-title">This device was cleared</h1>
    <p>Nothing of yours is kept here any more.</p>${link('/app/entries', 'Start again', 'button')}</section>`;
}

export function signedInPage(result) {
  return html`${nav('more', result.role, t('more.sync'))}<section aria-labelledby="in-title"><h1 id="in-title">Signed in as ${result.handle}</h1>
    <p class="lead">Your entries are being fetched and decrypted on this device.</p>
    ${result.adopted ? html`<p>${result.adopted} ${result.adopted === 1 ? 'entry' : 'entries'} written here before signing in
      will be added to your account.</p>` : null}
    ${link('/app/entries', 'Go to your entries', 'button')}</section>`;
}
