"""Drafts and field limits in Chromium, against the real server: a form in progress survives closing the browser,
is sealed at rest and never sent anywhere; a field over its limit is refused with its label and limit, nothing cut."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pwa_browser import launch, new_context, open_app, serious_violations
from pwa_live import live_app, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, go_entries, save, start_entry

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
    ctx = new_context(playwright_instance)
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
    ctx = new_context(playwright_instance)
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


# The drafts store's rows as they are at rest (sealed), to put back later: a draft from before, as a device holds it.
TAKE_DRAFTS = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  const rows = await new Promise((ok) => { const r = db.transaction('drafts').objectStore('drafts').getAll();
    r.onsuccess = () => ok(r.result); });
  db.close();
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
    [k, v instanceof Uint8Array ? {bytes: Array.from(v)} : v])));
}"""
PUT_DRAFTS = """async (rows) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  const tx = db.transaction('drafts', 'readwrite');
  for (const row of rows) tx.objectStore('drafts').put(Object.fromEntries(Object.entries(row).map(([k, v]) =>
    [k, v && v.bytes ? Uint8Array.from(v.bytes) : v])));
  await new Promise((ok) => { tx.oncomplete = ok; });
  db.close();
}"""


def open_edit(page, title: str) -> None:
    go_entries(page)
    page.locator(".entries").get_by_role("link", name=title).first.click()
    page.get_by_role("link", name="Edit").click()
    page.wait_for_selector("form.entry-form[data-draft-state]")


def test_an_old_draft_of_an_edit_is_not_put_back_over_a_newer_version_without_asking(
    playwright_instance, app_url, tmp_path
):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        create_journal(page, "Walk", "Went round the park")
        # Monday, this device: an edit in progress, left as a draft.
        open_edit(page, "Walk")
        page.fill("#f-body", "Went round the park, and felt calmer")
        draft_kept(page)
        monday = page.evaluate(TAKE_DRAFTS)
        assert len(monday) == 1
        go_entries(page)
        # Tuesday, "another device": the entry changes. (Here by this device's own edit form, whose save deletes the
        # draft; Monday's draft is then put back as it was, as the other device's sync would have left it.)
        open_edit(page, "Walk")
        page.wait_for_selector(".draft-notice")  # Monday's draft, of the version it was made from: put back
        page.fill("#f-title", "Walk with Sam")
        page.fill("#f-body", "Went round the park with Sam")
        save(page)
        page.wait_for_selector("article h1")
        page.evaluate(PUT_DRAFTS, monday)
        # Wednesday: Edit again. The draft was made from an older version: asked, not put back.
        open_edit(page, "Walk with Sam")
        page.wait_for_selector("form.entry-form[data-draft-state='asking']")
        notice = page.locator(".draft-notice")
        assert notice.get_attribute("role") == "status"
        assert "changed on another device after your draft was written" in notice.locator("p").inner_text()
        assert page.input_value("#f-title") == "Walk with Sam"
        assert page.input_value("#f-body") == "Went round the park with Sam"
        assert page.evaluate("() => document.activeElement.classList.contains('draft-notice')")
        # Typing meanwhile replaces nothing: the draft is still Monday's until the person chooses.
        page.fill("#f-body", "Went round the park with Sam.")
        assert page.evaluate(TAKE_DRAFTS) == monday
        page.get_by_role("button", name="Restore my draft anyway").click()
        page.wait_for_selector("form.entry-form[data-draft-state='restored']")
        assert page.input_value("#f-body") == "Went round the park, and felt calmer"
        assert page.input_value("#f-title") == "Walk"  # the draft's, as it was written
        assert notice.locator("p").inner_text() == "Draft restored"
        # Saved, the draft is merged into the entry as it is now: Tuesday's changes are not undone. The title only
        # Tuesday changed stays Tuesday's; the text both changed keeps both versions.
        save(page)
        article = page.locator("article")
        article.wait_for()
        text = article.inner_text()
        assert "Walk with Sam" in text
        assert "Went round the park with Sam" in text
        assert "Went round the park, and felt calmer" in text
        assert "Edited on two devices" in text
        assert raw_indexeddb(page)["stores"]["drafts"] == 0
        # And the other answer: the old draft put back again, "Discard draft" keeps the entry as it is now.
        go_entries(page)
        page.evaluate(PUT_DRAFTS, monday)
        open_edit(page, "Walk with Sam")
        page.wait_for_selector("form.entry-form[data-draft-state='asking']")
        merged = page.input_value("#f-body")
        assert "Went round the park with Sam" in merged
        page.get_by_role("button", name="Discard draft").click()
        page.wait_for_selector("form.entry-form[data-draft-state='none']")
        assert page.input_value("#f-body") == merged
        assert notice.locator("p").inner_text() == "Draft discarded. The form shows the entry as it is now."
        assert raw_indexeddb(page)["stores"]["drafts"] == 0
    finally:
        ctx.close()


# Types into the next entry form a screen brings, in the same task as the swap: before the page has its draft back.
TYPE_EARLY = """(text) => {
  const type = () => {
    const body = document.querySelector('form.entry-form #f-body');
    if (!body) return;
    document.removeEventListener('htmx:after:swap', type);
    body.value = text;
    body.dispatchEvent(new Event('input', {bubbles: true}));
  };
  document.addEventListener('htmx:after:swap', type);
}"""


def test_typing_before_the_draft_is_back_asks_before_replacing_it(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        start_journal_typed(page, "Earlier", "What I wrote before")
        go_entries(page)
        page.evaluate(TYPE_EARLY, "typed at once")
        page.locator(".kinds").get_by_role("link", name="Journal", exact=True).click()
        page.wait_for_selector("form.entry-form[data-draft-state='asking']")
        notice = page.locator(".draft-notice")
        assert "You have an earlier draft of this form" in notice.locator("p").inner_text()
        assert page.input_value("#f-body") == "typed at once"
        # Left without choosing: the earlier draft is still there, whole.
        go_entries(page)
        page.locator("section.drafts").get_by_role("link", name="Journal").click()
        page.wait_for_selector("form.entry-form[data-draft-state='restored']")
        assert page.input_value("#f-title") == "Earlier"
        assert page.input_value("#f-body") == "What I wrote before"
        # "Restore your earlier draft" puts it in place of what was typed.
        go_entries(page)
        page.evaluate(TYPE_EARLY, "typed at once")
        page.locator(".kinds").get_by_role("link", name="Journal", exact=True).click()
        page.get_by_role("button", name="Restore your earlier draft").click()
        page.wait_for_selector("form.entry-form[data-draft-state='restored']")
        assert page.input_value("#f-body") == "What I wrote before"
        # "Keep what I typed" replaces the draft, then and only then.
        go_entries(page)
        page.evaluate(TYPE_EARLY, "typed at once")
        page.locator(".kinds").get_by_role("link", name="Journal", exact=True).click()
        page.get_by_role("button", name="Keep what I typed").click()
        draft_kept(page)
        assert notice.locator("p").inner_text() == "Kept what you typed. It replaces your earlier draft."
        go_entries(page)
        page.locator("section.drafts").get_by_role("link", name="Journal").click()
        page.wait_for_selector("form.entry-form[data-draft-state='restored']")
        assert page.input_value("#f-title") == ""
        assert page.input_value("#f-body") == "typed at once"
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
    ctx = new_context(playwright_instance)
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
    ctx = new_context(playwright_instance, color_scheme=scheme, viewport={"width": 390, "height": 844})
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
