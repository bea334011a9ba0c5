"""The shell with its message catalogue against the shell without one, and which catalogues are loaded (issue 14).

Run: .venv/bin/python -m bench.bench_languages

A first visit in Chromium against the real server, once with the browser's language English (en-US) and once Spanish
(es-ES): every file fetched from the network, each gzipped on its own (-9) as in bench_browser's shell size. The
figure is the shell with its catalogue against the same shell without any (the baseline, from the same visit), and
which catalogues were fetched: only the language in use should be. Then the other language is chosen in Settings:
what that fetched, and which catalogues the device keeps afterwards. Sizes, not times: the baseline is the same
visit's files less the catalogue. Nothing is written into web/.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.__main__ import Server
from bench.bench_browser import ARGS, CHROMIUM, READY

KEPT = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    for (const r of await (await caches.open(name)).keys()) {
      const p = new URL(r.url).pathname;
      if (p.startsWith('/i18n/')) found.push(p);
    }
  }
  return found.sort();
}"""
OTHER = {"en-US": ("es", "Español", "Use this language"), "es-ES": ("en", "English", "Usar este idioma")}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def visit(p, server: Server, profile: Path, locale: str) -> tuple[set[str], list[str], list[str]]:
    """A first visit in `locale`: the paths fetched from the network; then the other language chosen in Settings:
    the catalogues that fetched, and those the device keeps afterwards."""
    fetched: set[str] = set()
    later: list[str] = []
    phase = {"first": True}

    def seen(request) -> None:
        response = request.response()
        parts = urlsplit(request.url)
        if response is None or response.from_service_worker or parts.netloc != urlsplit(server.url).netloc:
            return
        if parts.path.startswith("/api/"):
            return
        if phase["first"]:
            fetched.add(parts.path)
        elif parts.path.startswith("/i18n/"):
            later.append(parts.path)

    ctx = p.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS, locale=locale
    )
    try:
        ctx.on("requestfinished", seen)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(server.url + "/")
        page.wait_for_function(READY, timeout=30_000)
        page.wait_for_timeout(1000)  # precache stragglers
        phase["first"] = False
        code, name, button = OTHER[locale]
        page.goto(server.url + "/app/settings")
        page.wait_for_selector("#language-form")
        page.get_by_role("radio", name=name, exact=True).check()
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_function(f"() => document.documentElement.lang === '{code}' && ({READY})()", timeout=30_000)
        page.wait_for_function(f"async () => (await ({KEPT})()).length === 1", timeout=30_000)
        kept = page.evaluate(KEPT)
    finally:
        ctx.close()
    return fetched, later, kept


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="between-bench-lang-"))
    server = Server(work / "data")
    rows = []
    try:
        with sync_playwright() as p:
            for locale in ("en-US", "es-ES"):
                fetched, later, kept = visit(p, server, work / f"profile-{locale}", locale)
                # Each file as the server serves it (a service worker's fetches hold no body for Playwright).
                app = {k: httpx.get(server.url + k, timeout=10).content for k in fetched if not k.startswith("/icons/")}
                catalogues = sorted(k for k in app if k.startswith("/i18n/"))
                with_cat = sum(gz(v) for v in app.values())
                without = sum(gz(v) for k, v in app.items() if not k.startswith("/i18n/"))
                cat = with_cat - without
                rows.append(
                    f"| {locale} | {', '.join(catalogues) or 'none'} | {without / 1000:.1f} KB | "
                    f"{with_cat / 1000:.1f} KB (+{cat / 1000:.1f} KB) | {with_cat / without:.3f} | "
                    f"{', '.join(later) or 'none'} | {', '.join(kept)} |"
                )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(
        "| browser's language | catalogues fetched on the first visit | shell without (baseline), gzip -9, "
        "icons aside | shell with its catalogue | ratio | fetched when the other language is chosen | "
        "kept afterwards |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nKB = 1,000 bytes; each file gzipped on its own, as a server compressing each answer would send it.")


if __name__ == "__main__":
    main()
