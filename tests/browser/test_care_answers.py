"""Issue 10, items 7 and 8 and the therapist's two panes, in two browsers against the real server.

Answering an assignment shares what was written with the therapist who assigned it, visibly: a switch on the answer
form, on by default (off for an entry of the client's own), so the therapist sees a completed mood assignment's
score; an answer kept private shows only "Done". "Session held" moves everything that reached the therapist before
it out of "new", on the Clients list and in the timeline alike; what is shared after it is new. From about 900 px the
therapist's Clients list sits beside the client's timeline; on a phone it is one column."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import (
    assign_from_template,
    go,
    linked_pair,
    local_day,
    open_client,
    open_occurrence,
    path_id,
    received_ids,
    tab,
)
from pwa_live import live_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

ZONE = "Europe/Berlin"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PRIVATE_NOTE = "Canary kept 4d1b: only mine"
LATER_NOTE = "Canary later 8e2c: after the session"


def switch(page: Page):
    """The answer form's (or new entry form's) switch that shares what is written with the therapist."""
    return page.get_by_role("switch", name="Share with dr.answers")


def answer_mood(page: Page, url: str, aid: str, day: str, score: int, note: str, *, share: bool) -> str:
    """Answer one day of the mood assignment as done, the switch set to `share`; returns the entry's id."""
    open_occurrence(page, url, aid, day)
    page.check(f"#f-score-{score}")
    page.fill("#f-note", note)
    switch(page).set_checked(share)
    page.get_by_role("button", name="Save and mark done").click()
    page.wait_for_selector("#todo-done-title, form.entry-form [role='alert']")
    assert page.locator("#todo-done-title").count() == 1, page.inner_text("#view")
    return page.get_by_role("link", name="Open your entry").get_attribute("href").rsplit("/", 1)[-1]


def news(page: Page) -> str:
    """The Clients tab's line about what is new for the one client."""
    tab(page, "Clients", "#clients-title")
    return " ".join(page.inner_text(".care-list-pane .clients .news").split())


def group_texts(page: Page) -> list[tuple[str, str]]:
    """The timeline's groups on a client's page: (heading, text of its items)."""
    return [
        (g.locator("h3").inner_text().strip(), " ".join(g.inner_text().split()))
        for g in page.locator(".care-pane .tl-group").all()
    ]


def received_feeds(page: Page) -> list:
    """The feed position each record in this device's 'received' store came at."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('between');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('received').objectStore('received').getAll();
          req.onsuccess = () => { open.result.close(); resolve(req.result.map((r) => r.feed ?? null)); };
          req.onerror = () => reject(req.error);
        };
      })""")


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found, f"{selector} is not shown"
    return found


