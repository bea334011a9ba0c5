"""Issue 4 in two browsers against the real server, beyond test_care_browser.py: invitations withdrawn and used, a
worksheet built by the therapist and answered by the client (every answer type, minutes against a weekly target),
an activity running until the next session, and an activity edited, then withdrawn.

One server and one linked pair (dr.sheet, sam.sheet) serve the whole module: the invitations test links them, and
the later tests build on that link (`linked` links them itself when run alone)."""

from __future__ import annotations

import re

import pytest
from pwa_browser import launch, open_app, serious_violations
from pwa_care import (
    accept_invite,
    add_questions,
    client_ids,
    confirm_safety_number,
    create_invite,
    definitions,
    fill_schedule,
    go,
    local_day,
    open_client,
    open_invites,
    open_occurrence,
    open_worksheet_builder,
    submit_assignment,
    tab,
    therapist_id,
    todo_items,
    withdraw_invite_made_first,
)
from pwa_live import serve_app, sync_now, turn_on_sync

pytestmark = pytest.mark.browser

ZONE = "Europe/Berlin"
T, C = "dr.sheet", "sam.sheet"
# share-routes.js INVITE_WORDS.invite_not_found
INVITE_GONE = "This invitation was used already, was withdrawn or has expired. Ask your therapist for a new one."


@pytest.fixture(scope="module")
def care(playwright_instance, tmp_path_factory):
    """The server, and the therapist's and the client's browsers, both signed up (not linked yet)."""
    root = tmp_path_factory.mktemp("worksheet")
    with serve_app(tmp_path_factory.mktemp("live"), movable_clock=True) as app:
        t_ctx = launch(playwright_instance, root / "therapist", timezone_id=ZONE)
        c_ctx = launch(playwright_instance, root / "client", timezone_id=ZONE)
        try:
            tp, cp = open_app(t_ctx, app.url), open_app(c_ctx, app.url)
            turn_on_sync(tp, T, therapist=True)
            turn_on_sync(cp, C)
            yield {"url": app.url, "t": tp, "c": cp, "uid": None, "server": app.server}
        finally:
            t_ctx.close()
            c_ctx.close()


def linked(care) -> str:
    """The client's user id once both are linked and the therapist has compared the safety number."""
    if care["uid"] is None:
        accept_invite(care["c"], create_invite(care["t"]), T)
        _link_up(care)
    return care["uid"]


def _link_up(care) -> None:
    assert sync_now(care["c"]) == "Synced"
    assert sync_now(care["t"]) == "Synced"
    uid = client_ids(care["t"])[C]
    confirm_safety_number(care["t"], care["url"], uid)
    care["uid"] = uid


def _both_sync(first, second) -> None:
    assert sync_now(first) == "Synced"
    assert sync_now(second) == "Synced"


def _todo(page, url: str) -> None:
    go(page, url, "/app/todo", "#todo-title")


def _text(page, selector: str = "#view") -> str:
    return " ".join(page.inner_text(selector).split())


# ---------------------------------------------------------------- 3: invitations


def test_a_withdrawn_invitation_does_not_link_and_the_other_one_does(care):
    tp, cp = care["t"], care["c"]
    first = create_invite(tp)
    care["server"].advance(1)  # the list is ordered by the second each was made in
    second = create_invite(tp)
    assert first != second
    assert len(open_invites(tp)) == 2
    withdraw_invite_made_first(tp)
    assert "Invitation withdrawn: the link no longer works." in _text(tp)
    assert len(open_invites(tp)) == 1

    # The withdrawn link: the plain words, no way to link, nobody linked.
    cp.goto(first)
    cp.wait_for_selector("#invite-title")
    cp.wait_for_selector("#view [role='alert']")
    assert _text(cp, "#view [role='alert']") == INVITE_GONE
    assert cp.get_by_role("button", name=f"Link with {T}").count() == 0
    tab(cp, "Shared", "#shared-title")
    assert cp.get_by_role("link", name=T, exact=True).count() == 0
    assert sync_now(tp) == "Synced"
    tab(tp, "Clients", "#clients-title")
    assert tp.locator(".clients .client-name").count() == 0

    # The other link links; used, it is no longer open.
    accept_invite(cp, second, T)
    assert therapist_id(cp, T)
    _link_up(care)
    assert open_invites(tp) == []
    assert "No open invitations." in _text(tp)


