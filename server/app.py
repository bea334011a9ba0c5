"""The application factory: the only module that knows every router, middleware and hook."""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path

from litestar import Litestar, Response, Router, get
from litestar.openapi import OpenAPIConfig

from sync import wire

from .api import accounts, auth, links, sync
from .api.context import Services, load_secret
from .problems import HANDLERS
from .ratelimit import RateLimiter
from .settings import Settings
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


def _after(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", SECURITY_HEADERS["X-Content-Type-Options"])
    response.headers.setdefault("Referrer-Policy", SECURITY_HEADERS["Referrer-Policy"])
    response.headers.setdefault("Cache-Control", "no-store")  # API answers hold tokens and key material
    return response


def create_app(settings: Settings) -> Litestar:
    async def start(app: Litestar) -> None:
        data_dir = Path(settings.data_dir)
        secret = load_secret(data_dir)
        store = await Store.open(settings.db_path)
        app.state.services = Services(settings=settings, store=store, secret=secret, limiter=RateLimiter())
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
        after_request=_after,
        request_max_body_size=settings.max_request_bytes,
        openapi_config=OpenAPIConfig(title="Between sync API", version=version(), path="/schema"),
        logging_config=None,
    )


