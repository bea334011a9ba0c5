"""Browser fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright for Python."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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
        yield p
