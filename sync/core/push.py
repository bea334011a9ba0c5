"""The push decision (PROTOCOL.md §17, push rules 2 to 8): whether a server stores a pushed revision, judged against
the state it read for the push, free of SQL and I/O, so every implementation judges alike (tests/vectors/push.json).

A server reads a `State` for the records of one push, passes every item that passed the stateless checks (rule 1) as
an `Item` and every item those checks refused as its `Verdict`, and writes the items whose verdict is `new`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from . import sharing
from .layout import ZERO32

Status = Literal["ok", "conflict", "invalid", "forbidden", "aborted"]  # wire.PushResult.status


def sharing_digest(granted: Iterable[bytes], revoked: Iterable[bytes]) -> bytes:
    """The sharing change a revision was pushed with, by grantee ids only (a client that re-seals the same grants
    still matches): a replay of that revision must carry the same one."""
    g, r = sorted(granted), sorted(revoked)
    return hashlib.sha256(bytes([len(g)]) + b"".join(g) + b"".join(r)).digest()


@dataclass(frozen=True, slots=True)
class GrantTo:
    """What the decision reads of one grant: whom it gives the record key, and which of their keys it is sealed to."""

    grantee_id: bytes
    kem_hash: bytes  # the grant body's grantee_kem_hash


@dataclass(frozen=True, slots=True)
class Item:
    """A push item that passed the stateless checks, as the decision reads it. Those checks made every grant's key the
    header's `key_id`, and left no grantee twice in `grants` nor twice in `revoke`."""

    record_id: bytes
    base_version: int
    rev_id: bytes
    version: int  # the header's: base_version + 1
    parent: bytes  # the header's: the rev_id this revision follows (zeros for a new record)
    key_id: bytes  # the header's
    grants: tuple[GrantTo, ...] = ()
    revoke: tuple[bytes, ...] = ()  # grantee ids
    restored: bool = False  # re-sent after a restore: the revisions between the server's head and it were lost
    sharing: bytes = field(init=False)  # its sharing change (sharing_digest): judged, accepted and stored

    def __post_init__(self) -> None:
        object.__setattr__(self, "sharing", sharing_digest((g.grantee_id for g in self.grants), self.revoke))


@dataclass(frozen=True, slots=True)
class Head:
    """A record's current revision. `item`: the index of the item of this push that wrote it (None: stored before)."""

    owner_id: bytes
    version: int
    rev_id: bytes
    item: int | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    """A revision already stored: the owner's seq of its write, and the sharing change it was pushed with (None for
    revisions stored before that was recorded, migration 0002)."""

    seq: int
    sharing: bytes | None


@dataclass(slots=True)
class State:
    """What the server knows when it judges an item: read for the records of one push, then updated by every item it
    accepts (`accept`), so each item is judged against the stored state plus the items before it."""

    owner_id: bytes
    seq: int  # the owner's last seq
    heads: dict[bytes, Head] = field(default_factory=dict)  # record -> head; a record not here was never stored
    stored: dict[tuple[bytes, bytes], Stored] = field(default_factory=dict)  # (record, rev_id) -> stored revision
    # record -> {(grantee, key_id): active}: every grant row of the record, revoked ones too (a revoked grant keeps
    # its row, so a key that was ever given stays known)
    access: dict[bytes, dict[tuple[bytes, bytes], bool]] = field(default_factory=dict)
    peers: frozenset[bytes] = frozenset()  # everyone with a care link with the owner
    kem_pubs: dict[bytes, bytes] = field(default_factory=dict)  # grantee -> their current X25519 identity key


@dataclass(frozen=True, slots=True)
class Verdict:
    """One item's answer. `ok` with `new` is written at `seq`; `ok` without it is a replay of the revision stored at
    `seq`; `conflict` names the current head."""

    status: Status
    detail: str | None = None
    seq: int | None = None
    head: Head | None = None
    new: bool = False


ABORTED = Verdict("aborted")


def may_be_granted(grantee_id: bytes, peers: frozenset[bytes]) -> bool:
    """The sharing rule (sharing.may_grant) as a server can check it: a record key goes only to someone with a care
    link with the owner. The server has only its own word for a key, so it sees every key as not verified; a client
    also asks whether it trusts the grantee's key (PROTOCOL.md §18)."""
    return sharing.may_grant(grantee_id in peers, "unverified")


