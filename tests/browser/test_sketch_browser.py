"""Issue 13: a sketch entry in Chromium against the real server. A drawing made with synthetic pointer events (a pen
with pressure, a mouse, the marker and the eraser, undo) is saved as vector strokes, syncs to the client's second
device, is shared, and the therapist's timeline and print view show the same SVG; a drawing over the size limit is
refused with a message and nothing is saved. Strokes drawn offline on two devices of one account merge to their
union; near the size limit the editor says how much room is left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import go, linked_pair, open_client, path_id, share_entry
from pwa_live import live_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixture

from between.sync.core.sketch import decode_points, encode_points

pytestmark = pytest.mark.browser


def canvas_box(page) -> dict:
    """The canvas on screen, scrolled to the top of the window (clear of a phone's bottom bar)."""
    canvas = page.locator("[data-sketch-canvas]")
    canvas.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    return canvas.bounding_box()


def pen_stroke(page, cdp, points: list[tuple[float, float]], force: float) -> None:
    """A stylus stroke through `points` (fractions of the canvas), as Chromium's input pipeline delivers one."""
    box = canvas_box(page)
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    base = {"button": "left", "pointerType": "pen", "force": force}
    cdp.send(
        "Input.dispatchMouseEvent", {"type": "mousePressed", "x": at[0][0], "y": at[0][1], "clickCount": 1, **base}
    )
    for x, y in at[1:]:
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, **base})
    cdp.send(
        "Input.dispatchMouseEvent", {"type": "mouseReleased", "x": at[-1][0], "y": at[-1][1], "clickCount": 1, **base}
    )


def mouse_stroke(page, points: list[tuple[float, float]]) -> None:
    box = canvas_box(page)
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=3)
    page.mouse.up()


def png_pixel(ctx, png: bytes, at: tuple[float, float]) -> tuple[int, int, int]:
    """The colour of the PNG at a point given as fractions of its size, read on a blank page of its own."""
    page = ctx.new_page()
    try:
        return tuple(
            page.evaluate(
                """async ([bytes, fx, fy]) => {
                  const image = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
                  const canvas = new OffscreenCanvas(image.width, image.height);
                  const ctx = canvas.getContext('2d');
                  ctx.drawImage(image, 0, 0);
                  const x = Math.round(fx * image.width);
                  const [r, g, b] = ctx.getImageData(x, Math.round(fy * image.height), 1, 1).data;
                  return [r, g, b];
                }""",
                [list(png), *at],
            )
        )
    finally:
        page.close()


def drawn(page) -> list[dict]:
    value = page.input_value("#f-drawing")
    return json.loads(value) if value else []


def svg_of(page, scope: str = "") -> str:
    """The drawing's SVG as shown (its markup, which the therapist's must equal)."""
    svg = page.locator(f"{scope} svg[data-sketch-svg]")
    assert svg.count() == 1
    return svg.evaluate("(el) => el.outerHTML")


