"""Attachments a sharer made hostile (audit 2, A1 and A2), against the real server in real Chromium: an item whose
media type says `text/html` or `image/svg+xml`, its blob sealed properly and holding a script, never runs as a page
of the app's origin when the therapist opens its address in a tab; a JPEG posted straight to the save route with GPS
in its EXIF is stored without it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from exif_photo import CANARY, has_exif, with_exif
from pwa_browser import new_context, open_app
from pwa_care import create_invite
from pwa_live import live_app, serve_app, sync_now, turn_on_sync  # noqa: F401 - fixtures
from test_attachments_browser import browser_jpeg
from test_attachments_sync_browser import FETCH, SAVE, SHOW, UPLOADS

from tests.e2e.e2e_cli import FLOOR_KDF, PASSPHRASE, Cli

pytestmark = pytest.mark.browser

SCRIPT = b"<script>window.__pwned = 1; try { parent.__pwned = 1; opener.__pwned = 1 } catch (e) {}</script>"
HOSTILE = {
    "text/html": b"<!doctype html><title>x</title>" + SCRIPT,
    "image/svg+xml": b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.__pwned = 1</script></svg>',
}

# A hand-made revision of an own journal entry whose photos item names `media` (what no honest client writes), with
# a blob sealed properly under the item's key: the signed document says it, so it verifies.
STAGE = """
import sys
from pathlib import Path
from between.sync.client.client import Client
from between.sync.core import attachments
client = Client(Path(sys.argv[1]))
rid = client.resolve(sys.argv[2])
head = client.engine.head(rid)
item, blob = attachments.new_attachment(sys.stdin.buffer.read(), "image/png")
item["media"] = sys.argv[3]
doc = dict(head.document, fields={**head.document.get("fields", {}), "photos": [item]})
client.engine.blobs.stage(item["id"], blob)
with client.store.transaction() as db:
    client.engine.queue(db, rid, doc, False)
print(item["id"])
"""


def stage_hostile(cli: Cli, name: str, record: str, media: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")} | FLOOR_KDF
    env["BETWEEN_PASSPHRASE"] = PASSPHRASE
    proc = subprocess.run(
        [sys.executable, "-c", STAGE, str(cli.profile(name)), record, media],
        input=HOSTILE[media],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode().strip().splitlines()[-1]


def test_a_shared_html_or_svg_attachment_runs_no_script_on_the_apps_origin(playwright_instance, live_app, tmp_path):
    t_ctx = new_context(playwright_instance)
    try:
        tp = open_app(t_ctx, live_app.url)
        turn_on_sync(tp, "dr.ode", therapist=True)
        cli = Cli(tmp_path / "cli", live_app.url)
        cli.create("c", "eli")
        cli.run("c", "invite", "accept", create_invite(tp))
        records = {}
        for media in HOSTILE:
            record = cli.add("c", "journal", title=f"Look at {media}", body="Open it.")
            records[media] = (record, stage_hostile(cli, "c", record, media))
            cli.run("c", "share", record, "--with", "dr.ode")
        cli.run("c", "sync")
        assert sync_now(tp) == "Synced"
        for media, (record, blob_id) in records.items():
            url = f"/app/attachments/{record}/{blob_id}"
            got = tp.evaluate(FETCH, {"url": url, "range": None})
            assert got["status"] == 404 and not (got["type"] or "").startswith(("text/html", "image/svg")), got
            # Opened in a tab (a navigation, which the worker answers with the file itself, never a page).
            tab = t_ctx.new_page()
            answer = tab.goto(live_app.url + url)
            assert answer is not None
            # Not the sharer's bytes as a page: the worker refuses the item (what comes is the app's own answer).
            assert b"__pwned" not in answer.body(), media
            assert tab.evaluate("() => window.__pwned") is None
            tab.close()
        assert tp.evaluate("() => window.__pwned") is None
    finally:
        t_ctx.close()


# The stored attachment's bytes as the app's pages get them.
BYTES = """async (url) => { const r = await fetch(url); return {status: r.status, type: r.headers.get('Content-Type'),
  bytes: [...new Uint8Array(await r.arrayBuffer())]}; }"""


def test_a_jpeg_posted_with_gps_skipping_the_page_is_stored_without_it(playwright_instance, live_app, tmp_path):
    """The page re-encodes photos; a form sent without it (no JS, a script that failed) posts the camera's file as it
    is. The worker drops its EXIF (with the GPS position) before sealing: what is stored has none of it."""
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url, "/app/entries")
        photo = with_exif(browser_jpeg(page, 64, 48))
        assert has_exif(photo)
        answer = page.evaluate(SAVE, {"title": "Straight", "bytes": list(photo), "random": 0, "media": "image/jpeg"})
        assert answer["status"] == 200, answer["text"][:500]
        record = answer["pushed"].rsplit("/", 1)[1]
        [row] = [r for r in page.evaluate(UPLOADS) if r["recordId"] == record]
        got = page.evaluate(BYTES, f"/app/attachments/{record}/{row['id']}")
        held = bytes(got["bytes"])
        assert got["status"] == 200 and got["type"] == "image/jpeg"
        assert held[:2] == b"\xff\xd8" and not has_exif(held) and b"GPS" not in held and CANARY not in held
        assert len(held) < len(photo) and held[-2:] == b"\xff\xd9"
        # Still the picture, which the browser shows at its size.
        assert page.evaluate(SHOW, f"/app/attachments/{record}/{row['id']}") == [64, 48]

        # Bytes that are no picture, posted as a photo, are refused with words; nothing is stored.
        before = len(page.evaluate(UPLOADS))
        refused = page.evaluate(
            SAVE, {"title": "Not a photo", "bytes": list(b"<svg>GPS</svg>"), "random": 0, "media": "image/png"}
        )
        assert "cannot hold this kind of file" in refused["text"]
        assert len(page.evaluate(UPLOADS)) == before
    finally:
        ctx.close()
