-- Each account's stored bytes (every revision's header and ciphertext it owns), kept by the push that writes them:
-- the per-account storage quota (BETWEEN_QUOTA) reads this one number instead of summing revisions.

ALTER TABLE users ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;

UPDATE users SET stored_bytes = (
    SELECT coalesce(sum(length(v.header) + length(v.ct)), 0)
    FROM records r JOIN revisions v ON v.record_id = r.record_id
    WHERE r.owner_id = users.user_id
);
