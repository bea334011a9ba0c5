/** How an attachment's upload is said on an entry's page: the status line the page polls while it can change. */

import { html, t } from '../views.js';

/** The address of an attachment's bytes (an `<audio>`'s or `<img>`'s src). @param {string} recordId @param {string} id */
export const attachmentUrl = (recordId, id) => `/app/attachments/${recordId}/${id}`;

/**
 * The place of an attachment's status line in an entry's page: empty, it asks for the line at once. The line replaces
 * it whole (outerHTML) and asks again every 2 s while it can still change; a final one stops.
 * @param {string} recordId @param {string} id
 */
export const uploadStatusSlot = (recordId, id) => html`<p class="upload-status" id="upload-${id}"
  hx-get="${attachmentUrl(recordId, id)}/status" hx-trigger="load" hx-swap="outerHTML"></p>`;

/**
 * The status line: "Waiting to upload", "Uploading… 40 %" with a progress bar, "Uploaded", "Not uploaded: your space
 * on the server is full (kept on this device)" with what to do, "No longer kept". Not a live region (it changes
 * every 2 s while uploading); the progress bar is named.
 * @param {string} recordId @param {string} id
 * @param {{state: 'waiting'|'uploading'|'uploaded'|'quota_full'|'gone'|'local', percent: number, final: boolean}} status
 *   (`local`: kept on this device, which has no account to upload to)
 */
export function uploadStatus(recordId, id, status) {
  const poll = status.final ? null
    : html`hx-get="${attachmentUrl(recordId, id)}/status" hx-trigger="every 2s" hx-swap="outerHTML"`;
  const words = {
    waiting: () => t('upload.status.waiting'),
    uploading: () => html`${t('upload.status.uploading', { percent: status.percent })}
      <progress max="100" value="${status.percent}" aria-label="${t('upload.status.progress')}">${status.percent} %</progress>`,
    uploaded: () => t('upload.status.uploaded'),
    quota_full: () => html`<strong>${t('upload.status.quotaFull')}</strong>
      <span class="hint">${t('upload.status.quotaHelp')}</span>`,
    gone: () => t('upload.status.gone'),
    local: () => t('upload.status.local'),
  }[status.state];
  return html`<p class="upload-status" id="upload-${id}" data-upload="${status.state}" ${poll}>${words()}</p>`;
}
