"""Trust: an invitation verifies both sides without comparing anything; a changed key, or one that does not match the
invitation, blocks new shares and assignments (and holds back what that person sends, saying so) until the safety
numbers are compared; a new device knows from the account whom the person verified; an assignment is shown as from
the therapist only when it verifies under their trusted key.

The side not under test is the reference client (between.sync.client.client.Client) in-process: it pins, verifies,
and seals an assignment document exactly as the browser's data layer does (an ordinary record shared by a grant)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
import re
import uuid

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import create_invite
from pwa_live import PASSPHRASE, go_sync, live_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal

from between.sync.client.client import Client, now_stamp
from between.sync.core import assignments, crypto, keys, layout, records, wire

pytestmark = pytest.mark.browser

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASS_T = "therapist passphrase, long enough"
# share-routes.js SHARE_BLOCKED, the words a refused share shows.
SHARE_BLOCKED = (
    "Not shared: this therapist's security key changed (or does not match their invitation), or the link has ended."
)


# ---------------------------------------------------------------- the side played in Python


def _account(tmp_path, url: str, name: str, handle: str, role: str, passphrase: str) -> Client:
    c = Client(tmp_path / name)
    c.accounts.create(url, handle, passphrase, role, FLOOR)
    return c


def _uid(c: Client) -> str:
    return str(uuid.UUID(bytes=c.secrets.user_id))


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _assign(t: Client, client_uid: str, title: str, rid: str | None = None, *, edit: bool = False) -> str:
    """The therapist assigns a daily journal, a record shared with the client (edit: its next version)."""
    doc = assignments.build_assignment(
        kind="journal",
        title=title,
        instructions="A few lines each evening.",
        recurrence={"freq": "daily", "start": _today(), "time_zone": "UTC"},
        now=now_stamp(),
    )
    new = not edit
    rid = rid or str(uuid.uuid4())
    with t.store.transaction() as db:
        t.engine.queue(db, rid, doc, False, rekey=new, share_add={client_uid} if new else set())
    report = t.sync()
    assert not report.failed and t.store.get_pending(rid) is None, report
    return rid


def _other_bundle(link_side: dict, role: str) -> dict:
    """Another, self-consistent key bundle for the same person: what a server swapping their key serves."""
    fake = keys.AccountSecrets(
        user_id=uuid.UUID(link_side["user_id"]).bytes,
        handle=link_side["handle"],
        role=role,
        account_key=os.urandom(32),
        sig_seed=os.urandom(32),
        kem_seed=os.urandom(32),
    )
    return json.loads(wire.encode(keys.make_bundle(fake)))


def _swapper(side: str, role: str):
    """A /links route handler that, once `state['on']`, serves one fixed replacement bundle for `side`."""
    state = {"on": False, "bundle": None}

    def links(route):
        answer = route.fetch()
        body = answer.json()
        if state["on"]:
            for link in body:
                state["bundle"] = state["bundle"] or _other_bundle(link[side], role)
                link[side] = state["bundle"]
        route.fulfill(response=answer, body=json.dumps(body))

    return state, links


# ---------------------------------------------------------------- what the browser holds and does

_IDB = """async ([store, key]) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  const s = db.transaction(store).objectStore(store);
  const r = key === null ? s.count() : s.get(key);
  const out = await new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  db.close();
  return key === null ? out : { intent: out?.intent ?? null, grantees: Object.keys(out?.grantees ?? {}) };
}"""


def _count(page, store: str) -> int:
    return page.evaluate(_IDB, [store, None])


def _row(page, store: str, key: str) -> dict:
    return page.evaluate(_IDB, [store, key])


def _post(page, path: str, fields: list[list[str]]) -> tuple[int, str]:
    """A form POST as htmx sends it, answered by the app's worker: what a stale page or a crafted form does."""
    status, text = page.evaluate(
        """async ([path, fields]) => {
        const form = new FormData(); for (const [k, v] of fields) form.append(k, v);
        const r = await fetch(path, { method: 'POST', body: form, headers: { 'HX-Request': 'true' } });
        return [r.status, await r.text()]; }""",
        [path, fields],
    )
    return status, " ".join(html.unescape(text).split())


