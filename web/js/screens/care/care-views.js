/**
 * Fragments of a therapist's care screens: invitations, the list of clients, one client's page with the timeline of
 * what they shared (grouped by session), and its print view. Pure functions of plain data, all through html``.
 */

import { RATING_WORDS } from '../../core/assignments.js';
import { calendarWords, instantWords } from '../../core/dates.js';
import { scheduleWords } from '../assign/review.js';
import { groupBySession } from './timeline.js';
import { blockedWhy, heldText, isBlocked, keyStatus } from '../../core/key-status.js';
import { badge, link, nav, summary, verification } from '../components.js';
import { timelineValue } from '../fields.js';
import { html } from '../views.js';

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

export { RATING_WORDS, scheduleWords };

// ------------------------------------------------------------------ invitations

/**
 * Asked once more before an invitation is withdrawn: its link stops working for good (a new one can be made).
 * @param {{invite_id: string, created_at: number}} invite
 */
export function withdrawInvitePage(invite) {
  return html`${nav('invites', 'therapist')}<section aria-labelledby="withdraw-invite-title">
    <h1 id="withdraw-invite-title">Withdraw the invitation made ${when(invite.created_at)}?</h1>
    <p class="error" id="withdraw-invite-warning">Its link and QR code stop working for good: nobody can link with you
      through it any more. Clients already linked stay linked, and you can make a new invitation at any time.</p>
    <form action="/app/invites/${invite.invite_id}/revoke" method="post" hx-post="/app/invites/${invite.invite_id}/revoke"
      hx-target="#view"><div class="actions"><button type="submit" class="danger"
      aria-describedby="withdraw-invite-warning">Withdraw it</button>
      ${link('/app/invites', 'Keep it', 'button secondary')}</div></form></section>`;
}

/**
 * The Invites screen. state: 'ready' (a signed-in therapist), 'signed_out', 'client'.
 * @param {{state: string, invites?: {invite_id: string, created_at: number, expires_at: number}[],
 *   created?: {link: string, expiresAt: number}|null, problem?: string|null, notice?: string|null}} view
 */
export function invitesPage({ state, invites = [], created = null, problem = null, notice = null }) {
  const body = (() => {
    if (state === 'signed_out') {
      return html`<p>Invitations go through the sync server, so this device needs sync first: turn on sync or sign
        in with your therapist account.</p>${link('/app/account', 'Turn on sync', 'button')}`;
    }
    if (state === 'client') {
      return html`<p>Only a therapist account invites people. If your therapist gave you a link, open it on this
        device to link with them.</p>`;
    }
    return html`${created ? createdInvite(created) : null}
      <form action="/app/invites" method="post" hx-post="/app/invites" hx-target="#view">
        <div class="actions"><button type="submit">${created ? 'Create another invitation'
          : 'Create an invitation'}</button></div>
      </form>
      <h2 id="pending-title">Open invitations</h2>
      ${invites.length ? html`<ul class="invites" aria-labelledby="pending-title">${invites.map((i) => html`<li>
        <p>Made ${when(i.created_at)}, works until ${when(i.expires_at)}.</p>
        <p><a href="/app/invites/${i.invite_id}/withdraw" class="button danger secondary"
          hx-get="/app/invites/${i.invite_id}/withdraw" hx-target="#view" hx-push-url="true"
          aria-label="Withdraw the invitation made ${whenText(i.created_at)}…">Withdraw…</a></p></li>`)}</ul>`
        : html`<p class="empty">No open invitations.</p>`}`;
  })();
  return html`${nav('invites', 'therapist')}<section aria-labelledby="invites-title"><h1 id="invites-title">Invites</h1>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <p class="lead">Invite a client in session: they open the link, or scan the code, on their own phone. The link
      carries your security key, so their app can check it came from you.</p>
    ${body}</section>`;
}

