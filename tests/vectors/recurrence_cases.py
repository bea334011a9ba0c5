"""Writes tests/vectors/recurrence.json: schedule and assignment-document cases Python and the browser must both pass.

Run `.venv/bin/python -m tests.vectors.recurrence_cases`. Every schedule result below is written out by hand
(the DST dates: Europe/Berlin 2026-03-29 and 2026-10-25, America/New_York 2026-03-08 and 2026-11-01,
America/Los_Angeles 2026-03-08); main() refuses to write the file when sync/core/recurrence.py disagrees. The
"documents" section holds what sync/core/assignments.py builds from every template
(tests/sync/core/test_assignments.py checks one of them by hand) and the documents both validators must refuse, each
naming the same field.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from between.sync.core.assignments import (
    all_templates,
    build_from_template,
    validate_assignment,
    validate_plan_contact,
    validate_response,
    validate_worksheet,
)
from between.sync.core.kinds import FieldError
from between.sync.core.recurrence import due_state, occurrences

OUT = Path(__file__).with_name("recurrence.json")
BER, NYC, LAX = "Europe/Berlin", "America/New_York", "America/Los_Angeles"
SCL, LHI = "America/Santiago", "Australia/Lord_Howe"


def rec(freq: str, start: str, tz: str, **extra: Any) -> dict[str, Any]:
    return {"freq": freq, "start": start, "time_zone": tz, **extra}


OCCURRENCES: list[dict[str, Any]] = [
    {
        "name": "daily over Berlin's spring change, by dates",
        "recurrence": rec("daily", "2026-03-27", BER),
        "range": ["2026-03-27", "2026-03-31"],
        "expect": ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"],
    },
    {
        "name": "Berlin 2026-03-29 is 23 hours long: its exact instants hold one day",
        "recurrence": rec("daily", "2026-03-01", BER),
        "range": ["2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"],
        "expect": ["2026-03-29"],
    },
    {
        "name": "Berlin 2026-10-25 is 25 hours long: its exact instants hold one day",
        "recurrence": rec("daily", "2026-10-01", BER),
        "range": ["2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"],
        "expect": ["2026-10-25"],
    },
    {
        "name": "New York 2026-03-08 is 23 hours long",
        "recurrence": rec("daily", "2026-03-01", NYC),
        "range": ["2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"],
        "expect": ["2026-03-08"],
    },
    {
        "name": "New York 2026-11-01 is 25 hours long",
        "recurrence": rec("daily", "2026-10-01", NYC),
        "range": ["2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"],
        "expect": ["2026-11-01"],
    },
    {
        "name": "weekly Mon/Wed/Fri across Berlin's spring change",
        "recurrence": rec("weekly", "2026-03-23", BER, days=["mon", "wed", "fri"]),
        "range": ["2026-03-23", "2026-04-05"],
        "expect": ["2026-03-23", "2026-03-25", "2026-03-27", "2026-03-30", "2026-04-01", "2026-04-03"],
    },
    {
        "name": "weekly Tue/Sun (written unordered, repeated) until a date, across New York's autumn change",
        "recurrence": rec("weekly", "2026-10-27", NYC, days=["sun", "tue", "sun"], until="2026-11-10"),
        "range": ["2026-10-01", "2026-12-31"],
        "expect": ["2026-10-27", "2026-11-01", "2026-11-03", "2026-11-08", "2026-11-10"],
    },
    {
        "name": "until the next session: daily, the session day itself excluded (Berlin autumn change inside)",
        "recurrence": rec("until_next_session", "2026-10-22", BER, next_session="2026-10-27T09:00"),
        "range": ["2026-10-01", "2026-10-31"],
        "expect": ["2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"],
    },
    {
        "name": "until a session just after midnight: its local date still ends the series",
        "recurrence": rec("until_next_session", "2026-10-30", NYC, next_session="2026-11-02T00:30"),
        "range": ["2026-10-01", "2026-11-30"],
        "expect": ["2026-10-30", "2026-10-31", "2026-11-01"],
    },
    {
        "name": "until the next session, cut short by an earlier until",
        "recurrence": rec("until_next_session", "2026-10-22", BER, next_session="2026-10-27T09:00", until="2026-10-24"),
        "range": ["2026-10-01", "2026-10-31"],
        "expect": ["2026-10-22", "2026-10-23", "2026-10-24"],
    },
    {
        "name": "once, on its start date",
        "recurrence": rec("once", "2026-04-01", BER),
        "range": ["2026-03-30", "2026-04-05"],
        "expect": ["2026-04-01"],
    },
    {
        "name": "once with a due date (until) after the range: nothing yet",
        "recurrence": rec("once", "2026-04-01", BER, until="2026-04-06"),
        "range": ["2026-03-30", "2026-04-05"],
        "expect": [],
    },
    {
        "name": "once with a due date: the one occurrence is the due date",
        "recurrence": rec("once", "2026-04-01", BER, until="2026-04-06"),
        "range": ["2026-03-30", "2026-04-12"],
        "expect": ["2026-04-06"],
    },
    {
        "name": "two zones: a Berlin daily series seen over a New York Monday spans two Berlin dates",
        "recurrence": rec("daily", "2026-03-02", BER),
        "range": ["2026-03-09T04:00:00Z", "2026-03-10T04:00:00Z"],
        "expect": ["2026-03-09", "2026-03-10"],
    },
    {
        "name": "two zones: a Berlin Monday series seen over the same New York Monday",
        "recurrence": rec("weekly", "2026-03-02", BER, days=["mon"]),
        "range": ["2026-03-09T00:00:00-04:00", "2026-03-10T00:00:00-04:00"],
        "expect": ["2026-03-09"],
    },
    {
        "name": "two zones: a Los Angeles series seen over a Tokyo day on LA's spring change",
        "recurrence": rec("daily", "2026-03-01", LAX),
        "range": ["2026-03-09T00:00:00+09:00", "2026-03-10T00:00:00+09:00"],
        "expect": ["2026-03-08", "2026-03-09"],
    },
    {
        "name": "Santiago 2026-09-06 begins at 01:00 local: its exact instants hold one day",
        "recurrence": rec("daily", "2026-09-01", SCL),
        "range": ["2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z"],
        "expect": ["2026-09-06"],
    },
    {
        "name": "a range that starts before the series",
        "recurrence": rec("daily", "2026-05-10", BER),
        "range": ["2026-05-01", "2026-05-12"],
        "expect": ["2026-05-10", "2026-05-11", "2026-05-12"],
    },
    {
        "name": "a range after the series ended",
        "recurrence": rec("daily", "2026-05-10", BER, until="2026-05-14"),
        "range": ["2026-05-15", "2026-05-31"],
        "expect": [],
    },
    {
        "name": "daily until a date across New York's autumn change",
        "recurrence": rec("daily", "2026-10-30", NYC, until="2026-11-02"),
        "range": ["2026-10-01", "2026-11-30"],
        "expect": ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"],
    },
    {
        "name": "a half-hour zone: Kolkata dates over a UTC day",
        "recurrence": rec("daily", "2026-01-01", "Asia/Kolkata"),
        "range": ["2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z"],
        "expect": ["2026-01-10", "2026-01-11"],
    },
]

DUE: list[dict[str, Any]] = [
    {
        "name": "Berlin short day: last second",
        "occurrence": "2026-03-29",
        "now": "2026-03-29T21:59:59Z",
        "time_zone": BER,
        "expect": "due_today",
    },
    {
        "name": "Berlin short day: ended at 22:00Z, not 23:00Z",
        "occurrence": "2026-03-29",
        "now": "2026-03-29T22:00:00Z",
        "time_zone": BER,
        "expect": "missed",
    },
    {
        "name": "Berlin long day: still today at 23:59:59 CET",
        "occurrence": "2026-10-25",
        "now": "2026-10-25T22:59:59Z",
        "time_zone": BER,
        "expect": "due_today",
    },
    {
        "name": "Berlin long day: ended at 23:00Z",
        "occurrence": "2026-10-25",
        "now": "2026-10-25T23:00:00Z",
        "time_zone": BER,
        "expect": "missed",
    },
    {
        "name": "Berlin long day: not yet begun at 21:59:59Z",
        "occurrence": "2026-10-25",
        "now": "2026-10-24T21:59:59Z",
        "time_zone": BER,
        "expect": "upcoming",
    },
    {
        "name": "Berlin long day: begins at 22:00Z",
        "occurrence": "2026-10-25",
        "now": "2026-10-24T22:00:00Z",
        "time_zone": BER,
        "expect": "due_today",
    },
    {
        "name": "New York short day: last second",
        "occurrence": "2026-03-08",
        "now": "2026-03-09T03:59:59Z",
        "time_zone": NYC,
        "expect": "due_today",
    },
    {
        "name": "New York short day: ended at 04:00Z",
        "occurrence": "2026-03-08",
        "now": "2026-03-09T04:00:00Z",
        "time_zone": NYC,
        "expect": "missed",
    },
    {
        "name": "New York long day: 23:30 EST is still today",
        "occurrence": "2026-11-01",
        "now": "2026-11-02T04:30:00Z",
        "time_zone": NYC,
        "expect": "due_today",
    },
    {
        "name": "New York long day: ended at 05:00Z",
        "occurrence": "2026-11-01",
        "now": "2026-11-02T05:00:00Z",
        "time_zone": NYC,
        "expect": "missed",
    },
    {
        "name": "New York long day: the evening before is upcoming",
        "occurrence": "2026-11-01",
        "now": "2026-11-01T03:59:59Z",
        "time_zone": NYC,
        "expect": "upcoming",
    },
    {
        "name": "two zones: a Berlin occurrence is missed while it is still that date in New York",
        "occurrence": "2026-06-15",
        "now": "2026-06-15T18:30:00-04:00",
        "time_zone": BER,
        "expect": "missed",
    },
    {
        "name": "two zones: the same moment for a New York occurrence",
        "occurrence": "2026-06-15",
        "now": "2026-06-15T22:30:00Z",
        "time_zone": NYC,
        "expect": "due_today",
    },
    {
        "name": "half-hour zone: a second before Kolkata midnight",
        "occurrence": "2026-01-10",
        "now": "2026-01-09T18:29:59Z",
        "time_zone": "Asia/Kolkata",
        "expect": "upcoming",
    },
    {
        "name": "half-hour zone: Kolkata midnight",
        "occurrence": "2026-01-10",
        "now": "2026-01-09T18:30:00Z",
        "time_zone": "Asia/Kolkata",
        "expect": "due_today",
    },
    # Santiago changes clocks at midnight: 2026-09-06 has no 00:00 (its day begins at 01:00, 04:00Z), and on
    # 2026-04-05 00:00 -03 the clocks go back to 2026-04-04 23:00 -04, a 25-hour 4 April.
    {
        "name": "Santiago: 5 September ends at 04:00Z",
        "occurrence": "2026-09-05",
        "now": "2026-09-06T03:59:59Z",
        "time_zone": SCL,
        "expect": "due_today",
    },
    {
        "name": "Santiago: 6 September begins at 01:00 local",
        "occurrence": "2026-09-05",
        "now": "2026-09-06T04:00:00Z",
        "time_zone": SCL,
        "expect": "missed",
    },
    {
        "name": "Santiago: 6 September is 23 hours long",
        "occurrence": "2026-09-06",
        "now": "2026-09-07T03:00:00Z",
        "time_zone": SCL,
        "expect": "missed",
    },
    {
        "name": "Santiago: the repeated hour of 4 April is still 4 April",
        "occurrence": "2026-04-04",
        "now": "2026-04-05T03:30:00Z",
        "time_zone": SCL,
        "expect": "due_today",
    },
    {
        "name": "Santiago: 4 April ends at 04:00Z",
        "occurrence": "2026-04-04",
        "now": "2026-04-05T04:00:00Z",
        "time_zone": SCL,
        "expect": "missed",
    },
    {
        "name": "Lord Howe: half-hour change, 5 April ends at 13:30Z",
        "occurrence": "2026-04-05",
        "now": "2026-04-05T13:29:59Z",
        "time_zone": LHI,
        "expect": "due_today",
    },
    {
        "name": "Lord Howe: 5 April is 24.5 hours long",
        "occurrence": "2026-04-05",
        "now": "2026-04-05T13:30:00Z",
        "time_zone": LHI,
        "expect": "missed",
    },
    {
        "name": "Lord Howe: 5 April begins at 13:00Z (+11)",
        "occurrence": "2026-04-05",
        "now": "2026-04-04T12:59:59Z",
        "time_zone": LHI,
        "expect": "upcoming",
    },
]

ERRORS: list[dict[str, Any]] = [
    {"name": "weekly without days", "recurrence": rec("weekly", "2026-03-02", BER), "field": "days"},
    {"name": "a weekday spelled out", "recurrence": rec("weekly", "2026-03-02", BER, days=["monday"]), "field": "days"},
    {"name": "days on a daily series", "recurrence": rec("daily", "2026-03-02", BER, days=["mon"]), "field": "days"},
    {"name": "an unknown zone", "recurrence": rec("daily", "2026-03-02", "Mars/Olympus"), "field": "time_zone"},
    {"name": "a path for a zone", "recurrence": rec("daily", "2026-03-02", "../../etc/passwd"), "field": "time_zone"},
    {
        "name": "a zone in the wrong case",
        "recurrence": rec("daily", "2026-03-02", "europe/berlin"),
        "field": "time_zone",
    },
    {"name": "no such date", "recurrence": rec("daily", "2026-02-30", BER), "field": "start"},
    {"name": "a loose date", "recurrence": rec("daily", "2026-3-2", BER), "field": "start"},
    {"name": "until before start", "recurrence": rec("daily", "2026-03-02", BER, until="2026-03-01"), "field": "until"},
    {
        "name": "until the next session without one",
        "recurrence": rec("until_next_session", "2026-03-02", BER),
        "field": "next_session",
    },
    {
        "name": "a next session on the start date",
        "recurrence": rec("until_next_session", "2026-03-02", BER, next_session="2026-03-02T18:00"),
        "field": "next_session",
    },
    {
        "name": "a next session with a UTC marker",
        "recurrence": rec("until_next_session", "2026-03-02", BER, next_session="2026-03-09T18:00Z"),
        "field": "next_session",
    },
    {"name": "an unknown frequency", "recurrence": rec("monthly", "2026-03-02", BER), "field": "freq"},
    {
        "name": "a range ending before it starts",
        "recurrence": rec("daily", "2026-03-02", BER),
        "range": ["2026-03-10", "2026-03-09"],
        "field": "range_end",
    },
    {
        "name": "an empty instant range",
        "recurrence": rec("daily", "2026-03-02", BER),
        "range": ["2026-03-10T00:00:00Z", "2026-03-10T00:00:00Z"],
        "field": "range_end",
    },
    {
        "name": "a range of fourteen years",
        "recurrence": rec("daily", "2026-03-02", BER),
        "range": ["2026-01-01", "2040-01-01"],
        "field": "range_end",
    },
    {
        "name": "an instant without a zone",
        "recurrence": rec("daily", "2026-03-02", BER),
        "range": ["2026-03-10T00:00:00", "2026-03-11T00:00:00Z"],
        "field": "range_start",
    },
]


NOW = "2026-03-23T10:00:00Z"
BUILD = {"start": "2026-03-23", "time_zone": BER, "now": NOW, "next_session": "2026-03-30T17:00"}
RESPONSE = {
    "v": 1,
    "type": "assignment-response",
    "assignment_id": "0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21",
    "occurrence": "2026-03-24",
    "status": "done",
    "minutes": 12,
    "created_at": "2026-03-24T19:00:00Z",
    "updated_at": "2026-03-24T19:00:00Z",
}
SHEET = {
    "fields": [
        {"id": "what", "label": "  What I noticed  ", "type": "short_text", "required": True},
        {"id": "ease", "label": "How easy", "type": "scale", "constraints": {"min": 1, "max": 5}},
        {"id": "where", "label": "Where", "type": "single_choice", "constraints": {"options": ["Home", "Work"]}},
        {"id": "ideas", "label": "Ideas", "type": "list", "hint": " One a line. ", "constraints": {"max_items": 3}},
    ]
}


CONTACT = {
    "v": 1,
    "type": "plan-contact",
    "client_id": "0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21",
    "name": "Riverside Practice, out of hours",
    "phone": "+44 20 7946 0999",
    "withdrawn": False,
    "created_at": "2026-03-23T10:00:00Z",
    "updated_at": "2026-03-23T10:00:00Z",
}


def _assignment(**changes: Any) -> dict[str, Any]:
    doc = build_from_template("breathing-practice", **BUILD)
    doc.update(changes)
    return doc


# A relaxation's guided practice (v: 2): every technique the pacer offers, custom with its timings, with and without
# minutes; the pacer's ids in web/js/core/pacer.js must be these.
PRACTICES = [
    {"technique": "paced"},
    {"technique": "box", "minutes": 5},
    {"technique": "fourSevenEight", "minutes": 1},
    {"technique": "sigh", "minutes": 30},
    {"technique": "custom", "timings": {"in": 4, "hold": 7, "out": 8, "rest": 0}, "minutes": 2},
    {"technique": "custom", "timings": {"in": 1, "hold": 20, "out": 20, "rest": 20}},
]
CUSTOM = {"technique": "custom", "timings": {"in": 4, "hold": 7, "out": 8, "rest": 0}}


def _unset(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != key}


def _practised(**changes: Any) -> dict[str, Any]:
    return _assignment(v=2, practice={**CUSTOM, **changes})


def _field(i: int, **changes: Any) -> dict[str, Any]:
    sheet = json.loads(json.dumps(SHEET))
    sheet["fields"][i].update(changes)
    return sheet


def _invalid() -> list[dict[str, Any]]:
    daily = {"freq": "daily", "start": "2026-03-23", "time_zone": BER}
    cases = [
        ("assignment", _assignment(v=2), "v"),
        ("assignment", _assignment(kind="astrology"), "kind"),
        ("assignment", _assignment(title=" "), "title"),
        ("assignment", _assignment(title="\ufeff"), "title"),
        ("assignment", _assignment(title="\x1fPlan"), "title"),
        ("assignment", _assignment(title="a\nb"), "title"),
        ("assignment", _assignment(instructions="x" * 5001), "instructions"),
        ("assignment", _assignment(target_minutes_per_week=0), "target_minutes_per_week"),
        ("assignment", _assignment(kind="journal", template=None), "target_minutes_per_week"),
        ("assignment", _assignment(withdrawn=None), "withdrawn"),
        ("assignment", _assignment(updated_at="2026-03-22T10:00:00Z"), "updated_at"),
        ("assignment", _assignment(created_at="2026-03-23T10:00:00+01:00"), "created_at"),
        ("assignment", _assignment(surprise=1), "surprise"),
        ("assignment", _assignment(worksheet=SHEET), "worksheet"),
        ("assignment", _assignment(schedule={"recurrence": {**daily, "days": ["mon"]}}), "schedule.recurrence.days"),
        (
            "assignment",
            _assignment(schedule={"recurrence": {**daily, "freq": "once"}, "due": "2026-03-24"}),
            "schedule.due",
        ),
        ("assignment", {k: v for k, v in _assignment().items() if k != "template"}, "template"),
        ("assignment", _assignment(v=3), "v"),
        ("assignment", _assignment(v=True), "v"),
        ("assignment", _assignment(practice=CUSTOM), "v"),
        (
            "assignment",
            _unset(_assignment(v=2, kind="journal", practice=CUSTOM), "target_minutes_per_week"),
            "practice",
        ),
        ("assignment", _assignment(v=2, practice=None), "practice"),
        ("assignment", _practised(technique="4-7-8"), "practice.technique"),
        ("assignment", _practised(technique="box"), "practice.timings"),
        ("assignment", _assignment(v=2, practice={"technique": "custom"}), "practice.timings"),
        ("assignment", _practised(timings={"in": 0, "hold": 7, "out": 8, "rest": 0}), "practice.timings.in"),
        ("assignment", _practised(timings={"in": 4, "hold": 21, "out": 8, "rest": 0}), "practice.timings.hold"),
        ("assignment", _practised(timings={"in": 4, "hold": 7, "out": 8}), "practice.timings.rest"),
        ("assignment", _practised(timings={"in": 4, "hold": 7, "out": 8.5, "rest": 0}), "practice.timings.out"),
        ("assignment", _practised(timings={"in": 4, "hold": 7, "out": 8, "rest": 0, "x": 1}), "practice.timings.x"),
        ("assignment", _practised(minutes=4), "practice.minutes"),
        ("assignment", _practised(minutes="2"), "practice.minutes"),
        ("assignment", _practised(minutes=True), "practice.minutes"),
        ("assignment", _practised(chime=True), "practice.chime"),
        ("response", {**RESPONSE, "status": "skipped"}, "status"),
        ("response", {**RESPONSE, "reason": "done anyway"}, "reason"),
        ("response", {**RESPONSE, "entry_id": "ABC"}, "entry_id"),
        ("response", {**RESPONSE, "minutes": 1441}, "minutes"),
        ("response", {**RESPONSE, "feedback": {"rating": "meh"}}, "feedback.rating"),
        ("response", {**RESPONSE, "occurrence": "2026-3-24"}, "occurrence"),
        ("response", {**RESPONSE, "feedback": {"rating": "helping", "comment": None}}, "feedback.comment"),
        ("plan-contact", {**CONTACT, "phone": "call 999"}, "phone"),
        ("plan-contact", {**CONTACT, "phone": " "}, "phone"),
        ("plan-contact", {**CONTACT, "sms": "ask for Jo"}, "sms"),
        ("plan-contact", {**CONTACT, "name": "a\nb"}, "name"),
        ("plan-contact", {**CONTACT, "client_id": "ABC"}, "client_id"),
        ("plan-contact", {**CONTACT, "note": "x" * 501}, "note"),
        ("plan-contact", {**CONTACT, "withdrawn": None}, "withdrawn"),
        ("plan-contact", {**CONTACT, "email": "x@example.org"}, "email"),
        ("worksheet", _field(0, type="emotions"), "worksheet.fields[0].type"),
        ("worksheet", _field(0, required=None), "worksheet.fields[0].required"),
        ("worksheet", _field(0, hint=None), "worksheet.fields[0].hint"),
        ("worksheet", _field(0, merge=None), "worksheet.fields[0].merge"),
        (
            "worksheet",
            _field(2, constraints={"options": ["Same", {"id": "o1", "label": "Again"}]}),
            "worksheet.fields[2].constraints.options",
        ),
        (
            "worksheet",
            _field(3, constraints={"max_length": 10, "suggestions": ["far too long here"]}),
            "worksheet.fields[3].constraints.suggestions[0]",
        ),
        ("worksheet", _field(1, constraints={"min": 0, "max": 11}), "worksheet.fields[1].constraints.max"),
        ("worksheet", _field(2, constraints={"options": ["Only"]}), "worksheet.fields[2].constraints.options"),
        ("worksheet", _field(3, id="Ideas"), "worksheet.fields[3].id"),
        ("worksheet", _field(3, merge="text"), "worksheet.fields[3].merge"),
        ("worksheet", {"fields": SHEET["fields"] + [SHEET["fields"][0]]}, "worksheet.fields"),
    ]
    return [{"validate": what, "doc": doc, "field": field} for what, doc, field in cases]


def documents() -> dict[str, Any]:
    built = [
        {"template": t["id"], "build": BUILD, "expect": build_from_template(t["id"], **BUILD)} for t in all_templates()
    ]
    responses = [
        {
            "doc": {
                **RESPONSE,
                "status": "not_done",
                "reason": "Away\r\nall week",
                "feedback": {"rating": "not_helping", "comment": " "},
            },
            "expect": {
                **RESPONSE,
                "status": "not_done",
                "reason": "Away\nall week",
                "feedback": {"rating": "not_helping"},
            },
        },
        # Python's str.strip() and JavaScript's trim() disagree on U+0085 and U+FEFF: both sides trim as JS does.
        {
            "doc": {**RESPONSE, "feedback": {"rating": "helping", "comment": "\ufeff\u3000"}},
            "expect": {**RESPONSE, "feedback": {"rating": "helping"}},
        },
        {
            "doc": {**RESPONSE, "feedback": {"rating": "helping", "comment": "\u0085"}},
            "expect": {**RESPONSE, "feedback": {"rating": "helping", "comment": "\u0085"}},
        },
    ]
    contacts = [
        {
            "doc": {
                **CONTACT,
                "name": "  Riverside Practice, out of hours ",
                "hours": " Weekdays 6 pm to 9 am ",
                "note": "Ask for the duty therapist.\r\n",
                "sms": "",
            },
            "expect": {**CONTACT, "hours": "Weekdays 6 pm to 9 am", "note": "Ask for the duty therapist.\n"},
        },
        {
            "doc": {k: v for k, v in CONTACT.items() if k != "withdrawn"} | {"sms": "07700 900999", "hours": ""},
            "expect": {**CONTACT, "sms": "07700 900999"},
        },
    ]
    practices = [
        {
            "template": "breathing-practice",
            "build": BUILD,
            "practice": p,
            "expect": build_from_template("breathing-practice", **BUILD, practice=p),
        }
        for p in PRACTICES
    ]
    return {
        "built": built,
        "practices": practices,
        "worksheet": {"input": SHEET, "expect": validate_worksheet(SHEET)},
        "responses": responses,
        "plan_contacts": contacts,
        "invalid": _invalid(),
    }


VALIDATORS = {
    "assignment": validate_assignment,
    "response": validate_response,
    "worksheet": validate_worksheet,
    "plan-contact": validate_plan_contact,
}


def _check_documents(docs: dict[str, Any]) -> list[str]:
    problems = []
    for case in docs["invalid"]:
        try:
            VALIDATORS[case["validate"]](case["doc"])
            problems.append(f"document refusing {case['field']}: accepted")
        except FieldError as e:
            if e.field_id != case["field"]:
                problems.append(f"document refusing {case['field']}: blamed {e.field_id}")
    for case in docs["practices"]:
        if validate_assignment(case["expect"]) != case["expect"] or case["expect"]["v"] != 2:
            problems.append("practice normalisation differs")
    for case in docs["responses"]:
        if validate_response(case["doc"]) != case["expect"]:
            problems.append("response normalisation differs")
    for case in docs["plan_contacts"]:
        if validate_plan_contact(case["doc"]) != case["expect"]:
            problems.append("plan contact normalisation differs")
    return problems


def _check() -> list[str]:
    problems = []
    for case in OCCURRENCES:
        got = occurrences(case["recurrence"], *case["range"])
        if got != case["expect"]:
            problems.append(f"{case['name']}: got {got}")
    for case in DUE:
        got = due_state(case["occurrence"], case["now"], case["time_zone"])
        if got != case["expect"]:
            problems.append(f"{case['name']}: got {got}")
    for case in ERRORS:
        try:
            occurrences(case["recurrence"], *case.get("range", ["2026-03-01", "2026-03-31"]))
            problems.append(f"{case['name']}: accepted")
        except FieldError as e:
            if e.field_id != case["field"]:
                problems.append(f"{case['name']}: blamed {e.field_id}")
    return problems


def main() -> int:
    problems = _check()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    errors = [{**c, "range": c.get("range", ["2026-03-01", "2026-03-31"])} for c in ERRORS]
    docs = documents()
    problems = _check_documents(docs)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    doc = {
        "v": 1,
        "about": __doc__.splitlines()[0],
        "occurrences": OCCURRENCES,
        "due_state": DUE,
        "errors": errors,
        "documents": docs,
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({len(OCCURRENCES)} + {len(DUE)} + {len(ERRORS)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
