"""The layers of docs/INTERNALS.md, enforced: every import of Between's own code goes down, never across or up.

    between.sync.core    the protocol: imports only itself
    between.sync.client  the reference client: core and itself
    between.sync.cli     the `between` command: core, client and itself
    between.server       the server: core and itself (never the client or the CLI)

The CLI starts the server through an entry point (`between.serve`), not an import. Imports are read from the source
(ast), so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# folder -> package it is installed as (pyproject.toml's package-dir)
FOLDERS = {"sync": "between.sync", "server": "between.server"}
ALLOWED = {
    "between.sync.core": {"between.sync.core"},
    "between.sync.client": {"between.sync.core", "between.sync.client"},
    "between.sync.cli": {"between.sync.core", "between.sync.client", "between.sync.cli"},
    "between.server": {"between.sync.core", "between.server"},
}
# Third-party packages a layer must not reach for: the core is pure, the client talks HTTP, only the server serves.
FORBIDDEN_THIRD_PARTY = {
    "between.sync.core": {"httpx", "litestar", "aiosqlite", "uvicorn", "sqlite3"},
    "between.sync.client": {"litestar", "aiosqlite", "uvicorn"},
    "between.sync.cli": {"litestar", "aiosqlite", "uvicorn"},
}
OLD_NAMES = {"sync", "server"}  # the top-level names before the `between` namespace


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    parts[0] = FOLDERS[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            # `from pkg import name` may import the module pkg.name: name it so, the layer is the same either way
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def layer_of(name: str) -> str | None:
    return next(
        (layer for layer in sorted(ALLOWED, key=len, reverse=True) if name == layer or name.startswith(layer + ".")),
        None,
    )


def violations(root: Path) -> list[str]:
    """Every import in sync/ and server/ under `root` that crosses a layer the wrong way."""
    found = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            module = module_name(path, root)
            mine = layer_of(module)
            where = f"{path.relative_to(root)}"
            for line, name in imported(path, module):
                top = name.split(".")[0]
                if top in OLD_NAMES:
                    found.append(f"{where}:{line} imports {name}: our code is imported as between.*")
                    continue
                if mine is None:
                    if layer_of(name) not in (None, "between.sync.core"):
                        found.append(f"{where}:{line} imports {name}: only the core may be imported from here")
                    continue
                target = layer_of(name)
                if target is not None and target not in ALLOWED[mine]:
                    found.append(f"{where}:{line} ({mine}) imports {name} ({target})")
                if top in FORBIDDEN_THIRD_PARTY.get(mine, ()):
                    found.append(f"{where}:{line} ({mine}) imports {top}")
    return found


def test_every_import_goes_down_the_layers():
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("sync/core/bad.py", "from ..client import api\n", "(between.sync.core) imports between.sync.client.api"),
        ("sync/core/bad.py", "import httpx\n", "(between.sync.core) imports httpx"),
        (
            "sync/client/bad.py",
            "def f():\n    from between.server.app import create_app\n",
            "(between.sync.client) imports between.server.app",
        ),
        (
            "sync/cli/bad.py",
            "from between.server import __main__\n",
            "(between.sync.cli) imports between.server.__main__",
        ),
        ("server/bad.py", "from between.sync.client import api\n", "(between.server) imports between.sync.client"),
        ("server/bad.py", "from sync.core import wire\n", "imports sync.core.wire: our code is imported as between.*"),
    ],
)
def test_a_wrong_way_import_is_caught(tmp_path, path, source, expected):
    for folder in FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(source)
    found = violations(tmp_path)
    assert len(found) == 1 and expected in found[0], found


def test_tests_and_benchmarks_import_the_installed_names():
    """tests/ and bench/ may import any layer, but as `between.*`: the repository root is on their path, where
    `sync` and `server` would import the folders by their old names and hide a packaging mistake."""
    wrong = []
    for folder in ("tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, name in imported(path, "tests.x"):
                if name.split(".")[0] in OLD_NAMES:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == []


def test_every_package_folder_is_installed():
    """pyproject.toml lists the packages by hand (the namespace maps folders): a new folder must be added there."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {module_name(init, ROOT) for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")}
    assert on_disk <= listed
    # and the web app's build, data only: between.web is web/dist/ (the built app the wheel ships)
    assert config["package-dir"] == {package: folder for folder, package in FOLDERS.items()} | {
        "between.web": "web/dist"
    }


def test_the_cli_finds_the_server_by_its_entry_point():
    from importlib.metadata import entry_points

    (serve,) = entry_points(group="between.serve", name="serve")
    from between.server.__main__ import serve as expected

    assert serve.load() is expected