/** A new invitation: its link to copy, its QR code (drawn by the page from data-qr), when it stops working. */
function createdInvite({ link: url, expiresAt }) {
  return html`<div class="panel invite-new">
    <h2 id="new-invite-title">Your new invitation</h2>
    <p>It works once, until ${when(expiresAt)}. Give it only to the client it is for.</p>
    <div class="field"><label for="invite-link">Invitation link</label>
      <p class="hint" id="invite-link-hint">Select the link to copy it, or use Copy link.</p>
      <div class="row"><input id="invite-link" type="text" readonly value="${url}" aria-describedby="invite-link-hint"
        autocomplete="off" spellcheck="false">
      <button type="button" class="secondary" data-copy="invite-link">Copy link</button></div>
      <p class="hint" data-copy-status="invite-link" role="status"></p></div>
    <p>Or let them scan this code with their phone's camera:</p>
    <div class="qr" data-qr="${url}"></div>
  </div>`;
}

// ------------------------------------------------------------------ clients

/**
 * The therapist's clients. Each: {peer, newCount, lastSession (YYYY-MM-DD or null)}.
 * @param {{peer: Peer, newCount: number, lastSession: string|null}[]} clients
 */
export function clientsPage(clients) {
  const news = (c) => (c.lastSession
    ? html`${c.newCount ? `${c.newCount} new` : 'Nothing new'} since the last session (${day(c.lastSession)})`
    : html`${c.newCount ? `${c.newCount} shared` : 'Nothing shared yet'}, no session recorded yet`);
  return html`${nav('clients', 'therapist')}<section aria-labelledby="clients-title"><h1 id="clients-title">Clients</h1>
    ${clients.length ? html`<ul class="clients">${clients.map((c) => html`<li>
      ${link(`/app/clients/${c.peer.userId}`, c.peer.handle, 'client-name')} ${badge(c.peer)}
      ${isBlocked(c.peer) && !c.newCount ? null : html`<p class="news${c.newCount ? ' has-new' : ''}">${news(c)}</p>`}
      ${isBlocked(c.peer) ? html`<p class="held">What ${c.peer.handle} shares is held back: ${c.peer.handle}${
        blockedWhy(c.peer)}. ${heldText(c.peer)} ${link(`/app/link/${c.peer.userId}`, 'Compare the safety number')}</p>`
        : null}</li>`)}</ul>`
      : html`<p class="empty">No clients linked yet. To link with a client, create an invitation in session and let
        them open it on their phone.</p>${link('/app/invites', 'Invite a client', 'button')}`}
  </section>`;
}

/** What a key that is not verified (or blocked) means, with the way to fix it. @param {Peer} peer */
export function verificationNote(peer) {
  const { state } = keyStatus(peer);
  const fix = link(`/app/link/${peer.userId}`, 'Compare the safety number');
  if (state === 'changed' || state === 'mismatch') {
    return html`<p class="error" role="alert">${peer.handle}${blockedWhy(peer)}. What they share is held back, and
      nothing new can be assigned to them, until you compare the safety number with them (in person or by video) and
      it matches. ${heldText(peer)} ${fix}</p>`;
  }
  if (state === 'unverified') {
    return html`<p class="notice unverified">${peer.handle}'s security key is not verified: it came from the server,
      not from your invitation. You can work together as usual; for the strongest check, compare the safety number
      with them in person or by video. ${fix}</p>`;
  }
  return null;
}

/**
 * Turn what a client shared into timeline items (pure): entries and answers to assignments, with what is needed
 * to show them. Other document types are left out.
 * @param {{id: string, doc: Doc, updatedAt: string}[]} received @param {(doc: Doc) => object|null} kindOf
 * @param {Map<string, string>} titles assignment id -> title (own assignments)
 * @param {(stamp: string) => string|null} dayOf the local date of an instant
 */
export function timelineItems(received, kindOf, titles, dayOf) {
  const shared = new Set(received.filter((r) => r.doc.type === undefined).map((r) => r.id));
  const out = [];
  for (const r of received) {
    const at = String(r.doc.created_at ?? r.updatedAt ?? '');
    const base = { id: r.id, at, date: dayOf(at), doc: r.doc };
    if (r.doc.type === undefined) out.push({ ...base, type: 'entry', kind: kindOf(r.doc) });
    else if (r.doc.type === 'assignment-response') {
      out.push({ ...base, type: 'response', title: titles.get(r.doc.assignment_id) ?? null,
        entryShared: r.doc.entry_id ? shared.has(r.doc.entry_id) : null });
    }
  }
  return out;
}

