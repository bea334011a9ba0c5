"""Linking with a therapist and sharing from the PWA, checked with the therapist's CLI on the real server."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import uuid

import pytest
from pwa_browser import new_context, open_app
from pwa_live import PASSPHRASE, go_more, go_sync, live_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, save
from test_pwa_accessibility import _serious

from between.sync.client.client import Client
from between.sync.core import keys, wire
from between.sync.core.layout import Header
from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser


def _swapping_links(swap):
    """A /links route handler that serves another, self-consistent key (one per therapist) for each therapist whose
    handle `swap(handle)` picks: what a server (or an attacker in it) swapping keys serves."""
    fakes: dict[str, dict] = {}

    def links(route):
        answer = route.fetch()
        body = answer.json()
        for link in body:
            t = link["therapist"]
            if swap(t["handle"]):
                fakes.setdefault(
                    t["user_id"],
                    json.loads(
                        wire.encode(
                            keys.make_bundle(
                                keys.AccountSecrets(
                                    user_id=uuid.UUID(t["user_id"]).bytes,
                                    handle=t["handle"],
                                    role="therapist",
                                    account_key=os.urandom(32),
                                    sig_seed=os.urandom(32),
                                    kem_seed=os.urandom(32),
                                )
                            )
                        )
                    ),
                )
                link["therapist"] = fakes[t["user_id"]]
        route.fulfill(response=answer, body=json.dumps(body))

    return links


def _shared_titles(cli: Cli) -> list[str]:
    return [e["fields"].get("title") for e in cli.json("lee", "shared", "list")]


def test_link_with_a_therapist_share_one_entry_then_unshare(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = new_context(playwright_instance)
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

        # A link naming another handle than the therapist's own is refused too, though its key matches (share.js:
        # the handle check alone). The old alert is marked first, so only a new refusal satisfies the wait.
        page.evaluate("() => document.querySelectorAll('[role=alert]').forEach((a) => a.setAttribute('data-old', ''))")
        page.goto(invite.replace("&h=dr.lee", "&h=dr.leeds"))
        page.wait_for_selector("#invite-title")
        page.wait_for_selector("[role='alert']:not([data-old])")
        assert "does not match" in page.inner_text("[role='alert']:not([data-old])")

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

        go_more(page)  # Shared is under More
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
        go_more(page)
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
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()


PEERS = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  const r = db.transaction('peers').objectStore('peers').count();
  const n = await new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  db.close();
  return n;
}"""


def test_an_accept_answered_with_other_keys_pins_no_one(playwright_instance, live_app, tmp_path):
    """share.js: the accept answer must carry the keys the preview showed (the preview matched the link's
    fingerprint and handle). A server that swaps the therapist's X25519 key at that step gets no pin."""
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = new_context(playwright_instance)

    def swap(route):
        answer = route.fetch()
        body = answer.json()
        body["therapist"]["kem_pub"] = base64.b64encode(os.urandom(32)).decode()
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/invites/accept", swap)
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "jo.client")
        page.goto(invite)
        page.wait_for_selector("#invite-title")
        page.get_by_role("button", name="Link with dr.lee").click()
        page.wait_for_selector("#view [role='alert']")
        assert "does not match the security key" in page.inner_text("#view [role='alert']")
        assert page.locator("text=You are linked with").count() == 0
        assert page.evaluate(PEERS) == 0
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()


