"""Issue 10, items 3 and 5: the client's Today (the home screen) and Progress, in Chromium against the real server.

Today shows what is due and still open with who gave it and their instructions, one tap starts it; the quick mood
check-in saves a mood entry in one tap, and it shows under "Done today" and in Progress; To do keeps a day that was
done; Progress's charts have tables with the right numbers (helping others too); axe finds nothing serious, light or
dark."""

from __future__ import annotations

import datetime as dt

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import assign_from_template, go, linked_pair, local_day, mark_done
from pwa_live import live_app, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_thought_record, save

pytestmark = pytest.mark.browser

TITLE = "Slow breathing practice"
INSTRUCTIONS = "Find a quiet spot and breathe slowly"


def monday(day: str) -> str:
    """The Monday (YYYY-MM-DD) of the week `day` is in: Progress's weeks start on Monday."""
    d = dt.date.fromisoformat(day)
    return (d - dt.timedelta(days=d.weekday())).isoformat()


def table_row(page, figure_id: str, day: str) -> list[str]:
    """The cells of the row for `day` in the table of the chart `figure_id` (folded or not: its text)."""
    row = page.locator(f"figure[aria-labelledby='{figure_id}-caption'] table tr:has(th time[datetime='{day}'])")
    assert row.count() == 1, f"no row for {day} in {figure_id}"
    return [c.strip() for c in row.locator("td").all_text_contents()]


def check_in(page, answer: str) -> None:
    """The one tap of the quick mood check-in, and the wait for what it says."""
    page.evaluate("() => document.querySelector('.notice[role=status]')?.setAttribute('data-old', '')")
    page.get_by_role("button", name=answer, exact=True).click()
    page.wait_for_selector(".notice[role=status]:not([data-old])")


def test_today_shows_what_is_due_with_who_and_instructions_and_to_do_keeps_a_day_done(
    playwright_instance, live_app, tmp_path
):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    problems: dict[str, list[str]] = {}
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        assert cp.title() == "Today – Between"  # a client's app opens on Today
        uid = linked_pair(tp, cp, "dr.today", "sam.today")
        yesterday, today = local_day(tp, -1), local_day(tp)
        aid = assign_from_template(
            tp,
            url,
            uid,
            "breathing-practice",
            "sam.today",
            freq_label="Every day",
            start=yesterday,
            until=local_day(tp, 5),
        )
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"

        # Opening the app (its address "/") is Today: due today, from whom, their instructions, Start.
        go(cp, url, "/", "#today-title")
        # The page names the window once it has started (the worker's page streams its head before the view).
        cp.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert cp.title() == "Today – Between"
        due = cp.locator("section[aria-labelledby='today-due-title'] .today-item")
        assert due.count() == 1
        text = due.inner_text()
        assert TITLE in text and "from dr.today (Verified by invitation)" in text, text
        assert INSTRUCTIONS in text, text
        start = due.get_by_role("link", name="Start")
        assert start.get_attribute("href") == f"/app/todo/{aid}/{today}"
        # Yesterday is still open, said without blame, one tap from its form too.
        still_open = cp.locator("section[aria-labelledby='today-open-title'] .today-item")
        assert TITLE in still_open.inner_text()
        assert still_open.get_by_role("link", name="Start").get_attribute("href") == f"/app/todo/{aid}/{yesterday}"
        problems["today with activities"] = serious_violations(cp)

        start.click()
        cp.wait_for_selector("#todo-o-title")
        mark_done(cp, url, aid, today, {"minutes": "12"})

        # To do: today's day is no longer due, and it has not vanished: "Done recently", with its answer.
        go(cp, url, "/app/todo", "#todo-title")
        assert cp.locator("#todo-today").count() == 0
        kept = cp.locator("section[aria-labelledby='todo-done'] .todo-item").all_inner_texts()
        assert len(kept) == 1 and TITLE in kept[0] and "Done · 12 min" in kept[0], kept
        problems["to do with a done day"] = serious_violations(cp)

        # Today: done today names the activity the entry answered.
        go(cp, url, "/app/today", "#today-title")
        done = cp.locator("section[aria-labelledby='today-done-title']").inner_text()
        assert f"for {TITLE}" in done, done
        assert cp.locator("section[aria-labelledby='today-due-title'] .today-item").count() == 0

        # Progress: this week's practice minutes against the therapist's aim, the days done and open.
        create_thought_record(cp, "Bus was late", "I'll be in trouble", "anxious 80")
        go(cp, url, "/app/progress", "#progress-title")
        assert table_row(cp, "practice-chart", monday(today)) == ["12", "70"]
        week = dict.fromkeys((monday(yesterday), monday(today)), 0)
        done_days, open_days = dict(week), dict(week)
        done_days[monday(today)] += 1
        open_days[monday(yesterday)] += 1
        for start_day in week:
            assert table_row(cp, "activities-chart", start_day) == [
                str(done_days[start_day]),
                "0",
                str(open_days[start_day]),
            ], start_day
        thoughts = cp.locator("figure[aria-labelledby='thought-chart-caption'] tbody tr")
        assert [c.strip() for c in thoughts.first.locator("td").all_text_contents()] == ["anxious", "80", "–"]
        problems["progress with activities"] = serious_violations(cp)
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        t_ctx.close()
        c_ctx.close()


