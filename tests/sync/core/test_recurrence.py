"""Schedules: the shared vectors (also run by web/test/recurrence.test.js), then the edges around them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from between.sync.core.kinds import FieldError
from between.sync.core.recurrence import (
    check_recurrence,
    due_state,
    is_occurrence,
    local_date,
    occurrences,
    parse_date,
    parse_instant,
)
from tests.vectors import recurrence_cases

VECTORS = json.loads(Path(__file__).parents[2].joinpath("vectors", "recurrence.json").read_text())


def test_vector_file_is_what_the_generator_writes():
    # A hand edit of the JSON, or a case added without regenerating, shows up here.
    assert VECTORS["occurrences"] == recurrence_cases.OCCURRENCES
    assert VECTORS["due_state"] == recurrence_cases.DUE
    assert [c["name"] for c in VECTORS["errors"]] == [c["name"] for c in recurrence_cases.ERRORS]
    assert len(VECTORS["occurrences"]) + len(VECTORS["due_state"]) >= 20


@pytest.mark.parametrize("case", VECTORS["occurrences"], ids=lambda c: c["name"])
def test_occurrence_vectors(case):
    assert occurrences(case["recurrence"], *case["range"]) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["due_state"], ids=lambda c: c["name"])
def test_due_state_vectors(case):
    assert due_state(case["occurrence"], case["now"], case["time_zone"]) == case["expect"]
    assert due_state(case["occurrence"], parse_instant(case["now"]), case["time_zone"]) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["errors"], ids=lambda c: c["name"])
def test_error_vectors(case):
    with pytest.raises(FieldError) as caught:
        occurrences(case["recurrence"], *case["range"])
    assert caught.value.field_id == case["field"]
    assert caught.value.code == "invalid_schedule"


def test_dates_are_strict():
    assert parse_date("2028-02-29") == date(2028, 2, 29)
    for bad in ["2026-02-29", "2026-13-01", "0000-01-01", "20260301", " 2026-03-01", "2026-W10-1", 20260301, None]:
        with pytest.raises(FieldError):
            parse_date(bad)


def test_instants_from_text_and_datetimes_agree():
    expected = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parse_instant("2026-03-29T01:30:00Z") == expected
    assert parse_instant("2026-03-29T03:30:00+02:00") == expected
    assert parse_instant("2026-03-28T21:30-04:00") == expected
    assert parse_instant("2026-03-29T01:30:00.999Z") == expected
    assert parse_instant(expected.astimezone(timezone(timedelta(hours=5))) + timedelta(microseconds=999)) == expected
    with pytest.raises(FieldError):
        parse_instant(datetime(2026, 3, 29, 1, 30))  # naive: which zone?
    with pytest.raises(FieldError):
        parse_instant("2026-03-29 01:30:00Z")


def test_local_dates_read_the_zone_not_the_machine():
    at = "2026-03-29T22:30:00Z"
    assert local_date(at, "Europe/Berlin") == date(2026, 3, 30)
    assert local_date(at, "America/New_York") == date(2026, 3, 29)
    assert local_date(at, "Pacific/Kiritimati") == date(2026, 3, 30)
    assert local_date(at, "Pacific/Pago_Pago") == date(2026, 3, 29)


def test_ranges_may_be_date_objects():
    r = {"freq": "daily", "start": "2026-03-28", "time_zone": "Europe/Berlin"}
    assert occurrences(r, date(2026, 3, 28), date(2026, 3, 30)) == ["2026-03-28", "2026-03-29", "2026-03-30"]
    instants = (datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))
    assert occurrences(r, *instants) == ["2026-03-29"]


def test_a_year_of_daily_dates_has_no_gap_or_double():
    r = {"freq": "daily", "start": "2026-01-01", "time_zone": "Europe/Berlin"}
    days = occurrences(r, "2026-01-01", "2026-12-31")
    assert len(days) == len(set(days)) == 365
    assert days[-1] == "2026-12-31"


def test_check_recurrence_normalises_and_refuses_unknown_keys_without_echo():
    r = check_recurrence({"freq": "weekly", "days": ["sun", "mon", "sun"], "start": "2026-03-02", "time_zone": "UTC"})
    assert r == {"freq": "weekly", "days": ["mon", "sun"], "start": "2026-03-02", "time_zone": "UTC"}
    with pytest.raises(FieldError) as caught:
        check_recurrence({**r, "colour": "blue"})
    assert caught.value.field_id == "colour"
    long = "k" * 300
    with pytest.raises(FieldError) as caught:
        check_recurrence({**r, long: 1})
    assert long not in caught.value.detail
    with pytest.raises(FieldError):
        check_recurrence([r])


def test_is_occurrence_follows_days_and_the_session_day():
    weekly = {"freq": "weekly", "days": ["wed"], "start": "2026-03-02", "time_zone": "Europe/Berlin"}
    assert is_occurrence(weekly, "2026-03-04")
    assert not is_occurrence(weekly, "2026-03-05")
    assert not is_occurrence(weekly, "2026-02-25")
    session = {
        "freq": "until_next_session",
        "start": "2026-03-02",
        "next_session": "2026-03-05T10:00",
        "time_zone": "UTC",
    }
    assert is_occurrence(session, "2026-03-04")
    assert not is_occurrence(session, "2026-03-05")
