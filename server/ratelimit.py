"""In-memory token buckets for the unauthenticated auth endpoints (per IP and per handle)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

MAX_KEYS = 100_000  # beyond this the oldest buckets are dropped: memory stays bounded under a flood


class RateLimiter:
    """`limit` requests per `window` seconds per key, refilled continuously."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

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
