/** Fragments of the client's to-do screens: the list, one activity, answering one day, the confirmation. */

import { isBlocked, keyStatus } from '../../core/key-status.js';
import { RATINGS, ratingWords } from '../../core/assignments.js';
import { pacerAddress } from '../../core/pacer.js';
import { practiceWords } from '../practice/practice-views.js';
import { FORM_ERROR_ID, entryFields, filesEncoding } from '../entry/entry-views.js';
import { calendarWords } from '../../core/dates.js';
import { link, nav, WORDING } from '../components.js';
import { shareSwitches } from '../share-switch.js';
import { html, t, tt } from '../views.js';
import { fieldErrorText, limitCounter } from '../fields.js';
import { DRAFT_FORMS, draftAttributes } from '../drafts.js';

/**
 * @typedef {import('../../data/db.js').Peer} Peer
 */

// A week that starts on a Monday (1 January 2024): Intl names its days in the language in use.
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** A schedule's day (`mon`…`sun`) by its name in the language in use; an unknown one as it is. */
const dayName = (d) => (WEEK.includes(d) ? calendarWords(`2024-01-0${WEEK.indexOf(d) + 1}`, { weekday: 'long' }) : d);

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
  : t('todo.schedule.days', { rest: list.slice(0, -1).join(t('todo.schedule.daysBetween')), last: list[list.length - 1] }));

/**
 * When an assignment falls due, in words. `deviceZone`: the zone this device is in; when the assignment's
 * differs, the words say whose dates they are.
 */
export function scheduleWords(recurrence, deviceZone = null) {
  const r = recurrence;
  const ends = { ends: r.until ? 'yes' : 'no', until: r.until ? dayText(r.until) : '', start: dayText(r.start) };
  let words;
  switch (r.freq) {
    case 'once': words = t('todo.schedule.once', { day: dayText(r.until ?? r.start) }); break;
    case 'daily': words = t('todo.schedule.daily', ends); break;
    case 'weekly': words = t('todo.schedule.weekly', { ...ends, days: joinWords((r.days ?? []).map(dayName)) }); break;
    case 'until_next_session': words = t('todo.schedule.session', { ...ends,
      session: dayText(String(r.next_session).slice(0, 10)) }); break;
    default: words = t('todo.schedule.unknown');
  }
  const zone = deviceZone && r.time_zone && r.time_zone !== deviceZone ? r.time_zone : 'none';
  return t('todo.schedule.sentence', { words, zone });
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
export const ratingWord = ratingWords;

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
  const opt = required ? null : html` <span class="optional">${t('todo.optional')}</span>`;
  const legend = t('todo.feedback.legend', { wording: wordingOf(words) });
  return html`<fieldset class="field"><legend>${legend}${opt}</legend><div class="choices">
    ${RATINGS.map((r, i) => html`<label class="choice"><input type="radio" name="rating" value="${r}"
      id="${prefix}-rating-${i}" ${values.rating === r ? html`checked` : null} ${required ? html`required` : null}>
      <span>${ratingWord(r)}</span></label>`)}
    </div></fieldset>
    <div class="field"><label for="${prefix}-comment">${t('todo.feedback.comment')}
      <span class="optional">${t('todo.optional')}</span></label>
    <textarea id="${prefix}-comment" name="comment" rows="3" data-limit="2000" aria-describedby="${prefix}-comment-count"
      autocomplete="off">${values.comment ?? ''}</textarea>${limitCounter(`${prefix}-comment`)}</div>`;
}

function answerWords(response) {
  if (!response) return null;
  const r = response.doc;
  return html`${t(r.status === 'done' ? 'todo.done.status' : 'todo.notDone.status')}${r.minutes !== undefined
    ? ` · ${t('todo.done.minutes', { minutes: r.minutes })}` : ''}${r.feedback ? ` · ${ratingWord(r.feedback.rating)}` : ''}${
    r.reason ? html`<span class="todo-reason">: ${r.reason}</span>` : null}`;
}

const STATE_KEYS = { due_today: 'todo.state.dueToday', missed: 'todo.state.missed', upcoming: 'todo.state.upcoming' };
/** A day's state (due today, missed, coming up) in words. */
const stateWord = (state) => (state in STATE_KEYS ? t(STATE_KEYS[state]) : '');

