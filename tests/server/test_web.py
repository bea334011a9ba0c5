"""The PWA's static files: security headers, MIME types, caching, app-shell routes, nothing else served."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from between.server.settings import WEB_DIR
from between.server.web import (
    CLASSIC_WORKER,
    CSP,
    FALLBACK_INDEX,
    VENDOR,
    VERSION_MARK,
    extra_files,
    served_files,
    shell_version,
)
from between.sync.core.kinds import KINDS_JSON
from tests.conftest import start_live_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(api_factory, tmp_path):
    web = tmp_path / "web"
    (web / "js" / "core").mkdir(parents=True)
    (web / "node_modules" / "x").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>Between app shell</title>")
    (web / "sw.js").write_text("const VERSION = '__SHELL_VERSION__';\nself.addEventListener('fetch', () => {});")
    (web / "js" / "app.mjs").write_text("export {};")
    (web / "js" / "main.js").write_text("console.log(1);")
    (web / "js" / "core" / "bytes.js").write_text("export const nested = 1;")  # web/js is in folders
    (web / "manifest.webmanifest").write_text("{}")
    (web / "kinds.json").write_text("{}")
    (web / "crypto.wasm").write_bytes(b"\0asm\1\0\0\0")
    (web / "node_modules" / "x" / "index.js").write_text("secret tooling")
    (web / "package.json").write_text("{}")
    (web / ".env").write_text("TOKEN=1")
    (tmp_path / "outside.html").write_text("outside")
    return api_factory(web_dir=str(web)).c


def test_security_headers_on_every_page(site):
    for path in ("/", "/sw.js", "/js/app.mjs", "/js/core/bytes.js", "/invite", "/app/journal/3"):
        r = site.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-security-policy"] == CSP
        assert "script-src 'self' 'wasm-unsafe-eval'" in CSP and "frame-ancestors 'none'" in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path, mime",
    [
        ("/", "text/html"),
        ("/js/app.mjs", "text/javascript"),
        ("/js/main.js", "text/javascript"),
        ("/js/core/bytes.js", "text/javascript"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/crypto.wasm", "application/wasm"),
        ("/kinds.json", "application/json"),
        ("/sw.js", "text/javascript"),
    ],
)
def test_mime_types(site, path, mime):
    assert site.get(path).headers["content-type"].split(";")[0] == mime


def test_caching_and_service_worker_scope(site):
    sw = site.get("/sw.js")
    assert sw.headers["service-worker-allowed"] == "/" and sw.headers["cache-control"] == "no-cache"
    assert site.get("/").headers["cache-control"] == "no-cache"
    assert "service-worker-allowed" not in site.get("/js/main.js").headers
    assert site.get("/js/core/bytes.js").headers["cache-control"] == site.get("/js/main.js").headers["cache-control"]
    assert site.get("/api/v1/health").headers["cache-control"] == "no-store"


def test_app_shell_routes(site):
    shell = site.get("/").text
    assert "Between app shell" in shell
    for path in ("/invite", "/app", "/app/entries/123", "/invite/"):
        assert site.get(path).text == shell, path


@pytest.mark.parametrize(
    "path",
    [
        "/node_modules/x/index.js",
        "/package.json",
        "/.env",
        "/../outside.html",
        "/js/../../outside.html",
        "/%2e%2e/outside.html",
        "/missing.js",
        "/js",
    ],
)
def test_nothing_outside_the_app_is_served(site, path):
    r = site.get(path)
    assert r.status_code == 404, path
    assert "secret tooling" not in r.text and "TOKEN" not in r.text and r.text != "outside"


def test_built_in_page_without_web_dir(api_factory, tmp_path):
    c = api_factory(web_dir=str(tmp_path / "empty")).c
    r = c.get("/invite")
    assert r.status_code == 200 and r.content == FALLBACK_INDEX
    assert r.headers["content-security-policy"] == CSP


def test_openapi_schema_lists_the_data_api_only(api):
    paths = api.c.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/sync/push" in paths and "/api/v1/auth/login" in paths
    assert all(p.startswith("/api/v1/") for p in paths)
    assert "requestBody" in paths["/api/v1/sync/push"]["post"]


def test_vendor_files_and_kinds_are_mapped(api_factory, tmp_path):
    web = tmp_path / "web"
    (web / "node_modules" / "htmx.org" / "dist").mkdir(parents=True)
    (web / "node_modules" / "hash-wasm" / "dist").mkdir(parents=True)
    (web / "node_modules" / "htmx.org" / "dist" / "htmx.esm.min.js").write_text("export default {};")
    (web / "node_modules" / "hash-wasm" / "dist" / "argon2.umd.min.js").write_text("globalThis.hashwasm = {};")
    (web / "tools").mkdir()
    (web / "tools" / "make-icons.js").write_text("tooling")
    c = api_factory(web_dir=str(web)).c
    htmx = c.get("/vendor/htmx.js")
    assert htmx.status_code == 200 and htmx.text == "export default {};"
    assert htmx.headers["content-type"].startswith("text/javascript")
    assert c.get("/vendor/argon2.js").text == "globalThis.hashwasm = {};"
    kinds = c.get("/kinds.json")
    assert kinds.status_code == 200 and kinds.headers["content-type"].startswith("application/json")
    assert kinds.content == KINDS_JSON.read_bytes()
    assert c.get("/vendor/other.js").status_code == 404
    assert c.get("/tools/make-icons.js").status_code == 404
    assert c.get("/node_modules/htmx.org/dist/htmx.esm.min.js").status_code == 404


def test_the_vendor_files_are_one_list(tmp_path):
    """server/vendor.json is the only list of the npm files: the server maps it, the build copies what it names
    (web/tools/build.js keeps no path of its own), each is a runtime dependency, and docs/WEB.md shows it."""
    # (and the classic worker, built from web/ itself: test_the_classic_worker_is_served_from_dist_…)
    assert set(extra_files(tmp_path)) == {*VENDOR, "kinds.json", "templates.json", CLASSIC_WORKER}
    assert all(extra_files(tmp_path)[url] == tmp_path / path for url, path in VENDOR.items())
    build = (ROOT / "web" / "tools" / "build.js").read_text(encoding="utf-8")
    assert "'vendor.json'" in build
    assert not re.findall(r"""['"`][^'"`\n]*node_modules/[^'"`\n]*['"`]""", build)
    dependencies = json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))["dependencies"]
    web_md = (ROOT / "docs" / "WEB.md").read_text(encoding="utf-8")
    for url, path in VENDOR.items():
        assert url.startswith("vendor/") and path.startswith("node_modules/"), url
        assert path.split("/")[1] in dependencies, path
        assert f"| `/{url}` | `web/{path}` |" in web_md, url


@pytest.mark.parametrize("path", ["/sw.js", "/js/main.js", "/", "/app/entries/1", "/kinds.json"])
def test_unchanged_files_revalidate_without_a_body(site, path):
    first = site.get(path)
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.status_code == 200
    again = site.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == first.headers["cache-control"]
    # a list of validators, the strong form of the same tag, and a stale tag
    assert site.get(path, headers={"If-None-Match": f'"x", {tag.removeprefix("W/")}'}).status_code == 304
    stale = site.get(path, headers={"If-None-Match": 'W/"0000"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_a_changed_file_gets_a_new_validator(site, api_factory, tmp_path):
    before = site.get("/js/main.js")
    (tmp_path / "web" / "js" / "main.js").write_text("console.log(2);")
    after = site.get("/js/main.js", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.text == "console.log(2);"
    assert after.headers["etag"] != before.headers["etag"]


@pytest.mark.parametrize("path", ["/foo%00bar", "/js/a%00.js", "/" + "a" * 5000, "/js/" + "b" * 300 + ".js"])
def test_impossible_file_names_are_not_found_not_a_server_error(site, path):
    r = site.get(path)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_an_unhandled_error_logs_the_path_quoted(caplog):
    """A newline in a path must not start a line of its own in the server's log (a forged entry)."""
    from types import SimpleNamespace

    from between.server.problems import on_internal

    request = SimpleNamespace(method="GET", url=SimpleNamespace(path="/x\n2026-01-01 INFO between.app FORGED"))
    with caplog.at_level("ERROR", logger="between.server.problems"):
        assert on_internal(request, TypeError("boom")).status_code == 500
    [record] = [r for r in caplog.records if "unhandled" in r.getMessage()]
    assert "\n" not in record.getMessage() and "\\n2026" in record.getMessage()


