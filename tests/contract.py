"""Writes web/js/core/wire-contract.js: what the browser's API client (web/js/data/api.js) must know of the wire types.

Run `make contract` (`.venv/bin/python -m tests.contract`) after changing sync/core/wire.py; tests/test_contract.py
fails while the committed file differs from what this module makes. It reads the core only (the wire types, through
msgspec's own type information), so the generated facts are the server's and the reference client's facts:

- which field names hold bytes (standard base64 on the wire, Uint8Array in the app). api.js decodes an answer by
  field name, not by type, so a name must hold bytes in every wire type or in none, and never sit inside a list or
  a map (where api.js would not look): this module refuses to write the file otherwise;
- the fields, in order, of the wire types that api.js turns into the app's own objects (camelCase names, ids as
  16 bytes), and which of them are ids.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import msgspec
from msgspec import inspect

from between.sync.core import wire

OUT = Path(__file__).resolve().parents[1] / "web" / "js" / "core" / "wire-contract.js"
COMMAND = "make contract"
# The wire types api.js converts to the app's objects (bundleFromWire, kdfFromWire and back).
SHAPED = (wire.KdfParams, wire.KeyBundle)
WIDTH = 120


def wire_types() -> list[type[msgspec.Struct]]:
    """Every Struct of the /api/v1 wire format (all derive from wire.Frozen), in definition order."""
    found: list[type[msgspec.Struct]] = []

    def walk(base: type) -> None:
        for cls in base.__subclasses__():
            found.append(cls)
            walk(cls)

    walk(wire.Frozen)
    return found


def _holds_bytes(tp: inspect.Type) -> bool:
    """A field's own value is bytes (or optional bytes): what api.js decodes."""
    if isinstance(tp, inspect.UnionType):
        return any(_holds_bytes(t) for t in tp.types)
    return isinstance(tp, inspect.BytesType)


def _nested_bytes(tp: inspect.Type) -> bool:
    """Bytes inside a list, tuple, set or map: a shape api.js's by-name decoding would leave as text."""
    if isinstance(tp, inspect.UnionType):
        return any(_nested_bytes(t) for t in tp.types)
    if isinstance(tp, (inspect.ListType, inspect.VarTupleType, inspect.SetType, inspect.FrozenSetType)):
        return _holds_bytes(tp.item_type) or _nested_bytes(tp.item_type)
    if isinstance(tp, inspect.TupleType):
        return any(_holds_bytes(t) or _nested_bytes(t) for t in tp.item_types)
    if isinstance(tp, inspect.DictType):
        return any(_holds_bytes(t) or _nested_bytes(t) for t in (tp.key_type, tp.value_type))
    return False


def bytes_fields(types: list[type[msgspec.Struct]]) -> list[str]:
    """Sorted names of the fields that hold bytes; ValueError when api.js could not decode them by name."""
    holds: dict[str, set[bool]] = {}
    for cls in types:
        for field in inspect.type_info(cls).fields:
            if _nested_bytes(field.type):
                raise ValueError(
                    f"{cls.__name__}.{field.encode_name}: bytes inside a container; api.js decodes "
                    "bytes by field name only"
                )
            holds.setdefault(field.encode_name, set()).add(_holds_bytes(field.type))
    mixed = sorted(name for name, kinds in holds.items() if kinds == {True, False})
    if mixed:
        raise ValueError(f"field names that hold bytes in one wire type and not in another: {mixed}")
    return sorted(name for name, kinds in holds.items() if kinds == {True})


def shape(cls: type[msgspec.Struct]) -> dict[str, list[str]]:
    """A converted type's wire fields in order, and those that are ids (UUIDs)."""
    fields = inspect.type_info(cls).fields
    ids = [
        f.encode_name
        for f in fields
        if isinstance(f.type, inspect.UUIDType)
        or (isinstance(f.type, inspect.UnionType) and any(isinstance(t, inspect.UUIDType) for t in f.type.types))
    ]
    return {"fields": [f.encode_name for f in fields], "uuid": ids}


def _js(value: object) -> str:
    # JSON is JavaScript; single quotes as the rest of web/js writes strings.
    return json.dumps(value, separators=(", ", ": ")).replace('"', "'")


def _wrapped(head: str, items: list[str], tail: str) -> list[str]:
    """`head` + the items joined by ", " + `tail`, in lines no longer than WIDTH (continued with two spaces)."""
    lines, line = [], head
    for i, item in enumerate(items):
        last = i == len(items) - 1
        piece = item + (tail if last else ", ")
        if len(line) + len(piece.rstrip()) > WIDTH:
            lines.append(line.rstrip())
            line = "  "
        line += piece
    lines.append(line)
    return lines


def render() -> str:
    types = wire_types()
    out = [
        f"// Generated from sync/core/wire.py by `{COMMAND}` (tests/contract.py): do not edit by hand.",
        "// tests/test_contract.py fails while this file differs from what the wire types give.",
        "",
        "/** Every field name that holds bytes in the wire types (standard base64 on the wire, Uint8Array here). */",
        *_wrapped("export const BYTES_FIELDS = Object.freeze([", [_js(n) for n in bytes_fields(types)], "]);"),
        "",
        "/** The wire types api.js converts to the app's objects: their fields in order, and which are ids. */",
        "export const SHAPES = Object.freeze({",
    ]
    for cls in SHAPED:
        s = shape(cls)
        out += _wrapped(
            f"  {cls.__name__}: {{ fields: [", [_js(f) for f in s["fields"]], f"], uuid: {_js(s['uuid'])} }},"
        )
    out.append("});")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(OUT.parents[3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
