// The security rules of sharing (review H1, H2, L3): who may get a key, which grants count, what a lost push
// answer leaves to send, and how an unverified therapist is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../messages-setup.js'; // the English catalogue in use, strict
import { canGrant, granteesAfter, rebaseIntent, shareListAfterPull } from '../../js/core/sharing.js';
import { linkPage, sharingPanel } from '../../js/screens/share/share-views.js';

const key = (b) => new Uint8Array(16).fill(b);
const peer = (over) => ({ userId: '11111111-1111-4111-8111-111111111111', handle: 'dr.lee', linked: true, changed: null,
  verifiedHow: 'invite-link', pinnedAt: '2026-11-26T10:00:00Z', ...over });

test('a key only the server vouches for (tofu) is shared with; a blocked key (changed, mismatched) never', () => {
  assert.equal(canGrant(peer({ verifiedHow: 'tofu' })), true); // work goes on, marked "Not verified"
  assert.equal(canGrant(peer({ verifiedHow: 'tofu', state: 'unverified' })), true);
  assert.equal(canGrant(peer({ verifiedHow: 'invite-link' })), true); // the invite link checked the key
  assert.equal(canGrant(peer({ verifiedHow: 'safety-number' })), true);
  assert.equal(canGrant(peer({ changed: { handle: 'dr.lee' } })), false);
  assert.equal(canGrant(peer({ changed: { handle: 'dr.lee' }, state: 'changed' })), false);
  assert.equal(canGrant(peer({ verifiedHow: 'tofu', state: 'mismatch' })), false);
  assert.equal(canGrant(peer({ linked: false })), false);
  assert.equal(canGrant(undefined), false);
});

test('grants for an old key never put someone back on the share list, and say so', () => {
  // H2: the server replays lee's revoked grant for key 1 while the head is under key 2 shared with nobody.
  const out = shareListAfterPull({ known: {}, knownKeyId: key(2), keyId: key(2), served: {}, stale: new Set(['lee']) });
  assert.deepEqual(out.grantees, {});
  assert.deepEqual(out.warnings, ['old_grants_ignored']);
  // An old grant of someone who also holds the current key is normal history, not a warning.
  const both = shareListAfterPull({ known: { lee: 't1' }, knownKeyId: key(2), keyId: key(2), served: { lee: 't1' },
    stale: new Set(['lee']) });
  assert.deepEqual(both, { grantees: { lee: 't1' }, warnings: [] });
});

test('under the same key the device keeps its own list; a new key (a re-key by this account) replaces it', () => {
  const same = shareListAfterPull({ known: { lee: 't1' }, knownKeyId: key(1), keyId: key(1),
    served: { lee: 't1', eve: 't2' }, stale: new Set() });
  assert.deepEqual(same, { grantees: { lee: 't1' }, warnings: ['share_list_differs'] });
  const dropped = shareListAfterPull({ known: { lee: 't1' }, knownKeyId: key(1), keyId: key(1), served: {},
    stale: new Set() });
  assert.deepEqual(dropped, { grantees: { lee: 't1' }, warnings: ['share_list_differs'] });
  // The server drops the grants of someone whose link ended: expected, kept (to be revoked), no warning.
  const ended = shareListAfterPull({ known: { lee: 't1' }, knownKeyId: key(1), keyId: key(1), served: {},
    stale: new Set(), gone: new Set(['lee']) });
  assert.deepEqual(ended, { grantees: { lee: 't1' }, warnings: [] });
  const rekeyed = shareListAfterPull({ known: { lee: 't1' }, knownKeyId: key(1), keyId: key(2), served: { sam: 't3' },
    stale: new Set() });
  assert.deepEqual(rekeyed, { grantees: { sam: 't3' }, warnings: [] });
  const fresh = shareListAfterPull({ known: undefined, knownKeyId: undefined, keyId: key(2), served: { sam: 't3' },
    stale: new Set() });
  assert.deepEqual(fresh.grantees, { sam: 't3' });
});

test('after a lost push answer, only the sharing change the server did not apply is left to send', () => {
  // Pushed "stop sharing with lee", the answer was lost, then the person shared with lee again: the intent
  // became empty relative to the old list, but what they want is lee, and the server now holds nobody.
  const row = { grantees: { lee: 't1' }, intent: null };
  assert.deepEqual(rebaseIntent(granteesAfter(row), {}), { add: ['lee'], revoke: [] });
  // The server applied exactly what is wanted: nothing more to send.
  assert.equal(rebaseIntent(new Set(['lee']), { lee: 't2' }), null);
  // Unshared meanwhile: a revoke.
  assert.deepEqual(rebaseIntent(new Set(), { lee: 't2' }), { add: [], revoke: ['lee'] });
  // Someone this device may not grant to is not added (it would block the push for good).
  assert.equal(rebaseIntent(new Set(['lee']), {}, () => false), null);
});

test('an unverified therapist is shown as such, with the action that verifies, and can be shared with', () => {
  const tofu = peer({ verifiedHow: 'tofu' });
  const page = String(linkPage(tofu, '12345 '.repeat(12).trim()));
  assert.match(page, />Not verified</);
  assert.match(page, /this key came from the server/);
  assert.match(page, /I compared the numbers: they match/);
  assert.match(page, new RegExp(`action="/app/link/${tofu.userId}/verify"`));
  const panel = String(sharingPanel('e1', { shared: [], stopping: [], peers: [tofu] }));
  assert.match(panel, /Share with dr\.lee/);
  assert.match(panel, /key is not verified \(it came from the server\)/);
  // A blocked key: no share button, the way to fix it instead, and a share made elsewhere says what it means here.
  const blocked = peer({ verifiedHow: 'tofu', state: 'mismatch' });
  const none = String(sharingPanel('e1', { shared: [], stopping: [], peers: [blocked] }));
  assert.doesNotMatch(none, /Share with dr\.lee/);
  assert.match(none, /does not match the invitation they accepted/);
  const held = String(sharingPanel('e1', { shared: [{ peer: blocked, since: '2026-11-26T10:00:00Z', pending: false }],
    stopping: [], peers: [blocked] }));
  assert.match(held, /Shared with <strong>dr\.lee<\/strong>/);
  assert.match(held, /a new key made here is not given to them/);
  const verified = String(sharingPanel('e1', { shared: [], stopping: [],
    peers: [peer({ verifiedHow: 'safety-number' })] }));
  assert.match(verified, /Share with dr\.lee/);
  const done = String(linkPage(peer({ verifiedHow: 'safety-number' }), '1'));
  assert.doesNotMatch(done, /not verified/);
  assert.match(done, /You compared this number/);
  // The invite-link path is verified: no warning, only the optional comparison.
  assert.doesNotMatch(String(linkPage(peer(), '1')), /role="alert"/);
});

test('a refused share says why on the entry page', () => {
  const panel = String(sharingPanel('e1', { shared: [], stopping: [], peers: [] }, 'Not shared: not verified'));
  assert.match(panel, /role="alert">Not shared: not verified</);
});
