"""Sketches as compact vector strokes (the `sketch` field type): points quantised and delta-encoded, and checked.

A stroke is `{"id", "tool", "color", "width", "points"}`. `points` is base64url (no padding) of the numbers
x0, y0, p0, dx1, dy1, dp1, ... each zigzag-encoded and written as an unsigned LEB128 varint of at most 4 bytes.
x and y are in quarter units of a 1000 x 750 sheet (0..4000, 0..3000), p the pressure 0..255. The spelling is
canonical: re-encoding the decoded numbers gives the same text, so Python and the browser judge it alike
(tests/vectors/sketch.json). web/js/core/sketch.js is the same in the browser; docs/PROTOCOL.md §13 specifies it.
"""

from __future__ import annotations

import base64
import re
from itertools import accumulate
from typing import Any

WIDTH, HEIGHT = 4000, 3000  # the sheet in quarter units (1000 x 750)
PRESSURE = 255
MAX_POINTS = 2000  # in one stroke
TOOLS = ("pen", "marker", "eraser")
COLORS = ("ink", "red", "blue", "green", "orange", "purple")
WIDTHS = (2, 4, 8, 16)  # in sheet units (quarter units / 4)
KEYS = frozenset({"id", "tool", "color", "width", "points"})
_ID = re.compile(r"[A-Za-z0-9_-]{8,32}")
_B64 = re.compile(r"[A-Za-z0-9_-]*")


