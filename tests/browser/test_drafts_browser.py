"""Drafts and field limits in Chromium, against the real server: a form in progress survives closing the browser,
is sealed at rest and never sent anywhere; a field over its limit is refused with its label and limit, nothing cut."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pwa_browser import launch, open_app, serious_violations
from pwa_live import live_app, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import go_entries, save, start_entry

pytestmark = pytest.mark.browser

# Every value of every store of the app's IndexedDB, as text: strings as they are, bytes as Latin-1 characters (so
# any ASCII run in them shows) and as UTF-16 code units, and the keys too. What is at rest, as the browser holds it.
RAW_INDEXEDDB = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  const out = [];
  const walk = (v) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') { out.push(v); return; }
    if (typeof v !== 'object') { out.push(String(v)); return; }
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      out.push(new TextDecoder('latin1').decode(bytes));
      if (bytes.length % 2 === 0) out.push(new TextDecoder('utf-16le').decode(bytes));
      return;
    }
    if (v instanceof CryptoKey) return;
    for (const [k, x] of Object.entries(v)) { out.push(k); walk(x); }
  };
  const stores = {};
  for (const name of db.objectStoreNames) {
    const tx = db.transaction(name);
    const [keys, values] = await Promise.all([tx.objectStore(name).getAllKeys(), tx.objectStore(name).getAll()]
      .map((r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); })));
    stores[name] = values.length;
    walk(keys);
    walk(values);
  }
  db.close();
  return {stores, text: out.join('\\n')};
}"""


def raw_indexeddb(page) -> dict:
    return page.evaluate(RAW_INDEXEDDB)


def draft_kept(page, selector: str = "form.entry-form") -> None:
    """Wait until the worker has sealed and stored what was typed into the form (page/drafts.js says so)."""
    page.wait_for_selector(f"{selector}[data-draft-state='saved']")


def start_journal_typed(page, title: str, body: str) -> None:
    start_entry(page, "Journal")
    page.fill("#f-title", title)
    page.fill("#f-body", body)
    draft_kept(page)


def test_a_draft_survives_closing_the_browser_and_discard_draft_puts_the_form_back(
    playwright_instance, app_url, tmp_path
):
    profile = tmp_path / "profile"
    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, app_url)
        start_journal_typed(page, "Half a thought", "I started writing this on the bus and then\nmy stop came")
    finally:
        ctx.close()  # the app is killed: nothing was saved

    ctx = launch(playwright_instance, profile)
    try:
        page = open_app(ctx, app_url, "/app/entries")
        section = page.locator("section.drafts")
        assert section.locator("h2").inner_text() == "Continue where you left off"
        assert section.locator("li").count() == 1
        assert "New entry · changed" in section.locator("li").inner_text()
        section.get_by_role("link", name="Journal").click()
        page.wait_for_selector(".draft-notice button")
        assert page.input_value("#f-title") == "Half a thought"
        assert page.input_value("#f-body") == "I started writing this on the bus and then\nmy stop came"
        notice = page.locator(".draft-notice")
        assert notice.get_attribute("role") == "status"
        assert notice.locator("p").inner_text() == "Draft restored"
        # The notice is focused, so a screen reader reads it; its button is a real one, reachable by keyboard.
        assert page.evaluate("() => document.activeElement.classList.contains('draft-notice')")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "Discard draft"
        page.keyboard.press("Enter")
        page.wait_for_selector("form.entry-form[data-draft-state='none']")
        assert page.input_value("#f-title") == ""
        assert page.input_value("#f-body") == ""
        assert notice.inner_text() == "Draft discarded. The form is as it was."
        assert raw_indexeddb(page)["stores"]["drafts"] == 0
        go_entries(page)
        assert page.locator("section.drafts").count() == 0
        start_entry(page, "Journal")
        page.wait_for_selector("form.entry-form[data-draft-state='none']")
        assert page.locator(".draft-notice").count() == 0
    finally:
        ctx.close()


def test_coming_back_to_the_form_within_the_app_and_after_hiding_restores_the_draft(
    playwright_instance, app_url, tmp_path
):
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        page.fill("#f-situation", "Meeting moved")
        # The phone locks before the pause is over: the page is hidden, and what was typed goes out at once.
        page.evaluate("""() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
            delete document.visibilityState;
        }""")
        draft_kept(page)
        page.check("input[name='f.thinking_patterns'][value='labelling']")
        draft_kept(page)
        go_entries(page)  # somewhere else, then back by the list
        page.locator("section.drafts").get_by_role("link", name="Thought record").click()
        page.wait_for_selector(".draft-notice button")
        assert page.input_value("#f-situation") == "Meeting moved"
        assert page.is_checked("input[name='f.thinking_patterns'][value='labelling']")
    finally:
        ctx.close()


