"""Serving the app to Chromium and launching it: shared by the browser tests and their fixtures."""

from __future__ import annotations

import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from server.web import SECURITY_HEADERS

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

# URL -> file mappings the app needs beyond web/ itself (server/web.py is asked to serve the same).
EXTRA_FILES = {
    "/vendor/htmx.js": WEB / "node_modules" / "htmx.org" / "dist" / "htmx.esm.min.js",
    "/vendor/argon2.js": WEB / "node_modules" / "hash-wasm" / "dist" / "argon2.umd.min.js",
    "/kinds.json": ROOT / "sync" / "kinds.json",
}


class _Handler(SimpleHTTPRequestHandler):
    """web/ as the real server serves it: same headers, the shell for /app/*, the vendor files mapped."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean in EXTRA_FILES:
            return str(EXTRA_FILES[clean])
        if clean == "/" or clean == "/app" or clean.startswith("/app/"):
            return str(WEB / "index.html")
        if clean.startswith(("/node_modules", "/test", "/tools", "/package")):
            return str(WEB / "missing")
        return str(WEB / clean.lstrip("/"))

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


_Handler.extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                           ".webmanifest": "application/manifest+json", ".json": "application/json"}


class StaticServer:
    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def launch(playwright_instance, profile: Path, **options):
    """A persistent Chromium profile: closing and relaunching it is what a person closing the app does."""
    return playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS, **options)


def open_app(context, url: str, path: str = "/"):
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + path)
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=20000)
    return page
