"""Sketches and the breathing pacer in Chromium (issue 13), each against a baseline measured in the same run.

Run: .venv/bin/python -m bench.bench_sketch [--rounds 5 --strokes 2000 --points 30 --minutes 5]

1. Seal and store a sketch entry of `--strokes` strokes (web/js/data/entries.js createEntry: encode, pad, encrypt,
   sign, one IndexedDB transaction) against a journal entry whose ciphertext is the same size. Goal: <= 1.5x.
2. Open it (getEntry: decrypt, verify, decode; then the entry's page rendered, the drawing as SVG) against opening
   that journal entry the same way. Goal: <= 2x. Then the same again, put into the document and two frames drawn
   (what a person waits for; no goal, shown beside it).
3. A pacer session of `--minutes` minutes under Playwright's clock, moved on a second at a time, with a
   PerformanceObserver for long tasks (over 50 ms) on the page. Goal: none.
Rounds alternate which case goes first; ratios are per round, median [range].
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.__main__ import Server
from bench.bench_browser import ARGS, CHROMIUM, launch, open_app, ratio_spread, spread

# One round: a sketch and a journal of the same ciphertext size, each sealed and stored `n` times, then opened and
# rendered `n` times; the order of the two cases alternates by round.
ROUND = """async ({ name, strokes, points, n, sketchFirst }) => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice } = await import('/js/data/device.js');
  const { createEntry, getEntry } = await import('/js/data/entries.js');
  const { encodePoints, strokeId } = await import('/js/core/sketch.js');
  const { kindTable } = await import('/js/core/kinds.js');
  const { useLanguage } = await import('/js/core/messages.js');
  const { entryPage } = await import('/js/screens/entry/entry-views.js');
  useLanguage({ language: 'en', catalogue: await (await fetch('/i18n/en.json')).json() });
  const kinds = kindTable(await (await fetch('/kinds.json')).json());
  const db = await openDb(name);
  const me = await unlockDevice(db);
  // A random walk per stroke, as a hand draws: small steps, pressure drifting.
  let seed = 7;
  const rnd = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
  const drawing = Array.from({ length: strokes }, () => {
    let x = 200 + rnd(3600); let y = 200 + rnd(2600); let p = 100 + rnd(100);
    const pts = Array.from({ length: points }, () => {
      x = Math.min(4000, Math.max(0, x + rnd(41) - 20)); y = Math.min(3000, Math.max(0, y + rnd(41) - 20));
      p = Math.min(255, Math.max(0, p + rnd(11) - 5));
      return [x, y, p];
    });
    return { id: strokeId(), tool: 'pen', color: 'ink', width: 4, points: encodePoints(pts) };
  });
  const sketchFields = { title: 'A lake', drawing, caption: 'A lake with a boat' };
  const ctOf = async (id) => {
    const tx = db.transaction('records');
    const row = await new Promise((ok) => {
      const r = tx.objectStore('records').get(id);
      r.onsuccess = () => ok(r.result);
    });
    return row.head.ct.byteLength;
  };
  // The journal body that seals to the same size: grown until its ciphertext matches the sketch's.
  const probe = await createEntry(db, me, 'sketch', sketchFields);
  const target = await ctOf(probe.id);
  const plainBytes = new TextEncoder().encode(JSON.stringify(sketchFields)).length;
  let chars = plainBytes;
  let journalFields = null;
  for (let tries = 0; tries < 40; tries++) {
    const fields = { title: 'A lake', body: 'x'.repeat(chars) };
    const e = await createEntry(db, me, 'journal', fields);
    const ct = await ctOf(e.id);
    if (ct === target) { journalFields = fields; break; }
    chars += Math.round((target - ct) * (ct > target ? 1 : 0.5)) || (ct > target ? -1 : 1);
  }
  if (!journalFields) throw new Error('no journal of the same sealed size');
  const seal = async (kind, fields) => {
    const ids = []; const t = performance.now();
    for (let i = 0; i < n; i++) ids.push((await createEntry(db, me, kind, fields)).id);
    return { ms: (performance.now() - t) / n, ids };
  };
  const open = async (kind, ids) => {
    const t = performance.now(); let size = 0;
    for (const id of ids) {
      const entry = await getEntry(db, me, id);
      size += String(entryPage(entry, kinds.get(kind))).length;
    }
    return { ms: (performance.now() - t) / ids.length, size: size / ids.length };
  };
  // The same, and shown: the page put into the document and two frames drawn (what the person waits for).
  const box = document.createElement('div');
  document.body.append(box);
  const frames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  const show = async (kind, ids) => {
    const t = performance.now();
    for (const id of ids) {
      box.innerHTML = String(entryPage(await getEntry(db, me, id), kinds.get(kind)));
      await frames();
      box.textContent = '';
    }
    return (performance.now() - t) / ids.length;
  };
  const out = {};
  for (const kind of sketchFirst ? ['sketch', 'journal'] : ['journal', 'sketch']) {
    out[kind] = await seal(kind, kind === 'sketch' ? sketchFields : journalFields);
  }
  for (const kind of sketchFirst ? ['sketch', 'journal'] : ['journal', 'sketch']) {
    out[kind + 'Open'] = await open(kind, out[kind].ids);
    out[kind + 'Shown'] = await show(kind, out[kind].ids);
  }
  box.remove();
  db.close();
  await new Promise((ok) => { indexedDB.deleteDatabase(name).onsuccess = ok; });
  return { sealSketch: out.sketch.ms, sealJournal: out.journal.ms, openSketch: out.sketchOpen.ms,
    openJournal: out.journalOpen.ms, shownSketch: out.sketchShown, shownJournal: out.journalShown, ct: target,
    plain: plainBytes, svg: out.sketchOpen.size };
}"""

LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
"""


