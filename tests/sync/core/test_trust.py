"""sync/core/trust.py against tests/vectors/trust.json (the browser's trust.js reads the same file), plus the proof's
binding: a proof made for one client bundle, invite or therapist fails for any other."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import msgspec
import pytest

from between.sync.core import crypto, keys, safety, trust, wire
from between.sync.core.errors import ProtocolError

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "trust.json").read_text())
KEYS = {name: msgspec.convert(b, wire.KeyBundle, strict=False) for name, b in VECTORS["keys"].items()}


def b(text: str) -> bytes:
    return bytes.fromhex(text)


def _name(bundle: wire.KeyBundle | None) -> str | None:
    return None if bundle is None else next(n for n, k in KEYS.items() if trust.same_keys(k, bundle))


def test_invite_secret_and_proof_vectors() -> None:
    s = VECTORS["invite_secret"]
    assert trust.invite_secret(b(s["account_key"]), b(s["invite_id"])).hex() == s["secret"]
    p = VECTORS["invite_proof"]
    client = msgspec.convert(p["client_bundle"], wire.KeyBundle, strict=False)
    keys.verify_bundle(client)
    assert trust.bundle_digest(client).hex() == p["bundle_digest"]
    assert trust.invite_proof(b(p["secret"]), b(p["invite_id"]), b(p["therapist_id"]), client).hex() == p["proof"]


def _link(proof: bytes, *, invite_id: bytes, therapist: wire.KeyBundle, client: wire.KeyBundle) -> wire.CareLink:
    return wire.CareLink(
        link_id=uuid.uuid4(),
        therapist=therapist,
        client=client,
        created_at=0,
        invite_id=uuid.UUID(bytes=invite_id),
        proof=proof,
    )


def test_the_proof_holds_only_for_the_bundle_the_client_holds() -> None:
    p, s = VECTORS["invite_proof"], VECTORS["invite_secret"]
    client = msgspec.convert(p["client_bundle"], wire.KeyBundle, strict=False)
    therapist = KEYS["K1"]
    account_key, invite_id, proof = b(s["account_key"]), b(p["invite_id"]), b(p["proof"])
    assert (
        trust.check_invite_proof(account_key, _link(proof, invite_id=invite_id, therapist=therapist, client=client))
        == "valid"
    )
    # A server that swaps the client's key (or names another invite) makes the proof fail.
    swapped = msgspec.structs.replace(client, sig_pub=crypto.ed25519_public(crypto.random_bytes(32)))
    for link in (
        _link(proof, invite_id=invite_id, therapist=therapist, client=swapped),
        _link(proof, invite_id=crypto.random_bytes(16), therapist=therapist, client=client),
        _link(bytes(32), invite_id=invite_id, therapist=therapist, client=client),
    ):
        assert trust.check_invite_proof(account_key, link) == "invalid"
    # One invitation vouches for one person: the same invite id already used for someone else proves nothing.
    link = _link(proof, invite_id=invite_id, therapist=therapist, client=client)
    assert trust.check_invite_proof(account_key, link, {str(link.invite_id): p["used_by_another"]}) == "invalid"
    assert trust.check_invite_proof(account_key, link, {str(link.invite_id): str(client.user_id)}) == "valid"
    # Another therapist account (another account key) cannot vouch for it either.
    assert (
        trust.check_invite_proof(
            crypto.random_bytes(32), _link(proof, invite_id=invite_id, therapist=therapist, client=client)
        )
        == "invalid"
    )
    old = wire.CareLink(link_id=uuid.uuid4(), therapist=therapist, client=client, created_at=0)
    assert trust.check_invite_proof(account_key, old) == "none"


def test_invitation_links() -> None:
    v = VECTORS["invite_links"]
    made = safety.invite_url(v["origin"], v["token"], KEYS[v["bundle"]], b(v["secret"]))
    assert made == v["url"]
    for case in v["equivalent"]:
        link = safety.parse_invite_url(case["url"])
        assert (link.origin, link.token, link.fingerprint, link.handle, link.secret.hex()) == (
            v["origin"],
            v["token"],
            v["fingerprint"],
            v["handle"],
            v["secret"],
        ), case["name"]
    for case in v["invalid"]:
        with pytest.raises(ProtocolError):
            safety.parse_invite_url(case["url"])


def test_origins() -> None:
    for case in VECTORS["origins"]:
        if case["origin"] is None:
            with pytest.raises(ProtocolError):
                safety.normalise_origin(case["input"])
        else:
            assert safety.normalise_origin(case["input"]) == case["origin"], case["input"]


def test_verification_documents() -> None:
    v = VECTORS["verification_document"]
    found = trust.read_verification(v["document"])
    assert found is not None
    assert (_name(found.bundle), found.how, found.created_at, found.invite) == (
        v["reads_as"]["key"],
        v["reads_as"]["how"],
        v["reads_as"]["created_at"],
        v["reads_as"]["invite"],
    )
    doc = v["document"]
    made = trust.verification_document(found.bundle, found.how, found.created_at, doc["device"], found.invite)
    assert made == doc
    for case in v["ignored"]:
        assert trust.read_verification(case["document"]) is None, case["name"]


def _verifications(case: dict) -> list[trust.Verification]:
    return [trust.Verification(KEYS[x["key"]], x["how"], x["created_at"]) for x in case["verifications"]]


@pytest.mark.parametrize("case", VECTORS["judge"], ids=lambda c: c["name"])
def test_judge(case: dict) -> None:
    got = trust.judge(
        KEYS.get(case["served"] or ""),
        KEYS.get(case["pinned"] or ""),
        case["pinned_how"],
        _verifications(case),
        case["proof"],
    )
    assert {
        "pin": _name(got.pin),
        "how": got.how,
        "state": got.state,
        "changed": _name(got.changed),
        "record": got.record,
        "forget": got.forget,
    } == case["expected"]
    assert got.blocked == (case["expected"]["state"] in ("changed", "mismatch"))


def test_judge_is_the_same_whatever_order_the_verifications_arrive_in() -> None:
    for case in VECTORS["judge"]:
        vs = _verifications(case)
        args = (KEYS.get(case["served"] or ""), KEYS.get(case["pinned"] or ""), case["pinned_how"])
        assert trust.judge(*args, list(reversed(vs)), case["proof"]) == trust.judge(*args, vs, case["proof"])


def test_verified_at() -> None:
    for case in VECTORS["verified_at"]:
        vs = [trust.Verification(KEYS["K1"], "invite-link", at) for at in case["existing"]]
        assert trust.verified_at(vs, case["now"]) == case["expected"]
