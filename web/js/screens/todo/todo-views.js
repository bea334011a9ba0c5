/** Fragments of the client's to-do screens: the list, one activity, answering one day, the confirmation. */

import { blockedWhy, isBlocked } from '../../core/key-status.js';
import { RATINGS, RATING_WORDS } from '../../core/assignments.js';
import { FORM_ERROR_ID, entryFields } from '../entry/entry-views.js';
import { calendarWords } from '../../core/dates.js';
import { link, nav, WORDING } from '../components.js';
import { shareSwitches } from '../share-switch.js';
// `msg` too: the day's form keeps `t` for the person's word ("activity" or "homework").
import { html, t, t as msg, tt } from '../views.js';
import { fieldErrorText, limitCounter } from '../fields.js';
import { DRAFT_FORMS, draftAttributes } from '../drafts.js';

/**
 * @typedef {import('../../data/db.js').Peer} Peer
 */

export { RATING_WORDS };
const DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday',
  sat: 'Saturday', sun: 'Sunday' };

/**
 * The person's word for these: "activity"/"activities", or "homework" (wordsFor(settings) in entry-views.js).
 * @typedef {{one?: string, many?: string, name?: string}} Words terms, or a WORDING entry
 * @param {Words} words
 */
export function termsFor(words) {
  if (words?.one && words?.many) return { one: words.one, many: words.many };
  return words === WORDING.homework ? { one: 'homework', many: 'homework' } : { one: 'activity', many: 'activities' };
}

/** @type {Intl.DateTimeFormatOptions} */
const LONG_DAY = { weekday: 'long', day: 'numeric', month: 'long' };
/** A local date (YYYY-MM-DD) for people, as the calendar date it is wherever they look from. */
export const dayText = (date) => calendarWords(date, LONG_DAY) ?? date;

const day = (date) => html`<time datetime="${date}">${dayText(date)}</time>`;

