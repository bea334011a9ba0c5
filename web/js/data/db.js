/** The device's IndexedDB: one versioned schema, ciphertext and wrapped keys only, small promise helpers. */

export const DB_NAME = 'between';
export const DB_VERSION = 6;

/**
 * Schema by version: each step upgrades from the version before it, so any old database reaches the latest.
 * - meta: device keys (a non-extractable CryptoKey and the account secrets wrapped by it), settings.
 * - records: one row per record: its head revision (header, ct, signature, all as the server would store
 *   them), the owner's DEK wrap, and syncedVersion (the version the server acknowledged; 0 = never pushed),
 *   so the outbox is every record whose head is ahead of syncedVersion.
 * - revisions: every revision this device wrote or accepted, the local history (undo and merge bases).
 * Version 2 (sync): records rows also carry `synced` (the server's head, the merge base), `dekWraps` (one
 *   wrap per key epoch), `grantees` and `intent` (a pending share or unshare); `meta` holds the pull cursor;
 * - peers: the other side of each care link, pinned (user id, handle, keys, bundle, how it was verified).
 * Version 3 (care): received: one row per record another person shared with this account, as verified at pull
 *   time: its head (header, ct, signature), the owner, this record's DEKs re-wrapped under our KWK per key
 *   epoch, the high-water mark, and when this device got it. Decrypted only when read, in memory.
 * Version 4 (trust): verifications: the account's key verifications (own records of type key-verification), one
 *   row per record as read from its document: {recordId, peerId, bundle, how, createdAt}, public keys only. Peer
 *   rows gain `state` (trust.js judge: verified, unverified, changed, mismatch) and `held` (records of theirs held
 *   back while blocked).
 * Version 5 (drafts): drafts: forms in progress (data/drafts.js), one row per form: {id, keyId, dekWrap, ct}, the id
 *   an HMAC of the form's identity, everything else sealed like an entry. Never synced, shared or exported.
 * Version 6 (attachments): blobs: one row per attachment blob this device holds (data/blobs.js), keyed by the
 *   attachment id, index `record`: {id, recordId, bytes}, the bytes exactly as they go to the server (ciphertext
 *   under the attachment's key, which only the entry's sealed document holds). uploads: one row per blob of this
 *   device still to upload or uploaded (engine/uploads.js): {id, recordId, size, received, state, tries, nextTry,
 *   error, updatedAt}, kept apart from the bytes so that noting progress does not write them again.
 */
/**
 * A row of 'peers': the other side of a care link as this device pinned it (engine/peers.js settlePeer writes it;
 * rows from before version 4 have no `state` or `held`).
 * @typedef {{userId: string, handle: string, role: 'client'|'therapist', sigPub: Uint8Array, kemPub: Uint8Array,
 *   bundle: import('../core/keys.js').KeyBundle, verifiedHow: string, pinnedAt: string, linkId: string|null,
 *   linked: boolean, changed?: import('../core/keys.js').KeyBundle|null, state?: string, held?: number}} Peer
 * changed: the key served instead of the pinned one (trust.js judge), while that blocks the peer
 */

const MIGRATIONS = [
  (db) => {
    db.createObjectStore('meta');
    db.createObjectStore('records', { keyPath: 'recordId' });
    db.createObjectStore('revisions', { keyPath: ['recordId', 'version'] });
  },
  (db) => {
    db.createObjectStore('peers', { keyPath: 'userId' });
  },
  (db) => {
    db.createObjectStore('received', { keyPath: 'recordId' });
  },
  (db, tx) => {
    db.createObjectStore('verifications', { keyPath: 'recordId' }).createIndex('peer', 'peerId');
    // Each pinned peer gets the state trust.judge would give it (until the next sync judges it again).
    tx.objectStore('peers').openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const p = cursor.value;
      const state = p.changed ? 'changed' : p.verifiedHow === 'tofu' ? 'unverified' : 'verified';
      cursor.update({ ...p, state, held: 0 });
      cursor.continue();
    };
  },
  (db) => {
    db.createObjectStore('drafts', { keyPath: 'id' });
  },
  (db) => {
    db.createObjectStore('blobs', { keyPath: 'id' }).createIndex('record', 'recordId');
    db.createObjectStore('uploads', { keyPath: 'id' }).createIndex('record', 'recordId');
  },
];

/** @param {IDBRequest} request */
export const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** @param {IDBTransaction} tx */
const committed = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve(undefined);
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
});

/** @returns {Promise<IDBDatabase>} */
export function openDb(name = DB_NAME) {
  const request = indexedDB.open(name, DB_VERSION);
  request.onupgradeneeded = (event) => {
    for (let v = event.oldVersion; v < DB_VERSION; v++) MIGRATIONS[v](request.result, request.transaction);
  };
  return done(request).then((db) => {
    // Another tab (or a newer service worker) wants to upgrade: step aside instead of blocking it.
    db.onversionchange = () => db.close();
    return db;
  });
}

/** @param {IDBDatabase} db @param {string} store @param {IDBValidKey} key */
export async function get(db, store, key) {
  return done(db.transaction(store).objectStore(store).get(key));
}

/** @param {IDBDatabase} db @param {string} store */
export async function getAll(db, store, query = undefined) {
  return done(db.transaction(store).objectStore(store).getAll(query));
}

/**
 * Run `work` in one read-write transaction over `stores` and wait for the commit. IndexedDB commits a
 * transaction as soon as it awaits anything else, so callers encrypt first and only queue requests here.
 * @param {IDBDatabase} db @param {string[]} stores @param {(tx: IDBTransaction) => void} work
 */
export async function write(db, stores, work) {
  const tx = db.transaction(stores, 'readwrite', { durability: 'strict' });
  const finished = committed(tx);
  try {
    work(tx);
  } catch (err) {
    finished.catch(() => {});
    tx.abort();
    throw err;
  }
  await finished;
}
