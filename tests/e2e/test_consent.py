"""Consent: a therapist reads exactly what a client shared, loses it on unshare, and a stranger sees nothing."""

from __future__ import annotations

import base64
import sqlite3
import uuid

import httpx
import pytest

from between.sync.client.api import Api, ApiError
from between.sync.core import keys as keymod
from between.sync.core import records
from between.sync.core.errors import CryptoError


def _secrets(k: dict) -> keymod.AccountSecrets:
    return keymod.AccountSecrets(
        user_id=base64.b64decode(k["user_id"]),
        handle=k["handle"],
        role=k["role"],
        account_key=base64.b64decode(k["account_key"]),
        sig_seed=base64.b64decode(k["sig_seed"]),
        kem_seed=base64.b64decode(k["kem_seed"]),
    )


def _api(cli, name: str) -> Api:
    return Api(cli.url, cli.keys(name)["token"])


def _id_forms(rid: str) -> list[bytes]:
    raw = uuid.UUID(rid).bytes
    return [rid.encode(), rid.replace("-", "").encode(), raw, base64.b64encode(raw).rstrip(b"=")]


def _profile_bytes(cli, name: str) -> bytes:
    return b"".join(p.read_bytes() for p in cli.profile(name).iterdir() if p.is_file())


@pytest.fixture
def care(cli):
    """alice (client) linked with drbob (therapist); three entries, only the first shared."""
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    cli.link("therapist", "client")
    shared = cli.add("client", "journal", title="for my therapist", body="shared text")
    private = [cli.add("client", "journal", body="private one"), cli.add("client", "mood", score="2")]
    cli.run("client", "sync")
    cli.run("client", "share", shared, "--with", "drbob")
    return shared, private


def test_therapist_sees_exactly_the_shared_entry(cli, care):
    shared, private = care
    listed = cli.json("therapist", "shared", "list")
    assert [e["id"] for e in listed] == [shared]
    assert listed[0]["owner"] == "alice" and listed[0]["fields"] == {"title": "for my therapist", "body": "shared text"}
    assert cli.json("therapist", "shared", "list", "--from", "nobody") == []
    # Not the others, not their count, not their ids: in the raw pull and in the therapist's profile.
    raw = httpx.get(
        cli.url + "/api/v1/sync/pull",
        params={"after": 0},
        headers={"authorization": f"Bearer {cli.keys('therapist')['token']}"},
    )
    assert raw.status_code == 200
    page = raw.json()
    # (The therapist's own records, such as the account's verification of alice's key, are theirs to see.)
    assert [item["record_id"] for item in page["items"] if item["access"] != "owner"] == [shared]
    cli.run("therapist", "sync")
    stored = _profile_bytes(cli, "therapist")
    for rid in private:
        for form in _id_forms(rid):
            assert form not in raw.content and form not in stored
    with sqlite3.connect(cli.profile("therapist") / "profile.db") as db:
        assert [r[0] for r in db.execute("SELECT record_id FROM records WHERE access = 'granted'")] == [shared]
    # The client's view says who sees what.
    assert cli.json("client", "entry", "show", shared)["shared_with"] == ["drbob"]
    assert cli.json("client", "entry", "show", private[0])["shared_with"] == []


