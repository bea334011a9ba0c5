/** The service worker's sharing handlers: invite, the linked therapist, share and unshare an entry, the shared list. */

import { kindFor } from '../../core/assignments.js';
import { get, getAll } from '../../data/db.js';
import { getEntry, listEntries } from '../../data/entries.js';
import { entryPage, notFoundPage } from '../entry/entry-views.js';
import { BetweenError } from '../../core/errors.js';
import { sharingOf } from '../../engine/share.js';
import { invitePage, inviteProblemPage, linkPage, sharedPage, sharingPanel } from './share-views.js';
import { htmlResponse, t } from '../views.js';
import { UUID } from '../../engine/router.js';


/** Why an invitation was not accepted, by the problem's code: `invite.problem.<name>` in the catalogue. */
const INVITE_WORDS = Object.freeze({ invite_not_found: 'notFound', crypto: 'crypto', already_linked: 'alreadyLinked',
  forbidden: 'forbidden', wrong_server: 'wrongServer', bad_invite: 'badInvite', unreachable: 'unreachable' });

/**
 * The sharing panel under an entry (the local server's `app.panel`): who it is shared with and who it could be, or
 * null when this device has no account or no one to share with.
 * @param {() => Promise<any>} load the local server's `app.load`
 * @returns {(id: string) => Promise<unknown>}
 */
export function entryPanel(load) {
  return async (id) => {
    const { db, me } = await load();
    const row = await get(db, 'records', id);
    if (!row || !me.session) return null;
    const state = await sharingOf(db, row);
    return state.peers.length || state.shared.length ? sharingPanel(id, state) : null;
  };
}

/**
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, { load, sharing }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);

  async function guarded(work) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      return page(inviteProblemPage(t(`invite.problem.${
        Object.hasOwn(INVITE_WORDS, err.code) ? INVITE_WORDS[err.code] : 'other'}`)), 422);
    }
  }

  /** One entry's page with its sharing panel (also the answer to share and unshare). */
  async function entryWithSharing(id, headers = {}, problem = null) {
    const { db, me, kinds } = await load();
    const entry = await getEntry(db, me, id);
    if (!entry) return page(notFoundPage(), 404);
    const row = await get(db, 'records', id);
    return page(entryPage(entry, kindFor(kinds, entry), sharingPanel(id, await sharingOf(db, row), problem)),
      problem ? 422 : 200, headers);
  }

  async function setShared({ request, params }, on) {
    if (!UUID.test(params.id)) return page(notFoundPage(), 404);
    const form = await request.formData();
    const uid = String(form.get('peer') ?? '');
    if (!UUID.test(uid)) return page(notFoundPage(), 404);
    try {
      await sharing.setShared(params.id, uid, on);
    } catch (err) {
      if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
      return entryWithSharing(params.id, { 'HX-Push-Url': `/app/entries/${params.id}` }, t('share.panel.refused'));
    }
    return entryWithSharing(params.id, { 'HX-Push-Url': `/app/entries/${params.id}` });
  }

  async function sharedList() {
    const { db, me, kinds } = await load();
    const rows = new Map((await getAll(db, 'records')).map((r) => [r.recordId, r]));
    const items = [];
    for (const entry of await listEntries(db, me)) {
      const s = await sharingOf(db, rows.get(entry.id));
      if (s.shared.length) items.push({ entry, sharing: s });
    }
    const peers = (await getAll(db, 'peers')).filter((p) => p.linked);
    return page(sharedPage(items, kinds, peers));
  }

  router
    .add('GET', '/app/invite', ({ url }) => guarded(async () => {
      // app.js could not read the link it was opened with (damaged, or for another server).
      if (url.searchParams.get('problem') === 'bad_invite') throw new BetweenError('bad_invite', 'bad invite');
      return page(invitePage(await sharing.preview()));
    }))
    .add('POST', '/app/invite/accept', () => guarded(async () => page(invitePage(await sharing.accept()))))
    .add('GET', '/app/shared', sharedList)
    .add('GET', '/app/link/:uid', async ({ params }) => {
      const { db } = await load();
      const peer = UUID.test(params.uid) ? await get(db, 'peers', params.uid) : null;
      return peer ? page(linkPage(peer, await sharing.safetyWith(peer))) : page(notFoundPage(), 404);
    })
    .add('POST', '/app/link/:uid/verify', async ({ params }) => {
      const peer = UUID.test(params.uid) ? await sharing.markVerified(params.uid) : null;
      return peer ? page(linkPage(peer, await sharing.safetyWith(peer))) : page(notFoundPage(), 404);
    })
    .add('POST', '/app/entries/:id/share', (ctx) => setShared(ctx, true))
    .add('POST', '/app/entries/:id/unshare', (ctx) => setShared(ctx, false));
  return router;
}
