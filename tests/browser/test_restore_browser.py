"""The restore drill, the web app's half (PROTOCOL.md "Restores and the server epoch"): the server is backed up, the
app writes more, and the server is restored from the backup on the same address. The app sees the new epoch, pulls
from the start without refusing the older feed as a rollback, sends again what the server lost, says so in words
once, and keeps syncing; a new device then reads every entry as it was last written."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pwa_browser import launch, open_app
from pwa_live import PASSPHRASE, go_sync, live_app, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, entry_summaries, go_entries, save

from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser

TOLD = "The server was restored from a backup. Nothing on this device was lost"


def _between(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "between.sync.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _bodies(cli: Cli, name: str) -> dict[str, str]:
    return {e["fields"]["title"]: e["fields"].get("body", "") for e in cli.json(name, "entry", "list")}


def test_after_a_restore_the_app_sends_again_what_the_server_lost(playwright_instance, live_app, tmp_path):
    server = live_app.server
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "One", "written before the backup")
        turn_on_sync(page, "rosa")
        assert sync_now(page) == "Synced"

        done = _between("backup", str(tmp_path / "backup"), "--data", str(server.data_dir))
        assert done.returncode == 0, done.stderr

        # After the backup: a new entry and an edit, both acknowledged by the server that is about to be lost
        create_journal(page, "Two", "written after the backup")
        go_entries(page)
        page.locator(".entries a", has_text="One").first.click()
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "edited after the backup")
        save(page)
        assert sync_now(page) == "Synced"

        server.stop()
        restored = tmp_path / "restored"
        done = _between("restore", str(tmp_path / "backup"), "--data", str(restored))
        assert done.returncode == 0, done.stderr
        server.data_dir = restored
        server.restart()

        # The app syncs with the restored server: no rollback refusal, no stop, told once in words
        assert sync_now(page) == "Synced"
        go_sync(page)
        assert TOLD in page.inner_text("main")
        assert sorted(entry_summaries(page)) == ["One", "Two"]
        assert sync_now(page) == "Synced"  # the new epoch is kept: the next run is an ordinary one
    finally:
        ctx.close()

    # A new device reads from the restored server what the app had written, as last written
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.login("fresh", "rosa", passphrase=PASSPHRASE)
    cli.run("fresh", "sync")
    assert _bodies(cli, "fresh") == {"One": "edited after the backup", "Two": "written after the backup"}
