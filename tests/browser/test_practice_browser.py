"""Issue 13: guided practice in Chromium against the real server. The breathing pacer, under Playwright's clock, ends
in a saved relaxation entry with the minutes practised and its technique; it holds the screen's wake lock while it
runs and lets go after; under reduced motion it counts instead of animating."""

from __future__ import annotations

import pytest
from pwa_browser import launch, new_context, open_app, serious_violations
from pwa_care import assign_from_template, fill_schedule, go, linked_pair, local_day, path_id
from pwa_live import live_app, sync_now  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

# Records every wake lock asked for and let go, around the browser's own API (which works headless).
WAKE_LOCK_SPY = """
window.__wake = { requested: 0, released: 0, held: 0 };
if (navigator.wakeLock) {
  const real = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type) => {
    window.__wake.requested += 1;
    const sentinel = await real(type);
    window.__wake.held += 1;
    sentinel.addEventListener('release', () => { window.__wake.released += 1; window.__wake.held -= 1; });
    return sentinel;
  };
}
"""


def start_pacer(page, technique: str, minutes: int) -> None:
    page.locator("#pacer-title").wait_for()
    page.get_by_label(technique, exact=True).check()
    page.select_option("#pacer-minutes", str(minutes))
    page.get_by_role("button", name="Start").click()
    page.locator("[data-pacer-run]").wait_for()


def test_a_one_minute_paced_session_saves_a_relaxation_entry_and_holds_the_wake_lock(
    playwright_instance, app_url, tmp_path
):
    ctx = new_context(playwright_instance, viewport={"width": 390, "height": 844})
    try:
        ctx.add_init_script(WAKE_LOCK_SPY)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.clock.install()
        page = open_app(ctx, app_url, "/app/practice")
        assert not serious_violations(page)
        start_pacer(page, "Slow, paced breathing", 1)
        page.wait_for_function("() => window.__wake.held === 1")
        page.clock.run_for(2500)
        assert page.locator("[data-pacer-phase]").inner_text() == "Breathe in…"
        shape = page.locator("[data-pacer-shape]")
        assert shape.is_visible()
        assert "scale(" in (shape.get_attribute("style") or "")
        page.clock.run_for(5000)
        assert page.locator("[data-pacer-phase]").inner_text() == "Breathe out…"

        # Paused for a while: the wake lock is let go, and the pause does not count as practice.
        page.get_by_role("button", name="Pause").click()
        page.wait_for_function("() => window.__wake.held === 0 && window.__wake.released === 1")
        assert page.locator("[data-pacer-phase]").inner_text() == "Paused"
        page.clock.run_for(30_000)
        page.get_by_role("button", name="Resume").click()
        page.wait_for_function("() => window.__wake.held === 1 && window.__wake.requested === 2")
        page.clock.run_for(53_000)  # 7.5 s before the pause + 53 s after: the minute is over
        done = page.locator("#pacer-done-title")
        done.wait_for()
        assert page.locator("[data-pacer-summary]").inner_text() == "You practised for 1 minute."
        page.wait_for_function("() => window.__wake.held === 0 && window.__wake.released === 2")
        assert not serious_violations(page)

        page.get_by_role("button", name="Review and save").click()
        page.locator("form.entry-form").wait_for()
        assert page.input_value("#f-minutes") == "1"
        assert page.locator("input[name='f.technique'][value='paced-breathing']").is_checked()
        page.check("input[name='f.tension_before'][value='6']")
        page.check("input[name='f.tension_after'][value='3']")
        page.get_by_role("button", name="Save").click()
        page.locator("article h1").wait_for()
        facts = dict(
            zip(page.locator("article dt").all_inner_texts(), page.locator("article dd").all_inner_texts(), strict=True)
        )
        assert facts["Technique"] == "Slow, paced breathing", facts
        assert facts["Tension before"].startswith("6") and facts["Tension after"].startswith("3"), facts
        assert facts["How long"] == "1 min", facts
    finally:
        ctx.close()


def test_reduced_motion_counts_instead_of_animating(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance, reduced_motion="reduce")
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.clock.install()
        page = open_app(ctx, app_url, "/app/practice")
        start_pacer(page, "Box breathing", 1)
        page.clock.run_for(1500)
        assert page.locator("[data-pacer-phase]").inner_text() == "Breathe in…"
        assert page.locator("[data-pacer-count]").inner_text() == "3"
        assert not page.locator("[data-pacer-stage]").is_visible()
        assert not page.locator("[data-pacer-shape]").get_attribute("style")  # never scaled: no animation
        page.clock.run_for(4000)
        assert page.locator("[data-pacer-phase]").inner_text() == "Hold…"
        assert page.locator("[data-pacer-count]").inner_text() == "3"
        assert not page.locator("[data-pacer-shape]").get_attribute("style")
    finally:
        ctx.close()


