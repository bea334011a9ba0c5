"""Tests of sync/core/pull.py: every case of tests/vectors/pull.json (the browser runs the same:
web/test/core/pull.test.js), and a real sealed revision whose served labels must match its bytes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from between.sync.core import crypto, keys, layout, pull, records, wire
from between.sync.core.errors import CryptoError, ProtocolError, RollbackError

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "pull.json").read_text(encoding="utf-8"))


def _revision(r: dict[str, Any] | None) -> pull.Revision | None:
    if r is None:
        return None
    parent = r.get("parent")
    return pull.Revision(
        r["record_id"],
        r["owner_id"],
        r["version"],
        bytes.fromhex(r["rev_id"]),
        None if parent is None else bytes.fromhex(parent),
    )


def _mark(pair: list[Any] | None) -> tuple[int, bytes] | None:
    return None if pair is None else (pair[0], bytes.fromhex(pair[1]))


def _case(case: dict[str, Any]) -> tuple[pull.Pulled, pull.Here]:
    p, h, pending = case["pulled"], case["here"], case["here"]["pending"]
    return (
        pull.Pulled(p["access"], p["record_id"], p["owner_id"], p["key"], _revision(p["head"]), _revision(p["read"])),
        pull.Here(
            h["me"],
            h["holds"],
            _mark(h["synced"]),
            _mark(h["high_water"]),
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


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_decide_gives_the_action_of_every_vector(case: dict[str, Any]) -> None:
    action = pull.decide(*_case(case))
    assert {"kind": action.kind, "reason": action.reason} == case["expected"]


def test_the_vectors_cover_every_action_and_every_reason() -> None:
    assert {c["expected"]["kind"] for c in VECTORS["cases"]} == set(VECTORS["kinds"])
    assert {c["expected"]["reason"] for c in VECTORS["cases"]} - {None} == set(VECTORS["reasons"])


@pytest.mark.parametrize("reason", sorted(VECTORS["reasons"]))
def test_each_refusal_raises_the_error_both_engines_name(reason: str) -> None:
    error = pull.refusal(reason)  # type: ignore[arg-type]
    named = {"ProtocolError": ProtocolError, "CryptoError": CryptoError, "RollbackError": RollbackError}
    assert type(error) is named[VECTORS["reasons"][reason]["error"]]
    assert error.detail == VECTORS["reasons"][reason]["detail"]


# ---------------------------------------------------------------- a real revision and the server's labels around it

ALICE = keys.AccountSecrets(
    user_id=uuid.uuid4().bytes,
    handle="alice",
    role="client",
    account_key=crypto.random_bytes(32),
    sig_seed=crypto.random_bytes(32),
    kem_seed=crypto.random_bytes(32),
)
THEO = uuid.uuid4()
RECORD = uuid.uuid4()


def _served(stored: wire.StoredRevision) -> pull.Pulled:
    """An own record as a client reads it: the server's labels, and what the revision's bytes say."""
    header = layout.Header.parse(stored.revision.header)
    return pull.Pulled(
        "owner",
        str(stored.record_id),
        str(stored.owner_id),
        True,
        pull.Revision(str(stored.record_id), str(stored.owner_id), stored.version, stored.rev_id),
        pull.Revision(
            str(uuid.UUID(bytes=header.record_id)),
            str(uuid.UUID(bytes=header.owner_id)),
            header.version,
            records.rev_id(stored.revision.header, stored.revision.ct),
            header.parent,
        ),
    )


def test_stored_revision_labels_must_match_the_bytes() -> None:
    """Each label the server puts around a revision (record id, owner, version, rev_id) is checked against the bytes
    on its own: the item and its head name the same (wrong) record or owner, so only this check can catch it."""
    rev = records.seal_revision(
        owner_id=ALICE.user_id,
        record_id=RECORD,
        version=1,
        parent=None,
        key_id=crypto.random_bytes(16),
        dek=crypto.random_bytes(32),
        plaintext=records.encode_document({"v": 1}),
        sig_seed=ALICE.sig_seed,
    )
    _header, rid = records.verify_revision(rev, ALICE.sig_pub)
    me = str(uuid.UUID(bytes=ALICE.user_id))
    stored = wire.StoredRevision(record_id=RECORD, owner_id=uuid.UUID(me), version=1, rev_id=rid, revision=rev, seq=7)
    assert pull.decide(_served(stored), pull.Here(me)) == pull.Action("store")  # the control
    for changes in (
        {"record_id": uuid.uuid4()},
        {"owner_id": THEO},
        {"version": 2},
        {"rev_id": crypto.random_bytes(32)},
    ):
        lying = _served(msgspec.structs.replace(stored, **changes))
        # The item's own labels follow the head's, as a server relabelling a revision would serve them.
        lying = pull.Pulled(lying.access, lying.head.record_id, lying.head.owner_id, True, lying.head, lying.read)
        here = pull.Here(lying.owner_id)  # an own record of whoever the labels name: only the bytes disagree
        assert pull.decide(lying, here) == pull.Action("refuse", "labels"), changes
