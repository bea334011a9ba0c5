"""Browser fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright for Python."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pwa_browser import CHROMIUM
from pwa_live import serve_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server on 127.0.0.1, serving the app (pwa_live.serve_app checks every app file)."""
    with serve_app(tmp_path_factory.mktemp("live")) as app:
        yield app.url


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p
