/**
 * Fragments of a therapist's care screens: invitations, the list of clients, one client's page with the timeline of
 * what they shared (grouped by session), and its print view. Pure functions of plain data, all through html``.
 */

import { ratingWords } from '../../core/assignments.js';
import { calendarWords, instantWords } from '../../core/dates.js';
import { scheduleWords } from '../assign/review.js';
import { groupBySession, markedOn } from './timeline.js';
import { blockedWhy, heldText, isBlocked, keyStatus } from '../../core/key-status.js';
import { captionOf } from '../media-views.js';
import { badge, link, nav, summary, verification } from '../components.js';
import { longAnswer, timelineValue } from '../fields.js';
import { html, t, tt } from '../views.js';

/**
 * @typedef {import('../../core/records.js').Doc} Doc
 * @typedef {import('../../data/db.js').Peer} Peer
 */

// ------------------------------------------------------------------ words

/** A local date `YYYY-MM-DD` for people ("Mar 10, 2026" in English); anything else as it is. @param {string} day */
export const dayText = (day) => calendarWords(day) ?? String(day ?? '');

const day = (d) => html`<time datetime="${d}">${dayText(d)}</time>`;

/** An instant (ISO text or unix seconds) for people. */
const whenText = (stamp) => instantWords(stamp) ?? '';

const when = (stamp) => {
  const d = typeof stamp === 'number' ? new Date(stamp * 1000) : new Date(stamp);
  return Number.isNaN(d.getTime()) ? null : html`<time datetime="${d.toISOString()}">${whenText(stamp)}</time>`;
};

export { scheduleWords };

// ------------------------------------------------------------------ invitations

/**
 * Asked once more before an invitation is withdrawn: its link stops working for good (a new one can be made).
 * @param {{invite_id: string, created_at: number}} invite
 */
export function withdrawInvitePage(invite) {
  return html`${nav('invites', 'therapist')}<section aria-labelledby="withdraw-invite-title">
    <h1 id="withdraw-invite-title">${tt('care.invite.withdrawHeading', { made: when(invite.created_at) })}</h1>
    <p class="error" id="withdraw-invite-warning">${t('care.invite.withdrawWarning')}</p>
    <form action="/app/invites/${invite.invite_id}/revoke" method="post" hx-post="/app/invites/${invite.invite_id}/revoke"
      hx-target="#view"><div class="actions"><button type="submit" class="danger"
      aria-describedby="withdraw-invite-warning">${t('care.invite.withdrawConfirm')}</button>
      ${link('/app/invites', t('care.invite.keep'), 'button secondary')}</div></form></section>`;
}

/**
 * The Invites screen. state: 'ready' (a signed-in therapist), 'signed_out', 'client'.
 * @param {{state: string, invites?: {invite_id: string, created_at: number, expires_at: number}[],
 *   created?: {link: string, expiresAt: number}|null, problem?: string|null, notice?: string|null}} view
 */
export function invitesPage({ state, invites = [], created = null, problem = null, notice = null }) {
  const body = (() => {
    if (state === 'signed_out') {
      return html`<p>${t('care.invites.signedOut')}</p>${link('/app/account', t('care.invites.turnOnSync'), 'button')}`;
    }
    if (state === 'client') {
      return html`<p>${t('care.invites.client')}</p>`;
    }
    return html`${created ? createdInvite(created) : null}
      <form action="/app/invites" method="post" hx-post="/app/invites" hx-target="#view">
        <div class="actions"><button type="submit">${t(created ? 'care.invites.createAnother'
          : 'care.invites.create')}</button></div>
      </form>
      <h2 id="pending-title">${t('care.invites.open')}</h2>
      ${invites.length ? html`<ul class="invites" aria-labelledby="pending-title">${invites.map((i) => html`<li>
        <p>${tt('care.invites.made', { made: when(i.created_at), until: when(i.expires_at) })}</p>
        <p><a href="/app/invites/${i.invite_id}/withdraw" class="button danger secondary"
          hx-get="/app/invites/${i.invite_id}/withdraw" hx-target="#view" hx-push-url="true"
          aria-label="${t('care.invites.withdrawLabel', { made: whenText(i.created_at) })}">${
            t('care.invites.withdraw')}</a></p></li>`)}</ul>`
        : html`<p class="empty">${t('care.invites.none')}</p>`}`;
  })();
  return html`${nav('invites', 'therapist')}<section aria-labelledby="invites-title"><h1 id="invites-title">${t('care.invites.title')}</h1>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <p class="lead">${t('care.invites.lead')}</p>
    ${body}</section>`;
}

