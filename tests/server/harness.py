"""Helpers of the server tests: the test-client wrapper, settings for tests, database dumps."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import builders as b
import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from between.server.settings import Settings
from between.server.store.postgres import dollar
from between.sync.core import trust, wire
from tests.conftest import SERVED_WEB
from tests.environment import Database as PgDatabase
from tests.environment import Postgres

T = TypeVar("T")
FAST = {
    "rate_ip_per_minute": 100_000,
    "rate_handle_per_minute": 100_000,
    "rate_signup_per_hour": 100_000,
    "rate_push_per_minute": 100_000,
}


class Clock:
    """The server's clock in a test (create_app(settings, clock=...)): time stands still until advanced, so an
    expiry is reached by moving the clock, never by sleeping, and a test does not depend on the machine's load."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """The test client plus the few flows most tests start from. `database`: the PostgreSQL database the app's store
    is in, if it is not data_dir's SQLite file."""

    def __init__(
        self, client: TestClient, data_dir: Path, database: PgDatabase | None = None, app: Litestar | None = None
    ) -> None:
        self.c = client
        self.data_dir = data_dir
        self.database = database
        self.app = app  # the app itself, for what a test reaches in (its services), not through the API

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """`fn()` on the app's own event loop (its store's connections live there)."""
        return self.c.blocking_portal.call(fn)

    @property
    def services(self) -> Any:
        assert self.app is not None, "started without its app"
        return self.app.state.services

    @property
    def db(self) -> Path | PgDatabase:
        """The store's database, for `dump` and `execute`: the SQLite file, or the PostgreSQL database."""
        return self.database or self.data_dir / "between.sqlite3"

    def post(self, path: str, body=None, acct: b.Account | None = None, **kw):
        headers = acct.auth() if acct else {}
        if body is not None and not isinstance(body, (dict, list)):
            body = b.j(body)
        return self.c.post("/api/v1" + path, json=body, headers=headers, **kw)

    def get(self, path: str, acct: b.Account | None = None, **kw):
        return self.c.get("/api/v1" + path, headers=acct.auth() if acct else {}, **kw)

    def delete(self, path: str, acct: b.Account | None = None):
        return self.c.delete("/api/v1" + path, headers=acct.auth() if acct else {})

    def register(self, handle: str, role: str = "client", invite_code: str | None = None) -> b.Account:
        acct = b.new_account(handle, role)
        r = self.post("/accounts", b.signup(acct, invite_code))
        assert r.status_code == 201, r.text
        acct.token = r.json()["token"]
        return acct

    def challenge(self, handle: str) -> wire.Challenge:
        r = self.post("/auth/prelogin", {"handle": handle})
        assert r.status_code == 200, r.text
        return msgspec.json.decode(r.content, type=wire.Challenge)

    def device_challenge(self, acct: b.Account) -> wire.Challenge:
        r = self.post("/auth/device-challenge", {"device_id": str(acct.device_id)})
        assert r.status_code == 200, r.text
        return msgspec.json.decode(r.content, type=wire.Challenge)

    def push(self, acct: b.Account, items: list[wire.PushItem], atomic: bool = False) -> list[dict]:
        r = self.post("/sync/push", b.push_body(items, atomic), acct)
        assert r.status_code == 200, r.text
        return r.json()["results"]

    def pull_all(self, acct: b.Account, after: int = 0, limit: int = 200) -> tuple[list[dict], int]:
        items: list[dict] = []
        while True:
            r = self.get(f"/sync/pull?after={after}&limit={limit}", acct)
            assert r.status_code == 200, r.text
            page = r.json()
            items += page["items"]
            after = page["cursor"]
            if not page["more"]:
                return items, after

    def link(self, therapist: b.Account, client: b.Account) -> dict:
        inv = self.post("/invites", None, therapist)
        assert inv.status_code == 201, inv.text
        made = inv.json()
        invite_id = uuid.UUID(made["invite_id"]).bytes
        secret = trust.invite_secret(therapist.secrets.account_key, invite_id)
        proof = trust.invite_proof(secret, invite_id, therapist.user_id, client.bundle)
        r = self.post("/invites/accept", b.accept(made["token"], proof), client)
        assert r.status_code == 201, r.text
        return r.json()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a fresh thread, so a loop some other fixture keeps running can't interfere."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings.from_mapping(
        {"data_dir": str(data_dir), "public_origin": b.TEST_ORIGIN, "web_dir": str(SERVED_WEB), **FAST, **overrides}
    )


# Not the people's data: shared rate-limit buckets move with every request, and the migrations table never does.
NOT_DUMPED = ("rate_buckets", "schema_migrations")


def dump(db: Path | PgDatabase, tables: tuple[str, ...] | None = None) -> dict[str, list]:
    """Every row of every (or the named) table, sorted: compared before and after a refused request."""
    if not isinstance(db, Path):
        return run_coroutine(_pg_dump(db.dsn, tables))
    conn = sqlite3.connect(db)
    try:
        names = tables or tuple(
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        )
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in names}
    finally:
        conn.close()


async def _pg_dump(dsn: str, tables: tuple[str, ...] | None) -> dict[str, list]:
    conn = await asyncpg.connect(dsn)
    try:
        names = tables or tuple(
            r[0]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if r[0] not in NOT_DUMPED
        )
        return {t: sorted((tuple(r) for r in await conn.fetch(f"SELECT * FROM {t}")), key=repr) for t in names}
    finally:
        await conn.close()


def execute(db: Path | PgDatabase, sql: str, params: tuple[Any, ...] = ()) -> None:
    """One statement on the store's database behind the server's back (`?` placeholders, the store's SQL)."""
    if isinstance(db, Path):
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()
        return

    async def run() -> None:
        conn = await asyncpg.connect(db.dsn)
        try:
            await conn.execute(dollar(sql), *params)
        finally:
            await conn.close()

    run_coroutine(run())


def db_of(target: Path | str) -> Path | PgDatabase:
    """A store target (tests/conftest.py `store_target`) as `dump` and `execute` take it."""
    if isinstance(target, Path):
        return target
    return PgDatabase(name=target.rsplit("/", 1)[1], dsn=target, server=Postgres())
