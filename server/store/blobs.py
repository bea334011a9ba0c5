"""The SQL of attachments' blobs (docs/PROTOCOL.md §17 "Attachments"): their rows, the revisions that name them, who
may fetch them, what collection takes, and on PostgreSQL their bytes (`blob_parts`).

Where the bytes of a SQLite store live (files) is server/blobs.py's business; the rows here say how many of them
count (`received`), and a file is written and synced before its row says so."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from .connection import AccountGone, Conflict, Db
from .rows import WConn, marks, r_all, r_exists, r_row, w_all, w_exists, w_row, w_value, w_values

PART = 1024 * 1024  # PostgreSQL: the bytes of a blob in rows of at most this many
COMPLETE_GRACE = 24 * 3600  # a complete blob no revision names is kept this long for the push that names it


class BlobRow(NamedTuple):
    blob_id: bytes
    owner_id: bytes
    size: int
    received: int
    digest: bytes | None


BLOB_COLS = "blob_id, owner_id, size, received, digest"


class BlobQuotaFull(Conflict):
    """A new blob would take its owner past the attachment quota: nothing is made."""

    def __init__(self, stored: int, needed: int, quota: int) -> None:
        super().__init__("quota_exceeded")
        self.stored, self.needed, self.quota = stored, needed, quota


class Blobs:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def create(self, owner_id: bytes, blob_id: bytes, size: int, now: int, quota: int) -> tuple[BlobRow, bool]:
        """The blob, made now (True) or as it was (False: the same owner and size again). Raises Conflict
        `blob_exists` for another owner's id or another size, BlobQuotaFull past the quota."""

        async def op(c: WConn) -> tuple[BlobRow, bool]:
            found = await w_row(c, BlobRow, f"SELECT {BLOB_COLS} FROM blobs WHERE blob_id = ?", (blob_id,))
            if found is not None:
                if found.owner_id != owner_id or found.size != size:
                    raise Conflict("blob_exists")
                return found, False
            # The owner's row first (PostgreSQL: locked to COMMIT), so two creations of one account add up in turn.
            lock = " FOR UPDATE" if c.engine == "postgres" else ""
            if not await w_exists(c, "SELECT 1 FROM users WHERE user_id = ?" + lock, (owner_id,)):
                raise AccountGone()
            stored = int(await w_value(c, "SELECT coalesce(sum(size), 0) FROM blobs WHERE owner_id = ?", (owner_id,)))
            if stored + size > quota:
                raise BlobQuotaFull(stored, size, quota)
            await c.execute(
                "INSERT INTO blobs (blob_id, owner_id, size, received, created_at, touched_at) VALUES (?,?,?,0,?,?)",
                (blob_id, owner_id, size, now, now),
            )
            return BlobRow(blob_id, owner_id, size, 0, None), True

        return await self.db.write(op)

    async def get(self, blob_id: bytes) -> BlobRow | None:
        return await self.db.read_row(BlobRow, f"SELECT {BLOB_COLS} FROM blobs WHERE blob_id = ?", (blob_id,))

    async def advance(self, blob_id: bytes, offset: int, added: int, now: int, digest: bytes | None) -> BlobRow | None:
        """SQLite: `added` bytes at `offset` are on disk; count them, if the row still stands at `offset`. `digest`
        when they complete the blob. None when the row moved on or is gone (nothing changes then)."""

        async def op(c: WConn) -> BlobRow | None:
            return await w_row(
                c,
                BlobRow,
                "UPDATE blobs SET received = received + ?, touched_at = ?, digest = ?, completed_at = ? "
                f"WHERE blob_id = ? AND received = ? AND received + ? <= size RETURNING {BLOB_COLS}",
                (added, now, digest, now if digest else None, blob_id, offset, added),
            )

        return await self.db.write(op)

    async def append_parts(
        self, blob_id: bytes, owner_id: bytes, offset: int, data: bytes, now: int
    ) -> tuple[BlobRow, bool] | None:
        """PostgreSQL: `data` at `offset`, in one transaction with the count (the row locked, so of two uploads at one
        offset one lands and the other finds the row moved on). The row after it and whether this append moved it, or
        None when the blob is not the owner's (or gone)."""

        async def op(c: WConn) -> tuple[BlobRow, bool] | None:
            row = await w_row(c, BlobRow, f"SELECT {BLOB_COLS} FROM blobs WHERE blob_id = ? FOR UPDATE", (blob_id,))
            if row is None or row.owner_id != owner_id:
                return None
            if row.received != offset or offset + len(data) > row.size:
                return row, False
            await c.executemany(
                "INSERT INTO blob_parts (blob_id, byte_offset, data) VALUES (?,?,?)",
                [(blob_id, offset + at, data[at : at + PART]) for at in range(0, len(data), PART)],
            )
            received = offset + len(data)
            digest = None
            if received == row.size:
                h = hashlib.sha256()
                for (part,) in await w_all(
                    c, "SELECT data FROM blob_parts WHERE blob_id = ? ORDER BY byte_offset", (blob_id,)
                ):
                    h.update(part)
                digest = h.digest()
            await c.execute(
                "UPDATE blobs SET received = ?, touched_at = ?, digest = ?, completed_at = ? WHERE blob_id = ?",
                (received, now, digest, now if digest else None, blob_id),
            )
            return row._replace(received=received, digest=digest), True

        return await self.db.write(op)

    async def read_parts(self, blob_id: bytes, start: int, end: int) -> list[tuple[int, bytes]]:
        """PostgreSQL: the parts holding bytes start..end-1, in order, as (offset, data)."""
        async with self.db.read() as c:
            rows = await r_all(
                c,
                "SELECT byte_offset, data FROM blob_parts WHERE blob_id = ? AND byte_offset < ? "
                "AND byte_offset + length(data) > ? ORDER BY byte_offset",
                (blob_id, end, start),
            )
        return [(int(o), bytes(d)) for o, d in rows]

    async def may_fetch(self, blob_id: bytes, user_id: bytes) -> BlobRow | None:
        """The blob if `user_id` may fetch it: its owner, or a grantee holding an active grant of the key of a
        revision that names it (the rule of history: a grantee sees the revisions under keys it holds)."""
        async with self.db.read() as c:
            row = await r_row(c, BlobRow, f"SELECT {BLOB_COLS} FROM blobs WHERE blob_id = ?", (blob_id,))
            if row is None or row.owner_id == user_id:
                return row
            granted = await r_exists(
                c,
                "SELECT 1 FROM revision_blobs rb JOIN revisions v ON v.record_id = rb.record_id "
                "AND v.version = rb.version JOIN grants g ON g.record_id = rb.record_id AND g.key_id = v.key_id "
                "WHERE rb.blob_id = ? AND g.grantee_id = ? AND g.revoked_at IS NULL",
                (blob_id, user_id),
            )
        return row if granted else None

    async def of_account(self, owner_id: bytes) -> list[bytes]:
        async with self.db.read() as c:
            return [bytes(r[0]) for r in await r_all(c, "SELECT blob_id FROM blobs WHERE owner_id = ?", (owner_id,))]

    async def ids(self) -> set[bytes]:
        """Every blob id held (the orphan-file sweep of the SQLite store)."""
        async with self.db.read() as c:
            return {bytes(r[0]) for r in await r_all(c, "SELECT blob_id FROM blobs")}

    async def complete(self) -> list[BlobRow]:
        """Every complete blob (backup check)."""
        async with self.db.read() as c:
            return [
                BlobRow._make(r)
                for r in await r_all(c, f"SELECT {BLOB_COLS} FROM blobs WHERE digest IS NOT NULL ORDER BY blob_id")
            ]

    # ------------------------------------------------------------ collection, one collector at a time

    async def lease(self, name: str, holder: bytes, now: int, seconds: int) -> bool:
        """Take the task `name` for `seconds` unless another holder's lease still runs."""

        async def op(c: WConn) -> bool:
            return await w_exists(
                c,
                "INSERT INTO task_leases (name, lease_until, holder) VALUES (?,?,?) ON CONFLICT (name) DO UPDATE "
                "SET lease_until = excluded.lease_until, holder = excluded.holder "
                "WHERE task_leases.lease_until <= ? OR task_leases.holder = excluded.holder RETURNING 1",
                (name, now + seconds, holder, now),
            )

        return await self.db.write(op)

    async def release(self, name: str, holder: bytes) -> None:
        async def op(c: WConn) -> None:
            await c.execute("DELETE FROM task_leases WHERE name = ? AND holder = ?", (name, holder))

        await self.db.write(op)

    async def collect(self, now: int, upload_expiry: int, history: int, limit: int = 500) -> list[bytes]:
        """Delete up to `limit` blobs that are due (PROTOCOL.md §17 "Collection"); their ids. Candidates are chosen,
        then deleted only if still due in a fresh statement (PostgreSQL: locked, skipping any a push holds), so a
        blob a concurrent push names stays."""
        due = (
            "((b.digest IS NULL AND b.touched_at <= ?) "
            " OR (b.digest IS NOT NULL AND b.completed_at <= ? AND NOT EXISTS "
            "     (SELECT 1 FROM revision_blobs rb WHERE rb.blob_id = b.blob_id)) "
            " OR (b.unnamed_since IS NOT NULL AND b.unnamed_since <= ? AND NOT EXISTS "
            "     (SELECT 1 FROM revision_blobs rb JOIN records r ON r.record_id = rb.record_id "
            "      AND r.head_version = rb.version WHERE rb.blob_id = b.blob_id)))"
        )
        params = (now - upload_expiry, now - COMPLETE_GRACE, now - history)

        async def op(c: WConn) -> list[bytes]:
            lock = " FOR UPDATE SKIP LOCKED" if c.engine == "postgres" else ""
            ids = await w_values(c, f"SELECT b.blob_id FROM blobs b WHERE {due} LIMIT ?{lock}", (*params, limit))
            if not ids:
                return []
            gone = await w_values(
                c,
                f"DELETE FROM blobs WHERE blob_id IN ({marks(len(ids))}) AND blob_id IN "
                f"(SELECT b.blob_id FROM blobs b WHERE {due}) RETURNING blob_id",
                (*ids, *params),
            )
            return [bytes(g) for g in gone]

        return await self.db.write(op)


