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
from .observe import configure_logging, supervisor_metrics
from .protocol import raise_open_file_limit, with_deadlines
from .settings import BUILT_WEB_DIR, IN_CHECKOUT, WEB_DIR, Settings, SettingsError
from .store import InUse, ensure_free
from .web import missing_files
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
    dev: bool = False,
) -> None:
    """Explicit arguments override BETWEEN_HOST / BETWEEN_PORT / BETWEEN_DATA / BETWEEN_DATABASE / BETWEEN_WORKERS.
    `clock`: see create_app. `dev`: serve web/ as written (a checkout's sources), not the minified build."""
    env = dict(os.environ if environ is None else environ)
    if dev:
        env["BETWEEN_WEB_DIR"] = dev_web_dir()
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
    refuse_without_web_app(Path(settings.web_dir))
    try:
        if settings.database is None:
            ensure_free(Path(settings.db_path))
    except InUse as exc:
        print(f"between: {exc}; stop it first (one server process per data directory)", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level, settings.log_format)
    soft, _hard = raise_open_file_limit()  # before the workers fork: they inherit it
    logging.getLogger("between.server").info("open-file limit %s", soft)
    if settings.worker_count > 1:
        with supervisor_metrics(settings.metrics_port) as metrics:  # before the fork: the workers inherit its place
            raise SystemExit(
                serve_workers(
                    settings.worker_count,
                    settings.host,
                    settings.port,
                    lambda: _server(settings, app_factory, clock),
                    forked=metrics.forked,
                    ended=metrics.ended,
                )
            )
    server = _server(settings, app_factory, clock)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)  # as uvicorn.run: start-up failed (a port in use, the app's start)


def _server(settings: Settings, app_factory: AppFactory, clock: Callable[[], float]) -> StoppingServer:
    # Access lines hold method, path and status only: tokens travel in headers, secrets in bodies.
    try:
        app = app_factory(settings, clock=clock)
    except SettingsError as exc:  # a setting only the app can judge (the crisis-lines file, the public origin)
        print(f"between: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=None,  # configure_logging's handler: text or JSON, with request ids
        access_log=settings.log_format == "text",  # JSON: the app's own access lines (server/observe.py)
        server_header=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
        # slow clients are cut off (server/protocol.py)
        http=with_deadlines(settings.header_timeout, settings.body_timeout),
    )
    return StoppingServer(config)


def dev_web_dir() -> str:
    """`--dev`: the sources, which only a checkout has."""
    if not IN_CHECKOUT:
        print("between: --dev serves web/ of a checkout; this installation holds only the built app", file=sys.stderr)
        raise SystemExit(2)
    return str(WEB_DIR)


def refuse_without_web_app(root: Path) -> None:
    """Stop before serving a web app that cannot work: one without its built files or its vendor files would serve a
    page whose service worker never installs, and nothing would say why. The message names what is missing and the
    command that makes it."""
    missing = missing_files(root)
    if not missing:
        return
    if root.resolve() == BUILT_WEB_DIR.resolve() and IN_CHECKOUT:
        fix = "make them with `cd web && npm ci` (it installs the vendor files and builds web/dist/), or run `make run`"
    elif root.resolve() == WEB_DIR.resolve() and IN_CHECKOUT:
        fix = "install the vendor files with `cd web && npm ci`"
    elif not IN_CHECKOUT and root.resolve() == BUILT_WEB_DIR.resolve():
        fix = "this package was built without its web app: build it from a checkout after `cd web && npm ci`"
    else:
        fix = "point BETWEEN_WEB_DIR at a built web app (web/dist/ after `cd web && npm ci`)"
    shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
    print(f"between: the web app in {root} is incomplete: missing {shown}; {fix}", file=sys.stderr)
    raise SystemExit(2)


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
    parser.add_argument("--log-format", choices=("text", "json"), help="log lines as text (default) or JSON objects")
    parser.add_argument("--dev", action="store_true", help="serve web/ as written, not its minified build")
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.log_format:
        environ["BETWEEN_LOG_FORMAT"] = args.log_format
    serve(
        args.host,
        args.port,
        args.data,
        environ=environ,
        app_factory=app_factory,
        database=args.database,
        workers=args.workers,
        dev=args.dev,
    )


if __name__ == "__main__":
    main()
