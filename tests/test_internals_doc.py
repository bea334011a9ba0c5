"""docs/INTERNALS.md is the module map: every module it names exists, and every module is named.

The map names a module by its file name inside a section (or a table row) for its folder: `errors.py` under the
heading for `sync/core/`, `connection.py` in the row of `store/` in the table of `server/`. A name with a folder from
the top of the repository (`sync/core/records.py`) stands for itself. A name ending in `/` names that package (its
`__init__.py`). The browser app's map is docs/WEB.md's file table (INTERNALS.md points there); a web module may be
named by the end of its path (`layout.js`, `care/timeline.js`), found wherever it lives under `web/js/`, so the map
survives moving modules between folders there as long as the name still fits one file.

The function contracts of the protocol core are checked too: every function, class or constant they name is defined
at the top of the module they are listed under.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("sync/", "server/", "web/", "tests/", "bench/", "docs/")
TOKEN = re.compile(r"`([^`]+)`")
MODULE = re.compile(r"^[\w./*<>-]+\.(py|js)$")
FOLDER = re.compile(r"^[\w./-]+/$")
CONTRACT_MODULE = re.compile(r"^`(sync/core/\w+\.py)`$")


@dataclass
class Map:
    """What a document names, resolved to paths (relative to the repository root), and what it gets wrong."""

    named: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)


def modules(root: Path) -> set[str]:
    """Every module of the code: .py under sync/ and server/, .js under web/js/ and the service worker."""
    found = {p for folder in ("sync", "server") for p in (root / folder).rglob("*.py")}
    found |= set((root / "web" / "js").rglob("*.js"))
    found.add(root / "web" / "sw.js")
    return {str(p.relative_to(root)) for p in found if p.is_file() and "node_modules" not in p.parts}


def _under_web_js(root: Path, name: str) -> str | list[str] | None:
    """What `name` names under web/js/ by the end of its path (`layout.js`, `care/timeline.js`, `core/`): its path
    from the root, the paths when it fits several, or None."""
    tail = name.removeprefix("js/").rstrip("/")
    js = root / "web" / "js"
    hits = sorted(
        str(p.relative_to(root)) + ("/" if name.endswith("/") else "")
        for p in js.rglob(tail.rpartition("/")[2])
        if (p.is_dir() if name.endswith("/") else p.is_file()) and ("/" + str(p.relative_to(js))).endswith("/" + tail)
    )
    return hits[0] if len(hits) == 1 else (hits or None)


def resolve(root: Path, folder: str, name: str, found: Map, where: str) -> None:
    """Record `name` (as written in a section for `folder`) as named, or as missing."""
    if name.startswith("/") or "node_modules" in name or "<" in name:
        return  # a URL the server answers, a vendor file, or a pattern (`<name>-routes.js`)
    path = name if name.startswith(TOP) else folder + name
    if "*" in name:  # a glob names a group: it must match, but names none of them one by one
        web_js = "web/js/**/" + name.rpartition("/")[2] if path.startswith("web/") else path
        if not list(root.glob(path)) and not list(root.glob(web_js)):
            found.missing.append(f"{where}: `{name}` matches nothing ({path})")
        return
    folder_name = name.endswith("/")
    if (root / path).is_dir() if folder_name else (root / path).is_file():
        found_path: str | list[str] | None = path
    else:
        found_path = _under_web_js(root, name) if path.startswith("web/") else None
    if isinstance(found_path, list):
        found.missing.append(f"{where}: `{name}` is ambiguous ({', '.join(found_path)}): name more of its path")
    elif found_path is None:
        found.missing.append(f"{where}: `{name}` does not exist ({path})")
    elif not folder_name:
        found.named.add(found_path)
    elif (root / found_path / "__init__.py").is_file():
        found.named.add(found_path + "__init__.py")


def read_map(root: Path, doc: str, base: str = "") -> Map:
    """Every module name in a markdown document, resolved against the folder of the section it is in.

    A heading that names a folder (`## \\`server/\\` — ...`) sets the folder for its section and the sections under
    it; a table row whose first cell is a folder alone (`store/`) sets a subfolder for the rest of that row."""
    found = Map()
    folders: dict[int, str] = {0: base}
    in_code = False
    for number, line in enumerate((root / doc).read_text().splitlines(), 1):
        where = f"{doc}:{number}"
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = re.match(r"^(#+) ", line)
        tokens = TOKEN.findall(line)
        if heading:
            level = len(heading.group(1))
            folders = {k: v for k, v in folders.items() if k < level}
            inherited = folders[max(folders)]
            named = [t for t in tokens if FOLDER.match(t)]
            folders[level] = named[0] if named and named[0].startswith(TOP) else inherited
            for t in named:
                resolve(root, "", t, found, where)
            continue
        folder = folders[max(folders)]
        if line.startswith("|"):
            first, _, rest = line.strip("|").partition("|")
            heads = TOKEN.findall(first)
            for t in heads:
                if FOLDER.match(t) or MODULE.match(t):
                    resolve(root, folder, t, found, where)
            row_folder = folder + heads[0] if len(heads) == 1 and FOLDER.match(heads[0]) else folder
            for t in TOKEN.findall(rest):
                if MODULE.match(t):
                    resolve(root, row_folder, t, found, where)
            continue
        for t in tokens:
            if MODULE.match(t):
                resolve(root, folder, t, found, where)
    return found


def contract_names(root: Path, doc: str) -> list[tuple[str, str, str]]:
    """(where, module path, name) of every name the function contracts list under a module of the core."""
    out = []
    module = None
    section = False
    for number, line in enumerate((root / doc).read_text().splitlines(), 1):
        if line.startswith("#"):
            section = "Function contracts" in line
            module = None
            continue
        if not section:
            continue
        if m := CONTRACT_MODULE.match(line.strip()):
            module = m.group(1)
            continue
        for token in TOKEN.findall(line):
            dotted = re.match(r"^([a-z_]+)\.([A-Za-z_]\w*)$", token)
            call = re.match(r"^([A-Za-z_]\w*)\(", token)
            if dotted and (root / "sync/core" / f"{dotted.group(1)}.py").is_file():
                out.append((f"{doc}:{number}", f"sync/core/{dotted.group(1)}.py", dotted.group(2)))
            elif call and module and line.lstrip().startswith("- "):
                out.append((f"{doc}:{number}", module, call.group(1)))
    return out


def defined(path: Path) -> set[str]:
    """The names a module defines at its top level."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def doc_maps(root: Path) -> Map:
    internals = read_map(root, "docs/INTERNALS.md")
    web = read_map(root, "docs/WEB.md", base="web/")
    return Map(named=internals.named | web.named, missing=internals.missing + web.missing)


