"""Consent at the API: a therapist sees exactly what was shared, loses it on revoke, strangers see nothing."""

from __future__ import annotations

import base64

import builders as b
import msgspec
import pytest
from harness import Clock, dump

from between.sync.core import crypto, records, wire


def _states(api, acct, after=0):
    items, cursor = api.pull_all(acct, after)
    return [msgspec.convert(i, wire.RecordState) for i in items], cursor


def test_therapist_pull_holds_exactly_the_shared_records(two_linked):
    api, therapist, client = two_linked
    shared, private1, private2 = b.Rec(client), b.Rec(client), b.Rec(client)
    api.push(client, [private1.item(b"private"), shared.item(b"shared", grant_to=[therapist]),
                      private2.item(b"also private")])
    api.push(client, [private1.item(b"private v2")])
    states, _ = _states(api, therapist)
    assert [s.record_id for s in states] == [shared.record_id]
    [s] = states
    assert s.access == "granted" and s.dek_wrap is None
    assert {g.grantee_id for g in s.grants} == {therapist.uuid}
    body, dek = records.open_grant(s.grants[0], owner_sig_pub=client.secrets.sig_pub, me_id=therapist.user_id,
                                   my_kem_seed=therapist.secrets.kem_seed)
    _, text = records.open_revision(s.head.revision, owner_id=client.user_id, record_id=shared.record_id, dek=dek,
                                    key_id=body.key_id, signer_pub=client.secrets.sig_pub)
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


def test_ending_the_link_revokes_every_grant(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    states, cursor = _states(api, therapist)
    assert states[0].access == "granted"
    [link] = api.get("/links", therapist).json()
    assert api.delete(f"/links/{link['link_id']}", therapist).status_code == 204
    states, _ = _states(api, therapist, cursor)
    assert [(s.record_id, s.access) for s in states] == [(rec.record_id, "removed")]
    assert api.get("/links", client).json() == []
    assert api.get(f"/bundles/{client.uuid}", therapist).status_code == 404
    rec.rekey()
    assert api.push(client, [rec.item(grant_to=[therapist])])[0]["status"] == "forbidden"


def test_invites(api):
    therapist, client, other = api.register("dr-tran", "therapist"), api.register("sam"), api.register("kim")
    assert api.post("/invites", None, client).status_code == 403
    inv = api.post("/invites", None, therapist).json()
    assert [i["invite_id"] for i in api.get("/invites", therapist).json()] == [inv["invite_id"]]
    preview = api.post("/invites/preview", {"token": inv["token"]}, client).json()
    assert preview["therapist"]["handle"] == "dr-tran"
    assert api.post("/invites/accept", b.accept(inv["token"]), therapist).status_code == 403
    link = api.post("/invites/accept", b.accept(inv["token"]), client)
    assert link.status_code == 201 and link.json()["client"]["handle"] == "sam"
    used = api.post("/invites/accept", b.accept(inv["token"]), other)
    assert used.status_code == 404 and used.json()["code"] == "invite_not_found"
    assert api.post("/invites/preview", {"token": inv["token"]}, other).status_code == 404
    inv2 = api.post("/invites", None, therapist).json()
    assert api.delete(f"/invites/{inv2['invite_id']}", other).status_code == 404
    assert api.delete(f"/invites/{inv2['invite_id']}", therapist).status_code == 204
    assert api.post("/invites/accept", b.accept(inv2["token"]), other).status_code == 404
    assert api.get("/invites", therapist).json() == []


def test_an_invite_works_until_its_ttl_and_not_after(api_factory):
    """Accepting checks the invite's expiry itself: the preview a person sees first is a separate request."""
    clock = Clock()
    api = api_factory(clock=clock, invite_ttl=3600)
    therapist, sam, kim = api.register("dr-tran", "therapist"), api.register("sam"), api.register("kim")
    early, late = (api.post("/invites", None, therapist).json() for _ in range(2))
    clock.advance(3599)
    assert api.post("/invites/accept", b.accept(early["token"]), sam).status_code == 201
    clock.advance(1)  # the second invite, made at the same moment, has now lived its hour
    before = dump(api.db)
    r = api.post("/invites/accept", b.accept(late["token"]), kim)
    assert r.status_code == 404 and r.json()["code"] == "invite_not_found"
    assert api.post("/invites/preview", {"token": late["token"]}, kim).status_code == 404
    assert api.get("/invites", therapist).json() == [] and api.get("/links", kim).json() == []
    assert dump(api.db) == before


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


def test_a_link_keeps_the_invitation_it_was_made_from_and_the_clients_proof(api):
    """The server stores the proof opaquely and lists it, with the invite id, to both sides: the therapist's
    devices check it (sync/core/trust.py); the server can neither make nor check one."""
    therapist, client = api.register("dr-tran", "therapist"), api.register("sam")
    inv = api.post("/invites", None, therapist).json()
    preview = api.post("/invites/preview", {"token": inv["token"]}, client).json()
    assert preview["invite_id"] == inv["invite_id"]
    proof = crypto.random_bytes(32)
    made = api.post("/invites/accept", b.accept(inv["token"], proof), client).json()
    for side in (therapist, client):
        [link] = api.get("/links", side).json()
        assert link == made
        assert (link["invite_id"], base64.b64decode(link["proof"])) == (inv["invite_id"], proof)


@pytest.mark.parametrize("proof", [None, "", "AAAA", base64.b64encode(bytes(31)).decode(), 7])
def test_accepting_without_a_well_formed_proof_is_refused_and_links_nobody(api, proof):
    therapist, client = api.register("dr-tran", "therapist"), api.register("sam")
    inv = api.post("/invites", None, therapist).json()
    before = dump(api.db)
    body = {"token": inv["token"]} if proof is None else {"token": inv["token"], "proof": proof}
    r = api.post("/invites/accept", body, client)
    assert r.status_code == 400 and r.json()["code"] == "invalid_body"
    assert dump(api.db) == before
    assert api.post("/invites/accept", b.accept(inv["token"]), client).status_code == 201  # the invite still works
