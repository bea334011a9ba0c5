"""tests/vectors/pull.json: what a client does with one pulled record (sync/core/pull.py `decide`, web/js/core/pull.js).
Built by `python -m tests.vectors.generate` with the other files.

Every expected action below is written out by hand; build() refuses to produce the file when decide disagrees. The
cases cover every branch of decide and the order of its checks (a case breaking two rules names the first)."""

from __future__ import annotations

import uuid
from typing import Any

from between.sync.core import pull
from tests.vectors.generate import fixed

# Names a reader can follow; the file holds the real values (UUID text, lowercase hex).
IDS = {name: str(uuid.UUID(bytes=fixed("pull/" + name, 16))) for name in ("me", "peer", "R", "R2")}
REVS = {name: fixed("pull/rev/" + name).hex() for name in ("r1", "r2", "r3", "r3b", "r4", "x")}


def _rev(version: int, rev: str, parent: str | None, record: str = "R", owner: str = "me") -> dict[str, Any]:
    return {"record_id": record, "owner_id": owner, "version": version, "rev_id": rev, "parent": parent}


def own(version: int = 3, rev: str = "r3", parent: str | None = "r2", **over: Any) -> dict[str, Any]:
    """An own record as the server serves it: labels and bytes agree unless a case says otherwise."""
    head = _rev(version, rev, None)
    del head["parent"]
    read = _rev(version, rev, parent)
    item = {"access": "owner", "record_id": "R", "owner_id": "me", "key": True, "head": head, "read": read}
    return _apply(item, over)


def shared(version: int = 3, rev: str = "r3", parent: str | None = "r2", **over: Any) -> dict[str, Any]:
    """A record the peer shared with this account."""
    item = own(version, rev, parent, access="granted", owner_id="peer", key=False)
    item["head"]["owner_id"] = item["read"]["owner_id"] = "peer"
    return _apply(item, over)


def removed(owner: str = "peer") -> dict[str, Any]:
    return {"access": "removed", "record_id": "R", "owner_id": owner, "key": False, "head": None, "read": None}