function dayItem(item, withdrawn) {
  const { assignment: a, occurrence, response } = item;
  const action = withdrawn ? null : link(`/app/todo/${a.id}/${occurrence}`, html`${t(response ? 'todo.changeAnswer' : 'todo.doIt')
  }<span class="visually-hidden">: ${dayText(occurrence)}</span>`, response ? 'button secondary' : 'button');
  return html`<li class="todo-item"><div class="todo-text"><p class="todo-title">${day(occurrence)}</p>
    <p class="meta">${response ? answerWords(response) : stateWord(item.state)}</p></div>${action}</li>`;
}

/**
 * One activity: instructions, schedule, the days so far with their answers, its reminder (`reminder`: the section of
 * screens/reminders, or null), and the feedback form.
 * `progress`: {minutes, target} of this week, or null. `feedback`: {values, error} of a feedback form sent back.
 * @param {{assignment: Record<string, any>, past: import('./todo.js').TodoItem[],
 *   next?: import('./todo.js').TodoItem|null, kindLabel?: string|null, words?: Words, deviceZone?: string|null,
 *   progress?: {minutes: number, target: number|null}|null, notice?: unknown,
 *   feedback?: {values?: Record<string, string>, error?: string}, reminder?: unknown}} page
 */
export function assignmentPage({ assignment, past, next = null, kindLabel = null, words = WORDING.activities,
  deviceZone = null, progress = null, notice = null, feedback = {}, reminder = null }) {
  const a = assignment;
  const wording = wordingOf(words);
  const withdrawn = Boolean(a.doc.withdrawn);
  const answered = past.some((i) => i.response);
  return html`${nav('todo')}<article aria-labelledby="todo-a-title">
    ${kindLabel ? html`<p class="kind">${kindLabel}</p>` : null}
    <h1 id="todo-a-title">${a.doc.title}</h1>
    <p class="meta">${fromLine(a.from)}</p>
    ${notice}
    ${withdrawn ? html`<p class="notice">${t('todo.withdrawn', { handle: a.from.handle, wording })}</p>` : null}
    ${a.doc.instructions ? html`<div class="todo-instructions">${paragraphs(a.doc.instructions)}</div>` : null}
    <p>${scheduleWords(a.doc.schedule.recurrence, deviceZone)}</p>
    ${progress?.target ? html`<p>${t('todo.aim', { target: progress.target,
      minutes: progress.minutes })}</p>` : null}
    <section class="todo-section" aria-labelledby="todo-days"><h2 id="todo-days">${t('todo.days.heading')}</h2>
      ${past.length ? html`<ul class="todo-list">${past.map((i) => dayItem(i, withdrawn))}</ul>`
        : html`<p class="empty">${t('todo.days.none')}</p>`}
      ${next ? html`<p>${tt('todo.next', { day: day(next.occurrence), early: link(`/app/todo/${a.id}/${next.occurrence}`,
        html`${t('todo.next.early')}<span class="visually-hidden">: ${dayText(next.occurrence)}</span>`) })}</p>` : null}
    </section>
    ${withdrawn ? null : reminder}
    <section class="todo-section" aria-labelledby="todo-feedback"><h2 id="todo-feedback">${t('todo.feedback.heading')}</h2>
      ${answered ? html`<form class="todo-feedback" action="/app/todo/${a.id}/feedback" method="post"
        hx-post="/app/todo/${a.id}/feedback" hx-target="#view" novalidate autocomplete="off" ${draftAttributes({
          form: DRAFT_FORMS.todoFeedback(a.id), path: `/app/todo/${a.id}`, kind: a.doc.kind, title: a.doc.title,
          what: 'feedback' })}>
        ${feedback.error ? html`<p class="error" role="alert">${feedback.error}</p>` : null}
        <p class="hint">${t('todo.feedback.hint', { handle: a.from.handle })}</p>
        ${feedbackFields('fb', feedback.values ?? {}, { required: true, words })}
        <div class="actions"><button type="submit">${t('todo.feedback.send')}</button></div></form>`
      : html`${feedback.error ? html`<p class="error" role="alert">${feedback.error}</p>` : null}
        <p>${t('todo.feedback.first', { handle: a.from.handle, wording })}</p>`}
    </section>
    <div class="actions">${link('/app/todo', t('todo.back'), 'button secondary')}</div>
  </article>`;
}

/** Every question of a kind (from kinds.json, or a worksheet's), with the values given and the error's field marked. */
export const kindFields = (kind, values = {}, error = null) => entryFields(kind, values, error);

