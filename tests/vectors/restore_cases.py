"""tests/vectors/restore.json: the rules for bringing back a saved copy, as cases both implementations pass
(sync/client/saved_copy.py read_copy, for `between import`; web/js/screens/export/export.js readCopy, for the
app). Built by `python -m tests.vectors.generate` with the other files.

Every outcome below is written out by hand; build() refuses to produce the file when saved_copy disagrees."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from between.sync.client import saved_copy
from between.sync.core.errors import BetweenError

T1 = "2026-11-20T09:30:00.000Z"
T2 = "2026-11-21T08:00:00.000Z"
T3 = "2026-11-21T09:00:00.000Z"


def saved(kind: Any, fields: Any, created: Any = T1, updated: Any = T1, **extra: Any) -> dict[str, Any]:
    """An item as `between export --format json` and the app's "Save a copy" write it."""
    return {
        "id": "0b7f3c2e-8d57-4e0b-9a43-f2f9c1a4d001",
        "kind": kind,
        "fields": fields,
        "created_at": created,
        "updated_at": updated,
        "shared_with": [],
        "pending": False,
        **extra,
    }


def without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


def back(kind: str, fields: dict[str, Any], created: str = T1, updated: str = T1) -> dict[str, Any]:
    return {"kind": kind, "fields": fields, "created_at": created, "updated_at": updated}


def counts(entries: list[dict[str, Any]], already: int = 0, unreadable: int = 0, not_entries: int = 0) -> dict:
    return {"entries": entries, "already": already, "unreadable": unreadable, "not_entries": not_entries}


WALK = {"body": "Walked to the sea."}
# (name, entries here as [kind, created_at], the file: {"copy": JSON value} or {"text": its text}, expected)
CASES: list[tuple[str, list[list[str]], dict[str, Any], dict[str, Any]]] = [
    (
        "an entry not here comes back with its fields and both its times",
        [],
        {"copy": [saved("journal", WALK, T2, T3)]},
        counts([back("journal", WALK, T2, T3)]),
    ),
    (
        "what else an exported item holds is not read (id, sharing, pending, conflict notes)",
        [],
        {"copy": [saved("journal", WALK, shared_with=["dr.lee"], pending=True, conflicts=[{"note": "kept aside"}])]},
        counts([back("journal", WALK)]),
    ),
    (
        "fields are checked as a form's: an empty optional field is left out",
        [],
        {"copy": [saved("mood", {"score": 4, "emotions": ["tired"], "note": ""})]},
        counts([back("mood", {"score": 4, "emotions": ["tired"]})]),
    ),
    (
        "same kind, same moment: already here, whatever its words (an older copy never comes back over an edit)",
        [["journal", T1]],
        {"copy": [saved("journal", {"body": "edited since"})]},
        counts([], already=1),
    ),
    (
        "the same moment in another kind is another entry",
        [["mood", T1]],
        {"copy": [saved("journal", WALK)]},
        counts([back("journal", WALK)]),
    ),
    (
        "twice in one file: the second is already here",
        [],
        {"copy": [saved("journal", WALK), saved("journal", {"body": "again"})]},
        counts([back("journal", WALK)], already=1),
    ),
    (
        "assignments, answers and session notes come with sync, not from a file (any `type`, even null)",
        [],
        {
            "copy": [
                saved(None, {}, type="assignment", document={"type": "assignment"}),
                saved(None, {}, type="response"),
                saved("journal", WALK, type=None),
            ]
        },
        counts([], not_entries=3),
    ),
    (
        "an item that is not an object is unreadable",
        [],
        {"copy": ["not an entry", 3, None, [], True]},
        counts([], unreadable=5),
    ),
    (
        "a kind this version does not know, or none",
        [],
        {"copy": [saved("no-such-kind", WALK), saved(7, WALK), without(saved("journal", WALK), "kind")]},
        counts([], unreadable=3),
    ),
    (
        "fields that are not an object",
        [],
        {
            "copy": [
                saved("journal", None),
                saved("journal", ["x"]),
                saved("journal", "x"),
                without(saved("journal", WALK), "fields"),
            ]
        },
        counts([], unreadable=4),
    ),
    (
        "fields that fail their kind's checks: off the scale, a required one missing, a field the kind lacks",
        [],
        {
            "copy": [
                saved("mood", {"score": 11}),
                saved("journal", {"title": "no body"}),
                saved("journal", {"body": "x", "from_a_newer_app": 1}),
            ]
        },
        counts([], unreadable=3),
    ),
    (
        "no time of its own (it tells an entry apart: without one it would come back on every try)",
        [],
        {
            "copy": [
                without(saved("journal", WALK), "created_at"),
                saved("journal", WALK, None),
                saved("journal", WALK, "yesterday-ish"),
                saved("journal", WALK, "2026-11-20"),
                saved("journal", WALK, T1 + "\n"),
                saved("journal", WALK, "2026-11-20T10:30:00+01:00"),
            ]
        },
        counts([], unreadable=6),
    ),
    (
        "a time in UTC written with +00:00 or without a fraction is a time",
        [],
        {
            "copy": [
                saved("journal", WALK, "2026-11-20T09:30:00+00:00", "2026-11-20T09:30:00+00:00"),
                saved("journal", WALK, "2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"),
            ]
        },
        counts(
            [
                back("journal", WALK, "2026-11-20T09:30:00+00:00", "2026-11-20T09:30:00+00:00"),
                back("journal", WALK, "2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"),
            ]
        ),
    ),
    (
        "a missing, unreadable or earlier edit time becomes the creation time",
        [],
        {
            "copy": [
                without(saved("journal", {"body": "a"}, T2), "updated_at"),
                saved("mood", {"score": 3}, T2, None),
                saved("reading", {"title": "c"}, T2, "later"),
                saved("relaxation", {"minutes": 10}, T2, T1),
            ]
        },
        counts(
            [
                back("journal", {"body": "a"}, T2, T2),
                back("mood", {"score": 3}, T2, T2),
                back("reading", {"title": "c"}, T2, T2),
                back("relaxation", {"minutes": 10}, T2, T2),
            ]
        ),
    ),
    (
        "everything at once: each item counted once, the readable ones still come back",
        [["journal", T1]],
        {
            "copy": [
                saved("journal", {"body": "already on this device"}),
                saved("journal", WALK, T2, T3),
                saved("mood", {"score": 11}, T2),
                saved("no-such-kind", WALK),
                saved("mood", {"score": 4}, "yesterday-ish"),
                saved(None, {}, type="assignment"),
                "not an entry",
            ]
        },
        counts([back("journal", WALK, T2, T3)], already=1, unreadable=4, not_entries=1),
    ),
    ("an empty list: nothing to bring back", [], {"copy": []}, counts([])),
    ("refused: an object, not a list", [], {"copy": {"not": "a list"}}, {"refused": saved_copy.NO_LIST}),
    ("refused: a JSON string", [], {"copy": "entries"}, {"refused": saved_copy.NO_LIST}),
    ("refused: null", [], {"copy": None}, {"refused": saved_copy.NO_LIST}),
    ("refused: words, not JSON", [], {"text": "plain words"}, {"refused": saved_copy.NOT_JSON}),
    ("refused: an empty file", [], {"text": ""}, {"refused": saved_copy.NOT_JSON}),
]


