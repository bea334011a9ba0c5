"""Row types of the store and their conversion to wire types; the small query helpers every area uses."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from between.sync.core import wire

Conn = aiosqlite.Connection  # readers
WConn = sqlite3.Connection  # the writer, used only on its own thread


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


# ---------------------------------------------------------------- row -> wire


def as_uuid(b: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=b)


USER_COLS = ("user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, login_pub, "
             "recovery_login_pub, sig_pub, kem_pub, bundle_signature, pw_envelope, rk_envelope, id_wrap")


def user_row(row: tuple) -> UserRow:
    kdf = wire.KdfParams(memory_kib=row[3], iterations=row[4], lanes=row[5], salt=row[6])
    return UserRow(row[0], row[1], row[2], kdf, row[7], row[8], row[9], row[10])


def bundle_of(row: tuple, o: int = 0) -> wire.KeyBundle:
    """From (user_id, handle, role, sig_pub, kem_pub, bundle_signature) starting at column o."""
    return wire.KeyBundle(user_id=as_uuid(row[o]), handle=row[o + 1], role=row[o + 2], sig_pub=row[o + 3],
                          kem_pub=row[o + 4], signature=row[o + 5])


BUNDLE_COLS = "user_id, handle, role, sig_pub, kem_pub, bundle_signature"


def stored_of(owner_id: bytes, row: tuple, o: int = 0, *, viewer: bytes | None = None) -> wire.StoredRevision:
    """From (record_id, version, rev_id, header, ct, signature, seq) starting at column o.
    `seq` counts the owner's writes, so only the owner is shown it; other viewers get 0."""
    rev = wire.Revision(header=row[o + 3], ct=row[o + 4], signature=row[o + 5])
    seq = row[o + 6] if viewer is None or viewer == owner_id else 0
    return wire.StoredRevision(record_id=as_uuid(row[o]), owner_id=as_uuid(owner_id), version=row[o + 1],
                               rev_id=row[o + 2], revision=rev, seq=seq)


REV_COLS = "record_id, version, rev_id, header, ct, signature, seq"


def grant_of(owner_id: bytes, row: tuple) -> wire.Grant:
    """From (record_id, grantee_id, key_id, body, sealed, signature, created_at)."""
    return wire.Grant(record_id=as_uuid(row[0]), owner_id=as_uuid(owner_id), grantee_id=as_uuid(row[1]),
                      key_id=row[2], body=row[3], sealed=row[4], signature=row[5], created_at=row[6])


# ---------------------------------------------------------------- query helpers


def w_one(c: WConn, sql: str, params: Iterable[Any] = ()) -> tuple | None:
    return c.execute(sql, tuple(params)).fetchone()


def w_all(c: WConn, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return c.execute(sql, tuple(params)).fetchall()


async def r_one(c: Conn, sql: str, params: Iterable[Any] = ()) -> tuple | None:
    rows = await c.execute_fetchall(sql, tuple(params))
    return tuple(rows[0]) if rows else None


async def r_page(c: Conn, sql: str, params: Iterable[Any], limit: int, size: Callable[[tuple], int],
                 budget: int) -> tuple[list[tuple], bool]:
    """Up to `limit` rows of `sql` (which asks for limit + 1), fewer once their `size` passes `budget` (the row
    that passes it is the last one; always at least one). Rows are read a few at a time, so a page of large
    revisions stops reading them from the database where it stops. Returns (rows, more)."""
    rows: list[tuple] = []
    total = 0
    async with c.execute(sql, tuple(params)) as cur:
        while batch := await cur.fetchmany(64):
            for r in batch:
                if len(rows) == limit or (rows and total >= budget):
                    return rows, True
                rows.append(tuple(r))
                total += size(r)
    return rows, False


async def r_all(c: Conn, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return [tuple(r) for r in await c.execute_fetchall(sql, tuple(params))]


def marks(n: int) -> str:
    """The placeholders of an IN (...) list of n values."""
    return ",".join("?" * n)


def next_seq(c: WConn, user_id: bytes) -> int:
    """Bumped inside the writing transaction by the single writer: commit order = seq order."""
    return w_one(c, "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (user_id,))[0]


def feed(c: WConn, reader: bytes, record_id: bytes, seq: int) -> None:
    c.execute("INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
              "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq", (reader, record_id, seq))
