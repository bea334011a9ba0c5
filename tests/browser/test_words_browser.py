"""Words, not codes (issue 10, item 6), in two browsers against the real server: a client writes an entry of every
kind with every choice set, answers a practice and a worksheet with choice questions, and shares them all. No
screen of either side, the print view or the saved copy's text shows a stored id where there is a label; a
worksheet's refusal names its question by its words; a long answer in the therapist's timeline is folded under
"Show all", which works by keyboard, is named for a screen reader, and opens for printing.

One server and one linked pair (dr.words, kim.words) serve the module: the first test writes and shares, the
later ones read what it left (`written` makes it when a test runs alone)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pwa_browser import launch, open_app, serious_violations
from pwa_care import (
    add_questions,
    assign_from_template,
    confirm_safety_number,
    fill_schedule,
    go,
    linked_pair,
    local_day,
    open_client,
    open_occurrence,
    open_worksheet_builder,
    path_id,
    share_entry,
    submit_assignment,
)
from pwa_live import serve_app, sync_now
from pwa_screens import save

from tests.words import codes, found

pytestmark = pytest.mark.browser

ZONE = "Europe/Berlin"
T, C = "dr.words", "kim.words"
SHOTS = Path("/tmp/shots-words")

WS_TITLE = "Worry log"
QUESTIONS = [
    ("What worry came up?", "long_text", []),
    ("Where were you?", "single_choice", ["At home", "On the tram", "At my desk"]),
    ("Who was around?", "multi_choice", ["Nobody", "Family", "Colleagues"]),
]
# The worksheet as the builder stores it: questions q1.., choices o1.. in the order written (assign-routes.js).
SHEET = {
    "fields": [
        {
            "id": f"q{i + 1}",
            "label": label,
            "type": kind,
            **(
                {"constraints": {"options": [{"id": f"o{j + 1}", "label": o} for j, o in enumerate(opts)]}}
                if opts
                else {}
            ),
        }
        for i, (label, kind, opts) in enumerate(QUESTIONS)
    ]
}

# A long answer: folded in the timeline. Its last words are only in the folded part.
LONG_NOTE = (
    "Counted four in, held for four, out for four, held again. " * 9
    + "\nBy the end my shoulders had dropped and the tram felt far away. Canary long 5d1c."
)
TAIL = "Canary long 5d1c."

# kind id -> field id -> a text, or a tuple of choices to tick (by their stored ids).
# Every choice field of kinds.json is set; every option of a multi-choice is ticked. The writing avoids code words.
ALL_PATTERNS = (
    "all-or-nothing",
    "catastrophising",
    "mind-reading",
    "fortune-telling",
    "should-statements",
    "labelling",
    "discounting-positives",
    "emotional-reasoning",
    "personalising",
    "overgeneralising",
)
ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("journal", {"title": "Tuesday", "prompt": "What went well?", "body": "A walk by the canal."}),
    (
        "thought-record",
        {
            "situation": "Standup at nine",
            "automatic_thought": "They think I am slow",
            "emotions": "anxious 60",
            "thinking_patterns": ALL_PATTERNS,
            "balanced_thought": "Two people asked me questions.",
            "emotions_rerated": "anxious 30",
        },
    ),
    ("mood", {"score": ("6",), "emotions": "calm\nhopeful", "note": "Better than Monday."}),
    (
        "relaxation",
        {"minutes": "15", "technique": ("guided-imagery",), "tension_before": ("8",), "tension_after": ("4",)},
    ),
    (
        "experiment",
        {
            "plan": "Ask a question in class",
            "prediction": "Laughter",
            "belief_before": "70",
            "done": ("yes",),
            "what_happened": "A nod from the teacher",
            "belief_after": "20",
        },
    ),
    (
        "conversation-rehearsal",
        {
            "with_whom": "Sam",
            "goal": "Be heard about the rota",
            "possible_replies": "Not now\nFair enough",
            "practised": ("out-loud", "in-writing", "with-someone", "in-my-head"),
            "confidence": ("5",),
        },
    ),
    ("lifestyle", {"area": ("sleep",), "goal": "Lights out by eleven", "did_it": ("no",), "minutes": "20"}),
    ("lifestyle", {"area": ("screens",), "goal": "Phone in the hall after nine", "did_it": ("yes",)}),
    ("reading", {"title": "A short book", "minutes": "30", "key_ideas": "Small steps"}),
]
# What the lists must say instead (summary lines).
SUMMARIES = ["Sleep · Lights out by eleven", "Screen time · Phone in the hall after nine", "Guided imagery"]


def fill(page: Page, values: dict[str, Any], scope: str = "form.entry-form") -> None:
    for field, value in values.items():
        if isinstance(value, tuple):
            for choice in value:
                page.check(f"{scope} input[name='f.{field}'][value='{choice}']")
        else:
            page.fill(f"{scope} #f-{field}", value)


@pytest.fixture(scope="module")
def pair(playwright_instance, tmp_path_factory):
    """The server, and the therapist's and the client's browsers, signed up and linked (safety number compared)."""
    root = tmp_path_factory.mktemp("words")
    with serve_app(tmp_path_factory.mktemp("live")) as app:
        t_ctx = launch(playwright_instance, root / "therapist", timezone_id=ZONE, accept_downloads=True)
        c_ctx = launch(playwright_instance, root / "client", timezone_id=ZONE, accept_downloads=True)
        try:
            tp, cp = open_app(t_ctx, app.url), open_app(c_ctx, app.url)
            uid = linked_pair(tp, cp, T, C)
            confirm_safety_number(tp, app.url, uid)
            yield {"url": app.url, "t": tp, "c": cp, "uid": uid, "made": None}
        finally:
            t_ctx.close()
            c_ctx.close()


def written(pair) -> dict[str, Any]:
    """Everything the client wrote and shared: entry ids, and the two assignments (breathing, worksheet)."""
    if pair["made"] is None:
        pair["made"] = _write_and_share(pair)
    return pair["made"]


def _done(page: Page) -> str:
    """Press "Save and mark done"; returns the id of the entry it wrote. An alert already on the form (a refusal
    before) is marked, so that it does not pass for the answer to this press."""
    page.evaluate(
        "() => document.querySelectorAll('#view [role=alert]').forEach((a) => a.setAttribute('data-old', ''))"
    )
    page.get_by_role("button", name="Save and mark done").click()
    page.wait_for_selector("#todo-done-title, #view [role='alert']:not([data-old])")
    assert page.locator("#todo-done-title").count() == 1, page.inner_text("#view [role='alert']")
    return page.get_by_role("link", name="Open your entry").get_attribute("href").rsplit("/", 1)[-1]


def _share(page: Page, url: str, entry_id: str) -> None:
    """Share an entry with the therapist, unless it is already (an answer to an assignment is, by default)."""
    go(page, url, f"/app/entries/{entry_id}", ".sharing")
    if page.get_by_role("button", name=f"Share with {T}").count():
        share_entry(page, url, entry_id, T)
    assert f"Shared with {T}" in " ".join(page.inner_text(".sharing").split())


def _write_and_share(pair) -> dict[str, Any]:
    url, tp, cp, uid = pair["url"], pair["t"], pair["c"], pair["uid"]
    today = local_day(tp)
    breathing = assign_from_template(
        tp, url, uid, "breathing-practice", C, freq_label="Every day", start=today, until=local_day(tp, 6)
    )
    open_worksheet_builder(tp, url, uid)
    tp.fill("#a-title", WS_TITLE)
    add_questions(tp, QUESTIONS)
    tp.check("[name='q.0.required']")
    fill_schedule(tp, "Once, by a due date", start=today, due=today)
    worksheet = submit_assignment(tp, f"Assign to {C}")
    assert sync_now(tp) == "Synced"
    assert sync_now(cp) == "Synced"

    ids = []
    for kind, values in ENTRIES:
        go(cp, url, f"/app/entries/new?kind={kind}", "form.entry-form")
        fill(cp, values)
        save(cp)
        assert cp.locator("#entry-title").count() == 1, cp.inner_text("[role='alert']")
        ids.append(path_id(cp))

    # The breathing practice, from To do: box breathing, with a long note.
    open_occurrence(cp, url, breathing, today)
    fill(cp, {"minutes": "10", "technique": ("box-breathing",), "tension_before": ("7",), "note": LONG_NOTE})
    ids.append(_done(cp))

    # The worksheet: refused first, naming the question by its words; then answered.
    open_occurrence(cp, url, worksheet, today)
    form = cp.locator("form.entry-form")
    form.get_by_role("group", name="Where were you?").get_by_label("On the tram").check()
    cp.get_by_role("button", name="Save and mark done").click()
    cp.wait_for_selector("#view [role='alert']")
    refusal = cp.inner_text("#view [role='alert']")
    assert refusal == "Please fill in “What worry came up?”.", refusal
    form = cp.locator("form.entry-form")
    form.get_by_label("What worry came up?").fill("That the tram would stop between stations.")
    for who in ("Family", "Colleagues"):
        form.get_by_role("group", name="Who was around?").get_by_label(who).check()
    ids.append(_done(cp))

    for entry_id in ids:
        _share(cp, url, entry_id)
    assert sync_now(cp) == "Synced"
    assert sync_now(tp) == "Synced"
    return {"entries": ids, "breathing": breathing, "worksheet": worksheet, "today": today}


def _read(page: Page) -> str:
    """What a person can read on the page: every text of the view (folded and visually hidden text too), the
    names and descriptions read out (aria-label, title, alt, placeholder), and the document's title."""
    return page.evaluate("""() => {
        const view = document.querySelector('#view') ?? document.body;
        const said = [...view.querySelectorAll('[aria-label], [title], [alt], [placeholder]')]
          .flatMap((el) => ['aria-label', 'title', 'alt', 'placeholder'].map((a) => el.getAttribute(a) ?? ''));
        return [document.title, view.textContent, ...said].join('\\n');
    }""")


