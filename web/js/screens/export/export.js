/**
 * "Save a copy of your entries": every own record of this device, decrypted, as a file the person downloads, and
 * "Bring back a saved copy". Made and read here in the worker, with IndexedDB; nothing of it goes to the server.
 */

import { kindFor, WORKSHEET } from '../../core/assignments.js';
import { getAll } from '../../data/db.js';
import { instantWords } from '../../core/dates.js';
import { copyEntry, isEntryDocument, listEntries, listOwnRecords, newestFirst, toEntry } from '../../data/entries.js';
import { fieldType } from '../../core/fields.js';
import { FieldError, validateFields } from '../../core/kinds.js';
import { isTimestamp } from '../../core/merge.js';
import { granteesAfter } from '../../core/sharing.js';
import { backToMore, kindWords, nav } from '../components.js';
import { newerChoice } from '../fields.js';
import { html, htmlResponse, t } from '../views.js';

export const JSON_FILE = 'between-entries.json';
export const TEXT_FILE = 'between-entries.txt';

/**
 * Every live own record in the shape `between export --format json` prints (docs/CLI.md): id, kind, fields,
 * created_at, updated_at, shared_with (handles, a pending share or unshare counted as done), pending (not yet
 * on the server), conflicts when a merge kept something aside, the `worksheet` and `title` an answer to a worksheet
 * carries (its questions, without which the answers say little), and for assignments, answers and session logs
 * their `type` and whole `document`.
 */
export async function exportRecords(db, me) {
  const peers = new Map((await getAll(db, 'peers')).map((p) => [p.userId, p]));
  const out = (await listOwnRecords(db, me)).map(({ row, doc }) => {
    const item = { id: row.recordId, kind: doc.kind ?? null, fields: doc.fields ?? {},
      created_at: doc.created_at ?? null, updated_at: doc.updated_at ?? null,
      shared_with: [...granteesAfter(row)].sort().map((uid) => peers.get(uid)?.handle ?? uid),
      pending: (row.syncedVersion ?? 0) < row.head.version };
    if (Array.isArray(doc.conflicts) && doc.conflicts.length) item.conflicts = doc.conflicts;
    if (doc.kind === WORKSHEET && isEntryDocument(doc)) Object.assign(item, { worksheet: doc.worksheet, title: doc.title });
    if (!isEntryDocument(doc)) Object.assign(item, { type: doc.type, document: doc });
    return item;
  });
  return out.sort(newestFirst((i) => [String(i.created_at ?? ''), i.id]));
}

