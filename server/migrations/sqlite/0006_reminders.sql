-- Reminders (docs/PROTOCOL.md "Reminders"; on PostgreSQL: migrations/postgres/0002): a device's Web Push
-- subscription and the coming instants it asked to be woken at, each under an id only that device can read. Nothing
-- here says what a reminder is about.
CREATE TABLE push_subscriptions (
    device_id  BLOB PRIMARY KEY REFERENCES devices (device_id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     BLOB NOT NULL,
    auth       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

-- due_at: when a sender may claim the row next (fire_at, then the end of a sender's lease or the next retry);
-- lease: the claim of the sender holding it, so each reminder is sent by one sender even with several workers.
CREATE TABLE reminder_times (
    device_id   BLOB NOT NULL REFERENCES push_subscriptions (device_id) ON DELETE CASCADE,
    reminder_id TEXT NOT NULL,
    fire_at     INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease       BLOB,
    PRIMARY KEY (device_id, reminder_id)
) STRICT;
CREATE INDEX reminder_times_due ON reminder_times (due_at);
