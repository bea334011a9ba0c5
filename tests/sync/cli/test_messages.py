"""The `between` command's words come from its catalogue (sync/i18n/<language>.json): the formatter, the choice of
language, every key the command uses present in every catalogue, and the command run with a pseudo-locale
printing nothing that did not come from the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from between.sync.cli import main as cli_main
from between.sync.cli import messages
from between.sync.cli.messages import MessageError, format_message, parse, pick_language
from between.sync.cli.terminal import print_entry, problem_words
from between.sync.core import kinds
from between.sync.core.fields import TYPES

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "sync" / "i18n").glob("*.json")}
EN = CATALOGUES["en"]


def test_arguments_plurals_and_selects_as_the_web_app_formats_them():
    cat = {
        "a": "Saved {id}.",
        "p": "{count, plural, =0 {none} one {# change} other {# changes}} held",
        "s": "{role, select, therapist {Your client} other {Your therapist}}",
    }
    assert format_message(cat, "a", {"id": "x"}) == "Saved x."
    assert [format_message(cat, "p", {"count": n}) for n in (0, 1, 2)] == [
        "none held",
        "1 change held",
        "2 changes held",
    ]
    assert format_message(cat, "s", {"role": "therapist"}) == "Your client"
    assert format_message(cat, "s", {"role": "client"}) == "Your therapist"
    assert format_message({"f": "{n, plural, one {#} other {# x}}"}, "f", {"n": 0}, "fr") == "0"
    with pytest.raises(MessageError):
        format_message(cat, "a", {})
    with pytest.raises(MessageError):
        format_message(cat, "missing", {})
    for bad in ("{a", "a}", "{a, date}", "{a, plural, one {x}}"):
        with pytest.raises(MessageError):
            parse(bad)


def test_the_language_comes_from_between_lang_then_the_posix_variables():
    codes = ["de", "en", "es"]
    assert pick_language({"BETWEEN_LANG": "es", "LANG": "de_DE.UTF-8"}, codes) == "es"
    assert pick_language({"LC_ALL": "de_AT.UTF-8", "LANG": "es_ES.UTF-8"}, codes) == "de"
    assert pick_language({"LC_MESSAGES": "es_MX.UTF-8@euro"}, codes) == "es"
    assert pick_language({"LANG": "C.UTF-8"}, codes) == "en"
    assert pick_language({"LANG": "ja_JP.UTF-8"}, codes) == "en"
    assert pick_language({}, codes) == "en"


def _arguments(message: str) -> set[str]:
    """The arguments a message uses, each with its type and its branches' names (not their words, which a
    translation changes), as the web app's catalogue test compares them."""
    found: set[str] = set()

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, str) or "hash" in node:
                continue
            if "branches" in node:
                kind = "plural" if node["plural"] else "select"
                found.add(f"{node['arg']}:{kind}:{','.join(sorted(node['branches']))}")
                for branch in node["branches"].values():
                    walk(branch)
            else:
                found.add(node["arg"])

    walk(parse(message))
    return found


def test_every_catalogue_has_every_key_with_the_same_arguments_and_every_message_parses():
    for code, catalogue in CATALOGUES.items():
        assert set(catalogue) == set(EN), code
        for key, message in catalogue.items():
            parse(message)
            assert _arguments(message) == _arguments(EN[key]), f"{code} {key}"


def test_every_key_the_command_names_is_in_the_catalogue_and_every_message_is_used():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sync" / "cli").glob("*.py"))
    named = set(re.findall(r"""\bt\(\s*f?["']([\w.{}]+)["']""", source))
    literal = {k for k in named if "{" not in k}
    assert literal <= set(EN), literal - set(EN)
    prefixes = {k.split("{")[0] for k in named if "{" in k}
    tables = set(re.findall(r'"((?:how|contacts|safety)\.\w+)"', source))
    # the web app's words of kinds.json and of answers that do not fit (the test below), the problems of the client,
    # the core (`problem.*`, `field.parse.*`) and the server (`server.*`), said by their keys (the tests further down)
    copied = {k for k in EN if k.startswith(("kind.", "problem.", "field.", "server.", "merge.note.", "warning."))}
    unused = {k for k in EN if k not in literal | tables | copied and not any(k.startswith(p) for p in prefixes)}
    assert unused == set(), unused


