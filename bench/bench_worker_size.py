"""The classic service worker's size against the module worker's graph, gzipped (issue 18).

Run: .venv/bin/python -m bench.bench_worker_size

The module worker is sw.js and every module it imports, fetched one file each: its size on the wire is each file
gzipped on its own, as written (web/) and minified one by one (web/dist/, tools/build.js). The classic worker
(/sw-classic.js, for browsers without module service workers) is the same graph bundled into one minified script.
The graph is the bundle's own list of inputs, so both sides always hold the same modules. Sizes, not times: no
baseline run is needed, the module graph is the figure to compare with. Nothing is written into web/.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"

# Builds the classic worker into a scratch folder and writes each of its inputs minified on its own next to it.
BUILD = """
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildClassicWorker, minified } from './tools/build.js';
const out = process.argv[1];
const { file, inputs } = await buildClassicWorker(out);
for (const path of inputs) {
  const target = join(out, 'min', path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, await minified(join(process.cwd(), path)));
}
console.log(JSON.stringify({ file, inputs }));
"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure() -> list[tuple[str, int, int, int]]:
    """(what, files, raw bytes, gzip -9 bytes) for each form of the worker."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["node", "--input-type=module", "-e", BUILD, scratch],
            cwd=WEB,
            check=True,
            capture_output=True,
            text=True,
        )
        built = json.loads(done.stdout)
        inputs: list[str] = built["inputs"]
        written = [(WEB / path).read_bytes() for path in inputs]
        small = [(Path(scratch) / "min" / path).read_bytes() for path in inputs]
        bundle = Path(built["file"]).read_bytes()
    return [
        (
            "module worker, as written (web/): each file gzipped",
            len(inputs),
            sum(map(len, written)),
            sum(map(gz, written)),
        ),
        (
            "module worker, minified per file (web/dist/): each file gzipped",
            len(inputs),
            sum(map(len, small)),
            sum(map(gz, small)),
        ),
        ("the same minified files as one gzip stream", len(inputs), sum(map(len, small)), gz(b"\n".join(small))),
        ("classic worker (sw-classic.js): one minified bundle, gzipped", 1, len(bundle), gz(bundle)),
    ]


def main() -> None:
    rows = measure()
    print("| worker | files | raw KB | gzip -9 KB |")
    print("|---|---|---|---|")
    for what, files, raw, packed in rows:
        print(f"| {what} | {files} | {raw / 1000:.1f} | {packed / 1000:.1f} |")
    classic = rows[-1][3]
    print()
    for what, _, _, packed in rows[:-1]:
        print(f"classic / {what}: {classic / packed:.2f}")


if __name__ == "__main__":
    main()
