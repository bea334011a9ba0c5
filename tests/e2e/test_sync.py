"""Two devices of one account edit offline, then sync through the real server: nothing is lost or overwritten."""

from __future__ import annotations

import base64
import uuid

import pytest

from between.sync.client.api import Api
from between.sync.core import records, wire


def _two_devices(cli) -> None:
    cli.create("a", "alice")
    cli.login("b", "alice")


def _api(cli, name: str) -> Api:
    return Api(cli.url, cli.keys(name)["token"])


def _fields(cli, name: str, rid: str) -> dict:
    return cli.json(name, "entry", "show", rid)["fields"]


@pytest.mark.both_engines
def test_different_fields_merge_and_both_devices_converge(cli):
    _two_devices(cli)
    rid = cli.add("a", "journal", title="first title", body="first body")
    cli.run("a", "sync")
    cli.run("b", "sync")
    assert _fields(cli, "b", rid) == {"title": "first title", "body": "first body"}
    cli.run("a", "entry", "edit", rid, "--field", "title=title from A")
    cli.run("b", "entry", "edit", rid, "--field", "body=body from B")
    cli.run("a", "sync")
    out = cli.run("b", "sync").stdout
    assert "merged 1" in out and "conflicts kept 0" in out
    cli.run("a", "sync")
    expected = {"title": "title from A", "body": "body from B"}
    assert _fields(cli, "a", rid) == expected and _fields(cli, "b", rid) == expected


def test_same_text_edited_on_both_devices_keeps_both_texts(cli):
    _two_devices(cli)
    rid = cli.add("a", "journal", body="We talked about the weekend.")
    cli.run("a", "sync")
    cli.run("b", "sync")
    cli.run("a", "entry", "edit", rid, "--field", "body=We talked about the weekend trip to the sea.")
    cli.run("b", "entry", "edit", rid, "--field", "body=We talked about the weekend and my sister.")
    cli.run("a", "sync")
    assert "conflicts kept 1" in cli.run("b", "sync").stdout
    cli.run("a", "sync")
    for device in ("a", "b"):
        body = _fields(cli, device, rid)["body"]
        assert "trip to the sea" in body and "my sister" in body


def test_an_edit_beats_a_delete(cli):
    _two_devices(cli)
    rid = cli.add("a", "journal", body="keep this")
    cli.run("a", "sync")
    cli.run("b", "sync")
    cli.run("a", "entry", "delete", rid)
    cli.run("b", "entry", "edit", rid, "--field", "body=keep this, and more")
    cli.run("a", "sync")
    cli.run("b", "sync")
    cli.run("a", "sync")
    for device in ("a", "b"):
        assert _fields(cli, device, rid)["body"] == "keep this, and more"
        assert [e["id"] for e in cli.json(device, "entry", "list")] == [rid]


def test_delete_on_one_device_reaches_the_other(cli):
    _two_devices(cli)
    rid = cli.add("a", "mood", score="3")
    cli.run("a", "sync")
    cli.run("b", "sync")
    cli.run("b", "entry", "delete", rid)
    cli.run("b", "sync")
    cli.run("a", "sync")
    assert cli.json("a", "entry", "list") == []
    assert "deleted" in cli.run("a", "entry", "show", rid, ok=False).stderr


def _seal(keys: dict, rid: str, version: int, parent: bytes | None, body: str) -> tuple[wire.Revision, bytes, bytes]:
    """A revision sealed with the account's own keys (read from a profile), as a second client would."""
    from between.sync.core import keys as keymod

    secrets = keymod.AccountSecrets(
        user_id=base64.b64decode(keys["user_id"]),
        handle=keys["handle"],
        role=keys["role"],
        account_key=base64.b64decode(keys["account_key"]),
        sig_seed=base64.b64decode(keys["sig_seed"]),
        kem_seed=base64.b64decode(keys["kem_seed"]),
    )
    key_id, dek = b"\x11" * 16, b"\x22" * 32
    doc = {
        "v": 1,
        "kind": "journal",
        "fields": {"body": body},
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
        "device": str(uuid.uuid4()),
    }
    rev = records.seal_revision(
        owner_id=secrets.user_id,
        record_id=uuid.UUID(rid),
        version=version,
        parent=parent,
        key_id=key_id,
        dek=dek,
        plaintext=records.encode_document(doc),
        sig_seed=secrets.sig_seed,
    )
    return rev, records.wrap_dek(secrets.kwk, secrets.user_id, uuid.UUID(rid), key_id, dek), key_id


def test_a_stale_push_gets_a_conflict_never_an_overwrite(cli):
    _two_devices(cli)
    rid = cli.add("a", "journal", body="v1")
    cli.run("a", "sync")
    cli.run("a", "entry", "edit", rid, "--field", "body=v2")
    cli.run("a", "sync")
    api = _api(cli, "b")
    history = api.history(uuid.UUID(rid)).revisions
    v1 = next(r for r in history if r.version == 1)
    head_before = max(history, key=lambda r: r.version)
    assert head_before.version == 2
    stale, wrap, _ = _seal(cli.keys("b"), rid, 2, v1.rev_id, "stale edit from an old base")
    result = api.push(
        wire.Push(items=[wire.PushItem(record_id=uuid.UUID(rid), base_version=1, revision=stale, dek_wrap=wrap)])
    ).results[0]
    assert result.status == "conflict" and result.head is not None and result.head.rev_id == head_before.rev_id
    after = api.history(uuid.UUID(rid)).revisions
    assert max(r.version for r in after) == 2 and {r.rev_id for r in after} == {r.rev_id for r in history}
    cli.run("b", "sync")
    assert _fields(cli, "b", rid)["body"] == "v2"


def test_the_same_revision_pushed_twice_is_stored_once(cli):
    cli.create("a", "alice")
    rid = str(uuid.uuid4())
    rev, wrap, _ = _seal(cli.keys("a"), rid, 1, None, "pushed twice")
    api = _api(cli, "a")
    push = wire.Push(items=[wire.PushItem(record_id=uuid.UUID(rid), base_version=0, revision=rev, dek_wrap=wrap)])
    first, second = api.push(push).results[0], api.push(push).results[0]
    assert first.status == second.status == "ok" and first.seq == second.seq
    assert len(api.history(uuid.UUID(rid)).revisions) == 1
    cli.run("a", "sync")
    assert _fields(cli, "a", rid) == {"body": "pushed twice"}


@pytest.mark.both_engines
def test_pull_pages_through_many_changes(cli):
    cli.create("a", "alice")
    ids = {cli.add("a", "mood", score=str(i)) for i in range(1, 8)}
    cli.run("a", "sync")
    cli.login("b", "alice")
    # Pages of 3: the new device must follow `more` until the end, committing each page with its cursor.
    out = cli.run("b", "sync", env={"BETWEEN_PULL_LIMIT": "3"}).stdout
    assert "pulled 7" in out
    assert {e["id"] for e in cli.json("b", "entry", "list")} == ids