@pytest.mark.both_engines
def test_after_unshare_later_versions_are_unreadable_and_not_served(cli, care):
    shared, _ = care
    cli.run("therapist", "sync")
    therapist = _secrets(cli.keys("therapist"))
    with sqlite3.connect(cli.profile("therapist") / "profile.db") as db:
        wraps = db.execute("SELECT key_id, owner_id, wrapped FROM deks WHERE record_id = ?", (shared,)).fetchall()
    old_deks = {
        bytes(k): records.unwrap_dek(therapist.kwk, uuid.UUID(o), uuid.UUID(shared), bytes(k), bytes(w))
        for k, o, w in wraps
    }
    assert old_deks  # the therapist did hold a key: the checks below can fail
    cli.run("client", "unshare", shared, "--with", "drbob")
    cli.run("client", "entry", "edit", shared, "--field", "body=written after unsharing")
    cli.run("client", "sync")

    assert cli.json("therapist", "shared", "list") == []
    with sqlite3.connect(cli.profile("therapist") / "profile.db") as db:
        assert db.execute("SELECT count(*) FROM records WHERE access = 'granted'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM deks WHERE record_id = ?", (shared,)).fetchone()[0] == 0
    page = _api(cli, "therapist").pull(0)
    assert [(str(i.record_id), i.access, i.head) for i in page.items if i.access != "owner"] == [
        (shared, "removed", None)
    ]

    # The latest head, fetched by its owner, is under a key the therapist never held.
    head = _api(cli, "client").history(uuid.UUID(shared)).revisions
    latest = max(head, key=lambda r: r.version)
    header = records.Header.parse(latest.revision.header)
    assert header.key_id not in old_deks
    for key_id, dek in old_deks.items():
        with pytest.raises(CryptoError, match="revision failed verification"):
            records.open_revision(
                latest.revision,
                owner_id=latest.owner_id,
                record_id=latest.record_id,
                dek=dek,
                key_id=key_id,
                signer_pub=_secrets(cli.keys("client")).sig_pub,
            )
    # The server no longer serves the therapist any version written after the unshare.
    try:
        served = _api(cli, "therapist").history(uuid.UUID(shared)).revisions
    except ApiError as exc:
        assert exc.status == 404
        served = []
    assert all(r.version < latest.version - 1 for r in served)
    assert all(records.Header.parse(r.revision.header).key_id in old_deks for r in served)


def test_a_stranger_sees_nothing(cli, care):
    shared, private = care
    cli.create("stranger", "mallory")
    cli.create("other-therapist", "drcarol", "--therapist")
    for name in ("stranger", "other-therapist"):
        out = cli.run(name, "sync").stdout
        assert "pulled 0" in out
        api = _api(cli, name)
        assert api.pull(0).items == []
        for rid in [shared, *private]:
            with pytest.raises(ApiError) as caught:
                api.history(uuid.UUID(rid))
            assert caught.value.status == 404
        with pytest.raises(ApiError):
            api.bundle(uuid.UUID(bytes=_secrets(cli.keys("client")).user_id))
    assert "Nothing has been shared with you" in cli.run("other-therapist", "shared", "list").stdout
    # A stranger cannot share into the client's world either: no care link, no pinned key.
    own = cli.add("stranger", "journal", body="mine")
    err = cli.run("stranger", "share", own, "--with", "drbob", ok=False).stderr
    assert "no care link with drbob" in err


def test_a_share_refused_by_the_server_stays_queued_and_can_be_withdrawn(cli):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    cli.link("therapist", "client")
    rid = cli.add("client", "journal", body="almost shared")
    cli.run("client", "sync")
    # The therapist ends the care link; the client has not synced since, so it still shares optimistically.
    therapist = _api(cli, "therapist")
    link = therapist.links()[0]
    therapist.delete_link(link.link_id)
    assert therapist.links() == []
    proc = cli.run("client", "share", rid, "--with", "drbob", ok=False)
    assert proc.returncode == 1 and "refused by the server (not allowed" in proc.stderr
    assert "stays queued" in proc.stderr
    assert cli.json("client", "entry", "show", rid)["pending"]
    assert "refused by the server" in cli.run("client", "sync", ok=False).stderr
    # Withdrawing the share empties the queue; nothing ever reached the therapist.
    cli.run("client", "unshare", rid, "--with", "drbob")
    assert not cli.json("client", "entry", "show", rid)["pending"]
    assert cli.json("therapist", "shared", "list") == []
    assert "no active care link" in cli.run("client", "share", rid, "--with", "drbob", ok=False).stderr
