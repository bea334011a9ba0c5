/**
 * The header's sync status, always true: offline (as soon as the browser says so; else when the worker's requests
 * fail), syncing, how many changes wait, "Synced at 14:05", or what went wrong in words. The worker says the rest
 * (`{type: 'sync-status'}` messages); the words are core/sync-status.js's, from the catalogue in use.
 */

import { headerText, statusText, warningLine } from '../core/sync-status.js';
import { pageWords } from './words.js';

/**
 * @param {{region: HTMLElement|null, view: HTMLElement}} where the header's live region and the view (its
 *   `[data-sync-text]` elements, on the Sync screen, get the same status without the time)
 */
export function createStatusBar({ region, view }) {
  /** @type {import('../core/sync-status.js').SyncStatus} */
  let status = { state: 'off' };

  const offline = () => !navigator.onLine;

  async function show() {
    if (!region) return;
    const words = await pageWords(); // and the catalogue in use for core/sync-status.js
    // "Syncing…" would chatter in a screen reader every minute; the region only changes for real news.
    if (status.state === 'syncing' && region.textContent && !offline()) return;
    const line = headerText(status, { offline: offline() });
    // A run that brought warnings says so in the header too (the words themselves are on the Sync screen).
    const note = offline() ? '' : warningLine(status);
    const text = note ? words('status.join', { first: line, second: note }) : line;
    if (region.textContent !== text) region.textContent = text;
    region.dataset.state = offline() && status.state !== 'off' ? 'offline' : status.state;
    for (const el of view.querySelectorAll('[data-sync-text]')) el.textContent = statusText(status);
  }

  const update = () => { show().catch(() => {}); };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);

  return {
    /** What the worker said. */
    status(next) {
      status = next;
      update();
    },
    /** The worker's last word (for the change stream: whether this device is signed in). */
    get state() { return status.state; },
  };
}