def test_a_sketch_is_drawn_saved_synced_shared_and_the_therapist_sees_the_same_svg(
    playwright_instance, live_app, tmp_path
):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    c2_ctx = new_context(playwright_instance)
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.sketch", "sam.sketch")

        go(cp, url, "/app/entries/new?kind=sketch", "form.entry-form")
        cp.locator("[data-sketch][data-wired]").wait_for()
        assert not serious_violations(cp)
        cdp = c_ctx.new_cdp_session(cp)
        pen_stroke(cp, cdp, [(0.1, 0.1), (0.2, 0.15), (0.3, 0.2), (0.4, 0.3)], force=0.9)
        cp.get_by_label("Blue", exact=True).check()
        mouse_stroke(cp, [(0.5, 0.5), (0.6, 0.55), (0.7, 0.5)])
        cp.get_by_label("Marker", exact=True).check()
        mouse_stroke(cp, [(0.2, 0.8), (0.8, 0.8)])
        assert [s["tool"] for s in drawn(cp)] == ["pen", "pen", "marker"]
        cp.get_by_role("button", name="Undo").click()
        assert [s["tool"] for s in drawn(cp)] == ["pen", "pen"]
        cp.get_by_role("button", name="Redo").click()
        cp.get_by_role("button", name="Undo").click()
        cp.get_by_label("Eraser", exact=True).check()
        mouse_stroke(cp, [(0.55, 0.52), (0.65, 0.52)])
        strokes = drawn(cp)
        assert [(s["tool"], s["color"]) for s in strokes] == [("pen", "ink"), ("pen", "blue"), ("eraser", "blue")]
        pressures = {p for _, _, p in decode_points(strokes[0]["points"])}
        assert pressures and all(p > 200 for p in pressures), pressures  # the stylus's force, 0.9 of 255
        assert {p for _, _, p in decode_points(strokes[1]["points"])} == {128}  # a mouse presses at 0.5
        cp.fill("#f-title", "The lake")
        cp.fill("#f-caption", "A lake with a small boat")
        cp.get_by_role("button", name="Save").click()
        cp.locator("article h1").wait_for()
        entry_id = path_id(cp)
        mine = svg_of(cp)
        assert mine.count("<path ") == 3
        assert 'aria-label="A drawing of 3 strokes"' in mine
        assert "A lake with a small boat" in cp.inner_text("article")

        # Saved on this device as SVG and PNG (downloads; nothing sent anywhere).
        with cp.expect_download() as svg_download:
            cp.get_by_role("button", name="Save as SVG").click()
        assert svg_download.value.suggested_filename == "sketch.svg"
        assert "<path " in Path(svg_download.value.path()).read_text(encoding="utf-8")
        with cp.expect_download() as png_download:
            cp.get_by_role("button", name="Save as PNG").click()
        png = Path(png_download.value.path()).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        # Drawn in each path's colour: the pen's ink (the paths' group colour) in the middle of its first line.
        assert png_pixel(c_ctx, png, (0.15, 0.125)) == pytest.approx((0x1D, 0x23, 0x26), abs=6)

        share_entry(cp, url, entry_id, "dr.sketch")
        assert sync_now(cp) == "Synced"

        # The client's second device: the same drawing.
        c2 = open_app(c2_ctx, url)
        assert sign_in(c2, "sam.sketch") == ""
        assert sync_now(c2) == "Synced"
        go(c2, url, f"/app/entries/{entry_id}", "article h1")
        assert svg_of(c2) == mine

        # The therapist's timeline and print view: the same SVG.
        assert sync_now(tp) == "Synced"
        open_client(tp, url, uid)
        assert svg_of(tp) == mine
        assert not serious_violations(tp)
        go(tp, url, f"/app/clients/{uid}/print", "h1")
        assert svg_of(tp) == mine
    finally:
        for ctx in (t_ctx, c_ctx, c2_ctx):
            ctx.close()


