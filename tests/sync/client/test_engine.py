"""The sync engine (sync/client/engine.py) against the real server: two devices of one account pull in pages, merge
concurrent edits, recognise their own push whose answer was lost, and go round again when a push meets a newer head.
The network is real; where a test needs an answer lost or another device to push at a given moment, the device's
own Api is wrapped, and every call still goes to the server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from between.sync.client.api import Api, Unreachable
from between.sync.client.client import Client
from between.sync.client.report import SyncReport
from between.sync.core import keys, wire

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASSPHRASE = "a passphrase, long enough"


@pytest.fixture
def devices(live_server, tmp_path):
    """alice's phone (which made the account) and her laptop (signed in since)."""
    phone, laptop = Client(tmp_path / "phone"), Client(tmp_path / "laptop")
    phone.accounts.create(live_server.url, "alice", PASSPHRASE, "client", FLOOR)
    laptop.accounts.login(live_server.url, "alice", passphrase=PASSPHRASE)
    yield phone, laptop
    phone.close()
    laptop.close()


class AnswerLost:
    """The device's Api, whose push reaches the server but whose answer never comes back."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def push(self, push: wire.Push) -> wire.PushResponse:
        self.api.push(push)
        raise Unreachable(detail="the connection dropped before the answer")


class Paged:
    """The device's Api, noting the cursor each page is asked from."""

    def __init__(self, api: Api) -> None:
        self.api, self.cursors = api, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def pull(self, after: int, limit: int = 200) -> wire.PullResponse:
        self.cursors.append(after)
        return self.api.pull(after, limit)


class PushedMeanwhile:
    """The device's Api, and another device that pushes its edit just before this device's first push."""

    def __init__(self, api: Api, other: Client) -> None:
        self.api, self.other, self.done = api, other, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def push(self, push: wire.Push) -> wire.PushResponse:
        if not self.done:
            self.done = True
            assert self.other.sync().pushed == 1
        return self.api.push(push)


def _bodies(client: Client) -> list[str]:
    return sorted(e["fields"]["body"] for e in client.entries())


def _versions(client: Client, rid: str) -> list[int]:
    return sorted(r.version for r in client.api.history(uuid.UUID(rid)).revisions)


def test_a_small_page_size_still_brings_every_entry(devices):
    phone, laptop = devices
    for n in range(5):
        phone.add_entry("journal", {"body": f"evening {n}"})
    assert phone.sync().pushed == 5
    laptop.engine.inbox.pull_limit = 2
    laptop.engine.api = pages = Paged(laptop.api)
    report = laptop.sync()
    assert pages.cursors == [0, 2, 4]
    assert report.pulled == 5 and report.warnings == []
    assert _bodies(laptop) == [f"evening {n}" for n in range(5)]
    assert laptop.store.cursor() == 5


def test_edits_of_two_fields_on_two_devices_are_merged(devices):
    phone, laptop = devices
    rid = phone.add_entry("journal", {"title": "monday", "body": "slept badly"})
    phone.sync()
    laptop.sync()
    phone.edit_entry(rid, {"title": "Monday, after the walk"})
    laptop.edit_entry(rid, {"body": "slept badly, walked, felt better"})
    phone.sync()
    report = laptop.sync()
    assert (report.merged, report.conflicts_kept, report.pushed) == (1, 0, 1)
    phone.sync()
    merged = {"title": "Monday, after the walk", "body": "slept badly, walked, felt better"}
    assert phone.entry(rid)["fields"] == laptop.entry(rid)["fields"] == merged
    assert _versions(phone, rid) == [1, 2, 3]


def test_one_field_edited_on_two_devices_keeps_both_texts(devices):
    phone, laptop = devices
    rid = phone.add_entry("journal", {"body": "line one"})
    phone.sync()
    laptop.sync()
    phone.edit_entry(rid, {"body": "line one, from the phone"})
    laptop.edit_entry(rid, {"body": "line one, from the laptop"})
    phone.sync()
    assert laptop.sync().conflicts_kept == 1
    phone.sync()
    for device in (phone, laptop):
        body = device.entry(rid)["fields"]["body"]
        assert "from the phone" in body and "from the laptop" in body


def test_an_edit_beats_a_delete_made_on_another_device(devices):
    phone, laptop = devices
    rid = phone.add_entry("journal", {"body": "keep me"})
    phone.sync()
    laptop.sync()
    phone.delete_entry(rid)
    laptop.edit_entry(rid, {"body": "keep me, edited"})
    phone.sync()
    laptop.sync()
    phone.sync()
    assert phone.entry(rid)["fields"]["body"] == laptop.entry(rid)["fields"]["body"] == "keep me, edited"


def test_a_push_whose_answer_was_lost_lands_once(devices):
    """inbox (pull.decide: landed): the device's own revision comes back in the pull and leaves the outbox; it is
    neither merged with itself nor pushed again."""
    phone, laptop = devices
    rid = phone.add_entry("journal", {"body": "written offline"})
    with pytest.raises(Unreachable):
        phone.engine.outbox.push(AnswerLost(phone.api), SyncReport())
    assert phone.store.get_pending(rid) is not None  # not acknowledged: still queued
    report = phone.sync()
    assert (report.pulled, report.merged, report.pushed) == (1, 0, 0)
    assert phone.store.list_pending() == [] and _versions(phone, rid) == [1]
    laptop.sync()
    assert _bodies(laptop) == ["written offline"]


def test_an_edit_made_after_a_lost_answer_goes_on_top_of_it(devices):
    """inbox (pull.decide: landed_earlier): the revision that landed is the base of the later edit, not a rival:
    the edit goes out as the next version, with nothing kept aside as a conflict."""
    phone, laptop = devices
    rid = phone.add_entry("journal", {"body": "first words"})
    with pytest.raises(Unreachable):
        phone.engine.outbox.push(AnswerLost(phone.api), SyncReport())
    phone.edit_entry(rid, {"body": "first words, and more"})
    report = phone.sync()
    assert (report.conflicts_kept, report.pushed) == (0, 1)
    assert _versions(phone, rid) == [1, 2]
    laptop.sync()
    assert laptop.entry(rid)["fields"]["body"] == "first words, and more"
    assert "conflicts" not in laptop.entry(rid)


def test_a_push_that_meets_a_newer_head_pulls_merges_and_pushes_again(devices):
    """engine.sync: the laptop pushes between the phone's pull and its push; the server answers `conflict`, and the
    same sync pulls the laptop's head, merges onto it and pushes the merge."""
    phone, laptop = devices
    rid = phone.add_entry("journal", {"title": "tuesday", "body": "rain"})
    phone.sync()
    laptop.sync()
    phone.edit_entry(rid, {"title": "Tuesday"})
    laptop.edit_entry(rid, {"body": "rain all day"})
    phone.engine.api = PushedMeanwhile(phone.api, laptop)
    report = phone.sync()
    assert (report.merged, report.pushed, report.failed) == (1, 1, [])
    assert phone.store.list_pending() == []
    laptop.sync()
    assert laptop.entry(rid)["fields"] == {"title": "Tuesday", "body": "rain all day"}
    assert _versions(phone, rid) == [1, 2, 3]
