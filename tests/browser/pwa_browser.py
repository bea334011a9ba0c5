"""Serving the app to Chromium and launching it: shared by the browser tests and their fixtures."""

from __future__ import annotations

import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from between.server.web import SECURITY_HEADERS, extra_files, worker_script
from tests import environment

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
# What is served: web/ as written, or the tree the server is pointed at (BETWEEN_WEB_DIR=web/dist, the minified build
# of tools/build.js), so the tests run against exactly the files the browser gets.
SERVED = Path(os.environ.get("BETWEEN_WEB_DIR") or WEB).resolve()
CHROMIUM = environment.CHROMIUM  # /usr/bin/chromium unless CHROMIUM names another
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# A microphone (and camera) that Chromium makes up, allowed without asking: what the voice recorder's tests record.
# Without the second, the page asks, and headless Chromium answers no (the refused-microphone test).
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# URL -> file mappings the app needs beyond web/ itself (server/web.py is asked to serve the same).
EXTRA_FILES = {
    "/vendor/htmx.js": SERVED / "node_modules" / "htmx.org" / "dist" / "htmx.esm.min.js",
    "/vendor/argon2.js": SERVED / "node_modules" / "hash-wasm" / "dist" / "argon2.umd.min.js",
    "/vendor/qrcode.js": SERVED / "node_modules" / "qrcode-generator" / "dist" / "qrcode.mjs",
    "/kinds.json": ROOT / "sync" / "kinds.json",
    "/templates.json": ROOT / "sync" / "templates.json",
}


class _Handler(SimpleHTTPRequestHandler):
    """web/ as the real server serves it: same headers, the shell for /app/*, the vendor files mapped."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean in EXTRA_FILES:
            return str(EXTRA_FILES[clean])
        if clean == "/" or clean == "/app" or clean.startswith("/app/"):
            return str(SERVED / "index.html")
        if clean.startswith(("/node_modules", "/test", "/tools", "/package")):
            return str(SERVED / "missing")
        return str(SERVED / clean.lstrip("/"))

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


_Handler.extensions_map = {
    **SimpleHTTPRequestHandler.extensions_map,
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
}


def served_worker() -> bytes:
    """/sw.js as the server answers it: with the version of the files served (server/web.py worker_script)."""
    return worker_script(SERVED, extra_files(SERVED))


class _Releasing(_Handler):
    """The same, with /sw.js answered from `worker` when set: a new release of the app, for the update tests."""

    worker: bytes | None = None
    down = False

    def do_GET(self) -> None:
        if self.down:  # unreachable: the connection closes with no answer, as a network that is gone
            self.close_connection = True
            return
        if self.path.split("?", 1)[0] != "/sw.js":
            super().do_GET()
            return
        worker = served_worker() if self.worker is None else self.worker
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(worker)))
        self.end_headers()
        self.wfile.write(worker)


class StaticServer:
    """web/ served as the server serves it; `release(source)` makes /sw.js answer with another worker."""

    def __init__(self) -> None:
        self.handler = type("Handler", (_Releasing,), {})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def release(self, worker_source: str) -> None:
        self.handler.worker = worker_source.encode()

    def reachable(self, up: bool) -> None:
        """Whether the server answers: down, every fetch fails (the service worker's too, which Playwright's
        set_offline does not reach)."""
        self.handler.down = not up

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        page.evaluate(AXE.read_text() + "\n;undefined")
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
          .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }""")


def launch(playwright_instance, profile: Path, *, extra_args: list[str] | None = None, **options):
    """A Chromium of its own on a persistent profile directory: closing and relaunching it is what a person closing
    the app does, and the files Chromium writes there can be read. It starts a browser (seconds on a loaded machine):
    a test that needs neither a relaunch nor the profile's files takes new_context instead. `extra_args`: more
    switches (FAKE_MEDIA)."""
    return playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS + (extra_args or []), **options
    )


_SHARED: dict[int, Browser] = {}  # id(playwright instance) -> its one Chromium for new_context


def shared_browser(playwright_instance) -> Browser:
    """The one Chromium of this pytest process (of each xdist worker), started on first use, again if it has died;
    closed with the Playwright session (tests/browser/conftest.py)."""
    browser = _SHARED.get(id(playwright_instance))
    if browser is None or not browser.is_connected():
        browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        _SHARED[id(playwright_instance)] = browser
    return browser


def shared_contexts(playwright_instance) -> list:
    """The contexts open now in the shared Chromium (none before it has started)."""
    browser = _SHARED.get(id(playwright_instance))
    return list(browser.contexts) if browser is not None and browser.is_connected() else []


def close_shared_browser(playwright_instance) -> None:
    browser = _SHARED.pop(id(playwright_instance), None)
    if browser is not None and browser.is_connected():
        browser.close()


def new_context(playwright_instance, **options):
    """A fresh browser context in the shared Chromium: a profile of its own kept in memory (IndexedDB, caches,
    localStorage, cookies, service workers, permissions, offline state and the options given, e.g. viewport, locale,
    timezone_id, accept_downloads), isolated from every other context and gone once closed. It opens with one page,
    as launch() does. Not for a test that closes and relaunches the app, or reads the profile's files, or asks
    whether the app is installable (Chromium never installs from a profile it keeps in memory): those take launch().
    A context the test leaves open is closed after it (tests/browser/conftest.py)."""
    context = shared_browser(playwright_instance).new_context(**options)
    context.new_page()
    return context


def open_app(context, url: str, path: str = "/"):
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + path)
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=20000)
    return page
