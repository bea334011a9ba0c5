"""Tests of sync/core/fields.py: every field type has a complete entry in the registry, and the registry is the list.

The values each type accepts, refuses and normalises are tested through kinds.py and assignments.py
(tests/sync/test_kinds.py, tests/sync/test_assignments.py), where the messages name the kind and field."""

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
    for hook in ("check", "parse", "text", "constraints_problem"):
        assert callable(getattr(t, hook))
    assert not inspect.isabstract(type(t))
    assert isinstance(t.records_minutes, bool)
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
    assert TYPES["yes_no"].text(True) == "yes" and TYPES["yes_no"].text(False) == "no"
    feelings = [{"name": "sad", "intensity": 40}, {"name": "calm", "intensity": 5}]
    assert TYPES["emotions"].text(feelings) == "sad:40, calm:5"
    assert TYPES["list"].text(["a", "b"]) == "a, b"
    assert TYPES["minutes"].text(90) == "90"
    assert fields.plain_text({"x": 1}) == "{'x': 1}"


def test_split_keeps_an_escaped_separator():
    assert fields.split(r"a\;b; c ;; d\\", ";") == ["a;b", "c", "d\\"]
