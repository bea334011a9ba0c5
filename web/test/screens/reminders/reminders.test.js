// The Reminders screen and an activity's reminder (screens/reminders/): choices saved through app.reminders, bad
// quiet hours refused with words and nothing saved, the words of what the server holds, no title in any form field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict

import { register } from '../../../js/screens/reminders/reminders-routes.js';
import { reminderSection, remindersPage } from '../../../js/screens/reminders/reminders-views.js';
import { Router } from '../../../js/engine/router.js';
import { timeWords } from '../../../js/core/dates.js';

const AID = '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21';
const fresh = () => ({ enabled: true, idKey: new Uint8Array(32), prefs: { times: {}, personal: {}, quiet: null },
  plan: [] });

function setUp() {
  let state = fresh();
  const calls = [];
  const reminders = {
    state: async () => state,
    serverKey: async () => new Uint8Array(65).fill(4),
    onServer: async () => ({ devices: [{ current: true, times: [{ id: 'x', at: 1_800_000_000 }] }] }),
    choose: async (change) => { calls.push('choose'); state = { ...state, prefs: change(state.prefs) }; return []; },
    optOut: async () => { calls.push('optOut'); state = { ...state, enabled: false }; },
    clearServer: async () => { throw new Error('offline'); },
  };
  const app = { load: async () => ({ me: { role: 'client', session: {} }, db: null }), reminders };
  const router = register(new Router(), app);
  async function post(path, fields) {
    const request = new Request(`https://between.test${path}`, { method: 'POST', body: new URLSearchParams(fields) });
    const found = router.match('POST', path);
    return found.handler({ request, url: new URL(request.url), params: found.params });
  }
  return { post, calls, state: () => state };
}

test('daily check-ins and quiet hours are saved; quiet hours with one end are refused and nothing is saved', async () => {
  const { post, calls, state } = setUp();
  const refused = await post('/app/reminders/choices', { 'personal-mood': '20:00', 'quiet-from': '22:00', 'quiet-to': '' });
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /Quiet hours need both a start and an end/);
  assert.deepEqual(calls, []);
  const saved = await post('/app/reminders/choices', { 'personal-mood': '20:00', 'personal-journal': '7pm',
    'quiet-from': '22:00', 'quiet-to': '07:00' });
  assert.equal(saved.status, 200);
  assert.deepEqual(state().prefs.personal, { mood: '20:00' }); // a malformed time is no reminder
  assert.deepEqual(state().prefs.quiet, { from: '22:00', to: '07:00' });
});

test("an activity's time is kept by its id, cleared when empty; a server that cannot be reached is said", async () => {
  const { post, state } = setUp();
  const set = await post(`/app/todo/${AID}/reminder`, { time: '19:30' });
  // the time as the language in use writes it (Intl), as every other time on a screen
  assert.ok((await set.text()).includes(`You will be reminded at ${timeWords('19:30')} on each day it is due.`));
  assert.deepEqual(state().prefs.times, { [AID]: '19:30' });
  await post(`/app/todo/${AID}/reminder`, { time: '' });
  assert.deepEqual(state().prefs.times, {});
  const failed = await post('/app/reminders/clear', {});
  assert.equal(failed.status, 503);
  assert.match(await failed.text(), /Nothing was changed/);
});

test('the screen: the key for subscribing, what the server holds, every time field labelled', () => {
  const page = String(remindersPage({ state: { ...fresh(), enabled: false }, signedIn: true,
    key: new Uint8Array([251, 255, 0]), server: { devices: [] }, role: 'client', zone: 'Europe/Berlin' }));
  assert.match(page, /data-reminders-on\s+data-key="-_8A"/); // base64url, no padding
  assert.match(page, /The server holds no reminders for your account/);
  for (const [, id] of page.matchAll(/<input type="time" id="([^"]+)"/g)) {
    assert.match(page, new RegExp(`<label for="${id}">`));
  }
  const section = String(reminderSection({ id: AID, time: null, enabled: false }));
  assert.match(section, /Reminders are off on this device/);
  assert.match(section, new RegExp(`href="/app/todo/${AID}/calendar.ics"`));
});