def test_saving_removes_the_draft_and_a_refused_save_keeps_it(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        page.fill("#f-situation", "Train late")
        save(page)  # at once, before the pause that keeps a draft; refused: the thought and emotions are required
        assert page.locator("[role='alert']").count() == 1
        assert page.input_value("#f-situation") == "Train late"
        # The same form back, not a restored one: what was sent is its draft now.
        draft_kept(page)
        assert page.locator(".draft-notice").count() == 0
        assert raw_indexeddb(page)["stores"]["drafts"] == 1
        page.fill("#f-automatic_thought", "Everyone will think I'm careless")
        page.fill("#f-emotions", "embarrassed 60")
        draft_kept(page)
        save(page)
        page.wait_for_selector("article h1")
        assert raw_indexeddb(page)["stores"]["drafts"] == 0
        go_entries(page)
        assert page.locator("section.drafts").count() == 0
        # Editing keeps a draft of its own, removed by saving the edit too.
        page.locator(".entries a").first.click()
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-situation", "Train late, again")
        draft_kept(page)
        assert raw_indexeddb(page)["stores"]["drafts"] == 1
        save(page)
        page.wait_for_selector("article h1")
        assert raw_indexeddb(page)["stores"]["drafts"] == 0
    finally:
        ctx.close()


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and any(n in path.read_bytes() for n in needles)
    ]


def test_a_draft_is_sealed_at_rest_and_no_request_carries_it(playwright_instance, live_app, tmp_path):
    canary = "draftcanary" + secrets.token_hex(10)
    profile = tmp_path / "profile"
    ctx = launch(playwright_instance, profile)
    sent: list[str] = []

    def record(request) -> None:
        sent.append(" ".join([request.url, str(request.headers), request.post_data or ""]))

    ctx.on("request", record)
    try:
        page = open_app(ctx, live_app.url)
        turn_on_sync(page, "drafty")
        start_journal_typed(page, f"title {canary}", f"body {canary}")
        page.fill("#f-body", f"body {canary} and a little more")
        draft_kept(page)
        raw = raw_indexeddb(page)
        assert raw["stores"]["drafts"] == 1
        for needle in (canary, canary[::-1], canary.upper()):
            assert needle not in raw["text"]
        assert sync_now(page) == "Synced"  # the worker talks to the server: the draft stays out of it
        assert any("/api/v1/" in s for s in sent), "the recorder sees the worker's requests"
        assert [s for s in sent if canary in s] == []
    finally:
        ctx.close()
    needles = [canary.encode(), canary.encode("utf-16-le")]
    assert _files_containing(profile, needles) == []
    assert _files_containing(live_app.server.data_dir, needles) == []
    assert canary not in live_app.server.log_path.read_text(errors="replace")


def test_a_field_over_its_limit_counts_and_is_refused_with_nothing_cut(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        counter = page.locator("#f-situation-count")
        page.fill("#f-situation", "calm " * 1000)
        assert counter.is_hidden()
        near = "x" * 19_950
        page.fill("#f-situation", near)
        page.wait_for_function("() => document.getElementById('f-situation-count').textContent === '19,950 / 20,000'")
        assert counter.is_visible()
        # Pasted past the limit: nothing is cut in the field (no maxlength), the counter says by how much.
        over = "word " * 4000 + "and then some more"  # 20,018 characters
        page.locator("#f-situation").fill(over)
        page.wait_for_function(
            "() => document.getElementById('f-situation-count').textContent"
            " === '20,018 / 20,000 · 18 characters over the limit'"
        )
        assert page.input_value("#f-situation") == over
        # Said politely once typing pauses, not at every key.
        page.wait_for_function(
            "() => document.getElementById('f-situation-count-say').textContent === '18 characters over the limit'"
        )
        page.fill("#f-automatic_thought", "They are angry with me")
        page.fill("#f-emotions", "worried 60")
        save(page)
        alert = page.locator("[role='alert']").inner_text()
        assert alert == (
            "“Situation” holds 20,018 characters, more than its limit of 20,000. "
            "Nothing was cut: shorten it by 18 characters and save again."
        )
        assert page.input_value("#f-situation") == over  # everything typed is still there
        assert page.get_attribute("#f-situation", "aria-invalid") == "true"
        assert counter.inner_text() == "20,018 / 20,000 · 18 characters over the limit"
        go_entries(page)
        assert page.locator(".entries li").count() == 0  # nothing was saved, in part or whole
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_drafts_and_counters_are_clean_for_axe(playwright_instance, app_url, tmp_path, scheme):
    ctx = launch(playwright_instance, tmp_path / "profile", color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        start_entry(page, "Thought record")
        page.fill("#f-situation", "x" * 20_001)
        draft_kept(page)
        go_entries(page)
        assert serious_violations(page) == []  # "Continue where you left off"
        page.locator("section.drafts").get_by_role("link", name="Thought record").click()
        page.wait_for_selector(".draft-notice button")
        page.wait_for_selector("#f-situation-count:not([hidden])")
        assert serious_violations(page) == []  # the notice and a counter over the limit
        # The notice's button is a 44 px target or more on a phone.
        box = page.locator(".draft-notice button").bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
    finally:
        ctx.close()