/** A new invitation: its link to copy, its QR code (drawn by the page from data-qr), when it stops working. */
function createdInvite({ link: url, expiresAt }) {
  return html`<div class="panel invite-new" data-once>
    <h2 id="new-invite-title">${t('care.invites.new')}</h2>
    <p>${tt('care.invites.once', { until: when(expiresAt) })}</p>
    <div class="field"><label for="invite-link">${t('care.invites.link')}</label>
      <p class="hint" id="invite-link-hint">${t('care.invites.linkHint')}</p>
      <div class="row"><input id="invite-link" type="text" readonly value="${url}" aria-describedby="invite-link-hint"
        autocomplete="off" spellcheck="false">
      <button type="button" class="secondary" data-copy="invite-link">${t('care.invites.copy')}</button></div>
      <p class="hint" data-copy-status="invite-link" role="status"></p></div>
    <p>${t('care.invites.scan')}</p>
    <div class="qr" data-qr="${url}"></div>
  </div>`;
}

// ------------------------------------------------------------------ clients

/**
 * @typedef {{peer: Peer, newCount: number, lastSession: string|null}} ClientLine one client on the list: how many
 *   items are new (timeline.js isNew) and the day of the last session (YYYY-MM-DD), or null
 */

/** "3 new since the last session (date)", or how much was shared when no session is recorded. */
const newsWords = (c) => (c.lastSession ? tt('care.news.since', { count: c.newCount, date: day(c.lastSession) })
  : t('care.news.noSession', { count: c.newCount }));

/** One client of the list; `current`: this is the client shown beside it. @param {ClientLine} c */
function clientLine(c, current = false) {
  const uid = c.peer.userId;
  const href = `/app/clients/${uid}`;
  return html`<li class="${current ? 'current' : ''}">
    ${current ? html`<a href="${href}" class="client-name" aria-current="page" hx-get="${href}" hx-target="#view"
      hx-push-url="true">${c.peer.handle}</a>` : link(href, c.peer.handle, 'client-name')} ${badge(c.peer)}
    ${isBlocked(c.peer) && !c.newCount ? null : html`<p class="news${c.newCount ? ' has-new' : ''}">${newsWords(c)}</p>`}
    ${isBlocked(c.peer) ? html`<p class="held">${tt('care.held', { handle: c.peer.handle, why: blockedWhy(c.peer),
      held: heldText(c.peer), compare: link(`/app/link/${uid}`, t('care.compare')) })}</p>`
      : null}</li>`;
}

/**
 * The therapist's clients. From about 900 px wide the page is two panes (app.css `.care-split`): the list, and
 * beside it a pane that asks to choose a client (a client's page puts their timeline there).
 * @param {ClientLine[]} clients
 */
export function clientsPage(clients) {
  return html`${nav('clients', 'therapist')}<div class="care-split">
    <section class="care-list-pane" aria-labelledby="clients-title"><h1 id="clients-title">${t('care.clients.title')}</h1>
    ${clients.length ? html`<ul class="clients">${clients.map((c) => clientLine(c))}</ul>`
      : html`<p class="empty">${t('care.clients.none')}</p>${link('/app/invites', t('care.clients.invite'), 'button')}`}
    </section>
    ${clients.length ? html`<section class="care-pane care-pick" aria-labelledby="care-pick-title">
      <h2 id="care-pick-title">${t('care.pick.title')}</h2><p class="lead">${t('care.pick.lead')}</p></section>`
      : null}
  </div>`;
}

/**
 * The list beside a client's page on a wide screen (hidden on a phone, where the Clients tab is the way back).
 * @param {ClientLine[]} clients @param {string} uid the client shown
 */
