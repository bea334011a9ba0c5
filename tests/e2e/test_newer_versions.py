"""Today's CLI among newer versions: a newer server, whose every answer carries fields this version does not know
(tests/newer_server.py), and a newer app on another device, whose entries hold keys, fields and kinds this
version does not know. Everything works, and nothing the newer versions wrote is lost (PROTOCOL.md §14)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from . import newer_app
from .e2e_cli import Cli


@pytest.fixture
def newer_server(tmp_path, start_server) -> Iterator:
    server = start_server(tmp_path, module="tests.newer_server")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cli(newer_server, tmp_path) -> Cli:
    return Cli(tmp_path / "profiles", newer_server.url)


def test_accounts_sync_and_sharing_work_against_a_newer_server(cli: Cli):
    cli.create("phone", "alice")
    cli.login("laptop", "alice")
    devices = cli.run("laptop", "device", "list").stdout.splitlines()
    assert len(devices) == 2 and sum("(this device)" in d for d in devices) == 1
    rid = cli.add("phone", "journal", title="Monday", body="A long walk after work.")
    cli.run("phone", "sync")
    cli.run("laptop", "sync")
    assert cli.json("laptop", "entry", "show", rid)["fields"] == {"title": "Monday", "body": "A long walk after work."}
    cli.run("laptop", "entry", "edit", rid, "--field", "title=Monday evening")
    cli.run("phone", "entry", "edit", rid, "--field", "body=A long walk after work, then soup.")
    cli.run("laptop", "sync")
    assert "merged 1" in cli.run("phone", "sync").stdout
    cli.run("laptop", "sync")
    both = {"title": "Monday evening", "body": "A long walk after work, then soup."}
    for device in ("phone", "laptop"):
        assert cli.json(device, "entry", "show", rid)["fields"] == both

    cli.create("office", "drbob", "--therapist")
    invite = cli.last_line("office", "invite", "create")
    assert "Linked with drbob" in cli.run("phone", "invite", "accept", invite).stdout
    cli.run("office", "sync")
    assert "verified by invitation" in cli.run("phone", "safety-number", "drbob").stdout
    assert "alice (client): verified by invitation" in cli.run("office", "contacts").stdout
    cli.run("phone", "share", rid, "--with", "drbob")
    shared = cli.json("office", "shared", "list", "--from", "alice")
    assert [(s["id"], s["fields"]) for s in shared] == [(rid, both)]
    cli.run("phone", "unshare", rid, "--with", "drbob")
    assert cli.json("office", "shared", "list") == []


def test_entries_from_a_newer_app_keep_what_this_version_does_not_know(cli: Cli):
    cli.create("old", "alice")
    cli.login("newer", "alice")
    journal, walk = str(uuid.uuid4()), str(uuid.uuid4())
    common = {
        "v": 1,
        "created_at": newer_app.STAMP,
        "updated_at": newer_app.STAMP,
        "device": str(uuid.uuid4()),
        "place": {"label": "home", "precision": "city"},
    }
    newer_app.write(
        cli.profile("newer"),
        journal,
        {**common, "kind": "journal", "fields": {"body": "Slept well.", "photo_ids": ["p-1"]}},
    )
    newer_app.write(
        cli.profile("newer"),
        walk,
        {**common, "kind": "walk-log", "fields": {"steps": 4200, "route": ["park", "river"]}},
    )
    cli.run("old", "sync")

    # Read: every field, the unknown ones and the unknown kind too.
    entries = {e["id"]: e for e in cli.json("old", "entry", "list")}
    assert entries[journal]["fields"] == {"body": "Slept well.", "photo_ids": ["p-1"]}
    assert (entries[walk]["kind"], entries[walk]["fields"]) == ("walk-log", {"steps": 4200, "route": ["park", "river"]})
    assert "photo_ids: p-1" in cli.run("old", "entry", "show", journal).stdout

    # Edited here while the newer app edits its own field: the merge and the edit keep all of it.
    cli.run("old", "entry", "edit", journal, "--field", "title=Tuesday")
    newer_app.write(
        cli.profile("newer"),
        journal,
        {**common, "kind": "journal", "fields": {"body": "Slept well.", "photo_ids": ["p-1", "p-2"]}},
    )
    cli.run("old", "sync")
    doc = newer_app.read(cli.profile("newer"), journal)
    assert doc["fields"] == {"title": "Tuesday", "body": "Slept well.", "photo_ids": ["p-1", "p-2"]}
    assert doc["place"] == {"label": "home", "precision": "city"}

    # A kind this version does not know: not editable here (said in words), but it can be deleted.
    refused = cli.run("old", "entry", "edit", walk, "--field", "steps=1", ok=False)
    assert refused.returncode != 0 and "kind this version does not know" in refused.stderr
    assert newer_app.read(cli.profile("newer"), walk)["fields"] == {"steps": 4200, "route": ["park", "river"]}
    cli.run("old", "entry", "delete", walk)
    cli.run("old", "sync")
    assert newer_app.read(cli.profile("newer"), walk)["deleted"]
