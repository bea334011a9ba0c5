"""Accounts in the PWA against the real server: turn on sync, sign in elsewhere, recovery, sign out, forget."""

from __future__ import annotations

import base64
import json
import os
import sqlite3

import pytest
from pwa_browser import launch, new_context, open_app
from pwa_live import (  # noqa: F401 - fixtures
    PASSPHRASE,
    go_more,
    go_sync,
    live_app,
    live_app_movable_clock,
    sign_in,
    sync_now,
    synced_journal,
    turn_on_sync,
)
from pwa_screens import create_journal, entry_summaries, go_entries
from test_pwa_accessibility import _serious

from between.sync.core.keys import format_recovery_key
from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser


def test_turn_on_sync_keeps_entries_and_a_second_device_signs_in(playwright_instance, live_app, tmp_path):
    first = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(first, live_app.url)
        create_journal(page, "Before sync", "Written before the account existed.")
        key = turn_on_sync(page, "robin")
        assert len(key) == 34 and key.count("-") == 5
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Before sync"]
    finally:
        first.close()
    second = new_context(playwright_instance)
    try:
        page = open_app(second, live_app.url)
        # Written on the laptop before signing in: it joins the account instead of being lost.
        create_journal(page, "Laptop note", "typed before signing in")
        assert "do not match" in sign_in(page, "robin", "wrong passphrase entirely")
        assert sign_in(page, "robin") == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Laptop note", "Before sync"]
    finally:
        second.close()
    first = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(first, live_app.url)
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Laptop note", "Before sync"]
    finally:
        first.close()


def test_a_lost_device_is_signed_out_from_another(playwright_instance, live_app, tmp_path):
    """Your devices lists both browsers (this one marked); signing out the other ends its sync for good, and its
    entries stay on it, encrypted, until it signs in again with the passphrase."""
    phone = new_context(playwright_instance)
    laptop = new_context(playwright_instance)
    try:
        p = open_app(phone, live_app.url)
        synced_journal(p, "sasha", "On the phone", "written on the phone")
        lp = open_app(laptop, live_app.url)
        assert sign_in(lp, "sasha") == ""
        assert sync_now(lp) == "Synced"

        go_more(lp)
        lp.get_by_role("link", name="Your devices").click()
        lp.wait_for_selector("#devices-title")
        items = lp.locator("ul.devices li.device")
        assert items.count() == 2
        assert items.filter(has=lp.locator(".tag", has_text="This device")).count() == 1
        assert all(name.startswith("Between in Chrome") for name in lp.locator(".device-name strong").all_inner_texts())
        # Signing another device out is asked once more (a screen that names it), drawn as a destructive step.
        assert lp.get_by_role("link", name="Sign out this device…").count() == 1
        assert "danger" in (lp.get_by_role("link", name="Sign out this device…").get_attribute("class") or "")
        assert _serious(lp) == []
        lp.get_by_role("link", name="Sign out this device…").click()
        lp.wait_for_selector("#revoke-title")
        assert "can no longer sync" in lp.inner_text("#revoke-warning")
        assert _serious(lp) == []
        lp.get_by_role("button", name="Sign out this device").click()
        lp.wait_for_selector("#devices-title [role='status'], #view .notice")
        assert "That device can no longer sync" in lp.inner_text("#view")
        assert lp.locator("ul.devices li.device").count() == 1
        assert lp.url.endswith("/app/account/devices")

        # The phone: its session and its device key are gone; its entry is still there to read.
        go_sync(p)
        p.get_by_role("button", name="Sync now").click()
        p.wait_for_selector("#s-handle")
        assert "this device was signed out" in p.inner_text("#view .notice")
        assert p.input_value("#s-handle") == "sasha"
        assert entry_summaries(p) == ["On the phone"]
        assert sign_in(p, "sasha") == ""
        assert sync_now(p) == "Synced"
    finally:
        phone.close()
        laptop.close()


NEW_PASSPHRASE = "tram ferry lantern orchard 2026"
NEWER_PASSPHRASE = "heron quarry bicycle meadow 88"