def test_every_problem_key_is_an_error_the_client_or_core_raises_and_every_key_they_name_is_worded():
    """`problem.<key>`: the key of a BetweenError of sync/client or sync/core (its code, or the `key=` it names)."""
    source = "\n".join(
        p.read_text(encoding="utf-8") for d in ("client", "core") for p in (ROOT / "sync" / d).glob("*.py")
    )
    named = set(re.findall(r'\bkey="([\w.]+)"', source))
    codes = set(re.findall(r'(?:Error\(\s*|code=|code = )"(\w+)"', source))
    problems = {k.removeprefix("problem.") for k in EN if k.startswith("problem.")}
    assert problems - named - codes == set()
    own = {k for k in named if k.startswith(("server.", "field."))}  # keys of their own families, said as they are
    assert named - own - problems == set()  # a wording of its own: then the catalogue says it
    assert own - set(EN) == set()
    # Every code an answer's check or its typing after --field fails with has its words (field.problem.*: the web app's)
    fields_source = "\n".join(
        (ROOT / "sync" / "core" / name).read_text(encoding="utf-8") for name in ("fields.py", "sketch.py")
    )
    failed = set(re.findall(r'(?:fail|SketchError)\(\s*f?"[^"]*",\s*"([\w.]+)"', fields_source))
    assert len(failed) > 20
    assert {f"field.{c}" if "." in c else f"field.problem.{c}" for c in failed} - set(EN) == set()


def test_the_words_of_kinds_are_the_web_apps_in_every_language():
    """`make messages` copies each web catalogue's `kind.*` section into the command's catalogue of its language:
    the English is kinds.json's (web/test/core/kind-words.test.js), the translations the web app's."""
    for code, catalogue in CATALOGUES.items():
        web = json.loads((ROOT / "web" / "i18n" / f"{code}.json").read_text(encoding="utf-8"))
        for section in ("kind.", "field.problem.", "merge.note."):
            mine = {k: v for k, v in catalogue.items() if k.startswith(section)}
            assert mine == {k: v for k, v in web.items() if k.startswith(section)}, f"{code}: run make messages"
    for kind in kinds.all_kinds():
        assert EN[f"kind.{kind.id}.label"] == kind.label
        for f in kind.fields:
            assert EN[f"kind.{kind.id}.field.{f.id}.label"] == f.label
            for o in f.constraints.options:
                assert EN[f"kind.{kind.id}.field.{f.id}.option.{o.id}"] == o.label


def test_kinds_and_entries_are_said_in_the_language_in_use(capsys):
    messages.use("es")
    try:
        assert cli_main.main(["kinds"]) == 0
        listed = capsys.readouterr().out
        assert "journal: Diario" in listed and "    box-breathing: Respiración cuadrada" in listed, listed
        relaxation = {"technique": "box-breathing", "minutes": 10}
        print_entry(_entry("relaxation", relaxation))
        shown = capsys.readouterr().out
        assert "tipo:        Respiración o relajación" in shown and "Técnica: Respiración cuadrada" in shown, shown
        assert "Technique" not in shown and "Box breathing" not in shown
    finally:
        messages._in_use.clear()


def _entry(kind: str, fields: dict) -> dict:
    return {
        "id": "0f0e0d0c-0b0a-4908-8706-050403020100",
        "kind": kind,
        "fields": fields,
        "created_at": "2026-12-07T10:00:00Z",
        "updated_at": "2026-12-07T10:00:00Z",
        "shared_with": [],
    }


