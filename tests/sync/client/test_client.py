"""The client and its sync engine without a server: two devices of one account exchange real signed,
encrypted heads as the server would serve them (wire.RecordState), so merge, rollback and tamper rules
are checked with real crypto and real SQLite files."""

from __future__ import annotations

import uuid

import pytest

from between.sync.client.client import Client
from between.sync.core import keys, records, safety, trust, wire
from between.sync.core.errors import BetweenError, CryptoError
from tests.sync.profiles import FakeServerHead, InviteServer, care_link, deliver, device, person, pin, pushed_grants

MARK = "zebra-canary-7"


@pytest.fixture(scope="module")
def account() -> keys.AccountSecrets:
    return keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle="alice",
        role="client",
        account_key=b"\x01" * 32,
        sig_seed=b"\x02" * 32,
        kem_seed=b"\x03" * 32,
    )


def test_add_works_offline_and_no_plaintext_reaches_the_profile(tmp_path, account):
    a = device(tmp_path, "a", account)
    rid = a.add_entry("journal", {"title": f"{MARK} title", "body": f"{MARK} body"})
    entry = a.entry(rid)
    assert entry["fields"] == {"title": f"{MARK} title", "body": f"{MARK} body"} and entry["pending"]
    assert a.entries()[0]["id"] == rid
    a.store.close()
    for path in (tmp_path / "a").iterdir():
        data = path.read_bytes()
        assert MARK.encode() not in data and b"journal" not in data, path.name


def test_edit_replaces_the_pending_item_with_the_same_base(tmp_path, account):
    a = device(tmp_path, "a", account)
    rid = a.add_entry("mood", {"score": 3})
    a.edit_entry(rid, {"score": 4, "note": "better"})
    pending = a.store.list_pending()
    assert len(pending) == 1 and pending[0].base_version == 0 and pending[0].version == 1
    assert a.entry(rid)["fields"] == {"score": 4, "note": "better"}
    a.edit_entry(rid, {"note": None})
    assert a.entry(rid)["fields"] == {"score": 4}


def test_other_device_receives_and_edits_on_the_next_version(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"body": "first"})
    report = deliver(b, server.land(a, rid))
    assert report.pulled == 1 and b.entry(rid)["fields"]["body"] == "first" and b.store.cursor() == 1
    assert b.edit_entry(rid, {"body": "second"}) == 2
    assert b.store.get_pending(rid).base_version == 1


def test_concurrent_edits_of_different_fields_merge(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"title": "t", "body": "b"})
    deliver(b, server.land(a, rid))
    a.edit_entry(rid, {"title": "title from a"})
    b.edit_entry(rid, {"body": "body from b"})
    report = deliver(b, server.land(a, rid))
    assert report.merged == 1 and report.conflicts_kept == 0
    merged = b.entry(rid)
    assert merged["fields"] == {"title": "title from a", "body": "body from b"}
    assert b.store.get_pending(rid).base_version == 2  # rebased on a's head: the next push is not stale


def test_same_text_edited_on_both_keeps_both(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"body": "line one"})
    deliver(b, server.land(a, rid))
    a.edit_entry(rid, {"body": "line one from A"})
    b.edit_entry(rid, {"body": "line one from B"})
    report = deliver(b, server.land(a, rid))
    body = b.entry(rid)["fields"]["body"]
    assert report.conflicts_kept == 1 and "from A" in body and "from B" in body


def test_edit_beats_delete(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"body": "keep me"})
    deliver(b, server.land(a, rid))
    a.delete_entry(rid)
    b.edit_entry(rid, {"body": "keep me, edited"})
    deliver(b, server.land(a, rid))
    assert b.entry(rid)["fields"]["body"] == "keep me, edited"
    assert not b.engine.head(rid).deleted


def test_rollback_and_fork_are_refused(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"body": "v1"})
    old = server.land(a, rid)
    a.edit_entry(rid, {"body": "v2"})
    fork_item = a.store.get_pending(rid)
    a.store.close()
    a2 = Client(tmp_path / "a")
    a2.edit_entry(rid, {"body": "v2 forked"})  # same base, another rev_id: a fork of version 2
    forked = FakeServerHead.state(a2, a2.store.get_pending(rid), 5)
    new = server.land(a2, rid)
    deliver(b, old)
    deliver(b, new)
    assert b.entry(rid)["fields"]["body"] == "v2 forked"
    report = deliver(b, FakeServerHead.state(a2, fork_item, 6))
    assert any("older or forked" in w for w in report.warnings)
    report = deliver(b, wire.RecordState(**{**{f: getattr(old, f) for f in old.__struct_fields__}, "seq": 7}))
    assert any("older or forked" in w for w in report.warnings)
    assert b.entry(rid)["fields"]["body"] == "v2 forked" and b.store.cursor() == 7
    assert forked.head.version == 2