/** A field's value as a line (or lines) of text, as its type writes it (core/fields.js): choices by their labels. */
function fieldText(field, value) {
  if (field) {
    try {
      const type = fieldType(field.type);
      return type ? type.text(field, value, newerChoice) : String(value);
    } catch {
      // a value the kind does not expect (a newer app's): shown as it is below
    }
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The entries (not assignments or logs) as plain text a person can read, print or keep. */
export function exportText(items, kinds, handle = null) {
  const entries = items.filter((i) => !i.type);
  const head = [`Between: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${handle ? ` of ${handle}` : ''}`,
    `Saved ${instantWords(new Date().toISOString()) ?? new Date().toISOString()}. Anyone who has this file can read it.`];
  const blocks = entries.map((item) => {
    const entry = toEntry(item.id, 0, { kind: item.kind, fields: item.fields, created_at: item.created_at,
      updated_at: item.updated_at, worksheet: item.worksheet, title: item.title });
    const kind = kindFor(kinds, entry);
    const stamp = (s) => (s ? instantWords(s) ?? s : null);
    const lines = [`${kindWords(kind, item.kind)}, ${stamp(item.created_at) ?? 'undated'}`];
    if (item.updated_at && item.updated_at !== item.created_at) lines.push(`Edited ${stamp(item.updated_at)}`);
    if (item.shared_with.length) lines.push(`Shared with ${item.shared_with.join(', ')}`);
    const known = kind?.fields ?? [];
    const order = [...known.map((f) => f.id), ...Object.keys(item.fields).filter((id) => !known.some((f) => f.id === id)).sort()];
    for (const id of order.filter((i) => item.fields[i] !== undefined && item.fields[i] !== null)) {
      const field = known.find((f) => f.id === id);
      const text = fieldText(field, item.fields[id]);
      lines.push('', `${field?.label ?? id}:`, ...text.split('\n').map((l) => `  ${l}`));
    }
    for (const note of item.conflicts ?? []) lines.push('', `Note: ${note?.note ?? ''}`);
    return lines.join('\n');
  });
  return [head.join('\n'), ...blocks].join(`\n\n${'─'.repeat(40)}\n\n`) + '\n';
}

// ---- bringing a copy back

/** Largest copy read back: far above any real journal, far below what would stall the worker. */
export const MAX_COPY_BYTES = 50 * 1024 * 1024;

export class CopyError extends Error {}

/**
 * The entries of a saved JSON copy that this device does not hold yet. An entry is "already here" when one of the
 * same kind was written at the same moment (an older copy of an entry edited since is not brought back over it).
 * Assignments, answers and session notes come with sync, not from a file. Each entry's fields are checked as a
 * form's are; one that fails is left out and counted, the others still come back. `between import` has the same rules
 * (sync/client/saved_copy.py): both pass every case of tests/vectors/restore.json.
 * @param {string} text @param {Map<string, any>} kinds @param {{kind: string, createdAt: string}[]} existing
 */
export function readCopy(text, kinds, existing) {
  let items;
  try {
    items = JSON.parse(text);
  } catch {
    throw new CopyError('This file is not a copy saved from Between (it is not JSON).');
  }
  if (!Array.isArray(items)) {
    throw new CopyError('This file is not a copy saved from Between (it holds no list of entries).');
  }
  const here = new Set(existing.map((e) => `${e.kind}\n${e.createdAt}`));
  const out = { entries: [], already: 0, unreadable: 0, notEntries: 0 };
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      out.unreadable += 1;
      continue;
    }
    if (item.type !== undefined) {
      out.notEntries += 1;
      continue;
    }
    const kind = kinds.get(item.kind);
    // Its time is what tells it apart from the entries here: without one it could come back again on every try.
    if (!kind || item.fields === null || typeof item.fields !== 'object' || Array.isArray(item.fields)
        || !isTimestamp(item.created_at)) {
      out.unreadable += 1;
      continue;
    }
    let fields;
    try {
      fields = validateFields(kind, item.fields);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      out.unreadable += 1;
      continue;
    }
    const createdAt = item.created_at;
    const updatedAt = isTimestamp(item.updated_at) && item.updated_at >= createdAt ? item.updated_at : createdAt;
    const key = `${kind.id}\n${createdAt}`;
    if (here.has(key)) {
      out.already += 1;
      continue;
    }
    here.add(key);
    out.entries.push({ kind: kind.id, fields, createdAt, updatedAt });
  }
  return out;
}

const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** What bringing a copy back did, in words. */
export function copyWords({ entries, already, unreadable, notEntries }) {
  const parts = [entries.length ? `Brought back ${count(entries.length, 'entry', 'entries')}.`
    : 'No entry was brought back.'];
  if (already) parts.push(`${count(already, 'was', 'were')} on this device already.`);
  if (unreadable) {
    parts.push(`${count(unreadable, 'entry', 'entries')} could not be read and ${unreadable === 1 ? 'was' : 'were'} left out.`);
  }
  if (notEntries) {
    parts.push(`${count(notEntries, 'assignment, answer or note was', 'assignments, answers and notes were')} left `
      + 'out: they come back with sync.');
  }
  return parts.join(' ');
}

