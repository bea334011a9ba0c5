"""Assignment and response documents, therapist-built worksheets and the template library (sync/templates.json)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from . import kinds
from .fields import MAX_DAY_MINUTES, SPACE, TYPES, Worksheet
from .kinds import FieldError
from .recurrence import check_schedule, is_occurrence, parse_date, parse_instant, plan_recurrence

WORKSHEET = "worksheet"
RATINGS = ("helping", "not_helping", "too_hard", "tedious")
STATUSES = ("done", "not_done")
MAX_TITLE = 200
MAX_INSTRUCTIONS = 5000
MAX_NOTE = 2000  # a reason for not doing it, a feedback comment
MAX_FIELDS = 40
MAX_OPTIONS = 20
MAX_WEEK_MINUTES = 7 * 24 * 60

# The field types a worksheet may ask for (each type's `worksheet` says how), in the order the builder offers them.
WORKSHEET_TYPES = tuple(name for name, t in TYPES.items() if t.worksheet)

_FIELD_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_OPTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_RECORD_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

ASSIGNMENT_KEYS = {
    "v",
    "type",
    "template",
    "kind",
    "title",
    "instructions",
    "worksheet",
    "schedule",
    "target_minutes_per_week",
    "practice",
    "created_at",
    "updated_at",
    "withdrawn",
}
# A relaxation assignment's guided practice (docs/ASSIGNMENTS.md, "A practice's timings"): the pacer's technique ids
# (web/js/core/pacer.js), custom timings' bounds in seconds, and the session lengths the pacer offers.
PRACTICE_KIND = "relaxation"
PRACTICE_KEYS = {"technique", "timings", "minutes"}
TECHNIQUES = ("paced", "box", "fourSevenEight", "sigh", "custom")
TIMING_LIMITS = {"in": (1, 20), "hold": (0, 20), "out": (1, 20), "rest": (0, 20)}
PRACTICE_MINUTES = (1, 2, 3, 5, 10, 15, 20, 30)
RESPONSE_KEYS = {
    "v",
    "type",
    "assignment_id",
    "occurrence",
    "status",
    "reason",
    "entry_id",
    "minutes",
    "feedback",
    "created_at",
    "updated_at",
}


class _Doc:
    """Checks one document and builds the error that names its field path, never the value."""

    def __init__(self, doc_type: str) -> None:
        self.doc_type = doc_type

    def fail(self, path: str, problem: str) -> FieldError:
        return FieldError(
            f"{self.doc_type} '{path}' {problem}.",
            kind_id=self.doc_type,
            field_id=path,
            code=f"invalid_{self.doc_type.replace('-', '_')}",
            key="invalid_document",  # no form makes such a document: said as one, naming the key (docs/CLI.md)
            params={"what": self.doc_type, "path": path},
        )

    def keys(self, value: object, allowed: set[str], path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be an object")
        for key in value:
            if key not in allowed:
                shown = key if isinstance(key, str) and len(key) <= 40 else "(a long name)"
                raise self.fail(f"{path}.{shown}" if path != "document" else shown, "is not a field this version knows")
        return value

    def line(self, value: object, path: str, max_length: int, *, required: bool = True) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "must be text")
        text = value.strip(SPACE)
        if "\n" in text or "\r" in text:
            raise self.fail(path, "must be a single line")
        return self._text(text, path, max_length, required)

    def text(self, value: object, path: str, max_length: int, *, required: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "must be text")
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        return self._text(text if text.strip(SPACE) else "", path, max_length, required)

    def _text(self, text: str, path: str, max_length: int, required: bool) -> str:
        if _CONTROL.search(text):
            raise self.fail(path, "contains control characters")
        if len(text) > max_length:
            raise self.fail(path, f"must be at most {max_length} characters")
        if required and not text:
            raise self.fail(path, "must not be empty")
        return text

    def whole(self, value: object, path: str, lo: int, hi: int, unit: str = "") -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.fail(path, f"must be a whole number from {lo} to {hi}{unit}")
        return value

    def stamps(self, doc: dict[str, Any]) -> tuple[str, str]:
        for key in ("created_at", "updated_at"):
            if not isinstance(doc.get(key), str) or not _STAMP.match(doc[key]):
                raise self.fail(key, "must be a UTC time like 2026-03-29T08:15:00Z")
            try:
                parse_instant(doc[key], key)
            except FieldError:
                raise self.fail(key, "is not a real date and time") from None
        if parse_instant(doc["updated_at"]) < parse_instant(doc["created_at"]):
            raise self.fail("updated_at", "must not be before created_at")
        return doc["created_at"], doc["updated_at"]

    def header(self, doc: object, doc_type: str, allowed: set[str], versions: tuple[int, ...] = (1,)) -> dict[str, Any]:
        doc = self.keys(doc, allowed, "document")
        if doc.get("v") not in versions or isinstance(doc.get("v"), bool):
            written = " or ".join(str(v) for v in versions)
            raise self.fail("v", f"must be {written} (this version reads no other)")
        if doc.get("type") != doc_type:
            raise self.fail("type", f"must be '{doc_type}'")
        return doc


def _check_options(d: _Doc, value: object, path: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_OPTIONS:
        raise d.fail(path, f"must list from 2 to {MAX_OPTIONS} choices")
    out: list[dict[str, str]] = []
    for i, given in enumerate(value):
        where = f"{path}[{i}]"
        # A bare label is the builder's shorthand; the id it gets is its position, stable as written.
        written = {"id": f"o{i + 1}", "label": given} if isinstance(given, str) else given
        option = d.keys(written, {"id", "label"}, where)
        if not isinstance(option.get("id"), str) or not _OPTION_ID.match(option["id"]):
            raise d.fail(f"{where}.id", "must be lowercase letters, digits, - or _ (at most 40)")
        out.append({"id": option["id"], "label": d.line(option.get("label"), f"{where}.label", MAX_TITLE)})
    if len({o["id"] for o in out}) != len(out):
        raise d.fail(path, "holds the same choice twice")
    return out


def _check_constraints(d: _Doc, spec: Worksheet, value: object, path: str) -> dict[str, Any]:
    limits = spec.limits
    given = d.keys({} if value is None else value, set(limits) | spec.extra, path)
    out: dict[str, Any] = {}
    for key, (lo, hi, default) in limits.items():
        out[key] = d.whole(given[key], f"{path}.{key}", lo, hi) if key in given else default
    if "min" in out and out["min"] >= out["max"]:
        raise d.fail(f"{path}.max", "must be more than min")
    if "options" in spec.extra:
        out["options"] = _check_options(d, given.get("options"), f"{path}.options")
    if "suggestions" in given:
        items = given["suggestions"]
        if not isinstance(items, list) or len(items) > 30:
            raise d.fail(f"{path}.suggestions", "must be a list of at most 30 suggestions")
        out["suggestions"] = [d.line(s, f"{path}.suggestions[{i}]", out["max_length"]) for i, s in enumerate(items)]
    return out


def validate_worksheet(worksheet: object, *, doc_type: str = "assignment", path: str = "worksheet") -> dict[str, Any]:
    """A therapist-built worksheet, normalised so every field reads like a field of kinds.json."""
    d = _Doc(doc_type)
    sheet = d.keys(worksheet, {"fields"}, path)
    fields = sheet.get("fields")
    if not isinstance(fields, list) or not 1 <= len(fields) <= MAX_FIELDS:
        raise d.fail(f"{path}.fields", f"must list from 1 to {MAX_FIELDS} questions")
    out = []
    for i, raw in enumerate(fields):
        where = f"{path}.fields[{i}]"
        f = d.keys(raw, {"id", "label", "type", "required", "merge", "constraints", "hint"}, where)
        if not isinstance(f.get("id"), str) or not _FIELD_ID.match(f["id"]):
            raise d.fail(f"{where}.id", "must start with a letter and hold only a-z, 0-9 and _ (at most 40)")
        field_type = f.get("type")
        if field_type not in WORKSHEET_TYPES:
            raise d.fail(f"{where}.type", f"must be one of: {', '.join(WORKSHEET_TYPES)}")
        required = f.get("required", False)
        if not isinstance(required, bool):
            raise d.fail(f"{where}.required", "must be true or false")
        merges, spec = TYPES[field_type].merges, TYPES[field_type].worksheet
        assert spec is not None  # WORKSHEET_TYPES holds only the types that have one
        merge = f.get("merge", spec.merge)
        if merge not in merges:
            raise d.fail(f"{where}.merge", f"must be one of: {', '.join(sorted(merges))}")
        field = {
            "id": f["id"],
            "label": d.line(f.get("label"), f"{where}.label", MAX_TITLE),
            "type": field_type,
            "required": required,
            "merge": merge,
            "constraints": _check_constraints(d, spec, f.get("constraints"), f"{where}.constraints"),
        }
        hint = d.line(f.get("hint", ""), f"{where}.hint", 500, required=False)
        if hint:
            field["hint"] = hint
        out.append(field)
    if len({f["id"] for f in out}) != len(out):
        raise d.fail(f"{path}.fields", "holds two questions with the same id")
    return {"fields": out}


def worksheet_kind(worksheet: dict[str, Any], title: str = "Worksheet") -> kinds.Kind:
    """The worksheet as a kinds.Kind, so its answers validate and merge like any entry's fields."""
    sheet = validate_worksheet(worksheet)
    return msgspec.convert({"id": WORKSHEET, "label": title, "description": "", "fields": sheet["fields"]}, kinds.Kind)


