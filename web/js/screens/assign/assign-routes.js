/**
 * The service worker's assignment handlers for a therapist: the template library for a client, the form to assign
 * (from a template or a worksheet built from questions), edit, withdraw, and the review of one assignment.
 */

import {
  buildAssignment, PRACTICE_KIND, validateAssignment, validateResponse, WORKSHEET, WORKSHEET_TYPES,
} from '../../core/assignments.js';
import { CUSTOM_LIMITS } from '../../core/pacer.js';
import {
  assignForm, assignNotFoundPage, blockedPage, libraryPage, reviewPage, withdrawPage,
} from './assign-views.js';
import { get } from '../../data/db.js';
import { createDocument, getOwnDocument, kindFor, listOwnDocuments, updateDocument } from '../../data/documents.js';
import { BetweenError } from '../../core/errors.js';
import { deviceZone } from '../../core/dates.js';
import { fieldType } from '../../core/fields.js';
import { FieldError } from '../../core/kinds.js';
import { listReceived } from '../../engine/received.js';
import { FREQS, formatDay, localDate, parseDate } from '../../core/recurrence.js';
import { feedbackList, linkedEntries, minutesByWeek, moodSeries, reviewAssignment } from './review.js';
import { canGrant } from '../../core/sharing.js';
import { summary } from '../components.js';
import { discardDraft, readDraft } from '../../data/drafts.js';
import { DRAFT_FORMS, draftRows } from '../drafts.js';
import { htmlResponse, t as words } from '../views.js';
import { UUID } from '../../engine/router.js';

const FIELD_ID = /^[a-z][a-z0-9_]{0,39}$/;
const MAX_QUESTIONS = 40;

/** The time zone this device uses (the therapist's): assignments made here keep it. */
const zone = () => deviceZone() ?? 'UTC';

/** Now as a document time (UTC, whole seconds). */
export const stamp = (date = new Date()) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** The builder's own problems: English as the validators word theirs, and a code (`assign.problem.<code>`). */
const fail = (path, problem, code) => {
  const error = Object.assign(new FieldError(`assignment '${path}' ${problem}.`, path), { problem: { code } });
  error.code = 'invalid_assignment';
  return error;
};

/** The rows as given, at least 8, three blank ones after the last in use, and `extra` more (at most 40). */
export function padQuestions(questions, extra = 0) {
  const rows = questions.slice(0, MAX_QUESTIONS);
  const used = rows.findLastIndex((q) => q.label?.trim()) + 1;
  const want = Math.min(MAX_QUESTIONS, Math.max(8, rows.length, used + 3) + extra);
  while (rows.length < want) rows.push({ label: '', type: 'short_text', required: false, options: [] });
  return rows;
}

const lines = (text) => String(text ?? '').split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean);

/** What the assignment form sent, as plain values (nothing checked yet). @param {FormData} form */
export function readAssignForm(form) {
  const s = (k) => String(form.get(k) ?? '');
  const count = Math.min(MAX_QUESTIONS, Math.max(0, Number.parseInt(s('slots'), 10) || 0));
  const questions = Array.from({ length: count }, (_, i) => ({ id: s(`q.${i}.id`), label: s(`q.${i}.label`),
    type: s(`q.${i}.type`), required: s(`q.${i}.required`) === 'yes', options: lines(form.get(`q.${i}.options`)) }));
  return { title: s('title'), instructions: s('instructions'), freq: s('freq'), due: s('due').trim(),
    days: form.getAll('days').map(String), start: s('start').trim(), until: s('until').trim(),
    next_date: s('next_date').trim(), next_time: s('next_time').trim(), target: s('target').trim(),
    time_zone: s('time_zone').trim(), template: s('template').trim(), questions, ...practiceValues(form) };
}

/** The practice part of the form (a relaxation's technique, own timings and minutes), as given. @param {FormData} form */
const practiceValues = (form) => Object.fromEntries(PRACTICE_INPUTS.map((k) => [k, String(form.get(k) ?? '').trim()]));

