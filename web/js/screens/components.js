/**
 * The small pieces every screen shares: a link into #view, the main tabs, an entry in one line, a person's key
 * badge, and the person's word for what they do between sessions. Screens import them from here, not from one
 * another.
 */

import { keyStatus } from '../core/key-status.js';
import { localeInUse } from '../core/messages.js';
import { html, t } from './views.js';

/** A link htmx follows into #view (and the address bar), a plain link otherwise. */
export const link = (href, label, cls = '') =>
  html`<a href="${href}" class="${cls}" hx-get="${href}" hx-target="#view" hx-push-url="true">${label}</a>`;

/**
 * The main tabs. A therapist's app opens on their clients; a client's on Today.
 * @param {string} current the tab of this page @param {'client'|'therapist'} [role]
 */
export function nav(current, role = 'client') {
  const item = (href, label, name) => html`<li>${current === name
    ? html`<a href="${href}" aria-current="page" hx-get="${href}" hx-target="#view" hx-push-url="true">${label}</a>`
    : link(href, label)}</li>`;
  if (role === 'therapist') {
    return html`<nav class="tabs" aria-label="${t('nav.label')}"><ul>
      ${item('/app/clients', t('nav.clients'), 'clients')}${item('/app/invites', t('nav.invites'), 'invites')}
      ${item('/app/account', t('nav.sync'), 'account')}
    </ul></nav>`;
  }
  // Today and Progress: until the bottom tab bar (issue 10) takes their names into nav.*.
  return html`<nav class="tabs" aria-label="${t('nav.label')}"><ul>
    ${item('/app/today', t('today.tab'), 'today')}
    ${item('/app/entries', t('nav.entries'), 'entries')}${item('/app/entries/new', t('nav.new'), 'new')}
    ${item('/app/todo', t('nav.todo'), 'todo')}${item('/app/progress', t('progress.tab'), 'progress')}
    ${item('/app/shared', t('nav.shared'), 'shared')}
    ${item('/app/account', t('nav.sync'), 'account')}
  </ul></nav>`;
}

/** One line that says what an entry is about, without opening it. */
export function summary(entry, kind) {
  const f = entry.fields;
  if (entry.kind === 'mood' && typeof f.score === 'number') {
    const emotions = Array.isArray(f.emotions) ? f.emotions : [];
    return emotions.length ? t('entry.summary.moodEmotions', { score: f.score, emotions: listWords(emotions) })
      : t('entry.summary.mood', { score: f.score });
  }
  for (const field of kind?.fields ?? []) {
    const value = f[field.id];
    if (typeof value === 'string' && value.trim()) {
      const text = value.trim().replace(/\s+/g, ' ');
      return text.length > 90 ? `${text.slice(0, 89)}…` : text;
    }
  }
  return kind?.label ?? entry.kind;
}

/**
 * Values as a list in words ("calm, tired, hopeful" in English), in the language in use. Each Intl.ListFormat is
 * made once per locale: like the date formatters (core/dates.js), making one per call costs more than using it.
 * @param {unknown[]} values
 */
const lists = new Map();
export function listWords(values) {
  const locale = localeInUse();
  let list = lists.get(locale);
  if (!list) lists.set(locale, (list = new Intl.ListFormat(locale, { type: 'unit', style: 'short' })));
  return list.format(values.map(String));
}

/** The person's word for what they do between sessions (a setting): "activities" unless they prefer "homework". */
// The words themselves are in the catalogues, chosen by `name` (`{wording, select, homework {…} other {…}}`).
export const WORDING = Object.freeze({
  activities: Object.freeze({ name: 'activities' }),
  homework: Object.freeze({ name: 'homework' }),
});

export const wordsFor = (settings) => WORDING[settings?.wording] ?? WORDING.activities;

/**
 * How the other person's key was verified, in words (never by colour alone): key-status.js keyStatus.
 * @param {object} peer @returns {{word: string, state: 'verified'|'unverified'|'changed'}} state: the badge's look
 */
export function verification(peer) {
  const { word, badge: state } = keyStatus(peer);
  return { word, state };
}

/** The verification badge, a link to the safety number screen. @param {import('../data/db.js').Peer} peer */
export function badge(peer) {
  const { word, state } = verification(peer);
  const href = `/app/link/${peer.userId}`;
  return html`<a class="badge badge-${state}" href="${href}" hx-get="${href}" hx-target="#view"
    hx-push-url="true">${word}</a>`;
}
