// Every feature's routes, registered the one way: which route answers a path never depends on the order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURES } from '../../js/screens/features.js';
import { Router } from '../../js/engine/router.js';

const ID = '6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b';
const OTHER = '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e';

/** The app's routes as the local server registers them (handlers are never called here). */
function appRoutes() {
  const router = new Router();
  const app = { load: async () => { throw new Error('not called'); } };
  for (const register of Object.values(FEATURES)) assert.equal(register(router, app), router);
  return router.routes.map(({ method, path, handler }) => ({ method, path, handler }));
}

/** A seeded shuffle (mulberry32), so a failing order can be seen again. */
function shuffled(list, seed) {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// Real requests: every route once, and those where the order of registration used to decide (a literal segment
// where another route has a parameter, a path taken under one method only).
const REQUESTS = [
  ['GET', '/app'], ['GET', '/app/entries'], ['GET', '/app/entries/new'], ['POST', '/app/entries'],
  ['GET', `/app/entries/${ID}`], ['GET', `/app/entries/${ID}/edit`], ['POST', `/app/entries/${ID}`],
  ['POST', `/app/entries/${ID}/delete`], ['POST', `/app/entries/${ID}/restore`], ['POST', `/app/entries/${ID}/share`],
  ['POST', `/app/entries/${ID}/unshare`], ['POST', '/app/entries/new'], ['GET', `/app/entries/${ID}/share`],
  ['GET', '/app/todo'], ['GET', `/app/todo/${ID}`], ['GET', `/app/todo/${ID}/2026-11-27`],
  ['POST', `/app/todo/${ID}/2026-11-27`], ['POST', `/app/todo/${ID}/2026-11-27/not-done`],
  ['POST', `/app/todo/${ID}/feedback`], ['GET', `/app/todo/${ID}/feedback`],
  ['GET', '/app/invites'], ['POST', '/app/invites'], ['POST', `/app/invites/${ID}/revoke`], ['GET', '/app/clients'],
  ['GET', `/app/clients/${ID}`], ['POST', `/app/clients/${ID}/session`], ['GET', `/app/clients/${ID}/print`],
  ['GET', `/app/clients/${ID}/assign`], ['GET', `/app/clients/${ID}/assign/new`],
  ['POST', `/app/clients/${ID}/assign/new`], ['GET', `/app/assignments/${ID}`], ['GET', `/app/assignments/${ID}/edit`],
  ['POST', `/app/assignments/${ID}/edit`], ['GET', `/app/assignments/${ID}/withdraw`],
  ['POST', `/app/assignments/${ID}/withdraw`], ['GET', '/app/invite'], ['POST', '/app/invite/accept'],
  ['GET', '/app/shared'], ['GET', `/app/link/${OTHER}`], ['POST', `/app/link/${OTHER}/verify`],
  ['GET', '/app/export'], ['POST', '/app/export/import'], ['GET', '/app/export/between-entries.json'],
  ['GET', '/app/export/between-entries.txt'], ['GET', '/app/account'], ['GET', '/app/account/done'],
  ['GET', '/app/account/devices'], ['POST', `/app/account/devices/${ID}/revoke`], ['GET', '/app/account/delete'],
  ['GET', '/app/account/passphrase'], ['POST', '/app/account/logout'], ['GET', '/app/account/forget'],
  ['POST', '/app/account/forget'], ['POST', '/app/settings'], ['POST', '/app/settings/language'], ['POST', '/app/sync'],
  ['GET', `/app/account/devices/${ID}/revoke`], ['GET', '/app/more'], ['GET', '/app/settings'],
  ['GET', `/app/invites/${ID}/withdraw`],
  ['POST', '/app/sync/notes/dismiss'], ['GET', '/app/storage/state'], ['POST', '/app/storage/notice/dismiss'],
  ['POST', '/app/storage/free'], ['GET', '/app/storage/wiped'], ['GET', '/app/nothing'], ['DELETE', `/app/entries/${ID}`],
  ['GET', '/app/export/elsewhere.json'],
  ['GET', '/app/today'], ['POST', '/app/today/mood'], ['POST', `/app/today/mood/${ID}/undo`], ['GET', '/app/progress'],
  ['GET', '/app/lock'], ['GET', '/app/lock/forgotten'], ['GET', '/app/settings/lock'],
  ['POST', '/app/settings/lock/minutes'], ['POST', '/app/settings/lock/off'],
  ['GET', '/app/practice'], ['GET', '/app/practice/timer'],
  ['GET', '/app/safety-plan'], ['GET', '/app/safety-plan/edit'], ['POST', '/app/safety-plan'], ['GET', '/app/crisis'],
  ['GET', `/app/clients/${ID}/plan-contact`], ['POST', `/app/clients/${ID}/plan-contact`],
  ['POST', `/app/clients/${ID}/plan-contact/withdraw`],
  ['GET', '/app/export/between-copy.zip'], ['GET', `/app/attachments/${ID}/${OTHER}`],
  ['GET', `/app/attachments/${ID}/${OTHER}/status`],
];

/** What a router answers for each request: the route's path pattern and parameters, 405, or nothing. */
function answers(router) {
  return REQUESTS.map(([method, path]) => {
    const found = router.match(method, path);
    if (!found) return `${method} ${path} -> none`;
    if (found.methodNotAllowed) return `${method} ${path} -> 405`;
    return `${method} ${path} -> ${found.path} ${JSON.stringify(found.params)}`;
  });
}

function routerOf(routes) {
  const router = new Router();
  for (const { method, path, handler } of routes) router.add(method, path, handler);
  return router;
}

test('the app\'s routes in 200 shuffled orders answer every request as in the order the features register them', () => {
  const routes = appRoutes();
  const expected = answers(routerOf(routes));
  for (let seed = 1; seed <= 200; seed++) {
    assert.deepEqual(answers(routerOf(shuffled(routes, seed))), expected, `seed ${seed}`);
  }
  assert.deepEqual(answers(routerOf([...routes].reverse())), expected, 'reversed');
});

test('where the order used to decide, the more specific route answers', () => {
  const router = routerOf(shuffled(appRoutes(), 7));
  const answer = (method, path) => router.match(method, path);
  assert.equal(answer('GET', '/app/entries/new').path, '/app/entries/new');
  assert.equal(answer('GET', `/app/entries/${ID}`).path, '/app/entries/:id');
  assert.equal(answer('POST', `/app/todo/${ID}/feedback`).path, '/app/todo/:aid/feedback');
  assert.deepEqual(answer('POST', `/app/todo/${ID}/2026-11-27`).params, { aid: ID, occurrence: '2026-11-27' });
  // Feedback is only posted: its GET is the day form's (an occurrence named "feedback", which that form refuses).
  assert.equal(answer('GET', `/app/todo/${ID}/feedback`).path, '/app/todo/:aid/:occurrence');
  assert.equal(answer('POST', `/app/entries/${ID}/share`).path, '/app/entries/:id/share');
  assert.equal(answer('GET', '/app/export/between-entries.json').path, '/app/export/between-entries.json');
  // The new-entry form is only got: posting to its address is an update of an entry named "new" (refused there).
  assert.deepEqual(answer('POST', '/app/entries/new').params, { id: 'new' });
  assert.deepEqual(answer('DELETE', `/app/entries/${ID}`), { methodNotAllowed: true });
  assert.equal(answer('GET', '/app/export/elsewhere.json'), null);
});

test('the requests above reach every route of the app', () => {
  // So that a route added or renamed in a feature cannot leave the order test above without a request for it.
  const routes = appRoutes();
  const router = routerOf(routes);
  const reached = new Set(REQUESTS.map(([method, path]) => {
    const found = router.match(method, path);
    return found?.path ? `${method} ${found.path}` : null;
  }));
  assert.deepEqual(routes.map(({ method, path }) => `${method} ${path}`).filter((route) => !reached.has(route)), []);
});
