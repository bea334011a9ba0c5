"""Save a copy of your entries: made on the device (offline too), the JSON file in the CLI's export format."""

from __future__ import annotations

import json

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_live import PASSPHRASE, go_more, live_app, sync_now, turn_on_sync  # noqa: F401 - fixtures
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
    ctx = new_context(playwright_instance, accept_downloads=True)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, f"Sunday {HOSTILE}", "Walked to the sea.\nFelt lighter after.")
        create_thought_record(page, "Team meeting", "They think I am boring", "anxious 70")
        create_mood(page, 4, "tired")
        turn_on_sync(page, "rowan")
        assert sync_now(page) == "Synced"

        # Offline on purpose: the copy comes from this device, never from the server.
        ctx.set_offline(True)
        go_more(page)
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
        for words in (
            f"Sunday {HOSTILE}",
            "  Walked to the sea.\n  Felt lighter after.",
            "They think I am boring",
            "anxious 70",
            "4 out of 10",
        ):
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
    ctx = new_context(playwright_instance, accept_downloads=True)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Only here", "never synced")
        go_more(page)  # signed out: the entries exist on this device only
        page.get_by_role("link", name="Save a copy of your entries").click()
        page.wait_for_selector("#export-title")
        assert "holds 1 entry of yours" in page.inner_text("main")
        copy = json.loads(download(page, "Download as JSON"))
        assert [e["fields"]["title"] for e in copy] == ["Only here"] and copy[0]["pending"] is True

        turn_on_sync(page, "ash")
        for screen, title, words in (
            ("Forget this device…", "#forget-title", "Save a copy of your entries"),
            ("Delete your account…", "#delete-title", "Save a copy of them"),
        ):
            go_more(page)
            page.get_by_role("link", name=screen).click()
            page.wait_for_selector(title)
            page.get_by_role("link", name=words).click()
            page.wait_for_selector("#export-title")
    finally:
        ctx.close()


def test_a_saved_copy_comes_back_on_another_device(playwright_instance, live_app, tmp_path):
    """A copy saved on one device (no account) comes back on another: same words, same times, encrypted there;
    bringing it back twice adds nothing; a file that is not a copy is refused with words and changes nothing."""
    phone = new_context(playwright_instance, accept_downloads=True)
    try:
        page = open_app(phone, live_app.url)
        create_journal(page, f"Sunday {HOSTILE}", "Walked to the sea.")
        create_mood(page, 6, "steadier")
        page.goto(live_app.url + "/app/export")
        page.wait_for_selector("#export-title")
        saved = tmp_path / "between-entries.json"
        saved.write_bytes(download(page, "Download as JSON"))
    finally:
        phone.close()
    original = json.loads(saved.read_text())

    laptop = new_context(playwright_instance)
    try:
        page = open_app(laptop, live_app.url)
        create_journal(page, "Already on the laptop", "kept")
        page.goto(live_app.url + "/app/export")
        page.wait_for_selector("#export-title")
        junk = tmp_path / "notes.json"
        junk.write_text('{"not": "entries"}')
        page.set_input_files("#copy-file", str(junk))
        page.get_by_role("button", name="Bring back").click()
        page.wait_for_selector("#copy-error")
        assert "not a copy saved from Between" in page.inner_text("#copy-error")
        assert "holds 1 entry of yours" in page.inner_text("main")

        for expected in ("Brought back 2 entries.", "No entry was brought back. 2 were on this device already."):
            page.set_input_files("#copy-file", str(saved))
            page.get_by_role("button", name="Bring back").click()
            page.wait_for_function(
                "(t) => document.querySelector('.notice[role=status]')?.textContent.includes(t)", arg=expected
            )
        assert "holds 3 entries of yours" in page.inner_text("main")
        back = {e["created_at"]: e for e in json.loads(copy_json(page))}
        for entry in original:
            twin = back[entry["created_at"]]
            assert (twin["kind"], twin["fields"], twin["updated_at"]) == (
                entry["kind"],
                entry["fields"],
                entry["updated_at"],
            )
            assert twin["id"] != entry["id"], "a new record: it cannot collide with one on a server"
        assert page.evaluate("() => window.__pwned") is None
    finally:
        laptop.close()


def copy_json(page) -> str:
    """The JSON copy, fetched from the worker by the page (a context launched without accept_downloads)."""
    return page.evaluate("async () => await (await fetch('/app/export/between-entries.json')).text()")