def _change_passphrase(page, current: str, new: str, again: str | None = None, *, recovery: bool = False) -> str:
    """More → Change your passphrase, confirmed with the current passphrase or (recovery=True) the recovery key
    given as `current`; returns the alert text, or '' once the More screen says it changed."""
    go_more(page)
    page.get_by_role("link", name="Change your passphrase").click()
    page.wait_for_selector("#passphrase-form")
    if recovery:
        page.get_by_label("My recovery key (I forgot the passphrase)").check()
        page.fill("#p-recovery", current)
    else:
        page.fill("#p-current", current)
    page.fill("#a-pass", new)
    page.fill("#a-pass2", new if again is None else again)
    page.get_by_role("button", name="Change passphrase").click()
    page.wait_for_selector("#more-title, #passphrase-form [role='alert']:not([hidden])", timeout=60000)
    if page.locator("#more-title").count():
        assert "Passphrase changed" in page.inner_text("#view .notice")
        return ""
    return page.inner_text("#passphrase-form [role='alert']")


def test_passphrase_changed_in_the_browser(playwright_instance, live_app, tmp_path):
    """The current passphrase must be right; after the change only the new one signs in, the other device keeps
    syncing, the entries stay, and neither passphrase is ever sent."""
    phone = new_context(playwright_instance)
    laptop = new_context(playwright_instance)
    log = _wire_log(phone)
    try:
        p = open_app(phone, live_app.url)
        create_journal(p, "Kept across the change", "still readable afterwards")
        recovery = turn_on_sync(p, "kai")
        lp = open_app(laptop, live_app.url)
        assert sign_in(lp, "kai") == ""
        assert sync_now(lp) == "Synced"

        assert "not the same" in _change_passphrase(p, PASSPHRASE, NEW_PASSPHRASE, "something else entirely")
        assert "not your current passphrase" in _change_passphrase(p, "not my passphrase at all", NEW_PASSPHRASE)
        assert _serious(p) == []
        assert _change_passphrase(p, PASSPHRASE, NEW_PASSPHRASE) == ""
        assert sync_now(p) == "Synced"
        assert sync_now(lp) == "Synced"  # its session ended on the server; it renewed with its device key
        assert entry_summaries(lp) == ["Kept across the change"]
        assert _carries(log, PASSPHRASE) == [] and _carries(log, NEW_PASSPHRASE) == []

        # Forgotten: the recovery key confirms the next one; a key of another account does not.
        assert "typo" in _change_passphrase(
            p, recovery[:-1] + ("0" if recovery[-1] != "0" else "1"), NEWER_PASSPHRASE, recovery=True
        )
        other = format_recovery_key(os.urandom(16))  # well formed, of no account
        assert "not the recovery key of this account" in _change_passphrase(p, other, NEWER_PASSPHRASE, recovery=True)
        assert _change_passphrase(p, recovery, NEWER_PASSPHRASE, recovery=True) == ""
        assert _carries(log, recovery) == [] and _carries(log, NEWER_PASSPHRASE) == []
    finally:
        phone.close()
        laptop.close()
    third = new_context(playwright_instance)
    try:
        page = open_app(third, live_app.url)
        assert "do not match" in sign_in(page, "kai", PASSPHRASE)
        assert "do not match" in sign_in(page, "kai", NEW_PASSPHRASE)
        assert sign_in(page, "kai", NEWER_PASSPHRASE) == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Kept across the change"]
    finally:
        third.close()


def _delete_account(page, name: str, passphrase: str) -> str:
    """More → Delete your account; returns the alert text, or '' once the account is gone."""
    go_more(page)
    page.get_by_role("link", name="Delete your account…").click()
    page.wait_for_selector("#delete-form")
    page.fill("#d-handle", name)
    page.fill("#d-pass", passphrase)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_selector("#gone-title, #delete-form [role='alert']:not([hidden])", timeout=60000)
    return "" if page.locator("#gone-title").count() else page.inner_text("#delete-form [role='alert']")