def _no_notices(ctx) -> None:
    """No change notices: each sync in the test is its own ("Sync now"), so that a server's lie meets the run the test
    looks at, and a device has not seen what the test says it has not (it would sync as soon as a peer pushes)."""
    ctx.route("**/api/v1/sync/changes", lambda route: route.abort())


def _close(ctx) -> None:
    # A background sync may still be in a Python route handler: let it go quietly rather than fail the next test.
    ctx.unroute_all(behavior="ignoreErrors")
    ctx.close()


def _goto(page, url: str, path: str, ready: str) -> None:
    page.goto(url + path)
    page.wait_for_selector(ready)


def _accept(page, invite: str, therapist: str) -> None:
    page.goto(invite)
    page.get_by_role("button", name=f"Link with {therapist}").click()
    page.wait_for_selector("text=You are linked with")


def _confirm(page, url: str, uid: str, button: str, handle: str) -> str:
    """Compare and confirm the safety number on /app/link/:uid; returns the number shown."""
    _goto(page, url, f"/app/link/{uid}", "#link-title")
    number = page.inner_text(".safety-number code")
    page.get_by_role("button", name=button).click()
    page.wait_for_selector(f"text=You compared this number with {handle}")
    return number


def _linked_phone(ctx, live_app, t: Client):
    """The browser signs up as dee.client and accepts dr.cole's (`t`) invitation; dr.cole then confirms the safety
    number. Returns the page once the syncs it started itself are over."""
    page = open_app(ctx, live_app.url)
    turn_on_sync(page, "dee.client")
    _accept(page, t.create_invite(), "dr.cole")
    assert sync_now(page) == "Synced"
    t.sync()
    t.mark_verified("dee.client")
    return page


def _todo(page, url: str) -> str:
    _goto(page, url, "/app/todo", "#todo-title")
    return page.inner_text("#view")


def _entry_count(page, url: str) -> int:
    _goto(page, url, "/app/entries", "#entries-title")
    return page.locator(".entries li").count()


# ---------------------------------------------------------------- 1a: the therapist's key changes


