-- Reminders, as SQLite's migration 0006: a device's Web Push subscription and the coming instants it asked to be
-- woken at, each under an id only that device can read. Nothing here says what a reminder is about.
CREATE TABLE push_subscriptions (
    device_id  bytea PRIMARY KEY REFERENCES devices (device_id) ON DELETE CASCADE,
    user_id    bytea NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    endpoint   text NOT NULL,
    p256dh     bytea NOT NULL,
    auth       bytea NOT NULL,
    created_at bigint NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

-- due_at: when a sender may claim the row next (fire_at, then the end of a sender's lease or the next retry);
-- lease: the claim of the sender holding it (taken FOR UPDATE SKIP LOCKED, so workers never wait on each other).
CREATE TABLE reminder_times (
    device_id   bytea NOT NULL REFERENCES push_subscriptions (device_id) ON DELETE CASCADE,
    reminder_id text NOT NULL,
    fire_at     bigint NOT NULL,
    due_at      bigint NOT NULL,
    attempts    bigint NOT NULL DEFAULT 0,
    lease       bytea,
    PRIMARY KEY (device_id, reminder_id)
);
CREATE INDEX reminder_times_due ON reminder_times (due_at);
