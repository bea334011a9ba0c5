/** The service worker's account handlers: sync page, sign out, forget; and the page's secret-carrying messages. */

import { get, getAll, write } from '../../data/db.js';
import { BetweenError } from '../../core/errors.js';
import { explain } from '../../engine/account.js';
import {
  accountPage, deleteAccountPage, deletedPage, deviceProblem, devicesPage, forgetPage, forgottenPage, passphrasePage,
  recoveryPage, revokePage, signedInPage,
} from './account-views.js';
import { moreView } from '../more/more-routes.js';
import { Unreachable } from '../../data/api.js';
import { WARNINGS } from '../../engine/share.js';
import { isPending } from '../../data/entries.js';
import { html, htmlResponse, t } from '../views.js';
import { UUID } from '../../engine/router.js';

// Sync warnings the person has not dismissed yet, kept in 'meta' because each sync run replaces the last run's
// codes in the status. Only fixed codes and the run's time are stored: never an entry's content.
const NOTES_KEY = 'sync-notes';
const DISMISSED_KEPT = 50;

/** One warning event: a code reported by the sync run that finished at `at`. */
export const noteId = (note) => `${note.code}@${note.at}`;

/**
 * The notes to show after a sync status: the kept ones plus the status's new codes; an event once dismissed
 * (same code, same run) never comes back. Unknown codes are left out (no text to show for them).
 * @param {{open: {code: string, at: string}[], dismissed: string[]}} kept
 * @param {{warnings?: string[], at?: string}} status
 */
export function notesAfter(kept, status) {
  const seen = new Set([...kept.open.map(noteId), ...kept.dismissed]);
  const fresh = (status.at ? status.warnings ?? [] : [])
    .filter((code) => Object.hasOwn(WARNINGS, code))
    .map((code) => ({ code, at: status.at }))
    .filter((note) => !seen.has(noteId(note)));
  return fresh.length ? { ...kept, open: [...kept.open, ...fresh] } : kept;
}

/** The notes after the person dismissed one (by its id); the dismissed ids are bounded, oldest dropped first. */
export function dismissNote(kept, id) {
  if (!kept.open.some((note) => noteId(note) === id)) return kept;
  return { open: kept.open.filter((note) => noteId(note) !== id),
    dismissed: [...kept.dismissed.filter((d) => d !== id), id].slice(-DISMISSED_KEPT) };
}

const noNotes = () => ({ open: [], dismissed: [] });

const notice = (text) => html`<p class="notice" role="status">${text}</p>`;

/** The notes to show now, kept first: the status's new warnings are saved before the screen shows them. */
async function keepNotes(db, status) {
  const kept = (await get(db, 'meta', NOTES_KEY)) ?? noNotes();
  const next = notesAfter(kept, status);
  if (next !== kept) await write(db, ['meta'], (tx) => tx.objectStore('meta').put(next, NOTES_KEY));
  return next.open.map((note) => ({ id: noteId(note), text: t(`sync.warning.${WARNINGS[note.code]}`), at: note.at }));
}

/**
 * The Sync screen's markup; `extra` adds a notice.
 * @param {import('../features.js').App} app
 */
async function accountView({ load, sync }, extra = {}) {
  const { db, me } = await load();
  const waiting = (await getAll(db, 'records')).filter(isPending).length;
  const peers = (await getAll(db, 'peers')).filter((p) => p.linked);
  const status = sync.status();
  const notes = me.session ? await keepNotes(db, status) : [];
  return accountPage(me, status, { waiting: me.session ? 0 : waiting, peers, notes, ...extra });
}