function clientsBeside(clients, uid) {
  if (!clients.length) return null;
  return html`<nav class="care-list-pane care-beside" aria-label="${t('care.clients.beside')}">
    <ul class="clients">${clients.map((c) => clientLine(c, c.peer.userId === uid))}</ul></nav>`;
}

/** What a key that is not verified (or blocked) means, with the way to fix it. @param {Peer} peer */
export function verificationNote(peer) {
  const { state } = keyStatus(peer);
  const fix = link(`/app/link/${peer.userId}`, t('care.compare'));
  if (state === 'changed' || state === 'mismatch') {
    return html`<p class="error" role="alert">${tt('care.verification.blocked', { why: blockedWhy(peer),
      held: heldText(peer), fix })}</p>`;
  }
  if (state === 'unverified') {
    return html`<p class="notice unverified">${tt('care.verification.unverified', { handle: peer.handle, fix })}</p>`;
  }
  return null;
}

/**
 * Turn what a client shared into timeline items (pure): entries and answers to assignments, with what is needed
 * to show them and when each reached this account (for what is new). An answer carries the entry written for it
 * when that entry is shared too (its score or words show with the answer). Other document types are left out.
 * @param {import('../../engine/received.js').Received[]} received @param {(doc: Doc) => object|null} kindOf
 * @param {Map<string, string>} titles assignment id -> title (own assignments)
 * @param {(stamp: string) => string|null} dayOf the local date of an instant
 */
export function timelineItems(received, kindOf, titles, dayOf) {
  const entries = new Map(received.filter((r) => r.doc.type === undefined).map((r) => [r.id, r.doc]));
  const out = [];
  for (const r of received) {
    const at = String(r.doc.created_at ?? r.updatedAt ?? '');
    const base = { id: r.id, at, date: dayOf(at), doc: r.doc, updatedAt: r.updatedAt ?? null, feed: r.feed ?? null };
    if (r.doc.type === undefined) out.push({ ...base, type: 'entry', kind: kindOf(r.doc) });
    else if (r.doc.type === 'assignment-response') {
      const entry = r.doc.entry_id ? entries.get(r.doc.entry_id) ?? null : null;
      out.push({ ...base, type: 'response', title: titles.get(r.doc.assignment_id) ?? null,
        entryShared: r.doc.entry_id ? entry !== null : null, entry, entryKind: entry ? kindOf(entry) : null });
    }
  }
  return out;
}

/** Whether a received document is one the timeline shows (and so one "new" counts). @param {Doc} doc */
export const onTimeline = (doc) => doc.type === undefined || doc.type === 'assignment-response';

/** One shared entry; `whole`: long answers all at once (print), not their first lines with "Show all". */
function entryItem(item, whole = false) {
  const { doc, kind } = item;
  const fields = doc.fields ?? {};
  const known = (kind?.fields ?? []).filter((f) => fields[f.id] !== undefined && fields[f.id] !== '');
  const edited = doc.updated_at && doc.updated_at > doc.created_at;
  return html`<li class="timeline-item tl-entry" id="item-${item.id}">
    <p class="kind">${kind?.label ?? t('care.item.entry')}</p>
    <p class="tl-summary">${summary({ kind: doc.kind, fields }, kind)}</p>
    <p class="meta">${edited ? tt('care.item.writtenEdited', { created: when(doc.created_at), updated: when(doc.updated_at) })
      : tt('care.item.written', { created: when(doc.created_at) })}</p>
    ${kind ? html`<dl>${known.map((f) => html`<dt>${f.label}</dt><dd>${timelineValue(f, fields[f.id], { whole,
      recordId: item.id, caption: captionOf(fields) })}</dd>`)}</dl>`
      : html`<p class="hint">${t('care.item.newer')}</p>`}</li>`;
}

