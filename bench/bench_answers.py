"""What reading answers leniently (sync/client/answers.py) costs on a full pull page, against msgspec's strict decode.

Run: .venv/bin/python -m bench.bench_answers [--rounds 9]

Two pages at the server's 8 MiB page limit: 1000 small records (the most items a page holds) and 16 records of
512 KiB. Each round decodes a page with `msgspec.json.Decoder(wire.PullResponse)` (the baseline, which would
refuse a newer server's fields) and with `answers.decode`, back to back, best of 3 each; the ratio is per round.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
import uuid

import msgspec

from bench.bench_browser import ratio_spread, spread
from between.sync.client import answers
from between.sync.core import wire


def pull_page(items: int, ct_len: int) -> bytes:
    """A PullResponse as the server sends it to an owner: a head and two grants per record."""
    states = []
    for i in range(items):
        rid, owner = uuid.uuid4(), uuid.uuid4()
        revision = wire.Revision(header=os.urandom(136), ct=os.urandom(ct_len), signature=os.urandom(64))
        head = wire.StoredRevision(
            record_id=rid, owner_id=owner, version=3, rev_id=os.urandom(32), revision=revision, seq=i + 1
        )
        grants = [
            wire.Grant(
                record_id=rid,
                owner_id=owner,
                grantee_id=uuid.uuid4(),
                key_id=os.urandom(16),
                body=os.urandom(120),
                sealed=os.urandom(80),
                signature=os.urandom(64),
                created_at=1,
            )
            for _ in range(2)
        ]
        states.append(
            wire.RecordState(
                record_id=rid,
                owner_id=owner,
                seq=i + 1,
                access="owner",
                head=head,
                dek_wrap=os.urandom(60),
                grants=grants,
            )
        )
    return wire.encode(wire.PullResponse(items=states, cursor=items, more=True))


def best_of(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ms(times: list[float]) -> str:
    return spread([t * 1e3 for t in times], "{:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    strict = msgspec.json.Decoder(wire.PullResponse)
    for items, ct_len in ((1000, 8 * 1024 - 300), (16, 512 * 1024)):
        raw = pull_page(items, ct_len)
        assert answers.decode(raw, wire.PullResponse) == strict.decode(raw)
        base, case = [], []
        for _ in range(args.rounds):
            base.append(best_of(functools.partial(strict.decode, raw)))
            case.append(best_of(functools.partial(answers.decode, raw, wire.PullResponse)))
        print(
            f"pull page of {items} records, {len(raw) / 2**20:.1f} MiB of JSON: strict decode {ms(base)} ms, "
            f"answers.decode {ms(case)} ms, ratio {ratio_spread(case, base)}"
        )


if __name__ == "__main__":
    main()
