"""The PWA in Chromium: shell size, offline cold start, sealing entries, the KDF; ratios against same-run baselines.

Run: .venv/bin/python -m bench.bench_browser [--rounds 5] [--entries 1000] [--list-entries 100,1000]

Every baseline runs in the same browser, from the same origin, in the same run, built at run time (nothing
benchmark-only ships in web/): a static copy of the rendered entry list put into Cache Storage and answered by the
app's own service worker; raw WebCrypto + IndexedDB in the same page; native Argon2id in this process.
Each round measures the case and its baseline back to back (alternating which goes first); ratios are per round.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.__main__ import Server
from between.sync.core import crypto, layout

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
READY = "() => document.documentElement.dataset.ready === 'true'"
# What Chromium 156 asks for: the server decides whether to compress.
CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
STATIC_PATH = "/bench-static-list.html"
# The entry list's own address: the app opens on Today now (issue 10), which bench_today.py measures against it.
LIST = "/app/entries"
BODY = (
    "Walked to the river after the session and noticed how the worry about work eased once I named it. "
    "Wrote down what my sister said, and what I wished I had answered. "
) * 5  # ~800 chars, a typical entry

# Records the moment the app marks itself ready (data-ready="true" is set after the first view is swapped in),
# on the page's own clock (ms since navigation start). Injected by Playwright: not subject to the page's CSP.
READY_CLOCK = """(() => {
  const mark = () => {
    if (window.__benchReady === undefined && document.documentElement?.dataset.ready === 'true') {
      window.__benchReady = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
})()"""

SNAPSHOT = """async (path) => {
  // The entry list exactly as rendered, minus scripts: the same bytes to parse and style, no work to do.
  const doc = document.documentElement.cloneNode(true);
  for (const s of doc.querySelectorAll('script')) s.remove();
  doc.removeAttribute('data-ready');
  const cache = await caches.open('bench-baseline');
  await cache.put(path, new Response('<!doctype html>\\n' + doc.outerHTML,
    { headers: { 'Content-Type': 'text/html; charset=utf-8' } }));
  return doc.querySelectorAll('.entries .summary').length;
}"""

SEED = """async ({ n, body }) => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice } = await import('/js/data/device.js');
  const { createEntry } = await import('/js/data/entries.js');
  const db = await openDb();
  const me = await unlockDevice(db);
  for (let i = 0; i < n; i++) await createEntry(db, me, 'journal', { title: `Day ${i}`, body });
  db.close();
}"""

# The app's own path for a new entry: records.sealRevision (HKDF, AES-GCM, Ed25519), wrapDek, one strict
# transaction per entry writing the record and its history row. Also returns the byte sizes one entry stored.
APP_STORE = """async ({ name, n, body }) => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice } = await import('/js/data/device.js');
  const { createEntry } = await import('/js/data/entries.js');
  const db = await openDb(name);
  const me = await unlockDevice(db);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await createEntry(db, me, 'journal', { title: `Entry ${String(i).padStart(5, '0')}`, body });
  }
  const ms = performance.now() - start;
  const bytes = (v) => v instanceof Uint8Array ? v.byteLength
    : v && typeof v === 'object' ? Object.values(v).reduce((a, x) => a + bytes(x), 0) : 0;
  const tx = db.transaction(['records', 'revisions']);
  const ask = (request) => new Promise((ok) => { request.onsuccess = () => ok(request.result); });
  const [rec, rev, count] = await Promise.all([ask(tx.objectStore('records').openCursor()),
    ask(tx.objectStore('revisions').openCursor()), ask(tx.objectStore('records').count())]);
  db.close();
  await new Promise((ok) => { indexedDB.deleteDatabase(name).onsuccess = ok; });
  return { ms, count, ct: rec.value.head.ct.byteLength, record: bytes(rec.value), revision: bytes(rev.value) };
}"""

# The floor for the same work: one AES-GCM encrypt of a ciphertext-sized payload and one strict transaction
# putting a record row and a history row of the same byte sizes (random bytes, as ciphertext is).
RAW_STORE = """async ({ name, n, ct, record, revision }) => {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore('records', { keyPath: 'recordId' });
      r.result.createObjectStore('revisions', { keyPath: ['recordId', 'version'] });
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const plain = new TextEncoder().encode('x'.repeat(ct - 16));
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
    const recordId = crypto.randomUUID();
    await new Promise((ok, fail) => {
      const tx = db.transaction(['records', 'revisions'], 'readwrite', { durability: 'strict' });
      tx.objectStore('records').put({ recordId, ct: sealed,
        rest: crypto.getRandomValues(new Uint8Array(record - ct)) });
      tx.objectStore('revisions').put({ recordId, version: 1, ct: sealed,
        rest: crypto.getRandomValues(new Uint8Array(revision - ct)) });
      tx.oncomplete = ok;
      tx.onerror = tx.onabort = () => fail(tx.error);
    });
  }
  const ms = performance.now() - start;
  db.close();
  await new Promise((ok) => { indexedDB.deleteDatabase(name).onsuccess = ok; });
  return { ms };
}"""

KDF = """async ({ m, t, salt }) => {
  // As the app's sign-in does: import the page side, then derive in the KDF worker.
  const start = performance.now();
  const { argon2id } = await import('/js/page/argon2.js');
  const out = await argon2id('bench passphrase', m, t, 1, new Uint8Array(salt));
  return { ms: performance.now() - start, out: Array.from(out) };
}"""


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]"


def ratio_spread(case: list[float], base: list[float]) -> str:
    return spread([c / b for c, b in zip(case, base, strict=True)], "{:.2f}")


def launch(p, profile: Path, **options):
    return p.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS, **options
    )


def open_app(ctx, url: str):
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(url + "/")
    page.wait_for_function(READY, timeout=30_000)
    return page


# ------------------------------------------------------------------ 1. app shell


def first_visit(p, server: Server, profile: Path) -> list[str]:
    """Paths a first visit fetched from the network (page and service worker), in order, repeats kept."""
    fetched: list[str] = []

    def seen(request) -> None:
        response = request.response()
        parts = urlsplit(request.url)
        if response is None or response.from_service_worker or parts.netloc != urlsplit(server.url).netloc:
            return
        fetched.append(parts.path)

    ctx = launch(p, profile)
    try:
        ctx.on("requestfinished", seen)
        open_app(ctx, server.url)
        # Precache finished before the worker took control (install precedes activate); let stragglers land.
        ctx.pages[0].wait_for_timeout(1000)
    finally:
        ctx.close()
    return [path for path in fetched if not path.startswith("/api/")]


def shell_report(server: Server, fetched: list[str]) -> tuple[list[str], list[str]]:
    rows, totals = [], {"app": [0, 0, 0, 0], "icons": [0, 0, 0, 0]}
    encodings = set()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in sorted(set(fetched)):
            answer = client.get(path, headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING})
            answer.raise_for_status()
            raw = answer.content
            wire = answer.num_bytes_downloaded
            encodings.add(answer.headers.get("content-encoding", "none"))
            gz = len(gzip.compress(raw, compresslevel=9, mtime=0))
            group = "icons" if path.startswith("/icons/") else "app"
            repeats = fetched.count(path)
            for i, v in enumerate((len(raw), gz, wire * repeats, gz * repeats)):
                totals[group][i] += v
            rows.append(
                f"| `{path}` | {len(raw):,} | {gz:,} | {answer.headers.get('content-encoding', 'none')} | {repeats} |"
            )
    app, icons = totals["app"], totals["icons"]
    n_icons = len({path for path in fetched if path.startswith("/icons/")})
    head = [
        f"| app shell, icons aside: {len(set(fetched)) - n_icons} files, each gzip -9 "
        f"| {app[1] / 1000:.1f} KB ({app[0] / 1000:.1f} KB raw) | | | <= 60 KB |",
        f"| icons: {n_icons} files, gzip -9 | "
        f"{icons[1] / 1000:.1f} KB ({icons[0] / 1000:.1f} KB raw) | | | (listed apart) |",
        f"| first visit as served now (Content-Encoding: {', '.join(sorted(encodings))}), "
        f"{len(fetched)} fetches with repeats | {(app[2] + icons[2]) / 1000:.1f} KB on the wire "
        f"({(app[3] + icons[3]) / 1000:.1f} KB if gzipped) | | | |",
    ]
    table = [
        "| file | raw bytes | gzip -9 bytes | server's Content-Encoding | fetched on first visit |",
        "|---|---|---|---|---|",
        *rows,
    ]
    return head, table


def server_log_fetches(log: Path) -> list[str] | None:
    """App files the server's access log shows fetched so far, sorted: a cross-check of what Playwright saw."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return None
    hits = [h for h in re.findall(r'"GET (/[^ "]*) HTTP/[0-9.]+" 200', text) if not h.startswith("/api/")]
    return sorted(hits) or None


