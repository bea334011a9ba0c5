/**
 * The client's Today screen: the quick mood check-in, what is due or still open (who gave it, their instructions,
 * one tap to start), drafts to continue (screens/drafts.js), what was done today; and why anything is held back,
 * with the way out.
 * Every word from the message catalogue (today.* keys).
 */

import { calendarWords, formatter } from '../../core/dates.js';
import { kindFor } from '../../core/assignments.js';
import { link, nav, summary, WORDING } from '../components.js';
import { draftsToContinue } from '../drafts.js';
import { fromLine, newerNotices, trustNotices, wordingOf } from '../todo/todo-views.js';
import { html, t, tt } from '../views.js';
import { QUICK_MOODS } from './today.js';

/**
 * @typedef {import('../todo/todo.js').TodoItem} TodoItem
 * @typedef {import('../../data/drafts.js').DraftInfo} DraftInfo
 */

/** @type {Intl.DateTimeFormatOptions} */
const LONG_DAY = { weekday: 'long', day: 'numeric', month: 'long' };
const dayText = (date) => calendarWords(date, LONG_DAY) ?? date;
const day = (date) => html`<time datetime="${date}">${dayText(date)}</time>`;

/** An instant's time of day, in this device's zone. */
const timeOf = (stamp) => {
  const d = new Date(stamp);
  return Number.isNaN(d.getTime()) ? null
    : html`<time datetime="${stamp}">${formatter({ hour: 'numeric', minute: '2-digit' }).format(d)}</time>`;
};

/** A face for each of the five answers, drawn (decoration: the button's words say it). */
function face(level) {
  const curve = [-7, -3.5, 0, 3.5, 7][level]; // the mouth's bend: a frown below zero, a smile above
  return html`<svg class="mood-face" viewBox="0 0 40 40" aria-hidden="true" focusable="false">
    <circle class="face" cx="20" cy="20" r="18"></circle><circle class="eye" cx="14" cy="16" r="2.2"></circle>
    <circle class="eye" cx="26" cy="16" r="2.2"></circle>
    <path class="mouth" d="M12 ${27 - curve / 2} Q20 ${27 + curve * 1.5} 28 ${27 - curve / 2}"></path></svg>`;
}

/** The word of a quick answer ("Good"). */
export const moodName = (mood) => t(`today.mood.${mood.name}`);

/** The quick check-in: five labelled buttons in one form, each saving a mood entry at once. */
export function moodCheckIn() {
  return html`<section class="today-section today-mood" aria-labelledby="today-mood-title">
    <h2 id="today-mood-title">${t('today.mood.heading')}</h2>
    <form class="mood-quick" action="/app/today/mood" method="post" hx-post="/app/today/mood" hx-target="#view"
      autocomplete="off"><div class="mood-choices" role="group" aria-labelledby="today-mood-title"
      aria-describedby="today-mood-hint">
      ${QUICK_MOODS.map((m) => html`<button type="submit" name="score" value="${m.score}"
        class="mood-button mood-level-${m.level}">${face(m.level)}<span>${moodName(m)}</span></button>`)}
    </div></form>
    <p class="hint" id="today-mood-hint">${t('today.mood.hint')}</p>
  </section>`;
}

/** After a quick check-in: what was saved, with "Add details" (the full form) and Undo. */
export function moodSavedNotice(entryId, mood) {
  return html`<div class="notice" role="status"><p>${t('today.mood.saved', { mood: moodName(mood),
    score: mood.score })}</p><div class="notice-actions">
    ${link(`/app/entries/${entryId}/edit`, t('today.mood.details'), 'button secondary')}
    <form action="/app/today/mood/${entryId}/undo" method="post" hx-post="/app/today/mood/${entryId}/undo"
      hx-target="#view"><button type="submit" class="secondary">${t('today.mood.undo')}</button></form></div></div>`;
}

/** After Undo: the check-in is gone. */
export const moodUndoneNotice = () => html`<p class="notice" role="status">${t('today.mood.undone')}</p>`;

/** Text with its line breaks, as paragraphs. */
const paragraphs = (text) => String(text).split(/\n{2,}/).filter((p) => p.trim())
  .map((p) => html`<p>${p.split('\n').map((l, i) => html`${i ? html`<br>` : null}${l}`)}</p>`);

/** The therapist's instructions: the first paragraph, the rest behind "All instructions". */
function instructions(text) {
  const parts = String(text ?? '').split(/\n{2,}/).filter((p) => p.trim());
  if (!parts.length) return null;
  const rest = parts.slice(1).join('\n\n');
  return html`<div class="todo-instructions">${paragraphs(parts[0])}${rest ? html`<details><summary>${
    t('today.instructions.more')}</summary>${paragraphs(rest)}</details>` : null}</div>`;
}

