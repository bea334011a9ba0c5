"""Terminal input and output of the `between` command: secrets from the environment or a prompt, entry text."""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any

from ..core.errors import BetweenError

EXIT_ERROR, EXIT_USAGE = 1, 2


class UsageError(BetweenError):
    code = "usage"


def say(line: str = "") -> None:
    print(line, flush=True)


def warn(line: str) -> None:
    print(f"between: warning: {line}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ secrets from the environment or a prompt


def read_passphrase(confirm: bool = False, prompt: str = "Passphrase: ") -> str:
    env = os.environ.get("BETWEEN_PASSPHRASE")
    if env is not None:
        return env
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise BetweenError("mismatch", "the two passphrases differ; nothing was created")
    return first


def read_new_passphrase() -> str:
    env = os.environ.get("BETWEEN_NEW_PASSPHRASE")
    if env is not None:
        return env
    first = getpass.getpass("New passphrase: ")
    if getpass.getpass("Repeat the new passphrase: ") != first:
        raise BetweenError("mismatch", "the two passphrases differ; nothing was changed")
    return first


def read_recovery_key() -> str:
    env = os.environ.get("BETWEEN_RECOVERY_KEY")
    return env if env is not None else getpass.getpass("Recovery key: ")


# ------------------------------------------------------------------ output helpers


def print_json(value: Any) -> None:
    say(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


def _field_order(kind_id: str, fields: dict[str, Any]) -> list[str]:
    from ..core import kinds

    kind = kinds.find_kind(kind_id)
    known = [f.id for f in kind.fields if f.id in fields] if kind else []
    return known + sorted(set(fields) - set(known))


def _value_text(kind_id: str, name: str, value: Any) -> str:
    """A field's value as its type prints it; one this version does not know, in plain words."""
    from ..core import kinds
    from ..core.fields import TYPES, plain_text

    kind = kinds.find_kind(kind_id)
    field = next((f for f in kind.fields if f.id == name), None) if kind else None
    return TYPES[field.type].text(value) if field else plain_text(value)


def print_entry(entry: dict[str, Any]) -> None:
    rows = [("id", entry["id"]), ("kind", entry["kind"])]
    if entry.get("owner"):
        rows.append(("shared by", entry["owner"]))
    rows += [("created", entry["created_at"]), ("updated", entry["updated_at"])]
    if not entry.get("owner"):
        rows.append(("shared with", ", ".join(entry["shared_with"]) or "nobody"))
    if entry.get("pending"):
        rows.append(("sync", "not synced yet"))
    for label, value in rows:
        say(f"{label + ':':<13}{value}")
    for name in _field_order(entry["kind"], entry["fields"]):
        text = _value_text(entry["kind"], name, entry["fields"][name])
        if "\n" in text:
            say(f"{name}:")
            for line in text.splitlines():
                say(f"  {line}")
        else:
            say(f"{name}: {text}")
    for note in entry.get("conflicts", []):
        say(f"note: {note.get('note', '')}")


def entry_line(entry: dict[str, Any]) -> str:
    """One line per entry: id, date, kind and the first text field in the kind's own field order."""
    fields = entry["fields"]
    texts = [fields[f] for f in _field_order(entry["kind"], fields) if isinstance(fields[f], str)]
    first_id = next(iter(fields), None)
    first = texts[0] if texts else ("" if first_id is None else _value_text(entry["kind"], first_id, fields[first_id]))
    first = " ".join(first.split())
    preview = first[:50] + ("…" if len(first) > 50 else "")
    flags = (" [shared: " + ", ".join(entry["shared_with"]) + "]") if entry["shared_with"] else ""
    flags += " [not synced]" if entry.get("pending") else ""
    owner = f"{entry['owner']}  " if entry.get("owner") else ""
    return f"{entry['id']}  {(entry['created_at'] or '')[:16]}  {owner}{entry['kind']:<22} {preview}{flags}"


def parse_fields(kind: str, pairs: list[str], *, allow_empty: bool) -> dict[str, Any]:
    from ..core import kinds

    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(detail=f"--field expects NAME=VALUE, got '{name.strip()[:40]}'")
        name = name.strip()
        if allow_empty and text == "":
            kinds.get_kind(kind).field(name)
            out[name] = None
            continue
        out[name] = kinds.parse_cli_value(kind, name, text)
    return out
