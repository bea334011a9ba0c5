"""The web app as shipped: the minified build is served by default, `--dev` serves the sources, and a server without its
web app's files refuses to start with a message naming them and the command that makes them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from litestar.testing import TestClient

from between.server.__main__ import dev_web_dir
from between.server.app import create_app
from between.server.settings import BUILT_WEB_DIR, IN_CHECKOUT, WEB_DIR, Settings
from between.server.web import missing_files, served_files
from tests.conftest import ROOT


def _serve(tmp_path, web_dir, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "BETWEEN_WEB_DIR": str(web_dir)}
    return subprocess.run(
        [sys.executable, "-m", "between.server", "--port", "1", "--data", str(tmp_path / "data"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_web_app_without_its_vendor_files_stops_the_server_with_the_command_that_makes_them(tmp_path):
    web = tmp_path / "web"
    shutil.copytree(WEB_DIR, web, ignore=shutil.ignore_patterns("node_modules", "dist", "test"))
    done = _serve(tmp_path, web)
    assert done.returncode == 2
    message = done.stderr.strip()
    assert message.startswith(f"between: the web app in {web} is incomplete: missing vendor/")
    assert "sw-classic.js" in message and "npm ci" in message
    assert not (tmp_path / "data").exists()  # nothing was started, nothing written


def test_an_empty_web_dir_stops_the_server_naming_the_page(tmp_path):
    done = _serve(tmp_path, tmp_path / "nothing")
    assert done.returncode == 2
    assert "missing index.html, sw.js, manifest.webmanifest, i18n/en.json" in done.stderr and "npm ci" in done.stderr


@pytest.mark.skipif(not IN_CHECKOUT, reason="a checkout's layout (web/ and web/dist/)")
def test_a_checkout_serves_the_minified_build_by_default_and_the_sources_with_dev(tmp_path):
    assert BUILT_WEB_DIR == WEB_DIR / "dist"
    assert Settings().web_dir == str(BUILT_WEB_DIR)
    assert dev_web_dir() == str(WEB_DIR)
    if missing_files(BUILT_WEB_DIR):
        pytest.skip("web/dist/ is not built here (cd web && npm ci)")
    settings = Settings.from_mapping({"data_dir": str(tmp_path / "data")})
    with TestClient(create_app(settings)) as c:
        served = c.get("/js/page/app.js")
        assert served.status_code == 200
        assert served.content == (BUILT_WEB_DIR / "js" / "page" / "app.js").read_bytes()
        assert len(served.content) < len((WEB_DIR / "js" / "page" / "app.js").read_bytes())  # minified
        assert c.get("/vendor/htmx.js").status_code == 200
    dev = Settings.from_mapping({"data_dir": str(tmp_path / "data2"), "web_dir": dev_web_dir()})
    with TestClient(create_app(dev)) as c:
        assert c.get("/js/page/app.js").content == (WEB_DIR / "js" / "page" / "app.js").read_bytes()


def test_the_build_copies_every_folder_the_sources_serve():
    """web/tools/build.js names the folders and files it builds; a folder the server serves from web/ that the list
    lacks would be missing from every installed server (its list once lacked i18n/, the message catalogues)."""
    build = (WEB_DIR / "tools" / "build.js").read_text()
    listed = set(re.findall(r"'([^']+)'", re.search(r"const SERVED = \[([^\]]*)\]", build).group(1)))
    served = {url.split("/", 1)[0] for url in served_files(WEB_DIR, {})}
    assert served - listed == set()
