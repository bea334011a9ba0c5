"""Every SQL statement of the server: the Store and the names its callers use."""

from __future__ import annotations

from pathlib import Path

from .accounts import Accounts
from .blobs import BlobQuotaFull, BlobRow, Blobs
from .connection import (
    BATCH_MAX,
    MIGRATIONS,
    READERS,
    BadCursor,
    Conflict,
    Database,
    Db,
    InUse,
    QuotaFull,
    StoreError,
    ensure_free,
    migrate,
    migration_files,
)
from .links import Links
from .postgres import PgDatabase, is_postgres
from .records import PreparedItem, Records
from .reminders import Reminders
from .rows import Caller, UserRow

__all__ = [
    "BATCH_MAX",
    "MIGRATIONS",
    "READERS",
    "BadCursor",
    "BlobQuotaFull",
    "BlobRow",
    "Blobs",
    "Caller",
    "Conflict",
    "Database",
    "Db",
    "InUse",
    "PgDatabase",
    "PreparedItem",
    "QuotaFull",
    "Store",
    "StoreError",
    "UserRow",
    "ensure_free",
    "is_postgres",
    "migrate",
    "migration_files",
]


class Store:
    """One database and the areas of SQL that run on it, each in its own module: `accounts`, `records`, `links`,
    `reminders` and `blobs`. They share `db`: on SQLite the single group-committing writer and the reader pool
    (connection.py), on PostgreSQL a pool of connections (postgres.py). The areas' SQL is the same on both."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.accounts = Accounts(db)
        self.records = Records(db)
        self.links = Links(db)
        self.reminders = Reminders(db)
        self.blobs = Blobs(db)

    @classmethod
    async def open(cls, target: Path | str) -> Store:
        """`target`: a SQLite file, or a postgresql:// URL."""
        if is_postgres(target):
            return cls(await PgDatabase.open(str(target)))
        return cls(await Database.open(Path(target)))

    async def close(self) -> None:
        await self.db.close()
