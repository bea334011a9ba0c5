/**
 * The therapist's assignment screens as fragments: the template library for a client, the assignment form (from a
 * template, or a worksheet built from questions), the review of one assignment, and the explanation shown when
 * nothing new may be sent to a client. Pure functions of plain data; everything through html``.
 */

import { keyStatus } from '../../core/key-status.js';
import { completionChart, minutesChart, moodChart } from './charts.js';
import { WORKSHEET_TYPES } from '../../core/assignments.js';
import { CUSTOM_LIMITS, DURATIONS, TECHNIQUE_IDS } from '../../core/pacer.js';
import { practiceWords } from '../practice/practice-views.js';
import { dayWords, scheduleWords, stateWords } from './review.js';
import { WEEKDAYS } from '../../core/recurrence.js';
import { badge, link, nav } from '../components.js';
import { weekdayWords } from '../../core/dates.js';
import { limitCounter, typeWords } from '../fields.js';
import { draftAttributes } from '../drafts.js';
import { html, t, tt } from '../views.js';

/**
 * @typedef {import('../../core/records.js').Doc} Doc
 * @typedef {import('../../data/db.js').Peer} Peer
 */

const tnav = () => nav('clients', 'therapist');

const FREQ_WORDS = [['once', 'assign.freq.once'], ['daily', 'assign.freq.daily'], ['weekly', 'assign.freq.weekly'],
  ['until_next_session', 'assign.freq.untilNextSession']];

/** Why nothing new may be sent to this client, or null when it may (the same test as share.js canGrant). */
export function blockReason(peer) {
  if (!peer?.linked) return 'ended';
  const { state } = keyStatus(peer);
  return state === 'changed' || state === 'mismatch' ? state : null;
}

/** A client's key status in words, shown wherever the client appears: the same badge as the Clients screen's. */
export const peerBadge = (peer) => (peer?.userId ? badge(peer)
  : html`<span class="badge badge-unverified">${t('assign.notLinked')}</span>`);

/** The plain explanation of a block, with the way out; `always`: also when the peer looks fine here (a race). */
export function blockedNotice(peer, always = false) {
  const who = peer?.handle ?? t('assign.thisClient');
  const reason = blockReason(peer) ?? (always ? 'race' : null);
  if (!reason) return null;
  const words = t(`assign.blocked.${reason}`, { who });
  return html`<div class="blocked"><p class="error" role="alert">${words}</p>
    ${peer?.userId ? html`<p>${link(`/app/link/${peer.userId}`, t('assign.compare'), 'button')}</p>` : null}
    </div>`;
}

/** Nothing new for this client: the explanation page (also the answer to a blocked save, with 422). */
export function blockedPage(peer) {
  return html`${tnav()}<section aria-labelledby="assign-title"><h1 id="assign-title">${t('assign.heading')}</h1>
    ${blockedNotice(peer, true)}
    <p>${link(`/app/clients/${peer?.userId}`, t('assign.back', { handle: peer?.handle ?? t('assign.theClient') }))}</p></section>`;
}

/**
 * The library for one client: each template links to its form; "Build a worksheet"; what this client has already.
 * @param {{peer: Peer, templates: import('../../core/assignments.js').Template[]|null, kinds: Map<string, any>,
 *   assignments?: {id: string, doc: Doc}[]}} data templates null when the library could not be loaded
 */
export function libraryPage({ peer, templates, kinds, assignments = [] }) {
  const base = `/app/clients/${peer.userId}/assign`;
  return html`${tnav()}<section aria-labelledby="assign-title"><h1 id="assign-title">${t('assign.heading')}</h1>
    <p class="lead">${tt('assign.library.lead', { handle: html`<strong>${peer.handle}</strong>`,
    badge: peerBadge(peer) })}</p>
    <p>${link(`${base}/new?worksheet=1`, t('assign.library.build'), 'button')}</p>
    <h2 id="library-title">${t('assign.library.heading')}</h2>
    ${templates ? html`<ul class="kind-cards template-list" aria-labelledby="library-title">${templates.map((one) =>
      html`<li>${link(`${base}/new?template=${encodeURIComponent(one.id)}`, one.title, 'card-title')}
      <p>${one.summary}</p>
      <p class="kind">${one.kind === 'worksheet' ? t('assign.library.worksheet') : kinds.get(one.kind)?.label
        ?? one.kind}</p></li>`)}</ul>`
      : html`<p class="error" role="alert">${t('assign.library.failed')}</p>`}
    ${assignments.length ? html`<h2 id="given-title">${t('assign.library.given', { handle: peer.handle })}</h2>
      <ul class="entries" aria-labelledby="given-title">${assignments.map((a) => html`<li>
        <a href="/app/assignments/${a.id}" hx-get="/app/assignments/${a.id}" hx-target="#view" hx-push-url="true">
        <span class="summary">${a.doc.title}</span>
        <span class="shared-with">${a.doc.withdrawn ? t('assign.withdrawn')
          : scheduleWords(a.doc.schedule)}</span></a></li>`)}
      </ul>`
      : null}
    <p>${link(`/app/clients/${peer.userId}`, t('assign.back', { handle: peer.handle }))}</p></section>`;
}

