"""Another website cannot make the app act: a navigation into the app reaches its service worker from anywhere, so
one that would change something or save a decrypted copy is carried out only when the app's own page started it."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pwa_browser import new_context, open_app
from pwa_screens import create_journal, entry_summaries

from between.server.web import CSP

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_site(tmp_path, app_url):
    """A page on another origin (another port) with what an attacker would put on it: forms posting into the app
    and a link to the app's export, each waiting for the person's click."""
    root = tmp_path / "elsewhere"
    root.mkdir()
    (root / "index.html").write_text(f"""<!doctype html><title>Free quiz</title>
<form action="{app_url}/app/entries" method="post"><input type="hidden" name="kind" value="journal">
  <input type="hidden" name="f.body" value="Written by another site"><button id="write">Start the quiz</button></form>
<form action="{app_url}/app/account/forget" method="post"><input type="hidden" name="confirm" value="yes">
  <button id="forget">See your result</button></form>
<a id="copy" href="{app_url}/app/export/between-entries.txt">Share your result</a>
""")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_cannot_write_forget_or_export(playwright_instance, app_url, other_site, tmp_path):
    ctx = new_context(playwright_instance, accept_downloads=True)
    downloads = []
    try:
        page = open_app(ctx, app_url)
        # A function of our own: Playwright marks the handler it is given, which a builtin method cannot carry.
        page.on("download", lambda d: downloads.append(d))  # noqa: PLW0108
        create_journal(page, "Mine", "kept on this device")
        # The pages the worker makes carry the server's Content-Security-Policy, not only the first load's shell.
        response = page.goto(app_url + "/app/entries")
        assert response.headers.get("content-security-policy") == CSP
        page.wait_for_selector("#entries-title")

        for button in ("#write", "#forget", "#copy"):
            page.goto(other_site + "/")
            with page.expect_navigation() as nav:
                page.click(button)
            assert nav.value.status == 403, button
            page.wait_for_selector("#foreign-title")
            assert "Nothing was changed" in page.inner_text("main")
        assert downloads == []

        page = open_app(ctx, app_url)
        assert entry_summaries(page) == ["Mine"], "nothing written, nothing forgotten"

        # The app's own page may still post a form the ordinary way (before htmx has loaded, say).
        page.evaluate("""() => {
          const form = Object.assign(document.createElement('form'), { method: 'post', action: '/app/entries' });
          for (const [name, value] of [['kind', 'journal'], ['f.body', 'Posted by the app itself']]) {
            form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
          }
          document.body.append(form);
          form.submit();
        }""")
        page.wait_for_url("**/app/entries/*")
        assert "Posted by the app itself" in page.inner_text("main")
    finally:
        ctx.close()