/** The practice inputs of the form: the technique, the minutes, and the four own timings. */
const PRACTICE_INPUTS = ['technique', 'p_minutes', 'p_in', 'p_hold', 'p_out', 'p_rest'];
// The own timings' inputs start where the pacer's own do: 4 seconds in, 6 out.
const NO_PRACTICE = { technique: '', p_minutes: '', p_in: '4', p_hold: '0', p_out: '6', p_rest: '0' };

/** The form values of a document's practice (none: the form's defaults). */
function practiceOf(practice) {
  if (!practice) return NO_PRACTICE;
  const own = practice.timings;
  return { technique: practice.technique, p_minutes: practice.minutes ? String(practice.minutes) : '',
    ...(own ? { p_in: String(own.in), p_hold: String(own.hold), p_out: String(own.out), p_rest: String(own.rest) }
      : { p_in: NO_PRACTICE.p_in, p_hold: NO_PRACTICE.p_hold, p_out: NO_PRACTICE.p_out, p_rest: NO_PRACTICE.p_rest }) };
}

/**
 * The practice the form describes, or null when no technique is chosen; the own timings only for `custom`. A
 * FieldError names the timing that is not a whole number of seconds within the pacer's bounds.
 */
export function practiceFrom(v) {
  if (!v.technique) return null;
  /** @type {{technique: string, timings?: Record<string, number>, minutes?: number}} */
  const practice = { technique: v.technique };
  if (v.technique === 'custom') {
    practice.timings = {};
    for (const [step, [min, max]] of Object.entries(CUSTOM_LIMITS)) {
      const given = v[`p_${step}`] ?? '';
      if (!/^\d{1,2}$/.test(given) || Number(given) < min || Number(given) > max) {
        throw Object.assign(fail(`practice.timings.${step}`, `must be a whole number from ${min} to ${max} seconds`),
          { problem: { code: 'assignPractice.problem.seconds', params: { min, max } } });
      }
      practice.timings[step] = Number(given);
    }
  }
  if (v.p_minutes) practice.minutes = Number(v.p_minutes);
  return practice;
}

/** The form values of a template's defaults, for a start date in a zone. */
export function valuesFromTemplate(t, { start, timeZone }) {
  const plan = t.schedule ?? { freq: 'once', due_in_days: 7 };
  const first = parseDate(start);
  return { title: t.title, instructions: t.instructions ?? '', freq: plan.freq, days: plan.days ?? [], start,
    due: plan.freq === 'once' ? formatDay(first + (plan.due_in_days ?? 0)) : '',
    until: plan.for_days !== undefined ? formatDay(first + plan.for_days - 1) : '', next_date: '', next_time: '',
    target: t.target_minutes_per_week ? String(t.target_minutes_per_week) : '', time_zone: timeZone,
    template: t.id ?? '', questions: padQuestions(questionsOf(t.worksheet)), ...NO_PRACTICE };
}

const questionsOf = (worksheet) => (worksheet?.fields ?? []).map((f) => ({ id: f.id, label: f.label, type: f.type,
  required: Boolean(f.required),
  options: (f.constraints?.options ?? []).map((o) => (typeof o === 'string' ? o : o.label)) }));

/** The form values of an assignment document (to edit it). */
export function valuesFromDoc(doc) {
  const r = doc.schedule.recurrence;
  return { title: doc.title, instructions: doc.instructions, freq: r.freq, days: r.days ?? [], start: r.start,
    due: r.freq === 'once' ? (doc.schedule.due ?? r.until ?? r.start) : '',
    until: r.freq === 'once' ? '' : r.until ?? '',
    next_date: r.next_session?.slice(0, 10) ?? '', next_time: r.next_session?.slice(11, 16) ?? '',
    target: doc.target_minutes_per_week ? String(doc.target_minutes_per_week) : '', time_zone: r.time_zone,
    template: doc.template ?? '', questions: padQuestions(questionsOf(doc.worksheet)), ...practiceOf(doc.practice) };
}

/** The title first: a form is read top down, so its first problem is the first one on the screen. */
function needTitle(v) {
  if (!String(v.title ?? '').trim()) throw fail('title', 'must not be empty', 'empty');
}

