"""axe-core (from web/node_modules) finds no serious or critical accessibility problem on any screen, light or dark."""

from __future__ import annotations

import json

import pytest
from pwa_browser import AXE, ROOT, new_context, open_app
from pwa_browser import serious_violations as _serious
from pwa_live import live_app  # noqa: F401 - fixture
from pwa_screens import create_journal, create_mood, go_entries, save, start_entry

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(playwright_instance, app_url, tmp_path, scheme):
    assert AXE.exists(), "axe-core is missing: run `make install` (npm ci in web/)"
    ctx = new_context(playwright_instance, color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        problems = {}
        problems["empty list"] = _serious(page)
        create_journal(page, "A title", "Some text\nover two lines")
        problems["journal entry"] = _serious(page)
        create_mood(page, 8, "ok")
        go_entries(page)
        problems["list"] = _serious(page)
        for kind in json.loads((ROOT / "sync" / "kinds.json").read_text())["kinds"]:
            if kind["id"] == "safety-plan":  # not a new entry: its own screen, one tap from every screen
                page.locator("nav.tabs").get_by_role("link", name="Safety plan", exact=True).click()
                page.wait_for_selector("#plan-title")
                problems["safety plan, none yet"] = _serious(page)
                page.get_by_role("link", name="Start your plan").click()
                page.wait_for_selector("form.plan-form")
                problems["safety-plan form"] = _serious(page)
                continue
            page.get_by_role("link", name="New entry").click()
            page.locator(".kind-cards").get_by_role("link", name=kind["label"], exact=True).click()
            page.wait_for_selector("form.entry-form")
            problems[f"{kind['id']} form"] = _serious(page)
        start_entry(page, "Mood check-in")
        save(page)  # empty: shows the error
        problems["form with error"] = _serious(page)
        page.get_by_role("link", name="New entry").click()
        page.wait_for_selector(".kind-cards")
        problems["choose kind"] = _serious(page)
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        ctx.close()


def test_keyboard_and_screen_reader_details(playwright_instance, live_app, tmp_path):
    """Titles name the screen (never an entry's words), the skip link passes the tabs, a step's outcome takes focus,
    an optional rating can be taken back, and a secret form at work keeps focus and says what it is doing."""
    from pwa_live import go_sync

    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        assert page.title() == "Today – Between"  # a client's app opens on Today
        create_journal(page, "Private words", "never in a title")
        assert "Private" not in page.title()
        page.get_by_role("link", name="To do").click()
        page.wait_for_selector("nav [aria-current='page']:text('To do')")
        assert page.title() == "To do – Between"

        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("() => document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.tagName") == "H1"

        go_entries(page)
        page.locator(".entries a").first.click()
        page.wait_for_selector("article h1")
        page.get_by_role("button", name="Delete").click()
        page.wait_for_function("() => document.activeElement?.matches('.notice[role=status]')")
        assert "deleted" in page.evaluate("() => document.activeElement.textContent").lower()

        page.get_by_role("link", name="New entry").click()
        page.locator(".kind-cards").get_by_role("link", name="Breathing or relaxation", exact=True).click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-minutes", "10")
        page.check("input[name='f.tension_before'][value='7']")  # by mistake
        page.check("input[name='f.tension_before'][value='']")  # "No answer": taken back
        assert page.is_checked("input[name='f.tension_before'][value='']")
        save(page)
        assert "Tension before" not in page.inner_text("article")

        go_sync(page)
        page.fill("#a-handle", "keyboard-only")
        page.fill("#a-pass", "a long and quiet harbour at dusk")
        page.fill("#a-pass2", "a long and quiet harbour at dusk")
        page.focus("#signup-form button[type='submit']")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('#signup-form [data-progress]')?.textContent !== ''")
        state = page.evaluate("""() => ({ focus: document.activeElement.matches('#signup-form button[type=submit]'),
            busy: document.activeElement.getAttribute('aria-disabled') })""")
        assert state == {"focus": True, "busy": "true"}
        page.wait_for_selector("#recovery-title", timeout=60000)
    finally:
        ctx.close()
