"""The field types of activity kinds and worksheets, each defined once: the registry `TYPES`.

A type says which merge strategies fit it, what its constraints in kinds.json must hold, how a therapist's worksheet
may use it, how a value is checked and normalised, and how the `between` command reads a value typed after
`--field NAME=` and prints one. kinds.py, assignments.py and the CLI ask the registry instead of testing type names;
web/js/core/fields.js is the same registry for the browser. Adding a type: docs/INTERNALS.md "Adding a field type".
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from . import attachments
from .errors import BetweenError
from .sketch import SketchError, check_strokes, stroke_count

if TYPE_CHECKING:
    from .kinds import Constraints, Field

# Builds the error for a value that does not fit, from the problem in words ("must be text"); never holds the value.
Fail = Callable[[str], Exception]
# One rule a kinds.json field's constraints must meet: the problem in words, or None.
Need = Callable[["Constraints"], "str | None"]

# C0 controls other than tab and newline (and DEL) have no business in what a person writes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What JavaScript's trim() and \s treat as space. Python's str.strip() and str.split() differ (they take
# \x1c-\x1f and \x85, and leave \ufeff), and the app and this module must normalise text identically.
SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_RUN = re.compile(f"[{re.escape(SPACE)}]+")
_MINUTES = re.compile(r"^(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*(?:m(?:in(?:ute)?s?)?)?)?$")
MAX_DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Worksheet:
    """How a therapist-built worksheet may use a type (docs/ASSIGNMENTS.md)."""

    merge: str  # the merge a therapist never has to choose: the one an entry kind of the same type would use
    # Constraint -> (lowest, highest, default); None as default = not set unless given.
    limits: Mapping[str, tuple[int, int, int | None]]
    # Constraints without numeric limits it may hold: "options" (then required) or "suggestions".
    extra: frozenset[str] = frozenset()


class Type(ABC):
    """One field type. Subclasses set the class attributes and the three hooks; `text` has a default."""

    name: ClassVar[str]
    merges: ClassVar[frozenset[str]]  # the merge strategies that fit (docs/MERGE.md); the loader refuses others
    needs: ClassVar[tuple[Need, ...]]  # what a kinds.json field of this type must say, checked in this order
    worksheet: ClassVar[Worksheet | None] = None  # None: a worksheet cannot ask for it
    records_minutes: ClassVar[bool] = False  # its answers are practice minutes (an assignment's weekly target)
    # How an answer can say what an entry is about in one line (the lists' summary): "text" says it, "choice" (its
    # label) may lead the line before the first text, None takes no part.
    headline: ClassVar[Literal["text", "choice"] | None] = None

    def constraints_problem(self, c: Constraints) -> str | None:
        """What a kinds.json field of this type lacks, or None."""
        for need in self.needs:
            if problem := need(c):
                return problem
        return None

    @abstractmethod
    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        """The value normalised, or None when it is empty. `value` is never None."""

    @abstractmethod
    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        """The value of `between ... --field NAME=TEXT`, before `check` normalises it."""

    def by_choice(self, field: Field) -> bool:
        """Whether the question is answered by choosing among a few, not by typing (what a missing answer asks)."""
        return False

    def text(self, field: Field, value: Any) -> str:
        """The value as the CLI prints it. A type whose values `plain_text` cannot show well overrides this."""
        return plain_text(value)


def option_label(field: Field, option_id: object) -> str | None:
    """The label of a choice the field offers, or None for an id it does not (a newer version's choice)."""
    return next((o.label for o in field.constraints.options if o.id == option_id), None)


def choice_words(field: Field, value: Any) -> str:
    """Choices in words, each by its label; one without a label here (a newer version's) by its id, marked so."""
    ids = value if isinstance(value, list) else [value]
    return ", ".join(option_label(field, i) or f"{i} (a newer choice)" for i in ids)


def plain_text(value: Any) -> str:
    """Any field's value on one line (a field this version does not know too): yes/no, lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_attachment_list(value):
        return "; ".join(attachment_words(v) for v in value)
    if isinstance(value, list):
        return ", ".join(f"{v['name']}:{v['intensity']}" if isinstance(v, dict) else str(v) for v in value)
    return str(value)


# ------------------------------------------------------------------ what kinds.json must say about a field


def _needs_max_length(c: Constraints) -> str | None:
    return None if c.max_length else "needs max_length"


def _needs_max_items(c: Constraints) -> str | None:
    return None if c.max_items else "needs max_items"


def _needs_range(c: Constraints) -> str | None:
    return None if c.min is not None and c.max is not None and c.min <= c.max else "needs min <= max"


def _needs_step(c: Constraints) -> str | None:  # after _needs_range: min and max are set
    assert c.min is not None and c.max is not None
    ok = c.step and c.step >= 1 and not (c.max - c.min) % c.step
    return None if ok else "needs a positive step dividing max - min"


def _needs_options(c: Constraints) -> str | None:
    option_ids = [o.id for o in c.options]
    return None if option_ids and len(set(option_ids)) == len(option_ids) else "needs distinct options"


def _needs_media(c: Constraints) -> str | None:
    kinds = set(attachments.MEDIA_TYPES.values())
    ok = c.media and len(set(c.media)) == len(c.media) and set(c.media) <= kinds
    return None if ok else f"needs media, some of {', '.join(sorted(kinds))}"


# ------------------------------------------------------------------ shared checks and parsing


def _one_line(value: object, max_length: int, fail: Fail, what: str = "must be", *, collapse: bool = False) -> str:
    """One line of text, trimmed (`collapse`: every run of space made one space)."""
    if not isinstance(value, str):
        raise fail(f"{what} text")
    text = _SPACE_RUN.sub(" ", value).strip(" ") if collapse else value.strip(SPACE)
    if "\n" in text or "\r" in text:
        raise fail(f"{what} a single line")
    if _CONTROL.search(text):
        raise fail("contains control characters")
    if len(text) > max_length:
        raise fail(f"{what} at most {max_length} characters")
    return text


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: Any) -> Any:
    """A float without a fraction as the int it is (JSON has one number type); anything else as it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _items(value: Any, field: Field, fail: Fail, *, counted: bool = True) -> list[Any]:
    if not isinstance(value, list):
        raise fail("must be a list")
    if counted and len(value) > (field.constraints.max_items or 0):
        raise fail(f"may hold at most {field.constraints.max_items} items")
    return value


def split(text: str, separators: str) -> list[str]:
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


# ------------------------------------------------------------------ the types


class ShortText(Type):
    name = "short_text"
    headline = "text"
    merges = frozenset({"text", "scalar"})
    needs = (_needs_max_length,)
    worksheet = Worksheet("scalar", {"max_length": (1, 2000, 500)})

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        return _one_line(value, field.constraints.max_length or 0, fail) or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        return text


class LongText(Type):
    name = "long_text"
    headline = "text"
    merges = frozenset({"text", "scalar"})
    needs = (_needs_max_length,)
    worksheet = Worksheet("text", {"max_length": (1, 100000, 20000)})

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        c = field.constraints
        if not isinstance(value, str):
            raise fail("must be text")
        text = value.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(text):
            raise fail("contains control characters")
        if len(text) > (c.max_length or 0):
            raise fail(f"must be at most {c.max_length} characters")
        return text if text.strip(SPACE) else None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        return text


class Scale(Type):
    name = "scale"
    merges = frozenset({"scalar"})
    needs = (_needs_range, _needs_step)
    worksheet = Worksheet("scalar", {"min": (0, 10, 0), "max": (0, 10, 10), "step": (1, 1, 1)})

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        c = field.constraints
        value = _whole(value)
        if not _is_int(value) or not c.min <= value <= c.max:
            raise fail(f"must be a whole number from {c.min} to {c.max}")
        if (value - c.min) % c.step:
            raise fail(f"must be a whole number from {c.min} to {c.max} in steps of {c.step}")
        return value

    def by_choice(self, field: Field) -> bool:  # at most 11 steps: a row of choices; more: a number in a box
        c = field.constraints
        return c.min is not None and c.max is not None and bool(c.step) and (c.max - c.min) / (c.step or 1) <= 10

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        c = field.constraints
        stripped = text.strip().lower()
        if not re.fullmatch(r"[+-]?\d+", stripped):
            raise fail(f"must be a whole number from {c.min} to {c.max}")
        return int(stripped)


class YesNo(Type):
    name = "yes_no"
    merges = frozenset({"scalar"})
    needs = ()
    worksheet = Worksheet("scalar", {})

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        if not isinstance(value, bool):
            raise fail("must be yes or no")
        return value

    def by_choice(self, field: Field) -> bool:
        return True

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        word = text.strip().lower()
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        raise fail("must be yes or no")


def _choose(field: Field, words: list[str], fail: Fail) -> list[str]:
    """Option ids from what was typed: each an option's id or label, in any case."""
    lookup = {}
    for o in field.constraints.options:
        lookup[o.id.lower()] = o.id
        lookup[o.label.lower()] = o.id
    try:
        return [lookup[w.lower()] for w in words]
    except KeyError:
        options = ", ".join(f"“{o.label}”" for o in field.constraints.options)
        raise fail(f"must be chosen from: {options}") from None


class _Choice(Type):
    """What both choice types share: answered by choosing, said by the choices' labels."""

    def by_choice(self, field: Field) -> bool:
        return True

    def text(self, field: Field, value: Any) -> str:
        return choice_words(field, value)


class SingleChoice(_Choice):
    name = "single_choice"
    headline = "choice"
    merges = frozenset({"scalar"})
    needs = (_needs_options,)
    worksheet = Worksheet("scalar", {}, frozenset({"options"}))

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        option_ids = [o.id for o in field.constraints.options]
        if value not in option_ids:
            raise fail("must be one of the choices offered")
        return value

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        return _choose(field, [text.strip()], fail)[0]


class MultiChoice(_Choice):
    name = "multi_choice"
    merges = frozenset({"set", "scalar"})
    needs = (_needs_options,)
    worksheet = Worksheet("set", {}, frozenset({"options"}))

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        option_ids = [o.id for o in field.constraints.options]
        if any(v not in option_ids for v in _items(value, field, fail, counted=False)):
            raise fail("may only hold the choices offered")
        chosen = set(value)
        return [o for o in option_ids if o in chosen] or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        return _choose(field, split(text, ",;"), fail)


class List(Type):
    name = "list"
    merges = frozenset({"set", "list", "scalar"})
    needs = (_needs_max_length, _needs_max_items)
    worksheet = Worksheet("list", {"max_items": (1, 100, 20), "max_length": (1, 2000, 300)}, frozenset({"suggestions"}))

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        max_length = field.constraints.max_length or 0
        items = [_one_line(v, max_length, fail, "items must be") for v in _items(value, field, fail)]
        items = [i for i in items if i]
        if field.merge == "set":
            items = list(dict.fromkeys(items))
        return items or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        return split(text, ";")


class Minutes(Type):
    name = "minutes"
    merges = frozenset({"scalar"})
    needs = (_needs_range,)
    worksheet = Worksheet("scalar", {"min": (0, MAX_DAY_MINUTES, 0), "max": (1, MAX_DAY_MINUTES, 240)})
    records_minutes = True

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        c = field.constraints
        value = _whole(value)
        if not _is_int(value) or not c.min <= value <= c.max:
            raise fail(f"must be a whole number from {c.min} to {c.max} minutes")
        return value

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        c = field.constraints
        stripped = text.strip().lower()
        m = _MINUTES.match(stripped)
        if stripped and m and (m.group(1) or m.group(2)):
            return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
        raise fail(f"must be a number of minutes from {c.min} to {c.max}, like 15 or 1h30")


class Checklist(Type):
    """Items that can be ticked: `{"text", "done"}` each, in order; merged by position like a text list."""

    name = "checklist"
    headline = None
    merges = frozenset({"list", "scalar"})
    needs = (_needs_max_length, _needs_max_items)

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        max_length = field.constraints.max_length or 0
        out = []
        for item in _items(value, field, fail):
            if not isinstance(item, dict) or set(item) != {"text", "done"}:
                raise fail("must list items as a text and whether it is ticked each")
            text = _one_line(item["text"], max_length, fail, "items must be")
            if not isinstance(item["done"], bool):
                raise fail("must say yes or no for whether each item is ticked")
            if text:
                out.append({"text": text, "done": item["done"]})
        return out or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        items = []
        for part in split(text, ";"):
            done = part.lower().startswith("[x]")
            items.append({"text": part[3:].strip() if done else part, "done": done})
        return items

    def text(self, field: Field, value: Any) -> str:
        if not isinstance(value, list):
            return plain_text(value)
        return "; ".join(f"[{'x' if i.get('done') else ' '}] {i.get('text')}" for i in value if isinstance(i, dict))


class Sketch(Type):
    """A drawing: vector strokes (sync/core/sketch.py), merged as the union of both sides' strokes by id."""

    name = "sketch"
    merges = frozenset({"union"})
    needs = (_needs_max_length, _needs_max_items)

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        c = field.constraints
        try:
            return check_strokes(value, c.max_items or 0, c.max_length or 0) or None
        except SketchError as err:
            raise fail(str(err)) from None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise fail("must be a drawing (its strokes as JSON)") from None

    def text(self, field: Field, value: Any) -> str:
        n = stroke_count(value)
        return f"a drawing of {n} stroke{'' if n == 1 else 's'}"


class Emotions(Type):
    """Feelings by name, each with an intensity; names compared as JavaScript's toLowerCase() compares them."""

    name = "emotions"
    merges = frozenset({"list", "scalar"})
    needs = (_needs_max_length, _needs_max_items, _needs_range)

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        c = field.constraints
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in _items(value, field, fail):
            if not isinstance(item, dict) or set(item) != {"name", "intensity"}:
                raise fail("must list emotions as a name and an intensity each")
            name = _one_line(item["name"], c.max_length or 0, fail, "emotion names must be", collapse=True)
            if not name:
                raise fail("has an emotion without a name")
            intensity = _whole(item["intensity"])
            if not _is_int(intensity) or not c.min <= intensity <= c.max:
                raise fail(f"needs each intensity to be a whole number from {c.min} to {c.max}")
            if name.lower() in seen:  # lower(), not casefold(): JavaScript's toLowerCase() is the same mapping
                raise fail("names the same emotion twice")
            seen.add(name.lower())
            out.append({"name": name, "intensity": intensity})
        return out or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        value = []
        for part in split(text, ",;"):
            name, sep, number = part.rpartition(":")
            if not sep or not re.fullmatch(r"\s*\d+\s*", number):
                raise fail("must be written like anxious:80,sad:40 (a name and an intensity each)")
            value.append({"name": name, "intensity": int(number)})
        return value


_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_ITEM_KEYS = frozenset({"id", "key", "size", "digest", "media"})
_MEDIA_KEYS = {"audio": frozenset({"duration_ms"}), "image": frozenset({"width", "height"})}
_MEDIA_WORDS = {"audio": "voice recordings", "image": "photos"}


def _within(value: Any, low: int, high: int) -> bool:
    return _is_int(value) and low <= value <= high


def _attachment_item(item: Any, media: tuple[str, ...], fail: Fail) -> dict[str, Any]:
    """One item of an attachments field, checked as PROTOCOL.md section 19 says; never says its key or digest."""
    if not isinstance(item, dict) or not set(item) >= _ITEM_KEYS:
        raise fail("must list attachments, each with its id, key, size, digest and media type")
    top = attachments.MEDIA_TYPES.get(item["media"]) if isinstance(item["media"], str) else None
    if top is None or top not in media:
        raise fail(f"may only hold {' or '.join(_MEDIA_WORDS.get(m, m) for m in media)}")
    if set(item) - _ITEM_KEYS - _MEDIA_KEYS[top]:
        raise fail("has an attachment with something it does not know")
    if not isinstance(item["id"], str) or not _UUID4.fullmatch(item["id"]):
        raise fail("has an attachment without a proper id")
    for name in ("key", "digest"):
        try:
            attachments.from_b64url(item[name], 32)
        except BetweenError:
            raise fail("has an attachment whose key or digest cannot be read") from None
    out = {k: _whole(item[k]) if k in ("size", "duration_ms", "width", "height") else item[k] for k in item}
    if not _within(out["size"], 1, attachments.MAX_ATTACHMENT_BYTES):
        raise fail("has an attachment larger than 48 MiB or without a size")
    if "duration_ms" in out and not _within(out["duration_ms"], 0, attachments.MAX_DURATION_MS):
        raise fail("has a recording longer than an hour")
    if ("width" in out) != ("height" in out) or any(
        not _within(out[k], 1, attachments.MAX_DIMENSION) for k in ("width", "height") if k in out
    ):
        raise fail(f"has a photo whose width and height are not both from 1 to {attachments.MAX_DIMENSION}")
    return out


def attachment_words(item: Any) -> str:
    """An attachment in English words for the CLI's and a saved copy's text: "Voice recording, 0:05, 84 KB". Never its
    key. The `between` command says the same from its catalogue (sync/cli/terminal.py)."""
    if not isinstance(item, dict):
        return "an attachment"
    media = item.get("media")
    top = attachments.MEDIA_TYPES.get(media, "") if isinstance(media, str) else ""
    parts = [{"audio": "Voice recording", "image": "Photo"}.get(top, "Attachment")]
    if top == "audio" and _is_int(item.get("duration_ms")):
        parts.append(duration_text(item["duration_ms"]))
    if top == "image" and _is_int(item.get("width")) and _is_int(item.get("height")):
        parts.append(f"{item['width']} \u00d7 {item['height']}")
    if _is_int(item.get("size")):
        parts.append(size_text(item["size"]))
    return ", ".join(parts)


def duration_text(ms: int) -> str:
    """m:ss (h:mm:ss from an hour), rounded to the nearest second: the same in every language."""
    seconds = (ms + 500) // 1000
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h}:{m:02}:{s:02}" if h else f"{m}:{s:02}"


