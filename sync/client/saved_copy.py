"""Bringing back a saved copy (`between export --format json`, the app's "Save a copy"): which of its items come back
as new entries, and what every other item counts as.

The browser's twin is web/js/screens/export/export.js `readCopy`. The two cannot drift apart unnoticed: both pass
every case of tests/vectors/restore.json (written by tests/vectors/restore_cases.py), which holds these rules as
examples.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any

from ..core import kinds
from ..core.errors import BetweenError
from ..core.merge import TIMESTAMP

NOT_JSON = "it is not JSON"
NO_LIST = "it holds no list of entries"


def not_a_copy(why: str) -> BetweenError:
    return BetweenError(
        "not_a_copy",
        f"this file is not a copy saved from Between ({why})",
        params={"why": "json" if why == NOT_JSON else "list"},
    )


@dataclasses.dataclass(frozen=True)
class Entry:
    """An entry to bring back: its fields checked as `entry add` checks them, its own times kept."""

    kind: str
    fields: dict[str, Any]
    created_at: str
    updated_at: str


@dataclasses.dataclass(frozen=True)
class Found:
    entries: list[Entry]
    already: int  # an own entry of the same kind written at the same moment is here
    unreadable: int  # not an object, an unknown kind, fields that fail their kind's checks, no time of its own
    not_entries: int  # assignments, answers and session notes: they come back with sync, not from a file


def parse(text: str) -> Any:
    """The file's JSON value; `not_a_copy` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        raise not_a_copy(NOT_JSON) from None


def read_copy(items: Any, here: Callable[[], Iterable[tuple[str, str]]]) -> Found:
    """The entries of a saved copy that are not here yet, and the count of every other item.

    `here` gives (kind, created_at) of the device's own live entries; it is asked only once `items` is a list, so
    a file that is no copy is refused before anything is read. An older copy of an entry edited since is "already
    here" (same kind, same moment), never brought back over it."""
    if not isinstance(items, list):
        raise not_a_copy(NO_LIST)
    seen = set(here())
    entries: list[Entry] = []
    already = unreadable = not_entries = 0
    for item in items:
        if not isinstance(item, dict):
            unreadable += 1
            continue
        if "type" in item:
            not_entries += 1
            continue
        kind, created = item.get("kind"), item.get("created_at")
        # Its time is what tells it apart from the entries here: without one it could come back on every try.
        if (
            not isinstance(kind, str)
            or kinds.find_kind(kind) is None
            or not isinstance(item.get("fields"), dict)
            or not isinstance(created, str)
            or not TIMESTAMP.fullmatch(created)
        ):
            unreadable += 1
            continue
        try:
            fields = kinds.validate_fields(kind, item["fields"])
        except kinds.FieldError:
            unreadable += 1
            continue
        if (kind, created) in seen:
            already += 1
            continue
        seen.add((kind, created))
        updated = item.get("updated_at")
        if not isinstance(updated, str) or not TIMESTAMP.fullmatch(updated) or updated < created:
            updated = created
        entries.append(Entry(kind=kind, fields=fields, created_at=created, updated_at=updated))
    return Found(entries=entries, already=already, unreadable=unreadable, not_entries=not_entries)
