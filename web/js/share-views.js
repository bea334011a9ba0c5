/** Fragments of the sharing screens: invite preview, the linked therapist, an entry's sharing, everything shared. */

import { kindFor } from './assignments.js';
import { link, nav, summary } from './entry-views.js';
import { instantWords } from './dates.js';
import { html } from './views.js';

const when = (stamp) => instantWords(stamp) ?? '';

/** The safety number to compare in session; `client` is the client's handle on a therapist's screen. */
const safetyBlock = (number, client = null) => html`<div class="safety-number" role="group" aria-label="Safety number">
  <code>${number}</code></div>
  <p class="hint">Compare these 60 digits ${client ? html`with ${client} in session`
    : 'with your therapist at your next session'}. If they match, nobody stands between you.</p>`;

export function invitePage(seen) {
  const body = (() => {
    switch (seen.state) {
      case 'needs_account':
        return html`<p>To link with <strong>${seen.handle}</strong>, turn on sync or sign in first.
          This invitation stays open on this screen until the app is closed.</p>${link('/app/account', 'Turn on sync', 'button')}`;
      case 'ready':
        return html`<p>Link with your therapist <strong>${seen.therapist.handle}</strong>? Their security key matches
          the one in your invitation link.</p>
          <p>Once linked, you choose which entries to share with them. Nothing is shared until you do.</p>
          ${safetyBlock(seen.safety)}
          <form action="/app/invite/accept" method="post" hx-post="/app/invite/accept" hx-target="#view">
            <div class="actions"><button type="submit">Link with ${seen.therapist.handle}</button>
            ${link('/app/entries', 'Not now', 'button secondary')}</div></form>`;
      case 'accepted':
        return html`<p class="notice" role="status">You are linked with <strong>${seen.peer.handle}</strong>.</p>
          ${safetyBlock(seen.safety)}
          <p>Open an entry to share it, or see ${link('/app/shared', 'everything you share')}.</p>`;
      default:
        return html`<p>No invitation is open. Open the link your therapist gave you on this device.</p>`;
    }
  })();
  return html`${nav('')}<section aria-labelledby="invite-title"><h1 id="invite-title">Invitation</h1>${body}</section>`;
}

export function inviteProblemPage(words) {
  return html`${nav('')}<section aria-labelledby="invite-title"><h1 id="invite-title">Invitation</h1>
    <p class="error" role="alert">${words}</p></section>`;
}

/** A key this device learned only from the server: not shared with until the numbers are compared here. */
export const unverified = (peer) => peer.verifiedHow === 'tofu' && !peer.changed;

/** Whether the key is verified on this device, in words: Verified, Not verified, Key changed. */
const keyState = (peer) => (peer.changed ? ['changed', 'Key changed']
  : peer.verifiedHow === 'tofu' ? ['unverified', 'Not verified'] : ['verified', 'Verified']);

/**
 * The safety number screen of a care link, worded for who is looking: a client looking at their therapist, or a
 * therapist (whose peers are clients) looking at a client. What is blocked until the numbers match: sharing
 * entries, for a client; new shares and assignments, for a therapist.
 */
export function linkPage(peer, safety) {
  const therapistView = peer.role === 'client';
  const how = { 'invite-link': ', checked against your invitation link', 'safety-number': ', safety number compared',
    tofu: ', as the server gave it (not verified on this device)' }[peer.verifiedHow] ?? '';
  const [state, word] = keyState(peer);
  const paused = therapistView ? 'New shares and assignments for them are paused' : 'Sharing with them is paused';
  const learned = therapistView ? 'this device learned it from the server when they accepted your invitation'
    : 'this device learned it from the server, not from your invitation link';
  const blocked = therapistView ? html`Nothing new is shared with or assigned to ${peer.handle} from this device`
    : html`Nothing is shared with ${peer.handle} from this device`;
  return html`${therapistView ? nav('clients', 'therapist') : nav('shared')}<section aria-labelledby="link-title">
    <h1 id="link-title">${peer.handle}</h1>
    <p class="key-state"><span class="badge badge-${state}">${word}</span></p>
    ${peer.changed ? html`<p class="error" role="alert">${peer.handle}'s security key changed. ${paused} until you
      compare the safety number below with them in person.</p>` : null}
    ${unverified(peer) ? html`<p class="error unverified" role="alert">${peer.handle}'s security key is not verified
      on this device: ${learned}. ${blocked} until you compare the safety number below with them in person.</p>` : null}
    <p>${therapistView ? 'Your client' : 'Your therapist'}${peer.linked ? '' : ' (the link has ended)'}. Key pinned
      ${when(peer.pinnedAt)}${how}.</p>
    ${safetyBlock(safety, therapistView ? peer.handle : null)}
    ${peer.changed || peer.verifiedHow !== 'safety-number' ? html`<form action="/app/link/${peer.userId}/verify" method="post"
      hx-post="/app/link/${peer.userId}/verify" hx-target="#view"><div class="actions"><button type="submit"
      class="${peer.changed ? 'danger' : unverified(peer) ? '' : 'secondary'}">${peer.changed
        ? 'The numbers match: accept the new key' : 'I compared the numbers: they match'}</button></div></form>`
      : html`<p>You compared this number with ${peer.handle} and it matched.</p>`}
    ${therapistView ? html`<p>${link(`/app/clients/${peer.userId}`, `Back to ${peer.handle}`, 'button secondary')}</p>` : null}</section>`;
}

