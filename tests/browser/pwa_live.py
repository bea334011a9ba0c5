"""The app and the real server on one origin, for browser tests that sync: the server itself when it serves
the app's vendor files, else a small same-origin front that serves those files and forwards the rest."""

from __future__ import annotations

import threading
from contextlib import contextmanager
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pwa_browser import EXTRA_FILES

from server.web import SECURITY_HEADERS
from tests.conftest import LiveServer, start_live_server

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


class _Front(BaseHTTPRequestHandler):
    backend: str = ""
    protocol_version = "HTTP/1.1"

    def _serve_file(self, path: Path) -> None:
        body = path.read_bytes()
        self.send_response(200)
        ctype = "application/json" if path.suffix == ".json" else "text/javascript"
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        clean = self.path.split("?", 1)[0]
        if clean in EXTRA_FILES:
            self._serve_file(EXTRA_FILES[clean])
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        # The Host header is kept, so the server signs and checks auth transcripts for this origin.
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP - {"host"}}
        with httpx.Client(timeout=60) as client:
            answer = client.request(self.command, self.backend + self.path, headers=headers, content=body)
        data = answer.content
        self.send_response(answer.status_code)
        for name, value in answer.headers.multi_items():
            if name.lower() not in HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _forward

    def log_message(self, *args: object) -> None:  # quiet
        pass


@dataclass
class LiveApp:
    """`url` is the origin the browser and the CLI use; `server` the real server behind it (data_dir, log)."""

    url: str
    server: LiveServer


def _serves_app(url: str) -> bool:
    try:
        return all(httpx.get(url + path, timeout=5).status_code == 200 for path in EXTRA_FILES)
    except httpx.HTTPError:
        return False


@contextmanager
def serve_app(root: Path, extra_env: dict[str, str] | None = None) -> Iterator[LiveApp]:
    server = start_live_server(root, extra_env)
    try:
        if _serves_app(server.url):
            yield LiveApp(server.url, server)
            return
        warnings.warn("the server does not serve /vendor/* and /kinds.json yet: a same-origin front serves them",
                      stacklevel=1)
        handler = type("Front", (_Front,), {"backend": server.url})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveApp(f"http://127.0.0.1:{httpd.server_address[1]}", server)
        finally:
            httpd.shutdown()
            httpd.server_close()
    finally:
        server.stop()


@pytest.fixture
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with serve_app(tmp_path_factory.mktemp("live")) as app:
        yield app


@pytest.fixture
def live_app_short_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Sessions that expire after 3 seconds: a device must renew its own with its device key."""
    with serve_app(tmp_path_factory.mktemp("live"), {"BETWEEN_SESSION_TTL": "3"}) as app:
        yield app


# ---------------------------------------------------------------- what a person does on the Sync screens

PASSPHRASE = "quiet-harbour-maple-seventeen"


def go_sync(page) -> None:
    # Marked first: when already on this screen, the old heading must not satisfy the wait (see go_entries).
    page.evaluate("() => document.getElementById('account-title')?.setAttribute('data-old', '')")
    page.get_by_role("link", name="Sync", exact=True).click()
    page.wait_for_selector("#account-title:not([data-old])")


def turn_on_sync(page, handle: str, passphrase: str = PASSPHRASE) -> str:
    """Create the account from this device's keys; returns the recovery key shown once, after confirming it."""
    go_sync(page)
    page.fill("#a-handle", handle)
    page.fill("#a-pass", passphrase)
    page.fill("#a-pass2", passphrase)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector("#recovery-title, #signup-form [role='alert']:not([hidden])", timeout=60000)
    assert page.locator("#recovery-title").count() == 1, page.inner_text("#signup-form [role='alert']")
    key = page.inner_text(".recovery-key code").strip()
    page.check("#r-written")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("#account-title")
    return key


def sign_in(page, handle: str, passphrase: str | None = PASSPHRASE, recovery: str | None = None) -> str:
    """Sign in on this device; returns the alert text on failure, '' on success."""
    go_sync(page)
    page.fill("#s-handle", handle)
    if recovery is not None:
        page.check("input[name='method'][value='recovery']")
        page.fill("#s-recovery", recovery)
    else:
        page.fill("#s-pass", passphrase or "")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#in-title, #signin-form [role='alert']:not([hidden])", timeout=60000)
    if page.locator("#in-title").count():
        return ""
    return page.inner_text("#signin-form [role='alert']")


def sync_now(page) -> str:
    """Press "Sync now" and return the status the Sync screen shows once the run has finished."""
    go_sync(page)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_selector("#account-title")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    return page.inner_text("[data-sync-text]")
