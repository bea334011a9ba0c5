/**
 * "Save a copy of your entries": every own record of this device, decrypted, as a file the person downloads, and
 * "Bring back a saved copy". Made and read here in the worker, with IndexedDB; nothing of it goes to the server.
 */

import { kindFor, WORKSHEET } from '../../core/assignments.js';
import { getAll } from '../../data/db.js';
import { instantWords } from '../../core/dates.js';
import { copyEntry, isEntryDocument, listEntries, listOwnRecords, newestFirst, toEntry } from '../../data/entries.js';
import { attachmentWords, fieldType, isAttachmentList } from '../../core/fields.js';
import { FieldError, validateFields } from '../../core/kinds.js';
import { isTimestamp, NOTE_DELETE, NOTE_ITEM, NOTE_LIST, NOTE_TEXT, NOTE_VALUE } from '../../core/merge.js';
import { granteesAfter } from '../../core/sharing.js';
import { backToMore, kindWords, listWords, nav } from '../components.js';
import { newerChoice } from '../fields.js';
import { html, htmlResponse, t, tt } from '../views.js';
import { namedAttachments } from '../../data/blobs.js';
import { createAttachments } from '../../engine/attachments.js';
import { zipParts } from '../../core/zip.js';

export const JSON_FILE = 'between-entries.json';
export const TEXT_FILE = 'between-entries.txt';
export const ZIP_FILE = 'between-copy.zip';

/** A file name's ending for each media type an attachment may have (PROTOCOL.md §19). */
export const EXTENSIONS = Object.freeze({ 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a',
  'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/png': 'png' });

/** Where an attachment goes in the zip: `attachments/<record id>/<attachment id>.<ext>`. */
export const attachmentPath = (recordId, item) => `attachments/${recordId}/${item.id}.${EXTENSIONS[item.media] ?? 'bin'}`;

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
  if (isAttachmentList(value)) return value.map(attachmentWords).join('\n'); // in words, never by their keys
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The entries (not assignments or logs) as plain text a person can read, print or keep. */
export function exportText(items, kinds, handle = null, now = new Date()) {
  const entries = items.filter((i) => !i.type);
  const head = [t('export.text.head', { count: entries.length, handle: handle ?? 'none' }),
    t('export.text.saved', { when: instantWords(now.toISOString()) ?? now.toISOString() })];
  const blocks = entries.map((item) => {
    const entry = toEntry(item.id, 0, { kind: item.kind, fields: item.fields, created_at: item.created_at,
      updated_at: item.updated_at, worksheet: item.worksheet, title: item.title });
    const kind = kindFor(kinds, entry);
    const stamp = (s) => (s ? instantWords(s) ?? s : null);
    const lines = [t('export.text.entry', { kind: kindWords(kind, item.kind),
      when: stamp(item.created_at) ?? t('export.text.undated') })];
    if (item.updated_at && item.updated_at !== item.created_at) {
      lines.push(t('export.text.edited', { when: stamp(item.updated_at) }));
    }
    if (item.shared_with.length) lines.push(t('export.text.shared', { handles: listWords(item.shared_with) }));
    const known = kind?.fields ?? [];
    const order = [...known.map((f) => f.id), ...Object.keys(item.fields).filter((id) => !known.some((f) => f.id === id)).sort()];
    for (const id of order.filter((i) => item.fields[i] !== undefined && item.fields[i] !== null)) {
      const field = known.find((f) => f.id === id);
      const text = fieldText(field, item.fields[id]);
      lines.push('', t('export.text.field', { label: field?.label ?? id }), ...text.split('\n').map((l) => `  ${l}`));
    }
    for (const note of item.conflicts ?? []) lines.push('', t('export.text.note', { note: noteWords(note) }));
    return lines.join('\n');
  });
  return [head.join('\n'), ...blocks].join(`\n\n${'─'.repeat(40)}\n\n`) + '\n';
}

// A merge note's fixed English (docs/MERGE.md "Notes": one text per kind of note, stored as it is so any reader
// recognises it) -> its words in the catalogue. A note this version does not know (a newer one's) shows as stored.
const NOTE_KEYS = new Map([[NOTE_TEXT, 'text'], [NOTE_VALUE, 'value'], [NOTE_LIST, 'list'], [NOTE_ITEM, 'item'],
  [NOTE_DELETE, 'delete']]);

