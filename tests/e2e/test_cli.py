"""The `between` tour: every command a person uses, and the clear one-line errors of the usual mistakes."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from .e2e_cli import BETWEEN, Cli

RECOVERY = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}-[0-9A-Z]{4}$")


def _err(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and lines and lines[-1].startswith("between: "), proc.stderr
    return lines[-1]


@pytest.mark.both_engines
def test_accounts_entries_and_their_errors(cli: Cli, tmp_path):
    assert _err(cli.run("x", "frobnicate", ok=False)) and cli.run("x", "frobnicate", ok=False).returncode == 2
    weak = cli.run("x", "account", "create", "--server", cli.url, "--handle", "weakling", passphrase="short", ok=False)
    assert "at least 10 characters" in _err(weak) and not (cli.profile("x") / "keys.json").exists()
    assert "no account in profile" in _err(cli.run("x", "entry", "list", ok=False))
    assert "a handle has 3 to 64" in _err(
        cli.run("x", "account", "create", "--server", cli.url, "--handle", "Bad Name", ok=False)
    )
    low = cli.run(
        "x",
        "account",
        "create",
        "--server",
        cli.url,
        "--handle",
        "cheapo",
        env={"BETWEEN_KDF_MEMORY_KIB": "1024"},
        ok=False,
    )
    assert "below the floor" in _err(low)

    recovery = cli.create("a", "alice")
    assert RECOVERY.match(recovery)
    created = cli.run("b", "account", "create", "--server", cli.url, "--handle", "alice2").stdout
    assert "write this down" in created.lower()
    assert "already holds an account" in _err(
        cli.run("a", "account", "create", "--server", cli.url, "--handle", "alice3", ok=False)
    )
    assert "journal" in cli.run("a", "kinds").stdout

    # Entries: bad input is refused with the field named, and nothing is stored.
    assert "no activity kind" in _err(cli.run("a", "entry", "add", "diary", "--field", "body=x", ok=False))
    bad = cli.run("a", "entry", "add", "mood", "--field", "score=99", ok=False)
    assert "score" in _err(bad) and "99" not in _err(bad)  # values are not echoed: they may be private
    assert "has no field 'mood'" in _err(cli.run("a", "entry", "add", "journal", "--field", "mood=1", ok=False))
    assert "Please fill in “What's on your mind”" in _err(
        cli.run("a", "entry", "add", "journal", "--field", "title=t", ok=False)
    )
    assert cli.run("a", "entry", "add", "journal", "--field", "body", ok=False).returncode == 2
    # A text over its limit is refused whole, named by its question and its limit: nothing is cut and stored.
    too_long = _err(cli.run("a", "entry", "add", "journal", "--field", "body=" + "x" * 100_001, ok=False))
    assert "“What's on your mind”" in too_long and "at most 100000 characters" in too_long
    assert cli.json("a", "entry", "list") == []

    first = cli.add("a", "journal", title="Monday", body="A long day.\nBut a good one.")
    second = cli.add("a", "mood", score="6", emotions="calm;tired")
    listed = cli.json("a", "entry", "list")
    assert [e["id"] for e in listed] == [second, first]
    assert listed[1]["fields"] == {"title": "Monday", "body": "A long day.\nBut a good one."}
    assert listed[0]["fields"] == {"score": 6, "emotions": ["calm", "tired"]} and listed[0]["pending"]
    text = cli.run("a", "entry", "list").stdout
    assert first in text and "not synced" in text
    assert "But a good one." in cli.run("a", "entry", "show", first[:8]).stdout  # a unique prefix is enough
    cli.run("a", "entry", "edit", first, "--field", "title=", "--field", "body=Shorter.")
    assert cli.json("a", "entry", "show", first)["fields"] == {"body": "Shorter."}
    long_title = cli.run("a", "entry", "edit", first, "--field", "title=" + "t" * 201, ok=False)
    assert "at most 200 characters" in _err(long_title)
    assert cli.json("a", "entry", "show", first)["fields"] == {"body": "Shorter."}  # the refused edit changed nothing
    assert "no entry with id" in _err(cli.run("a", "entry", "edit", "0000000000", "--field", "body=x", ok=False))
    assert "no entry with id" in _err(cli.run("a", "entry", "show", "feedbeef", ok=False))
    assert "pulled 0, pushed 2" in cli.run("a", "sync").stdout
    cli.run("a", "entry", "delete", second)
    assert "was deleted" in _err(cli.run("a", "entry", "show", second, ok=False))
    assert "was deleted" in _err(cli.run("a", "entry", "edit", second, "--field", "score=1", ok=False))
    cli.run("a", "sync")

    # Export holds every own entry, decrypted.
    exported = json.loads(cli.run("a", "export", "--format", "json").stdout)
    assert [e["id"] for e in exported] == [first]
    assert "Shorter." in cli.run("a", "export").stdout

    # Logging in: wrong passphrase is one clear line and leaves no profile behind.
    wrong = cli.run(
        "c", "account", "login", "--server", cli.url, "--handle", "alice", passphrase="not the passphrase", ok=False
    )
    assert "wrong handle or passphrase" in _err(wrong) and not (cli.profile("c") / "keys.json").exists()
    unknown = cli.run("c", "account", "login", "--server", cli.url, "--handle", "nobody", ok=False)
    assert "wrong handle or passphrase" in _err(unknown)
    cli.login("c", "alice")
    cli.run("c", "sync")
    assert [e["id"] for e in cli.json("c", "entry", "list")] == [first]

    # Recovery key: a typo is caught locally; the right key signs in and asks for a new passphrase.
    typo = recovery[:-1] + ("0" if recovery[-1] != "0" else "1")
    assert "typo" in _err(
        cli.run(
            "d",
            "account",
            "login",
            "--server",
            cli.url,
            "--handle",
            "alice",
            "--recovery",
            env={"BETWEEN_RECOVERY_KEY": typo},
            ok=False,
        )
    )
    out = cli.run(
        "d",
        "account",
        "login",
        "--server",
        cli.url,
        "--handle",
        "alice",
        "--recovery",
        env={"BETWEEN_RECOVERY_KEY": recovery.lower()},
    ).stdout
    assert "new passphrase" in out

    # Devices: list, revoke one; the revoked device is told to sign in again.
    devices = cli.run("a", "device", "list").stdout.strip().splitlines()
    assert len(devices) == 3 and sum("(this device)" in d for d in devices) == 1
    d_uuid = str(uuid.UUID(bytes=base64.b64decode(cli.keys("d")["device_id"])))
    cli.run("a", "device", "revoke", d_uuid)
    assert "signed out" in _err(cli.run("d", "sync", ok=False))
    assert "no device with id" in _err(cli.run("a", "device", "revoke", "not-a-device", ok=False))

    # Logout refuses to drop unsynced work, then erases the profile.
    cli.add("c", "journal", body="unsynced")
    assert "not synced yet" in _err(cli.run("c", "account", "logout", ok=False))
    cli.run("c", "sync")
    cli.run("c", "account", "logout")
    assert not (cli.profile("c") / "keys.json").exists() and not (cli.profile("c") / "profile.db").exists()

    # Deleting the account needs the passphrase and erases it on the server.
    nope = cli.run("a", "account", "delete", "--yes", passphrase="not the passphrase", ok=False)
    assert "nothing was deleted" in _err(nope)
    assert "not confirmed" in _err(cli.run("a", "account", "delete", ok=False, stdin="bob\n"))
    cli.run("a", "account", "delete", ok=True, stdin="alice\n")
    assert not (cli.profile("a") / "keys.json").exists()
    gone = cli.run("e", "account", "login", "--server", cli.url, "--handle", "alice", ok=False)
    assert "wrong handle or passphrase" in _err(gone)


@pytest.mark.both_engines
def test_care_link_sharing_and_safety_numbers(cli: Cli):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    assert "only a therapist" in _err(cli.run("client", "invite", "create", ok=False))
    link = cli.last_line("therapist", "invite", "create")
    assert link.startswith(cli.url + "/invite#v=2&t=") and "&h=drbob" in link and re.search(r"&s=[\w-]{22}$", link)

    # A tampered fingerprint (or handle) is refused, and nothing is accepted: the real link still works.
    fp = re.search(r"fp=([^&]+)", link).group(1)
    tampered = link.replace(f"fp={fp}", "fp=" + ("A" if fp[0] != "A" else "B") + fp[1:])
    assert "does not match" in _err(cli.run("client", "invite", "accept", tampered, ok=False))
    assert "does not match" in _err(
        cli.run("client", "invite", "accept", link.replace("h=drbob", "h=drmallory"), ok=False)
    )
    assert "not an invitation link" in _err(cli.run("client", "invite", "accept", "https://example.org/", ok=False))
    assert "Linked with drbob: verified by invitation" in cli.run("client", "invite", "accept", link).stdout
    assert _err(cli.run("client", "invite", "accept", link, ok=False))  # single use

    # Safety numbers: the same 60 digits on both sides, 12 groups of 5.
    cli.run("therapist", "sync")
    mine = cli.run("client", "safety-number", "drbob").stdout.strip().splitlines()[-1]
    theirs = cli.run("therapist", "safety-number", "alice").stdout.strip().splitlines()[-1]
    assert mine == theirs and re.fullmatch(r"\d{5}( \d{5}){11}", mine)
    # Both sides are verified by the invitation, without comparing anything: the client checked the therapist's
    # fingerprint, the therapist's device checked the client's proof.
    for who, other in (("client", "drbob"), ("therapist", "alice")):
        shown = cli.run(who, "safety-number", other)
        assert "(verified by invitation)" in shown.stdout and not shown.stderr
        contacts = cli.run(who, "contacts").stdout
        assert f"{other} (" in contacts and "verified by invitation" in contacts
    cli.run("therapist", "safety-number", "alice", "--verified")
    assert "(verified in person or by video)" in cli.run("therapist", "safety-number", "alice").stdout
    assert "no contact called" in _err(cli.run("client", "safety-number", "stranger", ok=False))

    entry = cli.add(
        "client",
        "thought-record",
        situation="Meeting",
        automatic_thought="They think I'm boring",
        emotions="anxious:70,ashamed:30",
    )
    other = cli.add("client", "journal", body="not for sharing")
    out = cli.run("client", "share", entry, "--with", "drbob").stdout
    assert f"Shared entry {entry} with drbob" in out
    assert "already shared" in _err(cli.run("client", "share", entry, "--with", "drbob", ok=False))
    assert "no care link with drcarol" in _err(cli.run("client", "share", entry, "--with", "drcarol", ok=False))
    got = cli.json("therapist", "shared", "list", "--from", "alice")
    assert [g["id"] for g in got] == [entry]
    assert got[0]["fields"]["emotions"] == [{"name": "anxious", "intensity": 70}, {"name": "ashamed", "intensity": 30}]
    assert "Meeting" in cli.run("therapist", "entry", "show", entry).stdout
    assert "only its owner" in _err(cli.run("therapist", "entry", "edit", entry, "--field", "situation=x", ok=False))
    assert cli.json("client", "entry", "show", entry)["shared_with"] == ["drbob"]
    assert "is not shared with drbob" in _err(cli.run("client", "unshare", other, "--with", "drbob", ok=False))
    assert "Stopped sharing" in cli.run("client", "unshare", entry, "--with", "drbob").stdout
    assert "Nothing has been shared" in cli.run("therapist", "shared", "list").stdout


def test_offline_changes_wait_for_the_server(cli: Cli, server):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    cli.link("therapist", "client")
    entry = cli.add("client", "journal", body="written offline")
    server.stop()
    try:
        other = cli.add("client", "journal", body="also offline")  # adding never needs the network
        err = _err(cli.run("client", "sync", ok=False))
        assert "server unreachable" in err and "saved" in err
        share = cli.run("client", "share", entry, "--with", "drbob", ok=False)
        assert _err(share) == "between: server unreachable; your change is saved and will sync later"
        assert "queued" in share.stdout
        assert "showing what this device already has" in cli.run("therapist", "shared", "list").stderr
    finally:
        server.restart()
    assert "pushed 2" in cli.run("client", "sync").stdout
    assert [e["id"] for e in cli.json("therapist", "shared", "list")] == [entry]
    assert other in cli.run("client", "entry", "list").stdout


def test_an_expired_session_is_renewed_with_the_device_key(tmp_path, start_server):
    (tmp_path / "short").mkdir()
    server = start_server(tmp_path / "short", {"BETWEEN_SESSION_TTL": "60"}, movable_clock=True)
    try:
        cli = Cli(tmp_path / "profiles", server.url)
        cli.create("a", "alice")
        token = cli.keys("a")["token"]
        cli.add("a", "journal", body="after a nap")
        server.advance(61)  # the session has expired
        assert "pushed 1" in cli.run("a", "sync").stdout
        assert cli.keys("a")["token"] != token
    finally:
        server.stop()


def test_a_saved_copy_comes_back_in_another_profile(cli: Cli, tmp_path):
    """`export --format json` on one account, `import` on another: the entries come back with their words and times
    as new records; twice adds nothing; a file that is not a copy is refused in one line and changes nothing."""
    cli.create("a", "ana")
    cli.add("a", "journal", title="Sunday", body="Walked to the sea.\nFelt lighter.")
    cli.add("a", "mood", score="6")
    saved = tmp_path / "copy.json"
    saved.write_text(cli.run("a", "export", "--format", "json").stdout)
    original = json.loads(saved.read_text())

    cli.create("b", "bodhi")
    cli.add("b", "journal", body="mine")
    junk = tmp_path / "junk.json"
    junk.write_text('{"not": "a list"}')
    assert "not a copy saved from Between" in _err(cli.run("b", "import", str(junk), ok=False))
    assert "not JSON" in _err(cli.run("b", "import", "-", ok=False, stdin="plain words"))
    assert len(cli.json("b", "entry", "list")) == 1

    assert "brought back 2, already here 0" in cli.run("b", "import", str(saved)).stdout
    assert "brought back 0, already here 2" in cli.run("b", "import", "-", stdin=saved.read_text()).stdout
    cli.run("b", "sync")
    back = {e["created_at"]: e for e in cli.json("b", "entry", "list")}
    assert len(back) == 3
    for entry in original:
        twin = back[entry["created_at"]]
        assert (twin["kind"], twin["fields"], twin["updated_at"]) == (
            entry["kind"],
            entry["fields"],
            entry["updated_at"],
        )
        assert twin["id"] != entry["id"] and twin["pending"] is False


def test_help_lists_every_command():
    out = subprocess.run([str(BETWEEN), "--help"], capture_output=True, text=True, check=True).stdout
    for command in (
        "account",
        "device",
        "entry",
        "sync",
        "share",
        "unshare",
        "shared",
        "invite",
        "safety-number",
        "export",
        "import",
        "serve",
        "backup",
        "check",
        "restore",
        "kinds",
    ):
        assert command in out


@pytest.mark.parametrize("args", [["entry"], ["share", "x"], ["account", "create", "--handle", "a"]])
def test_usage_errors_exit_2(cli: Cli, args):
    proc = cli.run("u", *args, ok=False)
    assert proc.returncode == 2 and "between:" in proc.stderr


def test_the_client_never_loads_the_server_and_serve_runs_it(tmp_path):
    check = (
        "import sys, between.sync.cli.main, between.sync.client.client, between.sync.client.engine, "
        "between.sync.client.api, between.sync.client.localstore; "
        "sys.exit(any(m == 'between.server' or m.startswith(('between.server.', 'litestar')) "
        "for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", check]).returncode == 0
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The client's own variables must not trip the server's refusal of unknown BETWEEN_* settings.
    env = dict(os.environ, BETWEEN_PASSPHRASE="not for the server", BETWEEN_PROFILE=str(tmp_path / "p"))
    proc = subprocess.Popen(
        [str(BETWEEN), "serve", "--port", str(port), "--data", str(tmp_path / "data")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(15)
    assert (tmp_path / "data").is_dir()


def test_serve_says_so_when_no_server_is_installed_and_touches_nothing(tmp_path):
    """A CLI installed without the server (no `between.serve` entry point) answers with a clear error and exit 1,
    and makes no data directory."""
    script = (
        "import sys\n"
        "from between.sync.cli import commands, main\n"
        "commands.entry_points = lambda **_: ()  # as where only the client is installed\n"
        "sys.exit(main.main(['serve', '--port', '1', '--data', sys.argv[1]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data")], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == "between: the Between server is not installed here (pip install between)"
    assert not (tmp_path / "data").exists()


def test_a_revoked_device_can_still_sign_out_and_erase_itself(cli: Cli):
    cli.create("a", "alice")
    cli.login("b", "alice")
    b_id = str(uuid.UUID(bytes=base64.b64decode(cli.keys("b")["device_id"])))
    cli.run("a", "device", "revoke", b_id)
    assert "signed out" in _err(cli.run("b", "device", "list", ok=False))
    cli.run("b", "account", "logout")
    assert not (cli.profile("b") / "keys.json").exists()
    assert len(cli.run("a", "device", "list").stdout.strip().splitlines()) == 1
