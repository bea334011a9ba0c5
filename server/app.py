"""The application factory: the only module that knows every router, middleware and hook."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from importlib import metadata
from pathlib import Path

from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.routes import HTTPRoute

from between.sync.core import wire

from . import crisis, openapi
from .api import accounts, auth, blobs, links, live, reminders, sync
from .api.context import Clock, Services, is_loopback, load_secret
from .backup import load_epoch
from .blobs import BlobService, Collector
from .live import LiveHub
from .observe import Metrics, RequestContext, serve_metrics
from .problems import HANDLERS, Problem, answers
from .protocol import BoundedErrors
from .ratelimit import RateLimiter
from .reminders import Sender
from .settings import Settings, SettingsError
from .store import PgDatabase, Store
from .web import SECURITY_HEADERS, web_handler
from .webpush import Vapid

log = logging.getLogger("between.app")


def version() -> str:
    try:
        return metadata.version("between")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@get("/health", tags=["health"])
async def health() -> wire.Health:
    """Liveness: the process answers (nothing else is asked)."""
    return wire.Health(status="ok", version=version())


@get("/health/ready", tags=["health"], opt=answers("unavailable"))
async def ready(request: Request) -> wire.Health:
    """Readiness: the database answers and its schema is the one this code expects (every migration applied)."""
    svc = getattr(request.app.state, "services", None)
    try:
        migrated = svc is not None and await svc.store.db.ready()
    except Exception as exc:  # the database does not answer: not ready, whatever the reason
        log.warning("readiness: the database did not answer (%s)", type(exc).__name__)
        migrated = False
    if not migrated:
        raise Problem("unavailable", "the database is not reachable or not migrated", {"Retry-After": "5"})
    return wire.Health(status="ok", version=version())


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _before(request: Request) -> Response | None:
    if request.method == "OPTIONS":
        return _options(request)
    _json_only(request)
    return None


# PATCH /api/v1/blobs/{id}: an upload's bytes (server/api/blobs.py checks their media type itself). A cross-site form
# cannot send PATCH.
_UPLOAD_PATH = re.compile(r"/api/v1/blobs/[^/]+")


def _json_only(request: Request) -> None:
    """API bodies must be declared JSON: a cross-site HTML form can send text/plain or form data
    without a preflight, and must not reach the endpoints that need no session. One exception: an attachment's
    bytes, uploaded with PATCH to its own route."""
    if request.method not in _BODY_METHODS or not request.url.path.startswith("/api/"):
        return
    if request.method == "PATCH" and _UPLOAD_PATH.fullmatch(request.url.path):
        return
    if request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise Problem("unsupported_media_type", "send the body as application/json")


def _options(request: Request) -> Response:
    """Every method of the path. Litestar 2 builds the OPTIONS answer when a path gets its first handler and
    keeps that list when more handlers join the path (litestar#4169, fixed in 3.0): POST /invites and
    GET /invites would answer `Allow: OPTIONS, POST`. The finished routes know every method."""
    template = request.scope.get("path_template")
    methods = next(
        (r.methods for r in request.app.routes if isinstance(r, HTTPRoute) and r.path_format == template), {"OPTIONS"}
    )
    return Response(content=None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})


def _after(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", SECURITY_HEADERS["X-Content-Type-Options"])
    response.headers.setdefault("Referrer-Policy", SECURITY_HEADERS["Referrer-Policy"])
    response.headers.setdefault("Cache-Control", "no-store")  # API answers hold tokens and key material
    return response


def limiter_for(store: Store) -> RateLimiter:
    """Rate limits in this process (SQLite: one process), or in the database that every worker shares."""
    db = store.db
    if isinstance(db, PgDatabase):
        return RateLimiter(shared=(db.take_token, db.forget_tokens))
    return RateLimiter()


def create_app(settings: Settings, *, clock: Clock = time.time) -> Litestar:
    """The app for `settings`. `clock` judges every expiry (sessions, challenges, invites); tests pass one they move."""
    if not settings.public_origin and not is_loopback(settings.host):
        raise SettingsError(
            "BETWEEN_PUBLIC_ORIGIN: required when serving beyond loopback "
            "(e.g. https://between.example.org); sign-in signatures are bound to it"
        )

    crisis_lines = crisis.load(settings.crisis_lines)  # a bad file refuses the start, before anything is opened
    # several workers: each counts into files the supervisor sums and serves (server/observe.py supervisor_metrics)
    metrics = Metrics(shared=settings.worker_count > 1) if settings.metrics_port else None

    async def start(app: Litestar) -> None:
        # running out of descriptors: one log line every 10 s, not a traceback a second (server/protocol.py)
        asyncio.get_running_loop().set_exception_handler(BoundedErrors())
        data_dir = Path(settings.data_dir)
        secret = load_secret(data_dir)
        app.state.epoch = load_epoch(data_dir)  # Between-Epoch on every API answer (server/observe.py)
        store = await Store.open(settings.store_target)
        hub = LiveHub(per_account=settings.live_per_account, total=settings.live_max_streams)
        store.db.watch(hub.publish)  # every commit that moves an account wakes its open streams (every worker's)
        vapid = sender = None
        if settings.reminders == "on":
            vapid = Vapid.load_or_create(settings.vapid_path)
            sender = Sender(
                store.reminders,
                vapid,
                settings.vapid_contact,
                clock,
                interval=settings.reminder_scan,
                services=settings.push_services,
                loopback=settings.push_loopback == "on",
            )
            sender.start()
        blob_service = BlobService(store, data_dir)
        collector = Collector(
            blob_service, clock, settings.collect_interval, settings.upload_expiry, settings.attachment_history
        )
        collector.start()
        app.state.services = Services(
            settings=settings,
            store=store,
            secret=secret,
            limiter=limiter_for(store),
            live=hub,
            clock=clock,
            vapid=vapid,
            sender=sender,
            metrics=metrics,
            blobs=blob_service,
            collector=collector,
        )
        if metrics is not None:
            metrics.watch_pool(store.db.stats)
            if metrics.shared:
                app.state.metrics_task = asyncio.create_task(metrics.keep_pool())
            else:
                app.state.metrics_server = serve_metrics(metrics, settings.metrics_port)
                log.info("metrics on http://127.0.0.1:%s/metrics", settings.metrics_port)
        log.info("serving data dir %s", data_dir.resolve())

    async def stop(app: Litestar) -> None:
        metrics_task = getattr(app.state, "metrics_task", None)
        if metrics_task is not None:
            metrics_task.cancel()
        metrics_server = getattr(app.state, "metrics_server", None)
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        svc = getattr(app.state, "services", None)
        if svc is not None:
            svc.live.close()
            if svc.sender is not None:
                await svc.sender.stop()
            if svc.collector is not None:
                await svc.collector.stop()
            await svc.store.close()

    api = Router(
        path="/api/v1",
        route_handlers=[
            health,
            ready,
            crisis.crisis_lines,
            auth.router,
            accounts.router,
            sync.router,
            live.router,
            links.router,
            reminders.router,
            blobs.router,
        ],
    )
    app = Litestar(
        route_handlers=[api, web_handler(settings.web_dir)],
        on_startup=[start],
        on_shutdown=[stop],
        exception_handlers=HANDLERS,
        # request ids on log lines and X-Request-Id; with JSON logs the access lines too (uvicorn's are off then)
        middleware=[RequestContext(log_access=settings.log_format == "json", metrics=metrics)],
        before_request=_before,
        after_request=_after,
        request_max_body_size=settings.max_request_bytes,
        openapi_config=openapi.config(version()),
        # The app's static files only: compressing API answers that carry tokens next to
        # caller-chosen bytes would invite BREACH-style length oracles.
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=512, gzip_compress_level=6, exclude=["^/api/", "^/schema"]
        ),
        logging_config=None,
    )
    app.state.crisis = crisis_lines
    return app