def _apply(item: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        part, _, field = key.partition("__")
        if field:
            item[part] = None if item[part] is None else {**item[part], field: value}
        else:
            item[part] = value
    return item


def here(
    holds: str | None = None,
    synced: tuple[int, str] | None = None,
    high_water: tuple[int, str] | None = None,
    owner_key: str | None = None,
    pending: tuple[str, int, str | None] | None = None,
) -> dict[str, Any]:
    """What this device holds; `high_water` defaults to `synced` (they move together)."""
    return {
        "me": "me",
        "holds": holds,
        "synced": synced,
        "high_water": high_water or synced,
        "owner_key": owner_key,
        "pending": None
        if pending is None
        else {"rev_id": pending[0], "base_version": pending[1], "sent_rev_id": pending[2]},
    }


def act(kind: str, reason: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "reason": reason}


PINNED = "verified"
# name, pulled, here -> expected
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    # access ended
    ("removed: someone's shared record is dropped", removed(), here("received", (3, "r3")), act("forget")),
    (
        "removed: an own record is never forgotten on the server's word",
        removed("peer"),
        here("own", (3, "r3")),
        act("keep_own"),
    ),
    ("removed: an own record only in the outbox", removed("me"), here("own", pending=("r1", 0, None)), act("keep_own")),
    ("removed: nothing here under that id", removed(), here(), act("ignore")),
    (
        "removed: a forgotten record (only its high-water mark is left)",
        removed(),
        here(high_water=(3, "r3")),
        act("ignore"),
    ),
    # the server's labels around the item
    ("no head", own(head=None, read=None), here(), act("refuse", "inconsistent")),
    ("the head names another record than the item", own(head__record_id="R2"), here(), act("refuse", "inconsistent")),
    ("the head names another owner than the item", own(head__owner_id="peer"), here(), act("refuse", "inconsistent")),
    ("an access this version does not know", own(access="shared"), here(), act("refuse", "inconsistent")),
    (
        "inconsistent comes before the rollback check",
        own(head__record_id="R2", version=1, rev="r1", parent=None),
        here("own", (3, "r3")),
        act("refuse", "inconsistent"),
    ),
    # own records
    (
        "own access for someone else's record",
        own(owner_id="peer", head__owner_id="peer", read__owner_id="peer"),
        here(),
        act("refuse", "own_without_key"),
    ),
    ("an own record without its key wrap", own(key=False), here(), act("refuse", "own_without_key")),
    ("a new own record (made on another own device)", own(1, "r1", None), here(), act("store")),
    ("a newer own head, nothing pending", own(), here("own", (2, "r2")), act("store")),
    ("the own head this device holds already", own(), here("own", (3, "r3")), act("unchanged")),
    (
        "several versions ahead: the parent is not checked (this device does not hold it)",
        own(4, "r4", "x"),
        here("own", (2, "r2")),
        act("store"),
    ),
    # records someone shared
    ("a shared record from a pinned, verified owner", shared(), here(owner_key=PINNED), act("store")),
    (
        "an owner only the server vouches for is taken (marked not verified)",
        shared(),
        here(owner_key="unverified"),
        act("store"),
    ),
    ("a newer version of a shared record", shared(), here("received", (2, "r2"), owner_key=PINNED), act("store")),
    (
        "a shared record this device holds already",
        shared(),
        here("received", (3, "r3"), owner_key=PINNED),
        act("unchanged"),
    ),
    (
        "an own record served as someone else's",
        shared(),
        here("own", (3, "r3"), owner_key=PINNED),
        act("refuse", "own_as_shared"),
    ),
    ("own_as_shared comes before the owner's pin", shared(), here("own", (3, "r3")), act("refuse", "own_as_shared")),
    (
        "shared by this account itself",
        shared(owner_id="me", head__owner_id="me", read__owner_id="me"),
        here(),
        act("refuse", "not_pinned"),
    ),
    ("shared by someone who is not pinned here", shared(), here(), act("refuse", "not_pinned")),
    ("an owner whose key changed: held back", shared(), here(owner_key="changed"), act("hold")),
    ("an owner whose key does not match the invitation: held back", shared(), here(owner_key="mismatch"), act("hold")),
    ("held back before its labels are read", shared(head__rev_id="x"), here(owner_key="changed"), act("hold")),
    # the labels against the bytes
    ("the served rev_id is not the hash of the bytes", own(head__rev_id="x"), here(), act("refuse", "labels")),
    ("the served version is not the header's", own(head__version=4), here(), act("refuse", "labels")),
    ("item and head name a record the header does not", own(read__record_id="R2"), here(), act("refuse", "labels")),
    (
        "item and head name an owner the header does not",
        shared(read__owner_id="me"),
        here(owner_key=PINNED),
        act("refuse", "labels"),
    ),
    (
        "labels come before the rollback check",
        own(2, "r2", "r1", head__rev_id="x"),
        here("own", (3, "r3")),
        act("refuse", "labels"),
    ),
    # rollback and fork
    ("an older version than ever accepted", own(2, "r2", "r1"), here("own", (3, "r3")), act("refuse", "rollback")),
    ("the same version with another rev_id", own(3, "r3b", "r2"), here("own", (3, "r3")), act("refuse", "rollback")),
    (
        "an older version of a record forgotten after its share ended",
        shared(2, "r2", "r1"),
        here(high_water=(3, "r3"), owner_key=PINNED),
        act("refuse", "rollback"),
    ),
    (
        "shared again after it ended, at the version last seen",
        shared(),
        here(high_water=(3, "r3"), owner_key=PINNED),
        act("store"),
    ),
    (
        "the next version does not descend from the head held here",
        own(3, "r3", "x"),
        here("own", (2, "r2")),
        act("refuse", "forked"),
    ),
    (
        "a forked next version of a shared record",
        shared(3, "r3", "x"),
        here("received", (2, "r2"), owner_key=PINNED),
        act("refuse", "forked"),
    ),
    (
        "rollback comes before the fork check",
        own(2, "r2", "x"),
        here("own", (1, "r1"), high_water=(3, "r3")),
        act("refuse", "rollback"),
    ),
    # a local edit waits in the outbox
    (
        "the pending edit itself came back (its push answer was lost)",
        own(3, "r3", "r2"),
        here("own", (2, "r2"), pending=("r3", 2, "r3")),
        act("landed"),
    ),
    (
        "a new record whose first push landed unacknowledged",
        own(1, "r1", None),
        here("own", pending=("r1", 0, "r1")),
        act("landed"),
    ),
    (
        "an earlier push landed and the record was edited since",
        own(3, "r3", "r2"),
        here("own", (2, "r2"), pending=("r4", 2, "r3")),
        act("landed_earlier"),
    ),
    (
        "someone else's newer head meets a local edit: merged",
        own(3, "r3", "r2"),
        here("own", (2, "r2"), pending=("r4", 2, None)),
        act("merge"),
    ),
    (
        "a rival first version meets a never-pushed record",
        own(1, "r1", None),
        here("own", pending=("x", 0, None)),
        act("merge"),
    ),
    (
        "the pending edit is based on this version already",
        own(3, "r3", "r2"),
        here("own", pending=("r4", 3, None)),
        act("keep_pending"),
    ),
    (
        "the same head as held, with an edit pending: unchanged",
        own(),
        here("own", (3, "r3"), pending=("r4", 3, None)),
        act("unchanged"),
    ),
]


