-- Review fixes. A replayed push must carry the sharing change it was stored with, and a care
-- invite used as a sign-up code admits one sign-up.

-- SHA-256 over the item's sorted granted ids, a separator and its sorted revoked ids
-- (records.py sharing_digest); NULL for revisions stored before this migration.
ALTER TABLE revisions ADD COLUMN sharing BLOB;

-- set when the invite's token was spent as a sign-up code; the invite stays acceptable as a link
ALTER TABLE invites ADD COLUMN signup_used_at INTEGER;