def test_a_changed_therapist_key_blocks_shares_and_answers_until_re_verified(playwright_instance, live_app, tmp_path):
    t = _account(tmp_path, live_app.url, "ames", "dr.ames", "therapist", PASS_T)
    tuid = _uid(t)
    swap, links = _swapper("therapist", "therapist")
    ctx = new_context(playwright_instance)
    ctx.route("**/api/v1/links", links)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "For my therapist", "after the key change")
        turn_on_sync(page, "cara.client")
        _accept(page, t.create_invite(), "dr.ames")
        first_number = page.inner_text(".safety-number code")
        t.sync()
        t.mark_verified("cara.client")
        aid = _assign(t, t.store.get_peer(handle="cara.client").user_id, "Evening pages")
        assert sync_now(page) == "Synced"
        todo = _todo(page, live_app.url)
        assert "Evening pages" in todo and "from dr.ames (Verified by invitation)" in todo
        assert page.locator(f"a[href='/app/todo/{aid}/{_today()}']").count() >= 1

        swap["on"] = True  # the server now serves another key for dr.ames
        assert sync_now(page) == "Synced"

        # To do: the plain notice, and nothing from dr.ames shown as due.
        todo = " ".join(_todo(page, live_app.url).split())
        assert (
            "Activities from dr.ames are held back: dr.ames's security key changed. Compare the safety number with "
            "them (in person or by video); once it matches, they show here."
        ) in todo
        assert "Evening pages" not in todo
        assert page.locator("#view a[href^='/app/todo/']").count() == 0
        # Answering the day anyway (an old page, a crafted form) writes nothing: no entry, no response.
        entries, own = _entry_count(page, live_app.url), _count(page, "records")
        status, text = _post(
            page, f"/app/todo/{aid}/{_today()}", [["f.title", "Written anyway"], ["f.body", "should not be saved"]]
        )
        assert status == 422 and "security key changed" in text and "Written anyway" not in text
        assert _entry_count(page, live_app.url) == entries and _count(page, "records") == own

        # Sharing: no share button, and a share asked for anyway is refused in plain words, nothing queued.
        page.get_by_role("link", name=re.compile("For my therapist")).click()
        page.wait_for_selector(".sharing")
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        assert page.get_by_role("button", name="Share with dr.ames").count() == 0
        assert "security key changed" in page.inner_text(".sharing")
        status, text = _post(page, f"/app/entries/{rid}/share", [["peer", tuid]])
        assert status == 422 and SHARE_BLOCKED in text
        assert _row(page, "records", rid) == {"intent": None, "grantees": []}

        # Compared in person, the new key is accepted: sharing works again.
        number = _confirm(page, live_app.url, tuid, "The numbers match: accept this key", "dr.ames")
        assert number != first_number
        _goto(page, live_app.url, f"/app/entries/{rid}", ".sharing")
        page.get_by_role("button", name="Share with dr.ames").click()
        page.wait_for_selector("text=Shared with")
        assert "waiting to sync" in page.inner_text(".sharing")
        assert _row(page, "records", rid)["intent"]["add"] == [tuid]
        assert "security key changed" not in _todo(page, live_app.url)
        assert page.locator(".badge", has_text="Verified by safety number").count() == 0  # To do shows no badge
        _goto(page, live_app.url, f"/app/link/{tuid}", "#link-title")
        assert page.inner_text(".key-state") == "Verified by safety number"
    finally:
        _close(ctx)
        t.close()


# ---------------------------------------------------------------- 1b: a client's key changes


def test_a_changed_client_key_blocks_new_assignments_until_re_verified(playwright_instance, live_app, tmp_path):
    swap, links = _swapper("client", "client")
    ctx = new_context(playwright_instance)
    ctx.route("**/api/v1/links", links)
    c = None
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "dr.bell", therapist=True)
        invite = create_invite(page)
        c = _account(tmp_path, live_app.url, "cy", "cy.client", "client", PASSPHRASE)
        c.accept_invite(invite)
        cuid = _uid(c)
        assert sync_now(page) == "Synced"

        # Verified by the invitation (the client's proof checked here): nothing to compare before assigning.
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Verified by invitation"
        _goto(page, live_app.url, f"/app/clients/{cuid}", "h1")
        assert page.get_by_role("link", name="Assign an activity").count() == 1
        number = _confirm(page, live_app.url, cuid, "I compared the numbers: they match", "cy.client")
        assert number == c.safety_number("dr.bell")[0]
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Verified by safety number"

        # The form as the therapist would send it, kept for later.
        _goto(page, live_app.url, f"/app/clients/{cuid}/assign", "#assign-title")
        page.locator(".template-list a").first.click()
        page.wait_for_selector("form.assign-form")
        next_week = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
        page.fill("[name=next_date]", next_week)
        page.fill("[name=next_time]", "10:00")
        fields = page.evaluate("() => [...new FormData(document.querySelector('form.assign-form')).entries()]")
        title = dict(fields)["title"]
        before = _count(page, "records")

        swap["on"] = True  # the server now serves another key for cy.client
        assert sync_now(page) == "Synced"
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Key changed"
        _goto(page, live_app.url, f"/app/clients/{cuid}", "h1")
        assert page.get_by_role("link", name="Assign an activity").count() == 0
        assert (
            "cy.client's security key changed. What they share is held back, and nothing new can be assigned to them"
        ) in " ".join(page.inner_text("[role='alert']").split())
        _goto(page, live_app.url, f"/app/clients/{cuid}/assign", "#assign-title")
        alert = " ".join(page.inner_text("p.error[role='alert']").split())
        assert "cy.client's security key changed since it was verified" in alert
        assert page.locator("form.assign-form").count() == 0 and page.locator(".template-list").count() == 0
        assert page.get_by_role("link", name="Compare safety numbers").get_attribute("href") == f"/app/link/{cuid}"
        status, text = _post(page, f"/app/clients/{cuid}/assign/new", fields)
        assert status == 422 and "security key changed" in text
        assert _count(page, "records") == before
        _goto(page, live_app.url, f"/app/clients/{cuid}", "h1")
        assert title not in page.inner_text("#view")

        _confirm(page, live_app.url, cuid, "The numbers match: accept this key", "cy.client")
        before = _count(page, "records")  # the confirmation is a record of the account (its verification)
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Verified by safety number"
        _goto(page, live_app.url, f"/app/clients/{cuid}/assign", "#assign-title")
        assert page.locator(".template-list a").count() > 0
        assert page.locator("[role='alert']").count() == 0
        # The same form goes through now.
        status, text = _post(page, f"/app/clients/{cuid}/assign/new", fields)
        assert status == 200 and "Assigned to cy.client" in text, re.findall(r'role="alert"[^>]*>([^<]*)', text)
        assert _count(page, "records") == before + 1
    finally:
        _close(ctx)
        if c is not None:
            c.close()


