"""Shared fixtures: `live_server` runs the real server (`python -m between.server`) as a subprocess on a free port.
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
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.environment import (
    Database,
    chromium_problem,
    fresh_database,
    in_ci,
    missing,
    playwright_problem,
    postgres_problem,
)

pytest_plugins = ["tests.openapi_answers"]
ROOT = Path(__file__).resolve().parent.parent
# What the servers of the tests serve: web/ as written (what a developer just edited), or the tree BETWEEN_WEB_DIR names
# (web/dist/, the minified build an installed server serves by default: the same tests against it).
SERVED_WEB = Path(os.environ.get("BETWEEN_WEB_DIR") or ROOT / "web").resolve()
# fast, permissive limits: tests drive many sign-ins from one address
LIVE_ENV = {
    "BETWEEN_RATE_IP_PER_MINUTE": "100000",
    "BETWEEN_RATE_HANDLE_PER_MINUTE": "100000",
    "BETWEEN_RATE_SIGNUP_PER_HOUR": "100000",
    "BETWEEN_RATE_PUSH_PER_MINUTE": "100000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A running `python -m between.server`: `url` is its origin (http://127.0.0.1:PORT), `proc` the Popen,
    `log_path` its captured stdout+stderr, `data_dir` the database directory it serves. Started with a
    `clock_file` (start_live_server(..., movable_clock=True)), it runs on tests/clock_server.py's clock,
    which `advance` moves forward."""

    url: str
    data_dir: Path
    proc: subprocess.Popen
    log_path: Path
    port: int
    env: dict[str, str]
    module: str = "between.server"
    clock_file: Path | None = None

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
        self.proc = _spawn(self.port, self.data_dir, self.log_path, self.env, self.module, self.clock_file)
        _wait_healthy(self)

    def advance(self, seconds: float) -> None:
        """Move the server's clock forward: sessions, challenges and invites expire as if that time had passed."""
        if self.clock_file is None:
            raise RuntimeError("this server runs on the machine's clock: start it with movable_clock=True")
        offset = float(self.clock_file.read_text() or 0) + seconds
        fresh = self.clock_file.with_suffix(".new")
        fresh.write_text(repr(offset))
        os.replace(fresh, self.clock_file)  # the server never reads a half-written number


