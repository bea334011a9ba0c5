"""sync/core/sketch.py against tests/vectors/sketch.json (the browser reads the same file), and the sketch kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from between.sync.core.kinds import FieldError, validate_fields
from between.sync.core.sketch import SketchError, check_strokes, decode_points, encode_points
from tests.vectors import sketch_cases

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "sketch.json").read_text(encoding="utf-8"))


def test_the_committed_vectors_are_what_sketch_py_makes_now():
    assert sketch_cases.build() == VECTORS


def test_points_round_trip():
    for case in VECTORS["points"]:
        points = [tuple(p) for p in case["points"]]
        assert encode_points(points) == case["text"]
        assert decode_points(case["text"]) == points


@pytest.mark.parametrize("case", VECTORS["unreadable"], ids=lambda c: c["name"])
def test_unreadable_points_are_refused(case):
    with pytest.raises(SketchError, match="^" + case["problem"] + "$"):
        decode_points(case["text"])


def _stroke(sid: str, n: int) -> dict:
    points = [(i % 4000, (i * 7) % 3000, 128) for i in range(n)]
    return {"id": sid, "tool": "pen", "color": "ink", "width": 4, "points": encode_points(points)}


def test_a_sketch_entry_validates_and_one_over_its_limit_is_refused_in_words():
    ok = validate_fields("sketch", {"title": "Calm", "drawing": [_stroke("aaaaaaaa", 30)], "caption": "A lake"})
    assert ok["drawing"][0]["id"] == "aaaaaaaa"
    big = [_stroke(f"stroke-{i:06d}", 2000) for i in range(60)]  # about 60 x 7,400 characters: over 400,000
    with pytest.raises(FieldError) as err:
        validate_fields("sketch", {"drawing": big})
    assert err.value.detail == "“Drawing” is too large: it may hold at most 400000 characters of points."
    with pytest.raises(FieldError) as err:
        validate_fields("sketch", {"title": "Nothing drawn"})
    assert err.value.detail == "Please fill in “Drawing”."


def test_strokes_check_is_exact_about_what_it_accepts():
    assert check_strokes([], 10, 10) == []
    with pytest.raises(SketchError):
        check_strokes([{"id": "aaaaaaaa", "tool": "pen", "color": "ink", "width": 4, "points": 5}], 10, 100)
