"""What one sync did, for the person: counts, warnings, and the outbox items the server refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Notice(str):
    """A warning or problem line of a sync, in English as it always was, that also names its words in the catalogues:
    `key` (the command says `warning.<key>`) and the `params` its message puts in. A str, so whatever reads the
    English (tests, logs) still does."""

    key: str
    params: dict[str, Any]

    def __new__(cls, text: str, key: str, **params: Any) -> Notice:
        notice = super().__new__(cls, text)
        notice.key = key
        notice.params = params
        return notice


@dataclass(slots=True)
class SyncReport:
    pulled: int = 0
    pushed: int = 0
    merged: int = 0
    conflicts_kept: int = 0
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # outbox items the server refused (kept queued)
    restored: bool = False  # the server was restored from a backup; what it lost was sent again