def _resolve(value: Any, field: str) -> Any:
    if value is None:
        return None
    if field in ("record_id", "owner_id", "me"):
        return IDS[value]
    if field in ("rev_id", "parent", "sent_rev_id"):
        return REVS[value]
    return value


def _item(item: dict[str, Any]) -> dict[str, Any]:
    out = {k: _resolve(v, k) for k, v in item.items() if k not in ("head", "read")}
    for part in ("head", "read"):
        out[part] = None if item[part] is None else {k: _resolve(v, k) for k, v in item[part].items()}
    return out


def _here(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "me": IDS[h["me"]],
        "holds": h["holds"],
        "synced": None if h["synced"] is None else [h["synced"][0], REVS[h["synced"][1]]],
        "high_water": None if h["high_water"] is None else [h["high_water"][0], REVS[h["high_water"][1]]],
        "owner_key": h["owner_key"],
        "pending": None if h["pending"] is None else {k: _resolve(v, k) for k, v in h["pending"].items()},
    }


def decide(pulled_json: dict[str, Any], here_json: dict[str, Any]) -> pull.Action:
    """pull.decide over a case as the file holds it (also what tests/sync/core/test_pull.py runs)."""

    def revision(r: dict[str, Any] | None) -> pull.Revision | None:
        if r is None:
            return None
        return pull.Revision(
            r["record_id"],
            r["owner_id"],
            r["version"],
            bytes.fromhex(r["rev_id"]),
            None if r.get("parent") is None else bytes.fromhex(r["parent"]),
        )

    def mark(pair: list[Any] | None) -> tuple[int, bytes] | None:
        return None if pair is None else (pair[0], bytes.fromhex(pair[1]))

    p, h = pulled_json, here_json
    pending = h["pending"]
    return pull.decide(
        pull.Pulled(p["access"], p["record_id"], p["owner_id"], p["key"], revision(p["head"]), revision(p["read"])),
        pull.Here(
            h["me"],
            h["holds"],
            mark(h["synced"]),
            mark(h["high_water"]),
            h["owner_key"],
            None
            if pending is None
            else pull.Pending(
                bytes.fromhex(pending["rev_id"]),
                pending["base_version"],
                None if pending["sent_rev_id"] is None else bytes.fromhex(pending["sent_rev_id"]),
            ),
        ),
    )


def build() -> dict[str, Any]:
    cases = []
    names = set()
    for name, item, h, expected in CASES:
        if name in names:
            raise SystemExit(f"pull case named twice: {name}")
        names.add(name)
        case = {"name": name, "pulled": _item(item), "here": _here(h), "expected": expected}
        got = decide(case["pulled"], case["here"])
        if {"kind": got.kind, "reason": got.reason} != expected:
            raise SystemExit(f"pull {name!r}: decide says {got}, the case says {expected}")
        cases.append(case)
    kinds = {c["expected"]["kind"] for c in cases}
    reasons = {c["expected"]["reason"] for c in cases} - {None}
    if kinds != set(pull.Kind.__args__) or reasons != set(pull.Reason.__args__):  # type: ignore[attr-defined]
        raise SystemExit(f"pull cases miss a kind or a reason: {kinds}, {reasons}")
    return {
        "description": "What a client does with one pulled record (sync/core/pull.py decide, web/js/core/pull.js): "
        "`pulled` is the item as served (access, ids, whether an own record came with its key "
        "wrap: `key`), `head` the served head's labels and `read` what its bytes say (header "
        "ids, version and parent; rev_id = SHA-256(header || ct)); `here` what the device holds "
        "(holds: own, received or null; synced and high_water: [version, rev_id]; owner_key: the "
        "owner's pinned key state, null when not pinned; pending: the outbox edit). `expected` is "
        "{kind, reason}. Ids are UUID text; rev ids lowercase hex.",
        "kinds": list(pull.Kind.__args__),  # type: ignore[attr-defined]
        "reasons": {
            reason: {"error": cls.__name__, "detail": detail} for reason, (cls, detail) in pull.REFUSALS.items()
        },
        "cases": cases,
    }