def test_the_quick_mood_check_in_is_one_tap_offline_then_done_today_and_in_progress(
    playwright_instance, app_url, tmp_path
):
    ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        assert page.title() == "Today – Between"
        today = local_day(page)
        ctx.set_offline(True)
        taps = 0
        check_in(page, "Good")
        taps += 1
        assert taps <= 2
        assert "Mood check-in saved: Good (7 out of 10)." in page.inner_text(".notice[role=status]")
        # What the step did takes focus, so a screen reader hears it.
        page.wait_for_function("() => document.activeElement?.matches('.notice[role=status]')")
        done = page.locator("section[aria-labelledby='today-done-title'] .today-done li").all_inner_texts()
        assert len(done) == 1 and "Mood 7/10" in done[0], done

        # "Add details": the full form of that same entry, its score chosen.
        page.get_by_role("link", name="Add details").click()
        page.wait_for_selector("form.entry-form")
        assert page.is_checked("input[name='f.score'][value='7']")
        page.fill("#f-note", "After the walk")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector("article h1")

        # Progress: today's average and count, in the week's table and on the calendar.
        page.get_by_role("link", name="Progress", exact=True).click()
        page.wait_for_selector("#progress-title")
        assert table_row(page, "mood-week", today) == ["7", "1"]
        cell = page.locator(f".mood-calendar td:has(time[datetime='{today}'])")
        assert cell.locator(".cal-score").inner_text() == "7"
        assert "Good, 7 out of 10" in cell.text_content()

        # A second check-in, then Undo: gone from Today, and Progress counts the one left.
        page.get_by_role("link", name="Today", exact=True).click()
        page.wait_for_selector("#today-title")
        check_in(page, "Very low")
        assert len(page.locator("section[aria-labelledby='today-done-title'] .today-done li").all()) == 2
        page.get_by_role("button", name="Undo").click()
        page.wait_for_selector("text=Mood check-in removed.")
        done = page.locator("section[aria-labelledby='today-done-title'] .today-done li").all_inner_texts()
        assert len(done) == 1 and "Mood 7/10" in done[0], done
        page.get_by_role("link", name="Progress", exact=True).click()
        page.wait_for_selector("#progress-title")
        assert table_row(page, "mood-week", today) == ["7", "1"]
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_today_and_progress_have_no_serious_accessibility_violations(playwright_instance, app_url, tmp_path, scheme):
    ctx = new_context(playwright_instance, color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = open_app(ctx, app_url)
        problems = {"today, empty": serious_violations(page)}
        page.get_by_role("link", name="Progress", exact=True).click()
        page.wait_for_selector("#progress-title")
        problems["progress, empty"] = serious_violations(page)
        page.get_by_role("link", name="Today", exact=True).click()
        page.wait_for_selector("#today-title")
        check_in(page, "Okay")
        problems["today, checked in"] = serious_violations(page)
        create_thought_record(page, "Crowded train", "Everyone is staring", "anxious 70")
        go(page, app_url, "/app/entries/new?kind=helping", "form.entry-form")
        page.fill("#f-what_i_did", "Carried the shopping up for a neighbour")
        page.fill("#f-minutes", "20")
        page.check("input[name='f.mood_before'][value='4']")
        page.check("input[name='f.mood_after'][value='6']")
        save(page)
        page.get_by_role("link", name="Progress", exact=True).click()
        page.wait_for_selector("#progress-title")
        for summary in page.locator("details.chart-numbers > summary").all():
            summary.click()  # the tables too
        problems["progress, with data"] = serious_violations(page)
        # Helping others where it has numbers: its minutes and the mood before and after.
        helped = page.locator("figure[aria-labelledby='helping-chart-caption'] tbody tr td")
        assert [c.strip() for c in helped.all_text_contents()] == ["20", "4", "6"]
        page.get_by_role("link", name="To do", exact=True).click()
        page.wait_for_selector("#todo-title")
        problems["to do, empty"] = serious_violations(page)
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        ctx.close()
