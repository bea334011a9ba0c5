"""axe-core (from web/node_modules) finds no serious or critical accessibility problem on any screen, light or dark."""

from __future__ import annotations

import json

import pytest
from pwa_browser import AXE, ROOT, launch, open_app, serious_violations as _serious
from pwa_screens import create_journal, create_mood, go_entries, save, start_entry

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(playwright_instance, app_url, tmp_path, scheme):
    assert AXE.exists(), "axe-core is missing: run `make install` (npm ci in web/)"
    ctx = launch(playwright_instance, tmp_path / "profile", color_scheme=scheme, viewport={"width": 390, "height": 844})
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