def _download_text(page: Page, url: str) -> str:
    go(page, url, "/app/export", "#export-title")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as text").click()
    path = info.value.path()
    assert path is not None, info.value.failure()
    return Path(path).read_text(encoding="utf-8")


def test_no_screen_shows_a_stored_id_where_there_is_a_label(pair):
    made = written(pair)
    url, tp, cp, uid = pair["url"], pair["t"], pair["c"], pair["uid"]
    ids = codes([SHEET])
    seen: dict[str, str] = {}

    # The client's screens.
    go(cp, url, "/app/entries", "#entries-title")
    seen["client: entries"] = _read(cp)
    lines = cp.locator(".entries .summary").all_inner_texts()
    for words in [*SUMMARIES, "Box breathing · Counted four in"]:
        assert any(line.startswith(words) for line in lines), (words, lines)
    go(cp, url, "/app/entries?q=guided%20imagery", "#entries-title")
    assert cp.locator(".entries .summary").all_inner_texts() == ["Guided imagery"], "search finds a choice by its words"
    for entry_id in made["entries"]:
        go(cp, url, f"/app/entries/{entry_id}", "#entry-title")
        seen[f"client: entry {cp.inner_text('article .kind')} {entry_id}"] = _read(cp)
    go(cp, url, "/app/shared", "#shared-title")
    seen["client: shared"] = _read(cp)
    go(cp, url, "/app/todo", "#todo-title")
    seen["client: to do"] = _read(cp)
    go(cp, url, "/app/today", "#today-title")  # what was done today: every entry above
    seen["client: today"] = _read(cp)
    go(cp, url, "/app/progress", "#progress-title")
    seen["client: progress"] = _read(cp)
    for aid in (made["breathing"], made["worksheet"]):
        go(cp, url, f"/app/todo/{aid}", "#todo-a-title")
        seen[f"client: activity {aid}"] = _read(cp)
    seen["client: saved copy (text)"] = text = _download_text(cp, url)
    for words in (
        "Technique:\n  Box breathing",
        "Area:\n  Sleep",
        "Where were you?:\n  On the tram",
        "Thinking patterns:\n  All-or-nothing thinking, Expecting the worst",
        f"{WS_TITLE}, ",
    ):
        assert words in text, words

    # The therapist's screens: clients, the client's timeline, both reviews, the print view.
    go(tp, url, "/app/clients", "#clients-title")
    seen["therapist: clients"] = _read(tp)
    open_client(tp, url, uid)
    seen["therapist: client page"] = _read(tp)
    timeline = tp.inner_text(".timeline")
    for words in [
        "Box breathing",
        "Guided imagery",
        "Sleep · Lights out by eleven",
        "On the tram",
        "Family, Colleagues",
        "Out loud, In writing, With someone I trust, In my head",
    ]:
        assert words in timeline, words
    for aid in (made["breathing"], made["worksheet"]):
        go(tp, url, f"/app/assignments/{aid}", "#review-title")
        seen[f"therapist: review {aid}"] = _read(tp)
    assert "Box breathing · Counted four in" in seen[f"therapist: review {made['breathing']}"]
    go(tp, url, f"/app/clients/{uid}/print", "#print-title")
    seen["therapist: print"] = _read(tp)
    assert TAIL in tp.inner_text(".print-record"), "the print view shows a long answer whole"

    leaks = {name: found(text, ids) for name, text in seen.items()}
    assert {name: hits for name, hits in leaks.items() if hits} == {}
    # The scan itself finds a code where one is (the ids it looks for are those this test stored).
    assert found("technique: box-breathing, area: sleep, q2: o2", ids) and "box-breathing" in ids and "o2" in ids


