"""tests/vectors/push.json: the push decision (PROTOCOL.md §17, push rules 2 to 8, and `atomic`) as cases of items and
the state a server read for them, each with the verdicts sync/core/push.py must give. Built by
`python -m tests.vectors.generate` with the other files.

Every verdict below is written out by hand; build() refuses to produce the file when sync/core/push.py disagrees."""

from __future__ import annotations

import hashlib
from typing import Any

from between.sync.core import push
from tests.vectors.generate import fixed

OWNER = "alice"
# Names stand for bytes (the file's `ids`): people, records and record keys are 16 bytes, revision ids and X25519
# public keys 32. A revision is named <record>.<version>; a second revision of the same version ends in "b".
IDS: dict[str, bytes] = {
    **{n: fixed("push/" + n, 16) for n in ("alice", "theo", "tara", "eve", "r1", "r2", "k1", "k2")},
    **{
        n: fixed("push/" + n)
        for n in ("r1.1", "r1.1b", "r1.2", "r1.2b", "r1.3", "r2.1", "theo-kem", "tara-kem", "eve-kem", "stale-kem")
    },
    "zeros": bytes(32),
}
KEM = {"theo": "theo-kem", "tara": "tara-kem", "eve": "eve-kem"}  # everyone's current X25519 key
NOTHING_SHARED: dict[str, list[str]] = {"granted": [], "revoked": []}

ONLY_OWNER = "only the owner writes a record"
REPLAY = "replayed revision with different grants or revokes"
NO_RECORD = "no such record on the server: a new record starts at base_version 0"
NOT_HEAD = "base_version is not the head"
PARENT = "parent is not the current head"
NO_LINK = "grantee has no care link with the owner"
SEALED = "grant is not sealed to the grantee's current key"
BOTH = "a grantee is both granted and revoked"
REVOKE_KEY = "revoking access needs a new record key"
DEAD_KEY = "this record key was revoked from a reader; the revision needs a new record key"
STATELESS = "revision header or signature failed verification"  # a rule 1 refusal, as the stateless checks give it


def state(
    seq: int = 4,
    heads: tuple[tuple[str, str, int, str], ...] = (),
    stored: tuple[tuple[str, str, int, dict[str, list[str]] | None], ...] = (),
    grants: tuple[tuple[str, str, str, bool], ...] = (),
) -> dict[str, Any]:
    """alice's state, linked to theo and tara (eve has an account, no care link). heads: (record, owner, version,
    rev_id); stored: (record, rev_id, seq, sharing or None); grants: (record, grantee, key_id, active)."""
    return {
        "owner": OWNER,
        "seq": seq,
        "heads": [{"record": r, "owner": o, "version": v, "rev_id": h} for r, o, v, h in heads],
        "stored": [{"record": r, "rev_id": h, "seq": s, "sharing": sh} for r, h, s, sh in stored],
        "grants": [{"record": r, "grantee": g, "key_id": k, "active": a} for r, g, k, a in grants],
        "peers": ["theo", "tara"],
        "kem_pubs": dict(KEM),
    }


