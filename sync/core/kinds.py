"""The activity kinds' field schemas (sync/kinds.json): lookup, and validation by the field types of fields.py."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import msgspec

from .errors import BetweenError
from .fields import TYPES, Fail, FieldType

MergeStrategy = Literal["text", "scalar", "set", "list", "union"]

# Which merge strategies make sense for which field type; the loader refuses anything else.
ALLOWED_MERGES: dict[str, frozenset[str]] = {name: t.merges for name, t in TYPES.items()}


class FieldError(BetweenError):
    """Entry fields that do not fit their kind's schema. `detail` names the field and the problem, never the value."""

    code = "invalid_field"

    def __init__(
        self,
        detail: str,
        *,
        kind_id: str | None = None,
        field_id: str | None = None,
        code: str | None = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code, detail, key=key, params=params)
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
    media: tuple[str, ...] = ()  # an attachments field: the top-level media types it takes ("audio", "image")


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
        raise FieldError(
            f"{self.id} has no field '{field_id}'; its fields are: {names}.",
            kind_id=self.id,
            field_id=field_id,
            code="unknown_field",
            params={"kind": self.id, "field": field_id, "names": names},
        )


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
            where = f"kinds.json: {kind.id}.{f.id}"
            if f.merge not in ALLOWED_MERGES[f.type]:
                raise ValueError(f"{where}: merge {f.merge} does not fit type {f.type}")
            if problem := TYPES[f.type].constraints_problem(f.constraints):
                raise ValueError(f"{where}: {problem}")


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
        raise FieldError(
            f"There is no activity kind called that; the kinds are: {names}.",
            kind_id=None,
            code="unknown_kind",
            params={"names": names},
        ) from None


def find_kind(kind_id: object) -> Kind | None:
    """The kind, or None for a kind this version does not know (the merge still preserves its fields)."""
    return _by_id().get(kind_id) if isinstance(kind_id, str) else None


def _fail(kind: Kind, field: Field, problem: str) -> FieldError:
    """An answer that does not fit its question, named by the question's words (its label), never its id, and never
    holding the value: "“Tension before” must be a whole number from 0 to 10." web/js/core/kinds.js says the same."""
    return FieldError(f"“{field.label}” {problem}.", kind_id=kind.id, field_id=field.id)


def missing(kind: Kind, field: Field) -> FieldError:
    """A required answer left out, said as a request and named by the question's words, as web/js/core/kinds.js."""
    choose = TYPES[field.type].by_choice(field)
    ask = "Please choose an answer for" if choose else "Please fill in"
    return FieldError(
        f"{ask} “{field.label}”.",
        kind_id=kind.id,
        field_id=field.id,
        key="invalid_field.missing",
        params={"label": field.label, "choose": "yes" if choose else "no"},
    )


def _failing(kind: Kind, field: Field) -> Fail:
    return lambda problem: _fail(kind, field, problem)


def check_field(kind: Kind, field: Field, value: Any) -> Any:
    """The normalised value, or None when it is empty (the field is then left out)."""
    if value is None:
        return None
    return TYPES[field.type].check(field, value, _failing(kind, field))


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
                raise missing(kind, field)
            continue
        out[field.id] = value
    return out


def parse_cli_value(kind_id: str, field_id: str, text: str) -> Any:
    """Parse the VALUE of `between ... --field NAME=VALUE` into the field's normalised value."""
    kind = get_kind(kind_id)
    field = kind.field(field_id)
    value = TYPES[field.type].parse(field, text, _failing(kind, field))
    normalised = check_field(kind, field, value)
    if normalised is None and field.required:
        raise missing(kind, field)
    return normalised
