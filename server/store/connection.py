"""Connections of the store: pragmas, migrations, the group-committing single writer and pooled readers."""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, Protocol, TypeVar

import aiosqlite

if sys.platform == "win32":  # no advisory locks; one process per database stays the operator's rule
    fcntl = None
else:
    import fcntl

from .rows import R, Sql, columns, r_row, r_rows, r_value

log = logging.getLogger("between.store")
T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "sqlite"  # postgres.py has its own folder
BATCH_MAX = 256  # requests committed together by the writer at most
READERS = 4


class StoreError(Exception):
    """The database could not complete a write (disk full, I/O error); nothing of it was kept."""


def _disk_full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)


def write_failure(exc: BaseException, path: Path) -> str:
    """The log line for a write that failed: a full disk is named as such, with the database's path (the operator's
    next step is to free space there; pushes recover without a restart)."""
    if _disk_full(exc):
        return f"disk full: could not write {path} (free space on its file system; writes resume by themselves)"
    return f"write batch failed: {type(exc).__name__} on {path}"


class InUse(StoreError):
    """Another process holds this database: one process per database (its writer orders every write, and it
    remembers sessions that another process could end)."""


def _lock(path: Path) -> IO[bytes] | None:
    """An exclusive lock beside the database, held open until close (the OS drops it if the process dies)."""
    if fcntl is None:
        return None
    handle = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 - the lock lasts while it is open
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise InUse(f"another Between server is using {path}") from None
    return handle


def ensure_free(path: Path) -> None:
    """Raise InUse now if another process serves this database (a start-up check; open() locks for real)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _lock(path)
    if handle is not None:
        handle.close()


class Conflict(Exception):
    """A uniqueness rule refused the write; `code` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AccountGone(Conflict):
    """The caller's account was deleted while its request was on the way: answered as an ended session is."""

    def __init__(self) -> None:
        super().__init__("unauthorized")


class QuotaFull(Conflict):
    """A push would take its owner past the storage quota: nothing of it is written."""

    def __init__(self, stored: int, needed: int, quota: int) -> None:
        super().__init__("quota_exceeded")
        self.stored, self.needed, self.quota = stored, needed, quota


class BadCursor(Exception):
    pass


class SchemaRow(NamedTuple):
    type: str
    name: str
    sql: str


# An op of a write: given the transaction, it returns the write's answer. Written once for both engines as a
# coroutine function (rows.py). (On SQLite a plain function is run too: tests' PRAGMAs on `SqliteTx.raw`.)
Op = Callable[[Sql], Awaitable[T]]


