"""Browser fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright for Python."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest
from pwa_browser import CHROMIUM, EXTRA_FILES, StaticServer

from tests.conftest import start_live_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _serves_app(url: str) -> bool:
    try:
        return all(httpx.get(url + path, timeout=5).status_code == 200 for path in EXTRA_FILES)
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server when it serves every file the app needs, else web/ served the same way by a stub
    (with a warning), so the app's own tests keep running while the server side catches up."""
    try:
        server = start_live_server(tmp_path_factory.mktemp("live"))
    except Exception as exc:  # the server's own tests report why
        server = None
        warnings.warn(f"the live server did not start ({type(exc).__name__}): browser tests use a static stub",
                      stacklevel=1)
    try:
        if server is not None and _serves_app(server.url):
            yield server.url
            return
        if server is not None:
            warnings.warn("the server does not serve /vendor/* and /kinds.json yet: browser tests use a static stub",
                          stacklevel=1)
        stub = StaticServer()
        try:
            yield stub.url
        finally:
            stub.stop()
    finally:
        if server is not None:
            server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p