/** A document field's name in the form's words: `assign.field.<name>`. */
const FIELD_NAMES = Object.freeze({ title: 'title', instructions: 'instructions', due: 'due', start: 'start',
  until: 'until', days: 'days', next_session: 'nextSession', time_zone: 'timeZone', freq: 'freq',
  target_minutes_per_week: 'target', 'worksheet.fields': 'questions', worksheet: 'questions', template: 'template',
  kind: 'kind' });

/** A FieldError's path as the words of the form ("Question 2: choices"); `slots` maps question index -> row. */
export function fieldWords(path, slots = []) {
  const practice = /^practice(?:\.(technique|minutes|timings))?(?:\.(in|hold|out|rest))?$/.exec(path ?? '');
  if (practice) return t(`assignPractice.field.${practice[2] ?? practice[1] ?? 'practice'}`);
  const q = /^worksheet\.fields\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?/.exec(path ?? '');
  if (q) {
    return t('assign.field.question', { number: (slots[Number(q[1])] ?? Number(q[1])) + 1, part: q[3] ?? q[2] ?? '' });
  }
  const name = String(path ?? '').replace(/^schedule\.(recurrence\.)?/, '');
  return t(`assign.field.${Object.hasOwn(FIELD_NAMES, name) ? FIELD_NAMES[name] : 'form'}`);
}

/** An error for people: the field in words, then what is wrong (the validators never echo the value). */
export function errorWords(err, slots = []) {
  // The problems a form can lead to have their words in the catalogue (the builder's own, the worksheet's); the
  // others (a document no form makes: a bug, or a newer version's) are said as that, by the field's words. The
  // validator's English stays in the error for developers.
  const known = /** @type {{problem?: {code: string, params?: Record<string, unknown>}}} */ (err).problem;
  // A code with a dot is a whole catalogue key (the practice's own: `assignPractice.problem.*`).
  const problem = known ? t(known.code.includes('.') ? known.code : `assign.problem.${known.code}`, known.params ?? {})
    : t('assign.problem.unreadable');
  return t('assign.error', { field: fieldWords(err.fieldId, slots), problem });
}

/** A label and its "(optional)"-like note. */
const optional = (key, note = 'assign.optional') => html`${t(key)} <span class="optional">${t(note)}</span>`;

const invalidIf = (on) => (on ? html`aria-invalid="true"` : null);

function questionRow(q, i, bad) {
  const p = `q.${i}`;
  return html`<fieldset class="question${bad ? ' invalid' : ''}"><legend>${t('assign.question.legend', { number: i + 1 })}</legend>
    ${q.id ? html`<input type="hidden" name="${p}.id" value="${q.id}">` : null}
    <div class="field"><label for="${p}-label">${t('assign.question.label')}</label>
      <input type="text" id="${p}-label" name="${p}.label" data-limit="200" aria-describedby="${p}-label-count"
        autocomplete="off" value="${q.label ?? ''}" ${invalidIf(bad)}>${limitCounter(`${p}-label`)}</div>
    <div class="field"><label for="${p}-type">${t('assign.question.type')}</label>
      <select id="${p}-type" name="${p}.type">${WORKSHEET_TYPES.map((type) => html`<option value="${type}"${
        (q.type ?? 'short_text') === type ? html` selected` : null}>${typeWords(type)}</option>`)}</select></div>
    <label class="choice"><input type="checkbox" name="${p}.required" value="yes"${q.required ? html` checked` : null}>
      <span>${t('assign.question.required')}</span></label>
    <div class="field"><label for="${p}-options">${t('assign.question.options')} <span class="optional">${
      t('assign.question.optionsHint')}</span></label><textarea id="${p}-options" name="${p}.options" rows="3" autocomplete="off">${
        (q.options ?? []).join('\n')}</textarea></div></fieldset>`;
}

/**
 * A relaxation's guided practice: a technique of the pacer (or none), the own timings for `custom`, and minutes.
 * The client's To do opens the pacer with them (docs/ASSIGNMENTS.md, "A practice's timings").
 */
