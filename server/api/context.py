"""What every controller needs from a request: the store, the caller, the origin, limits, the clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from between.server.blobs import BlobService, Collector
from between.server.datafiles import create_once
from between.server.live import LiveHub
from between.server.observe import Metrics
from between.server.problems import Problem
from between.server.ratelimit import RateLimiter
from between.server.reminders import Sender
from between.server.settings import Settings
from between.server.store import Caller, Store
from between.server.webpush import Vapid

CallerDep = SkipValidation[NamedDependency[Caller]]  # the caller resolved by current_caller()
Clock = Callable[[], float]  # seconds since the epoch, like time.time
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(slots=True)
class Services:
    """Held in app.state: built at start-up, closed at shutdown."""

    settings: Settings
    store: Store
    secret: bytes
    limiter: RateLimiter
    live: LiveHub  # this process's open change streams (server/live.py)
    # What expiry (sessions, challenges, invites) is judged by: time.time in production; a test passes a clock
    # it can move, so an expiry is reached without waiting for it.
    clock: Clock = time.time
    metrics: Metrics | None = None  # Prometheus metrics (server/observe.py), when BETWEEN_METRICS_PORT is set
    vapid: Vapid | None = None  # the VAPID key (None with reminders off)
    sender: Sender | None = None  # the reminder sender (server/reminders.py)
    blobs: BlobService | None = None  # attachments' blobs: rows and bytes (server/blobs.py)
    collector: Collector | None = None  # their collection, every BETWEEN_COLLECT_INTERVAL


def services(request: Request) -> Services:
    return request.app.state.services


def now(request: Request) -> int:
    """The server's time in whole seconds, from the clock the app was created with."""
    return int(services(request).clock())


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fake_salt(secret: bytes, label: str) -> bytes:
    """A stable salt for unknown handles, so prelogin doesn't reveal whether an account exists."""
    return hmac.new(secret, label.encode(), hashlib.sha256).digest()[:16]


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(request: Request, settings: Settings) -> str:
    """The origin signed in auth transcripts: the configured public origin. Without one (a server on
    loopback, as `make run` starts it) the request's own origin, but only for a loopback host:
    otherwise whoever chooses the Host header would choose the origin that signatures are bound to."""
    if settings.public_origin:
        return settings.public_origin
    url = request.url
    host = url.hostname or ""
    if not is_loopback(host):
        raise Problem("origin_not_configured")
    if ":" in host:
        host = f"[{host}]"
    port = url.port
    if port is None or _DEFAULT_PORTS.get(url.scheme) == port:
        return f"{url.scheme}://{host}"
    return f"{url.scheme}://{host}:{port}"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit(request: Request, bucket: str, key: str, per: int, window: float) -> None:
    svc = services(request)
    if svc.settings.rate_limit == "off":
        return
    wait = await svc.limiter.take(f"{bucket}:{key}", per, window)
    if wait is not None:
        raise Problem("rate_limited", headers={"Retry-After": str(wait)})


async def limit_auth(request: Request, handle: str | None = None) -> None:
    s = services(request).settings
    await limit(request, "ip", client_ip(request), s.rate_ip_per_minute, 60)
    if handle is not None:
        await limit(request, "handle", handle, s.rate_handle_per_minute, 60)


async def current_caller(request: Request) -> Caller:
    """Dependency of every bearer endpoint: 401 for a missing, expired or revoked session."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not (16 <= len(token) <= 256):
        raise Problem("unauthorized")
    caller = await services(request).store.accounts.session(token_hash(token.strip()), now(request))
    if caller is None:
        raise Problem("unauthorized")
    return caller


def load_secret(data_dir: Path) -> bytes:
    """The server secret (fake salts), created once with mode 0600 (workers starting at once agree on one)."""
    path = data_dir / "server.secret"
    create_once(path, os.urandom(32))
    secret = path.read_bytes()
    if len(secret) != 32:
        raise RuntimeError(f"{path} is damaged: expected 32 bytes")
    return secret
