"""Terminal input and output of the `between` command: secrets from the environment or a prompt, entry text."""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any

from ..core.errors import BetweenError
from .messages import MessageError, has, t

EXIT_ERROR, EXIT_USAGE = 1, 2


class UsageError(BetweenError):
    code = "usage"


class Said(BetweenError):
    """A problem the command words itself, from its catalogue: its detail is already in the language in use."""


def problem_words(exc: BetweenError) -> str:
    """A problem of the client or the core in the language in use: the catalogue's `problem.<key>` (its key is the
    error's code unless one code has several wordings) with the arguments the error carries; the English detail for
    a key the catalogue lacks (the server's own problems, a problem this catalogue does not word yet)."""
    key = f"problem.{exc.key}"
    if isinstance(exc, Said) or not has(key):
        return exc.detail
    params = exc.params
    if "label" in params and getattr(exc, "field_id", None):  # a question of kinds.json: by its words here
        from ..core.kinds import find_kind

        kind = find_kind(getattr(exc, "kind_id", None))
        found = [f for f in in_words(kind).fields if f.id == exc.field_id] if kind else []  # type: ignore[attr-defined]
        params = {**params, "label": found[0].label} if found else params
    try:
        return t(key, **params)
    except MessageError:  # an error raised without an argument its message needs: the English says it all
        return exc.detail


def say(line: str = "") -> None:
    print(line, flush=True)


def warn(line: str) -> None:
    print(t("error.warning", message=line), file=sys.stderr, flush=True)


# ------------------------------------------------------------------ secrets from the environment or a prompt


def read_passphrase(confirm: bool = False, prompt: str | None = None) -> str:
    env = os.environ.get("BETWEEN_PASSPHRASE")
    if env is not None:
        return env
    first = getpass.getpass(prompt if prompt is not None else t("prompt.passphrase"))
    if confirm and getpass.getpass(t("prompt.repeat")) != first:
        raise Said("mismatch", t("secret.differCreate"))
    return first


def read_new_passphrase() -> str:
    env = os.environ.get("BETWEEN_NEW_PASSPHRASE")
    if env is not None:
        return env
    first = getpass.getpass(t("prompt.new"))
    if getpass.getpass(t("prompt.repeatNew")) != first:
        raise Said("mismatch", t("secret.differChange"))
    return first


def read_recovery_key() -> str:
    env = os.environ.get("BETWEEN_RECOVERY_KEY")
    return env if env is not None else getpass.getpass(t("prompt.recovery"))


# ------------------------------------------------------------------ output helpers