# ---------------------------------------------------------------- the worker's version, made from the content

WORKER_VERSION = re.compile(r"const VERSION = '([0-9a-f]{16})';")


def worker_version(client) -> str:
    served = client.get("/sw.js").text
    assert "__SHELL_VERSION__" not in served
    return WORKER_VERSION.search(served).group(1)


def test_the_worker_is_served_with_the_version_of_the_files_served(site, api_factory, tmp_path):
    web = tmp_path / "web"
    version = worker_version(site)
    assert version == shell_version(served_files(web, extra_files(web)))
    # The same files, the same name: asked again, and from another server process over the same tree.
    assert worker_version(site) == version
    assert worker_version(api_factory(web_dir=str(web)).c) == version


@pytest.mark.parametrize(
    "name", ["index.html", "sw.js", "js/main.js", "js/core/bytes.js", "manifest.webmanifest", "crypto.wasm"]
)
def test_any_change_to_a_served_file_is_a_new_version_and_undoing_it_the_old_one(site, tmp_path, name):
    path = tmp_path / "web" / name
    before, content = worker_version(site), path.read_bytes()
    path.write_bytes(content + b"\n")
    changed = worker_version(site)
    assert changed != before
    path.write_bytes(content)
    assert worker_version(site) == before


def test_a_new_served_file_is_a_new_version_and_what_is_not_served_is_not_counted(site, tmp_path):
    web = tmp_path / "web"
    before = worker_version(site)
    (web / "node_modules" / "x" / "index.js").write_text("other tooling")
    (web / "package.json").write_text('{"name": "x"}')
    (web / ".env").write_text("TOKEN=2")
    (web / "notes.md").write_text("not a type the server serves")
    (web / "test").mkdir()
    (web / "test" / "a.test.js").write_text("tooling")
    assert worker_version(site) == before
    (web / "js" / "core" / "new.js").write_text("export {};")
    assert worker_version(site) != before


