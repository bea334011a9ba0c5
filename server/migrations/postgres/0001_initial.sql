-- The PostgreSQL schema: the same tables, columns and rules as the SQLite migrations 0001-0005 (server/migrations/
-- sqlite/), in one step. Only ciphertext, public keys, ids, hashes and timestamps: no plaintext column exists.
-- Ids are 16-byte bytea (UUID bytes); times are Unix seconds; every integer is bigint, as SQLite's are 64-bit.

CREATE TABLE users (
    user_id            bytea PRIMARY KEY CHECK (length(user_id) = 16),
    handle             text NOT NULL UNIQUE,
    role               text NOT NULL CHECK (role IN ('client', 'therapist')),
    kdf_memory_kib     bigint NOT NULL,
    kdf_iterations     bigint NOT NULL,
    kdf_lanes          bigint NOT NULL,
    kdf_salt           bytea NOT NULL,
    login_pub          bytea NOT NULL,
    recovery_login_pub bytea NOT NULL,
    pw_envelope        bytea NOT NULL,
    rk_envelope        bytea NOT NULL,
    id_wrap            bytea NOT NULL,
    sig_pub            bytea NOT NULL,
    kem_pub            bytea NOT NULL,
    bundle_signature   bytea NOT NULL,
    created_at         bigint NOT NULL,
    -- this user's feed counter: per reader. Its row lock, held to COMMIT by the transaction that bumps it, is what
    -- orders the reader's feed (docs/INTERNALS.md, "Feed order on PostgreSQL").
    feed_seq           bigint NOT NULL DEFAULT 0,
    stored_bytes       bigint NOT NULL DEFAULT 0
);

CREATE TABLE devices (
    device_id    bytea PRIMARY KEY CHECK (length(device_id) = 16),
    user_id      bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         text NOT NULL,
    sig_pub      bytea NOT NULL,
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL
);
CREATE INDEX devices_by_user ON devices (user_id);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id  bytea NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
    expires_at bigint NOT NULL
);
CREATE INDEX sessions_by_device ON sessions (device_id);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE challenges (
    challenge_id bytea PRIMARY KEY,
    challenge    bytea NOT NULL,
    subject      text NOT NULL,
    expires_at   bigint NOT NULL
);
CREATE INDEX challenges_by_expiry ON challenges (expires_at);

CREATE TABLE records (
    record_id    bytea PRIMARY KEY CHECK (length(record_id) = 16),
    owner_id     bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    head_version bigint NOT NULL,
    head_rev_id  bytea NOT NULL,
    head_key_id  bytea NOT NULL
);
CREATE INDEX records_by_owner ON records (owner_id);

CREATE TABLE revisions (
    record_id bytea NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    version   bigint NOT NULL,
    rev_id    bytea NOT NULL,
    key_id    bytea NOT NULL,
    header    bytea NOT NULL,
    ct        bytea NOT NULL,
    signature bytea NOT NULL,
    seq       bigint NOT NULL, -- the owner's feed seq of this write
    sharing   bytea,
    PRIMARY KEY (record_id, version),
    UNIQUE (record_id, rev_id)
);

CREATE TABLE dek_wraps (
    record_id bytea NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    key_id    bytea NOT NULL,
    wrap      bytea NOT NULL,
    PRIMARY KEY (record_id, key_id)
);

CREATE TABLE grants (
    record_id  bytea NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    grantee_id bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    key_id     bytea NOT NULL,
    body       bytea NOT NULL,
    sealed     bytea NOT NULL,
    signature  bytea NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint,
    PRIMARY KEY (record_id, grantee_id, key_id)
);
CREATE INDEX grants_by_grantee ON grants (grantee_id);

CREATE TABLE feed (
    user_id   bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    record_id bytea NOT NULL REFERENCES records (record_id) ON DELETE CASCADE,
    seq       bigint NOT NULL,
    PRIMARY KEY (user_id, record_id)
);
CREATE UNIQUE INDEX feed_by_seq ON feed (user_id, seq);
CREATE INDEX feed_by_record ON feed (record_id);

CREATE TABLE invites (
    invite_id      bytea PRIMARY KEY,
    therapist_id   bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    token_hash     bytea NOT NULL UNIQUE,
    created_at     bigint NOT NULL,
    expires_at     bigint NOT NULL,
    signup_used_at bigint
);
CREATE INDEX invites_by_therapist ON invites (therapist_id);

CREATE TABLE links (
    link_id      bytea PRIMARY KEY,
    therapist_id bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    client_id    bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at   bigint NOT NULL,
    invite_id    bytea,
    proof        bytea,
    UNIQUE (therapist_id, client_id)
);
CREATE INDEX links_by_client ON links (client_id);

-- Token buckets shared by every worker (server/ratelimit.py): sign-in attempts per address and handle, pushes per
-- account. `at` is the time of the last refill (the server's clock, seconds).
CREATE TABLE rate_buckets (
    key    text PRIMARY KEY,
    tokens double precision NOT NULL,
    at     double precision NOT NULL
);

-- Take one token of a bucket holding at most `cap`, refilled at `rate` per second: 0 when taken, else the seconds
-- until one is back. One statement for the caller, so two workers never both take the last token.
CREATE FUNCTION between_take_token(bucket text, cap double precision, rate double precision, now double precision)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    have double precision;
BEGIN
    INSERT INTO rate_buckets (key, tokens, at) VALUES (bucket, cap, now) ON CONFLICT (key) DO NOTHING;
    SELECT least(cap, tokens + greatest(now - at, 0) * rate) INTO have FROM rate_buckets WHERE key = bucket FOR UPDATE;
    IF have >= 1 THEN
        UPDATE rate_buckets SET tokens = have - 1, at = now WHERE key = bucket;
        RETURN 0;
    END IF;
    UPDATE rate_buckets SET tokens = have, at = now WHERE key = bucket;
    RETURN (1 - have) / rate;
END $$;

-- What moves an account's feed or its care links, told to every worker's listener (server/store/postgres.py):
-- the payload is the account's id and the device that wrote, both hex, never content. `between.origin` is set for
-- the transaction by the write that knows its device. Identical payloads in one transaction arrive once.
CREATE FUNCTION between_moved(account bytea) RETURNS void LANGUAGE sql AS $$
    SELECT pg_notify('between_feed', encode(account, 'hex') || ' ' || coalesce(current_setting('between.origin', true), ''))
$$;

CREATE FUNCTION between_feed_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM between_moved(NEW.user_id);
    RETURN NULL;
END $$;

CREATE FUNCTION between_link_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row links;
BEGIN
    IF TG_OP = 'DELETE' THEN row := OLD; ELSE row := NEW; END IF;
    PERFORM between_moved(row.therapist_id);
    PERFORM between_moved(row.client_id);
    RETURN NULL;
END $$;

CREATE TRIGGER between_feed_moved AFTER UPDATE OF feed_seq ON users
    FOR EACH ROW WHEN (NEW.feed_seq IS DISTINCT FROM OLD.feed_seq) EXECUTE FUNCTION between_feed_moved();
CREATE TRIGGER between_link_made AFTER INSERT ON links FOR EACH ROW EXECUTE FUNCTION between_link_moved();
CREATE TRIGGER between_link_ended AFTER DELETE ON links FOR EACH ROW EXECUTE FUNCTION between_link_moved();
