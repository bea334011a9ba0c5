"""Token buckets: sign-in attempts per IP and per handle, sign-ups per IP, pushes per account. In process memory with
SQLite (one process); in the database with PostgreSQL, where every worker must count the same attempts
(store/postgres.py `take_token`)."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

MAX_KEYS = 100_000  # beyond this the oldest buckets are dropped: memory stays bounded under a flood
FORGET_EVERY = 1024  # shared buckets: every this many takes, buckets idle for a day are deleted

# (key, limit, window) -> None if a token was taken, else the seconds until one is back. The shared buckets keep the
# database's time, not the workers' (their clocks may differ, and a bucket's time must never go back).
TakeShared = Callable[[str, int, float], Awaitable[float | None]]
ForgetShared = Callable[[float], Awaitable[None]]  # (idle seconds): delete buckets untouched for that long


class RateLimiter:
    """`limit` requests per `window` seconds per key, refilled continuously."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        shared: tuple[TakeShared, ForgetShared] | None = None,
    ) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._shared = shared
        self._takes = 0

    async def take(self, key: str, limit: int, window: float) -> int | None:
        """As `hit`, in the shared buckets when there are some."""
        if self._shared is None:
            return self.hit(key, limit, window)
        take, forget = self._shared
        self._takes += 1
        if self._takes % FORGET_EVERY == 0:
            await forget(86400)
        wait = await take(key, limit, window)
        return None if wait is None else max(1, math.ceil(wait))

    def hit(self, key: str, limit: int, window: float) -> int | None:
        """Take one token; None if allowed, else the seconds to wait (for Retry-After)."""
        now = self._clock()
        rate = limit / window
        tokens, last = self._buckets.pop(key, (float(limit), now))
        tokens = min(float(limit), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._trim()
            return None
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / rate))

    def _trim(self) -> None:
        if len(self._buckets) > MAX_KEYS:
            # dicts keep insertion order and hit() re-inserts, so the first keys are the least recent
            for key in list(self._buckets)[: len(self._buckets) - MAX_KEYS]:
                del self._buckets[key]