def test_account_deleted_in_the_browser(playwright_instance, live_app, tmp_path):
    """The name and the passphrase must both be right; then the server keeps no row of the account, this device
    is cleared, and the account no longer signs in."""
    phone = new_context(playwright_instance)
    try:
        p = open_app(phone, live_app.url)
        synced_journal(p, "noor", "Soon gone", "to be deleted with the account")
        assert "type your account name" in _delete_account(p, "someone-else", PASSPHRASE)
        assert "not your passphrase. Nothing was deleted" in _delete_account(p, "noor", "not the passphrase at all")
        assert _serious(p) == []
        assert sync_now(p) == "Synced"
        assert entry_summaries(p) == ["Soon gone"]
        assert _delete_account(p, "noor", PASSPHRASE) == ""
        assert "Your account was deleted" in p.inner_text("#gone-title")
        p.get_by_role("link", name="Start again").click()
        p.wait_for_selector("#entries-title")
        assert entry_summaries(p) == []
    finally:
        phone.close()
    db = sqlite3.connect(live_app.server.data_dir / "between.sqlite3")
    try:
        assert db.execute("SELECT count(*) FROM users WHERE handle = 'noor'").fetchone()[0] == 0
    finally:
        db.close()
    other = new_context(playwright_instance)
    try:
        assert "do not match" in sign_in(open_app(other, live_app.url), "noor")
    finally:
        other.close()


def _wire_log(ctx) -> list[tuple[str, str, bytes]]:
    """Every request the page and its service worker send: (method, url, body)."""
    log: list[tuple[str, str, bytes]] = []
    ctx.on("request", lambda r: log.append((r.method, r.url, r.post_data_buffer or b"")))
    return log


def _carries(log, secret: str) -> list[str]:
    forms = {secret.encode(), secret.lower().encode(), secret.replace("-", "").encode()}
    return [url for _, url, body in log if any(f in body or f.decode() in url for f in forms)]


def test_recovery_key_signs_in_and_no_secret_goes_on_the_wire(playwright_instance, live_app, tmp_path):
    first = launch(playwright_instance, tmp_path / "phone")
    log = _wire_log(first)
    try:
        page = open_app(first, live_app.url)
        key = turn_on_sync(page, "ash.lee")
        create_journal(page, "Kept safe", "in the account")
        assert sync_now(page) == "Synced"
        assert any(url.endswith("/api/v1/accounts") for _, url, _ in log)
    finally:
        first.close()
    second = launch(playwright_instance, tmp_path / "tablet")
    log2 = _wire_log(second)
    try:
        page = open_app(second, live_app.url)
        # A typo is caught by the checksum on the device: nothing is sent for it.
        typo = ("1" if key[0] != "1" else "2") + key[1:]
        assert "typo" in sign_in(page, "ash.lee", recovery=typo)
        assert not [u for _, u, _ in log2 if "/auth/login" in u]
        # Case, spaces and dashes don't matter.
        assert sign_in(page, "ash.lee", recovery=key.lower().replace("-", " ")) == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Kept safe"]
    finally:
        second.close()
    assert _carries(log, PASSPHRASE) == [] and _carries(log, key) == []
    assert _carries(log2, key) == []
    # Nor does the device keep them: not in IndexedDB, caches, history or session state of either profile.
    for profile in ("phone", "tablet"):
        for path in [p for p in (tmp_path / profile).rglob("*") if p.is_file()]:
            data = path.read_bytes()
            for secret in (PASSPHRASE, key, key.replace("-", ""), key.lower().replace("-", " ")):
                assert secret.encode() not in data and secret.encode("utf-16-le") not in data, (path, secret[:3])


def test_weak_kdf_parameters_from_the_server_are_refused(playwright_instance, live_app, tmp_path):
    ctx = new_context(playwright_instance)
    log = _wire_log(ctx)

    def weak(route):
        # What a hostile server would answer to make the passphrase cheap to guess.
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(
                {
                    "kdf": {
                        "alg": "argon2id",
                        "memory_kib": 1024,
                        "iterations": 1,
                        "lanes": 1,
                        "salt": base64.b64encode(b"s" * 16).decode(),
                    },
                    "challenge_id": base64.b64encode(b"c" * 16).decode(),
                    "challenge": base64.b64encode(b"x" * 32).decode(),
                    "expires_in": 60,
                }
            ),
        )

    ctx.route("**/api/v1/auth/prelogin", weak)
    try:
        page = open_app(ctx, live_app.url)
        assert "weaker protection" in sign_in(page, "someone")
        assert not [u for _, u, _ in log if "/auth/login" in u]
    finally:
        ctx.close()


