"""A malicious server against the reference client: it edits its own database to hand a second device
forged keys, replay a revoked grant, forget an entry or roll one back; and a care link that ends must
re-key what the ex-therapist could read."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from between.sync.client.client import Client
from between.sync.client.report import SyncReport
from between.sync.core import crypto, keys, records, wire
from between.sync.core.layout import GrantBody
from between.sync.core.sharing import ShareError

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASS_C = "client passphrase, long enough"
PASS_T = "therapist passphrase, long enough"


@pytest.fixture
def server(live_server):
    """This module plays a malicious server by editing its SQLite file behind its back: what it tests is the
    client's checks, the same whatever engine an honest server runs on, so it runs on SQLite only."""
    return live_server


def _db(server) -> sqlite3.Connection:
    db = sqlite3.connect(server.data_dir / "between.sqlite3", timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _bump_feed(db: sqlite3.Connection, user_id: bytes, record_id: str) -> None:
    """Put a record at the top of one reader's feed, as the server does when it changes."""
    seq = db.execute(
        "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (user_id,)
    ).fetchone()[0]
    db.execute(
        "INSERT INTO feed (user_id, record_id, seq) VALUES (?, ?, ?) ON CONFLICT (user_id, record_id) "
        "DO UPDATE SET seq = excluded.seq",
        (user_id, uuid.UUID(record_id).bytes, seq),
    )


@pytest.fixture
def care(server, tmp_path):
    """drbob (therapist) and alice (client, first device), linked by alice accepting drbob's invite."""
    therapist, client = Client(tmp_path / "t"), Client(tmp_path / "c")
    therapist.accounts.create(server.url, "drbob", PASS_T, "therapist", FLOOR)
    client.accounts.create(server.url, "alice", PASS_C, "client", FLOOR)
    client.accept_invite(therapist.create_invite())
    therapist.sync()
    client.sync()  # the account's verification of drbob goes to the server
    yield therapist, client
    therapist.close()
    client.close()


def _key_ids(client: Client, record_id: str) -> set[bytes]:
    return {bytes(r[0]) for r in client.store.db.execute("SELECT key_id FROM deks WHERE record_id = ?", (record_id,))}


# ------------------------------------------------------------ H1: a second device and forged keys


def _swap_keys(db: sqlite3.Connection, handle: str, user_id: bytes) -> tuple[keys.AccountSecrets, tuple]:
    """The server hands out other keys for `handle` (a valid self-signature, seeds only it holds)."""
    evil = keys.AccountSecrets(
        user_id=user_id,
        handle=handle,
        role=db.execute("SELECT role FROM users WHERE handle = ?", (handle,)).fetchone()[0],
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )
    fake = keys.make_bundle(evil)
    real = db.execute("SELECT sig_pub, kem_pub, bundle_signature FROM users WHERE handle = ?", (handle,)).fetchone()
    db.execute(
        "UPDATE users SET sig_pub = ?, kem_pub = ?, bundle_signature = ? WHERE handle = ?",
        (fake.sig_pub, fake.kem_pub, fake.signature, handle),
    )
    return evil, real


def _restore_keys(db: sqlite3.Connection, handle: str, real: tuple) -> None:
    db.execute("UPDATE users SET sig_pub = ?, kem_pub = ?, bundle_signature = ? WHERE handle = ?", (*real, handle))


def test_a_second_device_refuses_a_key_the_server_swapped_after_the_account_verified_the_real_one(
    server, care, tmp_path
):
    therapist, client = care
    db = _db(server)
    evil, real = _swap_keys(db, "drbob", therapist.secrets.user_id)
    second = Client(tmp_path / "c2")
    try:
        second.accounts.login(server.url, "alice", passphrase=PASS_C)
        report = second.sync()
        peer = second.store.get_peer(handle="drbob")
        # The account's verification names drbob's real key: the swapped one blocks, it is never pinned.
        assert peer.state == "changed" and peer.sig_pub == therapist.secrets.sig_pub
        assert peer.kem_pub != evil.kem_pub
        assert any("security key changed" in w for w in report.warnings), report.warnings
        rid = second.add_entry("journal", {"body": "written on the second device"})
        with pytest.raises(ShareError) as refused:
            second.share(rid, "drbob")
        assert "security key changed" in refused.value.detail and "between safety-number drbob" in refused.value.detail
        assert second.store.get_pending(rid).grants == ()
        # The person compares numbers: they differ from drbob's, so nothing is confirmed.
        assert second.safety_number("drbob")[0] != therapist.safety_number("alice")[0]
        # The first device still shares with the key it verified from the invite link.
        first = client.add_entry("journal", {"body": "from the first device"})
        client.share(first, "drbob")
        assert client.store.get_pending(first).grants != ()
    finally:
        _restore_keys(db, "drbob", real)
        db.close()
        second.close()


def test_a_second_device_that_trusted_a_swapped_key_drops_it_once_the_accounts_verification_arrives(
    server, care, tmp_path
):
    """The server serves the swapped key and a forged assignment from it first, the account's verification later:
    whatever came under the swapped key is dropped, and the real therapist's entries come in its place."""
    therapist, client = care
    note = therapist.add_entry("journal", {"body": "the real drbob"})
    therapist.share(note, "alice")
    therapist.sync()
    client.sync()
    assert [e["fields"]["body"] for e in client.shared_with_me()] == ["the real drbob"]
    db = _db(server)
    evil, real = _swap_keys(db, "drbob", therapist.secrets.user_id)
    second = Client(tmp_path / "c2")
    try:
        second.accounts.login(server.url, "alice", passphrase=PASS_C)
        # Hide the account's verification for the first sync: the second device can only pin the server's word.
        vrec = [r for r in client.engine.heads() if r.document.get("type") == "key-verification"]
        assert len(vrec) == 1
        vid = uuid.UUID(vrec[0].record_id).bytes
        feed = db.execute("SELECT seq FROM feed WHERE record_id = ?", (vid,)).fetchone()
        db.execute("DELETE FROM feed WHERE record_id = ?", (vid,))
        second.sync()
        assert second.store.get_peer(handle="drbob").state == "unverified"
        # A record forged under the swapped key, granted to alice: taken (marked not verified) for now.
        forged_id = uuid.uuid4()
        dek = crypto.random_bytes(32)
        key_id = crypto.random_bytes(16)
        rev = records.seal_revision(
            owner_id=therapist.secrets.user_id,
            record_id=forged_id,
            version=1,
            parent=None,
            key_id=key_id,
            dek=dek,
            plaintext=records.encode_document(
                {
                    "v": 1,
                    "kind": "journal",
                    "fields": {"body": "forged"},
                    "created_at": "2026-12-01T10:00:00Z",
                    "updated_at": "2026-12-01T10:00:00Z",
                    "device": str(uuid.uuid4()),
                }
            ),
            sig_seed=evil.sig_seed,
        )
        grant = records.make_grant(
            sig_seed=evil.sig_seed,
            owner_id=therapist.secrets.user_id,
            record_id=forged_id,
            key_id=key_id,
            dek=dek,
            grantee_id=uuid.UUID(bytes=client.secrets.user_id),
            grantee_kem_pub=client.secrets.kem_pub,
        )
        _insert_record(db, rev, therapist.secrets.user_id, forged_id, key_id, grant, client.secrets.user_id)
        second.sync()
        assert "forged" in [e["fields"].get("body") for e in second.shared_with_me()]
        # The account's verification arrives: drbob's real key is pinned, the forged entry is gone, the real
        # one (refused under the swapped key) comes, and the swapped key is blocked.
        db.execute(
            "INSERT INTO feed (user_id, record_id, seq) VALUES (?, ?, ?)", (client.secrets.user_id, vid, feed[0])
        )
        _bump_feed(db, client.secrets.user_id, str(uuid.UUID(bytes=vid)))
        second.sync()
        peer = second.store.get_peer(handle="drbob")
        assert (peer.state, peer.sig_pub) == ("changed", therapist.secrets.sig_pub)
        # Nothing is taken while the server names a key the account never verified: held back, and counted.
        assert second.shared_with_me() == [] and peer.held >= 1
        # The server names the real key again: what was held back comes, with nothing for the person to do.
        _restore_keys(db, "drbob", real)
        second.sync()
        peer = second.store.get_peer(handle="drbob")
        assert (peer.state, peer.verified_how, peer.held) == ("verified", "invite-link", 0)
        assert [e["fields"]["body"] for e in second.shared_with_me()] == ["the real drbob"]
    finally:
        _restore_keys(db, "drbob", real)
        db.close()
        second.close()


def _insert_record(
    db: sqlite3.Connection,
    rev: wire.Revision,
    owner: bytes,
    record_id: uuid.UUID,
    key_id: bytes,
    grant: wire.GrantUpload,
    grantee: bytes,
) -> None:
    """What a malicious server can do on its own: store a record and a grant it made, and put it in a feed."""
    rid = records.rev_id(rev.header, rev.ct)
    db.execute(
        "INSERT INTO records (record_id, owner_id, head_version, head_rev_id, head_key_id) VALUES (?, ?, 1, ?, ?)",
        (record_id.bytes, owner, rid, key_id),
    )
    seq = db.execute(
        "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (owner,)
    ).fetchone()[0]
    db.execute(
        "INSERT INTO revisions (record_id, version, rev_id, key_id, header, ct, signature, seq) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
        (record_id.bytes, rid, key_id, rev.header, rev.ct, rev.signature, seq),
    )
    db.execute(
        "INSERT INTO grants (record_id, grantee_id, key_id, body, sealed, signature, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        (record_id.bytes, grantee, key_id, grant.body, grant.sealed, grant.signature),
    )
    _bump_feed(db, grantee, str(record_id))


def test_a_new_device_knows_whom_the_account_verified_and_works_at_once(server, care, tmp_path):
    therapist, client = care
    # drbob's device checked alice's invitation proof: verified by invitation, no number compared.
    assert therapist.store.get_peer(handle="alice").verified_how == "invite-link"
    note = therapist.add_entry("journal", {"body": "homework from drbob"})
    therapist.share(note, "alice")
    therapist.sync()
    client.sync()
    assert [e["fields"]["body"] for e in client.shared_with_me()] == ["homework from drbob"]

    second = Client(tmp_path / "c2")
    try:
        second.accounts.login(server.url, "alice", passphrase=PASS_C)
        second.sync()
        peer = second.store.get_peer(handle="drbob")
        assert (peer.state, peer.verified_how) == ("verified", "invite-link")
        assert [e["fields"]["body"] for e in second.shared_with_me()] == ["homework from drbob"]
        rid = second.add_entry("journal", {"body": "for drbob, from device two"})
        second.share(rid, "drbob")
        second.sync()
        therapist.sync()
        assert [e["fields"]["body"] for e in therapist.shared_with_me()] == ["for drbob, from device two"]
    finally:
        second.close()
    # The same for the therapist's new device: alice is verified there too, from the account.
    t2 = Client(tmp_path / "t2")
    try:
        t2.accounts.login(server.url, "drbob", passphrase=PASS_T)
        t2.sync()
        assert t2.store.get_peer(handle="alice").verified_how == "invite-link"
        assert {e["fields"]["body"] for e in t2.shared_with_me()} == {"for drbob, from device two"}
    finally:
        t2.close()


def test_a_changed_key_blocks_until_verified_again(server, care, tmp_path):
    therapist, client = care
    db = _db(server)
    evil, real = _swap_keys(db, "alice", client.secrets.user_id)
    try:
        report = therapist.sync()
        peer = therapist.store.get_peer(handle="alice")
        assert peer.state == "changed" and any("security key changed" in w for w in report.warnings)
        note = therapist.add_entry("journal", {"body": "for alice"})
        with pytest.raises(ShareError):
            therapist.share(note, "alice")
        # Comparing numbers (here: against the key the server now names) is the only way to accept it.
        therapist.mark_verified("alice")
        assert therapist.store.get_peer(handle="alice").state == "verified"
        assert therapist.store.get_peer(handle="alice").kem_pub == evil.kem_pub
        therapist.share(note, "alice")
    finally:
        _restore_keys(db, "alice", real)
        db.close()


# ------------------------------------------------------------ H2: a replayed grant


def test_a_replayed_old_grant_does_not_re_add_an_unshared_therapist(server, care, tmp_path):
    therapist, client = care
    other = Client(tmp_path / "t2")
    try:
        other.accounts.create(server.url, "drcarol", PASS_T, "therapist", FLOOR)
        client.accept_invite(other.create_invite())
        rid = client.add_entry("journal", {"body": "shared with drbob once"})
        client.sync()
        client.share(rid, "drbob")
        client.sync()
        db = _db(server)
        try:
            saved = db.execute(
                "SELECT grantee_id, key_id, sealed FROM grants WHERE record_id = ?", (uuid.UUID(rid).bytes,)
            ).fetchone()
            client.unshare(rid, "drbob")
            client.sync()
            client.edit_entry(rid, {"body": "written after unsharing drbob"})
            client.sync()
            assert client.entry(rid)["shared_with"] == []
            # The server brings the old, owner-signed grant back and puts the record in alice's feed.
            db.execute(
                "UPDATE grants SET revoked_at = NULL, sealed = ? WHERE record_id = ? AND grantee_id = ? AND key_id = ?",
                (saved[2], uuid.UUID(rid).bytes, saved[0], saved[1]),
            )
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
        assert pending.revoke == frozenset()
        grants = pending.grants
        assert [str(uuid.UUID(bytes=GrantBody.parse(g.body).grantee_id)) for g in grants] == [other_peer.user_id]
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
    assert client.store.get_record(rid).key_id not in held
    assert any("care link with drbob ended" in w for w in report.warnings), report.warnings
    assert client.store.list_pending() == []
    assert client.entry(rid)["shared_with"] == []
    client.edit_entry(rid, {"body": "and again later"})
    client.sync()
    for revision in client.api.history(uuid.UUID(rid)).revisions:
        if revision.version >= 3:
            assert records.Header.parse(revision.revision.header).key_id not in held
    head = client.store.get_record(rid)
    assert head.key_id not in held and head.version >= 4
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
    tombstone = client.store.get_record(gone).version
    therapist.api.delete_link(therapist.api.links()[0].link_id)
    # What a profile of the previous version kept: drbob marked unlinked, still on the share list.
    with client.store.transaction() as db:
        client.store.update_peer(db, client.store.get_peer(handle="drbob").user_id, linked=0)
    client.sync()
    assert client.store.get_record(rid).key_id not in held
    # A deleted entry has no later versions to protect: its share is forgotten without a new revision.
    assert client.store.get_record(gone).version == tombstone
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
        db.execute(
            "UPDATE records SET owner_id = ? WHERE record_id = ?", (therapist.secrets.user_id, uuid.UUID(rid).bytes)
        )
        _bump_feed(db, client.secrets.user_id, rid)
        page = client.api.pull(client.store.cursor())
        assert [(i.access, str(i.owner_id)) for i in page.items] == [("removed", therapist.engine.me)]
        report = SyncReport()
        client.engine.inbox.pull(client.api, report)
    finally:
        db.execute(
            "UPDATE records SET owner_id = ? WHERE record_id = ?", (client.secrets.user_id, uuid.UUID(rid).bytes)
        )
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
    assert therapist.store.get_record(rid).version == 3
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
        old_rev = db.execute(
            "SELECT rev_id, key_id FROM revisions WHERE record_id = ? AND version = 2", (rec,)
        ).fetchone()
        db.execute("UPDATE grants SET revoked_at = NULL WHERE record_id = ?", (rec,))
        db.execute(
            "UPDATE records SET head_version = 2, head_rev_id = ?, head_key_id = ? WHERE record_id = ?",
            (old_rev[0], old_rev[1], rec),
        )
        _bump_feed(db, therapist.secrets.user_id, rid)
    finally:
        db.close()
    report = therapist.sync()
    assert any("older or forked" in w for w in report.warnings), report.warnings
    assert therapist.store.get_record(rid) is None
    assert therapist.shared_with_me() == []
