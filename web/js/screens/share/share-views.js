/** Fragments of the sharing screens: invite preview, the linked therapist, an entry's sharing, everything shared. */

import { kindFor } from '../../core/assignments.js';
import { instantWords } from '../../core/dates.js';
import { blockedWhy, heldText, isBlocked, keyStatus } from '../../core/key-status.js';
import { kindWords, link, nav, summary } from '../components.js';
import { html, t, tt } from '../views.js';

const when = (stamp) => instantWords(stamp) ?? '';

/** The safety number, the strongest check; `client` is the client's handle on a therapist's screen. */
const safetyBlock = (number, client = null) => html`<div class="safety-number" role="group" aria-label="${
  t('link.safety.label')}"><code>${number}</code></div>
  <p class="hint">${t('link.safety.hint', { who: client ? 'client' : 'therapist', client: client ?? '' })}</p>`;

const strong = (words) => html`<strong>${words}</strong>`;

export function invitePage(seen) {
  const body = (() => {
    switch (seen.state) {
      case 'needs_account':
        return html`<p>${tt('invite.needsAccount', { handle: strong(seen.handle) })}</p>${
          link('/app/account', t('invite.turnOnSync'), 'button')}`;
      case 'ready':
        return html`<p>${tt('invite.ready', { handle: strong(seen.therapist.handle) })}</p>
          <p>${t('invite.ready.choose')}</p>
          ${safetyBlock(seen.safety)}
          <form action="/app/invite/accept" method="post" hx-post="/app/invite/accept" hx-target="#view">
            <div class="actions"><button type="submit">${t('invite.accept', { handle: seen.therapist.handle })}</button>
            ${link('/app/entries', t('invite.notNow'), 'button secondary')}</div></form>`;
      case 'accepted':
        return html`<p class="notice" role="status">${tt('invite.accepted', { handle: strong(seen.peer.handle) })}</p>
          <p>${t('invite.accepted.compare')}</p>
          ${safetyBlock(seen.safety)}
          <p>${tt('invite.accepted.next', { link: link('/app/shared', t('invite.accepted.everything')) })}</p>`;
      default:
        return html`<p>${t('invite.none')}</p>`;
    }
  })();
  return html`${nav('')}<section aria-labelledby="invite-title"><h1 id="invite-title">${t('invite.heading')}</h1>${
    body}</section>`;
}

export function inviteProblemPage(words) {
  return html`${nav('')}<section aria-labelledby="invite-title"><h1 id="invite-title">${t('invite.heading')}</h1>
    <p class="error" role="alert">${words}</p></section>`;
}

/** A key only the server vouches for (first sight, neither the invitation nor a compared number). */
export const unverified = (peer) => keyStatus(peer).state === 'unverified';

/**
 * The key screen of a care link, worded for who is looking: a client looking at their therapist, or a therapist
 * (whose peers are clients) looking at a client. It says how the key was verified, shows the safety number, and
 * offers the strongest check: comparing it in person or by video. A blocked key (changed, or not what the
 * invitation proved) is accepted only this way.
 */
export function linkPage(peer, safety) {
  const therapistView = peer.role === 'client';
  const status = keyStatus(peer);
  const blocked = isBlocked(peer);
  const how = {
    'invite-link': therapistView ? t('link.how.inviteTherapist') : t('link.how.inviteClient', { handle: peer.handle }),
    'safety-number': t('link.how.safetyNumber', { handle: peer.handle }),
  }[status.how] ?? null;
  const role = therapistView ? 'therapist' : 'client';
  return html`${therapistView ? nav('clients', 'therapist') : nav('more', 'client', t('more.shared'))}<section aria-labelledby="link-title">
    <h1 id="link-title">${peer.handle}</h1>
    <p class="key-state"><span class="badge badge-${status.badge}">${status.word}</span></p>
    ${blocked ? html`<p class="error" role="alert">${t('link.blocked', { why: blockedWhy(peer), role,
      held: heldText(peer) })}</p>
      <p>${t('link.ifMatch', { why: t(status.state === 'mismatch' ? 'link.why.mismatch' : 'link.why.changed') })}</p>`
    : null}
    ${status.state === 'unverified' ? html`<p class="notice unverified">${t('link.unverified')}</p>` : null}
    ${how ? html`<p>${how}</p>` : null}
    <p>${tt('link.who', { role, linked: peer.linked ? 'yes' : 'no',
      pinned: when(peer.pinnedAt) })}</p>
    ${safetyBlock(safety, therapistView ? peer.handle : null)}
    ${blocked || status.how !== 'safety-number' ? html`<form action="/app/link/${peer.userId}/verify" method="post"
      hx-post="/app/link/${peer.userId}/verify" hx-target="#view"><div class="actions"><button type="submit"
      class="${blocked ? 'danger' : status.state === 'unverified' ? '' : 'secondary'}">${t(blocked
        ? 'link.accept' : 'link.compared')}</button></div></form>`
      : html`<p>${t('link.matched', { handle: peer.handle })}</p>`}
    ${therapistView ? html`<p>${link(`/app/clients/${peer.userId}`, t('link.back', { handle: peer.handle }),
      'button secondary')}</p>` : null}</section>`;
}

