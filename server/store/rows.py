"""Named rows of the store, their conversion to wire types, and the small query helpers every area uses.

A query names its row type: a NamedTuple whose fields are the SELECT list in order, built from the plain tuple the
connection hands back (`Shape._make(row)`), the same way on every engine and connection (`Sql`). A connection-wide
`row_factory` would do it for every statement (PRAGMAs too), and `sqlite3.Row` reads by name but types as Any.

Every helper is a coroutine, so one op is written once for both engines: on PostgreSQL it awaits the network; on
SQLite's writer thread the connection never suspends, and the whole op runs there as one call (connection.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol, TypeVar, overload

from between.sync.core import wire

R = TypeVar("R", bound=NamedTuple)
R2 = TypeVar("R2", bound=NamedTuple)
R3 = TypeVar("R3", bound=NamedTuple)


def columns(shape: type[NamedTuple], alias: str = "") -> str:
    """The SELECT list of a row type whose fields are plain columns, in field order (`alias.` before each)."""
    prefix = alias + "." if alias else ""
    return ", ".join(prefix + name for name in shape._fields)


@overload
def split(row: tuple[Any, ...], a: type[R], b: type[R2], /) -> tuple[R, R2]: ...
@overload
def split(row: tuple[Any, ...], a: type[R], b: type[R2], c: type[R3], /) -> tuple[R, R2, R3]: ...
def split(row: tuple[Any, ...], *shapes: type[NamedTuple]) -> tuple[Any, ...]:
    """A row that joins several row types' columns (selected with `columns`, in this order), as one of each."""
    out, at = [], 0
    for shape in shapes:
        width = len(shape._fields)
        out.append(shape._make(row[at : at + width]))
        at += width
    return tuple(out)


# ---------------------------------------------------------------- rows other modules use


@dataclass(frozen=True, slots=True)
class UserRow:
    """What sign-in reads of an account."""

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


# ---------------------------------------------------------------- row -> wire


def as_uuid(b: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=b)


class BundleColumns(Protocol):
    """Any row that holds a key bundle's columns: a bundle read alone, or a whole account."""

    @property
    def user_id(self) -> bytes: ...
    @property
    def handle(self) -> str: ...
    @property
    def role(self) -> wire.Role: ...
    @property
    def sig_pub(self) -> bytes: ...
    @property
    def kem_pub(self) -> bytes: ...
    @property
    def bundle_signature(self) -> bytes: ...


class BundleRow(NamedTuple):
    """A user's public keys as signed in their key bundle (users table)."""

    user_id: bytes
    handle: str
    role: wire.Role
    sig_pub: bytes
    kem_pub: bytes
    bundle_signature: bytes


def bundle_of(row: BundleColumns) -> wire.KeyBundle:
    """A key bundle from the columns of its owner's row (a bundle read alone, or a whole account)."""
    return wire.KeyBundle(
        user_id=as_uuid(row.user_id),
        handle=row.handle,
        role=row.role,
        sig_pub=row.sig_pub,
        kem_pub=row.kem_pub,
        signature=row.bundle_signature,
    )


class RevisionRow(NamedTuple):
    """A stored revision (revisions table)."""

    record_id: bytes
    version: int
    rev_id: bytes
    header: bytes
    ct: bytes
    signature: bytes
    seq: int  # the owner's seq of its write


REV_COLS = columns(RevisionRow)


def stored_of(owner_id: bytes, row: RevisionRow, *, viewer: bytes | None = None) -> wire.StoredRevision:
    """`seq` counts the owner's writes, so only the owner is shown it; other viewers get 0."""
    rev = wire.Revision(header=row.header, ct=row.ct, signature=row.signature)
    seq = row.seq if viewer is None or viewer == owner_id else 0
    return wire.StoredRevision(
        record_id=as_uuid(row.record_id),
        owner_id=as_uuid(owner_id),
        version=row.version,
        rev_id=row.rev_id,
        revision=rev,
        seq=seq,
    )


class GrantRow(NamedTuple):
    """A grant of a record key (grants table)."""

    record_id: bytes
    grantee_id: bytes
    key_id: bytes
    body: bytes
    sealed: bytes
    signature: bytes
    created_at: int


