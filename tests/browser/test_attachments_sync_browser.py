"""Attachments in the web app's worker, against the real server in real Chromium (issue 15): an upload cut half-way
resumes and the server holds the blob once; a full quota keeps the attachment queued with clear words and sends it
once there is room; an entry with a photo reaches a second device, which shows it (also by range); the saved copy's
zip holds the attachment's bytes.

The entry form's attachments field is the page's (attui); these tests send the form the contract describes
(docs/WEB.md "Attachments": `f.photos` kept ids, `f.photos.new` files, `f.photos.new-meta`) the way htmx sends it, a
multipart POST from the app's page, which the worker answers."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from pwa_browser import launch, open_app
from pwa_care import linked_pair, share_entry
from pwa_live import go_sync, live_app, serve_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixtures
from test_lock_browser import lock_now, set_up_pin, unlock_with_pin

pytestmark = pytest.mark.browser

MIB = 1024 * 1024

# A multipart POST of the new-entry form, as htmx sends it: the journal's title and body, one photo.
SAVE = """async ({title, bytes, random, media}) => {
  let data;
  if (random) {
    data = new Uint8Array(random);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, data.length)));
    }
    // Laid out as a PNG (signature, one IDAT of the random bytes, IEND): the save route takes only pictures whose
    // metadata it can drop, and this one has none, so it is sealed byte for byte.
    const n = data.length - 32;
    const view = new DataView(data.buffer);
    data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    view.setUint32(8, n);
    data.set([0x49, 0x44, 0x41, 0x54], 12);
    view.setUint32(20 + n, 0);
    data.set([0x49, 0x45, 0x4e, 0x44], 24 + n);
  } else {
    data = new Uint8Array(bytes);
  }
  const form = new FormData();
  form.append('kind', 'journal');
  form.append('f.title', title);
  form.append('f.body', 'A drawing from today.');
  form.append('f.photos.new', new File([data], 'photo.png', {type: media}));
  form.append('f.photos.new-meta', JSON.stringify({width: 4, height: 3}));
  const r = await fetch('/app/entries', {method: 'POST', body: form, headers: {'HX-Request': 'true'}});
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return {status: r.status, pushed: r.headers.get('HX-Push-Url'), text: await r.text(),
    sha: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')};
}"""

# The worker's upload queue as stored (IndexedDB 'uploads'), read from the page.
UPLOADS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('between');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const q = db.transaction('uploads').objectStore('uploads').getAll();
    q.onsuccess = () => { db.close(); resolve(q.result); };
    q.onerror = () => { db.close(); reject(q.error); };
  };
})"""

# An attachment's bytes as the app's pages get them (whole, or a range), with the answer's status and type.
FETCH = """async ({url, range}) => {
  const r = await fetch(url, range ? {headers: {Range: range}} : {});
  const bytes = new Uint8Array(await r.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return {status: r.status, type: r.headers.get('Content-Type'), range: r.headers.get('Content-Range'),
    length: bytes.length, head: Array.from(bytes.subarray(0, 16)),
    sha: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')};
}"""

# "Free space" (Settings), as the page's button sends it.
FREE_SPACE = """async () => {
  const r = await fetch('/app/storage/free', {method: 'POST', headers: {'HX-Request': 'true'}});
  return r.status;
}"""

# Shown by the page as an <img>: decoded, its natural size.
SHOW = """(url) => new Promise((resolve) => {
  const img = new Image();
  img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
  img.onerror = () => resolve(null);
  img.src = url;
})"""


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (RGB, a colour per pixel): an image Chromium decodes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 60 % 256, y * 80 % 256, 200)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def save_photo(page, title: str, *, data: bytes | None = None, random: int = 0, media: str = "image/png") -> dict:
    answer = page.evaluate(SAVE, {"title": title, "bytes": list(data or b""), "random": random, "media": media})
    assert answer["status"] == 200, answer["text"][:500]
    answer["record"] = answer["pushed"].rsplit("/", 1)[1]
    return answer


def uploads_of(page, record: str) -> list[dict]:
    return [row for row in page.evaluate(UPLOADS) if row["recordId"] == record]


def wait_upload(page, record: str, done, timeout: float = 60.0) -> dict:
    """Poll the stored upload row of `record`'s one attachment until `done(row)`; the row."""
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = uploads_of(page, record)
        if len(rows) == 1 and done(rows[0]):
            return rows[0]
        time.sleep(0.2)
    raise AssertionError(f"upload never got there: {rows}")


def status_line(page, record: str, attachment: str) -> str:
    html = page.evaluate(
        "async (url) => (await fetch(url, {headers: {'HX-Request': 'true'}})).text()",
        f"/app/attachments/{record}/{attachment}/status",
    )
    return page.evaluate(
        "(markup) => { const t = document.createElement('template'); t.innerHTML = markup;"
        " return t.content.textContent.replace(/\\s+/g, ' ').trim(); }",
        html,
    )


