// The storage fragments (screens/storage/storage-views.js): the notice only when entries exist only here and the
// browser promised nothing, once; Settings always saying where things stand; the quota alert resubmitting the form.
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import test from 'node:test';

import { freedNotice, noticePutAway, quotaAlert, storageNotice, storageSettings, wipedPage }
  from '../../../js/screens/storage/storage-views.js';

const base = { records: 2, onlyHere: 2, account: false, persisted: false, usage: { used: 1_234_567, quota: 10_700_000_000 },
  dismissed: false, sevenDays: false };
const text = (fragment) => String(fragment).replace(/<[^>]*>/g, '').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

test('the notice shows while entries exist only here and the browser does not promise to keep them', () => {
  const notice = String(storageNotice(base));
  assert.match(notice, /data-storage-notice/);
  assert.match(text(notice), /Your entries are kept only on this device/);
  assert.match(text(notice), /may clear them when the device runs low on space/);
  // The ways out: install (a browser tab only), turn on sync, save a copy; then "Got it", which puts it away.
  assert.match(notice, /<li class="in-browser"><strong class="way">Install Between<\/strong>/);
  assert.match(notice, /<button type="button" class="secondary" data-install hidden>Install now/);
  assert.match(notice, /href="\/app\/account"[^>]*>Turn on sync<\/a>/);
  assert.match(notice, /href="\/app\/export"[^>]*>Save a copy<\/a>/);
  assert.match(notice, /hx-post="\/app\/storage\/notice\/dismiss"/);
  assert.doesNotMatch(notice, /7 days/);
});

test('no notice when nothing is only here, when the storage is kept, or once put away', () => {
  assert.equal(storageNotice(null), null);
  assert.equal(storageNotice({ ...base, onlyHere: 0 }), null);
  assert.equal(storageNotice({ ...base, persisted: true }), null);
  assert.equal(storageNotice({ ...base, dismissed: true }), null);
  assert.notEqual(storageNotice({ ...base, persisted: null }), null, 'a browser that does not say promises nothing');
  assert.match(text(noticePutAway()), /Storage on this device/);
});

test('on Safari (a tab, not installed) the notice names the 7-day rule', () => {
  const notice = String(storageNotice({ ...base, sevenDays: true }));
  assert.match(notice, /<p class="in-browser">Safari also clears it after 7 days without a visit/);
});

test('with an account, the notice counts the changes not synced and points to sync', () => {
  const notice = text(storageNotice({ ...base, account: true, onlyHere: 1 }));
  assert.match(notice, /Some changes are kept only on this device/);
  assert.match(notice, /1 change has not reached your account yet/);
  assert.match(notice, /Check sync Once this device is online and signed in/);
  assert.match(notice, /may clear them/);
  assert.match(text(storageNotice({ ...base, account: true, onlyHere: 3 })), /3 changes have not reached/);
});

test('Settings says whether the browser keeps the storage and the space in use, always', () => {
  const risky = String(storageSettings(base));
  assert.match(text(risky), /may clear Between's storage/);
  assert.match(text(risky), /1\.2 MB in use, of 10\.7 GB this browser allows/);
  assert.match(text(risky), /nothing you write here is kept anywhere else yet/); // put away or not
  assert.match(text(storageSettings({ ...base, dismissed: true })), /nothing you write here is kept anywhere else yet/);
  assert.match(risky, /data-persist/);
  assert.match(risky, /hx-post="\/app\/storage\/free"/);
  const kept = text(storageSettings({ ...base, account: true, onlyHere: 0, persisted: true }));
  assert.match(kept, /keeps Between's storage until you remove it/);
  assert.match(kept, /Everything on this device is also in your account/);
  assert.doesNotMatch(kept, /Ask the browser to keep it/);
  const silent = text(storageSettings({ ...base, persisted: null, usage: null }));
  assert.match(silent, /does not say whether it keeps/);
  assert.match(silent, /does not say how much space is in use/);
  assert.doesNotMatch(silent, /Ask the browser to keep it/);
  assert.match(text(storageSettings(base, { notice: freedNotice(0) })), /Nothing to remove/);
  assert.match(text(freedNotice(3)), /Removed 3 items Between can fetch again/);
});

test('a refused save: the alert submits the same form to free space first; once tried, it says it is still full', () => {
  const first = String(quotaAlert('entry-form'));
  assert.match(first, /role="alert" id="form-error"/);
  assert.match(first, /<button type="submit" form="entry-form" name="free_space" value="yes">Free space and save again/);
  const again = String(quotaAlert('entry-form', { freed: true }));
  assert.match(text(again), /still no room/);
  assert.doesNotMatch(again, /free_space/);
});

test('a cleared device offers to sign in again, or to start without an account (which drops the marker)', () => {
  const page = String(wipedPage());
  assert.match(text(page), /Between's storage on this device was cleared/);
  assert.match(page, /<h1 id="wiped-title">/);
  assert.match(page, /href="\/app\/account"[^>]*>Sign in again<\/a>/);
  assert.match(page, /data-storage-marker="clear">Start without an account<\/a>/);
});
