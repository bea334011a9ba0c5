/**
 * The service worker's safety-plan and crisis handlers. The plan is an entry of kind `safety-plan` (the newest one,
 * if two devices each started one), read and written on the device like any entry, so it works offline, syncs, and
 * is shared with a therapist from its page like any entry. The crisis page reads only the operator's public crisis
 * lines (the worker's cached copy): never the database's keys, so it shows while the app is locked.
 */

import { createEntry, listEntries, updateEntry } from '../../data/entries.js';
import { discardDraft } from '../../data/drafts.js';
import { NO_LINES } from '../../core/crisis-lines.js';
import { FieldError, readForm, validateFields } from '../../core/kinds.js';
import { isQuotaError } from '../../core/storage.js';
import { quotaAlert } from '../storage/storage-views.js';
import { ENTRY_FORM_ID } from '../entry/entry-views.js';
import { DRAFT_FORMS } from '../drafts.js';
import { planContacts } from './contact-routes.js';
import { htmlResponse } from '../views.js';
import { CRISIS_PATH, PLAN_KIND, PLAN_PATH, crisisPage, planForm, planPage, savedNotice } from './safety-views.js';

/** The plan: the most recently changed live entry of the plan's kind, or null. @param {any[]} entries */
export const currentPlan = (entries) => entries.filter((e) => e.kind === PLAN_KIND)
  .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))[0] ?? null;

/**
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App} app `crisisLines` the operator's lines (cached by the worker for offline use)
 */
export function register(router, app) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);
  const crisis = async () => (await app.crisisLines?.().catch(() => null)) ?? NO_LINES;

  async function plan(env) {
    return currentPlan(await listEntries(env.db, env.me));
  }

  async function show({ notice = null, status = 200, headers = {} } = {}) {
    const env = await app.load();
    const kind = env.kinds.get(PLAN_KIND);
    if (!kind) return page(crisisPage(await crisis()), 200);
    const [current, lines, theirs] = await Promise.all([plan(env), crisis(), planContacts(env.db, env.me)]);
    return page(planPage({ plan: current, kind, crisis: lines, contacts: theirs, notice,
      panel: current && app.panel ? await app.panel(current.id) : null }), status, headers);
  }

  async function editForm() {
    const env = await app.load();
    const kind = env.kinds.get(PLAN_KIND);
    if (!kind) return show();
    const current = await plan(env);
    return page(planForm({ kind, plan: current, values: current?.fields ?? {} }));
  }

  async function save({ request }) {
    const env = await app.load();
    const kind = env.kinds.get(PLAN_KIND);
    if (!kind) return show({ status: 409 });
    const current = await plan(env);
    const form = await request.formData();
    const values = readForm(kind, form);
    // The version the edit was made from: when the plan moved on since (another device), the edit is merged into it.
    const from = /^[1-9][0-9]{0,9}$/.test(String(form.get('from') ?? '')) ? Number(form.get('from')) : null;
    let fields;
    try {
      fields = validateFields(kind, values);
    } catch (err) {
      if (err instanceof FieldError) return page(planForm({ kind, plan: current, values, error: err, from }), 422);
      throw err;
    }
    // `free_space=yes`: the full device's alert sent the form again; free what can be fetched again first.
    const freed = form.get('free_space') === 'yes';
    if (freed) await app.storage?.freeSpace();
    let saved;
    try {
      saved = current ? await updateEntry(env.db, env.me, current.id, fields, kind, { from, kinds: env.kinds })
        : await createEntry(env.db, env.me, kind.id, fields);
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      // One transaction, aborted whole: nothing was written. The form again with what was typed, and the alert.
      return page(planForm({ kind, plan: current, values, from, alert: quotaAlert(ENTRY_FORM_ID, { freed }) }), 507);
    }
    const draft = current ? DRAFT_FORMS.entryEdit(current.id) : DRAFT_FORMS.entryNew(kind.id);
    await discardDraft(env.db, env.me, draft).catch(() => {});
    if (!saved) return show({ status: 404 });
    return show({ notice: savedNotice(), headers: { 'HX-Push-Url': PLAN_PATH } });
  }

  /** No `app.load()` here: the crisis page needs no key and shows nothing of the account. */
  async function crisisView() {
    return page(crisisPage(await crisis()));
  }

  router
    .add('GET', PLAN_PATH, () => show())
    .add('GET', `${PLAN_PATH}/edit`, editForm)
    .add('POST', PLAN_PATH, save)
    .add('GET', CRISIS_PATH, crisisView);
  return router;
}