class SketchError(ValueError):
    """A stroke that does not fit; the text is the problem in words, said after the question's label. `code` and
    `params` name it in the catalogues (`field.problem.<code>`, as web/js/core/sketch.js)."""

    def __init__(self, problem: str, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(problem)
        self.code = code
        self.params = dict(params or {})


def _zigzag(n: int) -> int:
    return n * 2 if n >= 0 else -n * 2 - 1


def _unzigzag(u: int) -> int:
    return (u >> 1) ^ -(u & 1)


def encode_points(points: list[tuple[int, int, int]]) -> str:
    """Absolute (x, y, p) points as the stroke's `points` text."""
    out = bytearray()
    prev = (0, 0, 0)
    for point in points:
        for value, before in zip(point, prev, strict=True):
            u = _zigzag(value - before)
            while u >= 0x80:
                out.append((u & 0x7F) | 0x80)
                u >>= 7
            out.append(u)
        prev = point
    return base64.urlsafe_b64encode(bytes(out)).decode().rstrip("=")


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VARINT = re.compile(rb"[\x80-\xff]*[\x00-\x7f]")  # one varint: bytes that say "more", then one that does not
_TOO_LONG = re.compile(rb"[\x80-\xff]{4}")  # a fifth byte to come
_OVERLONG = re.compile(rb"[\x80-\xff]\x00")  # a varint whose last byte adds nothing: longer than it needs


class _Varints(dict[bytes, int]):
    """The number of each varint: one-byte ones (most steps of a hand's stroke) looked up, longer ones worked out."""

    def __missing__(self, varint: bytes) -> int:
        u = 0
        for shift, byte in enumerate(varint):
            u |= (byte & 0x7F) << (7 * shift)
        return _unzigzag(u)


_ONE_BYTE = [_unzigzag(u) for u in range(0x80)]
_VARINTS = _Varints({bytes([u]): n for u, n in enumerate(_ONE_BYTE)})
_FIRST_POINT = re.compile(rb"(?:[\x80-\xff]*[\x00-\x7f]){3}")


def _numbers(text: str) -> tuple[list[int], bool]:
    """The numbers of a `points` text and whether it is spelled canonically (no varint longer than it needs, no spare
    bits set in the last character: what re-encoding the numbers would show), or SketchError when it cannot be read.
    The bytes are searched and split in C; only varints of more than one byte take a Python step each."""
    if not isinstance(text, str) or not _B64.fullmatch(text) or len(text) % 4 == 1:
        raise SketchError("has a stroke whose points cannot be read", "strokePoints")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if (raw and raw[-1] & 0x80) or _TOO_LONG.search(raw):  # cut short, or longer than 4 bytes
        raise SketchError("has a stroke whose points cannot be read", "strokePoints")
    spare = _ALPHABET.index(text[-1]) & (0x0F if len(text) % 4 == 2 else 0x03) if len(text) % 4 else 0
    # The first point is where it is on the sheet, so mostly of two bytes a number; the steps after it are small, so
    # mostly of one byte each: then they are looked up by their byte alone, with no bytes object made for each.
    first = _FIRST_POINT.match(raw)
    steps = raw[first.end() :] if first else b""
    if first and steps.isascii():
        numbers = list(map(_VARINTS.__getitem__, _VARINT.findall(raw, 0, first.end())))
        numbers += map(_ONE_BYTE.__getitem__, steps)
    else:
        numbers = list(map(_VARINTS.__getitem__, _VARINT.findall(raw)))
    return numbers, not spare and not _OVERLONG.search(raw)


def _sheet_points(text: str) -> tuple[list[int], list[int], list[int]]:
    """The absolute x, y and p of a `points` text, each checked (decode_points says how)."""
    numbers, canonical = _numbers(text)
    if not numbers or len(numbers) % 3:
        raise SketchError("has a stroke whose points cannot be read", "strokePoints")
    if len(numbers) > 3 * MAX_POINTS:
        raise SketchError(f"has a stroke of more than {MAX_POINTS} points", "strokeLong", {"max": MAX_POINTS})
    xs, ys, ps = (list(accumulate(numbers[i::3])) for i in range(3))
    if min(xs) < 0 or max(xs) > WIDTH or min(ys) < 0 or max(ys) > HEIGHT or min(ps) < 0 or max(ps) > PRESSURE:
        raise SketchError("has a point outside the sheet", "outside")
    if not canonical:
        raise SketchError("has a stroke whose points cannot be read", "strokePoints")
    return xs, ys, ps


def decode_points(text: str) -> list[tuple[int, int, int]]:
    """The absolute points of a `points` text; SketchError when it is not one canonical spelling of valid points."""
    return list(zip(*_sheet_points(text), strict=True))


def check_strokes(value: Any, max_items: int, max_length: int) -> list[dict[str, Any]]:
    """The strokes as they are (each checked), or SketchError. `max_length` bounds the points text of all strokes."""
    if not isinstance(value, list):
        raise SketchError("must be a drawing", "drawing")
    if len(value) > max_items:
        raise SketchError(f"may hold at most {max_items} strokes", "strokes", {"max": max_items})
    seen: set[str] = set()
    total = 0
    out: list[dict[str, Any]] = []
    for stroke in value:
        if not isinstance(stroke, dict) or set(stroke) != KEYS:
            raise SketchError("must be a drawing", "drawing")
        sid = stroke["id"]
        if not isinstance(sid, str) or not _ID.fullmatch(sid):
            raise SketchError("has a stroke without a proper id", "strokeId")
        if sid in seen:
            raise SketchError("has the same stroke twice", "strokeTwice")
        seen.add(sid)
        if stroke["tool"] not in TOOLS or stroke["color"] not in COLORS:
            raise SketchError("has a stroke with a tool or colour this version does not know", "strokeTool")
        width = stroke["width"]
        width = int(width) if isinstance(width, float) and width.is_integer() else width
        if isinstance(width, bool) or not isinstance(width, int) or width not in WIDTHS:
            raise SketchError("has a stroke with a width this version does not know", "strokeWidth")
        _sheet_points(stroke["points"])
        total += len(stroke["points"])
        out.append({**stroke, "width": width})
    if total > max_length:
        raise SketchError(
            f"is too large: it may hold at most {max_length} characters of points", "drawingLarge", {"max": max_length}
        )
    return out


def stroke_count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0
