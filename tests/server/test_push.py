"""Push rules: ownership, heads, idempotence, signatures, atomic batches, grants and revocation."""

from __future__ import annotations

import builders as b
import msgspec
from harness import dump

from between.sync.core import crypto, push, records, wire
from between.sync.core.layout import Header


def test_push_then_pull_round_trip(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    [res] = api.push(alice, [rec.item(b"first")])
    assert res["status"] == "ok" and res["seq"] >= 1
    items, cursor = api.pull_all(alice)
    assert cursor == res["seq"]
    [state] = [msgspec.convert(i, wire.RecordState) for i in items]
    assert state.access == "owner" and state.head.version == 1 and state.head.rev_id == rec.head
    dek = records.unwrap_dek(alice.secrets.kwk, alice.user_id, rec.record_id, rec.key_id, state.dek_wrap)
    _, plaintext = records.open_revision(state.head.revision, owner_id=alice.user_id, record_id=rec.record_id,
                                         dek=dek, key_id=rec.key_id, signer_pub=alice.secrets.sig_pub)
    assert plaintext == b"first"


def test_stale_base_conflicts_and_never_overwrites(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    api.push(alice, [rec.item(b"v1")])
    api.push(alice, [rec.item(b"v2 from laptop")])
    # another device still at version 1 writes its own version 2
    fork = b.Rec(alice, record_id=rec.record_id, dek=rec.dek, key_id=rec.key_id)
    fork.version, fork.head = 1, None
    items, _ = api.pull_all(alice)
    head_before = items[0]["head"]
    v1_rev = api.get(f"/records/{rec.record_id}/history", alice).json()["revisions"][-1]
    fork.head = msgspec.convert(v1_rev, wire.StoredRevision).rev_id
    [res] = api.push(alice, [fork.item(b"v2 from phone")])
    assert res["status"] == "conflict"
    assert res["head"] == head_before
    items, _ = api.pull_all(alice)
    assert items[0]["head"] == head_before


def test_same_revision_twice_is_stored_once(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    item = rec.item()
    first = api.push(alice, [item])[0]
    second = api.push(alice, [item])[0]
    assert first == second and first["status"] == "ok"
    api.push(alice, [rec.item(b"v2")])
    third = api.push(alice, [item])[0]  # a replay after the head moved on is still acknowledged
    assert third == first
    rows = dump(api.db, ("revisions",))["revisions"]
    assert len(rows) == 2


def _tampered(rec: b.Rec, **header_changes) -> wire.PushItem:
    item = rec.item(advance=False)
    h = Header.parse(item.revision.header)
    fields = {f: getattr(h, f) for f in Header.__slots__} | header_changes
    header = Header(**fields).pack()
    o = rec.owner
    sig = crypto.ed25519_sign(o.secrets.sig_seed, b"between/v1/rev" + records.rev_id(header, item.revision.ct))
    rev = wire.Revision(header=header, ct=item.revision.ct, signature=sig)
    return wire.PushItem(record_id=item.record_id, base_version=item.base_version, revision=rev,
                         dek_wrap=item.dek_wrap)


def test_header_naming_another_owner_or_record_is_invalid(api):
    alice, bob = api.register("alice"), api.register("bobby")
    rec = b.Rec(alice)
    before = dump(api.db)
    for item in (_tampered(rec, owner_id=bob.user_id), _tampered(rec, record_id=crypto.random_bytes(16)),
                 _tampered(rec, version=2, parent=crypto.random_bytes(32))):
        [res] = api.push(alice, [item])
        assert res["status"] == "invalid", res
    assert dump(api.db) == before


def test_bad_signature_is_invalid(api):
    alice, bob = api.register("alice"), api.register("bobby")
    rec = b.Rec(alice)
    item = rec.item(advance=False)
    forged = wire.Revision(header=item.revision.header, ct=item.revision.ct,
                           signature=crypto.ed25519_sign(bob.secrets.sig_seed, b"between/v1/rev" +
                                                         records.rev_id(item.revision.header, item.revision.ct)))
    flipped = wire.Revision(header=item.revision.header, ct=item.revision.ct[:-1] + bytes([item.revision.ct[-1] ^ 1]),
                            signature=item.revision.signature)
    for rev in (forged, flipped):
        bad = wire.PushItem(record_id=item.record_id, base_version=0, revision=rev, dek_wrap=item.dek_wrap)
        assert api.push(alice, [bad])[0]["status"] == "invalid"
    assert dump(api.db, ("revisions", "records"))["revisions"] == []


def test_wrong_parent_is_invalid(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    api.push(alice, [rec.item()])
    rec.head = crypto.random_bytes(32)
    assert api.push(alice, [rec.item()])[0]["status"] == "invalid"


def test_atomic_batch_with_one_bad_item_stores_nothing(api):
    alice = api.register("alice")
    good1, good2, bad = b.Rec(alice), b.Rec(alice), b.Rec(alice)
    bad_item = _tampered(bad, record_id=crypto.random_bytes(16))
    before = dump(api.db)
    results = api.push(alice, [good1.item(), bad_item, good2.item()], atomic=True)
    assert [r["status"] for r in results] == ["aborted", "invalid", "aborted"]
    assert dump(api.db) == before
    # same batch non-atomic: the good ones land
    good1.version = good2.version = 0
    good1.head = good2.head = bytes(32)
    results = api.push(alice, [good1.item(), bad_item, good2.item()])
    assert [r["status"] for r in results] == ["ok", "invalid", "ok"]


def test_atomic_batch_with_a_conflict_stores_nothing(api):
    alice = api.register("alice")
    a, c = b.Rec(alice), b.Rec(alice)
    api.push(alice, [c.item()])
    c.version, c.head = 0, bytes(32)
    stale = c.item(b"other v1")
    before = dump(api.db)
    results = api.push(alice, [a.item(), stale], atomic=True)
    assert [r["status"] for r in results] == ["aborted", "conflict"]
    assert dump(api.db) == before


def test_two_versions_of_one_record_in_one_push(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    results = api.push(alice, [rec.item(b"1"), rec.item(b"2")], atomic=True)
    assert [r["status"] for r in results] == ["ok", "ok"] and results[0]["seq"] < results[1]["seq"]


def test_grantee_and_stranger_cannot_write(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    # the therapist signs a next version with its own key for the client's record
    theirs = b.Rec(therapist, record_id=rec.record_id, dek=rec.dek, key_id=rec.key_id, version=1, head=rec.head)
    before = dump(api.db)
    assert api.push(therapist, [theirs.item()])[0]["status"] in ("forbidden", "invalid")
    stranger = api.register("eve-x")
    other = b.Rec(stranger, record_id=rec.record_id, version=1, head=rec.head)
    assert api.push(stranger, [other.item()])[0]["status"] in ("forbidden", "invalid")
    assert dump(api.db, ("revisions", "records")) == {k: before[k] for k in ("revisions", "records")}


def test_grantee_pushing_with_its_own_header_is_forbidden(two_linked):
    """A header naming the grantee as owner of an existing record: the record's owner is someone else."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    theirs = b.Rec(therapist, record_id=rec.record_id)  # version 1 under the therapist's ownership
    [res] = api.push(therapist, [theirs.item()])
    assert res["status"] == "forbidden"


def test_grant_needs_a_care_link(api):
    alice, bob = api.register("alice"), api.register("bobby", "therapist")
    rec = b.Rec(alice)
    [res] = api.push(alice, [rec.item(grant_to=[bob])])
    assert res["status"] == "forbidden"
    assert dump(api.db, ("grants",))["grants"] == []


def test_unshare_without_rekey_is_rejected(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    before = dump(api.db)
    [res] = api.push(client, [rec.item(revoke=[therapist], advance=False)])
    assert res["status"] == "invalid" and "key" in res["detail"]
    assert dump(api.db) == before
    rec.rekey()
    [res] = api.push(client, [rec.item(revoke=[therapist])])
    assert res["status"] == "ok"
    # going back to the old key afterwards is also refused
    grants = dump(api.db, ("grants",))["grants"]
    assert len(grants) == 1 and grants[0][7] is not None and grants[0][4] == b""  # revoked, sealed key erased


def test_oversized_ciphertext_is_invalid(api_factory):
    api = api_factory(max_revision_bytes=2048)
    alice = api.register("alice")
    rec = b.Rec(alice)
    [res] = api.push(alice, [rec.item(b"x" * 4000)])
    assert res["status"] == "invalid"
    rec.version, rec.head = 0, bytes(32)
    assert api.push(alice, [rec.item(b"x" * 100)])[0]["status"] == "ok"


def test_same_revision_twice_in_one_push_is_stored_once(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    item = rec.item()
    results = api.push(alice, [item, item], atomic=True)
    assert [r["status"] for r in results] == ["ok", "ok"] and results[0]["seq"] == results[1]["seq"]
    assert len(dump(api.db, ("revisions",))["revisions"]) == 1


def test_conflict_with_a_head_written_earlier_in_the_same_push(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    first = rec.item(b"laptop")
    rec.version, rec.head = 0, bytes(32)
    second = rec.item(b"phone")
    ok, conflict = api.push(alice, [first, second])
    assert ok["status"] == "ok" and conflict["status"] == "conflict"
    assert conflict["head"]["rev_id"] == b.j(records.rev_id(first.revision.header, first.revision.ct))
    assert conflict["head"]["seq"] == ok["seq"]


def test_grant_then_revoke_without_rekey_in_one_push_is_refused(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    share = rec.item(grant_to=[therapist])
    unshare = rec.item(revoke=[therapist])  # same key as the grant just above
    results = api.push(client, [share, unshare], atomic=True)
    assert [r["status"] for r in results] == ["aborted", "invalid"]
    assert dump(api.db, ("grants", "revisions"))["grants"] == []


def test_a_record_the_server_never_stored_cannot_continue_from_a_version(api):
    """A client that lost its state pushes version 2 of a record the server has never seen: a per-item refusal,
    never a server error, and the other items of the push are judged as usual."""
    alice = api.register("alice")
    orphan = b.Rec(alice)
    orphan.version, orphan.head = 1, crypto.random_bytes(32)
    fine = b.Rec(alice)
    before = dump(api.db)
    refused, ok = api.push(alice, [orphan.item(b"v2"), fine.item(b"v1")])
    assert refused["status"] == "invalid" and "base_version 0" in refused["detail"] and refused.get("head") is None
    assert ok["status"] == "ok"
    written = [r for r in dump(api.db)["revisions"] if r not in before["revisions"]]
    assert [r[0] for r in written] == [fine.record_id.bytes], "only the good item was stored"


def test_a_push_that_outlives_its_account_is_unauthorized(api):
    """The account is deleted between the session check and the write (a push checked on a worker thread while a
    deletion commits): the answer is an ended session, not a server error, and nothing is written."""
    alice = api.register("alice")
    rec = b.Rec(alice)
    item = rec.item(b"late")
    import sqlite3
    conn = sqlite3.connect(api.db)
    conn.execute("PRAGMA foreign_keys = ON")
    token = alice.auth()  # the session is remembered by the server process, so it still passes the check
    conn.execute("DELETE FROM users WHERE user_id = ?", (alice.user_id,))
    conn.commit()
    conn.close()
    r = api.c.post("/api/v1/sync/push", json=b.push_body([item]), headers=token)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized", r.text


def test_pages_of_large_revisions_stop_at_a_byte_budget(api):
    """Twelve revisions of about 0.9 MB: a page stops once it passes PAGE_BYTES (the server never builds one answer
    of every large record at once), `more` says so, and the next page goes on from its cursor; history too."""
    from between.server.store.records import PAGE_BYTES

    alice = api.register("alice")
    recs = [b.Rec(alice) for _ in range(12)]
    for part in (recs[:6], recs[6:]):
        assert all(r["status"] == "ok" for r in api.push(alice, [rec.item(b"x" * 900_000) for rec in part]))
    first = api.get("/sync/pull?after=0&limit=1000", alice).json()
    sizes = [len(msgspec.convert(i, wire.RecordState).head.revision.ct) for i in first["items"]]
    assert first["more"] is True and 1 <= len(sizes) < 12
    assert sum(sizes[:-1]) < PAGE_BYTES <= sum(sizes) + 64 * len(sizes)
    rest, _ = api.pull_all(alice, after=first["cursor"], limit=1000)
    assert len(first["items"]) + len(rest) == 12

    one = b.Rec(alice)
    for _ in range(12):
        assert api.push(alice, [one.item(b"y" * 900_000)])[0]["status"] == "ok"
    page = api.get(f"/records/{one.record_id}/history?limit=1000", alice).json()
    assert page["more"] is True and 1 <= len(page["revisions"]) < 12
    older = api.get(f"/records/{one.record_id}/history?limit=1000&before={page['revisions'][-1]['version']}",
                    alice).json()
    assert len(page["revisions"]) + len(older["revisions"]) == 12 and older["more"] is False


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
    forged = [crypto.random_bytes(64), crypto.ed25519_sign(therapist.secrets.sig_seed, message),
              crypto.ed25519_sign(crypto.random_bytes(32), message)]
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
    for change in ({"owner_id": therapist.user_id}, {"record_id": crypto.random_bytes(16)},
                   {"key_id": crypto.random_bytes(16)}):
        grant = records.make_grant(sig_seed=client.secrets.sig_seed, dek=rec.dek, grantee_id=therapist.user_id,
                                   grantee_kem_pub=therapist.secrets.kem_pub, **(named | change))
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
    rev = records.seal_revision(owner_id=alice.user_id, record_id=rec.record_id, version=3, parent=rec.head,
                                key_id=rec.key_id, dek=rec.dek, plaintext=b"v3", sig_seed=alice.secrets.sig_seed)
    skipping = wire.PushItem(record_id=rec.record_id, base_version=1, revision=rev, dek_wrap=rec.item().dek_wrap)
    before = dump(api.db)
    [res] = api.push(alice, [skipping])
    assert (res["status"], res["detail"]) == ("invalid", "header version must be base_version + 1")
    assert dump(api.db) == before


def test_a_grant_sealed_to_a_key_the_grantee_does_not_have_is_invalid(two_linked):
    """The store: a grant must be sealed to the grantee's current key (users.kem_pub). This one is signed by the
    owner, names the linked grantee and this record and key: only the key it is sealed to is another."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    grant = records.make_grant(sig_seed=client.secrets.sig_seed, owner_id=client.user_id, record_id=rec.record_id,
                               key_id=rec.key_id, dek=rec.dek, grantee_id=therapist.user_id,
                               grantee_kem_pub=crypto.x25519_public(crypto.random_bytes(32)))
    item = msgspec.structs.replace(rec.item(advance=False), grants=[grant])
    before = dump(api.db)
    [res] = api.push(client, [item])
    assert (res["status"], res["detail"]) == ("invalid", "grant is not sealed to the grantee's current key")
    assert dump(api.db) == before


def test_more_is_exact_at_a_page_boundary(api):
    """The pull's `more`: true only when a record is left after this page, also when the page is exactly full."""
    alice = api.register("alice")
    api.push(alice, [b.Rec(alice).item() for _ in range(3)])

    def page(after: int, limit: int) -> tuple[int, bool, int]:
        r = api.get(f"/sync/pull?after={after}&limit={limit}", alice)
        assert r.status_code == 200, r.text
        body = r.json()
        return len(body["items"]), body["more"], body["cursor"]

    assert page(0, 3)[:2] == (3, False)  # exactly full, nothing left
    assert page(0, 4)[:2] == (3, False)
    count, more, cursor = page(0, 2)
    assert (count, more) == (2, True)  # one left
    assert page(cursor, 1)[:2] == (1, False)  # the last one, exactly full
    assert page(0, 1)[:2] == (1, True)
