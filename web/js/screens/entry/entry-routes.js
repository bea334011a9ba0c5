/** The service worker's entry handlers (create, read, edit, delete with undo, list, search), named like server routes. */

import {
  createEntry, deleteEntry, getEntry, listEntries, restoreEntry, searchEntries, updateEntry,
} from '../../data/entries.js';
import { discardDraft, listDrafts } from '../../data/drafts.js';
import { sealAttachments } from '../../data/blobs.js';
import { DRAFT_FORMS } from '../drafts.js';
import {
  ENTRY_FORM_ID, chooseKindPage, entriesPage, entryForm, entryPage, notFoundPage, undoNotice,
} from './entry-views.js';
import { kindFor } from '../../core/assignments.js';
import { BetweenError } from '../../core/errors.js';
import { getAll } from '../../data/db.js';
import { chosenPeers } from '../share-switch.js';
import { FieldError, prefilled, readForm, validateFields } from '../../core/kinds.js';
import { isQuotaError } from '../../core/storage.js';
import { quotaAlert, storageNotice } from '../storage/storage-views.js';
import { wordsFor } from '../components.js';
import { html, htmlResponse } from '../views.js';
import { UUID } from '../../engine/router.js';


/**
 * @typedef {{db: IDBDatabase, me: import('../../data/device.js').Unlocked,
 *   kinds: Map<string, import('../../core/kinds.js').Kind>, settings: {wording: string}}} Env
 * @param {import('../../engine/router.js').Router} router
 * @param {import('../features.js').App} app `panel` adds a fragment (sharing) under an entry
 */
