"""`make bench`: the server's throughput as ratios against baselines measured in the same run.

Each round measures the case and its baseline back to back; the report gives the median and the
range of the per-round ratios, so slow drift of this shared machine cancels out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiosqlite
import httpx
import msgspec

from bench.loadgen import build_request, run_load
from between.sync.core import crypto, keys, layout, records, wire

ROOT = Path(__file__).resolve().parent.parent
PLAINTEXT = b'{"fields":{"body":"' + b"x" * 880 + b'"},"kind":"journal","v":1}'


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real server as a subprocess, pinned to CPU 0 when taskset exists (the load runs on CPU 1)."""

    def __init__(self, data: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-m",
            "between.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data",
            str(data),
        ]
        if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1:
            cmd = ["taskset", "-c", "0", *cmd]
        env = dict(os.environ, BETWEEN_RATE_LIMIT="off", **(env or {}))
        data.mkdir(parents=True, exist_ok=True)
        self.log = open(data / "bench-server.log", "wb")  # noqa: SIM115 - the server writes it until stop()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start; see " + str(data / "bench-server.log"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class Writer:
    """One signed-up account that produces valid pushes."""

    def __init__(self, server: Server, handle: str) -> None:
        kdf = wire.KdfParams(
            memory_kib=layout.KDF_FLOOR_MEMORY_KIB,
            iterations=layout.KDF_FLOOR_ITERATIONS,
            lanes=1,
            salt=crypto.random_bytes(16),
        )
        account = keys.new_account(handle, "bench passphrase " + handle, "client", kdf=kdf)
        self.secrets = account.secrets
        device_seed = crypto.random_bytes(32)
        device = wire.DeviceKey(device_id=uuid.uuid4(), name="bench", sig_pub=crypto.ed25519_public(device_seed))
        signup = wire.Signup(**account.signup_fields, device=device)
        answer = httpx.post(
            server.url + "/api/v1/accounts",
            content=wire.encode(signup),
            headers={"content-type": "application/json"},
            timeout=30,
        )
        answer.raise_for_status()
        self.token = answer.json()["token"]
        self.auth = {"Authorization": "Bearer " + self.token}

    def new_item(self) -> wire.PushItem:
        record_id = uuid.uuid4()
        key_id, dek = crypto.random_bytes(16), crypto.random_bytes(32)
        owner = self.secrets.user_id
        revision = records.seal_revision(
            owner_id=owner,
            record_id=record_id.bytes,
            version=1,
            parent=layout.ZERO32,
            key_id=key_id,
            dek=dek,
            plaintext=PLAINTEXT,
            sig_seed=self.secrets.sig_seed,
        )
        return wire.PushItem(
            record_id=record_id,
            base_version=0,
            revision=revision,
            dek_wrap=records.wrap_dek(self.secrets.kwk, owner, record_id.bytes, key_id, dek),
        )

    def push_bodies(self, pushes: int, per_push: int) -> list[bytes]:
        return [wire.encode(wire.Push(items=[self.new_item() for _ in range(per_push)])) for _ in range(pushes)]


def on_cpu(cpu: int) -> None:
    """Pin this thread (and threads it starts later, like aiosqlite's) to one CPU: baselines run on the
    server's CPU 0, the load generator on CPU 1, so the pairs compare like with like."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def _ok(status: int, body: bytes) -> bool:
    return status == 200 and b'"conflict"' not in body and b'"invalid"' not in body


async def raw_ingest(path: Path, rows: list[tuple[bytes, bytes, bytes, bytes]], per_tx: int) -> float:
    """Baseline: aiosqlite executemany of the same blobs, one transaction per batch, WAL + FULL."""
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute(
            "CREATE TABLE IF NOT EXISTS r (id BLOB PRIMARY KEY, header BLOB, ct BLOB, sig BLOB, seq INTEGER)"
        )
        await db.commit()
        start = time.perf_counter()
        for i in range(0, len(rows), per_tx):
            batch = rows[i : i + per_tx]
            await db.executemany(
                "INSERT INTO r (id, header, ct, sig, seq) VALUES (?, ?, ?, ?, ?)",
                [(os.urandom(16), h, c, s, i + j) for j, (h, c, s, _) in enumerate(batch)],
            )
            await db.commit()
        return len(rows) / (time.perf_counter() - start)


async def raw_pull(path: Path, page: int) -> float:
    """Baseline: select the same rows page by page and encode them as JSON, as the server must."""
    async with aiosqlite.connect(path) as db:
        start = time.perf_counter()
        after, n = -1, 0
        while True:
            cur = await db.execute(
                "SELECT id, header, ct, sig, seq FROM r WHERE seq > ? ORDER BY seq LIMIT ?", (after, page)
            )
            fetched = await cur.fetchall()
            if not fetched:
                break
            msgspec.json.encode(
                [
                    {"record_id": r[0], "revision": {"header": r[1], "ct": r[2], "signature": r[3]}, "seq": r[4]}
                    for r in fetched
                ]
            )
            after, n = fetched[-1][4], n + len(fetched)
        return n / (time.perf_counter() - start)


class _Page(msgspec.Struct):
    """Only what paging needs: the baseline encodes rows and decodes nothing, so the measured side
    should not pay for a client's typed decoding either (the whole body is still parsed)."""

    items: list[msgspec.Raw]
    cursor: int
    more: bool


