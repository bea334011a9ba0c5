"""The restore drill, clients' half (PROTOCOL.md "Restores and the server epoch"): the server is backed up while a
device pushes, more is written after the backup, and the server is restored from it on the same address. The devices
see a new epoch, pull from the start without refusing the older feed, send again what the server lost (shares
included), and say in words that nothing was lost; a second device then reads every entry as it was written.

A restore signs every device out (server/backup.py, docs/SECURITY.md "Restores"): each device's first sync after it
says it is signed out, and `between account login` in the same profile signs it in again keeping everything."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from between.sync.cli.messages import t

from .e2e_cli import Cli


def _bodies(cli: Cli, name: str) -> dict[str, str]:
    listed = cli.json(name, "entry", "list")
    return {e["id"]: cli.json(name, "entry", "show", e["id"])["fields"]["body"] for e in listed}


def _old_session(cli: Cli, name: str) -> str:
    return json.loads((cli.profile(name) / "keys.json").read_text())["token"]


def _sign_in_again(cli: Cli, name: str, handle: str) -> None:
    """The restored server knows no device: the old device key makes no session, and the person signs in again in
    the same profile, which keeps every entry."""
    before = _bodies(cli, name) if handle == "alice" else None
    refused = cli.run(name, "sync", ok=False)
    assert refused.returncode != 0 and "signed out" in refused.stderr, refused.stderr
    cli.login(name, handle)
    if before is not None:
        assert _bodies(cli, name) == before  # nothing local was lost by signing in again


def _shared(cli: Cli, name: str) -> dict[str, str]:
    return {e["id"]: e["fields"]["body"] for e in json.loads(cli.run(name, "shared", "list", "--json").stdout)}


@pytest.mark.slow
def test_after_a_restore_the_devices_send_again_what_the_server_lost_and_nothing_is_lost(tmp_path, start_server):
    server = start_server(tmp_path)
    cli = Cli(tmp_path / "profiles", server.url)
    try:
        cli.create("a", "alice")
        cli.create("t", "drbob", "--therapist")
        cli.link("t", "a")
        first = cli.add("a", "journal", body="one, before the backup")
        second = cli.add("a", "journal", body="two, before the backup")
        cli.run("a", "share", first, "--with", "drbob")
        cli.run("a", "sync")
        cli.login("b", "alice")
        cli.run("b", "sync")
        cli.run("t", "sync")

        # Back up while device a pushes
        for n in range(3):
            cli.add("a", "journal", body=f"during {n}")
        pushing = threading.Thread(target=cli.run, args=("a", "sync"))
        pushing.start()
        backup = _backup(server.data_dir, tmp_path / "backup")
        pushing.join()
        assert backup.returncode == 0, backup.stderr

        # After the backup: edits, a new entry, an edit on the second device, a shared entry edited
        cli.run("a", "entry", "edit", first, "--field", "body=one, edited after the backup")
        third = cli.add("a", "journal", body="three, after the backup")
        cli.run("a", "sync")
        cli.run("b", "sync")
        cli.run("b", "entry", "edit", second, "--field", "body=two, edited on b after the backup")
        cli.run("b", "sync")
        cli.run("a", "sync")
        cli.run("t", "sync")
        assert _shared(cli, "t")[first] == "one, edited after the backup"
        written = _bodies(cli, "a")
        assert written == _bodies(cli, "b") and written[third] == "three, after the backup"

        # Restore into a new data directory and serve it on the same address
        old_tokens = {name: _old_session(cli, name) for name in ("a", "b", "t")}
        server.stop()
        restored = tmp_path / "restored"
        done = _between("restore", str(tmp_path / "backup"), "--data", str(restored))
        assert done.returncode == 0, done.stderr
        server.data_dir = restored
        server.restart()
        for token in old_tokens.values():  # every session the backup held is ended
            r = httpx.get(f"{server.url}/api/v1/devices", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401

        # The first device to sync after the restore signs in again, then: told in words, nothing refused, everything
        # sent again
        _sign_in_again(cli, "a", "alice")
        proc = cli.run("a", "sync")
        assert t("restore.done") in proc.stdout
        assert "older or altered" not in proc.stderr and "refused" not in proc.stderr
        assert _bodies(cli, "a") == written
        again = cli.run("a", "sync")  # the epoch is kept: told once
        assert t("restore.done") not in again.stdout and "pushed 0" in again.stdout

        # The other devices: signed in again, no rollback refusal, nothing lost, the message too
        _sign_in_again(cli, "b", "alice")
        proc = cli.run("b", "sync")
        assert t("restore.done") in proc.stdout and "older or altered" not in proc.stderr
        assert _bodies(cli, "b") == written
        _sign_in_again(cli, "t", "drbob")
        proc = cli.run("t", "sync")
        assert t("restore.done") in proc.stdout and "older or altered" not in proc.stderr
        assert _shared(cli, "t")[first] == "one, edited after the backup"

        # A new device reads everything from the restored server, as written
        cli.login("c", "alice")
        cli.run("c", "sync")
        assert _bodies(cli, "c") == written
        # the share was sent again too: the therapist's new device reads the entry as last written
        cli.login("t2", "drbob")
        cli.run("t2", "sync")
        assert _shared(cli, "t2")[first] == "one, edited after the backup"
        # and editing goes on as usual on top of the revisions sent again
        cli.run("c", "entry", "edit", third, "--field", "body=three, edited after the restore")
        cli.run("c", "sync")
        cli.run("a", "sync")
        assert _bodies(cli, "a")[third] == "three, edited after the restore"
    finally:
        server.stop()


def _between(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "between.sync.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _backup(data_dir: Path, dest: Path) -> subprocess.CompletedProcess:
    return _between("backup", str(dest), "--data", str(data_dir))


def test_a_server_that_rolls_a_head_back_under_a_new_epoch_gains_nothing(tmp_path, start_server):
    """A server that claims a restore (a new epoch) while serving an older head: the device keeps its newer one, never
    builds on the old one, and sends its own head again; the server ends up with it as the head."""
    server = start_server(tmp_path)
    cli = Cli(tmp_path / "profiles", server.url)
    try:
        cli.create("a", "alice")
        rid = cli.add("a", "journal", body="version one")
        cli.run("a", "sync")
        cli.run("a", "entry", "edit", rid, "--field", "body=version two")
        cli.run("a", "sync")
        server.stop()
        db = sqlite3.connect(server.data_dir / "between.sqlite3")
        with db:
            old_rev, old_key = db.execute(
                "SELECT rev_id, key_id FROM revisions WHERE record_id = ? AND version = 1", (uuid.UUID(rid).bytes,)
            ).fetchone()
            db.execute("DELETE FROM revisions WHERE record_id = ? AND version = 2", (uuid.UUID(rid).bytes,))
            db.execute(
                "UPDATE records SET head_version = 1, head_rev_id = ?, head_key_id = ? WHERE record_id = ?",
                (old_rev, old_key, uuid.UUID(rid).bytes),
            )
        db.close()
        (server.data_dir / "server.epoch").write_text("f" * 32 + "\n")
        server.restart()

        proc = cli.run("a", "sync")
        assert t("restore.done") in proc.stdout and "pushed 1" in proc.stdout
        assert cli.json("a", "entry", "show", rid)["fields"]["body"] == "version two"
        db = sqlite3.connect(server.data_dir / "between.sqlite3")
        head = db.execute("SELECT head_version FROM records WHERE record_id = ?", (uuid.UUID(rid).bytes,)).fetchone()
        db.close()
        assert head == (2,)
        # a second device reads the newest version
        cli.login("b", "alice")
        cli.run("b", "sync")
        assert cli.json("b", "entry", "show", rid)["fields"]["body"] == "version two"
    finally:
        server.stop()


def test_a_share_ended_after_the_backup_is_ended_again_on_the_restored_server(tmp_path, start_server):
    """The restored server still lists a grant the owner revoked after the backup: the owner's device sends its head
    again together with a revoke of that reader (its key is one the reader never held), so the grant is ended there
    too and the old key stays dead (push rule 8)."""
    server = start_server(tmp_path)
    cli = Cli(tmp_path / "profiles", server.url)
    try:
        cli.create("a", "alice")
        cli.create("t", "drbob", "--therapist")
        cli.link("t", "a")
        rid = cli.add("a", "journal", body="shared, then not")
        cli.run("a", "share", rid, "--with", "drbob")
        cli.run("a", "sync")
        cli.run("t", "sync")
        assert rid in _shared(cli, "t")
        done = _backup(server.data_dir, tmp_path / "backup")
        assert done.returncode == 0, done.stderr

        cli.run("a", "unshare", rid, "--with", "drbob")
        cli.run("a", "sync")
        server.stop()
        restored = tmp_path / "restored"
        done = _between("restore", str(tmp_path / "backup"), "--data", str(restored))
        assert done.returncode == 0, done.stderr
        server.data_dir = restored
        server.restart()

        def active_grants() -> list[tuple]:
            db = sqlite3.connect(server.data_dir / "between.sqlite3")
            try:
                return db.execute(
                    "SELECT key_id FROM grants WHERE record_id = ? AND revoked_at IS NULL", (uuid.UUID(rid).bytes,)
                ).fetchall()
            finally:
                db.close()

        assert len(active_grants()) == 1  # the restored server knows nothing of the unshare
        _sign_in_again(cli, "a", "alice")
        proc = cli.run("a", "sync")
        assert t("restore.done") in proc.stdout and "refused" not in proc.stderr
        assert active_grants() == []
        _sign_in_again(cli, "t", "drbob")
        cli.run("t", "sync")
        assert rid not in _shared(cli, "t")
    finally:
        server.stop()