/** The recurrence the schedule part of the form describes; a FieldError names what is missing. */
export function recurrenceFrom(v) {
  if (!FREQS.includes(v.freq)) throw fail('schedule.recurrence.freq', 'must be chosen', 'choose');
  if (!v.start) throw fail('schedule.recurrence.start', 'must be a date', 'date');
  const rec = { freq: v.freq, start: v.start, time_zone: v.time_zone };
  if (v.freq === 'once') {
    if (!v.due) throw fail('schedule.due', 'must be a date for an activity done once', 'dueOnce');
    if (v.due < v.start) throw fail('schedule.due', 'must not be before the start date', 'beforeStart');
    rec.until = v.due;
    return rec;
  }
  if (v.freq === 'weekly') rec.days = v.days;
  if (v.freq === 'until_next_session') {
    if (!v.next_date || !v.next_time) throw fail('schedule.recurrence.next_session', 'needs its date and its time',
      'dateAndTime');
    rec.next_session = `${v.next_date}T${v.next_time.slice(0, 5)}`;
  }
  if (v.until) rec.until = v.until;
  return rec;
}

/** The target minutes as a number, or null when left empty. */
export function targetFrom(v) {
  if (!v.target) return null;
  if (!/^\d+$/.test(v.target)) throw fail('target_minutes_per_week', 'must be a whole number of minutes', 'minutes');
  return Number(v.target);
}

/**
 * The worksheet the question rows describe (empty rows left out) and, for each question, the row it came from.
 * A question kept from `old` (same id and type) keeps its hint, limits and choice ids.
 */
export function worksheetFrom(questions, old = null) {
  const before = new Map((old?.fields ?? []).map((f) => [f.id, f]));
  const used = new Set(questions.map((q) => q.id).filter((id) => FIELD_ID.test(id)));
  let n = 0;
  const nextId = () => {
    do n += 1; while (used.has(`q${n}`));
    used.add(`q${n}`);
    return `q${n}`;
  };
  const fields = [];
  const slots = [];
  const seen = new Set();
  questions.forEach((q, row) => {
    if (!q.label.trim()) return;
    const type = WORKSHEET_TYPES.includes(q.type) ? q.type : q.type || 'short_text';
    const id = FIELD_ID.test(q.id) && !seen.has(q.id) ? q.id : nextId();
    seen.add(id);
    const prior = before.get(id)?.type === type ? before.get(id) : null;
    const field = { id, label: q.label, type, required: q.required };
    if (prior?.hint) field.hint = prior.hint;
    const constraints = { ...(prior?.constraints ?? {}) };
    delete constraints.options;
    if (fieldType(type)?.worksheet?.extra.includes('options')) {
      const known = new Map((prior?.constraints?.options ?? [])
        .map((o, i) => (typeof o === 'string' ? [o, `o${i + 1}`] : [o.label, o.id])));
      const taken = new Set();
      constraints.options = q.options.map((label) => {
        let oid = known.get(label);
        if (!oid || taken.has(oid)) {
          let k = 0;
          do k += 1; while (taken.has(`o${k}`) || [...known.values()].includes(`o${k}`));
          oid = `o${k}`;
        }
        taken.add(oid);
        return { id: oid, label };
      });
    }
    if (Object.keys(constraints).length) field.constraints = constraints;
    fields.push(field);
    slots.push(row);
  });
  return { worksheet: { fields }, slots };
}

/** Whether activities of this kind record minutes (a worksheet may: the form offers a target then). */
export const recordsMinutes = (kinds, kindId) => kindId === WORKSHEET
  || Boolean(kinds.get(kindId)?.fields.some((f) => fieldType(f.type)?.recordsMinutes));

/** Where the handlers read and write (tests pass their own). */
const STORE = { peer: (db, uid) => get(db, 'peers', uid), createDocument, getOwnDocument, listOwnDocuments,
  updateDocument, listReceived, readDraft, discardDraft };

/**
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App & {store?: typeof STORE}} app `now` and `store` replace the clock and the
 *   data layer (tests)
 */
