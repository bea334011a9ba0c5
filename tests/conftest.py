"""Shared fixtures: `live_server` runs the real server (`python -m server`) as a subprocess on a free port.
Every /api/ answer of those servers and of the in-process test clients is checked against the published
OpenAPI document when the session ends (tests/openapi_answers.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytest_plugins = ["tests.openapi_answers"]
ROOT = Path(__file__).resolve().parent.parent
# fast, permissive limits: tests drive many sign-ins from one address
LIVE_ENV = {"BETWEEN_RATE_IP_PER_MINUTE": "100000", "BETWEEN_RATE_HANDLE_PER_MINUTE": "100000",
            "BETWEEN_RATE_SIGNUP_PER_HOUR": "100000"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A running `python -m server`: `url` is its origin (http://127.0.0.1:PORT), `proc` the Popen,
    `log_path` its captured stdout+stderr, `data_dir` the database directory it serves."""

    url: str
    data_dir: Path
    proc: subprocess.Popen
    log_path: Path
    port: int
    env: dict[str, str]
    module: str = "server"

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, no shutdown hooks: what a crash or power cut looks like to the database."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM: graceful shutdown (the store closes its connections)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        """Start a new process on the same port and data dir (after kill() or stop())."""
        self.stop()
        self.proc = _spawn(self.port, self.data_dir, self.log_path, self.env, self.module)
        _wait_healthy(self)


def _spawn(port: int, data_dir: Path, log_path: Path, env: dict[str, str], module: str) -> subprocess.Popen:
    """`python -m server` through tests/openapi_server.py, which records its answers for the OpenAPI check; another
    module (tests/newer_server.py, which adds fields to every answer on purpose) is run as it is, unrecorded."""
    args = ["-m", module]
    if module == "server":
        from tests.openapi_answers import answers_file  # after pytest has loaded it as a plugin

        args = ["-m", "tests.openapi_server", answers_file()]
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            [sys.executable, *args, "--host", "127.0.0.1", "--port", str(port), "--data", str(data_dir)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def _wait_healthy(server: LiveServer, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}:\n{server.log()[-3000:]}")
        try:
            if httpx.get(server.api + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server not healthy after {timeout}s:\n{server.log()[-3000:]}")


def start_live_server(tmp_path: Path, extra_env: dict[str, str] | None = None, *,
                      module: str = "server") -> LiveServer:
    """`python -m server`, or `module` run the same way (tests/newer_server.py: the server as a newer version)."""
    data_dir = tmp_path / "server-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")} | LIVE_ENV | (extra_env or {})
    port = free_port()
    log_path = tmp_path / "server.log"
    server = LiveServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir,
                        proc=_spawn(port, data_dir, log_path, env, module), log_path=log_path, port=port, env=env,
                        module=module)
    try:
        _wait_healthy(server)
    except Exception:
        server.kill()
        raise
    return server


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real server on 127.0.0.1:<free port> with a fresh data dir; killed at the end."""
    server = start_live_server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the Chromium tests last: they are the slowest, and Playwright's sync API keeps an event
    loop running in the main thread for as long as its session fixture lives."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
