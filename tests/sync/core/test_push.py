"""sync/core/push.py against tests/vectors/push.json: every case's verdicts, every verdict the module can give is in
the file, and judging changes nothing."""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from between.sync.core import push

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
DOC = json.loads((VECTORS / "push.json").read_text(encoding="utf-8"))
IDS = {name: bytes.fromhex(value) for name, value in DOC["ids"].items()}


def _load_cases_module():
    # By path: the tests folder is not a package, and the reader must be the file next to push.json.
    spec = importlib.util.spec_from_file_location("push_cases", VECTORS / "push_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES_MODULE = _load_cases_module()


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_vector(case):
    assert CASES_MODULE.judged(case, IDS) == case["verdicts"]


def test_every_verdict_the_module_gives_is_in_the_vectors():
    """Each refusal push.py can give (its fixed detail), and each kind of ok, conflict and abort, has a case."""
    source = Path(push.__file__).read_text(encoding="utf-8")
    details = {
        call.args[1].value
        for call in ast.walk(ast.parse(source))
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) == "Verdict"
        and len(call.args) > 1
        and isinstance(call.args[1], ast.Constant)
    }
    verdicts = [v for case in DOC["cases"] for v in case["verdicts"]]
    assert len(details) == 10
    assert details <= {v.get("detail") for v in verdicts}
    kinds = {(v["status"], v.get("new", False), (v.get("head") or {}).get("item") is not None) for v in verdicts}
    assert {
        ("ok", True, False),
        ("ok", False, False),
        ("conflict", False, False),
        ("conflict", False, True),
        ("aborted", False, False),
    } <= kinds
    assert {"1", "2", "3", "4", "5", "6", "7", "8", "9", "atomic"} == {c["rule"] for c in DOC["cases"]}


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_judge_changes_nothing(case):
    state = CASES_MODULE.read_state(case["state"], IDS)
    before = copy.deepcopy(state)
    for doc in case["items"]:
        item = CASES_MODULE.read_item(doc, IDS)
        if isinstance(item, push.Item):
            push.judge(item, state)
    assert state == before


def test_accept_is_what_the_next_item_is_judged_against():
    """After an item is accepted: its revision is the head (written by that item), a replay of it gets its seq, and a
    revoke ended every grant of that grantee for the record before the item's grants were given."""
    alice, theo, tara, rec, k1, k2 = (IDS[n] for n in ("alice", "theo", "tara", "r1", "k1", "k2"))
    state = push.State(owner_id=alice, seq=7, access={rec: {(theo, k1): True, (tara, k1): True}})
    item = push.Item(
        record_id=rec,
        base_version=0,
        rev_id=IDS["r1.1"],
        version=1,
        parent=bytes(32),
        key_id=k2,
        grants=(push.GrantTo(tara, b""),),
        revoke=(theo,),
    )
    push.accept(item, state, 3)
    assert state.seq == 8
    assert state.heads[rec] == push.Head(alice, 1, IDS["r1.1"], item=3)
    assert state.stored[(rec, IDS["r1.1"])] == push.Stored(8, push.sharing_digest([tara], [theo]))
    assert state.access[rec] == {(theo, k1): False, (tara, k1): True, (tara, k2): True}


def test_the_sharing_change_is_compared_by_ids_as_sets():
    a, b = IDS["theo"], IDS["tara"]
    assert push.sharing_digest([a, b], []) == push.sharing_digest([b, a], [])
    assert push.sharing_digest([a], [b]) != push.sharing_digest([a, b], [])
    assert push.sharing_digest([], [a]) != push.sharing_digest([a], [])


def test_only_linked_people_may_be_granted_a_key():
    peers = frozenset({IDS["theo"]})
    assert push.may_be_granted(IDS["theo"], peers) and not push.may_be_granted(IDS["eve"], peers)


def _restored_item(version: int, restored: bool = True) -> push.Item:
    return push.Item(
        record_id=b"r" * 16,
        base_version=version - 1,
        rev_id=bytes([version]) * 32,
        version=version,
        parent=bytes([version - 1]) * 32,
        key_id=b"k" * 16,
        restored=restored,
    )


def test_a_revision_sent_again_after_a_restore_may_skip_the_versions_the_server_lost():
    """PROTOCOL.md "Restores and the server epoch": above an older head, or for a record the server lost, a restored
    revision is the new head; without the mark the same item is refused as before; it never goes back."""
    owner = b"o" * 16
    head = push.Head(owner, 2, b"\x02" * 32)

    def state() -> push.State:
        return push.State(owner_id=owner, seq=7, heads={b"r" * 16: head})

    assert push.judge(_restored_item(5), state()) == push.Verdict("ok", seq=8, new=True)
    assert push.judge(_restored_item(5), push.State(owner_id=owner, seq=0)).new  # the server lost the record
    assert push.judge(_restored_item(5, restored=False), state()).status == "conflict"
    lost = push.judge(_restored_item(5, restored=False), push.State(owner_id=owner, seq=0))
    assert lost.status == "invalid"
    # at or below the head: judged as usual (a restored mark moves nothing back, and still needs the head as parent)
    assert push.judge(_restored_item(2), state()).status == "conflict"
    assert push.judge(_restored_item(1), state()).status == "conflict"
    assert push.judge(_restored_item(3), state()).new  # on top of the head, as any push
    forked = dataclasses.replace(_restored_item(3), parent=b"\x09" * 32)
    assert push.judge(forked, state()) == push.Verdict("invalid", "parent is not the current head")
    # another owner's record stays refused
    other = push.State(owner_id=owner, seq=0, heads={b"r" * 16: push.Head(b"x" * 16, 2, b"\x02" * 32)})
    assert push.judge(_restored_item(5), other).status == "forbidden"
