"""Save a copy of your entries: made on the device (offline too), the JSON file in the CLI's export format."""

from __future__ import annotations

import json

import pytest

from pwa_browser import launch, open_app, serious_violations
from pwa_live import PASSPHRASE, go_sync, live_app, sync_now, turn_on_sync  # noqa: F401 - fixtures
from pwa_screens import create_journal, create_mood, create_thought_record

from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    assert path is not None, info.value.failure()
    return open(path, "rb").read()


def test_a_copy_is_made_on_the_device_in_the_cli_export_format(playwright_instance, live_app, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "phone", accept_downloads=True)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, f"Sunday {HOSTILE}", "Walked to the sea.\nFelt lighter after.")
        create_thought_record(page, "Team meeting", "They think I am boring", "anxious 70")
        create_mood(page, 4, "tired")
        turn_on_sync(page, "rowan")
        assert sync_now(page) == "Synced"

        # Offline on purpose: the copy comes from this device, never from the server.
        ctx.set_offline(True)
        go_sync(page)
        page.get_by_role("link", name="Save a copy of your entries").click()
        page.wait_for_selector("#export-title")
        assert "holds 3 entries of yours" in page.inner_text("main")
        assert serious_violations(page) == []

        exported = json.loads(download(page, "Download as JSON"))
        text = download(page, "Download as text").decode("utf-8")
        ctx.set_offline(False)

        assert [e["kind"] for e in exported] == ["mood", "thought-record", "journal"]  # newest first
        journal = exported[2]
        assert journal["fields"] == {"title": f"Sunday {HOSTILE}", "body": "Walked to the sea.\nFelt lighter after."}
        assert exported[1]["fields"]["emotions"] == [{"name": "anxious", "intensity": 70}]
        assert all(e["pending"] is False and e["shared_with"] == [] for e in exported)

        assert text.startswith("Between: 3 entries of rowan\n")
        for words in (f"Sunday {HOSTILE}", "  Walked to the sea.\n  Felt lighter after.", "They think I am boring",
                      "anxious 70", "4 out of 10"):
            assert words in text, words
        assert page.evaluate("() => window.__pwned") is None

        # The same records, in the same shape, as the reference client exports them.
        cli = Cli(tmp_path / "cli", live_app.url)
        cli.login("laptop", "rowan", PASSPHRASE)
        cli.run("laptop", "sync")
        from_cli = json.loads(cli.run("laptop", "export", "--format", "json").stdout)
        assert from_cli == exported
        # Nothing of the export went to the server: no request for it reached its log.
        assert "/app/export" not in live_app.server.log()
    finally:
        ctx.close()


def test_a_copy_is_offered_before_forgetting_or_deleting(playwright_instance, live_app, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "phone", accept_downloads=True)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Only here", "never synced")
        go_sync(page)  # signed out: the entries exist on this device only
        page.get_by_role("link", name="Save a copy of your entries").click()
        page.wait_for_selector("#export-title")
        assert "holds 1 entry of yours" in page.inner_text("main")
        copy = json.loads(download(page, "Download as JSON"))
        assert [e["fields"]["title"] for e in copy] == ["Only here"] and copy[0]["pending"] is True

        turn_on_sync(page, "ash")
        for screen, title, words in (("Forget this device…", "#forget-title", "Save a copy of your entries"),
                                     ("Delete your account…", "#delete-title", "Save a copy of them")):
            go_sync(page)
            page.get_by_role("link", name=screen).click()
            page.wait_for_selector(title)
            page.get_by_role("link", name=words).click()
            page.wait_for_selector("#export-title")
    finally:
        ctx.close()
