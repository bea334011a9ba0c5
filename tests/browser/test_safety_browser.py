"""Issue 14, part 2: the safety plan and crisis lines, in Chromium against the real server.

The plan opens offline in one tap from every client screen; the crisis lines the operator configured show, each
number a tel: link; with none configured no number is shown at all and the page says to call the local emergency
number; the crisis page shows nothing of the account; a plan shared with the therapist shows in their view."""

from __future__ import annotations

import json
import re

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import go, linked_pair, path_id
from pwa_live import live_app, serve_app, sync_now  # noqa: F401 - fixture
from pwa_screens import create_journal

pytestmark = pytest.mark.browser

LINES = {
    "region": "Testland",
    "emergency": "112",
    "lines": [
        {
            "name": "Night Line",
            "phone": "+49 800 111 0 111",
            "sms": "85258",
            "hours": "24 hours, every day",
            "about": "Someone to talk to, for anyone in distress.",
            "url": "https://nightline.example.org",
            "source": "https://nightline.example.org/contact",
            "reviewed": "2026-11-30",
        }
    ],
}
PLAN = {
    "warning_signs": "Not sleeping\nPulling away from friends",
    "coping": "A hot shower",
    "helpers": "Alex 07700 900123",
    "professionals": "Dr Okafor (GP) 020 7946 0018",
    "reasons": "My sister",
}
# Digits as a phone number would show them: three or more, maybe with spaces, dashes, dots or brackets between.
PHONE_LIKE = re.compile(r"\+?\d[\d ().-]{1,}\d")


@pytest.fixture
def lines_app(tmp_path_factory):
    """The real server with crisis lines configured (BETWEEN_CRISIS_LINES)."""
    root = tmp_path_factory.mktemp("crisis")
    path = root / "lines.json"
    path.write_text(json.dumps(LINES))
    with serve_app(root, {"BETWEEN_CRISIS_LINES": str(path)}) as app:
        yield app


def write_plan(page, url: str) -> None:
    """Make the plan from its own screen (no account needed), and wait for "Plan saved."."""
    go(page, url, "/app/safety-plan", "#plan-title")
    page.get_by_role("link", name="Start your plan").click()
    page.wait_for_selector("#plan-form-title")
    for field, value in PLAN.items():
        page.fill(f"#f-{field}", value)
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_selector("text=Plan saved.")


def links(page, scheme: str) -> list[str]:
    return page.eval_on_selector_all(f"#view a[href^='{scheme}']", "els => els.map(e => e.getAttribute('href'))")


def one_tap_to_the_plan(page) -> None:
    """The one tap: the "Safety plan" link of the navigation, then the plan's heading."""
    page.evaluate("() => document.getElementById('plan-title')?.setAttribute('data-old', '')")
    page.locator("nav.tabs").get_by_role("link", name="Safety plan", exact=True).click()
    page.wait_for_selector("#plan-title:not([data-old])")


def test_the_plan_opens_offline_in_one_tap_from_every_client_screen_with_the_crisis_lines(
    playwright_instance, lines_app, tmp_path
):
    url = lines_app.url
    ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, url)
        create_journal(page, "Tuesday", "A long day")
        entry = f"/app/entries/{path_id(page)}"
        write_plan(page, url)
        plan = page.inner_text("#view")
        assert "Alex 07700 900123" in plan and "Not sleeping" in plan and "My sister" in plan
        assert "Nothing written here yet." in plan  # the steps left empty say so
        # Every number the plan holds, and the operator's, is a tel: link with an sms: one beside it.
        assert {"tel:07700900123", "tel:02079460018", "tel:+498001110111", "tel:112"} <= set(links(page, "tel:"))
        assert {"sms:07700900123", "sms:85258"} <= set(links(page, "sms:"))
        assert "Night Line" in plan and "24 hours, every day" in plan
        assert page.title() == "Safety plan – Between"
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert serious_violations(page) == [], scheme
        page.emulate_media(color_scheme="light")

        # Offline: from every screen of the navigation, and an entry's, one tap opens the plan and its lines.
        ctx.set_offline(True)
        screens = {
            "/app/today": "#today-title",
            "/app/entries": "#entries-title",
            "/app/todo": "#todo-title",
            "/app/progress": "#progress-title",
            "/app/more": "#more-title",
            "/app/settings": "#settings-title",
            entry: "#entry-title",
        }
        for path, heading in screens.items():
            go(page, url, path, heading)
            one_tap_to_the_plan(page)
            shown = page.inner_text("#view")
            assert "Alex 07700 900123" in shown and "Night Line" in shown, path
            assert "tel:+498001110111" in links(page, "tel:"), path
            assert page.url == url + "/app/safety-plan", path

        # The crisis page offline: the emergency number and the lines, each a tel: link.
        go(page, url, "/app/crisis", "#crisis-title")
        crisis = page.inner_text("#view")
        assert "These lines are for Testland." in crisis and "call 112" in crisis
        assert set(links(page, "tel:")) == {"tel:112", "tel:+498001110111"}
        assert links(page, "sms:") == ["sms:85258"]
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert serious_violations(page) == [], scheme

        # Changing the plan offline keeps what was there and adds the new line.
        go(page, url, "/app/safety-plan/edit", "#plan-form-title")
        assert page.input_value("#f-helpers") == "Alex 07700 900123"
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert serious_violations(page) == [], scheme
        page.fill("#f-helpers", "Alex 07700 900123\nSam 07700 900456")
        page.get_by_role("button", name="Save the plan").click()
        page.wait_for_selector("text=Plan saved.")
        assert "tel:07700900456" in links(page, "tel:")
        assert "Nothing written here yet." in page.inner_text("#view")
    finally:
        ctx.close()