def size_text(size: int) -> str:
    """Bytes as KB (below a megabyte, at least 1) or MB with one decimal; 1 KB = 1000 bytes."""
    if size < 999_500:
        return f"{max(1, (size + 500) // 1000)} KB"
    tenths = (size + 50_000) // 100_000
    return f"{tenths // 10}.{tenths % 10} MB"


def is_attachment_list(value: Any) -> bool:
    """Whether a value holds attachment items (keys and all): said in words, never printed as it is, whatever
    field holds it (a field this version does not know too)."""
    return isinstance(value, list) and any(isinstance(v, dict) and "key" in v and "digest" in v for v in value)


class Attachments(Type):
    """Voice recordings and photos (PROTOCOL.md section 19): items naming blobs by id, with their keys. Added by
    `between attach`, never typed; merged as the union of both sides' items by id."""

    name = "attachments"
    merges = frozenset({"union"})
    needs = (_needs_max_items, _needs_media)

    def check(self, field: Field, value: Any, fail: Fail) -> Any:
        out, seen = [], set()
        for item in _items(value, field, fail):
            checked = _attachment_item(item, field.constraints.media, fail)
            if checked["id"] in seen:
                raise fail("has the same attachment twice")
            seen.add(checked["id"])
            out.append(checked)
        return out or None

    def parse(self, field: Field, text: str, fail: Fail) -> Any:
        raise fail("is added with `between attach`, not typed")

    def text(self, field: Field, value: Any) -> str:
        return "; ".join(attachment_words(i) for i in value) if isinstance(value, list) else plain_text(value)


# Every field type, in the order the worksheet builder offers them; FieldType spells out the same names, so msgspec
# and type checkers know them (tests/sync/core/test_fields.py compares the two).
FieldType = Literal[
    "short_text",
    "long_text",
    "scale",
    "yes_no",
    "single_choice",
    "multi_choice",
    "list",
    "minutes",
    "emotions",
    "checklist",
    "sketch",
    "attachments",
]
TYPES: dict[str, Type] = {
    t.name: t
    for t in (
        ShortText(),
        LongText(),
        Scale(),
        YesNo(),
        SingleChoice(),
        MultiChoice(),
        List(),
        Minutes(),
        Emotions(),
        Checklist(),
        Sketch(),
        Attachments(),
    )
}
