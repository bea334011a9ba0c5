"""The application factory: the only module that knows every router, middleware and hook."""

from __future__ import annotations

import logging
import time
from importlib import metadata
from pathlib import Path

from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from sync import wire

from .api import accounts, auth, links, sync
from .api.context import Clock, Services, is_loopback, load_secret
from .problems import HANDLERS, Problem
from .ratelimit import RateLimiter
from .settings import Settings, SettingsError
from .store import Store
from .web import SECURITY_HEADERS, web_handler

log = logging.getLogger("between.app")


def version() -> str:
    try:
        return metadata.version("between")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@get("/health", tags=["health"])
async def health() -> wire.Health:
    return wire.Health(status="ok", version=version())


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _json_only(request: Request) -> None:
    """API bodies must be declared JSON: a cross-site HTML form can send text/plain or form data
    without a preflight, and must not reach the endpoints that need no session."""
    if request.method in _BODY_METHODS and request.url.path.startswith("/api/"):
        if request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers:
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                raise Problem("unsupported_media_type", "send the body as application/json")


def _after(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", SECURITY_HEADERS["X-Content-Type-Options"])
    response.headers.setdefault("Referrer-Policy", SECURITY_HEADERS["Referrer-Policy"])
    response.headers.setdefault("Cache-Control", "no-store")  # API answers hold tokens and key material
    return response


def create_app(settings: Settings, *, clock: Clock = time.time) -> Litestar:
    """The app for `settings`. `clock` judges every expiry (sessions, challenges, invites); tests pass one they move."""
    if not settings.public_origin and not is_loopback(settings.host):
        raise SettingsError("BETWEEN_PUBLIC_ORIGIN: required when serving beyond loopback "
                            "(e.g. https://between.example.org); sign-in signatures are bound to it")
    async def start(app: Litestar) -> None:
        data_dir = Path(settings.data_dir)
        secret = load_secret(data_dir)
        store = await Store.open(settings.db_path)
        app.state.services = Services(settings=settings, store=store, secret=secret, limiter=RateLimiter(),
                                      clock=clock)
        log.info("serving data dir %s", data_dir.resolve())

    async def stop(app: Litestar) -> None:
        svc = getattr(app.state, "services", None)
        if svc is not None:
            await svc.store.close()

    api = Router(path="/api/v1", route_handlers=[health, auth.router, accounts.router, sync.router, links.router])
    return Litestar(
        route_handlers=[api, web_handler(settings.web_dir)],
        on_startup=[start],
        on_shutdown=[stop],
        exception_handlers=HANDLERS,
        before_request=_json_only,
        after_request=_after,
        request_max_body_size=settings.max_request_bytes,
        # Only the JSON document: the stock viewers load unpinned scripts from CDNs onto the app's own
        # origin, where they could read IndexedDB or rewrite the service worker's cache.
        openapi_config=OpenAPIConfig(title="Between sync API", version=version(), path="/schema",
                                     render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])]),
        # The app's static files only: compressing API answers that carry tokens next to
        # caller-chosen bytes would invite BREACH-style length oracles.
        compression_config=CompressionConfig(backend="gzip", minimum_size=512, gzip_compress_level=6,
                                             exclude=["^/api/", "^/schema"]),
        logging_config=None,
    )


