"""The therapist's timeline of one client with many shared entries, against a plain list of as many items.

Run: .venv/bin/python -m bench.bench_timeline [--rounds 5] [--entries 500]

A client (the Python reference client) writes `--entries` entries and shares every one with their therapist;
the therapist signs in to the PWA in Chromium, which pulls, verifies and stores them. Then, offline, each round
starts a fresh browser on that profile and opens the client's page (the worker decrypts every shared entry and
renders the timeline into the page it streams), and opens a static page of as many plain list items from the
worker's cache (the baseline), in alternating order. Both are timed to the load event's start, on the page's
own clock, so browser start-up is in neither. The ratio is per round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench.__main__ import Server
from bench.bench_browser import CHROMIUM, READY, launch, open_app, ratio_spread, spread

PASSPHRASE = "bench-timeline-passphrase-7"
FLOOR_KDF = {"BETWEEN_KDF_MEMORY_KIB": "19456", "BETWEEN_KDF_ITERATIONS": "2"}
STATIC_PATH = "/bench-static-items.html"
ITEM = ".timeline-item"

# 500 plain items inside the app's own page (same stylesheet, same header), put in Cache Storage, where the
# app's worker answers it from (cacheFirst): the same road as the timeline, minus the app's work.
SNAPSHOT = """async ({ path, n }) => {
  const doc = document.documentElement.cloneNode(true);
  for (const s of doc.querySelectorAll('script')) s.remove();
  doc.removeAttribute('data-ready');
  const view = doc.querySelector('#view');
  view.replaceChildren();
  const list = document.createElement('ul');
  for (let i = 0; i < n; i++) {
    const li = document.createElement('li');
    li.className = 'static-item';
    li.textContent = `Item ${i}: a line of text about as long as an entry's summary`;
    list.append(li);
  }
  view.append(list);
  const cache = await caches.open('bench-baseline');
  await cache.put(path, new Response('<!doctype html>\\n' + doc.outerHTML,
    { headers: { 'Content-Type': 'text/html; charset=utf-8' } }));
}"""

BODY = "Noticed the urge to check my phone before the meeting and let it pass; wrote down what I felt. " * 3


def between(profile: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")} | FLOOR_KDF
    env["BETWEEN_PASSPHRASE"] = PASSPHRASE
    exe = Path(sys.executable).with_name("between")
    proc = subprocess.run(
        [str(exe), "--profile", str(profile), *args], capture_output=True, text=True, env=env, timeout=600, check=True
    )
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def seed(server: Server, work: Path, n: int) -> str:
    """A therapist and a linked client who shares `n` entries; returns the client's user id."""
    from between.sync.client.client import Client

    therapist, client = work / "therapist", work / "client"
    between(therapist, "account", "create", "--server", server.url, "--handle", "dr-bench", "--therapist")
    between(client, "account", "create", "--server", server.url, "--handle", "client-bench")
    between(client, "invite", "accept", between(therapist, "invite", "create"))
    c = Client(client)
    try:
        for i in range(n):
            if i % 3 == 0:
                rid = c.add_entry("mood", {"score": i % 11, "emotions": ["calm"], "note": f"check-in {i}"})
            else:
                rid = c.add_entry("journal", {"title": f"Evening {i}", "body": BODY})
            c.share(rid, "dr-bench")
        c.sync()
        return str(uuid.UUID(bytes=c.keys.user_id))
    finally:
        c.close()


def sign_in_therapist(p, server: Server, profile: Path, client_id: str, n: int) -> None:
    """The therapist's PWA signs in, pulls everything, and caches the baseline page."""
    ctx = launch(p, profile)
    try:
        page = open_app(ctx, server.url)
        page.get_by_role("link", name="Sync", exact=True).click()
        page.wait_for_selector("#s-handle")
        page.fill("#s-handle", "dr-bench")
        page.fill("#s-pass", PASSPHRASE)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#in-title", timeout=120_000)
        for _ in range(60):
            page.goto(f"{server.url}/app/clients/{client_id}")
            page.wait_for_function(READY, timeout=120_000)
            if page.locator(ITEM).count() >= n:
                break
            page.wait_for_timeout(2000)
        shown = page.locator(ITEM).count()
        if shown != n:
            raise RuntimeError(f"the therapist's timeline shows {shown} items, {n} were shared")
        page.evaluate(SNAPSHOT, {"path": STATIC_PATH, "n": n})
    finally:
        ctx.close()


def timed(p, server: Server, profile: Path, path: str, selector: str, n: int) -> float:
    ctx = launch(p, profile, offline=True)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(server.url + path, wait_until="load")
        shown = page.locator(selector).count()
        if shown != n:
            raise RuntimeError(f"{path} showed {shown} items offline, expected {n}")
        return page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventStart")
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_timeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="between-bench-timeline-"))
    server = Server(work)
    try:
        client_id = seed(server, work, args.entries)
        timeline_path = f"/app/clients/{client_id}"
        app: list[float] = []
        static: list[float] = []
        with sync_playwright() as p:
            profile = work / "profile"
            sign_in_therapist(p, server, profile, client_id, args.entries)
            for r in range(args.rounds):
                cases = [(timeline_path, ITEM, app), (STATIC_PATH, ".static-item", static)]
                for path, selector, out in cases if r % 2 == 0 else reversed(cases):
                    out.append(timed(p, server, profile, path, selector, args.entries))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"Between therapist timeline; {args.rounds} rounds; {args.entries} shared entries; cpus {os.cpu_count()}\n")
    print("| case | measured | baseline | ratio median [range] | goal |\n|---|---|---|---|---|")
    print(
        f"| offline cold open of a client's timeline with {args.entries:,} shared entries, ms to load event, vs "
        f"{args.entries:,} plain list items from the worker's cache | {spread(app)} ms | {spread(static)} ms | "
        f"{ratio_spread(app, static)} | <= 3.00 |"
    )


if __name__ == "__main__":
    main()
