-- Schema after every migration. Regenerate with: PYTHONPATH=tests/server .venv/bin/python tests/server/store/test_connection.py

-- index blobs_by_owner
CREATE INDEX blobs_by_owner ON blobs (owner_id);

-- index challenges_by_expiry
CREATE INDEX challenges_by_expiry ON challenges (expires_at);

-- index devices_by_user
CREATE INDEX devices_by_user ON devices (user_id);

-- index feed_by_record
CREATE INDEX feed_by_record ON feed (record_id);

-- index feed_by_seq
CREATE UNIQUE INDEX feed_by_seq ON feed (user_id, seq);

-- index grants_by_grantee
CREATE INDEX grants_by_grantee ON grants (grantee_id);

-- index invites_by_therapist
CREATE INDEX invites_by_therapist ON invites (therapist_id);

-- index links_by_client
CREATE INDEX links_by_client ON links (client_id);

-- index push_subscriptions_by_user
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

-- index records_by_owner
CREATE INDEX records_by_owner ON records (owner_id);

-- index reminder_times_due
CREATE INDEX reminder_times_due ON reminder_times (due_at);

-- index revision_blobs_by_blob
CREATE INDEX revision_blobs_by_blob ON revision_blobs (blob_id);

-- index sessions_by_device
CREATE INDEX sessions_by_device ON sessions (device_id);

-- index sessions_by_user
CREATE INDEX sessions_by_user ON sessions (user_id);

-- table blobs
CREATE TABLE blobs (
    blob_id       BLOB PRIMARY KEY CHECK (length(blob_id) = 16),
    owner_id      BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    size          INTEGER NOT NULL CHECK (size > 0),
    received      INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size),
    digest        BLOB,
    created_at    INTEGER NOT NULL,
    touched_at    INTEGER NOT NULL,
    completed_at  INTEGER,
    unnamed_since INTEGER
) STRICT;

-- table challenges
CREATE TABLE challenges (
    challenge_id BLOB PRIMARY KEY,
    challenge    BLOB NOT NULL,
    subject      TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

-- table dek_wraps
CREATE TABLE dek_wraps (
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    key_id    BLOB NOT NULL,
    wrap      BLOB NOT NULL,
    PRIMARY KEY (record_id, key_id)
) STRICT, WITHOUT ROWID;

-- table devices
CREATE TABLE devices (
    device_id    BLOB PRIMARY KEY CHECK (length(device_id) = 16),
    user_id      BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    sig_pub      BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;

-- table feed
CREATE TABLE feed (
    user_id   BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;

-- table grants
CREATE TABLE grants (
    record_id  BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    grantee_id BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    key_id     BLOB NOT NULL,
    body       BLOB NOT NULL,
    sealed     BLOB NOT NULL,
    signature  BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (record_id, grantee_id, key_id)
) STRICT, WITHOUT ROWID;

-- table invites
CREATE TABLE invites (
    invite_id    BLOB PRIMARY KEY,
    therapist_id BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
, signup_used_at INTEGER) STRICT;

-- table links
CREATE TABLE links (
    link_id      BLOB PRIMARY KEY,
    therapist_id BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    client_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL, invite_id BLOB, proof BLOB,
    UNIQUE (therapist_id, client_id)
) STRICT;

-- table push_subscriptions
CREATE TABLE push_subscriptions (
    device_id  BLOB PRIMARY KEY REFERENCES devices (device_id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     BLOB NOT NULL,
    auth       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- table records
CREATE TABLE records (
    record_id    BLOB PRIMARY KEY CHECK (length(record_id) = 16),
    owner_id     BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    head_version INTEGER NOT NULL,
    head_rev_id  BLOB NOT NULL,
    head_key_id  BLOB NOT NULL
) STRICT;

-- table reminder_times
CREATE TABLE reminder_times (
    device_id   BLOB NOT NULL REFERENCES push_subscriptions (device_id) ON DELETE CASCADE,
    reminder_id TEXT NOT NULL,
    fire_at     INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease       BLOB,
    PRIMARY KEY (device_id, reminder_id)
) STRICT;

-- table revision_blobs
CREATE TABLE revision_blobs (
    record_id BLOB NOT NULL,
    version   INTEGER NOT NULL,
    blob_id   BLOB NOT NULL REFERENCES blobs (blob_id) ON DELETE CASCADE,
    PRIMARY KEY (record_id, version, blob_id),
    FOREIGN KEY (record_id, version) REFERENCES revisions (record_id, version) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- table revisions
CREATE TABLE "revisions" (
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    rev_id    BLOB NOT NULL,
    key_id    BLOB NOT NULL,
    header    BLOB NOT NULL,
    ct        BLOB NOT NULL,
    signature BLOB NOT NULL,
    seq       INTEGER NOT NULL, -- the owner's feed seq of this write
    sharing   BLOB,             -- records.py sharing_digest (migration 0002)
    PRIMARY KEY (record_id, version),
    UNIQUE (record_id, rev_id)
) STRICT;

-- table sessions
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id  BLOB NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT;

-- table task_leases
CREATE TABLE task_leases (
    name        TEXT PRIMARY KEY,
    lease_until INTEGER NOT NULL,
    holder      BLOB NOT NULL
) STRICT;

-- table users
CREATE TABLE users (
    user_id            BLOB PRIMARY KEY CHECK (length(user_id) = 16),
    handle             TEXT NOT NULL UNIQUE,
    role               TEXT NOT NULL CHECK (role IN ('client', 'therapist')),
    kdf_memory_kib     INTEGER NOT NULL,
    kdf_iterations     INTEGER NOT NULL,
    kdf_lanes          INTEGER NOT NULL,
    kdf_salt           BLOB NOT NULL,
    login_pub          BLOB NOT NULL,
    recovery_login_pub BLOB NOT NULL,
    pw_envelope        BLOB NOT NULL,
    rk_envelope        BLOB NOT NULL,
    id_wrap            BLOB NOT NULL,
    sig_pub            BLOB NOT NULL,
    kem_pub            BLOB NOT NULL,
    bundle_signature   BLOB NOT NULL,
    created_at         INTEGER NOT NULL,
    -- this user's feed counter: per reader, so seqs reveal nothing about anyone else's writes
    feed_seq           INTEGER NOT NULL DEFAULT 0
, stored_bytes INTEGER NOT NULL DEFAULT 0) STRICT;