def test_a_changed_therapist_key_blocks_sharing_until_the_numbers_are_compared(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("lee", "dr.lee", "--therapist")
    invite = cli.last_line("lee", "invite", "create")
    ctx = new_context(playwright_instance)
    swapped = {"on": False}
    ctx.route("**/api/v1/links", _swapping_links(lambda handle: swapped["on"]))
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
        page.get_by_role("button", name="The numbers match: accept this key").click()
        page.wait_for_selector("text=You compared this number with dr.lee")
    finally:
        # A sync the comparison started may still be in the route handler: let it go quietly (as below).
        ctx.unroute_all(behavior="ignoreErrors")
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()


# ------------------------------------------------------------ the review's rules, in the browser

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASS_T = "therapist passphrase, long enough"


@pytest.fixture
def therapist(live_app, tmp_path):
    """dr.kim, a therapist driven through the reference client (it can end a care link)."""
    t = Client(tmp_path / "therapist")
    t.accounts.create(live_app.url, "dr.kim", PASS_T, "therapist", FLOOR)
    yield t
    t.close()


def _server_db(live_app) -> sqlite3.Connection:
    db = sqlite3.connect(live_app.server.data_dir / "between.sqlite3", timeout=10)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _entry_id(page) -> str:
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _open_entry(page, url: str, title: str) -> str:
    page.goto(url + "/app/entries")
    page.wait_for_selector("#entries-title")
    page.get_by_role("link", name=re.compile(title)).click()
    page.wait_for_selector(".sharing")
    return _entry_id(page)


def test_a_second_device_with_only_the_servers_word_shares_marked_not_verified(
    playwright_instance, live_app, therapist, tmp_path
):
    """The browser signs in after the invite was accepted on another device that never synced its verification: the
    therapist's key is only the server's word here. Sharing goes on, marked "Not verified" (trust on first use);
    comparing the numbers on this device verifies, and the account records it."""
    first = Client(tmp_path / "first")
    first.accounts.create(live_app.url, "jo.second", PASSPHRASE, "client", FLOOR)
    first.accept_invite(therapist.create_invite())  # its verification stays on that device: never synced
    first.close()
    therapist.sync()
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "jo.second") == ""
        create_journal(page, "From my second device", "not verified yet")
        assert sync_now(page) == "Synced"
        _open_entry(page, live_app.url, "From my second device")
        assert "key is not verified (it came from the server)" in " ".join(page.inner_text(".sharing").split())
        page.get_by_role("button", name="Share with dr.kim").click()
        page.wait_for_selector("text=Shared with")
        assert sync_now(page) == "Synced"
        therapist.sync()
        assert [e["fields"]["title"] for e in therapist.shared_with_me()] == ["From my second device"]

        page.goto(live_app.url + "/app/shared")
        page.get_by_role("link", name="dr.kim", exact=True).click()
        page.wait_for_selector("#link-title")
        assert page.inner_text(".key-state") == "Not verified"
        assert "this key came from the server" in page.inner_text("#view")
        assert page.locator("[role='alert']").count() == 0
        assert not _serious(page)
        browser_number = page.inner_text(".safety-number code")
        assert browser_number == therapist.safety_number("jo.second")[0]  # what the two compare
        page.get_by_role("button", name="I compared the numbers: they match").click()
        page.wait_for_selector("text=You compared this number with dr.kim")
        assert page.inner_text(".key-state") == "Verified by safety number"
        assert page.locator("[role='alert']").count() == 0
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()


def test_an_ended_care_link_re_keys_what_the_therapist_could_read(playwright_instance, live_app, therapist, tmp_path):
    """H3: the therapist ends the link; the browser, editing offline meanwhile, re-keys and revokes at its next
    sync, so the edit is accepted (the server refuses revisions under a key revoked from a reader)."""
    invite = therapist.create_invite()
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Shared then the link ends", "version one")
        create_journal(page, "Deleted before the end", "gone")
        turn_on_sync(page, "jo.ended")
        page.goto(invite)
        page.get_by_role("button", name="Link with dr.kim").click()
        page.wait_for_selector("text=You are linked with")
        rid = _open_entry(page, live_app.url, "Shared then the link ends")
        page.get_by_role("button", name="Share with dr.kim").click()
        page.wait_for_selector("text=Shared with")
        assert sync_now(page) == "Synced"
        therapist.sync()
        assert [e["fields"]["title"] for e in therapist.shared_with_me()] == ["Shared then the link ends"]

        therapist.api.delete_link(therapist.api.links()[0].link_id)
        ctx.set_offline(True)
        page.goto(live_app.url + "/app/entries/" + rid)
        page.wait_for_selector("article h1")
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "version two, after the link ended")
        save(page)
        ctx.set_offline(False)
        assert sync_now(page) == "Synced"
        page.goto(live_app.url + "/app/entries/" + rid)
        page.wait_for_selector("article h1")
        # Nobody is linked any more and nothing is shared: no sharing panel at all.
        assert "Shared with" not in page.inner_text("#view")
        assert page.locator(".sharing").count() == 0
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()

    db = _server_db(live_app)
    try:
        rid_b = uuid.UUID(rid).bytes
        head = db.execute(
            "SELECT r.header FROM revisions r JOIN records h ON h.record_id = r.record_id "
            "AND h.head_version = r.version WHERE r.record_id = ?",
            (rid_b,),
        ).fetchone()[0]
        held = {bytes(k) for (k,) in db.execute("SELECT key_id FROM grants WHERE record_id = ?", (rid_b,))}
    finally:
        db.close()
    assert held and Header.parse(bytes(head)).key_id not in held  # the latest version is under a key nobody held
    therapist.sync()
    assert therapist.shared_with_me() == []
    # The same account on another device reads the edit: it was accepted, not stuck.
    other = Client(tmp_path / "other")
    try:
        other.accounts.login(live_app.url, "jo.ended", passphrase=PASSPHRASE)
        other.sync()
        bodies = {e["fields"]["title"]: e["fields"]["body"] for e in other.entries()}
        assert bodies["Shared then the link ends"] == "version two, after the link ended"
    finally:
        other.close()


