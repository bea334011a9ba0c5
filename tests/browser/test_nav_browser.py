"""The app's navigation in Chromium: a bottom bar within thumb reach on a phone, a side rail from about 900 px, the
More tab holding what sat under Sync (the old addresses still open), and the steps that remove things drawn as such
and asked once more."""

from __future__ import annotations

import pytest
from pwa_browser import launch, new_context, open_app
from pwa_browser import serious_violations as _serious
from pwa_live import PASSPHRASE, go_more, go_sync, live_app, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, go_entries, start_entry

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CLIENT_BAR = ["New entry", "Today", "Entries", "To do", "Progress", "More", "Safety plan"]
RAISED = ("New entry", "Safety plan")  # above the bar on a phone, at its two ends

# Every link of the navigation: its name, the box it takes, whether its icon is hidden from screen readers.
BAR = """() => [...document.querySelectorAll('#view > nav.tabs a')].map((a) => {
  const r = a.getBoundingClientRect();
  return { name: a.textContent.trim(), current: a.getAttribute('aria-current'), x: r.x, y: r.y, width: r.width,
    height: r.height, icon: a.querySelector('svg')?.getAttribute('aria-hidden') };
})"""
NAV_BOX = """() => { const r = document.querySelector('#view > nav.tabs').getBoundingClientRect();
  return [r.x, r.y, r.width, r.height]; }"""
HEADING_BOX = """() => { const r = document.querySelector('#view h1').getBoundingClientRect();
  return [r.x, r.y, r.width]; }"""