export function register(router, { load, panel = async () => null, storage = null }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);
  const notFound = () => page(notFoundPage(), 404);

  /**
   * Save with the device full in mind: `free_space=yes` (the quota alert's button) frees what can be fetched again
   * first. A write refused for quota stored nothing (each save is one transaction, aborted whole): the form comes
   * back with what was typed and the alert (507), or null when it saved.
   * @template T @param {FormData} form @param {() => Promise<T>} save @param {(alert: unknown) => Response} again
   * @returns {Promise<{saved: T}|{refused: Response}>}
   */
  async function saving(form, save, again) {
    const freed = form.get('free_space') === 'yes';
    if (freed) await storage?.freeSpace();
    try {
      return { saved: await save() };
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      return { refused: again(quotaAlert(ENTRY_FORM_ID, { freed })) };
    }
  }

  /** The home screen's storage notice (while entries exist only here), or nothing; never in the way of the list. */
  async function notice() {
    try {
      return storageNotice(await storage?.state({ notice: true }));
    } catch {
      return null;
    }
  }

  async function listPage({ url }) {
    const { db, me, kinds, settings } = await load();
    const query = (url.searchParams.get('q') ?? '').slice(0, 200);
    const all = await listEntries(db, me);
    const found = searchEntries(all, query, (e) => kindFor(kinds, e));
    // The forms in progress, to continue (not under a search: that lists what matches it).
    const drafts = query ? [] : await listDrafts(db, me);
    return page(entriesPage(found, kinds, { query, words: wordsFor(settings), drafts,
      notice: query ? null : await notice() }));
  }

  /** The therapists a new entry could be shared with (each a switch on the form, off unless chosen). */
  async function therapists(db, me) {
    if (!me.session) return [];
    return (await getAll(db, 'peers')).filter((p) => p.role === 'therapist' && p.linked)
      .sort((a, b) => (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0));
  }

  async function newForm({ url }) {
    const { db, me, kinds, settings } = await load();
    const kind = kinds.get(url.searchParams.get('kind') ?? '');
    if (!kind) return page(chooseKindPage(kinds, wordsFor(settings)));
    const share = (await therapists(db, me)).map((peer) => ({ peer, on: false }));
    return page(entryForm(kind, { share, values: prefilled(kind, url.searchParams) }));
  }

  async function create({ request }) {
    const { db, me, kinds } = await load();
    const form = await request.formData();
    const kind = kinds.get(String(form.get('kind') ?? ''));
    if (!kind) return page(chooseKindPage(kinds, wordsFor((await load()).settings)), 422);
    let values = readForm(kind, form);
    const peers = await therapists(db, me);
    const shareWith = chosenPeers(form, peers);
    let fields;
    let blobs = [];
    try {
      // New recordings and photos are sealed here; shown again (refused), the form keeps only what it kept.
      const attached = await sealAttachments(kind, form, {});
      blobs = attached.blobs;
      values = { ...values, ...attached.kept };
      fields = validateFields(kind, { ...values, ...attached.values });
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      const share = peers.map((peer) => ({ peer, on: shareWith.includes(peer.userId) }));
      return page(entryForm(kind, { values, error: err, share }), 422);
    }
    const result = await saving(form, async () => {
      try {
        return await createEntry(db, me, kind.id, fields, {}, { shareWith, blobs });
      } catch (err) {
        // A key that changed between the check and the write: the entry is kept private, its page says why not.
        if (!(err instanceof BetweenError) || err.code !== 'share_blocked') throw err;
        return createEntry(db, me, kind.id, fields, {}, { blobs });
      }
    }, (alert) => page(entryForm(kind, { values, alert,
      share: peers.map((peer) => ({ peer, on: shareWith.includes(peer.userId) })) }), 507));
    if ('refused' in result) return result.refused;
    const entry = result.saved;
    // Saved: the draft has done its work. One that cannot be deleted stays; the entry is saved all the same.
    await discardDraft(db, me, DRAFT_FORMS.entryNew(kind.id)).catch(() => {});
    return page(entryPage(entry, kind, await panel(entry.id)), 200, { 'HX-Push-Url': `/app/entries/${entry.id}` });
  }

  async function show({ params }) {
    const { db, me, kinds } = await load();
    if (!UUID.test(params.id)) return notFound();
    const entry = await getEntry(db, me, params.id);
    return entry ? page(entryPage(entry, kindFor(kinds, entry), await panel(entry.id))) : notFound();
  }

  async function editForm({ params }) {
    const { db, me, kinds } = await load();
    if (!UUID.test(params.id)) return notFound();
    const entry = await getEntry(db, me, params.id);
    if (!entry) return notFound();
    const kind = kindFor(kinds, entry);
    // A kind this version does not know has no form here: the entry, kept as it is, says so.
    return page(kind ? entryForm(kind, { entry, values: entry.fields }) : entryPage(entry, null, await panel(entry.id)));
  }

  async function update({ request, params }) {
    const { db, me, kinds } = await load();
    if (!UUID.test(params.id)) return notFound();
    const entry = await getEntry(db, me, params.id);
    if (!entry) return notFound();
    const kind = kindFor(kinds, entry);
    if (!kind) return page(entryPage(entry, null, await panel(entry.id)), 409);
    const form = await request.formData();
    let values = readForm(kind, form);
    // The version the edit was made from: when the entry moved on since, the edit is merged into it (updateEntry).
    const from = /^[1-9][0-9]{0,9}$/.test(String(form.get('from') ?? '')) ? Number(form.get('from')) : null;
    let fields;
    let blobs = [];
    try {
      // Kept attachments must be the entry's own (its value now); new ones are sealed here.
      const attached = await sealAttachments(kind, form, entry.fields);
      blobs = attached.blobs;
      values = { ...values, ...attached.kept };
      fields = validateFields(kind, { ...values, ...attached.values });
    } catch (err) {
      if (err instanceof FieldError) return page(entryForm(kind, { entry, values, error: err, from }), 422);
      throw err;
    }
    const result = await saving(form, () => updateEntry(db, me, params.id, fields, kind, { from, kinds, blobs }),
      (alert) => page(entryForm(kind, { entry, values, alert, from }), 507));
    if ('refused' in result) return result.refused;
    const saved = result.saved;
    if (saved) await discardDraft(db, me, DRAFT_FORMS.entryEdit(saved.id)).catch(() => {});
    return saved ? page(entryPage(saved, kind, await panel(saved.id)), 200, { 'HX-Push-Url': `/app/entries/${saved.id}` }) : notFound();
  }

  async function remove({ params }) {
    const { db, me, kinds, settings } = await load();
    if (!UUID.test(params.id) || !(await deleteEntry(db, me, params.id))) return notFound();
    await discardDraft(db, me, DRAFT_FORMS.entryEdit(params.id)).catch(() => {}); // an edit in progress of what is gone
    return page(entriesPage(await listEntries(db, me), kinds, { notice: undoNotice(params.id), words: wordsFor(settings),
      drafts: await listDrafts(db, me) }), 200,
      { 'HX-Push-Url': '/app/entries' });
  }

  async function restore({ params }) {
    const { db, me, kinds } = await load();
    if (!UUID.test(params.id)) return notFound();
    const entry = await restoreEntry(db, me, params.id);
    if (!entry) return notFound();
    return page(html`<p class="notice" role="status">Entry restored.</p>${entryPage(entry, kindFor(kinds, entry), await panel(entry.id))}`, 200,
      { 'HX-Push-Url': `/app/entries/${entry.id}` });
  }

  router
    .add('GET', '/app/entries', listPage)
    .add('GET', '/app/entries/new', newForm)
    .add('POST', '/app/entries', create)
    .add('GET', '/app/entries/:id', show)
    .add('GET', '/app/entries/:id/edit', editForm)
    .add('POST', '/app/entries/:id', update)
    .add('POST', '/app/entries/:id/delete', remove)
    .add('POST', '/app/entries/:id/restore', restore);
  return router;
}
