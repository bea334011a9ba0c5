"""Fixes of the security review: bounded push work (M3), replays (L3), revoked keys (H3/L4), invite sign-ups (L5)."""

from __future__ import annotations

import asyncio

import builders as b
import msgspec
from harness import dump

from between.sync.core import records, wire


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
    _, dek = records.open_grant(grant, owner_sig_pub=owner.secrets.sig_pub, me_id=reader.user_id,
                                my_kem_seed=reader.secrets.kem_seed)
    _, text = records.open_revision(state.head.revision, owner_id=owner.user_id, record_id=rec.record_id, dek=dek,
                                    key_id=rec.key_id, signer_pub=owner.secrets.sig_pub)
    return text


# ---------------------------------------------------------------- M3: one item, one grant per grantee


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


# ---------------------------------------------------------------- L3: a replay repeats its sharing change


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
        wire.PushItem(record_id=first.record_id, base_version=0, revision=first.revision, dek_wrap=first.dek_wrap,
                      grants=first.grants + rec.item(grant_to=[t2], advance=False).grants),
        wire.PushItem(record_id=first.record_id, base_version=0, revision=first.revision, dek_wrap=first.dek_wrap,
                      grants=first.grants, revoke=[t2.uuid]),
    ]
    for variant in variants:
        [res] = api.push(client, [variant])
        assert res["status"] == "invalid" and res["detail"] == "replayed revision with different grants or revokes"
    assert dump(api.db) == before  # nothing of the differing grants was applied either
    # the same sharing change, even re-sealed (fresh HPKE randomness), is still an idempotent replay
    resealed = rec.item(grant_to=[therapist], advance=False)
    assert resealed.grants[0].sealed != first.grants[0].sealed
    same = wire.PushItem(record_id=first.record_id, base_version=0, revision=first.revision, dek_wrap=first.dek_wrap,
                         grants=resealed.grants)
    assert api.push(client, [same]) == [stored]


def test_replay_inside_one_push_with_other_grants_is_invalid(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    shared = rec.item(grant_to=[therapist], advance=False)
    bare = wire.PushItem(record_id=shared.record_id, base_version=0, revision=shared.revision,
                         dek_wrap=shared.dek_wrap)
    results = api.push(client, [shared, bare])
    assert [r["status"] for r in results] == ["ok", "invalid"]


# ---------------------------------------------------------------- H3 (server) / L4: revoked keys stay dead


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


# ---------------------------------------------------------------- L5: a care invite admits one client


def _invite_only(api_factory):
    api = api_factory(registration="invite", signup_codes=("letmein-2026",))
    therapist = api.register("dr-who", "therapist", invite_code="letmein-2026")
    token = api.post("/invites", None, therapist).json()["token"]
    return api, therapist, token


def test_a_care_invite_admits_one_sign_up(api_factory):
    api, _therapist, token = _invite_only(api_factory)
    client = api.register("sam", invite_code=token)
    r = api.post("/accounts", b.signup(b.new_account("mallory"), token))
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    assert [u[0] for u in dump(api.db, ("users",))["users"] if u[1] == "mallory"] == []
    # the invite still makes the link for the client it admitted
    assert api.post("/invites/accept", b.accept(token), client).status_code == 201


def test_a_care_invite_does_not_admit_a_therapist(api_factory):
    api, _, token = _invite_only(api_factory)
    r = api.post("/accounts", b.signup(b.new_account("dr-fake", "therapist"), token))
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    # the refused therapist did not spend it
    api.register("sam", invite_code=token)


def test_a_failed_sign_up_does_not_spend_the_invite(api_factory):
    api, _therapist, token = _invite_only(api_factory)
    r = api.post("/accounts", b.signup(b.new_account("dr-who"), token))  # handle taken: rolled back whole
    assert r.status_code == 409
    api.register("sam", invite_code=token)


def test_configured_sign_up_codes_stay_reusable(api_factory):
    api, _, _ = _invite_only(api_factory)
    for handle, role in (("ann", "client"), ("ben", "client"), ("dr-new", "therapist")):
        api.register(handle, role, invite_code="letmein-2026")
    assert sorted(u[1] for u in dump(api.db, ("users",))["users"]) == ["ann", "ben", "dr-new", "dr-who"]
