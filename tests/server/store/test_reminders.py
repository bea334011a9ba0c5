"""The reminder schedule on both engines: each due fire time is claimed by one sender only (two senders at once, as
two workers would run them), replacing times leaves one that fell due with the senders, and a subscription answered
410 goes with its times."""

from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import ExitStack
from pathlib import Path

from between.server.store import Store
from between.sync.core import wire
from tests.conftest import postgres_or_skip
from tests.environment import fresh_database

NOW = 1_800_000_000


async def _device(store: Store) -> bytes:
    device = uuid.uuid4().bytes

    async def op(c):
        await c.execute(
            "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, login_pub, "
            "recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, bundle_signature, created_at) "
            "VALUES (?, ?, 'client', 1, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (device, "u" + device.hex()[:12], *([b"\x00"] * 9)),
        )
        await c.execute(
            "INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) "
            "VALUES (?, ?, 'phone', ?, 0, 0)",
            (device, device, b"\x00"),
        )

    await store.db.write(op)
    sub = wire.PushSubscription(endpoint="https://push.example.org/x", p256dh=b"\x04" * 65, auth=b"a" * 16)
    await store.reminders.subscribe(device, device, sub, 0)
    return device


def _run(engine: str, tmp_path: Path, body) -> None:
    with ExitStack() as stack:
        target: Path | str = tmp_path / "db.sqlite3"
        if engine == "postgres":
            postgres_or_skip()
            target = stack.enter_context(fresh_database()).dsn

        async def main() -> None:
            store = await Store.open(target)
            try:
                await body(store)
            finally:
                await store.close()

        asyncio.run(main())


def test_each_due_time_is_claimed_once_by_concurrent_senders(engine, tmp_path):
    async def body(store: Store) -> None:
        devices = [await _device(store) for _ in range(3)]
        for d in devices:
            times = [wire.ReminderTime(id=f"t{i:09d}", at=NOW + 1 + i % 5) for i in range(60)]
            assert await store.reminders.set_times(d, times, NOW)
        claims: list[tuple[bytes, str]] = []

        async def sender() -> None:
            while True:
                token = os.urandom(16)
                got = await store.reminders.claim(NOW + 10, 120, token, 7)
                if not got:
                    return
                claims.extend((c.device_id, c.reminder_id) for c in got)
                await store.reminders.settle(token, [(c.device_id, c.reminder_id) for c in got], [], [])

        await asyncio.gather(sender(), sender(), sender())
        assert len(claims) == 180 and len(set(claims)) == 180
        assert await store.reminders.next_due() is None

    _run(engine, tmp_path, body)


def test_a_lease_hides_a_row_until_it_runs_out_and_retry_and_gone_settle(engine, tmp_path):
    async def body(store: Store) -> None:
        a, b = await _device(store), await _device(store)
        await store.reminders.set_times(a, [wire.ReminderTime(id="aaaaaaaa01", at=NOW + 5)], NOW)
        await store.reminders.set_times(b, [wire.ReminderTime(id="bbbbbbbb01", at=NOW + 5)], NOW)
        token = os.urandom(16)
        got = await store.reminders.claim(NOW + 5, 120, token, 10)
        assert sorted(c.reminder_id for c in got) == ["aaaaaaaa01", "bbbbbbbb01"]
        # the device re-plans right after its time fell due, without it: the held row stays with the sender
        assert await store.reminders.set_times(a, [], NOW + 6)
        assert await store.reminders.claim(NOW + 100, 120, os.urandom(16), 10) == []  # leased
        await store.reminders.settle(token, [], [(a, "aaaaaaaa01", NOW + 300)], [(b, "https://push.example.org/x")])
        me = await store.reminders.of_account(a, a)
        assert [t.id for t in me.devices[0].times] == ["aaaaaaaa01"]
        assert (await store.reminders.of_account(b, b)).devices == []  # 410: subscription and times gone
        assert await store.reminders.claim(NOW + 299, 120, os.urandom(16), 10) == []
        (again,) = await store.reminders.claim(NOW + 300, 120, os.urandom(16), 10)
        assert again.attempts == 2

    _run(engine, tmp_path, body)