# ---------------------------------------------------------------- 2: assignments that do not verify


def test_an_assignment_that_does_not_verify_is_not_shown_as_from_the_therapist(playwright_instance, live_app, tmp_path):
    t = _account(tmp_path, live_app.url, "cole", "dr.cole", "therapist", PASS_T)
    ctx = new_context(playwright_instance)
    mode = {"rid": None, "tamper": None, "seen": 0}
    stranger = os.urandom(32)
    _no_notices(ctx)

    def pull(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item["record_id"] != mode["rid"] or not mode["tamper"] or not item.get("head"):
                continue
            mode["seen"] += 1
            rev = item["head"]["revision"]
            if mode["tamper"] == "flip":  # one byte of the revision signature
                sig = bytearray(base64.b64decode(rev["signature"]))
                sig[5] ^= 1
                rev["signature"] = base64.b64encode(bytes(sig)).decode()
            else:  # a well-formed signature, by a key that is not the therapist's
                rid32 = records.rev_id(base64.b64decode(rev["header"]), base64.b64decode(rev["ct"]))
                forged = crypto.ed25519_sign(stranger, layout.LABELS["rev"] + rid32)
                rev["signature"] = base64.b64encode(forged).decode()
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/sync/pull*", pull)
    try:
        page = _linked_phone(ctx, live_app, t)
        duid = t.store.get_peer(handle="dee.client").user_id

        # The server flips one byte of the assignment's signature: refused, not stored, not shown.
        aid = mode["rid"] = str(uuid.uuid4())
        mode["tamper"] = "flip"
        _assign(t, duid, "Breathing, first version", aid)
        assert sync_now(page) == "Synced · 1 change was refused"
        assert mode["seen"] == 1
        assert _count(page, "received") == 0
        todo = _todo(page, live_app.url)
        assert "Breathing" not in todo and "dr.cole" not in todo
        _goto(page, live_app.url, f"/app/todo/{aid}", "#view h1")
        assert "Breathing" not in page.inner_text("#view")

        # A new version signed by a key that is not the verified one: refused the same way.
        assert sync_now(page) == "Synced"
        mode["tamper"] = "stranger"
        _assign(t, duid, "Breathing, second version", aid, edit=True)
        assert sync_now(page) == "Synced · 1 change was refused"
        assert mode["seen"] == 2 and _count(page, "received") == 0
        assert "Breathing" not in _todo(page, live_app.url)

        # The server stops tampering; the therapist's next version verifies and shows as from dr.cole.
        assert sync_now(page) == "Synced"
        mode["tamper"] = None
        _assign(t, duid, "Breathing, third version", aid, edit=True)
        assert sync_now(page) == "Synced"
        todo = _todo(page, live_app.url)
        assert "Breathing, third version" in todo and "from dr.cole (Verified by invitation)" in todo
        assert "first version" not in todo and "second version" not in todo
    finally:
        _close(ctx)
        t.close()


def test_an_assignment_with_a_lying_label_or_a_stray_grant_is_refused(playwright_instance, live_app, tmp_path):
    """received.js, each check alone (signature, grant and key commitment all verify): the served rev_id and
    version must be the revision's own, and every grant served with a record must be for that record (here: the real
    grant of another of dr.cole's assignments, added by the server)."""
    t = _account(tmp_path, live_app.url, "cole", "dr.cole", "therapist", PASS_T)
    ctx = new_context(playwright_instance)
    mode: dict = {"rid": None, "lie": None, "grants": {}}
    _no_notices(ctx)

    def pull(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item.get("grants"):
                mode["grants"].setdefault(item["record_id"], item["grants"])
            if item["record_id"] != mode["rid"] or not item.get("head"):
                continue
            if mode["lie"] == "rev_id":
                item["head"]["rev_id"] = base64.b64encode(bytes(32)).decode()
            elif mode["lie"] == "version":
                item["head"]["version"] += 1
            elif mode["lie"] == "stray":
                item["grants"] += next(g for rid, g in mode["grants"].items() if rid != mode["rid"])
        route.fulfill(response=answer, body=json.dumps(body))

    ctx.route("**/api/v1/sync/pull*", pull)
    try:
        page = _linked_phone(ctx, live_app, t)
        duid = t.store.get_peer(handle="dee.client").user_id
        _assign(t, duid, "Walk after lunch")  # its grant is the one the server adds below
        assert sync_now(page) == "Synced"
        aid = mode["rid"] = str(uuid.uuid4())
        for lie, title in (
            ("rev_id", "Breathing, first version"),
            ("version", "Breathing, second version"),
            ("stray", "Breathing, third version"),
        ):
            mode["lie"] = lie
            _assign(t, duid, title, aid, edit=lie != "rev_id")
            assert sync_now(page) == "Synced · 1 change was refused", lie
            assert "Breathing" not in _todo(page, live_app.url), lie
            assert sync_now(page) == "Synced"
        mode["lie"] = None
        _assign(t, duid, "Breathing, fourth version", aid, edit=True)
        assert sync_now(page) == "Synced"
        assert "Breathing, fourth version" in _todo(page, live_app.url)
    finally:
        _close(ctx)
        t.close()


def test_a_new_device_knows_from_the_account_whom_the_person_verified(playwright_instance, live_app, tmp_path):
    """The client signs in on a browser that never opened the invite: the account's verification (made by the
    device that accepted it) comes with the first sync, so the therapist is verified there at once."""
    t = _account(tmp_path, live_app.url, "dunn", "dr.dunn", "therapist", PASS_T)
    first = _account(tmp_path, live_app.url, "first", "eve.client", "client", PASSPHRASE)
    try:
        first.accept_invite(t.create_invite())
        first.sync()  # the verification goes to the account
    finally:
        first.close()
    t.sync()
    assert t.store.get_peer(handle="eve.client").verified_how == "invite-link"  # the proof, checked there
    _assign(t, t.store.get_peer(handle="eve.client").user_id, "Walk after lunch")
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "eve.client") == ""
        page.wait_for_function("() => document.getElementById('sync-status')?.dataset.state === 'synced'")
        todo = _todo(page, live_app.url)
        assert "Walk after lunch" in todo and "from dr.dunn (Verified by invitation)" in todo
        assert page.get_by_role("link", name=re.compile("^Do it")).count() >= 1
        _goto(page, live_app.url, f"/app/link/{_uid(t)}", "#link-title")
        assert page.inner_text(".key-state") == "Verified by invitation"
        assert page.locator("[role='alert']").count() == 0
    finally:
        _close(ctx)
        t.close()


def test_a_therapist_only_the_server_vouches_for_is_marked_and_work_goes_on(playwright_instance, live_app, tmp_path):
    """No verification reached the account (the device that accepted never synced): the second device has only the
    server's word. The assignment shows, marked "Not verified", and comparing the number verifies."""
    t = _account(tmp_path, live_app.url, "fay", "dr.fay", "therapist", PASS_T)
    first = _account(tmp_path, live_app.url, "first", "finn.client", "client", PASSPHRASE)
    try:
        first.accept_invite(t.create_invite())  # not synced: its verification stays on that device
    finally:
        first.close()
    t.sync()
    _assign(t, t.store.get_peer(handle="finn.client").user_id, "Stretch in the morning")
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        assert sign_in(page, "finn.client") == ""
        page.wait_for_function("() => document.getElementById('sync-status')?.dataset.state === 'synced'")
        todo = _todo(page, live_app.url)
        assert "Stretch in the morning" in todo and "from dr.fay (Not verified)" in todo
        _goto(page, live_app.url, f"/app/link/{_uid(t)}", "#link-title")
        assert page.inner_text(".key-state") == "Not verified"
        assert "You can work together as usual" in page.inner_text("#view")
        number = _confirm(page, live_app.url, _uid(t), "I compared the numbers: they match", "dr.fay")
        assert number == t.safety_number("finn.client")[0]
        assert "from dr.fay (Verified by safety number)" in _todo(page, live_app.url)
    finally:
        _close(ctx)
        t.close()


def test_a_client_whose_invitation_proof_fails_is_blocked_and_what_they_share_is_named_as_held(
    playwright_instance, live_app, tmp_path
):
    """The link's secret was changed on its way (or the server swapped the client's key): the therapist's device
    finds the proof wrong, blocks the client, and says what is held back instead of showing nothing."""
    ctx = new_context(playwright_instance)
    c = None
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "dr.gray", therapist=True)
        invite = create_invite(page)
        secret = re.search(r"&s=([\w-]{22})", invite).group(1)
        tampered = invite.replace(f"&s={secret}", "&s=" + ("B" if secret[0] != "B" else "C") + secret[1:])
        c = _account(tmp_path, live_app.url, "gil", "gil.client", "client", PASSPHRASE)
        c.accept_invite(tampered)
        cuid = _uid(c)
        rid = c.add_entry("journal", {"body": "for dr.gray"})
        c.sync()
        c.share(rid, "dr.gray")
        c.sync()
        assert sync_now(page).startswith("Synced")
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Key does not match the invitation"
        held = " ".join(page.inner_text("ul.clients .held").split())
        assert held.startswith(
            "What gil.client shares is held back: gil.client's security key does not match the "
            "invitation they accepted."
        )
        assert "change is waiting" in held or "changes are waiting" in held
        assert _count(page, "received") == 0
        problems = {}
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            problems[f"clients, {scheme}"] = serious_violations(page)
        _goto(page, live_app.url, f"/app/clients/{cuid}", "h1")
        assert page.get_by_role("link", name="Assign an activity").count() == 0
        assert "What gil.client shares from now on is held back" in " ".join(page.inner_text("#view").split())
        _goto(page, live_app.url, f"/app/link/{cuid}", "#link-title")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            problems[f"key screen, {scheme}"] = serious_violations(page)
        page.emulate_media(color_scheme="light")
        assert not any(problems.values()), problems
        # Compared: the numbers match (only the link was damaged), and what was held back comes.
        _confirm(page, live_app.url, cuid, "The numbers match: accept this key", "gil.client")
        assert sync_now(page).startswith("Synced")
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        assert page.locator("ul.clients a.badge").inner_text() == "Verified by safety number"
        assert page.locator("ul.clients .held").count() == 0
        assert _count(page, "received") == 1
    finally:
        _close(ctx)
        if c is not None:
            c.close()


