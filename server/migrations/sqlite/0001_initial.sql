-- Initial schema. Only ciphertext, public keys, ids, hashes and timestamps: no plaintext column exists.
-- Ids are 16-byte blobs (UUID bytes); times are Unix seconds.

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
) STRICT;

CREATE TABLE devices (
    device_id    BLOB PRIMARY KEY CHECK (length(device_id) = 16),
    user_id      BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    sig_pub      BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX devices_by_user ON devices (user_id);

-- token_hash = SHA-256(bearer token); the token itself is never stored
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id  BLOB NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_device ON sessions (device_id);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- subject is 'h:<handle>' (prelogin) or 'd:<device hex>' (device challenge), known or not
CREATE TABLE challenges (
    challenge_id BLOB PRIMARY KEY,
    challenge    BLOB NOT NULL,
    subject      TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX challenges_by_expiry ON challenges (expires_at);

CREATE TABLE records (
    record_id    BLOB PRIMARY KEY CHECK (length(record_id) = 16),
    owner_id     BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    head_version INTEGER NOT NULL,
    head_rev_id  BLOB NOT NULL,
    head_key_id  BLOB NOT NULL
) STRICT;
CREATE INDEX records_by_owner ON records (owner_id);

CREATE TABLE revisions (
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    rev_id    BLOB NOT NULL,
    key_id    BLOB NOT NULL,
    header    BLOB NOT NULL,
    ct        BLOB NOT NULL,
    signature BLOB NOT NULL,
    seq       INTEGER NOT NULL, -- the owner's feed seq of this write
    PRIMARY KEY (record_id, version),
    UNIQUE (record_id, rev_id)
) STRICT, WITHOUT ROWID;

-- the owner's wrap of each record key (DEK) under the owner's key-wrapping key
CREATE TABLE dek_wraps (
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    key_id    BLOB NOT NULL,
    wrap      BLOB NOT NULL,
    PRIMARY KEY (record_id, key_id)
) STRICT, WITHOUT ROWID;

-- revoked grants stay (revoked_at set, sealed key erased) so a re-key can be checked against
-- every key a grantee ever held
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
CREATE INDEX grants_by_grantee ON grants (grantee_id);

-- one row per (reader, record): the seq of the last change the reader has to pull
CREATE TABLE feed (
    user_id   BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    record_id BLOB NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX feed_by_seq ON feed (user_id, seq);
CREATE INDEX feed_by_record ON feed (record_id);

CREATE TABLE invites (
    invite_id    BLOB PRIMARY KEY,
    therapist_id BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX invites_by_therapist ON invites (therapist_id);

CREATE TABLE links (
    link_id      BLOB PRIMARY KEY,
    therapist_id BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    client_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    UNIQUE (therapist_id, client_id)
) STRICT;
CREATE INDEX links_by_client ON links (client_id);
