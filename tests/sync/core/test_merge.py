"""Tests of sync/core/merge.py: the shared vectors, the line merge, and properties over random documents."""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from between.sync.core.errors import ProtocolError
from between.sync.core.merge import (
    MARK_END,
    MARK_OTHER,
    MARK_START,
    MAX_EDIT_DISTANCE,
    diff3,
    matching,
    merge_documents,
    merge_text,
    split_lines,
)

VECTORS = Path(__file__).parents[2] / "vectors"


def _load_cases_module():
    # By path: the tests folder is not a package, and the generator must be the file next to merge.json.
    spec = importlib.util.spec_from_file_location("merge_cases", VECTORS / "merge_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = json.loads((VECTORS / "merge.json").read_text(encoding="utf-8"))["cases"]


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case):
    got = merge_documents(
        case["base"],
        case["local"],
        case["remote"],
        local_deleted=case["local_deleted"],
        remote_deleted=case["remote_deleted"],
    )
    assert canonical(got.document) == canonical(case["expected"]["document"])
    assert got.deleted is case["expected"]["deleted"]
    assert got.conflicted is case["expected"]["conflicted"]


def test_vectors_cover_every_rule_and_file_is_current():
    assert len(CASES) >= 25
    names = " ".join(c["name"] for c in CASES).lower()
    for rule in (
        "scalar",
        "text",
        "set",
        "emotions",
        "list by position",
        "unicode",
        "crlf",
        "no base",
        "deleted here, edited there",
        "edited here, deleted there",
        "deleted on both",
        "unknown",
        "created_at",
    ):
        assert rule in names, rule
    module = _load_cases_module()
    assert (VECTORS / "merge.json").read_text(encoding="utf-8") == module.render(module.build())


def test_the_generator_refuses_a_wrong_expectation():
    module = _load_cases_module()
    vectors = module.build()
    assert module.check(vectors) == []
    vectors["cases"][0]["expected"]["document"]["fields"]["score"] = 99
    vectors["cases"][5]["expected"]["conflicted"] = False
    assert module.check(vectors) == [vectors["cases"][0]["name"], vectors["cases"][5]["name"]]


def test_split_lines_only_splits_on_newline():
    assert split_lines("a\r\nb\u2028c\x0bd\ne") == ["a\r\n", "b\u2028c\x0bd\n", "e"]
    assert split_lines("") == [] and split_lines("\n") == ["\n"]


def test_diff3_chunks():
    chunks = diff3(list("abcdef"), list("abXdef"), list("abcdeZ"))
    assert chunks == [(["a", "b"],) * 3, (["c"], ["X"], ["c"]), (["d", "e"],) * 3, (["f"], ["f"], ["Z"])]
    assert diff3([], [], []) == []
    assert diff3([], ["x"], []) == [([], ["x"], [])]


def test_merge_text_keeps_both_sides_of_a_conflict_between_markers():
    text, hunks = merge_text("I felt okay.\n", "I felt tired.\n", "I felt hopeful.\n")
    assert hunks == 1
    assert text.splitlines() == [MARK_START, "I felt tired.", MARK_OTHER, "I felt hopeful.", MARK_END]


def test_long_unrelated_texts_keep_both_whole():
    local = "".join(f"mine {i}\n" for i in range(300))
    remote = "".join(f"theirs {i}\n" for i in range(300))
    text, hunks = merge_text("", local, remote)
    assert hunks == 1 and text == f"{MARK_START}\n{local}{MARK_OTHER}\n{remote}{MARK_END}\n"


def test_past_the_edit_distance_limit_only_prefix_and_suffix_match():
    half = MAX_EDIT_DISTANCE // 2 + 1
    a = ["same"] + [f"a{i}" for i in range(half)] + ["middle"] + [f"c{i}" for i in range(half)] + ["end"]
    b = ["same"] + [f"b{i}" for i in range(half)] + ["middle"] + [f"d{i}" for i in range(half)] + ["end"]
    assert matching(a, b) == {0: 0, len(a) - 1: len(b) - 1}
    assert matching([*a[:5], "middle"], [*b[:5], "middle"]) == {0: 0, 5: 5}


def lcs_length(a: list, b: list) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b):
            prev, row[j + 1] = row[j + 1], prev + 1 if x == y else max(row[j + 1], row[j])
    return row[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=12), st.lists(st.sampled_from("abc"), max_size=12))
def test_line_diff_is_a_longest_common_subsequence(a, b):
    pairs = sorted(matching(a, b).items())
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    assert len(pairs) == lcs_length(a, b)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["kind", "fields", "x", "conflicts"]), JSON)),
    st.dictionaries(st.sampled_from(["kind", "fields", "created_at", "x", "conflicts"]), JSON),
    st.dictionaries(st.sampled_from(["kind", "fields", "updated_at", "device", "x"]), JSON),
    st.booleans(),
)
def test_any_json_objects_merge_without_error(base, local, remote, ld):
    result = merge_documents(base, local, remote, local_deleted=ld)
    json.dumps(result.document)
    assert result.document["v"] == 1 and isinstance(result.deleted, bool)


def test_merge_does_not_touch_or_share_its_inputs():
    case = next(c for c in CASES if c["expected"]["conflicted"] and c["base"])
    args = copy.deepcopy((case["base"], case["local"], case["remote"]))
    result = merge_documents(*args)
    assert args == (case["base"], case["local"], case["remote"])
    result.document["fields"]["extra"] = 1
    assert all("extra" not in d["fields"] for d in args)


def test_unknown_document_versions_are_refused():
    doc = {"v": 2, "kind": "mood", "fields": {}}
    with pytest.raises(ProtocolError) as err:
        merge_documents(None, doc, {"v": 1})
    assert err.value.code == "merge_version"


