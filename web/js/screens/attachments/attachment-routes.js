/**
 * The worker's attachment routes (docs/WEB.md "Attachments"): an attachment's bytes, decrypted, for an `<audio>` or an
 * `<img>` (with `Range`, for seeking), and its upload status line. Saving is the entry routes' (screens/entry).
 */

import { UUID } from '../../engine/router.js';
import { MEDIA_TYPES } from '../../core/attachments.js';
import { createAttachments } from '../../engine/attachments.js';
import { htmlResponse } from '../views.js';
import { uploadStatus } from './attachment-views.js';

/**
 * The one range a `Range` header asks of `size` bytes (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-` or `bytes=-n`.
 * null: no range (or one this does not take: several ranges, another unit), answered whole; 'unsatisfiable': it
 * starts past the end (416).
 * @param {string|null} header @param {number} size @returns {{start: number, end: number}|'unsatisfiable'|null}
 */
export function byteRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(String(header ?? '').trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

// Decrypted bytes: kept by no cache, read by nothing but this app's pages. Whatever they hold, they never run as a
// page of this origin (opened in a tab: no script, no plugin, no same-origin access), nor are read as another type.
const PRIVATE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox", 'Cross-Origin-Resource-Policy': 'same-origin' };

/**
 * An attachment's bytes, whole or the range asked for. Served as `media` only when it is one of MEDIA_TYPES (an
 * image or a recording); anything else a document says (the sharer writes it) is a download of octet-stream.
 */
export function bytesResponse(bytes, media, rangeHeader) {
  const range = byteRange(rangeHeader, bytes.length);
  const known = typeof media === 'string' && Object.hasOwn(MEDIA_TYPES, media);
  const headers = { ...PRIVATE, 'Content-Type': known ? media : 'application/octet-stream', 'Accept-Ranges': 'bytes',
    'Content-Disposition': known ? 'inline' : 'attachment' };
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...PRIVATE, 'Content-Range': `bytes */${bytes.length}` } });
  }
  if (!range) return new Response(bytes, { status: 200, headers: { ...headers, 'Content-Length': String(bytes.length) } });
  const part = bytes.subarray(range.start, range.end + 1);
  return new Response(part, { status: 206, headers: { ...headers, 'Content-Length': String(part.length),
    'Content-Range': `bytes ${range.start}-${range.end}/${bytes.length}` } });
}

// Not here and cannot be fetched now (504), no longer kept or not this entry's (404), or what came did not verify
// (502): without a body, the screen says it in its own words.
const MISSING = { offline: 504, gone: 404, none: 404, failed: 502 };

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, app) {
  const attachments = createAttachments({ load: app.load, sessionApi: app.sessionApi ?? (async () => null) });
  const valid = (params) => UUID.test(params.record) && UUID.test(params.id);

  /** A file, not a page: a navigation to it (opened in a tab) gets the bytes too (local-server.js `download`). */
  const show = Object.assign(async ({ request, params }) => {
    if (!valid(params)) return new Response(null, { status: 404, headers: PRIVATE });
    const found = await attachments.read(params.record, params.id);
    if ('missing' in found) return new Response(null, { status: MISSING[found.missing], headers: PRIVATE });
    return bytesResponse(found.bytes, found.item.media, request.headers.get('Range'));
  }, { download: true });

  async function status({ params }) {
    if (!valid(params)) return new Response(null, { status: 404, headers: PRIVATE });
    const now = await attachments.status(params.record, params.id);
    if (!now) return new Response(null, { status: 404, headers: PRIVATE });
    // Without a signed-in account nothing uploads: say where it is, not that it waits (and stop asking every 2 s).
    const local = now.state === 'waiting' && !(await (app.sessionApi?.() ?? null));
    return htmlResponse(uploadStatus(params.record, params.id, local ? { state: 'local', percent: 0, final: true } : now));
  }

  router
    .add('GET', '/app/attachments/:record/:id', show)
    .add('GET', '/app/attachments/:record/:id/status', status);
  return router;
}
