"""`between check --database` and `between restore --database`: the PostgreSQL side of server/backup.py.

PostgreSQL is backed up with pg_dump and restored with pg_restore into a new database (deploy/README.md "Backups"):
they copy the rows. What `between restore` adds for SQLite is done here after pg_restore, on the restored database:
- check: the schema (every migration applied), no constraint left unvalidated and no index invalid, the feed (as for
  SQLite: every record's head is its newest revision; no feed entry or revision beyond its reader's counter), and the
  blobs (a complete blob's parts are its size and SHA-256; an upload's parts hold the bytes its row counts, without a
  gap);
- restore: a sound database only; every device, session, challenge and push subscription deleted (with their
  reminder fire times) and the rate limits' buckets emptied, in one transaction; then a new server epoch in the data
  directory (docs/PROTOCOL.md "Restores").
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from .backup import BackupError, _owner_only, new_epoch
from .store.postgres import migration_files

# what a restore deletes: a device revoked, a session ended or a challenge answered after the backup must not come back
SIGNED_OUT = ("sessions", "push_subscriptions", "devices", "challenges", "rate_buckets")  # fixed names
COUNTED = ("users", "records", "revisions", "blobs")


async def _connect(dsn: str) -> Any:
    import asyncpg  # type: ignore[import-untyped]  # noqa: PLC0415 - optional dependency (between[postgres])

    try:
        return await asyncpg.connect(dsn, timeout=30)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"cannot reach the database: {type(exc).__name__}: {exc}") from None


async def _check(conn: Any) -> list[str]:
    problems: list[str] = []
    has_schema = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    version = await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations") if has_schema else 0
    newest = len(migration_files())
    if version > newest:
        return [f"schema {version} is newer than this release knows ({newest}): restore with a newer one"]
    if version < newest:
        return [f"schema {version} is older than {newest}: the server migrates it when it starts"]
    for table, name in await conn.fetch(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace AND NOT convalidated"
    ):
        problems.append(f"integrity: constraint {name} of {table} is not validated")
    for (name,) in await conn.fetch(
        "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " WHERE c.relnamespace = 'public'::regnamespace AND NOT (i.indisvalid AND i.indisready)"
    ):
        problems.append(f"integrity: index {name} is not valid")
    heads = await conn.fetchval(
        "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM revisions v WHERE v.record_id = r.record_id"
        " AND v.version = r.head_version AND v.rev_id = r.head_rev_id)"
        " OR EXISTS (SELECT 1 FROM revisions v WHERE v.record_id = r.record_id AND v.version > r.head_version)"
    )
    if heads:
        problems.append(f"feed: {heads} records whose head is not their newest stored revision")
    ahead = await conn.fetchval(
        "SELECT count(*) FROM feed f JOIN users u ON u.user_id = f.user_id WHERE f.seq > u.feed_seq"
    )
    if ahead:
        problems.append(f"feed: {ahead} feed entries beyond their reader's feed counter")
    owners = await conn.fetchval(
        "SELECT count(*) FROM revisions v JOIN records r ON r.record_id = v.record_id"
        " JOIN users u ON u.user_id = r.owner_id WHERE v.seq > u.feed_seq"
    )
    if owners:
        problems.append(f"feed: {owners} revisions written after their owner's feed counter")
    return problems + await _check_blobs(conn)


async def _check_blobs(conn: Any) -> list[str]:
    problems = []
    for blob_id, size, received, digest in await conn.fetch("SELECT blob_id, size, received, digest FROM blobs"):
        h, at = hashlib.sha256(), 0
        async with conn.transaction():
            async for offset, data in conn.cursor(
                "SELECT byte_offset, data FROM blob_parts WHERE blob_id = $1 ORDER BY byte_offset", blob_id
            ):
                if offset != at:
                    break  # a gap (or an overlap): the bytes after it are not the blob's
                h.update(data)
                at += len(data)
        if digest is None:
            if at < received:
                problems.append(f"blob {blob_id.hex()}: its parts hold less than the {received} bytes counted")
        elif at != size:
            problems.append(f"blob {blob_id.hex()}: its parts are missing or not {size} bytes long")
        elif h.digest() != digest:
            problems.append(f"blob {blob_id.hex()}: its bytes do not match its digest")
    return problems


async def _counts(conn: Any) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in COUNTED}  # fixed names


async def _check_and_count(dsn: str) -> tuple[list[str], dict[str, int]]:
    conn = await _connect(dsn)
    try:
        problems = await _check(conn)
        return problems, ({} if problems else await _counts(conn))
    finally:
        await conn.close()


def check(dsn: str) -> tuple[list[str], dict[str, int]]:
    """What is wrong with the PostgreSQL database at `dsn` (empty: sound), and, when sound, its counts. Reads only."""
    return asyncio.run(_check_and_count(dsn))


async def _restore(dsn: str) -> dict[str, int]:
    conn = await _connect(dsn)
    try:
        problems = await _check(conn)
        if problems:
            raise BackupError("the database cannot be restored: " + "; ".join(problems))
        async with conn.transaction():
            for table in SIGNED_OUT:
                await conn.execute(f"DELETE FROM {table}")  # fixed names; reminder_times go with their subscriptions
        return await _counts(conn)
    finally:
        await conn.close()


def restore(dsn: str, data_dir: Path) -> tuple[str, dict[str, int]]:
    """After pg_restore into the database at `dsn`: check it, sign every device out (`SIGNED_OUT`), and give the data
    directory `data_dir` a new server epoch. Returns the epoch and the counts. Never run it on a database in service:
    it signs everyone out."""
    counts = asyncio.run(_restore(dsn))
    with _owner_only():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return new_epoch(data_dir), counts
