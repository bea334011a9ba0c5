/**
 * The therapist's assignment screens as fragments: the template library for a client, the assignment form (from a
 * template, or a worksheet built from questions), the review of one assignment, and the explanation shown when
 * nothing new may be sent to a client. Pure functions of plain data; everything through html``.
 */

import { keyStatus } from '../../core/key-status.js';
import { completionChart, minutesChart, moodChart } from './charts.js';
import { WORKSHEET_TYPES } from '../../core/assignments.js';
import { dayWords, scheduleWords, STATE_WORDS } from './review.js';
import { WEEKDAYS } from '../../core/recurrence.js';
import { badge, link, nav } from '../components.js';
import { limitCounter, TYPE_WORDS } from '../fields.js';
import { draftAttributes } from '../drafts.js';
import { html } from '../views.js';

/**
 * @typedef {import('../../core/records.js').Doc} Doc
 * @typedef {import('../../data/db.js').Peer} Peer
 */

const tnav = () => nav('clients', 'therapist');

const DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday',
  sun: 'Sunday' };
const FREQ_WORDS = [['once', 'Once, by a due date'], ['daily', 'Every day'], ['weekly', 'Weekly, on chosen days'],
  ['until_next_session', 'Every day until the next session']];

/** Why nothing new may be sent to this client, or null when it may (the same test as share.js canGrant). */
export function blockReason(peer) {
  if (!peer?.linked) return 'ended';
  const { state } = keyStatus(peer);
  return state === 'changed' || state === 'mismatch' ? state : null;
}

/** A client's key status in words, shown wherever the client appears: the same badge as the Clients screen's. */
export const peerBadge = (peer) => (peer?.userId ? badge(peer)
  : html`<span class="badge badge-unverified">Not linked</span>`);

/** The plain explanation of a block, with the way out; `always`: also when the peer looks fine here (a race). */
export function blockedNotice(peer, always = false) {
  const who = peer?.handle ?? 'this client';
  const reason = blockReason(peer);
  const words = {
    ended: html`The link with ${who} has ended, so nothing new can be sent to them.`,
    changed: html`${who}'s security key changed since it was verified. New activities are paused until you
      compare the safety number with ${who} again, in person or by video.`,
    mismatch: html`${who}'s security key does not match the invitation they accepted. New activities are paused until
      you compare the safety number with ${who}, in person or by video.`,
  }[reason] ?? (always ? html`This could not be sent to ${who}: sending needs an unchanged security key and an open
    link. Compare the safety number with ${who}, then try again.` : null);
  if (!words) return null;
  return html`<div class="blocked"><p class="error" role="alert">${words}</p>
    ${peer?.userId ? html`<p>${link(`/app/link/${peer.userId}`, 'Compare safety numbers', 'button')}</p>` : null}
    </div>`;
}

/** Nothing new for this client: the explanation page (also the answer to a blocked save, with 422). */
export function blockedPage(peer) {
  return html`${tnav()}<section aria-labelledby="assign-title"><h1 id="assign-title">Assign an activity</h1>
    ${blockedNotice(peer, true)}
    <p>${link(`/app/clients/${peer?.userId}`, `Back to ${peer?.handle ?? 'the client'}`)}</p></section>`;
}

/**
 * The library for one client: each template links to its form; "Build a worksheet"; what this client has already.
 * @param {{peer: Peer, templates: import('../../core/assignments.js').Template[]|null, kinds: Map<string, any>,
 *   assignments?: {id: string, doc: Doc}[]}} data templates null when the library could not be loaded
 */
export function libraryPage({ peer, templates, kinds, assignments = [] }) {
  const base = `/app/clients/${peer.userId}/assign`;
  return html`${tnav()}<section aria-labelledby="assign-title"><h1 id="assign-title">Assign an activity</h1>
    <p class="lead">For <strong>${peer.handle}</strong> ${peerBadge(peer)}. Pick a starting point; you can change
      the title, the wording and the schedule next.</p>
    <p>${link(`${base}/new?worksheet=1`, 'Build a worksheet', 'button')}</p>
    <h2 id="library-title">From the library</h2>
    ${templates ? html`<ul class="kind-cards template-list" aria-labelledby="library-title">${templates.map((t) =>
      html`<li>${link(`${base}/new?template=${encodeURIComponent(t.id)}`, t.title, 'card-title')}
      <p>${t.summary}</p>
      <p class="kind">${t.kind === 'worksheet' ? 'Worksheet' : kinds.get(t.kind)?.label ?? t.kind}</p></li>`)}</ul>`
      : html`<p class="error" role="alert">The library could not be loaded on this device. Connect once to load it;
        building a worksheet works meanwhile.</p>`}
    ${assignments.length ? html`<h2 id="given-title">Given to ${peer.handle}</h2>
      <ul class="entries" aria-labelledby="given-title">${assignments.map((a) => html`<li>
        <a href="/app/assignments/${a.id}" hx-get="/app/assignments/${a.id}" hx-target="#view" hx-push-url="true">
        <span class="summary">${a.doc.title}</span>
        <span class="shared-with">${a.doc.withdrawn ? 'Withdrawn' : scheduleWords(a.doc.schedule)}</span></a></li>`)}
      </ul>`
      : null}
    <p>${link(`/app/clients/${peer.userId}`, `Back to ${peer.handle}`)}</p></section>`;
}

