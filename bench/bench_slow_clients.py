"""`python -m bench.bench_slow_clients`: a normal client's latency while slow clients hold connections, as a ratio
against the same client on the same server with no slow clients, measured in the same run.

Slow clients: half trickle their headers at one byte a second, half stall after the first bytes of a body. The server
runs with its read deadlines (server/protocol.py) at BETWEEN_HEADER_TIMEOUT/BODY_TIMEOUT seconds (default here 5); the
report also says how many slow connections the server closed within the run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latencies(url: str, n: int) -> list[float]:
    out = []
    with httpx.Client(timeout=30) as http:
        for _ in range(n):
            t = time.perf_counter()
            http.post(url + "/api/v1/auth/prelogin", json={"handle": "sam"}).raise_for_status()
            out.append(time.perf_counter() - t)
    return out


def slow_clients(port: int, count: int, stop: threading.Event, closed: list[int]) -> list[threading.Thread]:
    def one(i: int) -> None:
        try:
            s = socket.create_connection(("127.0.0.1", port))
        except OSError:
            return
        s.settimeout(0.5)
        data = (
            b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 500 + b"\r\n\r\n"
            if i % 2
            else b"POST /api/v1/auth/prelogin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        step = 1 if i % 2 else len(data)
        pos = 0
        while not stop.is_set():
            if pos < len(data):
                try:
                    s.send(data[pos : pos + step])
                except OSError:
                    closed.append(i)
                    return
                pos += step
            try:
                if s.recv(1) == b"":
                    closed.append(i)
                    return
            except TimeoutError:
                pass
            except OSError:
                closed.append(i)
                return
            stop.wait(0.5)
        s.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    return threads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", default="5")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "BETWEEN_RATE_LIMIT": "off",
            "BETWEEN_HEADER_TIMEOUT": args.timeout,
            "BETWEEN_BODY_TIMEOUT": args.timeout,
            "BETWEEN_LOG_LEVEL": "warning",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "between.server", "--port", str(port), "--data", data], cwd=ROOT, env=env
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(url + "/api/v1/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            latencies(url, 20)  # warm-up
            ratios, base_p50, slow_p50, base_p95, slow_p95, cut = [], [], [], [], [], 0
            for _ in range(args.rounds):
                # the baseline is measured on both sides of the slow clients, so an effect of the order cancels out
                time.sleep(1.0)
                base = latencies(url, args.requests // 2)
                stop, closed = threading.Event(), []
                threads = slow_clients(port, args.slow, stop, closed)
                time.sleep(0.5)
                held = latencies(url, args.requests)
                time.sleep(float(args.timeout) + 1)  # long enough for every deadline to pass
                stop.set()
                for t in threads:
                    t.join()
                time.sleep(1.0)
                base += latencies(url, args.requests // 2)
                cut += len(closed)
                base_p50.append(statistics.median(base))
                slow_p50.append(statistics.median(held))
                base_p95.append(statistics.quantiles(base, n=20)[18])
                slow_p95.append(statistics.quantiles(held, n=20)[18])
                ratios.append(slow_p50[-1] / base_p50[-1])
            print(
                f"normal client, {args.slow} slow clients held vs none: p50 ratio {statistics.median(ratios):.2f} "
                f"(range {min(ratios):.2f}-{max(ratios):.2f}); p50 {statistics.median(base_p50) * 1000:.2f} -> "
                f"{statistics.median(slow_p50) * 1000:.2f} ms, p95 {statistics.median(base_p95) * 1000:.2f} -> "
                f"{statistics.median(slow_p95) * 1000:.2f} ms; slow connections cut by the server: "
                f"{cut}/{args.slow * args.rounds} (deadline {args.timeout} s)"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
