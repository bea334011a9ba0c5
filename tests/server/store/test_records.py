"""server/store/records.py through the app and on its own: pushes judged against the stored state (sync/core/push.py)
and written, replays that must repeat their sharing change, keys that stay dead once revoked, pull and history pages."""

from __future__ import annotations

import builders as b
import msgspec
from harness import db_of, dump, execute, run_coroutine

from between.server.store import Store
from between.sync.core import crypto, push, records, wire


def _states(api, acct, after=0):
    items, cursor = api.pull_all(acct, after)
    return [msgspec.convert(i, wire.RecordState) for i in items], cursor


def _unlink(api, therapist: b.Account, client: b.Account) -> None:
    [link] = [x for x in api.get("/links", client).json() if x["therapist"]["user_id"] == str(therapist.uuid)]
    assert api.delete(f"/links/{link['link_id']}", client).status_code == 204


def _read(api, reader: b.Account, owner: b.Account, rec: b.Rec) -> bytes:
    """The head as `reader` opens it from its pull, with the record key from its grant."""
    [state] = [s for s in _states(api, reader)[0] if s.record_id == rec.record_id]
    assert state.access == "granted", state.access
    [grant] = [g for g in state.grants if g.key_id == rec.key_id]
    _, dek = records.open_grant(
        grant, owner_sig_pub=owner.secrets.sig_pub, me_id=reader.user_id, my_kem_seed=reader.secrets.kem_seed
    )
    _, text = records.open_revision(
        state.head.revision,
        owner_id=owner.user_id,
        record_id=rec.record_id,
        dek=dek,
        key_id=rec.key_id,
        signer_pub=owner.secrets.sig_pub,
    )
    return text


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
    _, plaintext = records.open_revision(
        state.head.revision,
        owner_id=alice.user_id,
        record_id=rec.record_id,
        dek=dek,
        key_id=rec.key_id,
        signer_pub=alice.secrets.sig_pub,
    )
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


def test_wrong_parent_is_invalid(api):
    alice = api.register("alice")
    rec = b.Rec(alice)
    api.push(alice, [rec.item()])
    rec.head = crypto.random_bytes(32)
    assert api.push(alice, [rec.item()])[0]["status"] == "invalid"


def test_atomic_batch_with_one_bad_item_stores_nothing(api):
    alice = api.register("alice")
    good1, good2, bad = b.Rec(alice), b.Rec(alice), b.Rec(alice)
    bad_item = b.tampered(bad, record_id=crypto.random_bytes(16))
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
    # On SQLite the session is remembered by the server process, so it still passes the check; on PostgreSQL every
    # request reads its session, and the answer is the same.
    token = alice.auth()
    execute(api.db, "DELETE FROM users WHERE user_id = ?", (alice.user_id,))
    r = api.c.post("/api/v1/sync/push", json=b.push_body([item]), headers=token)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized", r.text


# ---------------------------------------------------------------- a replay repeats its sharing change


def test_replay_with_other_grants_or_revokes_is_invalid(api):
    therapist, t2 = api.register("dr-tran", "therapist"), api.register("dr-lee", "therapist")
    client = api.register("sam")
    api.link(therapist, client)
    api.link(t2, client)
    rec = b.Rec(client)
    first = rec.item(grant_to=[therapist], advance=False)
    [stored] = api.push(client, [first])
    assert stored["status"] == "ok"
    before = dump(api.db)
    variants = [
        wire.PushItem(record_id=first.record_id, base_version=0, revision=first.revision, dek_wrap=first.dek_wrap),
        wire.PushItem(
            record_id=first.record_id,
            base_version=0,
            revision=first.revision,
            dek_wrap=first.dek_wrap,
            grants=first.grants + rec.item(grant_to=[t2], advance=False).grants,
        ),
        wire.PushItem(
            record_id=first.record_id,
            base_version=0,
            revision=first.revision,
            dek_wrap=first.dek_wrap,
            grants=first.grants,
            revoke=[t2.uuid],
        ),
    ]
    for variant in variants:
        [res] = api.push(client, [variant])
        assert res["status"] == "invalid" and res["detail"] == "replayed revision with different grants or revokes"
    assert dump(api.db) == before  # nothing of the differing grants was applied either
    # the same sharing change, even re-sealed (fresh HPKE randomness), is still an idempotent replay
    resealed = rec.item(grant_to=[therapist], advance=False)
    assert resealed.grants[0].sealed != first.grants[0].sealed
    same = wire.PushItem(
        record_id=first.record_id,
        base_version=0,
        revision=first.revision,
        dek_wrap=first.dek_wrap,
        grants=resealed.grants,
    )
    assert api.push(client, [same]) == [stored]


