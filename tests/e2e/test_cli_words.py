"""Words, not codes, in the `between` command: an entry of every kind with every choice set, listed, shown, saved as
text and read by the therapist it is shared with, never shows a stored id where kinds.json has a label."""

from __future__ import annotations

from between.sync.core import kinds
from tests.words import codes, found

from .e2e_cli import Cli


def _every(kind: str, field: str) -> str:
    """Every option of a multi-choice field, as `--field` takes them."""
    return ",".join(o.id for o in kinds.get_kind(kind).field(field).constraints.options)


# Every choice field set, every option of a multi-choice chosen; the writing avoids every code word.
ENTRIES = {
    "journal": {"title": "Tuesday", "body": "A walk by the canal."},
    "thought-record": {
        "situation": "Standup at nine",
        "automatic_thought": "They think I am slow",
        "emotions": "anxious:60",
        "thinking_patterns": _every("thought-record", "thinking_patterns"),
    },
    "mood": {"score": "6", "emotions": "calm"},
    "relaxation": {"minutes": "10", "technique": "box-breathing", "tension_before": "7", "tension_after": "3"},
    "experiment": {"plan": "Ask a question in class", "prediction": "Laughter", "done": "yes"},
    "conversation-rehearsal": {
        "goal": "Be heard about the rota",
        "practised": _every("conversation-rehearsal", "practised"),
    },
    "lifestyle": {"area": "sleep", "goal": "Lights out by eleven", "did_it": "no"},
    "reading": {"title": "A short book", "key_ideas": "Small steps"},
}
LABELS = ["Box breathing", "Sleep · Lights out by eleven", "Mind reading", "Expecting the worst", "Out loud"]


def test_every_choice_is_said_by_its_label_in_every_output(cli: Cli):
    cli.create("client", "alice")
    cli.create("therapist", "drbob", "--therapist")
    cli.link("therapist", "client")
    ids = [cli.add("client", kind, **fields) for kind, fields in ENTRIES.items()]
    for rid in ids:
        cli.run("client", "share", rid, "--with", "drbob")
    cli.run("client", "sync")
    cli.run("therapist", "sync")

    seen = {
        "entry list": cli.run("client", "entry", "list").stdout,
        "export": cli.run("client", "export").stdout,
        "shared list": cli.run("therapist", "shared", "list").stdout,
    }
    for rid in ids:
        seen[f"entry show {rid}"] = cli.run("client", "entry", "show", rid).stdout
        seen[f"therapist: entry show {rid}"] = cli.run("therapist", "entry", "show", rid).stdout
    leaks = {name: found(text, codes()) for name, text in seen.items()}
    assert {name: hits for name, hits in leaks.items() if hits} == {}
    everything = "\n".join(seen.values())
    for words in LABELS:
        assert words in everything, words
    assert "Box breathing" in seen["entry list"] and "Sleep · Lights out by eleven" in seen["shared list"]
    assert "Breathing or relaxation" in seen["entry list"]  # the kind by its label

    # `between kinds` is where the names to type are: each beside its words.
    listed = cli.run("client", "kinds").stdout
    assert "relaxation: Breathing or relaxation" in listed and "    box-breathing: Box breathing" in listed
    # A refusal names the question by its words, and says what to type after --field.
    bad = ("--field", "minutes=10", "--field", "technique=yoga")
    err = cli.run("client", "entry", "add", "relaxation", *bad, ok=False)
    assert err.stderr.startswith("between: “Technique” must be chosen from: “Slow, paced breathing”, ")
    assert err.stderr.rstrip().endswith("(--field technique=…)") and "yoga" not in err.stderr