/** A FieldError's path as the words of the form ("Question 2: choices"); `slots` maps question index -> row. */
export function fieldWords(path, slots = []) {
  const q = /^worksheet\.fields\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?/.exec(path ?? '');
  if (q) {
    const part = { label: 'the question', type: 'the answer type', options: 'the choices', id: 'the question' }[
      q[3] ?? q[2]] ?? 'the question';
    return `Question ${(slots[Number(q[1])] ?? Number(q[1])) + 1}: ${part}`;
  }
  const name = String(path ?? '').replace(/^schedule\.(recurrence\.)?/, '');
  return { title: 'Title', instructions: 'Instructions', due: 'Due date', start: 'Start date', until: 'End date',
    days: 'Days', next_session: 'Next session', time_zone: 'Time zone', freq: 'How often',
    target_minutes_per_week: 'Target minutes per week', 'worksheet.fields': 'Questions', worksheet: 'Questions',
    template: 'Template', kind: 'Activity' }[name] ?? 'The form';
}

/** An error for people: the field in words, then what is wrong (the validators never echo the value). */
export function errorWords(err, slots = []) {
  const problem = /'[^']*' (.*?)\.?$/.exec(err.message)?.[1] ?? err.message.replace(/\.$/, '');
  return `${fieldWords(err.fieldId, slots)}: ${problem}.`;
}

const invalidIf = (on) => (on ? html`aria-invalid="true"` : null);

function questionRow(q, i, bad) {
  const p = `q.${i}`;
  return html`<fieldset class="question${bad ? ' invalid' : ''}"><legend>Question ${i + 1}</legend>
    ${q.id ? html`<input type="hidden" name="${p}.id" value="${q.id}">` : null}
    <div class="field"><label for="${p}-label">Question</label>
      <input type="text" id="${p}-label" name="${p}.label" data-limit="200" aria-describedby="${p}-label-count"
        autocomplete="off" value="${q.label ?? ''}" ${invalidIf(bad)}>${limitCounter(`${p}-label`)}</div>
    <div class="field"><label for="${p}-type">Answer type</label>
      <select id="${p}-type" name="${p}.type">${WORKSHEET_TYPES.map((t) => html`<option value="${t}"${
        (q.type ?? 'short_text') === t ? html` selected` : null}>${TYPE_WORDS[t]}</option>`)}</select></div>
    <label class="choice"><input type="checkbox" name="${p}.required" value="yes"${q.required ? html` checked` : null}>
      <span>An answer is needed</span></label>
    <div class="field"><label for="${p}-options">Choices <span class="optional">(for one or several choices: one per
      line)</span></label><textarea id="${p}-options" name="${p}.options" rows="3" autocomplete="off">${
        (q.options ?? []).join('\n')}</textarea></div></fieldset>`;
}

/**
 * The form to assign (or edit) an activity.
 * @param {{peer: Peer, action: string, heading: string, kindLabel: string, worksheet: boolean, minutes: boolean,
 *   values: Record<string, any>, error?: import('../../core/kinds.js').FieldError|null, slots?: number[],
 *   editing?: boolean, cancel: string, draft?: {form: string, path: string, kind: string}}} data
 *   draft: the draft the form keeps (screens/drafts.js)
 *   values: {title, instructions, freq, due, days[], start, until, next_date, next_time, target, time_zone,
 *   template, questions[{id?, label, type, required, options[]}]}; minutes: whether the kind records minutes
 */