def bench_entries(page, rounds: int, strokes: int, points: int, n: int) -> list[str]:
    page.evaluate(ROUND, {"name": "bench-warm", "strokes": 200, "points": points, "n": 2, "sketchFirst": True})
    seal_s, seal_j, open_s, open_j, shown_s, shown_j = [], [], [], [], [], []
    last = {}
    for r in range(rounds):
        last = page.evaluate(
            ROUND, {"name": f"bench-{r}", "strokes": strokes, "points": points, "n": n, "sketchFirst": r % 2 == 0}
        )
        seal_s.append(last["sealSketch"])
        seal_j.append(last["sealJournal"])
        open_s.append(last["openSketch"])
        open_j.append(last["openJournal"])
        shown_s.append(last["shownSketch"])
        shown_j.append(last["shownJournal"])
    kib = {k: f"{last[k] / 1024:,.0f} KiB" for k in ("plain", "ct", "svg")}
    what = f"{strokes:,} strokes of {points} points ({kib['plain']} of JSON, {kib['ct']} sealed)"
    return [
        f"| seal and store a sketch of {what}, vs a journal entry of the same sealed size | "
        f"{spread(seal_s, '{:.1f}')} ms | {spread(seal_j, '{:.1f}')} ms | {ratio_spread(seal_s, seal_j)} | <= 1.50 |",
        f"| open it and render its page ({kib['svg']} of HTML), vs that journal entry | "
        f"{spread(open_s, '{:.1f}')} ms | {spread(open_j, '{:.1f}')} ms | {ratio_spread(open_s, open_j)} | <= 2.00 |",
        f"| the same, and shown: in the document, two frames drawn (not a goal; what a person waits for) | "
        f"{spread(shown_s, '{:.1f}')} ms | {spread(shown_j, '{:.1f}')} ms | {ratio_spread(shown_s, shown_j)} | |",
    ]


def bench_pacer(p, url: str, profile: Path, minutes: int) -> list[str]:
    ctx = launch(p, profile)
    try:
        ctx.add_init_script(LONG_TASKS)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.clock.install()
        page.goto(url + "/app/practice")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=30_000)
        page.locator("#pacer-title").wait_for()
        page.get_by_label("Box breathing", exact=True).check()
        page.select_option("#pacer-minutes", str(minutes))
        page.get_by_role("button", name="Start").click()
        page.locator("[data-pacer-run]").wait_for()
        page.evaluate("() => { window.__longTasks = []; }")
        for _ in range(minutes * 60 + 1):
            page.clock.run_for(1000)
        page.locator("#pacer-done-title").wait_for()
        tasks = page.evaluate("() => window.__longTasks")
    finally:
        ctx.close()
    worst = f"{max(tasks):.0f} ms" if tasks else "none"
    return [
        f"| a {minutes}-minute box-breathing session (a second at a time under the page clock): long tasks over "
        f"50 ms | {len(tasks)} (longest: {worst}) | | | 0 |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_sketch", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    parser.add_argument("--strokes", type=int, default=2000)
    parser.add_argument("--points", type=int, default=30)
    parser.add_argument("--per-round", type=int, default=3, help="entries of each case sealed and opened per round")
    parser.add_argument("--minutes", type=int, default=5)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="between-bench-sketch-"))
    server = Server(work)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            print(f"Between sketch and pacer benchmarks; {args.rounds} rounds; Chromium {browser.version}\n")
            browser.close()
            ctx = launch(p, work / "profile")
            try:
                rows = bench_entries(open_app(ctx, server.url), args.rounds, args.strokes, args.points, args.per_round)
            finally:
                ctx.close()
            rows += bench_pacer(p, server.url, work / "profile-pacer", args.minutes)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| case | measured | baseline | ratio | goal |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
