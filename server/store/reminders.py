"""Reminders: devices' push subscriptions and their coming fire times, and the senders' claims on what is due.

A sender claims due rows with one UPDATE that moves their `due_at` past a lease and marks them with its own token
(`claim`): another sender, or the same one after a restart, sees them again only when the lease has run out without
an outcome. On PostgreSQL the sub-select takes the rows `FOR UPDATE SKIP LOCKED`, so the senders of several workers
pass over each other's rows instead of waiting for them."""

from __future__ import annotations

from typing import NamedTuple

from between.sync.core import wire

from .connection import Db
from .rows import WConn, as_uuid, r_rows, r_value, w_exists, w_values


class Subscription(NamedTuple):
    endpoint: str
    p256dh: bytes
    auth: bytes


class Claimed(NamedTuple):
    """A due fire time a sender now holds, with where to send it."""

    device_id: bytes
    reminder_id: str
    fire_at: int
    attempts: int
    endpoint: str
    p256dh: bytes
    auth: bytes


class _TimeRow(NamedTuple):
    device_id: bytes
    reminder_id: str
    fire_at: int


class _DeviceRow(NamedTuple):
    device_id: bytes
    endpoint: str
    created_at: int


def push_service(endpoint: str) -> str:
    """What the app shows of a subscription: the push service's origin, never the path (the browser's own id)."""
    scheme, _, rest = endpoint.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


