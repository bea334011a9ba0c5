/**
 * The service worker's care handlers for a therapist: invitations (made and withdrawn through the server), the list
 * of clients with what is new, one client's page and timeline, "session held today", and the print view.
 */

import { Unreachable } from '../../data/api.js';
import { get, getAll } from '../../data/db.js';
import { createDocument, kindFor, listOwnDocuments, updateDocument } from '../../data/documents.js';
import { BetweenError } from '../../core/errors.js';
import { makeBundle } from '../../core/keys.js';
import { feedPosition, listReceived } from '../../engine/received.js';
import { inviteUrl } from '../../core/safety.js';
import { inviteSecret } from '../../core/trust.js';
import { uuidBytes } from '../../core/bytes.js';
import { canGrant } from '../../core/sharing.js';
import {
  clientPage, clientsPage, invitesPage, noClientPage, onTimeline, printPage, timelineItems, withdrawInvitePage,
} from './care-views.js';
import { addMark, countNew, dateRange, lastMark, localDay, markedOn, marksOf, todayLocal } from './timeline.js';
import { nav } from '../components.js';
import { html, htmlResponse, t } from '../views.js';
import { UUID } from '../../engine/router.js';

const SESSION_LOG = 'session-log';

/** A failed call's code -> its words, `care.problem.<name>` in the catalogue. */
const PROBLEMS = Object.freeze({ unreachable: 'unreachable', invite_not_found: 'inviteNotFound', forbidden: 'forbidden',
  signed_out: 'signedOut', rate_limited: 'rateLimited', other: 'other' });
const problem = (code) => t(`care.problem.${PROBLEMS[code]}`);

/** Words for a failed call to the server (never its detail: it is for developers, and not always plain). */
function problemWords(err) {
  if (err instanceof Unreachable) return problem('unreachable');
  return problem(Object.hasOwn(PROBLEMS, err.code) ? err.code : 'other');
}

/** A document time: UTC to the second, as the documents carry it. */
const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** This is a therapist's screen: what a client account sees at its address. */
const therapistOnly = (role) => html`${nav('', role)}<section aria-labelledby="only-title">
  <h1 id="only-title">${t('care.therapistOnly.heading')}</h1><p>${
  t('care.therapistOnly.body')}</p></section>`;

/**
 * @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app
 */
