"""server/api/sync.py: the stateless checks of a push (prepare) over the real app, where they run (the event loop or a
worker thread), and grants to strangers refused before any signature is checked."""

from __future__ import annotations

import asyncio

import builders as b
import msgspec
from harness import dump

from between.sync.core import crypto, push, records, wire


def test_header_naming_another_owner_or_record_is_invalid(api):
    alice, bob = api.register("alice"), api.register("bobby")
    rec = b.Rec(alice)
    before = dump(api.db)
    for item in (
        b.tampered(rec, owner_id=bob.user_id),
        b.tampered(rec, record_id=crypto.random_bytes(16)),
        b.tampered(rec, version=2, parent=crypto.random_bytes(32)),
    ):
        [res] = api.push(alice, [item])
        assert res["status"] == "invalid", res
    assert dump(api.db) == before


def test_bad_signature_is_invalid(api):
    alice, bob = api.register("alice"), api.register("bobby")
    rec = b.Rec(alice)
    item = rec.item(advance=False)
    forged = wire.Revision(
        header=item.revision.header,
        ct=item.revision.ct,
        signature=crypto.ed25519_sign(
            bob.secrets.sig_seed, b"between/v1/rev" + records.rev_id(item.revision.header, item.revision.ct)
        ),
    )
    flipped = wire.Revision(
        header=item.revision.header,
        ct=item.revision.ct[:-1] + bytes([item.revision.ct[-1] ^ 1]),
        signature=item.revision.signature,
    )
    for rev in (forged, flipped):
        bad = wire.PushItem(record_id=item.record_id, base_version=0, revision=rev, dek_wrap=item.dek_wrap)
        assert api.push(alice, [bad])[0]["status"] == "invalid"
    assert dump(api.db, ("revisions", "records"))["revisions"] == []


def test_oversized_ciphertext_is_invalid(api_factory):
    api = api_factory(max_revision_bytes=2048)
    alice = api.register("alice")
    rec = b.Rec(alice)
    [res] = api.push(alice, [rec.item(b"x" * 4000)])
    assert res["status"] == "invalid"
    rec.version, rec.head = 0, bytes(32)
    assert api.push(alice, [rec.item(b"x" * 100)])[0]["status"] == "ok"