# ---------------------------------------------------------------- 1: a worksheet, built, answered, shared, reviewed

WS_TITLE = "Tram exposure worksheet"
NOTICED = "Canary ws 4b2e: tight chest on the tram"
MINUTES_CHART = "figure[aria-labelledby='minutes-chart-caption']"
QUESTIONS = [
    ("What did you notice?", "short_text", []),
    ("How strong was the urge to leave?", "scale", []),
    ("Did you stay until your stop?", "yes_no", []),
    ("Where did it happen?", "single_choice", ["At home", "On the way to work", "Out with friends"]),
    ("What helped?", "list", []),
    ("How many minutes did you practise?", "minutes", []),
]


def test_a_worksheet_is_built_answered_shared_and_reviewed_with_its_minutes(care):
    url, tp, cp = care["url"], care["t"], care["c"]
    uid = linked(care)
    due = local_day(tp, 3)
    problems = {}

    open_worksheet_builder(tp, url, uid)
    assert tp.inner_text("#assign-form-title") == "Build a worksheet"
    tp.fill("#a-title", WS_TITLE)
    tp.fill("#a-instructions", "Ride two stops, then write it down.")
    add_questions(tp, QUESTIONS)
    fill_schedule(tp, "Once, by a due date", start=local_day(tp), due=due, target="60")
    problems["therapist: builder"] = serious_violations(tp)
    aid = submit_assignment(tp, f"Assign to {C}")
    assert tp.inner_text("#review-title") == WS_TITLE
    _both_sync(tp, cp)

    # To do: the one day it falls on, in the week ahead (today only if due today).
    _todo(cp, url)
    section = "todo-today" if due == local_day(cp) else "todo-week"
    items = [t for t in todo_items(cp, section) if WS_TITLE in t]
    assert len(items) == 1 and f"from {T} (Verified by invitation)" in items[0], items
    cp.locator(f"section[aria-labelledby='{section}'] .todo-item", has_text=WS_TITLE).get_by_role(
        "link", name=re.compile("^Do it")
    ).click()
    cp.wait_for_selector("#todo-o-title")
    assert cp.url.endswith(f"/app/todo/{aid}/{due}")
    form = cp.locator("form.entry-form")
    labels = form.locator("label, legend").all_inner_texts()
    for question, _, _ in QUESTIONS:
        assert any(question in label for label in labels), (question, labels)
    problems["client: worksheet form"] = serious_violations(cp)
    form.get_by_label("What did you notice?").fill(NOTICED)
    form.get_by_role("group", name=re.compile("How strong was the urge")).get_by_label("7", exact=True).check()
    form.get_by_role("group", name=re.compile("Did you stay")).get_by_label("Yes", exact=True).check()
    form.get_by_role("group", name=re.compile("Where did it happen")).get_by_label("On the way to work").check()
    form.get_by_label("What helped?").fill("Slow breathing\nCounting the stops")
    form.get_by_label("How many minutes did you practise?").fill("25")
    cp.get_by_role("button", name="Save and mark done").click()
    cp.wait_for_selector("#todo-done-title, form.entry-form [role='alert']")
    assert cp.locator("#todo-done-title").count() == 1, _text(cp, "form.entry-form [role='alert']")
    assert cp.inner_text("#todo-done-title") == f"Done — {WS_TITLE}"
    cp.get_by_role("link", name="Open your entry").click()
    cp.wait_for_selector("#entry-title")
    entry_id = re.search(r"/app/entries/([0-9a-f-]{36})$", cp.url).group(1)

    # The entry reads under the worksheet's title, each question with its answer.
    assert cp.inner_text("article .kind") == WS_TITLE
    assert cp.inner_text("#entry-title") == NOTICED
    answers = definitions(cp, "article")
    assert answers == {
        "What did you notice?": NOTICED,
        "How strong was the urge to leave?": "7 out of 10",
        "Did you stay until your stop?": "Yes",
        "Where did it happen?": "On the way to work",
        "What helped?": "Slow breathing Counting the stops",
        "How many minutes did you practise?": "25 min",
    }, answers
    assert cp.locator("article dl dd ul li").all_inner_texts() == ["Slow breathing", "Counting the stops"]
    tab(cp, "Entries", "#entries-title")
    mine = cp.locator(".entries li", has=cp.locator(f"a[href='/app/entries/{entry_id}']"))
    assert mine.locator(".kind").inner_text() == WS_TITLE
    assert mine.locator(".summary").inner_text() == NOTICED
    # The answer's switch was on (its default): the entry is shared with the therapist already (issue 10, item 7).
    go(cp, url, f"/app/entries/{entry_id}", ".sharing")
    assert f"Shared with {T}" in cp.inner_text(".sharing")
    _both_sync(cp, tp)

    # The therapist: the shared entry on the timeline, the answer, the review with Done and the minutes.
    open_client(tp, url, uid)
    entry = tp.locator(f"li.timeline-item.tl-entry#item-{entry_id}")
    assert entry.locator(".kind").inner_text() == WS_TITLE
    assert definitions(tp, f"li#item-{entry_id}") == answers
    answer = tp.locator("li.timeline-item.tl-response", has_text=f"{WS_TITLE}: Done")
    assert answer.count() == 1
    assert "Practice 25 min" in " ".join(answer.inner_text().split())
    assert "shared too" in answer.inner_text()
    problems["therapist: client page"] = serious_violations(tp)

    go(tp, url, f"/app/assignments/{aid}", "#review-title")
    rows = {
        r.locator("th time").get_attribute("datetime"): r.locator("td").all_inner_texts()
        for r in tp.locator("table.occurrences tbody tr").all()
    }
    assert rows == {due: ["Done", f"25 min · {NOTICED}"]}, rows  # the shared entry's words beside the minutes
    assert NOTICED in tp.inner_text("ul.linked")
    week_of = tp.evaluate(
        """(date) => { const d = new Date(date + 'T00:00:00Z');
        d.setUTCDate(d.getUTCDate() - (d.getUTCDay() + 6) % 7);
        return d.toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short',
          year: 'numeric' }); }""",
        due,
    )
    chart = {
        r.locator("th").inner_text(): r.locator("td").all_inner_texts()
        for r in tp.locator(f"{MINUTES_CHART} table.chart-data tbody tr").all()
    }
    assert chart.get(week_of) == ["25", "60", "Not yet"], (week_of, chart)
    assert "against a target of 60 minutes a week" in tp.text_content("#minutes-chart-desc")
    problems["therapist: review"] = serious_violations(tp)

    # Changing the answer starts from what was written and edits that entry: still one entry, the new minutes.
    open_occurrence(cp, url, aid, due)
    form = cp.locator("form.entry-form")
    assert "updates the entry you wrote for it" in _text(cp, "#view .notice")
    assert form.get_by_label("What did you notice?").input_value() == NOTICED
    assert form.get_by_label("What helped?").input_value() == "Slow breathing\nCounting the stops"
    form.get_by_label("How many minutes did you practise?").fill("30")
    cp.get_by_role("button", name="Save and mark done").click()
    cp.wait_for_selector("#todo-done-title")
    assert cp.get_by_role("link", name="Open your entry").get_attribute("href") == f"/app/entries/{entry_id}"
    tab(cp, "Entries", "#entries-title")
    assert cp.locator(".entries li", has_text=NOTICED).count() == 1
    _both_sync(cp, tp)
    go(tp, url, f"/app/assignments/{aid}", "#review-title")
    rows = {
        r.locator("th time").get_attribute("datetime"): r.locator("td").all_inner_texts()
        for r in tp.locator("table.occurrences tbody tr").all()
    }
    assert rows == {due: ["Done", f"30 min · {NOTICED}"]}, rows
    open_client(tp, url, uid)
    assert definitions(tp, f"li#item-{entry_id}")["How many minutes did you practise?"] == "30 min"
    assert {k: v for k, v in problems.items() if v} == {}


