"""Tests of sync/core/kinds.py and sync/kinds.json: the schemas, validation and the CLI's value syntax."""

from __future__ import annotations

import json
import uuid

import pytest

from between.sync.core import kinds
from between.sync.core.errors import BetweenError
from between.sync.core.kinds import FieldError, get_kind, parse_cli_value, parse_schema, validate_fields

SECRET = "my-private-words-XYZZY"


def raw_schema() -> dict:
    return json.loads(kinds.KINDS_JSON.read_bytes())


def test_kinds_json_has_the_activities_therapists_use():
    ids = [k.id for k in kinds.all_kinds()]
    assert ids[:3] == ["journal", "thought-record", "mood"]
    assert {"relaxation", "experiment", "conversation-rehearsal", "lifestyle", "reading"} <= set(ids)
    tr = get_kind("thought-record")
    assert [f.id for f in tr.fields if f.required] == ["situation", "automatic_thought", "emotions"]
    assert tr.field("emotions").type == "emotions" and tr.field("emotions_rerated").type == "emotions"
    mood = get_kind("mood")
    score = mood.field("score")
    assert (score.type, score.constraints.min, score.constraints.max, score.constraints.step) == ("scale", 0, 10, 1)
    assert mood.field("emotions").merge == "set"
    assert get_kind("journal").field("body").merge == "text"


def test_every_field_type_is_used_and_every_kind_reads_warmly():
    used = {f.type for k in kinds.all_kinds() for f in k.fields}
    assert used == set(kinds.ALLOWED_MERGES)
    for kind in kinds.all_kinds():
        assert kind.label and kind.description[-1] in ".?" and "\n" not in kind.description
        assert len(kind.description) <= 120
        assert "homework" not in (kind.label + kind.description).lower()
        for f in kind.fields:
            assert f.merge in kinds.ALLOWED_MERGES[f.type]


def test_kinds_json_is_plain_json_the_browser_can_read():
    data = raw_schema()
    assert data["v"] == 1
    field = data["kinds"][0]["fields"][0]
    assert set(field) >= {"id", "label", "type", "required", "merge", "constraints"}


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d["kinds"][0]["fields"][0].update(merge="set"), "does not fit"),
        (lambda d: d["kinds"].append(d["kinds"][0]), "duplicate kind"),
        (lambda d: d["kinds"][2]["fields"][0]["constraints"].update(step=3), "step"),
        (lambda d: d["kinds"][0]["fields"][0]["constraints"].pop("max_length"), "max_length"),
        (lambda d: d["kinds"][0]["fields"][0].update(typo=True), "typo"),
    ],
)
def test_a_broken_schema_is_refused(change, problem):
    data = raw_schema()
    change(data)
    with pytest.raises(ValueError, match=problem):
        parse_schema(json.dumps(data).encode())


def test_validate_normalises():
    out = validate_fields("journal", {"title": "  Monday  ", "body": "line one\r\nline two\r", "prompt": ""})
    assert out == {"title": "Monday", "body": "line one\nline two\n"}
    out = validate_fields(
        "thought-record",
        {
            "situation": "At work",
            "automatic_thought": "They think I'm useless",
            "emotions": [{"name": "  very   anxious ", "intensity": 80.0}],
            "thinking_patterns": ["labelling", "mind-reading", "labelling"],
            "evidence_for": "   ",
        },
    )
    assert out["emotions"] == [{"name": "very anxious", "intensity": 80}]
    assert out["thinking_patterns"] == ["mind-reading", "labelling"]  # schema order, no repeats
    assert "evidence_for" not in out
    assert validate_fields("mood", {"score": 4, "emotions": ["calm", " calm ", "tired", ""]}) == {
        "score": 4,
        "emotions": ["calm", "tired"],
    }
    assert validate_fields("reading", {"title": "Book", "key_ideas": ["a", "a"]})["key_ideas"] == ["a", "a"]


