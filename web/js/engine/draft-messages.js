/**
 * The page's draft messages, answered in the worker: the page sends a form's values by postMessage (never as a
 * request, which a hard reload would send to the network), the worker seals and stores them (data/drafts.js).
 *
 * | page sends | worker answers |
 * |---|---|
 * | `{type: 'draft', op: 'save', form, path, kind, title, what, base, values}` | `{ok: true, updatedAt}` or `{ok: false}` |
 * | `{type: 'draft', op: 'get', form}` | `{ok: true, draft: {values, updatedAt, base}}`, `draft: null` when there is none |
 * | `{type: 'draft', op: 'discard', form}` | `{ok: true}` |
 */

import { discardDraft, readDraft, saveDraft } from '../data/drafts.js';

const MAX_NAME = 300;
const MAX_PAIRS = 5000;

/** A short piece of text, or null. */
const text = (value, max) => (typeof value === 'string' && value.length <= max ? value : null);

/** The form's identity: printable, short, with no spaces ("entry/new/journal", "todo/<aid>/<day>/not-done"). */
const formOf = (value) => {
  const form = text(value, 300);
  return form && /^[\w./:-]+$/.test(form) ? form : null;
};

/** An address of the app the draft's form is shown at ("/app/…"): a link in the lists of drafts. */
const pathOf = (value) => {
  const path = text(value, 500);
  return path && /^\/app\/[\w./?=&%:-]*$/.test(path) && !path.includes('//') ? path : null;
};

/** The values as the page read them: [name, value] pairs of text. @returns {[string, string][]|null} */
function valuesOf(value) {
  if (!Array.isArray(value) || value.length > MAX_PAIRS) return null;
  const ok = value.every((pair) => Array.isArray(pair) && pair.length === 2 && text(pair[0], MAX_NAME) !== null
    && typeof pair[1] === 'string');
  return ok ? value.map(([name, v]) => /** @type {[string, string]} */ ([name, v])) : null;
}

/**
 * Answer one draft message.
 * @param {() => Promise<{db: IDBDatabase, me: import('../data/device.js').Unlocked}>} env
 * @param {Record<string, unknown>} data
 */
export async function draftMessage(env, data) {
  const form = formOf(data?.form);
  if (!form) return { ok: false };
  const { db, me } = await env();
  try {
    switch (data.op) {
      case 'save': {
        const path = pathOf(data.path);
        const values = valuesOf(data.values);
        if (!path || !values) return { ok: false };
        const updatedAt = await saveDraft(db, me, { form, path, values, kind: text(data.kind, 100) ?? '',
          title: text(data.title, 300) ?? '', what: text(data.what, 20) ?? '', base: text(data.base, 40) ?? '' });
        return { ok: true, updatedAt };
      }
      case 'get': {
        const draft = await readDraft(db, me, form);
        return { ok: true, draft: draft && { values: draft.values, updatedAt: draft.updatedAt,
          base: draft.base ?? '' } };
      }
      case 'discard':
        await discardDraft(db, me, form);
        return { ok: true };
      default:
        return { ok: false };
    }
  } catch (err) {
    // Only the error's class: a message could echo something of the draft.
    console.error('between: draft', err?.name ?? 'error');
    return { ok: false };
  }
}
