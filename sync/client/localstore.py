"""The reference client's per-profile store: profile.db (ciphertext, outbox, cursor) and, through keysfile.py, keys.json
(secrets, mode 0600)."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core import trust, wire
from .keysfile import KEYS_FILE, KeysFile, ProfileError, write_private_file
from .rows import Peer, PendingRevision, StoredRecord, bundle_json, peer_of, pending_of, pending_row, read_bundle

DB_FILE = "profile.db"

# Forward-only migrations, applied in order under PRAGMA user_version, each in its own transaction.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- The newest verified head the server served for each record, byte for byte as on the server.
    CREATE TABLE records (
        record_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, version INTEGER NOT NULL, rev_id BLOB NOT NULL,
        header BLOB NOT NULL, ct BLOB NOT NULL, signature BLOB NOT NULL, key_id BLOB NOT NULL,
        seq INTEGER NOT NULL, access TEXT NOT NULL CHECK (access IN ('owner', 'granted'))
    );
    -- Rollback/fork detection: the highest (version, rev_id) ever accepted per record.
    CREATE TABLE high_water (record_id TEXT PRIMARY KEY, version INTEGER NOT NULL, rev_id BLOB NOT NULL);
    -- Record keys, always wrapped under this account's KWK (granted keys are re-wrapped on receipt).
    CREATE TABLE deks (
        record_id TEXT NOT NULL, key_id BLOB NOT NULL, owner_id TEXT NOT NULL, wrapped BLOB NOT NULL,
        PRIMARY KEY (record_id, key_id)
    );
    -- direction 'given': active grants on my records as the server reports them;
    -- 'received': grants others made to me (kept as signed by their owner).
    CREATE TABLE grants (
        direction TEXT NOT NULL CHECK (direction IN ('given', 'received')),
        record_id TEXT NOT NULL, peer_id TEXT NOT NULL, key_id BLOB NOT NULL, grant_json TEXT,
        PRIMARY KEY (direction, record_id, peer_id, key_id)
    );
    CREATE TABLE peers (
        user_id TEXT PRIMARY KEY, handle TEXT NOT NULL, role TEXT NOT NULL, sig_pub BLOB NOT NULL,
        kem_pub BLOB NOT NULL, bundle_json TEXT NOT NULL,
        verified_how TEXT NOT NULL CHECK (verified_how IN ('invite-link', 'safety-number', 'tofu')),
        pinned_at INTEGER NOT NULL, link_id TEXT, linked INTEGER NOT NULL DEFAULT 1,
        changed_bundle_json TEXT  -- set when the server served a different bundle: sharing is blocked
    );
    -- At most one pending revision per record; never dropped until the server acknowledged it.
    CREATE TABLE outbox (
        record_id TEXT PRIMARY KEY, base_version INTEGER NOT NULL, version INTEGER NOT NULL,
        rev_id BLOB NOT NULL, header BLOB NOT NULL, ct BLOB NOT NULL, signature BLOB NOT NULL,
        key_id BLOB NOT NULL, dek_wrap BLOB NOT NULL, rekey INTEGER NOT NULL DEFAULT 0,
        grants_json TEXT NOT NULL DEFAULT '[]', share_add_json TEXT NOT NULL DEFAULT '[]',
        revoke_json TEXT NOT NULL DEFAULT '[]', atomic INTEGER NOT NULL DEFAULT 0,
        queued_at INTEGER NOT NULL, last_error TEXT,
        -- the last revision of this record actually sent: if its answer was lost and it landed, it is
        -- the base of the current pending edit rather than a concurrent change to merge with
        sent_rev_id BLOB
    );
    """,
    """
    -- The account's key verifications (own records of type key-verification, PROTOCOL.md §11), as read from
    -- their decrypted documents: the public bundle that was verified, how, and when.
    CREATE TABLE verifications (
        record_id TEXT PRIMARY KEY, peer_id TEXT NOT NULL, bundle_json TEXT NOT NULL, how TEXT NOT NULL,
        created_at TEXT NOT NULL, invite TEXT  -- the invite id of a verification by the client's proof
    );
    CREATE INDEX verifications_by_peer ON verifications (peer_id);
    -- trust.judge's verdict on the pinned key: verified, unverified, changed or mismatch; `held` counts the
    -- records of theirs held back (not stored) while it is changed or mismatched.
    ALTER TABLE peers ADD COLUMN state TEXT NOT NULL DEFAULT 'unverified';
    ALTER TABLE peers ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    UPDATE peers SET state = CASE WHEN changed_bundle_json IS NOT NULL THEN 'changed'
        WHEN verified_how = 'tofu' THEN 'unverified' ELSE 'verified' END;
    """,
)


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (sqlite3 knows where one ends, comments included)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


