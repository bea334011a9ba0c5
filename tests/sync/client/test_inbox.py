"""The pulling half of sync (sync/client/inbox.py) without a server: what a device refuses from a pulled page, each
case built so that every other check passes (docs/INTERNALS.md, "Testing")."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from between.sync.core import keys
from between.sync.core.errors import RollbackError
from tests.sync.profiles import (
    FakeServerHead,
    care_pair,
    deliver,
    device,
    person,
    pin,
    pushed_grants,
    shared_entry,
    stored_grant,
)


@pytest.fixture
def care(tmp_path):
    return care_pair(tmp_path)


def _received(lee) -> list[str]:
    return [e["fields"]["body"] for e in lee.shared_with_me()]


def test_a_shared_entry_arrives_whole(care):
    """The control for the tests below: the same states, untouched, are accepted."""
    sam, lee, _, lee_keys = care
    server = FakeServerHead()
    rid = shared_entry(sam, server)
    report = deliver(lee, server.granted(rid, lee_keys, seq=1))
    assert report.warnings == [] and _received(lee) == ["for my therapist"]


@pytest.mark.parametrize("label", ["rev_id", "version"])
def test_a_head_whose_labels_differ_from_its_bytes_is_refused(care, label):
    """inbox: the served rev_id and version must be those of the revision's own bytes (the signature, context and
    key commitment all pass: they cover the bytes, not the server's labels around them)."""
    sam, lee, _, lee_keys = care
    server = FakeServerHead()
    rid = shared_entry(sam, server)
    state = server.granted(rid, lee_keys, seq=1)
    wrong = {"rev_id": bytes(32)} if label == "rev_id" else {"version": 2}
    lying = msgspec.structs.replace(state, head=msgspec.structs.replace(state.head, **wrong))
    report = deliver(lee, lying)
    assert any("does not match its bytes" in w for w in report.warnings)
    assert _received(lee) == [] and lee.store.get_record(rid) is None and lee.store.cursor() == 1


def test_a_grant_for_another_record_riding_along_is_refused(care):
    """inbox: every grant served with a record must be for that record. The extra grant is real (sam's, to lee,
    for sam's other shared entry), and the record's own grant opens its head."""
    sam, lee, _, lee_keys = care
    server = FakeServerHead()
    rid, other = shared_entry(sam, server, "first"), shared_entry(sam, server, "second")
    own = server.granted(rid, lee_keys, seq=2)
    stray = server.granted(other, lee_keys, seq=2).grants
    report = deliver(lee, msgspec.structs.replace(own, grants=own.grants + stray))
    assert any("a grant for another record" in w for w in report.warnings)
    assert _received(lee) == [] and lee.store.get_dek(rid, stray[0].key_id) is None


def test_an_own_record_served_with_a_grant_for_another_record_is_refused(tmp_path, care):
    """inbox, own records: the grants listed with one of my records must be for it (the stray grant is my own,
    signed by me, for my other record)."""
    sam, _, sam_keys, _ = care
    laptop = device(tmp_path, "laptop", sam_keys)
    server = FakeServerHead()
    rid, other = shared_entry(sam, server, "first"), shared_entry(sam, server, "second")
    grants = [stored_grant(g) for r in (rid, other) for g in pushed_grants(server.items[r])]
    report = deliver(laptop, FakeServerHead.state(sam, server.items[rid], 2, grants))
    assert any("a grant for another record" in w for w in report.warnings)
    assert laptop.store.get_record(rid) is None
    report = deliver(laptop, FakeServerHead.state(sam, server.items[rid], 3, grants[:1]))  # the control
    assert report.warnings == [] and laptop.store.get_record(rid) is not None


def test_entries_of_a_peer_whose_key_changed_are_held_back_and_counted(care):
    """inbox: a peer with a changed (unconfirmed) key sends nothing this device takes, though every grant and
    signature still verifies under the key pinned before; what is held back is counted for the screens."""
    sam, lee, sam_keys, lee_keys = care
    server = FakeServerHead()
    rid = shared_entry(sam, server)
    changed = keys.make_bundle(person("sam"))
    uid = str(uuid.UUID(bytes=sam_keys.user_id))
    with lee.store.transaction() as db:
        lee.store.update_peer(db, uid, changed=changed, state="changed")
    report = deliver(lee, server.granted(rid, lee_keys, seq=1))
    assert _received(lee) == [] and report.pulled == 0
    assert lee.store.get_peer(user_id=uid).held == 1


def test_a_therapist_whose_key_does_not_match_the_invitation_sends_nothing_until_compared(care):
    """inbox: a therapist whose key is blocked (here: the invitation's proof did not match) sends nothing this
    device takes, though the grant, the signature and the key commitment all verify; comparing the numbers
    (mark_verified) lets it in."""
    sam, lee, sam_keys, lee_keys = care
    with sam.store.transaction() as db:
        sam.store.update_peer(db, str(uuid.UUID(bytes=lee_keys.user_id)), state="mismatch")
    server = FakeServerHead()
    rid = lee.add_entry("journal", {"body": "notes for sam"})
    lee.share(rid, "sam")
    server.land(lee, rid)
    deliver(sam, server.granted(rid, sam_keys, seq=1))
    assert _received(sam) == []
    sam.mark_verified("dr.lee")
    report = deliver(sam, server.granted(rid, sam_keys, seq=2))
    assert report.warnings == [] and _received(sam) == ["notes for sam"]


def test_a_therapist_only_the_server_vouches_for_is_taken_marked_not_verified(care):
    """inbox: trust on first use. A therapist's key that is only the server's word is not blocked: their entries
    are taken, and shared_with_me says the key is not verified."""
    sam, lee, sam_keys, lee_keys = care
    with sam.store.transaction() as db:
        sam.store.update_peer(db, str(uuid.UUID(bytes=lee_keys.user_id)), verified_how="tofu", state="unverified")
    server = FakeServerHead()
    rid = lee.add_entry("journal", {"body": "notes for sam"})
    lee.share(rid, "sam")
    server.land(lee, rid)
    deliver(sam, server.granted(rid, sam_keys, seq=1))
    assert _received(sam) == ["notes for sam"]
    assert [e["owner_verified"] for e in sam.shared_with_me()] == [False]


def test_a_cursor_moved_backwards_is_refused_and_applies_nothing(care):
    sam, lee, _, lee_keys = care
    server = FakeServerHead()
    first, second = shared_entry(sam, server, "first"), shared_entry(sam, server, "second")
    deliver(lee, server.granted(first, lee_keys, seq=5))
    with pytest.raises(RollbackError):
        deliver(lee, server.granted(second, lee_keys, seq=4), cursor=4)
    assert lee.store.cursor() == 5 and _received(lee) == ["first"]


def test_an_old_keys_grant_served_with_an_own_record_puts_no_one_back_on_its_share_list(tmp_path, care):
    """inbox, own records: a grant for an older key says who could read once, not who shares now. The server
    serves the unshared therapist's old grant (real, signed by this account) with the head under the new key."""
    sam, _, sam_keys, lee_keys = care
    laptop = device(tmp_path, "laptop", sam_keys)
    pin(laptop, lee_keys)
    server = FakeServerHead()
    rid = shared_entry(sam, server)
    old_grants = [stored_grant(g) for g in pushed_grants(server.items[rid])]
    sam.unshare(rid, "dr.lee")
    server.land(sam, rid)
    report = deliver(laptop, FakeServerHead.state(sam, server.items[rid], 2, old_grants))
    assert any("old grants of entry" in w for w in report.warnings)
    assert laptop.entry(rid)["shared_with"] == [] and laptop.store.given_pairs() == []