/** A merge note stored in a document, in the language in use. @param {any} note @returns {string} */
export function noteWords(note) {
  const key = NOTE_KEYS.get(note?.note);
  return key ? t(`merge.note.${key}`) : String(note?.note ?? '');
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
    throw new CopyError(t('export.problem.notJson'));
  }
  if (!Array.isArray(items)) {
    throw new CopyError(t('export.problem.noList'));
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

/** What bringing a copy back did, in words. */
export function copyWords({ entries, already, unreadable, notEntries }) {
  const parts = [entries.length ? t('export.back.some', { count: entries.length }) : t('export.back.none')];
  if (already) parts.push(t('export.back.already', { count: already }));
  if (unreadable) parts.push(t('export.back.unreadable', { count: unreadable }));
  if (notEntries) parts.push(t('export.back.notEntries', { count: notEntries }));
  return parts.join(' ');
}

/** The page with the two downloads. */
export function exportPage(me, { entries, others, notice = null, problem = null }) {
  return html`${nav('more', me.role, t('more.copy'))}<section aria-labelledby="export-title">
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <h1 id="export-title">${t('export.heading')}</h1>
    <p class="lead">${t('export.lead', { count: entries, others })}</p>
    <p class="notice">${t('export.notEncrypted')}</p>
    <ul class="downloads">
      <li><a class="button" href="/app/export/${ZIP_FILE}">${t('upload.export.zip')}</a>
        <span>${t('upload.export.zipHint')}</span></li>
      <li><a class="button secondary" href="/app/export/${TEXT_FILE}">${t('export.download.text')}</a>
        <span>${t('export.download.textHint')}</span></li>
      <li><a class="button secondary" href="/app/export/${JSON_FILE}">${t('export.download.json')}</a>
        <span>${tt('export.download.jsonHint', { command: html`<code>between export --format json</code>` })}</span></li>
    </ul>
    <section aria-labelledby="copy-back-title"><h2 id="copy-back-title">${t('export.back.heading')}</h2>
      <p>${t('export.back.lead')}</p>
      <form action="/app/export/import" method="post" enctype="multipart/form-data" hx-post="/app/export/import"
        hx-target="#view">
        ${problem ? html`<p class="error" role="alert" id="copy-error">${problem}</p>` : null}
        <div class="field"><label for="copy-file">${t('export.back.file')}</label>
          <input id="copy-file" type="file" name="copy" accept=".json,application/json" required
            ${problem ? html`aria-invalid="true" aria-describedby="copy-error"` : null}></div>
        <div class="actions"><button type="submit" class="secondary">${t('export.back.submit')}</button></div>
      </form></section>
    <div class="actions">${backToMore()}</div></section>`;
}

/** A download: the local server answers a navigation to it with the file itself, not a page around it. */
const download = (handler) => Object.assign(handler, { download: true });

function file(body, name, type) {
  return new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': `attachment; filename="${name}"` } });
}

/**
 * "Save a copy" with the recordings and photos: the JSON and the text as the other downloads, and each attachment of
 * an entry, decrypted (from this device, or fetched and verified), under `attachments/`. One that cannot be had now
 * (offline and not here, no longer kept) is named in `attachments/missing.txt` instead.
 * @param {{db: IDBDatabase, me: any, kinds: Map<string, any>}} env @param {ReturnType<typeof createAttachments>} attachments
 */
export async function copyZip({ db, me, kinds }, attachments, now = new Date()) {
  const utf8 = new TextEncoder();
  const records = await exportRecords(db, me);
  /** @type {{name: string, bytes: Uint8Array}[]} */
  const files = [
    { name: JSON_FILE, bytes: utf8.encode(`${JSON.stringify(records, null, 2)}\n`) },
    { name: TEXT_FILE, bytes: utf8.encode(exportText(records, kinds, me.handle, now)) },
  ];
  const missing = [];
  for (const record of records.filter((r) => !r.type)) {
    for (const item of namedAttachments(record)) {
      const found = await attachments.read(record.id, item.id);
      const name = attachmentPath(record.id, item);
      if ('bytes' in found) files.push({ name, bytes: found.bytes });
      else missing.push(name);
    }
  }
  if (missing.length) {
    files.push({ name: 'attachments/missing.txt',
      bytes: utf8.encode(`${t('upload.export.missing', { count: missing.length })}\n\n${missing.join('\n')}\n`) });
  }
  return new Blob(/** @type {BlobPart[]} */ (zipParts(files, now)), { type: 'application/zip' });
}

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { load, sessionApi = async () => null }) {
  const attachments = createAttachments({ load, sessionApi });
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
      if (!copy || typeof copy === 'string' || !copy.size) throw new CopyError(t('export.problem.none'));
      if (copy.size > MAX_COPY_BYTES) throw new CopyError(t('export.problem.tooLarge'));
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
    .add('GET', `/app/export/${ZIP_FILE}`, download(async () => file(await copyZip(await load(), attachments), ZIP_FILE,
      'application/zip')))
    .add('GET', `/app/export/${TEXT_FILE}`, download(async () => {
      const { db, me, kinds } = await load();
      return file(exportText(await exportRecords(db, me), kinds, me.handle), TEXT_FILE, 'text/plain; charset=utf-8');
    }));
  return router;
}