def test_tampered_ciphertext_is_not_stored(tmp_path, account):
    server = FakeServerHead()
    a, b = device(tmp_path, "a", account), device(tmp_path, "b", account)
    rid = a.add_entry("journal", {"body": "intact"})
    state = server.land(a, rid)
    ct = bytearray(state.head.revision.ct)
    ct[-1] ^= 1
    bad_rev = wire.Revision(header=state.head.revision.header, ct=bytes(ct), signature=state.head.revision.signature)
    bad_head = wire.StoredRevision(
        record_id=state.head.record_id,
        owner_id=state.owner_id,
        version=1,
        rev_id=records.rev_id(bad_rev.header, bad_rev.ct),
        revision=bad_rev,
        seq=1,
    )
    bad = wire.RecordState(
        record_id=state.record_id,
        owner_id=state.owner_id,
        seq=1,
        access="owner",
        head=bad_head,
        dek_wrap=state.dek_wrap,
    )
    report = deliver(b, bad)
    assert report.pulled == 0 and report.warnings and b.store.get_record(rid) is None
    assert b.store.get_dek(rid, bad_rev.header[76:92]) is None  # the refused item left nothing behind


def test_own_push_whose_answer_was_lost_is_cleared_on_pull(tmp_path, account):
    a = device(tmp_path, "a", account)
    rid = a.add_entry("journal", {"body": "landed"})
    item = a.store.get_pending(rid)
    deliver(a, FakeServerHead.state(a, item, 1))
    assert a.store.get_pending(rid) is None and a.store.get_record(rid).version == 1


def test_unknown_kind_and_bad_field_values_are_refused(tmp_path, account):
    from between.sync.core.kinds import FieldError

    a = device(tmp_path, "a", account)
    with pytest.raises(FieldError):
        a.add_entry("diary", {"body": "x"})
    with pytest.raises(FieldError):
        a.add_entry("mood", {"score": 99})
    assert a.store.list_pending() == []


def test_a_landed_push_whose_answer_was_lost_is_the_base_of_the_next_edit(tmp_path, account):
    a = device(tmp_path, "a", account)
    rid = a.add_entry("journal", {"body": "draft"})
    sent = a.store.get_pending(rid)
    a.store.mark_sent([(rid, sent.rev_id)])  # pushed; the connection died before the answer
    a.edit_entry(rid, {"body": "draft, then more"})
    report = deliver(a, FakeServerHead.state(a, sent, 1))
    assert report.conflicts_kept == 0
    assert a.entry(rid)["fields"]["body"] == "draft, then more"  # not both texts side by side
    assert a.store.get_pending(rid).base_version == 1


def test_an_edit_made_while_its_predecessor_was_being_pushed_moves_onto_the_new_head(tmp_path, account):
    a = device(tmp_path, "a", account)
    rid = a.add_entry("journal", {"body": "first"})
    in_flight = a.store.get_pending(rid)
    a.edit_entry(rid, {"body": "first, edited during the push"})
    a.engine.outbox.acknowledge(in_flight, 1)
    pending = a.store.get_pending(rid)
    assert pending.base_version == 1 and pending.version == 2
    assert a.entry(rid)["fields"]["body"] == "first, edited during the push"


def test_a_removed_from_the_server_never_drops_an_own_entry(tmp_path, account):
    """Whose entry it is comes from this device, not the owner_id the server put in a `removed` item."""
    a = device(tmp_path, "a", account)
    server = FakeServerHead()
    synced = a.add_entry("journal", {"body": "synced"})
    server.land(a, synced)
    a.edit_entry(synced, {"body": "unsynced edit"})
    queued = a.add_entry("journal", {"body": "never synced"})
    mark = a.store.high_water(synced)
    forged = [
        wire.RecordState(record_id=uuid.UUID(rid), owner_id=owner, seq=9, access="removed")
        for rid in (synced, queued)
        for owner in (uuid.uuid4(), uuid.UUID(a.engine.me))
    ]
    report = deliver(a, *forged)
    assert {e["fields"]["body"] for e in a.entries()} == {"unsynced edit", "never synced"}
    assert len(a.store.list_pending()) == 2 and a.store.high_water(synced) == mark
    assert len(report.warnings) == 4 and all("it is yours" in w for w in report.warnings)


