"""The web app as shipped: the minified build is served by default, `--dev` serves the sources, and a server without its
web app's files refuses to start with a message naming them and the command that makes them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import httpx
import pytest
from litestar.testing import TestClient

from between.server.__main__ import dev_web_dir
from between.server.app import create_app
from between.server.settings import BUILT_WEB_DIR, IN_CHECKOUT, WEB_DIR, Settings
from between.server.web import missing_files, served_files
from tests.conftest import ROOT, free_port


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


@pytest.mark.slow
@pytest.mark.skipif(not IN_CHECKOUT, reason="builds the wheel from a checkout")
def test_a_server_installed_from_the_wheel_serves_the_built_app_it_ships(tmp_path):
    """The wheel as pip builds it, installed apart from the checkout's editable install: its between/web/ is the
    minified build, served by default; `--dev` has no sources to serve there."""
    if missing_files(BUILT_WEB_DIR):
        pytest.skip("web/dist/ is not built here (cd web && npm ci)")
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("between-*.whl")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    shipped = target / "between" / "web"
    assert (shipped / "js" / "page" / "app.js").read_bytes() == (BUILT_WEB_DIR / "js" / "page" / "app.js").read_bytes()
    assert missing_files(shipped) == []
    # Run it from the installed copy only: no site processing (the checkout's editable finder is a .pth), the
    # dependencies from this environment's site-packages.
    site_packages = next(p for p in sys.path if p.endswith("site-packages"))
    run = (
        f"import sys; sys.path[:0] = [{str(target)!r}, {site_packages!r}]; import runpy, between.server; "
        "print('from', *between.server.__path__, file=sys.stderr, flush=True); "
        "runpy.run_module('between.server', run_name='__main__')"
    )
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "BETWEEN_RATE_LIMIT": "off"}
    dev = subprocess.run(
        [sys.executable, "-S", "-c", run, "--dev", "--port", str(port), "--data", str(tmp_path / "d")],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert dev.returncode == 2 and "holds only the built app" in dev.stderr
    proc = subprocess.Popen(
        [sys.executable, "-S", "-c", run, "--port", str(port), "--data", str(tmp_path / "d")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        served = None
        while time.monotonic() < deadline and served is None:
            try:
                served = httpx.get(f"http://127.0.0.1:{port}/js/page/app.js", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.1)
        assert served is not None and served.status_code == 200
        assert served.content == (shipped / "js" / "page" / "app.js").read_bytes()
        module = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
        assert module.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert proc.stderr is not None
    assert f"from {target / 'between' / 'server'}" in proc.stderr.read().decode()  # the installed copy ran
