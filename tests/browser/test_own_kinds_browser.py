"""Issue 13, part 4: the kinds a client starts alone (a list with ticks, helping others, researching resources), in
Chromium against the real server. Each form refuses what is missing in words, saves, is shared, comes out in the
copy as text and JSON by its labels, and shows in the therapist's print view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import go, linked_pair, path_id
from pwa_live import go_more, live_app, sync_now  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    assert path is not None, info.value.failure()
    return Path(path).read_bytes()


def save_and_refuse_first(page, url: str, kind: str, missing: str, fill) -> str:
    """Open the form, save it empty (refused, naming the question), fill it in, share it, save; the entry's id."""
    go(page, url, f"/app/entries/new?kind={kind}", "form.entry-form")
    page.get_by_role("button", name="Save").click()
    alert = page.locator("#form-error")
    alert.wait_for()
    assert alert.inner_text() == f"Please fill in “{missing}”.", alert.inner_text()
    fill(page)
    page.get_by_role("switch", name="Share with dr.own").check()
    page.get_by_role("button", name="Save").click()
    page.locator("article h1").wait_for()
    return path_id(page)


def test_a_list_helping_others_and_a_resource_validate_save_export_and_print(playwright_instance, live_app, tmp_path):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844}, accept_downloads=True)
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.own", "sam.own")

        # A list started from a starter: its title filled in, items ticked or not.
        go(cp, url, "/app/entries/new?kind=list", "form.entry-form")
        assert not serious_violations(cp)
        cp.get_by_role("link", name="Ideas for coping").click()
        cp.wait_for_function("() => document.getElementById('f-title')?.value === 'Ideas for coping'")

        def fill_list(page):
            page.fill("#f-title", "Ideas for coping")
            page.fill("#f-items-text-0", "A walk by the river")
            page.fill("#f-items-text-1", "Call Alex")
            page.check("#f-items-done-1")

        list_id = save_and_refuse_first(cp, url, "list", "What the list is", fill_list)
        assert "☑" in cp.inner_text("article") and "Call Alex" in cp.inner_text("article")
        assert "Items" in cp.locator("article dt").all_inner_texts()

        def fill_helping(page):
            page.fill("#f-what_i_did", "Helped at the food bank")
            page.fill("#f-for_whom", "The food bank")
            page.fill("#f-minutes", "90")
            page.check("input[name='f.mood_before'][value='4']")
            page.check("input[name='f.mood_after'][value='7']")

        helping_id = save_and_refuse_first(cp, url, "helping", "What I did", fill_helping)
        assert not serious_violations(cp)

        def fill_resource(page):
            page.fill("#f-name", "Riverside peer group")
            page.fill("#f-contact", "0123 456 789")
            page.fill("#f-offers", "A weekly group on Thursdays")

        resource_id = save_and_refuse_first(cp, url, "resource", "Name", fill_resource)
        assert sync_now(cp) == "Synced"

        # The copy: JSON with the fields as stored, text in words.
        go_more(cp)
        cp.get_by_role("link", name="Save a copy of your entries").click()
        cp.wait_for_selector("#export-title")
        exported = {e["id"]: e for e in json.loads(download(cp, "Download as JSON"))}
        text = download(cp, "Download as text").decode("utf-8")
        assert exported[list_id]["fields"]["items"] == [
            {"text": "A walk by the river", "done": False},
            {"text": "Call Alex", "done": True},
        ]
        assert exported[helping_id]["fields"] == {
            "what_i_did": "Helped at the food bank",
            "for_whom": "The food bank",
            "minutes": 90,
            "mood_before": 4,
            "mood_after": 7,
        }
        assert exported[resource_id]["fields"]["contact"] == "0123 456 789"
        for words in (
            "[x] Call Alex",
            "[ ] A walk by the river",
            "Helped at the food bank",
            "90 min",
            "How I felt after",
            "Riverside peer group",
            "What it offers",
        ):
            assert words in text, words
        assert "mood_after" not in text and "what_i_did" not in text  # labels, never ids

        # The therapist's print view shows each, by its labels.
        assert sync_now(tp) == "Synced"
        go(tp, url, f"/app/clients/{uid}/print", "h1")
        printed = tp.inner_text("main")
        for words in (
            "Ideas for coping",
            "Call Alex",
            "Helped at the food bank",
            "How I felt before",
            "7 out of 10",
            "Riverside peer group",
            "Link or phone number",
            "0123 456 789",
        ):
            assert words in printed, words
        assert "resource" not in printed.lower().split() and "what_i_did" not in printed
    finally:
        t_ctx.close()
        c_ctx.close()