function responseItem(item, whole = false) {
  const { doc } = item;
  const done = doc.status === 'done';
  const rating = doc.feedback ? ratingWords(doc.feedback.rating) : null;
  const status = html`<strong class="status-${done ? 'done' : 'not-done'}">${t(done ? 'care.answer.done'
    : 'care.answer.notDone')}</strong>`;
  return html`<li class="timeline-item tl-response" id="item-${item.id}">
    <p class="kind">${t('care.item.activity')}</p>
    <p class="tl-summary">${tt('care.answer.summary', { title: item.title ?? t('care.answer.untitled'), status,
      date: day(doc.occurrence) })}</p>
    <p class="meta">${tt('care.answer.answered', { when: when(doc.updated_at ?? doc.created_at) })}</p>
    <dl>${done && item.entry ? html`<dt>${t('care.answer.entry')}</dt><dd class="tl-answer">${
      summary({ kind: item.entry.kind, fields: item.entry.fields ?? {} }, item.entryKind)}</dd>` : null}
      ${!done && doc.reason ? html`<dt>${t('care.answer.reason')}</dt><dd>${
        longAnswer(doc.reason, t('care.answer.reason'), { whole })}</dd>` : null}
      ${typeof doc.minutes === 'number' ? html`<dt>${t('care.answer.practice')}</dt><dd>${
        t('care.answer.minutes', { minutes: doc.minutes })}</dd>` : null}
      ${rating ? html`<dt>${t('care.answer.going')}</dt><dd><strong>${rating}</strong>${
        doc.feedback.comment ? html`: ${longAnswer(doc.feedback.comment, t('care.answer.going'), { whole })}` : null}</dd>`
        : null}</dl>
    ${entryNote(item)}</li>`;
}

/** Whether the entry the client wrote for an answer is shared too (their choice, on the answer's form). */
function entryNote({ entryShared, doc }) {
  if (entryShared === true) {
    return html`<p class="hint">${tt('care.answer.shared', { link: html`<a href="#item-${doc.entry_id}">${
      t('care.answer.sharedLink')}</a>` })}</p>`;
  }
  return entryShared === false ? html`<p class="hint">${t('care.answer.private')}</p>` : null;
}

/** One group's heading words. @param {import('./timeline.js').Group} group */
export function groupHeading(group) {
  switch (group.kind) {
    case 'since': return tt('care.group.since', { date: day(group.from) });
    case 'between': return tt('care.group.between', { from: day(group.from), to: day(group.to) });
    case 'before': return tt('care.group.before', { date: day(group.to) });
    default: return t('care.group.all');
  }
}

/**
 * The timeline: groups newest first, each a heading and its items newest first.
 * @param {import('./timeline.js').TimelineItem[]} items from timelineItems
 * @param {import('./timeline.js').Mark[]} marks the sessions held
 * @param {string} today @param {string} handle
 * @param {{level?: number, marker?: boolean, whole?: boolean}} [options] heading level of the groups (3 on the
 *   client page, 2 in print); marker: say "Session held today" at the top when it was; whole: long answers all at
 *   once (print), not their first lines with "Show all"
 */
export function timeline(items, marks, today, handle, { level = 3, marker = true, whole = false } = {}) {
  const { sessionToday, groups } = groupBySession(items, marks, today);
  const heading = (id, words) => (level === 2 ? html`<h2 id="${id}">${words}</h2>`
    : html`<h3 id="${id}">${words}</h3>`);
  const one = (it) => (it.type === 'entry' ? entryItem(it, whole) : responseItem(it, whole));
  return html`${sessionToday && marker ? html`<p class="session-marker">${tt('care.session.today', { date: day(today) })
  }</p>` : null}
    ${groups.length ? groups.map((g, i) => html`<section class="tl-group" aria-labelledby="tl-${i}">
      ${heading(`tl-${i}`, groupHeading(g))}
      ${g.items.length ? html`<ol class="timeline">${g.items.map(one)}</ol>`
        : html`<p class="empty">${t('care.group.nothingNew')}</p>`}</section>`)
      : html`<p class="empty">${t('care.timeline.empty', { handle })}</p>`}`;
}

function assignmentList(assignments) {
  if (!assignments.length) return html`<p class="empty">${t('care.assigned.none')}</p>`;
  return html`<ul class="assignments">${assignments.map((a) => html`<li>
    ${link(`/app/assignments/${a.id}`, a.doc.title)}${
      a.doc.withdrawn ? html` <span class="tag">${t('care.assigned.withdrawn')}</span>` : null}
    <p class="meta">${scheduleWords(a.doc.schedule)}${a.pending ? ` ${t('care.assigned.waiting')}` : ''}</p></li>`)}</ul>`;
}

