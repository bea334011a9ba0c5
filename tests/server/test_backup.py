"""server/backup.py: `between backup` while the server takes pushes, `between check`, `between restore` into a new data
directory with a new server epoch (the restore drill), and the checks that refuse a damaged copy."""

from __future__ import annotations

import copy
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import builders as b
import httpx
import msgspec
import pytest

from between.server.backup import BackupError, check, restore
from tests.conftest import ROOT, postgres_or_skip, start_live_server
from tests.environment import fresh_database


def _between(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "between.sync.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _register(http: httpx.Client, handle: str) -> b.Account:
    acct = b.new_account(handle)
    r = http.post("/accounts", json=b.j(b.signup(acct)))
    assert r.status_code == 201, r.text
    acct.token = r.json()["token"]
    return acct


@pytest.mark.slow
def test_the_restore_drill_back_up_while_clients_push_then_restore_into_a_new_data_directory(tmp_path):
    server = start_live_server(tmp_path)
    acked: list[tuple[float, uuid.UUID, int]] = []  # (when acknowledged, record, version)
    stop = threading.Event()
    errors: list[str] = []

    def client(handle: str) -> None:
        with httpx.Client(base_url=server.api, timeout=30) as http:
            acct = _register(http, handle)
            recs = [b.Rec(acct) for _ in range(3)]
            n = 0
            while not stop.is_set():
                rec = recs[n % 3]
                n += 1
                r = http.post("/sync/push", json=b.push_body([rec.item()]), headers=acct.auth())
                if r.status_code != 200 or r.json()["results"][0]["status"] != "ok":
                    errors.append(r.text)
                    return
                acked.append((time.monotonic(), rec.record_id, rec.version))

    try:
        with httpx.Client(base_url=server.api) as http:
            old_epoch = http.get("/health").headers["between-epoch"]
        threads = [threading.Thread(target=client, args=(f"drill{i}",)) for i in range(3)]
        for t in threads:
            t.start()
        while len(acked) < 60 and not errors:
            time.sleep(0.05)
        began = time.monotonic()
        done = _between("backup", str(tmp_path / "backup"), "--data", str(server.data_dir))
        ended = time.monotonic()
        while len([a for a in acked if a[0] > ended]) < 30 and not errors:  # clients push more after the backup
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.stop()
    assert errors == []
    assert done.returncode == 0, done.stderr
    assert "backed up 3 accounts, 9 records" in done.stdout

    assert _between("check", str(tmp_path / "backup")).returncode == 0
    restored = tmp_path / "restored"
    done = _between("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert done.returncode == 0, done.stderr
    assert "new server epoch" in done.stdout
    # a second restore into the same place is refused: nothing is overwritten
    again = _between("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert again.returncode == 2 and "exists" in again.stderr

    conn = sqlite3.connect(restored / "between.sqlite3")
    stored = set(conn.execute("SELECT record_id, version FROM revisions").fetchall())
    conn.close()
    before = {(r.bytes, v) for when, r, v in acked if when < began}
    after = {(r.bytes, v) for when, r, v in acked if when > ended}
    assert before and before <= stored  # every revision acknowledged before the backup began is there
    assert after and not after <= stored  # and the clients pushed more since, which the restored server lacks
    assert (restored / "server.secret").read_bytes() == (server.data_dir / "server.secret").read_bytes()

    # the restored server starts on it and says, on every API answer, that it is another epoch
    (tmp_path / "second").mkdir()
    second = start_live_server(tmp_path / "second")
    second.stop()
    second.data_dir = restored
    second.restart()
    try:
        with httpx.Client(base_url=second.api) as http:
            new_epoch = http.get("/health/ready").headers["between-epoch"]
        assert len(new_epoch) == 32 and new_epoch != old_epoch
    finally:
        second.stop()


def test_check_finds_a_damaged_feed_and_restore_refuses_it(tmp_path, api):
    sam = api.register("sam")
    rec = b.Rec(sam)
    api.push(sam, [rec.item(), ])  # fmt: skip
    api.push(sam, [rec.item()])
    api.c.__exit__(None, None, None)  # stop the app: the database is closed and checkpointed
    assert check(api.db) == []
    conn = sqlite3.connect(api.db)
    conn.execute("DELETE FROM revisions WHERE version = 2")  # a head whose revision is gone
    conn.commit()
    conn.close()
    problems = check(api.db)
    assert problems == ["feed: 1 records whose head is not their newest stored revision"]
    with pytest.raises(BackupError, match="cannot be restored"):
        restore(api.db, tmp_path / "new")
    assert not (tmp_path / "new" / "between.sqlite3").exists()


def test_every_api_answer_carries_the_epoch_of_the_data_directory_problems_included(api):
    sam = api.register("sam")
    epoch = (api.data_dir / "server.epoch").read_text().strip()
    assert len(epoch) == 32
    assert api.get("/health").headers["between-epoch"] == epoch
    beyond = api.get("/sync/pull?after=1000", sam)  # what a restored server answers an old cursor
    assert beyond.status_code == 400 and beyond.json()["code"] == "bad_cursor"
    assert beyond.headers["between-epoch"] == epoch
    assert "between-epoch" not in api.c.get("/").headers  # the web app's files do not carry it


def test_a_revision_sent_again_after_a_restore_is_accepted_above_an_older_head_and_pulled(api):
    """Push rule 4 for a lost revision (PROTOCOL.md "Restores and the server epoch"), through the API: the gap is
    accepted only with `restored`, the signature is still checked, and the revision is the head a pull serves."""
    sam = api.register("sam")
    rec = b.Rec(sam)
    assert [r["status"] for r in api.push(sam, [rec.item(), rec.item()])] == ["ok", "ok"]
    rec.item()  # version 3: acknowledged once, lost with the server's copy
    lost = rec.item(b'{"mood":5}')  # version 4, on top of it
    plain = api.push(sam, [lost])[0]
    assert plain["status"] == "conflict" and plain["head"]["version"] == 2
    forged = msgspec.structs.replace(
        lost, restored=True, revision=msgspec.structs.replace(lost.revision, signature=bytes(64))
    )
    refused = api.push(sam, [forged])[0]
    assert refused["status"] == "invalid" and "signature" in refused["detail"]
    assert api.push(sam, [msgspec.structs.replace(lost, restored=True)])[0]["status"] == "ok"
    items, _ = api.pull_all(sam)
    assert [i["head"]["version"] for i in items] == [4]
    # a restored mark never moves a record back: version 2 again is a conflict with the head
    old = b.Rec(sam, record_id=rec.record_id, dek=rec.dek, key_id=rec.key_id)
    old.item()
    again = api.push(sam, [msgspec.structs.replace(old.item(b'{"mood":1}'), restored=True)])[0]
    assert again["status"] == "conflict" and again["head"]["version"] == 4
    # and for a record the server never held, a restored revision at any version is its first
    fresh = b.Rec(sam)
    fresh.item()
    assert api.push(sam, [msgspec.structs.replace(fresh.item(), restored=True)])[0]["status"] == "ok"


def test_a_backup_holds_the_attachments_and_check_verifies_each_digest(tmp_path, api):
    from between.server.backup import backup

    sam = api.register("sam")
    data = bytes(range(256)) * 400
    whole, half = str(uuid.uuid4()), str(uuid.uuid4())
    assert api.post("/blobs", {"id": whole, "size": len(data)}, sam).status_code == 201
    assert api.post("/blobs", {"id": half, "size": len(data)}, sam).status_code == 201

    def upload(blob_id: str, piece: bytes) -> None:
        headers = {**sam.auth(), "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
        assert api.c.patch(f"/api/v1/blobs/{blob_id}", content=piece, headers=headers).status_code == 200

    upload(whole, data)
    upload(half, data[:1000])

    def file_of(root, blob_id: str):
        name = uuid.UUID(blob_id).hex
        return root / "blobs" / name[:2] / name

    counts = backup(api.data_dir, tmp_path / "backup")
    assert counts["blobs"] == 2
    assert check(tmp_path / "backup" / "between.sqlite3") == []
    assert file_of(tmp_path / "backup", whole).read_bytes() == data
    assert file_of(tmp_path / "backup", half).read_bytes() == data[:1000]

    restore(tmp_path / "backup", tmp_path / "restored")
    assert file_of(tmp_path / "restored", whole).read_bytes() == data
    assert check(tmp_path / "restored" / "between.sqlite3") == []

    damaged = bytearray(data)
    damaged[5000] ^= 1
    file_of(tmp_path / "backup", whole).write_bytes(bytes(damaged))
    problems = check(tmp_path / "backup" / "between.sqlite3")
    assert problems == [f"blob {uuid.UUID(whole).hex}: its bytes do not match its digest"]
    file_of(tmp_path / "backup", whole).unlink()
    assert "missing" in check(tmp_path / "backup" / "between.sqlite3")[0]
    with pytest.raises(BackupError):
        restore(tmp_path / "backup", tmp_path / "again")


def test_a_restore_signs_every_device_out_so_a_revoked_one_cannot_come_back(tmp_path, api):
    """F3: the backup knows nothing of a device revoked after it. A restore deletes every device and session: old
    tokens and old device keys are refused, and the passphrase signs in again as a new device."""
    from litestar.testing import TestClient

    from between.server.app import create_app
    from between.server.backup import backup
    from tests.server.harness import Api, dump, make_settings

    sam = api.register("sam")
    phone = copy.copy(sam)  # the same account on a second device, later stolen
    phone.new_device()
    r = api.post("/auth/login", b.login(phone, api.challenge("sam")))
    assert r.status_code == 200, r.text
    phone.token = r.json()["token"]
    backup(api.data_dir, tmp_path / "backup")
    # after the backup the phone is revoked; the restore would bring it back
    assert api.c.delete(f"/api/v1/devices/{phone.device_id}", headers=sam.auth()).status_code == 204
    api.c.__exit__(None, None, None)
    restore(tmp_path / "backup", tmp_path / "restored")
    assert dump(tmp_path / "restored" / "between.sqlite3", ("devices", "sessions", "challenges")) == {
        "devices": [],
        "sessions": [],
        "challenges": [],
    }
    settings = make_settings(tmp_path / "restored")
    with TestClient(create_app(settings), base_url="https://between.test") as c:
        restored = Api(c, tmp_path / "restored")
        for acct in (sam, phone):
            assert restored.get("/sync/pull?after=0", acct).status_code == 401  # the old session is gone
            refreshed = restored.post("/auth/refresh", b.refresh(acct, restored.device_challenge(acct)))
            assert refreshed.status_code == 401  # and the old device key makes no new one
        sam.new_device()
        r = restored.post("/auth/login", b.login(sam, restored.challenge("sam")))
        assert r.status_code == 200, r.text
        sam.token = r.json()["token"]
        assert restored.get("/sync/pull?after=0", sam).status_code == 200
        assert [d["device_id"] for d in restored.get("/devices", sam).json()] == [str(sam.device_id)]


def test_backups_are_owner_only_and_keep_the_vapid_key(tmp_path, api):
    """F10: the backup and the restored data directory are 0700 with 0600 files, whatever the umask, and the VAPID key
    goes with them (a new key would end every push subscription)."""
    import os
    import stat

    from between.server.backup import backup

    sam = api.register("sam")
    assert api.post("/blobs", {"id": str(uuid.uuid4()), "size": 10}, sam).status_code == 201
    vapid = (api.data_dir / "vapid.pem").read_bytes()
    old = os.umask(0o022)
    try:
        backup(api.data_dir, tmp_path / "backup")
        restore(tmp_path / "backup", tmp_path / "restored")
    finally:
        os.umask(old)
    for root in (tmp_path / "backup", tmp_path / "restored"):
        assert (root / "vapid.pem").read_bytes() == vapid
        assert stat.S_IMODE(root.stat().st_mode) == 0o700, root
        for path in root.rglob("*"):
            want = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) == want, path


@pytest.mark.slow
def test_postgresql_pg_dump_pg_restore_then_check_and_restore_as_documented(tmp_path):
    """deploy/README.md "Backups", PostgreSQL: pg_dump a served database, pg_restore it into a new one, `between check
    --database` finds it sound, `between restore --database` signs every device out and gives the data directory a new
    epoch, and the server starts on it with every acknowledged revision; a damaged copy is found and refused."""
    postgres_or_skip()
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on this machine")
    with fresh_database() as source, fresh_database() as copy_:
        server = start_live_server(tmp_path, {"BETWEEN_DATABASE": source.dsn, "BETWEEN_WORKERS": "2"})
        try:
            with httpx.Client(base_url=server.api, timeout=30) as http:
                old_epoch = http.get("/health").headers["between-epoch"]
                acked = set()
                for handle in ("pgsam", "pgkim"):
                    acct = _register(http, handle)
                    for rec in (b.Rec(acct), b.Rec(acct)):
                        r = http.post("/sync/push", json=b.push_body([rec.item()]), headers=acct.auth())
                        assert r.json()["results"][0]["status"] == "ok", r.text
                        acked.add((rec.record_id.hex, rec.version))
                http.post("/auth/prelogin", json={"handle": "pgsam"})  # a challenge in the dump
            dump = tmp_path / "between.dump"
            done = subprocess.run(["pg_dump", "-Fc", "-d", source.dsn, "-f", str(dump)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        finally:
            server.stop()
        assert source.query("SELECT count(*) FROM sessions") == [["2"]]
        done = subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", copy_.dsn, str(dump)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

        checked = _between("check", "--database", copy_.dsn)
        assert checked.returncode == 0, checked.stderr
        assert "sound (2 accounts, 4 records, 4 revisions, 0 attachments)" in checked.stdout
        assert copy_.dsn not in checked.stdout + checked.stderr
        restored = _between("restore", "--database", copy_.dsn, "--data", str(server.data_dir))
        assert restored.returncode == 0, restored.stderr
        assert "new server epoch" in restored.stdout and "signed out" in restored.stdout
        for table in ("sessions", "devices", "challenges", "push_subscriptions", "rate_buckets"):
            assert copy_.query(f"SELECT count(*) FROM {table}") == [["0"]], table
        stored = {(rid, int(v)) for rid, v in copy_.query("SELECT encode(record_id, 'hex'), version FROM revisions")}
        assert stored == acked
        assert source.query("SELECT count(*) FROM devices") == [["2"]]  # the source is untouched

        server.env["BETWEEN_DATABASE"] = copy_.dsn
        server.restart()
        try:
            with httpx.Client(base_url=server.api, timeout=30) as http:
                ready = http.get("/health/ready")
                assert ready.status_code == 200
                assert len(ready.headers["between-epoch"]) == 32 and ready.headers["between-epoch"] != old_epoch
                assert http.get("/sync/pull?after=0", headers=acct.auth()).status_code == 401  # signed out
        finally:
            server.stop()

        # a damaged copy: check names the problem, restore refuses and deletes nothing
        copy_.query("UPDATE records SET head_version = head_version + 1 WHERE record_id IN (SELECT record_id FROM"
                    " records LIMIT 1)")  # fmt: skip
        checked = _between("check", "--database", copy_.dsn)
        assert checked.returncode == 1 and "feed: 1 records whose head is not their newest" in checked.stderr
        before = (server.data_dir / "server.epoch").read_text()
        refused = _between("restore", "--database", copy_.dsn, "--data", str(server.data_dir))
        assert refused.returncode == 2 and "cannot be restored" in refused.stderr
        assert (server.data_dir / "server.epoch").read_text() == before
