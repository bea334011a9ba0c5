"""Tests of sync/core/fields.py: every field type has a complete entry in the registry, and the registry is the list.

The values each type accepts, refuses and normalises are tested through kinds.py and assignments.py
(tests/sync/core/test_kinds.py, tests/sync/core/test_assignments.py), where the messages name the question by its
label."""

from __future__ import annotations

import inspect
import json
import re
from typing import get_args

import pytest

from between.sync.core import assignments, fields, kinds
from between.sync.core.fields import TYPES


def named_in_kinds_json() -> list[str]:
    """The field types kinds.json's `about` lists: the one list both languages' registries are held to."""
    about = json.loads(kinds.KINDS_JSON.read_bytes())["about"]
    return re.search(r"Field types: ([^.]+)\.", about).group(1).split(", ")


def test_the_registry_is_the_list_of_field_types():
    assert list(TYPES) == named_in_kinds_json(), "web/test/core/fields.test.js holds the JS registry to the same list"
    assert get_args(fields.FieldType) == tuple(TYPES)
    assert set(kinds.ALLOWED_MERGES) == set(TYPES)
    used = {f.type for k in kinds.all_kinds() for f in k.fields}
    used |= {f["type"] for t in assignments.all_templates() for f in (t.get("worksheet") or {}).get("fields", [])}
    assert used <= set(TYPES)


@pytest.mark.parametrize("name", list(TYPES))
def test_every_type_has_every_hook(name):
    t = TYPES[name]
    assert isinstance(t, fields.Type) and t.name == name
    assert t.merges and t.merges <= set(get_args(kinds.MergeStrategy))
    assert isinstance(t.needs, tuple) and all(callable(n) for n in t.needs)
    for hook in ("check", "parse", "text", "by_choice", "constraints_problem"):
        assert callable(getattr(t, hook))
    assert not inspect.isabstract(type(t))
    assert isinstance(t.records_minutes, bool)
    assert t.headline in (None, "text", "choice")
    if t.worksheet is not None:
        assert t.worksheet.merge in t.merges
        assert t.worksheet.extra <= {"options", "suggestions"}
        for lo, hi, default in t.worksheet.limits.values():
            assert lo <= hi and (default is None or lo <= default <= hi)


def test_worksheets_offer_every_type_that_says_how_in_the_registrys_order():
    assert tuple(n for n, t in TYPES.items() if t.worksheet) == assignments.WORKSHEET_TYPES
    assert "emotions" not in assignments.WORKSHEET_TYPES


def test_a_type_without_a_hook_cannot_be_made():
    class Half(fields.Type):
        name = "half"
        merges = frozenset({"scalar"})
        needs = ()

        def check(self, field, value, fail):
            return value

    with pytest.raises(TypeError, match="parse"):
        Half()


def test_the_cli_prints_values_in_plain_words():
    kind = kinds.get_kind("thought-record")
    f = kind.field("emotions")
    assert TYPES["yes_no"].text(f, True) == "yes" and TYPES["yes_no"].text(f, False) == "no"
    feelings = [{"name": "sad", "intensity": 40}, {"name": "calm", "intensity": 5}]
    assert TYPES["emotions"].text(f, feelings) == "sad:40, calm:5"
    assert TYPES["list"].text(f, ["a", "b"]) == "a, b"
    assert TYPES["minutes"].text(f, 90) == "90"
    assert fields.plain_text({"x": 1}) == "{'x': 1}"


def test_choices_are_printed_by_their_labels_and_a_newer_versions_choice_by_its_id_marked():
    technique = kinds.get_kind("relaxation").field("technique")
    assert TYPES["single_choice"].text(technique, "box-breathing") == "Box breathing"
    assert TYPES["single_choice"].text(technique, "tapping") == "tapping (a newer choice)"
    patterns = kinds.get_kind("thought-record").field("thinking_patterns")
    chosen = ["mind-reading", "catastrophising", "new-one"]
    assert TYPES["multi_choice"].text(patterns, chosen) == "Mind reading, Expecting the worst, new-one (a newer choice)"
    assert fields.option_label(technique, "body-scan") == "Body scan" and fields.option_label(technique, "x") is None


def test_which_types_are_answered_by_choosing_and_which_say_what_an_entry_is_about():
    mood = kinds.get_kind("mood").field("score")
    belief = kinds.get_kind("experiment").field("belief_before")  # 0 to 100 in steps of 5: 21 steps, typed
    assert TYPES["scale"].by_choice(mood) and TYPES["scale"].by_choice(belief) is False
    assert {n for n, t in TYPES.items() if t.by_choice(mood)} == {"scale", "yes_no", "single_choice", "multi_choice"}
    # The same roles as web/js/core/fields.js `headline` (web/test/core/fields.test.js compares the two).
    assert {n: t.headline for n, t in TYPES.items() if t.headline} == {
        "short_text": "text",
        "long_text": "text",
        "single_choice": "choice",
    }


def test_split_keeps_an_escaped_separator():
    assert fields.split(r"a\;b; c ;; d\\", ";") == ["a;b", "c", "d\\"]