def validate_worksheet_answers(worksheet: dict[str, Any], fields: object) -> dict[str, Any]:
    """A client's answers to a worksheet, checked and normalised like kinds.validate_fields checks an entry."""
    kind = worksheet_kind(worksheet)
    if not isinstance(fields, dict):
        raise FieldError("worksheet answers must be an object of question ids to answers.", kind_id=WORKSHEET)
    for key in fields:
        kind.field(key)
    out: dict[str, Any] = {}
    for field in kind.fields:
        value = kinds.check_field(kind, field, fields.get(field.id))
        if value is None:
            if field.required:
                raise kinds.missing(kind, field)
            continue
        out[field.id] = value
    return out


def _records_minutes(kind_id: str, worksheet: dict[str, Any] | None) -> bool:
    fields = worksheet["fields"] if worksheet else [{"type": f.type} for f in kinds.get_kind(kind_id).fields]
    return any(TYPES[f["type"]].records_minutes for f in fields)


def _check_practice(d: _Doc, value: object) -> dict[str, Any]:
    practice = d.keys(value, PRACTICE_KEYS, "practice")
    technique = practice.get("technique")
    if technique not in TECHNIQUES:
        raise d.fail("practice.technique", f"must be one of: {', '.join(TECHNIQUES)}")
    out: dict[str, Any] = {"technique": technique}
    if technique == "custom":
        if "timings" not in practice:
            raise d.fail("practice.timings", "must be given for custom timings")
        timings = d.keys(practice["timings"], set(TIMING_LIMITS), "practice.timings")
        out["timings"] = {
            step: d.whole(timings.get(step), f"practice.timings.{step}", lo, hi, " seconds")
            for step, (lo, hi) in TIMING_LIMITS.items()
        }
    elif "timings" in practice:
        raise d.fail("practice.timings", "belongs only to technique 'custom'")
    if "minutes" in practice:
        minutes = practice["minutes"]
        if isinstance(minutes, float) and minutes.is_integer():
            minutes = int(minutes)
        if isinstance(minutes, bool) or minutes not in PRACTICE_MINUTES:
            raise d.fail("practice.minutes", f"must be one of: {', '.join(map(str, PRACTICE_MINUTES))}")
        out["minutes"] = minutes
    return out


