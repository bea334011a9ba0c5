"""When an assignment falls due: its occurrences as local dates in its own time zone (as web/js/core/recurrence.js)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .kinds import FieldError

FREQS = ("once", "daily", "weekly", "until_next_session")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A view asks for a few weeks or months; a range longer than this is a mistake, not a calendar.
MAX_RANGE_DAYS = 3660
MAX_TZ_LENGTH = 64

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_LOCAL_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$")
_INSTANT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\.\d{1,9})?"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
_TZ_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")
_KEYS = {
    "once": {"freq", "start", "until", "time_zone"},
    "daily": {"freq", "start", "until", "time_zone"},
    "weekly": {"freq", "days", "start", "until", "time_zone"},
    "until_next_session": {"freq", "start", "until", "next_session", "time_zone"},
}


def _fail(field: str, problem: str) -> FieldError:
    name = field.removeprefix("schedule.recurrence.").removeprefix("schedule.")
    return FieldError(
        f"schedule '{name}' {problem}.",
        kind_id="assignment",
        field_id=field,
        code="invalid_schedule",
        key="invalid_document",
        params={"what": "schedule", "path": name},
    )


def parse_date(value: object, field: str = "date") -> date:
    """A calendar date written YYYY-MM-DD (nothing looser: the browser must read exactly the same dates)."""
    m = _DATE.match(value) if isinstance(value, str) else None
    if not m:
        raise _fail(field, "must be a date written YYYY-MM-DD")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _fail(field, "is not a real calendar date") from None


def zone(name: object, field: str = "time_zone") -> ZoneInfo:
    """The IANA time zone called `name`; names are checked before loading so no path reaches the filesystem."""
    if not isinstance(name, str) or len(name) > MAX_TZ_LENGTH or not _TZ_NAME.match(name):
        raise _fail(field, "must be an IANA time zone name like Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _fail(field, "is not a time zone this device knows") from None


def parse_instant(value: object, field: str = "instant") -> datetime:
    """An instant: an aware datetime, or RFC 3339 text with Z or an offset; seconds kept, fractions dropped."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _fail(field, "must say its time zone (a UTC instant)")
        return value.astimezone(UTC).replace(microsecond=0)
    m = _INSTANT.match(value) if isinstance(value, str) else None
    if not m:
        raise _fail(field, "must be a time like 2026-03-29T22:30:00Z")
    day = parse_date(m[1], field)
    offset = timedelta(0)
    if m[5] != "Z":
        sign = -1 if m[5][0] == "-" else 1
        offset = sign * timedelta(hours=int(m[5][1:3]), minutes=int(m[5][4:6]))
    wall = datetime(day.year, day.month, day.day, int(m[2]), int(m[3]), int(m[4] or 0), tzinfo=UTC)
    return wall - offset


def local_date(instant: object, tz: object) -> date:
    """The calendar date on the wall in `tz` at `instant`."""
    zi = tz if isinstance(tz, ZoneInfo) else zone(tz)
    return parse_instant(instant).astimezone(zi).date()


def check_recurrence(recurrence: object) -> dict[str, Any]:
    """Validate a recurrence; return it normalised (weekdays in week order, no duplicates)."""
    if not isinstance(recurrence, dict):
        raise _fail("recurrence", "must be an object")
    freq = recurrence.get("freq")
    if freq not in FREQS:
        raise _fail("freq", f"must be one of: {', '.join(FREQS)}")
    for key in recurrence:
        if key not in _KEYS[freq]:
            shown = key if isinstance(key, str) and len(key) <= 40 else "(a long name)"
            raise _fail(shown, f"is not part of a '{freq}' schedule")
    out: dict[str, Any] = {"freq": freq}
    start = parse_date(recurrence.get("start"), "start")
    out["start"] = start.isoformat()
    if "until" in recurrence:
        until = parse_date(recurrence["until"], "until")
        if until < start:
            raise _fail("until", "must not be before the start date")
        out["until"] = until.isoformat()
    zone(recurrence.get("time_zone"))
    out["time_zone"] = recurrence["time_zone"]
    if freq == "weekly":
        days = recurrence.get("days")
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            raise _fail("days", "must list at least one of: " + ", ".join(WEEKDAYS))
        out["days"] = [d for d in WEEKDAYS if d in days]
    if freq == "until_next_session":
        session = recurrence.get("next_session")
        m = _LOCAL_TIME.match(session) if isinstance(session, str) else None
        if not m:
            raise _fail("next_session", "must be a local date and time like 2026-04-02T17:00")
        session_day = parse_date(m[1], "next_session")
        if session_day <= start:
            raise _fail("next_session", "must be after the start date")
        out["next_session"] = session
    return out


