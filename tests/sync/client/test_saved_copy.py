"""Bringing back a saved copy (sync/client/saved_copy.py): every case of tests/vectors/restore.json, which
web/js/screens/export/export.js readCopy passes too (web/test/screens/export/export.test.js)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from between.sync.client import saved_copy
from between.sync.core.errors import BetweenError

CASES = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "restore.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_case_of_the_vectors(case):
    here = [tuple(pair) for pair in case["here"]]
    try:
        items = saved_copy.parse(case["text"]) if "text" in case else case["copy"]
        found = saved_copy.read_copy(items, lambda: here)
    except BetweenError as exc:
        assert exc.code == "not_a_copy"
        assert exc.detail == f"this file is not a copy saved from Between ({case['expect']['refused']})"
        return
    assert "refused" not in case["expect"], "a file the vectors refuse was read"
    assert [vars(e) for e in found.entries] == case["expect"]["entries"]
    assert (found.already, found.unreadable, found.not_entries) == (
        case["expect"]["already"],
        case["expect"]["unreadable"],
        case["expect"]["not_entries"],
    )


def test_the_vectors_cover_every_outcome():
    expects = [c["expect"] for c in CASES]
    assert {e["refused"] for e in expects if "refused" in e} == {saved_copy.NOT_JSON, saved_copy.NO_LIST}
    for count in ("already", "unreadable", "not_entries"):
        assert any(e.get(count) for e in expects), count
    assert any(e.get("entries") for e in expects)
    assert any(c["here"] for c in CASES)


def test_a_file_that_is_no_copy_is_refused_before_the_device_is_read():
    def here():
        raise AssertionError("the device's entries were read")

    with pytest.raises(BetweenError, match="holds no list"):
        saved_copy.read_copy({"not": "a list"}, here)