# ------------------------------------------------------------------ 2. offline cold start


def prepare_cold_start(p, server: Server, profile: Path, add: int, total: int) -> None:
    """Online: seed `add` more entries with the app's modules, then cache the rendered list as a static page."""
    ctx = launch(p, profile)
    try:
        page = open_app(ctx, server.url)
        page.evaluate(SEED, {"n": add, "body": BODY})
        page.goto(server.url + LIST)
        page.wait_for_function(READY, timeout=120_000)
        listed = page.evaluate(SNAPSHOT, STATIC_PATH)
        if listed != total:
            raise RuntimeError(f"the entry list shows {listed} entries, {total} were seeded")
    finally:
        ctx.close()


def cold_start(p, server: Server, profile: Path, path: str, entries: int | None) -> tuple[float, float, dict]:
    """A fresh browser on the installed profile, offline, opening `path`. Returns ms from navigation start, ms from
    launch, and for the app when the list showed (`shown`) and the ms of its steps (`steps`). The app is ready when
    it marks itself ready (htmx loaded, every link live), the static page when its load event starts."""
    started = time.perf_counter()
    ctx = launch(p, profile, offline=True)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        parts: dict = {}
        if path == STATIC_PATH:
            page.goto(server.url + path, wait_until="load")
            wall = time.perf_counter() - started
            ms = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventStart")
        else:
            page.add_init_script(READY_CLOCK)
            page.goto(server.url + path)
            page.wait_for_function("() => window.__benchReady !== undefined", timeout=60_000)
            wall = time.perf_counter() - started
            ms = page.evaluate("() => window.__benchReady")
            view = path
            # Where the list first shows: in the page the worker answered the navigation with (load event start, as
            # for the baseline), or, when the page asks for its view with htmx, once that answer is swapped in.
            parts = page.evaluate(
                """(view) => {
              const nav = performance.getEntriesByType('navigation')[0];
              const at = (path) => performance.getEntriesByType('resource')
                .find((e) => new URL(e.name).pathname === path);
              const [htmx, hit] = [at('/vendor/htmx.js'), at(view)];
              if (document.getElementById('view').dataset.rendered) {
                return { rendered: true, shown: nav.loadEventStart, steps: [nav.responseStart,
                  nav.loadEventStart - nav.responseStart, window.__benchReady - nav.loadEventStart] };
              }
              return { rendered: false, shown: window.__benchReady, steps: htmx && hit ? [htmx.startTime,
                hit.startTime - htmx.startTime, hit.responseEnd - hit.startTime, window.__benchReady - hit.responseEnd]
                : [] };
            }""",
                view,
            )
        shown = page.locator(".entries .summary").count()
        if entries is not None and shown != entries:
            raise RuntimeError(f"offline start of {path} showed {shown} entries, expected {entries}")
        return ms, wall * 1000, parts
    finally:
        ctx.close()