function practiceFields(v, bad) {
  const timing = (step) => {
    const [min, max] = CUSTOM_LIMITS[step];
    return html`<div class="field"><label for="a-p_${step}">${t(`assignPractice.field.${step}`)}</label>
      <input type="number" inputmode="numeric" id="a-p_${step}" name="p_${step}" min="${min}" max="${max}" step="1"
        value="${v[`p_${step}`] ?? ''}" aria-describedby="a-practice-timings-hint" ${
        invalidIf(bad(`practice.timings.${step}`))}></div>`;
  };
  return html`<h2 id="practice-title">${optional('assignPractice.heading')}</h2>
    <p class="hint" id="a-practice-hint">${t('assignPractice.hint')}</p>
    <div class="field"><label for="a-technique">${t('assignPractice.field.technique')}</label>
      <select id="a-technique" name="technique" aria-describedby="a-practice-hint" ${
        invalidIf(bad('practice.technique'))}><option value="">${t('assignPractice.none')}</option>${
        TECHNIQUE_IDS.map((id) => html`<option value="${id}"${v.technique === id ? html` selected` : null}>${
          t(id === 'custom' ? 'assignPractice.custom' : `pacer.technique.${id}`)}</option>`)}</select></div>
    <fieldset class="field${bad('practice.timings') ? ' invalid' : ''}">
      <legend>${optional('assignPractice.timings', 'assignPractice.forCustom')}</legend>
      <p class="hint" id="a-practice-timings-hint">${t('assignPractice.timingsHint')}</p>
      ${['in', 'hold', 'out', 'rest'].map(timing)}</fieldset>
    <div class="field"><label for="a-p_minutes">${optional('assignPractice.field.minutes')}</label>
      <select id="a-p_minutes" name="p_minutes" ${invalidIf(bad('practice.minutes'))}><option value="">${
        t('assignPractice.anyLength')}</option>${DURATIONS.map((m) => html`<option value="${m}"${
        v.p_minutes === String(m) ? html` selected` : null}>${t('pacer.minutes.option', { count: m })}</option>`)}
      </select></div>`;
}

/**
 * The form to assign (or edit) an activity.
 * @param {{peer: Peer, action: string, heading: string, kindLabel: string, worksheet: boolean, minutes: boolean,
 *   practice?: boolean,
 *   values: Record<string, any>, error?: import('../../core/kinds.js').FieldError|null, slots?: number[],
 *   editing?: boolean, cancel: string, draft?: {form: string, path: string, kind: string}}} data
 *   draft: the draft the form keeps (screens/drafts.js)
 *   values: {title, instructions, freq, due, days[], start, until, next_date, next_time, target, time_zone,
 *   template, questions[{id?, label, type, required, options[]}], technique, p_minutes, p_in, p_hold, p_out, p_rest};
 *   minutes: whether the kind records minutes; practice: whether it may carry a guided practice (relaxation)
 */
