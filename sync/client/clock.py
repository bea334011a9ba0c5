"""The reference client's clock: the times it writes into documents."""

from __future__ import annotations

import datetime as dt


def now_stamp() -> str:
    """UTC time in ISO 8601 with milliseconds: it sorts as text and lives only inside ciphertext."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
