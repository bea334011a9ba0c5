"""Issue 15, the page's side: the voice recorder and the photo picker (web/js/page/recorder.js, page/photos.js) in
Chromium, each on the markup its screen renders (screens/media-views.js, rendered in the page from the module the
worker uses), against the real server. Fake media devices record (`--use-fake-device-for-media-stream`), in real time.
What travels into the form is read back from the form itself: the files of `<name>.new` and their meta."""

from __future__ import annotations

import json
import re
import struct
import time
from pathlib import Path

import pytest
from exif_photo import CANARY, has_exif, with_exif
from pwa_browser import FAKE_MEDIA, launch, open_app, serious_violations

pytestmark = pytest.mark.browser

SHOW = """async ([media, max]) => {
  const { pageWords } = await import('/js/page/words.js');
  await pageWords(); // the catalogue in use in the page's realm, as the worker's is in its own
  const { attachmentsEditor } = await import('/js/screens/media-views.js');
  const id = media === 'audio' ? 'recording' : 'photos';
  const field = { id, label: 'Field', type: 'attachments', required: false, merge: 'union',
    constraints: { max_items: max, media: [media] } };
  document.getElementById('view').innerHTML = `<section><h1>Form</h1><form class="entry-form" data-draft="test">
    <div class="field"><p class="label" id="f-${id}-label">${media === 'audio' ? 'Say it out loud' : 'Photos'}</p>
    ${String(attachmentsEditor(field, [], 'f-' + id, 'f.' + id))}</div></form></section>`;
  document.dispatchEvent(new CustomEvent('htmx:after:swap'));
}"""

FILES = """async () => Promise.all([...document.querySelector('[data-attach-files]').files].map(async (f) =>
  ({ name: f.name, type: f.type, bytes: [...new Uint8Array(await f.arrayBuffer())] })))"""
METAS = "() => [...document.querySelectorAll('[name$=\".new-meta\"]')].map((i) => JSON.parse(i.value))"


def show(page, media: str, max_items: int) -> None:
    page.evaluate(SHOW, [media, max_items])
    page.locator("[data-attach][data-wired]").wait_for()


def files(page) -> list[dict]:
    return [{**f, "bytes": bytes(f["bytes"])} for f in page.evaluate(FILES)]


def status(page) -> str:
    page.wait_for_timeout(150)  # said a moment after the change, so the same words twice are read twice
    return page.inner_text("[data-attach-status]")


def focused(page) -> str:
    return page.evaluate("() => document.activeElement?.textContent?.trim() ?? ''")


def record(page, seconds: float) -> None:
    page.get_by_role("button", name="Record").first.click()
    page.get_by_role("button", name="Stop").wait_for()
    time.sleep(seconds)  # fake devices record in real time
    page.get_by_role("button", name="Stop").click()
    page.locator("[data-attach-new]").last.wait_for()


