"""PostgreSQL and several workers (issue 11): a push and pull mix over HTTP, as ratios measured in the same run.

Cases, each on a fresh store, in every round (so slow drift of this shared machine cancels out):
- SQLite, one process (the baseline of the second ratio);
- PostgreSQL, one worker;
- PostgreSQL, two workers (against one worker: the first ratio).

The mix: half pushes of one new record, half pulls of a page of 20 from the start of the feed, spread over a few
accounts, over `--concurrency` keep-alive connections. Nothing is pinned to a CPU: two workers need both cores, and
PostgreSQL shares them too. Goals: two workers at least 1.6 times one, PostgreSQL at least 0.7 times SQLite.

Run: .venv/bin/python -m bench.bench_pg [--rounds 3 --requests 3000 --concurrency 32]
(PostgreSQL at PGHOST/PGPORT/PGUSER, else postgres@127.0.0.1:5432; the bench makes and drops its own databases.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.__main__ import ROOT, Writer, free_port
from bench.loadgen import build_request, run_load
from between.sync.core import wire

PG = "postgresql://{user}@{host}:{port}/{db}".format(
    user=os.environ.get("PGUSER") or "postgres",
    host=os.environ.get("PGHOST") or "127.0.0.1",
    port=os.environ.get("PGPORT") or "5432",
    db="{db}",
)
ACCOUNTS = 8


class Server:
    """`python -m between.server` on a free port with `env`; not pinned."""

    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data.mkdir(parents=True, exist_ok=True)
        self.log = open(data / "bench-server.log", "wb")  # noqa: SIM115 - written until stop()
        cmd = [sys.executable, "-m", "between.server", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--data", str(data)]
        full = dict(os.environ, BETWEEN_RATE_LIMIT="off", **env)
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=full, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start; see " + str(data / "bench-server.log"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG.format(db="postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def requests_for(server: Server, total: int) -> list[bytes]:
    """`total` requests: pushes of one new record and pulls of 20, alternating, over ACCOUNTS accounts."""
    writers = [Writer(server, "bench-" + uuid.uuid4().hex[:10]) for _ in range(ACCOUNTS)]
    out = []
    for i in range(total):
        w = writers[i % ACCOUNTS]
        headers = {"Authorization": "Bearer " + w.token}
        if i % 2 == 0:
            body = wire.encode(wire.Push(items=[w.new_item()]))
            out.append(build_request(server.url + "/api/v1/sync/push", "POST", body, headers))
        else:
            out.append(build_request(server.url + "/api/v1/sync/pull?after=0&limit=20", "GET", b"", headers))
    return out


def _ok(status: int, body: bytes) -> bool:
    return status == 200 and b'"status":"ok"' in body if body.startswith(b'{"results"') else status == 200


@contextlib.contextmanager
def fresh_server(env: dict[str, str], work: Path) -> Iterator[Server]:
    """A server on a data directory of its own, and with BETWEEN_DATABASE in `env` on a PostgreSQL database made for
    it and dropped after."""
    database = None
    if "BETWEEN_DATABASE" in env:
        database = "between_bench_" + uuid.uuid4().hex[:10]
        asyncio.run(_admin(f'CREATE DATABASE "{database}"'))
        env = env | {"BETWEEN_DATABASE": PG.format(db=database)}
    server = Server(work / uuid.uuid4().hex[:8], env)
    try:
        yield server
    finally:
        server.stop()
        if database:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def measure(env: dict[str, str], work: Path, total: int, concurrency: int) -> float:
    """Requests per second of the mix against one fresh server."""
    with fresh_server(env, work) as server:
        every = requests_for(server, 200 + total)
        warm, timed = every[:200], every[200:]
        asyncio.run(run_load(server.url, warm, total=len(warm), concurrency=concurrency, check=_ok))
        result = asyncio.run(run_load(server.url, timed, total=len(timed), concurrency=concurrency, check=_ok))
        return result.rate


def line(name: str, case: list[float], base: list[float], goal: str) -> str:
    ratios = [c / b for c, b in zip(case, base, strict=True)]
    return (
        f"| {name} | {statistics.median(case):,.0f} req/s | {statistics.median(base):,.0f} req/s | "
        f"{statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}] | {goal} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    cases = {
        "sqlite": {},
        "pg1": {"BETWEEN_DATABASE": "", "BETWEEN_WORKERS": "1"},
        "pg2": {"BETWEEN_DATABASE": "", "BETWEEN_WORKERS": "2"},
    }
    rates: dict[str, list[float]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory(prefix="between-bench-pg-") as tmp:
        for n in range(args.rounds):
            for name, env in cases.items():
                rates[name].append(measure(env, Path(tmp), args.requests, args.concurrency))
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:,.0f} req/s" for k, v in rates.items()), flush=True)
    print(
        f"\nmix: 1-record push / pull of 20, alternating; {args.requests} requests, c={args.concurrency}, "
        f"{args.rounds} rounds, {os.cpu_count()} CPUs; median [min..max] of the per-round ratios\n"
    )
    print("| case | rate | baseline | ratio | goal |\n|---|---|---|---|---|")
    print(line("PostgreSQL, 2 workers ÷ 1 worker", rates["pg2"], rates["pg1"], "≥ 1.6"))
    print(line("PostgreSQL, 1 worker ÷ SQLite", rates["pg1"], rates["sqlite"], "≥ 0.7"))


if __name__ == "__main__":
    main()