@pytest.mark.parametrize(
    "kind_id, fields, field_id, words",
    [
        ("mood", {}, "score", "Please choose an answer for “Mood”"),
        ("mood", {"score": 11}, "score", "from 0 to 10"),
        ("mood", {"score": True}, "score", "whole number"),
        ("mood", {"score": 4.5}, "score", "whole number"),
        ("experiment", {"plan": "p", "prediction": "q", "belief_before": 42}, "belief_before", "steps of 5"),
        ("experiment", {"plan": "p", "prediction": "q", "done": "yes"}, "done", "yes or no"),
        ("journal", {"body": "x" * 100001}, "body", "at most 100000 characters"),
        ("journal", {"body": "ok", "title": "two\nlines"}, "title", "single line"),
        ("journal", {"body": "bell\x07"}, "body", "control characters"),
        ("relaxation", {"minutes": 0}, "minutes", "from 1 to 240 minutes"),
        ("relaxation", {"minutes": 5, "technique": "yoga"}, "technique", "one of"),
        (
            "thought-record",
            {"situation": "s", "automatic_thought": "t", "emotions": []},
            "emotions",
            "Please fill in “Emotions”",
        ),
        (
            "thought-record",
            {"situation": "s", "automatic_thought": "t", "emotions": [{"name": "sad"}]},
            "emotions",
            "name and an intensity",
        ),
        (
            "thought-record",
            {
                "situation": "s",
                "automatic_thought": "t",
                "emotions": [{"name": "Sad", "intensity": 1}, {"name": "sad", "intensity": 2}],
            },
            "emotions",
            "same emotion twice",
        ),
        (
            "thought-record",
            {"situation": "s", "automatic_thought": "t", "emotions": [{"name": "sad", "intensity": 101}]},
            "emotions",
            "from 0 to 100",
        ),
        ("mood", {"score": 1, "emotions": ["x"] * 21}, "emotions", "at most 20 items"),
        ("mood", {"score": 1, "emotions": "calm"}, "emotions", "must be a list"),
    ],
)
def test_validation_errors_name_the_field_and_the_problem(kind_id, fields, field_id, words):
    with pytest.raises(FieldError) as err:
        validate_fields(kind_id, fields)
    assert isinstance(err.value, BetweenError) and err.value.code == "invalid_field"
    assert err.value.field_id == field_id and err.value.kind_id == kind_id
    # The question by its words (its label, quoted), never by its id: the id is for code (field_id), not people.
    label = get_kind(kind_id).field(field_id).label
    assert f"“{label}”" in err.value.detail and words in err.value.detail
    assert f"'{field_id}'" not in err.value.detail and kind_id not in err.value.detail


@pytest.mark.parametrize(
    "fields",
    [
        {"body": SECRET * 5000},
        {"body": "ok", "title": SECRET + "\n" + SECRET},
        {"body": SECRET + "\x00"},
    ],
)
def test_errors_never_echo_what_was_written(fields):
    with pytest.raises(FieldError) as err:
        validate_fields("journal", fields)
    assert SECRET not in str(err.value) and SECRET not in err.value.detail and len(str(err.value)) < 200


def test_unknown_kinds_and_fields_are_refused_clearly():
    with pytest.raises(FieldError) as err:
        get_kind("worksheet")
    assert err.value.code == "unknown_kind" and "journal" in err.value.detail
    with pytest.raises(FieldError) as err:
        validate_fields("mood", {"score": 3, "colour": "blue"})
    assert err.value.code == "unknown_field" and "score" in err.value.detail and "blue" not in err.value.detail
    with pytest.raises(FieldError):
        validate_fields("mood", ["score", 3])