/** The page with the two downloads. */
export function exportPage(me, { entries, others, notice = null, problem = null }) {
  const words = count(entries, 'entry', 'entries');
  return html`${nav('more', me.role, t('more.copy'))}<section aria-labelledby="export-title">
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <h1 id="export-title">Save a copy of your entries</h1>
    <p class="lead">This device holds ${words} of yours${others ? html`, and ${others} ${others === 1 ? 'assignment, answer or session note'
      : 'assignments, answers and session notes'} (in the JSON file)` : null}. The copy is made here, on this device,
      from what it holds; nothing is sent anywhere.</p>
    <p class="notice">The file is not encrypted: anyone who opens it can read your entries. Keep it somewhere only you
      can reach, and delete it when you no longer need it.</p>
    <ul class="downloads">
      <li><a class="button" href="/app/export/${TEXT_FILE}">Download as text</a>
        <span>to read, print or keep</span></li>
      <li><a class="button secondary" href="/app/export/${JSON_FILE}">Download as JSON</a>
        <span>every detail, for another program (the same as <code>between export --format json</code>)</span></li>
    </ul>
    <section aria-labelledby="copy-back-title"><h2 id="copy-back-title">Bring back a saved copy</h2>
      <p>Choose a JSON file saved from Between, on this device or another. Its entries are added here, encrypted;
        entries already here stay as they are.</p>
      <form action="/app/export/import" method="post" enctype="multipart/form-data" hx-post="/app/export/import"
        hx-target="#view">
        ${problem ? html`<p class="error" role="alert" id="copy-error">${problem}</p>` : null}
        <div class="field"><label for="copy-file">Saved copy (JSON)</label>
          <input id="copy-file" type="file" name="copy" accept=".json,application/json" required
            ${problem ? html`aria-invalid="true" aria-describedby="copy-error"` : null}></div>
        <div class="actions"><button type="submit" class="secondary">Bring back</button></div>
      </form></section>
    <div class="actions">${backToMore()}</div></section>`;
}

/** A download: the local server answers a navigation to it with the file itself, not a page around it. */
const download = (handler) => Object.assign(handler, { download: true });

function file(body, name, type) {
  return new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': `attachment; filename="${name}"` } });
}

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { load }) {
  async function page(extra = {}, status = 200) {
    const { db, me } = await load();
    const records = await listOwnRecords(db, me);
    const entries = records.filter(({ doc }) => isEntryDocument(doc)).length;
    return htmlResponse(exportPage(me, { entries, others: records.length - entries, ...extra }), status);
  }

  async function bringBack({ request }) {
    const { db, me, kinds } = await load();
    let found;
    try {
      const copy = (await request.formData()).get('copy');
      if (!copy || typeof copy === 'string' || !copy.size) throw new CopyError('Please choose a saved copy first.');
      if (copy.size > MAX_COPY_BYTES) throw new CopyError('This file is too large to be a copy of Between entries.');
      found = readCopy(await copy.text(), kinds, await listEntries(db, me));
    } catch (err) {
      if (!(err instanceof CopyError)) throw err;
      return page({ problem: err.message }, 422);
    }
    // One at a time, each sealed and stored in its own transaction, as when it is written by hand.
    for (const e of found.entries) await copyEntry(db, me, e.kind, e.fields, e.createdAt, e.updatedAt);
    return page({ notice: copyWords(found) });
  }

  router
    .add('GET', '/app/export', () => page())
    .add('POST', '/app/export/import', bringBack)
    .add('GET', `/app/export/${JSON_FILE}`, download(async () => {
      const { db, me } = await load();
      return file(`${JSON.stringify(await exportRecords(db, me), null, 2)}\n`, JSON_FILE, 'application/json');
    }))
    .add('GET', `/app/export/${TEXT_FILE}`, download(async () => {
      const { db, me, kinds } = await load();
      return file(exportText(await exportRecords(db, me), kinds, me.handle), TEXT_FILE, 'text/plain; charset=utf-8');
    }));
  return router;
}