def test_assignments_and_answers_are_not_entries_but_are_exported(tmp_path, account):
    """A record whose document has a `type` (written by the browser app) is kept out of the entry list and
    cannot be edited as an entry, yet an export holds it whole: nothing of the person's data is left out."""
    phone = device(tmp_path, "phone", account)
    entry = phone.add_entry("journal", {"title": "An entry", "body": MARK})
    answer = str(uuid.uuid4())
    doc = {
        "v": 1,
        "type": "assignment-response",
        "assignment_id": str(uuid.uuid4()),
        "occurrence": "2026-03-24",
        "status": "not_done",
        "reason": "Away " + MARK,
        "created_at": "2026-03-24T19:00:00Z",
        "updated_at": "2026-03-24T19:00:00Z",
    }
    with phone.store.transaction() as db:
        phone.engine.queue(db, answer, doc, False)
    assert [e["id"] for e in phone.entries()] == [entry]
    exported = {e["id"]: e for e in phone.export()}
    assert set(exported) == {entry, answer}
    assert exported[answer]["type"] == "assignment-response" and exported[answer]["document"] == doc
    assert "type" not in exported[entry]
    with pytest.raises(BetweenError) as refused:
        phone.edit_entry(answer, {"title": "x"})
    assert refused.value.code == "not_an_entry"
    assert phone.entry(answer)["document"] == doc  # unchanged
    phone.close()


# ---------------------------------------------------------------- documents from a newer version

NEWER = {"mood_colour": "amber", "photo_ids": [str(uuid.uuid4())]}  # fields a newer app added to a known kind


def _newer_entry(device: Client, kind: str, fields: dict) -> str:
    """An entry written the way a newer version would: a top-level key and fields this version does not know."""
    rid = str(uuid.uuid4())
    doc = {
        "v": 1,
        "kind": kind,
        "fields": fields,
        "created_at": "2026-03-24T19:00:00.000Z",
        "updated_at": "2026-03-24T19:00:00.000Z",
        "device": str(uuid.uuid4()),
        "place": {"label": "home", "precision": "city"},
    }
    with device.store.transaction() as db:
        device.engine.queue(db, rid, doc, False)
    return rid


def test_an_edit_keeps_what_a_newer_version_wrote(tmp_path, account):
    server = FakeServerHead()
    newer, old = device(tmp_path, "newer", account), device(tmp_path, "old", account)
    rid = _newer_entry(newer, "mood", {"score": 5, **NEWER})
    deliver(old, server.land(newer, rid))
    assert old.entry(rid)["fields"] == {"score": 5, **NEWER}  # read: every field, the unknown ones too
    old.edit_entry(rid, {"score": 7, "note": "better"})
    doc = old.engine.head(rid).document
    assert doc["fields"] == {"score": 7, "note": "better", **NEWER}
    assert doc["place"] == {"label": "home", "precision": "city"}
    # A change must still name a field this version knows: a typo is not taken for a newer version's field.
    with pytest.raises(BetweenError) as typo:
        old.edit_entry(rid, {"scroe": 3})
    assert typo.value.code == "unknown_field" and old.engine.head(rid).document == doc


def test_a_merge_with_a_newer_version_keeps_its_fields(tmp_path, account):
    server = FakeServerHead()
    newer, old = device(tmp_path, "newer", account), device(tmp_path, "old", account)
    rid = _newer_entry(newer, "journal", {"body": "first", **NEWER})
    deliver(old, server.land(newer, rid))
    with newer.store.transaction() as db:  # the newer app edits its own field and the title, old edits the body
        doc = dict(
            newer.engine.head(rid).document, fields={"title": "t", "body": "first", **NEWER, "mood_colour": "teal"}
        )
        newer.engine.queue(db, rid, doc, False)
    old.edit_entry(rid, {"body": "first, then more"})
    report = deliver(old, server.land(newer, rid))
    assert report.merged == 1 and report.conflicts_kept == 0
    merged = old.engine.head(rid).document
    assert merged["fields"] == {"title": "t", "body": "first, then more", **NEWER, "mood_colour": "teal"}
    assert merged["place"] == {"label": "home", "precision": "city"}


def test_an_entry_of_a_kind_only_a_newer_version_knows_is_kept_whole(tmp_path, account):
    server = FakeServerHead()
    newer, old = device(tmp_path, "newer", account), device(tmp_path, "old", account)
    fields = {"steps": 4200, "route": ["park", "river"]}
    rid = _newer_entry(newer, "walk-log", fields)
    deliver(old, server.land(newer, rid))
    assert [(e["id"], e["kind"], e["fields"]) for e in old.entries()] == [(rid, "walk-log", fields)]
    before = old.engine.head(rid).document
    with pytest.raises(BetweenError) as refused:
        old.edit_entry(rid, {"steps": 1})
    assert refused.value.code == "unknown_kind" and "newer version" in refused.value.detail
    assert old.engine.head(rid).document == before and old.store.get_pending(rid) is None
    old.delete_entry(rid)  # deleting needs no knowledge of the kind
    assert old.engine.head(rid).deleted


