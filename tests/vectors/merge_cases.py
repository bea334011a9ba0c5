"""Writes tests/vectors/merge.json: hand-checked three-way merge cases that Python and the browser must both pass.

Run `.venv/bin/python -m tests.vectors.merge_cases`. Every expected result below is written out by hand;
main() refuses to write the file when sync/core/merge.py disagrees with any of them.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

from between.sync.core.merge import (
    MARK_END,
    MARK_OTHER,
    MARK_START,
    NOTE_DELETE,
    NOTE_ITEM,
    NOTE_LIST,
    NOTE_TEXT,
    NOTE_VALUE,
    merge_documents,
)
from between.sync.core.sketch import encode_points

OUT = Path(__file__).with_name("merge.json")

T0 = "2026-11-01T09:00:00Z"  # base, written on the phone
T1 = "2026-11-02T10:00:00Z"  # local edit, on the phone
T2 = "2026-11-02T11:30:00Z"  # remote edit, on the laptop


def doc(kind: str, fields: dict, *, at: str = T0, device: str = "phone", created: str = T0, **extra: Any) -> dict:
    return {"v": 1, "kind": kind, "fields": fields, "created_at": created, "updated_at": at, "device": device, **extra}


def mine(kind: str, fields: dict, **extra: Any) -> dict:
    return doc(kind, fields, at=T1, **extra)


def theirs(kind: str, fields: dict, **extra: Any) -> dict:
    return doc(kind, fields, at=T2, device="laptop", **extra)


def merged(kind: str, fields: dict, *notes: dict, at: str = T2, **extra: Any) -> dict:
    d = doc(kind, fields, at=at, **extra)
    if notes:
        d["conflicts"] = list(d.get("conflicts", [])) + list(notes)
    return d


def other(entry: dict, device: str = "laptop", at: str = T2) -> dict:
    return {**entry, "other_device": device, "other_updated_at": at}


def n_text(at: str, hunks: int = 1) -> dict:
    return other({"at": at, "strategy": "text", "note": NOTE_TEXT, "hunks": hunks})


def n_value(at: str, value: Any) -> dict:
    return other({"at": at, "strategy": "scalar", "note": NOTE_VALUE, "other_value": value})


def n_list(at: str, value: list) -> dict:
    return other({"at": at, "strategy": "list", "note": NOTE_LIST, "other_value": value})


def n_item(at: str, value: dict) -> dict:
    return other({"at": at, "strategy": "list", "note": NOTE_ITEM, "item": value["name"], "other_value": value})


def n_delete(device: str) -> dict:
    return {"at": "", "strategy": "delete", "note": NOTE_DELETE, "deleted_on_device": device}


def both(local: str, remote: str, eol: str = "\n") -> str:
    """The block a text hunk becomes when both devices changed it differently."""
    return f"{MARK_START}{eol}{local}{MARK_OTHER}{eol}{remote}{MARK_END}{eol}"


def case(
    name: str,
    base: dict | None,
    local: dict,
    remote: dict,
    expected: dict,
    *,
    deleted: bool = False,
    conflicted: bool = False,
    local_deleted: bool = False,
    remote_deleted: bool = False,
) -> dict:
    return {
        "name": name,
        "base": base,
        "local": local,
        "remote": remote,
        "local_deleted": local_deleted,
        "remote_deleted": remote_deleted,
        "expected": {"document": expected, "deleted": deleted, "conflicted": conflicted},
    }


BODY = "Morning: tired.\n\nLunch with Sam went fine.\n\nEvening: calmer.\n"
MOOD = {"score": 5, "emotions": ["tired", "calm"], "note": "Slept badly.\n"}
TR_EMO = [{"name": "anxious", "intensity": 80}, {"name": "sad", "intensity": 40}, {"name": "angry", "intensity": 20}]


def stroke(sid: str, points: list[tuple[int, int, int]], tool: str = "pen", color: str = "ink") -> dict:
    return {"id": sid, "tool": tool, "color": color, "width": 4, "points": encode_points(points)}


S1 = stroke("s1-aaaaaaaaaa", [(400, 400, 128), (420, 410, 130), (460, 430, 140)])
S2 = stroke("s2-bbbbbbbbbb", [(1000, 800, 100), (1010, 820, 110)], color="blue")
S3 = stroke("s3-cccccccccc", [(2000, 1500, 128)], tool="marker", color="orange")
S4 = stroke("s4-dddddddddd", [(3000, 2000, 0), (2990, 2010, 255)], tool="eraser")


def attachment(n: int, media: str, **extra: Any) -> dict:
    """An attachment item (PROTOCOL.md section 19) with fixed bytes: the merge only looks at its id."""
    raw = bytes([n]) * 32
    key = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {
        "id": f"00000000-0000-4000-8000-{n:012x}",
        "key": key,
        "size": 1000 * n,
        "digest": key,
        "media": media,
        **extra,
    }


P1 = attachment(1, "image/jpeg", width=1200, height=900)
P2 = attachment(2, "image/webp", width=800, height=600)
P3 = attachment(3, "image/png", width=100, height=100)
V1 = attachment(4, "audio/webm", duration_ms=5000)
V2 = attachment(5, "audio/ogg", duration_ms=12000)
V3 = attachment(6, "audio/mp4")

SHEET = {
    "fields": [
        {"id": "what", "label": "What happened?", "type": "long_text", "required": True},
        {"id": "urge", "label": "Urge to leave", "type": "scale", "required": False},
        {
            "id": "helped",
            "label": "What helped",
            "type": "multi_choice",
            "required": False,
            "constraints": {
                "options": [
                    {"id": "breathing", "label": "Breathing"},
                    {"id": "counting", "label": "Counting"},
                    {"id": "music", "label": "Music"},
                ]
            },
        },
    ]
}
WS_ANSWERS = {"what": "Tight chest.\nCounted stops.\nStayed on.\n", "urge": 7, "helped": ["breathing"]}
SHEET_SCALAR = {"fields": [{**SHEET["fields"][0], "merge": "scalar"}, *SHEET["fields"][1:]]}


def cases() -> list[dict]:
    j = lambda body, **kw: {"body": body, **kw}  # noqa: E731
    out = [
        case(
            "one side changed a scalar: take it (local)",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 7}),
            theirs("mood", MOOD),
            merged("mood", {**MOOD, "score": 7}),
        ),
        case(
            "one side changed a scalar: take it (remote)",
            doc("mood", MOOD),
            mine("mood", MOOD),
            theirs("mood", {**MOOD, "score": 3}),
            merged("mood", {**MOOD, "score": 3}),
        ),
        case(
            "both made the same change",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 2}),
            theirs("mood", {**MOOD, "score": 2}),
            merged("mood", {**MOOD, "score": 2}),
        ),
        case(
            "different fields changed on each side",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 6}),
            theirs("mood", {**MOOD, "note": "Slept badly.\nBetter after a walk.\n"}),
            merged("mood", {**MOOD, "score": 6, "note": "Slept badly.\nBetter after a walk.\n"}),
        ),
        case(
            "scalar changed on both sides: keep local, record remote",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 6}),
            theirs("mood", {**MOOD, "score": 4}),
            merged("mood", {**MOOD, "score": 6}, n_value("/fields/score", 4)),
            conflicted=True,
        ),
        case(
            "choice changed on both sides, minutes on one",
            doc("relaxation", {"minutes": 10, "technique": "box-breathing"}),
            mine("relaxation", {"minutes": 10, "technique": "body-scan"}),
            theirs("relaxation", {"minutes": 12, "technique": "guided-imagery"}),
            merged(
                "relaxation", {"minutes": 12, "technique": "body-scan"}, n_value("/fields/technique", "guided-imagery")
            ),
            conflicted=True,
        ),
        case(
            "text: edits in different paragraphs merge cleanly",
            doc("journal", j(BODY)),
            mine("journal", j(BODY.replace("tired.", "tired, headache."))),
            theirs("journal", j(BODY.replace("calmer.", "calmer after tea."))),
            merged(
                "journal", j("Morning: tired, headache.\n\nLunch with Sam went fine.\n\nEvening: calmer after tea.\n")
            ),
        ),
        case(
            "text: same line changed differently keeps both with markers",
            doc("journal", j(BODY)),
            mine("journal", j(BODY.replace("went fine", "was tense"))),
            theirs("journal", j(BODY.replace("went fine", "was lovely"))),
            merged(
                "journal",
                j(
                    "Morning: tired.\n\n"
                    + both("Lunch with Sam was tense.\n", "Lunch with Sam was lovely.\n")
                    + "\nEvening: calmer.\n"
                ),
                n_text("/fields/body"),
            ),
            conflicted=True,
        ),
        case(
            "text: both appended different lines at the end",
            doc("journal", j("Day one.\n")),
            mine("journal", j("Day one.\nWalked to the park.\n")),
            theirs("journal", j("Day one.\nCalled my sister.\n")),
            merged(
                "journal",
                j("Day one.\n" + both("Walked to the park.\n", "Called my sister.\n")),
                n_text("/fields/body"),
            ),
            conflicted=True,
        ),
        case(
            "text: identical edits on both sides are not a conflict",
            doc("journal", j(BODY)),
            mine("journal", j(BODY + "Night: asleep by ten.\n")),
            theirs("journal", j(BODY + "Night: asleep by ten.\n")),
            merged("journal", j(BODY + "Night: asleep by ten.\n")),
        ),
        case(
            "text: one side deletes a paragraph, the other edits elsewhere",
            doc("journal", j(BODY)),
            mine("journal", j("Morning: tired.\n\nEvening: calmer.\n")),
            theirs("journal", j(BODY.replace("Morning: tired.", "Morning: very tired."))),
            merged("journal", j("Morning: very tired.\n\nEvening: calmer.\n")),
        ),
        case(
            "text: deleted here, edited there keeps the edit inside markers",
            doc("journal", j("a\nb\nc\n")),
            mine("journal", j("a\nc\n")),
            theirs("journal", j("a\nB!\nc\n")),
            merged("journal", j("a\n" + both("", "B!\n") + "c\n"), n_text("/fields/body")),
            conflicted=True,
        ),
        case(
            "text: unicode (emoji, CJK, RTL, combining marks) merges by line",
            doc("journal", j("今天很累。\nשלום\nCafe\u0301 ☕\n")),
            mine("journal", j("今天很累。😔\nשלום\nCafe\u0301 ☕\n")),
            theirs("journal", j("今天很累。\nשלום\nCafe\u0301 ☕ with Noor 💛\n")),
            merged("journal", j("今天很累。😔\nשלום\nCafe\u0301 ☕ with Noor 💛\n")),
        ),
        case(
            "text: unicode overlapping edit keeps both",
            doc("journal", j("Ich fühle mich …\n")),
            mine("journal", j("Ich fühle mich müde.\n")),
            theirs("journal", j("Ich fühle mich ängstlich.\n")),
            merged("journal", j(both("Ich fühle mich müde.\n", "Ich fühle mich ängstlich.\n")), n_text("/fields/body")),
            conflicted=True,
        ),
        case(
            "text: CRLF lines merge cleanly",
            doc("journal", j("one\r\ntwo\r\nthree\r\nfour\r\n")),
            mine("journal", j("ONE\r\ntwo\r\nthree\r\nfour\r\n")),
            theirs("journal", j("one\r\ntwo\r\nthree\r\nFOUR\r\n")),
            merged("journal", j("ONE\r\ntwo\r\nthree\r\nFOUR\r\n")),
        ),
        case(
            "text: CRLF overlapping edit uses CRLF markers",
            doc("journal", j("one\r\ntwo\r\n")),
            mine("journal", j("one\r\nmine\r\n")),
            theirs("journal", j("one\r\ntheirs\r\n")),
            merged("journal", j("one\r\n" + both("mine\r\n", "theirs\r\n", "\r\n")), n_text("/fields/body")),
            conflicted=True,
        ),
        case(
            "text: last line without newline gets one inside markers",
            doc("journal", j("first\nlast")),
            mine("journal", j("first\nlast, mine")),
            theirs("journal", j("first\nlast, theirs")),
            merged("journal", j("first\n" + both("last, mine\n", "last, theirs\n")), n_text("/fields/body")),
            conflicted=True,
        ),
        case(
            "text: two separate overlapping hunks are counted",
            doc("journal", j("a\nb\nc\nd\ne\n")),
            mine("journal", j("A1\nb\nc\nd\nE1\n")),
            theirs("journal", j("A2\nb\nc\nd\nE2\n")),
            merged("journal", j(both("A1\n", "A2\n") + "b\nc\nd\n" + both("E1\n", "E2\n")), n_text("/fields/body", 2)),
            conflicted=True,
        ),
        case(
            "text: repeated lines align by the common prefix first (pins the diff for other ports)",
            doc("journal", j("x\nx\nx\n")),
            mine("journal", j("x\nx\n")),
            theirs("journal", j("x\nx\nx\ny\n")),
            merged("journal", j("x\nx\n" + both("", "x\ny\n")), n_text("/fields/body")),
            conflicted=True,
        ),
        case(
            "yes/no set differently on both sides",
            doc("experiment", {"plan": "p", "prediction": "q"}),
            mine("experiment", {"plan": "p", "prediction": "q", "done": True}),
            theirs("experiment", {"plan": "p", "prediction": "q", "done": False}),
            merged("experiment", {"plan": "p", "prediction": "q", "done": True}, n_value("/fields/done", False)),
            conflicted=True,
        ),
        case(
            "list by position: repeated items",
            doc("reading", {"title": "B", "key_ideas": ["a", "b", "a"]}),
            mine("reading", {"title": "B", "key_ideas": ["a", "b", "a", "c"]}),
            theirs("reading", {"title": "B", "key_ideas": ["b", "a"]}),
            merged("reading", {"title": "B", "key_ideas": ["b", "a", "c"]}),
        ),
        case(
            "set: both sides' additions and removals apply",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "emotions": ["calm", "hopeful"]}),
            theirs("mood", {**MOOD, "emotions": ["tired", "calm", "proud"]}),
            merged("mood", {**MOOD, "emotions": ["calm", "hopeful", "proud"]}),
        ),
        case(
            "set: multiple choice options",
            doc(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": TR_EMO,
                    "thinking_patterns": ["mind-reading", "labelling"],
                },
            ),
            mine(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": TR_EMO,
                    "thinking_patterns": ["mind-reading", "labelling", "catastrophising"],
                },
            ),
            theirs(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": TR_EMO,
                    "thinking_patterns": ["mind-reading", "fortune-telling"],
                },
            ),
            merged(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": TR_EMO,
                    "thinking_patterns": ["mind-reading", "catastrophising", "fortune-telling"],
                },
            ),
        ),
        case(
            "emotions merge by name",
            doc("thought-record", {"situation": "s", "automatic_thought": "t", "emotions": TR_EMO}),
            mine(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [{"name": "anxious", "intensity": 60}, TR_EMO[1], TR_EMO[2]],
                },
            ),
            theirs(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [TR_EMO[0], TR_EMO[1], {"name": "ashamed", "intensity": 50}],
                },
            ),
            merged(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [{"name": "anxious", "intensity": 60}, TR_EMO[1], {"name": "ashamed", "intensity": 50}],
                },
            ),
        ),
        case(
            "emotions: same emotion re-rated on both sides",
            doc("thought-record", {"situation": "s", "automatic_thought": "t", "emotions": TR_EMO}),
            mine(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [{"name": "anxious", "intensity": 60}, TR_EMO[1], TR_EMO[2]],
                },
            ),
            theirs(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [{"name": "Anxious", "intensity": 70}, TR_EMO[1], TR_EMO[2]],
                },
            ),
            merged(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [{"name": "anxious", "intensity": 60}, TR_EMO[1], TR_EMO[2]],
                },
                n_item("/fields/emotions", {"name": "Anxious", "intensity": 70}),
            ),
            conflicted=True,
        ),
        case(
            "emotions: removed here, re-rated there keeps the re-rating",
            doc("thought-record", {"situation": "s", "automatic_thought": "t", "emotions": TR_EMO}),
            mine("thought-record", {"situation": "s", "automatic_thought": "t", "emotions": TR_EMO[:2]}),
            theirs(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [TR_EMO[0], TR_EMO[1], {"name": "angry", "intensity": 35}],
                },
            ),
            merged(
                "thought-record",
                {
                    "situation": "s",
                    "automatic_thought": "t",
                    "emotions": [TR_EMO[0], TR_EMO[1], {"name": "angry", "intensity": 35}],
                },
            ),
        ),
        case(
            "list by position: append here, edit there",
            doc("reading", {"title": "Book", "key_ideas": ["thoughts are not facts", "notice, then name"]}),
            mine(
                "reading",
                {"title": "Book", "key_ideas": ["thoughts are not facts", "notice, then name", "be kind to yourself"]},
            ),
            theirs("reading", {"title": "Book", "key_ideas": ["thoughts are not always facts", "notice, then name"]}),
            merged(
                "reading",
                {
                    "title": "Book",
                    "key_ideas": ["thoughts are not always facts", "notice, then name", "be kind to yourself"],
                },
            ),
        ),
        case(
            "list by position: same item edited differently keeps both",
            doc("reading", {"title": "Book", "questions": ["why now?", "what next?"]}),
            mine("reading", {"title": "Book", "questions": ["why now, of all times?", "what next?"]}),
            theirs("reading", {"title": "Book", "questions": ["why me?", "what next?"]}),
            merged(
                "reading",
                {"title": "Book", "questions": ["why now, of all times?", "why me?", "what next?"]},
                n_list("/fields/questions", ["why me?", "what next?"]),
            ),
            conflicted=True,
        ),
        case(
            "list by position: both inserted at the same place, no note",
            doc("reading", {"title": "Book", "questions": ["why now?"]}),
            mine("reading", {"title": "Book", "questions": ["why now?", "who helps?"]}),
            theirs("reading", {"title": "Book", "questions": ["why now?", "what next?"]}),
            merged("reading", {"title": "Book", "questions": ["why now?", "who helps?", "what next?"]}),
        ),
        case(
            "field cleared here, edited there: the edit wins",
            doc("mood", MOOD),
            mine("mood", {"score": 5, "emotions": ["tired", "calm"]}),
            theirs("mood", {**MOOD, "note": "Slept badly.\nNightmares again.\n"}),
            merged("mood", {**MOOD, "note": "Slept badly.\nNightmares again.\n"}),
        ),
        case(
            "field cleared on one side only: cleared",
            doc("journal", j(BODY, title="Monday")),
            mine("journal", j(BODY)),
            theirs("journal", j(BODY, title="Monday")),
            merged("journal", j(BODY)),
        ),
        case(
            "unknown fields and top-level keys are preserved",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 6}),
            theirs("mood", {**MOOD, "energy_v2": {"level": 3}}, colour="#88aaff"),
            merged("mood", {**MOOD, "score": 6, "energy_v2": {"level": 3}}, colour="#88aaff"),
        ),
        case(
            "unknown kind: its fields merge as scalars",
            doc("collage", {"caption": "a", "strokes": [1, 2]}),
            mine("collage", {"caption": "b", "strokes": [1, 2]}),
            theirs("collage", {"caption": "c", "strokes": [1, 2, 3]}),
            merged("collage", {"caption": "b", "strokes": [1, 2, 3]}, n_value("/fields/caption", "c")),
            conflicted=True,
        ),
        case(
            "kind changed on both sides keeps local and records the other",
            doc("journal", j("x\n")),
            mine("mood", {"body": "x\n", "score": 4}),
            theirs("thought-record", {"body": "x\n"}),
            merged("mood", {"body": "x\n", "score": 4}, n_value("/kind", "thought-record")),
            conflicted=True,
        ),
        case(
            "timestamps: created_at is the earliest, updated_at the latest (fractions compared as instants)",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 6}, created="2026-10-31T23:59:59.999Z"),
            doc("mood", MOOD, at="2026-11-02T11:30:00.25Z", device="laptop"),
            merged("mood", {**MOOD, "score": 6}, at="2026-11-02T11:30:00.25Z", created="2026-10-31T23:59:59.999Z"),
        ),
        case(
            "timestamps: a tie keeps local's spelling; one that does not parse is ignored",
            doc("mood", MOOD),
            doc("mood", {**MOOD, "score": 6}, at="2026-11-02T11:30:00.000Z", created="yesterday"),
            doc("mood", MOOD, at="2026-11-02T11:30:00+00:00", device="laptop"),
            merged("mood", {**MOOD, "score": 6}, at="2026-11-02T11:30:00.000Z"),
        ),
        case(
            "conflict notes: a dismissed note stays dismissed, the other side's new ones are kept",
            doc("mood", MOOD, conflicts=[n_value("/fields/score", 9)]),
            mine("mood", MOOD),
            theirs("mood", MOOD, conflicts=[n_value("/fields/score", 9), n_value("/fields/x", 1)]),
            merged("mood", MOOD, n_value("/fields/x", 1)),
        ),
        case(
            "deleted here, edited there: the edit wins",
            doc("mood", MOOD),
            mine("mood", MOOD),
            theirs("mood", {**MOOD, "score": 2}),
            merged("mood", {**MOOD, "score": 2}, n_delete("phone")),
            local_deleted=True,
            conflicted=True,
        ),
        case(
            "edited here, deleted there: the edit wins",
            doc("mood", MOOD),
            mine("mood", {**MOOD, "score": 8}),
            theirs("mood", MOOD),
            merged("mood", {**MOOD, "score": 8}, n_delete("laptop"), at=T2),
            remote_deleted=True,
            conflicted=True,
        ),
        case(
            "deleted there, unchanged here: deleted",
            doc("mood", MOOD),
            doc("mood", MOOD),
            theirs("mood", MOOD),
            {**theirs("mood", MOOD), "deleted": True},
            remote_deleted=True,
            deleted=True,
        ),
        case(
            "deleted on both sides: deleted",
            doc("mood", MOOD),
            mine("mood", MOOD),
            theirs("mood", {**MOOD, "score": 1}),
            {**merged("mood", MOOD), "deleted": True},
            local_deleted=True,
            remote_deleted=True,
            deleted=True,
        ),
        case(
            "a deleted flag inside the document counts as a delete",
            doc("mood", MOOD),
            doc("mood", MOOD),
            {**theirs("mood", MOOD), "deleted": True},
            {**theirs("mood", MOOD), "deleted": True},
            deleted=True,
        ),
        case(
            "delete without a known base: the other side is kept",
            None,
            mine("mood", MOOD),
            {"v": 1, "device": "laptop"},
            merged("mood", MOOD, n_delete("laptop"), at=T1),
            remote_deleted=True,
            conflicted=True,
        ),
        case(
            "no base, created on both devices: everything kept, differences noted",
            None,
            mine("journal", j("Slept well.\n", title="Tuesday")),
            theirs("journal", j("Up at six.\n", title="Tues")),
            merged(
                "journal",
                j(both("Slept well.\n", "Up at six.\n"), title="Tuesday"),
                n_text("/fields/body"),
                n_value("/fields/title", "Tues"),
            ),
            conflicted=True,
        ),
        case(
            "no base, identical content: no conflict",
            None,
            mine("mood", MOOD),
            theirs("mood", MOOD),
            merged("mood", MOOD),
        ),
        # Worksheet answers merge by the strategies the worksheet's questions carry (it travels in the document).
        case(
            "worksheet: a long answer edited in two places merges as text",
            doc("worksheet", WS_ANSWERS, worksheet=SHEET, title="Tram"),
            mine(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest.\nCounted stops.\nStayed on, shaking.\n"},
                worksheet=SHEET,
                title="Tram",
            ),
            theirs(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest, dry mouth.\nCounted stops.\nStayed on.\n"},
                worksheet=SHEET,
                title="Tram",
            ),
            merged(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest, dry mouth.\nCounted stops.\nStayed on, shaking.\n"},
                worksheet=SHEET,
                title="Tram",
            ),
        ),
        case(
            "worksheet: multiple choice changed on both sides merges as a set, a scale keeps local with a note",
            doc("worksheet", WS_ANSWERS, worksheet=SHEET, title="Tram"),
            mine(
                "worksheet", {**WS_ANSWERS, "helped": ["breathing", "music"], "urge": 6}, worksheet=SHEET, title="Tram"
            ),
            theirs("worksheet", {**WS_ANSWERS, "helped": ["counting"], "urge": 8}, worksheet=SHEET, title="Tram"),
            merged(
                "worksheet",
                {**WS_ANSWERS, "helped": ["music", "counting"], "urge": 6},
                n_value("/fields/urge", 8),
                worksheet=SHEET,
                title="Tram",
            ),
            conflicted=True,
        ),
        case(
            "worksheet: without a readable worksheet every answer merges as a scalar",
            doc("worksheet", WS_ANSWERS, worksheet={"fields": "?"}),
            mine(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest.\nCounted stops.\nGot off early.\n"},
                worksheet={"fields": "?"},
            ),
            theirs(
                "worksheet",
                {**WS_ANSWERS, "what": "Dry mouth.\nCounted stops.\nStayed on.\n"},
                worksheet={"fields": "?"},
            ),
            merged(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest.\nCounted stops.\nGot off early.\n"},
                n_value("/fields/what", "Dry mouth.\nCounted stops.\nStayed on.\n"),
                worksheet={"fields": "?"},
            ),
            conflicted=True,
        ),
        # The strategy is the question's own `merge` when it has one, not the default of its type.
        case(
            "worksheet: a question's own merge (scalar for a long text) decides, not its type",
            doc("worksheet", WS_ANSWERS, worksheet=SHEET_SCALAR, title="Tram"),
            mine(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest.\nCounted stops.\nGot off early.\n"},
                worksheet=SHEET_SCALAR,
                title="Tram",
            ),
            theirs(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest, dry mouth.\nCounted stops.\nStayed on.\n"},
                worksheet=SHEET_SCALAR,
                title="Tram",
            ),
            merged(
                "worksheet",
                {**WS_ANSWERS, "what": "Tight chest.\nCounted stops.\nGot off early.\n"},
                n_value("/fields/what", "Tight chest, dry mouth.\nCounted stops.\nStayed on.\n"),
                worksheet=SHEET_SCALAR,
                title="Tram",
            ),
            conflicted=True,
        ),
        # A sketch's strokes merge as the union of both sides' strokes by id (docs/MERGE.md "union").
        case(
            "sketch: strokes drawn on two devices at once are all kept, this device's first",
            doc("sketch", {"drawing": [S1], "title": "Calm"}),
            mine("sketch", {"drawing": [S1, S2], "title": "Calm"}),
            theirs("sketch", {"drawing": [S1, S3, S4], "title": "Calm"}),
            merged("sketch", {"drawing": [S1, S2, S3, S4], "title": "Calm"}),
        ),
        case(
            "sketch: a stroke undone on one device stays gone; a stroke drawn on the other is kept",
            doc("sketch", {"drawing": [S1, S2]}),
            mine("sketch", {"drawing": [S1]}),
            theirs("sketch", {"drawing": [S1, S2, S3]}),
            merged("sketch", {"drawing": [S1, S3]}),
        ),
        case(
            "sketch: cleared on one device, drawn on the other: only the new strokes remain",
            doc("sketch", {"drawing": [S1, S2]}),
            mine("sketch", {"drawing": [S3]}),
            theirs("sketch", {"drawing": [S1, S2, S4]}),
            merged("sketch", {"drawing": [S3, S4]}),
        ),
        case(
            "sketch: the same sketch started on two devices (no base): the union of both",
            None,
            mine("sketch", {"drawing": [S1, S2]}),
            theirs("sketch", {"drawing": [S3]}),
            merged("sketch", {"drawing": [S1, S2, S3]}),
        ),
        # Attachments merge as the union of both sides' items by id, as strokes do: an item never changes (a
        # re-recorded note is a new id), so one id is one attachment and nothing is lost.
        case(
            "attachments: a photo added on each device: both kept, this device's first",
            doc("journal", {"body": "Paper drawing.\n", "photos": [P1]}),
            mine("journal", {"body": "Paper drawing.\n", "photos": [P1, P2]}),
            theirs("journal", {"body": "Paper drawing.\n", "photos": [P1, P3]}),
            merged("journal", {"body": "Paper drawing.\n", "photos": [P1, P2, P3]}),
        ),
        case(
            "attachments: a recording replaced on one device, another added on the other: the removed one stays gone",
            doc("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V1]}),
            mine("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V3]}),
            theirs("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V1, V2]}),
            merged("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V3, V2]}),
        ),
        case(
            "attachments: every recording removed on one device (the field left out), one added on the other: "
            "a cleared field loses to a change, so both come back",
            doc("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V1]}),
            mine("conversation-rehearsal", {"goal": "Say no.\n"}),
            theirs("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V1, V2]}),
            merged("conversation-rehearsal", {"goal": "Say no.\n", "recording": [V1, V2]}),
        ),
        case(
            "attachments: re-recorded on both devices (no base): both recordings kept",
            None,
            mine("voice", {"recording": [V1]}),
            theirs("voice", {"recording": [V2]}),
            merged("voice", {"recording": [V1, V2]}),
        ),
    ]
    return out


def build() -> dict:
    return {
        "about": "Three-way merge of entry documents (docs/MERGE.md). merge_documents(base, local, remote, "
        "local_deleted, remote_deleted) must return expected.document (compared as canonical JSON: "
        "sorted keys, no spaces, UTF-8), expected.deleted and expected.conflicted. The merge takes "
        "any JSON objects: `device` is an opaque string to it (phone, laptop here; a real document "
        "carries a device UUID, docs/PROTOCOL.md section 13). Generated by tests/vectors/merge_cases.py.",
        "markers": {"start": MARK_START, "other": MARK_OTHER, "end": MARK_END},
        "cases": cases(),
    }


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check(vectors: dict) -> list[str]:
    """Names of the cases where sync/core/merge.py disagrees with the hand-written expectation."""
    bad = []
    for c in vectors["cases"]:
        got = merge_documents(
            c["base"], c["local"], c["remote"], local_deleted=c["local_deleted"], remote_deleted=c["remote_deleted"]
        )
        want = c["expected"]
        if (canonical(got.document), got.deleted, got.conflicted) != (
            canonical(want["document"]),
            want["deleted"],
            want["conflicted"],
        ):
            bad.append(c["name"])
    return bad


def render(vectors: dict) -> str:
    return json.dumps(vectors, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    vectors = build()
    bad = check(vectors)
    if bad:
        sys.exit("merge.py disagrees with: " + "; ".join(bad))
    OUT.write_text(render(vectors), encoding="utf-8")
    print(f"wrote {OUT} ({len(vectors['cases'])} cases)")


if __name__ == "__main__":
    main()
