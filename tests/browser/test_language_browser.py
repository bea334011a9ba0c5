"""Languages (issue 14, item 3), in Chromium against the real server: a browser whose language is Spanish gets the app
in Spanish (its words, `<html lang>`, dates written by Intl in Spanish); the language chosen in Settings applies at
once, survives a reload and going offline, and is the only catalogue the device keeps; a language that is not on the
device cannot be chosen offline, and nothing changes; back to the device's language, Spanish again."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from pwa_browser import StaticServer, new_context, open_app, serious_violations
from pwa_care import go
from test_pwa_update import check_for_update, release

pytestmark = pytest.mark.browser

ZONE = "Europe/Madrid"
# The message catalogues each of the worker's caches keeps: {cache: [paths]}.
CACHED = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)
      .filter((p) => p.startsWith('/i18n/')).sort();
  }
  return out;
}"""
# The message catalogues the device keeps, in any of the worker's caches.
CATALOGUES = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    for (const r of await (await caches.open(name)).keys()) {
      const p = new URL(r.url).pathname;
      if (p.startsWith('/i18n/')) found.push(p);
    }
  }
  return found.sort();
}"""


@pytest.fixture
def static() -> Iterator[StaticServer]:
    """The app's files served as the server serves them (no account is needed here), a server that can be made
    unreachable: offline for the page and for the service worker alike."""
    server = StaticServer()
    try:
        yield server
    finally:
        server.stop()


# Words broken across lines inside the tab bar and the mood buttons (Spanish words are longer): each word of their
# labels must sit on one line. A word's Range has client rects on more than one line when it was broken.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const el of document.querySelectorAll('nav.tabs a, .mood-button span')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def tabs(page: Page) -> list[str]:
    return page.locator("nav.tabs").get_by_role("link").all_inner_texts()


def offline(context, server: StaticServer, gone: bool) -> None:
    context.set_offline(gone)
    server.reachable(not gone)


def settings(page: Page, more: str, settings_name: str) -> None:
    """More → Settings, by the tab's and the link's names in the language on screen."""
    page.locator("nav.tabs").get_by_role("link", name=more, exact=True).click()
    page.wait_for_selector("#more-title")
    page.get_by_role("link", name=settings_name, exact=True).click()
    page.wait_for_selector("#language-form")


def choose(page: Page, option: str, button: str, lang: str) -> None:
    """Pick a language by its label and use it: the app loads again in it, on Settings, saying so first."""
    page.get_by_role("radio", name=option, exact=True).check()
    page.evaluate("() => { document.documentElement.dataset.old = 'true'; }")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        "(lang) => !document.documentElement.dataset.old && document.documentElement.lang === lang"
        " && document.documentElement.dataset.ready === 'true'",
        arg=lang,
        timeout=20000,
    )
    page.wait_for_selector("#language-form")


def spanish_dates(page: Page) -> list[tuple[str, str]]:
    """Each <time> of the entry list with what Intl writes for its instant in Spanish (es-ES, medium date, short time,
    Madrid): both must agree."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.entries time[datetime]')].map((t) => [t.textContent.trim(),
          new Intl.DateTimeFormat('es-ES', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Madrid'})
            .format(new Date(t.getAttribute('datetime')))])"""
    )


def test_spanish_by_default_then_english_chosen_kept_offline_and_back(playwright_instance, static, tmp_path):
    url = static.url
    context = new_context(
        playwright_instance,
        locale="es-ES",
        timezone_id=ZONE,
        viewport={"width": 390, "height": 844},
    )
    try:
        page = open_app(context, url)
        # The browser's language decides: Spanish words, <html lang="es">, the window named in Spanish.
        page.wait_for_selector("#today-title")
        assert page.evaluate("() => document.documentElement.lang") == "es"
        assert page.locator("#today-title").inner_text() == "Hoy"
        assert page.title() == "Hoy – Between"
        assert page.locator("a.skip").text_content() == "Saltar al contenido"  # the shell's own words too
        for name in ("Hoy", "Entradas", "Más"):
            assert page.locator("nav.tabs").get_by_role("link", name=name, exact=True).count() == 1, tabs(page)
        assert "¿Cómo te sientes?" in page.locator("#view").inner_text()

        # Narrow phones too: no word of a tab or a mood cut in two.
        for width in (320, 360, 390):
            page.set_viewport_size({"width": width, "height": 844})
            assert page.evaluate(BROKEN_WORDS) == [], width
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") == 0

        # A quick mood check-in in Spanish; the entry list writes its time as Intl does in Spanish.
        page.get_by_role("button", name="Bien", exact=True).click()
        notice = page.locator(".notice[role=status]")
        notice.wait_for()
        assert notice.inner_text().startswith("Registro de ánimo guardado: Bien (")
        go(page, url, "/app/entries", "#entries-title")
        assert page.locator("#entries-title").inner_text() == "Tus entradas"
        assert "Registro de ánimo" in page.locator(".entries").inner_text()  # kinds.json's words in Spanish
        dates = spanish_dates(page)
        assert dates and all(shown == spanish for shown, spanish in dates), dates
        assert any(
            month in dates[0][0]
            for month in ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
        ), dates

        # The plain shell the worker serves (an invite's address, before the page asks for its view) says it too.
        shell = page.goto(url + "/invite")
        assert shell is not None and '<html lang="es">' in shell.text() and "Saltar al contenido" in shell.text()
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.evaluate("() => document.documentElement.lang") == "es"

        # Settings: "Same as this device (Español)" is the choice; each language is named in its own language.
        settings(page, "Más", "Ajustes")
        device = page.get_by_role("radio", name="El mismo que este dispositivo (Español)", exact=True)
        assert device.is_checked()
        assert page.locator("label.choice[lang='en']").inner_text().strip() == "English"
        assert page.locator("label.choice[lang='es']").inner_text().strip() == "Español"
        assert page.locator("label.choice span[lang='es']").inner_text() == "Español"
        assert serious_violations(page) == []
        assert page.evaluate(CATALOGUES) == ["/i18n/es.json"]

        # English chosen: the whole app in English at once, saying so first (focused), and English dates.
        choose(page, "English", "Usar este idioma", "en")
        assert page.locator("#settings-title").inner_text() == "Settings"
        said = page.locator(".notice[role=status][data-on-load]")
        assert said.inner_text() == "Language changed."
        assert page.evaluate("() => document.activeElement?.matches('.notice[role=status]')")
        assert page.title() == "Settings – Between"
        assert page.get_by_role("radio", name="English", exact=True).is_checked()
        assert page.get_by_role("radio", name="Same as this device (Español)", exact=True).count() == 1
        assert serious_violations(page) == []
        # Kept for offline use, and the only catalogue kept.
        page.wait_for_function(f"async () => JSON.stringify(await ({CATALOGUES})()) === '[\"/i18n/en.json\"]'")

        # It survives a reload, and going offline.
        page.reload()
        page.wait_for_selector("#settings-title")
        assert page.evaluate("() => document.documentElement.lang") == "en"
        assert page.locator("#settings-title").inner_text() == "Settings"
        assert page.locator(".notice[data-on-load]").count() == 0  # said once
        offline(context, static, True)
        go(page, url, "/app/entries", "#entries-title")
        assert page.locator("#entries-title").inner_text() == "Your entries"
        assert "Mood check-in" in page.locator(".entries").inner_text()  # the kinds' words follow the change
        assert page.evaluate("() => document.documentElement.lang") == "en"
        english = page.evaluate(
            """() => [...document.querySelectorAll('.entries time[datetime]')].map((t) => [t.textContent.trim(),
              new Intl.DateTimeFormat('en', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Madrid'})
                .format(new Date(t.getAttribute('datetime')))])"""
        )
        assert english and all(shown == want for shown, want in english), english

        # Offline, Spanish is no longer on the device: choosing it is refused in words, and nothing changes.
        go(page, url, "/app/settings", "#language-form")
        page.get_by_role("radio", name="Español", exact=True).check()
        page.get_by_role("button", name="Use this language", exact=True).click()
        alert = page.locator("#language-error[role=alert]")
        alert.wait_for()
        assert alert.inner_text().startswith("Español is not on this device yet, and it cannot be fetched now.")
        assert page.evaluate("() => document.documentElement.lang") == "en"
        go(page, url, "/app/settings", "#language-form")
        assert page.get_by_role("radio", name="English", exact=True).is_checked()

        # Online again: back to the device's language, Spanish, which holds offline in turn.
        offline(context, static, False)
        choose(page, "Same as this device (Español)", "Use this language", "es")
        assert page.locator(".notice[data-on-load]").inner_text() == "Idioma cambiado."
        assert page.get_by_role("radio", name="El mismo que este dispositivo (Español)", exact=True).is_checked()
        page.wait_for_function(f"async () => JSON.stringify(await ({CATALOGUES})()) === '[\"/i18n/es.json\"]'")
        offline(context, static, True)
        go(page, url, "/app/entries", "#entries-title")
        assert page.locator("#entries-title").inner_text() == "Tus entradas"
        dates = spanish_dates(page)
        assert dates and all(shown == spanish for shown, spanish in dates), dates
        # The setting itself: none kept (the device decides).
        stored = page.evaluate(
            """() => new Promise((done) => { const open = indexedDB.open('between');
              open.onsuccess = () => { const r = open.result.transaction('meta').objectStore('meta').get('settings');
                r.onsuccess = () => done(JSON.stringify(r.result ?? null)); }; })"""
        )
        assert "language" not in (json.loads(stored) or {}), stored
    finally:
        context.close()


def test_an_update_keeps_the_chosen_language_and_only_it_offline_too(playwright_instance, static, tmp_path):
    context = new_context(playwright_instance, locale="es-ES", timezone_id=ZONE)
    try:
        page = open_app(context, static.url)
        go(page, static.url, "/app/settings", "#language-form")
        choose(page, "English", "Usar este idioma", "en")
        page.wait_for_function(f"async () => JSON.stringify(await ({CATALOGUES})()) === '[\"/i18n/en.json\"]'")

        # A new version installs beside the running one: it precaches the language in use, not the browser's.
        release(static, "test-language-next")
        check_for_update(page)
        page.wait_for_selector("#app-update button", timeout=30000)
        assert page.evaluate(CACHED)["between-shell-test-language-next"] == ["/i18n/en.json"]

        # Taken offline, in English, from the new version's cache.
        offline(context, static, True)
        page.evaluate("() => { window.__samePage = true; }")
        page.get_by_role("button", name="Update now").click()
        page.wait_for_function(
            "() => window.__samePage === undefined && document.documentElement.dataset.ready === 'true'",
            timeout=30000,
        )
        assert list(page.evaluate(CACHED)) == ["between-shell-test-language-next"]
        go(page, static.url, "/app/today", "#today-title")
        assert page.evaluate("() => document.documentElement.lang") == "en"
        assert page.locator("#today-title").inner_text() == "Today"
    finally:
        context.close()


def test_other_open_windows_follow_the_change_unless_they_hold_unsaved_input(playwright_instance, static, tmp_path):
    context = new_context(playwright_instance, locale="es-ES", timezone_id=ZONE)
    try:
        chooser = open_app(context, static.url)
        other = context.new_page()
        other.goto(static.url + "/app/today")
        other.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        writing = context.new_page()
        writing.goto(static.url + "/app/entries/new?kind=journal")
        writing.wait_for_selector("form.entry-form")
        writing.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        writing.fill("#f-body", "Escrito antes del cambio")
        other.evaluate("() => { window.__samePage = true; }")
        writing.evaluate("() => { window.__samePage = true; }")

        go(chooser, static.url, "/app/settings", "#language-form")
        choose(chooser, "English", "Usar este idioma", "en")
        # The window showing Today loads again, in English.
        other.wait_for_function(
            "() => window.__samePage === undefined && document.documentElement.lang === 'en'"
            " && document.documentElement.dataset.ready === 'true'",
            timeout=20000,
        )
        other.wait_for_selector("#today-title")
        assert other.locator("#today-title").inner_text() == "Today"
        # The one with unsaved input keeps it (and its page): it follows at its next page load.
        assert writing.evaluate("() => window.__samePage") is True
        assert writing.input_value("#f-body") == "Escrito antes del cambio"
        assert writing.evaluate("() => document.documentElement.lang") == "es"
    finally:
        context.close()