def item(
    record: str,
    base: int,
    rev_id: str,
    parent: str,
    key_id: str = "k1",
    grants: tuple[str, ...] = (),
    revoke: tuple[str, ...] = (),
    sealed_to: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An item that passed the stateless checks; each grant is sealed to its grantee's current key unless
    `sealed_to` names another."""
    to = {**KEM, **(sealed_to or {})}
    return {
        "record": record,
        "base_version": base,
        "version": base + 1,
        "rev_id": rev_id,
        "parent": parent,
        "key_id": key_id,
        "grants": [{"grantee": g, "sealed_to": to[g]} for g in grants],
        "revoke": list(revoke),
    }


def refused(detail: str = STATELESS, status: str = "invalid") -> dict[str, Any]:
    """An item the stateless checks (rule 1) refused: it comes to the decision as its verdict."""
    return {"refused": {"status": status, "detail": detail}}


def new(seq: int) -> dict[str, Any]:
    return {"status": "ok", "seq": seq, "new": True}


def replay(seq: int) -> dict[str, Any]:
    return {"status": "ok", "seq": seq}


def no(status: str, detail: str) -> dict[str, Any]:
    return {"status": status, "detail": detail}


def conflict(version: int, rev_id: str, written_by: int | None = None) -> dict[str, Any]:
    return {
        "status": "conflict",
        "detail": NOT_HEAD,
        "head": {"owner": OWNER, "version": version, "rev_id": rev_id, "item": written_by},
    }


ABORTED = {"status": "aborted"}
R1_AT_1 = (("r1", OWNER, 1, "r1.1"),)
R1_AT_2 = (("r1", OWNER, 2, "r1.2"),)
R1_1_STORED = (("r1", "r1.1", 3, NOTHING_SHARED),)
NEXT = item("r1", 1, "r1.2", "r1.1")  # the next version of r1 at version 1, under k1

# name, rule, state, items, atomic, verdicts
CASES: list[tuple[str, str, dict[str, Any], list[dict[str, Any]], bool, list[dict[str, Any]]]] = [
    (
        "a new record: version 1 on zeros, written at the owner's next seq",
        "9",
        state(),
        [item("r1", 0, "r1.1", "zeros")],
        False,
        [new(5)],
    ),
    ("the next version of a stored record", "9", state(heads=R1_AT_1), [NEXT], False, [new(5)]),
    (
        "another owner's record: forbidden (a grantee never writes)",
        "2",
        state(heads=(("r1", "theo", 1, "r1.1"),)),
        [NEXT],
        False,
        [no("forbidden", ONLY_OWNER)],
    ),
    (
        "another owner's record: forbidden even for a revision stored there (rule 2 before rule 3)",
        "2",
        state(heads=(("r1", "theo", 1, "r1.1"),), stored=R1_1_STORED),
        [item("r1", 0, "r1.1", "zeros")],
        False,
        [no("forbidden", ONLY_OWNER)],
    ),
    (
        "a replay: acknowledged with the seq it was stored at, nothing new",
        "3",
        state(heads=R1_AT_1, stored=R1_1_STORED),
        [item("r1", 0, "r1.1", "zeros")],
        False,
        [replay(3)],
    ),
    (
        "a replay after the head moved on is still acknowledged",
        "3",
        state(heads=R1_AT_2, stored=R1_1_STORED),
        [item("r1", 0, "r1.1", "zeros")],
        False,
        [replay(3)],
    ),
    (
        "a replay with the same grantees in another order matches (compared as sets of ids)",
        "3",
        state(heads=R1_AT_1, stored=(("r1", "r1.1", 3, {"granted": ["theo", "tara"], "revoked": []}),)),
        [item("r1", 0, "r1.1", "zeros", grants=("tara", "theo"))],
        False,
        [replay(3)],
    ),
    (
        "a replay with other grants: invalid, nothing of it applied",
        "3",
        state(heads=R1_AT_1, stored=(("r1", "r1.1", 3, {"granted": ["theo"], "revoked": []}),)),
        [item("r1", 0, "r1.1", "zeros")],
        False,
        [no("invalid", REPLAY)],
    ),
    (
        "a replay with other revokes: invalid",
        "3",
        state(heads=R1_AT_2, stored=(("r1", "r1.2", 3, {"granted": ["theo"], "revoked": []}),)),
        [item("r1", 1, "r1.2", "r1.1", grants=("theo",), revoke=("tara",))],
        False,
        [no("invalid", REPLAY)],
    ),
    (
        "a revision stored before sharing changes were recorded (migration 0002): any replay is acknowledged",
        "3",
        state(heads=R1_AT_1, stored=(("r1", "r1.1", 3, None),)),
        [item("r1", 0, "r1.1", "zeros", grants=("theo",))],
        False,
        [replay(3)],
    ),
    (
        "a record the server never stored starts at base_version 0",
        "4",
        state(),
        [item("r1", 1, "r1.2", "r1.1")],
        False,
        [no("invalid", NO_RECORD)],
    ),
    (
        "a base behind the head: conflict, naming the head",
        "4",
        state(heads=R1_AT_2),
        [item("r1", 1, "r1.2b", "r1.1")],
        False,
        [conflict(2, "r1.2")],
    ),
    (
        "a base ahead of the head: conflict too",
        "4",
        state(heads=R1_AT_1),
        [item("r1", 2, "r1.3", "r1.2")],
        False,
        [conflict(1, "r1.1")],
    ),
    (
        "a parent that is not the head's rev_id",
        "5",
        state(heads=R1_AT_1),
        [item("r1", 1, "r1.2", "r1.1b")],
        False,
        [no("invalid", PARENT)],
    ),
    ("a new record's parent is zeros", "5", state(), [item("r1", 0, "r1.1", "r1.1b")], False, [no("invalid", PARENT)]),
    (
        "grants to linked people, sealed to their current keys",
        "6",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("theo", "tara"))],
        False,
        [new(5)],
    ),
    (
        "a grant to someone without a care link: forbidden",
        "6",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("eve",))],
        False,
        [no("forbidden", NO_LINK)],
    ),
    (
        "a grant sealed to a key that is not the grantee's current one",
        "6",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("theo",), sealed_to={"theo": "stale-kem"})],
        False,
        [no("invalid", SEALED)],
    ),
    (
        "grant by grant: the first failing grant decides (a stale key before a stranger)",
        "6",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("theo", "eve"), sealed_to={"theo": "stale-kem"})],
        False,
        [no("invalid", SEALED)],
    ),
    (
        "grant by grant: a stranger before a stale key",
        "6",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("eve", "theo"), sealed_to={"theo": "stale-kem"})],
        False,
        [no("forbidden", NO_LINK)],
    ),
    (
        "a grantee both granted and revoked",
        "7",
        state(heads=R1_AT_1),
        [item("r1", 1, "r1.2", "r1.1", key_id="k2", grants=("theo",), revoke=("theo",))],
        False,
        [no("invalid", BOTH)],
    ),
    (
        "unsharing under the key the grantee holds: a new key is needed",
        "7",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", True),)),
        [item("r1", 1, "r1.2", "r1.1", revoke=("theo",))],
        False,
        [no("invalid", REVOKE_KEY)],
    ),
    (
        "unsharing under a key the grantee once held and lost: a new key is needed too",
        "7",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k2", False),)),
        [item("r1", 1, "r1.2", "r1.1", key_id="k2", revoke=("theo",))],
        False,
        [no("invalid", REVOKE_KEY)],
    ),
    (
        "unsharing under a new key",
        "7",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", True),)),
        [item("r1", 1, "r1.2", "r1.1", key_id="k2", revoke=("theo",))],
        False,
        [new(5)],
    ),
    (
        "a revision under a key revoked from a reader",
        "8",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", False),)),
        [NEXT],
        False,
        [no("invalid", DEAD_KEY)],
    ),
    (
        "a revoked key stays dead while another reader still holds it",
        "8",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", False), ("r1", "tara", "k1", True))),
        [NEXT],
        False,
        [no("invalid", DEAD_KEY)],
    ),
    (
        "giving the same reader the revoked key back makes it usable again",
        "8",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", False),)),
        [item("r1", 1, "r1.2", "r1.1", grants=("theo",))],
        False,
        [new(5)],
    ),
    (
        "a key revoked from a reader does not touch another key",
        "8",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", False),)),
        [item("r1", 1, "r1.2", "r1.1", key_id="k2")],
        False,
        [new(5)],
    ),
    (
        "two versions of one record in one push: each judged against the one before",
        "9",
        state(),
        [item("r1", 0, "r1.1", "zeros"), item("r1", 1, "r1.2", "r1.1")],
        False,
        [new(5), new(6)],
    ),
    (
        "a conflict with a head written earlier in the same push names that item",
        "4",
        state(),
        [item("r1", 0, "r1.1", "zeros"), item("r1", 0, "r1.1b", "zeros")],
        False,
        [new(5), conflict(1, "r1.1", written_by=0)],
    ),
    (
        "the same revision twice in one push is written once",
        "3",
        state(),
        [item("r1", 0, "r1.1", "zeros"), item("r1", 0, "r1.1", "zeros")],
        False,
        [new(5), replay(5)],
    ),
    (
        "a replay inside one push with other grants",
        "3",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("theo",)), item("r1", 0, "r1.1", "zeros")],
        False,
        [new(5), no("invalid", REPLAY)],
    ),
    (
        "unsharing, then the old key again in the same push",
        "8",
        state(heads=R1_AT_1, grants=(("r1", "theo", "k1", True),)),
        [item("r1", 1, "r1.2", "r1.1", key_id="k2", revoke=("theo",)), item("r1", 2, "r1.3", "r1.2")],
        False,
        [new(5), no("invalid", DEAD_KEY)],
    ),
    (
        "sharing, then unsharing under the same key in the same push",
        "7",
        state(),
        [item("r1", 0, "r1.1", "zeros", grants=("theo",)), item("r1", 1, "r1.2", "r1.1", revoke=("theo",))],
        False,
        [new(5), no("invalid", REVOKE_KEY)],
    ),
    (
        "without atomic each item stands alone, and a refused one takes no seq",
        "atomic",
        state(),
        [item("r1", 0, "r1.1", "zeros"), refused(), item("r2", 0, "r2.1", "zeros")],
        False,
        [new(5), no("invalid", STATELESS), new(6)],
    ),
    (
        "a refusal of the stateless checks keeps its status",
        "1",
        state(),
        [refused(NO_LINK, "forbidden")],
        False,
        [no("forbidden", NO_LINK)],
    ),
    (
        "atomic, every item ok",
        "atomic",
        state(),
        [item("r1", 0, "r1.1", "zeros"), item("r2", 0, "r2.1", "zeros")],
        True,
        [new(5), new(6)],
    ),
    (
        "atomic: a refused item fails the push, every other item says aborted and nothing is new",
        "atomic",
        state(),
        [item("r1", 0, "r1.1", "zeros"), refused(), item("r2", 0, "r2.1", "zeros")],
        True,
        [ABORTED, no("invalid", STATELESS), ABORTED],
    ),
    (
        "atomic: a conflict fails the push and still names the head",
        "atomic",
        state(heads=R1_AT_1),
        [item("r2", 0, "r2.1", "zeros"), item("r1", 0, "r1.1b", "zeros")],
        True,
        [ABORTED, conflict(1, "r1.1")],
    ),
    (
        "atomic: a conflict with a head an earlier item wrote names that item, although it is aborted",
        "atomic",
        state(),
        [item("r1", 0, "r1.1", "zeros"), item("r1", 0, "r1.1b", "zeros")],
        True,
        [ABORTED, conflict(1, "r1.1", written_by=0)],
    ),
    (
        "atomic: a replay is ok, and a failure after it still aborts it",
        "atomic",
        state(heads=R1_AT_1, stored=R1_1_STORED),
        [item("r1", 0, "r1.1", "zeros"), item("r2", 1, "r2.1", "zeros")],
        True,
        [ABORTED, no("invalid", NO_RECORD)],
    ),
]


# ---------------------------------------------------------------- reading a case (tests/sync/core/test_push.py too)


def read_state(doc: dict[str, Any], ids: dict[str, bytes]) -> push.State:
    s = push.State(owner_id=ids[doc["owner"]], seq=doc["seq"])
    for h in doc["heads"]:
        s.heads[ids[h["record"]]] = push.Head(ids[h["owner"]], h["version"], ids[h["rev_id"]])
    for r in doc["stored"]:
        sharing = r["sharing"]
        digest = (
            None
            if sharing is None
            else push.sharing_digest([ids[g] for g in sharing["granted"]], [ids[g] for g in sharing["revoked"]])
        )
        s.stored[(ids[r["record"]], ids[r["rev_id"]])] = push.Stored(r["seq"], digest)
    for g in doc["grants"]:
        s.access.setdefault(ids[g["record"]], {})[(ids[g["grantee"]], ids[g["key_id"]])] = g["active"]
    s.peers = frozenset(ids[p] for p in doc["peers"])
    s.kem_pubs = {ids[who]: ids[key] for who, key in doc["kem_pubs"].items()}
    return s


def read_item(doc: dict[str, Any], ids: dict[str, bytes]) -> push.Item | push.Verdict:
    if "refused" in doc:
        return push.Verdict(doc["refused"]["status"], doc["refused"]["detail"])
    grants = tuple(push.GrantTo(ids[g["grantee"]], hashlib.sha256(ids[g["sealed_to"]]).digest()) for g in doc["grants"])
    return push.Item(
        record_id=ids[doc["record"]],
        base_version=doc["base_version"],
        rev_id=ids[doc["rev_id"]],
        version=doc["version"],
        parent=ids[doc["parent"]],
        key_id=ids[doc["key_id"]],
        grants=grants,
        revoke=tuple(ids[g] for g in doc["revoke"]),
    )


def write_verdict(v: push.Verdict, names: dict[bytes, str]) -> dict[str, Any]:
    """A verdict as the file spells it: only the fields it has."""
    out: dict[str, Any] = {"status": v.status}
    if v.detail is not None:
        out["detail"] = v.detail
    if v.seq is not None:
        out["seq"] = v.seq
    if v.head is not None:
        out["head"] = {
            "owner": names[v.head.owner_id],
            "version": v.head.version,
            "rev_id": names[v.head.rev_id],
            "item": v.head.item,
        }
    if v.new:
        out["new"] = True
    return out


def judged(case: dict[str, Any], ids: dict[str, bytes]) -> list[dict[str, Any]]:
    """The verdicts push.judge_push gives a case of the file."""
    names = {b: n for n, b in ids.items()}
    verdicts = push.judge_push(
        [read_item(i, ids) for i in case["items"]], read_state(case["state"], ids), case["atomic"]
    )
    return [write_verdict(v, names) for v in verdicts]


def build() -> dict[str, Any]:
    ids = {name: value.hex() for name, value in IDS.items()}
    cases = []
    for name, rule, st, items, atomic, verdicts in CASES:
        case = {"name": name, "rule": rule, "state": st, "atomic": atomic, "items": items, "verdicts": verdicts}
        got = judged(case, IDS)
        if got != verdicts:
            raise SystemExit(f"push.judge_push disagrees with the case {name!r}: {got}")
        cases.append(case)
    return {
        "description": "The push decision (PROTOCOL.md §17, push rules 2 to 8, and atomic). Each case: the state a "
        "server read for one push (heads of the pushed records; revisions stored under the pushed "
        "rev_ids with the seq and sharing change they were stored with, null when stored before "
        "migration 0002; every grant row of the pushed records, revoked ones too; the owner's care "
        "links and everyone's current X25519 key), the items in order (an item refused by the "
        "stateless checks of rule 1 comes as its verdict), and each item's verdict. Items are judged "
        "in order, each against the state plus the items accepted before it. A grant's "
        "grantee_kem_hash is SHA-256 of the key it names in sealed_to. A verdict has detail, seq, the "
        "head of a conflict (item: the index of the item of this push that wrote it, or null) and "
        "new (written now) only when it has them. ids: each name's bytes, lowercase hex.",
        "ids": ids,
        "cases": cases,
    }