@pytest.mark.parametrize(
    "kind_id, field_id, text, value",
    [
        (
            "thought-record",
            "emotions",
            "anxious:80,sad:40",
            [{"name": "anxious", "intensity": 80}, {"name": "sad", "intensity": 40}],
        ),
        (
            "thought-record",
            "emotions",
            " fed up : 30 ; hurt:0 ",
            [{"name": "fed up", "intensity": 30}, {"name": "hurt", "intensity": 0}],
        ),
        ("reading", "key_ideas", "a;b; c ;;", ["a", "b", "c"]),
        ("reading", "key_ideas", r"me\; myself;I", ["me; myself", "I"]),
        ("mood", "score", " 7 ", 7),
        ("experiment", "done", "Yes", True),
        ("experiment", "done", "n", False),
        ("relaxation", "minutes", "20", 20),
        ("relaxation", "minutes", "1h30", 90),
        ("relaxation", "minutes", "45min", 45),
        ("relaxation", "technique", "Box breathing", "box-breathing"),
        ("conversation-rehearsal", "practised", "in-writing, OUT LOUD", ["out-loud", "in-writing"]),
        ("journal", "title", "  Hello  ", "Hello"),
    ],
)
def test_parse_cli_value(kind_id, field_id, text, value):
    assert parse_cli_value(kind_id, field_id, text) == value


@pytest.mark.parametrize(
    "kind_id, field_id, text, words",
    [
        ("thought-record", "emotions", "anxious", "like anxious:80"),
        ("thought-record", "emotions", "anxious:high", "like anxious:80"),
        ("mood", "score", "seven", "whole number from 0 to 10"),
        ("mood", "score", "12", "from 0 to 10"),
        ("experiment", "done", "maybe", "yes or no"),
        ("relaxation", "minutes", "a while", "like 15 or 1h30"),
        ("relaxation", "technique", "yoga", "chosen from"),
        ("journal", "body", "   ", "Please fill in “What's on your mind”"),
    ],
)
def test_parse_cli_value_errors(kind_id, field_id, text, words):
    with pytest.raises(FieldError) as err:
        parse_cli_value(kind_id, field_id, text)
    assert words in err.value.detail and err.value.field_id == field_id


def test_a_newer_versions_fields_are_refused_in_new_input_and_kept_on_request():
    with pytest.raises(FieldError) as refused:
        validate_fields("mood", {"score": 5, "colour": "amber"})
    assert refused.value.code == "unknown_field"
    kept = validate_fields("mood", {"score": 5, "colour": {"name": " amber "}}, keep_unknown=True)
    assert kept == {"score": 5, "colour": {"name": " amber "}}  # exactly as written, since it cannot be checked
    with pytest.raises(FieldError):  # the known fields are still checked
        validate_fields("mood", {"score": 11, "colour": "amber"}, keep_unknown=True)


@pytest.mark.parametrize(
    ("kind_id", "field_id", "label", "limit", "others"),
    [
        ("journal", "body", "What's on your mind", 100_000, {}),
        ("journal", "title", "Title", 200, {"body": "b"}),
        ("thought-record", "situation", "Situation", 20_000, {"automatic_thought": "t", "emotions": []}),
    ],
)
def test_a_text_over_its_limit_is_refused_whole_and_at_its_limit_kept_whole(kind_id, field_id, label, limit, others):
    # Counted in code points, as the browser's counter and validator count them: the emoji is one character.
    full = "a" * (limit - 1) + "😀"
    fields = {**others, field_id: full}
    if kind_id == "thought-record":
        fields["emotions"] = [{"name": "sad", "intensity": 40}]
    assert validate_fields(kind_id, fields)[field_id] == full  # nothing cut at the limit
    over = full + "b"
    with pytest.raises(FieldError) as err:
        validate_fields(kind_id, {**fields, field_id: over})
    # The question by its label, and the limit; the value itself is neither echoed nor cut and stored.
    assert f"“{label}”" in err.value.detail and f"at most {limit} characters" in err.value.detail
    assert err.value.field_id == field_id and over not in err.value.detail