def test_a_sharing_change_made_while_a_push_answer_was_lost_still_goes_out(
    playwright_instance, live_app, therapist, tmp_path
):
    """The server stored a share but its answer never arrived; the person then stopped sharing. The next sync
    recognises the stored revision as this device's own and sends the unshare as a new revision (a replay of
    the stored one with other grants would be refused)."""
    invite = therapist.create_invite()
    ctx = new_context(playwright_instance)
    lose = {"on": False, "lost": 0}

    def push(route):
        answer = route.fetch()  # the server handles it ...
        if lose["on"]:
            lose["lost"] += 1
            route.abort("connectionreset")  # ... but the answer never reaches the device
        else:
            route.fulfill(response=answer)

    def pull(route):
        if lose["on"] and lose["lost"]:
            route.abort("connectionreset")  # still cut off: the device cannot learn what the server stored
        else:
            route.fallback()

    ctx.route("**/api/v1/sync/push", push)
    ctx.route("**/api/v1/sync/pull*", pull)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Shared by mistake", "only for me")
        turn_on_sync(page, "jo.lost")
        page.goto(invite)
        page.get_by_role("button", name="Link with dr.kim").click()
        page.wait_for_selector("text=You are linked with")
        assert sync_now(page) == "Synced"
        _open_entry(page, live_app.url, "Shared by mistake")
        lose["on"] = True
        page.get_by_role("button", name="Share with dr.kim").click()
        page.wait_for_selector("text=Shared with")
        assert sync_now(page).startswith("Offline")
        assert lose["lost"] >= 1
        therapist.sync()
        assert [e["fields"]["title"] for e in therapist.shared_with_me()] == ["Shared by mistake"]  # it did land

        _open_entry(page, live_app.url, "Shared by mistake")
        page.get_by_role("button", name="Stop sharing with dr.kim").click()
        page.wait_for_selector("text=Only you can see this entry")
        lose["on"] = False
        status = sync_now(page)
        _open_entry(page, live_app.url, "Shared by mistake")
        assert "Only you can see this entry" in page.inner_text(".sharing")
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()
    therapist.sync()
    assert therapist.shared_with_me() == []
    assert status == "Synced"  # and no merge reported: the stored revision was this device's own


def test_the_share_list_follows_this_accounts_own_grants_for_the_current_key(
    playwright_instance, live_app, therapist, tmp_path
):
    """H2: a server that hides the current grant does not take a therapist off the list, and one that replays an
    old grant (for a key since replaced) does not put them back on it."""
    invite = therapist.create_invite()
    ctx = new_context(playwright_instance)
    mode = {"rid": None, "drop": False, "replay": None}
    grants: list[dict] = []

    def pull(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item["record_id"] != mode["rid"]:
                continue
            grants.extend(item.get("grants") or [])
            if mode["drop"]:
                item["grants"] = []
            if mode["replay"] is not None:
                item["grants"] = (item.get("grants") or []) + mode["replay"]
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/sync/pull*", pull)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Shared, then not", "v1")
        turn_on_sync(page, "jo.list")
        page.goto(invite)
        page.get_by_role("button", name="Link with dr.kim").click()
        page.wait_for_selector("text=You are linked with")
        mode["rid"] = rid = _open_entry(page, live_app.url, "Shared, then not")
        page.get_by_role("button", name="Share with dr.kim").click()
        page.wait_for_selector("text=Shared with")
        assert sync_now(page) == "Synced"
        assert sync_now(page) == "Synced"  # the pull brings the shared head and its grant back
        assert grants, "the pull listed the grant"
        old = [dict(g) for g in grants]

        # (a) The server leaves the current grant out: under the same key only this device's own unshare counts.
        mode["drop"] = True
        page.goto(live_app.url + "/app/entries/" + rid)
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "v2")
        save(page)
        assert sync_now(page) == "Synced"
        assert sync_now(page) == "Synced"
        _open_entry(page, live_app.url, "Shared, then not")
        assert re.search(r"Shared with dr\.kim since", page.inner_text(".sharing"))
        mode["drop"] = False

        # (b) Unshared (a new key), then the server replays the old grant: it does not re-add dr.kim.
        page.get_by_role("button", name="Stop sharing with dr.kim").click()
        page.wait_for_selector("text=Only you can see this entry")
        assert sync_now(page) == "Synced"
        mode["replay"] = old
        assert sync_now(page) == "Synced"
        page.goto(live_app.url + "/app/entries/" + rid)
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "v3, private")
        save(page)
        assert sync_now(page) == "Synced"
        assert sync_now(page) == "Synced"
        _open_entry(page, live_app.url, "Shared, then not")
        assert "Only you can see this entry" in page.inner_text(".sharing")
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()
    therapist.sync()
    assert therapist.shared_with_me() == []


