"""The client's profile store: keys file permissions, schema, transactions, outbox and high-water marks."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import stat
import uuid

import pytest

from between.sync.client.keysfile import KeysFile, ProfileError
from between.sync.client.localstore import MIGRATIONS, LocalStore, _statements
from between.sync.client.rows import PendingRevision, StoredRecord
from between.sync.core import crypto, keys, wire


def _bundle(handle: str = "drbob", role: str = "therapist", user_id: bytes | None = None) -> wire.KeyBundle:
    """A real, signed key bundle (the store keeps pinned bundles as they verify)."""
    return keys.make_bundle(
        keys.AccountSecrets(
            user_id=user_id or uuid.uuid4().bytes,
            handle=handle,
            role=role,
            account_key=crypto.random_bytes(32),
            sig_seed=crypto.random_bytes(32),
            kem_seed=crypto.random_bytes(32),
        )
    )


def _keys() -> KeysFile:
    return KeysFile(
        server="http://127.0.0.1:1",
        handle="alice",
        role="client",
        user_id=b"u" * 16,
        device_id=b"d" * 16,
        account_key=b"A" * 32,
        sig_seed=b"S" * 32,
        kem_seed=b"K" * 32,
        device_seed=b"D" * 32,
        token="tok",
    )


def _row(record_id: str = "r1", version: int = 1, rev: bytes = b"r" * 32) -> StoredRecord:
    return StoredRecord(
        record_id=record_id,
        owner_id="o",
        version=version,
        rev_id=rev,
        header=b"h",
        ct=b"c",
        signature=b"s",
        key_id=b"k" * 16,
        seq=version,
        access="owner",
    )


def test_keys_file_is_private_and_round_trips(tmp_path):
    store = LocalStore(tmp_path / "p")
    store.create(_keys())
    mode = stat.S_IMODE(os.stat(store.keys_path).st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(store.dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.db_path).st_mode) == 0o600
    loaded = store.load_keys()
    assert loaded.account_key == b"A" * 32 and loaded.token == "tok" and loaded.handle == "alice"
    assert "AAAA" not in repr(loaded) and "tok" not in repr(loaded)  # secrets never reach a log by repr


def test_second_create_is_refused(tmp_path):
    store = LocalStore(tmp_path)
    store.create(_keys())
    with pytest.raises(ProfileError):
        LocalStore(tmp_path).create(_keys())


def test_missing_or_damaged_keys_give_clear_errors(tmp_path):
    with pytest.raises(ProfileError, match="no account"):
        LocalStore(tmp_path).load_keys()
    (tmp_path / "keys.json").write_text("{not json")
    with pytest.raises(ProfileError, match="damaged"):
        LocalStore(tmp_path).load_keys()


def test_schema_is_migrated_with_wal_and_durable_settings(tmp_path):
    store = LocalStore(tmp_path)
    db = store.db
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "records", "high_water", "deks", "grants", "peers", "outbox", "verifications"} <= tables
    store.close()
    assert LocalStore(tmp_path).db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)  # idempotent


def test_a_profile_of_the_first_schema_keeps_its_peers_and_their_verdict(tmp_path):
    """Migration 2 gives each pinned peer the state trust.judge would: a changed key stays blocked, a compared or
    invitation-checked key verified, a key only the server named unverified."""
    db = sqlite3.connect(tmp_path / "profile.db", isolation_level=None)
    for statement in _statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    bundle = wire.encode(_bundle()).decode()
    for uid, how, changed in (("a", "safety-number", None), ("b", "tofu", None), ("c", "invite-link", bundle)):
        db.execute(
            "INSERT INTO peers(user_id, handle, role, sig_pub, kem_pub, bundle_json, verified_how, pinned_at) "
            "VALUES (?, ?, 'therapist', x'00', x'00', ?, ?, 0)",
            (uid, "peer-" + uid, bundle, how),
        )
        db.execute("UPDATE peers SET changed_bundle_json = ? WHERE user_id = ?", (changed, uid))
    db.close()
    store = LocalStore(tmp_path)
    assert {p.user_id: (p.state, p.held) for p in store.list_peers()} == {
        "a": ("verified", 0),
        "b": ("unverified", 0),
        "c": ("changed", 0),
    }


def test_failed_transaction_keeps_neither_records_nor_cursor(tmp_path):
    store = LocalStore(tmp_path)
    with pytest.raises(RuntimeError), store.transaction() as db:
        store.put_record(db, _row())
        store.set_meta(db, "cursor", "7")
        raise RuntimeError("crash mid-page")
    assert store.get_record("r1") is None and store.cursor() == 0
    with store.transaction() as db:
        store.put_record(db, _row())
        store.set_meta(db, "cursor", "7")
    reopened = LocalStore(tmp_path)
    assert reopened.get_record("r1").version == 1 and reopened.cursor() == 7


def test_high_water_never_goes_down(tmp_path):
    store = LocalStore(tmp_path)
    with store.transaction() as db:
        store.put_record(db, _row(version=3, rev=b"3" * 32))
        store.put_record(db, _row(version=2, rev=b"2" * 32))
    assert store.high_water("r1") == (3, b"3" * 32)


def test_outbox_holds_one_item_per_record_and_clears_only_the_acknowledged_revision(tmp_path):
    store = LocalStore(tmp_path)
    item = PendingRevision(
        record_id="r1",
        base_version=0,
        version=1,
        rev_id=b"a" * 32,
        header=b"h",
        ct=b"c",
        signature=b"s",
        key_id=b"k" * 16,
        dek_wrap=b"w" * 40,
    )
    with store.transaction() as db:
        store.put_pending(db, item)
        store.put_pending(db, dataclasses.replace(item, rev_id=b"b" * 32))
    assert [p.rev_id for p in store.list_pending()] == [b"b" * 32]
    with store.transaction() as db:
        store.clear_pending(db, "r1", b"a" * 32)  # an older answer must not drop the newer edit
    assert store.get_pending("r1").rev_id == b"b" * 32
    with store.transaction() as db:
        store.clear_pending(db, "r1", b"b" * 32)
    assert store.list_pending() == []


def test_grants_and_peers(tmp_path):
    store = LocalStore(tmp_path)
    with store.transaction() as db:
        store.put_record(db, _row())
        store.set_grants(db, "given", "r1", [("t1", b"k" * 16, None), ("t2", b"k" * 16, None)])
        store.set_grants(db, "received", "r2", [("c1", b"k" * 16, "{}")])
        _settle(store, db, "t1", _bundle(), "invite-link", "verified", "l1")
    assert store.grantees("r1") == {"t1", "t2"} and store.grantees("r2") == set()
    changed = _bundle()
    with store.transaction() as db:
        store.set_grants(db, "given", "r1", [("t2", b"k" * 16, None)])
        store.update_peer(db, "t1", changed=changed, linked=0)
    assert store.grantees("r1") == {"t2"}
    peer = store.get_peer(handle="drbob")
    assert peer.changed == changed and peer.linked is False
    with pytest.raises(ValueError):
        store.update_peer(store.db, "t1", sig_pub=b"x")
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        _settle(store, db, "t3", _bundle("xyz", "client"), "blind-trust", "unverified", None)


def _settle(store, db, uid, bundle, how, state, link_id):
    store.settle_peer(
        db, user_id=uid, bundle=bundle, verified_how=how, state=state, changed=None, link_id=link_id, linked=True
    )


def test_a_blocked_peer_keeps_its_held_count_until_it_is_no_longer_blocked(tmp_path):
    store = LocalStore(tmp_path)
    bundle = _bundle()
    with store.transaction() as db:
        _settle(store, db, "t1", bundle, "tofu", "changed", "l1")
        store.hold(db, "t1")
        store.hold(db, "t1")
        pinned_at = store.get_peer(user_id="t1").pinned_at
        _settle(store, db, "t1", bundle, "tofu", "changed", None)
    peer = store.get_peer(user_id="t1")
    assert (peer.held, peer.link_id, peer.pinned_at) == (2, "l1", pinned_at)
    with store.transaction() as db:
        _settle(store, db, "t1", _bundle(user_id=bundle.user_id.bytes), "safety-number", "verified", None)
    assert store.get_peer(user_id="t1").held == 0


def test_erase_removes_every_profile_file(tmp_path):
    store = LocalStore(tmp_path)
    store.create(_keys())
    with store.transaction() as db:
        store.set_meta(db, "cursor", "3")
    store.erase()
    assert not any(p.name.startswith(("keys", "profile")) for p in tmp_path.iterdir())


def test_keys_json_holds_only_the_documented_fields(tmp_path):
    store = LocalStore(tmp_path)
    store.create(_keys())
    data = json.loads(store.keys_path.read_text())
    assert set(data) == {
        "v",
        "server",
        "handle",
        "role",
        "token",
        "user_id",
        "device_id",
        "account_key",
        "sig_seed",
        "kem_seed",
        "device_seed",
    }


def test_grantees_are_the_holders_of_the_current_key_only(tmp_path):
    """A grant for an older key (kept by an earlier version, or replayed by a server) is not a share now."""
    store = LocalStore(tmp_path)
    with store.transaction() as db:
        store.put_record(db, _row())  # its head is under key b"k" * 16
        store.set_grants(db, "given", "r1", [("t1", b"o" * 16, None), ("t2", b"k" * 16, None)])
    assert store.grantees("r1") == {"t2"}
    # Who might still hold SOME key of the record: both (what a re-key after a link ends must cover).
    assert store.given_pairs() == [("r1", "t1"), ("r1", "t2")]


def test_forgetting_a_record_keeps_its_high_water_and_the_outbox(tmp_path):
    store = LocalStore(tmp_path)
    item = PendingRevision(
        record_id="r1",
        base_version=3,
        version=4,
        rev_id=b"a" * 32,
        header=b"h",
        ct=b"c",
        signature=b"s",
        key_id=b"k" * 16,
        dek_wrap=b"w" * 40,
    )
    with store.transaction() as db:
        store.put_record(db, _row(version=3, rev=b"3" * 32))
        store.put_dek(db, "r1", b"k" * 16, "o", b"w" * 40)
        store.set_grants(db, "received", "r1", [("o", b"k" * 16, "{}")])
        store.put_pending(db, item)
    with store.transaction() as db:
        store.forget_record(db, "r1")
    assert store.get_record("r1") is None and store.get_dek("r1", b"k" * 16) is None
    assert store.db.execute("SELECT count(*) FROM grants").fetchone()[0] == 0
    # The tombstone: an older head served after a "removed" is still refused.
    assert store.high_water("r1") == (3, b"3" * 32)
    assert store.get_pending("r1").rev_id == b"a" * 32