def validate_assignment(doc: object) -> dict[str, Any]:
    """Check an assignment document (the plaintext of a therapist's record); return it normalised. It is `v: 2`
    exactly when it carries a practice, so every other assignment stays readable by versions that know only 1."""
    d = _Doc("assignment")
    doc = d.header(doc, "assignment", ASSIGNMENT_KEYS, (1, 2))
    out: dict[str, Any] = {"v": doc["v"], "type": "assignment"}
    template = doc.get("template")
    if "template" not in doc or (
        template is not None and (not isinstance(template, str) or not _TEMPLATE_ID.match(template))
    ):
        raise d.fail("template", "must be a template id or null")
    out["template"] = template
    kind = doc.get("kind")
    if not isinstance(kind, str) or (kind != WORKSHEET and kinds.find_kind(kind) is None):
        names = ", ".join(k.id for k in kinds.all_kinds())
        raise d.fail("kind", f"must be '{WORKSHEET}' or an activity kind: {names}")
    out["kind"] = kind
    out["title"] = d.line(doc.get("title"), "title", MAX_TITLE)
    out["instructions"] = d.text(doc.get("instructions"), "instructions", MAX_INSTRUCTIONS)
    worksheet = None
    if kind == WORKSHEET:
        worksheet = out["worksheet"] = validate_worksheet(doc.get("worksheet"))
    elif "worksheet" in doc:
        raise d.fail("worksheet", f"belongs only to kind '{WORKSHEET}'")
    out["schedule"] = check_schedule(doc.get("schedule"))
    if "target_minutes_per_week" in doc:
        out["target_minutes_per_week"] = d.whole(
            doc["target_minutes_per_week"], "target_minutes_per_week", 1, MAX_WEEK_MINUTES, " minutes"
        )
        if not _records_minutes(kind, worksheet):
            raise d.fail("target_minutes_per_week", "needs an activity that records minutes")
    if "practice" in doc:
        if kind != PRACTICE_KIND:
            raise d.fail("practice", f"belongs only to kind '{PRACTICE_KIND}'")
        out["practice"] = _check_practice(d, doc["practice"])
    if "practice" in out and out["v"] != 2:
        raise d.fail("v", "must be 2 for an assignment with a practice")
    if "practice" not in out and out["v"] != 1:
        raise d.fail("v", "must be 1 for an assignment without a practice")
    out["created_at"], out["updated_at"] = d.stamps(doc)
    if not isinstance(doc.get("withdrawn"), bool):
        raise d.fail("withdrawn", "must be true or false")
    out["withdrawn"] = doc["withdrawn"]
    return out


