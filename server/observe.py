"""What an operator sees: log lines (text or JSON, each with the request id), and optional Prometheus metrics.

Nothing here reads a body, a query string or a header other than the ones named: log lines and labels carry the
method, the route's template (`/api/v1/records/{record_id:uuid}/history`, never the id), the status and timings."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("between_request_id", default=None)
access = logging.getLogger("between.access")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record, for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line. The message is formatted from its arguments as in text; a traceback is reduced to the
    exception's type (a frame's locals are never printed, but its lines can quote what a request sent)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line["request_id"] = request_id
        for key in ("method", "route", "status", "ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def configure_logging(level: str, fmt: str) -> None:
    """The root logger for the process: `fmt` is "text" or "json"; uvicorn's loggers propagate to it."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


# ---------------------------------------------------------------- request context


class RequestContext(ASGIMiddleware):
    """Each HTTP request gets an id (answered as X-Request-Id, set on every log line it causes); every API answer
    carries the server epoch (Between-Epoch, docs/PROTOCOL.md "Restores"). With `log_access`
    one access line per request (method, route template, status, milliseconds); with `metrics`, its counts."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, log_access: bool, metrics: Metrics | None) -> None:
        self.log_access = log_access
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = secrets.token_hex(8)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(b"x-request-id", request_id.encode())]
                epoch = getattr(scope["app"].state, "epoch", None)
                if epoch and scope.get("path", "").startswith("/api/"):
                    extra.append((b"between-epoch", epoch.encode()))  # docs/PROTOCOL.md "Restores"
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "-"
            method = str(scope.get("method", "-"))
            if self.metrics is not None:
                self.metrics.request(method, route, status, elapsed)
            if self.log_access:
                access.info(
                    "%s %s %s %.1f ms",
                    method,
                    route,
                    status,
                    elapsed * 1000,
                    extra={"method": method, "route": route, "status": status, "ms": round(elapsed * 1000, 1)},
                )
            REQUEST_ID.reset(token)


# ---------------------------------------------------------------- metrics


MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode: each process's values in files there
POOL_EVERY = 2.0  # seconds between a worker's writes of its pool's figures (several workers)


class Metrics:
    """The app's Prometheus metrics (prometheus-client), in a registry of their own. `pool` reads the database's
    `stats()` at each scrape.

    `shared` (several workers, PostgreSQL): prometheus-client's multiprocess mode. Each worker's counts go to files in
    $PROMETHEUS_MULTIPROC_DIR, which the supervisor sets before it forks them; the supervisor serves their sum
    (`supervisor_metrics`). A custom collector cannot be read across processes, so each worker writes its pool's
    figures into gauges every POOL_EVERY seconds (`keep_pool`), summed over the live workers."""

    def __init__(self, *, shared: bool = False) -> None:
        if shared and not os.environ.get(MULTIPROC):
            raise RuntimeError(f"several workers' metrics need {MULTIPROC}, set by the supervisor before the fork")
        from prometheus_client import CollectorRegistry, Counter, Histogram  # noqa: PLC0415 - optional dependency

        self.shared = shared
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "between_requests", "HTTP requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "between_request_seconds", "Time to answer an HTTP request", ["route"], registry=self.registry
        )
        self.pushed = Counter(
            "between_pushed_items",
            "Pushed items by outcome (ok, conflict, invalid, forbidden, aborted)",
            ["status"],
            registry=self.registry,
        )
        self.pulls = Counter("between_pulls", "Pull pages answered", registry=self.registry)
        self.pulled = Counter("between_pulled_items", "Records sent in pull pages", registry=self.registry)
        self.feed_lag = Histogram(
            "between_feed_lag_seconds",
            "From a push's arrival until its revisions are committed and visible to every reader's pull",
            registry=self.registry,
        )
        self._pool: Any = None
        self._gauges: dict[str, Any] = {}
        if not shared:
            self.registry.register(_PoolCollector(self))

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def watch_pool(self, stats: Any) -> None:
        """`stats()`: the database's pool figures, name -> number (server/store/connection.py Database.stats)."""
        self._pool = stats

    def write_pool(self) -> None:
        """Several workers: this worker's pool figures into gauges summed over the live workers (`livesum`: a
        worker's part goes when the supervisor marks it dead)."""
        from prometheus_client import Gauge  # noqa: PLC0415

        for name, value in (self._pool() if self._pool is not None else {}).items():
            gauge = self._gauges.get(name)
            if gauge is None:
                gauge = self._gauges[name] = Gauge(
                    f"between_db_{name}",
                    f"database pool: {name.replace('_', ' ')} (summed over the live workers)",
                    registry=self.registry,
                    multiprocess_mode="livesum",
                )
            gauge.set(value)

    async def keep_pool(self, every: float = POOL_EVERY) -> None:
        while True:
            self.write_pool()
            await asyncio.sleep(every)

    def text(self) -> bytes:
        from prometheus_client import generate_latest  # noqa: PLC0415

        return generate_latest(self.registry)


class _PoolCollector:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily  # noqa: PLC0415

        stats = self.metrics._pool() if self.metrics._pool is not None else {}
        for name, value in sorted(stats.items()):
            yield GaugeMetricFamily(f"between_db_{name}", f"database pool: {name.replace('_', ' ')}", value=value)


def serve_metrics(metrics: Metrics, port: int, host: str = "127.0.0.1") -> Any:
    """The metrics on their own loopback port, apart from the app's (which faces the internet): prometheus-client's
    own HTTP server, on a thread. Returns the server (shutdown() stops it)."""
    from prometheus_client import start_http_server  # noqa: PLC0415

    server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
    return server


@dataclass
class SupervisorMetrics:
    """What the supervisor of several workers does for their metrics (`supervisor_metrics`)."""

    path: str | None = None
    server: Any = None

    def forked(self) -> None:
        """In a new worker: the supervisor's metrics port is not the worker's to hold."""
        if self.server is not None:
            self.server.socket.close()

    def ended(self, pid: int) -> None:
        """A worker has exited: its part of the live gauges goes (its counts stay, so totals never drop)."""
        if self.path is not None:
            from prometheus_client.multiprocess import mark_process_dead  # noqa: PLC0415

            mark_process_dead(pid, self.path)


@contextmanager
def supervisor_metrics(port: int, host: str = "127.0.0.1") -> Iterator[SupervisorMetrics]:
    """Several workers' metrics as one (prometheus-client's multiprocess mode), when `port` is set. Before the fork:
    a directory for this run ($PROMETHEUS_MULTIPROC_DIR if the operator set one, emptied of a previous run's files,
    else a new temporary one, removed at the end), named in the environment the workers inherit; and the metrics
    port, served by the supervisor, which sums every worker's files at each scrape (`MultiProcessCollector`)."""
    if not port:
        yield SupervisorMetrics()
        return
    given = os.environ.get(MULTIPROC)
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="between-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):  # a previous run's counts would be added to this run's
        old.unlink()
    os.environ[MULTIPROC] = str(path)  # before prometheus-client is imported: it chooses its mode then
    from prometheus_client import CollectorRegistry, start_http_server  # noqa: PLC0415
    from prometheus_client.multiprocess import MultiProcessCollector  # noqa: PLC0415

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(path))
    server, _thread = start_http_server(port, addr=host, registry=registry)
    try:
        yield SupervisorMetrics(str(path), server)
    finally:
        server.shutdown()
        server.server_close()
        if not given:
            shutil.rmtree(path, ignore_errors=True)