/** Under an item from a therapist whose key this device has not verified: say so, and how to. */
const unverifiedHint = (from) => (from.state === 'unverified' ? html`<p class="hint">${tt('today.unverified', {
  handle: from.handle, compare: link(`/app/link/${from.userId}`, t('today.unverified.compare')) })}</p>` : null);

/**
 * One activity to do: its title, who gave it, their instructions (`brief`: not again, they are just above), and
 * Start (the day's form).
 */
function dueItem(item, when, brief = false) {
  const a = item.assignment;
  return html`<li class="today-item"><div class="todo-text"><p class="todo-title">${a.doc.title}</p>
    <p class="meta">${fromLine(a.from)}${when ? html` · ${when}` : null}</p>
    ${brief ? null : html`${instructions(a.doc.instructions)}${unverifiedHint(a.from)}`}</div>
    ${link(`/app/todo/${a.id}/${item.occurrence}`, html`${t('today.start')}<span class="visually-hidden">: ${
      t('today.start.which', { title: a.doc.title, day: dayText(item.occurrence) })}</span>`, 'button')}</li>`;
}

/** What was done today: the entries written (each naming the activity it answers) and the answers "not done". */
function doneSection(done, kinds) {
  const items = [
    ...done.entries.map(({ entry, assignment }) => {
      const kind = kindFor(kinds, entry);
      return html`<li><a href="/app/entries/${entry.id}" hx-get="/app/entries/${entry.id}" hx-target="#view"
        hx-push-url="true"><span class="kind">${kind?.label ?? entry.kind}</span>
        <span class="summary">${summary(entry, kind)}</span>
        <span class="meta">${timeOf(entry.createdAt)}${assignment ? html` · ${t('today.done.for',
          { title: assignment.doc.title })}` : null}</span></a></li>`;
    }),
    ...done.notDone.map(({ assignment, response }) => html`<li class="today-noted"><p class="summary">${
      link(`/app/todo/${assignment.id}`, assignment.doc.title)}</p><p class="meta">${t('today.done.notDone',
        { handle: assignment.from?.handle ?? '' })} · ${timeOf(response.doc.updated_at)}</p></li>`),
  ];
  return html`<section class="today-section" aria-labelledby="today-done-title">
    <h2 id="today-done-title">${t('today.done.heading')}</h2>
    ${items.length ? html`<ul class="today-done">${items}</ul>` : html`<p class="empty">${t('today.done.none')}</p>`}
  </section>`;
}

/**
 * The Today page.
 * @param {{date: string, due: {due: TodoItem[], open: {item: TodoItem, more: number}[], coming: number},
 *   hasAssignments?: boolean, done: ReturnType<typeof import('./today.js').doneToday>, drafts?: DraftInfo[],
 *   notices?: any[], newer?: any[], kinds: Map<string, any>, words?: any, notice?: unknown, mood?: boolean,
 *   storage?: unknown}} page `date` today's date (YYYY-MM-DD, this device); `mood` false hides the check-in (no mood
 *   kind); `storage` the storage notice (screens/storage/storage-views.js storageNotice), when due
 */
export function todayPage({ date, due, hasAssignments = false, done, drafts = [], notices = [], newer = [], kinds,
  words = WORDING.activities, notice = null, mood = true, storage = null }) {
  const wording = wordingOf(words);
  const nothing = !due.due.length && !due.open.length;
  const dueIds = new Set(due.due.map((i) => i.assignment.id));
  return html`${nav('today')}<section aria-labelledby="today-title" class="today">
    <h1 id="today-title">${t('today.heading')}</h1><p class="lead">${day(date)}</p>
    ${notice}${storage}${trustNotices(notices)}${newerNotices(newer, words, '/app/today')}
    ${mood ? moodCheckIn() : null}
    <section class="today-section" aria-labelledby="today-due-title">
      <h2 id="today-due-title">${t('today.due.heading')}</h2>
      ${due.due.length ? html`<ul class="today-list">${due.due.map((i) => dueItem(i, null))}</ul>`
        : html`<p class="empty">${nothing && !hasAssignments ? t('today.due.noneYet', { wording })
          : t('today.due.none')}</p>`}
      ${due.coming ? html`<p>${tt('today.due.coming', { count: due.coming, wording,
        todo: link('/app/todo', t('today.due.seeTodo')) })}</p>` : null}
    </section>
    ${due.open.length ? html`<section class="today-section" aria-labelledby="today-open-title">
      <h2 id="today-open-title">${t('today.open.heading')}</h2>
      <p class="hint">${t('today.open.hint')}</p>
      <ul class="today-list">${due.open.map(({ item, more }) => dueItem(item, html`${day(item.occurrence)}${
        more ? t('today.open.more', { count: more }) : ''}`, dueIds.has(item.assignment.id)))}</ul></section>` : null}
    ${draftsToContinue(drafts, kinds)}
    ${doneSection(done, kinds)}
    <p class="today-more">${link('/app/progress', t('today.progress'))}</p>
  </section>`;
}
