"""Reading the server's answers as a client: fields a newer server added are ignored at every level.

The wire Structs (sync/core/wire.py) forbid unknown fields, so the server refuses a request with a field it does
not know. A client must not refuse an answer that way: the first field a newer server adds to a `RecordState`
would otherwise break every installed app. So each answer is decoded into a lenient twin of its type (the same
fields, types and constraints, with unknown fields allowed), derived once from the strict type, and then
converted into the strict type itself: callers get ordinary wire objects, and bytes, ids and lengths are
checked exactly as before. Both steps are msgspec's own, so a large pull page costs about the same as a
strict decode (bench/bench_answers.py).
"""

from __future__ import annotations

import threading
import types
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec

T = TypeVar("T")

_lock = threading.Lock()
_decoders: dict[Any, msgspec.json.Decoder] = {}
_twins: dict[type, type] = {}


def decode(raw: bytes, type_: type[T]) -> T:
    """`raw` JSON as `type_` (a wire Struct, or e.g. list[wire.CareLink]), ignoring fields `type_` does not know.

    Raises msgspec.DecodeError for malformed JSON and msgspec.ValidationError for a known field that is wrong."""
    decoder = _decoders.get(type_) or _prepare(type_)
    return msgspec.convert(decoder.decode(raw), type_, from_attributes=True)


def _prepare(type_: Any) -> msgspec.json.Decoder:
    # msgspec fills in a Struct's type information on first use and is not safe when two threads do that at
    # once (0.22 can crash): twins are only made and first used under this lock, before anyone else sees them.
    # The strict wire types were made ready when sync.wire was imported.
    with _lock:
        decoder = _decoders.get(type_)
        if decoder is None:
            decoder = _decoders[type_] = msgspec.json.Decoder(_lenient(type_))
        return decoder


def _lenient(tp: Any) -> Any:
    """`tp` with every Struct in it replaced by its twin; everything else (constraints too) as it was."""
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _twin(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return Annotated[(_lenient(args[0]), *tp.__metadata__)]
    if origin in (Union, types.UnionType):
        return Union[tuple(_lenient(a) for a in args)]  # noqa: UP007 - built at run time: no `|` spelling
    if origin in (list, tuple, set, frozenset, dict) and args:
        return origin[tuple(_lenient(a) for a in args)]
    return tp


def _twin(cls: type[msgspec.Struct]) -> type[msgspec.Struct]:
    twin = _twins.get(cls)
    if twin is None:
        config = cls.__struct_config__
        fields = []
        for f in msgspec.structs.fields(cls):
            if f.default is not msgspec.NODEFAULT:
                extra = {"default": f.default}
            elif f.default_factory is not msgspec.NODEFAULT:
                extra = {"default_factory": f.default_factory}
            else:
                extra = {}
            fields.append((f.name, _lenient(f.type), msgspec.field(name=f.encode_name, **extra)))
        twin = _twins[cls] = msgspec.defstruct(
            cls.__name__,
            fields,
            module=__name__,
            kw_only=True,
            frozen=True,
            forbid_unknown_fields=False,
            tag=config.tag,
            tag_field=config.tag_field,
            array_like=config.array_like,
        )
    return twin
