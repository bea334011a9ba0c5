"""Change notices: an open stream that says only "your feed moved" (PROTOCOL.md §17, "Change notices")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from litestar import Request, Router, get
from litestar.background_tasks import BackgroundTask
from litestar.di import Provide
from litestar.response import Stream

from ..live import LiveHub, StreamLimit, Subscription
from ..problems import Problem, answers
from .context import CallerDep, current_caller, services, token_hash

MEDIA_TYPE = "text/event-stream"
# The whole vocabulary of a stream, fixed bytes: nothing in it depends on what moved, or for whom.
OPENED = b": open\n\n"  # sent once the stream is registered: a move after this byte is never missed
MOVED = b"event: moved\ndata: moved\n\n"
PING = b": ping\n\n"
RETRY_AFTER = "30"  # seconds a client waits before asking again when a limit is reached
# What the OpenAPI document says a 200 carries (server/openapi.py puts it there): every line the stream can send.
STREAM = {
    "description": "An event stream of fixed lines: `: open` once, then `event: moved` + `data: moved` when the "
    "feed moved and `: ping` while quiet, each followed by a blank line",
    "schema": {"type": "string", "pattern": r"^(?:(?:: (?:open|ping)|event: moved|data: moved)?\n)*$"},
}


async def notices(
    hub: LiveHub, sub: Subscription, heartbeat: float, lifetime: float, valid: Callable[[], Awaitable[bool]]
) -> AsyncIterator[bytes]:
    """The stream's bytes: OPENED, then MOVED when woken (several moves while the client is slow make one), PING
    after `heartbeat` seconds of quiet; it ends after `lifetime` seconds, when the server shuts down, or at the first
    wake or heartbeat after its session stopped being `valid` (signed out, device revoked, expired, account gone)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + lifetime
    try:
        yield OPENED
        while not hub.closed:
            left = end - loop.time()
            if left <= 0:
                return
            woken = await sub.wait(min(heartbeat, left))
            if hub.closed or not await valid():
                return
            yield MOVED if woken else PING
    finally:
        hub.unsubscribe(sub)


async def _release(hub: LiveHub, sub: Subscription) -> None:
    """After the response, whatever ended it: a stream cancelled before its first byte never ran its own finally."""
    hub.unsubscribe(sub)


@get(
    "/sync/changes",
    media_type=MEDIA_TYPE,
    opt={**answers("not_found", "rate_limited"), "stream": STREAM},
    summary="Change notices",
    description="A text/event-stream that sends `event: moved` whenever the caller's feed or care links change "
    "(another device's push, a grant, a link made or ended), with no ids, counts or content; `: ping` comments "
    "while quiet. The stream ends after the server's lifetime, or at the next ping after its session ends (sign-out, "
    "device revoked, expiry); open a new one. 404 when the server has notices "
    "off (poll `/sync/pull` instead); 429 with Retry-After over the per-account or server limit of open streams.",
)
async def changes(request: Request, caller: CallerDep) -> Stream:
    svc = services(request)
    settings = svc.settings
    if settings.live == "off":
        raise Problem("not_found", "change notices are off on this server: poll /sync/pull")
    try:
        sub = svc.live.subscribe(caller.user_id, caller.device_id)
    except StreamLimit as exc:
        detail = "too many open change streams " + ("for this account" if exc.scope == "account" else "on this server")
        raise Problem("rate_limited", detail, headers={"Retry-After": RETRY_AFTER}) from None
    hashed = token_hash(request.headers.get("authorization", "").partition(" ")[2].strip())

    async def valid() -> bool:
        """The session this stream was opened with still stands, for the same account and device (the store keeps
        recent sessions in memory and forgets them all when one ends, so this is cheap each heartbeat)."""
        again = await svc.store.accounts.session(hashed, int(svc.clock()))
        return again is not None and again.user_id == caller.user_id and again.device_id == caller.device_id

    return Stream(
        notices(svc.live, sub, settings.live_heartbeat, settings.live_lifetime, valid),
        media_type=MEDIA_TYPE,
        # no-store as every API answer; no-transform and X-Accel-Buffering keep proxies from holding it back
        headers={"Cache-Control": "no-store, no-transform", "X-Accel-Buffering": "no"},
        background=BackgroundTask(_release, svc.live, sub),
    )


router = Router(path="/", route_handlers=[changes], tags=["sync"], dependencies={"caller": Provide(current_caller)})