def server_dir(tmp_path: Path) -> Path:
    (tmp_path / "srv").mkdir()
    return tmp_path / "srv"


def blob_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file()] if (data_dir / "blobs").exists() else []


def test_an_upload_cut_half_way_resumes_and_the_server_holds_it_once(playwright_instance, tmp_path):
    with serve_app(server_dir(tmp_path)) as app:
        ctx = launch(playwright_instance, tmp_path / "phone")
        try:
            page = open_app(ctx, app.url)
            turn_on_sync(page, "ava")
            sent: list[tuple[int, int]] = []  # (offset, length) of every PATCH the server answered
            cut = {"after": 2}

            def blobs(route):
                request = route.request
                if request.method == "PATCH":
                    if cut["after"] <= 0:
                        route.abort()  # the network goes away mid-upload
                        return
                    cut["after"] -= 1
                    sent.append((int(request.headers["upload-offset"]), len(request.post_data_buffer or b"")))
                route.continue_()

            ctx.route("**/api/v1/blobs**", blobs)
            saved = save_photo(page, "Half-way", random=int(3.5 * MIB))
            row = wait_upload(page, saved["record"], lambda r: r["state"] == "queued" and r["error"] == "unreachable")
            assert row["received"] == 2 * MIB, row
            assert [s[0] for s in sent] == [0, MIB]
            words = status_line(page, saved["record"], row["id"])
            assert words.startswith(f"Uploading… {2 * MIB * 100 // row['size']} %"), words
            assert "Synced" not in sync_now(page)  # the entry waits for its photo: not pushed

            cut["after"] = 10**6  # the network is back: the same blob goes on from where the server stands
            assert sync_now(page) == "Synced"
            row = wait_upload(page, saved["record"], lambda r: r["state"] == "uploaded")
            assert [s[0] for s in sent] == list(range(0, row["size"], MIB)), "every piece once, none again"
            assert sum(s[1] for s in sent) == row["size"]
            files = blob_files(app.server.data_dir)
            assert [f.stat().st_size for f in files] == [row["size"]], files
            assert status_line(page, saved["record"], row["id"]) == "Uploaded"
            # The photo opens from this device, exactly the bytes saved.
            got = page.evaluate(FETCH, {"url": f"/app/attachments/{saved['record']}/{row['id']}", "range": None})
            assert (got["status"], got["type"], got["sha"]) == (200, "image/png", saved["sha"])
        finally:
            ctx.close()


def test_a_full_quota_keeps_the_attachment_queued_and_sends_it_when_there_is_room(playwright_instance, tmp_path):
    with serve_app(server_dir(tmp_path), {"BETWEEN_ATTACHMENT_QUOTA": "1MiB"}) as app:
        ctx = launch(playwright_instance, tmp_path / "phone")
        try:
            page = open_app(ctx, app.url)
            turn_on_sync(page, "bea")
            saved = save_photo(page, "Too big for now", random=int(1.5 * MIB))
            row = wait_upload(page, saved["record"], lambda r: r["state"] == "quota_full")
            assert row["error"] == "quota_exceeded" and row["received"] == 0
            words = status_line(page, saved["record"], row["id"])
            assert words.startswith("Not uploaded: your space on the server is full (kept on this device)"), words
            status = sync_now(page)
            assert status != "Synced", status  # the entry is kept here, waiting with its photo
            assert blob_files(app.server.data_dir) == []
            # Kept on the device: it opens here.
            got = page.evaluate(FETCH, {"url": f"/app/attachments/{saved['record']}/{row['id']}", "range": None})
            assert (got["status"], got["sha"]) == (200, saved["sha"])

            app.server.env["BETWEEN_ATTACHMENT_QUOTA"] = "64MiB"  # room again
            app.server.restart()
            assert sync_now(page) == "Synced"
            row = wait_upload(page, saved["record"], lambda r: r["state"] == "uploaded")
            assert [f.stat().st_size for f in blob_files(app.server.data_dir)] == [row["size"]]
            assert status_line(page, saved["record"], row["id"]) == "Uploaded"
        finally:
            ctx.close()


