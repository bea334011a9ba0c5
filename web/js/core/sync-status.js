/**
 * Words for the sync status, shared by the page's header and the worker's Sync screen. In core/ because both realms
 * load it (the page and the service worker), as they do core/key-status.js: pure, no DOM, no IndexedDB. The words
 * come from the catalogue in use (`status.*`), times through Intl in its locale.
 */

import { formatter, hourOf } from './dates.js';
import { messageParts } from './messages.js';

/**
 * What the worker's sync engine says (engine/sync.js): `state`, how many own changes wait (`waiting`), whether a
 * merge happened lately, how many changes were refused, when the last run ended (`at`, ISO) and, after a failed
 * run, a fixed `problem` code.
 * @typedef {{state: string, waiting?: number, merged?: number, refused?: number, at?: string, problem?: string|null,
 *   warnings?: string[]}} SyncStatus
 */

const say = (key, params = {}) => messageParts(key, params).map(String).join('');

// engine/sync.js problemOf -> the reason in words
const PROBLEMS = {
  server: 'status.problem.server',
  busy_server: 'status.problem.busyServer',
  refused: 'status.problem.refused',
  rollback: 'status.problem.rollback',
  busy: 'status.problem.busy',
  bad_response: 'status.problem.badResponse',
  storage: 'status.problem.storage',
};

/** Why the last run failed, in words ("the server is not available right now"). @param {SyncStatus} status */
export const problemText = (status) => say(PROBLEMS[status.problem ?? ''] ?? 'status.problem.unexpected');

/** The time of day of an ISO instant, as the language in use writes it ("14:05", "2:05 PM"); null if unreadable. */
export function timeOfDay(stamp) {
  const d = new Date(stamp);
  return Number.isNaN(d.getTime()) ? null : formatter({ timeStyle: 'short' }).format(d);
}

/**
 * The status in words, as the Sync screen shows it ("Synced", "2 changes waiting to sync", "Offline · 1 change
 * waiting", "Sync failed: the server is not available right now; will try again").
 * @param {SyncStatus} status @param {{at?: boolean}} [options] `at`: say when it synced ("Synced at 14:05")
 */
export function statusText(status, { at = false } = {}) {
  const base = stateText(status, at);
  if (!status.refused || !['synced', 'waiting'].includes(status.state)) return base;
  return say('status.join', { first: base, second: say('status.refused', { count: status.refused }) });
}

/**
 * The header's words: the same, with the time of the last sync, and offline as soon as the page knows it (the
 * browser says so, or its own request failed) without waiting for the worker's next run.
 * @param {SyncStatus} status @param {{offline?: boolean}} [page]
 */
export function headerText(status, { offline = false } = {}) {
  if (offline && !['off', 'signed_out'].includes(status.state)) {
    return stateText({ ...status, state: 'offline' }, false);
  }
  return status.state === 'off' ? '' : statusText(status, { at: true });
}

function stateText(status, at) {
  const count = status.waiting ?? 0;
  switch (status.state) {
    case 'synced': {
      const time = at && status.at ? timeOfDay(status.at) : null;
      if (time) return say(status.merged ? 'status.syncedAtMerged' : 'status.syncedAt', { time, hour: hourOf(time) });
      return say(status.merged ? 'status.syncedMerged' : 'status.synced');
    }
    case 'syncing': return say('status.syncing');
    case 'waiting': return say('status.waiting', { count });
    case 'offline': return say('status.offline', { count });
    case 'signed_out': return say('status.signedOut');
    case 'error': return say('status.failed', { count, reason: problemText(status) });
    default: return say('status.off');
  }
}

/**
 * The short line for the header's live region when a sync run brought warnings; the warnings themselves are on
 * the Sync screen, in full. Empty when there is nothing new to say.
 * @param {SyncStatus} status
 */
export function warningLine(status) {
  const count = status.warnings?.length ?? 0;
  if (!count || !['synced', 'waiting'].includes(status.state)) return '';
  return say('status.notes', { count });
}