# ---------------------------------------------------------------- 4 and 2: until the next session, edited, withdrawn


def test_until_the_next_session_then_edited_then_withdrawn(care):
    url, tp, cp = care["url"], care["t"], care["c"]
    uid = linked(care)
    today, session = local_day(tp), local_day(tp, 3)
    go(tp, url, f"/app/clients/{uid}/assign", "#assign-title")
    tp.locator("a[href$='/assign/new?template=journal-evening']").first.click()
    tp.wait_for_selector("form.assign-form")
    # Only the chosen frequency's schedule fields are shown.
    tp.get_by_label("Once, by a due date", exact=True).check()
    assert tp.is_visible("#a-due") and not tp.is_visible("#a-next_date") and not tp.is_visible("#a-until")
    tp.get_by_label("Weekly, on chosen days", exact=True).check()
    assert tp.is_visible("#a-until") and not tp.is_visible("#a-due")
    fill_schedule(tp, "Every day until the next session", start=today, next_date=session, next_time="17:00", until="")
    aid = submit_assignment(tp, f"Assign to {C}")
    assert tp.inner_text("#review-title") == "Evening journal"
    _both_sync(tp, cp)

    # Today, then the two days after it; the session's own day is not one of them.
    _todo(cp, url)
    due = [t for t in todo_items(cp, "todo-today") if "Evening journal" in t]
    assert len(due) == 1 and f"from {T} (Verified by invitation)" in due[0], due
    coming = [" ".join(t.split()) for t in todo_items(cp, "todo-week") if "Evening journal" in t]
    assert len(coming) == 1 and ", then 1 more day" in coming[0], coming
    assert cp.locator(f"a[href='/app/todo/{aid}/{local_day(cp, 1)}']").count() == 1
    go(cp, url, f"/app/todo/{aid}", "#todo-a-title")
    assert cp.locator(f"a[href='/app/todo/{aid}/{today}']").count() == 1
    assert "until your next session on" in _text(cp)
    for day in (today, local_day(cp, 1), local_day(cp, 2)):
        go(cp, url, f"/app/todo/{aid}/{day}", "#view h1")
        assert cp.locator("#todo-o-title").count() == 1, day
        assert cp.get_by_role("button", name="Save and mark done").count() == 1, day
    for day in (session, local_day(cp, -1)):
        go(cp, url, f"/app/todo/{aid}/{day}", "#view h1")
        assert cp.inner_text("#view h1") == "Not found", day
        assert cp.get_by_role("button", name="Save and mark done").count() == 0, day

    # Edited: the client sees the new title and instructions after both synced.
    go(tp, url, f"/app/assignments/{aid}", "#review-title")
    tp.get_by_role("link", name="Edit", exact=True).click()
    tp.wait_for_selector("form.assign-form")
    assert tp.input_value("#a-next_date") == session and tp.input_value("#a-next_time") == "17:00"
    tp.fill("#a-title", "Evening pages, shorter")
    tp.fill("#a-instructions", "Canary edit 51d0: three lines are enough.")
    assert submit_assignment(tp, "Save changes") == aid
    assert "Saved. The change goes out with the next sync." in _text(tp)
    assert tp.inner_text("#review-title") == "Evening pages, shorter"
    _both_sync(tp, cp)
    _todo(cp, url)
    listed = _text(cp)
    assert "Evening pages, shorter" in listed and "Evening journal" not in listed
    assert any("Evening pages, shorter" in t for t in todo_items(cp, "todo-today"))
    go(cp, url, f"/app/todo/{aid}", "#todo-a-title")
    assert cp.inner_text("#todo-a-title") == "Evening pages, shorter"
    assert "Canary edit 51d0: three lines are enough." in _text(cp)

    # Withdrawn: nothing of it is due, its page says it was taken back, no day can be answered.
    go(tp, url, f"/app/assignments/{aid}", "#review-title")
    tp.get_by_role("link", name="Withdraw this activity…").click()
    tp.wait_for_selector("#withdraw-title")  # asked once more: it cannot be undone
    tp.get_by_role("button", name="Withdraw it").click()
    tp.wait_for_selector("text=Withdrawn. It no longer falls due")
    assert tp.get_by_role("link", name="Withdraw this activity…").count() == 0
    _both_sync(tp, cp)
    _todo(cp, url)
    for section in ("todo-today", "todo-week", "todo-missed"):
        assert not any("Evening pages" in t for t in todo_items(cp, section)), section
    assert cp.locator(f"a[href^='/app/todo/{aid}/']").count() == 0
    ended = cp.locator("section[aria-labelledby='todo-ended']")
    assert "Evening pages, shorter" in ended.inner_text()
    go(cp, url, f"/app/todo/{aid}", "#todo-a-title")
    assert f"{T} took this activity back. Your answers stay here." in _text(cp)
    assert cp.get_by_role("link", name=re.compile("^Do it")).count() == 0
    go(cp, url, f"/app/todo/{aid}/{today}", "#todo-o-title")
    assert f"{T} took this activity back, so there is nothing to answer." in _text(cp)
    assert cp.locator("form.entry-form").count() == 0
    assert cp.get_by_role("button", name="Save and mark done").count() == 0
    assert cp.get_by_role("button", name="I didn't do this").count() == 0
