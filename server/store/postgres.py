"""The store on PostgreSQL (asyncpg, the optional extra `between[postgres]`): pooled connections, migrations, the
ordering of each reader's feed, and the change notices every worker process listens to.

Several worker processes share one database, so nothing here lives only in process memory:

- **Writes** run each in its own READ COMMITTED transaction on a pooled connection. PostgreSQL commits concurrent
  transactions in any order, so a counter taken at insert would let a reader paging by seq skip a row that commits
  later with a lower number. Every seq here comes from the reader's own counter row (`users.feed_seq`), bumped with
  an UPDATE whose row lock is held to COMMIT (rows.py `next_seq`; a push locks its owner's row first, records.py
  `_state`): a second writer for the same reader waits and continues from the committed value. Each reader's seqs
  therefore commit in order and without gaps, and a page read in one snapshot never skips one. A deadlock between two
  linked people pushing at once (each holds its own row and wants the other's) aborts one transaction, which is
  retried whole, as are serialization failures and a unique key taken by a concurrent sign-up.
- **Group commit** is PostgreSQL's own: concurrent commits share WAL flushes. Grouping ops into one transaction, as
  SQLite's single writer does, would hold every row lock of a batch until its last op and make workers wait on
  each other.
- **Reads** run in REPEATABLE READ READ ONLY transactions: a page and its grants share one snapshot.
- **Change notices**: triggers in the schema call `pg_notify('between_feed', '<account hex> <device hex>')` on each
  commit that moves an account (migrations/postgres/0001_initial.sql), and each worker holds one dedicated
  listening connection (a pooled one would be reset, with UNLISTEN, when released) that tells this process's
  watchers. After a lost connection it listens again and tells the watchers that every account moved, since
  notices sent in the gap are gone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, Literal, TypeVar

from .connection import AccountGone, Op, StoreError, Watcher
from .rows import R, Sql

try:
    import asyncpg  # type: ignore[import-untyped]
except ImportError:  # the optional extra is not installed; open() says so
    asyncpg = None

log = logging.getLogger("between.store")
T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "postgres"
CHANNEL = "between_feed"
POOL_MAX = 10  # per worker: workers x (POOL_MAX + 1 listener) stays under max_connections (100 by default)
RETRIES = 5  # a write aborted by a deadlock or a serialization failure is run again, whole, this many times
MIGRATION_LOCK = 0x6265747765656E  # pg_advisory_lock key: one worker migrates while the others wait
ALL = b"*"  # the account of a notice meaning "every account may have moved" (live.EVERYONE: after a reconnect)


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


_PLACEHOLDER = re.compile(r"\?")
_translated: dict[str, str] = {}


def dollar(sql: str) -> str:
    """The store's `?` placeholders as PostgreSQL's `$1, $2, ...` (no statement has a `?` inside a literal)."""
    done = _translated.get(sql)
    if done is None:
        counter = iter(range(1, 1 << 20))
        done = _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)
        if len(_translated) < 10_000:
            _translated[sql] = done
    return done


class PgSql:
    """An asyncpg connection inside a transaction, as the store's `Sql` (rows.py)."""

    engine: Literal["postgres"] = "postgres"

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self.raw.execute(dollar(sql), *params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            await self.raw.executemany(dollar(sql), rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.raw.fetch(dollar(sql), *params)]

    async def batches(self, sql: str, params: Sequence[Any], size: int) -> AsyncIterator[list[tuple[Any, ...]]]:
        # The iterator form binds and fetches its first `size` rows in one round trip, then `size` at a time.
        batch: list[tuple[Any, ...]] = []
        async for row in self.raw.cursor(dollar(sql), *params, prefetch=size):
            batch.append(tuple(row))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def migration_files() -> list[tuple[int, Path]]:
    found = []
    for p in sorted(MIGRATIONS.glob("*.sql")):
        m = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", p.name)
        if m:
            found.append((int(m.group(1)), p))
    if [n for n, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, ... without gaps")
    return found


async def migrate(conn: Any) -> int:
    """Apply every migration not yet in schema_migrations, each in its own transaction, under an advisory lock so
    that workers starting together migrate once."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations")
        for number, path in migration_files():
            if number <= current:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", number)
            current = number
            log.info("applied migration postgres/%s", path.name)
        return int(current)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


class PgDatabase:
    """The store's database on PostgreSQL: the same interface as connection.Database (`Db`)."""

    engine = "postgres"

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._pool: Any = None
        self._listener: Any = None
        self._watchers: list[Watcher] = []
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self.ops = 0
        self.retries = 0  # transactions run again after a deadlock or serialization failure

    @classmethod
    async def open(cls, dsn: str, pool_max: int = POOL_MAX) -> PgDatabase:
        if asyncpg is None:
            raise StoreError("PostgreSQL needs the asyncpg driver: pip install 'between[postgres]'")
        db = cls(dsn)
        try:
            conn = await asyncpg.connect(dsn)
            try:
                await migrate(conn)
            finally:
                await conn.close()
            db._pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=pool_max,
                command_timeout=30,
                reset=_keep,
                server_settings={
                    "lock_timeout": "10s",  # a write waits this long for a row lock, then fails with 503
                    "idle_in_transaction_session_timeout": "60s",
                },
            )
            await db._listen()
        except BaseException:
            await db.close()
            raise
        db._supervisor = asyncio.create_task(db._supervise(), name="between-listener")
        return db

    async def close(self) -> None:
        self._closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._listener is not None:
            try:
                await self._listener.close(timeout=5)
            except Exception:
                self._listener.terminate()
            self._listener = None
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), 10)
            except Exception:
                self._pool.terminate()
            self._pool = None

    # ------------------------------------------------------------ operations: readiness and the pool's figures

    async def ready(self) -> bool:
        """The database answers, and every migration this code knows is applied (readiness)."""
        if self._pool is None:
            return False
        async with self._pool.acquire(timeout=5) as conn:
            current = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return int(current) == len(migration_files())

    def stats(self) -> dict[str, float]:
        """This worker's pool for the metrics (name -> number), read without waiting."""
        pool = self._pool
        if pool is None:
            return {}
        return {
            "pool_size": pool.get_size(),
            "pool_idle": pool.get_idle_size(),
            "pool_max": pool.get_max_size(),
            "writes_total": self.ops,
            "write_retries_total": self.retries,
            "listening": 1 if self._listener is not None and not self._listener.is_closed() else 0,
        }

    # ------------------------------------------------------------ writes

    async def write(self, op: Op[T], origin: bytes | None = None) -> T:
        """Run `op` in its own transaction; returns after COMMIT. `origin`: the device the write is made for, carried
        by the change notices of this transaction (set_config, local to it)."""
        if self._pool is None:
            raise StoreError("store is closed")
        for attempt in range(RETRIES + 1):
            try:
                async with self._pool.acquire(timeout=10) as conn:
                    # BEGIN and the origin in one round trip (a simple query; the hex of bytes needs no quoting)
                    told = f"; SELECT set_config('between.origin', '{origin.hex()}', true)" if origin else ""
                    await conn.execute("BEGIN" + told)
                    try:
                        result = await op(PgSql(conn))
                        await conn.execute("COMMIT")
                    except BaseException:
                        await _roll_back(conn)
                        raise
                self.ops += 1
                return result
            except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError, asyncpg.UniqueViolationError) as exc:
                # Run it again from the start: the other transaction has committed or rolled back by now, and the op's
                # own checks (a handle already taken, a replayed push) see it this time.
                if attempt == RETRIES:
                    log.error("write failed after %d attempts: %s", attempt + 1, type(exc).__name__)
                    raise StoreError("database write failed") from None
                self.retries += 1
                await asyncio.sleep(0.005 * (attempt + 1))
            except asyncpg.ForeignKeyViolationError:
                raise AccountGone() from None  # the account was deleted while this write was on its way
            except _LOST as exc:
                if isinstance(exc, asyncpg.PostgresError) and not _unavailable(exc):
                    raise
                log.error("write failed: %s", type(exc).__name__)
                raise StoreError("database write failed") from None
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ reads

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Sql]:
        """One REPEATABLE READ READ ONLY transaction: every statement sees the same snapshot."""
        if self._pool is None:
            raise StoreError("store is closed")
        try:
            async with (
                self._pool.acquire(timeout=10) as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                yield PgSql(conn)
        except _LOST as exc:
            if isinstance(exc, asyncpg.PostgresError) and not _unavailable(exc):
                raise
            log.error("read failed: %s", type(exc).__name__)
            raise StoreError("database read failed") from None

    async def read_row(self, shape: type[R], sql: str, params: tuple[Any, ...]) -> R | None:
        if self._pool is None:
            raise StoreError("store is closed")
        try:
            async with self._pool.acquire(timeout=10) as conn:
                row = await conn.fetchrow(dollar(sql), *params)
        except _LOST as exc:
            if isinstance(exc, asyncpg.PostgresError) and not _unavailable(exc):
                raise
            log.error("read failed: %s", type(exc).__name__)
            raise StoreError("database read failed") from None
        return None if row is None else shape._make(tuple(row))

    # ------------------------------------------------------------ change notices

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher` on the event loop for each committed move, from any worker (through LISTEN)."""
        self._watchers.append(watcher)

    def _tell(self, moves: Mapping[bytes, set[bytes | None]]) -> None:
        for watcher in self._watchers:
            try:
                watcher(moves)
            except Exception as exc:
                log.error("a move watcher failed: %s", type(exc).__name__)

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        account, _, device = payload.partition(" ")
        try:
            moves = {bytes.fromhex(account): {bytes.fromhex(device) if device else None}}
        except ValueError:
            return
        self._tell(moves)

    async def _listen(self) -> None:
        self._listener = await asyncpg.connect(self.dsn)
        await self._listener.add_listener(CHANNEL, self._notified)

    async def _supervise(self) -> None:
        """Check the listening connection every few seconds (a dead server is noticed only at the next query); after
        a loss, listen again and wake every stream of this process."""
        while not self._closing:
            await asyncio.sleep(5)
            try:
                await asyncio.wait_for(self._listener.fetchval("SELECT 1"), 5)
                continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("the change-notice connection was lost; listening again")
            try:
                self._listener.terminate()
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception:
                continue
            self._tell({ALL: {None}})

    # ------------------------------------------------------------ shared rate limits

    async def take_token(self, key: str, limit: int, window: float) -> float | None:
        """One token of `key`'s bucket (`limit` per `window` seconds, refilled continuously), shared by every worker.
        None if allowed, else the seconds until one is back. The time is the database's, one clock for every worker
        (a worker's own clock may be skewed, and alternating workers would refill a bucket), and never before the
        bucket's own: a clock stepped back refills nothing and leaves the bucket's time where it was."""
        async with self._pool.acquire(timeout=10) as conn:
            wait = await conn.fetchval(
                "SELECT between_take_token($1, $2, $3, greatest(extract(epoch FROM clock_timestamp())::float8, "
                "(SELECT at FROM rate_buckets WHERE key = $1)))",
                key,
                float(limit),
                limit / window,
            )
        return None if not wait else float(wait)

    async def forget_tokens(self, idle: float) -> None:
        """Delete the buckets untouched for `idle` seconds, by the database's clock."""
        async with self._pool.acquire(timeout=10) as conn:
            await conn.execute(
                "DELETE FROM rate_buckets WHERE at < extract(epoch FROM clock_timestamp())::float8 - $1", float(idle)
            )


# What a lost or overloaded database raises (asyncpg's own errors only when _unavailable says so): answered 503.
_LOST: tuple[type[BaseException], ...] = (
    (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) if asyncpg else (OSError, TimeoutError)
)


async def _keep(conn: Any) -> None:
    """The pool's reset of a connection given back: only a transaction left open is ended. asyncpg's default runs a
    statement per release (UNLISTEN, RESET ALL, ...) for session state the store never sets: its settings are
    transaction-local (set_config(..., true)), it listens on its own connection and holds advisory locks only while
    migrating, there too."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def _roll_back(conn: Any) -> None:
    """After a failed or cancelled op. A connection that cannot roll back (lost, or a statement still running) is
    closed: the pool opens another, and PostgreSQL rolls back what the closed one had open."""
    try:
        if conn.is_in_transaction():
            await asyncio.shield(conn.execute("ROLLBACK"))
    except BaseException:
        conn.terminate()


def _unavailable(exc: Exception) -> bool:
    """Whether a PostgreSQL error means the database cannot take writes now (disk, connections, shutdown, a lock
    held too long) rather than a mistake in a statement."""
    state = getattr(exc, "sqlstate", "") or ""
    return state[:2] in {"53", "57", "08", "58"} or state == "55P03"
