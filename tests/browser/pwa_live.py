"""The app and the real server on one origin: every browser test runs against the server itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pwa_browser import EXTRA_FILES
from pwa_screens import create_journal

from tests.conftest import LiveServer, start_live_server


@dataclass
class LiveApp:
    """`url` is the origin the browser and the CLI use; `server` the real server behind it (data_dir, log)."""

    url: str
    server: LiveServer


def missing_app_files(url: str) -> list[str]:
    """The app files (htmx, Argon2, kinds...) the server fails to serve: a test must not run on a stand-in."""
    return [path for path in EXTRA_FILES if httpx.get(url + path, timeout=5).status_code != 200]


@contextmanager
def serve_app(
    root: Path, extra_env: dict[str, str] | None = None, *, module: str = "between.server", movable_clock: bool = False
) -> Iterator[LiveApp]:
    """The app's server (or `module`, e.g. tests/newer_server.py); with `movable_clock`, `app.server.advance(seconds)`
    moves its clock (LiveServer.advance)."""
    server = start_live_server(root, extra_env, module=module, movable_clock=movable_clock)
    try:
        missing = missing_app_files(server.url)
        assert not missing, f"the server does not serve {missing}: run `make install` (npm ci in web/)"
        yield LiveApp(server.url, server)
    finally:
        server.stop()


@pytest.fixture
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with serve_app(tmp_path_factory.mktemp("live")) as app:
        yield app


@pytest.fixture
def live_app_movable_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The server on a clock the test moves (`app.server.advance(seconds)`): sessions and invites expire without
    waiting."""
    with serve_app(tmp_path_factory.mktemp("live"), movable_clock=True) as app:
        yield app


# ---------------------------------------------------------------- what a person does on the Sync screens

PASSPHRASE = "quiet-harbour-maple-seventeen"


def go_more(page) -> None:
    """The More tab: settings, devices, the passphrase, a copy, signing out, forgetting, deleting, Sync."""
    # Marked first: when already on this screen, the old heading must not satisfy the wait (see go_entries).
    page.evaluate("() => document.getElementById('more-title')?.setAttribute('data-old', '')")
    page.locator("nav.tabs").get_by_role("link", name="More", exact=True).click()
    page.wait_for_selector("#more-title:not([data-old])")


def go_settings(page) -> None:
    """More → Settings: the wording, the language, storage on this device."""
    go_more(page)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.wait_for_selector("#settings-title")


def go_sync(page) -> None:
    """More → Sync: the status, "Sync now", the notes; signed out, turning sync on and signing in."""
    go_more(page)
    page.get_by_role("link", name="Sync", exact=True).click()
    page.wait_for_selector("#account-title")


def turn_on_sync(page, handle: str, passphrase: str = PASSPHRASE, *, therapist: bool = False) -> str:
    """Create the account from this device's keys; returns the recovery key shown once, after confirming it."""
    go_sync(page)
    page.fill("#a-handle", handle)
    page.fill("#a-pass", passphrase)
    page.fill("#a-pass2", passphrase)
    if therapist:
        page.get_by_label("For my work as a therapist").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#recovery-title, #signup-form [role='alert']:not([hidden])", timeout=60000)
    assert page.locator("#recovery-title").count() == 1, page.inner_text("#signup-form [role='alert']")
    key = page.inner_text(".recovery-key code").strip()
    page.check("#r-written")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#account-title")
    return key


def sign_in(page, handle: str, passphrase: str | None = PASSPHRASE, recovery: str | None = None) -> str:
    """Sign in on this device; returns the alert text on failure, '' on success."""
    go_sync(page)
    page.fill("#s-handle", handle)
    if recovery is not None:
        page.check("input[name='method'][value='recovery']")
        page.fill("#s-recovery", recovery)
    else:
        page.fill("#s-pass", passphrase or "")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#in-title, #signin-form [role='alert']:not([hidden])", timeout=60000)
    if page.locator("#in-title").count():
        return ""
    return page.inner_text("#signin-form [role='alert']")


def sync_now(page) -> str:
    """Press "Sync now" and return the status the Sync screen shows once the run has finished."""
    go_sync(page)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_selector("#account-title")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    return page.inner_text("[data-sync-text]")


def synced_journal(page, handle: str, title: str, body: str) -> None:
    """A first journal entry written on this device, then sync turned on as `handle` and everything uploaded."""
    create_journal(page, title, body)
    turn_on_sync(page, handle)
    assert sync_now(page) == "Synced"