class LocalStore:
    """One profile directory. All SQL of the client lives here; callers pass and get plain values and the row types
    of rows.py (which encodes and decodes their JSON columns)."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.keys_path = self.dir / KEYS_FILE
        self.db_path = self.dir / DB_FILE
        self._db: sqlite3.Connection | None = None

    # ------------------------------------------------------------ lifecycle

    def exists(self) -> bool:
        return self.keys_path.exists()

    def prepare(self) -> None:
        """Create the directory (0700) and the database before any account exists on a server."""
        if self.exists():
            raise ProfileError(
                "profile_exists",
                f"profile {self.dir} already holds an account; use another --profile or `between account logout` first",
                params={"dir": str(self.dir)},
            )
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)
        leftover = self.db.execute(
            "SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM peers)"
        ).fetchone()[0]
        if leftover:
            # Data of another account whose keys.json is gone: never mix it into a new account.
            raise ProfileError(
                "profile_exists",
                f"profile {self.dir} holds data but no keys.json; use another --profile",
                key="profile_exists.data",
                params={"dir": str(self.dir)},
            )

    def create(self, keys: KeysFile) -> None:
        self.prepare()
        write_private_file(self.keys_path, keys.to_json())

    def load_keys(self) -> KeysFile:
        try:
            return KeysFile.from_json(self.keys_path.read_bytes())
        except FileNotFoundError:
            raise ProfileError(
                "no_account",
                f"no account in profile {self.dir}; run `between account create` or `between account login`",
                params={"dir": str(self.dir)},
            ) from None

    def save_keys(self, keys: KeysFile) -> None:
        write_private_file(self.keys_path, keys.to_json())

    def erase(self) -> None:
        """Remove every file of the profile (after logout or account deletion)."""
        self.close()
        for name in (KEYS_FILE, DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + "-journal"):
            (self.dir / name).unlink(missing_ok=True)
        blobs = self.dir / "blobs"  # attachments waiting to upload (client/blobs.py)
        for path in blobs.glob("*") if blobs.is_dir() else ():
            path.unlink(missing_ok=True)
        if blobs.is_dir():
            blobs.rmdir()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in `transaction`).
            db = sqlite3.connect(self.db_path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an applied page and its cursor survive power loss
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=10000")
            os.chmod(self.db_path, 0o600)
            self._db = db
            self._migrate()
        return self._db

    def _migrate(self) -> None:
        db = self._db
        assert db is not None
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # ------------------------------------------------------------ meta and cursor

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def cursor(self) -> int:
        return int(self.get_meta("cursor", "0") or 0)

    # ------------------------------------------------------------ records and high-water marks

    def get_record(self, record_id: str) -> StoredRecord | None:
        row = self.db.execute(f"SELECT {_RECORD_COLUMNS} FROM records WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else StoredRecord(*row)

    def record_ids(self) -> set[str]:
        """The id of every record this device holds: stored heads and outbox items."""
        rows = self.db.execute("SELECT record_id FROM records UNION SELECT record_id FROM outbox").fetchall()
        return {r[0] for r in rows}

    def put_record(self, db: sqlite3.Connection, row: StoredRecord) -> None:
        db.execute(
            f"INSERT OR REPLACE INTO records({_RECORD_COLUMNS}) VALUES ({_marks(_RECORD_COLUMNS)})",
            dataclasses.astuple(row),
        )
        db.execute(
            "INSERT INTO high_water(record_id, version, rev_id) VALUES (?, ?, ?) ON CONFLICT(record_id) DO"
            " UPDATE SET version = excluded.version, rev_id = excluded.rev_id WHERE excluded.version >= version",
            (row.record_id, row.version, row.rev_id),
        )

    def forget_record(self, db: sqlite3.Connection, record_id: str) -> None:
        """A grantee lost access: drop the ciphertext, the keys and the grants of that record.
        The high-water mark stays as a tombstone (a later re-share must come with a newer version, so a
        server cannot say "removed" and then serve an older head), and the outbox is never touched here."""
        for table in ("records", "deks", "grants"):
            db.execute(f"DELETE FROM {table} WHERE record_id = ?", (record_id,))

    def high_water(self, record_id: str) -> tuple[int, bytes] | None:
        row = self.db.execute("SELECT version, rev_id FROM high_water WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    # ------------------------------------------------------------ record keys

    def put_dek(self, db: sqlite3.Connection, record_id: str, key_id: bytes, owner_id: str, wrapped: bytes) -> None:
        db.execute(
            "INSERT OR REPLACE INTO deks(record_id, key_id, owner_id, wrapped) VALUES (?, ?, ?, ?)",
            (record_id, key_id, owner_id, wrapped),
        )

    def get_dek(self, record_id: str, key_id: bytes) -> tuple[str, bytes] | None:
        """(owner_id, wrapped DEK) of one key of one record."""
        row = self.db.execute(
            "SELECT owner_id, wrapped FROM deks WHERE record_id = ? AND key_id = ?", (record_id, key_id)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    # ------------------------------------------------------------ grants

    def set_grants(
        self, db: sqlite3.Connection, direction: str, record_id: str, grants: Sequence[tuple[str, bytes, str | None]]
    ) -> None:
        """Replace the grants of one record in one direction with (peer_id, key_id, grant_json) rows."""
        db.execute("DELETE FROM grants WHERE direction = ? AND record_id = ?", (direction, record_id))
        db.executemany(
            "INSERT OR REPLACE INTO grants(direction, record_id, peer_id, key_id, grant_json) VALUES (?, ?, ?, ?, ?)",
            [(direction, record_id, p, k, g) for p, k, g in grants],
        )

    def grantees(self, record_id: str) -> set[str]:
        """Who holds the key of the record's current head: a grant for an older key (kept by profiles of
        earlier versions, or replayed by a server) does not make someone a grantee now."""
        rows = self.db.execute(
            "SELECT DISTINCT g.peer_id FROM grants g JOIN records r ON r.record_id = g.record_id"
            " AND r.key_id = g.key_id WHERE g.direction = 'given' AND g.record_id = ?",
            (record_id,),
        ).fetchall()
        return {r[0] for r in rows}

    def drop_given(self, db: sqlite3.Connection, record_id: str, peer_id: str) -> None:
        db.execute(
            "DELETE FROM grants WHERE direction = 'given' AND record_id = ? AND peer_id = ?", (record_id, peer_id)
        )

    def given_pairs(self) -> list[tuple[str, str]]:
        """(record_id, peer_id) of every own record shared under any key: who might still hold one of its keys."""
        rows = self.db.execute(
            "SELECT DISTINCT g.record_id, g.peer_id FROM grants g JOIN records r ON"
            " r.record_id = g.record_id WHERE g.direction = 'given' ORDER BY 1, 2"
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    # ------------------------------------------------------------ peers

    def get_peer(self, *, user_id: str | None = None, handle: str | None = None) -> Peer | None:
        if user_id is not None:
            row = self.db.execute(f"SELECT {_PEER_COLUMNS} FROM peers WHERE user_id = ?", (user_id,)).fetchone()
        else:
            row = self.db.execute(f"SELECT {_PEER_COLUMNS} FROM peers WHERE handle = ?", (handle,)).fetchone()
        return None if row is None else peer_of(row)

    def list_peers(self) -> list[Peer]:
        return [peer_of(r) for r in self.db.execute(f"SELECT {_PEER_COLUMNS} FROM peers ORDER BY handle").fetchall()]

    def settle_peer(
        self,
        db: sqlite3.Connection,
        *,
        user_id: str,
        bundle: wire.KeyBundle,
        verified_how: str,
        state: str,
        changed: wire.KeyBundle | None,
        link_id: str | None,
        linked: bool,
    ) -> None:
        """Store a judged pin (trust.judge); `pinned_at` moves only when the pinned key does, `held` is kept
        while the peer stays blocked and cleared once it is not."""
        db.execute(
            "INSERT INTO peers(user_id, handle, role, sig_pub, kem_pub, bundle_json, verified_how, pinned_at, link_id,"
            " linked, changed_bundle_json, state, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
            " ON CONFLICT(user_id) DO UPDATE SET handle = excluded.handle, role = excluded.role,"
            " pinned_at = CASE WHEN sig_pub = excluded.sig_pub AND kem_pub = excluded.kem_pub THEN pinned_at"
            " ELSE excluded.pinned_at END, sig_pub = excluded.sig_pub, kem_pub = excluded.kem_pub,"
            " bundle_json = excluded.bundle_json, verified_how = excluded.verified_how,"
            " link_id = coalesce(excluded.link_id, link_id), linked = excluded.linked,"
            " changed_bundle_json = excluded.changed_bundle_json, state = excluded.state,"
            " held = CASE WHEN ? THEN held ELSE 0 END",
            (
                user_id,
                bundle.handle,
                bundle.role,
                bundle.sig_pub,
                bundle.kem_pub,
                bundle_json(bundle),
                verified_how,
                int(time.time()),
                link_id,
                int(linked),
                bundle_json(changed),
                state,
                int(state in trust.BLOCKED),
            ),
        )

    def hold(self, db: sqlite3.Connection, user_id: str) -> None:
        """One more record of a blocked peer held back (it comes again, from cursor 0, once they are verified)."""
        db.execute("UPDATE peers SET held = held + 1 WHERE user_id = ?", (user_id,))

    def forget_received_from(self, db: sqlite3.Connection, owner_id: str) -> int:
        """Drop every record this peer shared (after their pinned key was replaced: they come again, verified
        under the new one, once the cursor is reset). High-water marks stay."""
        ids = [
            r[0]
            for r in db.execute(
                "SELECT record_id FROM records WHERE owner_id = ? AND access = 'granted'", (owner_id,)
            ).fetchall()
        ]
        for rid in ids:
            self.forget_record(db, rid)
        return len(ids)

    def update_peer(self, db: sqlite3.Connection, user_id: str, **values: Any) -> None:
        """Change some of a peer's link_id, linked, changed (a wire.KeyBundle or None), verified_how, state."""
        columns = {
            "link_id": "link_id",
            "linked": "linked",
            "changed": "changed_bundle_json",
            "verified_how": "verified_how",
            "state": "state",
        }
        if not values or set(values) - set(columns):
            raise ValueError("unknown peer column")
        if "changed" in values:
            values["changed"] = bundle_json(values["changed"])
        assignments = ", ".join(f"{columns[name]} = ?" for name in values)
        db.execute(f"UPDATE peers SET {assignments} WHERE user_id = ?", (*values.values(), user_id))

    # ------------------------------------------------------------ key verifications

    def put_verification(self, db: sqlite3.Connection, record_id: str, verification: trust.Verification) -> None:
        db.execute(
            "INSERT OR REPLACE INTO verifications(record_id, peer_id, bundle_json, how, created_at, invite)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                record_id,
                str(verification.bundle.user_id),
                bundle_json(verification.bundle),
                verification.how,
                verification.created_at,
                verification.invite,
            ),
        )

    def drop_verification(self, db: sqlite3.Connection, record_id: str) -> None:
        db.execute("DELETE FROM verifications WHERE record_id = ?", (record_id,))

    def verifications(self, peer_id: str | None = None) -> list[trust.Verification]:
        """The account's verifications of one peer (or of everyone)."""
        sql, args = "SELECT bundle_json, how, created_at, invite FROM verifications", tuple[str, ...]()
        if peer_id is not None:
            sql, args = sql + " WHERE peer_id = ?", (peer_id,)
        rows = self.db.execute(sql + " ORDER BY record_id", args).fetchall()
        return [
            trust.Verification(read_bundle(bundle), how, created_at, invite) for bundle, how, created_at, invite in rows
        ]

    # ------------------------------------------------------------ outbox

    def get_pending(self, record_id: str) -> PendingRevision | None:
        row = self.db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
        return None if row is None else pending_of(row)

    def list_pending(self) -> list[PendingRevision]:
        rows = self.db.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox ORDER BY queued_at, record_id").fetchall()
        return [pending_of(r) for r in rows]

    def put_pending(self, db: sqlite3.Connection, item: PendingRevision) -> None:
        """Queue `item`, replacing the record's pending revision; a new item (queued_at None) is queued now."""
        row = pending_row(item, time.time_ns() if item.queued_at is None else item.queued_at)
        db.execute(f"INSERT OR REPLACE INTO outbox({_OUTBOX_COLUMNS}) VALUES ({_marks(_OUTBOX_COLUMNS)})", row)

    def mark_sent(self, record_ids_and_revs: list[tuple[str, bytes]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE outbox SET sent_rev_id = rev_id WHERE record_id = ? AND rev_id = ?", record_ids_and_revs
            )

    def clear_pending(self, db: sqlite3.Connection, record_id: str, rev_id: bytes) -> None:
        """Only the acknowledged revision is removed: a newer local edit queued meanwhile stays."""
        db.execute("DELETE FROM outbox WHERE record_id = ? AND rev_id = ?", (record_id, rev_id))

    def drop_pending(self, db: sqlite3.Connection, record_id: str) -> None:
        db.execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))

    def set_pending_error(self, record_id: str, error: str | None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE outbox SET last_error = ? WHERE record_id = ?", (error, record_id))


# ---------------------------------------------------------------- the columns of each row type

_RECORD_COLUMNS = "record_id, owner_id, version, rev_id, header, ct, signature, key_id, seq, access"
_PEER_COLUMNS = (
    "user_id, handle, role, sig_pub, kem_pub, bundle_json, verified_how, pinned_at, link_id, linked,"
    " changed_bundle_json, state, held"
)
_OUTBOX_COLUMNS = (
    "record_id, base_version, version, rev_id, header, ct, signature, key_id, dek_wrap, rekey,"
    " grants_json, share_add_json, revoke_json, atomic, queued_at, last_error, sent_rev_id"
)


def _marks(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))
