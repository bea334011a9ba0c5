"""The reminder sender: a background task that pushes each due fire time once, with retries, off the request path.

Requests only write the schedule (store/reminders.py) and `wake` the sender. The sender claims due rows under a
lease (so two senders, or one restarted mid-send, never both send a row whose outcome was recorded), posts one
encrypted, VAPID-signed message per row to its subscription's push service, and records every outcome in one
write. What a push carries: the device's opaque id and the instant, encrypted for that device alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from .store.reminders import Claimed, Reminders
from .webpush import Vapid, encrypt

log = logging.getLogger("between.reminders")

TTL = 3600  # a reminder an hour late is no reminder: the push service may drop it after that
MAX_LATE = 2 * 3600  # retries stop this long after the fire time
LEASE = 120  # seconds a claim holds a row: far longer than one round of sending
BATCH = 100
BACKOFF_FIRST, BACKOFF_MAX = 30, 1800


def backoff(attempts: int) -> int:
    """Seconds before try number `attempts + 1`: 30 s, doubling, at most 30 min."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


class Sender:
    def __init__(
        self,
        reminders: Reminders,
        vapid: Vapid,
        contact: str,
        clock: Callable[[], float],
        *,
        interval: int = 60,
        concurrency: int = 16,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.reminders = reminders
        self.vapid = vapid
        self.contact = contact
        self.clock = clock
        self.interval = interval
        self.client = client or httpx.AsyncClient(timeout=10.0, follow_redirects=False)
        self._own_client = client is None
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._jwt: dict[str, tuple[int, str]] = {}  # audience -> (made at, Authorization header)
        self.sent = 0  # pushes a push service accepted, for tests and benchmarks

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="between-reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._own_client:
            await self.client.aclose()

    def wake(self) -> None:
        """A fire time was set: look again now rather than at the next interval."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
                wait = float(self.interval)
                due = await self.reminders.next_due()
                if due is not None:
                    wait = min(wait, max(due - self.clock(), 0.0))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a database hiccup must not end the sender; it tries again next interval
                log.error("reminder round failed: %s", type(exc).__name__)
                wait = float(self.interval)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))

    async def run_once(self) -> int:
        """Send everything due now; how many pushes were accepted."""
        accepted = 0
        while True:
            now = int(self.clock())
            token = os.urandom(16)
            claimed = await self.reminders.claim(now, LEASE, token, BATCH)
            if not claimed:
                return accepted
            outcomes = await asyncio.gather(*(self._send(c, now) for c in claimed))
            done, retry, gone = [], [], []
            for c, (what, status) in zip(claimed, outcomes, strict=True):
                if what == "sent":
                    accepted += 1
                    done.append((c.device_id, c.reminder_id))
                elif what == "gone":
                    gone.append((c.device_id, c.endpoint))
                elif what == "retry" and now - c.fire_at < MAX_LATE:
                    retry.append((c.device_id, c.reminder_id, now + (status or backoff(c.attempts))))
                else:
                    log.warning("reminder dropped after %d attempts (last answer %s)", c.attempts, status)
                    done.append((c.device_id, c.reminder_id))
            await self.reminders.settle(token, done, retry, gone)
            self.sent += accepted
            if len(claimed) < BATCH:
                return accepted

    def _authorization(self, endpoint: str, now: int) -> str:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        made = self._jwt.get(audience)
        if made is None or now - made[0] > 3600:
            made = (now, self.vapid.authorization(endpoint, self.contact, now))
            self._jwt[audience] = made
        return made[1]

    async def _send(self, c: Claimed, now: int) -> tuple[str, int | None]:
        """("sent" | "gone" | "retry" | "failed", a status or a Retry-After in seconds)."""
        payload = json.dumps({"r": c.reminder_id, "at": c.fire_at}, separators=(",", ":")).encode()
        body = encrypt(payload, c.p256dh, c.auth)
        headers = {
            "TTL": str(TTL),
            "Urgency": "normal",
            "Topic": c.reminder_id,  # a newer push of the same reminder replaces an undelivered one
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": self._authorization(c.endpoint, now),
        }
        async with self._limit:
            try:
                r = await self.client.post(c.endpoint, content=body, headers=headers)
            except httpx.HTTPError:
                return "retry", None
        if 200 <= r.status_code < 300:
            return "sent", r.status_code
        if r.status_code in (404, 410):
            return "gone", r.status_code
        if r.status_code == 429 or r.status_code >= 500:
            after = r.headers.get("retry-after", "")
            return "retry", min(int(after), BACKOFF_MAX) if after.isdigit() else None
        return "failed", r.status_code
