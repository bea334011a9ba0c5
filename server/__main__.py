"""`python -m between.server` (and `between serve`): run the API and the web app under uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from . import live
from .app import create_app
from .settings import Settings, SettingsError
from .store import InUse, ensure_free
from .workers import serve_workers

# create_app(settings, *, clock), or an ASGI app wrapping what it makes (tests record or change answers)
AppFactory = Callable[..., Callable]


def serve(
    host: str | None = None,
    port: int | None = None,
    data_dir: str | None = None,
    environ: Mapping[str, str] | None = None,
    app_factory: AppFactory = create_app,
    clock: Callable[[], float] = time.time,
    database: str | None = None,
    workers: int | None = None,
) -> None:
    """Explicit arguments override BETWEEN_HOST / BETWEEN_PORT / BETWEEN_DATA / BETWEEN_DATABASE / BETWEEN_WORKERS.
    `clock`: see create_app."""
    env = dict(os.environ if environ is None else environ)
    for name, value in (
        ("BETWEEN_HOST", host),
        ("BETWEEN_PORT", port),
        ("BETWEEN_DATA", data_dir),
        ("BETWEEN_DATABASE", database),
        ("BETWEEN_WORKERS", workers),
    ):
        if value is not None:
            env[name] = str(value)
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        print(f"between: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        if settings.database is None:
            ensure_free(Path(settings.db_path))
    except InUse as exc:
        print(f"between: {exc}; stop it first (one server process per data directory)", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if settings.worker_count > 1:
        raise SystemExit(
            serve_workers(
                settings.worker_count, settings.host, settings.port, lambda: _server(settings, app_factory, clock)
            )
        )
    server = _server(settings, app_factory, clock)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)  # as uvicorn.run: start-up failed (a port in use, the app's start)


def _server(settings: Settings, app_factory: AppFactory, clock: Callable[[], float]) -> StoppingServer:
    # Access lines hold method, path and status only: tokens travel in headers, secrets in bodies.
    config = uvicorn.Config(
        app_factory(settings, clock=clock),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        server_header=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return StoppingServer(config)


class StoppingServer(uvicorn.Server):
    """uvicorn, which first ends the open change streams when it starts to stop: they would otherwise hold the
    graceful shutdown for its whole timeout (uvicorn waits for open responses before the app's shutdown hooks)."""

    async def shutdown(self, sockets=None) -> None:
        live.close_all()
        await super().shutdown(sockets)


def main(argv: list[str] | None = None, app_factory: AppFactory = create_app) -> None:
    parser = argparse.ArgumentParser(prog="python -m between.server", description="Run the Between sync server.")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--data", help="data directory (SQLite database and server secret)")
    parser.add_argument("--database", help="postgresql://... URL: the store lives there instead of in --data")
    parser.add_argument("--workers", type=int, help="worker processes (PostgreSQL only; default one per core)")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.data, app_factory=app_factory, database=args.database, workers=args.workers)


if __name__ == "__main__":
    main()
