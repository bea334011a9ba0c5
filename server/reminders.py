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
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from .settings import PUSH_SERVICES
from .store.reminders import Claimed, Reminders
from .webpush import Vapid, encrypt

log = logging.getLogger("between.reminders")

TTL = 3600  # a reminder an hour late is no reminder: the push service may drop it after that
MAX_LATE = 2 * 3600  # retries stop this long after the fire time
LEASE = 120  # seconds a claim holds a row: far longer than one round of sending
BATCH = 100
BACKOFF_FIRST, BACKOFF_MAX = 30, 1800
DEADLINE = 15.0  # seconds one send may take in all (connecting, sending, the answer's status and headers)
CONCURRENCY = 16
# A round of BATCH rows, CONCURRENCY at a time, each at most DEADLINE, ends within its lease: no row is claimed again
# while its first send may still be under way.
assert -(-BATCH // CONCURRENCY) * DEADLINE < LEASE
JWT_CACHE = 256  # VAPID headers kept, one per push-service origin (a handful in practice)

# A DNS name, lowercase: labels of letters, digits and hyphens, the last starting with a letter. That refuses every
# spelling of an IP address too (127.1, 2130706433, 0x7f.1, [::1]), which URL parsers would read as one.
DNS_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def endpoint_refusal(endpoint: str, services: Iterable[str], *, loopback: bool = False) -> str | None:
    """Why the server will not post to `endpoint`, or None. The server posts to whatever a device names, so only
    https on port 443 to a named push service (server-side request forgery). `loopback` (BETWEEN_PUSH_LOOPBACK, the
    tests) also lets http or https to this machine's loopback through, on any port."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "a push endpoint must be a URL"
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or not host:
        return "a push endpoint names a host and nothing else before its path"
    if loopback and host in LOOPBACK_HOSTS and parts.scheme in ("http", "https"):
        return None
    if parts.scheme != "https":
        return "a push endpoint must be an https URL"
    if port not in (None, 443):
        return "a push endpoint must use port 443"
    if not DNS_NAME.fullmatch(host):
        return "a push endpoint must name its host (not an address)"
    if not any(host == s or (s.startswith("*.") and host.endswith(s[1:])) for s in services):
        return "this server does not send to that push service"
    return None


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
        concurrency: int = CONCURRENCY,
        deadline: float = DEADLINE,
        services: Iterable[str] = PUSH_SERVICES,
        loopback: bool = False,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.reminders = reminders
        self.vapid = vapid
        self.contact = contact
        self.clock = clock
        self.interval = interval
        self.deadline = deadline
        self.services = tuple(services)
        self.loopback = loopback
        self.client = client or httpx.AsyncClient(timeout=min(10.0, deadline), follow_redirects=False)
        self._own_client = client is None
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._jwt: OrderedDict[str, tuple[int, str]] = OrderedDict()  # audience -> (made at, header), LRU
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
            # Each outcome is recorded as soon as its send ends (those that end together in one write): a slow
            # push service holds up nothing but its own rows, and those at most `deadline`.
            sends = {asyncio.ensure_future(self._send(c, now)): c for c in claimed}
            try:
                pending = set(sends)
                while pending:
                    finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    accepted += await self._settle(token, now, [(sends[f], f.result()) for f in finished])
            finally:
                for f in sends:
                    f.cancel()
            if len(claimed) < BATCH:
                return accepted

    async def _settle(self, token: bytes, now: int, outcomes: list[tuple[Claimed, tuple[str, int | None]]]) -> int:
        done, retry, gone = [], [], []
        accepted = 0
        for c, (what, status) in outcomes:
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
        return accepted

    def _authorization(self, endpoint: str, now: int) -> str:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        made = self._jwt.get(audience)
        if made is None or now - made[0] > 3600:
            made = (now, self.vapid.authorization(endpoint, self.contact, now))
            self._jwt[audience] = made
            while len(self._jwt) > JWT_CACHE:
                self._jwt.popitem(last=False)
        self._jwt.move_to_end(audience)
        return made[1]

    async def _send(self, c: Claimed, now: int) -> tuple[str, int | None]:
        """("sent" | "gone" | "retry" | "failed", a status or a Retry-After in seconds). The endpoint is checked
        again here (the rules may have changed since the device subscribed), and the answer's body is never read:
        only its status and headers, within `deadline` in all."""
        if endpoint_refusal(c.endpoint, self.services, loopback=self.loopback) is not None:
            log.warning("reminder dropped: its push endpoint is not allowed any more")
            return "failed", None
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
                async with asyncio.timeout(self.deadline):
                    async with self.client.stream("POST", c.endpoint, content=body, headers=headers) as r:
                        status, after = r.status_code, r.headers.get("retry-after", "")
                        # leaving the block closes the connection without reading what the service sent
            except (httpx.HTTPError, TimeoutError):
                return "retry", None
        if 200 <= status < 300:
            return "sent", status
        if status in (404, 410):
            return "gone", status
        if status == 429 or status >= 500:
            return "retry", min(int(after), BACKOFF_MAX) if after.isdigit() else None
        return "failed", status
