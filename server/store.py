"""Every SQL statement of the server: migrations, a group-committing single writer, pooled readers."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from sync import wire
from sync.layout import ZERO32, GrantBody, Header

log = logging.getLogger("between.store")
T = TypeVar("T")
Conn = aiosqlite.Connection  # readers
WConn = sqlite3.Connection  # the writer, used only on its own thread
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BATCH_MAX = 256  # requests committed together by the writer at most
READERS = 4


class StoreError(Exception):
    """The database could not complete a write (disk full, I/O error); nothing of it was kept."""


class Conflict(Exception):
    """A uniqueness rule refused the write; `code` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class BadCursor(Exception):
    pass


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: bytes
    handle: str
    role: str
    kdf: wire.KdfParams
    login_pub: bytes
    recovery_login_pub: bytes
    sig_pub: bytes
    kem_pub: bytes


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user and device behind a bearer token."""

    user_id: bytes
    device_id: bytes
    handle: str
    role: str
    sig_pub: bytes  # the identity key every revision of this user must be signed with


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """A push item whose shape and signatures were already checked; state checks happen here."""

    record_id: bytes
    base_version: int
    header: Header | None
    rev_id: bytes
    revision: wire.Revision
    dek_wrap: bytes
    grants: tuple[tuple[GrantBody, wire.GrantUpload], ...] = ()
    revoke: tuple[bytes, ...] = ()
    error: tuple[str, str] | None = None  # (status, detail) found before touching the database


# ---------------------------------------------------------------- row -> wire


def _uuid(b: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=b)


_USER_COLS = ("user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, login_pub, "
              "recovery_login_pub, sig_pub, kem_pub, bundle_signature, pw_envelope, rk_envelope, id_wrap")


def _user(row: tuple) -> UserRow:
    kdf = wire.KdfParams(memory_kib=row[3], iterations=row[4], lanes=row[5], salt=row[6])
    return UserRow(row[0], row[1], row[2], kdf, row[7], row[8], row[9], row[10])


def _bundle(row: tuple, o: int = 0) -> wire.KeyBundle:
    """From (user_id, handle, role, sig_pub, kem_pub, bundle_signature) starting at column o."""
    return wire.KeyBundle(user_id=_uuid(row[o]), handle=row[o + 1], role=row[o + 2], sig_pub=row[o + 3],
                          kem_pub=row[o + 4], signature=row[o + 5])


_BUNDLE_COLS = "user_id, handle, role, sig_pub, kem_pub, bundle_signature"


def _stored(owner_id: bytes, row: tuple, o: int = 0, *, viewer: bytes | None = None) -> wire.StoredRevision:
    """From (record_id, version, rev_id, header, ct, signature, seq) starting at column o.
    `seq` counts the owner's writes, so only the owner is shown it; other viewers get 0."""
    rev = wire.Revision(header=row[o + 3], ct=row[o + 4], signature=row[o + 5])
    seq = row[o + 6] if viewer is None or viewer == owner_id else 0
    return wire.StoredRevision(record_id=_uuid(row[o]), owner_id=_uuid(owner_id), version=row[o + 1],
                               rev_id=row[o + 2], revision=rev, seq=seq)


_REV_COLS = "record_id, version, rev_id, header, ct, signature, seq"
_LINK_SQL = ("SELECT l.link_id, l.created_at, " + ", ".join("t." + x for x in _BUNDLE_COLS.split(", ")) + ", "
             + ", ".join("k." + x for x in _BUNDLE_COLS.split(", ")) + " FROM links l "
             "JOIN users t ON t.user_id = l.therapist_id JOIN users k ON k.user_id = l.client_id ")


def _care_link(row: tuple) -> wire.CareLink:
    return wire.CareLink(link_id=_uuid(row[0]), created_at=row[1], therapist=_bundle(row, 2), client=_bundle(row, 8))


def _grant(owner_id: bytes, row: tuple) -> wire.Grant:
    """From (record_id, grantee_id, key_id, body, sealed, signature, created_at)."""
    return wire.Grant(record_id=_uuid(row[0]), owner_id=_uuid(owner_id), grantee_id=_uuid(row[1]),
                      key_id=row[2], body=row[3], sealed=row[4], signature=row[5], created_at=row[6])


def _one(c: WConn, sql: str, params: Iterable[Any] = ()) -> tuple | None:
    return c.execute(sql, tuple(params)).fetchone()


