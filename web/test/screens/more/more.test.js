// More and Settings (screens/more/): what each group holds for a client or a therapist, signed in or not; the
// steps that remove things drawn as destructive; the settings shown and saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict

import { register } from '../../../js/screens/more/more-routes.js';
import { morePage, settingsPage } from '../../../js/screens/more/more-views.js';
import { Router } from '../../../js/engine/router.js';

const HOSTILE = '<img src=x onerror="alert(1)">';
const client = (over = {}) => ({ role: 'client', session: {}, handle: 'ana', ...over });

/** The links of a page in order: [href, class, name] (the name: the text before its icon). */
const links = (markup) => [...markup.matchAll(/<a href="([^"]+)" class="([^"]*)"[^>]*>([^]*?)<\/a>/g)]
  .map(([, href, cls, inner]) => [href, cls, inner.replace(/<svg[^]*?<\/svg>|<[^>]+>/g, '').trim()]);

test('More for a signed-in client: entries, sync and account, settings, then the steps that remove things', () => {
  const page = String(morePage(client(), { wording: 'homework' }, { state: 'synced' }));
  assert.match(page, /<nav class="tabs with-new"[^>]*>/);
  assert.match(page, /href="\/app\/more" class="tab" aria-current="page"/);
  assert.deepEqual([...page.matchAll(/<h2 id="([^"]+)">([^<]+)<\/h2>/g)].map((m) => m[2]),
    ['Your entries', 'Sync and account', 'This app', 'Leave or start over']);
  const menu = links(page).filter(([, cls]) => cls.startsWith('menu-link'));
  assert.deepEqual(menu, [
    ['/app/shared', 'menu-link', 'Shared'],
    ['/app/export', 'menu-link', 'Save a copy of your entries'],
    ['/app/account', 'menu-link', 'Sync'],
    ['/app/account/devices', 'menu-link', 'Your devices'],
    ['/app/account/passphrase', 'menu-link', 'Change your passphrase'],
    ['/app/settings', 'menu-link', 'Settings'],
    ['/app/account/forget', 'menu-link danger', 'Forget this device…'],
    ['/app/account/delete', 'menu-link danger', 'Delete your account…'],
  ]);
  // Signing out is a form (a POST), with its own words; the sync line follows the live status (data-sync-text).
  assert.match(page, /<form action="\/app\/account\/logout" method="post"[^>]*>[^]*>Sign out<\/span><\/button>/);
  assert.match(page, /<p class="hint" id="more-sync-hint" data-sync-text>Synced<\/p>/);
  assert.match(page, /Signed in as <strong>ana<\/strong>\./);
  assert.match(page, /Words: homework · Language: English/);
  // Each line's hint describes its link.
  for (const [, id] of page.matchAll(/id="(more-[a-z-]+)-hint"/g)) assert.ok(page.includes(`aria-describedby="${id}-hint"`));
});

test('More signed out: Sync leads to turning it on; nothing of an account to change; forget once it had one', () => {
  const fresh = String(morePage(client({ session: null, handle: null }), null, { state: 'off' }));
  const hrefs = links(fresh).filter(([, cls]) => cls.startsWith('menu-link')).map(([href]) => href);
  assert.deepEqual(hrefs, ['/app/shared', '/app/export', '/app/account', '/app/settings']);
  assert.match(fresh, /On this device only\. Turn on sync or sign in here/);
  assert.doesNotMatch(fresh, /data-sync-text|logout|Leave or start over/);
  const was = String(morePage(client({ session: null, handle: 'ana' }), null, { state: 'signed_out' }));
  assert.deepEqual(links(was).filter(([, cls]) => cls.includes('danger')).map(([href]) => href),
    ['/app/account/forget']);
});

test('a therapist\'s More: no Shared (clients share with them), the same account and settings; names escaped', () => {
  const page = String(morePage({ role: 'therapist', session: {}, handle: HOSTILE }, null, { state: 'synced' }));
  assert.match(page, /<nav class="tabs" aria-label="Main">/);
  assert.doesNotMatch(page, /\/app\/shared|new-entry/);
  assert.match(page, /\/app\/export/);
  assert.ok(!page.includes('<img') && page.includes('&lt;img'));
});

test('Settings: the wording chosen, saved with a notice; the language named; the window named Settings', () => {
  const page = String(settingsPage({ wording: 'homework' }, 'client'));
  assert.match(page, /<nav class="tabs with-new" aria-label="Main" data-screen="Settings">/);
  assert.match(page, /value="homework"\s+checked>/);
  assert.doesNotMatch(page, /value="activities"\s+checked>/);
  assert.match(page, /<form action="\/app\/settings" method="post" hx-post="\/app\/settings"/);
  // The language: "Same as this device" (no setting) checked, then each language by its own name, marked as it.
  assert.match(page, /<form action="\/app\/settings\/language" method="post" hx-post="\/app\/settings\/language"/);
  assert.match(page, /<legend>Which language should Between use\?<\/legend>/);
  assert.match(page, /value="device" checked><span>Same as this device \(<span lang="en">English<\/span>\)<\/span>/);
  assert.match(page, /<label class="choice" lang="en"><input\s+type="radio" name="language" value="en"><span>English<\/span>/);
  assert.match(page, /<label class="choice" lang="es"><input\s+type="radio" name="language" value="es"><span>Español<\/span>/);
  const chosen = String(settingsPage({ language: 'es' }, 'client', { device: 'en' }));
  assert.match(chosen, /value="es" checked>/);
  assert.doesNotMatch(chosen, /value="device" checked>/);
  // A setting no catalogue has any more reads as the device's.
  assert.match(String(settingsPage({ language: 'xx' }, 'client')), /value="device" checked>/);
  assert.match(page, /href="\/app\/more"[^>]*>Back to More<\/a>/);
  assert.match(String(settingsPage(null, 'client')), /value="activities"\s+checked>/);
});