def bench_cold_start(p, server: Server, profile: Path, sizes: list[int], rounds: int) -> list[str]:
    rows, seeded = [], 0
    for size in sizes:
        prepare_cold_start(p, server, profile, size - seeded, size)
        seeded = size
        cases = {LIST: ([], [], []), STATIC_PATH: ([], [], [])}
        if size == sizes[0]:
            cases["/app/entries/new"] = ([], [], [])  # the fixed cost: the app booted, no entry decrypted
        for r in range(rounds):
            order = list(cases) if r % 2 == 0 else list(reversed(cases))
            for path in order:
                ms, wall, parts = cold_start(p, server, profile, path, None if path == "/app/entries/new" else size)
                cases[path][0].append(ms)
                cases[path][1].append(wall)
                if parts:
                    cases[path][2].append(parts)
        (app, app_wall, app_parts), (static, static_wall, _) = cases[LIST], cases[STATIC_PATH]
        shown = [run["shown"] for run in app_parts]
        rendered = any(run["rendered"] for run in app_parts)
        if len(shown) == rounds:
            rows.append(
                f"| offline cold start until the list of {size:,} entries shows, ms from navigation start, vs "
                f"the same list as a static page from the worker's cache | {spread(shown)} ms | "
                f"{spread(static)} ms | {ratio_spread(shown, static)} | <= 2.00 |"
            )
        rows.append(
            f"| offline cold start until the app is ready (data-ready: list shown, htmx loaded) with "
            f"{size:,} entries, vs the same static page | {spread(app)} ms | {spread(static)} ms | "
            f"{ratio_spread(app, static)} | |"
        )
        rows.append(
            f"| the same, ms from browser launch (informative) | {spread(app_wall)} ms | "
            f"{spread(static_wall)} ms | {ratio_spread(app_wall, static_wall)} | |"
        )
        n_steps = 3 if rendered else 4
        if len(app_parts) == rounds and all(len(run["steps"]) == n_steps for run in app_parts):
            steps = " / ".join(spread([run["steps"][i] for run in app_parts]) for i in range(n_steps))
            what = (
                (
                    "the worker's first bytes of the page (worker start; the page is streamed) / until the load "
                    "event (IndexedDB, unlock, decrypt, render, the rest of the page, style, app.js: the list shows) / "
                    "htmx initialised, ready"
                )
                if rendered
                else (
                    "until the page asks for htmx (shell, app.js, worker control) / until it asks the worker for "
                    "the list (htmx) / the worker's answer (IndexedDB, unlock, decrypt, render) / the swap"
                )
            )
            rows.append(f"| of which: {what} | {steps} ms | | | |")
        if "/app/entries/new" in cases:
            new = cases["/app/entries/new"][0]
            rows.append(
                f"| offline cold start to the new-entry screen (app boot, no entry decrypted), vs the static "
                f"list of {size:,} | {spread(new)} ms | {spread(static)} ms | {ratio_spread(new, static)} | |"
            )
    return rows