def _all(c: WConn, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return c.execute(sql, tuple(params)).fetchall()


async def _rone(c: Conn, sql: str, params: Iterable[Any] = ()) -> tuple | None:
    rows = await c.execute_fetchall(sql, tuple(params))
    return tuple(rows[0]) if rows else None


async def _rall(c: Conn, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return [tuple(r) for r in await c.execute_fetchall(sql, tuple(params))]


def _next_seq(c: WConn, user_id: bytes) -> int:
    """Bumped inside the writing transaction by the single writer: commit order = seq order."""
    return _one(c, "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (user_id,))[0]


def _feed(c: WConn, reader: bytes, record_id: bytes, seq: int) -> None:
    c.execute("INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
              "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq", (reader, record_id, seq))


# ---------------------------------------------------------------- connections and migrations


def _pragmas(conn: WConn) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")  # a COMMIT is durable when it returns


async def _connect_reader(path: Path) -> Conn:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("PRAGMA query_only = ON")
    return conn


def _connect_writer(path: Path) -> WConn:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    _pragmas(conn)
    if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
        conn.close()
        raise RuntimeError("the database could not switch to WAL mode")
    migrate(conn)
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


def migrate(conn: WConn) -> int:
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


def _in(n: int) -> str:
    return ",".join("?" * n)


def _push(c: WConn, owner_id: bytes, items: list[PreparedItem], atomic: bool, now: int) -> list[wire.PushResult]:
    """Every item is judged first against the stored state plus the items before it, with a
    handful of set-wise reads; then all accepted items are written with executemany. Nothing is
    written for a refused item, so an atomic push that fails writes nothing at all."""
    valid = [i for i in items if i.error is None]
    rids = list(dict.fromkeys(i.record_id for i in valid))
    heads: dict[bytes, tuple[bytes, int, bytes]] = {}  # record -> (owner, head version, head rev_id)
    seen: dict[tuple[bytes, bytes], int] = {}  # (record, rev_id) -> seq
    for chunk in range(0, len(rids), 400):
        part = rids[chunk:chunk + 400]
        for r in _all(c, f"SELECT record_id, owner_id, head_version, head_rev_id FROM records "
                         f"WHERE record_id IN ({_in(len(part))})", part):
            heads[r[0]] = (r[1], r[2], r[3])
    pairs = [(i.record_id, i.rev_id) for i in valid if i.record_id in heads]
    for chunk in range(0, len(pairs), 400):
        part = pairs[chunk:chunk + 400]
        flat = [x for pair in part for x in pair]
        for r in _all(c, f"SELECT record_id, rev_id, seq FROM revisions WHERE (record_id, rev_id) IN "
                         f"(VALUES {','.join(['(?,?)'] * len(part))})", flat):
            seen[(r[0], r[1])] = r[2]
    peers: set[bytes] = set()
    kem: dict[bytes, bytes] = {}
    grantees = list({body.grantee_id for i in valid for body, _ in i.grants})
    if grantees:
        peers = {r[0] if r[0] != owner_id else r[1] for r in _all(
            c, "SELECT therapist_id, client_id FROM links WHERE therapist_id = ? OR client_id = ?", (owner_id, owner_id))}
        kem = dict(_all(c, f"SELECT user_id, kem_pub FROM users WHERE user_id IN ({_in(len(grantees))})", grantees))
    seq = _one(c, "SELECT feed_seq FROM users WHERE user_id = ?", (owner_id,))[0]
    pending: dict[tuple[bytes, int], tuple] = {}  # (record, version) -> revision row written by this push
    held: set[tuple[bytes, bytes, bytes]] = set()  # (record, grantee, key_id) granted by this push
    accepted: list[tuple[PreparedItem, int]] = []
    results: list[wire.PushResult] = []

    def judge(item: PreparedItem) -> wire.PushResult:
        nonlocal seq
        rid = item.record_id

        def result(status: str, detail: str | None = None, **kw: Any) -> wire.PushResult:
            return wire.PushResult(record_id=_uuid(rid), status=status, detail=detail, **kw)

        if item.error is not None:
            return result(item.error[0], item.error[1])
        head = heads.get(rid)
        if head is not None and head[0] != owner_id:
            return result("forbidden", "only the owner writes a record")
        if (rid, item.rev_id) in seen:
            return result("ok", seq=seen[(rid, item.rev_id)])  # a replay: stored once, acknowledged again
        head_version, head_rev = (head[1], head[2]) if head else (0, ZERO32)
        if head_version != item.base_version:
            row = pending.get((rid, head_version)) or _one(
                c, f"SELECT {_REV_COLS} FROM revisions WHERE record_id = ? AND version = ?", (rid, head_version))
            return result("conflict", "base_version is not the head", head=_stored(owner_id, row))
        if item.header.parent != head_rev:
            return result("invalid", "parent is not the current head")
        key_id = item.header.key_id
        granted_to = set()
        for body, _ in item.grants:
            if body.grantee_id not in peers:
                return result("forbidden", "grantee has no care link with the owner")
            if hashlib.sha256(kem.get(body.grantee_id, b"")).digest() != body.grantee_kem_hash:
                return result("invalid", "grant is not sealed to the grantee's current key")
            granted_to.add(body.grantee_id)
        for grantee in item.revoke:
            if grantee in granted_to:
                return result("invalid", "a grantee is both granted and revoked")
            if (rid, grantee, key_id) in held or _one(
                    c, "SELECT 1 FROM grants WHERE record_id = ? AND grantee_id = ? AND key_id = ?",
                    (rid, grantee, key_id)):
                return result("invalid", "revoking access needs a new record key")
        seq += 1
        rev = item.revision
        row = (rid, item.header.version, item.rev_id, rev.header, rev.ct, rev.signature, seq)
        pending[(rid, item.header.version)] = row
        heads[rid] = (owner_id, item.header.version, item.rev_id)
        seen[(rid, item.rev_id)] = seq
        held.update((rid, body.grantee_id, body.key_id) for body, _ in item.grants)
        accepted.append((item, seq))
        return result("ok", seq=seq)

    for n, item in enumerate(items):
        res = judge(item)
        if atomic and res.status != "ok":
            aborted = [wire.PushResult(record_id=_uuid(i.record_id), status="aborted") for i in items]
            aborted[n] = res
            return aborted
        results.append(res)
    if accepted:
        _write_accepted(c, owner_id, accepted, seq, now)
    return results


def _write_accepted(c: WConn, owner_id: bytes, accepted: list[tuple[PreparedItem, int]], last_seq: int,
                    now: int) -> None:
    c.execute("UPDATE users SET feed_seq = ? WHERE user_id = ?", (last_seq, owner_id))
    c.executemany("INSERT INTO records (record_id, owner_id, head_version, head_rev_id, head_key_id) "
                  "VALUES (?,?,?,?,?) ON CONFLICT (record_id) DO UPDATE SET head_version = excluded.head_version, "
                  "head_rev_id = excluded.head_rev_id, head_key_id = excluded.head_key_id",
                  [(i.record_id, owner_id, i.header.version, i.rev_id, i.header.key_id) for i, _ in accepted])
    c.executemany("INSERT INTO revisions (record_id, version, rev_id, key_id, header, ct, signature, seq) "
                  "VALUES (?,?,?,?,?,?,?,?)",
                  [(i.record_id, i.header.version, i.rev_id, i.header.key_id, i.revision.header, i.revision.ct,
                    i.revision.signature, seq) for i, seq in accepted])
    c.executemany("INSERT INTO dek_wraps (record_id, key_id, wrap) VALUES (?,?,?) "
                  "ON CONFLICT (record_id, key_id) DO UPDATE SET wrap = excluded.wrap",
                  [(i.record_id, i.header.key_id, i.dek_wrap) for i, _ in accepted])
    c.executemany("INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
                  "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq",
                  [(owner_id, i.record_id, seq) for i, seq in accepted])
    sharing = [(i, seq) for i, seq in accepted if i.grants or i.revoke]
    touched: dict[bytes, list[bytes]] = {}  # record -> its grantees to notify, revoked ones included
    for item, _ in sharing:
        for grantee in item.revoke:
            if _all(c, "UPDATE grants SET revoked_at = ?, sealed = x'' WHERE record_id = ? AND grantee_id = ? "
                       "AND revoked_at IS NULL RETURNING 1", (now, item.record_id, grantee)):
                touched.setdefault(item.record_id, []).append(grantee)
        c.executemany("INSERT INTO grants (record_id, grantee_id, key_id, body, sealed, signature, created_at) "
                      "VALUES (?,?,?,?,?,?,?) ON CONFLICT (record_id, grantee_id, key_id) DO UPDATE SET "
                      "body = excluded.body, sealed = excluded.sealed, signature = excluded.signature, "
                      "created_at = excluded.created_at, revoked_at = NULL",
                      [(item.record_id, body.grantee_id, body.key_id, g.body, g.sealed, g.signature, now)
                       for body, g in item.grants])
    rids = list(dict.fromkeys(i.record_id for i, _ in accepted))
    for chunk in range(0, len(rids), 400):
        part = rids[chunk:chunk + 400]
        for rid, grantee in _all(c, f"SELECT DISTINCT record_id, grantee_id FROM grants WHERE revoked_at IS NULL "
                                    f"AND record_id IN ({_in(len(part))})", part):
            touched.setdefault(rid, []).append(grantee)
    for rid, readers in sorted(touched.items()):
        for reader in sorted(set(readers)):
            _feed(c, reader, rid, _next_seq(c, reader))


class Store:
    """The writer: one sqlite3 connection on one dedicated thread, fed by a writer task that
    commits queued operations together (group commit). Readers: a pool of aiosqlite connections.

    Why not aiosqlite for the writer: every await costs a thread hop (~80 µs, research note
    performance.md); a batch run as one function on the writer thread costs one hop in total."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: WConn | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="between-writer")
        self._readers: asyncio.Queue[Conn] = asyncio.Queue()
        self._reader_list: list[Conn] = []
        self._queue: asyncio.Queue[tuple[Callable[[WConn], Any], asyncio.Future] | None] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.batches = 0  # committed write batches; with `ops` it shows how much group commit groups
        self.ops = 0

    @classmethod
    async def open(cls, path: Path) -> "Store":
        store = cls(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        try:
            store._writer = await loop.run_in_executor(store._thread, _connect_writer, path)
            for _ in range(READERS):
                reader = await _connect_reader(path)
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
            await conn.close()
        self._reader_list.clear()
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._writer.close)
            self._writer = None
        self._thread.shutdown(wait=True)

    # ------------------------------------------------------------ writer: group commit

    async def _write(self, op: Callable[[WConn], T]) -> T:
        """Run `op` in the next batch; returns (or raises) only after that batch's COMMIT returned."""
        if self._task is None:
            raise StoreError("store is closed")
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        await self._queue.put((op, fut))
        return await fut

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
            try:
                outcomes = await loop.run_in_executor(self._thread, self._commit_batch, [op for op, _ in batch])
            except Exception as exc:
                log.error("write batch failed: %s", type(exc).__name__)
                outcomes = [(False, StoreError("database write failed"))] * len(batch)
            for (_, fut), (ok, value) in zip(batch, outcomes):
                if fut.done():
                    continue  # the request went away; its write stands (pushes are idempotent)
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
            if stop:
                return

    def _commit_batch(self, ops: list[Callable[[WConn], Any]]) -> list[tuple[bool, Any]]:
        """On the writer thread: each op in its own savepoint, then one COMMIT."""
        c = self._writer
        outcomes: list[tuple[bool, Any]] = []
        try:
            c.execute("BEGIN IMMEDIATE")
            for op in ops:
                c.execute("SAVEPOINT op")
                try:
                    value = op(c)
                except Exception as exc:
                    if not c.in_transaction:
                        raise  # disk full or I/O error: SQLite already rolled the whole batch back
                    c.execute("ROLLBACK TO op")  # a refusal: undo only this op
                    c.execute("RELEASE op")
                    outcomes.append((False, exc))
                else:
                    c.execute("RELEASE op")
                    outcomes.append((True, value))
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
        return outcomes

    # ------------------------------------------------------------ readers

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Conn]:
        """A reader connection inside one read transaction: every statement sees the same snapshot."""
        conn = await self._readers.get()
        try:
            await conn.execute("BEGIN")
            try:
                yield conn
            finally:
                await conn.execute("COMMIT")
        finally:
            self._readers.put_nowait(conn)

    async def _read_one(self, sql: str, params: tuple) -> tuple | None:
        """One statement needs no explicit transaction: it reads one snapshot by itself."""
        conn = await self._readers.get()
        try:
            return await _rone(conn, sql, params)
        finally:
            self._readers.put_nowait(conn)

    # ------------------------------------------------------------ accounts, devices, sessions

    async def create_account(self, s: wire.Signup, token_hash: bytes, expires_at: int, now: int) -> None:
        b = s.bundle

        def op(c: WConn) -> None:
            if _one(c, "SELECT 1 FROM users WHERE handle = ?", (s.handle,)):
                raise Conflict("handle_taken")
            if _one(c, "SELECT 1 FROM users WHERE user_id = ?", (s.user_id.bytes,)):
                raise Conflict("user_exists")
            if _one(c, "SELECT 1 FROM devices WHERE device_id = ?", (s.device.device_id.bytes,)):
                raise Conflict("device_exists")
            c.execute(
                "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, "
                "login_pub, recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, "
                "bundle_signature, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (s.user_id.bytes, s.handle, b.role, s.kdf.memory_kib, s.kdf.iterations, s.kdf.lanes, s.kdf.salt,
                 s.login_pub, s.recovery_login_pub, s.pw_envelope, s.rk_envelope, s.id_wrap, b.sig_pub,
                 b.kem_pub, b.signature, now))
            self._add_device(c, s.user_id.bytes, s.device, now)
            self._add_session(c, token_hash, s.user_id.bytes, s.device.device_id.bytes, expires_at)

        await self._write(op)

    @staticmethod
    def _add_device(c: WConn, user_id: bytes, d: wire.DeviceKey, now: int) -> None:
        c.execute("INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) "
                        "VALUES (?,?,?,?,?,?)", (d.device_id.bytes, user_id, d.name, d.sig_pub, now, now))

    @staticmethod
    def _add_session(c: WConn, token_hash: bytes, user_id: bytes, device_id: bytes, expires_at: int) -> None:
        c.execute("INSERT INTO sessions (token_hash, user_id, device_id, expires_at) VALUES (?,?,?,?)",
                        (token_hash, user_id, device_id, expires_at))

    async def user_by_handle(self, handle: str) -> UserRow | None:
        row = await self._read_one(f"SELECT {_USER_COLS} FROM users WHERE handle = ?", (handle,))
        return _user(row) if row else None

    async def account_keys(self, user_id: bytes) -> wire.AccountKeys | None:
        async with self._read() as c:
            row = await _rone(c, f"SELECT {_USER_COLS} FROM users WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        u = _user(row)
        bundle = wire.KeyBundle(user_id=_uuid(u.user_id), handle=u.handle, role=u.role, sig_pub=u.sig_pub,
                                kem_pub=u.kem_pub, signature=row[11])
        return wire.AccountKeys(user_id=_uuid(u.user_id), handle=u.handle, role=u.role, kdf=u.kdf,
                                pw_envelope=row[12], rk_envelope=row[13], id_wrap=row[14], bundle=bundle)

    async def device_owner(self, device_id: bytes) -> tuple[bytes, str, bytes] | None:
        """(user_id, handle, device sig_pub) of a device, or None."""
        return await self._read_one("SELECT d.user_id, u.handle, d.sig_pub FROM devices d JOIN users u "
                                    "USING (user_id) WHERE d.device_id = ?", (device_id,))

    async def create_challenge(self, challenge_id: bytes, challenge: bytes, subject: str,
                               expires_at: int, now: int) -> None:
        def op(c: WConn) -> None:
            c.execute("DELETE FROM challenges WHERE expires_at <= ?", (now,))
            c.execute("INSERT INTO challenges (challenge_id, challenge, subject, expires_at) "
                            "VALUES (?,?,?,?)", (challenge_id, challenge, subject, expires_at))

        await self._write(op)

    async def take_challenge(self, challenge_id: bytes, subject: str, now: int) -> bytes | None:
        """Delete the challenge (used once, success or not); its bytes if it is this subject's and alive."""
        def op(c: WConn) -> bytes | None:
            row = _one(c, "DELETE FROM challenges WHERE challenge_id = ? "
                                "RETURNING challenge, subject, expires_at", (challenge_id,))
            if row is None or row[1] != subject or row[2] <= now:
                return None
            return row[0]

        return await self._write(op)

    async def login(self, user_id: bytes, device: wire.DeviceKey, token_hash: bytes, expires_at: int,
                    now: int) -> None:
        def op(c: WConn) -> None:
            if _one(c, "SELECT 1 FROM devices WHERE device_id = ?", (device.device_id.bytes,)):
                raise Conflict("device_exists")
            c.execute("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", (user_id, now))
            self._add_device(c, user_id, device, now)
            self._add_session(c, token_hash, user_id, device.device_id.bytes, expires_at)

        await self._write(op)

    async def refresh(self, user_id: bytes, device_id: bytes, token_hash: bytes, expires_at: int,
                      now: int) -> bool:
        """A new session for a device that still exists (revoked devices are deleted)."""
        def op(c: WConn) -> bool:
            if not _one(c, "UPDATE devices SET last_seen_at = ? WHERE device_id = ? AND user_id = ? "
                                 "RETURNING 1", (now, device_id, user_id)):
                return False
            c.execute("DELETE FROM sessions WHERE device_id = ? AND expires_at <= ?", (device_id, now))
            self._add_session(c, token_hash, user_id, device_id, expires_at)
            return True

        return await self._write(op)

    async def session(self, token_hash: bytes, now: int) -> Caller | None:
        row = await self._read_one("SELECT s.user_id, s.device_id, u.handle, u.role, u.sig_pub FROM sessions s "
                                   "JOIN users u USING (user_id) WHERE s.token_hash = ? AND s.expires_at > ?",
                                   (token_hash, now))
        return Caller(*row) if row else None

    async def end_session(self, token_hash: bytes) -> None:
        def op(c: WConn) -> None:
            c.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

        await self._write(op)

    async def devices(self, user_id: bytes, current: bytes) -> list[wire.Device]:
        async with self._read() as c:
            rows = await _rall(c, "SELECT device_id, name, created_at, last_seen_at FROM devices "
                                 "WHERE user_id = ? ORDER BY created_at, device_id", (user_id,))
        return [wire.Device(device_id=_uuid(r[0]), name=r[1], created_at=r[2], last_seen_at=r[3],
                            current=r[0] == current) for r in rows]

    async def revoke_device(self, user_id: bytes, device_id: bytes) -> bool:
        """Deleting the device cascades to all its sessions."""
        def op(c: WConn) -> bool:
            return bool(_one(c, "DELETE FROM devices WHERE device_id = ? AND user_id = ? RETURNING 1",
                                   (device_id, user_id)))

        return await self._write(op)

    async def delete_account(self, user_id: bytes, handle: str) -> None:
        """Foreign keys cascade from users to every table holding the account's rows."""
        def op(c: WConn) -> None:
            c.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            c.execute("DELETE FROM challenges WHERE subject = ?", ("h:" + handle,))

        await self._write(op)

    # ------------------------------------------------------------ push

    async def push(self, owner_id: bytes, items: list[PreparedItem], atomic: bool, now: int) -> list[wire.PushResult]:
        return await self._write(lambda c: _push(c, owner_id, items, atomic, now))

    # ------------------------------------------------------------ pull and history

    async def pull(self, user_id: bytes, after: int, limit: int) -> wire.PullResponse:
        async with self._read() as c:
            top = await _rone(c, "SELECT feed_seq FROM users WHERE user_id = ?", (user_id,))
            if top is None or after > top[0]:
                raise BadCursor()
            rows = await _rall(
                c, "SELECT f.record_id, f.seq, r.owner_id, r.head_key_id, w.wrap, "
                   "v.record_id, v.version, v.rev_id, v.header, v.ct, v.signature, v.seq "
                   "FROM feed f JOIN records r ON r.record_id = f.record_id "
                   "JOIN revisions v ON v.record_id = r.record_id AND v.version = r.head_version "
                   "LEFT JOIN dek_wraps w ON w.record_id = r.record_id AND w.key_id = r.head_key_id "
                   "WHERE f.user_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?", (user_id, after, limit + 1))
            more = len(rows) > limit
            rows = rows[:limit]
            grants: dict[bytes, list[tuple]] = {}
            if rows:
                for g in await _rall(
                        c, "SELECT g.record_id, g.grantee_id, g.key_id, g.body, g.sealed, g.signature, g.created_at "
                           "FROM feed f JOIN grants g ON g.record_id = f.record_id "
                           "WHERE f.user_id = ? AND f.seq > ? AND f.seq <= ? AND g.revoked_at IS NULL "
                           "ORDER BY g.created_at, g.grantee_id, g.key_id", (user_id, after, rows[-1][1])):
                    grants.setdefault(g[0], []).append(g)
        items = []
        owners: dict[bytes, uuid.UUID] = {}  # a page has few owners: build each UUID once
        for r in rows:
            rid, seq, owner, head_key = r[0], r[1], r[2], r[3]
            record_uuid = _uuid(rid)
            owner_uuid = owners.get(owner) or owners.setdefault(owner, _uuid(owner))
            mine = grants.get(rid, [])
            if owner != user_id:
                mine = [g for g in mine if g[1] == user_id]
                if not any(g[2] == head_key for g in mine):
                    items.append(wire.RecordState(record_id=record_uuid, owner_id=owner_uuid, seq=seq,
                                                  access="removed"))
                    continue
            head = wire.StoredRevision(
                record_id=record_uuid, owner_id=owner_uuid, version=r[6], rev_id=r[7],
                revision=wire.Revision(header=r[8], ct=r[9], signature=r[10]),
                seq=r[11] if owner == user_id else 0)  # the owner's write seq is the owner's business
            items.append(wire.RecordState(record_id=record_uuid, owner_id=owner_uuid, seq=seq,
                                          access="owner" if owner == user_id else "granted", head=head,
                                          dek_wrap=r[4] if owner == user_id else None,
                                          grants=[_grant(owner, g) for g in mine]))
        cursor = rows[-1][1] if rows else after
        return wire.PullResponse(items=items, cursor=cursor, more=more)

    async def history(self, user_id: bytes, record_id: bytes, before: int | None, limit: int) -> wire.History | None:
        """Newest first. None when the caller may not see the record (stranger, revoked grantee)."""
        before = 0xFFFFFFFF + 1 if before is None else before
        async with self._read() as c:
            rec = await _rone(c, "SELECT owner_id FROM records WHERE record_id = ?", (record_id,))
            if rec is None:
                return None
            owner = rec[0]
            if owner == user_id:
                rows = await _rall(c, f"SELECT {_REV_COLS} FROM revisions WHERE record_id = ? AND version < ? "
                                     "ORDER BY version DESC LIMIT ?", (record_id, before, limit + 1))
            else:
                keys = [r[0] for r in await _rall(c, "SELECT key_id FROM grants WHERE record_id = ? AND "
                                                    "grantee_id = ? AND revoked_at IS NULL", (record_id, user_id))]
                if not keys:
                    return None
                marks = ",".join("?" * len(keys))
                rows = await _rall(c, f"SELECT {_REV_COLS} FROM revisions WHERE record_id = ? AND version < ? "
                                     f"AND key_id IN ({marks}) ORDER BY version DESC LIMIT ?",
                                  (record_id, before, *keys, limit + 1))
        return wire.History(revisions=[_stored(owner, r, viewer=user_id) for r in rows[:limit]],
                            more=len(rows) > limit)

    # ------------------------------------------------------------ peers: bundles, invites, links

    async def bundle(self, viewer_id: bytes, user_id: bytes) -> wire.KeyBundle | None:
        async with self._read() as c:
            if viewer_id != user_id and not await _rone(
                    c, "SELECT 1 FROM links WHERE (therapist_id = ? AND client_id = ?) OR "
                       "(therapist_id = ? AND client_id = ?)", (viewer_id, user_id, user_id, viewer_id)):
                return None
            row = await _rone(c, f"SELECT {_BUNDLE_COLS} FROM users WHERE user_id = ?", (user_id,))
        return _bundle(row) if row else None

    async def signup_invite_valid(self, token_hash: bytes, now: int) -> bool:
        async with self._read() as c:
            return bool(await _rone(c, "SELECT 1 FROM invites WHERE token_hash = ? AND expires_at > ?",
                                   (token_hash, now)))

    async def create_invite(self, invite_id: bytes, therapist_id: bytes, token_hash: bytes, now: int,
                            expires_at: int) -> None:
        def op(c: WConn) -> None:
            c.execute("DELETE FROM invites WHERE expires_at <= ?", (now,))
            c.execute("INSERT INTO invites (invite_id, therapist_id, token_hash, created_at, expires_at) "
                            "VALUES (?,?,?,?,?)", (invite_id, therapist_id, token_hash, now, expires_at))

        await self._write(op)

    async def invites(self, therapist_id: bytes, now: int) -> list[wire.InviteInfo]:
        async with self._read() as c:
            rows = await _rall(c, "SELECT invite_id, created_at, expires_at FROM invites WHERE therapist_id = ? "
                                 "AND expires_at > ? ORDER BY created_at, invite_id", (therapist_id, now))
        return [wire.InviteInfo(invite_id=_uuid(r[0]), created_at=r[1], expires_at=r[2]) for r in rows]

    async def delete_invite(self, therapist_id: bytes, invite_id: bytes) -> bool:
        def op(c: WConn) -> bool:
            return bool(_one(c, "DELETE FROM invites WHERE invite_id = ? AND therapist_id = ? RETURNING 1",
                                   (invite_id, therapist_id)))

        return await self._write(op)

    async def invite_preview(self, token_hash: bytes, now: int) -> wire.InvitePreview | None:
        async with self._read() as c:
            row = await _rone(c, f"SELECT i.expires_at, u.{_BUNDLE_COLS.replace(', ', ', u.')} FROM invites i "
                                "JOIN users u ON u.user_id = i.therapist_id "
                                "WHERE i.token_hash = ? AND i.expires_at > ?", (token_hash, now))
        return wire.InvitePreview(therapist=_bundle(row, 1), expires_at=row[0]) if row else None

    async def accept_invite(self, client_id: bytes, token_hash: bytes, link_id: bytes, now: int) -> wire.CareLink | None:
        """Single use: the invite row is deleted when the link is made. None if unknown/expired."""
        def op(c: WConn) -> wire.CareLink | None:
            row = _one(c, "DELETE FROM invites WHERE token_hash = ? AND expires_at > ? RETURNING therapist_id",
                             (token_hash, now))
            if row is None:
                return None
            therapist_id = row[0]
            if therapist_id == client_id:
                raise Conflict("own_invite")
            if _one(c, "SELECT 1 FROM links WHERE therapist_id = ? AND client_id = ?",
                          (therapist_id, client_id)):
                raise Conflict("already_linked")
            c.execute("INSERT INTO links (link_id, therapist_id, client_id, created_at) VALUES (?,?,?,?)",
                            (link_id, therapist_id, client_id, now))
            return self._link(c, link_id)

        return await self._write(op)

    @staticmethod
    def _link(c: WConn, link_id: bytes) -> wire.CareLink:
        return _care_link(_one(c, _LINK_SQL + "WHERE l.link_id = ?", (link_id,)))

    async def links(self, user_id: bytes) -> list[wire.CareLink]:
        async with self._read() as c:
            rows = await _rall(c, _LINK_SQL + "WHERE l.therapist_id = ? OR l.client_id = ? "
                                              "ORDER BY l.created_at, l.link_id", (user_id, user_id))
        return [_care_link(r) for r in rows]

    async def delete_link(self, user_id: bytes, link_id: bytes, now: int) -> bool:
        """Either side ends the link; every grant between the two is revoked both ways and each
        grantee's feed says `removed` for the records it lost."""
        def op(c: WConn) -> bool:
            row = _one(c, "DELETE FROM links WHERE link_id = ? AND (therapist_id = ? OR client_id = ?) "
                                "RETURNING therapist_id, client_id", (link_id, user_id, user_id))
            if row is None:
                return False
            a, b = row
            lost = _all(c, "UPDATE grants SET revoked_at = ?, sealed = x'' WHERE revoked_at IS NULL AND "
                                 "((grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?)) "
                                 "OR (grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?))) "
                                 "RETURNING grantee_id, record_id", (now, a, b, b, a))
            for grantee, rid in sorted(set(lost)):
                _feed(c, grantee, rid, _next_seq(c, grantee))
            return True

        return await self._write(op)

    # ------------------------------------------------------------ introspection for tests and ops

    async def integrity_check(self) -> str:
        async with self._read() as c:
            return (await _rone(c, "PRAGMA integrity_check"))[0]

    async def pragmas(self) -> dict[str, object]:
        """The writer's and a reader's settings, for start-up checks and tests."""
        names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "user_version")

        def op(c: WConn) -> dict[str, object]:
            return {n: (_one(c, f"PRAGMA {n}"))[0] for n in names}

        writer = await self._write(op)
        async with self._read() as c:
            reader = {n: (await _rone(c, f"PRAGMA {n}"))[0] for n in names + ("query_only",)}
        return {"writer": writer, "reader": reader}

    async def schema(self) -> list[tuple[str, str, str]]:
        async with self._read() as c:
            return await _rall(c, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                                 "ORDER BY type, name")
