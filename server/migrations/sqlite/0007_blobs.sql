-- Attachments' blobs (docs/PROTOCOL.md §17 "Attachments"; on PostgreSQL: migrations/postgres/0003). With SQLite the
-- bytes are a file per blob, <data>/blobs/<first 2 hex digits>/<id hex>; this row says how many of them count.
-- received: bytes taken and on disk (fsync) before the row said so; digest: SHA-256 of the whole blob, once
-- complete. touched_at: the last write (an upload not written to for BETWEEN_UPLOAD_EXPIRY is collected);
-- unnamed_since: when the last head revision naming it moved on (collected BETWEEN_ATTACHMENT_HISTORY later).
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
CREATE INDEX blobs_by_owner ON blobs (owner_id);

-- The blobs each revision's push named (PushItem.attachments): what the server keeps, and whom it serves them to.
CREATE TABLE revision_blobs (
    record_id BLOB NOT NULL,
    version   INTEGER NOT NULL,
    blob_id   BLOB NOT NULL REFERENCES blobs (blob_id) ON DELETE CASCADE,
    PRIMARY KEY (record_id, version, blob_id),
    FOREIGN KEY (record_id, version) REFERENCES revisions (record_id, version) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX revision_blobs_by_blob ON revision_blobs (blob_id);

-- Background tasks that run one at a time across workers: who holds each, until when.
CREATE TABLE task_leases (
    name        TEXT PRIMARY KEY,
    lease_until INTEGER NOT NULL,
    holder      BLOB NOT NULL
) STRICT;
