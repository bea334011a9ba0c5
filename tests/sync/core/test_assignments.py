"""Assignment and response documents, worksheets and the template library (sync/core/assignments.py, templates.json)."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest

from between.sync.core import assignments, crypto, kinds, records
from between.sync.core.assignments import (
    build_assignment,
    build_from_template,
    validate_assignment,
    validate_plan_contact,
    validate_response,
    validate_worksheet,
    validate_worksheet_answers,
    weekly_minutes,
)
from between.sync.core.errors import BetweenError
from between.sync.core.kinds import FieldError

SECRET = "my-private-words-XYZZY"
NOW = "2026-03-23T10:00:00Z"
BUILD_AT = {"start": "2026-03-23", "time_zone": "Europe/Berlin", "now": NOW, "next_session": "2026-03-30T17:00"}
CLIENT_ENTRY = "8c0e7f0a-4d5b-4a4e-9d7e-0b7c2f1e9a10"
ASSIGNMENT_ID = "0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21"

# The same document is expected from web/test/assignments.test.js: both builders must agree byte for byte.
BREATHING = {
    "v": 1,
    "type": "assignment",
    "template": "breathing-practice",
    "kind": "relaxation",
    "title": "Slow breathing practice",
    "instructions": assignments.get_template("breathing-practice")["instructions"],
    "schedule": {
        "recurrence": {
            "freq": "until_next_session",
            "start": "2026-03-23",
            "next_session": "2026-03-30T17:00",
            "time_zone": "Europe/Berlin",
        }
    },
    "target_minutes_per_week": 70,
    "created_at": NOW,
    "updated_at": NOW,
    "withdrawn": False,
}


def breathing(**changes) -> dict:
    doc = copy.deepcopy(BREATHING)
    doc.update(changes)
    return doc


def response(**changes) -> dict:
    doc = {
        "v": 1,
        "type": "assignment-response",
        "assignment_id": ASSIGNMENT_ID,
        "occurrence": "2026-03-24",
        "status": "done",
        "entry_id": CLIENT_ENTRY,
        "minutes": 12,
        "created_at": "2026-03-24T19:00:00Z",
        "updated_at": "2026-03-24T19:00:00Z",
    }
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


# ---------------------------------------------------------------- the library


def test_library_covers_what_therapists_assign():
    ids = [t["id"] for t in assignments.all_templates()]
    assert len(ids) == len(set(ids)) >= 15
    by_kind = {t["kind"] for t in assignments.all_templates()}
    # Every activity kind has at least one template; the safety plan is not an activity (it has its own screen and is
    # kept up to date rather than done again), so it has none.
    assert {k.id for k in kinds.all_kinds()} - {"safety-plan"} <= by_kind
    for wanted in [
        "journal-evening",
        "thought-record",
        "mood-daily",
        "breathing-practice",
        "try-something-new",
        "conversation-rehearsal",
        "lifestyle-sleep",
        "reading-reflection",
        "researching-resources",
        "setting-a-boundary",
        "gratitude-list",
        "coping-ideas",
    ]:
        assert wanted in ids


@pytest.mark.parametrize("template", assignments.all_templates(), ids=lambda t: t["id"])
def test_every_template_builds_a_valid_assignment_and_reads_warmly(template):
    assert set(template) <= {
        "id",
        "title",
        "kind",
        "summary",
        "instructions",
        "schedule",
        "target_minutes_per_week",
        "worksheet",
    }
    words = " ".join([template["title"], template["summary"], template["instructions"]]).lower()
    assert "homework" not in words and "must" not in words
    assert template["instructions"].endswith((".", "!", "?"))
    doc = build_from_template(
        template["id"], start="2026-03-23", time_zone="Europe/Berlin", now=NOW, next_session="2026-03-30T17:00"
    )
    assert doc["template"] == template["id"] and doc["kind"] == template["kind"]
    assert validate_assignment(doc) == doc  # normalised output is a fixed point
    assert records.decode_document(records.encode_document(doc)) == doc
    if "target_minutes_per_week" in template:
        assert doc["target_minutes_per_week"] == template["target_minutes_per_week"]


def test_templates_json_holds_only_known_schedules():
    for t in raw_library()["templates"]:
        plan = t["schedule"]
        assert plan["freq"] in ("once", "daily", "weekly", "until_next_session")
        assert ("days" in plan) == (plan["freq"] == "weekly")
        assert ("due_in_days" in plan) <= (plan["freq"] == "once")


def raw_library() -> dict:
    return json.loads(assignments.TEMPLATES_JSON.read_bytes())


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d["templates"].append(d["templates"][0]), "repeated id"),
        (lambda d: d["templates"][0].update(colour="blue"), "unknown keys"),
        (lambda d: d["templates"][0].update(kind="astrology"), "activity kind"),
        (lambda d: d["templates"][0]["schedule"].update(freq="monthly"), "freq"),
        (lambda d: d["templates"][0]["schedule"].update(start="2026-01-01"), "schedule holds only"),
        (lambda d: d["templates"][2]["schedule"].update(due_in_days=0), "whole days"),
        (lambda d: d["templates"][0].update(target_minutes_per_week=30), "records minutes"),
        (lambda d: d["templates"][-1]["worksheet"]["fields"][0].update(type="emotions"), "one of"),
        (lambda d: d.update(v=2), "unsupported"),
    ],
)
def test_a_broken_library_is_refused(change, problem):
    data = raw_library()
    change(data)
    with pytest.raises(ValueError, match=problem):
        assignments.parse_library(json.dumps(data).encode())


def test_template_dates_come_from_the_start():
    doc = build_from_template("try-something-new", start="2026-03-27", time_zone="America/New_York", now=NOW)
    assert doc["schedule"] == {
        "due": "2026-04-03",
        "recurrence": {"freq": "once", "start": "2026-03-27", "until": "2026-04-03", "time_zone": "America/New_York"},
    }
    doc = build_from_template("muscle-relaxation", start="2026-03-23", time_zone="Europe/Berlin", now=NOW)
    assert doc["schedule"]["recurrence"]["until"] == "2026-04-05"  # 14 days, start included
    with pytest.raises(FieldError) as caught:
        build_from_template("mood-daily", start="2026-03-23", time_zone="Europe/Berlin", now=NOW)
    assert caught.value.field_id == "schedule.recurrence.next_session"
    with pytest.raises(FieldError) as caught:
        build_from_template("no-such-thing", start="2026-03-23", time_zone="Europe/Berlin", now=NOW)
    assert caught.value.code == "unknown_template"


def test_building_from_a_template_matches_the_shared_expectation():
    doc = build_from_template(
        "breathing-practice", start="2026-03-23", time_zone="Europe/Berlin", now=NOW, next_session="2026-03-30T17:00"
    )
    assert doc == BREATHING


def test_a_therapist_can_tailor_title_wording_and_target():
    doc = build_from_template(
        "breathing-practice",
        start="2026-03-23",
        time_zone="Europe/Berlin",
        now=NOW,
        next_session="2026-03-30T17:00",
        title="Breathing before work",
        instructions="Five minutes\r\nbefore you leave.",
        target_minutes_per_week=35,
    )
    assert (doc["title"], doc["instructions"], doc["target_minutes_per_week"]) == (
        "Breathing before work",
        "Five minutes\nbefore you leave.",
        35,
    )


# ---------------------------------------------------------------- assignment documents


@pytest.mark.parametrize(
    "change, field_id, words",
    [
        (dict(v=2), "v", "must be 1"),
        (dict(type="entry"), "type", "'assignment'"),
        (dict(kind="astrology"), "kind", "activity kind"),
        (dict(title=""), "title", "must not be empty"),
        (dict(title="two\nlines"), "title", "single line"),
        (dict(title="x" * 201), "title", "at most 200"),
        (dict(instructions="x" * 5001), "instructions", "at most 5000"),
        (dict(instructions="bell\x07"), "instructions", "control characters"),
        (dict(template="Not An Id"), "template", "template id"),
        (dict(target_minutes_per_week=0), "target_minutes_per_week", "from 1 to 10080"),
        (dict(target_minutes_per_week=True), "target_minutes_per_week", "whole number"),
        (dict(withdrawn="no"), "withdrawn", "true or false"),
        (dict(created_at="yesterday"), "created_at", "UTC time"),
        (dict(updated_at="2026-03-22T10:00:00Z"), "updated_at", "before created_at"),
        (dict(updated_at="2026-02-30T10:00:00Z"), "updated_at", "real date"),
        (dict(colour="blue"), "colour", "version knows"),
        (dict(worksheet={"fields": []}), "worksheet", "only to kind"),
        (
            dict(schedule={"recurrence": {"freq": "weekly", "start": "2026-03-23", "time_zone": "Europe/Berlin"}}),
            "schedule.recurrence.days",
            "at least one",
        ),
        (
            dict(schedule={"recurrence": {"freq": "daily", "start": "2026-03-23", "time_zone": "Moon/Base"}}),
            "schedule.recurrence.time_zone",
            "time zone",
        ),
        (
            dict(
                schedule={
                    "due": "2026-03-01",
                    "recurrence": {"freq": "daily", "start": "2026-03-23", "time_zone": "UTC"},
                }
            ),
            "schedule.due",
            "before the start",
        ),
        (
            dict(
                schedule={
                    "due": "2026-03-25",
                    "recurrence": {"freq": "once", "start": "2026-03-23", "time_zone": "UTC"},
                }
            ),
            "schedule.due",
            "one-off",
        ),
        (
            dict(schedule={"recurrence": {"freq": "daily", "start": "2026-03-23", "time_zone": "UTC"}, "when": 1}),
            "schedule.when",
            "version knows",
        ),
    ],
)
def test_assignment_errors_name_the_field(change, field_id, words):
    with pytest.raises(FieldError) as caught:
        validate_assignment(breathing(**change))
    assert isinstance(caught.value, BetweenError)
    assert caught.value.field_id == field_id
    assert words in caught.value.detail


def test_a_target_needs_an_activity_that_records_minutes():
    with pytest.raises(FieldError, match="records minutes") as caught:
        validate_assignment(breathing(kind="journal", template=None))
    assert caught.value.field_id == "target_minutes_per_week"
    doc = breathing(kind="journal", template=None)
    del doc["target_minutes_per_week"]
    assert validate_assignment(doc)["kind"] == "journal"


@pytest.mark.parametrize(
    "doc",
    [
        breathing(title=SECRET * 20),
        breathing(title=SECRET + "\n" + SECRET),
        breathing(instructions=SECRET * 400),
        breathing(**{SECRET * 3: 1}),
        response(reason=SECRET * 200, status="not_done"),
    ],
)
def test_errors_never_echo_what_was_written(doc):
    validate = validate_response if doc["type"] == "assignment-response" else validate_assignment
    with pytest.raises(FieldError) as caught:
        validate(doc)
    assert SECRET not in str(caught.value) and SECRET not in caught.value.detail


def test_a_practice_makes_the_document_version_2_and_only_then():
    custom = {"technique": "custom", "timings": {"in": 4, "hold": 7, "out": 8, "rest": 0}, "minutes": 2}
    doc = build_from_template("breathing-practice", **BUILD_AT, practice=custom)
    assert (doc["v"], doc["practice"]) == (2, custom)
    assert build_from_template("breathing-practice", **BUILD_AT)["v"] == 1
    with pytest.raises(FieldError, match="must be 2") as caught:
        validate_assignment({**doc, "v": 1})
    assert caught.value.field_id == "v"
    # A version that reads only 1 refuses a v2 document by its version, before anything else.
    with pytest.raises(FieldError, match="must be 1 or 2") as caught:
        validate_assignment({**doc, "v": 3})
    assert caught.value.field_id == "v"


def test_a_withdrawn_assignment_is_still_a_valid_document():
    assert validate_assignment(breathing(withdrawn=True, updated_at="2026-03-25T08:00:00Z"))["withdrawn"] is True


# ---------------------------------------------------------------- worksheets


SHEET = {
    "fields": [
        {"id": "what", "label": "  What I noticed  ", "type": "short_text", "required": True},
        {"id": "story", "label": "The longer story", "type": "long_text", "constraints": {"max_length": 50}},
        {"id": "ease", "label": "How easy", "type": "scale", "constraints": {"min": 1, "max": 5}},
        {"id": "went", "label": "I went", "type": "yes_no"},
        {"id": "where", "label": "Where", "type": "single_choice", "constraints": {"options": ["Home", "Work"]}},
        {
            "id": "who",
            "label": "Who",
            "type": "multi_choice",
            "constraints": {"options": [{"id": "friend", "label": "A friend"}, {"id": "family", "label": "Family"}]},
        },
        {"id": "ideas", "label": "Ideas", "type": "list", "constraints": {"max_items": 3}},
        {"id": "time", "label": "Time", "type": "minutes", "hint": "Roughly is fine."},
    ]
}


def test_a_worksheet_is_normalised_into_kind_fields():
    sheet = validate_worksheet(SHEET)
    fields = {f["id"]: f for f in sheet["fields"]}
    assert fields["what"] == {
        "id": "what",
        "label": "What I noticed",
        "type": "short_text",
        "required": True,
        "merge": "scalar",
        "constraints": {"max_length": 500},
    }
    assert fields["story"]["merge"] == "text"
    assert fields["ease"]["constraints"] == {"min": 1, "max": 5, "step": 1}
    assert fields["where"]["constraints"]["options"] == [{"id": "o1", "label": "Home"}, {"id": "o2", "label": "Work"}]
    assert fields["who"]["merge"] == "set"
    assert fields["ideas"]["constraints"] == {"max_items": 3, "max_length": 300}
    assert fields["time"] == {
        "id": "time",
        "label": "Time",
        "type": "minutes",
        "required": False,
        "merge": "scalar",
        "constraints": {"min": 0, "max": 240},
        "hint": "Roughly is fine.",
    }
    assert validate_worksheet(sheet) == sheet
    kind = assignments.worksheet_kind(SHEET, "Notice")
    assert isinstance(kind, kinds.Kind) and [f.id for f in kind.fields] == [f["id"] for f in SHEET["fields"]]


@pytest.mark.parametrize(
    "change, path, words",
    [
        (lambda s: s.update(fields=[]), "worksheet.fields", "from 1 to 40"),
        (lambda s: s["fields"].append(dict(s["fields"][0])), "worksheet.fields", "same id"),
        (lambda s: s["fields"][0].update(id="What"), "worksheet.fields[0].id", "start with a letter"),
        (lambda s: s["fields"][0].update(type="emotions"), "worksheet.fields[0].type", "one of"),
        (lambda s: s["fields"][0].update(required="yes"), "worksheet.fields[0].required", "true or false"),
        (lambda s: s["fields"][0].update(label=""), "worksheet.fields[0].label", "must not be empty"),
        (lambda s: s["fields"][1].update(merge="set"), "worksheet.fields[1].merge", "one of"),
        (
            lambda s: s["fields"][2].update(constraints={"min": 0, "max": 11}),
            "worksheet.fields[2].constraints.max",
            "from 0 to 10",
        ),
        (
            lambda s: s["fields"][2].update(constraints={"min": 5, "max": 5}),
            "worksheet.fields[2].constraints.max",
            "more than min",
        ),
        (
            lambda s: s["fields"][2].update(constraints={"step": 2}),
            "worksheet.fields[2].constraints.step",
            "from 1 to 1",
        ),
        (
            lambda s: s["fields"][3].update(constraints={"max_length": 3}),
            "worksheet.fields[3].constraints.max_length",
            "version knows",
        ),
        (
            lambda s: s["fields"][4].update(constraints={"options": ["Only one"]}),
            "worksheet.fields[4].constraints.options",
            "from 2 to 20",
        ),
        (
            lambda s: s["fields"][5]["constraints"]["options"].append({"id": "friend", "label": "Again"}),
            "worksheet.fields[5].constraints.options",
            "same choice twice",
        ),
        (
            lambda s: s["fields"][5]["constraints"]["options"][0].update(id="A friend"),
            "worksheet.fields[5].constraints.options[0].id",
            "lowercase",
        ),
        (
            lambda s: s["fields"][6].update(constraints={"max_items": 101}),
            "worksheet.fields[6].constraints.max_items",
            "from 1 to 100",
        ),
        (
            lambda s: s["fields"][7].update(constraints={"max": 2000}),
            "worksheet.fields[7].constraints.max",
            "from 1 to 1440",
        ),
    ],
)
def test_worksheet_errors_name_the_path(change, path, words):
    sheet = copy.deepcopy(SHEET)
    change(sheet)
    with pytest.raises(FieldError) as caught:
        validate_worksheet(sheet)
    assert caught.value.field_id == path
    assert words in caught.value.detail


def test_worksheet_answers_validate_like_entry_fields():
    answers = validate_worksheet_answers(
        SHEET,
        {
            "what": "  a heron  ",
            "story": "line\r\nline",
            "ease": 4,
            "went": True,
            "where": "o2",
            "who": ["family", "friend", "family"],
            "ideas": ["walk", " ", "tea"],
            "time": 25.0,
        },
    )
    assert answers == {
        "what": "a heron",
        "story": "line\nline",
        "ease": 4,
        "went": True,
        "where": "o2",
        "who": ["friend", "family"],
        "ideas": ["walk", "tea"],
        "time": 25,
    }
    for bad, field_id in [
        ({}, "what"),
        ({"what": "x", "ease": 0}, "ease"),
        ({"what": "x", "ideas": ["a"] * 4}, "ideas"),
        ({"what": "x", "where": "Home"}, "where"),
        ({"what": "x", "story": "y" * 51}, "story"),
        ({"what": "x", "mystery": 1}, "mystery"),
    ]:
        with pytest.raises(FieldError) as caught:
            validate_worksheet_answers(SHEET, bad)
        assert caught.value.field_id == field_id


def test_a_custom_worksheet_assignment():
    doc = build_assignment(
        kind="worksheet",
        title="Noticing walk",
        instructions="",
        worksheet=SHEET,
        recurrence={"freq": "weekly", "days": ["sat", "wed"], "start": "2026-03-23", "time_zone": "America/New_York"},
        now=NOW,
        target_minutes_per_week=60,
    )
    assert doc["template"] is None and doc["schedule"]["recurrence"]["days"] == ["wed", "sat"]
    assert doc["worksheet"] == validate_worksheet(SHEET)
    with pytest.raises(FieldError) as caught:
        build_assignment(
            kind="worksheet",
            title="No questions",
            instructions="",
            now=NOW,
            recurrence={"freq": "once", "start": "2026-03-23", "time_zone": "UTC"},
        )
    assert caught.value.field_id == "worksheet"


# ---------------------------------------------------------------- responses


def test_responses_done_not_done_and_feedback():
    done = validate_response(response(feedback={"rating": "helping", "comment": "  calmer after  "}))
    assert done["feedback"] == {"rating": "helping", "comment": "  calmer after  "}
    assert done["minutes"] == 12
    not_done = validate_response(
        response(
            status="not_done", entry_id=None, minutes=None, reason="Away\r\nall week", feedback={"rating": "too_hard"}
        )
    )
    assert not_done == {
        "v": 1,
        "type": "assignment-response",
        "assignment_id": ASSIGNMENT_ID,
        "occurrence": "2026-03-24",
        "status": "not_done",
        "reason": "Away\nall week",
        "feedback": {"rating": "too_hard"},
        "created_at": "2026-03-24T19:00:00Z",
        "updated_at": "2026-03-24T19:00:00Z",
    }
    assert records.decode_document(records.encode_document(not_done)) == not_done


@pytest.mark.parametrize(
    "change, field_id",
    [
        (dict(type="assignment"), "type"),
        (dict(assignment_id="not-a-uuid"), "assignment_id"),
        (dict(assignment_id=ASSIGNMENT_ID.upper()), "assignment_id"),
        (dict(entry_id=42), "entry_id"),
        (dict(occurrence="24/03/2026"), "occurrence"),
        (dict(status="skipped"), "status"),
        (dict(reason="I did it"), "reason"),
        (dict(minutes=-1), "minutes"),
        (dict(minutes=1441), "minutes"),
        (dict(feedback={"rating": "meh"}), "feedback.rating"),
        (dict(feedback={"rating": "tedious", "comment": "x" * 2001}), "feedback.comment"),
        (dict(feedback={"rating": "tedious", "mood": 3}), "feedback.mood"),
        (dict(updated_at="2026-03-24T18:59:59Z"), "updated_at"),
    ],
)
def test_response_errors_name_the_field(change, field_id):
    with pytest.raises(FieldError) as caught:
        validate_response(response(**change))
    assert caught.value.field_id == field_id
    assert caught.value.code == "invalid_assignment_response"


def test_a_response_must_answer_a_date_the_assignment_falls_on():
    assignment = validate_assignment(BREATHING)
    assert validate_response(response(occurrence="2026-03-29"), assignment)["occurrence"] == "2026-03-29"
    for day in ["2026-03-22", "2026-03-30"]:  # before the start; the session day itself
        with pytest.raises(FieldError) as caught:
            validate_response(response(occurrence=day), assignment)
        assert caught.value.field_id == "occurrence"


def test_weekly_minutes_against_the_target():
    assignment = validate_assignment(BREATHING)
    answers = [
        validate_response(response(occurrence=day, minutes=m))
        for day, m in [("2026-03-23", 10), ("2026-03-24", 15), ("2026-03-29", 20), ("2026-03-30", 99)]
    ]
    answers.append(validate_response(response(occurrence="2026-03-25", status="not_done", minutes=5, entry_id=None)))
    assert weekly_minutes(assignment, answers, "2026-03-23") == {
        "week_start": "2026-03-23",
        "minutes": 45,
        "target": 70,
    }


# ---------------------------------------------------------------- as records


def test_an_assignment_travels_as_a_granted_record_the_server_cannot_tell_from_an_entry():
    therapist_id, client_id, record_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    t_sig, c_kem = crypto.random_bytes(32), crypto.random_bytes(32)
    dek, key_id = crypto.random_bytes(32), crypto.random_bytes(16)
    plaintext = records.encode_document(validate_assignment(BREATHING))
    rev = records.seal_revision(
        owner_id=therapist_id,
        record_id=record_id,
        version=1,
        parent=None,
        key_id=key_id,
        dek=dek,
        plaintext=plaintext,
        sig_seed=t_sig,
    )
    grant = records.make_grant(
        sig_seed=t_sig,
        owner_id=therapist_id,
        record_id=record_id,
        key_id=key_id,
        dek=dek,
        grantee_id=client_id,
        grantee_kem_pub=crypto.x25519_public(c_kem),
    )
    # The client: open the grant with its own key, then the revision, then check the document.
    _, opened_dek = records.open_grant(
        grant, owner_sig_pub=crypto.ed25519_public(t_sig), me_id=client_id, my_kem_seed=c_kem
    )
    _, got = records.open_revision(
        rev,
        owner_id=therapist_id,
        record_id=record_id,
        dek=opened_dek,
        key_id=key_id,
        signer_pub=crypto.ed25519_public(t_sig),
    )
    assert validate_assignment(records.decode_document(got)) == BREATHING
    # What the server holds says nothing of "assignment" and pads to the same size as an entry of similar length.
    entry = records.encode_document(
        {
            "v": 1,
            "kind": "journal",
            "fields": {"body": "x" * (len(plaintext) - 60)},
            "created_at": NOW,
            "updated_at": NOW,
            "device": "phone",
        }
    )
    entry_rev = records.seal_revision(
        owner_id=therapist_id,
        record_id=uuid.uuid4(),
        version=1,
        parent=None,
        key_id=key_id,
        dek=dek,
        plaintext=entry,
        sig_seed=t_sig,
    )
    assert len(rev.ct) == len(entry_rev.ct)
    stored = rev.header + rev.ct + grant.body + grant.sealed
    for word in (b"assignment", b"relaxation", b"breathing", b"Europe"):
        assert word not in stored


# ---------------------------------------------------------------- the vectors the browser checks too

VECTORS = json.loads(Path(__file__).parents[2].joinpath("vectors", "recurrence.json").read_text())["documents"]


def test_document_vectors_are_current():
    from tests.vectors import recurrence_cases

    assert json.loads(json.dumps(recurrence_cases.documents())) == VECTORS


@pytest.mark.parametrize("case", VECTORS["built"], ids=lambda c: c["template"])
def test_built_vectors(case):
    assert build_from_template(case["template"], **case["build"]) == case["expect"]
    assert validate_assignment(case["expect"]) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: f"{c['validate']}-{c['field']}")
def test_invalid_vectors(case):
    validate = {
        "assignment": validate_assignment,
        "response": validate_response,
        "worksheet": validate_worksheet,
        "plan-contact": validate_plan_contact,
    }
    with pytest.raises(FieldError) as caught:
        validate[case["validate"]](case["doc"])
    assert caught.value.field_id == case["field"]


@pytest.mark.parametrize("case", VECTORS["practices"], ids=lambda c: c["practice"]["technique"])
def test_practice_vectors(case):
    built = build_from_template(case["template"], **case["build"], practice=case["practice"])
    assert built == case["expect"] and built["v"] == 2 and built["practice"] == case["practice"]
    assert validate_assignment(case["expect"]) == case["expect"]


def test_worksheet_and_response_vectors():
    assert validate_worksheet(VECTORS["worksheet"]["input"]) == VECTORS["worksheet"]["expect"]
    for case in VECTORS["responses"]:
        assert validate_response(case["doc"]) == case["expect"]
    for case in VECTORS["plan_contacts"]:
        assert validate_plan_contact(case["doc"]) == case["expect"]
        assert validate_plan_contact(case["expect"]) == case["expect"]