def _server_db(live_app):
    import sqlite3

    return sqlite3.connect(live_app.server.data_dir / "between.sqlite3", timeout=10, isolation_level=None)


def _accept_under(live_app, therapist_uid: bytes, mimic: Client, invite: str, secret: bytes, invite_id: bytes) -> None:
    """A server colluding with someone who once got a link (and so its secret): the look-alike takes `invite` with a
    proof made under that earlier invitation's id and secret, and the server lists that id on the new link."""
    from between.sync.core import safety, trust

    proof = trust.invite_proof(secret, invite_id, therapist_uid, keys.make_bundle(mimic.secrets))
    link = mimic.api.accept_invite(safety.parse_invite_url(invite).token, proof)
    db = _server_db(live_app)
    try:
        db.execute("UPDATE links SET invite_id = ? WHERE link_id = ?", (invite_id, link.link_id.bytes))
    finally:
        db.close()


def _invite_id_of(live_app, client: Client) -> bytes:
    db = _server_db(live_app)
    try:
        return db.execute("SELECT invite_id FROM links WHERE client_id = ?", (client.secrets.user_id,)).fetchone()[0]
    finally:
        db.close()


def test_one_invitation_vouches_for_one_person_on_the_therapists_device(playwright_instance, live_app, tmp_path):
    """The browser is the therapist. (1) The server lists one invite id on two links before the device saw either:
    neither is verified. (2) An invitation that verified someone (the account records its id) vouches for no
    look-alike later, even once the first link has ended."""
    from between.sync.core import safety

    ctx = new_context(playwright_instance)
    people: list[Client] = []
    _no_notices(ctx)

    def person(name: str) -> Client:
        people.append(_account(tmp_path, live_app.url, name, name, "client", PASSPHRASE))
        return people[-1]

    def badge(handle: str) -> str:
        _goto(page, live_app.url, "/app/clients", "ul.clients")
        return (
            page.locator("ul.clients > li", has=page.get_by_role("link", name=handle, exact=True))
            .locator("a.badge")
            .inner_text()
        )

    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "dr.hale", therapist=True)
        # (1) Both links carry the first invitation's id: neither proof counts.
        first = create_invite(page)
        ana, mimic = person("ana.one"), person("ana.0ne")
        ana.accept_invite(first)
        therapist_uid = uuid.UUID(ana.store.get_peer(handle="dr.hale").user_id).bytes
        _accept_under(
            live_app,
            therapist_uid,
            mimic,
            create_invite(page),
            safety.parse_invite_url(first).secret,
            _invite_id_of(live_app, ana),
        )
        assert sync_now(page).startswith("Synced")
        assert badge("ana.one") == badge("ana.0ne") == "Key does not match the invitation"

        # (2) bo.two is verified by a fresh invitation; once that link has ended, a look-alike under its id is not.
        second = create_invite(page)
        bo, mimic2 = person("bo.two"), person("bo.tw0")
        bo.accept_invite(second)
        assert sync_now(page).startswith("Synced")
        assert badge("bo.two") == "Verified by invitation"
        used = _invite_id_of(live_app, bo)
        bo.api.delete_link(uuid.UUID(bo.store.get_peer(handle="dr.hale").link_id))
        second_secret = safety.parse_invite_url(second).secret
        _accept_under(live_app, therapist_uid, mimic2, create_invite(page), second_secret, used)
        assert sync_now(page).startswith("Synced")
        assert badge("bo.tw0") == "Key does not match the invitation"
    finally:
        _close(ctx)
        for c in people:
            c.close()
