"""The `between` command's words: message catalogues (sync/i18n/<language>.json), one per language, as the web app's.

A catalogue is a flat JSON object of stable dotted keys to messages in the same subset of ICU MessageFormat as
web/js/core/messages.js (docs/CLI.md "Languages"):
  - `{name}`: an argument, put in as it is;
  - `{count, plural, one {# entry} other {# entries}}`: the language's plural rule picks the branch (`=N` first);
    `#` inside it is the number;
  - `{state, select, changed {...} other {...}}`: the branch named by the value, else `other`.
Apostrophes are text; `{` and `}` cannot be. The language: BETWEEN_LANG, else the POSIX LC_ALL, LC_MESSAGES, LANG
(`es_ES.UTF-8` reads as `es-ES`), the first with a catalogue by full tag or language, else English.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUES = Path(__file__).resolve().parent.parent / "i18n"
SOURCE = "en"

Node = str | dict[str, Any]


class MessageError(Exception):
    """A message that cannot be parsed, or a key or argument missing: a mistake in the program, never in input."""


def parse(text: str) -> list[Node]:
    """One message as nodes: text, {"arg"}, {"hash"} or {"arg", "plural", "branches"}."""
    at = 0

    def fail(why: str) -> MessageError:
        return MessageError(f"{why} at {at} in a message")

    def word() -> str:
        nonlocal at
        match = re.match(r"\s*([=\w.-]+)\s*", text[at:])
        if not match:
            raise fail("a name expected")
        at += match.end()
        return match.group(1)

    def nodes(in_plural: bool) -> list[Node]:
        nonlocal at
        out: list[Node] = []
        buffer = ""
        while at < len(text):
            c = text[at]
            if c == "}":
                break
            if c == "{":
                if buffer:
                    out.append(buffer)
                buffer = ""
                out.append(argument(in_plural))
            elif c == "#" and in_plural:
                if buffer:
                    out.append(buffer)
                buffer = ""
                out.append({"hash": True})
                at += 1
            else:
                buffer += c
                at += 1
        if buffer:
            out.append(buffer)
        return out

    def argument(in_plural: bool) -> Node:
        nonlocal at
        at += 1
        arg = word()
        if text[at : at + 1] == "}":
            at += 1
            return {"arg": arg}
        if text[at : at + 1] != ",":
            raise fail('"," or "}" expected')
        at += 1
        kind = word()
        if kind not in ("plural", "select"):
            raise fail(f'unknown argument type "{kind}"')
        if text[at : at + 1] != ",":
            raise fail('"," expected')
        at += 1
        branches: dict[str, list[Node]] = {}
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if text[at : at + 1] == "}":
                break
            key = word()
            if text[at : at + 1] != "{":
                raise fail('"{" expected')
            at += 1
            branches[key] = nodes(in_plural or kind == "plural")
            if text[at : at + 1] != "}":
                raise fail('"}" expected')
            at += 1
        if "other" not in branches:
            raise fail('an "other" branch is required')
        at += 1
        return {"arg": arg, "plural": kind == "plural", "branches": branches}

    result = nodes(False)
    if at < len(text):
        raise fail('unbalanced "}"')
    return result


def _one_if_one(n: float) -> str:
    return "one" if n == 1 else "other"


def _french(n: float) -> str:
    return "one" if n in (0, 1) else "other"


# The CLDR plural category of a whole number, per language (the categories these catalogues use); others: English's.
PLURALS: dict[str, Callable[[float], str]] = {"en": _one_if_one, "de": _one_if_one, "es": _one_if_one, "fr": _french}


def plural_category(language: str, n: float) -> str:
    return PLURALS.get(language.split("-", maxsplit=1)[0], _one_if_one)(n)


def format_message(catalogue: Mapping[str, str], key: str, params: Mapping[str, Any], language: str = SOURCE) -> str:
    """The message `key` with `params` put in. Raises MessageError for a key or an argument that is missing."""
    if key not in catalogue:
        raise MessageError(f'no message "{key}"')
    out: list[str] = []

    def walk(nodes: list[Node], count: float | None) -> None:
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif "hash" in node:
                out.append(str(count))
            else:
                if node["arg"] not in params:
                    raise MessageError(f'message "{key}" needs "{node["arg"]}"')
                value = params[node["arg"]]
                if "branches" not in node:
                    out.append(str(value))
                elif node["plural"]:
                    n = value
                    branch = node["branches"].get(f"={n}") or node["branches"].get(plural_category(language, n))
                    walk(branch if branch is not None else node["branches"]["other"], n)
                else:
                    walk(node["branches"].get(str(value), node["branches"]["other"]), count)

    walk(_parsed(catalogue[key]), None)
    return "".join(out)


@cache
def _parsed(text: str) -> list[Node]:
    return parse(text)


def available() -> list[str]:
    return sorted(p.stem for p in CATALOGUES.glob("*.json"))


def pick_language(environ: Mapping[str, str], codes: list[str] | None = None) -> str:
    """The language of the first of BETWEEN_LANG, LC_ALL, LC_MESSAGES, LANG that has a catalogue, else English."""
    codes = available() if codes is None else codes
    for name in ("BETWEEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        raw = environ.get(name, "")
        tag = raw.split(".")[0].split("@")[0].replace("_", "-")
        if not tag or tag in ("C", "POSIX"):
            continue
        exact = next((c for c in codes if c.lower() == tag.lower()), None)
        if exact:
            return exact
        base = tag.split("-")[0].lower()
        if base in codes:
            return base
    return SOURCE


@cache
def load(language: str) -> dict[str, str]:
    return json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))


# The language in use and its catalogue, chosen on first use (or by `use`).
_in_use: dict[str, tuple[str, Mapping[str, str]]] = {}


def use(language: str, catalogue: Mapping[str, str] | None = None) -> None:
    """Use this language (its catalogue from sync/i18n, or the one given: tests) from now on."""
    _in_use["current"] = (language, catalogue if catalogue is not None else load(language))


def _current() -> tuple[str, Mapping[str, str]]:
    if "current" not in _in_use:
        use(pick_language(os.environ))
    return _in_use["current"]


def has(key: str) -> bool:
    """Whether the catalogue in use, or the English one, holds `key` (a kind newer than the catalogue has none)."""
    return key in _current()[1] or key in load(SOURCE)


# How each language groups a whole number's digits (CLDR): the separator, and the fewest digits that get grouped
# (Spanish writes 1024 but 10.240); others: English's.
GROUPING: dict[str, tuple[str, int]] = {"en": (",", 4), "de": (".", 4), "es": (".", 5), "fr": ("\u202f", 4)}


def number(n: int, language: str | None = None) -> str:
    """A whole number as the language writes it (`1,073,741,824`; Spanish `1.073.741.824`)."""
    code = (language or _current()[0]).split("-", maxsplit=1)[0]
    separator, fewest = GROUPING.get(code, GROUPING[SOURCE])
    digits = str(abs(n))
    if len(digits) >= fewest:
        digits = f"{int(digits):,}".replace(",", separator)
    return f"-{digits}" if n < 0 else digits


def t(key: str, **params: Any) -> str:
    """A message of the catalogue in use (the environment's language, chosen on first use)."""
    language, catalogue = _current()
    if key not in catalogue and language != SOURCE:
        catalogue = load(SOURCE)  # a key a translation lacks yet: English rather than a failure
    return format_message(catalogue, key, params, language)
