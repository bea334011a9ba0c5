"""Tests of sync/core/sharing.py: every case of tests/vectors/sharing.json (the browser runs the same:
web/test/core/sharing.test.js)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from between.sync.core import sharing

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "sharing.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["held_back"], ids=lambda c: f"{c['linked']}-{c['state']}")
def test_who_may_be_given_a_key_and_why_not(case: dict[str, Any]) -> None:
    assert sharing.held_back(case["linked"], case["state"]) == case["held_back"]
    assert sharing.may_grant(case["linked"], case["state"]) is case["may_grant"]


@pytest.mark.parametrize("case", VECTORS["takes_from"], ids=lambda c: str(c["state"]))
def test_whose_records_are_taken(case: dict[str, Any]) -> None:
    assert sharing.takes_from(case["state"]) is case["takes_from"]


@pytest.mark.parametrize("case", VECTORS["grantees_after"], ids=str)
def test_who_shares_once_an_intent_lands(case: dict[str, Any]) -> None:
    assert sorted(sharing.grantees_after(case["grantees"], case["add"], case["revoke"])) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["share_list_after_pull"], ids=lambda c: c["name"])
def test_which_served_grants_count_after_a_pull(case: dict[str, Any]) -> None:
    got = sharing.share_list_after_pull(
        known=case["known"],
        known_key=bytes.fromhex(case["known_key"]) if case["known_key"] else None,
        key=bytes.fromhex(case["key"]),
        served=case["served"],
        stale=case["stale"],
        gone=case["gone"],
    )
    assert {"grantees": got.grantees, "warnings": got.warnings} == case["expected"]
