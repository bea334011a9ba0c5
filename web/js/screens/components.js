/**
 * The small pieces every screen shares: a link into #view, the main navigation, an entry in one line, a person's key
 * badge, and the person's word for what they do between sessions. Screens import them from here, not from one
 * another.
 */

import { fieldType } from '../core/fields.js';
import { keyStatus } from '../core/key-status.js';
import { localeInUse } from '../core/messages.js';
import { answerWords } from './fields.js';
import { icon } from './icons.js';
import { html, t } from './views.js';

/** A link htmx follows into #view (and the address bar), a plain link otherwise. */
export const link = (href, label, cls = '') =>
  html`<a href="${href}" class="${cls}" hx-get="${href}" hx-target="#view" hx-push-url="true">${label}</a>`;

/**
 * The main navigation: a bar at the bottom of a phone (within thumb reach) that becomes a side rail from about
 * 900 px wide (app.css). A client's tabs are Today, Entries, To do, Progress and More, with "New entry" as the one
 * prominent action, and "Safety plan" on every client screen (one tap to the plan, offline too: the worker answers
 * it); a therapist's are Clients, Invites and More. Every tab is a link with an icon and its label;
 * the current one carries aria-current="page", and the page names the window after it (page/app.js titleView),
 * or after `screen` when given: the name of a screen under a tab ("Settings" under More), from the catalogue only,
 * never anything a person wrote (titles are kept in the browser's history).
 * @param {string} current the tab of this page ('today', 'entries', 'new', 'todo', 'progress', 'more'; 'clients',
 *   'invites'), 'safety' for the safety plan, or '' for none @param {'client'|'therapist'} [role] @param {string|null} [screen]
 */
export function nav(current, role = 'client', screen = null) {
  current = MOVED[current] ?? current;
  const tab = (href, key, name, glyph) => html`<li>${navLink(href, key, name === current, 'tab', glyph)}</li>`;
  const named = screen ? html` data-screen="${screen}"` : null;
  if (role === 'therapist') {
    return html`<nav class="tabs" aria-label="${t('nav.label')}"${named}><ul>
      ${tab('/app/clients', 'nav.clients', 'clients', 'clients')}${tab('/app/invites', 'nav.invites', 'invites', 'invites')}
      ${tab('/app/more', 'nav.more', 'more', 'more')}
    </ul></nav>`;
  }
  return html`<nav class="tabs with-new" aria-label="${t('nav.label')}"${named}>
    ${navLink('/app/entries/new', 'nav.new', current === 'new', 'new-entry', 'new')}<ul>
    ${tab('/app/today', 'nav.today', 'today', 'today')}${tab('/app/entries', 'nav.entries', 'entries', 'entries')}
    ${tab('/app/todo', 'nav.todo', 'todo', 'todo')}${tab('/app/progress', 'nav.progress', 'progress', 'progress')}
    ${tab('/app/more', 'nav.more', 'more', 'more')}
  </ul>${navLink('/app/safety-plan', 'safety.nav', current === 'safety', 'safety-link', 'safety')}</nav>`;
}

// Tabs of earlier versions, now screens under More: a view that still names one marks More.
const MOVED = { account: 'more', shared: 'more' };

/**
 * One link of the navigation: its label, which is its name, then its icon (decorative; app.css draws it first).
 */
const navLink = (href, key, here, cls, glyph) => html`<a href="${href}" class="${cls}"${here
  ? html` aria-current="page"` : null} hx-get="${href}" hx-target="#view" hx-push-url="true">${t(key)}${icon(glyph)}</a>`;

/** The way back from a screen under More (devices, passphrase, a copy, settings...). */
export const backToMore = () => link('/app/more', t('more.back'), 'button secondary');

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

/** Values joined as a list ending in "and" ("Monday, Wednesday and Friday"), by Intl in the language in use. */
const ands = new Map();
export function andWords(values) {
  const locale = localeInUse();
  let list = ands.get(locale);
  if (!list) ands.set(locale, (list = new Intl.ListFormat(locale, { type: 'conjunction' })));
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