/**
 * The account screens: Sync, devices, passphrase, deleting, signing out, forgetting this device (the More screen
 * leads to them: screens/more/).
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, app) {
  const { load, accounts, sync } = app;
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);
  const show = async (extra = {}) => page(await accountView(app, extra));

  const problemCode = (err) => (err instanceof Unreachable ? 'unreachable' : err?.code ?? 'other');

  /** Your devices, asked of the server; `extra` adds a notice or a problem (a code). */
  async function devices({ notice: words = null, problem = null, status = 200, headers = {} } = {}) {
    const { me } = await load();
    if (!me.session) {
      return page(devicesPage({ me, devices: null, problem: deviceProblem('signed_out') }), status, headers);
    }
    let list = null;
    let failed = problem;
    try {
      list = await accounts.devices();
      if (list === null) failed ??= 'signed_out';
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      failed ??= problemCode(err);
    }
    return page(devicesPage({ me, devices: list, notice: words ? notice(words) : null,
      problem: failed ? deviceProblem(failed) : null }), status, headers);
  }

  /** Asked once more: which device, and what signing it out means. */
  async function confirmRevoke({ params }) {
    const { me } = await load();
    if (!me.session || !UUID.test(params.id) || params.id === me.deviceId) return devices();
    let list;
    try {
      list = await accounts.devices();
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      return devices({ problem: problemCode(err) });
    }
    const device = list?.find((d) => d.device_id === params.id && !d.current);
    if (!device) return devices({ notice: list ? t('more.revoke.gone') : null });
    return page(revokePage(me, device));
  }

  async function revokeDevice({ params }) {
    const headers = { 'HX-Push-Url': '/app/account/devices' };
    const { me } = await load();
    const id = params.id;
    if (!UUID.test(id) || id === me.deviceId) return devices({ problem: 'other', status: 422, headers });
    try {
      if (!await accounts.revokeOther(id)) return devices({ headers });
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      const code = problemCode(err);
      if (code === 'not_found') return devices({ notice: deviceProblem(code), headers });
      return devices({ problem: code, status: code === 'unreachable' ? 503 : 422, headers });
    }
    return devices({ notice: t('account.devices.revoked'), headers });
  }

  router
    .add('GET', '/app/account/devices', () => devices())
    .add('GET', '/app/account/delete', async () => {
      const { me } = await load();
      return page(deleteAccountPage(me));
    })
    .add('GET', '/app/account/passphrase', async () => {
      const { me } = await load();
      return page(passphrasePage(me));
    })
    .add('GET', '/app/account/devices/:id/revoke', confirmRevoke)
    .add('POST', '/app/account/devices/:id/revoke', revokeDevice)
    .add('GET', '/app/account', () => show())
    .add('GET', '/app/account/done', () => show({ notice: notice(t('account.syncOn')) }))
    .add('POST', '/app/sync', async () => {
      // Asked for: attachments waiting to upload are tried now, their waits skipped (a full quota freed meanwhile).
      await app.uploads?.run({ force: true });
      await sync.run();
      return show();
    })
    .add('POST', '/app/sync/notes/dismiss', async ({ request }) => {
      const { db } = await load();
      const id = String((await request.formData()).get('note') ?? '');
      const kept = (await get(db, 'meta', NOTES_KEY)) ?? noNotes();
      const next = dismissNote(kept, id);
      if (next !== kept) await write(db, ['meta'], (tx) => tx.objectStore('meta').put(next, NOTES_KEY));
      return show({ notice: notice(t(next !== kept ? 'account.dismissed' : 'account.noteGone')) });
    })
    .add('POST', '/app/account/logout', async () => {
      await accounts.logout();
      sync.run();
      // Signing out is done from More; the Sync screen then offers signing in again.
      return page(await accountView(app, { notice: notice(t('account.signedOut')) }),
        200, { 'HX-Push-Url': '/app/account' });
    })
    .add('GET', '/app/account/forget', async () => {
      const { db, me } = await load();
      return page(forgetPage(me, (await getAll(db, 'records')).filter(isPending).length));
    })
    .add('POST', '/app/account/forget', async ({ request }) => {
      const form = await request.formData();
      if (form.get('confirm') !== 'yes') return show();
      await accounts.forget();
      return page(forgottenPage(), 200, { 'HX-Push-Url': '/app/account' });
    });
  return router;
}

/**
 * What the worker does with the page's account messages and with a finished sync run's warnings.
 * @param {import('../features.js').App} app
 */
export function accountMessages(app) {
  const { load, accounts, sync } = app;

  /**
   * Messages from app.js that carry secrets (Argon2id output, a recovery key): they never travel as requests,
   * so nothing of them can reach the network or a log. Answers are {ok, html} or {ok: false, error}.
   */
  async function message(data) {
    try {
      switch (data?.type) {
        case 'signup': {
          const recovery = await accounts.signup({ handle: data.handle, kdf: data.kdf, prk: data.prk,
            role: data.role, inviteCode: data.inviteCode });
          sync.run();
          return { ok: true, html: String(recoveryPage(data.handle, recovery, data.role === 'therapist' ? 'therapist' : 'client')) };
        }
        case 'prelogin':
          return { ok: true, kdf: await accounts.prelogin(data.handle, { own: data.own === true }) };
        case 'delete-account':
          await accounts.deleteAccount({ prk: data.prk });
          return { ok: true, html: String(deletedPage()) };
        case 'change-passphrase': {
          await accounts.changePassphrase({ currentPrk: data.currentPrk ?? null, recoveryText: data.recoveryText ?? null,
            kdf: data.kdf, prk: data.prk });
          return { ok: true, html: String(await moreView(app, t('more.passphraseChanged'))) };
        }
        case 'login': {
          const result = await accounts.login({ handle: data.handle, prk: data.prk ?? null,
            recoveryText: data.recoveryText ?? null });
          sync.run();
          return { ok: true, html: String(signedInPage(result)) };
        }
        default:
          return { ok: false, error: t('account.unknownRequest') };
      }
    } catch (err) {
      if (!(err instanceof BetweenError)) console.error('between: account step failed', err?.name ?? 'error');
      const words = err?.code === 'other_account' ? t('more.otherAccount') : explain(err);
      return { ok: false, error: words };
    }
  }

  /** Keep a finished run's warnings as notes at once: a later run must not replace them unseen. */
  async function keepWarnings(status) {
    if (!status.at || !status.warnings?.length) return;
    const { db, me } = await load();
    if (me.session) await keepNotes(db, status);
  }

  return { message, keepWarnings };
}