def _pseudo(catalogue: dict[str, str]) -> dict[str, str]:
    """Each message in ⟦…⟧ with its letters accented, its arguments and branches kept (test/pseudo-locale.js)."""

    def accent(text: str) -> str:
        return text.translate(str.maketrans("aeiouAEIOU", "åéîöûÅÉÎÖÛ"))

    def write(nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(accent(node))
            elif "hash" in node:
                out.append("#")
            elif "branches" not in node:
                out.append("{" + node["arg"] + "}")
            else:
                kind = "plural" if node["plural"] else "select"
                branches = " ".join(f"{k} {{{write(v)}}}" for k, v in node["branches"].items())
                out.append("{" + node["arg"] + f", {kind}, {branches}" + "}")
        return "".join(out)

    return {k: f"⟦{write(parse(v))}⟧" for k, v in catalogue.items()}


@pytest.fixture
def pseudo_locale():
    messages.use("en-XA", _pseudo(EN))
    yield
    messages._in_use.clear()


def _untranslated(out: str, data: list[str]) -> list[str]:
    """The lines with a letter left once the data and the catalogue's messages are taken out. The error prefix's
    own message is taken off first: what it wraps (a problem's words) must be marked by itself."""
    prefix = _pseudo({"p": EN["error.prefix"]})["p"].split("{message}")
    lines = [
        line[len(prefix[0]) : -len(prefix[1])] if line.startswith(prefix[0]) else line for line in out.splitlines()
    ]
    out = "\n".join(lines)
    for value in sorted(data, key=len, reverse=True):
        out = out.replace(value, " ")
    while re.search(r"⟦[^⟦⟧]*⟧", out):
        out = re.sub(r"⟦[^⟦⟧]*⟧", " ", out)
    return [line.strip() for line in out.splitlines() if re.search(r"[^\W\d_]", line)]


def test_help_and_errors_in_a_pseudo_locale_show_nothing_untranslated(pseudo_locale, capsys, tmp_path):
    # argparse's own words (usage:, options:, -h) are the library's; the command names and flags are typed as they are.
    for argv in (["--help"], ["entry", "--help"], ["account", "create", "--help"]):
        with pytest.raises(SystemExit):
            cli_main.main(argv)
        assert "⟦" in capsys.readouterr().out
    profile = ["--profile", str(tmp_path / "p")]
    for argv, data in (
        (["entry", "add", "journal", "--field", "body"], ["body"]),
        (["import", str(tmp_path / "none.json")], [str(tmp_path / "none.json"), "FileNotFoundError"]),
    ):
        assert cli_main.main(profile + argv) != 0
        err = capsys.readouterr().err
        assert "⟦" in err
        assert _untranslated(err, data) == [], err
    # The check itself finds words that did not come from the catalogue, inside the error prefix too.
    assert _untranslated(_pseudo(EN)["error.prefix"].replace("{message}", "no entry"), []) == ["no entry"]


# A value of each type whose words come from the program, not from the person: choices (one a newer version's,
# shown by its id), yes or no, a drawing.
SAMPLE = {
    "single_choice": lambda f: f.constraints.options[0].id,
    "multi_choice": lambda f: [f.constraints.options[0].id, "from-a-newer-version"],
    "yes_no": lambda f: True,
    "sketch": lambda f: [],
}


def test_kinds_and_entries_of_every_kind_in_a_pseudo_locale_show_nothing_untranslated(pseudo_locale, capsys):
    """`between kinds`, `entry show` and the text export print the words of kinds.json from the catalogue: only the
    names to type (kind, field and choice ids, field types) and what a person wrote are left once it is taken out."""
    assert cli_main.main(["kinds"]) == 0
    names = list(TYPES) + [k.id for k in kinds.all_kinds()]
    names += [f.id for k in kinds.all_kinds() for f in k.fields]
    names += [o.id for k in kinds.all_kinds() for f in k.fields for o in f.constraints.options]
    out = capsys.readouterr().out
    assert "⟦" in out
    assert _untranslated(out, names) == [], out
    typed: set[str] = set()
    for kind in kinds.all_kinds():
        fields = {f.id: SAMPLE[f.type](f) for f in kind.fields if f.type in SAMPLE}
        print_entry(_entry(kind.id, fields))
        shown = capsys.readouterr().out
        data = ["0f0e0d0c-0b0a-4908-8706-050403020100", "2026-12-07T10:00:00Z", "from-a-newer-version"]
        assert _untranslated(shown, data) == [], shown
        typed.update(f.type for f in kind.fields if f.type in SAMPLE)
    assert typed == set(SAMPLE)  # every sample was shown by some kind


@pytest.mark.parametrize(
    ("argv", "env", "data"),
    [
        (["entry", "list"], {}, []),  # no account in the profile
        (
            ["entry", "add", "journal", "--field", "title=Tuesday"],
            {},
            ["body", "Tuesday"],
        ),  # a required answer left out
        (["entry", "add", "experiment", "--field", "plan=Ask"], {}, ["prediction", "Ask"]),
        (["entry", "add", "no-such-kind", "--field", "a=b"], {}, [k.id for k in kinds.all_kinds()]),
        (
            ["entry", "add", "journal", "--field", "mood=b"],
            {},
            ["journal", "mood"] + [f.id for f in kinds.get_kind("journal").fields],
        ),
        (["account", "create", "--server", "http://127.0.0.1:9", "--handle", "A!"], {}, []),
        (
            ["account", "create", "--server", "http://127.0.0.1:9", "--handle", "alice"],
            {"BETWEEN_PASSPHRASE": "short"},
            [],
        ),
        (
            ["account", "create", "--server", "http://127.0.0.1:9", "--handle", "alice"],
            {"BETWEEN_KDF_MEMORY_KIB": "lots"},
            [],
        ),
        (
            ["account", "login", "--server", "ftp://example.org", "--handle", "alice"],
            {"BETWEEN_PASSPHRASE": "x" * 20},
            [],
        ),
        (
            ["account", "login", "--server", "http://127.0.0.1:9", "--handle", "alice"],
            {"BETWEEN_PASSPHRASE": "x" * 20},
            [],
        ),
    ],
)
def test_problems_of_the_client_and_core_in_a_pseudo_locale_show_nothing_untranslated(
    argv, env, data, pseudo_locale, capsys, monkeypatch, tmp_path
):
    """What sync/client and sync/core refuse is said from `problem.<key>` with the arguments the error carries."""
    for name in ("BETWEEN_PASSPHRASE", "BETWEEN_KDF_MEMORY_KIB", "BETWEEN_KDF_ITERATIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    profile = tmp_path / "p"
    assert cli_main.main(["--profile", str(profile), *argv]) == 1
    err = capsys.readouterr().err
    assert "⟦" in err
    everything = [str(profile), "http://127.0.0.1:9", "BETWEEN_KDF_MEMORY_KIB", "BETWEEN_KDF_ITERATIONS", "https://"]
    assert _untranslated(err, data + everything) == [], err


def test_problems_are_said_in_spanish_and_a_problem_without_words_in_english(capsys, tmp_path):
    from between.sync.core.errors import BetweenError

    messages.use("es")
    try:
        assert cli_main.main(["--profile", str(tmp_path / "p"), "entry", "list"]) == 1
        assert capsys.readouterr().err.startswith(f"between: no hay ninguna cuenta en el perfil {tmp_path / 'p'}; ")
        # A required choice left out, named by its words in the language in use
        assert (
            cli_main.main(["--profile", str(tmp_path / "q"), "entry", "add", "mood", "--field", "emotions=calm:3"]) == 1
        )
        assert capsys.readouterr().err == "between: Elige una respuesta para “Ánimo”. (--field score=…)\n"
        assert problem_words(BetweenError("already_shared", "x", params={"id": "abc", "handle": "bob"})) == (
            "la entrada abc ya está compartida con bob"
        )
        response = BetweenError("not_an_entry", "x", params={"id": "abc", "type": "response"})
        assert problem_words(response).startswith("abc es una respuesta a una tarea asignada, no una entrada; ")
        # A code the catalogue does not word (a server's problem), or an error raised without its message's
        # arguments: its English detail.
        assert problem_words(BetweenError("rate_limited", "too many requests")) == "too many requests"
        assert problem_words(BetweenError("already_shared", "entry abc is already shared")) == (
            "entry abc is already shared"
        )
    finally:
        messages._in_use.clear()


# The problem codes the server answers with: its table (server/problems.py) and those of attachments (docs/PROTOCOL.md
# "Attachments"), which may be added there after this catalogue.
SERVER_CODES = {"blob_exists", "upload_offset", "upload_incomplete"}


def test_every_problem_code_of_the_server_has_its_words():
    from between.server.problems import CODES

    table = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8").split("### Errors", 1)[1].split("###", 1)[0]
    documented = {
        c
        for row in table.splitlines()
        if row.startswith(("| 4", "| 5"))
        for c in re.findall(r"`(\w+)`", row.split("|")[2])
    }
    worded = {k.removeprefix("server.") for k in EN if k.startswith("server.")}
    assert set(CODES) | documented | SERVER_CODES | {"http"} == worded, worded ^ (
        set(CODES) | documented | SERVER_CODES
    )


def test_the_servers_problems_are_said_by_their_code_with_numbers_as_the_language_writes_them():
    from between.sync.client.api import ApiError, SessionExpired

    quota = ApiError(
        "quota_exceeded",
        "this push would store 20480 bytes; the account stores 1073741000 of its 1073741824. "
        "Nothing of the push was written.",
        413,
    )
    messages.use("en")
    try:
        assert problem_words(quota) == (
            "the account's storage on the server is full: this needs 20,480 bytes, and the account stores "
            "1,073,741,000 of its 1,073,741,824; nothing of it was sent, and it stays saved on this device"
        )
        messages.use("es")
        assert problem_words(quota) == (
            "el almacenamiento de la cuenta en el servidor está lleno: esto necesita 20.480 bytes, y la cuenta guarda "
            "1.073.741.000 de sus 1.073.741.824; no se ha enviado nada de ello, y sigue guardado en este dispositivo"
        )
        # A quota problem whose detail does not give the three numbers: the words without them.
        assert problem_words(ApiError("quota_exceeded", "full", 413)).startswith(
            "el almacenamiento de la cuenta en el servidor está lleno; no se ha enviado"
        )
        assert problem_words(ApiError("rate_limited", "Too many requests", 429)) == (
            "el servidor está atendiendo demasiadas peticiones; inténtalo de nuevo dentro de un momento"
        )
        assert problem_words(SessionExpired("unauthorized", "expired", 401)).startswith("la sesión ha terminado")
        assert problem_words(ApiError("blob_exists", "taken", 409)).startswith("el servidor tiene otro adjunto")
        # An answer that is no problem body (a proxy's 502), and a code newer than this catalogue (its English).
        assert (
            problem_words(ApiError("http_502", "Bad Gateway", 502))
            == "el servidor ha respondido con el estado HTTP 502"
        )
        assert problem_words(ApiError("from_the_future", "a newer server's words", 400)) == "a newer server's words"
    finally:
        messages._in_use.clear()


def test_numbers_are_grouped_as_each_language_writes_them():
    assert [messages.number(n, "en") for n in (7, 1024, 10240, 1073741824, -5000)] == [
        "7",
        "1,024",
        "10,240",
        "1,073,741,824",
        "-5,000",
    ]
    assert [messages.number(n, "es") for n in (7, 1024, 10240, 1073741824)] == ["7", "1024", "10.240", "1.073.741.824"]
    assert messages.number(1234567, "es-MX") == "1.234.567"


@pytest.mark.parametrize(
    ("field", "value", "english", "spanish"),
    [
        (
            "mood",
            "score=11",
            "“Mood” must be a whole number from 0 to 10.",
            "“Ánimo” debe ser un número entero entre 0 y 10.",
        ),
    ],
)
def test_an_answer_that_does_not_fit_is_said_by_the_web_apps_words(field, value, english, spanish, capsys, tmp_path):
    profile = ["--profile", str(tmp_path / "p")]
    for language, words in (("en", english), ("es", spanish)):
        messages.use(language)
        try:
            assert cli_main.main([*profile, "entry", "add", field, "--field", value]) == 1
            assert capsys.readouterr().err == f"between: {words} (--field {value.split('=')[0]}=…)\n"
        finally:
            messages._in_use.clear()


def test_every_warning_of_a_sync_has_its_words_and_every_warning_key_is_one():
    """`warning.<key>`: the key of a `Notice` that sync/client puts in a report (warnings, failed, problems)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sync" / "client").glob("*.py"))
    keys = set(re.findall(r'Notice\(\s*(?:f?"[^"]*"\s*)+,\s*"(\w+)"', source))
    assert len(keys) >= 15
    assert keys == {k.removeprefix("warning.") for k in EN if k.startswith("warning.")}


def test_a_syncs_warnings_and_merge_notes_are_said_in_the_language_in_use(capsys):
    from between.sync.cli.terminal import notice_words, warn
    from between.sync.client.report import Notice
    from between.sync.core import merge

    held = Notice("2 change(s) from bob are held back: …", "heldBack", count=2, handle="bob", why="key_changed")
    stopped = Notice("stopped sharing …", "stoppedSharing", id="abc", handle="bob", why="link_ended")
    messages.use("es")
    try:
        assert notice_words(held).startswith("2 cambios de bob están retenidos: su clave de seguridad ha cambiado; ")
        assert notice_words(stopped) == (
            "se ha dejado de compartir la entrada abc con bob: no hay ningún vínculo de cuidado activo con bob"
        )
        assert notice_words("a plain line") == "a plain line"  # no words of its own: as it is
        warn(Notice("the server listed a care link that is not ours; ignored", "notOurLink"))
        assert capsys.readouterr().err == (
            "between: aviso: el servidor ha listado un vínculo de cuidado que no es nuestro; se ha ignorado\n"
        )
        entry = _entry("journal", {"body": "Hola"})
        entry["conflicts"] = [
            {"at": "/fields/body", "strategy": "text", "note": merge.NOTE_TEXT, "hunks": 1},
            {"at": "", "strategy": "future", "note": "A note of a newer version."},
        ]
        print_entry(entry)
        out = capsys.readouterr().out
        assert "Editada en dos dispositivos a la vez: las dos versiones se conservan en el texto." in out
        assert "A note of a newer version." in out  # as stored
    finally:
        messages._in_use.clear()


def test_merge_notes_have_words_whose_english_is_the_note_as_stored():
    from between.sync.core import merge

    assert {k: v for k, v in EN.items() if k.startswith("merge.note.")} == {
        "merge.note.text": merge.NOTE_TEXT,
        "merge.note.value": merge.NOTE_VALUE,
        "merge.note.list": merge.NOTE_LIST,
        "merge.note.item": merge.NOTE_ITEM,
        "merge.note.delete": merge.NOTE_DELETE,
    }


def test_a_document_no_form_makes_and_a_file_that_is_no_copy_are_said_in_the_language_in_use():
    from between.sync.client.saved_copy import parse, read_copy
    from between.sync.core import entry_document
    from between.sync.core.errors import BetweenError
    from between.sync.core.recurrence import parse_date

    messages.use("es")
    try:
        with pytest.raises(BetweenError) as bad_date:
            parse_date("2026-02-30", "schedule.recurrence.until")
        assert problem_words(bad_date.value) == (
            "el calendario de esta actividad no es algo que esta versión de Between pueda leer (en 'until'); "
            "no se ha cambiado nada"
        )
        with pytest.raises(BetweenError) as bad_entry:
            entry_document.validate_entry_document({"v": 2}, deleted=False)
        assert problem_words(bad_entry.value).startswith("esta entrada no es algo que esta versión de Between pueda")
        for text, why in (("not json", "no es JSON"), ("{}", "no contiene ninguna lista de entradas")):
            with pytest.raises(BetweenError) as not_copy:
                read_copy(parse(text), list)
            assert problem_words(not_copy.value) == f"este archivo no es una copia guardada desde Between ({why})"
    finally:
        messages._in_use.clear()


def test_what_this_session_keyed_shows_nothing_untranslated_in_a_pseudo_locale(pseudo_locale, capsys, tmp_path):
    """The server's problems, the sync's warnings, a merge note, an answer that does not fit (the web's
    field.problem.* words, and field.parse.*), a document no form makes: all from the catalogue."""
    from between.sync.cli.terminal import notice_words
    from between.sync.client.api import ApiError
    from between.sync.client.report import Notice
    from between.sync.core import merge
    from between.sync.core.errors import BetweenError
    from between.sync.core.recurrence import parse_date

    said = [
        problem_words(ApiError(code, "English detail", 400)) for code in SERVER_CODES | {"rate_limited", "http_502"}
    ]
    said.append(problem_words(ApiError("quota_exceeded", "would store 5 bytes; stores 9000 of its 10000.", 413)))
    said.append(notice_words(Notice("x", "heldBack", count=3, handle="bob", why="key_mismatch")))
    said.append(notice_words(Notice("x", "stoppedSharing", id="abc", handle="bob", why="no_peer")))
    said.append(notice_words(Notice("x", "refusedChange", id="abc", why="rollback")))
    with pytest.raises(BetweenError) as bad:
        parse_date("nope", "schedule.recurrence.start")
    said.append(problem_words(bad.value))
    for line in said:
        assert "⟦" in line and "English detail" not in line, line
        assert _untranslated(line, ["bob", "abc", "5", "9,000", "10,000", "502", "start"]) == [], line
    entry = _entry("journal", {"body": "Hola"})
    entry["conflicts"] = [{"at": "", "strategy": "delete", "note": merge.NOTE_DELETE}]
    print_entry(entry)
    assert (
        _untranslated(
            capsys.readouterr().out, ["Hola", "0f0e0d0c-0b0a-4908-8706-050403020100", "2026-12-07T10:00:00Z", "body"]
        )
        == []
    )
    for argv, data in (
        (["entry", "add", "mood", "--field", "score=11"], ["score", "11"]),
        (["entry", "add", "relaxation", "--field", "minutes=soon"], ["minutes", "soon"]),
        (["entry", "add", "relaxation", "--field", "technique=juggling"], ["technique", "juggling"]),
    ):
        assert cli_main.main(["--profile", str(tmp_path / "p"), *argv]) == 1
        err = capsys.readouterr().err
        assert "⟦" in err
        assert _untranslated(err, data) == [], err