def validate_response(doc: object, assignment: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a client's response document; with the assignment, also that it answers one of its occurrences."""
    d = _Doc("assignment-response")
    doc = d.header(doc, "assignment-response", RESPONSE_KEYS)
    out: dict[str, Any] = {"v": 1, "type": "assignment-response"}
    for key in ("assignment_id", "entry_id"):
        if key in doc or key == "assignment_id":
            if not isinstance(doc.get(key), str) or not _RECORD_ID.match(doc[key]):
                raise d.fail(key, "must be a record id (a lowercase UUID)")
            out[key] = doc[key]
    try:
        out["occurrence"] = parse_date(doc.get("occurrence"), "occurrence").isoformat()
    except FieldError:
        raise d.fail("occurrence", "must be a date written YYYY-MM-DD") from None
    status = doc.get("status")
    if status not in STATUSES:
        raise d.fail("status", f"must be one of: {', '.join(STATUSES)}")
    out["status"] = status
    if "reason" in doc:
        if status != "not_done":
            raise d.fail("reason", "is only for an activity that was not done")
        if reason := d.text(doc["reason"], "reason", MAX_NOTE):
            out["reason"] = reason
    if "minutes" in doc:
        out["minutes"] = d.whole(doc["minutes"], "minutes", 0, MAX_DAY_MINUTES, " minutes")
    if "feedback" in doc:
        feedback = d.keys(doc["feedback"], {"rating", "comment"}, "feedback")
        if feedback.get("rating") not in RATINGS:
            raise d.fail("feedback.rating", f"must be one of: {', '.join(RATINGS)}")
        out["feedback"] = {"rating": feedback["rating"]}
        if comment := d.text(feedback.get("comment", ""), "feedback.comment", MAX_NOTE):
            out["feedback"]["comment"] = comment
    out["created_at"], out["updated_at"] = d.stamps(doc)
    if assignment is not None:
        rec = assignment["schedule"]["recurrence"]
        if not is_occurrence(rec, out["occurrence"]):
            raise d.fail("occurrence", "is not a date this assignment falls on")
    return out


PLAN_CONTACT_KEYS = {
    "v",
    "type",
    "client_id",
    "name",
    "phone",
    "sms",
    "hours",
    "note",
    "withdrawn",
    "created_at",
    "updated_at",
}
# As wire.PhoneNumber: what a phone's dialler takes, written as people write it.
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{0,28}[0-9]\Z")


def validate_plan_contact(doc: object) -> dict[str, Any]:
    """Check a therapist's out-of-hours contact for one client's safety plan (docs/ASSIGNMENTS.md, "The plan
    contact"); return it normalised: text trimmed, empty optional fields left out."""
    d = _Doc("plan-contact")
    doc = d.header(doc, "plan-contact", PLAN_CONTACT_KEYS)
    out: dict[str, Any] = {"v": 1, "type": "plan-contact"}
    if not isinstance(doc.get("client_id"), str) or not _RECORD_ID.match(doc["client_id"]):
        raise d.fail("client_id", "must be a user id (a lowercase UUID)")
    out["client_id"] = doc["client_id"]
    out["name"] = d.line(doc.get("name"), "name", 200)
    for key in ("phone", "sms"):
        if key == "phone" or key in doc:
            number = d.line(doc.get(key), key, 30, required=key == "phone")
            if number and not _PHONE.match(number):
                raise d.fail(key, "must be a phone number: digits, spaces, brackets and dashes, an optional leading +")
            if number:
                out[key] = number
    if "hours" in doc and (hours := d.line(doc["hours"], "hours", 200, required=False)):
        out["hours"] = hours
    if "note" in doc and (note := d.text(doc["note"], "note", 500)):
        out["note"] = note
    withdrawn = doc.get("withdrawn", False)
    if not isinstance(withdrawn, bool):
        raise d.fail("withdrawn", "must be true or false")
    out["withdrawn"] = withdrawn
    out["created_at"], out["updated_at"] = d.stamps(doc)
    return out


def weekly_minutes(assignment: dict[str, Any], responses: list[dict[str, Any]], week_start: str) -> dict[str, Any]:
    """Practice minutes of the seven local dates from `week_start`, against the assignment's weekly target."""
    first = parse_date(week_start, "week_start")
    days = {(first + timedelta(days=i)).isoformat() for i in range(7)}
    total = sum(r.get("minutes", 0) for r in responses if r["status"] == "done" and r["occurrence"] in days)
    return {"week_start": first.isoformat(), "minutes": total, "target": assignment.get("target_minutes_per_week")}


_TEMPLATE_KEYS = {"id", "title", "kind", "summary", "instructions", "schedule", "target_minutes_per_week", "worksheet"}
_PLAN_KEYS = {"freq", "days", "due_in_days", "for_days"}


def parse_library(raw: bytes) -> dict[str, dict[str, Any]]:
    """Decode and check a templates.json: every template must build a valid assignment. Raises ValueError."""
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("templates"), list):
        raise ValueError("templates.json: unsupported version or shape")
    library: dict[str, dict[str, Any]] = {}
    for t in data["templates"]:
        tid = t.get("id") if isinstance(t, dict) else None
        where = f"templates.json: {tid}"
        if not isinstance(tid, str) or not _TEMPLATE_ID.match(tid) or tid in library:
            raise ValueError(f"{where}: missing, malformed or repeated id")
        if set(t) - _TEMPLATE_KEYS or not isinstance(t.get("summary"), str):
            raise ValueError(f"{where}: unknown keys or no summary")
        plan = t.get("schedule")
        if (
            not isinstance(plan, dict)
            or set(plan) - _PLAN_KEYS
            or any(not isinstance(plan[k], int) or plan[k] < 1 for k in ("due_in_days", "for_days") if k in plan)
        ):
            raise ValueError(f"{where}: schedule holds only freq, days, due_in_days or for_days (whole days)")
        try:
            rec = plan_recurrence(plan, start="2026-01-05", time_zone="UTC", next_session="2026-01-12T09:00")
            build_assignment(
                kind=t.get("kind"),
                title=t.get("title"),
                instructions=t.get("instructions"),
                recurrence=rec,
                now="2026-01-05T09:00:00Z",
                template=tid,
                worksheet=t.get("worksheet"),
                target_minutes_per_week=t.get("target_minutes_per_week"),
            )
        except FieldError as e:
            raise ValueError(f"{where}: {e.detail}") from None
        library[tid] = t
    return library


