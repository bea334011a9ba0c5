"""Linking with a therapist and sharing from the PWA, checked with the therapist's CLI on the real server."""

from __future__ import annotations

import json
import os
import re
import uuid

import pytest

from pwa_browser import launch, open_app
from pwa_live import go_sync, live_app, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal
from test_pwa_accessibility import _serious

from sync import keys, wire
from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser


def _shared_titles(cli: Cli) -> list[str]:
    return [e["fields"].get("title") for e in cli.json("lee", "shared", "list")]


def test_link_with_a_therapist_share_one_entry_then_unshare(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = launch(playwright_instance, tmp_path / "phone")
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Private thoughts", "not for anyone")
        create_journal(page, "For my therapist", "please read this")
        turn_on_sync(page, "jo.client")

        page.goto(re.sub(r"&h=[^&]+", "", invite))  # a damaged link is read on the device and refused there
        page.wait_for_selector("#invite-title")
        assert "incomplete or damaged" in page.inner_text("[role='alert']")

        # A link whose fingerprint does not match the therapist's key is refused before anything is accepted.
        forged = re.sub(r"fp=[^&]+", "fp=AAAAAAAAAAAAAAAAAAAAAA", invite)
        page.goto(forged)
        page.wait_for_selector("#invite-title")
        page.wait_for_selector("[role='alert']")
        assert "does not match" in page.inner_text("[role='alert']")

        page.goto(invite)
        page.wait_for_selector("#invite-title")
        problems = {"invite preview": _serious(page)}
        page.get_by_role("button", name="Link with dr.lee").click()
        page.wait_for_selector("text=You are linked with")
        problems["linked"] = _serious(page)
        browser_number = page.inner_text(".safety-number code")
        # The fragment (token, fingerprint) stayed on the device: no request carried it.
        token = re.search(r"t=([^&]+)", invite).group(1)
        assert not [u for u in requests if token in u or "fp=" in u]
        assert page.url.endswith("/app/invite")

        cli.run("lee", "sync")
        therapist_number = cli.run("lee", "safety-number", "jo.client").stdout.strip().splitlines()[-1]
        assert browser_number == therapist_number and re.fullmatch(r"(\d{5} ){11}\d{5}", browser_number)

        page.goto(live_app.url + "/app/entries")
        page.wait_for_selector("#entries-title")
        page.get_by_role("link", name=re.compile("For my therapist")).click()
        page.get_by_role("button", name="Share with dr.lee").click()
        page.wait_for_selector("text=Shared with")
        assert "waiting to sync" in page.inner_text(".sharing")
        problems["entry with sharing"] = _serious(page)
        assert sync_now(page) == "Synced"
        assert _shared_titles(cli) == ["For my therapist"]

        page.get_by_role("link", name="Shared", exact=True).click()
        page.wait_for_selector("#shared-title")
        assert page.locator(".entries .summary").all_inner_texts() == ["For my therapist"]
        problems["shared list"] = _serious(page)
        go_sync(page)
        problems["sync, signed in"] = _serious(page)
        page.get_by_role("link", name="dr.lee").click()
        page.wait_for_selector("#link-title")
        problems["therapist"] = _serious(page)
        assert page.inner_text(".safety-number code") == browser_number
        assert {k: v for k, v in problems.items() if v} == {}
        page.get_by_role("link", name="Shared", exact=True).click()
        page.wait_for_selector("#shared-title")
        page.get_by_role("link", name=re.compile("For my therapist")).click()
        page.wait_for_selector(".sharing")
        assert re.search(r"Shared with dr\.lee since", page.inner_text(".sharing"))

        page.get_by_role("button", name="Stop sharing with dr.lee").click()
        page.wait_for_selector("text=Only you can see this entry")
        assert sync_now(page) == "Synced"
        assert _shared_titles(cli) == []
    finally:
        ctx.close()


def test_a_changed_therapist_key_blocks_sharing_until_the_numbers_are_compared(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = launch(playwright_instance, tmp_path / "phone")
    swapped = {"on": False}

    def links(route):
        answer = route.fetch()
        body = answer.json()
        if swapped["on"]:
            for link in body:
                t = link["therapist"]
                # A server (or an attacker in it) serves another, self-consistent key for the same therapist.
                other = keys.make_bundle(keys.AccountSecrets(user_id=uuid.UUID(t["user_id"]).bytes, handle=t["handle"],
                                                             role="therapist", account_key=os.urandom(32),
                                                             sig_seed=os.urandom(32), kem_seed=os.urandom(32)))
                link["therapist"] = json.loads(wire.encode(other))
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/links", links)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Something to share", "later")
        turn_on_sync(page, "sam.client")
        page.goto(invite)
        page.get_by_role("button", name="Link with dr.lee").click()
        page.wait_for_selector("text=You are linked with")
        first_number = page.inner_text(".safety-number code")

        swapped["on"] = True
        assert sync_now(page) == "Synced"
        page.get_by_role("link", name="dr.lee").click()
        page.wait_for_selector("#link-title")
        assert "security key changed" in page.inner_text("[role='alert']")
        assert page.inner_text(".safety-number code") != first_number  # the number of the new key

        page.get_by_role("link", name="Entries", exact=True).click()
        page.get_by_role("link", name=re.compile("Something to share")).click()
        page.wait_for_selector(".sharing")
        assert page.get_by_role("button", name="Share with dr.lee").count() == 0
        assert "security key changed" in page.inner_text(".sharing")

        page.get_by_role("link", name="compare the safety number").click()
        page.get_by_role("button", name="The numbers match: accept the new key").click()
        page.wait_for_selector("text=You compared this number with dr.lee")
    finally:
        ctx.close()