class Reminders:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def subscribe(self, user_id: bytes, device_id: bytes, sub: wire.PushSubscription, now: int) -> None:
        """This device's subscription, replacing an earlier one. A new endpoint keeps the fire times."""

        async def op(c: WConn) -> None:
            await c.execute(
                "INSERT INTO push_subscriptions (device_id, user_id, endpoint, p256dh, auth, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET endpoint = excluded.endpoint, "
                "p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at",
                (device_id, user_id, sub.endpoint, sub.p256dh, sub.auth, now),
            )

        await self.db.write(op)

    async def unsubscribe(self, device_id: bytes) -> bool:
        """The device's subscription and every fire time it set (cascade)."""

        async def op(c: WConn) -> bool:
            return await w_exists(c, "DELETE FROM push_subscriptions WHERE device_id = ? RETURNING 1", (device_id,))

        return await self.db.write(op)

    async def clear_account(self, user_id: bytes) -> int:
        """Every subscription (and so every fire time) of the account's devices; how many subscriptions went."""

        async def op(c: WConn) -> int:
            return len(await w_values(c, "DELETE FROM push_subscriptions WHERE user_id = ? RETURNING 1", (user_id,)))

        return await self.db.write(op)

    async def set_times(self, device_id: bytes, times: list[wire.ReminderTime], now: int) -> bool:
        """Replace the device's coming fire times; False when the device has no subscription. Only the coming ones
        change: a time already due stays with the senders (the device's clock and the server's differ, and a device
        re-plans without a time the moment it falls due), and a time given that is already past is not kept. A time
        that is unchanged keeps its state, so one a sender holds is not sent again."""
        coming = {t.id: t.at for t in times if t.at > now}

        async def op(c: WConn) -> bool:
            if not await w_exists(c, "SELECT 1 FROM push_subscriptions WHERE device_id = ?", (device_id,)):
                return False
            held = set(
                await w_values(
                    c, "SELECT reminder_id FROM reminder_times WHERE device_id = ? AND fire_at > ?", (device_id, now)
                )
            )
            gone = [(device_id, rid) for rid in held - coming.keys()]
            if gone:
                await c.executemany("DELETE FROM reminder_times WHERE device_id = ? AND reminder_id = ?", gone)
            if not coming:
                return True
            await c.executemany(
                "INSERT INTO reminder_times (device_id, reminder_id, fire_at, due_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (device_id, reminder_id) DO UPDATE SET fire_at = excluded.fire_at, "
                "due_at = excluded.due_at, attempts = 0, lease = NULL WHERE reminder_times.fire_at != excluded.fire_at",
                [(device_id, rid, at, at) for rid, at in coming.items()],
            )
            return True

        return await self.db.write(op)

    async def withdraw(self, device_id: bytes, reminder_id: str) -> bool:
        async def op(c: WConn) -> bool:
            return await w_exists(
                c,
                "DELETE FROM reminder_times WHERE device_id = ? AND reminder_id = ? RETURNING 1",
                (device_id, reminder_id),
            )

        return await self.db.write(op)

    async def of_account(self, user_id: bytes, current_device: bytes) -> wire.Reminders:
        async with self.db.read() as c:
            devices = await r_rows(
                c,
                _DeviceRow,
                "SELECT device_id, endpoint, created_at FROM push_subscriptions WHERE user_id = ? ORDER BY created_at",
                (user_id,),
            )
            times = await r_rows(
                c,
                _TimeRow,
                "SELECT t.device_id, t.reminder_id, t.fire_at FROM reminder_times t "
                "JOIN push_subscriptions s ON s.device_id = t.device_id WHERE s.user_id = ? ORDER BY t.fire_at",
                (user_id,),
            )
        by_device: dict[bytes, list[wire.ReminderTime]] = {}
        for t in times:
            by_device.setdefault(t.device_id, []).append(wire.ReminderTime(id=t.reminder_id, at=t.fire_at))
        return wire.Reminders(
            devices=[
                wire.ReminderDevice(
                    device_id=as_uuid(d.device_id),
                    push_service=push_service(d.endpoint),
                    created_at=d.created_at,
                    current=d.device_id == current_device,
                    times=by_device.get(d.device_id, []),
                )
                for d in devices
            ]
        )

    # ------------------------------------------------------------ the senders' side

    async def claim(self, now: int, lease: int, token: bytes, limit: int) -> list[Claimed]:
        """Take up to `limit` due fire times for `lease` seconds under `token`."""

        async def op(c: WConn) -> list[Claimed]:
            # One statement takes the rows: two senders cannot both take one. (PostgreSQL: SKIP LOCKED passes over
            # rows another worker's sender is taking right now.)
            lock = " FOR UPDATE SKIP LOCKED" if c.engine == "postgres" else ""
            taken = await c.fetchall(
                "UPDATE reminder_times SET due_at = ?, lease = ?, attempts = attempts + 1 "
                "WHERE (device_id, reminder_id) IN ("
                f"  SELECT device_id, reminder_id FROM reminder_times WHERE due_at <= ? ORDER BY due_at LIMIT ?{lock}) "
                "RETURNING device_id, reminder_id, fire_at, attempts",
                (now + lease, token, now, limit),
            )
            subs: dict[bytes, Subscription] = {}
            out = []
            for device_id, reminder_id, fire_at, attempts in taken:
                sub = subs.get(bytes(device_id))
                if sub is None:
                    rows = await c.fetchall(
                        "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE device_id = ?", (device_id,)
                    )
                    sub = subs[bytes(device_id)] = Subscription(rows[0][0], bytes(rows[0][1]), bytes(rows[0][2]))
                out.append(Claimed(bytes(device_id), reminder_id, fire_at, attempts, *sub))
            return out

        return await self.db.write(op)

    async def settle(
        self,
        token: bytes,
        done: list[tuple[bytes, str]],
        retry: list[tuple[bytes, str, int]],
        gone: list[tuple[bytes, str]],
    ) -> None:
        """What a sender's round came to, in one write: `done` (sent, or given up) leave the table; `retry` wait
        until their time; `gone` subscriptions (404/410 for that endpoint) go with all their fire times. Only rows
        still under `token` change: a row the device replaced meanwhile is the device's."""

        async def op(c: WConn) -> None:
            if done:
                await c.executemany(
                    "DELETE FROM reminder_times WHERE device_id = ? AND reminder_id = ? AND lease = ?",
                    [(d, r, token) for d, r in done],
                )
            if retry:
                await c.executemany(
                    "UPDATE reminder_times SET due_at = ?, lease = NULL "
                    "WHERE device_id = ? AND reminder_id = ? AND lease = ?",
                    [(at, d, r, token) for d, r, at in retry],
                )
            if gone:
                await c.executemany("DELETE FROM push_subscriptions WHERE device_id = ? AND endpoint = ?", gone)

        await self.db.write(op)

    async def next_due(self) -> int | None:
        async with self.db.read() as c:
            return await r_value(c, "SELECT min(due_at) FROM reminder_times")