def test_a_long_answer_is_folded_under_show_all_by_keyboard_and_opened_for_print(pair):
    written(pair)
    url, tp, uid = pair["url"], pair["t"], pair["uid"]
    open_client(tp, url, uid)
    item = tp.locator("li.tl-entry", has_text="Box breathing · Counted four in")
    assert item.count() == 1
    answer = item.locator(".long-answer")
    summary = answer.locator("summary")
    expect(summary).to_have_accessible_name("Show all of “Note”")
    assert answer.locator(".long-preview").is_visible()
    assert not answer.locator(".long-full").is_visible()
    assert TAIL not in item.inner_text() and TAIL in item.text_content()
    assert serious_violations(tp) == []

    summary.focus()
    tp.keyboard.press("Enter")
    expect(answer.locator(".long-full")).to_be_visible()
    assert not answer.locator(".long-preview").is_visible(), "the first lines give way to the whole answer"
    expect(summary).to_have_accessible_name("Show less of “Note”")
    assert TAIL in item.inner_text()
    assert serious_violations(tp) == []
    tp.keyboard.press("Space")
    expect(answer.locator(".long-full")).to_be_hidden()

    # Printing: the page opens every folded answer; the print style shows it even where that does not run.
    tp.emulate_media(media="print")
    try:
        assert answer.locator(".long-full").is_visible() and not summary.is_visible()
        tp.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        assert answer.locator("details").evaluate("(d) => d.open") is True
    finally:
        tp.emulate_media(media="screen")

    # Pictures of it, phone and desktop, light and dark, folded and open (looked at by hand).
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_client(tp, url, uid)
    for scheme in ("light", "dark"):
        tp.emulate_media(color_scheme=scheme)
        for name, size in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
            tp.set_viewport_size(size)
            item = tp.locator("li.tl-entry", has_text="Box breathing · Counted four in")
            item.scroll_into_view_if_needed()
            tp.screenshot(path=str(SHOTS / f"timeline-long-{name}-{scheme}.png"))
            item.locator("summary").click()
            item.scroll_into_view_if_needed()
            tp.screenshot(path=str(SHOTS / f"timeline-long-{name}-{scheme}-open.png"))
            item.locator("summary").click()
    tp.emulate_media(color_scheme="light")
    assert re.search(r"Show all", tp.inner_text(".timeline"))
