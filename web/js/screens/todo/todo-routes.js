/** The service worker's to-do handlers: what is due, one activity, answering a day (done or not), feedback. */

import {
  WORKSHEET, validateWorksheetAnswers, weeklyMinutes, worksheetKind,
} from '../../core/assignments.js';
import { get, getAll } from '../../data/db.js';
import { createDocument, listOwnDocuments, updateDocument } from '../../data/documents.js';
import { createEntry, discardNewEntry, getEntry, updateEntry } from '../../data/entries.js';
import { sealAttachments } from '../../data/blobs.js';
import { isQuotaError } from '../../core/storage.js';
import { quotaAlert } from '../storage/storage-views.js';
import { discardDraft } from '../../data/drafts.js';
import { DRAFT_FORMS } from '../drafts.js';
import { BetweenError } from '../../core/errors.js';
import { FieldError, readForm, validateFields, prefilled } from '../../core/kinds.js';
import { getReceived, listReceived } from '../../engine/received.js';
import { dueState, isOccurrence } from '../../core/recurrence.js';
import { canGrant, granteesAfter } from '../../core/sharing.js';
import { chosenPeers } from '../share-switch.js';
import {
  deviceZone, doneList, entryMinutes, history, isCurrent, latestResponses, readFeedback, responseDoc, responseFor,
  todayOf, todoList, weekStart, zoneOf,
} from './todo.js';
import { SHOWN, decorate, sortAssigned } from './assigned.js';
import {
  DONE_FORM_ID, NOT_DONE_FORM_ID, answeredPage, assignmentPage, blockedPage, occurrencePage, todoNotFoundPage, todoPage,
} from './todo-views.js';
import { wordsFor } from '../components.js';
import { activityReminder } from '../reminders/reminders-routes.js';
import { html, htmlResponse, t } from '../views.js';
import { UUID } from '../../engine/router.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_REASON = 2000;
// Stands in for the entry's id while the response is checked before anything is written.
const NO_ENTRY_YET = '00000000-0000-4000-8000-000000000000';

/** Who an own entry is shared with, or about to be (a share waiting for the next sync). */
async function sharedWith(db, id) {
  const row = await get(db, 'records', id);
  return row ? granteesAfter(row) : new Set();
}

/** The data layer; tests pass their own in `app.store` (`setShared` defaults to the app's sharing flows). */
const STORE = { listReceived, getReceived, listOwnDocuments, createDocument, updateDocument, createEntry, getEntry,
  updateEntry, discardNewEntry, sharedWith, setShared: null, peers: (db) => getAll(db, 'peers'),
  discardDraft };


/** The kind whose form answers an assignment: its entry kind, or the kind made from its worksheet. */
export function kindOf(doc, kinds) {
  if (doc.kind === WORKSHEET) return worksheetKind(doc.worksheet, doc.title);
  return kinds.get(doc.kind) ?? null;
}

/**
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App & {store?: Partial<typeof STORE>}} app `now` and `store` replace the clock
 *   and the data layer (tests)
 */