# ---- properties over random documents ----

LINES = st.sampled_from(["a", "b", "c", "d", "", "Grüße 😀", "x\r", "שלום"])
TEXT = st.builds(lambda lines, end: "\n".join(lines) + end, st.lists(LINES, max_size=8), st.sampled_from(["", "\n"]))
EMOTION = st.fixed_dictionaries(
    {"name": st.sampled_from(["anxious", "sad", "Sad", "calm"]), "intensity": st.integers(0, 100)}
)
MOOD_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "score": st.integers(0, 10),
        "note": TEXT,
        "emotions": st.lists(st.sampled_from(["tired", "calm", "proud", "sad"]), max_size=4, unique=True),
        "extra": st.one_of(st.integers(), st.text(max_size=5), st.none()),
    },
)
TR_FIELDS = st.fixed_dictionaries(
    {"situation": TEXT, "automatic_thought": TEXT},
    optional={
        "emotions": st.lists(EMOTION, max_size=4),
        "thinking_patterns": st.lists(st.sampled_from(["labelling", "mind-reading", "catastrophising"]), unique=True),
    },
)
STAMP = st.sampled_from(["2026-11-01T09:00:00Z", "2026-11-01T09:00:00.5Z", "2026-11-02T00:00:00+00:00"])


KIND_FIELDS = st.one_of(MOOD_FIELDS.map(lambda f: ("mood", f)), TR_FIELDS.map(lambda f: ("thought-record", f)))


def documents(fields=KIND_FIELDS):
    return st.builds(
        lambda kf, created, updated, device: {
            "v": 1,
            "kind": kf[0],
            "fields": kf[1],
            "created_at": created,
            "updated_at": updated,
            "device": device,
        },
        fields,
        STAMP,
        STAMP,
        st.sampled_from(["phone", "laptop"]),
    )


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents(), documents(), documents(), st.booleans(), st.booleans())
def test_merge_is_deterministic(base, local, remote, ld, rd):
    first = merge_documents(base, local, remote, local_deleted=ld, remote_deleted=rd)
    again = merge_documents(
        copy.deepcopy(base), copy.deepcopy(local), copy.deepcopy(remote), local_deleted=ld, remote_deleted=rd
    )
    assert canonical(first.document) == canonical(again.document)
    assert (first.deleted, first.conflicted) == (again.deleted, again.conflicted)
    if ld and rd:
        assert first.deleted and not first.conflicted
    if not (ld or rd):
        assert not first.deleted


@FAST
@given(documents(), documents())
def test_a_change_on_one_side_only_is_taken_whole(base, changed):
    if changed["kind"] != base["kind"]:
        changed = {**changed, "kind": base["kind"]}
    for result in (merge_documents(base, changed, base), merge_documents(base, base, changed)):
        assert result.document["fields"] == changed["fields"]
        assert result.document["kind"] == changed["kind"]
        assert not result.conflicted and not result.deleted


@FAST
@given(documents(), documents())
def test_merging_a_document_with_itself_changes_nothing(base, doc):
    result = merge_documents(base, doc, copy.deepcopy(doc))
    assert result.document["fields"] == doc["fields"] and not result.conflicted


@FAST
@given(TEXT, TEXT, TEXT)
def test_no_written_line_is_lost(base, local, remote):
    text, hunks = merge_text(base, local, remote)
    merged = {line.rstrip("\n") for line in split_lines(text)}
    old = {line.rstrip("\n") for line in split_lines(base)}
    for side in (local, remote):
        for line in split_lines(side):
            content = line.rstrip("\n")
            if content not in old:
                # a last line without a terminator gets the text's line ending ("\n" or "\r\n") in a hunk
                assert content in merged or (not line.endswith("\n") and content + "\r" in merged)
    assert (hunks > 0) == (MARK_START in text)


@FAST
@given(TEXT, TEXT, TEXT)
def test_text_merge_is_symmetric_apart_from_the_order_of_conflicting_versions(base, local, remote):
    ours, n1 = merge_text(base, local, remote)
    theirs, n2 = merge_text(base, remote, local)
    assert n1 == n2
    if n1 == 0 and "\r\n" not in local + remote:
        assert ours == theirs


@FAST
@given(
    st.lists(st.sampled_from("abcdef"), unique=True),
    st.lists(st.sampled_from("abcdef"), unique=True),
    st.lists(st.sampled_from("abcdef"), unique=True),
)
def test_sets_apply_both_sides(base, local, remote):
    docs = [{"v": 1, "kind": "mood", "fields": {"score": 1, "emotions": s}} for s in (base, local, remote)]
    got = set(merge_documents(*docs).document["fields"]["emotions"])
    added = (set(local) - set(base)) | (set(remote) - set(base))
    removed = (set(base) - set(local)) | (set(base) - set(remote))
    assert got == (set(base) - removed) | added


@FAST
@given(
    documents(fields=TR_FIELDS.map(lambda f: ("thought-record", f))),
    documents(fields=TR_FIELDS.map(lambda f: ("thought-record", f))),
    documents(fields=TR_FIELDS.map(lambda f: ("thought-record", f))),
)
def test_emotion_edits_are_never_dropped(base, local, remote):
    result = merge_documents(base, local, remote).document
    out = result["fields"].get("emotions", [])
    old = base["fields"].get("emotions", [])
    for side in (local, remote):
        for item in side["fields"].get("emotions", []):
            if item not in old:  # added or re-rated on this side: kept, or recorded as the other value
                assert item in out or any(c.get("other_value") == item for c in result.get("conflicts", []))
