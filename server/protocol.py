"""Connections: uvicorn's HTTP/1.1 protocol with read deadlines, the open-file limit, and a bounded log when
descriptors run out.

uvicorn's HTTP/1.1 protocol (h11) with the two read deadlines uvicorn lacks: slow clients are cut off.

uvicorn 0.54 has a keep-alive timer only, armed after a response and cancelled by any byte received
(Kludex/uvicorn#157): a client trickling its headers at one byte a second, or stopping halfway through a body, holds
a connection and its descriptor for as long as it likes. This subclass adds, per connection:

- a header deadline: the request line and headers must be complete within `header_timeout` seconds of the
  connection being ready for them (opened, or the previous answer sent); bytes arriving do not extend it;
- a body deadline: while a request body is being read, `body_timeout` seconds without a byte close the connection
  (the clock restarts at each byte; it is not counted while the app itself has paused reading).

A cut connection is closed without an answer (the request never reached the app, or its handler sees a disconnect,
server/problems.py). The same limits hold with or without a proxy in front; Caddy's own are defence in depth
(deploy/Caddyfile)."""

from __future__ import annotations

import asyncio
import errno
import logging
import sys
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("between.server")


class DeadlineProtocol(H11Protocol):
    """H11Protocol with a header and a body deadline (seconds, class attributes: `with_deadlines` makes a class)."""

    header_timeout: float = 30.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "headers" or "body": what the armed deadline waits for

    # the connection's phases, judged after everything that can move it

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._judge()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._judge(progress=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._judge()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _judge(self, progress: bool = False) -> None:
        if self.transport is None or self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            # Waiting for a request line and headers (a partial one may be buffered): the deadline is not moved by
            # bytes, so a trickle cannot extend it.
            if self._waiting_for != "headers":
                self._arm("headers", self.header_timeout)
        elif state is h11.SEND_BODY:
            if self._waiting_for != "body" or progress:
                self._arm("body", self.body_timeout)
        else:  # the request is complete (DONE, MUST_CLOSE) or the connection is failing: the app has it now
            self._disarm()

    def _arm(self, what: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_for = None

    def _expired(self) -> None:
        what = self._waiting_for
        self._deadline = None
        self._waiting_for = None
        if self.transport is None or self.transport.is_closing():
            return
        if what == "body" and self.flow is not None and self.flow.read_paused:
            self._arm("body", self.body_timeout)  # the app is not reading yet: not the client's delay
            return
        seconds = self.header_timeout if what == "headers" else self.body_timeout
        log.info("closed a slow connection: %s not received within %g s", what, seconds)
        self.transport.close()


def with_deadlines(header_timeout: float, body_timeout: float) -> type[DeadlineProtocol]:
    """The protocol class for uvicorn's `http=` with these deadlines."""
    return type(
        "DeadlineProtocol",
        (DeadlineProtocol,),
        {"header_timeout": float(header_timeout), "body_timeout": float(body_timeout)},
    )


def raise_open_file_limit() -> tuple[int, int]:
    """Raise this process's soft open-file limit to its hard limit (each connection holds a descriptor; systemd gives
    a unit 1024 unless it sets LimitNOFILE). Returns the (soft, hard) limits now in force."""
    if sys.platform == "win32":
        return (0, 0)
    import resource  # noqa: PLC0415 - POSIX only

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %s to %s", soft, hard)
    return soft, hard


_OUT_OF_DESCRIPTORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class BoundedErrors:
    """An event loop exception handler: running out of descriptors (asyncio's accept loop retries every second, and
    each failure used to log a traceback) is logged as one line at most every `every` seconds, with how often it
    happened since; everything else goes to the default handler."""

    def __init__(self, every: float = 10.0, clock: Any = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.suppressed = 0
        self._last: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _OUT_OF_DESCRIPTORS:
            now = self.clock()
            if self._last is not None and now - self._last < self.every:
                self.suppressed += 1
                return
            log.error(
                "out of file descriptors (%s): new connections wait; %d more such errors since the last line",
                errno.errorcode.get(exc.errno or 0, "?"),
                self.suppressed,
            )
            self._last, self.suppressed = now, 0
            return
        loop.default_exception_handler(context)