export function register(router, app) {
  const store = { ...STORE, setShared: (db, me, id, uid, on) => app.sharing.setShared(id, uid, on), ...app.store };
  const clock = app.now ?? (() => new Date());
  const changed = () => app.changed?.();
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);

  async function env() {
    const { db, me, settings, kinds } = await app.load();
    const peers = new Map((await store.peers(db)).map((p) => [p.userId, p]));
    return { db, me, kinds, peers, words: wordsFor(settings), now: clock() };
  }

  /** The assignments shown as from a therapist, a notice for each therapist whose are held back, the unreadable. */
  const assignments = async (e) => sortAssigned(e, await store.listReceived(e.db, e.me, { type: 'assignment' }));

  const responsesOf = async (e, aid) => (await store.listOwnDocuments(e.db, e.me, 'assignment-response'))
    .filter((r) => aid === null || r.doc.assignment_id === aid);

  /** One assignment by id: {a} when shown, {blocked: a} when its therapist is not trusted now, null when unknown. */
  async function one(e, aid) {
    if (!UUID.test(aid)) return null;
    const record = await store.getReceived(e.db, e.me, aid);
    if (!record || record.doc?.type !== 'assignment') return null;
    const a = decorate(e, record);
    if (!a || a.trust === 'unknown') return null;
    return SHOWN.has(a.trust) ? { a } : { blocked: a };
  }

  const notFound = (e) => page(todoNotFoundPage(e.words), 404);
  const blocked = (e, a, extra = {}) => page(blockedPage({ assignment: a, words: e.words, why: a.trust, ...extra }),
    extra.posted ? 422 : 200);

  async function list() {
    const e = await env();
    const { shown, notices, newer } = await assignments(e);
    const responses = await responsesOf(e, null);
    const lists = todoList(shown, responses, { now: e.now });
    const done = doneList(shown, responses, { now: e.now });
    const current = shown.filter((a) => isCurrent(a, e.now));
    const ended = shown.filter((a) => !isCurrent(a, e.now));
    return page(todoPage({ lists, done, current, ended, notices, newer, words: e.words, deviceZone: deviceZone() }));
  }

  async function assignmentView(e, a, { status = 200, headers = {}, notice = null, feedback = {} } = {}) {
    const responses = await responsesOf(e, a.id);
    const { past, next } = history(a, responses, { now: e.now });
    let progress = null;
    if (a.doc.target_minutes_per_week) {
      const latest = [...latestResponses(responses).values()].map((r) => r.doc);
      progress = weeklyMinutes(a.doc, latest, weekStart(todayOf(a, e.now)));
    }
    const kindLabel = a.doc.kind === WORKSHEET ? null : e.kinds.get(a.doc.kind)?.label ?? null;
    const reminder = await activityReminder(app, a.id);
    return page(assignmentPage({ assignment: a, past, next, kindLabel, words: e.words, deviceZone: deviceZone(),
      progress, notice, feedback, reminder }), status, headers);
  }

  async function show({ params }) {
    const e = await env();
    const found = await one(e, params.aid);
    if (!found) return notFound(e);
    return found.a ? assignmentView(e, found.a) : blocked(e, found.blocked);
  }

  /** The assignment, the day and the form's kind of a /app/todo/:aid/:occurrence address, or a response. */
  async function day(e, params, posted) {
    const found = await one(e, params.aid);
    const occurrence = params.occurrence;
    let real = false;
    try {
      real = Boolean(found) && DATE.test(occurrence) && isOccurrence((found.a ?? found.blocked).doc.schedule.recurrence,
        occurrence);
    } catch {
      real = false;
    }
    if (!real) return { response: notFound(e) };
    if (found.blocked) return { response: blocked(e, found.blocked, { occurrence, posted }) };
    const a = found.a;
    const responses = await responsesOf(e, a.id);
    const previous = responseFor(responses, a.id, occurrence);
    const kind = kindOf(a.doc, e.kinds);
    const therapist = e.peers.get(a.ownerId) ?? null;
    // The switch that shares what they write with the therapist: on, unless a form sent back or an earlier
    // answer's entry says otherwise.
    const view = (done = {}, notDone = {}, status = 200) => page(occurrencePage({ assignment: a, occurrence, kind,
      state: dueState(occurrence, e.now, zoneOf(a)), previous, words: e.words, done, notDone,
      share: therapist ? [{ peer: therapist, on: done.shareOn ?? true }] : [] }), status);
    if (posted && (a.doc.withdrawn || !kind)) return { response: view({}, {}, 422) };
    return { a, occurrence, kind, previous, view };
  }

  const rawFeedback = (form) => ({ rating: String(form.get('rating') ?? ''),
    comment: String(form.get('comment') ?? '') });
  const mayAnswer = (e, a) => canGrant(e.peers.get(a.ownerId));

  async function occurrenceForm({ params, url }) {
    const e = await env();
    const d = await day(e, params, false);
    if (d.response) return d.response;
    // Not verified on this device: say so before they write anything, not after.
    if (!d.a.doc.withdrawn && !mayAnswer(e, d.a)) return blocked(e, d.a);
    // Changing an answer starts from what they wrote; a first answer from the journal's prompt, so the entry
    // reads well in the entries list too.
    const earlier = await answeredEntry(e, d.a, d.previous);
    if (earlier) {
      return d.view({ values: earlier.fields, shareOn: (await store.sharedWith(e.db, earlier.id)).has(d.a.ownerId) });
    }
    const prompt = d.kind?.fields.some((f) => f.id === 'prompt' && f.type === 'short_text');
    // What a guided practice done for this day filled in (its minutes and technique), to review and save.
    const given = d.kind && url ? prefilled(d.kind, url.searchParams) : {};
    const values = { ...(prompt ? { prompt: d.a.doc.title } : {}), ...given };
    return d.view({ values });
  }

  /** The entry a "done" answer of this day links to, while it is still on this device and of the assignment's kind. */
  async function answeredEntry(e, a, previous) {
    const id = previous?.doc.status === 'done' ? previous.doc.entry_id : null;
    if (typeof id !== 'string') return null;
    const entry = await store.getEntry(e.db, e.me, id);
    return entry && entry.kind === a.doc.kind ? entry : null;
  }

  /**
   * Share or stop sharing the entry of a changed answer with the therapist, as the switch says (sharing.js re-keys
   * it; nothing changes when it is already so). Returns whether it is shared now; a refusal (their key changed
   * since the page was made) leaves it as it was.
   */
  async function shareAnswer(e, a, entryId, on) {
    const now = (await store.sharedWith(e.db, entryId)).has(a.ownerId);
    if (now === on) return now;
    try {
      await store.setShared(e.db, e.me, entryId, a.ownerId, on);
      return on;
    } catch (err) {
      if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
      return now;
    }
  }

  /** `free_space=yes` (the full device's alert, sent with the form again): free what can be fetched again first. */
  async function freeing(form) {
    const freed = form.get('free_space') === 'yes';
    if (freed) await app.storage?.freeSpace();
    return freed;
  }

  /** Write the response (new, or the next version of this day's), after the peer was checked. */
  async function saveResponse(e, a, previous, doc) {
    if (previous && await store.updateDocument(e.db, e.me, previous.id, doc)) return;
    await store.createDocument(e.db, e.me, doc, { shareWith: [a.ownerId] });
  }

  async function done({ request, params }) {
    const e = await env();
    const d = await day(e, params, true);
    if (d.response) return d.response;
    const { a, occurrence, kind, previous } = d;
    const form = await request.formData();
    const values = readForm(kind, form);
    const feedback = readFeedback(form);
    const therapist = e.peers.get(a.ownerId);
    const shareOn = chosenPeers(form, therapist ? [therapist] : []).length > 0;
    const again = (error) => d.view({ values, feedback: rawFeedback(form), error, shareOn }, {}, 422);
    // The device refused a write for lack of space: the form again with what was typed, nothing of it kept (507).
    const full = (freed) => d.view({ values, feedback: rawFeedback(form), shareOn,
      alert: quotaAlert(DONE_FORM_ID, { freed }) }, {}, 507);
    let fields;
    let base;
    let blobs = [];
    try {
      if (a.doc.kind === WORKSHEET) {
        fields = validateWorksheetAnswers(a.doc.worksheet, values);
      } else {
        // A recording or a photo of the answer (an activity's kind may take them): kept ones are the day's entry's.
        const attached = await sealAttachments(kind, form, (await answeredEntry(e, a, previous))?.fields ?? {});
        blobs = attached.blobs;
        Object.assign(values, attached.kept);
        fields = validateFields(kind, { ...values, ...attached.values });
      }
      if (feedback?.error) return again(feedback.error);
      base = { assignment: a.doc, assignmentId: a.id, occurrence, status: 'done', minutes: entryMinutes(kind, fields),
        feedback: feedback ?? undefined, previous };
      responseDoc({ ...base, entryId: NO_ENTRY_YET, now: e.now }); // checked before anything is written
    } catch (err) {
      if (err instanceof FieldError) return again(err);
      throw err;
    }
    if (!mayAnswer(e, a)) return blocked(e, a, { occurrence, posted: true });
    const freed = await freeing(form);
    // A changed answer edits the entry it wrote before (one entry per day, its history kept), or writes one,
    // shared with the therapist at once when the switch is on.
    const earlier = await answeredEntry(e, a, previous);
    const extra = a.doc.kind === WORKSHEET ? { worksheet: a.doc.worksheet, title: a.doc.title } : {};
    let entry;
    try {
      entry = (earlier && await store.updateEntry(e.db, e.me, earlier.id, fields, kind, { blobs }))
        ?? await store.createEntry(e.db, e.me, a.doc.kind, fields, extra, { shareWith: shareOn ? [a.ownerId] : [],
          blobs });
    } catch (err) {
      if (isQuotaError(err)) return full(freed); // one transaction, aborted whole: nothing was written
      throw err;
    }
    let shared = shareOn;
    if (entry.id === earlier?.id) shared = await shareAnswer(e, a, entry.id, shareOn);
    const doc = responseDoc({ ...base, entryId: entry.id, now: clock() });
    try {
      await saveResponse(e, a, previous, doc);
    } catch (err) {
      if (isQuotaError(err)) {
        // The entry is written, the response that names it is not: a new entry is taken back, so that saving again
        // (after freeing space) cannot leave two entries for the day. An edited one keeps its new version: it is
        // still the day's one entry, and the response still names it.
        if (entry.id !== earlier?.id) await store.discardNewEntry(e.db, entry.id);
        return full(freed);
      }
      if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
      changed();
      return blocked(e, a, { occurrence, posted: true, entryId: entry.id });
    }
    changed();
    // Saved: the draft has done its work. A draft that cannot be deleted stays; the answer is saved all the same.
    await store.discardDraft(e.db, e.me, DRAFT_FORMS.todoDone(a.id, occurrence)).catch(() => {});
    return page(answeredPage({ assignment: a, status: 'done', entryId: entry.id, feedback: doc.feedback ?? null,
      words: e.words, shared, shareFailed: shareOn && !shared }), 200, { 'HX-Push-Url': `/app/todo/${a.id}` });
  }

  async function notDone({ request, params }) {
    const e = await env();
    const d = await day(e, params, true);
    if (d.response) return d.response;
    const { a, occurrence, previous } = d;
    const form = await request.formData();
    const reason = String(form.get('reason') ?? '').replace(/\r\n?/g, '\n').trim();
    const feedback = readFeedback(form);
    const again = (error, feedbackError = false) => d.view({}, { reason, feedback: rawFeedback(form), error,
      feedbackError }, 422);
    if (!reason) return again(t('todo.notDone.empty', { handle: a.from.handle }));
    const count = [...reason].length;
    if (count > MAX_REASON) {
      return again(t('limit.tooLong', { label: t('todo.notDone.label'), count, max: MAX_REASON, over: count - MAX_REASON }));
    }
    if (feedback?.error) return again(feedback.error, true);
    let doc;
    try {
      doc = responseDoc({ assignment: a.doc, assignmentId: a.id, occurrence, status: 'not_done', reason,
        // (an {error} was answered above: a rating is left, or nothing)
        feedback: /** @type {import('./todo.js').Feedback|null} */ (feedback) ?? undefined, now: e.now, previous });
    } catch (err) {
      if (err instanceof FieldError) return again(t('todo.notDone.invalid'));
      throw err;
    }
    if (!mayAnswer(e, a)) return blocked(e, a, { occurrence, posted: true });
    const freed = await freeing(form);
    try {
      await saveResponse(e, a, previous, doc);
    } catch (err) {
      if (isQuotaError(err)) {
        return d.view({}, { reason, feedback: rawFeedback(form), alert: quotaAlert(NOT_DONE_FORM_ID, { freed }) }, 507);
      }
      if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
      return blocked(e, a, { occurrence, posted: true });
    }
    changed();
    await store.discardDraft(e.db, e.me, DRAFT_FORMS.todoNotDone(a.id, occurrence)).catch(() => {});
    return page(answeredPage({ assignment: a, status: 'not_done', feedback: doc.feedback ?? null, words: e.words }),
      200, { 'HX-Push-Url': `/app/todo/${a.id}` });
  }

  /**
   * Feedback on the activity as a whole goes with the latest answered day (the response the therapist reads for it).
   * Before any day was answered there is no response to carry it: the page asks them to answer a day first.
   */
  async function feedbackPost({ request, params }) {
    const e = await env();
    const found = await one(e, params.aid);
    if (!found) return notFound(e);
    if (found.blocked) return blocked(e, found.blocked, { posted: true });
    const a = found.a;
    const form = await request.formData();
    const feedback = readFeedback(form, true);
    const fail = (error) => assignmentView(e, a, { status: 422, feedback: { values: rawFeedback(form), error } });
    if (feedback.error) return fail(feedback.error);
    const answered = [...latestResponses(await responsesOf(e, a.id)).values()]
      .sort((x, y) => y.doc.occurrence.localeCompare(x.doc.occurrence));
    let target = null;
    let doc = null;
    for (const r of answered) {
      try {
        doc = responseDoc({ assignment: a.doc, assignmentId: a.id, occurrence: r.doc.occurrence, status: r.doc.status,
          reason: r.doc.reason ?? null, entryId: r.doc.entry_id ?? null, minutes: r.doc.minutes ?? null,
          feedback: /** @type {import('./todo.js').Feedback} */ (feedback), now: e.now, previous: r });
        target = r;
        break;
      } catch (err) {
        if (!(err instanceof FieldError)) throw err; // that day is no longer on the schedule: try the one before
      }
    }
    if (!target) {
      return fail(t('todo.feedback.answerFirst', { handle: a.from.handle }));
    }
    if (!mayAnswer(e, a)) return blocked(e, a, { posted: true });
    try {
      await saveResponse(e, a, target, doc);
    } catch (err) {
      if (isQuotaError(err)) { // nothing was written; what was typed stays in the form
        return assignmentView(e, a, { status: 507, feedback: { values: rawFeedback(form),
          error: t('storage.quota.full') } });
      }
      if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
      return blocked(e, a, { posted: true });
    }
    changed();
    await store.discardDraft(e.db, e.me, DRAFT_FORMS.todoFeedback(a.id)).catch(() => {});
    const notice = html`<p class="notice" role="status">${t('todo.feedback.thanks', { handle: a.from.handle })}</p>`;
    return assignmentView(e, a, { notice, headers: { 'HX-Push-Url': `/app/todo/${a.id}` } });
  }

  router
    .add('GET', '/app/todo', list)
    .add('POST', '/app/todo/:aid/feedback', feedbackPost)
    .add('GET', '/app/todo/:aid', show)
    .add('GET', '/app/todo/:aid/:occurrence', occurrenceForm)
    .add('POST', '/app/todo/:aid/:occurrence', done)
    .add('POST', '/app/todo/:aid/:occurrence/not-done', notDone);
  return router;
}
