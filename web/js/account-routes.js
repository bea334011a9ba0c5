/** The service worker's account handlers: sync page, sign out, forget; and the page's secret-carrying messages. */

import { getAll, write } from './db.js';
import { BetweenError } from './errors.js';
import { explain } from './account.js';
import {
  accountPage, forgetPage, forgottenPage, recoveryPage, signedInPage,
} from './account-views.js';
import { isPending } from './sync.js';
import { html, htmlResponse } from './views.js';

/**
 * @param {import('./router.js').Router} router
 * @param {{load: () => Promise<any>, accounts: ReturnType<import('./account.js').createAccounts>,
 *   sync: ReturnType<import('./sync.js').createSync>}} deps
 */
export function addAccountRoutes(router, { load, accounts, sync }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);
  const notice = (text) => html`<p class="notice" role="status">${text}</p>`;

  async function show(extra = {}) {
    const { db, me } = await load();
    const waiting = (await getAll(db, 'records')).filter(isPending).length;
    const peers = (await getAll(db, 'peers')).filter((p) => p.linked);
    const { settings } = await load();
    return page(accountPage(me, sync.status(), { waiting: me.session ? 0 : waiting, peers, settings, ...extra }));
  }

  router
    .add('GET', '/app/account', () => show())
    .add('GET', '/app/account/done', () => show({ notice: notice('Sync is on. Your recovery key is not stored anywhere: keep the paper safe.') }))
    .add('POST', '/app/settings', async ({ request }) => {
      const e = await load();
      const wording = (await request.formData()).get('wording') === 'homework' ? 'homework' : 'activities';
      e.settings = { ...e.settings, wording };
      await write(e.db, ['meta'], (tx) => tx.objectStore('meta').put(e.settings, 'settings'));
      return show({ notice: notice('Saved.') });
    })
    .add('POST', '/app/sync', async () => {
      await sync.run();
      return show();
    })
    .add('POST', '/app/account/logout', async () => {
      await accounts.logout();
      sync.run();
      return show({ notice: notice('Signed out. Your entries stay on this device, encrypted.') });
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

  /**
   * Messages from app.js that carry secrets (Argon2id output, a recovery key): they never travel as requests,
   * so nothing of them can reach the network or a log. Answers are {ok, html} or {ok: false, error}.
   */
  async function message(data) {
    try {
      switch (data?.type) {
        case 'signup': {
          const recovery = await accounts.signup({ handle: data.handle, kdf: data.kdf, prk: data.prk });
          sync.run();
          return { ok: true, html: String(recoveryPage(data.handle, recovery)) };
        }
        case 'prelogin':
          return { ok: true, kdf: await accounts.prelogin(data.handle) };
        case 'login': {
          const result = await accounts.login({ handle: data.handle, prk: data.prk ?? null,
            recoveryText: data.recoveryText ?? null });
          sync.run();
          return { ok: true, html: String(signedInPage(result)) };
        }
        default:
          return { ok: false, error: 'Unknown request.' };
      }
    } catch (err) {
      if (!(err instanceof BetweenError)) console.error('between: account step failed', err?.name ?? 'error');
      const words = err?.code === 'other_account'
        ? 'This device holds the entries of another account. Forget this device first (Sync → Forget this device).'
        : explain(err);
      return { ok: false, error: words };
    }
  }

  return { router, message };
}
