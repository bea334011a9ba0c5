"""server/protocol.py against the real server process: slow clients are cut off, the open-file limit is raised, and
running out of descriptors is logged in a bounded way."""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from between.server.protocol import BoundedErrors
from tests.conftest import ROOT, LiveServer, free_port, start_live_server

pytestmark = pytest.mark.slow

TIMEOUT = 2  # seconds, both deadlines: the production default is 30
DEADLINES = {"BETWEEN_HEADER_TIMEOUT": str(TIMEOUT), "BETWEEN_BODY_TIMEOUT": str(TIMEOUT)}
# far above the deadline, far below "never": a connection the server does not cut is still open at this point
GIVE_UP = 10 * TIMEOUT


def _open(server: LiveServer) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(GIVE_UP)
    return s


def _closed_by_server(s: socket.socket) -> bool:
    """Waits for the server's side: True when it closed the connection without an answer."""
    try:
        return s.recv(100) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def _trickle(s: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for byte in data:
        if stop.is_set():
            return
        try:
            s.send(bytes([byte]))
        except OSError:
            return
        stop.wait(every)


def test_slow_headers_stalled_bodies_and_silent_connections_are_cut_while_normal_clients_are_served(tmp_path):
    server = start_live_server(tmp_path, DEADLINES)
    stop = threading.Event()
    try:
        silent = [_open(server) for _ in range(10)]
        # headers at about three bytes a second: every byte arrives well inside the deadline, the whole never does
        trickled = [_open(server) for _ in range(10)]
        line = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
        writers = [threading.Thread(target=_trickle, args=(s, line, 0.3, stop), daemon=True) for s in trickled]
        for w in writers:
            w.start()
        # a body announced as 1000 bytes that stops after 10: the handler waits on it (prelogin reads its body)
        stalled = [_open(server) for _ in range(10)]
        for s in stalled:
            s.sendall(
                b"POST /api/v1/auth/prelogin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n" + b'{"handle":'
            )
        # normal clients are answered while all of them are held
        with httpx.Client(base_url=server.api, timeout=5) as http:
            for _ in range(20):
                assert http.get("/health").status_code == 200
        for group in (silent, trickled, stalled):
            assert all(_closed_by_server(s) for s in group)
        log = server.log()
        assert log.count(f"headers not received within {TIMEOUT} s") >= 20
        assert log.count(f"body not received within {TIMEOUT} s") >= 10
        assert "Traceback" not in log and " ERROR " not in log
    finally:
        stop.set()
        server.stop()


def test_a_body_that_keeps_arriving_slowly_is_not_cut_and_a_kept_alive_connection_serves_again(tmp_path):
    server = start_live_server(tmp_path, DEADLINES)
    try:
        s = _open(server)
        body = b'{"handle":"sam"}'
        s.sendall(
            b"POST /api/v1/auth/prelogin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        # one byte every half deadline: slow, but never stalled for a whole deadline
        for byte in body:
            s.send(bytes([byte]))
            time.sleep(TIMEOUT / 4)
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
        # the same connection takes another request (the header deadline starts again after each answer)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        s.close()
    finally:
        server.stop()


def _spawn_limited(tmp_path: Path, soft: int, hard: int, env_extra: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "BETWEEN_RATE_LIMIT": "off", **env_extra}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - the server writes it until it stops
    proc = subprocess.Popen(
        [sys.executable, "-m", "between.server", "--port", str(port), "--data", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=limit,  # noqa: PLW1509 - only setrlimit, before exec
    )
    log.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError((tmp_path / "server.log").read_text())


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_the_open_file_limit_is_raised_to_the_hard_limit(tmp_path):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard < 2048:
        pytest.skip(f"the hard open-file limit here ({hard}) leaves no room to show the raise")
    proc, _ = _spawn_limited(tmp_path, 256, 2048, {})
    try:
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
        assert line.split()[3:5] == ["2048", "2048"], line
    finally:
        _stop(proc)


def test_running_out_of_descriptors_degrades_with_a_bounded_log_and_recovers(tmp_path):
    proc, port = _spawn_limited(tmp_path, 64, 64, DEADLINES)
    held: list[socket.socket] = []
    try:
        # more connections than the process has descriptors: they queue in the backlog, accepts fail
        for _ in range(150):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(3 * TIMEOUT)  # the failing accept loop runs for a while (this is the log we bound)
        for s in held:
            s.close()
        held.clear()
        # the deadlines have cut the held connections: normal requests are answered again
        deadline = time.monotonic() + GIVE_UP
        answered = False
        while time.monotonic() < deadline and not answered:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answered
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "out of file descriptors (EMFILE)" in log
        assert log.count("out of file descriptors") <= 3  # one line per 10 s at most, over about 6 s
        assert "Traceback" not in log
        assert len(log) < 20_000
    finally:
        for s in held:
            s.close()
        _stop(proc)


def test_bounded_errors_counts_what_it_holds_back_and_passes_on_other_errors():
    import asyncio
    import errno
    import logging

    now = [0.0]
    handler = BoundedErrors(every=10, clock=lambda: now[0])
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    keep = Keep()
    logging.getLogger("between.server").addHandler(keep)
    loop = asyncio.new_event_loop()
    passed: list[dict] = []
    loop.default_exception_handler = passed.append  # type: ignore[method-assign]
    try:
        emfile = OSError(errno.EMFILE, "Too many open files")
        for second in range(25):
            now[0] = float(second)
            for _ in range(100):
                handler(loop, {"message": "socket.accept() out of system resource", "exception": emfile})
        handler(loop, {"message": "something else", "exception": ValueError("x")})
    finally:
        logging.getLogger("between.server").removeHandler(keep)
        loop.close()
    lines = [r for r in records if "out of file descriptors" in r]
    assert len(lines) == 3  # at 0, 10 and 20 s
    assert "999 more such errors" in lines[1]
    assert [c["message"] for c in passed] == ["something else"]