# The same cases, with the same words, as web/test/core/kinds.test.js "errors name the question by its words": the
# app and the `between` command say a refusal identically.
WORRY = {
    "fields": [
        {"id": "q1", "label": "What worry came up?", "type": "long_text", "required": True},
        {
            "id": "q2",
            "label": "Where did it happen?",
            "type": "single_choice",
            "required": True,
            "constraints": {"options": ["At home", "At work"]},
        },
    ]
}
SAME_WORDS = [
    ("relaxation", {"minutes": 5, "technique": "yoga"}, "“Technique” must be one of the choices offered."),
    ("relaxation", {"minutes": 0}, "“How long” must be a whole number from 1 to 240 minutes."),
    ("mood", {}, "Please choose an answer for “Mood”."),
    ("journal", {}, "Please fill in “What's on your mind”."),
    (
        "thought-record",
        {
            "situation": "s",
            "automatic_thought": "t",
            "emotions": [{"name": "sad", "intensity": 5}],
            "thinking_patterns": ["nope"],
        },
        "“Thinking patterns” may only hold the choices offered.",
    ),
    ("worksheet", {}, "Please fill in “What worry came up?”."),
    ("worksheet", {"q1": "the bus"}, "Please choose an answer for “Where did it happen?”."),
    ("worksheet", {"q1": "the bus", "q2": "o9"}, "“Where did it happen?” must be one of the choices offered."),
]


@pytest.mark.parametrize("kind_id, fields, words", SAME_WORDS)
def test_errors_name_the_question_by_its_words(kind_id, fields, words):
    from between.sync.core.assignments import validate_worksheet_answers

    with pytest.raises(FieldError) as err:
        if kind_id == "worksheet":
            validate_worksheet_answers(WORRY, fields)
        else:
            validate_fields(kind_id, fields)
    assert err.value.detail == words
    assert err.value.field_id  # the id stays, for code (which control to mark), not for people


def test_every_question_of_every_kind_is_named_by_its_label_when_refused():
    """Whatever the field and whatever is wrong, the message quotes the label and never shows the id."""
    wrong = {
        "scale": 999,
        "minutes": -1,
        "yes_no": "maybe",
        "single_choice": "nope",
        "multi_choice": ["nope"],
        "short_text": 5,
        "long_text": 5,
        "list": "x",
        "emotions": "x",
        "sketch": "x",
        "checklist": "x",
        "attachments": "x",
    }
    for kind in kinds.all_kinds():
        for field in kind.fields:
            with pytest.raises(FieldError) as err:
                validate_fields(kind.id, {field.id: wrong[field.type]})
            refused = next(f for f in kind.fields if f.id == err.value.field_id)
            assert f"“{refused.label}”" in err.value.detail, err.value.detail
            if "_" in refused.id or "-" in refused.id:
                assert refused.id not in err.value.detail, err.value.detail


def test_the_cli_names_the_choices_by_their_labels():
    with pytest.raises(FieldError) as err:
        parse_cli_value("relaxation", "technique", "yoga")
    assert err.value.detail.startswith("“Technique” must be chosen from: “Slow, paced breathing”, “Box breathing”,")
    assert "box-breathing" not in err.value.detail
    assert parse_cli_value("relaxation", "technique", "box breathing") == "box-breathing"  # a label works as well


# ---------------------------------------------------------------- attachments (PROTOCOL.md section 19)


def _voice_item(**extra: object) -> dict:
    from between.sync.core import attachments

    item, _ = attachments.new_attachment(b"a recording", "audio/webm", duration_ms=5012)
    return {**item, **extra}


def test_attachments_are_items_that_name_their_blobs():
    item = _voice_item()
    assert validate_fields("voice", {"recording": [item]}) == {"recording": [item]}
    assert validate_fields("voice", {"recording": [{**item, "size": 11.0}]})["recording"][0]["size"] == 11
    photo = {**_voice_item(), "media": "image/png", "width": 640, "height": 480}
    del photo["duration_ms"]
    fields = {"body": "b", "photos": [photo, {**photo, "id": str(uuid.uuid4())}]}
    assert validate_fields("journal", fields)["photos"] == fields["photos"]
    assert "photos" not in validate_fields("journal", {"body": "b", "photos": []})  # none: left out
    rehearsal = validate_fields("conversation-rehearsal", {"goal": "g", "recording": [item, _voice_item()]})
    assert len(rehearsal["recording"]) == 2