# ------------------------------------------------------------------ 3. seal and store


def bench_store(page, rounds: int, n: int) -> tuple[list[str], dict]:
    # warm-up (module loading, JIT) and the sizes one entry stores, which the baseline copies
    sizes = page.evaluate(APP_STORE, {"name": "bench-warm", "n": 20, "body": BODY})
    same = {k: sizes[k] for k in ("ct", "record", "revision")}
    page.evaluate(RAW_STORE, {"name": "bench-warm-raw", "n": 20, **same})
    app, raw = [], []
    for r in range(rounds):
        for case in ("app", "raw") if r % 2 == 0 else ("raw", "app"):
            if case == "app":
                out = page.evaluate(APP_STORE, {"name": f"bench-app-{r}", "n": n, "body": BODY})
                if out["count"] != n:
                    raise RuntimeError(f"stored {out['count']} of {n} entries")
                app.append(out["ms"] / n * 1000)
            else:
                raw.append(page.evaluate(RAW_STORE, {"name": f"bench-raw-{r}", "n": n, **same})["ms"] / n * 1000)
    row = (
        f"| seal and store {n:,} journal entries with web/js (one at a time, strict durability), vs raw AES-GCM "
        f"+ IndexedDB puts of the same sizes | {spread(app)} µs/entry | {spread(raw)} µs/entry | "
        f"{ratio_spread(app, raw)} | <= 2.00 |"
    )
    return [row], sizes


# ------------------------------------------------------------------ 4. passphrase KDF


def native_ms(m: int, t: int, salt: bytes) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = crypto.argon2id("bench passphrase", m, t, 1, salt)
    return (time.perf_counter() - start) * 1000, out