# The focused element's box and the top of what the bottom bar covers at its inline position (the bar, and the
# raised "New entry" and "Safety plan" buttons where they overlap); null when focus is in the navigation itself or on
# the page body.
FOCUS_BOX = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.closest('nav.tabs')) return null;
  const r = el.getBoundingClientRect();
  const nav = document.querySelector('#view > nav.tabs');
  let cover = nav ? nav.getBoundingClientRect().top : innerHeight;
  for (const button of nav?.querySelectorAll('.new-entry, .safety-link') ?? []) {
    const raised = button.getBoundingClientRect();
    if (raised.width && r.right > raised.left && r.left < raised.right) cover = Math.min(cover, raised.top);
  }
  return { what: el.id || el.name || el.tagName, top: r.top, bottom: r.bottom, cover, height: innerHeight };
}"""


def _current(page) -> list[str]:
    return [link["name"] for link in page.evaluate(BAR) if link["current"] == "page"]


def test_the_bottom_bar_is_within_thumb_reach_labelled_and_keyboard_reachable(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance, viewport=PHONE)
    try:
        page = open_app(ctx, app_url)
        for n in range(8):  # enough to scroll
            create_journal(page, f"Entry {n}", "a line")
        go_entries(page)
        links = page.evaluate(BAR)
        assert [link["name"] for link in links] == CLIENT_BAR
        assert all(link["icon"] == "true" for link in links)
        assert all(link["width"] >= 44 and link["height"] >= 44 for link in links), links
        assert _current(page) == ["Entries"]
        # At the bottom edge, the full width: within thumb reach. The tabs share one row.
        x, y, width, height = page.evaluate(NAV_BOX)
        assert (x, width) == (0, PHONE["width"]) and y + height == PHONE["height"] and height < 200
        tabs = [link for link in links if link["name"] not in RAISED]
        assert len({round(link["y"]) for link in tabs}) == 1 and all(link["y"] > PHONE["height"] - 100 for link in tabs)
        # "New entry" sits raised above the bar, at its inline end.
        new = links[0]
        assert new["y"] + new["height"] <= y and new["x"] + new["width"] > PHONE["width"] / 2
        # "Safety plan" too, at its inline start: one tap from every screen, and not over "New entry".
        plan = links[-1]
        assert plan["y"] + plan["height"] <= y and plan["x"] < PHONE["width"] / 2
        assert plan["x"] + plan["width"] < new["x"]

        # Scrolled to the end, nothing of the screen stays behind the bar or the raised button.
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        last = page.evaluate("() => document.querySelector('.entries li:last-child').getBoundingClientRect().bottom")
        raised = page.evaluate(
            "() => Math.min(...[...document.querySelectorAll('.new-entry, .safety-link')]"
            ".map((a) => a.getBoundingClientRect().top))"
        )
        assert last <= raised

        # By keyboard, from a fresh start: the skip link, then "New entry", then each tab in order, then "Safety
        # plan"; Enter follows one.
        open_app(ctx, app_url, "/app/entries")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        focused = []
        for _ in CLIENT_BAR:
            page.keyboard.press("Tab")
            focused.append(page.evaluate("() => document.activeElement.textContent.trim()"))
        assert focused == CLIENT_BAR
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")  # back to To do
        assert page.evaluate("() => document.activeElement.textContent.trim()") == "To do"
        page.keyboard.press("Enter")
        page.wait_for_selector("#todo-title")
        assert _current(page) == ["To do"]
        assert page.title() == "To do – Between"
        # "Skip to content" still passes the navigation to the screen's heading.
        open_app(ctx, app_url, "/app/todo")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "todo-title"

        page.get_by_role("link", name="New entry").click()
        page.wait_for_selector("#new-title")
        assert _current(page) == ["New entry"]
        assert page.title() == "New entry – Between"
    finally:
        ctx.close()


def test_from_900px_the_bar_becomes_a_side_rail_and_the_column_widens(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance, viewport=PHONE)
    try:
        page = open_app(ctx, app_url)
        create_journal(page, "Wide", "a line")
        go_entries(page)
        phone_heading = page.evaluate(HEADING_BOX)
        for width, rail in ((899, False), (900, True), (1280, True)):
            page.set_viewport_size({"width": width, "height": 800})
            x, y, nav_width, height = page.evaluate(NAV_BOX)
            links = page.evaluate(BAR)
            heading_x, heading_y, heading_width = page.evaluate(HEADING_BOX)
            if not rail:
                assert y + height == 800 and nav_width == width, (width, x, y, nav_width, height)
                continue
            # On the inline-start side, beside the screen (not over it), the links one under another.
            assert x + nav_width <= heading_x and nav_width < width / 3 and height > nav_width, (width, x, nav_width)
            assert [link["name"] for link in links] == CLIENT_BAR
            ys = [link["y"] for link in links]
            assert ys == sorted(ys) and len(set(ys)) == len(ys)
            assert all(link["height"] >= 44 for link in links)
            assert y < heading_y + 100  # at the top, not at the bottom of the window
            assert _current(page) == ["Entries"]
        # The main column is wider than the phone's 620 px at 1280.
        assert heading_width > 620 > phone_heading[2]
        # Right to left, the rail moves to the right: logical properties all the way.
        page.evaluate("() => document.documentElement.setAttribute('dir', 'rtl')")
        x, _, nav_width, _ = page.evaluate(NAV_BOX)
        assert x > page.evaluate(HEADING_BOX)[0]
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_more_holds_what_sat_under_sync_and_the_old_addresses_still_open(
    playwright_instance, live_app, tmp_path, scheme
):
    ctx = new_context(playwright_instance, viewport=PHONE, color_scheme=scheme)
    problems = {}
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Kept", "a line")
        go_more(page)
        problems["more, no account"] = _serious(page)
        assert page.title() == "More – Between"
        assert _current(page) == ["More"]
        turn_on_sync(page, "mira")
        go_more(page)
        problems["more"] = _serious(page)
        more = page.locator("#view section.more")
        for name in (
            "Shared",
            "Save a copy of your entries",
            "Sync",
            "Your devices",
            "Change your passphrase",
            "Settings",
            "Forget this device…",
            "Delete your account…",
        ):
            assert more.get_by_role("link", name=name, exact=True).count() == 1, name
        assert more.get_by_role("button", name="Sign out", exact=True).count() == 1
        # The lines are tall enough to tap, and the steps that remove things look like it.
        heights = page.evaluate("() => [...document.querySelectorAll('.menu-item')].map((li) => li.offsetHeight)")
        assert min(heights) >= 44
        for name in ("Forget this device…", "Delete your account…"):
            assert "danger" in (more.get_by_role("link", name=name).get_attribute("class") or "")
        page.set_viewport_size(DESKTOP)
        problems["more, wide"] = _serious(page)
        page.set_viewport_size(PHONE)

        # The Sync screen holds sync alone now.
        go_sync(page)
        assert page.title() == "Sync – Between"
        sync = page.inner_text("#view section")
        assert "Sync now" in sync and "Delete your account" not in sync and "Forget this device" not in sync
        assert page.locator("input[name='wording']").count() == 0

        # Every old address opens its screen (a bookmark, a test), marked as under More and named in the title.
        for path, heading, title in (
            ("/app/account", "#account-title", "Sync"),
            ("/app/account/devices", "#devices-title", "Your devices"),
            ("/app/account/passphrase", "#pass-title", "Change your passphrase"),
            ("/app/account/delete", "#delete-title", "Delete your account"),
            ("/app/account/forget", "#forget-title", "Forget this device"),
            ("/app/export", "#export-title", "Save a copy of your entries"),
            ("/app/shared", "#shared-title", "Shared"),
            ("/app/settings", "#settings-title", "Settings"),
        ):
            page.goto(live_app.url + path)
            page.wait_for_selector(heading)
            page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
            assert _current(page) == ["More"], path
            assert page.title() == f"{title} – Between", path
            if path in ("/app/settings", "/app/account/forget", "/app/account/delete"):
                problems[path] = _serious(page)

        # Confirmed: forgetting and deleting each say what goes, with a filled danger button and a way back.
        for path, heading, button, warning, words in (
            ("/app/account/forget", "#forget-title", "Forget this device", "#forget-warning", "removes every entry"),
            ("/app/account/delete", "#delete-title", "Delete my account", "#delete-warning", "cannot be undone"),
        ):
            page.goto(live_app.url + path)
            page.wait_for_selector(heading)
            assert page.get_by_role("button", name=button).get_attribute("class") == "danger"
            assert words in page.inner_text(warning)
            assert page.get_by_role("link", name="Cancel").get_attribute("href") == "/app/more"

        # Settings: the wording saved there shows on the entries.
        page.goto(live_app.url + "/app/settings")
        page.wait_for_selector("#settings-title")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        page.check("input[name='wording'][value='homework']")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector("text=Saved.")
        go_entries(page)
        assert "Your homework between sessions" in page.inner_text(".lead")

        # An entry's Delete is a destructive step too, and can be undone.
        page.locator(".entries a").first.click()
        page.wait_for_selector("article h1")
        assert "danger" in (page.get_by_role("button", name="Delete").get_attribute("class") or "")
        page.get_by_role("button", name="Delete").click()
        page.get_by_role("button", name="Undo").click()
        page.wait_for_selector("article h1")
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        ctx.close()


def test_a_therapists_bar_is_clients_invites_and_more(playwright_instance, live_app, tmp_path):
    ctx = new_context(playwright_instance, viewport=PHONE)
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "dr.nav", therapist=True)
        page.goto(live_app.url + "/app/clients")
        page.wait_for_selector("#clients-title")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        links = page.evaluate(BAR)
        assert [link["name"] for link in links] == ["Clients", "Invites", "More"]
        assert all(link["width"] >= 44 and link["height"] >= 44 and link["icon"] == "true" for link in links)
        assert _current(page) == ["Clients"]
        go_more(page)
        assert page.locator("#view section.more").get_by_role("link", name="Shared").count() == 0
        assert page.get_by_role("link", name="Save a copy of your entries").count() == 1
        assert _serious(page) == []
    finally:
        ctx.close()


def test_a_focused_control_is_never_hidden_under_the_bottom_bar(playwright_instance, app_url, tmp_path):
    """WCAG 2.2 SC 2.4.11: tabbing down a long form on a phone, each control that takes focus is scrolled into view
    clear of the fixed bottom bar (and its raised New entry button), not left underneath it."""
    ctx = new_context(playwright_instance, viewport=PHONE)
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        assert page.evaluate("() => document.documentElement.scrollHeight > innerHeight * 1.5")  # a long form
        page.evaluate("() => { scrollTo(0, 0); document.querySelector('#view h1').focus(); }")
        seen = []
        for _ in range(60):
            page.keyboard.press("Tab")
            box = page.evaluate(FOCUS_BOX)
            if box is None:
                if seen:
                    break  # past the form, into the navigation
                continue
            seen.append(box["what"])
            assert box["bottom"] <= box["cover"] and box["top"] >= 0, box
        assert len(seen) >= 6, seen  # the form's fields, not only a link or two
    finally:
        ctx.close()


# Scrolled to the very end: the bottom of the screen's last content (anything in #view but the navigation) and the
# top of what the navigation covers on a phone (the bar, and the raised buttons above it).
LAST_LINE = """() => {
  scrollTo(0, document.documentElement.scrollHeight);
  const nav = document.querySelector('#view > nav.tabs');
  let bottom = 0;
  for (const el of document.querySelectorAll('#view > :not(nav.tabs) *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && getComputedStyle(el).visibility !== 'hidden') bottom = Math.max(bottom, r.bottom);
  }
  if (!nav) return null;
  let cover = nav.getBoundingClientRect().top;
  for (const button of nav.querySelectorAll('.new-entry, .safety-link')) {
    const r = button.getBoundingClientRect();
    if (r.width) cover = Math.min(cover, r.top);
  }
  return { bottom, cover, height: innerHeight, scrolled: scrollY > 0 };
}"""


@pytest.mark.parametrize("language", ["en-GB", "es-ES"])
def test_scrolled_to_the_end_the_last_content_clears_the_raised_buttons(
    playwright_instance, app_url, tmp_path, language
):
    """On a phone the raised "Safety plan" and "New entry" buttons sit above the bar: at the end of a long screen the
    last line of content scrolls clear of them (the screen's own room at its foot), in English and in Spanish, whose
    longer words wrap the buttons onto two lines."""
    ctx = launch(playwright_instance, tmp_path / language, viewport=PHONE, locale=language)
    try:
        page = open_app(ctx, app_url)
        for path in ("/app/entries/new", "/app/more", "/app/safety-plan"):
            page.goto(app_url + path)
            page.wait_for_selector("#view > nav.tabs")
            page.evaluate("() => document.activeElement?.blur()")
            box = page.evaluate(LAST_LINE)
            assert box["bottom"] <= box["cover"] - 8, (path, box)
        # and a long form, scrolled
        page.goto(app_url + "/app/entries/new?kind=thought-record")
        page.wait_for_selector("form.entry-form")
        box = page.evaluate(LAST_LINE)
        assert box["scrolled"] and box["bottom"] <= box["cover"] - 8, box
    finally:
        ctx.close()
