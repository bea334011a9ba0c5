"""Whether a large push leaves the server's event loop free: health-check latency while a push of many signed items
is being verified, as a ratio of the push's own time. The test suite proves where the checks run
(tests/server/api/test_sync.py, a worker thread); this measures what that buys.

Run: .venv/bin/python -m bench.bench_loop [--rounds 5 --items 500]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.__main__ import Server, Writer


def one_round(server: Server, writer: Writer, items: int) -> tuple[float, float, int]:
    """(push seconds, longest health-check gap seconds, health checks answered during the push)."""
    body = writer.push_bodies(1, items)[0]
    done = threading.Event()
    took: list[float] = []

    def push() -> None:
        start = time.perf_counter()
        try:
            r = httpx.post(
                server.url + "/api/v1/sync/push",
                content=body,
                timeout=300,
                headers={**writer.auth, "content-type": "application/json"},
            )
            r.raise_for_status()
        finally:
            took.append(time.perf_counter() - start)
            done.set()

    worker = threading.Thread(target=push)
    gaps = []
    with httpx.Client(base_url=server.url, timeout=60) as health:
        worker.start()
        while not done.is_set():
            start = time.perf_counter()
            health.get("/api/v1/health").raise_for_status()
            gaps.append(time.perf_counter() - start)
    worker.join()
    return took[0], max(gaps, default=0.0), len(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_loop", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--items", type=int, default=500, help="signed items in the one large push")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="between-bench-loop-"))
    server = Server(work)
    try:
        ratios, pushes, gaps, counts = [], [], [], []
        for r in range(args.rounds):
            took, gap, count = one_round(server, Writer(server, f"loop-{r}"), args.items)
            pushes.append(took)
            gaps.append(gap)
            counts.append(count)
            ratios.append(gap / took)
        print(f"| push of {args.items} signed items | {statistics.median(pushes) * 1000:.0f} ms |")
        print(
            f"| longest health-check answer during it | {statistics.median(gaps) * 1000:.0f} ms "
            f"({statistics.median(counts):.0f} answered) |"
        )
        print(
            f"| ratio (longest gap / push; on the event loop it would be near 1) | {statistics.median(ratios):.2f} "
            f"[{min(ratios):.2f}..{max(ratios):.2f}] |"
        )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
