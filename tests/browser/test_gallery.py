"""Pictures of the app (issue 10, item 9): the main screens of a client and a therapist, phone- and desktop-sized,
light and dark, as Chromium shows them against the real server.

`make screens` writes them into docs/screens/ (BETWEEN_SCREENS_DIR), where README.md and docs/WEB.md show some. In
`make test` they go to a temporary folder, and the test checks each picture: the screen it names rendered (its
heading is there), nothing is wider than the window (no sideways scrolling on a phone), and the picture is a real one
(a PNG of the window's size).

The people and what they wrote are made up here: dr.lee assigns a daily mood check-in and a breathing practice to
sam; sam writes a few entries, answers today's practice and shares a journal."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from pwa_browser import launch, open_app
from pwa_care import (
    assign_from_template,
    go,
    linked_pair,
    local_day,
    mark_done,
    path_id,
    share_entry,
)
from pwa_live import serve_app, sync_now
from pwa_screens import create_journal, create_mood, create_thought_record

pytestmark = pytest.mark.browser

ZONE = "Europe/London"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
SCHEMES = ("light", "dark")

# name -> (role, path, what must be on the screen). `{entry}` and `{client}` are filled in once they exist.
SCREENS: dict[str, tuple[str, str, str]] = {
    "client-today": ("client", "/app/today", "#today-title"),
    "client-entries": ("client", "/app/entries", "h1"),
    "client-entry": ("client", "/app/entries/{entry}", "h1"),
    "client-new-journal": ("client", "/app/entries/new?kind=journal", "form.entry-form"),
    "client-todo": ("client", "/app/todo", "#todo-title"),
    "client-progress": ("client", "/app/progress", "#progress-title"),
    "client-more": ("client", "/app/more", "h1"),
    "therapist-clients": ("therapist", "/app/clients", "#clients-title"),
    "therapist-client": ("therapist", "/app/clients/{client}", "#client-title"),
    "therapist-invites": ("therapist", "/app/invites", "#invites-title"),
}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("BETWEEN_SCREENS_DIR")
    out = Path(wanted).resolve() if wanted else tmp_path / "screens"
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_the_main_screens_of_both_people_phone_and_desktop_light_and_dark(playwright_instance, tmp_path, out_dir):
    with serve_app(tmp_path) as app:  # its server-data and server.log beside the pictures folder
        url = app.url
        t_ctx = launch(playwright_instance, tmp_path / "therapist", timezone_id=ZONE, locale="en-GB")
        c_ctx = launch(playwright_instance, tmp_path / "client", timezone_id=ZONE, locale="en-GB")
        try:
            tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
            client = linked_pair(tp, cp, "dr.lee", "sam")
            today = local_day(tp)
            assign_from_template(tp, url, client, "mood-daily", "sam", freq_label="Every day", start=today)
            practice = assign_from_template(
                tp, url, client, "breathing-practice", "sam", freq_label="Every day", start=local_day(tp, -2)
            )
            assert sync_now(tp) == "Synced"

            assert sync_now(cp) == "Synced"
            create_mood(cp, 6, "Slept better; the morning walk helped.")
            create_thought_record(
                cp, "Presentation at work on Thursday", "Everyone will see I am out of my depth", "anxious 70"
            )
            entry = path_id(cp)
            create_journal(cp, "A calmer evening", "Cooked with my sister. Talked about the move without arguing.")
            share_entry(cp, url, path_id(cp), "dr.lee")
            mark_done(cp, url, practice, today, {"minutes": "10"})
            assert sync_now(cp) == "Synced"
            assert sync_now(tp) == "Synced"

            pages = {"client": cp, "therapist": tp}
            problems: list[str] = []
            for name, (role, path, marker) in SCREENS.items():
                page = pages[role]
                target = url + path.format(entry=entry, client=client)
                for size_name, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for scheme in SCHEMES:
                        page.emulate_media(color_scheme=scheme)
                        go(page, "", target, marker)
                        page.evaluate("() => document.activeElement?.blur()")  # no focus ring in the picture
                        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                        if wide > 0:
                            problems.append(f"{name} {size_name} {scheme}: {wide} px wider than the window")
                        file = out_dir / f"{name}-{size_name}-{scheme}.png"
                        page.screenshot(path=str(file))
                        assert png_size(file) == (width, height), file.name
                        assert file.stat().st_size > 8000, f"{file.name} looks empty"
            assert not problems, problems
            assert len(list(out_dir.glob("*.png"))) >= len(SCREENS) * len(SIZES) * len(SCHEMES)
        finally:
            t_ctx.close()
            c_ctx.close()