def http_pull(server: Server, writer: Writer, page: int) -> tuple[float, int]:
    start = time.perf_counter()
    after, n = 0, 0
    decoder = msgspec.json.Decoder(_Page)
    with httpx.Client(base_url=server.url, headers=writer.auth, timeout=60) as client:
        while True:
            answer = client.get("/api/v1/sync/pull", params={"after": after, "limit": page})
            answer.raise_for_status()
            pulled = decoder.decode(answer.content)
            n += len(pulled.items)
            after = pulled.cursor
            if not pulled.more:
                break
    return n / (time.perf_counter() - start), n


def ratio_line(name: str, case: list[float], base: list[float], unit: str, goal: str) -> str:
    ratios = [c / b for c, b in zip(case, base, strict=True)]
    return (
        f"| {name} | {statistics.median(case):,.0f} {unit} | {statistics.median(base):,.0f} {unit} | "
        f"{statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}] | {goal} |"
    )


def bench_kdf(rounds: int) -> list[str]:
    out = []
    salt = bytes(16)
    for m, t, p in (layout.KDF_DEFAULT, (layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            crypto.argon2id("bench passphrase", m, t, p, salt)
            times.append(time.perf_counter() - start)
        out.append(
            f"| Argon2id m={m} KiB t={t} p={p} | {statistics.median(times) * 1000:.0f} ms "
            f"[{min(times) * 1000:.0f}..{max(times) * 1000:.0f}] |"
        )
    return out


def bench_account_create(server: Server, rounds: int, work: Path) -> str:
    times = []
    for i in range(rounds):
        profile = work / f"profile-{i}"
        env = dict(os.environ, BETWEEN_PASSPHRASE="a long bench passphrase")
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "between.sync.cli",
                "--profile",
                str(profile),
                "account",
                "create",
                "--server",
                server.url,
                "--handle",
                f"bench-user-{i}",
            ],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - start)
    return (
        f"| `between account create` (whole process, default KDF) | {statistics.median(times) * 1000:.0f} ms "
        f"[{min(times) * 1000:.0f}..{max(times) * 1000:.0f}] |"
    )


async def main_async(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="between-bench-"))
    print(f"Between benchmarks; {args.rounds} rounds; python {sys.version.split()[0]}; cpus {os.cpu_count()}\n")
    lines = ["| case | measured | baseline | ratio median [range] | goal |", "|---|---|---|---|---|"]
    ingest, ingest_raw, ingest_checked, pull, pull_raw, small, hello = [], [], [], [], [], [], []
    server = Server(work)
    on_cpu(1)
    try:
        writers = [Writer(server, f"bench-{i}") for i in range(args.rounds * 2 + 1)]
        for r in range(args.rounds):
            # push ingest: batches of 50 records against raw batched inserts of the same blobs
            w = writers[r]
            bodies = w.push_bodies(args.records // 50, 50)
            req = [build_request(server.url + "/api/v1/sync/push", "POST", b, w.auth) for b in bodies]
            result = await run_load(server.url, req, total=len(req), concurrency=4, check=_ok)
            ingest.append(result.requests * 50 / result.seconds)
            items = [msgspec.json.decode(b, type=wire.Push).items for b in bodies]
            rows = [
                (i.revision.header, i.revision.ct, i.revision.signature, i.dek_wrap) for batch in items for i in batch
            ]
            raw_db = work / f"raw-{r}.db"
            on_cpu(0)
            ingest_raw.append(await raw_ingest(raw_db, rows, 50))
            # the same inserts plus the one check the protocol asks of the server per record (PROTOCOL §17):
            # its Ed25519 signature, on the same CPU
            pub = crypto.ed25519_public(w.secrets.sig_seed)
            start = time.perf_counter()
            for batch in items:
                for i in batch:
                    records.verify_revision(i.revision, pub)
            verify_s = time.perf_counter() - start
            ingest_checked.append(len(rows) / (len(rows) / ingest_raw[-1] + verify_s))
            on_cpu(1)
            # pull of everything that writer pushed, against select + encode of the same rows
            rate, n = http_pull(server, w, 1000)
            if n != len(rows):
                raise RuntimeError(f"pulled {n} records, pushed {len(rows)}")
            pull.append(rate)
            on_cpu(0)
            pull_raw.append(await raw_pull(raw_db, 1000))
            on_cpu(1)
            # authenticated one-record push against the health route of the same server
            w2 = writers[args.rounds + r]
            one = [
                build_request(server.url + "/api/v1/sync/push", "POST", b, w2.auth)
                for b in w2.push_bodies(args.requests, 1)
            ]
            health = build_request(server.url + "/api/v1/health")
            hello.append(
                (
                    await run_load(
                        server.url, [health], total=args.requests, concurrency=16, check=lambda s, b: s == 200
                    )
                ).rate
            )
            small.append((await run_load(server.url, one, total=len(one), concurrency=16, check=_ok)).rate)
        lines.append(
            ratio_line(f"push ingest, 50 records/push, {args.records} records", ingest, ingest_raw, "rec/s", ">= 0.50")
        )
        lines.append(
            ratio_line(
                "the same, vs raw inserts plus one Ed25519 verification per record (the server's "
                "signature check; the restated baseline)",
                ingest,
                ingest_checked,
                "rec/s",
                ">= 0.60",
            )
        )
        lines.append(ratio_line(f"pull {args.records} records, pages of 1000", pull, pull_raw, "rec/s", ">= 0.50"))
        lines.append(ratio_line("authenticated 1-record push vs GET /api/v1/health", small, hello, "req/s", ">= 0.50"))
        print("\n".join(lines))
        print("\n| cost | time |\n|---|---|")
        print("\n".join(bench_kdf(3)))
        print(bench_account_create(server, 3, work))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--records", type=int, default=10_000, help="records pushed, then pulled, per round")
    parser.add_argument("--requests", type=int, default=3_000, help="requests per round for the small-push case")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
