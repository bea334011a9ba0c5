"""The PWA syncing with the real server: offline edits sync when back online, the CLI and the browser read each
other's entries, a concurrent edit merges, and nothing typed in the browser reaches the server in plaintext."""

from __future__ import annotations

import base64
import json
import secrets
import uuid

import pytest
from pwa_browser import launch, new_context, open_app
from pwa_live import PASSPHRASE, live_app, sign_in, sync_now, synced_journal, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, create_mood, entry_summaries, save

from between.sync.client.client import Client
from between.sync.core import crypto, records
from tests.e2e.e2e_cli import Cli

pytestmark = pytest.mark.browser


def _forms(text: str) -> list[bytes]:
    raw = text.encode()
    out = [raw, text.encode("utf-16-le"), text.encode("utf-16-be")]
    for skip in range(3):  # base64 of the text at every alignment inside a larger blob
        core = base64.b64encode(raw[skip:])[4:-4]
        out += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def _leaks(root, texts: list[str]) -> list[str]:
    found = []
    for path in [p for p in root.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        found += [f"{path.name}: {t!r}" for t in texts if any(f in data for f in _forms(t))]
    return found


def _header_says(page, pattern: str) -> None:
    """The header's live region matches `pattern` once the worker's broadcast of the run has reached the page (it
    can arrive after the Sync screen has rendered); a timeout fails the test."""
    page.wait_for_function(
        "(want) => new RegExp(want).test(document.getElementById('sync-status').textContent)",
        arg=pattern,
        timeout=10000,
    )


def test_offline_entries_sync_when_back_online_and_the_cli_reads_them(playwright_instance, live_app, tmp_path):
    canary = "canary-" + secrets.token_hex(6)
    cli = Cli(tmp_path / "profiles", live_app.url)
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "sasha")
        ctx.set_offline(True)
        create_journal(page, f"Offline {canary}", f"Body {canary} with no network.")
        create_mood(page, 4, f"note {canary}")
        # The worker tries soon after each edit and finds no network: both stay in the outbox.
        page.wait_for_function(
            "() => /Offline · 2 changes waiting/.test(document.getElementById('sync-status').textContent)",
            timeout=15000,
        )
        ctx.set_offline(False)
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        # The header says when (the Sync screen's own line stays "Synced").
        page.wait_for_function(
            "() => /^Synced at \\d/.test(document.getElementById('sync-status').textContent)", timeout=20000
        )
    finally:
        ctx.close()

    cli.login("cli", "sasha", passphrase=PASSPHRASE)
    cli.run("cli", "sync")
    entries = cli.json("cli", "entry", "list")
    assert sorted(e["kind"] for e in entries) == ["journal", "mood"]
    journal = next(e for e in entries if e["kind"] == "journal")
    assert journal["fields"] == {"title": f"Offline {canary}", "body": f"Body {canary} with no network."}
    assert not any(e["pending"] for e in entries)

    # Written with the CLI, read in the browser (a new sync on opening).
    cli.add("cli", "journal", title=f"From the terminal {canary}", body="typed in a shell")
    cli.run("cli", "sync")
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, live_app.url)
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == [f"From the terminal {canary}", "Mood 4/10", f"Offline {canary}"]
    finally:
        ctx.close()

    live_app.server.stop()  # the WAL is folded into the database file on shutdown
    leaks = _leaks(live_app.server.data_dir, [canary, PASSPHRASE])
    leaks += [f"log: {t}" for t in (canary, PASSPHRASE) if t in live_app.server.log()]
    assert leaks == []


def test_edits_on_two_devices_merge(playwright_instance, live_app, tmp_path):
    cli = Cli(tmp_path / "profiles", live_app.url)
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        synced_journal(page, "kim", "Shared title", "first line")
        cli.login("cli", "kim", passphrase=PASSPHRASE)
        cli.run("cli", "sync")
        [entry] = cli.json("cli", "entry", "list")
        # The terminal changes the title while the browser, offline, changes the body of the same entry. (Offline
        # first: online, the browser would hear of the terminal's change at once and edit on top of it.)
        ctx.set_offline(True)
        cli.run("cli", "entry", "edit", entry["id"], "--field", "title=Title from the terminal")
        cli.run("cli", "sync")
        page.goto(live_app.url + "/app/entries/" + entry["id"])
        page.wait_for_selector("article h1")
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "first line\nadded in the browser")
        save(page)
        ctx.set_offline(False)
        assert sync_now(page) == "Synced · merged an edit made on two devices"
        _header_says(page, r"^Synced at \d.* · merged an edit made on two devices$")
        assert entry_summaries(page) == ["Title from the terminal"]
    finally:
        ctx.close()
    cli.run("cli", "sync")
    [merged] = cli.json("cli", "entry", "list")
    assert merged["fields"] == {"title": "Title from the terminal", "body": "first line\nadded in the browser"}


