/**
 * Drafts on the screens: which form a draft belongs to (its identity, the same in the view that marks the form and
 * the route that deletes the draft once the form is saved), the form's marks for the page (page/drafts.js keeps
 * and restores its values), and the list of drafts to continue. Storage is data/drafts.js.
 */

import { instantWords } from '../core/dates.js';
import { link } from './components.js';
import { html, t, tt } from './views.js';

/** The identity of each form that keeps a draft: one draft per identity. */
export const DRAFT_FORMS = Object.freeze({
  /** @param {string} kind */
  entryNew: (kind) => `entry/new/${kind}`,
  /** @param {string} id */
  entryEdit: (id) => `entry/${id}/edit`,
  /** @param {string} aid @param {string} day */
  todoDone: (aid, day) => `todo/${aid}/${day}`,
  /** @param {string} aid @param {string} day */
  todoNotDone: (aid, day) => `todo/${aid}/${day}/not-done`,
  /** @param {string} aid */
  todoFeedback: (aid) => `todo/${aid}/feedback`,
  /** A therapist's new assignment for a client, from a template (its id) or a worksheet ('worksheet').
   * @param {string} uid @param {string} from */
  assignNew: (uid, from) => `assign/${uid}/new/${from}`,
  /** @param {string} id */
  assignEdit: (id) => `assignment/${id}/edit`,
});

/**
 * How many rows of a growing form (`q.<n>.…`, the worksheet builder's questions after "Add more questions") a
 * form's draft holds, so the form can show that many before the draft is put back in it; 0 without a draft.
 * @param {(db: IDBDatabase, me: any, form: string) => Promise<{values: [string, string][]}|null>} read
 *   data/drafts.js readDraft (tests pass their own)
 * @param {IDBDatabase} db @param {any} me @param {string} form
 */
export async function draftRows(read, db, me, form) {
  const draft = await read(db, me, form).catch(() => null);
  let rows = 0;
  for (const [name] of draft?.values ?? []) {
    const m = /^q\.(\d+)\./.exec(name);
    if (m) rows = Math.max(rows, Number(m[1]) + 1);
  }
  return rows;
}

/**
 * The attributes that make a form keep a draft (to put inside its <form> tag): its identity, the address that shows
 * it again, the kind of entry it writes, what it is about in words (an assignment's title) and which form it is.
 * `base`: for a form that edits something, the version it shows (an entry's head version): a draft started from an
 * older version is not put back without asking (page/drafts.js). Never for a form with a secret in it (the account
 * forms): those are never kept.
 * @param {{form: string, path: string, kind?: string, title?: string,
 *   what: 'new'|'edit'|'answer'|'reason'|'feedback'|'assign', base?: string|number}} d
 */
export const draftAttributes = ({ form, path, kind = '', title = '', what, base = '' }) =>
  html`data-draft="${form}" data-draft-path="${path}" data-draft-kind="${kind}" data-draft-title="${title}"
    data-draft-what="${what}" data-draft-base="${String(base)}"`;

/** What a draft is, in words ("New entry", "Answer", …). */
const whatWords = (what) => t('draft.what', { what });

/**
 * "Continue where you left off": the drafts on this device, newest first, each a link back to its form (restored
 * there with "Discard draft"). Nothing when there are none.
 * @param {import('../data/drafts.js').DraftInfo[]} drafts @param {Map<string, {label: string}>} kinds
 */
export function draftsToContinue(drafts, kinds) {
  if (!drafts.length) return null;
  return html`<section class="drafts" aria-labelledby="drafts-title">
    <h2 id="drafts-title">${t('draft.continue.heading')}</h2>
    <ul class="drafts-list">${drafts.map((d) => {
      const name = d.title || kinds.get(d.kind)?.label || whatWords(d.what);
      return html`<li>${link(d.path, name)}
        <span class="meta">${tt('draft.continue.meta', { what: whatWords(d.what),
          when: html`<time datetime="${d.updatedAt}">${instantWords(d.updatedAt) ?? d.updatedAt}</time>` })}</span></li>`;
    })}</ul></section>`;
}
