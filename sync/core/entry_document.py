"""The entry document (docs/PROTOCOL.md section 13): what a revision of an entry carries, and the check that a
document is one a conforming writer could have written. web/js/core/entry-document.js is the browser's copy."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from . import kinds
from .assignments import WORKSHEET, validate_worksheet, validate_worksheet_answers
from .fields import SPACE
from .kinds import FieldError
from .merge import TIMESTAMP

ENTRY_KEYS = frozenset({"v", "kind", "fields", "created_at", "updated_at", "device", "conflicts", "deleted"})
WORKSHEET_KEYS = frozenset({"worksheet", "title"})  # an answer to a therapist's worksheet carries both
NOTE_KEYS = frozenset(
    {"at", "strategy", "note", "hunks", "other_value", "item", "deleted_on_device", "other_device", "other_updated_at"}
)
NOTE_STRATEGIES = ("text", "scalar", "list", "delete")
MAX_TITLE = 200
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def document_type(doc: dict[str, Any]) -> str:
    """`entry` for an entry document; otherwise its `type` (assignment, assignment-response, session-log, ...)."""
    kind = doc.get("type", "entry")
    return kind if isinstance(kind, str) else "unknown"


def new_entry(kind: str, fields: dict[str, Any], stamp: str, device: str) -> dict[str, Any]:
    """The first revision's document; `fields` already normalised (kinds.validate_fields)."""
    return {"v": 1, "kind": kind, "fields": fields, "created_at": stamp, "updated_at": stamp, "device": device}


def tombstone(doc: dict[str, Any], stamp: str, device: str) -> dict[str, Any]:
    """The document of a delete (header flag bit 0): the entry without its fields, marked deleted. The content
    stays in the earlier revisions, so a delete can be undone."""
    return dict(doc, fields={}, updated_at=stamp, device=device, deleted=True)


def _fail(path: str, problem: str) -> FieldError:
    return FieldError(
        f"entry document '{path}' {problem}.",
        kind_id="entry",
        field_id=path,
        code="invalid_entry",
        key="invalid_document",
        params={"what": "entry", "path": path},
    )


def instant(value: object) -> tuple[dt.datetime, int] | None:
    """A document time as (UTC second, nanoseconds), or None when it is not one: `YYYY-MM-DDTHH:MM:SS`, an
    optional fraction of 1 to 9 digits, then `Z` or `+00:00`, naming a real date and time."""
    if not isinstance(value, str):
        return None
    m = TIMESTAMP.match(value)
    if m is None or value.endswith("\n"):
        return None
    try:
        second = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    return second, int((m.group(2) or "").ljust(9, "0"))


def _check_note(note: object, path: str) -> None:
    if not isinstance(note, dict) or not set(note) <= NOTE_KEYS:
        raise _fail(path, "must be a conflict note (at, strategy, note and the keys of docs/MERGE.md)")
    if not isinstance(note.get("at"), str) or not (note["at"] == "" or note["at"].startswith("/")):
        raise _fail(f"{path}.at", "must be a JSON pointer")
    if note.get("strategy") not in NOTE_STRATEGIES:
        raise _fail(f"{path}.strategy", f"must be one of: {', '.join(NOTE_STRATEGIES)}")
    if not isinstance(note.get("note"), str) or not note["note"]:
        raise _fail(f"{path}.note", "must be text")
    hunks = note.get("hunks", 1)
    if not isinstance(hunks, int) or isinstance(hunks, bool) or hunks < 1:
        raise _fail(f"{path}.hunks", "must be a whole number from 1")
    for key in ("item", "deleted_on_device", "other_device", "other_updated_at"):
        if key in note and not isinstance(note[key], str):
            raise _fail(f"{path}.{key}", "must be text")


def validate_entry_document(doc: object, *, deleted: bool = False) -> dict[str, Any]:
    """Check an entry document as a conforming writer makes it; return it normalised (a normalised document
    validates to itself). `deleted` is the revision's header flag bit 0: a tombstone says `"deleted": true` and
    has no fields. Raises FieldError: code invalid_entry naming the key, or the field's own error."""
    if not isinstance(doc, dict):
        raise _fail("document", "must be an object")
    kind = doc.get("kind")
    allowed = ENTRY_KEYS | WORKSHEET_KEYS if kind == WORKSHEET else ENTRY_KEYS
    for key in doc:
        if key not in allowed:
            shown = key if len(key) <= 40 else "(a long name)"
            raise _fail(shown, "is not a key of an entry document" if key != "type" else "marks another document")
    v = doc.get("v")
    if v != 1 or isinstance(v, bool):
        raise _fail("v", "must be 1 (this version reads no other)")
    if not isinstance(kind, str) or (kind != WORKSHEET and kinds.find_kind(kind) is None):
        raise _fail("kind", "must be an activity kind of kinds.json or 'worksheet'")
    times: dict[str, tuple[dt.datetime, int]] = {}
    for key in ("created_at", "updated_at"):
        stamp = instant(doc.get(key))
        if stamp is None:
            raise _fail(key, "must be a UTC time like 2026-11-02T10:00:00.000Z")
        times[key] = stamp
    if times["updated_at"] < times["created_at"]:
        raise _fail("updated_at", "must not be before created_at")
    if not isinstance(doc.get("device"), str) or not _UUID.match(doc["device"]):
        raise _fail("device", "must be the writing device's id, a lowercase UUID")
    if "conflicts" in doc:
        notes = doc["conflicts"]
        if not isinstance(notes, list) or not notes:
            raise _fail("conflicts", "must be a list of at least one note (an empty list is left out)")
        for i, note in enumerate(notes):
            _check_note(note, f"conflicts[{i}]")
    if ("deleted" in doc) != deleted or ("deleted" in doc and doc["deleted"] is not True):
        raise _fail("deleted", "must be true in a revision whose header flag says deleted, and absent otherwise")
    out = dict(doc)
    if kind == WORKSHEET:
        out["worksheet"] = validate_worksheet(doc.get("worksheet"), doc_type="entry")
        title = doc.get("title")
        title = title.strip(SPACE) if isinstance(title, str) else ""
        if not 1 <= len(title) <= MAX_TITLE or _LINE_BREAK_OR_CONTROL.search(title):
            raise _fail("title", f"must be one line of 1 to {MAX_TITLE} characters (the worksheet's title)")
        out["title"] = title
    fields = doc.get("fields")
    if deleted:
        if fields != {}:
            raise _fail("fields", "must be empty in a deleted entry (the content stays in earlier revisions)")
    elif kind == WORKSHEET:
        out["fields"] = validate_worksheet_answers(out["worksheet"], fields)
    else:
        out["fields"] = kinds.validate_fields(kind, fields)
    return out