/** The sharing part of one entry's page. */
export function sharingPanel(entryId, sharing, problem = null) {
  const { shared, stopping, peers } = sharing;
  const sharedIds = new Set(shared.map((s) => s.peer.userId));
  const button = (action, label, cls) => html`<form action="/app/entries/${entryId}/${action}" method="post"
    hx-post="/app/entries/${entryId}/${action}" hx-target="#view">${label.peer}
    <button type="submit" class="${cls}">${label.text}</button></form>`;
  return html`<section class="sharing" aria-labelledby="sharing-title"><h2 id="sharing-title">Sharing</h2>
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    ${shared.length ? html`<ul>${shared.map((s) => html`<li><p>Shared with <strong>${s.peer.handle}</strong>${
      s.pending ? ' (waiting to sync)' : s.since ? html` since <time datetime="${s.since}">${when(s.since)}</time>` : null}.${
      unverified(s.peer) ? html` Their key is not verified on this device: a new key made here (when you stop sharing
      with someone else) is not given to them until you ${link(`/app/link/${s.peer.userId}`, 'compare the safety number')}.` : null}</p>
      ${button('unshare', { text: `Stop sharing with ${s.peer.handle}`, peer: html`<input type="hidden" name="peer" value="${s.peer.userId}">` }, 'secondary')}</li>`)}</ul>`
    : html`<p>Only you can see this entry.</p>`}
    ${stopping.map((p) => html`<p>Stopping sharing with ${p.handle} (waiting to sync).</p>`)}
    ${peers.filter((p) => !sharedIds.has(p.userId)).map((p) => p.changed
      ? html`<p>${p.handle}'s security key changed: ${link(`/app/link/${p.userId}`, 'compare the safety number')} before sharing.</p>`
      : unverified(p)
        ? html`<p>${p.handle}'s key is not verified on this device: ${link(`/app/link/${p.userId}`, 'compare the safety number')} before sharing from here.</p>`
        : button('share', { text: `Share with ${p.handle}`, peer: html`<input type="hidden" name="peer" value="${p.userId}">` }, ''))}
  </section>`;
}

/** Everything this person shares, newest first. */
export function sharedPage(items, kinds, peers) {
  return html`${nav('shared')}<section aria-labelledby="shared-title"><h1 id="shared-title">Shared</h1>
    ${peers.length ? html`<p class="lead">Linked with ${peers.map((p, i) => html`${i ? ', ' : ''}${link(`/app/link/${p.userId}`, p.handle)}`)}.</p>`
      : html`<p class="lead">You are not linked with a therapist yet. Open the invitation link they give you.</p>`}
    ${items.length ? html`<ul class="entries">${items.map(({ entry, sharing }) => html`<li>
      <a href="/app/entries/${entry.id}" hx-get="/app/entries/${entry.id}" hx-target="#view" hx-push-url="true">
        <span class="kind">${kindFor(kinds, entry)?.label ?? entry.kind}</span>
        <span class="summary">${summary(entry, kindFor(kinds, entry))}</span>
        <span class="shared-with">Shared with ${sharing.shared.map((s) => s.peer.handle).join(', ')}${
          sharing.shared.some((s) => s.pending) ? ' (waiting to sync)' : ''}</span></a></li>`)}</ul>`
      : html`<p class="empty">Nothing is shared. Open an entry to share it.</p>`}
  </section>`;
}
