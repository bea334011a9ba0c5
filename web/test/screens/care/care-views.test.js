// A therapist's care screens (care-views.js, care-routes.js): rendered from plain data, as the worker renders them.
import { test } from 'node:test';
import { inviteSecret } from '../../../js/core/trust.js';
import { uuidBytes } from '../../../js/core/bytes.js';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { ApiError, Unreachable } from '../../../js/data/api.js';
import { register } from '../../../js/screens/care/care-routes.js';
import { BetweenError } from '../../../js/core/errors.js';
import {
  clientPage, clientsPage, dayText, invitesPage, printPage, scheduleWords, timeline, timelineItems,
} from '../../../js/screens/care/care-views.js';
import { Router } from '../../../js/engine/router.js';
import { timeWords } from '../../../js/core/dates.js';
import { parseInviteUrl } from '../../../js/core/safety.js';

const UID = '22222222-2222-4222-8222-222222222222';
const HOSTILE = '<img src=x onerror="alert(1)">';
const peer = (over = {}) => ({ userId: UID, handle: 'sam', role: 'client', linked: true, changed: null,
  verifiedHow: 'safety-number', pinnedAt: '2026-03-01T10:00:00Z', ...over });

const MOOD = { id: 'mood', label: 'Mood check-in', fields: [{ id: 'score', label: 'Mood', type: 'scale',
  constraints: { min: 0, max: 10, step: 1 } }, { id: 'note', label: 'Note', type: 'long_text' }] };
const WORKSHEET = { id: 'worksheet', label: 'Pleasant activities', fields: [{ id: 'what', label: 'What you did',
  type: 'list' }, { id: 'enjoyed', label: 'Enjoyed it', type: 'yes_no' }] };
const kindOf = (doc) => (doc.kind === 'mood' ? MOOD : doc.kind === 'worksheet' ? WORKSHEET : null);
const dayOf = (stamp) => stamp.slice(0, 10);

const received = [
  { id: 'e-mood', updatedAt: '2026-03-12T09:00:00Z', doc: { v: 1, kind: 'mood',
    fields: { score: 3, note: `Rough ${HOSTILE}` },
    created_at: '2026-03-12T09:00:00Z', updated_at: '2026-03-12T09:00:00Z' } },
  { id: 'r-1', updatedAt: '2026-03-11T19:00:00Z', doc: { v: 1, type: 'assignment-response', assignment_id: 'a-1',
    occurrence: '2026-03-11', status: 'not_done', reason: 'Away all day', entry_id: 'e-hidden',
    feedback: { rating: 'not_helping', comment: 'Ten minutes is a lot' }, created_at: '2026-03-11T19:00:00Z',
    updated_at: '2026-03-11T19:00:00Z' } },
  { id: 'e-ws', updatedAt: '2026-03-04T09:00:00Z', doc: { v: 1, kind: 'worksheet', title: 'Pleasant activities',
    worksheet: {}, fields: { what: ['Walk', 'Call Jo'], enjoyed: true }, created_at: '2026-03-04T09:00:00Z',
    updated_at: '2026-03-04T09:00:00Z' } },
  { id: 'r-2', updatedAt: '2026-02-20T19:00:00Z', doc: { v: 1, type: 'assignment-response', assignment_id: 'a-1',
    occurrence: '2026-02-20', status: 'done', minutes: 10, entry_id: 'e-ws', created_at: '2026-02-20T19:00:00Z',
    updated_at: '2026-02-20T19:00:00Z' } },
];
const titles = new Map([['a-1', 'Slow breathing practice']]);
// "Session held" marks: the day, the instant, and (here none) the feed position.
const mark = (day, at = `${day}T17:00:00Z`, feed = null) => ({ day, at, feed });
const items = timelineItems(received, kindOf, titles, dayOf);

