"""The browser's merge (web/js/core/merge.js) checked from Python: its seeded random merges must match
sync/core/merge.py."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from between.sync.core.merge import merge_documents
from between.sync.core.records import encode_document

JS_MERGE = Path(__file__).resolve().parents[2] / "vectors" / "js" / "merge_js.json"
CASES = json.loads(JS_MERGE.read_text(encoding="utf-8"))["cases"] if JS_MERGE.exists() else []


def test_file_is_there_and_covers_the_strategies():
    # Regenerate with: cd web && MERGE_VECTORS=write node --test test/merge.test.js
    assert JS_MERGE.exists(), f"{JS_MERGE} is missing"
    assert len(CASES) >= 100
    notes = Counter(
        n["strategy"] for c in CASES for n in c["expected"]["document"].get("conflicts", []) if isinstance(n, dict)
    )
    assert all(notes[s] > 0 for s in ("text", "scalar", "list", "delete")), notes
    assert any(c["expected"]["deleted"] for c in CASES)
    assert any(c["base"] is None for c in CASES)
    assert any(
        isinstance(v, float)
        for c in CASES
        if isinstance((c["local"] or {}).get("fields"), dict)
        for v in c["local"]["fields"].values()
    )
    assert any(c["name"].startswith("edge: ") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_merge_gives_the_js_result(case):
    got = merge_documents(
        case["base"],
        case["local"],
        case["remote"],
        local_deleted=case["local_deleted"],
        remote_deleted=case["remote_deleted"],
    )
    assert encode_document(got.document) == case["canonical"].encode("utf-8")
    assert encode_document(case["expected"]["document"]) == case["canonical"].encode("utf-8")
    assert (got.deleted, got.conflicted) == (case["expected"]["deleted"], case["expected"]["conflicted"])