def test_answers_shared_as_the_switch_says_sessions_end_what_is_new_and_two_panes(
    playwright_instance, live_app, tmp_path
):
    url = live_app.url
    t_ctx = new_context(playwright_instance, timezone_id=ZONE, viewport=DESKTOP)
    c_ctx = new_context(playwright_instance, timezone_id=ZONE, viewport=PHONE)
    problems: dict[str, list[str]] = {}
    try:
        tp = open_app(t_ctx, url)
        cp = open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.answers", "kim.answers")

        # A daily mood check-in from yesterday, assigned in the therapist's browser.
        yesterday, today = local_day(tp, -1), local_day(tp)
        aid = assign_from_template(
            tp, url, uid, "mood-daily", "kim.answers", freq_label="Every day", start=yesterday, until=local_day(tp, 6)
        )
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"

        # The answer form says who will see the answer, with the switch on; turned off, it says it stays private.
        open_occurrence(cp, url, aid, today)
        assert switch(cp).is_checked()
        assert cp.get_by_text("dr.answers will see this answer and your feedback.", exact=True).is_visible()
        assert not cp.get_by_text("Kept private: dr.answers sees only that it is done", exact=False).is_visible()
        problems["client: answer form"] = serious_violations(cp)
        switch(cp).uncheck()
        assert cp.get_by_text("Kept private: dr.answers sees only that it is done", exact=False).is_visible()
        assert not cp.get_by_text("dr.answers will see this answer and your feedback.", exact=True).is_visible()

        # Today's answer shared (the default), yesterday's kept private.
        shared_id = answer_mood(cp, url, aid, today, 7, "A calmer day", share=True)
        assert "dr.answers will see what you wrote too" in cp.inner_text("#view")
        private_id = answer_mood(cp, url, aid, yesterday, 2, PRIVATE_NOTE, share=False)
        assert "What you wrote is private" in cp.inner_text("#view")
        # An entry of their own: its switch starts off.
        go(cp, url, "/app/entries/new?kind=mood", "#form-title")
        assert switch(cp).count() == 1 and not switch(cp).is_checked()
        assert cp.get_by_text("Only you will see this entry.", exact=True).is_visible()
        problems["client: new entry form"] = serious_violations(cp)
        assert sync_now(cp) == "Synced"

        # The therapist sees the shared answer's score; of the private one only that it is done.
        assert sync_now(tp) == "Synced"
        assert re.fullmatch(r"3 shared, no session recorded yet", news(tp)), news(tp)  # two answers, one entry
        go(tp, url, f"/app/assignments/{aid}", "#review-title")
        rows = {
            r.locator("th time").get_attribute("datetime"): [
                " ".join(c.split()) for c in r.locator("td").all_inner_texts()
            ]
            for r in tp.locator("table.occurrences tbody tr").all()
        }
        assert rows[today] == ["Done", "Mood 7/10"], rows
        assert rows[yesterday] == ["Done", ""], rows
        assert "the entry was not shared" in tp.locator("ul.linked").inner_text()
        open_client(tp, url, uid)
        answers = {
            t.split(" for ")[1].split("\n")[0]: " ".join(t.split())
            for t in tp.locator(".care-pane .tl-response").all_inner_texts()
        }
        assert len(answers) == 2, answers
        today_answer = next(a for a in answers.values() if "Answer Mood 7/10" in a)
        assert "Done" in today_answer and "shared too" in today_answer, answers
        kept = next(a for a in answers.values() if "Answer" not in a.split("Answered", 1)[1])
        assert "Done" in kept and "Kept private" in kept, answers
        page_text = tp.inner_text("#view") + tp.content()
        assert "2/10" not in page_text and PRIVATE_NOTE not in page_text
        stored = received_ids(tp)
        assert shared_id in stored and private_id not in stored, stored

        # Two panes at 1280 px: the list beside the timeline, the shown client marked; one column at 390 px.
        beside, pane = box(tp, ".care-beside"), box(tp, ".care-pane")
        assert beside["x"] + beside["width"] <= pane["x"] and pane["width"] >= 600, (beside, pane)
        assert abs(beside["y"] - pane["y"]) < 80, (beside, pane)
        assert tp.locator(".care-beside [aria-current='page']").inner_text().strip() == "kim.answers"
        problems["therapist: client page, two panes"] = serious_violations(tp)
        tp.set_viewport_size(PHONE)
        assert not tp.locator(".care-beside").is_visible()
        pane = box(tp, ".care-pane")
        assert pane["width"] > 300 and pane["x"] < 40, pane
        assert tp.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        tp.set_viewport_size(DESKTOP)
        tab(tp, "Clients", "#clients-title")
        listed, pick = box(tp, ".care-list-pane"), box(tp, ".care-pick")
        assert listed["x"] + listed["width"] <= pick["x"], (listed, pick)
        problems["therapist: clients, two panes"] = serious_violations(tp)
        tp.set_viewport_size(PHONE)
        assert not tp.locator(".care-pick").is_visible()
        tp.set_viewport_size(DESKTOP)

        # Session held: nothing shared before it is new, on the Clients list and in the timeline.
        open_client(tp, url, uid)
        tp.get_by_role("button", name="Session held today").click()
        tp.wait_for_selector(".care-pane .actions .session-marker")
        assert "What was shared before now no longer shows as new" in tp.inner_text(".care-pane [role='status']")
        groups = group_texts(tp)
        assert groups[0][0].startswith("Since last session (") and "Nothing new since then." in groups[0][1], groups
        assert groups[1][0].startswith("Before the session on ") and "Mood 7/10" in groups[1][1], groups
        assert re.fullmatch(r"Nothing new since the last session \(.+\)", news(tp)), news(tp)
        assert "Nothing new since the last session" in tp.inner_text(".care-list-pane")
        # The count stays so after a sync and a fresh start of the page.
        assert sync_now(tp) == "Synced"
        tp.reload()
        tp.wait_for_selector("#account-title", timeout=20000)
        assert re.fullmatch(r"Nothing new since the last session \(.+\)", news(tp)), news(tp)

        # What the client shares after the session is new: an entry of their own, shared with its switch turned on.
        go(cp, url, "/app/entries/new?kind=mood", "#form-title")
        cp.check("#f-score-5")
        cp.fill("#f-note", LATER_NOTE)
        switch(cp).check()
        cp.get_by_role("button", name="Save").click()
        cp.wait_for_selector(".sharing")
        assert "Shared with dr.answers" in cp.inner_text(".sharing")
        later_id = path_id(cp)
        assert sync_now(cp) == "Synced"
        assert sync_now(tp) == "Synced"
        assert re.fullmatch(r"1 new since the last session \(.+\)", news(tp)), news(tp)
        open_client(tp, url, uid)
        groups = group_texts(tp)
        assert LATER_NOTE in groups[0][1] and "Mood 7/10" not in groups[0][1], groups
        assert LATER_NOTE not in groups[1][1], groups
        assert "1 new since the last session" in tp.inner_text(".care-beside")
        assert later_id in received_ids(tp)

        # Another device of the therapist, signed in only now, gets everything after the mark's instant, yet agrees:
        # the feed positions are the account's, so only what came after the session is new there too.
        assert all(isinstance(f, int) and f > 0 for f in received_feeds(tp)), received_feeds(tp)
        t2_ctx = new_context(playwright_instance, timezone_id=ZONE, viewport=DESKTOP)
        try:
            t2 = open_app(t2_ctx, url)
            assert sign_in(t2, "dr.answers") == ""
            assert sync_now(t2) == "Synced"
            assert re.fullmatch(r"1 new since the last session \(.+\)", news(t2)), news(t2)
        finally:
            t2_ctx.close()
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        t_ctx.close()
        c_ctx.close()
