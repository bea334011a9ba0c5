"""Consent at the API: a therapist sees exactly what was shared, loses it on revoke, strangers see nothing."""

from __future__ import annotations

import builders as b
import msgspec
from harness import dump

from between.sync.core import records, wire


def _states(api, acct, after=0):
    items, cursor = api.pull_all(acct, after)
    return [msgspec.convert(i, wire.RecordState) for i in items], cursor


def test_therapist_pull_holds_exactly_the_shared_records(two_linked):
    api, therapist, client = two_linked
    shared, private1, private2 = b.Rec(client), b.Rec(client), b.Rec(client)
    api.push(
        client,
        [private1.item(b"private"), shared.item(b"shared", grant_to=[therapist]), private2.item(b"also private")],
    )
    api.push(client, [private1.item(b"private v2")])
    states, _ = _states(api, therapist)
    assert [s.record_id for s in states] == [shared.record_id]
    [s] = states
    assert s.access == "granted" and s.dek_wrap is None
    assert {g.grantee_id for g in s.grants} == {therapist.uuid}
    body, dek = records.open_grant(
        s.grants[0],
        owner_sig_pub=client.secrets.sig_pub,
        me_id=therapist.user_id,
        my_kem_seed=therapist.secrets.kem_seed,
    )
    _, text = records.open_revision(
        s.head.revision,
        owner_id=client.user_id,
        record_id=shared.record_id,
        dek=dek,
        key_id=body.key_id,
        signer_pub=client.secrets.sig_pub,
    )
    assert text == b"shared"
    # the raw response holds no other record id
    raw = api.get("/sync/pull?after=0&limit=1000", therapist).text
    for other in (private1, private2):
        assert str(other.record_id) not in raw
    # the owner sees all three with its own wrap
    mine, _ = _states(api, client)
    assert {m.record_id for m in mine} == {shared.record_id, private1.record_id, private2.record_id}
    assert all(m.access == "owner" and m.dek_wrap for m in mine)


def test_revoke_gives_removed_and_later_versions_are_not_served(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1", grant_to=[therapist])])
    _, cursor = _states(api, therapist)
    rec.rekey()
    api.push(client, [rec.item(b"v2 after unsharing", revoke=[therapist])])
    states, cursor2 = _states(api, therapist, cursor)
    assert [(s.record_id, s.access, s.head, s.grants) for s in states] == [(rec.record_id, "removed", None, [])]
    api.push(client, [rec.item(b"v3")])
    states, _ = _states(api, therapist, cursor2)
    assert states == []  # no news about a record the therapist no longer reads
    states, _ = _states(api, therapist)
    assert [s.access for s in states] == ["removed"]
    assert api.get(f"/records/{rec.record_id}/history", therapist).status_code == 404


def test_a_grantee_without_the_head_key_gets_removed_not_the_head(two_linked):
    """The pull's consent filter serves a grantee a head only under a key it holds. Its grant for the old key is
    still active here (a re-key that gave it no new grant): every other filter lets the record through."""
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1 shared", grant_to=[therapist])])
    _, cursor = _states(api, therapist)
    rec.rekey()
    assert api.push(client, [rec.item(b"v2 under a key only the owner holds")])[0]["status"] == "ok"
    states, _ = _states(api, therapist, cursor)
    assert [(s.record_id, s.access, s.head, s.grants) for s in states] == [(rec.record_id, "removed", None, [])]


def test_history_is_filtered_by_grant(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(b"v1 old key")])
    rec.rekey()
    api.push(client, [rec.item(b"v2 shared", grant_to=[therapist])])
    api.push(client, [rec.item(b"v3 shared", grant_to=[therapist])])
    theirs = api.get(f"/records/{rec.record_id}/history", therapist).json()
    assert [r["version"] for r in theirs["revisions"]] == [3, 2] and theirs["more"] is False
    mine = api.get(f"/records/{rec.record_id}/history", client).json()
    assert [r["version"] for r in mine["revisions"]] == [3, 2, 1]
    page = api.get(f"/records/{rec.record_id}/history?before=3&limit=1", client).json()
    assert [r["version"] for r in page["revisions"]] == [2] and page["more"] is True


def test_stranger_sees_nothing(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    eve = api.register("eve-x", "therapist")
    assert api.get(f"/records/{rec.record_id}/history", eve).status_code == 404
    assert api.get(f"/bundles/{client.uuid}", eve).status_code == 404
    assert api.get("/sync/pull", eve).json()["items"] == []
    # linked peers see each other's bundle, and anyone sees their own
    assert api.get(f"/bundles/{client.uuid}", therapist).json()["handle"] == "sam"
    assert api.get(f"/bundles/{therapist.uuid}", client).json()["handle"] == "dr-tran"
    assert api.get(f"/bundles/{eve.uuid}", eve).status_code == 200


def test_account_deletion_erases_every_row(two_linked):
    api, therapist, client = two_linked
    rec, mine = b.Rec(client), b.Rec(therapist)
    api.push(client, [rec.item(grant_to=[therapist])])
    api.push(therapist, [mine.item()])
    api.post("/invites", None, therapist)
    # a stolen session alone can't erase: the login key must sign
    ch = api.challenge("sam")
    bad = b.delete_account(client, ch)
    bad = wire.DeleteAccount(challenge_id=bad.challenge_id, signature=bytes(64))
    assert api.post("/account/delete", bad, client).status_code == 401
    r = api.post("/account/delete", b.delete_account(client, api.challenge("sam")), client)
    assert r.status_code == 204
    uid, rid = client.user_id, rec.record_id.bytes
    conn_rows = dump(api.db)
    for table, rows in conn_rows.items():
        for row in rows:
            assert uid not in row and rid not in row, (table, row)
    assert not any("sam" in repr(row) for rows in conn_rows.values() for row in rows)
    assert api.get("/account", client).status_code == 401
    # the therapist's own data stays
    assert [s["record_id"] for s in api.pull_all(therapist)[0]] == [str(mine.record_id)]
    assert api.post("/auth/prelogin", {"handle": "sam"}).status_code == 200
    again = api.register("sam")  # the handle is free again
    assert again.user_id != uid


def test_seqs_reveal_nothing_about_unshared_writes(two_linked):
    """The feed counter is per reader: a therapist's seqs are dense whatever the client writes privately,
    and revisions show the owner's write seq to the owner only."""
    api, therapist, client = two_linked
    shared = b.Rec(client)
    api.push(client, [shared.item(grant_to=[therapist])])
    first, c1 = _states(api, therapist)
    for _ in range(5):
        api.push(client, [b.Rec(client).item(b"private")])
    api.push(client, [shared.item(b"v2", grant_to=[therapist])])
    second, c2 = _states(api, therapist, c1)
    assert [s.seq for s in first] == [1] and [s.seq for s in second] == [2] and c2 == 2
    assert second[0].head.seq == 0
    assert all(r["seq"] == 0 for r in api.get(f"/records/{shared.record_id}/history", therapist).json()["revisions"])
    mine, cursor = _states(api, client)
    assert cursor == 7 and {m.head.seq for m in mine} == {2, 3, 4, 5, 6, 7}
    bad = api.get("/sync/pull?after=3", therapist)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"
