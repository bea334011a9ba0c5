"""server/backup.py: `between backup` while the server takes pushes, `between check`, `between restore` into a new data
directory with a new server epoch (the restore drill), and the checks that refuse a damaged copy."""

from __future__ import annotations

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
from tests.conftest import ROOT, start_live_server


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
