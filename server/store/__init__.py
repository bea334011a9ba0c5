"""Every SQL statement of the server: the Store and the names its callers use."""

from __future__ import annotations

from pathlib import Path

from .accounts import Accounts
from .connection import (
    BATCH_MAX,
    MIGRATIONS,
    READERS,
    BadCursor,
    Conflict,
    Database,
    InUse,
    StoreError,
    ensure_free,
    migrate,
    migration_files,
)
from .links import Links
from .records import PreparedItem, Records
from .reminders import Reminders
from .rows import Caller, UserRow

__all__ = [
    "BATCH_MAX",
    "MIGRATIONS",
    "READERS",
    "BadCursor",
    "Caller",
    "Conflict",
    "Database",
    "InUse",
    "PreparedItem",
    "Store",
    "StoreError",
    "UserRow",
    "ensure_free",
    "migrate",
    "migration_files",
]


class Store:
    """One database and the areas of SQL that run on it, each in its own module: `accounts`, `records`,
    `links` and `reminders`. They share `db` (connection.py): the single group-committing writer and the reader pool."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.accounts = Accounts(db)
        self.records = Records(db)
        self.links = Links(db)
        self.reminders = Reminders(db)

    @classmethod
    async def open(cls, path: Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()
