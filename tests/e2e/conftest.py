"""End-to-end fixtures: the real server and the `between` CLI with one profile directory per device."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ENGINES

from .e2e_cli import Cli


@pytest.fixture
def cli(server, tmp_path) -> Cli:
    return Cli(tmp_path / "profiles", server.url)


@pytest.fixture
def start_server():
    """tests/conftest.py's `start_live_server(tmp_path, extra_env)`, for a server with its own settings."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("_between_root_conftest", path)
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return module.start_live_server


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The end-to-end tests drive the CLI against the server's API on SQLite; those marked `both_engines` run on
    PostgreSQL too (a fresh database, two worker processes). What the store promises (conflicts, a revision stored
    once, pages, who may read what, sessions, invites) is checked on both engines below the API
    (tests/server/store/), so a scenario on PostgreSQL adds only the trip through a two-worker server: one or two per
    area are enough (docs/INTERNALS.md "Tests")."""
    return getattr(request, "param", "sqlite")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # E2E_ENGINES=all (`make test-e2e-engines`): every scenario on both engines, as issue 11 asks of the whole suite.
    every = os.environ.get("E2E_ENGINES") == "all"
    if "engine" in metafunc.fixturenames and (every or metafunc.definition.get_closest_marker("both_engines")):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def server(engine_server):
    """The real server (tests/conftest.py `engine_server`) on `engine`."""
    return engine_server
