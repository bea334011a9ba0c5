"""Attachments in Chromium (issue 15): sealing a 10 MB attachment in STREAM chunks (web/js/core/attachments.js,
PROTOCOL.md §19) against one WebCrypto AES-256-GCM call over the same bytes, as a ratio per round.

Run: (cd web && npm run build) && .venv/bin/python -m bench.bench_attachment_seal [--rounds 7] [--mb 10]
(the server serves web/dist/, the minified build: build it after changing web/)

The app is served by the real server; the page imports the app's own module. Each round, back to back (alternating
which goes first), over the same random bytes: `sealBlob` (padding, 156 chunks of 64 KiB, each its own AES-GCM call
with its nonce and associated data, 8 in flight) and `crypto.subtle.encrypt` once over the whole attachment (no
padding, no chunks: the least any encryption of those bytes costs). Also `newAttachment` (the seal plus the blob's
SHA-256, what saving an entry pays) and opening the blob again (`openItem`: digest, every chunk, unpadding).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.__main__ import Server
from bench.bench_browser import ARGS, CHROMIUM, READY

ROUNDS = """async ({ size, rounds }) => {
  const { sealBlob, newAttachment, openItem, blobLength } = await import('/js/core/attachments.js');
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, size)));
  const key = crypto.getRandomValues(new Uint8Array(32));
  const id = crypto.randomUUID();
  const aes = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const chunked = async () => {
    const t = performance.now();
    const blob = await sealBlob(key, id, data);
    if (blob.length !== blobLength(size)) throw new Error('blob of the wrong length');
    return performance.now() - t;
  };
  const once = async () => {
    const t = performance.now();
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, data);
    if (ct.byteLength !== size + 16) throw new Error('ciphertext of the wrong length');
    return performance.now() - t;
  };
  await chunked(); await once(); // warm: first calls compile and allocate
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const [a, b] = r % 2 ? [await once(), await chunked()].reverse() : [await chunked(), await once()];
    let t = performance.now();
    const { item, blob } = await newAttachment(data, 'audio/webm');
    const made = performance.now() - t;
    t = performance.now();
    const back = await openItem(item, blob);
    const opened = performance.now() - t;
    if (back.length !== size || back[size - 1] !== data[size - 1]) throw new Error('opened bytes differ');
    out.push({ chunked: a, once: b, made, opened });
  }
  return out;
}"""


def spread(values: list[float], fmt: str = "{:,.1f}") -> str:
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--mb", type=float, default=10.0, help="attachment size in MB (10^6 bytes)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    size = int(args.mb * 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-att-"))
    server = Server(tmp / "server")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS
            )
            try:
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                page.goto(server.url + "/app/entries")
                page.wait_for_function(READY, timeout=30_000)
                rounds = page.evaluate(ROUNDS, {"size": size, "rounds": args.rounds})
            finally:
                ctx.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    chunked = [r["chunked"] for r in rounds]
    once = [r["once"] for r in rounds]
    print(f"attachment of {size:,} bytes, {args.rounds} rounds, median [min..max]")
    print(f"  sealBlob (STREAM chunks)       {spread(chunked)} ms  ({spread([size / 1e3 / c for c in chunked])} MB/s)")
    print(f"  one AES-GCM call (baseline)    {spread(once)} ms  ({spread([size / 1e3 / c for c in once])} MB/s)")
    print(f"  ratio chunked / one call (time) {spread([c / o for c, o in zip(chunked, once, strict=True)], '{:.2f}')}")
    print(f"  ratio one call / chunked (speed) {spread([o / c for c, o in zip(chunked, once, strict=True)], '{:.2f}')}")
    print(f"  newAttachment (seal + SHA-256) {spread([r['made'] for r in rounds])} ms")
    print(f"  openItem (SHA-256 + open)      {spread([r['opened'] for r in rounds])} ms")


if __name__ == "__main__":
    main()
