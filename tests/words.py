"""Words, not codes: the stored ids a person must never read, and a scan of what they read for any of them.

Every id that has a label (a kind of sync/kinds.json, a field, a choice; a template of sync/templates.json and its
worksheet's questions and choices; a therapist's own worksheet) and differs from that label is a code. Screens,
the saved copy's text and the `between` command's output show the label instead. The browser test
(tests/browser/test_words_browser.py) and the CLI test (tests/e2e/test_cli_words.py) scan with the same list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from between.sync.core import assignments, kinds

# Ids that are also everyday words the app's own sentences use in lower case (the label is capitalised or says
# more), so finding one in a page does not mean a code leaked. Each with where the word legitimately appears.
EVERYDAY = {
    "other": "Alcohol or other substances (a label), and ordinary sentences",
    "mood": "a chart's description: 2 mood check-ins from …",
    "minutes": "Time spent, in minutes; against a target of 60 minutes a week",
    "note": "Note: (a saved copy's merge notes)",
    "helping": "Is the activity helping? (the feedback on an assignment); the kind is labelled Helping others",
    "list": "ordinary sentences (a list of …); the kind is labelled List",
}


def _fields_of(sheet: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    return assignments.validate_worksheet(dict(sheet))["fields"]


def codes(worksheets: Iterable[Mapping[str, Any]] = ()) -> dict[str, str]:
    """id -> label of every stored id that differs from its label: kinds, their fields and choices, the templates'
    worksheets, and `worksheets` (a therapist's own, as assigned). Field ids that are one plain word ("plan",
    "goal") name a question only to code, and do not reach a page; the scan looks for those with _ or - in them."""
    out: dict[str, str] = {}

    def field(f_id: str, label: str, options: Iterable[tuple[str, str]]) -> None:
        if ("_" in f_id or "-" in f_id or re.fullmatch(r"q\d+", f_id)) and f_id != label:
            out[f_id] = label
        for o_id, o_label in options:
            if o_id != o_label:
                out[o_id] = o_label

    for kind in kinds.all_kinds():
        out[kind.id] = kind.label
        for f in kind.fields:
            field(f.id, f.label, ((o.id, o.label) for o in f.constraints.options))
    sheets = [t["worksheet"] for t in assignments.all_templates() if t.get("worksheet")]
    for template in assignments.all_templates():
        out[template["id"]] = template["title"]
    for sheet in [*sheets, *worksheets]:
        for f in _fields_of(sheet):
            options = f.get("constraints", {}).get("options", [])
            field(f["id"], f["label"], ((o["id"], o["label"]) for o in options))
    out[assignments.WORKSHEET] = "Worksheet"
    return {k: v for k, v in out.items() if k not in EVERYDAY}


def found(text: str, ids: Mapping[str, str]) -> list[str]:
    """The ids of `ids` that stand in `text` as a whole token (letters, digits, _ and - around them are part of the
    token; case counts: "Sleep" is a label, "sleep" the code), each with a little of the text around it. The labels
    are taken out first: "relaxation" inside "Breathing or relaxation", or "sleep" in the title "A steadier sleep
    routine", is a word of a label, not a code."""
    for label in sorted(set(ids.values()), key=len, reverse=True):
        text = text.replace(label, " " * len(label))
    hits = []
    for code in ids:
        for m in re.finditer(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            hits.append(f"{code}: …{text[max(0, m.start() - 40) : m.end() + 40]!r}…")
    return hits