function entryItem(item) {
  const { doc, kind } = item;
  const fields = doc.fields ?? {};
  const known = (kind?.fields ?? []).filter((f) => fields[f.id] !== undefined && fields[f.id] !== '');
  return html`<li class="timeline-item tl-entry" id="item-${item.id}">
    <p class="kind">${kind?.label ?? 'Entry'}</p>
    <p class="tl-summary">${summary({ kind: doc.kind, fields }, kind)}</p>
    <p class="meta">Written ${when(doc.created_at)}${doc.updated_at && doc.updated_at > doc.created_at
      ? html`, edited ${when(doc.updated_at)}` : null}</p>
    ${kind ? html`<dl>${known.map((f) => html`<dt>${f.label}</dt><dd>${timelineValue(f, fields[f.id])}</dd>`)}</dl>`
      : html`<p class="hint">This entry needs a newer version of the app to be shown.</p>`}</li>`;
}

function responseItem(item) {
  const { doc } = item;
  const done = doc.status === 'done';
  const rating = doc.feedback ? RATING_WORDS[doc.feedback.rating] ?? doc.feedback.rating : null;
  return html`<li class="timeline-item tl-response" id="item-${item.id}">
    <p class="kind">Activity</p>
    <p class="tl-summary">${item.title ?? 'An activity'}: <strong class="status-${done ? 'done' : 'not-done'}">${
      done ? 'Done' : 'Not done'}</strong> for ${day(doc.occurrence)}</p>
    <p class="meta">Answered ${when(doc.updated_at ?? doc.created_at)}</p>
    <dl>${!done && doc.reason ? html`<dt>Reason</dt><dd>${doc.reason}</dd>` : null}
      ${typeof doc.minutes === 'number' ? html`<dt>Practice</dt><dd>${doc.minutes} min</dd>` : null}
      ${rating ? html`<dt>How it is going</dt><dd><strong>${rating}</strong>${
        doc.feedback.comment ? html`: ${doc.feedback.comment}` : null}</dd>` : null}</dl>
    ${entryNote(item)}</li>`;
}

/** Whether the entry the client wrote for an answer is shared too (it follows their own choice, as every entry). */
function entryNote({ entryShared, doc }) {
  if (entryShared === true) {
    return html`<p class="hint">The entry written for it is <a href="#item-${doc.entry_id}">shared too</a>.</p>`;
  }
  return entryShared === false ? html`<p class="hint">The entry written for it is not shared with you.</p>` : null;
}

/** One group's heading words. @param {import('./timeline.js').Group} group */
export function groupHeading(group) {
  switch (group.kind) {
    case 'since': return html`Since last session (${day(group.from)})`;
    case 'between': return html`${day(group.from)} – ${day(group.to)}`;
    case 'before': return html`Before ${day(group.to)}`;
    default: return html`Everything shared so far (no session recorded yet)`;
  }
}

/**
 * The timeline: groups newest first, each a heading and its items newest first.
 * @param {import('./timeline.js').TimelineItem[]} items from timelineItems @param {string[]} sessions
 * @param {string} today @param {string} handle
 * @param {{level?: number, marker?: boolean}} [options] heading level of the groups (3 on the client page, 2 in
 *   print); marker: say "Session held today" at the top when it was
 */
export function timeline(items, sessions, today, handle, { level = 3, marker = true } = {}) {
  const { sessionToday, groups } = groupBySession(items, sessions, today);
  const heading = (id, words) => (level === 2 ? html`<h2 id="${id}">${words}</h2>`
    : html`<h3 id="${id}">${words}</h3>`);
  const one = (it) => (it.type === 'entry' ? entryItem(it) : responseItem(it));
  return html`${sessionToday && marker ? html`<p class="session-marker">Session held today (${day(today)})</p>` : null}
    ${groups.length ? groups.map((g, i) => html`<section class="tl-group" aria-labelledby="tl-${i}">
      ${heading(`tl-${i}`, groupHeading(g))}
      ${g.items.length ? html`<ol class="timeline">${g.items.map(one)}</ol>`
        : html`<p class="empty">Nothing new since then.</p>`}</section>`)
      : html`<p class="empty">${handle} has not shared anything with you yet. What they share shows here, newest
        first.</p>`}`;
}