// The ids of the two answer forms of a day, which a full device's alert (storage-views.js quotaAlert) submits again.
export const DONE_FORM_ID = 'todo-done-form';
export const NOT_DONE_FORM_ID = 'todo-nd-form';

/**
 * The done and not-done forms of one day. `done`/`notDone`: what a form sent back ({values, feedback, error} and
 * {reason, feedback, error}); `kind` null: a kind this version does not know.
 * `share`: the assigning therapist and whether the switch that shares the entry with them starts on
 * (share-switch.js; none when this device does not know them).
 * @param {{assignment: Record<string, any>, occurrence: string, state?: string|null,
 *   kind: import('../../core/kinds.js').Kind|null, previous?: Record<string, any>|null, words?: Words,
 *   share?: import('../share-switch.js').Choice[],
 *   done?: {values?: Record<string, any>, feedback?: Record<string, string>, error?: any, alert?: unknown},
 *   notDone?: {reason?: string, feedback?: Record<string, string>, error?: string, feedbackError?: boolean,
 *     alert?: unknown}}} page `alert`: a problem that is no field's, in the error's place (a save the full device
 *   refused: storage-views.js quotaAlert)
 */
export function occurrencePage({ assignment, occurrence, state, kind, previous = null,
  words = WORDING.activities, share = [], done = {}, notDone = {} }) {
  const a = assignment;
  const wording = wordingOf(words);
  const who = a.from.handle;
  const base = `/app/todo/${a.id}/${occurrence}`;
  const header = html`<h1 id="todo-o-title">${a.doc.title}</h1>
    <p class="meta">${fromLine(a.from)} · ${day(occurrence)}${state ? ` · ${stateWord(state)}` : ''}</p>
    ${a.doc.instructions ? html`<div class="todo-instructions">${paragraphs(a.doc.instructions)}</div>` : null}`;
  if (a.doc.withdrawn || !kind) {
    return html`${nav('todo')}<section aria-labelledby="todo-o-title">${header}
      <p class="notice">${a.doc.withdrawn ? t('todo.withdrawn.nothing', { handle: who, wording })
        : t('todo.newerKind', { wording })}</p>
      <div class="actions">${link('/app/todo', t('todo.back'), 'button secondary')}</div></section>`;
  }
  return html`${nav('todo')}<section aria-labelledby="todo-o-title">${header}
    ${a.doc.practice ? html`<p>${t('assignPractice.todo', { practice: practiceWords(a.doc.practice) })}</p>` : null}
    ${a.doc.kind === 'relaxation' ? html`<p class="actions">${link(pacerAddress(a.doc.practice, base),
      t('pacer.open'), 'button secondary')} ${link(`/app/practice/timer?then=${encodeURIComponent(base)}`,
      t('timer.open'), 'button secondary')}</p>` : null}
    ${previous ? html`<p class="notice">${tt('todo.previous', { answer: answerWords(previous),
      entry: previous.doc?.status === 'done' && previous.doc.entry_id ? 'yes' : 'no' })}</p>` : null}
    <form class="entry-form" id="${DONE_FORM_ID}" action="${base}" method="post" hx-post="${base}" hx-target="#view" novalidate
      autocomplete="off" ${filesEncoding(kind)} ${draftAttributes({ form: DRAFT_FORMS.todoDone(a.id, occurrence), path: base, kind: a.doc.kind,
        title: a.doc.title, what: 'answer' })}>
      ${done.error ? html`<p class="error" role="alert" id="${FORM_ERROR_ID}">${
        fieldErrorText(done.error, kind.fields)}</p>` : done.alert ?? null}
      ${kindFields(kind, done.values ?? {}, done.error ?? null)}
      ${feedbackFields('d', done.feedback ?? {}, { words })}
      ${share.length ? shareSwitches(share, { what: 'answer', prefix: 'd-share' })
        : html`<p class="todo-notice">${t('answer.done.seen', { handle: who })}</p>`}
      <div class="actions"><button type="submit">${t('todo.done.save')}</button>
      ${link(`/app/todo/${a.id}`, t('todo.cancel'), 'button secondary')}</div>
    </form>
    <section class="todo-not-done" aria-labelledby="todo-nd-title"><h2 id="todo-nd-title">${t('todo.notDone.heading')}</h2>
    <form id="${NOT_DONE_FORM_ID}" action="${base}/not-done" method="post" hx-post="${base}/not-done" hx-target="#view" novalidate
      autocomplete="off" ${draftAttributes({ form: DRAFT_FORMS.todoNotDone(a.id, occurrence), path: base,
        kind: a.doc.kind, title: a.doc.title, what: 'reason' })}>
      ${notDone.error ? html`<p class="error" role="alert">${notDone.error}</p>` : notDone.alert ?? null}
      <div class="field"><label for="nd-reason">${t('todo.notDone.label')}</label>
      <textarea id="nd-reason" name="reason" rows="3" data-limit="2000" aria-describedby="nd-reason-count" required
        aria-required="true" autocomplete="off" ${notDone.error && !notDone.feedbackError ? html`aria-invalid="true"`
        : null}>${notDone.reason ?? ''}</textarea>${limitCounter('nd-reason')}</div>
      ${feedbackFields('nd', notDone.feedback ?? {}, { words })}
      <p class="todo-notice">${t('todo.notDone.seen', { handle: who })}</p>
      <div class="actions"><button type="submit" class="secondary">${t('todo.notDone.submit')}</button></div>
    </form></section></section>`;
}

