"""tests/vectors/sharing.json: the sharing rules (sync/core/sharing.py, web/js/core/sharing.js): who may be given a
record key and why one is held back, whose records are taken, who shares once an intent lands, and which served grants
count after a pull. Built by `python -m tests.vectors.generate` with the other files.

Every expected result below is written out by hand; build() refuses to produce the file when sharing.py disagrees."""

from __future__ import annotations

from typing import Any

from between.sync.core import sharing
from tests.vectors.generate import fixed

STATES = [None, "verified", "unverified", "changed", "mismatch"]
# linked (None: no pin on this device), key state -> why no key may go to them (None: it may)
HELD_BACK: list[tuple[bool | None, str | None, str | None]] = [
    (None, None, "no_peer"),
    (True, "verified", None),
    (True, "unverified", None),  # the server's word: shared with, marked "not verified"
    (True, "changed", "key_changed"),
    (True, "mismatch", "key_mismatch"),
    (False, "verified", "link_ended"),
    (False, "changed", "link_ended"),  # the ended link is named first
]
# key state -> whether records of theirs are taken
TAKES_FROM = {None: False, "verified": True, "unverified": True, "changed": False, "mismatch": False}
# grantees, add, revoke -> who shares once the intent lands
GRANTEES_AFTER: list[tuple[list[str], list[str], list[str], list[str]]] = [
    ([], [], [], []),
    (["lee"], ["kim"], [], ["kim", "lee"]),
    (["lee", "kim"], [], ["lee"], ["kim"]),
    (["lee"], ["lee"], [], ["lee"]),
    ([], ["lee"], ["lee"], []),  # revoked wins (an intent never holds both; if it did, nobody gets a key)
]
KEY = {name: fixed("sharing/key/" + name, 16).hex() for name in ("k1", "k2")}
# name, known (None: this device holds no share list), known key, head key, served, stale, gone -> grantees, warnings
AFTER_PULL: list[
    tuple[str, dict[str, str] | None, str | None, str, dict[str, str], list[str], list[str], dict[str, str], list[str]]
] = [
    ("first sight of the record: the served list", None, None, "k2", {"sam": "t3"}, [], [], {"sam": "t3"}, []),
    (
        "a new key (a re-key by this account): the served list",
        {"lee": "t1"},
        "k1",
        "k2",
        {"sam": "t3"},
        [],
        [],
        {"sam": "t3"},
        [],
    ),
    ("the same key and the same list", {"lee": "t1"}, "k1", "k1", {"lee": "t1"}, [], [], {"lee": "t1"}, []),
    (
        "same key, the server adds someone: this device's list is kept",
        {"lee": "t1"},
        "k1",
        "k1",
        {"lee": "t1", "eve": "t2"},
        [],
        [],
        {"lee": "t1"},
        ["share_list_differs"],
    ),
    (
        "same key, the server drops someone: this device's list is kept",
        {"lee": "t1"},
        "k1",
        "k1",
        {},
        [],
        [],
        {"lee": "t1"},
        ["share_list_differs"],
    ),
    (
        "same key, the server drops someone whose link ended: expected",
        {"lee": "t1"},
        "k1",
        "k1",
        {},
        [],
        ["lee"],
        {"lee": "t1"},
        [],
    ),
    (
        "an old grant replayed for someone unshared: ignored, and said",
        {},
        "k2",
        "k2",
        {},
        ["lee"],
        [],
        {},
        ["old_grants_ignored"],
    ),
    (
        "an old grant of someone who holds the current key too: history",
        {"lee": "t1"},
        "k2",
        "k2",
        {"lee": "t1"},
        ["lee"],
        [],
        {"lee": "t1"},
        [],
    ),
    (
        "a new key with an old grant riding along: ignored, and said",
        {"lee": "t1"},
        "k1",
        "k2",
        {"sam": "t3"},
        ["lee"],
        [],
        {"sam": "t3"},
        ["old_grants_ignored"],
    ),
    (
        "both: an old grant and a differing list",
        {"lee": "t1"},
        "k1",
        "k1",
        {"eve": "t2"},
        ["kim"],
        [],
        {"lee": "t1"},
        ["old_grants_ignored", "share_list_differs"],
    ),
]


def build() -> dict[str, Any]:
    held_back = []
    for linked, state, why in HELD_BACK:
        got = sharing.held_back(linked, state)
        if got != why or sharing.may_grant(linked, state) != (why is None):
            raise SystemExit(f"held_back({linked}, {state}): computed {got}, expected {why}")
        held_back.append({"linked": linked, "state": state, "held_back": why, "may_grant": why is None})
    takes_from = []
    for state, takes in TAKES_FROM.items():
        if sharing.takes_from(state) != takes:
            raise SystemExit(f"takes_from({state}): computed {sharing.takes_from(state)}, expected {takes}")
        takes_from.append({"state": state, "takes_from": takes})
    after = []
    for grantees, add, revoke, expected in GRANTEES_AFTER:
        if sorted(sharing.grantees_after(grantees, add, revoke)) != expected:
            raise SystemExit(f"grantees_after({grantees}, {add}, {revoke}) is not {expected}")
        after.append({"grantees": grantees, "add": add, "revoke": revoke, "expected": expected})
    pulls = []
    for name, known, known_key, key, served, stale, gone, grantees, warnings in AFTER_PULL:
        got = sharing.share_list_after_pull(
            known=known,
            known_key=bytes.fromhex(KEY[known_key]) if known_key else None,
            key=bytes.fromhex(KEY[key]),
            served=served,
            stale=stale,
            gone=gone,
        )
        if (got.grantees, got.warnings) != (grantees, warnings):
            raise SystemExit(f"share_list_after_pull {name!r}: computed {got}")
        pulls.append(
            {
                "name": name,
                "known": known,
                "known_key": KEY[known_key] if known_key else None,
                "key": KEY[key],
                "served": served,
                "stale": stale,
                "gone": gone,
                "expected": {"grantees": grantees, "warnings": warnings},
            }
        )
    return {
        "description": "The sharing rules (sync/core/sharing.py, web/js/core/sharing.js). held_back(linked, state): "
        "why no record key may go to a peer (null: it may; linked null: no pin on this device; state: "
        "trust.judge's state of their pinned key). takes_from(state): whether their records are taken. "
        "grantees_after: the grantees plus add minus revoke (sorted). share_list_after_pull: the share "
        "list of an own record after a pull (grantee -> when shared) and the warnings it noticed; "
        "keys are lowercase hex.",
        "held_back": held_back,
        "takes_from": takes_from,
        "grantees_after": after,
        "share_list_after_pull": pulls,
    }
