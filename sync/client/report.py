"""What one sync did, for the person: counts, warnings, and the outbox items the server refused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class SyncReport:
    pulled: int = 0
    pushed: int = 0
    merged: int = 0
    conflicts_kept: int = 0
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # outbox items the server refused (kept queued)
    restored: bool = False  # the server was restored from a backup; what it lost was sent again
