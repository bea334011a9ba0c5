"""What a client does with one pulled record: `decide`, a pure function of what the server sent and what this device
holds (no SQL, no I/O, no crypto). Both engines call it (sync/client/inbox.py, web/js/core/pull.js) and pass the same
cases, tests/vectors/pull.json. The engine verifies the signature, key commitment and grants of whatever it stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import records, sharing
from .errors import BetweenError, CryptoError, ProtocolError, RollbackError

Kind = Literal[
    "ignore",
    "forget",
    "keep_own",
    "refuse",
    "hold",
    "unchanged",
    "store",
    "landed",
    "keep_pending",
    "landed_earlier",
    "merge",
]
Reason = Literal["inconsistent", "own_without_key", "own_as_shared", "not_pinned", "labels", "rollback", "forked"]


@dataclass(frozen=True, slots=True)
class Revision:
    """Who a revision says it is: the server's labels of a served head, or what the revision's own bytes say
    (its parsed header; `rev_id` = SHA-256(header ‖ ct)). `parent` is known from the bytes only."""

    record_id: str
    owner_id: str
    version: int
    rev_id: bytes
    parent: bytes | None = None


@dataclass(frozen=True, slots=True)
class Pulled:
    """One item of a pulled page: the server's labels (`access`, `record_id`, `owner_id`; `key`: an own record came
    with its key wrap), the served head's labels, and what the head's bytes say (`read`: None when there is no head,
    or for a removed record)."""

    access: str
    record_id: str
    owner_id: str
    key: bool = False
    head: Revision | None = None
    read: Revision | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """The own edit waiting in this device's outbox: its revision, the server version it was made on, and an
    earlier revision of this device that may have landed although its push answer was lost."""

    rev_id: bytes
    base_version: int
    sent_rev_id: bytes | None = None


@dataclass(frozen=True, slots=True)
class Here:
    """What this device holds under the record's id. `holds`: an own record (stored or only in the outbox), one
    someone shared (received), or nothing. `synced`: the server head it holds, as (version, rev_id). `high_water`:
    the newest (version, rev_id) it ever accepted. `owner_key`: trust.judge's state of the owner's pinned key (None:
    not pinned)."""

    me: str
    holds: Literal["own", "received"] | None = None
    synced: tuple[int, bytes] | None = None
    high_water: tuple[int, bytes] | None = None
    owner_key: str | None = None
    pending: Pending | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """What to do with the item. Every kind from `unchanged` on stores nothing before the item verifies.

    ignore: nothing here to change. forget: access to someone's record ended: drop it, keep the high-water mark.
    keep_own: the server says an own record was removed: never on its word. refuse: `reason` says why; nothing of
    the item is stored. hold: the owner's key is blocked: counted, pulled again once they are verified. unchanged:
    the head this device holds already (grants and indexes still refresh). store: a newer head, nothing pending:
    it becomes the head. landed: the pending edit itself, pushed before (its answer was lost): it leaves the outbox.
    keep_pending: the pending edit is based on this version or a later one: stored, the edit stays as it is.
    landed_earlier: an earlier push of this device landed and it edited since: the edit goes on top of it. merge:
    someone else's newer head meets a local edit: three-way merge onto it."""

    kind: Kind
    reason: Reason | None = None


_REMOVED: dict[str | None, Kind] = {"received": "forget", "own": "keep_own", None: "ignore"}


def _refuse(reason: Reason) -> Action:
    return Action("refuse", reason)


def decide(pulled: Pulled, here: Here) -> Action:
    """The one rule for a pulled record (PROTOCOL.md §8, "What a client checks", steps 2 and 10, and §10)."""
    if pulled.access == "removed":
        # Whose record it is comes from what this device holds, never from the server's owner_id: an own record
        # (stored, or only queued in the outbox) is never forgotten on the server's word.
        return Action(_REMOVED[here.holds])
    head, read = pulled.head, pulled.read
    if (
        pulled.access not in ("owner", "granted")
        or head is None
        or read is None
        or head.record_id != pulled.record_id
        or head.owner_id != pulled.owner_id
    ):
        return _refuse("inconsistent")
    if pulled.access == "owner":
        if pulled.owner_id != here.me or not pulled.key:
            return _refuse("own_without_key")
    else:
        if here.holds == "own":
            return _refuse("own_as_shared")  # the server cannot re-label what this device wrote
        if pulled.owner_id == here.me or here.owner_key is None:
            return _refuse("not_pinned")
        if not sharing.takes_from(here.owner_key):
            return Action("hold")  # held back, not refused: it comes again once the owner is verified
    # The server's labels around the revision (ids, version, rev_id) must agree with the bytes themselves: the
    # signature, context and key commitment cover the bytes, not the labels.
    if (
        read.rev_id != head.rev_id
        or read.version != head.version
        or read.record_id != head.record_id
        or read.owner_id != head.owner_id
    ):
        return _refuse("labels")
    try:
        records.check_high_water(here.high_water, read.version, read.rev_id)
    except RollbackError:
        return _refuse("rollback")
    synced = here.synced
    if synced is not None and read.version == synced[0] + 1 and read.parent != synced[1]:
        return _refuse("forked")  # the next version must descend from the head this device holds
    if synced is not None and synced[1] == read.rev_id:
        return Action("unchanged")
    pending = here.pending
    if pulled.access == "granted" or pending is None:
        return Action("store")
    if pending.rev_id == read.rev_id:
        return Action("landed")
    if pending.base_version >= read.version:
        return Action("keep_pending")
    if pending.sent_rev_id == read.rev_id:
        return Action("landed_earlier")
    return Action("merge")


# The error each refusal raises, as every engine words it (the detail never holds content).
REFUSALS: dict[Reason, tuple[type[BetweenError], str]] = {
    "inconsistent": (ProtocolError, "the server sent an inconsistent record"),
    "own_without_key": (ProtocolError, "an own record without its key"),
    "own_as_shared": (ProtocolError, "an own record served as shared"),
    "not_pinned": (CryptoError, "shared by someone who is not a pinned contact"),
    "labels": (CryptoError, "a served label (rev_id, version, owner or record id) does not match its bytes"),
    "rollback": (RollbackError, "the server served an older or forked revision"),
    "forked": (RollbackError, "the server served a forked revision: its parent is not the head before it"),
}


def refusal(reason: Reason) -> BetweenError:
    """The error to raise for a refused item."""
    cls, detail = REFUSALS[reason]
    return cls("bad_state", detail) if cls is ProtocolError else cls(detail=detail)
