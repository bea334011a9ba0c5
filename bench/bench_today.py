"""The client's Today screen with 1,000 entries and 20 assignments, offline cold start, against the entries list.

Run: .venv/bin/python -m bench.bench_today [--rounds 5] [--entries 1000] [--assignments 20]

A therapist and a client get accounts and a care link from the reference CLI. The therapist's PWA signs in and
assigns `--assignments` activities to the client (daily and weekly, some with a weekly target of minutes), sealed
with the app's own modules and pushed by its worker; the client's PWA signs in, pulls and verifies them, and then
holds `--entries` entries of its own (mood check-ins, journals, breathing practice, thought records, spread over
the last 90 days, some of them today), sealed and stored by the app's own modules. Then, offline, each round starts
a fresh browser on the client's profile and opens Today (`/app/today`: the worker decrypts every own record and
every assignment, works out what is due, still open and done today, and streams the page) and the entries list
(`/app/entries`: every entry decrypted and listed), in alternating order. Both are the app's own pages, so the
baseline is the list the app has always opened on; the ratio is per round. Timed to the load event's start on the
page's own clock (the view is in the streamed page), and to `data-ready` (htmx live), so browser start-up is in
neither.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from bench.__main__ import Server
from bench.bench_browser import CHROMIUM, READY, READY_CLOCK, launch, open_app, ratio_spread, spread
from bench.bench_timeline import PASSPHRASE, between

THERAPIST, CLIENT = "dr-today", "client-today"

ASSIGN = """async ({ client, n }) => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice } = await import('/js/data/device.js');
  const { createDocument } = await import('/js/data/documents.js');
  const { buildAssignment } = await import('/js/core/assignments.js');
  const { kindTable } = await import('/js/core/kinds.js');
  const kinds = kindTable(await (await fetch('/kinds.json')).json());
  const db = await openDb();
  const me = await unlockDevice(db);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const day = (offset) => new Date(Date.now() + offset * 86400000).toLocaleDateString('sv-SE', { timeZone: zone });
  const plans = [['relaxation', 60], ['mood', null], ['journal', null], ['thought-record', null], ['reading', 30]];
  for (let i = 0; i < n; i++) {
    const [kind, target] = plans[i % plans.length];
    const recurrence = i % 3 === 2
      ? { freq: 'weekly', days: ['mon', 'wed', 'fri'], start: day(-14), until: day(30), time_zone: zone }
      : { freq: 'daily', start: day(-7 - (i % 5)), until: day(21), time_zone: zone };
    const doc = buildAssignment({ kind, title: `Practice ${i + 1}`, recurrence, now: new Date().toISOString(),
      instructions: 'Take ten quiet minutes for this.\\n\\nWrite down anything that stood out, however small.',
      targetMinutesPerWeek: target }, kinds);
    await createDocument(db, me, doc, { shareWith: [client] });
  }
  db.close();
}"""

SEED = """async ({ n }) => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice } = await import('/js/data/device.js');
  const { copyEntry } = await import('/js/data/entries.js');
  const db = await openDb();
  const me = await unlockDevice(db);
  const body = 'Walked to the river after the session and noticed how the worry eased once I named it. '.repeat(8);
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    // The newest ten are from the last few hours (today's, unless it is just after midnight); the rest go back 90 days.
    const at = new Date(now - (i < 10 ? i * 600000 : (i / n) * 90 * 86400000)).toISOString();
    const kind = ['mood', 'journal', 'relaxation', 'journal', 'thought-record'][i % 5];
    const fields = {
      mood: { score: i % 11, emotions: ['calm'], note: `check-in ${i}` },
      journal: { title: `Evening ${i}`, body },
      relaxation: { minutes: 5 + (i % 20), technique: 'box-breathing' },
      'thought-record': { situation: body.slice(0, 200), automatic_thought: 'They think I am slow',
        emotions: [{ name: 'anxious', intensity: 60 + (i % 30) }],
        emotions_rerated: [{ name: 'anxious', intensity: 30 }] },
    }[kind];
    await copyEntry(db, me, kind, fields, at, at);
  }
  db.close();
}"""


def sign_in(p, server: Server, profile: Path, handle: str):
    """The PWA on `profile` signs in as `handle` and syncs; returns the open context and page."""
    ctx = launch(p, profile)
    page = open_app(ctx, server.url)
    page.get_by_role("link", name="Sync", exact=True).click()
    page.wait_for_selector("#s-handle")
    page.fill("#s-handle", handle)
    page.fill("#s-pass", PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#in-title", timeout=120_000)
    sync(page, server)
    return ctx, page


def sync(page, server: Server) -> None:
    page.goto(server.url + "/app/account")
    page.wait_for_function(READY, timeout=60_000)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_selector("#account-title")
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=120_000)


def prepare(p, server: Server, work: Path, entries: int, assignments: int) -> tuple[Path, int]:
    """Both PWAs set up; returns the client's profile and how many activities Today lists (due and still open)."""
    between(work / "t", "account", "create", "--server", server.url, "--handle", THERAPIST, "--therapist")
    between(work / "c", "account", "create", "--server", server.url, "--handle", CLIENT)
    between(work / "c", "invite", "accept", between(work / "t", "invite", "create"))
    from between.sync.client.client import Client

    c = Client(work / "c")
    try:
        client_id = str(uuid.UUID(bytes=c.keys.user_id))
    finally:
        c.close()
    ctx, page = sign_in(p, server, work / "therapist-profile", THERAPIST)
    try:
        page.evaluate(ASSIGN, {"client": client_id, "n": assignments})
        sync(page, server)
    finally:
        ctx.close()
    profile = work / "client-profile"
    ctx, page = sign_in(p, server, profile, CLIENT)
    try:
        page.goto(server.url + "/app/todo")
        page.wait_for_function(READY, timeout=60_000)
        listed = page.locator(".todo-all > li").count()
        if listed != assignments:
            raise RuntimeError(f"the client's To do lists {listed} activities, {assignments} were assigned")
        page.evaluate(SEED, {"n": entries})
        page.goto(server.url + "/app/entries")
        page.wait_for_function(READY, timeout=120_000)
        shown = page.locator(".entries .summary").count()
        if shown != entries:
            raise RuntimeError(f"the entry list shows {shown} entries, {entries} were seeded")
        page.goto(server.url + "/app/today")
        page.wait_for_function(READY, timeout=120_000)
        return profile, page.locator(".today-item").count()
    finally:
        ctx.close()


