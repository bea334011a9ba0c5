"""Every SQL statement of the server: the Store and the names its callers use."""

from __future__ import annotations

from .accounts import Accounts
from .connection import (BATCH_MAX, MIGRATIONS, READERS, BadCursor, Conflict, InUse, StoreError, ensure_free,
                         migrate, migration_files)
from .links import Links
from .records import Records
from .rows import Caller, PreparedItem, UserRow

__all__ = ["BATCH_MAX", "MIGRATIONS", "READERS", "BadCursor", "Caller", "Conflict", "InUse", "PreparedItem", "Store",
           "StoreError", "UserRow", "ensure_free", "migrate", "migration_files"]


class Store(Accounts, Records, Links):
    """One database: accounts.py, records.py and links.py hold each area's SQL, connection.py the
    single group-committing writer and the reader pool they all run on."""
