-- Revisions move from a WITHOUT ROWID table into an ordinary (rowid) table. A revision row carries about
-- 1 KiB of ciphertext; clustered on a random record id, every insert rewrote a leaf page (and its
-- overflow page) somewhere in a tree of such rows. Now the rows go where the rowid puts them, and only the
-- two small keys are indexed by record id. Measured on the store alone (50-record pushes, one core): 120-175 us
-- per record before, about 70 after; pulls read faster too (make bench).
-- Nothing references this table, so it is rebuilt under the same name with the same columns and keys.

CREATE TABLE revisions_next (
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

INSERT INTO revisions_next (record_id, version, rev_id, key_id, header, ct, signature, seq, sharing)
    SELECT record_id, version, rev_id, key_id, header, ct, signature, seq, sharing FROM revisions ORDER BY seq;

DROP TABLE revisions;
ALTER TABLE revisions_next RENAME TO revisions;