export function register(router, { load, sessionApi, origin, changed }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);

  // -------------------------------------------------------------- invitations

  /** The Invites screen, asking the server for the open invitations; `extra` adds a new one, a notice or a problem. */
  async function invites(extra = {}, headers = {}) {
    const { me } = await load();
    if (!me.session) return page(invitesPage({ state: 'signed_out' }), 200, headers);
    if (me.role !== 'therapist') return page(invitesPage({ state: 'client' }), 200, headers);
    const api = await sessionApi();
    if (!api) return page(invitesPage({ state: 'signed_out' }), 200, headers);
    let list = [];
    let problem = extra.problem ?? null;
    let status = extra.status ?? 200;
    try {
      list = (await api.listInvites()) ?? [];
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      problem ??= problemWords(err);
      if (status === 200 && !extra.created) status = err instanceof Unreachable ? 503 : 502;
    }
    const sorted = [...list].sort((a, b) => b.created_at - a.created_at);
    return page(invitesPage({ state: 'ready', invites: sorted, created: extra.created ?? null,
      notice: extra.notice ?? null, problem }), status, headers);
  }

  async function createInvite() {
    const push = { 'HX-Push-Url': '/app/invites' };
    const { me } = await load();
    const api = me.session && me.role === 'therapist' ? await sessionApi() : null;
    if (!api) return invites({}, push);
    let made;
    try {
      made = await api.createInvite();
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      return invites({ problem: problemWords(err), status: err instanceof Unreachable ? 503 : 422 }, push);
    }
    // The token goes only into the link's fragment, shown on this screen once; it is never stored or logged. The
    // secret comes from the account key and the invite id, so any device of this account can check the client's proof.
    const secret = await inviteSecret(me.accountKey, uuidBytes(made.invite_id));
    const link = await inviteUrl(origin, made.token, await makeBundle(me), secret);
    return invites({ created: { link, expiresAt: made.expires_at } }, push);
  }

  /** Asked once more: which invitation (by when it was made), and what withdrawing it means. */
  async function confirmRevokeInvite({ params }) {
    const { me } = await load();
    const api = me.session && me.role === 'therapist' && UUID.test(params.id) ? await sessionApi() : null;
    if (!api) return invites();
    let invite;
    try {
      invite = ((await api.listInvites()) ?? []).find((i) => i.invite_id === params.id);
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      return invites({ problem: problemWords(err), status: err instanceof Unreachable ? 503 : 502 });
    }
    if (!invite) return invites({ notice: problem('invite_not_found') });
    return page(withdrawInvitePage(invite));
  }

  async function revokeInvite({ params }) {
    const push = { 'HX-Push-Url': '/app/invites' };
    if (!UUID.test(params.id)) return invites({ problem: problem('invite_not_found'), status: 404 }, push);
    const { me } = await load();
    const api = me.session && me.role === 'therapist' ? await sessionApi() : null;
    if (!api) return invites({}, push);
    try {
      await api.revokeInvite(params.id);
    } catch (err) {
      if (!(err instanceof BetweenError)) throw err;
      if (err.code === 'invite_not_found') return invites({ notice: problem('invite_not_found') }, push);
      return invites({ problem: problemWords(err), status: err instanceof Unreachable ? 503 : 422 }, push);
    }
    return invites({ notice: t('care.invites.withdrawn') }, push);
  }

  // -------------------------------------------------------------- clients

  /** Each client's session logs (a log per device that made one) and the marks they hold together. */
  async function sessionLogs(db, me) {
    const byClient = new Map();
    for (const log of await listOwnDocuments(db, me, SESSION_LOG)) {
      const uid = log.doc.client_id;
      byClient.set(uid, [...byClient.get(uid) ?? [], log]);
    }
    return new Map([...byClient].map(([uid, logs]) => [uid, { logs, marks: marksOf(logs.map((l) => l.doc)) }]));
  }

  /**
   * Every linked client with how many items are new (timeline.js isNew: what reached this account after the last
   * "Session held"), sorted by handle.
   * @returns {Promise<import('./care-views.js').ClientLine[]>}
   */
  async function clientLines(db, me) {
    const peers = (await getAll(db, 'peers')).filter((p) => p.role === 'client' && p.linked)
      .sort((a, b) => (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0));
    const [logs, received] = await Promise.all([sessionLogs(db, me), listReceived(db, me)]);
    return peers.map((peer) => {
      const marks = logs.get(peer.userId)?.marks ?? [];
      const theirs = received.filter((r) => r.ownerId === peer.userId && onTimeline(r.doc));
      return { peer, newCount: countNew(theirs, marks), lastSession: lastMark(marks)?.day ?? null };
    });
  }

  async function clientList() {
    const { db, me } = await load();
    if (me.role !== 'therapist') return page(therapistOnly(me.role));
    return page(clientsPage(await clientLines(db, me)));
  }

  /** Everything one client's page and print view show; null when this device has no such client. */
  async function clientData(uid, { withList = false } = {}) {
    if (!UUID.test(uid)) return null;
    const { db, me, kinds } = await load();
    const peer = await get(db, 'peers', uid);
    if (!peer || peer.role !== 'client') return null;
    // Read at once: the shared records are most of the work, and WebCrypto runs them off this thread.
    const [logs, own, received, clients] = await Promise.all([sessionLogs(db, me),
      listOwnDocuments(db, me, 'assignment'), listReceived(db, me, { ownerId: uid }),
      withList ? clientLines(db, me) : []]);
    const marks = logs.get(uid)?.marks ?? [];
    const titles = new Map(own.map((a) => [a.id, a.doc.title]));
    const items = timelineItems(received, (doc) => kindFor(kinds, doc), titles, localDay);
    return { peer, marks, today: todayLocal(), items, canAssign: canGrant(peer), clients,
      assignments: own.filter((a) => a.grantees.includes(uid)) };
  }

  async function showClient({ params }, notice = null, headers = {}) {
    const { me } = await load();
    if (me.role !== 'therapist') return page(therapistOnly(me.role));
    const data = await clientData(params.uid, { withList: true });
    return data ? page(clientPage({ ...data, notice }), 200, headers) : page(noClientPage(), 404);
  }

  /**
   * "Session held today": a mark into this client's session log (made on first use, never shared): today's local
   * date, the instant and how far this account's feed was read, so what reached it before no longer counts as new.
   */
  async function sessionHeld(ctx) {
    const { uid } = ctx.params;
    const { db, me } = await load();
    if (me.role !== 'therapist') return page(therapistOnly(me.role));
    const peer = UUID.test(uid) ? await get(db, 'peers', uid) : null;
    if (!peer || peer.role !== 'client') return page(noClientPage(), 404);
    const today = todayLocal();
    const entry = (await sessionLogs(db, me)).get(uid);
    if (!markedOn(entry?.marks ?? [], today)) {
      const mark = { day: today, at: new Date().toISOString(), feed: await feedPosition(db) };
      const now = stamp();
      const log = entry?.logs[0];
      if (log) {
        await updateDocument(db, me, log.id, { ...log.doc, ...addMark(log.doc, mark), updated_at: now });
      } else {
        await createDocument(db, me, { v: 1, type: SESSION_LOG, client_id: uid, ...addMark(null, mark),
          created_at: now, updated_at: now });
      }
      changed();
    }
    return showClient(ctx, t('care.session.recorded'), { 'HX-Push-Url': `/app/clients/${uid}` });
  }

  async function printView({ params }) {
    const { me } = await load();
    if (me.role !== 'therapist') return page(therapistOnly(me.role));
    const data = await clientData(params.uid);
    return data ? page(printPage({ ...data, range: dateRange(data.items) })) : page(noClientPage(), 404);
  }

  router
    .add('GET', '/app/invites', () => invites())
    .add('POST', '/app/invites', createInvite)
    .add('GET', '/app/invites/:id/withdraw', confirmRevokeInvite)
    .add('POST', '/app/invites/:id/revoke', revokeInvite)
    .add('GET', '/app/clients', clientList)
    .add('GET', '/app/clients/:uid', (ctx) => showClient(ctx))
    .add('POST', '/app/clients/:uid/session', sessionHeld)
    .add('GET', '/app/clients/:uid/print', printView);
  return router;
}
