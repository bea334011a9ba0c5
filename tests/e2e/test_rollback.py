"""A malicious server edits its own database: it serves an old head, or swaps a therapist's keys.
The client refuses, warns, and keeps what it has."""

from __future__ import annotations

import base64
import sqlite3
import uuid

import pytest

from between.sync.core import crypto, keys, wire


@pytest.fixture
def server(live_server):
    """This module plays a malicious server by editing its SQLite file behind its back: what it tests is the
    client's checks, the same whatever engine an honest server runs on, so it runs on SQLite only."""
    return live_server


def _server_db(server) -> sqlite3.Connection:
    db = sqlite3.connect(server.data_dir / "between.sqlite3", timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _body(cli, name: str, rid: str) -> str:
    return cli.json(name, "entry", "show", rid)["fields"]["body"]


def test_a_rolled_back_head_is_refused(cli, server):
    cli.create("a", "alice")
    rid = cli.add("a", "journal", body="version one")
    cli.run("a", "sync")
    cli.run("a", "entry", "edit", rid, "--field", "body=version two")
    cli.run("a", "sync")
    user_id = uuid.UUID(bytes=base64.b64decode(cli.keys("a")["user_id"])).bytes
    db = _server_db(server)
    try:
        db.execute("BEGIN IMMEDIATE")
        old_rev, old_key = db.execute(
            "SELECT rev_id, key_id FROM revisions WHERE record_id = ? AND version = 1", (uuid.UUID(rid).bytes,)
        ).fetchone()
        # The server's schema: per-reader feed counters in users.feed_seq, one feed row per (reader, record).
        seq = db.execute(
            "UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ? RETURNING feed_seq", (user_id,)
        ).fetchone()[0]
        db.execute(
            "UPDATE records SET head_version = 1, head_rev_id = ?, head_key_id = ? WHERE record_id = ?",
            (old_rev, old_key, uuid.UUID(rid).bytes),
        )
        changed = db.execute(
            "UPDATE feed SET seq = ? WHERE user_id = ? AND record_id = ?", (seq, user_id, uuid.UUID(rid).bytes)
        ).rowcount
        db.execute("COMMIT")
    finally:
        db.close()
    assert changed == 1
    proc = cli.run("a", "sync")
    assert "older or altered version" in proc.stderr and "pulled 0" in proc.stdout
    assert _body(cli, "a", rid) == "version two"
    # The device keeps building on the newest version it has seen, never on the served old one.
    cli.run("a", "entry", "edit", rid, "--field", "body=version three")
    assert cli.json("a", "entry", "show", rid)["pending"]


def _swap_bundle(server, handle: str) -> None:
    """Replace a person's keys with fresh ones under a valid self-signature, as a key-swapping server would."""
    db = _server_db(server)
    try:
        user_id, role = db.execute("SELECT user_id, role FROM users WHERE handle = ?", (handle,)).fetchone()
        fake = keys.AccountSecrets(
            user_id=user_id,
            handle=handle,
            role=role,
            account_key=crypto.random_bytes(32),
            sig_seed=crypto.random_bytes(32),
            kem_seed=crypto.random_bytes(32),
        )
        bundle: wire.KeyBundle = keys.make_bundle(fake)
        db.execute(
            "UPDATE users SET sig_pub = ?, kem_pub = ?, bundle_signature = ? WHERE handle = ?",
            (bundle.sig_pub, bundle.kem_pub, bundle.signature, handle),
        )
    finally:
        db.close()


def test_a_swapped_key_at_invite_time_is_refused(cli, server):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    link = cli.last_line("therapist", "invite", "create")
    _swap_bundle(server, "drbob")
    err = cli.run("client", "invite", "accept", link, ok=False).stderr
    assert "does not match" in err
    assert "no contact called drbob" in cli.run("client", "safety-number", "drbob", ok=False).stderr


def test_a_swapped_key_after_linking_blocks_sharing_until_verified(cli, server):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    cli.link("therapist", "client")
    rid = cli.add("client", "journal", body="for drbob")
    before = cli.run("client", "safety-number", "drbob").stdout.strip().splitlines()[-1]
    _swap_bundle(server, "drbob")
    assert "security key changed" in cli.run("client", "sync").stderr
    err = cli.run("client", "share", rid, "--with", "drbob", ok=False).stderr
    assert "security key changed" in err
    shown = cli.run("client", "safety-number", "drbob")
    assert "CHANGED" in shown.stderr and shown.stdout.strip().splitlines()[-1] != before
    assert cli.json("client", "entry", "show", rid)["shared_with"] == []
    # Only after the person compares the new number and confirms it does sharing resume.
    assert "Accepted drbob's new key" in cli.run("client", "safety-number", "drbob", "--verified").stdout
    cli.run("client", "share", rid, "--with", "drbob")
    assert cli.json("client", "entry", "show", rid)["shared_with"] == ["drbob"]


def test_weakened_key_derivation_settings_are_refused_at_login(cli, server):
    cli.create("a", "alice")
    db = _server_db(server)
    try:
        db.execute("UPDATE users SET kdf_memory_kib = 1024, kdf_iterations = 1 WHERE handle = 'alice'")
    finally:
        db.close()
    proc = cli.run("b", "account", "login", "--server", cli.url, "--handle", "alice", ok=False)
    assert "below the safe minimum" in proc.stderr and proc.returncode == 1
    assert not (cli.profile("b") / "keys.json").exists()