def test_a_grantee_twice_in_one_item_is_invalid(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    item = rec.item(grant_to=[therapist, therapist], advance=False)
    before = dump(api.db)
    [res] = api.push(client, [item])
    assert res["status"] == "invalid" and "twice" in res["detail"]
    assert dump(api.db) == before


def test_a_grantee_revoked_twice_in_one_item_is_invalid(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    rec.rekey()
    before = dump(api.db)
    [res] = api.push(client, [rec.item(revoke=[therapist, therapist], advance=False)])
    assert res["status"] == "invalid" and "twice" in res["detail"]
    assert dump(api.db) == before
    assert api.push(client, [rec.item(revoke=[therapist])])[0]["status"] == "ok"


def test_signature_checks_of_a_large_push_run_off_the_event_loop(api, monkeypatch):
    """Up to 500 items of 17 signatures each would stall every other request if checked on the event loop: above
    INLINE_SIGNATURES they are checked on a worker thread. Where each check ran is recorded (a thread with a running
    event loop, or one without), not how long anything took; the timing is bench/bench_loop.py's."""
    from between.server.api import sync as sync_api

    alice = api.register("alice")
    therapist = api.register("dr-lee", "therapist")
    api.link(therapist, alice)
    where: list[str] = []

    def spying(check):
        def run(*args):
            try:
                asyncio.get_running_loop()
                where.append("event loop")
            except RuntimeError:
                where.append("worker thread")
            return check(*args)

        return run

    monkeypatch.setattr(sync_api.records, "verify_revision", spying(sync_api.records.verify_revision))
    monkeypatch.setattr(sync_api.records, "verify_grant", spying(sync_api.records.verify_grant))
    small = [b.Rec(alice).item(grant_to=[therapist])]  # 2 signatures: cheaper checked where they arrive
    assert [r["status"] for r in api.push(alice, small)] == ["ok"]
    assert where == ["event loop"] * 2  # the spy tells the two apart
    where.clear()
    large = [b.Rec(alice).item(grant_to=[therapist]) for _ in range(sync_api.INLINE_SIGNATURES)]
    assert {r["status"] for r in api.push(alice, large)} == {"ok"}
    assert where == ["worker thread"] * (2 * len(large))


def test_grants_to_strangers_are_refused_before_their_signatures_are_checked(api, monkeypatch):
    """A push granting to people without a care link must fail: it is refused without paying for its up to 17
    signature checks an item (a stranger with an account could otherwise buy seconds of server time a request)."""
    from between.server.api import sync as sync_api

    alice = api.register("alice")
    strangers = [b.new_account(f"peer{i}") for i in range(wire.MAX_GRANTS_PER_ITEM)]
    item = b.Rec(alice).item(grant_to=strangers, advance=False)
    checked = []
    real = sync_api.records.verify_grant
    monkeypatch.setattr(sync_api.records, "verify_grant", lambda *a: checked.append(1) or real(*a))
    results = api.push(alice, [item] * 20)
    assert {r["status"] for r in results} == {"forbidden"} and checked == []


# ---------------------------------------------------------------- checks behind other checks
# Each test below feeds an input that every other layer accepts, so it fails when only the named check is removed
# (docs/INTERNALS.md, "Testing").


def test_a_grant_not_signed_by_the_owner_is_invalid_and_stores_no_grant(two_linked):
    """server/api/sync.py prepare: records.verify_grant. The grantee is linked, the body names this owner, record
    and key and the therapist's current key: only the signature is wrong."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    item = rec.item(grant_to=[therapist], advance=False)
    [grant] = item.grants
    message = grant.body + crypto.sha256(grant.sealed)
    forged = [
        crypto.random_bytes(64),
        crypto.ed25519_sign(therapist.secrets.sig_seed, message),
        crypto.ed25519_sign(crypto.random_bytes(32), message),
    ]
    before = dump(api.db)
    for signature in forged:
        bad = msgspec.structs.replace(item, grants=[msgspec.structs.replace(grant, signature=signature)])
        [res] = api.push(client, [bad])
        assert (res["status"], res["detail"]) == ("invalid", "grant failed verification")
    assert dump(api.db) == before
    assert api.push(client, [item])[0]["status"] == "ok"  # the same item, signed by its owner
    assert len(dump(api.db, ("grants",))["grants"]) == 1


def test_a_grant_naming_another_owner_record_or_key_is_invalid(two_linked):
    """prepare: the grant body must name this item's owner, record and key. Each grant here is signed by the
    owner and sealed to the linked grantee's current key: only the naming is off."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    item = rec.item(grant_to=[therapist], advance=False)
    named = {"owner_id": client.user_id, "record_id": rec.record_id, "key_id": rec.key_id}
    before = dump(api.db)
    for change in (
        {"owner_id": therapist.user_id},
        {"record_id": crypto.random_bytes(16)},
        {"key_id": crypto.random_bytes(16)},
    ):
        grant = records.make_grant(
            sig_seed=client.secrets.sig_seed,
            dek=rec.dek,
            grantee_id=therapist.user_id,
            grantee_kem_pub=therapist.secrets.kem_pub,
            **(named | change),
        )
        [res] = api.push(client, [msgspec.structs.replace(item, grants=[grant])])
        assert (res["status"], res["detail"]) == ("invalid", "grant names another owner, record or key"), change
    assert dump(api.db) == before


def test_a_grant_to_the_owner_itself_is_refused_by_prepare_even_without_the_care_link_list():
    """prepare: "an owner does not grant to itself". Over HTTP the care-link pre-check refuses it first (the owner
    is nobody's peer); prepare called without `peers`, as its contract allows, must refuse it on its own."""
    from between.server.api.sync import prepare

    owner = b.new_account("alice")
    item = b.Rec(owner).item(grant_to=[owner], advance=False)
    got = prepare(item, owner.user_id, owner.secrets.sig_pub, 1 << 20)
    assert got.judged == push.Verdict("invalid", "an owner does not grant to itself")
    assert prepare(item, owner.user_id, owner.secrets.sig_pub, 1 << 20, frozenset()).judged.status == "forbidden"


def test_a_header_version_that_skips_ahead_is_invalid(api):
    """prepare: header version = base_version + 1. Here the parent is the real head, so the store's parent and
    base checks pass: without this check version 3 would follow version 1."""
    alice = api.register("alice")
    rec = b.Rec(alice)
    api.push(alice, [rec.item(b"v1")])
    rev = records.seal_revision(
        owner_id=alice.user_id,
        record_id=rec.record_id,
        version=3,
        parent=rec.head,
        key_id=rec.key_id,
        dek=rec.dek,
        plaintext=b"v3",
        sig_seed=alice.secrets.sig_seed,
    )
    skipping = wire.PushItem(record_id=rec.record_id, base_version=1, revision=rev, dek_wrap=rec.item().dek_wrap)
    before = dump(api.db)
    [res] = api.push(alice, [skipping])
    assert (res["status"], res["detail"]) == ("invalid", "header version must be base_version + 1")
    assert dump(api.db) == before
