"""Backups that restore: `between backup`, `between check`, `between restore` (SQLite), and the server epoch.

- backup: SQLite's online backup API copies the database in one step under one read snapshot while the server keeps
  serving (a consistent copy of every committed write), with server.secret and vapid.pem beside it (all 0600, in a
  0700 directory), then the attachments' blob
  files the copy's rows name (`blobs/`: of each, the bytes its row counts; a complete blob never changes, and an
  upload only writes past what its row counts). The copy is checked before it is kept.
- check: a database's integrity (PRAGMA integrity_check, foreign keys), its schema (every migration applied), its
  feed (every record's head is its newest revision; no reader's feed entry is beyond the reader's feed counter) and
  its blobs (each complete blob's file has its size and SHA-256; an upload's file holds the bytes its row counts).
- restore: a checked backup into a data directory that holds no database, with a new server epoch
  (docs/PROTOCOL.md "Restores"): clients that saw the old epoch learn that the server's feed went back. Every device
  and session of the backup is deleted: a device revoked after the backup must not come back, so every device signs
  in again with the passphrase or recovery key.

PostgreSQL is backed up with pg_dump and restored with pg_restore (deploy/README.md "Backups"): blobs' bytes are rows
there (`blob_parts`). `between check --database` and `between restore --database` (after pg_restore) are in
server/backup_pg.py.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from .blobs import blob_file
from .datafiles import create_once, replace
from .store import migration_files

DB_NAME = "between.sqlite3"
BLOBS_DIR = "blobs"
SECRET_NAME = "server.secret"
EPOCH_NAME = "server.epoch"
VAPID_NAME = "vapid.pem"  # without it every push subscription ends after a restore (browsers bind them to the key)
KEPT_FILES = (SECRET_NAME, VAPID_NAME)


@contextlib.contextmanager
def _owner_only() -> Iterator[None]:
    """Files and directories made meanwhile are the owner's alone (0600, 0700): a backup holds passphrase-wrapped keys,
    the server secret and the VAPID key."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


# ---------------------------------------------------------------- the epoch


def load_epoch(data_dir: Path) -> str:
    """This data directory's server epoch (32 hex digits), made on first use. Only a restore changes it."""
    path = data_dir / EPOCH_NAME
    try:
        epoch = path.read_text().strip()
    except FileNotFoundError:
        create_once(path, secrets.token_hex(16).encode() + b"\n")
        epoch = path.read_text().strip()
    if len(epoch) != 32 or any(c not in "0123456789abcdef" for c in epoch):
        raise RuntimeError(f"{path} is damaged: expected 32 hex digits")
    return epoch


def new_epoch(data_dir: Path) -> str:
    epoch = secrets.token_hex(16)
    replace(data_dir / EPOCH_NAME, epoch.encode() + b"\n")
    return epoch


# ---------------------------------------------------------------- check


