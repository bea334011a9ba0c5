"""Reminders: what the sender costs (issue 12).

1. The scan: with 100,000 stored fire times (1,000 devices, 100 each, spread over two weeks), one look for what is due
   (the claim the sender makes every interval, and the next due time it sleeps until), as a ratio of the 60 s scan
   interval: the share of one core the scanning takes. Also a scan that finds 100 due and settles them.
2. Sending: 1,000 due pushes to the stand-in push service (tests/push_service.py: it checks every VAPID JWT and
   decrypts every payload) through the real sender, against 1,000 plain HTTP POSTs of the same size and concurrency
   to the same stand-in: the push rate as a ratio of the plain rate.

Run: .venv/bin/python -m bench.bench_reminders [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from between.server.reminders import Sender
from between.server.store import Store
from between.server.webpush import Vapid
from between.sync.core import wire
from tests.push_service import PushService

DEVICES, PER_DEVICE = 1000, 100
INTERVAL = 60.0
START = 1_800_000_000


async def fill(store: Store, endpoint: str, p256dh: bytes, auth: bytes) -> list[bytes]:
    users = [uuid.uuid4().bytes for _ in range(DEVICES)]

    async def op(c):
        await c.executemany(
            "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, login_pub, "
            "recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, bundle_signature, created_at) "
            "VALUES (?, ?, 'client', 1, 1, 1, x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', x'00', 0)",
            [(u, f"u{i:05d}") for i, u in enumerate(users)],
        )
        await c.executemany(
            "INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) "
            "VALUES (?, ?, 'phone', x'00', 0, 0)",
            [(u, u) for u in users],
        )

    await store.db.write(op)
    sub = wire.PushSubscription(endpoint=endpoint, p256dh=p256dh, auth=auth)
    for i, device in enumerate(users):
        await store.reminders.subscribe(device, device, sub, 0)
        times = [
            wire.ReminderTime(id=f"d{i:05d}t{j:05d}", at=START + 3600 + (j * 86400 * 14) // PER_DEVICE + i)
            for j in range(PER_DEVICE)
        ]
        await store.reminders.set_times(device, times, START)
    return users


async def scan_rounds(store: Store, rounds: int) -> tuple[list[float], list[float]]:
    """(seconds of an empty scan, seconds of a scan that claims and settles 100) per round."""
    empty, busy = [], []
    for r in range(rounds):
        t0 = time.perf_counter()
        for _ in range(10):
            claimed = await store.reminders.claim(START, 120, os.urandom(16), 100)
            assert claimed == []
            await store.reminders.next_due()
        empty.append((time.perf_counter() - t0) / 10)
        # 100 due: the first fire times of 100 devices (each device's first is START + 3600 + its index)
        now = START + 3600 + 99 + r * 100
        t0 = time.perf_counter()
        token = os.urandom(16)
        claimed = await store.reminders.claim(now, 120, token, 100)
        await store.reminders.settle(token, [(c.device_id, c.reminder_id) for c in claimed], [], [])
        busy.append(time.perf_counter() - t0)
        assert len(claimed) == 100, len(claimed)
    return empty, busy


async def send_round(tmp: Path, stand_in: PushService, n: int, vapid: Vapid) -> tuple[float, float]:
    """(seconds for n pushes through the sender, seconds for n plain POSTs of the same size)."""
    store = await Store.open(tmp / f"send-{uuid.uuid4().hex}.sqlite3")
    try:
        sub = stand_in.subscribe()
        device = uuid.uuid4().bytes

        async def op(c):
            await c.execute(
                "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, "
                "login_pub, recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, "
                "bundle_signature, created_at) VALUES (?, 'sam', 'client', 1, 1, 1, x'00', x'00', x'00', x'00', "
                "x'00', x'00', x'00', x'00', x'00', 0)",
                (device,),
            )
            await c.execute(
                "INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) "
                "VALUES (?, ?, 'phone', x'00', 0, 0)",
                (device, device),
            )

        await store.db.write(op)
        await store.reminders.subscribe(
            device, device, wire.PushSubscription(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth), 0
        )

        # one device holds at most 200; the bench puts n straight into the table
        async def many(c):
            await c.executemany(
                "INSERT INTO reminder_times (device_id, reminder_id, fire_at, due_at) VALUES (?, ?, ?, ?)",
                [(device, f"r{i:011d}", START, START) for i in range(n)],
            )

        await store.db.write(many)
        async with httpx.AsyncClient(timeout=30) as client:
            sender = Sender(store.reminders, vapid, "mailto:ops@example.org", lambda: START, client=client)
            before = len(stand_in.received(sub))
            t0 = time.perf_counter()
            sent = await sender.run_once()
            push_s = time.perf_counter() - t0
            assert sent == n and len(stand_in.received(sub)) - before == n and not stand_in.refused
            size = stand_in.received(sub)[-1].size
            body = os.urandom(size)
            limit = asyncio.Semaphore(16)

            async def post() -> None:
                async with limit:
                    r = await client.post(stand_in.origin + "/plain", content=body)
                    assert r.status_code == 201

            t0 = time.perf_counter()
            await asyncio.gather(*(post() for _ in range(n)))
            plain_s = time.perf_counter() - t0
        return push_s, plain_s
    finally:
        await store.close()


async def main(rounds: int, pushes: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    stand_in = PushService(clock=lambda: START).start()
    try:
        vapid = Vapid.load_or_create(tmp / "vapid.pem")
        sub = stand_in.subscribe()
        store = await Store.open(tmp / "scan.sqlite3")
        try:
            t0 = time.perf_counter()
            await fill(store, sub.endpoint, sub.p256dh, sub.auth)
            print(f"stored {DEVICES * PER_DEVICE:,} fire times in {time.perf_counter() - t0:.1f} s")
            empty, busy = await scan_rounds(store, rounds)
        finally:
            await store.close()
        e, b = statistics.median(empty), statistics.median(busy)
        print(
            f"scan with nothing due: {e * 1000:.2f} ms = {e / INTERVAL:.5%} of the {INTERVAL:.0f} s interval "
            f"(range {min(empty) / INTERVAL:.5%}..{max(empty) / INTERVAL:.5%}; goal < 1%)"
        )
        print(f"scan that claims and settles 100 due: {b * 1000:.2f} ms = {b / INTERVAL:.5%} of the interval")
        ratios, rates = [], []
        for _ in range(rounds):
            push_s, plain_s = await send_round(tmp, stand_in, pushes, vapid)
            ratios.append(plain_s / push_s)
            rates.append((pushes / push_s, pushes / plain_s))
        r = statistics.median(ratios)
        push_rate = statistics.median(p for p, _ in rates)
        plain_rate = statistics.median(q for _, q in rates)
        print(
            f"{pushes} pushes to the stand-in: {push_rate:.0f}/s; plain POSTs of the same size: {plain_rate:.0f}/s; "
            f"push rate = {r:.2f} x the plain rate (range {min(ratios):.2f}..{max(ratios):.2f})"
        )
    finally:
        stand_in.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_reminders")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pushes", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.pushes))