function assignmentList(uid, assignments) {
  if (!assignments.length) return html`<p class="empty">No activities assigned yet.</p>`;
  return html`<ul class="assignments">${assignments.map((a) => html`<li>
    ${link(`/app/assignments/${a.id}`, a.doc.title)}${
      a.doc.withdrawn ? html` <span class="tag">withdrawn</span>` : null}
    <p class="meta">${scheduleWords(a.doc.schedule)}${a.pending ? ' (waiting to sync)' : ''}</p></li>`)}</ul>`;
}

/**
 * One client's page. `canAssign`: their key is verified and unchanged and the link is live.
 * @param {{peer: Peer, sessions: string[], today: string, assignments: {id: string, doc: Doc}[],
 *   items: import('./timeline.js').TimelineItem[],
 *   canAssign: boolean, notice?: string|null}} view
 */
export function clientPage({ peer, sessions, today, assignments, items, canAssign, notice = null }) {
  const uid = peer.userId;
  const heldToday = sessions.includes(today);
  return html`${nav('', 'therapist')}<section aria-labelledby="client-title">
    <h1 id="client-title">${peer.handle}</h1>
    <p class="client-meta">${badge(peer)}${peer.linked ? null : html` <span class="tag">The link has ended</span>`}</p>
    ${verificationNote(peer)}
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <div class="actions">
      ${heldToday ? html`<p class="session-marker">Session held today (${day(today)})</p>`
        : html`<form action="/app/clients/${uid}/session" method="post" hx-post="/app/clients/${uid}/session"
          hx-target="#view"><button type="submit">Session held today</button></form>`}
      ${canAssign ? link(`/app/clients/${uid}/assign`, 'Assign an activity', 'button secondary') : null}
      ${link(`/app/clients/${uid}/print`, 'Print for the record', 'button secondary')}
    </div>
    <section aria-labelledby="assigned-title"><h2 id="assigned-title">Activities you assigned</h2>
      ${canAssign ? null : html`<p class="hint">${peer.linked ? html`New assignments wait until you compare the safety
        number with ${peer.handle}.` : html`The link with ${peer.handle} has ended.`}</p>`}
      ${assignmentList(uid, assignments)}</section>
    <section aria-labelledby="shared-title"><h2 id="shared-title">What ${peer.handle} shared</h2>
      ${isBlocked(peer) ? html`<p class="held">What ${peer.handle} shares from now on is held back until you compare
        the safety number. ${heldText(peer)}</p>` : null}
      ${items.length || !isBlocked(peer) ? timeline(items, sessions, today, peer.handle, { level: 3, marker: false })
        : null}</section>
  </section>`;
}

/**
 * The print view: the same timeline as a plain document for the clinical record.
 * @param {{peer: Peer, sessions: string[], today: string, items: import('./timeline.js').TimelineItem[],
 *   range: {from: string, to: string}|null}} view
 */
export function printPage({ peer, sessions, today, items, range }) {
  return html`${nav('', 'therapist')}<article class="print-record" aria-labelledby="print-title">
    <h1 id="print-title">${peer.handle}: shared record</h1>
    <p class="meta">${range ? html`From ${day(range.from)} to ${day(range.to)}. ` : 'Nothing shared yet. '}Generated on
      ${day(today)}. ${verification(peer).word} on this device.</p>
    <div class="no-print actions"><button type="button" data-print>Print or save as PDF</button>
      ${link(`/app/clients/${peer.userId}`, `Back to ${peer.handle}`, 'button secondary')}</div>
    <p class="no-print hint">Use your browser's Print (Ctrl+P) to save it as a PDF.</p>
    ${timeline(items, sessions, today, peer.handle, { level: 2 })}
  </article>`;
}

/** A client id this device does not know. */
export function noClientPage() {
  return html`${nav('clients', 'therapist')}<section aria-labelledby="none-title"><h1 id="none-title">Not found</h1>
    <p>This client is not linked with you on this device.</p>
    ${link('/app/clients', 'Back to your clients', 'button')}</section>`;
}
