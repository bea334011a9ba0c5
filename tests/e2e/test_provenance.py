"""How a key was verified, end to end with the CLI and the real server: both sides of an invitation are verified by
it; a tampered proof, or a link whose secret was changed, blocks; a link without a proof is marked not verified and
work goes on; comparing the safety number is the strongest check and the way out of a block."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest


@pytest.fixture
def server(live_server):
    """This module plays a malicious server by editing its SQLite file behind its back: what it tests is the
    client's checks, the same whatever engine an honest server runs on, so it runs on SQLite only."""
    return live_server


def _shared(cli, who: str) -> tuple[list[dict], str]:
    listed = cli.run(who, "shared", "list", "--json")
    return json.loads(listed.stdout), listed.stderr


def _db(server) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "between.sqlite3", timeout=10, isolation_level=None)


def test_both_sides_are_verified_by_the_invitation_without_comparing_a_number(cli):
    cli.create("dr", "dr-provenance", "--therapist")
    cli.create("sam", "sam-provenance")
    cli.link("dr", "sam")
    entry = cli.add("sam", "journal", body="shared before anyone compared numbers")
    cli.run("sam", "share", entry, "--with", "dr-provenance")

    [item], warnings = _shared(cli, "dr")
    assert item["id"] == entry and item["owner_verified"] is True and not warnings
    assert "sam-provenance (client): verified by invitation" in cli.run("dr", "contacts").stdout
    assert "dr-provenance (therapist): verified by invitation" in cli.run("sam", "contacts").stdout
    # The therapist assigns (shares) at once: nothing to compare first.
    note = cli.add("dr", "journal", body="for sam")
    assert "Shared entry" in cli.run("dr", "share", note, "--with", "sam-provenance").stdout
    cli.run("sam", "sync")
    assert [i["id"] for i in _shared(cli, "sam")[0]] == [note]


def test_a_link_without_a_proof_is_not_verified_marked_and_work_goes_on(cli, server):
    cli.create("dr", "dr-old", "--therapist")
    cli.create("sam", "sam-old")
    link = cli.last_line("dr", "invite", "create")
    cli.run("sam", "invite", "accept", link)
    db = _db(server)
    try:
        db.execute("UPDATE links SET proof = NULL, invite_id = NULL")  # as links made before proofs existed
    finally:
        db.close()
    entry = cli.add("sam", "journal", body="shared over an unverified link")
    cli.run("sam", "share", entry, "--with", "dr-old")

    [item], warnings = _shared(cli, "dr")
    assert item["owner_verified"] is False and "not verified" in warnings
    assert "sam-old (client): not verified" in cli.run("dr", "contacts").stdout
    note = cli.add("dr", "journal", body="assigned to an unverified client")
    assert "Shared entry" in cli.run("dr", "share", note, "--with", "sam-old").stdout
    cli.run("sam", "sync")
    assert note in [i["id"] for i in _shared(cli, "sam")[0]]
    # Comparing the safety number is the strongest check, and it is recorded.
    cli.run("dr", "safety-number", "sam-old", "--verified")
    [item], warnings = _shared(cli, "dr")
    assert item["owner_verified"] is True and not warnings
    assert "verified in person or by video" in cli.run("dr", "contacts").stdout


def _tampered_secret(link: str) -> str:
    secret = re.search(r"&s=([\w-]{22})", link).group(1)
    other = ("B" if secret[0] != "B" else "C") + secret[1:]
    return link.replace(f"&s={secret}", f"&s={other}")


def test_a_link_whose_secret_was_changed_blocks_on_the_therapists_side(cli):
    cli.create("dr", "dr-tamper", "--therapist")
    cli.create("sam", "sam-tamper")
    link = cli.last_line("dr", "invite", "create")
    # The client cannot tell (the secret only proves their key back); the therapist's device can.
    cli.run("sam", "invite", "accept", _tampered_secret(link))
    entry = cli.add("sam", "journal", body="should be held back")
    cli.run("sam", "share", entry, "--with", "dr-tamper")

    sync = cli.run("dr", "sync")
    assert "does not match the invitation" in sync.stderr
    assert "held back" in sync.stderr
    assert "KEY DOES NOT MATCH THE INVITATION" in cli.run("dr", "contacts").stdout
    assert _shared(cli, "dr")[0] == []
    note = cli.add("dr", "journal", body="not for an unproven key")
    refused = cli.run("dr", "share", note, "--with", "sam-tamper", ok=False)
    assert "does not match the invitation" in refused.stderr
    # Comparing the number (they match: nobody swapped the key, the link was only damaged) unblocks, and what was
    # held back comes.
    assert (
        cli.run("dr", "safety-number", "sam-tamper").stdout.splitlines()[-1]
        == cli.run("sam", "safety-number", "dr-tamper").stdout.splitlines()[-1]
    )
    cli.run("dr", "safety-number", "sam-tamper", "--verified")
    cli.run("dr", "sync")
    assert [i["id"] for i in _shared(cli, "dr")[0]] == [entry]


