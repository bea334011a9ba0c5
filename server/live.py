"""Change notices: which open streams to wake when an account's feed or care links moved (PROTOCOL.md §17).

Two halves, kept apart so that several server processes can share the work later (issue 11):

- a *source* of moves says, after each commit, which accounts moved and which device made the change. With SQLite
  that is the store's single writer (`Database.watch`, fed by triggers on the writer connection). With PostgreSQL
  it is a `pg_notify('between_feed', …)` from triggers in each writing transaction and, in every worker process,
  one listening connection that hands each notification to its own hub (`PgDatabase.watch`; see `Moves` below for
  the payload);
- the *hub* (`LiveHub`) holds this process's open streams and wakes the ones a move concerns. It never learns
  what moved: a wake is a flag, set once however many moves arrive before the stream reads it.

Nothing here blocks: publishing sets flags on the event loop, and a stream that cannot keep up only finds its flag
set when it next looks, so a slow client holds one flag and one small message, never a queue.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Collection, Mapping

# reader (user id) -> the devices whose writes moved it; None for a move no device made (a link ended by the other
# side's deletion, a migration). This is all a PostgreSQL notification would carry: ids, never content.
Moves = Mapping[bytes, Collection[bytes | None]]
EVERYONE = b"*"  # the reader of a move that may concern every account (store/postgres.py, after a lost listener)


class StreamLimit(Exception):
    """A new stream would pass a limit (per account, or for the whole process); `scope` says which."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class Subscription:
    """One open stream: the account it reads for, the device it runs on, and its wake flag."""

    __slots__ = ("_flag", "closed", "device", "reader")

    def __init__(self, reader: bytes, device: bytes) -> None:
        self.reader = reader
        self.device = device
        self.closed = False
        self._flag = asyncio.Event()

    def wake(self) -> None:
        self._flag.set()

    async def wait(self, timeout: float) -> bool:
        """True when woken (the flag is cleared: one wake for any number of moves), False after `timeout`."""
        try:
            await asyncio.wait_for(self._flag.wait(), timeout)
        except TimeoutError:
            return False
        self._flag.clear()
        return True


class LiveHub:
    """This process's open change streams, by account. Runs on the event loop only."""

    def __init__(self, per_account: int, total: int) -> None:
        self.per_account = per_account
        self.total = total
        self._by_reader: dict[bytes, set[Subscription]] = {}
        self._count = 0
        self.closed = False
        _HUBS.add(self)

    def subscribe(self, reader: bytes, device: bytes) -> Subscription:
        """Register a stream before its first byte is sent, so no move after that byte can be missed."""
        mine = self._by_reader.get(reader, set())
        if self.closed or self._count >= self.total:
            raise StreamLimit("server")
        if len(mine) >= self.per_account:
            raise StreamLimit("account")
        sub = Subscription(reader, device)
        self._by_reader.setdefault(reader, set()).add(sub)
        self._count += 1
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Idempotent: a stream's end and its response's clean-up may both call it."""
        if sub.closed:
            return
        sub.closed = True
        mine = self._by_reader.get(sub.reader)
        if mine is not None and sub in mine:
            mine.discard(sub)
            self._count -= 1
            if not mine:
                del self._by_reader[sub.reader]

    def open_streams(self, reader: bytes | None = None) -> int:
        return self._count if reader is None else len(self._by_reader.get(reader, ()))

    def publish(self, moves: Moves) -> None:
        """Wake every stream of each moved account, except a device's own streams for moves only it made: that
        device already has what it wrote, and telling it would only make it pull again for nothing."""
        if EVERYONE in moves:  # notices may have been lost (a listener reconnected): every stream looks again
            for mine in self._by_reader.values():
                for sub in mine:
                    sub.wake()
            return
        for reader, devices in moves.items():
            for sub in self._by_reader.get(reader, ()):
                if any(device != sub.device for device in devices):
                    sub.wake()

    def close(self) -> None:
        """At shutdown: every stream is woken and told to end; no new one is admitted."""
        self.closed = True
        for mine in self._by_reader.values():
            for sub in mine:
                sub.wake()


_HUBS: weakref.WeakSet[LiveHub] = weakref.WeakSet()


def close_all() -> None:
    """End every open stream of this process: called as the server starts to stop (server/__main__.py), before it
    waits for open connections, which a stream would otherwise hold for the whole graceful timeout."""
    for hub in list(_HUBS):
        hub.close()