/**
 * After an answer: what was saved, who sees what, and where to go next. `shared`: the entry written for it is
 * shared with the therapist; `shareFailed`: it was to be, but could not be.
 */
export function answeredPage({ assignment, status, entryId = null, feedback = null, words = WORDING.activities,
  shared = false, shareFailed = false }) {
  const a = assignment;
  const wording = wordingOf(words);
  const who = a.from.handle;
  const done = status === 'done';
  const what = `${done ? 'done' : 'notDone'}${feedback ? 'Feedback' : ''}`;
  return html`${nav('todo')}<section aria-labelledby="todo-done-title">
    <h1 id="todo-done-title">${t('todo.answered.heading', { done: done ? 'yes' : 'no', title: a.doc.title })}</h1>
    <p class="notice" role="status">${t('todo.answered.saved', { handle: who, what })}</p>
    ${shareFailed ? html`<p class="error" role="alert">${t('answer.share.failed', { handle: who })}</p>` : null}
    ${entryId ? html`<p>${tt(shared ? 'answer.done.shared' : 'answer.done.private', { handle: who,
      link: link(`/app/entries/${entryId}`, t('answer.done.open')) })}</p>` : null}
    <div class="actions">${link('/app/todo', t('todo.back'), 'button')}
      ${link(`/app/todo/${a.id}`, t('todo.answered.see', { wording }), 'button secondary')}</div>
  </section>`;
}

/** An address that leads nowhere on this device. */
export function todoNotFoundPage(words = WORDING.activities) {
  return html`${nav('todo')}<section aria-labelledby="todo-nf-title"><h1 id="todo-nf-title">${
    t('todo.notFound.heading')}</h1>
    <p>${t('todo.notFound.text', { wording: wordingOf(words) })}</p>
    ${link('/app/todo', t('todo.back'), 'button')}</section>`;
}

/**
 * Why this activity cannot be answered now (`posted`: and that nothing was saved), with the way to fix it.
 * `entryId`: an entry that was saved before the answer could not be.
 */
export function blockedPage({ assignment, occurrence = null, words = WORDING.activities, why = 'changed',
  posted = false, entryId = null }) {
  const a = assignment;
  const peer = { userId: a.ownerId, handle: a.from.handle };
  const compare = link(`/app/link/${peer.userId}`, t('todo.blocked.compare'));
  return html`${nav('todo')}<section aria-labelledby="todo-b-title"><h1 id="todo-b-title">${a.doc.title}</h1>
    <p class="error" role="alert">${entryId ? html`${tt('todo.blocked.entrySaved', { link: link(`/app/entries/${entryId}`,
      t('todo.blocked.open')) })} ` : posted ? `${t('todo.blocked.nothingSaved')} ` : null}${why === 'ended'
      ? t('todo.blocked.ended', { handle: peer.handle, wording: wordingOf(words) })
      : tt(keyStatus({ state: why }).state === 'mismatch' ? 'todo.blocked.mismatch' : 'todo.blocked.changed',
        { handle: peer.handle, compare })}</p>
    <div class="actions">${occurrence ? link(`/app/todo/${a.id}/${occurrence}`, t('todo.blocked.backForm'), 'button secondary')
      : null}${link('/app/todo', t('todo.back'), 'button secondary')}</div></section>`;
}
