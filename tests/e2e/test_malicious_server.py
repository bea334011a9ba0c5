"""A malicious server against the reference client: it edits its own database to hand a second device
forged keys, replay a revoked grant, forget an entry or roll one back; and a care link that ends must
re-key what the ex-therapist could read."""

from __future__ import annotations

import sqlite3
import time
import uuid

import msgspec
import pytest

from sync import crypto, keys, records, wire
from sync.client import Client
from sync.engine import ShareError, SyncReport
from sync.layout import GrantBody

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASS_C = "client passphrase, long enough"
PASS_T = "therapist passphrase, long enough"


def _db(server) -> sqlite3.Connection:
    db = sqlite3.connect(server.data_dir / "between.sqlite3", timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _bump_feed(db: sqlite3.Connection, user_id: bytes, record_id: str) -> None:
    """Put a record at the top of one reader's feed, as the server does when it changes."""
    seq = db.execute("UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq",
                     (user_id,)).fetchone()[0]
    db.execute("INSERT INTO feed (user_id, record_id, seq) VALUES (?, ?, ?) ON CONFLICT (user_id, record_id) "
               "DO UPDATE SET seq = excluded.seq", (user_id, uuid.UUID(record_id).bytes, seq))


@pytest.fixture
def care(server, tmp_path):
    """drbob (therapist) and alice (client, first device), linked by alice accepting drbob's invite."""
    therapist, client = Client(tmp_path / "t"), Client(tmp_path / "c")
    therapist.create_account(server.url, "drbob", PASS_T, "therapist", FLOOR)
    client.create_account(server.url, "alice", PASS_C, "client", FLOOR)
    client.accept_invite(therapist.create_invite())
    therapist.sync()
    yield therapist, client
    therapist.close()
    client.close()


def _key_ids(client: Client, record_id: str) -> set[bytes]:
    return {bytes(r[0]) for r in client.store.db.execute("SELECT key_id FROM deks WHERE record_id = ?",
                                                          (record_id,))}


# ------------------------------------------------------------ H1: a second device and forged keys

def test_a_second_device_does_not_share_with_a_key_the_server_named(server, care, tmp_path):
    therapist, client = care
    # The server swaps drbob's keys (valid self-signature, attacker's seeds) before alice's 2nd device signs in.
    evil = keys.AccountSecrets(user_id=therapist.secrets.user_id, handle="drbob", role="therapist",
                               account_key=crypto.random_bytes(32), sig_seed=crypto.random_bytes(32),
                               kem_seed=crypto.random_bytes(32))
    fake = keys.make_bundle(evil)
    db = _db(server)
    real = db.execute("SELECT sig_pub, kem_pub, bundle_signature FROM users WHERE handle = 'drbob'").fetchone()
    db.execute("UPDATE users SET sig_pub = ?, kem_pub = ?, bundle_signature = ? WHERE handle = 'drbob'",
               (fake.sig_pub, fake.kem_pub, fake.signature))
    second = Client(tmp_path / "c2")
    try:
        second.login(server.url, "alice", passphrase=PASS_C)
        second.sync()
        peer = second.store.get_peer(handle="drbob")
        assert peer["kem_pub"] == evil.kem_pub and peer["verified_how"] == "tofu"
        rid = second.add_entry("journal", {"body": "written on the second device"})
        with pytest.raises(ShareError) as refused:
            second.share(rid, "drbob")
        assert "not verified on this device" in refused.value.detail
        assert "between safety-number drbob" in refused.value.detail
        assert second.store.get_pending(rid)["grants_json"] == "[]"
        # The person compares numbers in session: they differ from drbob's, so nothing is confirmed.
        assert second.safety_number("drbob")[0] != therapist.safety_number("alice")[0]
        # The first device still shares with the key it pinned from the invite link.
        first = client.add_entry("journal", {"body": "from the first device"})
        client.share(first, "drbob")
        assert client.store.get_pending(first)["grants_json"] != "[]"
    finally:
        db.execute("UPDATE users SET sig_pub = ?, kem_pub = ?, bundle_signature = ? WHERE handle = 'drbob'", real)
        db.close()
        second.close()


def test_a_verified_safety_number_unblocks_sharing_and_the_therapists_entries(server, care, tmp_path):
    therapist, client = care
    # The therapist pinned alice on first sight too: no sharing from that side either until verified.
    note = therapist.add_entry("journal", {"body": "homework from drbob"})
    with pytest.raises(ShareError):
        therapist.share(note, "alice")
    therapist.mark_verified("alice")
    therapist.share(note, "alice")
    therapist.sync()
    assert [e["fields"]["body"] for e in client.shared_with_me()] == []
    client.sync()
    assert [e["fields"]["body"] for e in client.shared_with_me()] == ["homework from drbob"]

    second = Client(tmp_path / "c2")
    try:
        second.login(server.url, "alice", passphrase=PASS_C)
        report = second.sync()
        # drbob's entry is held back on a device that only has the server's word for drbob's key.
        assert second.shared_with_me() == []
        assert any("not verified on this device" in w for w in report.warnings), report.warnings
        rid = second.add_entry("journal", {"body": "for drbob, from device two"})
        with pytest.raises(ShareError):
            second.share(rid, "drbob")
        assert second.safety_number("drbob")[0] == therapist.safety_number("alice")[0]
        second.mark_verified("drbob")
        second.sync()
        assert [e["fields"]["body"] for e in second.shared_with_me()] == ["homework from drbob"]
        second.share(rid, "drbob")
        second.sync()
        therapist.sync()
        assert [e["fields"]["body"] for e in therapist.shared_with_me()] == ["for drbob, from device two"]
    finally:
        second.close()


# ------------------------------------------------------------ H2: a replayed grant

def test_a_replayed_old_grant_does_not_re_add_an_unshared_therapist(server, care, tmp_path):
    therapist, client = care
    other = Client(tmp_path / "t2")
    try:
        other.create_account(server.url, "drcarol", PASS_T, "therapist", FLOOR)
        client.accept_invite(other.create_invite())
        rid = client.add_entry("journal", {"body": "shared with drbob once"})
        client.sync()
        client.share(rid, "drbob")
        client.sync()
        db = _db(server)
        try:
            saved = db.execute("SELECT grantee_id, key_id, sealed FROM grants WHERE record_id = ?",
                               (uuid.UUID(rid).bytes,)).fetchone()
            client.unshare(rid, "drbob")
            client.sync()
            client.edit_entry(rid, {"body": "written after unsharing drbob"})
            client.sync()
            assert client.entry(rid)["shared_with"] == []
            # The server brings the old, owner-signed grant back and puts the record in alice's feed.
            db.execute("UPDATE grants SET revoked_at = NULL, sealed = ? WHERE record_id = ? AND grantee_id = ? "
                       "AND key_id = ?", (saved[2], uuid.UUID(rid).bytes, saved[0], saved[1]))
            _bump_feed(db, client.secrets.user_id, rid)
        finally:
            db.close()
        report = client.sync()
        assert client.entry(rid)["shared_with"] == []
        assert any("old grants" in w for w in report.warnings), report.warnings
        # Sharing with drcarol re-keys the record: the new key goes to drcarol only.
        other_peer = client.store.get_peer(handle="drcarol")
        client.share(rid, "drcarol")
        pending = client.store.get_pending(rid)
        assert pending["revoke_json"] == "[]"
        grants = msgspec.json.decode(pending["grants_json"].encode(), type=list[wire.GrantUpload])
        assert [str(uuid.UUID(bytes=GrantBody.parse(g.body).grantee_id)) for g in grants] == [other_peer["user_id"]]
        client.sync()
        therapist.sync()
        assert therapist.shared_with_me() == []
        other.sync()
        assert [e["fields"]["body"] for e in other.shared_with_me()] == ["written after unsharing drbob"]
    finally:
        other.close()


# ------------------------------------------------------------ H3: the care link ends

def test_ending_the_care_link_re_keys_what_the_ex_therapist_could_read(server, care):
    therapist, client = care
    rid = client.add_entry("journal", {"body": "shared while linked"})
    client.sync()
    client.share(rid, "drbob")
    client.sync()
    therapist.sync()
    assert [e["fields"]["body"] for e in therapist.shared_with_me()] == ["shared while linked"]
    held = _key_ids(therapist, rid)
    assert held
    # An edit made offline before this device learns that the link ended.
    therapist.api.delete_link(therapist.api.links()[0].link_id)
    client.edit_entry(rid, {"body": "written after the link ended"})
    report = client.sync()
    assert client.store.get_record(rid)["key_id"] not in held
    assert any("care link with drbob ended" in w for w in report.warnings), report.warnings
    assert client.store.list_pending() == []
    assert client.entry(rid)["shared_with"] == []
    client.edit_entry(rid, {"body": "and again later"})
    client.sync()
    for revision in client.api.history(uuid.UUID(rid)).revisions:
        if revision.version >= 3:
            assert records.Header.parse(revision.revision.header).key_id not in held
    head = client.store.get_record(rid)
    assert head["key_id"] not in held and head["version"] >= 4
    # Nothing further to re-key on the next sync.
    assert not any("ended" in w for w in client.sync().warnings)


def test_a_profile_that_saw_the_link_end_earlier_re_keys_on_its_next_sync(server, care):
    therapist, client = care
    rid = client.add_entry("journal", {"body": "shared"})
    gone = client.add_entry("journal", {"body": "shared, then deleted"})
    client.sync()
    client.share(rid, "drbob")
    client.share(gone, "drbob")
    client.sync()
    client.delete_entry(gone)
    client.sync()
    therapist.sync()
    held = _key_ids(therapist, rid)
    tombstone = client.store.get_record(gone)["version"]
    therapist.api.delete_link(therapist.api.links()[0].link_id)
    # What a profile of the previous version kept: drbob marked unlinked, still on the share list.
    with client.store.transaction() as db:
        client.store.update_peer(db, client.store.get_peer(handle="drbob")["user_id"], linked=0)
    client.sync()
    assert client.store.get_record(rid)["key_id"] not in held
    # A deleted entry has no later versions to protect: its share is forgotten without a new revision.
    assert client.store.get_record(gone)["version"] == tombstone
    assert client.store.given_pairs() == []
    assert client.store.list_pending() == []


# ------------------------------------------------------------ M2: a fake "removed"

def test_a_fake_removed_never_forgets_an_own_entry_or_its_unsynced_edit(server, care):
    therapist, client = care
    rid = client.add_entry("journal", {"body": "synced text"})
    client.sync()
    client.edit_entry(rid, {"body": "UNSYNCED edit, only on this device"})
    high_water = client.store.high_water(rid)
    db = _db(server)
    try:
        # The server claims the record belongs to someone else: alice's pull now says "removed".
        db.execute("UPDATE records SET owner_id = ? WHERE record_id = ?",
                   (therapist.secrets.user_id, uuid.UUID(rid).bytes))
        _bump_feed(db, client.secrets.user_id, rid)
        page = client.api.pull(client.store.cursor())
        assert [(i.access, str(i.owner_id)) for i in page.items] == [("removed", therapist.engine.me)]
        report = SyncReport()
        client.engine.pull(report)
    finally:
        db.execute("UPDATE records SET owner_id = ? WHERE record_id = ?",
                   (client.secrets.user_id, uuid.UUID(rid).bytes))
        db.close()
    assert client.entry(rid)["fields"] == {"body": "UNSYNCED edit, only on this device"}
    assert client.store.get_pending(rid) is not None
    assert client.store.high_water(rid) == high_water
    assert any("it is yours" in w for w in report.warnings), report.warnings
    client.sync()
    assert client.store.list_pending() == []


def test_removed_then_an_older_head_is_refused_by_a_grantee(server, care):
    therapist, client = care
    rid = client.add_entry("journal", {"body": "v1"})
    client.sync()
    client.share(rid, "drbob")  # v2, new key
    client.sync()
    client.edit_entry(rid, {"body": "v3 shared"})
    client.sync()
    therapist.sync()
    assert therapist.store.get_record(rid)["version"] == 3
    db = _db(server)
    try:
        rec = uuid.UUID(rid).bytes
        # Step 1: the server drops drbob's grant for a moment: his feed says "removed".
        db.execute("UPDATE grants SET revoked_at = ? WHERE record_id = ?", (int(time.time()), rec))
        _bump_feed(db, therapist.secrets.user_id, rid)
        therapist.sync()
        assert therapist.shared_with_me() == []
        assert therapist.store.high_water(rid)[0] == 3  # kept as a tombstone
        # Step 2: it brings the grant back with the older version 2 as the head.
        old_rev = db.execute("SELECT rev_id, key_id FROM revisions WHERE record_id = ? AND version = 2",
                             (rec,)).fetchone()
        db.execute("UPDATE grants SET revoked_at = NULL WHERE record_id = ?", (rec,))
        db.execute("UPDATE records SET head_version = 2, head_rev_id = ?, head_key_id = ? WHERE record_id = ?",
                   (old_rev[0], old_rev[1], rec))
        _bump_feed(db, therapist.secrets.user_id, rid)
    finally:
        db.close()
    report = therapist.sync()
    assert any("older or forked" in w for w in report.warnings), report.warnings
    assert therapist.store.get_record(rid) is None
    assert therapist.shared_with_me() == []
