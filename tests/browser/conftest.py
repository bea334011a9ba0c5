"""Browser fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright for Python."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pwa_browser import close_shared_browser, shared_contexts
from pwa_live import serve_app

# Without Chromium or Playwright the browser tests skip, or fail the run with CI=true: tests/conftest.py decides.


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server on 127.0.0.1, serving the app (pwa_live.serve_app checks every app file)."""
    with serve_app(tmp_path_factory.mktemp("live")) as app:
        yield app.url


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright  # only once a browser test runs

    with sync_playwright() as p:
        try:
            yield p
        finally:
            close_shared_browser(p)


@pytest.fixture(autouse=True)
def _close_contexts_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, the contexts it opened in the shared Chromium (pwa_browser.new_context) and left open are
    closed: the next test starts from none of its storage. Contexts of wider-scoped fixtures are left alone."""
    if "playwright_instance" not in request.fixturenames:
        yield
        return
    playwright = request.getfixturevalue("playwright_instance")
    before = set(shared_contexts(playwright))
    yield
    for context in shared_contexts(playwright):
        if context not in before:
            context.close()
