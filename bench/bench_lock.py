"""The app lock in Chromium: unlocking with a PIN on the lock's Argon2id cost, against the sign-in KDF, as ratios.

Run: .venv/bin/python -m bench.bench_lock [--rounds 7]

Against the real server, in one persistent profile: an entry written, a PIN lock set up through the app's own set-up
screen. Each round, back to back (alternating which goes first):
- the lock's Argon2id (core/lock.js LOCK_KDF) and the sign-in's (64 MiB, t=3), each in the app's KDF worker
  (js/page/argon2.js), in a new page (first call: worker start and wasm compile included, as a first unlock or a
  sign-in pays) and again warm; output checked against between.sync.core.crypto.argon2id;
- a whole unlock: the app locked (its Lock button), the PIN typed, from pressing Unlock until the entry that was
  open shows again (Argon2id, HKDF, the vault unwrapped, the page reloaded and the entry decrypted), wall clock.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import Server
from bench.bench_browser import ARGS, CHROMIUM, READY
from between.sync.core import crypto, layout

PIN = "604219"
LOCK_M, LOCK_T = 32768, 2  # web/js/core/lock.js LOCK_KDF, read from the page below and checked

KDF = """async ({ m, t, salt }) => {
  const start = performance.now();
  const { argon2id } = await import('/js/page/argon2.js');
  const out = await argon2id('604219', m, t, 1, new Uint8Array(salt));
  return { ms: performance.now() - start, out: Array.from(out) };
}"""


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]"


def ratios(case: list[float], base: list[float]) -> str:
    return spread([c / b for c, b in zip(case, base, strict=True)], "{:.2f}")


def derive(page, m: int, t: int) -> float:
    salt = os.urandom(16)
    got = page.evaluate(KDF, {"m": m, "t": t, "salt": list(salt)})
    if bytes(got["out"]) != crypto.argon2id(PIN, m, t, 1, salt):
        raise RuntimeError("the browser's Argon2id differs from between.sync.core.crypto.argon2id")
    return got["ms"]


def set_up(ctx, url: str):
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(url + "/app/entries")
    page.wait_for_function(READY, timeout=30_000)
    page.locator(".kinds").get_by_role("link", name="Journal", exact=True).click()
    page.wait_for_selector("form.entry-form")
    page.fill("#f-title", "Bench entry")
    page.fill("#f-body", "What the bench wrote before locking.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("article h1")
    entry = page.url
    page.goto(url + "/app/settings/lock")
    page.wait_for_selector("form[data-lock-form='setup']")
    page.fill("#lock-pin", PIN)
    page.fill("#lock-pin2", PIN)
    page.get_by_role("button", name="Turn on the lock").click()
    page.wait_for_selector(".notice[role='status']", timeout=60_000)
    kdf = page.evaluate("async () => (await import('/js/core/lock.js')).LOCK_KDF")
    if (kdf["memoryKib"], kdf["iterations"]) != (LOCK_M, LOCK_T):
        raise RuntimeError(f"LOCK_KDF is {kdf}: update bench_lock.py")
    page.goto(entry)
    page.wait_for_selector("article h1")
    return page, entry


def unlock_ms(page) -> float:
    page.locator("#lock-now").click()
    page.wait_for_selector("[data-lock-screen]")
    page.fill("#lock-secret", PIN)
    start = time.perf_counter()
    page.get_by_role("button", name="Unlock", exact=True).click()
    page.wait_for_selector("article h1", timeout=60_000)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_lock", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "7")))
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    m, t, _ = layout.KDF_DEFAULT
    work = Path(tempfile.mkdtemp(prefix="between-bench-lock-"))
    server = Server(work)
    cold_lock, cold_sign, warm_lock, warm_sign, whole = [], [], [], [], []
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(work / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS
            )
            print(
                f"Between app lock bench; {args.rounds} rounds; Chromium {ctx.browser.version if ctx.browser else ''};"
                f" cpus {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}\n"
            )
            try:
                page, _entry = set_up(ctx, server.url)
                for i in range(args.rounds):
                    order = [(LOCK_M, LOCK_T, cold_lock, warm_lock), (m, t, cold_sign, warm_sign)]
                    if i % 2:
                        order.reverse()
                    for mm, tt, cold, warm in order:
                        # A new page: the first call pays the KDF worker's start and the wasm compile.
                        probe = ctx.new_page()
                        probe.goto(server.url + "/app/lock")
                        probe.wait_for_function(READY, timeout=30_000)
                        cold.append(derive(probe, mm, tt))
                        warm.append(derive(probe, mm, tt))
                        probe.close()
                    whole.append(unlock_ms(page))
            finally:
                ctx.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| case | lock (32 MiB, t=2) ms | sign-in (64 MiB, t=3) ms | ratio lock / sign-in |")
    print("|---|---|---|---|")
    print(
        f"| Argon2id in the KDF worker, first in a new page | {spread(cold_lock)} | {spread(cold_sign)} | "
        f"{ratios(cold_lock, cold_sign)} |"
    )
    print(f"| Argon2id, warm | {spread(warm_lock)} | {spread(warm_sign)} | {ratios(warm_lock, warm_sign)} |")
    print(
        f"| a whole unlock: Unlock pressed until the entry shows again | {spread(whole)} | {spread(warm_sign)} "
        f"(the sign-in KDF alone) | {ratios(whole, warm_sign)} |"
    )


if __name__ == "__main__":
    main()
