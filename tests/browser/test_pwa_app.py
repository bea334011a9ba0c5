"""The PWA in Chromium: installable, controlled by its worker, offline across restarts, safe with hostile text."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from pwa_browser import FAKE_MEDIA, ROOT, launch, new_context, open_app
from pwa_screens import (
    CSP_WATCH,
    create_journal,
    create_mood,
    create_thought_record,
    entry_summaries,
    go_entries,
    save,
    search,
    start_entry,
)
from test_attachments_browser import record

pytestmark = pytest.mark.browser


def test_installable_and_controlled_by_its_worker(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = ctx.pages[0]
        answered = []
        page.on("response", lambda r: answered.append((r.url, r.from_service_worker)) if "/app/" in r.url else None)
        page.goto(app_url)
        # Until a worker controls the page there is nothing to click and htmx is not even loaded.
        early = page.evaluate("""() => ({controlled: !!navigator.serviceWorker.controller, htmx: typeof window.htmx,
            clickable: document.querySelectorAll('#view a, #view form, #view button').length})""")
        assert early["controlled"] or (early["htmx"] == "undefined" and early["clickable"] == 0)
        page = open_app(ctx, app_url)
        assert page.evaluate("() => navigator.serviceWorker.controller !== null")
        cdp = ctx.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert cdp.send("Page.getAppManifest")["errors"] == []
        create_journal(page, "first", "hello")
        assert answered and all(from_sw for _, from_sw in answered), answered
    finally:
        ctx.close()


def test_offline_entries_survive_closing_the_browser(playwright_instance, app_url, tmp_path):
    profile = tmp_path / "profile"
    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, app_url)
        ctx.set_offline(True)
        create_journal(page, "Offline morning", "Wrote this with no network.")
        create_thought_record(page, "Meeting moved", "They are angry with me", "worried 60")
        create_mood(page, 6, "steady")
    finally:
        ctx.close()
    ctx = launch(playwright_instance, profile, offline=True)
    try:
        page = open_app(ctx, app_url)
        summaries = entry_summaries(page)
        # newest first
        assert summaries == ["Mood 6/10", "Meeting moved", "Offline morning"]
    finally:
        ctx.close()


def test_edit_delete_undo_and_search_offline(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        ctx.set_offline(True)
        create_journal(page, "Walk by the river", "Noticed the birds.")
        create_journal(page, "Hard call", "Spoke to my sister.")
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        assert page.input_value("#f-title") == "Hard call"
        page.fill("#f-title", "Hard call, went fine")
        save(page)
        assert page.inner_text("article h1") == "Hard call, went fine"
        # The new screen's heading takes focus, so a screen reader announces where the person is.
        page.wait_for_function("() => document.activeElement && document.activeElement.matches('article h1')")
        assert entry_summaries(page) == ["Hard call, went fine", "Walk by the river"]

        assert search(page, "BIRDS") == ["Walk by the river"]
        assert search(page, "sister fine") == ["Hard call, went fine"]
        assert search(page, "nothing-like-this") == []

        go_entries(page)
        page.locator(".entries a", has_text="Walk by the river").click()
        page.get_by_role("button", name="Delete").click()
        page.wait_for_selector(".notice")
        assert page.locator(".entries .summary").all_inner_texts() == ["Hard call, went fine"]
        page.get_by_role("button", name="Undo").click()
        page.wait_for_selector("article h1")
        assert page.inner_text("article h1") == "Walk by the river"
        assert entry_summaries(page) == ["Hard call, went fine", "Walk by the river"]
    finally:
        ctx.close()


def test_required_fields_are_explained(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        save(page)
        assert "Please fill in “Situation”" in page.inner_text("[role='alert']")
        assert page.get_attribute("#f-situation", "aria-invalid") == "true"
        assert entry_summaries(page) == []
    finally:
        ctx.close()


def test_a_form_posted_without_htmx_shows_its_refusal_or_goes_where_htmx_would(playwright_instance, app_url, tmp_path):
    """Before htmx has loaded a form posts the ordinary way: a refusal comes back as a whole page with its words and
    status (nothing saved), a success redirects to the new address, a success without one back to where it was."""
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        out = page.evaluate("""async () => {
          const post = async (path, pairs) => {
            const r = await fetch(path, { method: 'POST', body: new URLSearchParams(pairs) });
            return { status: r.status, url: new URL(r.url).pathname, redirected: r.redirected, body: await r.text() };
          };
          const refused = await post('/app/entries', { kind: 'thought-record', 'f.situation': '' });
          const made = await post('/app/entries', { kind: 'journal', 'f.body': 'Posted plainly' });
          const settings = await post('/app/settings', { wording: 'homework' });
          return { refused, made, settings };
        }""")
        refused = out["refused"]
        assert refused["status"] == 422 and not refused["redirected"]
        assert refused["body"].lstrip().lower().startswith("<!doctype html>")
        assert "Please fill in “Situation”" in refused["body"]
        assert out["made"]["redirected"] and out["made"]["url"].startswith("/app/entries/")
        assert "Posted plainly" in out["made"]["body"]
        # No referrer reaches the worker (the shell's policy), so "where it was" is the home screen: Today for a client.
        assert out["settings"]["redirected"] and out["settings"]["url"] == "/app/today"
        assert entry_summaries(page) == ["Posted plainly"]
    finally:
        ctx.close()


PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    '"><script>window.__pwned=2</script>',
    "</textarea><svg onload=window.__pwned=3>",
]


def _fill_every_field(page, payload: str) -> None:
    for box in page.locator("form.entry-form input[type='text'], form.entry-form textarea").all():
        box_id = box.get_attribute("id")
        if box_id in ("f-emotions", "f-emotions_rerated"):
            box.fill(f"{payload[:36]} 50" if "emotions" in box_id else payload)
        else:
            box.fill(payload)


def test_script_payloads_show_as_text_and_never_run(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    ctx.add_init_script(CSP_WATCH)
    try:
        page = open_app(ctx, app_url)
        for payload in PAYLOADS:
            for kind in ("Journal", "Thought record", "Mood check-in"):
                start_entry(page, kind)
                _fill_every_field(page, payload)
                if kind == "Mood check-in":
                    page.check("input[name='f.score'][value='3']")
                save(page)
                assert page.locator("[role='alert']").count() == 0, page.inner_text("[role='alert']")
                text = page.inner_text("article")
                assert payload[:30] in text  # shown as text
                page.get_by_role("link", name="Edit").click()
                page.wait_for_selector("form.entry-form")
                inputs = page.locator("form.entry-form textarea, form.entry-form input[type='text']").all()
                values = [b.input_value() for b in inputs]
                assert any(payload[:30] in v for v in values)  # round-trips through the form intact
            go_entries(page)
            search(page, payload[:12])
        # The navigation draws its own icons (inline SVG); anything else of the kind in the view was injected.
        state = page.evaluate("""() => ({pwned: window.__pwned ?? null, csp: window.__cspViolations,
            injected: document.querySelectorAll('#view img, #view script, #view > :not(nav.tabs) svg').length})""")
        assert state == {"pwned": None, "csp": [], "injected": 0}
    finally:
        ctx.close()


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(root)}" for n in needles if n in data]
    return found


def test_no_plaintext_in_the_browser_profile(playwright_instance, app_url, tmp_path):
    profile = tmp_path / "profile"
    canary = "canary" + secrets.token_hex(12)
    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, app_url)
        create_journal(page, f"title {canary}", f"body {canary}\nsecond line")
        create_thought_record(page, f"situation {canary}", f"thought {canary}")
        create_mood(page, 4, f"note {canary}")
        assert search(page, canary) != []
        page.get_by_role("link", name="New entry").click()
        page.locator(".kind-cards").get_by_role("link", name="Journal", exact=True).click()
        page.fill("#f-body", f"unsaved draft {canary}")  # typed, never saved: must not be kept either
    finally:
        ctx.close()
    needles = [canary.encode(), canary.encode("utf-16-le"), canary.upper().encode()]
    assert _files_containing(profile, needles) == []


def _fill_required(page, kind: dict) -> None:
    """Fill each required field of a kind with a valid value, whatever its type."""
    for field in kind["fields"]:
        if not field["required"]:
            continue
        fid, c = field["id"], field.get("constraints", {})
        match field["type"]:
            case "short_text" | "long_text":
                page.fill(f"#f-{fid}", f"{fid} text")
            case "list":
                page.fill(f"#f-{fid}", "first\nsecond")
            case "emotions":
                page.fill(f"#f-{fid}", "calm 5")
            case "minutes" | "scale" if page.locator(f"input[type='number']#f-{fid}").count():
                page.fill(f"#f-{fid}", str(c["min"] + (c.get("step") or 1)))
            case "scale" | "yes_no" | "single_choice" | "multi_choice" | "minutes":
                page.locator(f"input[name='f.{fid}']").first.check()
            case "checklist":
                page.locator(f"#f-{fid} input[type='text'], [id^='f-{fid}'] input[type='text']").first.fill("first")
            case "sketch":  # a stroke across the canvas with the mouse (tests/browser/test_sketch_browser.py: more)
                canvas = page.locator("[data-sketch-canvas]")
                canvas.scroll_into_view_if_needed()
                box = canvas.bounding_box()
                page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
                page.mouse.down()
                page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6, steps=5)
                page.mouse.up()
                page.wait_for_function(f"() => document.querySelector('#f-{fid}').value.length > 2")
            case "attachments":  # a voice recording, from Chromium's fake microphone (test_attachments_browser.py)
                record(page, 1)


def test_every_kind_can_be_written_and_read_back(playwright_instance, app_url, tmp_path):
    kinds = json.loads((ROOT / "sync" / "kinds.json").read_text())["kinds"]
    ctx = launch(playwright_instance, tmp_path / "profile", extra_args=FAKE_MEDIA)  # a fake microphone: its own
    try:
        page = open_app(ctx, app_url)
        for kind in kinds:
            if kind["id"] == "safety-plan":  # its own screen, not a new entry: written there, read back there
                page.locator("nav.tabs").get_by_role("link", name="Safety plan", exact=True).click()
                page.get_by_role("link", name="Start your plan").click()
                page.wait_for_selector("form.plan-form")
                page.fill("#f-reasons", "My sister")
                page.get_by_role("button", name="Save the plan").click()
                page.wait_for_selector("text=Plan saved.")
                shown = page.inner_text("article")
                assert "My sister" in shown and all(f["label"] in shown for f in kind["fields"])
                continue
            page.get_by_role("link", name="New entry").click()
            page.locator(".kind-cards").get_by_role("link", name=kind["label"], exact=True).click()
            page.wait_for_selector("form.entry-form")
            _fill_required(page, kind)
            save(page)
            assert page.locator("[role='alert']").count() == 0, (kind["id"], page.inner_text("[role='alert']"))
            shown = page.inner_text("article")
            assert kind["label"] in shown
            for field in kind["fields"]:
                if field["required"]:
                    assert field["label"] in shown, (kind["id"], field["id"])
        go_entries(page)
        assert page.locator(".entries li").count() == len(kinds)
    finally:
        ctx.close()


def test_back_button_restores_the_previous_screen_offline(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        ctx.set_offline(True)
        create_journal(page, "Before the trip", "Packing.")
        go_entries(page)
        page.locator(".entries a", has_text="Before the trip").click()
        page.wait_for_selector("article h1")
        page.go_back()
        page.wait_for_selector("#entries-title")
        assert page.locator(".entries .summary").all_inner_texts() == ["Before the trip"]
        page.reload()  # a reload of an app address, offline, comes back to the same screen
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.locator(".entries .summary").all_inner_texts() == ["Before the trip"]
    finally:
        ctx.close()
