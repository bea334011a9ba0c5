"""Several worker processes on one port (PostgreSQL only; SQLite is served by one process, its writer's own).

The supervisor binds the listening socket once and forks N workers that all accept on it (the kernel spreads the
connections). Each worker builds its own app, event loop, connection pool and listening connection after the fork:
nothing but the socket crosses it. Workers keep no state another worker needs (sessions, challenges, rate limits and
change notices live in PostgreSQL, server/store/postgres.py), so a worker that dies is simply started again, and
its clients' next requests go to the others meanwhile. SIGTERM or SIGINT to the supervisor stops every worker
gracefully (each drains its requests), then the supervisor exits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("between.workers")
RESTART_PAUSE = 1.0  # seconds between restarts of a worker that keeps dying at once


class Runnable(Protocol):
    started: bool

    def run(self, sockets: list[socket.socket] | None = None) -> None: ...


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_workers(
    count: int,
    host: str,
    port: int,
    make_server: Callable[[], Runnable],
    *,
    forked: Callable[[], None] = lambda: None,
    ended: Callable[[int], None] = lambda pid: None,
) -> int:
    """Run `count` workers until SIGTERM/SIGINT; returns the exit status for the supervisor. `forked` runs in each new
    worker first, `ended(pid)` in the supervisor when a worker has exited (the metrics' bookkeeping)."""
    if not hasattr(os, "fork"):
        raise SystemExit("between: several workers need fork (Linux, macOS); set BETWEEN_WORKERS=1")
    sock = bind(host, port)
    children: dict[int, float] = {}  # pid -> start time
    stopping = False

    def start_one() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            status = 3
            try:
                forked()
                server = make_server()
                server.run(sockets=[sock])
                status = 0 if server.started else 3
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children[pid] = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(count):
        start_one()
    log.info("serving on %s:%d with %d worker processes", host, port, count)
    status = 0
    while children:
        try:
            pid, code = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        ended(pid)
        if started is None or stopping:
            continue
        log.error("worker %d ended (status %d); starting another", pid, os.waitstatus_to_exitcode(code))
        if os.waitstatus_to_exitcode(code) == 3:
            status = 3  # it could not start (the database unreachable, a setting wrong): stop them all
            stop(signal.SIGTERM, None)
            continue
        if time.monotonic() - started < 2:
            time.sleep(RESTART_PAUSE)
        start_one()
    sock.close()
    return status