def test_unshare_seals_the_next_version_under_a_key_the_peer_never_held(tmp_path):
    """client.unshare re-keys: the revoke alone would leave dr.lee holding the key of every later version (the
    server refuses a revoke under the old key, but that check is the server's, not this device's)."""
    sam_keys, lee_keys = person("sam"), person("dr.lee", "therapist")
    sam = device(tmp_path, "sam", sam_keys)
    pin(sam, lee_keys)
    server = FakeServerHead()
    rid = sam.add_entry("journal", {"body": "shared, then not"})
    sam.share(rid, "dr.lee")
    server.land(sam, rid)
    [grant] = pushed_grants(server.items[rid])
    body, lee_dek = records.open_grant(
        grant, owner_sig_pub=sam_keys.sig_pub, me_id=lee_keys.user_id, my_kem_seed=lee_keys.kem_seed
    )
    assert sam.unshare(rid, "dr.lee") == []
    pending = sam.store.get_pending(rid)
    assert pending.rekey and pending.atomic and pending.key_id != body.key_id
    assert sorted(pending.revoke) == [str(uuid.UUID(bytes=lee_keys.user_id))]
    assert pushed_grants(pending) == [] and sam.entry(rid)["shared_with"] == []
    revision = wire.Revision(header=pending.header, ct=pending.ct, signature=pending.signature)
    with pytest.raises(CryptoError):
        records.open_revision(
            revision,
            owner_id=sam_keys.user_id,
            record_id=uuid.UUID(rid),
            dek=lee_dek,
            key_id=pending.key_id,
            signer_pub=sam_keys.sig_pub,
        )  # lee's key: not this one


def _invite_cases(lee: keys.AccountSecrets, sam: keys.AccountSecrets) -> dict[str, tuple[str, InviteServer]]:
    """(link, server) pairs where the link and every answer but one are what a real invite gives."""
    bundle = keys.make_bundle(lee)
    secret = trust.invite_secret(lee.account_key, InviteServer.invite_id.bytes)
    link = safety.invite_url(InviteServer.origin, InviteServer.token, bundle, secret)
    honest = care_link(bundle, sam)
    impostor = keys.make_bundle(person("dr.lee", "therapist"))  # self-consistent, same handle, other keys
    as_client = keys.make_bundle(
        keys.AccountSecrets(
            **{
                **{f: getattr(lee, f) for f in ("user_id", "handle", "account_key", "sig_seed", "kem_seed")},
                "role": "client",
            }
        )
    )
    return {
        "honest": (link, InviteServer(bundle, honest)),
        "previewed_other_key": (link, InviteServer(impostor, care_link(impostor, sam))),
        "link_handle_edited": (link.replace("&h=dr.lee", "&h=dr.leeds"), InviteServer(bundle, honest)),
        "not_a_therapist": (
            safety.invite_url(InviteServer.origin, InviteServer.token, as_client, secret),
            InviteServer(as_client, care_link(as_client, sam)),
        ),
        "accepted_other_key": (link, InviteServer(bundle, care_link(impostor, sam))),
        "accepted_for_someone_else": (link, InviteServer(bundle, care_link(bundle, person("eve")))),
    }


@pytest.mark.parametrize(
    "case",
    ["previewed_other_key", "link_handle_edited", "not_a_therapist", "accepted_other_key", "accepted_for_someone_else"],
)
def test_accepting_an_invite_pins_nothing_the_link_does_not_vouch_for(tmp_path, case):
    """client.accept_invite: the key fingerprint, the handle and role, and the accept answer are each checked
    against the link; in each case every other answer is the honest one."""
    lee, sam_keys = person("dr.lee", "therapist"), person("sam")
    cases = _invite_cases(lee, sam_keys)
    honest_client = device(tmp_path, "honest", sam_keys)
    honest_client.profile._api = cases["honest"][1]
    assert honest_client.accept_invite(cases["honest"][0]) == "dr.lee"  # the control
    # ...whose proof the therapist's devices accept (the secret is the account's, for this invite).
    assert (
        trust.check_invite_proof(
            lee.account_key,
            wire.CareLink(
                link_id=uuid.uuid4(),
                therapist=keys.make_bundle(lee),
                client=keys.make_bundle(sam_keys),
                created_at=1,
                invite_id=InviteServer.invite_id,
                proof=cases["honest"][1].proof,
            ),
        )
        == "valid"
    )
    sam = device(tmp_path, "sam", sam_keys)
    link, server = cases[case]
    sam.profile._api = server
    with pytest.raises(CryptoError):
        sam.accept_invite(link)
    assert sam.store.list_peers() == []
    assert server.accepted == (1 if case.startswith("accepted") else 0)  # refused before accepting when it can be