def timed(p, server: Server, profile: Path, path: str, selector: str, n: int) -> tuple[float, float]:
    """A fresh browser on the profile, offline, opening `path`: ms to the load event's start and to data-ready."""
    ctx = launch(p, profile, offline=True)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.add_init_script(READY_CLOCK)
        page.goto(server.url + path, wait_until="load")
        page.wait_for_function("() => window.__benchReady !== undefined", timeout=60_000)
        shown = page.locator(selector).count()
        if shown != n:
            raise RuntimeError(f"{path} showed {shown} items offline, expected {n}")
        return page.evaluate(
            "() => [performance.getEntriesByType('navigation')[0].loadEventStart, window.__benchReady]"
        )
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_today", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--assignments", type=int, default=20)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="between-bench-today-"))
    server = Server(work)
    results: dict[str, tuple[list[float], list[float]]] = {"/app/today": ([], []), "/app/entries": ([], [])}
    try:
        with sync_playwright() as p:
            profile, items = prepare(p, server, work, args.entries, args.assignments)
            cases = [("/app/today", ".today-item", items), ("/app/entries", ".entries .summary", args.entries)]
            for r in range(args.rounds):
                for path, selector, n in cases if r % 2 == 0 else reversed(cases):
                    load, ready = timed(p, server, profile, path, selector, n)
                    results[path][0].append(load)
                    results[path][1].append(ready)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    (today, today_ready), (entries, entries_ready) = results["/app/today"], results["/app/entries"]
    print(
        f"Between Today; {args.rounds} rounds; {args.entries:,} entries, {args.assignments} assignments "
        f"({items} activities due or open on Today); cpus {os.cpu_count()}\n"
    )
    print("| case | measured | baseline | ratio median [range] | goal |\n|---|---|---|---|---|")
    print(
        f"| offline cold start of Today, ms to load event (the view is in the streamed page), vs the entries list "
        f"of the same {args.entries:,} entries | {spread(today)} ms | {spread(entries)} ms | "
        f"{ratio_spread(today, entries)} | <= 1.50 |"
    )
    print(
        f"| the same, ms to data-ready (htmx live) | {spread(today_ready)} ms | {spread(entries_ready)} ms | "
        f"{ratio_spread(today_ready, entries_ready)} | |"
    )


if __name__ == "__main__":
    main()