def test_a_re_key_on_a_second_device_gives_no_key_to_a_blocked_therapist(
    playwright_instance, live_app, therapist, tmp_path
):
    """H1 on re-key: the first device shared an entry with two therapists; on the browser (a second device) the
    server names another key for dr.kim than the one the account verified. Unsharing dr.ray there re-keys the entry,
    and dr.kim, blocked here, gets no new key: it is revoked instead."""
    ray = Client(tmp_path / "ray")
    first = Client(tmp_path / "first")
    try:
        ray.accounts.create(live_app.url, "dr.ray", PASS_T, "therapist", FLOOR)
        first.accounts.create(live_app.url, "jo.two", PASSPHRASE, "client", FLOOR)
        first.accept_invite(therapist.create_invite())
        first.accept_invite(ray.create_invite())
        rid = first.add_entry("journal", {"title": "For both", "body": "shared from the first device"})
        first.share(rid, "dr.kim")
        first.share(rid, "dr.ray")
        first.sync()
    finally:
        first.close()
    therapist.sync()
    assert [e["fields"]["title"] for e in therapist.shared_with_me()] == ["For both"]
    ctx = new_context(playwright_instance)

    ctx.route("**/api/v1/links", _swapping_links(lambda handle: handle == "dr.kim"))
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "jo.two") == ""
        assert sync_now(page).startswith("Synced")
        _open_entry(page, live_app.url, "For both")
        assert "security key changed" in page.inner_text(".sharing")
        page.get_by_role("button", name="Stop sharing with dr.ray").click()
        page.wait_for_selector("text=Stopping sharing with dr.ray")
        assert sync_now(page).startswith("Synced")
        _open_entry(page, live_app.url, "For both")
        assert "Only you can see this entry" in page.inner_text(".sharing")
    finally:
        ctx.unroute_all(behavior="ignoreErrors")
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()
        ray.close()
    therapist.sync()
    assert therapist.shared_with_me() == []  # dr.kim's swapped key got nothing, and the old one was revoked


def test_a_sync_warning_is_shown_on_the_sync_screen_until_dismissed(playwright_instance, live_app, therapist, tmp_path):
    """The ended-link re-key warns: the Sync screen says so in plain words (axe-clean, light and dark, no CSP
    report); Dismiss removes it, and neither a reload nor the next sync brings the same event back."""
    invite = therapist.create_invite()
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        csp = []
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        create_journal(page, "Shared, then the link ends", "one")
        turn_on_sync(page, "jo.notes")
        page.goto(invite)
        page.get_by_role("button", name="Link with dr.kim").click()
        page.wait_for_selector("text=You are linked with")
        _open_entry(page, live_app.url, "Shared, then the link ends")
        page.get_by_role("button", name="Share with dr.kim").click()
        page.wait_for_selector("text=Shared with")
        assert sync_now(page) == "Synced"
        assert page.locator(".sync-notes").count() == 0  # nothing to say yet

        therapist.api.delete_link(therapist.api.links()[0].link_id)
        assert sync_now(page) == "Synced"
        note = page.locator(".sync-notes li")
        assert note.count() == 1
        assert note.inner_text().startswith("A care link ended: entries that person could read get a new key")
        problems = {"sync with a note": _serious(page)}
        page.emulate_media(color_scheme="dark")
        problems["sync with a note, dark"] = _serious(page)
        page.emulate_media(color_scheme="light")
        go_sync(page)  # shown again on a later visit: the note is kept until dismissed
        assert page.locator(".sync-notes li").count() == 1

        page.get_by_role("button", name="Dismiss").click()
        page.wait_for_selector("text=Dismissed.")
        assert page.locator(".sync-notes").count() == 0
        go_sync(page)
        assert page.locator(".sync-notes").count() == 0
        assert sync_now(page) == "Synced"
        assert page.locator(".sync-notes").count() == 0
        assert "A care link ended" not in page.inner_text("#view")
        assert {k: v for k, v in problems.items() if v} == {}
        assert csp == []
    finally:
        ctx.unroute_all(behavior="ignoreErrors")  # a handler still running must not fail the next test
        ctx.close()