const joinWords = (list) => (list.length < 2 ? list.join('')
  : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`);

/**
 * When an assignment falls due, in words. `deviceZone`: the zone this device is in; when the assignment's
 * differs, the words say whose dates they are.
 */
export function scheduleWords(recurrence, deviceZone = null) {
  const r = recurrence;
  const until = r.until ? ` until ${dayText(r.until)}` : '';
  let words;
  switch (r.freq) {
    case 'once': words = `Once, by ${dayText(r.until ?? r.start)}`; break;
    case 'daily': words = `Every day from ${dayText(r.start)}${until}`; break;
    case 'weekly':
      words = `Every ${joinWords((r.days ?? []).map((d) => DAY_NAMES[d] ?? d))} from ${dayText(r.start)}${until}`;
      break;
    case 'until_next_session': words = `Every day from ${dayText(r.start)} until your next session on ${
      dayText(String(r.next_session).slice(0, 10))}${r.until ? ` (at the latest ${dayText(r.until)})` : ''}`; break;
    default: words = 'On a schedule this version of the app cannot read';
  }
  const zone = deviceZone && r.time_zone && r.time_zone !== deviceZone ? ` Dates follow ${r.time_zone} time.` : '';
  return `${words}.${zone}`;
}

/** The wording setting's name (components.js WORDING), for the messages that choose by it. */
export const wordingOf = (words) => (words === WORDING.homework || words?.name === 'homework' ? 'homework'
  : 'activities');

/** How the person an assignment is from was verified, in the catalogue's words. */
function trustWord(from) {
  if (from.state === 'verified') {
    return t(from.how === 'safety-number' ? 'todo.trust.safetyNumber' : 'todo.trust.invite');
  }
  if (from.state === 'unverified') return t('todo.trust.unverified');
  if (from.word) return from.word;
  return t(from.verified ? 'todo.trust.verified' : 'todo.trust.unverified');
}

/** "from <handle> (Verified by invitation)": who an assignment is from, and how their key was verified. */
export function fromLine(from) {
  const trust = html`<span class="trust ${from.verified ? 'verified' : 'unverified'}">(${trustWord(from)})</span>`;
  return html`<span class="todo-from">${tt('todo.from', { handle: html`<strong>${from.handle}</strong>`, trust })}</span>`;
}

/**
 * One plain notice per therapist whose activities are held back (a changed key, a key that does not match their
 * invitation, an ended link), naming how many were held and the way out.
 * @param {{peer: Peer, why: 'changed'|'mismatch'|'ended'}[]} notices
 */
export function trustNotices(notices) {
  return notices.map(({ peer, why }) => (why === 'changed' || why === 'mismatch'
    ? html`<div class="notice trust-notice"><p>${tt(`todo.held.${why}`, { handle: peer.handle,
      waiting: isBlocked({ ...peer, state: why }) ? peer.held ?? 0 : 0,
      compare: link(`/app/link/${peer.userId}`, t('todo.held.compare')) })}</p></div>`
    : html`<div class="notice trust-notice"><p>${t('todo.held.ended', { handle: peer.handle })}</p></div>`));
}

/**
 * One notice per therapist whose activities need a newer version of the app, with the way to get it: the app checks
 * for a new version whenever it is opened, and offers it at the top of the screen.
 * @param {{userId: string, handle: string, count: number}[]} newer
 */
export function newerNotices(newer, words = WORDING.activities, here = '/app/todo') {
  // A plain link, not htmx: a page load is what makes the browser look for a new version of the app.
  return newer.map(({ handle, count }) => html`<div class="notice newer-notice"><p>${t('todo.newer', { handle, count,
    wording: wordingOf(words) })}</p><a href="${here}" class="button secondary">${t('todo.newer.check')}</a></div>`);
}

/** A done answer in words: done, its minutes, the feedback given. */
export function doneWords(response) {
  const r = response.doc;
  return [t('todo.done.status'), r.minutes !== undefined ? t('todo.done.minutes', { minutes: r.minutes }) : null,
    r.feedback ? ratingWord(r.feedback.rating) : null].filter(Boolean).join(' · ');
}

/** A "how is it going" rating in words. */
export const ratingWord = (rating) => (RATINGS.includes(rating)
  ? t(`todo.rating.${rating.replace(/_(\w)/g, (_, c) => c.toUpperCase())}`) : String(rating));

/** "Do it" and the words a screen reader adds to tell one such link from the next. */
const doIt = (label, title, date) => html`${label}<span class="visually-hidden">: ${t('todo.item.which',
  { title, day: dayText(date) })}</span>`;

function todoItem(item, more = 0) {
  const { assignment: a, occurrence } = item;
  return html`<li class="todo-item"><div class="todo-text"><p class="todo-title">${a.doc.title}</p>
    <p class="meta">${fromLine(a.from)} · ${item.state === 'due_today'
      ? html`<time datetime="${occurrence}">${t('todo.today')}</time>` : day(occurrence)}${
      more ? t('todo.moreDays', { count: more }) : ''}</p></div>
    ${link(`/app/todo/${a.id}/${occurrence}`, doIt(t('todo.doIt'), a.doc.title, occurrence), 'button')}</li>`;
}

/** A day answered "done": when, the minutes and feedback given, and the way to change the answer. */
function doneItem(item) {
  const { assignment: a, occurrence, response } = item;
  return html`<li class="todo-item todo-done"><div class="todo-text"><p class="todo-title">${a.doc.title}</p>
    <p class="meta">${day(occurrence)} · ${doneWords(response)}</p></div>
    ${link(`/app/todo/${a.id}/${occurrence}`, doIt(t('todo.changeAnswer'), a.doc.title, occurrence),
      'button secondary')}</li>`;
}

/** The coming days: one line per assignment, its next day first (a daily practice would fill the screen). */
function comingItems(items) {
  const first = new Map();
  for (const item of items) {
    const seen = first.get(item.assignment.id);
    if (seen) seen.more += 1;
    else first.set(item.assignment.id, { item, more: 0 });
  }
  return [...first.values()].map(({ item, more }) => todoItem(item, more));
}

const SECTIONS = [['today', 'todo.section.today', 'todo-today'], ['week', 'todo.section.week', 'todo-week'],
  ['overdue', 'todo.section.missed', 'todo-missed']];

/**
 * The to-do page. `lists` from todoList; `done` from doneList (answered "done" lately, so finished work stays in
 * sight); `current` the assignments still running (others in `ended`); each assignment record carries `from`
 * ({userId, handle, verified}). `newer`: activities this version cannot read, per therapist.
 */
export function todoPage({ lists, done = [], current = [], ended = [], notices = [], newer = [],
  words = WORDING.activities, deviceZone = null, notice = null }) {
  const wording = wordingOf(words);
  const shown = SECTIONS.filter(([key]) => lists[key].length);
  const entry = (a) => html`<li>${link(`/app/todo/${a.id}`, a.doc.title)}
    <p class="meta">${fromLine(a.from)} · ${scheduleWords(a.doc.schedule.recurrence, deviceZone)}</p></li>`;
  return html`${nav('todo')}<section aria-labelledby="todo-title"><h1 id="todo-title">${t('todo.heading')}</h1>
    ${notice}${trustNotices(notices)}${newerNotices(newer, words)}
    ${shown.length ? shown.map(([key, label, id]) => html`<section class="todo-section" aria-labelledby="${id}">
      <h2 id="${id}">${t(label)}</h2><ul class="todo-list">${key === 'week' ? comingItems(lists[key])
      : lists[key].map((i) => todoItem(i))}</ul></section>`)
    : html`<p class="empty">${current.length ? t('todo.empty.week') : t('todo.empty.none', { wording })}</p>`}
    ${done.length ? html`<section class="todo-section" aria-labelledby="todo-done">
      <h2 id="todo-done">${t('todo.section.done')}</h2><ul class="todo-list">${done.map(doneItem)}</ul></section>`
    : null}
    ${current.length ? html`<section class="todo-section" aria-labelledby="todo-all">
      <h2 id="todo-all">${t('todo.section.all', { wording })}</h2><ul class="todo-all">${current.map(entry)}</ul>
      </section>` : null}
    ${ended.length ? html`<section class="todo-section" aria-labelledby="todo-ended">
      <h2 id="todo-ended">${t('todo.section.ended')}</h2><ul class="todo-all">${ended.map(entry)}</ul></section>`
    : null}
  </section>`;
}

/** Text with its line breaks, as paragraphs. */
const paragraphs = (text) => String(text).split(/\n{2,}/).filter((p) => p.trim())
  .map((p) => html`<p>${p.split('\n').map((l, i) => html`${i ? html`<br>` : null}${l}`)}</p>`);

/**
 * The optional (or, for the feedback form, required) "How is this activity going?" group.
 * @param {string} prefix @param {Record<string, string>} [values] @param {{required?: boolean, words?: Words}} [options]
 */
export function feedbackFields(prefix, values = {}, { required = false, words = WORDING.activities } = {}) {
  const t = termsFor(words);
  const opt = required ? null : html` <span class="optional">(optional)</span>`;
  return html`<fieldset class="field"><legend>How is this ${t.one} going?${opt}</legend><div class="choices">
    ${RATINGS.map((r, i) => html`<label class="choice"><input type="radio" name="rating" value="${r}"
      id="${prefix}-rating-${i}" ${values.rating === r ? html`checked` : null} ${required ? html`required` : null}>
      <span>${RATING_WORDS[r]}</span></label>`)}
    </div></fieldset>
    <div class="field"><label for="${prefix}-comment">Anything you'd like to add?
      <span class="optional">(optional)</span></label>
    <textarea id="${prefix}-comment" name="comment" rows="3" data-limit="2000" aria-describedby="${prefix}-comment-count"
      autocomplete="off">${values.comment ?? ''}</textarea>${limitCounter(`${prefix}-comment`)}</div>`;
}

function answerWords(response) {
  if (!response) return null;
  const r = response.doc;
  return html`${r.status === 'done' ? 'Done' : 'Not done'}${r.minutes !== undefined ? ` · ${r.minutes} min` : ''}${
    r.feedback ? ` · ${RATING_WORDS[r.feedback.rating] ?? r.feedback.rating}` : ''}${
    r.reason ? html`<span class="todo-reason">: ${r.reason}</span>` : null}`;
}

const STATE_WORDS = { due_today: 'Due today', missed: 'Missed', upcoming: 'Coming up' };

function dayItem(item, withdrawn) {
  const { assignment: a, occurrence, response } = item;
  const action = withdrawn ? null : link(`/app/todo/${a.id}/${occurrence}`, html`${response ? 'Change answer' : 'Do it'
  }<span class="visually-hidden">: ${dayText(occurrence)}</span>`, response ? 'button secondary' : 'button');
  return html`<li class="todo-item"><div class="todo-text"><p class="todo-title">${day(occurrence)}</p>
    <p class="meta">${response ? answerWords(response) : STATE_WORDS[item.state]}</p></div>${action}</li>`;
}

/**
 * One activity: instructions, schedule, the days so far with their answers, and the feedback form.
 * `progress`: {minutes, target} of this week, or null. `feedback`: {values, error} of a feedback form sent back.
 * @param {{assignment: Record<string, any>, past: import('./todo.js').TodoItem[],
 *   next?: import('./todo.js').TodoItem|null, kindLabel?: string|null, words?: Words, deviceZone?: string|null,
 *   progress?: {minutes: number, target: number|null}|null, notice?: unknown,
 *   feedback?: {values?: Record<string, string>, error?: string}}} page
 */
export function assignmentPage({ assignment, past, next = null, kindLabel = null, words = WORDING.activities,
  deviceZone = null, progress = null, notice = null, feedback = {} }) {
  const a = assignment;
  const t = termsFor(words);
  const withdrawn = Boolean(a.doc.withdrawn);
  const answered = past.some((i) => i.response);
  return html`${nav('todo')}<article aria-labelledby="todo-a-title">
    ${kindLabel ? html`<p class="kind">${kindLabel}</p>` : null}
    <h1 id="todo-a-title">${a.doc.title}</h1>
    <p class="meta">${fromLine(a.from)}</p>
    ${notice}
    ${withdrawn ? html`<p class="notice">${a.from.handle} took this ${t.one} back. Your answers stay here.</p>` : null}
    ${a.doc.instructions ? html`<div class="todo-instructions">${paragraphs(a.doc.instructions)}</div>` : null}
    <p>${scheduleWords(a.doc.schedule.recurrence, deviceZone)}</p>
    ${progress?.target ? html`<p>Aim: ${progress.target} minutes a week. This week so far: ${
      progress.minutes} minutes.</p>` : null}
    <section class="todo-section" aria-labelledby="todo-days"><h2 id="todo-days">Days so far</h2>
      ${past.length ? html`<ul class="todo-list">${past.map((i) => dayItem(i, withdrawn))}</ul>`
        : html`<p class="empty">No days yet.</p>`}
      ${next ? html`<p>Next: ${day(next.occurrence)}. ${link(`/app/todo/${a.id}/${next.occurrence}`,
        html`Do it early<span class="visually-hidden">: ${dayText(next.occurrence)}</span>`)}</p>` : null}
    </section>
    <section class="todo-section" aria-labelledby="todo-feedback"><h2 id="todo-feedback">Your feedback</h2>
      ${answered ? html`<form class="todo-feedback" action="/app/todo/${a.id}/feedback" method="post"
        hx-post="/app/todo/${a.id}/feedback" hx-target="#view" novalidate autocomplete="off" ${draftAttributes({
          form: DRAFT_FORMS.todoFeedback(a.id), path: `/app/todo/${a.id}`, kind: a.doc.kind, title: a.doc.title,
          what: 'feedback' })}>
        ${feedback.error ? html`<p class="error" role="alert">${feedback.error}</p>` : null}
        <p class="hint">Your feedback goes with your latest answer. ${a.from.handle} will see it.</p>
        ${feedbackFields('fb', feedback.values ?? {}, { required: true, words })}
        <div class="actions"><button type="submit">Send feedback</button></div></form>`
      : html`${feedback.error ? html`<p class="error" role="alert">${feedback.error}</p>` : null}
        <p>Once you have answered a day (done or not), you can tell ${a.from.handle} how this ${t.one} is going here.
        You can also add it when you answer.</p>`}
    </section>
    <div class="actions">${link('/app/todo', 'Back to To do', 'button secondary')}</div>
  </article>`;
}

/** Every question of a kind (from kinds.json, or a worksheet's), with the values given and the error's field marked. */
export const kindFields = (kind, values = {}, error = null) => entryFields(kind, values, error);

/**
 * The done and not-done forms of one day. `done`/`notDone`: what a form sent back ({values, feedback, error} and
 * {reason, feedback, error}); `kind` null: a kind this version does not know.
 * `share`: the assigning therapist and whether the switch that shares the entry with them starts on
 * (share-switch.js; none when this device does not know them).
 * @param {{assignment: Record<string, any>, occurrence: string, state?: string|null,
 *   kind: import('../../core/kinds.js').Kind|null, previous?: Record<string, any>|null, words?: Words,
 *   share?: import('../share-switch.js').Choice[],
 *   done?: {values?: Record<string, any>, feedback?: Record<string, string>, error?: any},
 *   notDone?: {reason?: string, feedback?: Record<string, string>, error?: string, feedbackError?: boolean}}} page
 */
export function occurrencePage({ assignment, occurrence, state, kind, previous = null,
  words = WORDING.activities, share = [], done = {}, notDone = {} }) {
  const a = assignment;
  const t = termsFor(words);
  const who = a.from.handle;
  const base = `/app/todo/${a.id}/${occurrence}`;
  const header = html`<h1 id="todo-o-title">${a.doc.title}</h1>
    <p class="meta">${fromLine(a.from)} · ${day(occurrence)}${state ? ` · ${STATE_WORDS[state]}` : ''}</p>
    ${a.doc.instructions ? html`<div class="todo-instructions">${paragraphs(a.doc.instructions)}</div>` : null}`;
  if (a.doc.withdrawn || !kind) {
    return html`${nav('todo')}<section aria-labelledby="todo-o-title">${header}
      <p class="notice">${a.doc.withdrawn ? `${who} took this ${t.one} back, so there is nothing to answer.`
        : `This ${t.one} needs a newer version of the app. Update it, then try again.`}</p>
      <div class="actions">${link('/app/todo', 'Back to To do', 'button secondary')}</div></section>`;
  }
  return html`${nav('todo')}<section aria-labelledby="todo-o-title">${header}
    ${previous ? html`<p class="notice">You answered this day already: ${answerWords(previous)}. Saving again replaces
      that answer${previous.doc?.status === 'done' && previous.doc.entry_id ? ' and updates the entry you wrote for it'
        : ''}.</p>` : null}
    <form class="entry-form" action="${base}" method="post" hx-post="${base}" hx-target="#view" novalidate
      autocomplete="off" ${draftAttributes({ form: DRAFT_FORMS.todoDone(a.id, occurrence), path: base, kind: a.doc.kind,
        title: a.doc.title, what: 'answer' })}>
      ${done.error ? html`<p class="error" role="alert" id="${FORM_ERROR_ID}">${
        fieldErrorText(done.error, kind.fields)}</p>` : null}
      ${kindFields(kind, done.values ?? {}, done.error ?? null)}
      ${feedbackFields('d', done.feedback ?? {}, { words })}
      ${share.length ? shareSwitches(share, { what: 'answer', prefix: 'd-share' })
        : html`<p class="todo-notice">${msg('answer.done.seen', { handle: who })}</p>`}
      <div class="actions"><button type="submit">Save and mark done</button>
      ${link(`/app/todo/${a.id}`, 'Cancel', 'button secondary')}</div>
    </form>
    <section class="todo-not-done" aria-labelledby="todo-nd-title"><h2 id="todo-nd-title">Didn't get to it?</h2>
    <form action="${base}/not-done" method="post" hx-post="${base}/not-done" hx-target="#view" novalidate
      autocomplete="off" ${draftAttributes({ form: DRAFT_FORMS.todoNotDone(a.id, occurrence), path: base,
        kind: a.doc.kind, title: a.doc.title, what: 'reason' })}>
      ${notDone.error ? html`<p class="error" role="alert">${notDone.error}</p>` : null}
      <div class="field"><label for="nd-reason">What got in the way?</label>
      <textarea id="nd-reason" name="reason" rows="3" data-limit="2000" aria-describedby="nd-reason-count" required
        aria-required="true" autocomplete="off" ${notDone.error && !notDone.feedbackError ? html`aria-invalid="true"`
        : null}>${notDone.reason ?? ''}</textarea>${limitCounter('nd-reason')}</div>
      ${feedbackFields('nd', notDone.feedback ?? {}, { words })}
      <p class="todo-notice">${who} will see that this was not done, your reason and your feedback.</p>
      <div class="actions"><button type="submit" class="secondary">I didn't do this</button></div>
    </form></section></section>`;
}

/**
 * After an answer: what was saved, who sees what, and where to go next. `shared`: the entry written for it is
 * shared with the therapist; `shareFailed`: it was to be, but could not be.
 */
export function answeredPage({ assignment, status, entryId = null, feedback = null, words = WORDING.activities,
  shared = false, shareFailed = false }) {
  const a = assignment;
  const t = termsFor(words);
  const who = a.from.handle;
  const done = status === 'done';
  const reason = done ? '' : feedback ? ', your reason' : ' and your reason';
  const seen = `${reason}${feedback ? ' and your feedback' : ''}`;
  return html`${nav('todo')}<section aria-labelledby="todo-done-title">
    <h1 id="todo-done-title">${done ? 'Done' : 'Noted'} — ${a.doc.title}</h1>
    <p class="notice" role="status">Saved on this device. ${who} will see that this ${
      done ? 'is done' : 'was not done'}${seen} after the next sync.</p>
    ${shareFailed ? html`<p class="error" role="alert">${msg('answer.share.failed', { handle: who })}</p>` : null}
    ${entryId ? html`<p>${tt(shared ? 'answer.done.shared' : 'answer.done.private', { handle: who,
      link: link(`/app/entries/${entryId}`, msg('answer.done.open')) })}</p>` : null}
    <div class="actions">${link('/app/todo', 'Back to To do', 'button')}
      ${link(`/app/todo/${a.id}`, `See this ${t.one}`, 'button secondary')}</div>
  </section>`;
}

/** An address that leads nowhere on this device. */
export function todoNotFoundPage(words = WORDING.activities) {
  const t = termsFor(words);
  return html`${nav('todo')}<section aria-labelledby="todo-nf-title"><h1 id="todo-nf-title">Not found</h1>
    <p>This ${t.one} is not on this device, or this day is not one of its days.</p>
    ${link('/app/todo', 'Back to To do', 'button')}</section>`;
}

/**
 * Why this activity cannot be answered now (`posted`: and that nothing was saved), with the way to fix it.
 * `entryId`: an entry that was saved before the answer could not be.
 */
export function blockedPage({ assignment, occurrence = null, words = WORDING.activities, why = 'changed',
  posted = false, entryId = null }) {
  const a = assignment;
  const t = termsFor(words);
  const peer = { userId: a.ownerId, handle: a.from.handle };
  return html`${nav('todo')}<section aria-labelledby="todo-b-title"><h1 id="todo-b-title">${a.doc.title}</h1>
    <p class="error" role="alert">${entryId ? html`Your entry is saved (${link(`/app/entries/${entryId}`, 'open it')}),
      but the answer was not sent. ` : posted ? 'Nothing was saved. ' : null}${why === 'ended'
      ? html`Your link with ${peer.handle} has ended, so this ${t.one} cannot be answered any more.`
      : html`${peer.handle}${blockedWhy({ state: why })}; ${
        link(`/app/link/${peer.userId}`, 'compare the safety number')} with them before you continue.`}</p>
    <div class="actions">${occurrence ? link(`/app/todo/${a.id}/${occurrence}`, 'Back to the form', 'button secondary')
      : null}${link('/app/todo', 'Back to To do', 'button secondary')}</div></section>`;
}
