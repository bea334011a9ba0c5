/**
 * The therapist's out-of-hours contact on a client's safety plan (docs/ASSIGNMENTS.md, "The plan contact"): an own
 * document of the therapist's (`type: plan-contact`), shared with that one client when it is made, edited or taken
 * off the plan (`withdrawn`) like an assignment. The client's plan shows the latest live one from each therapist
 * it trusts (`planContacts`), under "Professionals and services"; the client cannot change it.
 */

import { validatePlanContact } from '../../core/assignments.js';
import { uuidString } from '../../core/bytes.js';
import { BetweenError } from '../../core/errors.js';
import { SHOWN } from '../todo/assigned.js';
import { trustOf } from '../todo/todo.js';
import { FieldError } from '../../core/kinds.js';
import { get, getAll } from '../../data/db.js';
import { createDocument, listOwnDocuments, updateDocument } from '../../data/documents.js';
import { listReceived } from '../../engine/received.js';
import { UUID } from '../../engine/router.js';
import { htmlResponse } from '../views.js';
import { contactBlockedPage, contactForm, contactNotFoundPage } from './contact-views.js';

export const TYPE = 'plan-contact';
const stamp = (date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The contacts on this client's plan: from each therapist the device takes records from (verified, or unverified and
 * said so), their latest valid one that is not taken off, addressed to this client. Newest first.
 * @param {IDBDatabase} db @param {any} me
 * @returns {Promise<{from: string, name: string, phone: string, sms: string|null, hours: string|null,
 *   note: string|null}[]>}
 */
export async function planContacts(db, me) {
  const peers = new Map((await getAll(db, 'peers')).map((p) => [p.userId, p]));
  const seen = new Set();
  const out = [];
  const mine = uuidString(me.userId);
  for (const record of await listReceived(db, me, { type: TYPE })) {
    const peer = peers.get(record.ownerId);
    if (!peer?.linked || !SHOWN.has(trustOf(peer)) || seen.has(record.ownerId)) continue;
    let doc;
    try {
      doc = validatePlanContact(record.doc);
    } catch (err) {
      if (err instanceof FieldError) continue;
      throw err;
    }
    if (doc.client_id !== mine) continue;
    seen.add(record.ownerId); // the newest of theirs decides, taken off or not
    if (!doc.withdrawn) {
      out.push({ from: peer.handle, name: doc.name, phone: doc.phone, sms: doc.sms ?? null, hours: doc.hours ?? null,
        note: doc.note ?? null });
    }
  }
  return out;
}

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { load, changed = () => {}, now = () => new Date() }) {
  const page = (fragment, status = 200, headers = {}) => htmlResponse(fragment, status, headers);

  /** The therapist's env, the client of `uid` and the contact made for them (or null); null for no such client. */
  async function clientOf(uid) {
    if (!UUID.test(uid)) return null;
    const env = await load();
    if (env.me.role !== 'therapist') return null;
    const peer = await get(env.db, 'peers', uid);
    if (!peer) return null;
    const own = (await listOwnDocuments(env.db, env.me, TYPE)).find((d) => d.doc.client_id === uid) ?? null;
    return { ...env, peer, own };
  }

  async function showForm({ params }) {
    const c = await clientOf(params.uid);
    if (!c) return page(contactNotFoundPage(), 404);
    const live = c.own && !c.own.doc.withdrawn ? c.own.doc : null;
    return page(contactForm({ peer: c.peer, values: live ?? {}, current: live }));
  }

  /** The form's values as a document; `withdrawn` to take it off the plan. */
  function documentOf(c, form, withdrawn) {
    const at = stamp(now());
    const values = Object.fromEntries(['name', 'phone', 'sms', 'hours', 'note']
      .map((k) => [k, String(form.get(k) ?? (c.own?.doc[k] ?? ''))]));
    return { values, doc: { v: 1, type: TYPE, client_id: c.peer.userId, ...values, withdrawn,
      created_at: c.own?.doc.created_at ?? at, updated_at: at } };
  }

  async function save(c, form, withdrawn) {
    const { values, doc } = documentOf(c, form, withdrawn);
    let valid;
    try {
      valid = validatePlanContact(doc);
    } catch (err) {
      if (err instanceof FieldError) return page(contactForm({ peer: c.peer, values, error: err, current: null }), 422);
      throw err;
    }
    try {
      if (c.own) await updateDocument(c.db, c.me, c.own.id, valid);
      else await createDocument(c.db, c.me, valid, { shareWith: [c.peer.userId] });
    } catch (err) {
      if (err instanceof BetweenError && err.code === 'share_blocked') return page(contactBlockedPage(c.peer), 422);
      throw err;
    }
    changed();
    return page(contactForm({ peer: c.peer, values: withdrawn ? {} : valid, current: withdrawn ? null : valid,
      notice: withdrawn ? 'removed' : 'saved' }), 200, { 'HX-Push-Url': `/app/clients/${c.peer.userId}/plan-contact` });
  }

  async function update({ request, params }) {
    const c = await clientOf(params.uid);
    if (!c) return page(contactNotFoundPage(), 404);
    return save(c, await request.formData(), false);
  }

  async function withdraw({ params }) {
    const c = await clientOf(params.uid);
    if (!c) return page(contactNotFoundPage(), 404);
    if (!c.own || c.own.doc.withdrawn) return showForm({ params });
    return save(c, new FormData(), true);
  }

  router
    .add('GET', '/app/clients/:uid/plan-contact', showForm)
    .add('POST', '/app/clients/:uid/plan-contact', update)
    .add('POST', '/app/clients/:uid/plan-contact/withdraw', withdraw);
  return router;
}