export function assignForm({ peer, action, heading, kindLabel, worksheet, minutes, practice = false, values: v,
  error = null, slots = [], editing = false, cancel, draft = null }) {
  const path = error?.fieldId ?? '';
  const bad = (name) => path.replace(/^schedule\.(recurrence\.)?/, '') === name;
  const badQuestion = (i) => path.startsWith('worksheet') && (slots[Number(/\[(\d+)\]/.exec(path)?.[1])] === i
    || (!/\[/.test(path) && i === 0));
  // The document field an input feeds, as a FieldError names it.
  const feeds = { next_date: 'next_session', next_time: 'next_session', target: 'target_minutes_per_week' };
  const text = (name, label, type = 'date', extra = null) => html`<div class="field">
    <label for="a-${name}">${label}</label>
    <input type="${type}" id="a-${name}" name="${name}" value="${v[name] ?? ''}" ${invalidIf(bad(feeds[name] ?? name))}
      ${extra}></div>`;
  const questions = v.questions ?? [];
  return html`${tnav()}<section aria-labelledby="assign-form-title">
    <h1 id="assign-form-title">${heading}</h1>
    <p class="lead">${tt('assign.form.lead', { kind: kindLabel, handle: html`<strong>${peer.handle}</strong>`,
      badge: peerBadge(peer) })}</p>
    ${error ? html`<p class="error" role="alert">${errorWords(error, slots)}</p>` : null}
    <form class="assign-form" action="${action}" method="post" hx-post="${action}" hx-target="#view" novalidate
      autocomplete="off" ${draft ? draftAttributes({ ...draft, title: heading, what: 'assign' }) : null}>
      <input type="hidden" name="time_zone" value="${v.time_zone}">
      ${v.template ? html`<input type="hidden" name="template" value="${v.template}">` : null}
      ${worksheet ? html`<input type="hidden" name="worksheet" value="1">` : null}
      <div class="field"><label for="a-title">${t('assign.form.title')}</label><input type="text" id="a-title" name="title" data-limit="200"
        aria-describedby="a-title-count" required aria-required="true" value="${v.title ?? ''}" ${
        invalidIf(bad('title'))}>${limitCounter('a-title')}</div>
      <div class="field"><label for="a-instructions">${t('assign.form.instructions')} <span class="optional">${
        t('assign.optional')}</span></label>
        <textarea id="a-instructions" name="instructions" rows="6" data-limit="5000" aria-describedby="a-instructions-count"
          ${invalidIf(bad('instructions'))}>${v.instructions ?? ''}</textarea>${limitCounter('a-instructions')}</div>
      ${worksheet ? html`<h2 id="questions-title">${t('assign.form.questions')}</h2>
        <p class="hint">${t('assign.form.questionsHint')}</p>
        ${questions.map((q, i) => questionRow(q, i, badQuestion(i)))}
        <input type="hidden" name="slots" value="${questions.length}">` : null}
      <h2 id="schedule-title">${t('assign.form.schedule')}</h2>
      <p class="hint">${t('assign.form.zone', { zone: v.time_zone })}</p>
      <fieldset class="field${bad('freq') ? ' invalid' : ''}"><legend>${t('assign.form.freq')}</legend><div class="choices">
        ${FREQ_WORDS.map(([f, words]) => html`<label class="choice"><input type="radio" name="freq" value="${f}"${
          v.freq === f ? html` checked` : null}><span>${t(words)}</span></label>`)}</div></fieldset>
      ${text('start', t('assign.form.start'))}
      <div data-for="once">${text('due', optional('assign.form.due', 'assign.form.forOnce'))}</div>
      <fieldset class="field${bad('days') ? ' invalid' : ''}" data-for="weekly">
        <legend>${optional('assign.form.days', 'assign.form.forWeekly')}</legend>
        <div class="choices">${WEEKDAYS.map((d) => html`<label class="choice"><input type="checkbox" name="days"
          value="${d}"${(v.days ?? []).includes(d) ? html` checked` : null}><span>${weekdayWords(d)}</span></label>`)}
        </div></fieldset>
      <div data-for="until_next_session">
        ${text('next_date', optional('assign.form.nextDate', 'assign.form.forSession'))}
        ${text('next_time', optional('assign.form.nextTime', 'assign.form.forSession'), 'time')}
      </div>
      <div data-for="daily weekly until_next_session">${text('until', optional('assign.form.until'))}</div>
      ${minutes ? text('target', optional('assign.form.target'), 'number',
        html`inputmode="numeric" min="1" max="10080"`) : null}
      ${practice ? practiceFields(v, (name) => path === name || (name === 'practice.timings' && path.startsWith(name)))
        : null}
      <div class="actions"><button type="submit">${editing ? t('assign.form.save')
        : t('assign.form.assign', { handle: peer.handle })}</button>
        ${worksheet && questions.length < 40 ? html`<button type="submit" name="more" value="1"
          class="secondary">${t('assign.form.more')}</button>` : null}
        ${link(cancel, t('assign.cancel'), 'button secondary')}</div>
    </form></section>`;
}

/** A day's details: the reason, or the practice minutes and (when its entry is shared) the answer in a line. */
function rowDetails(row, answers) {
  const r = row.response;
  if (!r) return '';
  if (r.status === 'not_done') return r.reason ? t('assign.row.reason', { reason: r.reason }) : t('assign.row.noReason');
  const answer = answers.get(row.date) ?? null;
  return [Number.isInteger(r.minutes) ? t('assign.row.minutes', { minutes: r.minutes }) : null, answer]
    .filter(Boolean).join(' · ');
}

/**
 * The review of one assignment.
 * @param {{id: string, doc: Doc, pending?: boolean, peer: Peer|null, review: object, feedback: object[],
 *   linked: {occurrence: string, summary: string|null}[], weeks: object[]|null, mood: object[], notice?: string}} data
 */
/** Withdrawing cannot be undone (docs/ASSIGNMENTS.md): it is asked once more, away from the Edit button. */
export function withdrawPage({ id, doc, peer }) {
  return html`${tnav()}<section aria-labelledby="withdraw-title">
    <h1 id="withdraw-title">${t('assign.withdraw.heading', { title: doc.title })}</h1>
    <p>${t('assign.withdraw.body', { client: peer?.handle ?? 'none' })}</p>
    <form action="/app/assignments/${id}/withdraw" method="post" hx-post="/app/assignments/${id}/withdraw"
      hx-target="#view"><div class="actions"><button type="submit" class="danger">${t('assign.withdraw.confirm')}</button>
      ${link(`/app/assignments/${id}`, t('assign.withdraw.keep'), 'button secondary')}</div></form></section>`;
}

export function reviewPage({ id, doc, pending = false, peer, review, feedback, linked, weeks, mood, notice = null }) {
  const tz = doc.schedule.recurrence.time_zone;
  // A day whose entry the client shared shows it in a line (a mood's score) next to "Done".
  const answers = new Map(linked.filter((l) => l.summary !== null).map((l) => [l.occurrence, l.summary]));
  return html`${tnav()}<article aria-labelledby="review-title" class="review">
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <h1 id="review-title">${doc.title}</h1>
    <p class="meta">${peer ? tt('assign.review.for', { client: link(`/app/clients/${peer.userId}`, peer.handle),
    badge: peerBadge(peer) }) : t('assign.review.nobody')} · <span class="status">${t(doc.withdrawn ? 'assign.withdrawn'
    : 'assign.review.active')}${pending ? ` ${t('assign.review.waiting')}` : ''}</span></p>
    <h2 id="instructions-title">${t('assign.review.instructions')}</h2>
    ${doc.instructions ? html`<div class="text">${doc.instructions.split('\n')
      .map((l, i) => html`${i ? html`<br>` : null}${l}`)}</div>` : html`<p class="empty">${t('assign.review.noInstructions')}</p>`}
    <h2 id="schedule-title">${t('assign.review.schedule')}</h2>
    <p>${t('assign.review.scheduleLine', { schedule: scheduleWords(doc.schedule), zone: tz,
    today: dayWords(review.today) })}</p>
    ${doc.practice ? html`<p>${t('assignPractice.review', { practice: practiceWords(doc.practice) })}</p>` : null}
    ${doc.withdrawn ? html`<p>${t('assign.review.withdrawn', { client: peer?.handle ?? 'none' })}</p>`
      : html`<div class="actions">${link(`/app/assignments/${id}/edit`, t('assign.review.edit'), 'button')}
      ${link(`/app/assignments/${id}/withdraw`, t('assign.review.withdraw'), 'button danger secondary')}</div>
      <p class="hint">${t('assign.review.withdrawHint')}</p>`}
    <h2 id="charts-title">${t('assign.review.progress')}</h2>
    ${completionChart(review.completion)}
    ${weeks ? minutesChart(weeks) : null}
    ${moodChart(mood, { timeZone: tz })}
    <h2 id="feedback-title">${t('assign.review.feedback')}</h2>
    ${feedback.length ? html`<ul class="feedback">${feedback.map((f) => html`<li><strong>${f.words}</strong>${
      f.comment ? html`: ${f.comment}` : null} <span class="meta">${t('assign.review.about', {
        date: dayWords(f.occurrence) })}</span></li>`)}</ul>`
      : html`<p class="empty">${t('assign.review.noFeedback')}</p>`}
    <h2 id="linked-title">${t('assign.review.linked')}</h2>
    ${linked.length ? html`<ul class="linked">${linked.map((l) => html`<li>
      <span class="meta">${dayWords(l.occurrence)}:</span>
      ${l.summary === null ? html`<em>${t('assign.review.notShared')}</em>` : l.summary}</li>`)}</ul>`
      : html`<p class="empty">${t('assign.review.noLinked')}</p>`}
    <h2 id="occurrences-title">${t('assign.review.days')}</h2>
    ${review.rows.length ? html`<table class="occurrences"><caption class="visually-hidden">${
      t('assign.review.daysCaption')}</caption>
      <thead><tr><th scope="col">${t('assign.review.date')}</th><th scope="col">${t('assign.review.state')}</th><th
        scope="col">${t('assign.review.details')}</th></tr></thead>
      <tbody>${review.rows.map((r) => html`<tr class="state-${r.state}"><th scope="row"><time datetime="${r.date}">${
        dayWords(r.date)}</time></th><td>${stateWords(r.state)}</td><td>${rowDetails(r, answers)}</td></tr>`)}
      </tbody></table>`
      : html`<p class="empty">${t('assign.review.nothingDue')}</p>`}
  </article>`;
}

/** An assignment or client that is not on this device. */
export function assignNotFoundPage() {
  return html`${tnav()}<section aria-labelledby="nf-title"><h1 id="nf-title">${t('assign.notFound.heading')}</h1>
    <p>${t('assign.notFound.body')}</p>
    ${link('/app/clients', t('assign.notFound.back'), 'button')}
    </section>`;
}
