"""A small keep-alive HTTP/1.1 load generator, so the measuring side costs little next to the server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def build_request(url: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value.strip())
        elif lname == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size + 2)
        return status, bytes(body)
    return status, await reader.readexactly(length)


async def run_load(
    url: str,
    requests: Sequence[bytes] | Callable[[int], bytes],
    *,
    total: int,
    concurrency: int,
    check: Callable[[int, bytes], bool] | None = None,
    latencies: list[float] | None = None,
) -> LoadResult:
    """Send `total` requests over `concurrency` keep-alive connections; `requests` is a list cycled
    through in order, or a function of the request number. `latencies`: each request's seconds, from
    writing it to reading its whole answer, are appended to it."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    counter = iter(range(total))
    statuses: dict[int, int] = {}
    failures: list[str] = []

    def next_request(i: int) -> bytes:
        return requests(i) if callable(requests) else requests[i % len(requests)]

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in counter:
                sent = time.perf_counter()
                writer.write(next_request(i))
                status, body = await _read_response(reader)
                if latencies is not None:
                    latencies.append(time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
                if check is not None and not check(status, body) and len(failures) < 3:
                    failures.append(f"{status} {body[:200]!r}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError("load generator saw unexpected answers: " + "; ".join(failures))
    return LoadResult(total, seconds, statuses)