@pytest.mark.parametrize(
    ("kind_id", "value", "words"),
    [
        ("voice", [], "Please fill in “Recording”."),
        ("voice", "x", "“Recording” must be a list."),
        ("voice", [_voice_item(), _voice_item()], "“Recording” may hold at most 1 items."),
        (
            "voice",
            [{"id": "x"}],
            "“Recording” must list attachments, each with its id, key, size, digest and media type.",
        ),
        ("voice", [_voice_item(media="image/png")], "“Recording” may only hold voice recordings."),
        ("voice", [_voice_item(media="video/mp4")], "“Recording” may only hold voice recordings."),
        ("voice", [_voice_item(width=5, height=5)], "“Recording” has an attachment with something it does not know."),
        (
            "voice",
            [_voice_item(id="6F1C0D2E-3B4A-4C5D-9E6F-708192A3B4C5")],
            "“Recording” has an attachment without a proper id.",
        ),
        (
            "voice",
            [_voice_item(id="6f1c0d2e-3b4a-1c5d-9e6f-708192a3b4c5")],
            "“Recording” has an attachment without a proper id.",
        ),
        ("voice", [_voice_item(key="A" * 42)], "“Recording” has an attachment whose key or digest cannot be read."),
        (
            "voice",
            [_voice_item(digest="A" * 42 + "B")],
            "“Recording” has an attachment whose key or digest cannot be read.",
        ),
        ("voice", [_voice_item(size=0)], "“Recording” has an attachment larger than 48 MiB or without a size."),
        (
            "voice",
            [_voice_item(size=48 * 1024 * 1024 + 1)],
            "“Recording” has an attachment larger than 48 MiB or without a size.",
        ),
        ("voice", [_voice_item(size=True)], "“Recording” has an attachment larger than 48 MiB or without a size."),
        ("voice", [_voice_item(duration_ms=3_600_001)], "“Recording” has a recording longer than an hour."),
        ("sketch", None, None),
    ],
)
def test_attachments_refused(kind_id, value, words):
    if value is None:  # the same id twice, and a photo with one side only
        photo = {k: v for k, v in _voice_item(media="image/jpeg", width=5, height=5).items() if k != "duration_ms"}
        for bad, said in (
            ([photo, photo], "“Photos” has the same attachment twice."),
            ([{**photo, "height": None}], "“Photos” has a photo whose width and height are not both from 1 to 8192."),
            (
                [{k: v for k, v in photo.items() if k != "height"}],
                "“Photos” has a photo whose width and height are not both from 1 to 8192.",
            ),
            ([{**photo, "width": 8193}], "“Photos” has a photo whose width and height are not both from 1 to 8192."),
        ):
            with pytest.raises(FieldError) as err:
                validate_fields("journal", {"body": "b", "photos": bad})
            assert err.value.detail == said and err.value.field_id == "photos"
        return
    fields = {"recording": value}
    with pytest.raises(FieldError) as err:
        validate_fields(kind_id, fields)
    assert err.value.detail == words
    assert "key" not in str(err.value.params)


def test_an_attachment_is_said_in_words_never_by_its_key():
    from between.sync.core.fields import TYPES, attachment_words, plain_text

    item = _voice_item(size=84_321)
    field = kinds.get_kind("voice").field("recording")
    assert TYPES["attachments"].text(field, [item]) == "Voice recording, 0:05, 84 KB"
    photo = {**item, "media": "image/jpeg", "width": 1200, "height": 900, "size": 2_149_999}
    assert attachment_words(photo) == "Photo, 1200 \u00d7 900, 2.1 MB"
    assert attachment_words({**item, "duration_ms": 3_725_400, "size": 999_499}) == "Voice recording, 1:02:05, 999 KB"
    assert attachment_words({**item, "size": 999_500}) == "Voice recording, 0:05, 1.0 MB"
    # A field this version does not know that holds attachments: in words too, its keys never shown.
    assert plain_text([item]) == "Voice recording, 0:05, 84 KB"
    for text in (TYPES["attachments"].text(field, [item]), plain_text([item])):
        assert item["key"] not in text and item["digest"] not in text
