"""Where a push and a pull spend their time inside the server, without HTTP: signature checks,
the store's writer (group commit), the store's pull, and the raw SQLite floor for the same rows.

Run: .venv/bin/python -m bench.bench_server [--records 2000]. `python -m bench` measures the HTTP ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from between.server.api.sync import prepare
from between.server.store import Store
from between.sync.core import crypto, keys, layout, records, wire

PLAINTEXT = b'{"fields":{"body":"' + b"x" * 880 + b'"},"kind":"journal","v":1}'


def account() -> tuple[keys.AccountSecrets, wire.Signup]:
    s = keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle="bench-" + uuid.uuid4().hex[:8],
        role="client",
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )
    kdf = keys.new_kdf_params(layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)
    device = wire.DeviceKey(
        device_id=uuid.uuid4(), name="bench", sig_pub=crypto.ed25519_public(crypto.random_bytes(32))
    )
    signup = wire.Signup(
        user_id=uuid.UUID(bytes=s.user_id),
        handle=s.handle,
        kdf=kdf,
        login_pub=bytes(32),
        recovery_login_pub=bytes(32),
        pw_envelope=bytes(60),
        rk_envelope=bytes(60),
        id_wrap=bytes(92),
        bundle=keys.make_bundle(s),
        device=device,
    )
    return s, signup


def items(s: keys.AccountSecrets, n: int) -> list[wire.PushItem]:
    out = []
    for _ in range(n):
        rid, key_id, dek = uuid.uuid4(), crypto.random_bytes(16), crypto.random_bytes(32)
        rev = records.seal_revision(
            owner_id=s.user_id,
            record_id=rid,
            version=1,
            parent=None,
            key_id=key_id,
            dek=dek,
            plaintext=PLAINTEXT,
            sig_seed=s.sig_seed,
        )
        out.append(
            wire.PushItem(
                record_id=rid,
                base_version=0,
                revision=rev,
                dek_wrap=records.wrap_dek(s.kwk, s.user_id, rid, key_id, dek),
            )
        )
    return out


def raw_floor(path: Path, rows: list[wire.PushItem], per_tx: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE r (id BLOB PRIMARY KEY, header BLOB, ct BLOB, sig BLOB, wrap BLOB)")
    start = time.perf_counter()
    for i in range(0, len(rows), per_tx):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO r VALUES (?,?,?,?,?)",
            [
                (x.record_id.bytes, x.revision.header, x.revision.ct, x.revision.signature, x.dek_wrap)
                for x in rows[i : i + per_tx]
            ],
        )
        conn.execute("COMMIT")
    conn.close()
    return len(rows) / (time.perf_counter() - start)


async def one_round(work: Path, n: int) -> dict[str, float]:
    s, signup = account()
    batch = items(s, n)
    t = time.perf_counter()
    prepared = [prepare(i, s.user_id, s.sig_pub, 1 << 20) for i in batch]
    verify = n / (time.perf_counter() - t)
    store = await Store.open(work / f"{uuid.uuid4().hex}.sqlite3")
    try:
        await store.accounts.create_account(signup, crypto.random_bytes(32), 10**10, 1)
        t = time.perf_counter()
        await asyncio.gather(*(store.records.push(s.user_id, prepared[i : i + 50], False, 1) for i in range(0, n, 50)))
        write = n / (time.perf_counter() - t)
        t = time.perf_counter()
        after, pulled = 0, 0
        while True:
            page = await store.records.pull(s.user_id, after, 1000)
            pulled += len(page.items)
            after = page.cursor
            if not page.more:
                break
        pull = pulled / (time.perf_counter() - t)
    finally:
        await store.close()
    raw = raw_floor(work / f"raw-{uuid.uuid4().hex}.sqlite3", batch, 50)
    return {
        "verify rec/s": verify,
        "store push rec/s": write,
        "store pull rec/s": pull,
        "raw insert rec/s": raw,
        "push / raw": write / raw,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_server", description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        rounds = [asyncio.run(one_round(Path(d), args.records)) for _ in range(args.rounds)]
    print("| measure | median [min..max] |\n|---|---|")
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        print(f"| {key} | {statistics.median(values):,.2f} [{min(values):,.2f}..{max(values):,.2f}] |")


if __name__ == "__main__":
    main()
