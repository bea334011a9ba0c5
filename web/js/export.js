/**
 * "Save a copy of your entries": every own record of this device, decrypted, as a file the person downloads.
 * Made here in the worker from IndexedDB; nothing of it goes to the server.
 */

import { kindFor } from './assignments.js';
import { getAll } from './db.js';
import { instantWords } from './dates.js';
import { isEntryDocument, listOwnRecords, toEntry } from './entries.js';
import { link, nav, valueText } from './entry-views.js';
import { granteesAfter } from './share.js';
import { html, htmlResponse } from './views.js';

export const JSON_FILE = 'between-entries.json';
export const TEXT_FILE = 'between-entries.txt';

/** Newest first, as sync/client.py lists: created_at, then record id, both descending. */
const newestFirst = (a, b) => (a.created_at !== b.created_at
  ? (String(a.created_at ?? '') < String(b.created_at ?? '') ? 1 : -1)
  : (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

/**
 * Every live own record in the shape `between export --format json` prints (docs/CLI.md): id, kind, fields,
 * created_at, updated_at, shared_with (handles, a pending share or unshare counted as done), pending (not yet
 * on the server), conflicts when a merge kept something aside, and for assignments, answers and session logs
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
    if (!isEntryDocument(doc)) Object.assign(item, { type: doc.type, document: doc });
    return item;
  });
  return out.sort(newestFirst);
}

/** A field's value as a line (or lines) of text. */
function fieldText(field, value) {
  if (field?.type === 'emotions' && Array.isArray(value)) return value.map((v) => `${v.name} ${v.intensity}`).join(', ');
  if (field?.type === 'list' && Array.isArray(value)) return value.map((v) => `- ${v}`).join('\n');
  if (field) {
    try {
      return String(valueText(field, value));
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
      updated_at: item.updated_at, worksheet: item.document?.worksheet, title: item.document?.title });
    const kind = kindFor(kinds, entry);
    const stamp = (s) => (s ? instantWords(s) ?? s : null);
    const lines = [`${kind?.label ?? item.kind}, ${stamp(item.created_at) ?? 'undated'}`];
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

/** The page with the two downloads. */
export function exportPage(me, { entries, others }) {
  const words = entries === 1 ? '1 entry' : `${entries} entries`;
  return html`${nav('account', me.role)}<section aria-labelledby="export-title">
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
    <p>${link('/app/account', 'Back to Sync', 'button secondary')}</p></section>`;
}

/** A download: the local server answers a navigation to it with the file itself, not a page around it. */
const download = (handler) => Object.assign(handler, { download: true });

function file(body, name, type) {
  return new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': `attachment; filename="${name}"` } });
}

/** @param {import('./router.js').Router} router @param {() => Promise<any>} load */
export function addExportRoutes(router, load) {
  router
    .add('GET', '/app/export', async () => {
      const { db, me } = await load();
      const items = await exportRecords(db, me);
      const entries = items.filter((i) => !i.type).length;
      return htmlResponse(exportPage(me, { entries, others: items.length - entries }));
    })
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