def _spawn(
    port: int,
    data_dir: Path,
    log_path: Path,
    env: dict[str, str],
    module: str = "between.server",
    clock_file: Path | None = None,
) -> subprocess.Popen:
    """`python -m between.server` through tests/openapi_server.py, which records its answers for the OpenAPI check
    (through tests/clock_server.py on a movable clock); another module (tests/newer_server.py, which adds fields to
    every answer on purpose) is run as it is, unrecorded."""
    # The old top-level names still import from the repository root, but bypass the recording and clock wrappers.
    top = module.split(".", maxsplit=1)[0]
    assert top not in ("server", "sync"), f"run the server as between.server, not {module}"
    args = ["-m", module]
    if module == "between.server":
        from tests.openapi_answers import answers_file  # after pytest has loaded it as a plugin

        args = (
            ["-m", "tests.openapi_server", answers_file()]
            if clock_file is None
            else ["-m", "tests.clock_server", "--offset-file", str(clock_file), "--answers", answers_file()]
        )
    log = open(log_path, "ab")  # noqa: SIM115 - the server process writes it until it stops
    try:
        return subprocess.Popen(
            [sys.executable, *args, "--host", "127.0.0.1", "--port", str(port), "--data", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def _wait_healthy(server: LiveServer, timeout: float = 60.0) -> None:
    """Until the server answers /health: a start with PostgreSQL migrates and forks its workers first, and a loaded
    machine starts anything slowly. (A wait for a condition, never a judgement of how long it took.)"""
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


def start_live_server(
    tmp_path: Path,
    extra_env: dict[str, str] | None = None,
    *,
    module: str = "between.server",
    movable_clock: bool = False,
) -> LiveServer:
    """`python -m between.server`, or `module` run the same way (tests/newer_server.py: the server as a newer version);
    `movable_clock`: on a clock the test moves (LiveServer.advance)."""
    data_dir = tmp_path / "server-data"
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")}
        | LIVE_ENV
        | {"BETWEEN_WEB_DIR": str(SERVED_WEB)}
        | (extra_env or {})
    )
    log_path = tmp_path / "server.log"
    clock_file = None
    if movable_clock:
        clock_file = tmp_path / "server-clock-offset"
        clock_file.write_text("0")
    attempts = 3
    for attempt in range(1, attempts + 1):
        port = free_port()
        server = LiveServer(
            url=f"http://127.0.0.1:{port}",
            data_dir=data_dir,
            proc=_spawn(port, data_dir, log_path, env, module, clock_file),
            log_path=log_path,
            port=port,
            env=env,
            module=module,
            clock_file=clock_file,
        )
        try:
            _wait_healthy(server)
            break
        except Exception:
            server.kill()
            # Another process (a test in another xdist worker, another run on the machine) bound the port between
            # free_port() and the server's bind: the same start on another port, with a fresh log.
            if attempt < attempts and "address already in use" in server.log():
                log_path.unlink()
                continue
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


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist (`-n`) the controller collects nothing, and a worker's usage error would reach the run only
    as an internal error without its message: the controller checks what a CI run needs before it starts a worker.
    It cannot know whether browser tests are selected, so with CI=true it asks for Chromium and Playwright too (a run
    without `-n` asks for them only when browser tests are collected, below)."""
    config = session.config
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no" or not in_ci():
        return
    problems = [p for p in (postgres_problem(), chromium_problem() or playwright_problem()) if p]
    if problems:
        raise pytest.UsageError(
            "CI=true and the machine lacks what the suite needs (no test may pass by being skipped):\n  "
            + "\n  ".join(problems)
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the Chromium tests last: they are the slowest, and Playwright's sync API keeps an event
    loop running in the main thread for as long as its session fixture lives.

    Nothing passes by being skipped in CI (tests/environment.py): with CI=true a run fails before any test when
    PostgreSQL is not reachable, or when browser tests are selected and Chromium or Playwright is missing. Without
    CI the browser tests skip with a one-line reason."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    browser = [item for item in items if item.get_closest_marker("browser") is not None]
    lacking = (chromium_problem() or playwright_problem()) if browser else None
    if in_ci():
        problems = [p for p in (postgres_problem(), lacking) if p]
        if problems:
            raise pytest.UsageError(
                "CI=true and the machine lacks what the suite needs (no test may pass by "
                "being skipped):\n  " + "\n  ".join(problems)
            )
    elif lacking:
        for item in browser:
            item.add_marker(pytest.mark.skip(reason=lacking))


@pytest.fixture
def postgres_database() -> Iterator[Database]:
    """A fresh PostgreSQL database for one test (tests/environment.py), dropped after it. Without PostgreSQL the
    test skips with a one-line notice; with CI=true it fails."""
    problem = postgres_problem()
    if problem:
        missing(problem)
    with fresh_database() as database:
        yield database


ENGINES = ("sqlite", "postgres")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The store's engine: the tests that take it run once on SQLite and once on PostgreSQL."""
    return request.param


def postgres_or_skip() -> None:
    """Before a test needs PostgreSQL: skips with one line without it, fails with CI=true (tests/environment.py)."""
    problem = postgres_problem()
    if problem:
        missing(problem)


@pytest.fixture
def store_target(engine: str, tmp_path: Path) -> Iterator[Path | str]:
    """Where a test's store lives on `engine`: a SQLite file, or a fresh PostgreSQL database (its URL), dropped
    after the test."""
    if engine == "sqlite":
        yield tmp_path / "db.sqlite3"
        return
    postgres_or_skip()
    with fresh_database() as database:
        yield database.dsn


@pytest.fixture
def engine_server(engine: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server with its store on `engine`: SQLite in a fresh data directory, or a fresh PostgreSQL database
    served by two worker processes (`workers_of`)."""
    env: dict[str, str] = {}
    with ExitStack() as stack:
        if engine == "postgres":
            postgres_or_skip()
            env = {"BETWEEN_DATABASE": stack.enter_context(fresh_database()).dsn, "BETWEEN_WORKERS": "2"}
        server = start_live_server(tmp_path, env)
        try:
            yield server
        finally:
            server.stop()


def workers_of(server: LiveServer) -> list[int]:
    """The worker processes of a server started with several (Linux: the supervisor's children)."""
    pid = server.proc.pid
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
