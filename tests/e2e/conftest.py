"""End-to-end fixtures: the real server and the `between` CLI with one profile directory per device."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

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
def server(engine_server):
    """The real server (tests/conftest.py `engine_server`): every end-to-end test runs on SQLite and on PostgreSQL
    (a fresh database, two workers)."""
    return engine_server