def judge(item: Item, state: State) -> Verdict:
    """The verdict of push rules 2 to 8 on `item`, the first rule that fails deciding it. Changes nothing."""
    rid = item.record_id
    head = state.heads.get(rid)
    if head is not None and head.owner_id != state.owner_id:
        return Verdict("forbidden", "only the owner writes a record")
    stored = state.stored.get((rid, item.rev_id))
    if stored is not None:
        if stored.sharing is not None and stored.sharing != item.sharing:
            # acknowledging it would tell the client grants or revokes took effect that never did
            return Verdict("invalid", "replayed revision with different grants or revokes")
        return Verdict("ok", seq=stored.seq)  # a replay: stored once, acknowledged again
    lost = item.restored and (head is None or head.version < item.base_version)
    # `lost`: re-sent after a restore, the revisions between the server's head and this one were lost with the
    # server's copy. It only moves the record forward and the owner signed it like any other revision (rule 1); a
    # head at or above its base_version is judged as usual (PROTOCOL.md "Restores and the server epoch").
    if not lost:
        if head is None and item.base_version != 0:
            # Nothing to be in conflict with: the record was never stored (or went with a deleted account).
            return Verdict("invalid", "no such record on the server: a new record starts at base_version 0")
        if head is not None and head.version != item.base_version:
            return Verdict("conflict", "base_version is not the head", head=head)
        if item.parent != (head.rev_id if head is not None else ZERO32):
            return Verdict("invalid", "parent is not the current head")
    for grant in item.grants:
        if not may_be_granted(grant.grantee_id, state.peers):
            return Verdict("forbidden", "grantee has no care link with the owner")
        if hashlib.sha256(state.kem_pubs.get(grant.grantee_id, b"")).digest() != grant.kem_hash:
            return Verdict("invalid", "grant is not sealed to the grantee's current key")
    granted = {g.grantee_id for g in item.grants}
    held = state.access.get(rid, {})
    for grantee in item.revoke:
        if grantee in granted:
            return Verdict("invalid", "a grantee is both granted and revoked")
        if (grantee, item.key_id) in held:  # active or revoked: the grantee ever held this key
            return Verdict("invalid", "revoking access needs a new record key")
    # Someone lost this key (unshared, or their care link ended) and was not given it back: they may still hold it,
    # so a new revision under it would be readable to them. Unsharing forces a new key.
    if any(k == item.key_id and not active and g not in granted for (g, k), active in held.items()):
        return Verdict("invalid", "this record key was revoked from a reader; the revision needs a new record key")
    return Verdict("ok", seq=state.seq + 1, new=True)


def accept(item: Item, state: State, index: int) -> None:
    """`state` after item `index` of the push was accepted, as it will be written: a revoke ends every grant of that
    grantee for the record, then the grants (re)give the key."""
    state.seq += 1
    rid = item.record_id
    state.heads[rid] = Head(state.owner_id, item.version, item.rev_id, index)
    state.stored[(rid, item.rev_id)] = Stored(state.seq, item.sharing)
    if item.revoke or item.grants:
        held = state.access.setdefault(rid, {})
        for g, k in list(held):
            if g in item.revoke:
                held[(g, k)] = False
        held.update(((g.grantee_id, item.key_id), True) for g in item.grants)


def judge_push(items: Sequence[Item | Verdict], state: State, atomic: bool) -> list[Verdict]:
    """Every item's verdict, in order (an item the stateless checks refused is passed as its verdict). With `atomic`,
    the first item that is not ok fails the push: it keeps its verdict, every other item says aborted, and nothing is
    new."""
    verdicts = []
    for n, item in enumerate(items):
        if isinstance(item, Verdict):
            verdict = item
        else:
            verdict = judge(item, state)
            if verdict.new:
                accept(item, state, n)
        if atomic and verdict.status != "ok":
            return [verdict if i == n else ABORTED for i in range(len(items))]
        verdicts.append(verdict)
    return verdicts
