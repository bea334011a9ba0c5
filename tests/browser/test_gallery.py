"""Pictures of the app (issue 10, item 9): the main screens of a client and a therapist, phone- and desktop-sized,
light and dark, as Chromium shows them against the real server.

`make screens` writes them into docs/screens/ (BETWEEN_SCREENS_DIR), where README.md and docs/WEB.md show some. In
`make test` they go to a temporary folder, and the test checks each picture: the screen it names rendered (its
heading is there), nothing is wider than the window (no sideways scrolling on a phone), and the picture is a real one
(a PNG of the window's size).

The people and what they wrote are made up here: dr.lee assigns a daily mood check-in and a breathing practice to
sam; sam writes a few entries, answers today's practice and shares a journal.

The same screens in Spanish (`*-es.png`, issue 14): dra.ruiz assigns from the library with her app in Spanish (a
template is copied in the therapist's language) and lucia writes in Spanish, then both browsers start again with
Spanish as their language (es-ES), as a Spanish-speaking person's would; on a phone, light, and a few dark. The
check adds what longer words could break: no label of the tab bar cut or spilling over.

Recordings and photos (issue 15): the voice form while it records (Chromium's fake microphone) and once recorded,
the saved voice entry, a journal's form with two photos chosen, and the saved entry showing them (`client-voice-*`,
`client-journal-photos*`)."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import pytest
from pwa_browser import FAKE_MEDIA, launch, open_app
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
    "client-settings": ("client", "/app/settings", "#settings-title"),
    "client-safety-plan": ("client", "/app/safety-plan", "h1"),
    "client-crisis": ("client", "/app/crisis", "h1"),
    "client-practice": ("client", "/app/practice", "h1"),
    "client-new-sketch": ("client", "/app/entries/new?kind=sketch", "form.entry-form"),
    "client-reminders": ("client", "/app/reminders", "#reminders-title"),
    "client-lock-setup": ("client", "/app/settings/lock", "h1"),
    "therapist-clients": ("therapist", "/app/clients", "#clients-title"),
    "therapist-client": ("therapist", "/app/clients/{client}", "#client-title"),
    "therapist-invites": ("therapist", "/app/invites", "#invites-title"),
}


# The Spanish pictures: name -> (role, path, what must be on the screen, dark too).
SCREENS_ES: dict[str, tuple[str, str, str, bool]] = {
    "client-today": ("client", "/app/today", "#today-title", True),
    "client-entries": ("client", "/app/entries", "h1", False),
    "client-entry": ("client", "/app/entries/{entry}", "h1", False),
    "client-new-thought-record": ("client", "/app/entries/new?kind=thought-record", "form.entry-form", True),
    "client-todo": ("client", "/app/todo", "#todo-title", False),
    "client-progress": ("client", "/app/progress", "#progress-title", True),
    "client-more": ("client", "/app/more", "h1", False),
    "client-settings": ("client", "/app/settings", "#settings-title", False),
    "therapist-clients": ("therapist", "/app/clients", "#clients-title", False),
    "therapist-client": ("therapist", "/app/clients/{client}", "#client-title", True),
}

# Text of the tab bar (and the new-entry button) that does not fit its box: cut, or spilling over.
CUT_LABELS = """() => [...document.querySelectorAll('nav.tabs a, nav.tabs a .label')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
  .map((e) => e.textContent.trim())"""


# The two raised buttons of a phone (Safety plan, New entry) covering each other: their boxes must not meet.
OVERLAP = """() => {
  const [a, b] = ['.tabs .safety-link', '.tabs .new-entry']
    .map((s) => document.querySelector(s)?.getBoundingClientRect());
  return Boolean(a && b && a.right > b.left && b.right > a.left && a.bottom > b.top && b.bottom > a.top);
}"""


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


def assign_in_spanish(page, url: str, uid: str, template: str, handle: str, start: str) -> str:
    """A library template assigned daily from `start` on the therapist's app in Spanish: the title, instructions and
    questions are copied in the therapist's language."""
    go(page, url, f"/app/clients/{uid}/assign", "#assign-title")
    page.locator(f"a[href$='/assign/new?template={template}']").first.click()
    page.wait_for_selector("form.assign-form")
    page.get_by_label("Cada día", exact=True).check()
    page.fill("#a-start", start)
    page.get_by_role("button", name=f"Asignar a {handle}").click()
    page.wait_for_selector("#review-title")
    return path_id(page)


def sync_in_spanish(page, url: str) -> str:
    go(page, url, "/app/account", "#account-title")
    page.get_by_role("button", name="Sincronizar ahora").click()
    page.wait_for_selector("#account-title")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    return page.inner_text("[data-sync-text]")


def test_the_main_screens_in_spanish_on_a_phone(playwright_instance, tmp_path, out_dir):
    with serve_app(tmp_path) as app:
        url = app.url
        profiles = {"therapist": tmp_path / "therapist", "client": tmp_path / "client"}
        # Linked in the app's English (the shared steps find its controls by their English names)...
        t_ctx = launch(playwright_instance, profiles["therapist"], timezone_id="Europe/Madrid", locale="en-GB")
        c_ctx = launch(playwright_instance, profiles["client"], timezone_id="Europe/Madrid", locale="en-GB")
        try:
            tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
            client = linked_pair(tp, cp, "dra.ruiz", "lucia")
            today = local_day(tp)
        finally:
            t_ctx.close()
        # ... the therapist assigns in Spanish (a template is copied in the therapist's language) ...
        t_ctx = launch(playwright_instance, profiles["therapist"], timezone_id="Europe/Madrid", locale="es-ES")
        try:
            tp = open_app(t_ctx, url)
            assign_in_spanish(tp, url, client, "mood-daily", "lucia", today)
            practice = assign_in_spanish(tp, url, client, "breathing-practice", "lucia", local_day(tp, -2))
            assert sync_in_spanish(tp, url) == "Sincronizado"
        finally:
            t_ctx.close()
        # ... and the client writes in Spanish words.
        try:
            assert sync_now(cp) == "Synced"
            create_mood(cp, 6, "Dormí mejor; el paseo de la mañana me ayudó.")
            create_thought_record(
                cp, "Presentación en el trabajo el jueves", "Todos van a ver que no estoy a la altura", "ansiedad 70"
            )
            entry = path_id(cp)
            create_journal(cp, "Una tarde más tranquila", "Cociné con mi hermana. Hablamos de la mudanza sin discutir.")
            share_entry(cp, url, path_id(cp), "dra.ruiz")
            mark_done(cp, url, practice, today, {"minutes": "10"})
            assert sync_now(cp) == "Synced"
        finally:
            c_ctx.close()

        # Both start again as a Spanish-speaking person's browser: the app follows its language.
        contexts = {
            role: launch(
                playwright_instance,
                profile,
                timezone_id="Europe/Madrid",
                locale="es-ES",
                viewport={"width": 390, "height": 844},
            )
            for role, profile in profiles.items()
        }
        try:
            pages = {role: open_app(ctx, url) for role, ctx in contexts.items()}
            assert sync_in_spanish(pages["therapist"], url) == "Sincronizado"
            problems: list[str] = []
            shots = 0
            for name, (role, path, marker, dark) in SCREENS_ES.items():
                page = pages[role]
                for scheme in ("light", "dark") if dark else ("light",):
                    page.emulate_media(color_scheme=scheme)
                    go(page, "", url + path.format(entry=entry, client=client), marker)
                    page.evaluate("() => document.activeElement?.blur()")
                    assert page.evaluate("() => document.documentElement.lang") == "es", name
                    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 0:
                        problems.append(f"{name} {scheme}: {wide} px wider than the window")
                    cut = page.evaluate(CUT_LABELS)
                    if cut:
                        problems.append(f"{name} {scheme}: tab labels cut {cut}")
                    if page.evaluate(OVERLAP):
                        problems.append(f"{name} {scheme}: Safety plan and New entry cover each other")
                    file = out_dir / f"{name}-phone-{scheme}-es.png"
                    page.screenshot(path=str(file))
                    assert png_size(file) == (390, 844), file.name
                    assert file.stat().st_size > 8000, f"{file.name} looks empty"
                    shots += 1
            assert not problems, problems
            assert len(list(out_dir.glob("*-es.png"))) >= shots
            # The Spanish words are on the screens: Today's heading, the tabs.
            go(pages["client"], url, "/app/today", "#today-title")
            assert pages["client"].locator("#today-title").inner_text() == "Hoy"
            for label in ("Hoy", "Entradas", "Por hacer", "Progreso", "Más"):
                assert pages["client"].locator("nav.tabs").get_by_role("link", name=label, exact=True).count() == 1
        finally:
            for ctx in contexts.values():
                ctx.close()


# A drawing on paper as a phone photographs it: a sheet a little warm, a house, a sun, a path, in crayon colours.
PAPER_PHOTO = """async ([w, h, hue]) => { const c = document.createElement('canvas'); c.width = w; c.height = h;
  const g = c.getContext('2d'); g.fillStyle = '#8a7f72'; g.fillRect(0, 0, w, h);
  g.fillStyle = '#f4efe4'; g.fillRect(w * .08, h * .06, w * .84, h * .88);
  g.lineWidth = w / 120; g.lineCap = 'round'; g.lineJoin = 'round';
  g.strokeStyle = `hsl(${hue}, 60%, 40%)`; g.strokeRect(w * .3, h * .45, w * .4, h * .35);
  g.beginPath(); g.moveTo(w * .25, h * .47); g.lineTo(w * .5, h * .25); g.lineTo(w * .75, h * .47); g.stroke();
  g.fillStyle = '#e9b12b'; g.beginPath(); g.arc(w * .78, h * .18, w * .07, 0, 7); g.fill();
  g.strokeStyle = '#3c8a4a'; g.beginPath(); g.moveTo(w * .5, h * .8);
  g.quadraticCurveTo(w * .4, h * .88, w * .45, h * .93); g.stroke();
  const b = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
  return [...new Uint8Array(await b.arrayBuffer())]; }"""


def shoot(page, out_dir: Path, name: str, problems: list[str], at: str | None = None) -> None:
    """Every size and scheme of the screen as it is now (its state kept: nothing is loaded again); `at`: the part of
    the screen to show at the top of the window."""
    for size_name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.evaluate("() => document.activeElement?.blur()")
            page.evaluate(
                "(at) => (at ? document.querySelector(at).scrollIntoView({block: 'start'}) : scrollTo(0, 0))", at
            )
            wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                problems.append(f"{name} {size_name} {scheme}: {wide} px wider than the window")
            file = out_dir / f"{name}-{size_name}-{scheme}.png"
            page.screenshot(path=str(file))
            assert png_size(file) == (width, height), file.name
            assert file.stat().st_size > 8000, f"{file.name} looks empty"


def test_recordings_and_photos_phone_and_desktop_light_and_dark(playwright_instance, tmp_path, out_dir):
    """Issue 15: the voice form while recording and once recorded, the saved voice entry, and a journal entry with two
    photos (its form and its page)."""
    with serve_app(tmp_path) as app:
        url = app.url
        ctx = launch(playwright_instance, tmp_path / "client", timezone_id=ZONE, locale="en-GB", extra_args=FAKE_MEDIA)
        try:
            page = open_app(ctx, url)
            problems: list[str] = []
            go(page, url, "/app/entries/new?kind=voice", "form.entry-form")
            page.locator("[data-recorder][data-wired]").wait_for()
            page.get_by_role("button", name="Record", exact=True).click()
            page.get_by_role("button", name="Stop").wait_for()
            time.sleep(4)
            shoot(page, out_dir, "client-voice-recording", problems)
            page.get_by_role("button", name="Stop").click()
            page.locator("[data-attach-new]").wait_for()
            page.wait_for_timeout(200)
            shoot(page, out_dir, "client-voice-recorded", problems)
            page.fill("#f-title", "Before calling Mum")
            page.get_by_role("button", name="Save").click()
            page.locator("article h1").wait_for()
            page.wait_for_function("""() => { const a = document.querySelector('article audio');
              return Number.isFinite(a?.duration) && a.duration > 0 && !a.dataset.seeking; }""")
            shoot(page, out_dir, "client-voice-entry", problems)

            go(page, url, "/app/entries/new?kind=journal", "form.entry-form")
            page.locator("[data-photos][data-wired]").wait_for()
            paths = []
            for i, (w, h, hue) in enumerate([(1600, 1200, 10), (1200, 1600, 220)]):
                path = tmp_path / f"drawing-{i}.jpg"
                path.write_bytes(bytes(page.evaluate(PAPER_PHOTO, [w, h, hue])))
                paths.append(str(path))
            page.fill("#f-title", "Drawings from the waiting room")
            page.fill("#f-body", "I drew our old house while I waited. It felt calmer than reading.")
            page.set_input_files("[data-photos-input]", paths)
            page.wait_for_function("() => document.querySelector('[data-attach-files]').files.length === 2")
            shoot(page, out_dir, "client-journal-photos-form", problems, at=".field:has([data-photos])")
            page.get_by_role("button", name="Save").click()
            page.locator("article h1").wait_for()
            page.wait_for_function("() => [...document.querySelectorAll('article img')].every((i) => i.naturalWidth)")
            shoot(page, out_dir, "client-journal-photos", problems)
            assert not problems, problems
        finally:
            ctx.close()
