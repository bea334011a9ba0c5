import time
import pytest
from pwa_browser import FAKE_MEDIA, launch, open_app, serious_violations
from pwa_care import go

pytestmark = pytest.mark.browser


def test_scratch(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "c", extra_args=FAKE_MEDIA, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        for kind, box in [
            ("voice", "[data-recorder]"),
            ("conversation-rehearsal", "[data-recorder]"),
            ("journal", "[data-photos]"),
            ("sketch", "[data-photos]"),
        ]:
            go(page, app_url, f"/app/entries/new?kind={kind}", "form.entry-form")
            page.locator(f"{box}[data-wired]").wait_for()
            print(kind, page.get_attribute("form.entry-form", "enctype"), serious_violations(page))
        go(page, app_url, "/app/entries/new?kind=voice", "form.entry-form")
        page.locator("[data-recorder][data-wired]").wait_for()
        page.get_by_role("button", name="Record", exact=True).click()
        time.sleep(3)
        page.screenshot(path="/tmp/attui/voice-rec-phone.png", full_page=True)
        page.emulate_media(color_scheme="dark")
        page.get_by_role("button", name="Stop").click()
        page.locator("[data-attach-new]").wait_for()
        page.wait_for_timeout(200)
        page.screenshot(path="/tmp/attui/voice-done-phone-dark.png", full_page=True)
        print(serious_violations(page))
    finally:
        ctx.close()
