-- Attachments' blobs, as SQLite's migration 0007, with the bytes here too: blob_parts holds them in rows of at most
-- 1 MiB, each at its byte offset in the blob, so every worker on every machine sees the same blobs.
CREATE TABLE blobs (
    blob_id       bytea PRIMARY KEY CHECK (length(blob_id) = 16),
    owner_id      bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    size          bigint NOT NULL CHECK (size > 0),
    received      bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size),
    digest        bytea,
    created_at    bigint NOT NULL,
    touched_at    bigint NOT NULL,
    completed_at  bigint,
    unnamed_since bigint
);
CREATE INDEX blobs_by_owner ON blobs (owner_id);

CREATE TABLE blob_parts (
    blob_id     bytea NOT NULL REFERENCES blobs (blob_id) ON DELETE CASCADE,
    byte_offset bigint NOT NULL,
    data        bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 1048576),
    PRIMARY KEY (blob_id, byte_offset)
);

CREATE TABLE revision_blobs (
    record_id bytea NOT NULL,
    version   bigint NOT NULL,
    blob_id   bytea NOT NULL REFERENCES blobs (blob_id) ON DELETE CASCADE,
    PRIMARY KEY (record_id, version, blob_id),
    FOREIGN KEY (record_id, version) REFERENCES revisions (record_id, version) ON DELETE CASCADE
);
CREATE INDEX revision_blobs_by_blob ON revision_blobs (blob_id);

CREATE TABLE task_leases (
    name        text PRIMARY KEY,
    lease_until bigint NOT NULL,
    holder      bytea NOT NULL
);