export function register(router, { load, changed, templates, store = STORE, now = () => new Date() }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);
  const notFound = () => page(assignNotFoundPage(), 404);
  // The form's draft (page/drafts.js): a worksheet shows as many question rows as its draft holds; saved, it goes.
  const read = store.readDraft ?? readDraft;
  const withDraftRows = async (db, me, form, values) => {
    const rows = Math.min(MAX_QUESTIONS, await draftRows(read, db, me, form));
    const questions = [...(values.questions ?? [])];
    while (questions.length < rows) questions.push({ label: '', type: 'short_text', required: false, options: [] });
    return { ...values, questions };
  };
  const saved = (db, me, form) => (store.discardDraft ?? discardDraft)(db, me, form).catch(() => {});
  const library = async () => {
    try {
      return await templates();
    } catch {
      return null; // not cached yet and offline: the page says so
    }
  };

  /** The therapist's env and the client of `uid`, or null (not a therapist, no such client). */
  async function clientOf(uid) {
    if (!UUID.test(uid)) return null;
    const env = await load();
    if (env.me.role !== 'therapist') return null;
    const peer = await store.peer(env.db, uid);
    return peer ? { ...env, peer } : null;
  }

  /** An own assignment, or null. */
  async function ownAssignment(id) {
    if (!UUID.test(id)) return null;
    const env = await load();
    if (env.me.role !== 'therapist') return null;
    const own = await store.getOwnDocument(env.db, env.me, id);
    return own?.doc.type === 'assignment' ? { ...env, own } : null;
  }

  /** Which form: a template's (its id) or the worksheet builder; null for neither or an unknown template. */
  async function formKind(id, worksheet, kinds) {
    if (worksheet) return { kind: WORKSHEET, kindLabel: words('assign.form.aWorksheet'), template: null };
    const table = id ? await library() : null;
    const t = table?.get(id);
    return t ? { kind: t.kind, kindLabel: t.kind === WORKSHEET ? words('assign.form.aWorksheet') : kinds.get(t.kind)?.label ?? t.kind,
      template: t } : null;
  }

  /** The draft of a new assignment's form: one per client and template (or worksheet). */
  const newDraft = (uid, which) => ({ form: DRAFT_FORMS.assignNew(uid, which.template?.id ?? 'worksheet'),
    path: `/app/clients/${uid}/assign/new?${which.template ? `template=${encodeURIComponent(which.template.id)}`
      : 'worksheet=1'}`, kind: which.kind });

  function newForm(peer, kinds, which, values, error = null, slots = []) {
    const action = `/app/clients/${peer.userId}/assign/new`;
    return assignForm({ peer, action, heading: which.template ? which.template.title : words('assign.form.buildHeading'),
      kindLabel: which.kindLabel, worksheet: which.kind === WORKSHEET, minutes: recordsMinutes(kinds, which.kind),
      practice: which.kind === PRACTICE_KIND, values, error, slots, cancel: `/app/clients/${peer.userId}/assign`, draft: newDraft(peer.userId, which) });
  }

  function editForm(own, peer, kinds, values, error = null, slots = []) {
    const doc = own.doc;
    return assignForm({ peer: peer ?? { userId: '', handle: words('assign.form.noOne'), linked: false },
      action: `/app/assignments/${own.id}/edit`, heading: words('assign.form.editHeading', { title: doc.title }),
      kindLabel: doc.kind === WORKSHEET ? words('assign.form.aWorksheet') : kinds.get(doc.kind)?.label ?? doc.kind,
      worksheet: doc.kind === WORKSHEET, minutes: recordsMinutes(kinds, doc.kind), practice: doc.kind === PRACTICE_KIND,
      values, error, slots, editing: true,
      cancel: `/app/assignments/${own.id}`,
      draft: { form: DRAFT_FORMS.assignEdit(own.id), path: `/app/assignments/${own.id}/edit`, kind: doc.kind } });
  }

  /** The review page of an own assignment from what the client shared. */
  async function review({ db, me, kinds }, own, notice = null) {
    const uid = own.grantees[0] ?? null;
    const peer = uid ? await store.peer(db, uid) : null;
    const responses = [];
    let entries = [];
    if (uid) {
      for (const r of await store.listReceived(db, me, { ownerId: uid, type: 'assignment-response' })) {
        if (r.doc.assignment_id !== own.id) continue;
        try {
          responses.push(validateResponse(r.doc));
        } catch {
          // an answer this version cannot read is left out rather than shown wrongly
        }
      }
      entries = await store.listReceived(db, me, { ownerId: uid, type: 'entry' });
    }
    const shared = new Map(entries.map((e) => [e.id, e.doc]));
    const result = reviewAssignment(own.doc, responses, { now: now() });
    const linked = linkedEntries(responses, shared).map((l) => ({ occurrence: l.occurrence, summary: l.entry
      ? summary({ kind: l.entry.kind, fields: l.entry.fields ?? {} }, kindFor(kinds, l.entry)) : null }));
    const minutes = recordsMinutes(kinds, own.doc.kind) || responses.some((r) => Number.isInteger(r.minutes));
    return reviewPage({ id: own.id, doc: own.doc, pending: own.pending, peer: peer ?? null, review: result,
      feedback: feedbackList(responses), linked,
      weeks: minutes ? minutesByWeek(own.doc, responses, result.today, 8) : null,
      mood: moodSeries(entries), notice });
  }

  async function libraryHandler({ params }) {
    const c = await clientOf(params.uid);
    if (!c) return notFound();
    if (!canGrant(c.peer)) return page(blockedPage(c.peer));
    const table = await library();
    const given = (await store.listOwnDocuments(c.db, c.me, 'assignment'))
      .filter((a) => a.grantees.includes(c.peer.userId));
    return page(libraryPage({ peer: c.peer, templates: table ? [...table.values()] : null, kinds: c.kinds,
      assignments: given }));
  }

  async function newHandler({ url, params }) {
    const c = await clientOf(params.uid);
    if (!c) return notFound();
    if (!canGrant(c.peer)) return page(blockedPage(c.peer));
    const which = await formKind(url.searchParams.get('template'), url.searchParams.get('worksheet') === '1', c.kinds);
    if (!which) return libraryHandler({ params });
    const start = localDate(now(), zone());
    // A worksheet starts as a one-off due in a week, like most of the library.
    const from = which.template ?? { title: '', schedule: { freq: 'once', due_in_days: 7 } };
    const values = valuesFromTemplate(from, { start, timeZone: zone() });
    const form = newDraft(c.peer.userId, which).form;
    return page(newForm(c.peer, c.kinds, which, await withDraftRows(c.db, c.me, form, values)));
  }

  async function create({ request, params }) {
    const c = await clientOf(params.uid);
    if (!c) return notFound();
    if (!canGrant(c.peer)) return page(blockedPage(c.peer), 422);
    const form = await request.formData();
    const v = readAssignForm(form);
    const which = await formKind(v.template, form.get('worksheet') === '1', c.kinds);
    if (!which) return notFound();
    const more = { ...v, questions: padQuestions(v.questions, 4) };
    if (form.get('more')) return page(newForm(c.peer, c.kinds, which, more));
    let doc;
    let slots = [];
    try {
      // A template's worksheet lends its hints, limits and suggestions to the questions kept from it.
      needTitle(v);
      const built = which.kind === WORKSHEET ? worksheetFrom(v.questions, which.template?.worksheet) : null;
      slots = built?.slots ?? [];
      doc = buildAssignment({ kind: which.kind, title: v.title, instructions: v.instructions,
        recurrence: recurrenceFrom(v), now: stamp(now()), template: which.template?.id ?? null,
        worksheet: built?.worksheet ?? null, targetMinutesPerWeek: targetFrom(v),
        practice: which.kind === PRACTICE_KIND ? practiceFrom(v) : null }, c.kinds);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      return page(newForm(c.peer, c.kinds, which, { ...v, questions: padQuestions(v.questions) }, err, slots), 422);
    }
    let own;
    try {
      own = await store.createDocument(c.db, c.me, doc, { shareWith: [c.peer.userId] });
    } catch (err) {
      if (err instanceof BetweenError && err.code === 'share_blocked') return page(blockedPage(c.peer), 422);
      throw err;
    }
    changed();
    await saved(c.db, c.me, newDraft(c.peer.userId, which).form);
    return page(await review(c, own, words('assign.assigned', { handle: c.peer.handle })), 200,
      { 'HX-Push-Url': `/app/assignments/${own.id}` });
  }

  async function show({ params }) {
    const a = await ownAssignment(params.id);
    return a ? page(await review(a, a.own)) : notFound();
  }

  async function edit({ params }) {
    const a = await ownAssignment(params.id);
    if (!a) return notFound();
    if (a.own.doc.withdrawn) return page(await review(a, a.own, words('assign.cannotEdit')));
    const peer = a.own.grantees[0] ? await store.peer(a.db, a.own.grantees[0]) : null;
    return page(editForm(a.own, peer, a.kinds,
      await withDraftRows(a.db, a.me, DRAFT_FORMS.assignEdit(a.own.id), valuesFromDoc(a.own.doc))));
  }

  async function update({ request, params }) {
    const a = await ownAssignment(params.id);
    if (!a) return notFound();
    const old = a.own.doc;
    if (old.withdrawn) return page(await review(a, a.own, words('assign.cannotEdit')), 422);
    const peer = a.own.grantees[0] ? await store.peer(a.db, a.own.grantees[0]) : null;
    const form = await request.formData();
    const v = { ...readAssignForm(form), time_zone: old.schedule.recurrence.time_zone };
    const more = { ...v, questions: padQuestions(v.questions, 4) };
    if (form.get('more')) return page(editForm(a.own, peer, a.kinds, more));
    let doc;
    let slots = [];
    try {
      needTitle(v);
      const recurrence = recurrenceFrom(v);
      const next = { ...old, title: v.title, instructions: v.instructions, updated_at: stamp(now()),
        schedule: recurrence.freq === 'once' ? { recurrence, due: recurrence.until } : { recurrence } };
      const target = targetFrom(v);
      if (target === null) delete next.target_minutes_per_week;
      else next.target_minutes_per_week = target;
      if (old.kind === PRACTICE_KIND) {
        // A practice makes the document v2 (docs/ASSIGNMENTS.md); taking it away makes it v1 again. Only between the
        // versions this one knows: a newer one's document is refused by the validator, never rewritten as ours.
        const practice = practiceFrom(v);
        delete next.practice;
        if (practice) next.practice = practice;
        if (old.v === 1 || old.v === 2) next.v = practice ? 2 : 1;
      }
      if (old.kind === WORKSHEET) {
        const built = worksheetFrom(v.questions, old.worksheet);
        slots = built.slots;
        next.worksheet = built.worksheet;
      }
      doc = validateAssignment(next, a.kinds);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      return page(editForm(a.own, peer, a.kinds, { ...v, questions: padQuestions(v.questions) }, err, slots), 422);
    }
    const written = await store.updateDocument(a.db, a.me, params.id, doc);
    if (!written) return notFound();
    changed();
    await saved(a.db, a.me, DRAFT_FORMS.assignEdit(written.id));
    return page(await review(a, written, words('assign.saved')), 200,
      { 'HX-Push-Url': `/app/assignments/${written.id}` });
  }

  async function confirmWithdraw({ params }) {
    const a = await ownAssignment(params.id);
    if (!a) return notFound();
    if (a.own.doc.withdrawn) return page(await review(a, a.own));
    const uid = a.own.grantees[0] ?? null;
    return page(withdrawPage({ id: a.own.id, doc: a.own.doc, peer: uid ? await store.peer(a.db, uid) : null }));
  }

  async function withdraw({ params }) {
    const a = await ownAssignment(params.id);
    if (!a) return notFound();
    let saved = a.own;
    if (!a.own.doc.withdrawn) {
      saved = await store.updateDocument(a.db, a.me, params.id,
        { ...a.own.doc, withdrawn: true, updated_at: stamp(now()) });
      if (!saved) return notFound();
      changed();
    }
    return page(await review(a, saved, words('assign.withdrawnNotice')), 200,
      { 'HX-Push-Url': `/app/assignments/${saved.id}` });
  }

  router
    .add('GET', '/app/clients/:uid/assign', libraryHandler)
    .add('GET', '/app/clients/:uid/assign/new', newHandler)
    .add('POST', '/app/clients/:uid/assign/new', create)
    .add('GET', '/app/assignments/:id', show)
    .add('GET', '/app/assignments/:id/edit', edit)
    .add('POST', '/app/assignments/:id/edit', update)
    .add('GET', '/app/assignments/:id/withdraw', confirmWithdraw)
    .add('POST', '/app/assignments/:id/withdraw', withdraw);
  return router;
}
