/**
 * The "share with" switch of a form that writes an entry: answering a therapist's assignment (on by default: the
 * answer is for them) and a new entry of the client's own (off by default: nothing is shared unless chosen). One
 * real checkbox with role="switch" per therapist, named `share` with their user id as its value, and a line that
 * says what happens either way (shown by app.css from the switch's state, so it needs no script). A therapist this
 * device may not share with (a changed key, one that does not match their invitation) gets no switch: a sentence
 * says why, with the way to fix it. Sharing itself follows core/sharing.js (the switch only asks).
 */

import { keyStatus } from '../core/key-status.js';
import { canGrant } from '../core/sharing.js';
import { link } from './components.js';
import { html, t } from './views.js';

/**
 * @typedef {import('../data/db.js').Peer} Peer
 * @typedef {{peer: Peer, on: boolean}} Choice a therapist and whether their switch starts on
 */

/**
 * The switches, one per therapist. `what` says what is shared: 'answer' (an assignment's) or 'entry'.
 * An unverified key (the server's word) may be shared with, but its switch starts off and says so.
 * @param {Choice[]} choices @param {{what?: 'answer'|'entry', prefix?: string}} [options]
 */
export function shareSwitches(choices, { what = 'answer', prefix = 'share' } = {}) {
  if (!choices.length) return null;
  return html`<div class="share-switches">${choices.map(({ peer, on }, i) => {
    const handle = peer.handle;
    const check = link(`/app/link/${peer.userId}`, t('answer.share.check'));
    if (!canGrant(peer)) {
      return html`<p class="share-blocked">${t('answer.share.blocked', { handle })} ${check}</p>`;
    }
    const unverified = keyStatus(peer).state === 'unverified';
    const id = `${prefix}-${i}`;
    return html`<div class="share-switch">
      <input type="checkbox" role="switch" id="${id}" name="share" value="${peer.userId}"
        ${on && !unverified ? html`checked` : null}>
      <label for="${id}">${t('answer.share.label', { handle })}</label>
      <p class="share-on">${t(what === 'answer' ? 'answer.share.on' : 'answer.share.entryOn', { handle })}</p>
      <p class="share-off">${t(what === 'answer' ? 'answer.share.off' : 'answer.share.entryOff', { handle })}</p>
      ${unverified ? html`<p class="hint share-unverified">${t('answer.share.unverified', { handle })} ${check}</p>`
        : null}</div>`;
  })}</div>`;
}

/**
 * The therapists a sent form asks to share with: those of `peers` whose switch was on, and whom this device may
 * share with now (a switch from a page made before a key changed asks for nothing).
 * @param {FormData} form @param {Peer[]} peers @returns {string[]} user ids, sorted
 */
export function chosenPeers(form, peers) {
  const asked = new Set(form.getAll('share').map(String));
  return peers.filter((p) => asked.has(p.userId) && canGrant(p)).map((p) => p.userId).sort();
}