def check(db_path: Path) -> list[str]:
    """What is wrong with the database at `db_path` (empty: sound). Reads only."""
    if not db_path.is_file():
        return [f"{db_path}: no such database"]
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        problems = [f"integrity: {row[0]}" for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            return problems
        problems += [
            f"foreign key: {row[0]} row {row[1]} -> {row[2]}" for row in conn.execute("PRAGMA foreign_key_check")
        ]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        newest = len(migration_files())
        if version > newest:
            problems.append(f"schema {version} is newer than this release knows ({newest}): restore with a newer one")
        elif version < newest:
            problems.append(f"schema {version} is older than {newest}: the server migrates it when it starts")
            return problems
        heads = conn.execute(
            "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM revisions v WHERE v.record_id = r.record_id"
            " AND v.version = r.head_version AND v.rev_id = r.head_rev_id)"
            " OR EXISTS (SELECT 1 FROM revisions v WHERE v.record_id = r.record_id AND v.version > r.head_version)"
        ).fetchone()[0]
        if heads:
            problems.append(f"feed: {heads} records whose head is not their newest stored revision")
        ahead = conn.execute(
            "SELECT count(*) FROM feed f JOIN users u ON u.user_id = f.user_id WHERE f.seq > u.feed_seq"
        ).fetchone()[0]
        if ahead:
            problems.append(f"feed: {ahead} feed entries beyond their reader's feed counter")
        owners = conn.execute(
            "SELECT count(*) FROM revisions v JOIN records r ON r.record_id = v.record_id"
            " JOIN users u ON u.user_id = r.owner_id WHERE v.seq > u.feed_seq"
        ).fetchone()[0]
        if owners:
            problems.append(f"feed: {owners} revisions written after their owner's feed counter")
        problems += _check_blobs(conn, db_path.parent / BLOBS_DIR)
        return problems
    finally:
        conn.close()


def _check_blobs(conn: sqlite3.Connection, root: Path) -> list[str]:
    """Each complete blob's file has the blob's size and digest; an upload's file holds at least what its row counts."""
    problems = []
    for blob_id, size, received, digest in conn.execute("SELECT blob_id, size, received, digest FROM blobs"):
        path = blob_file(root, blob_id)
        have = path.stat().st_size if path.is_file() else None
        if digest is None:
            if received and (have is None or have < received):
                problems.append(f"blob {blob_id.hex()}: the upload's file holds less than the {received} bytes counted")
            continue
        if have != size:
            problems.append(f"blob {blob_id.hex()}: its file is missing or not {size} bytes long")
            continue
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        if h.digest() != digest:
            problems.append(f"blob {blob_id.hex()}: its bytes do not match its digest")
    return problems


def _copy_blobs(db_path: Path, source: Path, dest: Path, *, prune: bool = True) -> None:
    """The blob files the database at `db_path` names, from `source` to `dest` (blobs/ directories): the bytes each
    row counts, synced. With `prune` (a backup's own copy), a file collected after the database was copied takes its
    row out of the copy too."""
    conn = sqlite3.connect(db_path) if prune else sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        gone = []
        for blob_id, received in conn.execute("SELECT blob_id, received FROM blobs").fetchall():
            src, dst = blob_file(source, blob_id), blob_file(dest, blob_id)
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(src, "rb") as f, open(dst, "wb") as out:
                    left = received
                    while left > 0:
                        chunk = f.read(min(left, 1 << 20))
                        if not chunk:
                            break
                        out.write(chunk)
                        left -= len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            except FileNotFoundError:
                if received and prune:
                    gone.append((blob_id,))
        if gone:
            conn.executemany("DELETE FROM blobs WHERE blob_id = ?", gone)
            conn.commit()
    finally:
        conn.close()


# ---------------------------------------------------------------- backup and restore


def backup(data_dir: Path, dest: Path) -> dict[str, int]:
    """Copy the database of `data_dir` (served or not), its server.secret and vapid.pem into the directory `dest`, which
    must not hold a database yet. One step of the online backup API: one read snapshot, every committed write up to it.
    Everything written is the owner's alone: `dest` 0700, files 0600."""
    with _owner_only():
        return _backup(data_dir, dest)


def _backup(data_dir: Path, dest: Path) -> dict[str, int]:
    source = data_dir / DB_NAME
    if not source.is_file():
        raise BackupError(f"{source}: no database to back up")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(dest, 0o700)
    target = dest / DB_NAME
    if target.exists():
        raise BackupError(f"{target} exists: back up into an empty directory")
    partial = dest / (DB_NAME + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)  # all pages in one step: a consistent snapshot even while the server writes
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    _copy_blobs(partial, data_dir / BLOBS_DIR, dest / BLOBS_DIR)
    problems = check(partial)
    if problems:
        partial.unlink()
        raise BackupError("the copy failed its check: " + "; ".join(problems))
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    for name in KEPT_FILES:
        if (data_dir / name).is_file():
            replace(dest / name, (data_dir / name).read_bytes())
    return _counts(target)


def restore(backup_dir: Path, data_dir: Path) -> str:
    """Put the backup in `backup_dir` into `data_dir` (which must hold no database), with a new server epoch and every
    device signed out (`sign_everyone_out`). Returns the epoch. What it writes is the owner's alone."""
    with _owner_only():
        return _restore(backup_dir, data_dir)


def _restore(backup_dir: Path, data_dir: Path) -> str:
    source = backup_dir / DB_NAME if backup_dir.is_dir() else backup_dir
    problems = check(source)
    if problems:
        raise BackupError(f"{source} cannot be restored: " + "; ".join(problems))
    target = data_dir / DB_NAME
    if target.exists() or target.with_name(DB_NAME + "-wal").exists():
        raise BackupError(f"{target} exists: restore into a new data directory (or move the old one away first)")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _copy_blobs(source, source.parent / BLOBS_DIR, data_dir / BLOBS_DIR, prune=False)
    partial = data_dir / (DB_NAME + ".partial")
    shutil.copyfile(source, partial)
    sign_everyone_out(partial)
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    for name in KEPT_FILES:
        kept = source.with_name(name)
        if kept.is_file() and not (data_dir / name).exists():
            replace(data_dir / name, kept.read_bytes())
    return new_epoch(data_dir)


def sign_everyone_out(db_path: Path) -> None:
    """Every device and session of the restored database goes (their push subscriptions and fire times with them).
    The backup knows nothing of the devices revoked and the sessions ended after it: none of them may come back, so
    every device signs in again with the passphrase or the recovery key before it syncs (docs/SECURITY.md, "Restores")
    and is then registered anew. Challenges go too: a restored one could be answered again."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        with conn:
            for table in ("sessions", "push_subscriptions", "devices", "challenges"):
                conn.execute(f"DELETE FROM {table}")  # fixed names
    finally:
        conn.close()


def _counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("users", "records", "revisions", "blobs")
        }
    finally:
        conn.close()


class BackupError(Exception):
    """A backup, check or restore that cannot go on; the message says why."""


# ---------------------------------------------------------------- commands (between backup | check | restore)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="between", description="Back up, check and restore a Between server.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser(
        "backup",
        help="copy the database (while the server runs), its attachments, server.secret and vapid.pem into DEST",
    )
    b.add_argument("dest", type=Path)
    b.add_argument("--data", type=Path, default=Path(os.environ.get("BETWEEN_DATA", "var")))
    database = os.environ.get("BETWEEN_DATABASE")
    c = sub.add_parser("check", help="verify a database's integrity, schema and feed")
    c.add_argument("path", type=Path, nargs="?", help="a data directory, a backup directory or a database file")
    c.add_argument("--database", help="a PostgreSQL URL instead (default without a path: $BETWEEN_DATABASE)")
    r = sub.add_parser("restore", help="restore a backup into a new data directory, with a new server epoch")
    r.add_argument("backup", type=Path, nargs="?", help="a SQLite backup (not with --database)")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument(
        "--database",
        help="PostgreSQL: the database pg_restore made, whose devices are signed out (default without a backup path: "
        "$BETWEEN_DATABASE)",
    )
    args = parser.parse_args(argv)
    if args.command == "backup" and database:
        print('between: back up PostgreSQL with pg_dump (deploy/README.md, "Backups")', file=sys.stderr)
        return 2
    if args.command != "backup":
        path = args.path if args.command == "check" else args.backup
        if path is not None and args.database:
            parser.error("a PostgreSQL database is restored with pg_restore: give --database without a backup path")
        if path is None:
            args.database = args.database or database
            if not args.database:
                parser.error("give a SQLite path, or --database with a PostgreSQL URL")
            return _postgres(args)
    try:
        if args.command == "backup":
            counts = backup(args.data, args.dest)
            print(
                f"backed up {counts['users']} accounts, {counts['records']} records, {counts['revisions']} revisions, "
                f"{counts['blobs']} attachments"
            )
            print(f"into {args.dest}; keep it encrypted (it holds passphrase-wrapped keys)")
        elif args.command == "check":
            path = args.path / DB_NAME if args.path.is_dir() else args.path
            problems = check(path)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            counts = _counts(path)
            print(f"{path}: sound ({counts['users']} accounts, {counts['records']} records, {counts['revisions']} "
                  "revisions)")  # fmt: skip
        else:
            epoch = restore(args.backup, args.data)
            print(f"restored into {args.data} with a new server epoch {epoch[:8]}…; start the server on it.")
            print("Every device was signed out: each signs in again with the passphrase or recovery key, then sees the")
            print("new epoch and sends again what it had sent after the backup (docs/PROTOCOL.md, docs/SECURITY.md).")
    except BackupError as exc:
        print(f"between: {exc}", file=sys.stderr)
        return 2
    return 0


def _postgres(args: argparse.Namespace) -> int:
    """`between check --database URL`, `between restore --database URL --data DIR` (server/backup_pg.py)."""
    from . import backup_pg  # noqa: PLC0415 - needs asyncpg (between[postgres])

    try:
        if args.command == "check":
            problems, counts = backup_pg.check(args.database)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print(f"the database is sound ({counts['users']} accounts, {counts['records']} records, "
                  f"{counts['revisions']} revisions, {counts['blobs']} attachments)")  # fmt: skip
        else:
            epoch, counts = backup_pg.restore(args.database, args.data)
            print(f"restored {counts['users']} accounts, {counts['records']} records, {counts['revisions']} revisions;")
            print(f"{args.data} has a new server epoch {epoch[:8]}…; start the server on this database and directory.")
            print("Every device was signed out: each signs in again with the passphrase or recovery key, then sees the")
            print("new epoch and sends again what it had sent after the backup (docs/PROTOCOL.md, docs/SECURITY.md).")
    except BackupError as exc:
        print(f"between: {exc}", file=sys.stderr)
        return 2
    return 0
