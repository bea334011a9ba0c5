"""The app's "Add to calendar" files (web/js/core/ics.js, run with node) parse with `icalendar`, and their RRULEs give
exactly the days sync/core/recurrence.py gives, at the chosen wall-clock time, across daylight-saving changes in two
time zones."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from between.sync.core import recurrence

WEB = Path(__file__).resolve().parents[3] / "web"
NODE = shutil.which("node")

SCRIPT = """
import { assignmentIcs } from './js/core/ics.js';
const cases = JSON.parse(process.argv[1]);
const out = cases.map((c) => assignmentIcs({ id: c.id, doc: { schedule: { recurrence: c.recurrence } }, time: c.time,
  zone: c.recurrence.time_zone, now: Date.UTC(2026, 0, 1), origin: 'https://between.test', summary: c.summary }));
process.stdout.write(JSON.stringify(out));
"""

# Each crosses its zone's spring or autumn change (Berlin: 29 March and 25 October 2026; New York: 8 March and
# 1 November 2026).
CASES = [
    {"freq": "daily", "start": "2026-03-25", "until": "2026-04-03", "time_zone": "Europe/Berlin"},
    {
        "freq": "weekly",
        "days": ["tue", "sat", "sun"],
        "start": "2026-03-24",
        "until": "2026-04-20",
        "time_zone": "Europe/Berlin",
    },
    {
        "freq": "until_next_session",
        "start": "2026-10-20",
        "next_session": "2026-10-29T17:00",
        "time_zone": "Europe/Berlin",
    },
    {"freq": "daily", "start": "2026-03-05", "until": "2026-03-12", "time_zone": "America/New_York"},
    {
        "freq": "weekly",
        "days": ["mon", "wed", "fri"],
        "start": "2026-10-27",
        "until": "2026-11-20",
        "time_zone": "America/New_York",
    },
    {
        "freq": "until_next_session",
        "start": "2026-10-28",
        "next_session": "2026-11-05T09:30",
        "time_zone": "America/New_York",
    },
    {"freq": "once", "start": "2026-03-08", "time_zone": "America/New_York"},
]


def _make(cases: list[dict], time: str = "20:00") -> list[str]:
    if NODE is None:
        pytest.skip("node is not installed")
    payload = [
        {"id": f"a{i}", "recurrence": r, "time": time, "summary": "Evening journal"} for i, r in enumerate(cases)
    ]
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", SCRIPT, json.dumps(payload)],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _days(text: str) -> tuple[list[datetime], ZoneInfo]:
    cal = Calendar.from_ical(text)
    (event,) = cal.walk("VEVENT")
    assert cal.walk("VTIMEZONE"), "a TZID needs its VTIMEZONE"
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.get("DESCRIPTION")
    assert event.get("UID") and event.get("DTSTAMP")
    start = event.decoded("DTSTART")
    zone = ZoneInfo(str(event["DTSTART"].params["TZID"]))
    start = start.replace(tzinfo=zone)
    if "RRULE" not in event:
        return [start], zone
    rule = event["RRULE"].to_ical().decode()
    assert "UNTIL=" not in rule or rule.split("UNTIL=")[1][:16].endswith("Z")  # UTC with a TZID start (§3.3.10)
    return list(rrulestr(rule, dtstart=start)), zone


@pytest.mark.parametrize("index", range(len(CASES)))
def test_rrule_days_match_recurrence_across_dst(index):
    rec = CASES[index]
    (text,) = _make([rec])
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    got, zone = _days(text)
    start = date.fromisoformat(rec["start"])
    want = recurrence.occurrences(rec, start.isoformat(), (start + timedelta(days=60)).isoformat())
    assert [d.astimezone(zone).date().isoformat() for d in got] == want
    # the wall-clock time holds through the change: 20:00 local every day, whatever the UTC offset
    assert {(d.astimezone(zone).hour, d.astimezone(zone).minute) for d in got} == {(20, 0)}
    offsets = {d.astimezone(zone).utcoffset() for d in got}
    if rec["freq"] != "once":
        assert len(offsets) == 2, "each case crosses a daylight-saving change"


def test_a_series_without_end_and_a_skipped_hour():
    """No `until`: the rule has no end either. 02:30 on Berlin's spring day does not exist: the start moves on."""
    daily = {"freq": "daily", "start": "2026-03-29", "time_zone": "Europe/Berlin"}
    (text,) = _make([daily], time="02:30")
    cal = Calendar.from_ical(text)
    (event,) = cal.walk("VEVENT")
    assert "UNTIL" not in event["RRULE"] and "COUNT" not in event["RRULE"]
    assert "FREQ=DAILY" in event["RRULE"].to_ical().decode()