def test_a_mapped_vendor_file_counts_where_it_is_served_from(api_factory, tmp_path):
    web = tmp_path / "web"
    (web / "node_modules" / "htmx.org" / "dist").mkdir(parents=True)
    (web / "sw.js").write_text("const VERSION = '__SHELL_VERSION__';")
    htmx = web / "node_modules" / "htmx.org" / "dist" / "htmx.esm.min.js"
    htmx.write_text("export default {};")
    c = api_factory(web_dir=str(web)).c
    before = worker_version(c)
    assert "vendor/htmx.js" in served_files(web, extra_files(web))
    htmx.write_text("export default { v: 2 };")
    assert worker_version(c) != before


def test_a_new_version_is_never_answered_304_with_the_old_worker(site, tmp_path):
    first = site.get("/sw.js")
    (tmp_path / "web" / "js" / "main.js").write_text("console.log(2);")
    again = site.get("/sw.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
    assert again.headers["service-worker-allowed"] == "/" and again.headers["cache-control"] == "no-cache"


def test_the_apps_worker_has_one_place_for_its_version():
    # The minified build keeps it too: web/test/tools/build.test.js.
    assert (WEB_DIR / "sw.js").read_bytes().count(VERSION_MARK) == 1


# ---------------------------------------------------------------- the classic worker (docs/WEB.md "Browsers")

CLASSIC = "const VERSION='__SHELL_VERSION__';self.addEventListener('fetch',()=>{});"


def test_the_classic_worker_is_served_from_dist_with_the_same_version_and_headers(site, tmp_path):
    web = tmp_path / "web"
    assert site.get("/sw-classic.js").status_code == 404  # not built: nothing to serve
    (web / "dist").mkdir()
    (web / "dist" / "sw-classic.js").write_text(CLASSIC)
    classic = site.get("/sw-classic.js")
    assert classic.status_code == 200 and classic.headers["content-type"].split(";")[0] == "text/javascript"
    assert classic.headers["service-worker-allowed"] == "/" and classic.headers["cache-control"] == "no-cache"
    # One version for both workers: they share the shell's cache, whichever one the browser runs.
    version = re.search(r"const VERSION='([0-9a-f]{16})';", classic.text).group(1)
    assert version == worker_version(site) == shell_version(served_files(web, extra_files(web)))
    # Rebuilding it is a new version of the app, like any other served file.
    (web / "dist" / "sw-classic.js").write_text(CLASSIC + "\n")
    assert worker_version(site) != version
    # Nothing else of dist/ is served from web/.
    (web / "dist" / "other.js").write_text("x")
    assert site.get("/dist/other.js").status_code == 404 and site.get("/dist/sw-classic.js").status_code == 404


def test_a_built_tree_serves_its_own_classic_worker(api_factory, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "sw.js").write_text("const VERSION = '__SHELL_VERSION__';")
    (dist / "sw-classic.js").write_text(CLASSIC)
    served = api_factory(web_dir=str(dist)).c.get("/sw-classic.js")
    assert served.status_code == 200 and "__SHELL_VERSION__" not in served.text


def test_the_server_logs_no_cookie_and_no_token_even_at_debug(tmp_path):
    """The eviction marker cookie (docs/SECURITY.md "The marker cookie") and a bearer token come with requests; the
    real server process, at its most talkative, writes neither to its log: access lines hold method, path, status."""
    srv = start_live_server(tmp_path, {"BETWEEN_LOG_LEVEL": "debug"})
    try:
        cookie = "__Host-between-account=1; between-account=1; canary-cookie=cookie-canary-4f1e"
        token = "token-canary-" + "9b2c" * 8
        headers = {"Cookie": cookie, "Authorization": f"Bearer {token}"}
        for path in ("/", "/app/today", "/sw.js", "/api/v1/account", "/api/v1/sync/changes", "/nowhere"):
            httpx.get(srv.url + path, headers=headers, timeout=10)
        httpx.post(srv.url + "/api/v1/auth/logout", headers=headers, timeout=10)
        log = srv.log()
        assert "GET /api/v1/account" in log  # the access log is on: it is what is checked
        for told in ("between-account", "cookie-canary", "canary-cookie", token, "Bearer"):
            assert told not in log, told
    finally:
        srv.stop()
