"""Attachments over HTTP with the Python client (issue 15), each against a plain transfer of the same size to the same
server, measured in the same run.

Run: .venv/bin/python -m bench.bench_attachments [--rounds 5 --mb 10]

1. Upload: a `--mb` MB attachment sealed (sync/core/attachments.py: padded, STREAM chunks of 64 KiB under AES-256-GCM,
   SHA-256 of the blob), kept in the profile (written and synced, as `between attach` does) and uploaded
   (sync/client/blobs.py: POST /blobs, then PATCH in pieces of 1 MiB), against a plain upload of the same number of
   bytes, unencrypted, to the same endpoints in the same pieces. Goal: throughput ratio >= 0.5.
2. Download and decrypt: the blob fetched in ranges of 1 MiB and opened (length, digest, every chunk, unpadding),
   against a plain download of the plaintext's bytes in the same ranges. Goal: >= 0.5. Also shown: against one plain
   GET of the whole (what fetching in ranges costs).
Ratios are baseline time / case time, per round (the two cases alternate which goes first), median [range].
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.__main__ import Server
from between.sync.client.accounts import kdf_from_env
from between.sync.client.blobs import PIECE, Blobs
from between.sync.client.client import Client
from between.sync.core import attachments
from between.sync.core.errors import BetweenError

FLOOR = {"BETWEEN_KDF_MEMORY_KIB": "19456", "BETWEEN_KDF_ITERATIONS": "2"}


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]"


def plain_download(api, bid: uuid.UUID, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        out += api.get_blob(bid, len(out), min(len(out) + PIECE, size))
    return bytes(out)


def timed(into: list[float], step, *args):
    t0 = time.perf_counter()
    out = step(*args)
    into.append(time.perf_counter() - t0)
    return out


def upload_sealed(api, blobs: Blobs, data: bytes) -> dict:
    """What `between attach` does before the entry is sent: seal, keep in the profile, upload."""
    item, blob = attachments.new_attachment(data, "audio/webm")
    blobs.stage(item["id"], blob)
    blobs.upload(api, item["id"])
    return item


def upload_plain(api, data: bytes) -> uuid.UUID:
    """The baseline: the same bytes, unencrypted, to the same endpoints in the same pieces."""
    bid = uuid.uuid4()
    state = api.create_blob(bid, len(data))
    while not state.complete:
        state = api.patch_blob(bid, state.received, data[state.received : state.received + PIECE])
    return bid


def fetch_sealed(api, blobs: Blobs, item: dict, data: bytes) -> None:
    assert blobs.download(api, item) == data


def fetch_plain(api, bid: uuid.UUID, data: bytes) -> None:
    assert plain_download(api, bid, len(data)) == data


def fetch_whole(api, bid: uuid.UUID, data: bytes) -> None:
    assert api.get_blob(bid) == data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mb", type=int, default=10)
    args = parser.parse_args(argv)
    size = args.mb * 1_000_000
    with tempfile.TemporaryDirectory(prefix="between-bench-att-") as tmp:
        server = Server(Path(tmp) / "data")
        client = Client(Path(tmp) / "profile")
        try:
            client.accounts.create(server.url, "bench", "bench passphrase 42", "client", kdf_from_env(FLOOR))
            api = client.api
            blobs = Blobs(Path(tmp) / "profile")
            up, up_base, down, down_base, down_one = [], [], [], [], []
            for r in range(args.rounds):
                data = secrets.token_bytes(size)
                if r % 2:
                    plain_id = timed(up_base, upload_plain, api, data)
                    item = timed(up, upload_sealed, api, blobs, data)
                else:
                    item = timed(up, upload_sealed, api, blobs, data)
                    plain_id = timed(up_base, upload_plain, api, data)
                steps = [
                    lambda item=item, data=data: timed(down, fetch_sealed, api, blobs, item, data),
                    lambda plain_id=plain_id, data=data: timed(down_base, fetch_plain, api, plain_id, data),
                ]
                for step in reversed(steps) if r % 2 else steps:
                    step()
                timed(down_one, fetch_whole, api, plain_id, data)
        except BetweenError as exc:
            print(f"bench failed: {exc.code}: {exc.detail}", file=sys.stderr)
            return 1
        finally:
            client.close()
            server.stop()
    mb = size / 1e6
    print(f"attachments, {args.mb} MB, {args.rounds} rounds (median [range])")
    print(f"  upload, sealed + kept + uploaded:   {spread([mb / t for t in up], '{:.0f}')} MB/s")
    print(f"  upload, plain bytes, same pieces:   {spread([mb / t for t in up_base], '{:.0f}')} MB/s")
    print(f"  upload ratio (goal >= 0.5):         {spread([b / c for c, b in zip(up, up_base, strict=True)])}")
    print(f"  download + verify + decrypt:        {spread([mb / t for t in down], '{:.0f}')} MB/s")
    print(f"  download, plain, same 1 MiB ranges: {spread([mb / t for t in down_base], '{:.0f}')} MB/s")
    print(f"  download ratio (goal >= 0.5):       {spread([b / c for c, b in zip(down, down_base, strict=True)])}")
    print(f"  against one plain GET of the whole: {spread([b / c for c, b in zip(down, down_one, strict=True)])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