/**
 * One client's page; on a wide screen the list of clients is beside it (`clients`). `canAssign`: their key is
 * verified and unchanged and the link is live.
 * @param {{peer: Peer, marks: import('./timeline.js').Mark[], today: string, assignments: {id: string, doc: Doc}[],
 *   items: import('./timeline.js').TimelineItem[], canAssign: boolean, notice?: string|null,
 *   clients?: ClientLine[]}} view
 */
export function clientPage({ peer, marks, today, assignments, items, canAssign, notice = null, clients = [] }) {
  const uid = peer.userId;
  const heldToday = markedOn(marks, today);
  return html`${nav('', 'therapist')}<div class="care-split">${clientsBeside(clients, uid)}
  <section class="care-pane" aria-labelledby="client-title">
    <h1 id="client-title">${peer.handle}</h1>
    <p class="client-meta">${badge(peer)}${peer.linked ? null
      : html` <span class="tag">${t('care.client.linkEnded')}</span>`}</p>
    ${verificationNote(peer)}
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <div class="actions">
      ${heldToday ? html`<p class="session-marker">${tt('care.session.today', { date: day(today) })}</p>`
        : html`<form action="/app/clients/${uid}/session" method="post" hx-post="/app/clients/${uid}/session"
          hx-target="#view"><button type="submit">${t('care.session.button')}</button></form>`}
      ${canAssign ? link(`/app/clients/${uid}/assign`, t('care.client.assign'), 'button secondary') : null}
      ${canAssign ? link(`/app/clients/${uid}/plan-contact`, t('safety.contact.link'), 'button secondary') : null}
      ${link(`/app/clients/${uid}/print`, t('care.client.print'), 'button secondary')}
    </div>
    ${heldToday ? null : html`<p class="hint">${t('care.session.hint')}</p>`}
    <section aria-labelledby="assigned-title"><h2 id="assigned-title">${t('care.assigned.title')}</h2>
      ${canAssign ? null : html`<p class="hint">${peer.linked ? t('care.assigned.waitVerify', { handle: peer.handle })
        : t('care.assigned.ended', { handle: peer.handle })}</p>`}
      ${assignmentList(assignments)}</section>
    <section aria-labelledby="shared-title"><h2 id="shared-title">${t('care.shared.title', { handle: peer.handle })}</h2>
      ${isBlocked(peer) ? html`<p class="held">${t('care.shared.held', { handle: peer.handle,
        held: heldText(peer) })}</p>` : null}
      ${items.length || !isBlocked(peer) ? timeline(items, marks, today, peer.handle, { level: 3, marker: false })
        : null}</section>
  </section></div>`;
}

/**
 * The print view: the same timeline as a plain document for the clinical record.
 * @param {{peer: Peer, marks: import('./timeline.js').Mark[], today: string,
 *   items: import('./timeline.js').TimelineItem[], range: {from: string, to: string}|null}} view
 */
export function printPage({ peer, marks, today, items, range }) {
  return html`${nav('', 'therapist')}<article class="print-record" aria-labelledby="print-title">
    <h1 id="print-title">${t('care.print.title', { handle: peer.handle })}</h1>
    <p class="meta">${tt('care.print.meta', { range: range ? tt('care.print.range', { from: day(range.from),
    to: day(range.to) }) : t('care.print.nothing'), today: day(today), verification: verification(peer).word })}</p>
    <div class="no-print actions"><button type="button" data-print>${t('care.print.button')}</button>
      ${link(`/app/clients/${peer.userId}`, t('care.print.back', { handle: peer.handle }), 'button secondary')}</div>
    <p class="no-print hint">${t('care.print.hint')}</p>
    ${timeline(items, marks, today, peer.handle, { level: 2, whole: true })}
  </article>`;
}

/** A client id this device does not know. */
export function noClientPage() {
  return html`${nav('clients', 'therapist')}<section aria-labelledby="none-title"><h1 id="none-title">${t('care.noClient.title')}</h1>
    <p>${t('care.noClient.body')}</p>
    ${link('/app/clients', t('care.noClient.back'), 'button')}</section>`;
}