def test_an_expired_session_is_renewed_with_the_device_key(playwright_instance, live_app_movable_clock, tmp_path):
    app = live_app_movable_clock
    ctx = new_context(playwright_instance)
    log = _wire_log(ctx)
    try:
        page = open_app(ctx, app.url)
        turn_on_sync(page, "noor")
        app.server.advance(12 * 3600 + 1)  # the server's clock passes the session's 12 hours
        create_journal(page, "After the session ended", "still syncs")
        assert sync_now(page) == "Synced"
        assert [u for _, u, _ in log if u.endswith("/auth/refresh")]
    finally:
        ctx.close()
    cli = Cli(tmp_path / "profiles", app.url)
    cli.login("cli", "noor", passphrase=PASSPHRASE)
    cli.run("cli", "sync")
    assert [e["fields"]["title"] for e in cli.json("cli", "entry", "list")] == ["After the session ended"]


def test_sign_out_keeps_entries_and_forget_removes_them(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "river")
        create_journal(page, "Stays after sign out", "yes")
        assert sync_now(page) == "Synced"
        cli.login("cli", "river", passphrase=PASSPHRASE)
        assert len(cli.run("cli", "device", "list").stdout.splitlines()) == 2

        go_more(page)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=Signed out.")
        assert page.input_value("#s-handle") == "river"
        # The browser's device is retired on the server, its entries stay here.
        assert len(cli.run("cli", "device", "list").stdout.splitlines()) == 1
        assert entry_summaries(page) == ["Stays after sign out"]

        go_more(page)
        page.get_by_role("link", name="Forget this device…").click()
        page.wait_for_selector("#forget-title")
        page.check("input[name='confirm']")
        page.get_by_role("button", name="Forget this device").click()
        page.wait_for_selector("#gone-title")
        page.get_by_role("link", name="Start again").click()
        page.wait_for_selector("#entries-title")
        assert entry_summaries(page) == []
        go_sync(page)
        assert page.locator("#signup-form").count() == 1  # a fresh device with no account
    finally:
        ctx.close()


def test_wording_is_activities_unless_the_person_prefers_homework(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, app_url)
        go_entries(page)  # the app opens on Today; the entries list says what they are
        assert "Your activities between sessions" in page.inner_text(".lead")
        go_more(page)
        page.get_by_role("link", name="Settings", exact=True).click()
        page.wait_for_selector("#settings-title")
        page.check("input[name='wording'][value='homework']")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector("text=Saved.")
    finally:
        ctx.close()
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, app_url)
        go_entries(page)
        assert "Your homework between sessions" in page.inner_text(".lead")
        page.get_by_role("link", name="New entry").click()
        page.wait_for_selector("#new-title")
        assert page.inner_text("#new-title + .lead") == "Which homework would you like to do?"
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_account_screens_have_no_serious_accessibility_violations(playwright_instance, live_app, tmp_path, scheme):
    ctx = new_context(playwright_instance, color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, live_app.url)
        go_sync(page)
        problems = {"sync, no account": _serious(page)}
        page.fill("#a-pass", "short")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_selector("#signup-form [role='alert']:not([hidden])")
        problems["signup error"] = _serious(page)
        page.check("input[name='method'][value='recovery']")
        problems["sign in with recovery key"] = _serious(page)
        page.fill("#a-handle", "axe.check")
        page.fill("#a-pass", PASSPHRASE)
        page.fill("#a-pass2", PASSPHRASE)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_selector("#recovery-title", timeout=60000)
        problems["recovery key"] = _serious(page)
        page.check("#r-written")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_selector("#account-title")
        problems["sync, signed in"] = _serious(page)
        go_more(page)
        problems["more, signed in"] = _serious(page)
        page.get_by_role("link", name="Forget this device…").click()
        page.wait_for_selector("#forget-title")
        problems["forget"] = _serious(page)
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        ctx.close()