def check_schedule(schedule: object) -> dict[str, Any]:
    """An assignment's schedule: {"recurrence": ..., "due"?: date}; errors name the path, e.g. schedule.due."""
    if not isinstance(schedule, dict):
        raise _fail("schedule", "must be an object")
    for key in schedule:
        if key not in ("due", "recurrence"):
            shown = key if isinstance(key, str) and len(key) <= 40 else "(a long name)"
            raise _fail(f"schedule.{shown}", "is not a field this version knows")
    try:
        rec = check_recurrence(schedule.get("recurrence"))
    except FieldError as e:
        raise FieldError(
            e.detail, kind_id="assignment", field_id=f"schedule.recurrence.{e.field_id}", code="invalid_schedule"
        ) from None
    out: dict[str, Any] = {"recurrence": rec}
    if "due" in schedule:
        due = parse_date(schedule["due"], "schedule.due")
        if due < date.fromisoformat(rec["start"]):
            raise _fail("schedule.due", "must not be before the start date")
        # A one-off activity has one date: its due date and its occurrence must agree.
        if rec["freq"] == "once" and due.isoformat() != rec.get("until", rec["start"]):
            raise _fail("schedule.due", "must equal the recurrence's until (or start) for a one-off activity")
        out["due"] = due.isoformat()
    return out


def plan_recurrence(
    plan: dict[str, Any], *, start: object, time_zone: str, next_session: str | None = None
) -> dict[str, Any]:
    """A template's dateless plan (freq, days, due_in_days, for_days) as a recurrence from `start`."""
    first = parse_date(start, "start")
    rec: dict[str, Any] = {"freq": plan["freq"], "start": first.isoformat(), "time_zone": time_zone}
    if "days" in plan:
        rec["days"] = list(plan["days"])
    if "due_in_days" in plan:
        rec["until"] = (first + timedelta(days=plan["due_in_days"])).isoformat()
    if "for_days" in plan:
        rec["until"] = (first + timedelta(days=plan["for_days"] - 1)).isoformat()
    if plan["freq"] == "until_next_session":
        if next_session is None:
            raise _fail("schedule.recurrence.next_session", "is needed: this activity runs until the next session")
        rec["next_session"] = next_session
    return rec


def _last_day(rec: dict[str, Any]) -> date | None:
    """The last local date that can hold an occurrence, or None for a series without an end."""
    freq = rec["freq"]
    until = date.fromisoformat(rec["until"]) if "until" in rec else None
    if freq == "once":
        return until or date.fromisoformat(rec["start"])
    if freq == "until_next_session":
        # The session day itself is for the session, so the series stops the day before.
        before_session = date.fromisoformat(rec["next_session"][:10]) - timedelta(days=1)
        return min(before_session, until) if until else before_session
    return until


def _range_dates(range_start: object, range_end: object, zi: ZoneInfo) -> tuple[date, date]:
    """Local dates a range covers: dates as given (inclusive), instants as the half-open [start, end)."""
    if isinstance(range_start, date) and not isinstance(range_start, datetime):
        range_start = range_start.isoformat()
    if isinstance(range_end, date) and not isinstance(range_end, datetime):
        range_end = range_end.isoformat()
    both_dates = all(isinstance(v, str) and _DATE.match(v) for v in (range_start, range_end))
    if both_dates:
        first, last = parse_date(range_start, "range_start"), parse_date(range_end, "range_end")
    else:
        begin, end = parse_instant(range_start, "range_start"), parse_instant(range_end, "range_end")
        if end <= begin:
            raise _fail("range_end", "must be after the start of the range")
        # The last second inside the range: an occurrence counts when its local day overlaps the range.
        first, last = begin.astimezone(zi).date(), (end - timedelta(seconds=1)).astimezone(zi).date()
    if last < first:
        raise _fail("range_end", "must not be before the start of the range")
    if (last - first).days > MAX_RANGE_DAYS:
        raise _fail("range_end", f"must be at most {MAX_RANGE_DAYS} days after the start of the range")
    return first, last


def occurrences(recurrence: object, range_start: object, range_end: object) -> list[str]:
    """The assignment's occurrences (YYYY-MM-DD in its own time zone) that fall within the range.

    The range is two dates YYYY-MM-DD (inclusive, read in the assignment's zone) or two instants
    (half-open, any zone: a therapist in New York asking about "this week" gets the Berlin client's
    Berlin dates whose day overlaps that week). Only calendar days are counted, never 24-hour steps,
    so the short and long days of daylight saving time change nothing.
    """
    rec = check_recurrence(recurrence)
    zi = zone(rec["time_zone"])
    first, last = _range_dates(range_start, range_end, zi)
    start = date.fromisoformat(rec["start"])
    end = _last_day(rec)
    if rec["freq"] == "once":
        return [end.isoformat()] if end is not None and first <= end <= last else []  # a once always ends
    lo = max(first, start)
    hi = min(last, end) if end else last
    days = set(rec.get("days", WEEKDAYS))
    out = []
    day = lo
    while day <= hi:
        if WEEKDAYS[day.weekday()] in days:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def is_occurrence(recurrence: object, day: object) -> bool:
    """Whether `day` (YYYY-MM-DD) is one of the assignment's occurrences."""
    text = parse_date(day, "occurrence").isoformat()
    return occurrences(recurrence, text, text) == [text]


def due_state(occurrence: object, now_utc: object, tz: object) -> str:
    """ "upcoming" before the occurrence's local day, "due_today" during it, "missed" once it has ended in `tz`."""
    day = parse_date(occurrence, "occurrence")
    today = parse_instant(now_utc, "now").astimezone(zone(tz)).date()
    if today < day:
        return "upcoming"
    return "due_today" if today == day else "missed"