def test_a_proof_the_server_altered_blocks_on_the_therapists_side(cli, server):
    cli.create("dr", "dr-alter", "--therapist")
    cli.create("sam", "sam-alter")
    cli.link("dr", "sam")
    db = _db(server)
    try:
        (proof,) = db.execute("SELECT proof FROM links").fetchone()
        db.execute("UPDATE links SET proof = ?", (bytes([proof[0] ^ 1]) + proof[1:],))
    finally:
        db.close()
    assert "does not match the invitation" in cli.run("dr", "sync").stderr
    assert "KEY DOES NOT MATCH THE INVITATION" in cli.run("dr", "contacts").stdout


def _reuse_setup(server, tmp_path):
    from between.sync.client.client import Client
    from between.sync.core import keys

    floor = keys.new_kdf_params(19456, 2, 1)
    t, a, mimic = Client(tmp_path / "t"), Client(tmp_path / "a"), Client(tmp_path / "m")
    t.accounts.create(server.url, "dr-reuse", "therapist passphrase, long", "therapist", floor)
    a.accounts.create(server.url, "ben-smith", "client passphrase, long enough", "client", floor)
    mimic.accounts.create(server.url, "ben-smlth", "client passphrase, long enough", "client", floor)
    return t, a, mimic


def _mimic_takes_another_invitation_under_the_first_ones_id(server, t, mimic, first: str) -> None:
    """What a server colluding with someone who once got `first` (and so its secret) can do: link a look-alike
    account under another invitation, relabelled with the first invitation's id and a proof made with its secret."""
    import uuid

    from between.sync.core import keys, safety, trust

    created = t.api.create_invite()
    old = safety.parse_invite_url(first)
    db = _db(server)
    try:
        (old_id,) = db.execute("SELECT invite_id FROM links").fetchone() or (None,)
    finally:
        db.close()
    old_id = uuid.UUID(bytes=old_id)
    proof = trust.invite_proof(old.secret, old_id.bytes, t.secrets.user_id, keys.make_bundle(mimic.secrets))
    link = mimic.api.accept_invite(created.token, proof)
    db = _db(server)
    try:
        db.execute("UPDATE links SET invite_id = ? WHERE link_id = ?", (old_id.bytes, link.link_id.bytes))
    finally:
        db.close()


def test_one_invitation_vouches_for_one_person_even_after_its_link_ended(server, tmp_path):
    """The first invitation verified ben-smith (recorded by the account, with its invite id); the link later ended.
    A look-alike then shows up under that invite id with a sound proof: the therapist's device blocks it, because
    that invitation already vouched for someone else."""
    t, a, mimic = _reuse_setup(server, tmp_path)
    try:
        first = t.create_invite()
        a.accept_invite(first)
        t.sync()
        assert t.store.get_peer(handle="ben-smith").verified_how == "invite-link"
        _mimic_takes_another_invitation_under_the_first_ones_id(server, t, mimic, first)
        t.api.delete_link(uuid_of(t.store.get_peer(handle="ben-smith").link_id))
        report = t.sync()
        assert t.store.get_peer(handle="ben-smlth").state == "mismatch"
        assert any("does not match the invitation" in w for w in report.warnings), report.warnings
    finally:
        for c in (t, a, mimic):
            c.close()


def test_an_invite_id_on_two_links_proves_neither(server, tmp_path):
    """The server lists the same invite id on two links before the therapist's device has seen either: neither
    proof counts, whichever comes first."""
    t, a, mimic = _reuse_setup(server, tmp_path)
    try:
        first = t.create_invite()
        a.accept_invite(first)
        _mimic_takes_another_invitation_under_the_first_ones_id(server, t, mimic, first)
        t.sync()
        assert t.store.get_peer(handle="ben-smlth").state == "mismatch"
        assert t.store.get_peer(handle="ben-smith").state == "mismatch"
    finally:
        for c in (t, a, mimic):
            c.close()


def uuid_of(text: str):
    import uuid

    return uuid.UUID(text)
