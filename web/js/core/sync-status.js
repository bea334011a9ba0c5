/**
 * Words for the sync status, shared by the page's status bar and the worker's Sync screen. In core/ because both
 * realms load it (the page and the service worker), as they do core/key-status.js: pure, no DOM, no IndexedDB.
 */

/** @param {{state: string, waiting?: number, merged?: number, refused?: number}} status */
export function statusText(status) {
  const base = stateText(status);
  if (!status.refused || !['synced', 'waiting'].includes(status.state)) return base;
  return `${base} · ${status.refused} ${status.refused === 1 ? 'change was' : 'changes were'} refused`;
}

function stateText(status) {
  const waiting = status.waiting ? `${status.waiting} ${status.waiting === 1 ? 'change' : 'changes'} waiting` : '';
  switch (status.state) {
    case 'synced': return status.merged ? 'Synced · merged an edit made on two devices' : 'Synced';
    case 'syncing': return 'Syncing…';
    case 'waiting': return waiting ? `${waiting} to sync` : 'Waiting to sync';
    case 'offline': return `Offline${waiting ? ` · ${waiting}` : ''}`;
    case 'signed_out': return 'Signed out: sign in again to sync';
    case 'error': return `Sync failed, will try again${waiting ? ` · ${waiting}` : ''}`;
    default: return 'On this device only';
  }
}

/**
 * The short line for the header's live region when a sync run brought warnings; the warnings themselves are on
 * the Sync screen, in full. Empty when there is nothing new to say.
 * @param {{state: string, warnings?: string[]}} status
 */
export function warningLine(status) {
  const count = status.warnings?.length ?? 0;
  if (!count || !['synced', 'waiting'].includes(status.state)) return '';
  return count === 1 ? 'Sync has a note for you on the Sync screen.'
    : `Sync has ${count} notes for you on the Sync screen.`;
}
