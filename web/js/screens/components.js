/**
 * The small pieces every screen shares: a link into #view, the main tabs, an entry in one line, a person's key
 * badge, and the person's word for what they do between sessions. Screens import them from here, not from one
 * another.
 */

import { fieldType } from '../core/fields.js';
import { keyStatus } from '../core/key-status.js';
import { localeInUse } from '../core/messages.js';
import { answerWords } from './fields.js';
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

/**
 * An entry's kind in words: its label (a worksheet's title); a kind this version does not know (a newer version's)
 * by its id, marked as such.
 * @param {{label: string}|null|undefined} kind @param {string} id the entry's kind id
 */
export const kindWords = (kind, id) => kind?.label ?? t('words.newerKind', { id: String(id ?? '') });

const clip = (text) => (text.length > 90 ? `${text.slice(0, 89)}…` : text);

/**
 * One line that says what an entry is about, without opening it, in words (never a stored id): its first written
 * answer, led by a choice asked before it ("Sleep · Lights out by eleven"), or that choice alone; else the kind.
 * Which answers take part is their type's `headline` (core/fields.js); sync/cli/terminal.py summary is the same.
 */
export function summary(entry, kind) {
  const f = entry.fields ?? {};
  if (entry.kind === 'mood' && typeof f.score === 'number') {
    const emotions = Array.isArray(f.emotions) ? f.emotions : [];
    return emotions.length ? t('entry.summary.moodEmotions', { score: f.score, emotions: listWords(emotions) })
      : t('entry.summary.mood', { score: f.score });
  }
  let lead = null;
  for (const field of kind?.fields ?? []) {
    const value = f[field.id];
    const role = fieldType(field.type)?.headline;
    if (role === 'text' && typeof value === 'string' && value.trim()) {
      const text = value.trim().replace(/\s+/g, ' ');
      return clip(lead === null ? text : t('words.summary.led', { choice: lead, text }));
    }
    if (role === 'choice' && lead === null && value !== undefined && value !== null) {
      lead = String(answerWords(field, value));
    }
  }
  return lead === null ? kindWords(kind, entry.kind) : clip(lead);
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