# ---------------------------------------------------------------- inside a push's transaction (records.py)


async def owned_complete(c: WConn, owner_id: bytes, blob_ids: list[bytes]) -> set[bytes]:
    """Which of `blob_ids` are complete blobs of `owner_id` (PostgreSQL: locked to COMMIT, so collection cannot take
    one the push is naming)."""
    found: set[bytes] = set()
    lock = " FOR UPDATE" if c.engine == "postgres" else ""
    for at in range(0, len(blob_ids), 400):
        part = blob_ids[at : at + 400]
        rows = await w_all(
            c,
            f"SELECT blob_id FROM blobs WHERE blob_id IN ({marks(len(part))}) AND owner_id = ? "
            f"AND digest IS NOT NULL{lock}",
            (*part, owner_id),
        )
        found.update(bytes(r[0]) for r in rows)
    return found


async def name_blobs(c: WConn, named: list[tuple[bytes, int, bytes]], records: list[bytes], now: int) -> None:
    """Store which blobs the new revisions name ((record, version, blob)), then, for the pushed records, mark when
    each blob stopped being named by a head (`unnamed_since`; cleared for blobs a head names)."""
    if named:
        await c.executemany(
            "INSERT INTO revision_blobs (record_id, version, blob_id) VALUES (?,?,?) ON CONFLICT DO NOTHING", named
        )
    for at in range(0, len(records), 400):
        part = records[at : at + 400]
        with_blobs = await w_values(
            c, f"SELECT DISTINCT record_id FROM revision_blobs WHERE record_id IN ({marks(len(part))})", part
        )
        if not with_blobs:
            continue
        some = marks(len(with_blobs))
        await c.execute(
            "UPDATE blobs SET unnamed_since = NULL WHERE unnamed_since IS NOT NULL AND blob_id IN "
            "(SELECT rb.blob_id FROM revision_blobs rb JOIN records r ON r.record_id = rb.record_id "
            f"AND r.head_version = rb.version WHERE rb.record_id IN ({some}))",
            with_blobs,
        )
        await c.execute(
            "UPDATE blobs SET unnamed_since = ? WHERE unnamed_since IS NULL AND blob_id IN "
            f"(SELECT rb.blob_id FROM revision_blobs rb WHERE rb.record_id IN ({some})) AND NOT EXISTS "
            "(SELECT 1 FROM revision_blobs rb2 JOIN records r ON r.record_id = rb2.record_id "
            "AND r.head_version = rb2.version WHERE rb2.blob_id = blobs.blob_id)",
            (now, *with_blobs),
        )