/** The More routes over a stand-in database that keeps what is put in its 'meta' store. */
function fixture(settings = null) {
  const saved = {};
  const db = { transaction: () => {
    const tx = { objectStore: () => ({ put: (value, key) => {
      saved[key] = value;
      queueMicrotask(() => tx.oncomplete());
    } }), abort: () => {} };
    return tx;
  } };
  const storage = { state: async () => ({ records: 1, onlyHere: 1, account: false, persisted: false,
    usage: { used: 2048, quota: 10e9 }, dismissed: false, sevenDays: false }) };
  // The language machinery of the local server: the browser says Spanish; `fetchable` the catalogues it can get.
  const languages = { kept: [], changes: 0, fetchable: new Set(['en', 'es']), device: () => 'es',
    keep: async (code) => { languages.kept.push(code); return languages.fetchable.has(code); },
    changed: () => { languages.changes += 1; } };
  const env = { db, me: client(), settings };
  const router = register(new Router(), { load: async () => env,
    sync: { status: () => ({ state: 'synced' }) }, storage, languages });
  async function call(method, path, form = null) {
    const found = router.match(method, path);
    assert.ok(found?.handler, `${method} ${path} is routed`);
    const request = new Request(`https://app.test${path}`, { method, body: form ? new URLSearchParams(form) : null });
    const response = await found.handler({ request, url: new URL(request.url), params: found.params });
    return { status: response.status, body: await response.text(), headers: response.headers };
  }
  return { saved, call, languages };
}

test('the routes: More and Settings shown; a saved wording kept (anything else is "activities")', async () => {
  const { saved, call } = fixture({ language: 'en' });
  assert.match((await call('GET', '/app/more')).body, /<h1 id="more-title">More<\/h1>/);
  const settings = (await call('GET', '/app/settings')).body;
  assert.match(settings, /<h1 id="settings-title">Settings<\/h1>/);
  // Storage on this device is a section of Settings (screens/storage), after the words and the language.
  assert.match(settings, /id="language-title"[^]*<section class="storage-settings" id="storage"/);
  const done = await call('POST', '/app/settings', { wording: 'homework' });
  assert.equal(done.status, 200);
  assert.deepEqual(saved.settings, { language: 'en', wording: 'homework' });
  assert.match(done.body, /<p class="notice" role="status">Saved\.<\/p>/);
  assert.match(done.body, /value="homework"\s+checked>/);
  await call('POST', '/app/settings', { wording: '<b>' });
  assert.equal(saved.settings.wording, 'activities');
});

test('the language: chosen, its catalogue kept first, the app reloaded in it; "device" drops the setting', async () => {
  const { saved, call, languages } = fixture({ wording: 'homework' });
  const done = await call('POST', '/app/settings/language', { language: 'en' });
  assert.equal(done.status, 200);
  assert.equal(done.headers.get('HX-Redirect'), '/app/settings');
  assert.deepEqual(languages.kept, ['en']);
  assert.equal(languages.changes, 1);
  assert.deepEqual(saved.settings, { wording: 'homework', language: 'en' });
  // The Settings screen the app reloads to says so once, first, and shows the choice.
  const shown = (await call('GET', '/app/settings')).body;
  assert.match(shown, /<p class="notice" role="status" data-on-load>Language changed\.<\/p>/);
  assert.match(shown, /value="en" checked>/);
  assert.match(shown, /Same as this device \(<span lang="es">Español<\/span>\)/);
  assert.doesNotMatch((await call('GET', '/app/settings')).body, /Language changed/);
  // Back to the device's language: the setting goes, the device's catalogue is the one made sure of.
  await call('POST', '/app/settings/language', { language: 'device' });
  assert.deepEqual(saved.settings, { wording: 'homework' });
  assert.deepEqual(languages.kept, ['en', 'es']);
  assert.equal(languages.changes, 2);
});

test('the language: one without a catalogue, or one not on the device offline, is refused; nothing changes', async () => {
  const { saved, call, languages } = fixture({ language: 'es' });
  for (const language of ['de', '', '<b>', 'device-ish']) {
    const refused = await call('POST', '/app/settings/language', { language });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /<p class="error" role="alert" id="language-error">Choose one of the languages listed\.<\/p>/);
    assert.ok(!refused.body.includes('<b>'));
  }
  languages.fetchable.delete('en');
  const offline = await call('POST', '/app/settings/language', { language: 'en' });
  assert.equal(offline.status, 503);
  assert.match(offline.body, /<span lang="en">English<\/span> is not on this device yet, and it cannot be fetched now\./);
  assert.match(offline.body, /value="es" checked>/);
  assert.equal(offline.headers.get('HX-Redirect'), null);
  assert.deepEqual(saved, {});
  assert.equal(languages.changes, 0);
});