def test_replay_inside_one_push_with_other_grants_is_invalid(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    shared = rec.item(grant_to=[therapist], advance=False)
    bare = wire.PushItem(record_id=shared.record_id, base_version=0, revision=shared.revision, dek_wrap=shared.dek_wrap)
    results = api.push(client, [shared, bare])
    assert [r["status"] for r in results] == ["ok", "invalid"]


# ---------------------------------------------------------------- revoked keys stay dead


def test_going_back_to_a_revoked_key_is_refused(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1", grant_to=[therapist])])
    old_dek, old_key = rec.dek, rec.key_id
    rec.rekey()
    assert api.push(client, [rec.item(b"v2 unshared", revoke=[therapist])])[0]["status"] == "ok"
    rec.dek, rec.key_id = old_dek, old_key
    before = dump(api.db)
    [res] = api.push(client, [rec.item(b"v3 under the key the therapist kept", advance=False)])
    assert res["status"] == "invalid" and "new record key" in res["detail"]
    assert dump(api.db) == before


def test_after_a_link_ends_the_next_edit_needs_a_new_key(api):
    t1, t2, client = api.register("dr-tran", "therapist"), api.register("dr-lee", "therapist"), api.register("sam")
    api.link(t1, client)
    api.link(t2, client)
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1 shared with both", grant_to=[t1, t2])])
    _unlink(api, t1, client)
    before = dump(api.db)
    # refused although dr-lee still holds an active grant for that key: dr-tran kept it
    [res] = api.push(client, [rec.item(b"v2 same key", advance=False)])
    assert res["status"] == "invalid" and "new record key" in res["detail"]
    assert dump(api.db) == before
    rec.rekey()
    assert api.push(client, [rec.item(b"v2 new key", grant_to=[t2], revoke=[t1])])[0]["status"] == "ok"
    assert _read(api, t2, client, rec) == b"v2 new key"
    assert api.push(client, [rec.item(b"v3 new key")])[0]["status"] == "ok"
    assert _read(api, t2, client, rec) == b"v3 new key"
    assert [s.access for s in _states(api, t1)[0]] == ["removed"]


def test_after_a_link_ends_a_new_key_without_grants_is_enough(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    _unlink(api, therapist, client)
    rec.rekey()
    assert api.push(client, [rec.item(b"private again")])[0]["status"] == "ok"


def test_usual_share_and_unshare_flows_still_pass(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    assert api.push(client, [rec.item(b"private v1")])[0]["status"] == "ok"
    rec.rekey()  # share: new key + grant
    assert api.push(client, [rec.item(b"shared v2", grant_to=[therapist])])[0]["status"] == "ok"
    assert api.push(client, [rec.item(b"edit v3 under the shared key")])[0]["status"] == "ok"
    assert _read(api, therapist, client, rec) == b"edit v3 under the shared key"
    rec.rekey()  # unshare: new key + revoke
    assert api.push(client, [rec.item(b"v4 unshared", revoke=[therapist])])[0]["status"] == "ok"
    assert api.push(client, [rec.item(b"v5 private edit")])[0]["status"] == "ok"
    rec.rekey()  # share again
    assert api.push(client, [rec.item(b"v6 shared again", grant_to=[therapist])])[0]["status"] == "ok"
    assert api.push(client, [rec.item(b"v7")])[0]["status"] == "ok"
    assert _read(api, therapist, client, rec) == b"v7"


def test_regranting_the_revoked_key_to_the_same_reader_is_allowed(two_linked):
    """A reader given back the very key it lost learns nothing new: that key may be used again."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1", grant_to=[therapist])])
    _unlink(api, therapist, client)
    api.link(therapist, client)
    assert api.push(client, [rec.item(b"v2 shared again", grant_to=[therapist])])[0]["status"] == "ok"
    assert _read(api, therapist, client, rec) == b"v2 shared again"


def test_revoke_then_old_key_in_the_same_push_is_refused(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1", grant_to=[therapist])])
    old_dek, old_key = rec.dek, rec.key_id
    rec.rekey()
    unshare = rec.item(b"v2", revoke=[therapist])
    rec.dek, rec.key_id = old_dek, old_key
    back = rec.item(b"v3 old key")
    before = dump(api.db)
    results = api.push(client, [unshare, back], atomic=True)
    assert [r["status"] for r in results] == ["aborted", "invalid"]
    assert dump(api.db) == before


# ---------------------------------------------------------------- pages


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
    older = api.get(
        f"/records/{one.record_id}/history?limit=1000&before={page['revisions'][-1]['version']}", alice
    ).json()
    assert len(page["revisions"]) + len(older["revisions"]) == 12 and older["more"] is False


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


# ---------------------------------------------------------------- checks behind other checks
# Each test below feeds an input that every other layer accepts, so it fails when only the named check is removed
# (docs/INTERNALS.md, "Testing").


def test_a_grant_sealed_to_a_key_the_grantee_does_not_have_is_invalid(two_linked):
    """The store: a grant must be sealed to the grantee's current key (users.kem_pub). This one is signed by the
    owner, names the linked grantee and this record and key: only the key it is sealed to is another."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    grant = records.make_grant(
        sig_seed=client.secrets.sig_seed,
        owner_id=client.user_id,
        record_id=rec.record_id,
        key_id=rec.key_id,
        dek=rec.dek,
        grantee_id=therapist.user_id,
        grantee_kem_pub=crypto.x25519_public(crypto.random_bytes(32)),
    )
    item = msgspec.structs.replace(rec.item(advance=False), grants=[grant])
    before = dump(api.db)
    [res] = api.push(client, [item])
    assert (res["status"], res["detail"]) == ("invalid", "grant is not sealed to the grantee's current key")
    assert dump(api.db) == before


def test_the_store_refuses_a_grant_to_someone_without_a_care_link(store_target):
    """The store's own care-link check. The push handler refuses such grants before, from a list read before the
    write; a link that ends in between reaches this check alone, as does this push, prepared without that list."""
    from between.server.api.sync import prepare

    async def run():
        store = await Store.open(store_target)
        try:
            alice, bob = b.new_account("alice"), b.new_account("bobby", "therapist")
            for acct in (alice, bob):
                await store.accounts.create_account(b.signup(acct), crypto.random_bytes(32), 10**10, 1)
            item = b.Rec(alice).item(grant_to=[bob], advance=False)
            prepared = prepare(item, alice.user_id, alice.secrets.sig_pub, 1 << 20)
            assert isinstance(prepared.judged, push.Item)  # shape, signatures and names all pass
            return await store.records.push(alice.user_id, [prepared], False, 2)
        finally:
            await store.close()

    [res] = run_coroutine(run())
    assert (res.status, res.detail) == ("forbidden", "grantee has no care link with the owner")
    assert [len(rows) for rows in dump(db_of(store_target), ("records", "grants")).values()] == [0, 0]


# ---------------------------------------------------------------- per-account quota and push rate (both engines)
def test_a_push_past_the_accounts_storage_quota_is_refused_whole(api_factory):
    api = api_factory(quota_bytes=4096)
    alice = api.register("alice")
    small = b.Rec(alice)
    assert api.push(alice, [small.item(b"x" * 100)])[0]["status"] == "ok"
    before = dump(api.db)
    big, other = b.Rec(alice), b.Rec(alice)
    r = api.post("/sync/push", b.push_body([other.item(b"fits"), big.item(b"y" * 5000)]), alice)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == "quota_exceeded" and "of its 4096" in body["detail"] and "Nothing" in body["detail"]
    assert dump(api.db) == before  # not even the item that fitted
    assert api.push(alice, [b.Rec(alice).item(b"still fits")])[0]["status"] == "ok"


def test_an_accounts_pushes_are_rate_limited(api_factory):
    api = api_factory(rate_push_per_minute=3)
    alice, bob = api.register("alice"), api.register("bob")
    for _ in range(3):
        assert api.push(alice, [b.Rec(alice).item()])[0]["status"] == "ok"
    r = api.post("/sync/push", b.push_body([b.Rec(alice).item()]), alice)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
    assert api.push(bob, [b.Rec(bob).item()])[0]["status"] == "ok"  # another account has its own pushes
