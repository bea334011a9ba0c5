"""A new version of the app is offered, never forced: the waiting worker takes over only when the person chooses,
and never while a form holds unsaved input."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pwa_browser import SERVED, StaticServer, launch, new_context, open_app, serious_violations, served_worker
from pwa_screens import entry_summaries, save, start_entry

from between.server.web import extra_files, served_files, shell_version

pytestmark = pytest.mark.browser

NOTICE = "#app-update"
CACHES = "async () => (await caches.keys()).filter((n) => n.startsWith('between-shell-')).sort()"
# A page marked with window.__samePage was replaced by a fresh load, and that one has started.
RELOADED = "() => window.__samePage === undefined && document.documentElement.dataset.ready === 'true'"
# What the page asked of service workers (the postMessage spy of the test below), kept across its reload.
POSTED = "() => JSON.parse(sessionStorage.getItem('posted') ?? '[]')"
# The version of the worker that controls the page, as it says itself.
RUNNING = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data }) => resolve(data);
  navigator.serviceWorker.controller.postMessage({ type: 'version' }, [channel.port2]);
})"""


@pytest.fixture
def releases() -> Iterator[StaticServer]:
    """web/ served with headers as the server sends them, and a /sw.js the test can change: a release.
    (Playwright's routing does not see a service worker's own script fetch, so the change is made server side.)"""
    server = StaticServer()
    try:
        yield server
    finally:
        server.stop()


def current_version() -> str:
    """The version the server gives the files it serves (sw.js's VERSION as served)."""
    return shell_version(served_files(SERVED, extra_files(SERVED)))


def release(server: StaticServer, version: str) -> None:
    """From now on the server's /sw.js is the worker it serves with another VERSION: a new release of the app.
    The served file may be the minified build, so the version's value is what is replaced."""
    served = served_worker().decode()
    literals = re.findall(rf"""(['"]){re.escape(current_version())}\1""", served)
    assert len(literals) == 1, "sw.js no longer declares its VERSION the way this test bumps it"
    server.release(served.replace(current_version(), version))


def check_for_update(page) -> None:
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")


def test_update_waits_for_the_person_and_for_unsaved_input(playwright_instance, releases, tmp_path):
    current = current_version()
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, releases.url)
        assert page.evaluate(CACHES) == [f"between-shell-{current}"]
        assert page.evaluate(RUNNING) == current
        assert page.inner_text(NOTICE).strip() == ""

        # The person is writing when the new version arrives.
        start_entry(page, "Journal")
        page.fill("#f-title", "Half-written thought")
        page.fill("#f-body", "Typed before the update arrived.")
        page.evaluate("() => { window.__samePage = true; }")
        release(releases, "test-next")
        check_for_update(page)
        page.wait_for_selector(f"{NOTICE} button", timeout=30000)
        notice = page.locator(NOTICE)
        assert "A new version of Between is ready" in notice.inner_text()
        assert notice.get_attribute("role") == "status"
        # Non-modal: the form is still there, usable, with everything typed; the old worker still answers.
        assert page.input_value("#f-title") == "Half-written thought"
        assert page.input_value("#f-body") == "Typed before the update arrived."
        waiting = "async () => !!(await navigator.serviceWorker.getRegistration()).waiting"
        assert page.evaluate(waiting)

        # "Update now" with unsaved input: nothing is taken over, nothing reloads, the input stays. The page decides
        # in one step (app.js apply): it says "Save or cancel" instead of asking the waiting worker to take over, so
        # the messages it posts to workers show the decision without waiting for something not to happen (kept in
        # sessionStorage, so the reload after Save can show the spy does see the one that asks).
        page.evaluate("""() => {
          const post = ServiceWorker.prototype.postMessage;
          ServiceWorker.prototype.postMessage = function (message, ...rest) {
            const seen = JSON.parse(sessionStorage.getItem('posted') ?? '[]');
            sessionStorage.setItem('posted', JSON.stringify([...seen, message?.type ?? null]));
            return post.call(this, message, ...rest);
          };
        }""")
        page.get_by_role("button", name="Update now").click()
        page.wait_for_function(f"() => document.querySelector('{NOTICE}').textContent.includes('Save or cancel')")
        assert "update-now" not in page.evaluate(POSTED)
        assert page.evaluate("() => window.__samePage === true")
        assert page.evaluate(waiting)
        assert page.evaluate(RUNNING) == current
        assert page.input_value("#f-body") == "Typed before the update arrived."
        page.fill("#f-body", "Typed before the update arrived. And after.")

        # Saving leaves the form: the chosen update goes ahead then, and the entry is kept.
        save(page)
        page.wait_for_function(RELOADED, timeout=30000)
        assert "update-now" in page.evaluate(POSTED)  # asked once the form was left
        assert page.evaluate(RUNNING) == "test-next"
        assert page.evaluate(CACHES) == ["between-shell-test-next"]
        assert not page.evaluate(waiting)
        assert entry_summaries(page) == ["Half-written thought"]
        page.get_by_role("link", name="Half-written thought").click()
        page.wait_for_selector("article h1")
        assert "And after." in page.inner_text("article")

        # With nothing unsaved, "Update now" applies at once.
        release(releases, "test-after")
        check_for_update(page)
        page.wait_for_selector(f"{NOTICE} button", timeout=30000)
        page.evaluate("() => { window.__samePage = true; }")
        page.get_by_role("button", name="Update now").click()
        page.wait_for_function(RELOADED, timeout=30000)
        assert page.evaluate(RUNNING) == "test-after"
        assert page.evaluate(CACHES) == ["between-shell-test-after"]
        assert page.inner_text(NOTICE).strip() == ""
    finally:
        ctx.close()


def test_an_unchosen_update_applies_at_the_next_cold_start(playwright_instance, releases, tmp_path):
    profile = tmp_path / "profile"
    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, releases.url)
        release(releases, "test-cold")
        check_for_update(page)
        page.wait_for_selector(f"{NOTICE} button", timeout=30000)
    finally:
        ctx.close()
    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, releases.url)
        # The browser activated the waiting worker when no window was left; its version now runs.
        assert page.evaluate(RUNNING) == "test-cold"
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_update_notice_is_accessible(playwright_instance, releases, tmp_path, scheme):
    ctx = new_context(playwright_instance, color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, releases.url)
        release(releases, f"test-{scheme}")
        check_for_update(page)
        page.wait_for_selector(f"{NOTICE} button", timeout=30000)
        assert serious_violations(page) == []
        # Reachable from the keyboard, named for what it does.
        button = page.get_by_role("button", name="Update now")
        button.focus()
        assert page.evaluate("() => document.activeElement.textContent") == "Update now"
    finally:
        ctx.close()