def outcome(file: dict[str, Any], here: list[list[str]]) -> dict[str, Any]:
    """What sync/client/saved_copy.py makes of a case, in the vectors' shape."""
    try:
        items = saved_copy.parse(file["text"]) if "text" in file else file["copy"]
        found = saved_copy.read_copy(items, lambda: [(kind, at) for kind, at in here])
    except BetweenError as exc:
        return {"refused": exc.detail.rsplit("(", 1)[-1].rstrip(")")}
    return counts([dataclasses.asdict(e) for e in found.entries], found.already, found.unreadable, found.not_entries)


def build() -> dict[str, Any]:
    cases = []
    for name, here, file, expect in CASES:
        got = outcome(file, here)
        if json.dumps(got, sort_keys=True) != json.dumps(expect, sort_keys=True):
            raise SystemExit(f"saved_copy disagrees with the case {name!r}: {got}")
        cases.append({"name": name, "here": here, **file, "expect": expect})
    return {
        "description": "Bringing back a saved copy (the JSON file of `between export --format json` or the app's "
        '"Save a copy"). `here` is the device\'s own live entries as [kind, created_at]; the file '
        "is `copy` (its JSON value) or `text`. `expect` is either `refused` (the words in the "
        "parentheses of 'this file is not a copy saved from Between (...)') or the entries brought "
        "back, in order, with fields as checked for their kind, and the count of items already "
        "here, unreadable and not entries (assignments, answers, notes). Kinds: sync/kinds.json. "
        "Written by tests/vectors/restore_cases.py; sync/client/saved_copy.py and "
        "web/js/screens/export/export.js readCopy must both give every outcome.",
        "cases": cases,
    }
