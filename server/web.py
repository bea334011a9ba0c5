"""The PWA's static files from web/, with a strict CSP, service-worker scope and cache headers."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from between.sync.core.assignments import TEMPLATES_JSON
from between.sync.core.kinds import KINDS_JSON

from .problems import problem_response

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
MIME = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
    ".woff2": "font/woff2",
}
# never served even if present in web/: tooling, not the app
HIDDEN = {"node_modules", "package.json", "package-lock.json", "tests", "test", "tools", "dist"}


# URL path -> file under the web directory of each browser library from npm. Package data, not a file of web/: the
# server serves a web directory without it (web/dist/, a test's), and web/tools/build.js reads the same list.
VENDOR_JSON = Path(__file__).with_name("vendor.json")
VENDOR: dict[str, str] = json.loads(VENDOR_JSON.read_text(encoding="utf-8"))["files"]


SHELL_PREFIXES = ("invite", "app")  # client-side routes answered with index.html
WORKER = "sw.js"
# The same worker as one classic script, for browsers without module service workers (docs/WEB.md "Browsers"). Built
# by web/tools/build.js into web/dist/ (npm ci runs it): served from the tree itself when it holds one (web/dist/),
# else from the tree's dist/ (web/, as written).
CLASSIC_WORKER = "sw-classic.js"
WORKERS = (WORKER, CLASSIC_WORKER)


def classic_worker_file(root: Path) -> Path:
    """Where the classic worker of the tree at `root` is: in it (a built tree), else in its dist/ (web/ as written)."""
    built = root / CLASSIC_WORKER
    return built if built.is_file() else root / "dist" / CLASSIC_WORKER


def extra_files(root: Path) -> dict[str, Path]:
    """URL path -> file for what the app needs from outside web/'s own tree (docs/WEB.md)."""
    return {
        **{url: root / path for url, path in VENDOR.items()},
        "kinds.json": KINDS_JSON,
        "templates.json": TEMPLATES_JSON,
        CLASSIC_WORKER: classic_worker_file(root),
    }


# Where sw.js puts its VERSION: every answer for /sw.js carries, in its place, the version of the files served.
VERSION_MARK = b"__SHELL_VERSION__"

FALLBACK_INDEX = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Between</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Between</h1><p>The web app is not installed on this server yet.
The sync API is at <code>/api/v1</code>.</p></main></body></html>
"""


# What a served tree cannot do without: the page, the worker, and everything extra_files maps (vendor files, the
# classic worker). A tree missing one serves a page whose service worker never installs.
NEEDED = ("index.html", WORKER, "manifest.webmanifest", "i18n/en.json")


def missing_files(root: Path) -> list[str]:
    """The files the app needs that `root` lacks, by URL path (empty: complete)."""
    missing = [name for name in NEEDED if not (root / name).is_file()]
    missing += [url for url, path in extra_files(root).items() if not path.is_file()]
    return missing


def _cache_control(name: str) -> str:
    if name in WORKERS or name.endswith((".html", ".webmanifest")):
        return "no-cache"  # always revalidate: a stale shell or worker would pin old code
    return "public, max-age=300"


def _resolve(root: Path, path: str) -> Path | None:
    parts = [p for p in path.split("/") if p]
    if "\0" in path or any(p.startswith(".") or p in HIDDEN for p in parts):
        return None
    target = (root / Path(*parts)) if parts else root
    try:  # a name too long for the file system is an OSError from every call below, not a server error
        target = target.resolve()
        if not target.is_relative_to(root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() and target.suffix in MIME else None
    except (OSError, ValueError):
        return None


def served_files(root: Path, extras: dict[str, Path]) -> dict[str, Path]:
    """URL path -> file for everything the app is served from `root` (what `_resolve` would answer) and `extras`."""
    files: dict[str, Path] = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in HIDDEN]
        for name in names:
            if not name.startswith(".") and name not in HIDDEN and Path(name).suffix in MIME:
                path = Path(folder) / name
                files[path.relative_to(root).as_posix()] = path
    files.update({url: path for url, path in extras.items() if path.is_file()})
    return files


def shell_version(files: dict[str, Path]) -> str:
    """A name for exactly these contents: any change to any served file gives another, the same files the same.
    The worker's cache is named after it, so a release can never precache into an older release's cache."""
    digest = hashlib.blake2b(digest_size=8)
    for url in sorted(files):
        content = files[url].read_bytes()
        digest.update(f"{url}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def worker_script(root: Path, extras: dict[str, Path], name: str = WORKER) -> bytes:
    """sw.js (or the classic worker, `name`) as served: its VERSION is the version of every file served with it (read
    at each request, so an edit in a running development server makes a new version too; hashing the app's half
    megabyte takes about 2 ms). Both workers of one tree carry the same version, so they share their caches."""
    version = shell_version(served_files(root, extras))
    source = extras[name] if name in extras else root / name
    return source.read_bytes().replace(VERSION_MARK, version.encode())


def etag(content: bytes) -> str:
    """A weak validator (the body may travel gzipped or not) from the bytes, so a revalidation of an
    unchanged file costs a 304 and no body: the browser revalidates the worker and its modules often."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in if_none_match.split(","))


def _file(request: Request, source: Path | bytes, name: str) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = _cache_control(name)
    if name in WORKERS:
        headers["Service-Worker-Allowed"] = "/"
    content = source if isinstance(source, bytes) else source.read_bytes()
    headers["ETag"] = tag = etag(content)
    suffix = Path(name).suffix or ".html"
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=content, media_type=MIME[suffix], headers=headers)


def web_handler(web_dir: str) -> HTTPRouteHandler:
    root = Path(web_dir).resolve()
    extras = extra_files(root)

    def shell(request: Request) -> Response:
        index = root / "index.html"
        if index.is_file():
            return _file(request, index, "index.html")
        return _file(request, FALLBACK_INDEX, "index.html")

    @get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
    def web(request: Request, path: FromPath[str] = "/") -> Response:
        path = path.lstrip("/")
        if path.startswith(("api/", "schema")) or path == "api":
            return problem_response("not_found")
        first = path.split("/", 1)[0]
        if path == "" or (first in SHELL_PREFIXES and "." not in path.rsplit("/", 1)[-1]):
            return shell(request)
        target = extras.get(path) or _resolve(root, path)
        if target is None or not target.is_file():  # (a mapped vendor file that is missing)
            return problem_response("not_found")
        if path in WORKERS:
            return _file(request, worker_script(root, extras, path), path)
        return _file(request, target, target.name)

    return web