def test_every_module_the_map_names_exists():
    assert doc_maps(ROOT).missing == []


def test_every_module_is_named_in_the_map():
    unnamed = sorted(modules(ROOT) - doc_maps(ROOT).named)
    # A package's __init__.py that only imports and re-exports is not a module of its own.
    unnamed = [m for m in unnamed if not (m.endswith("__init__.py") and not _holds_code(ROOT / m))]
    assert unnamed == [], "add these to docs/INTERNALS.md (web/: docs/WEB.md's file table)"


def _holds_code(path: Path) -> bool:
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign))
        and not (isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["__all__"])
        for node in ast.parse(path.read_text()).body
    )


def test_the_function_contracts_name_what_the_core_defines():
    names = contract_names(ROOT, "docs/INTERNALS.md")
    assert len(names) > 40  # the section was read (a heading renamed would silently check nothing)
    wrong = [
        f"{where}: {module} defines no {name}" for where, module, name in names if name not in defined(ROOT / module)
    ]
    assert wrong == []


# ---- the checker itself, on a small tree: a map that has drifted must fail


@pytest.fixture
def tree(tmp_path):
    for path in (
        "sync/core/errors.py",
        "sync/core/wire.py",
        "server/app.py",
        "server/store/__init__.py",
        "server/store/connection.py",
        "web/sw.js",
        "web/js/core/layout.js",
        "web/js/a/routes.js",
        "web/js/b/routes.js",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    (tmp_path / "server/store/__init__.py").write_text("class Store:\n    pass\n")
    (tmp_path / "docs").mkdir()
    return tmp_path


def _write(tree: Path, text: str) -> Map:
    (tree / "docs" / "MAP.md").write_text(text)
    return read_map(tree, "docs/MAP.md")


def test_names_resolve_in_the_folder_of_their_section(tree):
    found = _write(
        tree,
        "## `sync/` — x\n\n### `sync/core/` — y\n\n| module | owns |\n|---|---|\n"
        "| `errors.py` | errors |\n| `wire.py` / `layout.py` | wire |\n\n"
        "## `server/` — z\n\n| `app.py` | the app |\n| `store/` | `connection.py`, `rows.py` |\n"
        "| `app.py`, `store/` | `store/connection.py` |\n",
    )
    assert found.named == {
        "sync/core/errors.py",
        "sync/core/wire.py",
        "server/app.py",
        "server/store/__init__.py",
        "server/store/connection.py",
    }
    assert [m.split(": ", 1)[1] for m in found.missing] == [
        "`layout.py` does not exist (sync/core/layout.py)",
        "`rows.py` does not exist (server/store/rows.py)",
    ]


def test_a_name_in_the_wrong_section_is_missing(tree):
    found = _write(tree, "## `server/`\n\n`errors.py` holds the errors.\n")
    assert found.named == set() and "`errors.py` does not exist (server/errors.py)" in found.missing[0]


def test_a_web_module_is_found_by_its_file_name_wherever_it_lives(tree):
    found = _write(
        tree,
        "## `web/`\n\n`sw.js`, `layout.js`, `js/layout.js`, `core/layout.js`, `a/routes.js`, "
        "`core/` and `routes.js`, `b/layout.js`\n",
    )
    assert found.named == {"web/sw.js", "web/js/core/layout.js", "web/js/a/routes.js"}
    assert [m.split(": ", 1)[1] for m in found.missing] == [
        "`routes.js` is ambiguous (web/js/a/routes.js, web/js/b/routes.js): name more of its path",
        "`b/layout.js` does not exist (web/b/layout.js)",
    ]


def test_an_unnamed_module_is_reported(tree):
    named = _write(tree, "## `sync/core/`\n\n`errors.py`\n").named
    assert sorted(modules(tree) - named)[:2] == ["server/app.py", "server/store/__init__.py"]