def test_a_sketch_over_the_size_limit_is_refused_with_a_message(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/entries/new?kind=sketch")
        page.locator("[data-sketch][data-wired]").wait_for()
        # 60 strokes of 2,000 points: about 440,000 characters of points, over the 400,000 a sketch may hold.
        points = [(i % 4000, (i * 7) % 3000, 128) for i in range(2000)]
        big = [
            {"id": f"stroke-{i:06d}", "tool": "pen", "color": "ink", "width": 4, "points": encode_points(points)}
            for i in range(60)
        ]
        page.evaluate("(v) => { document.getElementById('f-drawing').value = v; }", json.dumps(big))
        page.fill("#f-title", "Too much")
        page.get_by_role("button", name="Save").click()
        alert = page.locator("[role='alert']")
        alert.wait_for()
        assert "“Drawing” is too large" in alert.inner_text()
        go(page, app_url, "/app/entries", "#entries-title")
        assert page.locator(".entries .summary").count() == 0  # nothing was saved
    finally:
        ctx.close()


def stroke_ids(page, url: str, entry_id: str) -> list[str]:
    """The ids of the sketch's strokes, in order, as its form holds them."""
    go(page, url, f"/app/entries/{entry_id}/edit", "form.entry-form")
    return [s["id"] for s in drawn(page)]


def edit_and_draw(page, url: str, entry_id: str, points: list[tuple[float, float]]) -> None:
    """Open the sketch's form, draw one mouse stroke through `points` and save."""
    go(page, url, f"/app/entries/{entry_id}/edit", "form.entry-form")
    page.locator("[data-sketch][data-wired]").wait_for()
    before = len(drawn(page))
    mouse_stroke(page, points)
    assert len(drawn(page)) == before + 1
    page.get_by_role("button", name="Save").click()
    page.locator("article h1").wait_for()


def test_strokes_drawn_offline_on_two_devices_merge_to_their_union(playwright_instance, live_app, tmp_path):
    url = live_app.url
    phone = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    laptop = new_context(playwright_instance)
    try:
        p1 = open_app(phone, url)
        go(p1, url, "/app/entries/new?kind=sketch", "form.entry-form")
        p1.locator("[data-sketch][data-wired]").wait_for()
        mouse_stroke(p1, [(0.1, 0.5), (0.9, 0.5)])
        p1.fill("#f-title", "Two places")
        p1.get_by_role("button", name="Save").click()
        p1.locator("article h1").wait_for()
        entry_id = path_id(p1)
        [first] = stroke_ids(p1, url, entry_id)
        turn_on_sync(p1, "robin.sketch")
        assert sync_now(p1) == "Synced"

        p2 = open_app(laptop, url)
        assert sign_in(p2, "robin.sketch") == ""
        assert sync_now(p2) == "Synced"
        go(p2, url, f"/app/entries/{entry_id}", "article h1")
        assert svg_of(p2).count("<path ") == 1

        # Both offline: each device adds its own stroke to the same sketch (offline first, or the second would
        # hear of the first's edit at once and draw on top of it).
        phone.set_offline(True)
        laptop.set_offline(True)
        edit_and_draw(p1, url, entry_id, [(0.2, 0.2), (0.3, 0.25), (0.4, 0.2)])
        edit_and_draw(p2, url, entry_id, [(0.6, 0.8), (0.7, 0.85), (0.8, 0.8)])
        assert svg_of(p1).count("<path ") == 2
        assert svg_of(p2).count("<path ") == 2
        # Back online one at a time: the phone's edit reaches the server first, the laptop merges with it.
        phone.set_offline(False)
        assert sync_now(p1) == "Synced"
        laptop.set_offline(False)
        # The laptop's worker may already have run when it saw the network come back (then "Sync now" finds nothing
        # more to merge); what it shows below is the merged sketch either way.
        assert sync_now(p2) in ("Synced", "Synced · merged an edit made on two devices")
        assert sync_now(p1) == "Synced"

        go(p1, url, f"/app/entries/{entry_id}", "article h1")
        go(p2, url, f"/app/entries/{entry_id}", "article h1")
        on_phone, on_laptop = svg_of(p1), svg_of(p2)
        assert on_phone.count("<path ") == 3
        assert 'aria-label="A drawing of 3 strokes"' in on_phone
        assert on_phone == on_laptop
        # The union by stroke id: the first stroke once, and each device's own stroke.
        ids_1, ids_2 = stroke_ids(p1, url, entry_id), stroke_ids(p2, url, entry_id)
        assert ids_1 == ids_2
        assert len(set(ids_1)) == 3 and first in ids_1
    finally:
        for ctx in (phone, laptop):
            ctx.close()


def test_near_the_size_limit_the_editor_says_how_much_room_is_left(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/entries/new?kind=sketch")
        page.locator("[data-sketch][data-wired]").wait_for()
        room = page.locator("[data-sketch-room]")
        mouse_stroke(page, [(0.1, 0.1), (0.5, 0.5)])
        assert room.inner_text() == ""  # a few strokes: nothing to say
        # A drawing of about 85% of the 400,000 characters of points a sketch may hold, prepared rather than drawn.
        points = [(i % 4000, (i * 7) % 3000, 128) for i in range(2000)]
        encoded = encode_points(points)
        count = int(0.85 * 400_000 / len(encoded))
        near = [
            {"id": f"stroke-{i:06d}", "tool": "pen", "color": "ink", "width": 4, "points": encoded}
            for i in range(count)
        ]
        left = 100 - (count * len(encoded) * 100 + 399_999) // 400_000  # floor of the share left, in percent
        assert 10 <= left <= 20
        page.evaluate("(v) => { document.getElementById('f-drawing').value = v; }", json.dumps(near))
        page.fill("#f-title", "Nearly full")
        page.get_by_role("button", name="Save").click()
        page.locator("article h1").wait_for()
        entry_id = path_id(page)

        go(page, app_url, f"/app/entries/{entry_id}/edit", "form.entry-form")
        page.locator("[data-sketch][data-wired]").wait_for()
        assert room.get_attribute("role") == "status"  # read out by screen readers as it changes
        assert room.inner_text() == f"This sketch is nearly full: {left}% of its room is left."
        mouse_stroke(page, [(0.2, 0.2), (0.3, 0.3)])
        assert len(drawn(page)) == count + 1
        assert room.inner_text().startswith("This sketch is nearly full: ")
    finally:
        ctx.close()
