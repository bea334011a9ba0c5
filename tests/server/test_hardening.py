"""What an operator relies on when things go wrong: hang-ups are not errors, a full disk is named, a stopping server
answers the requests it has, readiness tells a migrated database from one that is not, JSON logs and metrics."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import builders as b
import httpx
import pytest
from harness import Api

from between.server.observe import JsonFormatter, RequestIdFilter
from between.server.store import Database, StoreError
from tests.conftest import free_port, start_live_server, workers_of

PRELOGIN_HEAD = (
    b"POST /api/v1/auth/prelogin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 16\r\n\r\n"
)


@pytest.mark.slow
def test_a_client_hanging_up_mid_body_is_an_info_line_not_a_server_error(tmp_path):
    server = start_live_server(tmp_path)
    try:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(PRELOGIN_HEAD + b'{"hand')
            s.close()
        with httpx.Client(base_url=server.api) as http:  # the server has handled the hang-ups by now
            assert http.get("/health").status_code == 200
    finally:
        server.stop()
    log = server.log()
    assert log.count("INFO between.problems") >= 3 and "client disconnected before its request body" in log
    assert "ERROR" not in log and " 500" not in log


@pytest.mark.slow
def test_a_stopping_server_answers_the_request_it_is_reading(tmp_path):
    server = start_live_server(tmp_path)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(15)
    s.sendall(PRELOGIN_HEAD + b'{"hand')
    with httpx.Client(base_url=server.api) as http:
        assert http.get("/health").status_code == 200  # the request above is being read by now
    server.proc.send_signal(signal.SIGTERM)
    # the server has stopped accepting: new connections are refused while the open request is still answered
    refused = False
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        except OSError:
            refused = True
            break
        time.sleep(0.05)
    assert refused
    s.sendall(b'le":"sam"}')
    answer = s.recv(4096)
    s.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    # uvicorn ends by raising the signal it caught again, after its shutdown: killed by SIGTERM, on purpose
    assert server.proc.wait(timeout=15) in (0, -signal.SIGTERM)
    assert "ERROR" not in server.log()


def test_a_full_disk_is_logged_as_such_with_the_path_and_nothing_is_kept(tmp_path, caplog):
    db_path = tmp_path / "between.sqlite3"

    async def run() -> int:
        db = await Database.open(db_path)
        try:

            async def pages(c) -> int:
                return (await c.fetchall("PRAGMA page_count"))[0][0]

            count = await db.write(pages)

            async def limit(c) -> None:
                await c.fetchall(f"PRAGMA max_page_count = {count}")

            await db.write(limit)

            async def fill(c) -> None:
                await c.execute("CREATE TABLE filler AS SELECT randomblob(100000) AS b")

            # SQLite's own page limit gives the same SQLITE_FULL a full file system does
            with pytest.raises(StoreError):
                await db.write(fill)
            async with db.read() as c:  # readers still answer
                rows = await c.fetchall("SELECT count(*) FROM sqlite_master WHERE name = 'filler'")
            return rows[0][0]
        finally:
            await db.close()

    with caplog.at_level(logging.ERROR, logger="between.store"):
        kept = asyncio.run(run())
    assert kept == 0
    assert f"disk full: could not write {db_path}" in caplog.text
    assert "OperationalError" not in caplog.text


def test_readiness_needs_a_reachable_and_migrated_database(api: Api):
    assert api.get("/health/ready").status_code == 200
    assert api.get("/health").status_code == 200
    with sqlite3.connect(api.db) as conn:
        conn.execute("PRAGMA user_version = 2")  # as a database restored from an older release, not yet migrated
    r = api.get("/health/ready")
    assert r.status_code == 503 and r.json()["code"] == "unavailable" and r.headers["retry-after"] == "5"
    assert api.get("/health").status_code == 200  # alive all the same: restarting it would not help


def test_json_logs_carry_the_request_id_and_no_token_or_query(api_factory):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    try:
        api = api_factory(log_format="json")
        sam = api.register("sam")
        rec = b.Rec(sam)
        api.push(sam, [rec.item(b'{"secret":"what sam wrote"}')])
        r = api.get("/sync/pull?after=0&limit=7", sam)
        assert r.status_code == 200
        request_id = r.headers["x-request-id"]
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    # the server's lines (the test's own HTTP client, httpx, logs its URLs in this process too)
    lines = [x for x in map(json.loads, out.getvalue().splitlines()) if x["logger"] != "httpx"]
    access = [x for x in lines if x["logger"] == "between.access"]
    pull = next(x for x in access if x.get("request_id") == request_id)
    assert pull["method"] == "GET" and pull["route"] == "/api/v1/sync/pull" and pull["status"] == 200
    assert {x["route"] for x in access} >= {"/api/v1/accounts", "/api/v1/sync/push", "/api/v1/sync/pull"}
    assert all(len(x["request_id"]) == 16 for x in access)
    text = "\n".join(map(json.dumps, lines))
    assert sam.token not in text and "limit=7" not in text and "what sam wrote" not in text and "sam" not in text


def test_metrics_count_requests_pushes_pulls_and_the_pool(api_factory):
    port = free_port()
    api = api_factory(metrics_port=port)
    sam = api.register("sam")
    rec = b.Rec(sam)
    api.push(sam, [rec.item(), b.Rec(sam).item()])
    api.pull_all(sam)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert samples['between_requests_total{method="POST",route="/api/v1/sync/push",status="200"}'] == 1
    assert samples['between_requests_total{method="GET",route="/api/v1/sync/pull",status="200"}'] == 1
    assert samples['between_request_seconds_count{route="/api/v1/sync/push"}'] == 1
    assert samples['between_pushed_items_total{status="ok"}'] == 2
    assert samples["between_pulls_total"] == 1 and samples["between_pulled_items_total"] == 2
    assert samples["between_feed_lag_seconds_count"] == 1
    assert samples["between_db_readers"] == 4 and samples["between_db_writes_total"] >= 2
    # the app's own port does not serve them
    assert api.c.get("/metrics").status_code == 404


def test_without_a_metrics_port_nothing_is_counted(api: Api):
    svc = api.c.app.app.state.services if hasattr(api.c.app, "app") else None
    assert svc is None or svc.metrics is None
    assert api.c.get("/metrics").status_code == 404


def test_readiness_on_postgresql_needs_every_migration(api_factory, postgres_database):
    api = api_factory(database=postgres_database.dsn)
    assert api.get("/health/ready").status_code == 200
    postgres_database.query(
        "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"
    )
    r = api.get("/health/ready")
    assert r.status_code == 503 and r.json()["code"] == "unavailable"
    assert api.get("/health").status_code == 200


def _scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def _counted_by(path, pid: int, sample: str) -> float:
    """What one worker counted, read from its own file in the multiprocess directory."""
    from prometheus_client.multiprocess import MultiProcessCollector

    counter = path / f"counter_{pid}.db"
    if not counter.exists():
        return 0
    for metric in MultiProcessCollector.merge([str(counter)], accumulate=False):
        for s in metric.samples:
            if s.name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items())) + "}" == sample:
                return s.value
    return 0


@pytest.mark.slow
def test_several_workers_metrics_are_summed_in_one_scrape(tmp_path, postgres_database):
    """Two workers on PostgreSQL: requests spread over both appear summed in one scrape of the supervisor's port; a
    previous run's files are gone at start; a worker killed and started again takes its pool figures with it but
    none of the counts."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"a previous run's")
    port = free_port()
    server = start_live_server(
        tmp_path,
        {
            "BETWEEN_DATABASE": postgres_database.dsn,
            "BETWEEN_WORKERS": "2",
            "BETWEEN_METRICS_PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": str(shared),
        },
    )
    try:
        assert not (shared / "counter_1.db").exists()
        workers = workers_of(server)
        assert len(workers) == 2
        sample = 'between_requests_total{method="GET",route="/api/v1/crisis-lines",status="200"}'
        sent = 0

        def one(_: int) -> None:
            with httpx.Client() as c:  # a connection each: the kernel hands it to either worker
                assert c.get(f"{server.url}/api/v1/crisis-lines").status_code == 200

        with ThreadPoolExecutor(max_workers=6) as pool:
            for _ in range(20):
                list(pool.map(one, range(12)))
                sent += 12
                if all(_counted_by(shared, pid, sample) > 0 for pid in workers):
                    break
        per_worker = [_counted_by(shared, pid, sample) for pid in workers]
        assert all(n > 0 for n in per_worker) and sum(per_worker) == sent
        assert _scrape(port)[sample] == sent
        deadline = time.monotonic() + 10
        while _scrape(port).get("between_db_listening") != 2:  # each worker's pool figures, summed
            assert time.monotonic() < deadline
            time.sleep(0.2)
        # a worker dies: its live gauges go, its counts stay
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (
            workers[0] in workers_of(server)  # until reaped (a zombie is still a child)
            or len(workers_of(server)) != 2
            or _scrape(port).get("between_db_listening") != 2
        ):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert not list(shared.glob(f"gauge_livesum_{workers[0]}.db"))
        assert _scrape(port)[sample] == sent
    finally:
        server.stop()
    assert server.proc.returncode == 0
