-- Trust without friction: the invitation a care link was made from, and the client's proof over its own key
-- bundle (HMAC under the link's secret, which the server never sees). The therapist's devices check it to pin
-- the client as "verified by invitation". NULL for links made before invitations carried a secret.
ALTER TABLE links ADD COLUMN invite_id BLOB;
ALTER TABLE links ADD COLUMN proof BLOB;