def grant_of(owner_id: bytes, row: GrantRow) -> wire.Grant:
    return wire.Grant(
        record_id=as_uuid(row.record_id),
        owner_id=as_uuid(owner_id),
        grantee_id=as_uuid(row.grantee_id),
        key_id=row.key_id,
        body=row.body,
        sealed=row.sealed,
        signature=row.signature,
        created_at=row.created_at,
    )


# ---------------------------------------------------------------- the connection every query helper takes


Engine = Literal["sqlite", "postgres"]


class Sql(Protocol):
    """One connection inside one transaction, as every statement of the store sees it, on either engine: SQLite's
    single writer (connection.py SqliteTx), a SQLite reader (SqliteReader), or a PostgreSQL connection (postgres.py
    PgSql). Statements use `?` placeholders and the SQL both engines share; `engine` says which one runs it, for
    the few places that differ (a row lock SQLite does not need)."""

    @property
    def engine(self) -> Engine: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def batches(self, sql: str, params: Sequence[Any], size: int) -> AsyncIterator[list[tuple[Any, ...]]]: ...


WConn = Sql  # a writing transaction
Conn = Sql  # a read transaction


def for_update(c: Sql) -> str:
    """The row lock a PostgreSQL writer takes on the rows it will write (SQLite's single writer needs none)."""
    return " FOR UPDATE" if c.engine == "postgres" else ""


# ---------------------------------------------------------------- query helpers


async def w_value(c: Sql, sql: str, params: Iterable[Any] = ()) -> Any:
    """The first column of the first row; None when there is no row."""
    rows = await c.fetchall(sql, tuple(params))
    return rows[0][0] if rows else None


async def w_exists(c: Sql, sql: str, params: Iterable[Any] = ()) -> bool:
    """Whether the statement gives a row (a SELECT 1, or a write's RETURNING 1)."""
    return bool(await c.fetchall(sql, tuple(params)))


async def w_values(c: Sql, sql: str, params: Iterable[Any] = ()) -> list[Any]:
    """The first column of every row."""
    return [r[0] for r in await c.fetchall(sql, tuple(params))]


async def w_row(c: Sql, shape: type[R], sql: str, params: Iterable[Any] = ()) -> R | None:
    rows = await c.fetchall(sql, tuple(params))
    return shape._make(rows[0]) if rows else None


async def w_rows(c: Sql, shape: type[R], sql: str, params: Iterable[Any] = ()) -> list[R]:
    return [shape._make(r) for r in await c.fetchall(sql, tuple(params))]


async def w_all(c: Sql, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Every row as a plain tuple: for a row that joins several row types (`split`), pairs that become a dict, and a
    write whose RETURNING rows are counted."""
    return await c.fetchall(sql, tuple(params))


# The readers' names for the same helpers (a read transaction is an Sql too).
r_value, r_exists, r_values, r_row, r_rows, r_all = w_value, w_exists, w_values, w_row, w_rows, w_all


async def r_page(
    c: Sql, shape: type[R], sql: str, params: Iterable[Any], limit: int, size: Callable[[R], int], budget: int
) -> tuple[list[R], bool]:
    """Up to `limit` rows of `sql` (which asks for limit + 1), fewer once their `size` passes `budget` (the row
    that passes it is the last one; always at least one). Rows are read a few at a time, so a page of large
    revisions stops reading them from the database where it stops. Returns (rows, more)."""
    rows: list[R] = []
    total = 0
    async for batch in c.batches(sql, tuple(params), 64):
        for r in batch:
            if len(rows) == limit or (rows and total >= budget):
                return rows, True
            row = shape._make(r)
            rows.append(row)
            total += size(row)
    return rows, False


# ---------------------------------------------------------------- shared writes


def marks(n: int) -> str:
    """The placeholders of an IN (...) list of n values."""
    return ",".join("?" * n)


async def next_seq(c: WConn, user_id: bytes) -> int:
    """Bumped inside the writing transaction. SQLite: by the single writer, so commit order = seq order. PostgreSQL:
    the UPDATE holds the reader's row lock to COMMIT, so a second writer waits and then continues from the committed
    value: each reader's seqs commit in order, and a rollback takes its number back (no gaps)."""
    seq: int = await w_value(
        c, "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (user_id,)
    )
    return seq


async def feed(c: WConn, reader: bytes, record_id: bytes, seq: int) -> None:
    await c.execute(
        "INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
        "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq",
        (reader, record_id, seq),
    )