def bench_kdf(ctx, url: str, rounds: int) -> list[str]:
    m, t, _ = layout.KDF_DEFAULT
    fm, ft = layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS
    first, second, floor, native, native_floor = [], [], [], [], []
    for _ in range(rounds):
        # A new page each round, so the first call pays the worker's start and wasm compile as a sign-in does.
        page = ctx.new_page()
        try:
            page.goto(url + "/")
            page.wait_for_function(READY, timeout=30_000)
            salt = os.urandom(16)
            cold = page.evaluate(KDF, {"m": m, "t": t, "salt": list(salt)})
            ms, expected = native_ms(m, t, salt)
            if bytes(cold["out"]) != expected:
                raise RuntimeError("the browser's Argon2id differs from between.sync.core.crypto.argon2id")
            first.append(cold["ms"])
            native.append(ms)
            second.append(page.evaluate(KDF, {"m": m, "t": t, "salt": list(salt)})["ms"])
            floor.append(page.evaluate(KDF, {"m": fm, "t": ft, "salt": list(salt)})["ms"])
            native_floor.append(native_ms(fm, ft, salt)[0])
        finally:
            page.close()
    return [
        f"| Argon2id m={m} KiB t={t} p=1 in the KDF worker, first call in a page (as at sign-in), vs native "
        f"(between.sync.core.crypto) | {spread(first)} ms | {spread(native)} ms | {ratio_spread(first, native)} "
        "| <= 1500 ms |",
        f"| the same, second call in the page | {spread(second)} ms | {spread(native)} ms | "
        f"{ratio_spread(second, native)} | |",
        f"| Argon2id at OWASP's minimum m={fm} KiB t={ft} p=1, warm | {spread(floor)} ms | "
        f"{spread(native_floor)} ms | {ratio_spread(floor, native_floor)} | |",
    ]


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_browser", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--entries", type=int, default=1000, help="entries sealed and stored per round")
    parser.add_argument(
        "--list-entries",
        default="100,1000",
        help="entries on the device for the cold starts, comma-separated, ascending",
    )
    args = parser.parse_args()
    list_sizes = [int(x) for x in args.list_entries.split(",")]
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="between-bench-browser-"))
    server = Server(work)
    profile = work / "profile"
    print(f"Between browser benchmarks; {args.rounds} rounds; python {sys.version.split()[0]}; cpus {os.cpu_count()}\n")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            print(f"Chromium {browser.version}, headless; the real server at {server.url}\n")
            browser.close()
            fetched = first_visit(p, server, profile)
            logged = server_log_fetches(work / "bench-server.log")
            # The access log records what the server sent; Playwright also reports some answers the HTTP cache gave.
            sent = logged if logged and set(logged) == set(fetched) else fetched
            shell_rows, shell_table = shell_report(server, sent)
            ctx = launch(p, profile)  # 3 and 4 online, in the installed app's origin
            try:
                store_rows, sizes = bench_store(open_app(ctx, server.url), args.rounds, args.entries)
                kdf_rows = bench_kdf(ctx, server.url, args.rounds)
            finally:
                ctx.close()
            cold_rows = bench_cold_start(p, server, profile, list_sizes, args.rounds)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(
        "\n".join(
            [
                "| case | measured | baseline | ratio median [range] | goal |",
                "|---|---|---|---|---|",
                *shell_rows,
                *cold_rows,
                *store_rows,
                *kdf_rows,
            ]
        )
    )
    print(
        f"\nKB = 1,000 bytes. One entry stores {sizes['record']:,} bytes in `records` and {sizes['revision']:,} "
        f"in `revisions` (ciphertext {sizes['ct']:,}); the baseline stores the same sizes.\n"
    )
    if logged is None or set(logged) != set(fetched):
        print(
            f"Note: the server's access log ({sorted(set(logged or []))}) and Playwright ({sorted(set(fetched))}) "
            f"differ on the files of the first visit; the table uses Playwright's.\n"
        )
    print("\n".join(shell_table))


if __name__ == "__main__":
    main()