class SqliteTx:
    """The single writer's sqlite3 connection as an `Sql`. Its coroutines never suspend: the writer thread runs a
    whole op with one `send` (`_run_op`), so a batch of ops still costs one thread hop."""

    engine: Literal["sqlite"] = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.raw.execute(sql, tuple(params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.raw.execute(sql, tuple(params)).fetchall()

    async def batches(self, sql: str, params: Sequence[Any], size: int) -> AsyncIterator[list[tuple[Any, ...]]]:
        cur = self.raw.execute(sql, tuple(params))
        while batch := cur.fetchmany(size):
            yield batch


def _run_op(op: Callable[[Sql], Any], tx: SqliteTx) -> Any:
    """Run an op on the writer thread: a coroutine is driven to its end in one step (SqliteTx never suspends)."""
    value = op(tx)
    if not asyncio.iscoroutine(value):
        return value
    coro: Coroutine[Any, Any, Any] = value
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a SQLite write awaited something other than its connection")


class SqliteReader:
    """A pooled aiosqlite reader as an `Sql` (read-only: query_only is on)."""

    engine: Literal["sqlite"] = "sqlite"

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self.raw.execute(sql, tuple(params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.raw.execute_fetchall(sql, tuple(params))]

    async def batches(self, sql: str, params: Sequence[Any], size: int) -> AsyncIterator[list[tuple[Any, ...]]]:
        async with self.raw.execute(sql, tuple(params)) as cur:
            while batch := await cur.fetchmany(size):
                yield [tuple(r) for r in batch]


Watcher = Callable[[Mapping[bytes, set[bytes | None]]], None]


class Db(Protocol):
    """What the store's areas use of a database, on either engine: `Database` (SQLite, below) or `PgDatabase`
    (postgres.py)."""

    engine: str

    async def write(self, op: Op[T], origin: bytes | None = None) -> T: ...
    def read(self) -> AbstractAsyncContextManager[Sql]: ...
    async def read_row(self, shape: type[R], sql: str, params: tuple[Any, ...]) -> R | None: ...
    def watch(self, watcher: Watcher) -> None: ...
    async def close(self) -> None: ...
    async def ready(self) -> bool: ...  # readiness: reachable and every migration applied
    def stats(self) -> dict[str, float]: ...  # the pool's figures for the metrics (server/observe.py)


# ---------------------------------------------------------------- connections and migrations


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")  # a COMMIT is durable when it returns
    # 64 MiB of page cache (SQLite's default is 2 MB). Random record ids spread every push over all of a
    # table's indexes; with the default, pushes re-read pages and slowed as the database grew (bench: a 1-record
    # push fell from 0.64 to 0.41 of the hello route over 15,000 records; flat at about 0.55 with this).
    conn.execute("PRAGMA cache_size = -65536")


async def _connect_reader(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("PRAGMA query_only = ON")
    return conn


# What moves an account's feed or its care links, told to `between_moved(user_id)` by the writer's own TEMP triggers
# (on this connection only, never in the schema): a feed counter bumped, a care link made or ended. Every write path
# that changes what an account's pull or link list would bring goes through one of these rows, so a new path cannot
# forget to announce itself. On PostgreSQL the same triggers call pg_notify (migrations/postgres/0001_initial.sql).
MOVE_TRIGGERS = (
    "CREATE TEMP TRIGGER between_feed_moved AFTER UPDATE OF feed_seq ON main.users "
    "WHEN NEW.feed_seq IS NOT OLD.feed_seq BEGIN SELECT between_moved(NEW.user_id); END",
    "CREATE TEMP TRIGGER between_link_made AFTER INSERT ON main.links "
    "BEGIN SELECT between_moved(NEW.therapist_id), between_moved(NEW.client_id); END",
    "CREATE TEMP TRIGGER between_link_ended AFTER DELETE ON main.links "
    "BEGIN SELECT between_moved(OLD.therapist_id), between_moved(OLD.client_id); END",
)


def _connect_writer(path: Path, moved: Callable[[bytes], None]) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    _pragmas(conn)
    if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
        conn.close()
        raise RuntimeError("the database could not switch to WAL mode")
    migrate(conn)
    conn.create_function("between_moved", 1, moved)
    for sql in MOVE_TRIGGERS:
        conn.execute(sql)
    return conn


def migration_files() -> list[tuple[int, Path]]:
    found = []
    for p in sorted(MIGRATIONS.glob("*.sql")):
        m = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", p.name)
        if m:
            found.append((int(m.group(1)), p))
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, ... without gaps")
    return found


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration above PRAGMA user_version, each in its own explicit transaction."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, path in migration_files():
        if number <= current:
            continue
        script = path.read_text()
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        current = number
        log.info("applied migration %s", path.name)
    return current


class Database:
    """The writer: one sqlite3 connection on one dedicated thread, fed by a writer task that
    commits queued operations together (group commit). Readers: a pool of aiosqlite connections.

    Why not aiosqlite for the writer: every await costs a thread hop (~80 µs, research note
    performance.md); a batch run as one function on the writer thread costs one hop in total."""

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: IO[bytes] | None = None  # the open lock file (_lock)
        self._writer: sqlite3.Connection | None = None
        self._tx: SqliteTx | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="between-writer")
        self._readers: asyncio.Queue[SqliteReader] = asyncio.Queue()
        self._reader_list: list[SqliteReader] = []
        self._queue: asyncio.Queue[tuple[Op[Any], asyncio.Future, bytes | None] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # committed write batches; with `ops` it shows how much group commit groups
        self.ops = 0
        # Accounts moved by the op being run (writer thread only), and the device the op writes for.
        self._op_moves: dict[bytes, set[bytes | None]] = {}
        self._op_origin: bytes | None = None
        self._watchers: list[Callable[[Mapping[bytes, set[bytes | None]]], None]] = []

    @classmethod
    async def open(cls, path: Path) -> Database:
        store = cls(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        try:
            store._lock = _lock(path)
            store._writer = await loop.run_in_executor(store._thread, _connect_writer, path, store._moved)
            store._tx = SqliteTx(store._writer)
            for _ in range(READERS):
                reader = SqliteReader(await _connect_reader(path))
                store._reader_list.append(reader)
                store._readers.put_nowait(reader)
        except BaseException:
            await store.close()
            raise
        store._task = asyncio.create_task(store._write_loop(), name="between-writer")
        return store

    async def close(self) -> None:
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        for conn in self._reader_list:
            await conn.raw.close()
        self._reader_list.clear()
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._writer.close)
            self._writer = self._tx = None
        self._thread.shutdown(wait=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # ------------------------------------------------------------ writer: group commit

    async def write(self, op: Op[T], origin: bytes | None = None) -> T:
        """Run `op` in the next batch; returns (or raises) only after that batch's COMMIT returned. `origin`: the
        device the write is made for, told to the watchers with the accounts it moved."""
        if self._task is None:
            raise StoreError("store is closed")
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        await self._queue.put((op, fut, origin))
        return await fut

    def watch(self, watcher: Callable[[Mapping[bytes, set[bytes | None]]], None]) -> None:
        """Call `watcher` on the event loop after each COMMIT with the accounts whose feed or care links it moved
        (user id -> the devices whose writes moved it). Never for a write that was rolled back."""
        self._watchers.append(watcher)

    def _moved(self, user_id: bytes) -> None:
        """Called by the MOVE_TRIGGERS on the writer thread, inside the op that moved `user_id`."""
        self._op_moves.setdefault(bytes(user_id), set()).add(self._op_origin)

    def _tell_watchers(self, moves: dict[bytes, set[bytes | None]]) -> None:
        for watcher in self._watchers:
            try:
                watcher(moves)
            except Exception as exc:  # a notice lost must never fail a write that is already committed
                log.error("a move watcher failed: %s", type(exc).__name__)

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < BATCH_MAX and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            moves: dict[bytes, set[bytes | None]] = {}
            try:
                outcomes, moves = await loop.run_in_executor(
                    self._thread, self._commit_batch, [(op, origin) for op, _, origin in batch]
                )
            except Exception as exc:
                log.error("%s", write_failure(exc, self.path))
                outcomes = [(False, StoreError("database write failed"))] * len(batch)
            if moves:
                self._tell_watchers(moves)
            for (_, fut, _), (ok, value) in zip(batch, outcomes, strict=True):
                if fut.done():
                    continue  # the request went away; its write stands (pushes are idempotent)
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
            if stop:
                return

    def _commit_batch(
        self, ops: list[tuple[Op[Any], bytes | None]]
    ) -> tuple[list[tuple[bool, Any]], dict[bytes, set[bytes | None]]]:
        """On the writer thread: each op in its own savepoint, then one COMMIT. Also the accounts the batch moved:
        those of the ops that stood (a refused op's moves are rolled back with it)."""
        c, tx = self._writer, self._tx
        if c is None or tx is None:  # never: close() ends the write loop before it closes the writer
            raise StoreError("store is closed")
        outcomes: list[tuple[bool, Any]] = []
        moves: dict[bytes, set[bytes | None]] = {}
        try:
            c.execute("BEGIN IMMEDIATE")
            for op, origin in ops:
                c.execute("SAVEPOINT op")
                self._op_moves, self._op_origin = {}, origin
                try:
                    value = _run_op(op, tx)
                except Exception as exc:
                    if not c.in_transaction or _disk_full(exc):
                        # I/O error: SQLite already rolled the whole batch back; a full disk fails the rest too
                        raise
                    c.execute("ROLLBACK TO op")  # a refusal: undo only this op
                    c.execute("RELEASE op")
                    outcomes.append((False, exc))
                else:
                    c.execute("RELEASE op")
                    outcomes.append((True, value))
                    for user, devices in self._op_moves.items():
                        moves.setdefault(user, set()).update(devices)
            c.execute("COMMIT")
        except Exception:
            # After SQLITE_FULL/IOERR SQLite may have rolled back already; only roll back what is open.
            try:
                if c.in_transaction:
                    c.execute("ROLLBACK")
            except Exception:
                log.error("rollback failed")
            raise
        self.batches += 1
        self.ops += len(ops)
        return outcomes, moves

    # ------------------------------------------------------------ readers

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Sql]:
        """A reader connection inside one read transaction: every statement sees the same snapshot."""
        conn = await self._readers.get()
        try:
            await conn.raw.execute("BEGIN")
            try:
                yield conn
            finally:
                await conn.raw.execute("COMMIT")
        finally:
            self._readers.put_nowait(conn)

    async def read_row(self, shape: type[R], sql: str, params: tuple[Any, ...]) -> R | None:
        """One statement needs no explicit transaction: it reads one snapshot by itself."""
        conn = await self._readers.get()
        try:
            return await r_row(conn, shape, sql, params)
        finally:
            self._readers.put_nowait(conn)

    # ------------------------------------------------------------ introspection for tests and ops

    async def ready(self) -> bool:
        """The database answers a read, and its schema is the newest this code knows (readiness)."""
        async with self.read() as c:
            version = await r_value(c, "PRAGMA user_version")
        return version == len(migration_files())

    def stats(self) -> dict[str, float]:
        """The pool's figures for the metrics (name -> number), read without waiting."""
        return {
            "readers": len(self._reader_list),
            "readers_idle": self._readers.qsize(),
            "write_queue": self._queue.qsize(),
            "write_batches_total": self.batches,
            "writes_total": self.ops,
        }

    async def pragmas(self) -> dict[str, object]:
        """The writer's and a reader's settings, for start-up checks and tests."""
        names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "user_version", "cache_size")

        async def op(c: Sql) -> dict[str, object]:
            assert isinstance(c, SqliteTx)
            return {n: c.raw.execute(f"PRAGMA {n}").fetchone()[0] for n in names}

        writer = await self.write(op)
        async with self.read() as c:
            reader = {n: await r_value(c, f"PRAGMA {n}") for n in (*names, "query_only")}
        return {"writer": writer, "reader": reader}

    async def schema(self) -> list[SchemaRow]:
        async with self.read() as c:
            return await r_rows(
                c,
                SchemaRow,
                f"SELECT {columns(SchemaRow)} FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name",
            )
