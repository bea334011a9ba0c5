"""server/live.py on its own: a stream holds one flag however many moves arrive, a device is not told of its own
writes, limits are kept, and closing ends every stream."""

from __future__ import annotations

import asyncio

import pytest
from harness import run_coroutine

from between.server.live import EVERYONE, LiveHub, StreamLimit

ALICE, BOB = b"a" * 16, b"b" * 16
PHONE, LAPTOP = b"p" * 16, b"l" * 16


def test_many_moves_to_a_stream_that_does_not_read_make_one_wake():
    async def run() -> None:
        hub = LiveHub(per_account=4, total=10)
        slow = hub.subscribe(ALICE, PHONE)
        for _ in range(10_000):
            hub.publish({ALICE: {LAPTOP}})
        assert await slow.wait(0.01) is True  # one wake for all of them...
        assert await slow.wait(0.01) is False  # ...and nothing queued behind it

    run_coroutine(run())


def test_only_the_moved_accounts_streams_wake_and_never_for_their_own_device_alone():
    async def run() -> None:
        hub = LiveHub(per_account=4, total=10)
        phone, laptop, bob = hub.subscribe(ALICE, PHONE), hub.subscribe(ALICE, LAPTOP), hub.subscribe(BOB, PHONE)
        hub.publish({ALICE: {PHONE}})
        assert [await s.wait(0.01) for s in (phone, laptop, bob)] == [False, True, False]
        hub.publish({ALICE: {PHONE, None}})  # the same commit also moved it for another reason
        assert await phone.wait(0.01) is True

    run_coroutine(run())


def test_a_move_of_everyone_wakes_every_stream():
    """After the PostgreSQL listener reconnects, notices sent in the gap are lost: every stream is told to look."""

    async def run() -> None:
        hub = LiveHub(per_account=4, total=10)
        streams = [hub.subscribe(ALICE, PHONE), hub.subscribe(ALICE, LAPTOP), hub.subscribe(BOB, PHONE)]
        hub.publish({EVERYONE: {None}})
        assert [await s.wait(0.01) for s in streams] == [True, True, True]

    run_coroutine(run())


def test_limits_per_account_and_per_process():
    async def run() -> None:
        hub = LiveHub(per_account=2, total=3)
        first = hub.subscribe(ALICE, PHONE)
        hub.subscribe(ALICE, LAPTOP)
        with pytest.raises(StreamLimit) as one:
            hub.subscribe(ALICE, PHONE)
        assert one.value.scope == "account"
        hub.subscribe(BOB, PHONE)
        with pytest.raises(StreamLimit) as all_:
            hub.subscribe(BOB, LAPTOP)
        assert all_.value.scope == "server"
        hub.unsubscribe(first)
        hub.unsubscribe(first)  # twice is harmless
        assert hub.open_streams(ALICE) == 1 and hub.open_streams() == 2
        hub.subscribe(ALICE, PHONE)

    run_coroutine(run())


def test_closing_wakes_every_stream_and_admits_no_more():
    async def run() -> None:
        hub = LiveHub(per_account=2, total=3)
        sub = hub.subscribe(ALICE, PHONE)
        waiting = asyncio.ensure_future(sub.wait(30))
        await asyncio.sleep(0)
        hub.close()
        assert await waiting is True and hub.closed
        with pytest.raises(StreamLimit):
            hub.subscribe(BOB, PHONE)

    run_coroutine(run())
