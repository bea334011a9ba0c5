"""A therapist's device learns a client's key from the server: shared entries say so until verified."""

from __future__ import annotations

import json


def test_shared_entries_carry_whether_the_owners_key_was_confirmed_on_this_device(cli):
    cli.create("dr", "dr-provenance", "--therapist")
    cli.create("sam", "sam-provenance")
    cli.link("dr", "sam")
    entry = cli.add("sam", "journal", body="shared before anyone compared numbers")
    cli.run("sam", "sync")
    cli.run("sam", "share", entry, "--with", "dr-provenance")

    listed = cli.run("dr", "shared", "list", "--json")
    [item] = [i for i in json.loads(listed.stdout) if i["id"] == entry]
    assert item["owner_verified"] is False
    assert "not verified on this device" in listed.stderr

    cli.run("dr", "safety-number", "sam-provenance", "--verified")
    listed = cli.run("dr", "shared", "list", "--json")
    [item] = [i for i in json.loads(listed.stdout) if i["id"] == entry]
    assert item["owner_verified"] is True
    assert "not verified" not in listed.stderr
