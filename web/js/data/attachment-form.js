/**
 * What an entry form sends for a field of type `attachments` (the contract in docs/WEB.md "Attachments"): the ids it
 * keeps (`<name>`, in display order), the new files (`<name>.new`, each with its `<name>.new-meta`, in the same
 * order). Read and checked here before anything is sealed; sealing and storing is data/blobs.js.
 */

import { FieldError } from '../core/kinds.js';
import { MAX_ATTACHMENT_BYTES, MEDIA_TYPES } from '../core/attachments.js';
import { text } from '../core/messages.js';

export { MAX_ATTACHMENT_BYTES };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A new file's media type as an attachment names it: the MIME type without parameters (a recorder's
 * `audio/webm;codecs=opus` is `audio/webm`), lowercase; null when the field does not take it.
 * @param {string} type @param {string[]} media the field's top-level types (`["audio"]`, `["image"]`)
 */
export function mediaOf(type, media) {
  const bare = String(type ?? '').split(';')[0].trim().toLowerCase();
  return Object.hasOwn(MEDIA_TYPES, bare) && media.includes(MEDIA_TYPES[bare]) ? bare : null;
}

/**
 * The optional facts of a new file (`<name>.new-meta`, JSON): `duration_ms` for audio, `width` and `height` (both or
 * neither) for images, each kept only when it is a whole number in its range (PROTOCOL.md §19); anything else is
 * dropped, never refused: they only help a screen show the attachment before it is opened.
 * @param {unknown} raw @param {string} media @returns {Record<string, number>}
 */
export function readMeta(raw, media) {
  let meta;
  try {
    meta = typeof raw === 'string' && raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return {};
  const whole = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
  if (media.startsWith('audio/')) {
    return whole(meta.duration_ms, 0, 3_600_000) ? { duration_ms: meta.duration_ms } : {};
  }
  if (whole(meta.width, 1, 8192) && whole(meta.height, 1, 8192)) return { width: meta.width, height: meta.height };
  return {};
}

const problem = (field, key, params = {}) => new FieldError(text(key, { label: field.label, ...params }), field.id);

/** The FieldError for a photo whose bytes are no picture this app can clean of its metadata (data/blobs.js). */
export const unreadablePicture = (field) => problem(field, 'upload.problem.type');

/**
 * What the form asks for one attachments field: the items it keeps (taken from `previous`, the field's value in the
 * revision the form edits, in the order the form lists them) and the files to add, each with its media type and
 * facts. Refused (FieldError, nothing sealed or stored) when it keeps an id `previous` does not hold, names one twice,
 * sends a file the field does not take (type, empty, too large), or more items than the field holds.
 * @param {import('../core/kinds.js').Field & {constraints: {media?: string[], max_items?: number}}} field
 * @param {FormData} form @param {string} name the field's form name (`f.<field id>`)
 * @param {unknown} previous the field's value before (an array of items, or nothing)
 * @returns {{kept: Record<string, unknown>[], added: {file: File, media: string, meta: Record<string, number>}[]}}
 */
export function readAttachmentsForm(field, form, name, previous) {
  const before = new Map((Array.isArray(previous) ? previous : [])
    .filter((item) => item && typeof item === 'object' && typeof item.id === 'string').map((item) => [item.id, item]));
  const kept = [];
  const seen = new Set();
  for (const id of form.getAll(name)) {
    if (typeof id !== 'string' || id === '') continue;
    if (!UUID.test(id) || !before.has(id)) throw problem(field, 'upload.problem.notKept');
    if (seen.has(id)) throw problem(field, 'upload.problem.twice');
    seen.add(id);
    kept.push(before.get(id));
  }
  const media = field.constraints?.media ?? /** @type {any} */ (field).media ?? [];
  // A file input with no file chosen still sends one empty, nameless file: that is not an attachment.
  const files = form.getAll(`${name}.new`).filter((f) => typeof f !== 'string' && (f.size > 0 || f.name !== ''));
  const metas = form.getAll(`${name}.new-meta`);
  const added = files.map((file, i) => {
    const type = mediaOf(/** @type {File} */ (file).type, media);
    if (!type) throw problem(field, 'upload.problem.type');
    const size = /** @type {File} */ (file).size;
    if (size === 0) throw problem(field, 'upload.problem.empty');
    if (size > MAX_ATTACHMENT_BYTES) throw problem(field, 'upload.problem.large', { max: MAX_ATTACHMENT_BYTES / 2 ** 20 });
    return { file: /** @type {File} */ (file), media: type, meta: readMeta(metas[i], type) };
  });
  const max = field.constraints?.max_items ?? /** @type {any} */ (field).max_items ?? 0;
  if (kept.length + added.length > max) throw problem(field, 'upload.problem.tooMany', { max });
  return { kept, added };
}