def test_custom_timings_out_of_bounds_are_refused_with_a_message(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/practice")
        page.locator("#pacer-title").wait_for()
        page.get_by_label("My own timings", exact=True).check()
        page.fill("#pacer-c-in", "0")
        page.get_by_role("button", name="Start").click()
        alert = page.locator("#pacer-error")
        alert.wait_for()
        assert "whole seconds" in alert.inner_text()
        assert not page.locator("[data-pacer-run]").is_visible()
        page.fill("#pacer-c-in", "3")
        page.get_by_role("button", name="Start").click()
        page.locator("[data-pacer-run]").wait_for()
        assert not alert.is_visible()
    finally:
        ctx.close()


# Counts the chimes synthesised (each one oscillator) around the browser's own Web Audio.
CHIME_SPY = """
window.__chimes = 0;
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__chimes += 1; return realOscillator.call(this); };
"""


def test_muscle_relaxation_is_led_step_by_step_and_logs_a_relaxation_entry(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        ctx.add_init_script(WAKE_LOCK_SPY)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.clock.install()
        page = open_app(ctx, app_url, "/app/practice/timer")
        page.locator("#timer-title").wait_for()
        assert not serious_violations(page)
        page.get_by_label("Progressive muscle relaxation", exact=True).check()
        page.get_by_label("A shorter round", exact=True).check()  # 5 groups: 5 s tense, 10 s release each
        page.get_by_role("button", name="Start").click()
        prompt = page.locator("[data-timer-prompt]")
        page.clock.run_for(2000)
        assert prompt.inner_text() == "Tense: your hands, making fists"
        assert page.locator("[data-timer-count]").inner_text() == "3"
        page.wait_for_function("() => window.__wake.held === 1")
        page.clock.run_for(4000)
        assert prompt.inner_text() == "Let go: your hands, making fists. Notice the difference."
        page.clock.run_for(10_000)
        assert prompt.inner_text() == "Tense: your shoulders, raising them to your ears"
        page.clock.run_for(60_000)
        page.locator("#timer-done-title").wait_for()
        page.wait_for_function("() => window.__wake.held === 0")
        assert page.locator("[data-timer-summary]").inner_text() == "You practised for 1 minute."
        page.get_by_role("button", name="Review and save").click()
        page.locator("form.entry-form").wait_for()
        assert page.input_value("#f-minutes") == "1"
        assert page.locator("input[name='f.technique'][value='muscle-relaxation']").is_checked()
        page.get_by_role("button", name="Save").click()
        page.locator("article h1").wait_for()
        assert "Progressive muscle relaxation" in page.inner_text("article")
    finally:
        ctx.close()


def test_the_quiet_timer_rings_its_interval_bells_and_an_end_bell(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        ctx.add_init_script(CHIME_SPY)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.clock.install()
        page = open_app(ctx, app_url, "/app/practice/timer")
        page.locator("#timer-title").wait_for()
        page.select_option("#timer-minutes", "3")
        page.select_option("#timer-bells", "1")
        page.get_by_role("button", name="Start").click()
        assert page.locator("[data-timer-prompt]").inner_text() == "Sit comfortably and breathe naturally."
        page.clock.run_for(61_000)
        assert page.evaluate("() => window.__chimes") == 1  # the bell at one minute
        page.clock.run_for(121_000)
        page.locator("#timer-done-title").wait_for()
        assert page.evaluate("() => window.__chimes") == 3  # at two minutes, and the end bell
        assert page.locator("[data-timer-summary]").inner_text() == "You practised for 3 minutes."
        assert page.input_value("[data-timer-technique]") == "meditation"
    finally:
        ctx.close()


def test_an_own_sequence_that_does_not_read_is_refused_with_a_message(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/practice/timer?mode=pmr&sequence=own")
        page.locator("#timer-title").wait_for()
        page.fill("#timer-own", "Shoulders for a while")
        page.get_by_role("button", name="Start").click()
        alert = page.locator("#timer-error")
        alert.wait_for()
        assert "Shoulders: 5, 15" in alert.inner_text()
        page.fill("#timer-own", "Shoulders: 5, 15\nJaw: 3, 10")
        page.get_by_role("button", name="Start").click()
        assert page.locator("[data-timer-prompt]").inner_text() == "Tense: Shoulders"
    finally:
        ctx.close()


def test_a_guided_session_for_an_assigned_practice_answers_that_day(playwright_instance, live_app, tmp_path):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance)
    try:
        tp = open_app(t_ctx, url)
        cp = c_ctx.pages[0] if c_ctx.pages else c_ctx.new_page()
        cp.clock.install()
        cp = open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.pace", "sam.pace")
        today = local_day(tp)
        aid = assign_from_template(
            tp, url, uid, "breathing-practice", "sam.pace", freq_label="Every day", start=today, until=local_day(tp, 3)
        )
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        go(cp, url, f"/app/todo/{aid}/{today}", "#todo-o-title")
        cp.get_by_role("link", name="Breathe with a guide").click()
        start_pacer(cp, "Box breathing", 1)
        cp.clock.run_for(61_000)
        cp.locator("#pacer-done-title").wait_for()
        cp.get_by_role("button", name="Review and save").click()
        cp.locator("#todo-o-title").wait_for()
        assert cp.input_value("#f-minutes") == "1"
        assert cp.locator("input[name='f.technique'][value='box-breathing']").is_checked()
        cp.get_by_role("button", name="Save and mark done").click()
        cp.locator("#todo-done-title").wait_for()
    finally:
        t_ctx.close()
        c_ctx.close()


def test_a_therapist_assigns_custom_4_7_8_and_the_clients_pacer_runs_those_timings(
    playwright_instance, live_app, tmp_path
):
    url = live_app.url
    t_ctx = launch(playwright_instance, tmp_path / "therapist")
    c_ctx = launch(playwright_instance, tmp_path / "client")
    try:
        tp = open_app(t_ctx, url)
        cp = c_ctx.pages[0] if c_ctx.pages else c_ctx.new_page()
        cp.clock.install()
        cp = open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.rhythm", "sam.rhythm")
        today = local_day(tp)

        # The therapist chooses custom timings 4 in, 7 hold, 8 out, for 2 minutes.
        go(tp, url, f"/app/clients/{uid}/assign", "#assign-title")
        tp.locator("a[href$='/assign/new?template=breathing-practice']").first.click()
        tp.wait_for_selector("form.assign-form")
        fill_schedule(tp, "Every day", start=today, until=local_day(tp, 3))
        tp.get_by_label("Technique", exact=True).select_option(label="Custom timings")
        # A timing out of bounds is refused with a message, and nothing is assigned.
        tp.get_by_label("Breathe in (seconds)").fill("0")
        tp.get_by_role("button", name="Assign to sam.rhythm", exact=True).click()
        alert = tp.locator("#view [role='alert']")
        alert.wait_for()
        assert "Breathe in (seconds)" in alert.inner_text() and "from 1 to 20" in alert.inner_text()
        assert tp.get_by_label("Breathe in (seconds)").get_attribute("aria-invalid") == "true"
        assert not serious_violations(tp)
        tp.get_by_label("Breathe in (seconds)").fill("4")
        tp.get_by_label("Hold (seconds)", exact=True).fill("7")
        tp.get_by_label("Breathe out (seconds)").fill("8")
        tp.get_by_label("Hold after breathing out (seconds)").fill("0")
        tp.get_by_label("Length of each session").select_option("2")
        tp.get_by_role("button", name="Assign to sam.rhythm", exact=True).click()
        tp.locator("#review-title").wait_for()
        aid = path_id(tp)
        shown = "Custom timings (4 s in · 7 s hold · 8 s out), 2 minutes a session"
        assert f"Guided practice: {shown}" in tp.inner_text("#view")

        # Editing shows the practice as it was chosen.
        go(tp, url, f"/app/assignments/{aid}/edit", "form.assign-form")
        assert tp.input_value("#a-technique") == "custom"
        assert [tp.input_value(f"#a-p_{s}") for s in ("in", "hold", "out", "rest")] == ["4", "7", "8", "0"]
        assert tp.input_value("#a-p_minutes") == "2"

        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        go(cp, url, f"/app/todo/{aid}/{today}", "#todo-o-title")
        assert f"Suggested practice: {shown}" in cp.inner_text("#view")
        cp.get_by_role("link", name="Breathe with a guide").click()
        cp.locator("#pacer-title").wait_for()
        assert cp.get_by_label("My own timings", exact=True).is_checked()
        assert [cp.input_value(f"#pacer-c-{s}") for s in ("in", "hold", "out", "rest")] == ["4", "7", "8", "0"]
        assert cp.input_value("#pacer-minutes") == "2"
        cp.get_by_role("button", name="Start").click()
        cp.locator("[data-pacer-run]").wait_for()

        # Each phase lasts what the therapist set: 4 s in, 7 s hold, 8 s out (no hold after), then in again.
        phase = cp.locator("[data-pacer-phase]")
        count = cp.locator("[data-pacer-count]")
        seen = []
        for at in (500, 3500, 4500, 10_500, 11_500, 18_500, 19_500):
            cp.clock.run_for(at - (seen[-1][0] if seen else 0))
            seen.append((at, phase.inner_text(), count.inner_text()))
        assert [(s[1], s[2]) for s in seen] == [
            ("Breathe in…", "4"),
            ("Breathe in…", "1"),
            ("Hold…", "7"),
            ("Hold…", "1"),
            ("Breathe out…", "8"),
            ("Breathe out…", "1"),
            ("Breathe in…", "4"),
        ]
        # Two minutes in all: it ends, and the answer records 2 minutes of an own technique.
        cp.clock.run_for(120_000 - 19_500 + 1000)
        cp.locator("#pacer-done-title").wait_for()
        cp.get_by_role("button", name="Review and save").click()
        cp.locator("#todo-o-title").wait_for()
        assert cp.input_value("#f-minutes") == "2"
        assert cp.locator("input[name='f.technique'][value='other']").is_checked()
    finally:
        t_ctx.close()
        c_ctx.close()