def print_json(value: Any) -> None:
    say(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


def _words(key: str, english: str) -> str:
    """A kind's words in the language in use: the catalogue's `kind.*` key (`make messages` copies the web app's),
    else the English of kinds.json (a kind or field newer than the catalogue)."""
    from .messages import has

    return t(key) if has(key) else english


def in_words(kind: Any) -> Any:
    """A copy of a kinds.Kind with its label, description, field labels, hints and option labels in the language
    in use (the keys of web/js/core/kind-words.js); its ids and structure unchanged."""
    import msgspec

    def field(f: Any) -> Any:
        at = f"kind.{kind.id}.field.{f.id}"
        options = tuple(
            msgspec.structs.replace(o, label=_words(f"{at}.option.{o.id}", o.label)) for o in f.constraints.options
        )
        return msgspec.structs.replace(
            f,
            label=_words(f"{at}.label", f.label),
            hint=_words(f"{at}.hint", f.hint) if f.hint else f.hint,
            constraints=msgspec.structs.replace(f.constraints, options=options),
        )

    return msgspec.structs.replace(
        kind,
        label=_words(f"kind.{kind.id}.label", kind.label),
        description=_words(f"kind.{kind.id}.description", kind.description),
        fields=tuple(field(f) for f in kind.fields),
    )


def _kind_of(entry: dict[str, Any]) -> Any:
    """The kinds.Kind an entry is written in: its kind of kinds.json, or the worksheet it answers; None when this
    version knows neither (a newer kind), and its fields are then shown as they are."""
    from ..core import assignments, kinds
    from ..core.errors import BetweenError

    if entry.get("kind") == assignments.WORKSHEET:
        title = entry.get("title") if isinstance(entry.get("title"), str) else t("show.worksheet")
        try:
            return assignments.worksheet_kind(entry.get("worksheet"), title)  # type: ignore[arg-type]
        except (BetweenError, TypeError, ValueError):
            return None
    kind = kinds.find_kind(entry.get("kind"))
    return in_words(kind) if kind else None


def kind_words(entry: dict[str, Any]) -> str:
    """The entry's kind by its label (a worksheet by its title); a newer version's kind by its id, marked so."""
    kind = _kind_of(entry)
    return kind.label if kind else t("show.newerKind", kind=entry.get("kind"))


def _value_text(field: Any, value: Any) -> str:
    """A field's value as its type prints it, in the language in use: choices by their labels, yes or no, a drawing
    by its strokes; one this version does not know, in plain words. A value that does not fit its type (a newer
    version's) is shown as it is."""
    from ..core.fields import TYPES, is_attachment_list, option_label, plain_text

    if isinstance(value, bool):
        return t("show.yes") if value else t("show.no")
    if field is None:  # a field this version does not know: attachment items in words all the same, never their keys
        return _attachments(value) if is_attachment_list(value) else plain_text(value)
    if field.constraints.options and isinstance(value, str | list):
        ids = value if isinstance(value, list) else [value]
        return ", ".join(option_label(field, i) or t("show.newerChoice", id=i) for i in ids)
    if field.type in SAID:
        return SAID[field.type](value)
    try:
        return TYPES[field.type].text(field, value)
    except (AttributeError, KeyError, TypeError):
        return plain_text(value)


def _drawing(value: Any) -> str:
    from ..core.sketch import stroke_count

    return t("show.drawing", count=stroke_count(value))


def attachment_words(item: Any) -> str:
    """An attachment in the language in use: "Voice recording, 0:05, 84 KB", "Photo, 1200 by 900, 2.1 MB". Never its
    key (the core's `fields.attachment_words` says the same in English)."""
    from ..core.attachments import MEDIA_TYPES
    from ..core.fields import duration_text

    def whole(name: str) -> int | None:
        value = item.get(name) if isinstance(item, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    media = item.get("media") if isinstance(item, dict) else None
    top = MEDIA_TYPES.get(media, "") if isinstance(media, str) else ""
    kind = t("attachment.audio") if top == "audio" else t("attachment.image") if top == "image" else None
    parts = [kind or t("attachment.other")]
    duration, width, height, size = whole("duration_ms"), whole("width"), whole("height"), whole("size")
    if top == "audio" and duration is not None:
        parts.append(duration_text(duration))
    if top == "image" and width is not None and height is not None:
        parts.append(f"{width} \u00d7 {height}")
    if size is not None:
        if size < 999_500:
            parts.append(t("attachment.kb", count=max(1, (size + 500) // 1000)))
        else:
            tenths = (size + 50_000) // 100_000
            parts.append(t("attachment.mb", whole=tenths // 10, tenth=tenths % 10))
    return ", ".join(parts)


def _attachments(value: Any) -> str:
    from ..core.fields import plain_text

    return "; ".join(attachment_words(i) for i in value) if isinstance(value, list) else plain_text(value)


# The types whose values the core's `text` puts in English words: said here from the catalogue instead.
SAID = {"sketch": _drawing, "attachments": _attachments}


def _answers(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, value in words) of each field: the kind's own by their labels, in its order; then any a newer
    version wrote, by their ids (this version has no words for them), sorted."""
    fields = entry["fields"]
    kind = _kind_of(entry)
    known = [f for f in kind.fields if f.id in fields] if kind else []
    rest = sorted(set(fields) - {f.id for f in known})
    return [(f.label, _value_text(f, fields[f.id])) for f in known] + [(n, _value_text(None, fields[n])) for n in rest]


def print_entry(entry: dict[str, Any]) -> None:
    rows = [(t("show.id"), entry["id"]), (t("show.kind"), kind_words(entry))]
    if entry.get("owner"):
        rows.append((t("show.sharedBy"), entry["owner"]))
    rows += [(t("show.created"), entry["created_at"]), (t("show.updated"), entry["updated_at"])]
    if not entry.get("owner"):
        rows.append((t("show.sharedWith"), ", ".join(entry["shared_with"]) or t("show.nobody")))
    if entry.get("pending"):
        rows.append((t("show.sync"), t("show.notSynced")))
    for label, value in rows:
        say(f"{label + ':':<13}{value}")
    for name, text in _answers(entry):
        if "\n" in text:
            say(f"{name}:")
            for line in text.splitlines():
                say(f"  {line}")
        else:
            say(f"{name}: {text}")
    for note in entry.get("conflicts", []):
        say(t("show.note", note=note.get("note", "")))


def summary(entry: dict[str, Any]) -> str:
    """What an entry is about in one line, as the app's lists say it (web/js/screens/components.js summary): its
    first written answer, led by a choice asked before it ("Sleep · Lights out by eleven"), choices by their labels."""
    from ..core.fields import TYPES

    fields = entry["fields"]
    kind = _kind_of(entry)
    lead = None
    for f in kind.fields if kind else ():
        value = fields.get(f.id)
        role = TYPES[f.type].headline
        if role == "text" and isinstance(value, str) and value.strip():
            return " · ".join(p for p in (lead, value) if p)
        if role == "choice" and lead is None and value is not None:
            lead = _value_text(f, value)
    if lead:
        return lead
    answers = _answers(entry)
    return answers[0][1] if answers else ""


def entry_line(entry: dict[str, Any]) -> str:
    """One line per entry: id, date, kind and what it is about, in words."""
    first = " ".join(summary(entry).split())
    preview = first[:50] + ("…" if len(first) > 50 else "")
    flags = t("list.shared", handles=", ".join(entry["shared_with"])) if entry["shared_with"] else ""
    flags += t("list.notSynced") if entry.get("pending") else ""
    owner = f"{entry['owner']}  " if entry.get("owner") else ""
    return f"{entry['id']}  {(entry['created_at'] or '')[:16]}  {owner}{kind_words(entry):<23} {preview}{flags}"


def parse_fields(kind: str, pairs: list[str], *, allow_empty: bool) -> dict[str, Any]:
    from ..core import kinds

    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(detail=t("field.expects", name=name.strip()[:40]))
        name = name.strip()
        if allow_empty and text == "":
            kinds.get_kind(kind).field(name)
            out[name] = None
            continue
        out[name] = kinds.parse_cli_value(kind, name, text)
    return out
