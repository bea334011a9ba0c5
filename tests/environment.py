"""What the suite needs from the machine (Chromium, PostgreSQL) and what a missing piece means: on a laptop the
tests that need it skip with a one-line notice; with CI=true the run fails, so a CI without it never goes green."""

from __future__ import annotations

import os
import socket
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Debian's full chromium; `make test CHROMIUM=...` (exported by the Makefile) points elsewhere.
CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")


def in_ci() -> bool:
    """CI=true (GitHub, GitLab and most CI services set it; .ci/run sets it when they do not)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str) -> None:
    """Inside a test or fixture, a part the machine lacks: fail with CI=true, else skip with one line saying what."""
    if in_ci():
        pytest.fail(f"CI=true and {what}", pytrace=False)
    pytest.skip(what)


def chromium_problem() -> str | None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"{CHROMIUM} is missing: install Debian's chromium (make chromium), or point CHROMIUM at one"


def playwright_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401 - only asked when browser tests are collected
    except ImportError:
        return "Playwright for Python is not installed (make install)"
    return None


# ---------------------------------------------------------------- PostgreSQL, spoken to without a driver


@dataclass(frozen=True)
class Postgres:
    """Where the project's PostgreSQL listens: libpq's PGHOST, PGPORT, PGUSER, else 127.0.0.1:5432 as postgres."""

    host: str = os.environ.get("PGHOST") or "127.0.0.1"
    port: int = int(os.environ.get("PGPORT") or 5432)
    user: str = os.environ.get("PGUSER") or "postgres"

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


class PostgresError(Exception):
    pass


def _message(sock: socket.socket) -> tuple[bytes, bytes]:
    head = _read(sock, 5)
    kind, length = head[:1], struct.unpack("!I", head[1:])[0]
    return kind, _read(sock, length - 4)


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise PostgresError("the server closed the connection")
        data += chunk
    return data


def _error_text(body: bytes) -> str:
    fields = {part[:1]: part[1:].decode(errors="replace") for part in body.split(b"\x00") if part}
    return fields.get(b"M", "error")


@contextmanager
def _session(pg: Postgres, database: str = "postgres", timeout: float = 3.0) -> Iterator[socket.socket]:
    """A protocol-3 session (trust authentication only: the project's machines and CI use it)."""
    with socket.create_connection((pg.host, pg.port), timeout=timeout) as sock:
        params = b"user\x00" + pg.user.encode() + b"\x00database\x00" + database.encode() + b"\x00\x00"
        sock.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
        while True:
            kind, body = _message(sock)
            if kind == b"E":
                raise PostgresError(_error_text(body))
            if kind == b"R" and struct.unpack("!I", body[:4])[0] != 0:
                raise PostgresError("the server asks for a password (the tests expect trust authentication)")
            if kind == b"Z":
                break
        try:
            yield sock
        finally:
            sock.sendall(b"X" + struct.pack("!I", 4))


def _query(sock: socket.socket, sql: str) -> list[list[str | None]]:
    """One simple-protocol statement; returns its rows as text."""
    data = sql.encode() + b"\x00"
    sock.sendall(b"Q" + struct.pack("!I", 4 + len(data)) + data)
    rows, error = [], None
    while True:
        kind, body = _message(sock)
        if kind == b"E":
            error = _error_text(body)
        elif kind == b"D":
            count, at, row = struct.unpack("!H", body[:2])[0], 2, []
            for _ in range(count):
                size = struct.unpack("!i", body[at : at + 4])[0]
                at += 4
                row.append(None if size < 0 else body[at : at + size].decode())
                at += max(size, 0)
            rows.append(row)
        elif kind == b"Z":
            if error is not None:
                raise PostgresError(error)
            return rows


def postgres_problem(pg: Postgres | None = None) -> str | None:
    """None when PostgreSQL accepts a session as the tests will open it, else what is wrong, in one line."""
    pg = pg or Postgres()
    try:
        with _session(pg) as sock:
            _query(sock, "SELECT 1")
    except (OSError, PostgresError) as exc:
        return f"PostgreSQL is not reachable at {pg.host}:{pg.port} as {pg.user} ({exc})"
    return None


@dataclass(frozen=True)
class Database:
    """One test's own database: `dsn` for a driver, `query` for the few statements a test needs without one."""

    name: str
    dsn: str
    server: Postgres

    def query(self, sql: str) -> list[list[str | None]]:
        with _session(self.server, self.name) as sock:
            return _query(sock, sql)


@contextmanager
def fresh_database(pg: Postgres | None = None) -> Iterator[Database]:
    """A new, empty database for one test, dropped afterwards."""
    pg = pg or Postgres()
    name = "between_test_" + uuid.uuid4().hex[:12]
    # CREATE DATABASE copies a template and checkpoints: seconds on a loaded machine, so a longer wait than a query's
    with _session(pg, timeout=60) as sock:
        _query(sock, f'CREATE DATABASE "{name}"')
    try:
        yield Database(name, pg.dsn(name), pg)
    finally:
        with _session(pg, timeout=60) as sock:
            _query(sock, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