/** Which of the catalogue's sentences names a blocked key: `changed`, or `mismatch` (not the invitation's). */
const heldWhy = (peer) => (keyStatus(peer).state === 'mismatch' ? 'mismatch' : 'changed');

/** The sharing part of one entry's page. */
export function sharingPanel(entryId, sharing, problem = null) {
  const { shared, stopping, peers } = sharing;
  const sharedIds = new Set(shared.map((s) => s.peer.userId));
  const button = (action, label, cls) => html`<form action="/app/entries/${entryId}/${action}" method="post"
    hx-post="/app/entries/${entryId}/${action}" hx-target="#view">${label.peer}
    <button type="submit" class="${cls}">${label.text}</button></form>`;
  return html`<section class="sharing" aria-labelledby="sharing-title"><h2 id="sharing-title">${t('share.panel.heading')}</h2>
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    ${shared.length ? html`<ul>${shared.map((s) => html`<li><p>${tt('share.panel.sharedWith', {
      handle: html`<strong>${s.peer.handle}</strong>`, state: s.pending ? 'pending' : s.since ? 'since' : 'no',
      since: s.since ? html`<time datetime="${s.since}">${when(s.since)}</time>` : '' })}${
      isBlocked(s.peer) ? html` ${tt(`share.panel.heldBack.${heldWhy(s.peer)}`, { handle: s.peer.handle,
        compare: link(`/app/link/${s.peer.userId}`, t('share.panel.compare')) })}` : null}</p>
      ${button('unshare', { text: t('share.panel.stop', { handle: s.peer.handle }), peer: html`<input type="hidden" name="peer" value="${s.peer.userId}">` }, 'secondary')}</li>`)}</ul>`
    : html`<p>${t('share.panel.private')}</p>`}
    ${stopping.map((p) => html`<p>${t('share.panel.stopping', { handle: p.handle })}</p>`)}
    ${peers.filter((p) => !sharedIds.has(p.userId)).map((p) => (isBlocked(p)
      ? html`<p>${tt(`share.panel.blocked.${heldWhy(p)}`, { handle: p.handle,
        compare: link(`/app/link/${p.userId}`, t('share.panel.compare')) })}</p>`
      : html`${button('share', { text: t('share.panel.share', { handle: p.handle }), peer: html`<input type="hidden" name="peer" value="${p.userId}">` }, '')}${
        unverified(p) ? html`<p class="hint">${tt('share.panel.unverified', { handle: p.handle,
          compare: link(`/app/link/${p.userId}`, t('share.panel.compare')) })}</p>` : null}`))}
  </section>`;
}

/** Everything this person shares, newest first. */
export function sharedPage(items, kinds, peers) {
  return html`${nav('more', 'client', t('more.shared'))}<section aria-labelledby="shared-title"><h1 id="shared-title">${t('share.heading')}</h1>
    ${peers.length ? html`<p class="lead">${tt('share.linkedWith', { peers: peers.map((p, i) => html`${i ? ', ' : ''}${
        link(`/app/link/${p.userId}`, p.handle)}`) })}</p>`
      : html`<p class="lead">${t('share.notLinked')}</p>`}
    ${items.length ? html`<ul class="entries">${items.map(({ entry, sharing }) => html`<li>
      <a href="/app/entries/${entry.id}" hx-get="/app/entries/${entry.id}" hx-target="#view" hx-push-url="true">
        <span class="kind">${kindWords(kindFor(kinds, entry), entry.kind)}</span>
        <span class="summary">${summary(entry, kindFor(kinds, entry))}</span>
        <span class="shared-with">${t('share.sharedWith', {
          handles: sharing.shared.map((s) => s.peer.handle).join(', '),
          pending: sharing.shared.some((s) => s.pending) ? 'yes' : 'no' })}</span></a></li>`)}</ul>`
      : html`<p class="empty">${t('share.none')}</p>`}
  </section>`;
}