test('the clients list: handle, badge, what is new; the empty list explains how to invite', () => {
  const out = String(clientsPage([{ peer: peer({ handle: HOSTILE }), newCount: 2, lastSession: '2026-03-10' },
    { peer: peer({ userId: 'x', handle: 'jo', changed: {} }), newCount: 0, lastSession: null }]));
  assert.doesNotMatch(out, /<img/);
  assert.match(out, /&lt;img src=x/);
  assert.match(out, /2 new since the last session \(<time datetime="2026-03-10">/);
  assert.match(out, />Key changed</);
  // A blocked client's row says what is held back instead of "nothing shared".
  assert.doesNotMatch(out, /Nothing shared yet/);
  assert.match(out, /What jo shares is held back/);
  const plain = String(clientsPage([{ peer: peer({ handle: 'jo' }), newCount: 0, lastSession: null }]));
  assert.match(plain, /Nothing shared yet, no session recorded yet/);
  assert.match(out, /aria-current="page"[^>]*>Clients</);
  const empty = String(clientsPage([]));
  assert.match(empty, /No clients linked yet/);
  assert.match(empty, /href="\/app\/invites"/);
});

test('timeline items: entries with their kind, answers with the assignment title and their entry\'s sharing', () => {
  assert.deepEqual(items.map((i) => [i.id, i.type, i.date]), [['e-mood', 'entry', '2026-03-12'],
    ['r-1', 'response', '2026-03-11'], ['e-ws', 'entry', '2026-03-04'], ['r-2', 'response', '2026-02-20']]);
  assert.equal(items[1].title, 'Slow breathing practice');
  assert.equal(items[1].entryShared, false);
  assert.equal(items[3].entryShared, true);
});

test('the client page: headings in order, grouped by session, fields readable and escaped', () => {
  const schedule = { recurrence: { freq: 'weekly', days: ['mon', 'thu'], start: '2026-03-02',
    time_zone: 'Europe/Berlin' } };
  const assignments = [{ id: 'a-1', pending: false, grantees: [UID],
    doc: { title: `Breathe ${HOSTILE}`, withdrawn: true, schedule } }];
  const out = String(clientPage({ peer: peer(), marks: [mark('2026-03-01'), mark('2026-03-10')], today: '2026-03-13',
    items, assignments, canAssign: true }));
  assert.doesNotMatch(out, /<img/);
  const headings = [...out.matchAll(/<h([1-3])[^>]*>([^]*?)<\/h\1>/g)]
    .map(([, l, t]) => `${l}:${t.replace(/<[^>]+>/g, '')}`);
  assert.deepEqual(headings, ['1:sam', '2:Activities you assigned', '2:What sam shared',
    `3:Since last session (${dayText('2026-03-10')})`, `3:${dayText('2026-03-01')} – ${dayText('2026-03-10')}`,
    `3:Before the session on ${dayText('2026-03-01')}`]);
  assert.equal(out.match(/<li class="timeline-item /g).length, 4); // one per shared item (the bench counts them)
  // Newest first: the mood entry, then the answer; the worksheet in the earlier gap; the oldest answer before.
  assert.ok(out.indexOf('Mood 3/10') < out.indexOf('Away all day'));
  assert.ok(out.indexOf('Away all day') < out.indexOf('Call Jo'));
  assert.match(out, /Slow breathing practice: <strong class="status-not-done">Not done<\/strong>/);
  assert.match(out, /<strong>Not helping<\/strong>: Ten minutes is a lot/);
  assert.match(out, /not\s+shared with you/);
  assert.match(out, /<strong class="status-done">Done<\/strong>/);
  assert.match(out, /10 min/);
  assert.match(out, /<dt>What you did<\/dt><dd><ul><li>Walk<\/li><li>Call Jo<\/li><\/ul><\/dd>/);
  assert.match(out, /<dt>Enjoyed it<\/dt><dd>Yes<\/dd>/);
  assert.match(out, /Rough &lt;img/);
  assert.match(out, /withdrawn/);
  assert.match(out, /Every Monday and Thursday from/);
  assert.match(out, new RegExp(`href="/app/assignments/a-1"`));
  assert.match(out, new RegExp(`hx-post="/app/clients/${UID}/session"[^]*>Session held today</button>`));
  assert.match(out, new RegExp(`href="/app/clients/${UID}/assign"[^>]*>Assign an activity<`));
  assert.match(out, new RegExp(`href="/app/clients/${UID}/print"[^>]*>Print for the record<`));
  assert.doesNotMatch(out, /role="alert"/);
});

test('an answer carries its entry when that is shared too: a mood answer shows its score; a private one says so', () => {
  const answer = (id, entryId, day) => ({ id, updatedAt: `${day}T20:00:00Z`, doc: { v: 1,
    type: 'assignment-response', assignment_id: 'a-1', occurrence: day, status: 'done', entry_id: entryId,
    created_at: `${day}T20:00:00Z`, updated_at: `${day}T20:00:00Z` } });
  const moodEntry = { id: 'e-score', updatedAt: '2026-03-12T20:00:00Z', doc: { v: 1, kind: 'mood',
    fields: { score: 7 }, created_at: '2026-03-12T20:00:00Z', updated_at: '2026-03-12T20:00:00Z' } };
  const list = timelineItems([answer('r-shared', 'e-score', '2026-03-12'), moodEntry,
    answer('r-private', 'e-kept', '2026-03-13')], kindOf, titles, dayOf);
  const shared = list.find((i) => i.id === 'r-shared');
  assert.deepEqual([shared.entryShared, shared.entry.fields.score, shared.entryKind.id], [true, 7, 'mood']);
  assert.equal(list.find((i) => i.id === 'r-private').entry, null);
  const out = String(timeline(list, [], '2026-03-13', 'sam'));
  const item = (id) => out.slice(out.indexOf(`id="item-${id}"`), out.indexOf('</li>', out.indexOf(`id="item-${id}"`)));
  assert.match(item('r-shared'), /<dt>Answer<\/dt><dd class="tl-answer">Mood 7\/10<\/dd>/);
  assert.match(item('r-shared'), /href="#item-e-score">shared too</);
  assert.doesNotMatch(item('r-private'), /<dt>Answer/);
  assert.match(item('r-private'), /Kept private: the entry written for it is not shared with you/);
});

test('two panes: the clients list beside a client page (the shown one marked), a pane to choose one beside the list', () => {
  const lines = [{ peer: peer(), newCount: 2, lastSession: '2026-03-10' },
    { peer: peer({ userId: 'other', handle: 'kim' }), newCount: 0, lastSession: null }];
  const page = String(clientPage({ peer: peer(), marks: [], today: '2026-03-13', items: [], assignments: [],
    canAssign: true, clients: lines }));
  assert.match(page, /<div class="care-split"><nav class="care-list-pane care-beside" aria-label="Your clients">/);
  assert.match(page, new RegExp(`<li class="current">\\s*<a href="/app/clients/${UID}" class="client-name" aria-current="page"`));
  assert.equal((page.match(/aria-current="page"/g) ?? []).length, 1, 'the main tabs mark no tab here');
  assert.match(page, /href="\/app\/clients\/other"/);
  assert.match(page, /<section class="care-pane" aria-labelledby="client-title">/);
  const alone = String(clientPage({ peer: peer(), marks: [], today: '2026-03-13', items: [], assignments: [],
    canAssign: true }));
  assert.doesNotMatch(alone, /care-beside/);
  const list = String(clientsPage(lines));
  assert.match(list, /<section class="care-list-pane" aria-labelledby="clients-title">/);
  assert.match(list, /<section class="care-pane care-pick" aria-labelledby="care-pick-title">/);
  assert.doesNotMatch(String(clientsPage([])), /care-pick/);
});

test('on a session day the page says so instead of offering the button', () => {
  const out = String(clientPage({ peer: peer(), marks: [mark('2026-03-13')], today: '2026-03-13', items: [],
    assignments: [], canAssign: true }));
  assert.match(out, /Session held today \(/);
  assert.doesNotMatch(out, /<button type="submit">Session held today/);
  assert.match(out, /Nothing new since then/);
  assert.match(out, /No activities assigned yet/);
});

test('a changed key, or one that does not match the invitation, blocks new assignments, saying why and how many were held', () => {
  const cases = [[{ changed: {}, state: 'changed', held: 2 }, /key changed/, /2 changes are waiting/],
    [{ state: 'mismatch', held: 1 }, /does not match the invitation they accepted/, /1 change is waiting/]];
  for (const [over, words, held] of cases) {
    const out = String(clientPage({ peer: peer(over), marks: [], today: '2026-03-13', items, assignments: [],
      canAssign: false }));
    assert.match(out, /role="alert"/);
    assert.match(out, words);
    assert.match(out, held);
    assert.match(out, /nothing new can be assigned to them/);
    assert.match(out, new RegExp(`href="/app/link/${UID}"[^>]*>Compare the safety number<`));
    assert.doesNotMatch(out, /Assign an activity/);
    assert.match(out, /What sam shares from now on is held back until you compare\s+the safety number/);
    assert.doesNotMatch(out, /has not shared anything with you yet/);
    assert.match(out, /Everything shared so far \(no session recorded yet\)/); // what came before the block stays
  }
});

test('a key that is only not verified is marked, explained without alarm, and assigning goes on', () => {
  const out = String(clientPage({ peer: peer({ verifiedHow: 'tofu', state: 'unverified' }), marks: [],
    today: '2026-03-13', items, assignments: [], canAssign: true }));
  assert.match(out, />Not verified</);
  assert.match(out, /You can work together as usual/);
  assert.doesNotMatch(out, /role="alert"/);
  assert.match(out, /Assign an activity/);
});

test('the clients list names what is held back from a blocked client, with the way to fix it', () => {
  const out = String(clientsPage([{ peer: peer({ state: 'mismatch', held: 3 }), newCount: 0, lastSession: null },
    { peer: peer({ userId: 'other', handle: 'kim', verifiedHow: 'invite-link' }), newCount: 1, lastSession: null }]));
  assert.match(out, /What sam shares is held back: sam(&#39;|')s security key does not match the invitation they accepted\. 3 changes are waiting\./);
  assert.match(out, new RegExp(`href="/app/link/${UID}"[^>]*>Compare the safety number<`));
  assert.equal((out.match(/class="held"/g) ?? []).length, 1);
});

test('the print view: handle, date range, generated-on date, the timeline, no inline script', () => {
  const out = String(printPage({ peer: peer({ handle: HOSTILE }), marks: [mark('2026-03-10')], today: '2026-03-13', items,
    range: { from: '2026-02-20', to: '2026-03-12' } }));
  assert.doesNotMatch(out, /<img|onclick|<script/);
  assert.match(out, /<h1 id="print-title">&lt;img[^<]*: shared record<\/h1>/);
  assert.match(out, new RegExp(`From <time datetime="2026-02-20">${dayText('2026-02-20')}</time> to`));
  assert.match(out, new RegExp(`Generated on\\s+<time datetime="2026-03-13">`));
  assert.match(out, /Ctrl\+P/);
  assert.match(out, /<button type="button" data-print>/);
  assert.match(out, /<h2 id="tl-0">Since last session/);
});

test('the invites screen: signed out, a client, the new link with its QR placeholder, the open list', () => {
  assert.match(String(invitesPage({ state: 'signed_out' })), /turn on sync or sign\s+in/);
  assert.match(String(invitesPage({ state: 'client' })), /Only a therapist account invites/);
  const link = 'https://between.test/invite#v=1&t=tok"<en&fp=abc&h=dr.lee';
  const out = String(invitesPage({ state: 'ready', created: { link, expiresAt: 1773100000 },
    invites: [{ invite_id: 'i-1', created_at: 1773000000, expires_at: 1773100000 }] }));
  assert.match(out,
    /<input id="invite-link" type="text" readonly value="https:\/\/between.test\/invite#v=1&amp;t=tok&quot;&lt;en/);
  assert.match(out, /data-qr="https:\/\/between.test\/invite#v=1&amp;t=tok&quot;&lt;en/);
  assert.match(out, /works once/);
  assert.match(out, />Copy link</);
  // Withdrawing is asked once more (withdrawInvitePage): the list only leads there, drawn as a destructive step.
  assert.match(out, /href="\/app\/invites\/i-1\/withdraw" class="button danger secondary"[^]*>Withdraw…<\/a>/);
  assert.doesNotMatch(out, /\/revoke/);
  assert.match(String(invitesPage({ state: 'ready', invites: [] })), /No open invitations/);
});

test('schedule words', () => {
  const r = (over) => ({ recurrence: { start: '2026-03-02', time_zone: 'Europe/Berlin', ...over } });
  // The same words as the review page's (review.js).
  assert.match(scheduleWords({ ...r({ freq: 'once', until: '2026-03-09' }), due: '2026-03-09' }), /^Once, due .*2026/);
  assert.match(scheduleWords(r({ freq: 'daily' })), /^Every day from .*2026$/);
  assert.match(scheduleWords(r({ freq: 'until_next_session', next_session: '2026-03-16T17:00' })),
    new RegExp(`until the next session on .* at ${timeWords('17:00')}`)); // Intl's time, this machine's locale
  assert.equal(String(timeline([], [], '2026-03-02', 'sam')).includes('has not shared anything'), true);
});

// ---------------------------------------------------------------- the invite routes, with a stand-in server

const ME = { userId: new Uint8Array(16).fill(7), handle: 'dr.lee', role: 'therapist', session: {},
  sigSeed: new Uint8Array(32).fill(1), kemSeed: new Uint8Array(32).fill(2), accountKey: new Uint8Array(32).fill(3) };

function server(api, me = ME) {
  const router = new Router();
  register(router, { load: async () => ({ me }), sessionApi: async () => api, origin: 'https://between.test',
    changed: () => {} });
  return async (method, path) => {
    const found = router.match(method, path);
    const response = await found.handler({ request: new Request(`https://between.test${path}`, { method }),
      url: new URL(`https://between.test${path}`), params: found.params });
    return { status: response.status, push: response.headers.get('HX-Push-Url'), body: await response.text() };
  };
}

test('creating an invitation shows its link (token only in the fragment) and lists the open ones', async () => {
  const calls = [];
  const open = [{ invite_id: '33333333-3333-4333-8333-333333333333', created_at: 1773000000, expires_at: 1773600000 }];
  const api = { createInvite: async () => {
    calls.push('create');
    return { invite_id: open[0].invite_id, token: 'T0k_en-0123456789abcdef', expires_at: 1773600000 };
  }, listInvites: async () => open,
  revokeInvite: async (id) => { calls.push(`revoke ${id}`); } };
  const send = server(api);
  const made = await send('POST', '/app/invites');
  assert.equal(made.status, 200);
  assert.equal(made.push, '/app/invites');
  const link = made.body.match(/readonly value="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const parsed = parseInviteUrl(link);
  assert.equal(parsed.token, 'T0k_en-0123456789abcdef');
  assert.equal(parsed.handle, 'dr.lee');
  assert.equal(parsed.origin, 'https://between.test');
  // The secret is the account's for this invite: any device of the account can check the client's proof with it.
  assert.deepEqual(parsed.secret, await inviteSecret(ME.accountKey, uuidBytes(open[0].invite_id)));
  assert.equal(new URL(link).search, ''); // the token is in the fragment, never in the path or query
  // Withdrawing is asked once more, on its own screen: the invitation named by when it was made, what it means.
  assert.match(made.body, /href="\/app\/invites\/33333333-3333-4333-8333-333333333333\/withdraw"/);
  const ask = await send('GET', `/app/invites/${open[0].invite_id}/withdraw`);
  assert.match(ask.body, /<h1 id="withdraw-invite-title">Withdraw the invitation made <time datetime="2026-/);
  assert.match(ask.body, /stop working for good/);
  assert.match(ask.body, /hx-post="\/app\/invites\/33333333-3333-4333-8333-333333333333\/revoke"/);
  assert.match(ask.body, /<button type="submit" class="danger"[^>]*>Withdraw it<\/button>/);
  assert.match(ask.body, /href="\/app\/invites"[^>]*>Keep it<\/a>/);
  assert.deepEqual(calls, ['create']);
  const unknown = await send('GET', '/app/invites/44444444-4444-4444-8444-444444444444/withdraw');
  assert.match(unknown.body, /used already, withdrawn or has expired/);
  assert.doesNotMatch(unknown.body, /withdraw-invite-title/);
  const gone = await send('POST', `/app/invites/${open[0].invite_id}/revoke`);
  assert.match(gone.body, /Invitation withdrawn/);
  assert.deepEqual(calls, ['create', `revoke ${open[0].invite_id}`]);
  assert.equal((await send('POST', '/app/invites/not-an-id/revoke')).status, 404);
});

test('offline or refused: readable words, no detail from the server; signed out and clients told why', async () => {
  const offline = { listInvites: async () => { throw new Unreachable(); },
    createInvite: async () => { throw new Unreachable(); } };
  const list = await server(offline)('GET', '/app/invites');
  assert.equal(list.status, 503);
  assert.match(list.body, /role="alert">The server cannot be reached/);
  const make = await server(offline)('POST', '/app/invites');
  assert.match(make.body, /role="alert">The server cannot be reached/);
  const refused = { listInvites: async () => { throw new ApiError('boom', 'secret detail <b>', 500); } };
  const r = await server(refused)('GET', '/app/invites');
  assert.doesNotMatch(r.body, /secret detail/);
  assert.match(r.body, /could not do that just now/);
  const ended = { listInvites: async () => { throw new BetweenError('signed_out', 'expired'); } };
  assert.match((await server(ended)('GET', '/app/invites')).body, /role="alert">This device is signed out/);
  assert.match((await server(null, { ...ME, session: null })('GET', '/app/invites')).body, /Turn on sync/);
  assert.match((await server({}, { ...ME, role: 'client' })('GET', '/app/invites')).body, /Only a therapist account/);
});

test('the safety number screen reads right for a therapist looking at a client, and for a client', async () => {
  const { linkPage } = await import('../../../js/screens/share/share-views.js');
  const tofu = String(linkPage(peer({ verifiedHow: 'tofu' }), '12345'));
  assert.match(tofu, /aria-current="page"[^>]*>Clients</);
  assert.match(tofu, /<span class="badge badge-unverified">Not verified<\/span>/);
  assert.match(tofu, /this key came from the server/);
  assert.match(tofu, /You can work together as usual/);
  assert.match(tofu, /Your client\. Key pinned/);
  assert.match(tofu, /Compare these 60 digits with sam, in person or by\s+video/);
  assert.match(tofu, /I compared the numbers: they match/);
  assert.match(tofu, new RegExp(`href="/app/clients/${UID}"[^>]*>Back to sam<`));
  assert.doesNotMatch(tofu, /therapist/i);
  const changed = String(linkPage(peer({ changed: {} }), '1'));
  assert.match(changed, /security key changed\. What they share is held back, and nothing new can be assigned/);
  assert.match(changed, />Key changed</);
  assert.match(changed, /The numbers match: accept this key/);
  const mismatch = String(linkPage(peer({ state: 'mismatch' }), '1'));
  assert.match(mismatch, /does not match the invitation they accepted/);
  const client = String(linkPage(peer({ role: 'therapist', handle: 'dr.lee', verifiedHow: 'invite-link' }), '1'));
  assert.match(client, /Your therapist\. Key pinned/);
  assert.match(client, /Compare these 60 digits with your therapist, in person or by\s+video/);
  assert.match(client, />Verified by invitation</);
  assert.match(client, /the key matched the one in the link dr\.lee gave you/);
  // Shared is a screen under More now: More is the current tab, the window is named after Shared.
  assert.match(client, /aria-current="page"[^>]*>More</);
  assert.match(client, /<nav [^>]*data-screen="Shared"/);
  assert.doesNotMatch(client, /Back to/);
});

test('the timeline says choices by their labels and folds a long answer under "Show all"; print shows it whole', () => {
  const RELAX = { id: 'relaxation', label: 'Breathing or relaxation', fields: [
    { id: 'technique', label: 'Technique', type: 'single_choice', constraints: { options: [
      { id: 'box-breathing', label: 'Box breathing' }] } },
    { id: 'note', label: 'Note', type: 'long_text' }] };
  const long = `${'Counted four in, four out, and my shoulders dropped. '.repeat(10)}The end ${HOSTILE}`;
  const shared = [{ id: 'e-relax', updatedAt: '2026-03-12T09:00:00Z', doc: { v: 1, kind: 'relaxation',
    fields: { technique: 'box-breathing', note: long }, created_at: '2026-03-12T09:00:00Z',
    updated_at: '2026-03-12T09:00:00Z' } },
  { id: 'r-long', updatedAt: '2026-03-11T19:00:00Z', doc: { v: 1, type: 'assignment-response', assignment_id: 'a-1',
    occurrence: '2026-03-11', status: 'not_done', reason: long, created_at: '2026-03-11T19:00:00Z',
    updated_at: '2026-03-11T19:00:00Z' } }];
  const list = timelineItems(shared, () => RELAX, titles, dayOf);
  const page = String(timeline(list, [], '2026-03-13', 'sam'));
  assert.match(page, /<p class="tl-summary">Box breathing · Counted four in/);
  assert.match(page, /<dt>Technique<\/dt><dd>Box breathing<\/dd>/);
  assert.doesNotMatch(page, /box-breathing/);
  assert.equal((page.match(/<details>/g) ?? []).length, 2, 'the note and the reason, each folded');
  assert.match(page, /<span class="visually-hidden"> of “Note”<\/span>/);
  assert.match(page, /<span class="visually-hidden"> of “Reason”<\/span>/);
  assert.doesNotMatch(page, /<img/);
  const print = String(printPage({ peer: peer(), marks: [], today: '2026-03-13', items: list,
    range: { from: '2026-03-11', to: '2026-03-12' } }));
  assert.doesNotMatch(print, /<details|Show all/, 'on paper every answer is whole');
  assert.match(print, /The end &lt;img/);
});