export function assignForm({ peer, action, heading, kindLabel, worksheet, minutes, values: v, error = null,
  slots = [], editing = false, cancel, draft = null }) {
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
    <p class="lead">${kindLabel} for <strong>${peer.handle}</strong> ${peerBadge(peer)}</p>
    ${error ? html`<p class="error" role="alert">${errorWords(error, slots)}</p>` : null}
    <form class="assign-form" action="${action}" method="post" hx-post="${action}" hx-target="#view" novalidate
      autocomplete="off" ${draft ? draftAttributes({ ...draft, title: heading, what: 'assign' }) : null}>
      <input type="hidden" name="time_zone" value="${v.time_zone}">
      ${v.template ? html`<input type="hidden" name="template" value="${v.template}">` : null}
      ${worksheet ? html`<input type="hidden" name="worksheet" value="1">` : null}
      <div class="field"><label for="a-title">Title</label><input type="text" id="a-title" name="title" data-limit="200"
        aria-describedby="a-title-count" required aria-required="true" value="${v.title ?? ''}" ${
        invalidIf(bad('title'))}>${limitCounter('a-title')}</div>
      <div class="field"><label for="a-instructions">Instructions <span class="optional">(optional)</span></label>
        <textarea id="a-instructions" name="instructions" rows="6" data-limit="5000" aria-describedby="a-instructions-count"
          ${invalidIf(bad('instructions'))}>${v.instructions ?? ''}</textarea>${limitCounter('a-instructions')}</div>
      ${worksheet ? html`<h2 id="questions-title">Questions</h2>
        <p class="hint">Fill in as many as you need; empty rows are left out. “Add more questions” at the end
          of the form gives more rows.</p>
        ${questions.map((q, i) => questionRow(q, i, badQuestion(i)))}
        <input type="hidden" name="slots" value="${questions.length}">` : null}
      <h2 id="schedule-title">Schedule</h2>
      <p class="hint">Dates are in ${v.time_zone} time.</p>
      <fieldset class="field${bad('freq') ? ' invalid' : ''}"><legend>How often</legend><div class="choices">
        ${FREQ_WORDS.map(([f, words]) => html`<label class="choice"><input type="radio" name="freq" value="${f}"${
          v.freq === f ? html` checked` : null}><span>${words}</span></label>`)}</div></fieldset>
      ${text('start', 'Start date')}
      <div data-for="once">${text('due', html`Due date <span class="optional">(for once)</span>`)}</div>
      <fieldset class="field${bad('days') ? ' invalid' : ''}" data-for="weekly">
        <legend>Days <span class="optional">(for weekly)</span></legend>
        <div class="choices">${WEEKDAYS.map((d) => html`<label class="choice"><input type="checkbox" name="days"
          value="${d}"${(v.days ?? []).includes(d) ? html` checked` : null}><span>${DAY_NAMES[d]}</span></label>`)}
        </div></fieldset>
      <div data-for="until_next_session">
        ${text('next_date', html`Next session date <span class="optional">(for until the next session)</span>`)}
        ${text('next_time', html`Next session time <span class="optional">(for until the next session)</span>`, 'time')}
      </div>
      <div data-for="daily weekly until_next_session">${text('until', html`End date <span class="optional">(optional)</span>`)}</div>
      ${minutes ? text('target', html`Target minutes per week <span class="optional">(optional)</span>`, 'number',
        html`inputmode="numeric" min="1" max="10080"`) : null}
      <div class="actions"><button type="submit">${editing ? 'Save changes' : `Assign to ${peer.handle}`}</button>
        ${worksheet && questions.length < 40 ? html`<button type="submit" name="more" value="1"
          class="secondary">Add more questions</button>` : null}
        ${link(cancel, 'Cancel', 'button secondary')}</div>
    </form></section>`;
}

/** A day's details: the reason, or the practice minutes and (when its entry is shared) the answer in a line. */
function rowDetails(row, answers) {
  const r = row.response;
  if (!r) return '';
  if (r.status === 'not_done') return r.reason ? `Reason: ${r.reason}` : 'No reason given';
  const answer = answers.get(row.date) ?? null;
  return [Number.isInteger(r.minutes) ? `${r.minutes} min` : null, answer].filter(Boolean).join(' · ');
}

/**
 * The review of one assignment.
 * @param {{id: string, doc: Doc, pending?: boolean, peer: Peer|null, review: object, feedback: object[],
 *   linked: {occurrence: string, summary: string|null}[], weeks: object[]|null, mood: object[], notice?: string}} data
 */
/** Withdrawing cannot be undone (docs/ASSIGNMENTS.md): it is asked once more, away from the Edit button. */
export function withdrawPage({ id, doc, peer }) {
  return html`${tnav()}<section aria-labelledby="withdraw-title">
    <h1 id="withdraw-title">Withdraw “${doc.title}”?</h1>
    <p>It stops falling due${peer ? html` for ${peer.handle}` : null}, and it cannot be given back or edited afterwards.
      The answers given so far stay.</p>
    <form action="/app/assignments/${id}/withdraw" method="post" hx-post="/app/assignments/${id}/withdraw"
      hx-target="#view"><div class="actions"><button type="submit" class="danger">Withdraw it</button>
      ${link(`/app/assignments/${id}`, 'Keep it', 'button secondary')}</div></form></section>`;
}

export function reviewPage({ id, doc, pending = false, peer, review, feedback, linked, weeks, mood, notice = null }) {
  const tz = doc.schedule.recurrence.time_zone;
  // A day whose entry the client shared shows it in a line (a mood's score) next to "Done".
  const answers = new Map(linked.filter((l) => l.summary !== null).map((l) => [l.occurrence, l.summary]));
  return html`${tnav()}<article aria-labelledby="review-title" class="review">
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <h1 id="review-title">${doc.title}</h1>
    <p class="meta">${peer ? html`For ${link(`/app/clients/${peer.userId}`, peer.handle)} ${peerBadge(peer)}`
      : 'Not given to anyone'} · <span class="status">${doc.withdrawn ? 'Withdrawn' : 'Active'}${
      pending ? ' (waiting to sync)' : ''}</span></p>
    <h2 id="instructions-title">Instructions</h2>
    ${doc.instructions ? html`<div class="text">${doc.instructions.split('\n')
      .map((l, i) => html`${i ? html`<br>` : null}${l}`)}</div>` : html`<p class="empty">No instructions.</p>`}
    <h2 id="schedule-title">Schedule</h2>
    <p>${scheduleWords(doc.schedule)}. Dates in ${tz} time; today is ${dayWords(review.today)} there.</p>
    ${doc.withdrawn ? html`<p>This activity was withdrawn. ${peer?.handle ?? 'The client'}'s answers stay here.</p>`
      : html`<div class="actions">${link(`/app/assignments/${id}/edit`, 'Edit', 'button')}
      ${link(`/app/assignments/${id}/withdraw`, 'Withdraw this activity…', 'button danger secondary')}</div>
      <p class="hint">Withdrawing stops it from falling due; the answers given so far stay.</p>`}
    <h2 id="charts-title">Progress</h2>
    ${completionChart(review.completion)}
    ${weeks ? minutesChart(weeks) : null}
    ${moodChart(mood, { timeZone: tz })}
    <h2 id="feedback-title">Feedback</h2>
    ${feedback.length ? html`<ul class="feedback">${feedback.map((f) => html`<li><strong>${f.words}</strong>${
      f.comment ? html`: ${f.comment}` : null} <span class="meta">(about ${dayWords(f.occurrence)})</span></li>`)}</ul>`
      : html`<p class="empty">No feedback yet.</p>`}
    <h2 id="linked-title">Linked entries</h2>
    ${linked.length ? html`<ul class="linked">${linked.map((l) => html`<li>
      <span class="meta">${dayWords(l.occurrence)}:</span>
      ${l.summary === null ? html`<em>the entry was not shared</em>` : l.summary}</li>`)}</ul>`
      : html`<p class="empty">No entries are linked yet.</p>`}
    <h2 id="occurrences-title">Days so far</h2>
    ${review.rows.length ? html`<table class="occurrences"><caption class="visually-hidden">Each day it falls on, and
      what happened</caption>
      <thead><tr><th scope="col">Date</th><th scope="col">State</th><th scope="col">Details</th></tr></thead>
      <tbody>${review.rows.map((r) => html`<tr class="state-${r.state}"><th scope="row"><time datetime="${r.date}">${
        dayWords(r.date)}</time></th><td>${STATE_WORDS[r.state] ?? r.state}</td><td>${rowDetails(r, answers)}</td></tr>`)}
      </tbody></table>`
      : html`<p class="empty">Nothing has fallen due yet.</p>`}
  </article>`;
}

/** An assignment or client that is not on this device. */
export function assignNotFoundPage() {
  return html`${tnav()}<section aria-labelledby="nf-title"><h1 id="nf-title">Not found</h1>
    <p>This is not on this device. It may not have synced yet.</p>
    ${link('/app/clients', 'Back to your clients', 'button')}
    </section>`;
}