def test_with_no_crisis_lines_configured_no_number_is_shown(playwright_instance, live_app, tmp_path):
    url = live_app.url
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, url)
        create_journal(page, "Private canary 4417", "Nothing for the crisis page")
        for path, heading in (("/app/crisis", "#crisis-title"), ("/app/safety-plan", "#plan-title")):
            go(page, url, path, heading)
            text = page.inner_text("#view")
            assert "call your local emergency number" in text, path
            assert links(page, "tel:") == [] and links(page, "sms:") == [], path
            assert not PHONE_LIKE.search(text), (path, PHONE_LIKE.search(text))
        # The crisis page is the operator's public lines only: no navigation, nothing of the account.
        go(page, url, "/app/crisis", "#crisis-title")
        assert page.locator("nav.tabs").count() == 0
        assert "canary" not in page.content()
        # The worker's copy says the same as the server: nothing.
        kept = page.evaluate("""async () => {
          const r = await (await caches.open('between-crisis-lines')).match('/api/v1/crisis-lines');
          return r && r.json(); }""")
        assert kept == {"region": None, "emergency": None, "lines": []}
    finally:
        ctx.close()


def test_the_plan_shared_with_the_therapist_shows_in_their_view(playwright_instance, live_app, tmp_path):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance)
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.plan", "sam.plan")
        write_plan(cp, url)
        # Shared from the plan's own page, like any entry: its sharing panel.
        cp.get_by_role("button", name="Share with dr.plan").click()
        cp.wait_for_selector("text=Shared with")
        assert sync_now(cp) == "Synced"
        assert sync_now(tp) == "Synced"
        go(tp, url, f"/app/clients/{uid}", "#client-title")
        timeline = tp.inner_text("#view")
        assert "Safety plan" in timeline and "Alex 07700 900123" in timeline and "My sister" in timeline
        go(tp, url, f"/app/clients/{uid}/print", "#print-title")
        assert "Alex 07700 900123" in tp.inner_text("main")

        # The therapist adds their practice's out-of-hours contact to the client's plan: a number that is not one
        # is refused in words, nothing is written; a good one reaches the plan, Call and Text links and all.
        go(tp, url, f"/app/clients/{uid}", "#client-title")
        tp.get_by_role("link", name="Out-of-hours contact").click()
        tp.wait_for_selector("#contact-title")
        tp.fill("#c-name", "Riverside Practice, out of hours")
        tp.fill("#c-phone", "ring the front desk")
        tp.get_by_role("button", name="Add to their plan").click()
        tp.wait_for_selector("#contact-error")
        assert "“Phone number” must be a phone number" in tp.inner_text("#contact-error")
        assert tp.get_attribute("#c-phone", "aria-invalid") == "true"
        assert serious_violations(tp) == []
        assert tp.input_value("#c-name") == "Riverside Practice, out of hours"
        tp.fill("#c-phone", "+44 20 7946 0999")
        tp.fill("#c-sms", "07700 900999")
        tp.fill("#c-hours", "Weekdays 6 pm to 9 am")
        tp.get_by_role("button", name="Add to their plan").click()
        tp.wait_for_selector("text=Saved. It shows on sam.plan's plan after the next sync.")
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        go(cp, url, "/app/safety-plan", "#plan-title")
        plan = cp.inner_text("#view")
        assert "Riverside Practice, out of hours (added by dr.plan)" in plan and "Weekdays 6 pm to 9 am" in plan
        assert "tel:+442079460999" in links(cp, "tel:") and "sms:07700900999" in links(cp, "sms:")
        # Taken off, it leaves the plan at the next sync.
        go(tp, url, f"/app/clients/{uid}/plan-contact", "#contact-title")
        tp.get_by_role("button", name="Take it off their plan").click()
        tp.wait_for_selector("text=Taken off sam.plan's plan.")
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        go(cp, url, "/app/safety-plan", "#plan-title")
        assert "Riverside Practice" not in cp.inner_text("#view")
        assert "tel:+442079460999" not in links(cp, "tel:")
    finally:
        t_ctx.close()
        c_ctx.close()
