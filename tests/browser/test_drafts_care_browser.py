"""Drafts of the care forms, in two browsers against the real server: a client's answer to an assignment and a
therapist's worksheet being built both survive closing the browser, and the answer's draft goes once it is saved.
Nothing of either draft reaches the server."""

from __future__ import annotations

import secrets

import pytest
from pwa_browser import launch, open_app
from pwa_care import (
    assign_from_template,
    confirm_safety_number,
    go,
    linked_pair,
    local_day,
    open_occurrence,
    open_worksheet_builder,
    profile_holds,
)
from pwa_live import live_app, sync_now, turn_on_sync  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

ZONE = "Europe/Berlin"


def kept(page, selector: str) -> None:
    page.wait_for_selector(f"{selector}[data-draft-state='saved']")


def drafts_count(page) -> int:
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('between');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('drafts').objectStore('drafts').count();
          req.onsuccess = () => { open.result.close(); resolve(req.result); };
        };
      })""")


def test_an_answer_and_a_worksheet_in_progress_survive_closing_the_browser(playwright_instance, live_app, tmp_path):
    url = live_app.url
    canary = "carecanary" + secrets.token_hex(8)
    t_profile, c_profile = tmp_path / "therapist", tmp_path / "client"
    t_ctx = launch(playwright_instance, t_profile, timezone_id=ZONE)
    c_ctx = launch(playwright_instance, c_profile, timezone_id=ZONE)
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.draft", "kim.draft")
        confirm_safety_number(tp, url, uid)
        today = local_day(tp)
        aid = assign_from_template(
            tp,
            url,
            uid,
            "journal-letter-to-self",
            "kim.draft",
            freq_label="Every day",
            start=today,
            until=local_day(tp, 5),
        )
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"

        # The client starts answering, and also starts saying why not; the therapist builds a long worksheet.
        open_occurrence(cp, url, aid, today)
        cp.fill("#f-body", f"Dear me, {canary}")
        kept(cp, "form.entry-form")
        cp.fill("#nd-reason", "Maybe later")
        kept(cp, "form[data-draft$='/not-done']")
        open_worksheet_builder(tp, url, uid)
        tp.fill("#a-title", f"Worries {canary}")
        tp.get_by_role("button", name="Add more questions").click()
        tp.wait_for_selector("[name='q.11.label']")
        tp.fill("[name='q.10.label']", "What did you do next?")
        kept(tp, "form.assign-form")
        assert sync_now(cp) == "Synced" and sync_now(tp) == "Synced"
    finally:
        t_ctx.close()
        c_ctx.close()

    for profile in (t_profile, c_profile):
        assert profile_holds(profile, canary) == []
    assert [
        p.name for p in live_app.server.data_dir.rglob("*") if p.is_file() and canary.encode() in p.read_bytes()
    ] == []

    t_ctx = launch(playwright_instance, t_profile, timezone_id=ZONE)
    c_ctx = launch(playwright_instance, c_profile, timezone_id=ZONE)
    try:
        cp = open_app(c_ctx, url, "/app/entries")
        listed = cp.locator("section.drafts li").all_inner_texts()
        assert len(listed) == 2 and all(t.startswith("A kind letter to yourself") for t in listed), listed
        assert any("Answer · changed" in t for t in listed) and any("Why it did not happen" in t for t in listed)
        open_occurrence(cp, url, aid, today)
        cp.wait_for_selector("form.entry-form .draft-notice button")
        assert cp.input_value("#f-body") == f"Dear me, {canary}"
        assert cp.input_value("#nd-reason") == "Maybe later"
        assert cp.locator(".draft-notice").count() == 2  # each form says so
        cp.get_by_role("button", name="Save and mark done").click()
        cp.wait_for_selector("#todo-done-title")
        assert drafts_count(cp) == 1  # the answer's draft is gone; the reason's stays until it is saved or discarded
        go(cp, url, "/app/entries", "#entries-title")
        assert "Why it did not happen" in cp.locator("section.drafts").inner_text()

        tp = open_app(t_ctx, url)
        open_worksheet_builder(tp, url, uid)
        tp.wait_for_selector(".draft-notice button")
        assert tp.input_value("#a-title") == f"Worries {canary}"
        assert tp.input_value("[name='q.10.label']") == "What did you do next?"  # row 11 is there again
    finally:
        t_ctx.close()
        c_ctx.close()
