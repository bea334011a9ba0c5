"""The activity kinds' field schemas (sync/kinds.json): lookup, validation and the CLI's value syntax."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import msgspec

from .errors import BetweenError

FieldType = Literal[
    "short_text", "long_text", "scale", "yes_no", "single_choice", "multi_choice", "list", "minutes", "emotions"
]
MergeStrategy = Literal["text", "scalar", "set", "list"]

# Which merge strategies make sense for which field type; the loader refuses anything else.
ALLOWED_MERGES: dict[str, frozenset[str]] = {
    "short_text": frozenset({"text", "scalar"}),
    "long_text": frozenset({"text", "scalar"}),
    "scale": frozenset({"scalar"}),
    "yes_no": frozenset({"scalar"}),
    "single_choice": frozenset({"scalar"}),
    "minutes": frozenset({"scalar"}),
    "multi_choice": frozenset({"set", "scalar"}),
    "list": frozenset({"set", "list", "scalar"}),
    "emotions": frozenset({"list", "scalar"}),
}

# C0 controls other than tab and newline (and DEL) have no business in what a person writes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What JavaScript's trim() and \s treat as space. Python's str.strip() and str.split() differ (they take
# \x1c-\x1f and \x85, and leave \ufeff), and the app and this module must normalise text identically.
SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_RUN = re.compile(f"[{re.escape(SPACE)}]+")
_MINUTES = re.compile(r"^(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*(?:m(?:in(?:ute)?s?)?)?)?$")


class FieldError(BetweenError):
    """Entry fields that do not fit their kind's schema. `detail` names the field and the problem, never the value."""

    code = "invalid_field"

    def __init__(self, detail: str, *, kind_id: str | None = None, field_id: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(code, detail)
        self.kind_id = kind_id
        self.field_id = field_id


class Option(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    label: str


class Constraints(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    step: int | None = None
    max_items: int | None = None
    options: tuple[Option, ...] = ()
    suggestions: tuple[str, ...] = ()


class Field(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    label: str
    type: FieldType
    required: bool
    merge: MergeStrategy
    constraints: Constraints = Constraints()
    hint: str = ""


class Kind(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    label: str
    description: str
    fields: tuple[Field, ...]

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        names = ", ".join(f.id for f in self.fields)
        raise FieldError(f"{self.id} has no field '{field_id}'; its fields are: {names}.",
                         kind_id=self.id, field_id=field_id, code="unknown_field")


class Schema(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    v: int
    about: str = ""
    kinds: tuple[Kind, ...]


def _check_schema(schema: Schema) -> None:
    """Refuse a kinds.json that the validators or the merge could not honour."""
    if schema.v != 1:
        raise ValueError("kinds.json: unsupported version")
    seen: set[str] = set()
    for kind in schema.kinds:
        if kind.id in seen:
            raise ValueError(f"kinds.json: duplicate kind {kind.id}")
        seen.add(kind.id)
        ids = [f.id for f in kind.fields]
        if len(set(ids)) != len(ids):
            raise ValueError(f"kinds.json: duplicate field in {kind.id}")
        for f in kind.fields:
            c = f.constraints
            where = f"kinds.json: {kind.id}.{f.id}"
            if f.merge not in ALLOWED_MERGES[f.type]:
                raise ValueError(f"{where}: merge {f.merge} does not fit type {f.type}")
            if f.type in ("short_text", "long_text", "list", "emotions") and not c.max_length:
                raise ValueError(f"{where}: needs max_length")
            if f.type in ("list", "emotions") and not c.max_items:
                raise ValueError(f"{where}: needs max_items")
            if f.type in ("scale", "minutes", "emotions") and (c.min is None or c.max is None or c.min > c.max):
                raise ValueError(f"{where}: needs min <= max")
            if (f.type == "scale" and c.min is not None and c.max is not None  # both there: checked just above
                    and (not c.step or c.step < 1 or (c.max - c.min) % c.step)):
                raise ValueError(f"{where}: needs a positive step dividing max - min")
            if f.type in ("single_choice", "multi_choice"):
                option_ids = [o.id for o in c.options]
                if not option_ids or len(set(option_ids)) != len(option_ids):
                    raise ValueError(f"{where}: needs distinct options")


# Made at import: msgspec (0.22) can crash when two threads decode a Struct type for the first time at the same
# moment (see wire._make_ready); making the decoder builds the information of Schema and every type in it.
_schema_decoder = msgspec.json.Decoder(Schema)


def parse_schema(raw: bytes) -> Schema:
    """Decode and check a kinds.json; raises ValueError (msgspec.ValidationError is one) when it is unusable."""
    schema = _schema_decoder.decode(raw)
    _check_schema(schema)
    return schema


# The one source of activity kinds, read by the PWA too: it sits in sync/, beside the code of both languages' users.
KINDS_JSON = Path(__file__).resolve().parent.parent / "kinds.json"


@cache
def _schema() -> Schema:
    return parse_schema(KINDS_JSON.read_bytes())


@cache
def _by_id() -> dict[str, Kind]:
    return {k.id: k for k in _schema().kinds}


def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in the order the app offers them."""
    return _schema().kinds


def get_kind(kind_id: str) -> Kind:
    try:
        return _by_id()[kind_id]
    except (KeyError, TypeError):
        names = ", ".join(_by_id())
        raise FieldError(f"There is no activity kind called that; the kinds are: {names}.",
                         kind_id=None, code="unknown_kind") from None


def find_kind(kind_id: object) -> Kind | None:
    """The kind, or None for a kind this version does not know (the merge still preserves its fields)."""
    return _by_id().get(kind_id) if isinstance(kind_id, str) else None


def _fail(kind: Kind, field: Field, problem: str) -> FieldError:
    return FieldError(f"{kind.id} field '{field.id}' ({field.label}) {problem}.", kind_id=kind.id, field_id=field.id)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_line(kind: Kind, field: Field, value: object, max_length: int, what: str = "must be") -> str:
    if not isinstance(value, str):
        raise _fail(kind, field, f"{what} text")
    text = _SPACE_RUN.sub(" ", value).strip(" ") if field.type == "emotions" else value.strip(SPACE)
    if "\n" in text or "\r" in text:
        raise _fail(kind, field, f"{what} a single line")
    if _CONTROL.search(text):
        raise _fail(kind, field, "contains control characters")
    if len(text) > max_length:
        raise _fail(kind, field, f"{what} at most {max_length} characters")
    return text


def check_field(kind: Kind, field: Field, value: Any) -> Any:
    """The normalised value, or None when it is empty (the field is then left out)."""
    c = field.constraints
    t = field.type
    if value is None:
        return None
    if t == "short_text":
        return _one_line(kind, field, value, c.max_length or 0) or None
    if t == "long_text":
        if not isinstance(value, str):
            raise _fail(kind, field, "must be text")
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(text):
            raise _fail(kind, field, "contains control characters")
        if len(text) > (c.max_length or 0):
            raise _fail(kind, field, f"must be at most {c.max_length} characters")
        return text if text.strip(SPACE) else None
    if t in ("scale", "minutes"):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        unit = " minutes" if t == "minutes" else ""
        if not _is_int(value) or not c.min <= value <= c.max:
            raise _fail(kind, field, f"must be a whole number from {c.min} to {c.max}{unit}")
        if t == "scale" and (value - c.min) % c.step:
            raise _fail(kind, field, f"must be a whole number from {c.min} to {c.max} in steps of {c.step}")
        return value
    if t == "yes_no":
        if not isinstance(value, bool):
            raise _fail(kind, field, "must be yes or no")
        return value
    option_ids = [o.id for o in c.options]
    if t == "single_choice":
        if value not in option_ids:
            raise _fail(kind, field, f"must be one of: {', '.join(option_ids)}")
        return value
    if not isinstance(value, list):
        raise _fail(kind, field, "must be a list")
    if t == "multi_choice":
        if any(v not in option_ids for v in value):
            raise _fail(kind, field, f"may only hold these options: {', '.join(option_ids)}")
        chosen = set(value)
        return [o for o in option_ids if o in chosen] or None
    if len(value) > (c.max_items or 0):
        raise _fail(kind, field, f"may hold at most {c.max_items} items")
    if t == "list":
        items = [_one_line(kind, field, v, c.max_length or 0, "items must be") for v in value]
        items = [i for i in items if i]
        if field.merge == "set":
            items = list(dict.fromkeys(items))
        return items or None
    return _check_emotions(kind, field, value) or None


def _check_emotions(kind: Kind, field: Field, value: list[Any]) -> list[dict[str, Any]]:
    c = field.constraints
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict) or set(item) != {"name", "intensity"}:
            raise _fail(kind, field, "must list emotions as a name and an intensity each")
        name = _one_line(kind, field, item["name"], c.max_length or 0, "emotion names must be")
        if not name:
            raise _fail(kind, field, "has an emotion without a name")
        intensity = item["intensity"]
        if isinstance(intensity, float) and intensity.is_integer():
            intensity = int(intensity)
        if not _is_int(intensity) or not c.min <= intensity <= c.max:
            raise _fail(kind, field, f"needs each intensity to be a whole number from {c.min} to {c.max}")
        if name.lower() in seen:  # lower(), not casefold(): JavaScript's toLowerCase() is the same mapping
            raise _fail(kind, field, "names the same emotion twice")
        seen.add(name.lower())
        out.append({"name": name, "intensity": intensity})
    return out


def validate_fields(kind_id: str, fields: object, *, keep_unknown: bool = False) -> dict[str, Any]:
    """Check `fields` against the kind's schema; return them normalised, with empty optional fields left out.

    A field id the kind does not define is refused, unless `keep_unknown` (an edit of an entry that a newer
    version wrote): then it is that version's field, kept exactly as it is, since this one cannot check it."""
    kind = get_kind(kind_id)
    if not isinstance(fields, dict):
        raise FieldError(f"{kind.id} fields must be an object of field names to values.", kind_id=kind.id)
    known = {f.id for f in kind.fields}
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in known:
            if not keep_unknown:
                kind.field(key)  # raises, naming the fields there are
            out[key] = value
    for field in kind.fields:
        value = check_field(kind, field, fields.get(field.id))
        if value is None:
            if field.required:
                raise _fail(kind, field, "is required")
            continue
        out[field.id] = value
    return out


def _split(text: str, separators: str) -> list[str]:
    """Split on any of `separators`; a backslash keeps the next character literal (`a\\;b` is one item)."""
    items, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in separators:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    items.append("".join(current).strip())
    return [i for i in items if i]


def _parse_int(kind: Kind, field: Field, text: str) -> int:
    c = field.constraints
    stripped = text.strip().lower()
    if field.type == "minutes":
        m = _MINUTES.match(stripped)
        if stripped and m and (m.group(1) or m.group(2)):
            return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
        raise _fail(kind, field, f"must be a number of minutes from {c.min} to {c.max}, like 15 or 1h30")
    if not re.fullmatch(r"[+-]?\d+", stripped):
        raise _fail(kind, field, f"must be a whole number from {c.min} to {c.max}")
    return int(stripped)


def parse_cli_value(kind_id: str, field_id: str, text: str) -> Any:
    """Parse the VALUE of `between ... --field NAME=VALUE` into the field's normalised value."""
    kind = get_kind(kind_id)
    field = kind.field(field_id)
    t = field.type
    value: Any
    if t in ("short_text", "long_text"):
        value = text
    elif t in ("scale", "minutes"):
        value = _parse_int(kind, field, text)
    elif t == "yes_no":
        word = text.strip().lower()
        if word in ("yes", "y", "true", "1"):
            value = True
        elif word in ("no", "n", "false", "0"):
            value = False
        else:
            raise _fail(kind, field, "must be yes or no")
    elif t in ("single_choice", "multi_choice"):
        lookup = {}
        for o in field.constraints.options:
            lookup[o.id.lower()] = o.id
            lookup[o.label.lower()] = o.id
        words = [text.strip()] if t == "single_choice" else _split(text, ",;")
        try:
            chosen = [lookup[w.lower()] for w in words]
        except KeyError:
            options = ", ".join(o.id for o in field.constraints.options)
            raise _fail(kind, field, f"must be chosen from: {options}") from None
        value = chosen[0] if t == "single_choice" else chosen
    elif t == "list":
        value = _split(text, ";")
    else:
        value = []
        for part in _split(text, ",;"):
            name, sep, number = part.rpartition(":")
            if not sep or not re.fullmatch(r"\s*\d+\s*", number):
                raise _fail(kind, field, "must be written like anxious:80,sad:40 (a name and an intensity each)")
            value.append({"name": name, "intensity": int(number)})
    normalised = check_field(kind, field, value)
    if normalised is None and field.required:
        raise _fail(kind, field, "is required")
    return normalised