def test_a_photo_reaches_the_second_device_and_the_saved_copy(playwright_instance, tmp_path):
    photo = png(4, 3)
    with serve_app(server_dir(tmp_path)) as app:
        phone = launch(playwright_instance, tmp_path / "phone", accept_downloads=True)
        laptop = launch(playwright_instance, tmp_path / "laptop")
        try:
            page = open_app(phone, app.url)
            turn_on_sync(page, "cai")
            saved = save_photo(page, "A drawing", data=photo)
            assert sync_now(page) == "Synced"
            [row] = uploads_of(page, saved["record"])
            assert row["state"] == "uploaded"
            url = f"/app/attachments/{saved['record']}/{row['id']}"

            other = open_app(laptop, app.url)
            assert sign_in(other, "cai") == ""
            assert sync_now(other) == "Synced"
            assert uploads_of(other, saved["record"]) == []  # not this device's to upload
            got = other.evaluate(FETCH, {"url": url, "range": None})
            assert (got["status"], got["type"], got["length"]) == (200, "image/png", len(photo))
            assert got["sha"] == saved["sha"]
            assert other.evaluate(SHOW, url) == [4, 3]
            part = other.evaluate(FETCH, {"url": url, "range": "bytes=1-8"})
            assert (part["status"], part["range"], part["head"]) == (206, f"bytes 1-8/{len(photo)}", list(photo[1:9]))
            assert other.evaluate(FETCH, {"url": url, "range": f"bytes={len(photo)}-"})["status"] == 416
            # Fetched once, kept: it opens offline too (the worker's fetches fail while the server is gone).
            app.server.stop()
            assert other.evaluate(FETCH, {"url": url, "range": None})["sha"] == saved["sha"]
            app.server.restart()

            go_sync(page)
            page.goto(app.url + "/app/export")
            page.wait_for_selector("#export-title")
            with page.expect_download() as info:
                page.get_by_role("link", name="Download everything (zip)").click()
            copy = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
            assert copy.testzip() is None
            names = copy.namelist()
            assert names[:2] == ["between-entries.json", "between-entries.txt"]
            assert copy.read(f"attachments/{saved['record']}/{row['id']}.png") == photo

            # "Free space" drops the photo's bytes (the server has them, and the entry is synced); after the app is
            # closed and opened again (nothing decrypted left in memory) it opens, fetched and kept once more.
            assert page.evaluate(FREE_SPACE) == 200
            assert page.evaluate(STORED_BLOBS) == []
            phone.close()
            phone = launch(playwright_instance, tmp_path / "phone")
            page = open_app(phone, app.url)
            assert page.evaluate(FETCH, {"url": url, "range": None})["sha"] == saved["sha"]
            assert [b["id"] for b in page.evaluate(STORED_BLOBS)] == [row["id"]]
        finally:
            phone.close()
            laptop.close()


