"""Many clients at once (issue 11): p95 latency and each worker's memory with 200 concurrent clients.

The mix of bench/bench_pg.py (a 1-record push and a pull of 20, alternating, over 8 accounts), sent over `--clients`
keep-alive connections at once, against SQLite (one process), PostgreSQL with one worker and PostgreSQL with two. For
each: the rate, the p50 / p95 / p99 latency of a request (from writing it to reading its whole answer), and each
worker's peak resident memory (VmHWM in /proc, read after the load; the supervisor of several workers apart). Goal:
at most 150 MB per worker. Nothing is pinned; the load generator runs on the same 2 cores.

Run: .venv/bin/python -m bench.bench_clients [--rounds 3 --requests 4000 --clients 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench.bench_pg import _ok, fresh_server, requests_for
from bench.loadgen import run_load


def _kib(pid: int, field: str) -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith(field + ":"):
            return int(row.split()[1])
    return 0


def workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in children] or [pid]


def measure(env: dict[str, str], work: Path, total: int, clients: int) -> tuple[float, list[float], list[int]]:
    """Requests per second, each request's seconds, and each worker's peak RSS in KiB, against one fresh server."""
    with fresh_server(env, work) as server:
        every = requests_for(server, 400 + total)
        warm, timed = every[:400], every[400:]
        asyncio.run(run_load(server.url, warm, total=len(warm), concurrency=clients, check=_ok))
        latencies: list[float] = []
        result = asyncio.run(
            run_load(server.url, timed, total=len(timed), concurrency=clients, check=_ok, latencies=latencies)
        )
        peaks = [_kib(pid, "VmHWM") for pid in workers(server.proc.pid)]
        return result.rate, latencies, peaks


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    cases = {
        "SQLite, 1 process": {},
        "PostgreSQL, 1 worker": {"BETWEEN_DATABASE": "", "BETWEEN_WORKERS": "1"},
        "PostgreSQL, 2 workers": {"BETWEEN_DATABASE": "", "BETWEEN_WORKERS": "2"},
    }
    runs: dict[str, list[tuple[float, list[float], list[int]]]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory(prefix="between-bench-clients-") as tmp:
        for n in range(args.rounds):
            for name, env in cases.items():
                runs[name].append(measure(env, Path(tmp), args.requests, args.clients))
                rate, lat, peaks = runs[name][-1]
                print(
                    f"round {n + 1}, {name}: {rate:,.0f} req/s, p95 {pct(lat, 0.95) * 1000:.0f} ms, "
                    f"peak RSS {', '.join(f'{p / 1024:.0f}' for p in peaks)} MB",
                    flush=True,
                )
    print(
        f"\n{args.clients} clients, {args.requests} requests a round, {args.rounds} rounds; "
        "median [min..max] of rounds\n"
    )
    print("| case | rate | p50 | p95 | p99 | peak RSS per worker | goal |\n|---|---|---|---|---|---|---|")
    for name, rounds in runs.items():

        def spread(values: list[float], fmt: str) -> str:
            return f"{format(statistics.median(values), fmt)} [{format(min(values), fmt)}..{format(max(values), fmt)}]"

        rates = [r for r, _, _ in rounds]
        p50 = [pct(lat, 0.50) * 1000 for _, lat, _ in rounds]
        p95 = [pct(lat, 0.95) * 1000 for _, lat, _ in rounds]
        p99 = [pct(lat, 0.99) * 1000 for _, lat, _ in rounds]
        rss = [p / 1024 for _, _, peaks in rounds for p in peaks]
        print(
            f"| {name} | {spread(rates, ',.0f')} req/s | {spread(p50, '.0f')} ms | {spread(p95, '.0f')} ms | "
            f"{spread(p99, '.0f')} ms | {spread(rss, '.0f')} MB | RSS ≤ 150 MB |"
        )


if __name__ == "__main__":
    main()