def test_tampered_and_rolled_back_heads_from_the_server_are_refused(playwright_instance, live_app, tmp_path):
    """A hostile server: one pull page with a flipped ciphertext byte, later an old head replayed as new."""
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("cli", "morgan", passphrase=PASSPHRASE)
    first = cli.add("cli", "journal", title="Version one", body="v1")
    cli.add("cli", "journal", title="Untouched", body="fine")
    cli.run("cli", "sync")
    ctx = new_context(playwright_instance)
    mode = {"tamper": False, "replay": None}
    pages: list[dict] = []

    def pull(route):
        answer = route.fetch()
        body = answer.json()
        pages.append(json.loads(json.dumps(body)))
        if mode["tamper"]:
            for item in body["items"]:
                if item["record_id"] == first:
                    ct = bytearray(base64.b64decode(item["head"]["revision"]["ct"]))
                    ct[0] ^= 1
                    item["head"]["revision"]["ct"] = base64.b64encode(bytes(ct)).decode()
        if mode["replay"] is not None:
            body["items"] = mode["replay"]  # an old head of the entry, under the new cursor
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/sync/pull*", pull)
    # Each sync here is the test's own ("Sync now"), each with its lie: no change notices starting one in between.
    ctx.route("**/api/v1/sync/changes", lambda route: route.abort())
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "morgan") == ""
        assert sync_now(page) == "Synced"
        assert sorted(entry_summaries(page)) == ["Untouched", "Version one"]
        old_items = [i for p in pages for i in p["items"] if i["record_id"] == first]

        cli.run("cli", "entry", "edit", first, "--field", "title=Version two")
        cli.run("cli", "sync")
        mode["tamper"] = True
        assert sync_now(page) == "Synced · 1 change was refused"
        assert sorted(entry_summaries(page)) == ["Untouched", "Version one"]  # the forged head was not stored

        mode["tamper"] = False
        cli.run("cli", "entry", "edit", first, "--field", "title=Version three")
        cli.run("cli", "sync")
        assert sync_now(page) == "Synced"
        assert sorted(entry_summaries(page)) == ["Untouched", "Version three"]

        cli.run("cli", "entry", "edit", first, "--field", "title=Version four")
        cli.run("cli", "sync")
        mode["replay"] = old_items[-1:]
        assert sync_now(page) == "Synced · 1 change was refused"
        assert sorted(entry_summaries(page)) == ["Untouched", "Version three"]  # no going back to version one
    finally:
        ctx.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _forked_version(profile, rid: str, version: int, title: str) -> dict:
    """A head of `rid` at `version`, sealed and signed by its owner like any other, whose parent is not the version
    before it: what a server keeping a fork that one of the owner's devices once pushed could serve."""
    owner = Client(profile)
    try:
        head = owner.engine.head(rid)
        s = owner.secrets
        owner_id, wrapped = owner.store.get_dek(rid, head.key_id)
        dek = records.unwrap_dek(s.kwk, uuid.UUID(owner_id), uuid.UUID(rid), head.key_id, wrapped)
        doc = dict(head.document, fields=dict(head.document["fields"], title=title))
        rev = records.seal_revision(
            owner_id=s.user_id,
            record_id=uuid.UUID(rid),
            version=version,
            parent=crypto.random_bytes(32),
            key_id=head.key_id,
            dek=dek,
            plaintext=records.encode_document(doc),
            sig_seed=s.sig_seed,
        )
    finally:
        owner.close()
    return {
        "version": version,
        "rev_id": _b64(records.rev_id(rev.header, rev.ct)),
        "revision": {"header": _b64(rev.header), "ct": _b64(rev.ct), "signature": _b64(rev.signature)},
    }


def test_heads_whose_labels_parent_or_cursor_lie_are_refused(playwright_instance, live_app, tmp_path):
    """sync.js, each check alone (signature, context and key commitment verify every time): the served rev_id and
    version must be the revision's own, a next version must continue the one this device holds, and a page's
    cursor may not go back."""
    cli = Cli(tmp_path / "profiles", live_app.url)
    cli.create("cli", "robin", passphrase=PASSPHRASE)
    entry = cli.add("cli", "journal", title="Version one", body="v1")
    cli.run("cli", "sync")
    ctx = new_context(playwright_instance)
    mode: dict = {"lie": None, "fork": None}

    def pull(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item["record_id"] != entry or not item.get("head"):
                continue
            if mode["lie"] == "rev_id":
                item["head"]["rev_id"] = _b64(bytes(32))
            elif mode["lie"] == "version":
                item["head"]["version"] += 1
            elif mode["lie"] == "fork":
                item["head"].update(mode["fork"])
        if mode["lie"] == "cursor":
            body["cursor"] = 0
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/sync/pull*", pull)
    ctx.route("**/api/v1/sync/changes", lambda route: route.abort())  # as above: only the test's own syncs
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "robin") == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Version one"]
        mode["fork"] = _forked_version(cli.profile("cli"), entry, 2, "A forked version two")
        for lie, title in (("rev_id", "Version two"), ("version", "Version three"), ("fork", "Version four")):
            cli.run("cli", "entry", "edit", entry, "--field", f"title={title}")
            cli.run("cli", "sync")
            mode["lie"] = lie
            assert sync_now(page) == "Synced · 1 change was refused", lie
            assert entry_summaries(page) == ["Version one"], lie
        mode["lie"] = "cursor"
        # The reason in words (a server that sends the cursor back is refused, never followed).
        assert (
            sync_now(page)
            == "Sync failed: the server sent an older state than this device already has · will try again"
        )
        mode["lie"] = None
        cli.run("cli", "entry", "edit", entry, "--field", "title=Version five")
        cli.run("cli", "sync")
        assert sync_now(page) == "Synced"  # the same route, honest again
        assert entry_summaries(page) == ["Version five"]
    finally:
        ctx.close()
