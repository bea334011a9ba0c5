"""The PWA among newer versions: a newer server whose every answer carries fields this version does not know
(tests/newer_server.py), and a newer app on another device whose entries hold keys, fields and kinds this
version does not know. Signing up, syncing, linking and sharing work, and nothing the newer versions wrote is
lost by reading, editing or syncing here (PROTOCOL.md §14)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from pwa_browser import new_context, open_app
from pwa_care import accept_invite, go, path_id, share_entry
from pwa_live import LiveApp, serve_app, sign_in, sync_now, turn_on_sync
from pwa_screens import create_journal, entry_summaries, save

from tests.e2e import newer_app
from tests.e2e.e2e_cli import PASSPHRASE, Cli

pytestmark = pytest.mark.browser


@pytest.fixture
def newer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with serve_app(tmp_path_factory.mktemp("newer"), module="tests.newer_server") as app:
        yield app


def test_sign_up_sync_link_and_share_against_a_newer_server(playwright_instance, newer_server, tmp_path):
    url = newer_server.url
    cli = Cli(tmp_path / "profiles", url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, url)
        create_journal(page, "For my therapist", "Written before there was an account.")
        turn_on_sync(page, "jo.client", PASSPHRASE)
        assert sync_now(page) == "Synced"
        accept_invite(page, invite, "dr.lee")
        go(page, url, "/app/entries", "#entries-title")
        page.get_by_role("link", name=re.compile("For my therapist")).click()
        page.wait_for_selector(".sharing")
        share_entry(page, url, path_id(page), "dr.lee")
        assert sync_now(page) == "Synced"
    finally:
        ctx.close()
    assert [e["fields"]["title"] for e in cli.json("lee", "shared", "list")] == ["For my therapist"]

    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, url)
        assert sign_in(page, "jo.client", PASSPHRASE) == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["For my therapist"]
    finally:
        ctx.close()


def test_what_a_newer_app_wrote_survives_reading_editing_and_syncing_here(playwright_instance, newer_server, tmp_path):
    url = newer_server.url
    cli = Cli(tmp_path / "profiles", url)
    cli.create("newer", "sam")
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
        {**common, "kind": "journal", "fields": {"title": "Tuesday", "body": "Slept well.", "photo_ids": ["p-1"]}},
    )
    newer_app.write(
        cli.profile("newer"),
        walk,
        {**common, "kind": "walk-log", "fields": {"steps": 4200, "route": ["park", "river"]}},
    )
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, url)
        assert sign_in(page, "sam", PASSPHRASE) == ""
        assert sync_now(page) == "Synced"
        # A kind this version has no label for: its id, marked as a newer version's (docs/WEB.md "Words, not codes").
        assert sorted(entry_summaries(page)) == ["Tuesday", "walk-log (a newer kind)"]

        # A field this version does not know is shown as it is, and an edit of the others keeps it.
        go(page, url, f"/app/entries/{journal}", "#entry-title")
        assert "photo_ids" in page.inner_text("article") and "p-1" in page.inner_text("article")
        page.get_by_role("link", name="Edit", exact=True).click()
        page.wait_for_selector("form.entry-form")
        assert "newer version" in page.inner_text("section[aria-labelledby='form-title']")
        page.fill("#f-body", "Slept well, woke early.")
        save(page)
        assert "p-1" in page.inner_text("article")
        assert sync_now(page) == "Synced"

        # An entry of a kind this version does not know: shown with its fields, not editable here, deletable.
        go(page, url, f"/app/entries/{walk}", "#entry-title")
        shown = page.inner_text("article")
        assert "4200" in shown and "river" in shown and "newer version" in shown
        assert page.get_by_role("link", name="Edit", exact=True).count() == 0
        go(page, url, f"/app/entries/{walk}/edit", "#entry-title")  # the address of the form: the entry, as it is
        assert "newer version" in page.inner_text("article")
        page.get_by_role("button", name="Delete").click()
        page.wait_for_selector("#entries-title")
        assert sync_now(page) == "Synced"
    finally:
        ctx.close()

    doc = newer_app.read(cli.profile("newer"), journal)
    assert doc["fields"] == {"title": "Tuesday", "body": "Slept well, woke early.", "photo_ids": ["p-1"]}
    assert doc["place"] == {"label": "home", "precision": "city"}
    assert newer_app.read(cli.profile("newer"), walk)["deleted"]
