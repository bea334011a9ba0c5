// "Your devices" (account-routes.js, account-views.js): listed from the server, another one signed out for good,
// never this one; every failure in plain words, the device name always escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict

import { register } from '../../../js/screens/account/account-routes.js';
import { deviceName } from '../../../js/engine/account.js';
import { Unreachable } from '../../../js/data/api.js';
import { BetweenError } from '../../../js/core/errors.js';
import { Router } from '../../../js/engine/router.js';

const ME = '11111111-1111-4111-8111-111111111111';
const PHONE = '22222222-2222-4222-8222-222222222222';
const HOSTILE = '<img src=x onerror="alert(1)">';

function fixture({ session = true, fail = null } = {}) {
  const state = { devices: [
    { device_id: ME, name: 'Between in Chrome on Linux', created_at: 1_790_000_000, last_seen_at: 1_790_100_000,
      current: true },
    { device_id: PHONE, name: `Old phone ${HOSTILE}`, created_at: 1_780_000_000, last_seen_at: 1_780_000_000,
      current: false }], revoked: [] };
  const accounts = {
    devices: async () => {
      if (fail) throw fail;
      return session ? state.devices.map((d) => ({ ...d })) : null;
    },
    revokeOther: async (id) => {
      if (fail) throw fail;
      if (!state.devices.some((d) => d.device_id === id)) throw new BetweenError('not_found', 'gone');
      state.revoked.push(id);
      state.devices = state.devices.filter((d) => d.device_id !== id);
      return true;
    },
  };
  const me = { deviceId: ME, handle: 'ana', role: 'client', session: session ? {} : null };
  const router = register(new Router(), { load: async () => ({ db: null, me, settings: null }), accounts,
    sync: { status: () => ({}), run: async () => {} } });
  async function call(method, path) {
    const found = router.match(method, path);
    assert.ok(found?.handler, `${method} ${path} is routed`);
    const request = new Request(`https://app.test${path}`, { method });
    const response = await found.handler({ request, url: new URL(request.url), params: found.params });
    return { status: response.status, push: response.headers.get('HX-Push-Url'), body: await response.text() };
  }
  return { state, call };
}

test('every device is listed, this one marked and without a sign-out button; names are escaped', async () => {
  const { call } = fixture();
  const { status, body } = await call('GET', '/app/account/devices');
  assert.equal(status, 200);
  assert.match(body, /<h1 id="devices-title">Your devices<\/h1>/);
  assert.match(body, /Between in Chrome on Linux<\/strong> <span class="tag">This device<\/span>/);
  assert.match(body, /Old phone &lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
  assert.doesNotMatch(body, /<img/);
  // Another device is signed out in two steps: its link (a destructive step, drawn as one) asks first.
  assert.equal(body.match(/Sign out this device…<\/a>/g).length, 1);
  assert.match(body, new RegExp(`href="/app/account/devices/${PHONE}/revoke" class="button danger secondary"`));
  assert.doesNotMatch(body, new RegExp(`/app/account/devices/${ME}/revoke`));
  assert.match(body, /<time datetime="2026-/);
});

test('signing out another device is asked once more, naming it and saying what it means; nothing is revoked yet', async () => {
  const { state, call } = fixture();
  const ask = await call('GET', `/app/account/devices/${PHONE}/revoke`);
  assert.equal(ask.status, 200);
  assert.match(ask.body, /<h1 id="revoke-title">Sign out “Old phone &lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;”\?<\/h1>/);
  assert.match(ask.body, /can no longer sync with your account/);
  assert.match(ask.body, new RegExp(`<form action="/app/account/devices/${PHONE}/revoke" method="post"`));
  assert.match(ask.body, /<button type="submit" class="danger" aria-describedby="revoke-warning">Sign out this device<\/button>/);
  assert.match(ask.body, /href="\/app\/account\/devices"[^>]*>Keep it signed in<\/a>/);
  assert.deepEqual(state.revoked, []);
  // This device, an id that is not one, or a device already gone: back to the list, nothing asked.
  for (const id of [ME, 'not-a-uuid', 'AAAAAAAA-2222-4222-8222-222222222222']) {
    const out = await call('GET', `/app/account/devices/${encodeURIComponent(id)}/revoke`);
    assert.match(out.body, /<h1 id="devices-title">/, id);
    assert.doesNotMatch(out.body, /revoke-title/, id);
  }
  assert.match((await call('GET', '/app/account/devices/33333333-3333-4333-8333-333333333333/revoke')).body,
    /That device is not signed in any more/);
  assert.deepEqual(state.revoked, []);
});

test('signing out another device revokes it on the server and says what that means', async () => {
  const { state, call } = fixture();
  const out = await call('POST', `/app/account/devices/${PHONE}/revoke`);
  assert.equal(out.status, 200);
  assert.equal(out.push, '/app/account/devices');
  assert.deepEqual(state.revoked, [PHONE]);
  assert.match(out.body, /Signed out\. That device can no longer sync/);
  assert.match(out.body, /No other device is signed in/);
  const again = await call('POST', `/app/account/devices/${PHONE}/revoke`);
  assert.match(again.body, /That device was signed out already/);
  assert.deepEqual(state.revoked, [PHONE]);
});

test('this device, or an id that is not one, is refused without asking the server', async () => {
  const { state, call } = fixture();
  for (const id of [ME, 'not-a-uuid', 'AAAAAAAA-2222-4222-8222-222222222222']) {
    const out = await call('POST', `/app/account/devices/${encodeURIComponent(id)}/revoke`);
    assert.equal(out.status, 422, id);
    assert.match(out.body, /role="alert"/);
  }
  assert.deepEqual(state.revoked, []);
});

test('offline, signed out, or a server error: plain words, nothing revoked', async () => {
  const offline = fixture({ fail: new Unreachable() });
  const list = await offline.call('GET', '/app/account/devices');
  assert.match(list.body, /The server cannot be reached/);
  const post = await offline.call('POST', `/app/account/devices/${PHONE}/revoke`);
  assert.equal(post.status, 503);
  assert.deepEqual(offline.state.revoked, []);
  const out = fixture({ session: false });
  assert.match((await out.call('GET', '/app/account/devices')).body, /This device is signed out/);
  const odd = fixture({ fail: new BetweenError('internal', 'detail for developers <b>') });
  const body = (await odd.call('GET', '/app/account/devices')).body;
  assert.match(body, /could not do that just now/);
  assert.doesNotMatch(body, /developers/);
});

test('a device is named after its browser and system, as its User-Agent says anyway', () => {
  assert.equal(deviceName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) '
    + 'Chrome/126.0 Mobile Safari/537.36'), 'Between in Chrome on Android');
  assert.equal(deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like '
    + 'Gecko) Version/17.5 Mobile/15E148 Safari/604.1'), 'Between in Safari on iPhone');
  assert.equal(deviceName('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    'Between in Firefox on Linux');
  assert.equal(deviceName(''), 'Between web app');
  assert.ok(deviceName('x'.repeat(500) + ' Firefox/1 Windows').length <= 64);
});