# Every value of the 'blobs' store, as bytes, read from the page.
STORED_BLOBS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('between');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const q = db.transaction('blobs').objectStore('blobs').getAll();
    q.onsuccess = () => { db.close(); resolve(q.result.map((r) => ({id: r.id, recordId: r.recordId,
      bytes: Array.from(r.bytes)}))); };
    q.onerror = () => { db.close(); reject(q.error); };
  };
})"""


# In the worker: IndexedDB refuses, for quota, to put a blob while `self.__full` is set (tests/browser/
# test_storage_browser.py refuses a revision the same way).
FULL_AT_BLOB = """() => {
  const put = IDBObjectStore.prototype.put;
  self.__full = true;
  IDBObjectStore.prototype.put = function (...args) {
    if (self.__full && this.name === 'blobs') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
}"""

# How many rows the worker's stores hold, read in the worker.
COUNTS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('between');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const count = (store) => new Promise((resolve) => {
    const request = db.transaction(store).objectStore(store).count();
    request.onsuccess = () => resolve(request.result);
  });
  const out = {};
  for (const store of ['records', 'revisions', 'blobs', 'uploads']) out[store] = await count(store);
  db.close();
  return out;
}"""


def test_without_an_account_a_photo_is_kept_sealed_shown_waiting_and_in_the_zip(
    playwright_instance, live_app, tmp_path
):
    """No account: the entry and its photo save at once; the photo rests only as ciphertext, opens on the device,
    says it is kept on this device until sync is on, and the saved copy's zip holds it; a form that keeps an id the
    entry never had is refused and stores nothing; a device full when the photo is written stores nothing of the save
    (507)."""
    photo = png(5, 2)
    ctx = launch(playwright_instance, tmp_path / "phone", accept_downloads=True)
    try:
        page = open_app(ctx, live_app.url)
        saved = save_photo(page, "Offline drawing", data=photo)
        [row] = uploads_of(page, saved["record"])
        assert (row["state"], row["received"]) == ("queued", 0)
        [stored] = page.evaluate(STORED_BLOBS)
        assert stored["id"] == row["id"] and stored["recordId"] == saved["record"]
        assert len(stored["bytes"]) == row["size"] > len(photo)
        assert photo[16:40] not in bytes(stored["bytes"])  # sealed: the PNG's bytes are nowhere in it
        url = f"/app/attachments/{saved['record']}/{row['id']}"
        assert page.evaluate(SHOW, url) == [5, 2]
        assert status_line(page, saved["record"], row["id"]) == "Kept on this device. It uploads once sync is on."
        assert (
            page.evaluate(
                FETCH, {"url": f"/app/attachments/{saved['record']}/{'0' * 8}-0000-4000-8000-{'0' * 12}", "range": None}
            )["status"]
            == 404
        )

        refused = page.evaluate(
            """async ({record}) => {
              const form = new FormData();
              form.append('f.title', 'Edited');
              form.append('f.photos', '6f1c2f0e-1b7a-4c55-9b1e-0d5f3c7a9e29');
              const r = await fetch('/app/entries/' + record,
                {method: 'POST', body: form, headers: {'HX-Request': 'true'}});
              return {status: r.status, text: await r.text()};
            }""",
            {"record": saved["record"]},
        )
        assert refused["status"] == 422
        assert "names an attachment this entry does not have" in refused["text"]
        assert len(page.evaluate(STORED_BLOBS)) == 1 and len(page.evaluate(UPLOADS)) == 1

        # The device is full when the new photo's blob is written (after the entry's record and revision, in the same
        # transaction): 507 with the words, and nothing of the save is stored, neither the entry nor the photo.
        worker = ctx.service_workers[0]
        counts = worker.evaluate(COUNTS)
        worker.evaluate(FULL_AT_BLOB)
        full = page.evaluate(SAVE, {"title": "When full", "bytes": list(photo), "random": 0, "media": "image/png"})
        worker.evaluate("() => { self.__full = false; }")
        assert full["status"] == 507
        assert "no room left to save this" in full["text"]
        assert worker.evaluate(COUNTS) == counts == {"records": 1, "revisions": 1, "blobs": 1, "uploads": 1}

        page.goto(live_app.url + "/app/export")
        page.wait_for_selector("#export-title")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download everything (zip)").click()
        copy = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert copy.testzip() is None
        assert copy.read(f"attachments/{saved['record']}/{row['id']}.png") == photo
        entries = json.loads(copy.read("between-entries.json"))
        assert [e["fields"]["photos"][0]["id"] for e in entries] == [row["id"]]
    finally:
        ctx.close()


def test_the_therapist_sees_a_shared_photo(playwright_instance, live_app, tmp_path):
    """A photo in an entry the client shares is fetched by the therapist's app (the server serves a grantee the blobs
    the shared revision names), verified against the document, and shown."""
    photo = png(6, 4)
    t_ctx = launch(playwright_instance, tmp_path / "therapist")
    c_ctx = launch(playwright_instance, tmp_path / "client")
    try:
        tp = open_app(t_ctx, live_app.url)
        cp = open_app(c_ctx, live_app.url)
        linked_pair(tp, cp, "dr.ode", "eli")
        saved = save_photo(cp, "For our session", data=photo)
        share_entry(cp, live_app.url, saved["record"], "dr.ode")
        assert sync_now(cp) == "Synced"
        [row] = uploads_of(cp, saved["record"])
        assert sync_now(tp) == "Synced"
        url = f"/app/attachments/{saved['record']}/{row['id']}"
        got = tp.evaluate(FETCH, {"url": url, "range": None})
        assert (got["status"], got["type"], got["sha"]) == (200, "image/png", saved["sha"])
        assert tp.evaluate(SHOW, url) == [6, 4]
        assert status_line(tp, saved["record"], row["id"]) == "Uploaded"
    finally:
        t_ctx.close()
        c_ctx.close()


def test_a_locked_app_gives_no_attachment_and_the_pin_opens_it_again(playwright_instance, live_app, tmp_path):
    """With the app lock on and locked, an attachment's address answers the lock screen, never the bytes (they rest
    under a key only the sealed document holds); unlocked, the photo shows again."""
    photo = png(3, 3)
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, live_app.url, "/app/entries")
        saved = save_photo(page, "Behind the lock", data=photo)
        [row] = uploads_of(page, saved["record"])
        url = f"/app/attachments/{saved['record']}/{row['id']}"
        assert page.evaluate(SHOW, url) == [3, 3]  # opened once: it is in the worker's memory too
        set_up_pin(page)
        lock_now(page)
        got = page.evaluate(FETCH, {"url": url, "range": None})
        assert got["sha"] != saved["sha"] and got["type"].startswith("text/html")
        assert page.evaluate(SHOW, url) is None
        unlock_with_pin(page)
        page.wait_for_selector("[data-lock-screen]", state="detached", timeout=30000)
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.evaluate(FETCH, {"url": url, "range": None})["sha"] == saved["sha"]
    finally:
        ctx.close()
