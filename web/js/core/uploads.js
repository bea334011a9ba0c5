/**
 * The upload queue's rules, pure (engine/uploads.js runs them over IndexedDB and the API): when a blob is tried,
 * which piece goes next, what the server's answer or an error makes of its row, and how it is said on screen.
 * PROTOCOL.md §17 "Attachments (/blobs)"; docs/WEB.md "Attachments".
 */

/** Bytes per PATCH: one piece of the blob, well under the server's request limit. */
export const PIECE = 1024 * 1024;

/** The first wait after a failure, and the longest. */
export const FIRST_WAIT_MS = 5_000;
export const LONGEST_WAIT_MS = 30 * 60_000;
/** A full quota waits longer between tries: space is freed by a person, not in seconds. */
export const QUOTA_FIRST_WAIT_MS = 60_000;

/**
 * A row of the 'uploads' store.
 * @typedef {{id: string, recordId: string, size: number, received: number,
 *   state: 'queued'|'uploading'|'uploaded'|'quota_full'|'failed', tries: number, nextTry: number,
 *   error: string|null, updatedAt: number}} Upload
 * size: the blob's length in bytes (what the server stores); received: how many of them the server has;
 * tries: failures in a row; nextTry: not tried before this instant (ms); error: the last failure's fixed code
 */

/** The row of a blob just sealed on this device: queued, nothing sent. @returns {Upload} */
export const queued = (id, recordId, size, now) => ({ id, recordId, size, received: 0, state: 'queued', tries: 0,
  nextTry: 0, error: null, updatedAt: now });

/** Done: the server holds the whole blob. @param {Upload} row */
export const uploaded = (row) => row.state === 'uploaded';

/**
 * Whether a run tries this row now: not uploaded, and its wait is over; `force` (the person asked: "Sync now", or a
 * push that needs the blob) skips the wait. An 'uploading' row is one a stopped worker left half-way: tried again.
 * @param {Upload} row @param {number} now @param {boolean} [force]
 */
export const due = (row, now, force = false) => !uploaded(row) && (force || row.nextTry <= now);

/** The wait after `tries` failures in a row: doubling from `first`, at most LONGEST_WAIT_MS, with `jitter` in [0, 1). */
export function backoff(tries, first = FIRST_WAIT_MS, jitter = 0) {
  const wait = Math.min(first * 2 ** Math.max(tries - 1, 0), LONGEST_WAIT_MS);
  return Math.round(wait * (1 + jitter / 4));
}

/** The next piece to send: bytes [offset, end) of the blob. @param {Upload} row */
export const nextPiece = (row) => ({ offset: row.received, end: Math.min(row.received + PIECE, row.size) });

/**
 * The row after the server said where the blob stands (BlobState): its `received`, and uploaded when complete.
 * A complete blob whose digest is not the one of our bytes is a failure that no retry mends.
 * @param {Upload} row @param {{size: number, received: number, complete: boolean}} state
 * @param {boolean} digestMatches @param {number} now @returns {Upload}
 */
export function afterState(row, state, digestMatches, now) {
  if (state.size !== row.size) return { ...row, state: 'failed', error: 'size_mismatch', updatedAt: now };
  if (state.complete) {
    return digestMatches ? { ...row, received: row.size, state: 'uploaded', tries: 0, nextTry: 0, error: null,
      updatedAt: now } : { ...row, state: 'failed', error: 'digest_mismatch', nextTry: Number.MAX_SAFE_INTEGER,
      updatedAt: now };
  }
  return { ...row, received: state.received, state: 'uploading', error: null, updatedAt: now };
}

/**
 * What an error makes of a row, and whether the run goes on with other rows (`stop`: no point while the reason
 * lasts). `error` is what data/api.js throws: `code` ('unreachable', 'signed_out', a problem code) and `status`.
 * - offline or signed out: queued again, nothing counted, the run stops (the next one, online, goes on from
 *   `received`);
 * - the quota is full (413 quota_exceeded): kept, 'quota_full', tried again after a longer wait or when asked; the
 *   run stops (every other blob would hit the same quota);
 * - the server is busy or failing (429, 5xx), or anything else: 'failed', tried again after a growing wait.
 * @param {Upload} row @param {{code?: string, status?: number}} error @param {number} now @param {number} [jitter]
 * @returns {{row: Upload, stop: boolean}}
 */
export function afterError(row, error, now, jitter = 0) {
  const code = String(error?.code ?? 'unexpected');
  if (code === 'unreachable' || code === 'signed_out') {
    return { row: { ...row, state: 'queued', error: code, updatedAt: now }, stop: true };
  }
  const tries = row.tries + 1;
  if (error?.status === 413 && code === 'quota_exceeded') {
    return { row: { ...row, state: 'quota_full', tries, error: code,
      nextTry: now + backoff(tries, QUOTA_FIRST_WAIT_MS, jitter), updatedAt: now }, stop: true };
  }
  const stop = error?.status === 429 || (error?.status ?? 0) >= 500;
  return { row: { ...row, state: 'failed', tries, error: code.slice(0, 40), nextTry: now + backoff(tries, FIRST_WAIT_MS, jitter),
    updatedAt: now }, stop };
}

/**
 * How an attachment's upload is said on screen (the status fragment's words, `upload.*` in the catalogues):
 * 'waiting', 'uploading' (with `percent`), 'uploaded', 'quota_full', or 'gone' (the server no longer keeps it, and
 * this device has no copy). `row` is this device's upload row (null when it has none: an attachment another device
 * or person added, or one uploaded before); `held`: this device holds the bytes; `gone`: the server said 404.
 * @param {Upload|null} row @param {{held?: boolean, gone?: boolean}} [facts]
 * @returns {{state: 'waiting'|'uploading'|'uploaded'|'quota_full'|'gone', percent: number, final: boolean}}
 */
export function statusOf(row, { held = false, gone = false } = {}) {
  if (!row) {
    return gone && !held ? { state: 'gone', percent: 0, final: true } : { state: 'uploaded', percent: 100, final: true };
  }
  if (row.state === 'uploaded') return { state: 'uploaded', percent: 100, final: true };
  if (row.state === 'quota_full') return { state: 'quota_full', percent: 0, final: false };
  const percent = row.size ? Math.floor((row.received / row.size) * 100) : 0;
  return row.received > 0 || row.state === 'uploading' ? { state: 'uploading', percent: Math.min(percent, 99), final: false }
    : { state: 'waiting', percent: 0, final: false };
}