# The therapist's template library, served to the PWA as /templates.json; beside kinds.json in sync/.
TEMPLATES_JSON = Path(__file__).resolve().parent.parent / "templates.json"


@cache
def _library() -> dict[str, dict[str, Any]]:
    return parse_library(TEMPLATES_JSON.read_bytes())


def all_templates() -> list[dict[str, Any]]:
    """Every template, in the order the library offers them."""
    return list(_library().values())


def get_template(template_id: str) -> dict[str, Any]:
    try:
        return _library()[template_id]
    except (KeyError, TypeError):
        raise FieldError(
            "There is no template with that id.", kind_id="assignment", field_id="template", code="unknown_template"
        ) from None


def build_assignment(
    *,
    kind: str,
    title: str,
    instructions: str,
    recurrence: dict[str, Any],
    now: str,
    template: str | None = None,
    worksheet: dict[str, Any] | None = None,
    target_minutes_per_week: int | None = None,
    practice: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new, validated assignment document; a one-off activity is due on its single date. With a practice (a
    relaxation's technique, timings and minutes) it is `v: 2`."""
    schedule: dict[str, Any] = {"recurrence": recurrence}
    if recurrence.get("freq") == "once":
        schedule["due"] = recurrence.get("until", recurrence.get("start"))
    doc: dict[str, Any] = {
        "v": 1 if practice is None else 2,
        "type": "assignment",
        "template": template,
        "kind": kind,
        "title": title,
        "instructions": instructions,
        "schedule": schedule,
        "created_at": now,
        "updated_at": now,
        "withdrawn": False,
    }
    if worksheet is not None:
        doc["worksheet"] = worksheet
    if target_minutes_per_week is not None:
        doc["target_minutes_per_week"] = target_minutes_per_week
    if practice is not None:
        doc["practice"] = practice
    return validate_assignment(doc)


def build_from_template(
    template_id: str,
    *,
    start: str,
    time_zone: str,
    now: str,
    next_session: str | None = None,
    title: str | None = None,
    instructions: str | None = None,
    target_minutes_per_week: int | None = None,
    practice: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An assignment from a library template, with the therapist's own title, wording, target and practice if
    given."""
    t = get_template(template_id)
    return build_assignment(
        kind=t["kind"],
        title=t["title"] if title is None else title,
        instructions=t["instructions"] if instructions is None else instructions,
        recurrence=plan_recurrence(t["schedule"], start=start, time_zone=time_zone, next_session=next_session),
        now=now,
        template=t["id"],
        worksheet=t.get("worksheet"),
        target_minutes_per_week=t.get("target_minutes_per_week")
        if target_minutes_per_week is None
        else target_minutes_per_week,
        practice=practice,
    )