def test_the_recorder_records_plays_back_records_again_and_removes(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "client", extra_args=FAKE_MEDIA)
    try:
        page = open_app(ctx, app_url)
        show(page, "audio", 1)
        assert not serious_violations(page)
        page.get_by_role("button", name="Record").click()
        page.get_by_role("button", name="Stop").wait_for()
        assert focused(page) == "Stop"  # the control that ends it, under the finger and the keyboard
        assert "Recording. Press Stop" in status(page)
        time.sleep(2.2)
        clock = page.inner_text("[data-rec-clock]")
        assert re.fullmatch(r"0:0([2-4]) 4:5([6-8]) left", clock), clock  # the time so far, and what is left
        assert page.get_attribute("[data-rec-elapsed]", "role") == "timer"  # not read out at every tick
        page.keyboard.press("Enter")  # Stop, by keyboard
        page.locator("[data-attach-new]").wait_for()
        [made] = files(page)
        assert made["type"] == "audio/webm" and made["name"] == "recording.webm"
        assert made["bytes"][:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM file
        [meta] = page.evaluate(METAS)
        assert 1500 <= meta["duration_ms"] <= 3500, meta
        # Its length is in the WebM's header too (Segment Info's Duration, in ms), so players need not guess it.
        at = made["bytes"].find(b"\x44\x89\x88")
        assert at > 0 and struct.unpack(">d", made["bytes"][at + 3 : at + 11])[0] == meta["duration_ms"]
        assert "Recorded: Recording, 0:0" in status(page)
        assert focused(page).startswith("Play back")
        assert page.get_by_role("button", name="Record again").is_visible()
        assert page.get_attribute("audio", "autoplay") is None if page.locator("audio").count() else True

        play = page.get_by_role("button", name="Play back")
        play.click()
        assert page.get_attribute("[data-action='play']", "aria-pressed") == "true"
        assert page.locator("[data-action='play']").inner_text().startswith("Stop playing")
        page.locator("[data-action='play']").click()
        assert page.get_attribute("[data-action='play']", "aria-pressed") == "false"

        # Record again: the new recording replaces the one there (one fits).
        page.get_by_role("button", name="Record again").click()
        page.get_by_role("button", name="Stop").wait_for()
        time.sleep(1.2)
        page.get_by_role("button", name="Stop").click()
        page.wait_for_function(
            "() => document.querySelector('[data-attach-metas]').children.length === 1 && "
            "JSON.parse(document.querySelector('[name$=\".new-meta\"]').value).duration_ms < 1900"
        )
        assert len(files(page)) == 1
        assert not serious_violations(page)

        page.locator("[data-action='remove']").click()
        assert files(page) == []
        assert page.evaluate(METAS) == []
        assert "Removed" in status(page)
        assert focused(page) == "Record"
    finally:
        ctx.close()


def test_the_recorder_stops_at_five_minutes_and_says_how_long_is_left(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "client", extra_args=FAKE_MEDIA)
    try:
        page = open_app(ctx, app_url)
        show(page, "audio", 3)
        page.clock.install()  # the recorder's clock (performance.now, its timer); the microphone runs in real time
        page.get_by_role("button", name="Record").click()
        page.get_by_role("button", name="Stop").wait_for()
        time.sleep(1.0)  # the installed clock goes on in real time as well
        page.clock.run_for(4 * 60 * 1000 + 25 * 1000)
        assert re.search(r"^4:[23]\d 0:[23]\d left$", page.inner_text("[data-rec-clock]")), page.inner_text(
            "[data-rec-clock]"
        )
        page.clock.run_for(200)
        assert page.inner_text("[data-attach-status]") == "1:00 left before the recording stops."
        page.clock.run_for(6_000)  # said once a minute and 30 seconds and 10 seconds are left, not at every tick
        assert page.inner_text("[data-attach-status]") == "0:30 left before the recording stops."
        page.clock.run_for(30 * 1000)
        page.locator("[data-attach-new]").wait_for()
        page.clock.run_for(200)
        said = page.inner_text("[data-attach-status]")
        assert "stopped at 5:00, the longest one can be" in said, said
        assert page.get_by_role("button", name="Stop").is_hidden()
        assert len(files(page)) == 1
        # Several fit: Record adds another beside it.
        assert page.get_by_role("button", name="Record", exact=True).is_enabled()
    finally:
        ctx.close()


def test_a_refused_or_missing_microphone_is_said_in_words(playwright_instance, app_url, tmp_path):
    # A microphone there, but not allowed: headless Chromium answers the page's question with no.
    ctx = launch(playwright_instance, tmp_path / "refused", extra_args=["--use-fake-device-for-media-stream"])
    try:
        page = open_app(ctx, app_url)
        show(page, "audio", 1)
        page.get_by_role("button", name="Record").click()
        alert = page.locator("[data-attach-error]")
        alert.wait_for()
        assert alert.get_attribute("role") == "alert"
        assert "may not use the microphone" in alert.inner_text()
        assert "allow the microphone for this site" in alert.inner_text()
        assert files(page) == []
        assert page.get_by_role("button", name="Record").is_visible()
        assert not serious_violations(page)
    finally:
        ctx.close()


def browser_jpeg(page, width: int, height: int) -> bytes:
    """A JPEG the browser draws: the left half red, the right half blue."""
    return bytes(
        page.evaluate(
            """async ([w, h]) => { const c = document.createElement('canvas'); c.width = w; c.height = h;
      const g = c.getContext('2d'); g.fillStyle = '#c00'; g.fillRect(0, 0, w / 2, h);
      g.fillStyle = '#00c'; g.fillRect(w / 2, 0, w / 2, h);
      const b = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
      return [...new Uint8Array(await b.arrayBuffer())]; }""",
            [width, height],
        )
    )


def test_a_photo_is_made_anew_upright_without_exif_or_location_and_at_most_2048_px(
    playwright_instance, app_url, tmp_path: Path
):
    ctx = launch(playwright_instance, tmp_path / "client", viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        original = with_exif(browser_jpeg(page, 3000, 1000), orientation=6)  # 90° clockwise, as a phone held upright
        assert has_exif(original) and CANARY in original
        photo = tmp_path / "camera.jpg"
        photo.write_bytes(original)
        show(page, "image", 2)
        assert not serious_violations(page)
        page.set_input_files("[data-photos-input]", [str(photo)])
        page.locator("[data-attach-new]").wait_for()
        [made] = files(page)
        assert made["type"] == "image/jpeg"
        assert made["bytes"][:2] == b"\xff\xd8"
        assert not has_exif(made["bytes"]), "EXIF, GPS or the canary survived"
        assert b"GPS" not in made["bytes"] and CANARY not in made["bytes"]
        assert page.evaluate(METAS) == [{"width": 683, "height": 2048}]  # upright (the tag applied), long edge 2048
        size = page.evaluate("""async () => { const f = document.querySelector('[data-attach-files]').files[0];
          const b = await createImageBitmap(f); return [b.width, b.height]; }""")
        assert size == [683, 2048]
        thumb = page.locator("[data-attach-new] canvas[role='img']")
        assert thumb.get_attribute("aria-label") == "Photo"
        assert "without its location or camera details. 1 of 2." in status(page)

        # More than fit, and a file that is no photo: what fits is added, the rest said.
        not_photo = tmp_path / "notes.jpg"
        not_photo.write_bytes(b"not a picture at all")
        page.set_input_files("[data-photos-input]", [str(not_photo), str(photo), str(photo)])
        page.locator("[data-attach-error]").wait_for()
        said = page.inner_text("[data-attach-error]")
        assert "One file could not be read as a photo." in said
        assert "One photo was not added: an entry keeps up to 2." in said
        assert len(files(page)) == 2  # the one place left went to the first photo, not to the unreadable file
        assert page.get_by_role("button", name="Choose photos").is_disabled()  # full
        assert page.locator("[data-attach-new] canvas").first.get_attribute("aria-label") == "Photo 1 of 2"
        page.locator("[data-action='remove']").first.click()
        assert len(files(page)) == 1
        assert page.get_by_role("button", name="Choose photos").is_enabled()
        assert json.loads(json.dumps(page.evaluate(METAS))) == [{"width": 683, "height": 2048}]
    finally:
        ctx.close()
