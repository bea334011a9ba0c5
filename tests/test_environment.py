"""No silent passes (tests/environment.py): on a laptop, tests that need a missing Chromium or PostgreSQL skip with
a one-line notice; with CI=true the run fails before any test. Each case runs pytest in a subprocess pointed at a
Chromium or a PostgreSQL port that is not there."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, free_port
from tests.environment import Database, fresh_database

BROWSER_TEST = "tests/browser/test_pwa_crypto.py"
POSTGRES_TEST = "tests/test_environment.py::test_a_fresh_postgres_database_is_made_and_dropped"


def _pytest(*args: str, ci: bool, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=base | env | ({"CI": "true"} if ci else {}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_postgres_database_is_made_and_dropped(postgres_database: Database):
    assert postgres_database.query("SELECT current_database()") == [[postgres_database.name]]
    with fresh_database() as other:
        assert other.name != postgres_database.name
        other.query("CREATE TABLE t (x int)")
    listed = postgres_database.query(f"SELECT 1 FROM pg_database WHERE datname = '{other.name}'")
    assert listed == []


def test_without_chromium_browser_tests_skip_on_a_laptop_and_fail_in_ci(tmp_path):
    nowhere = str(tmp_path / "no-chromium")
    laptop = _pytest(BROWSER_TEST, ci=False, CHROMIUM=nowhere)
    assert laptop.returncode == 0, laptop.stdout + laptop.stderr
    assert f"SKIPPED [1] {BROWSER_TEST}: {nowhere} is missing" in laptop.stdout
    ci = _pytest(BROWSER_TEST, ci=True, CHROMIUM=nowhere)
    assert ci.returncode != 0 and "passed" not in ci.stdout and "skipped" not in ci.stdout
    assert "CI=true and the machine lacks what the suite needs" in ci.stderr
    assert f"{nowhere} is missing" in ci.stderr


def test_without_postgres_its_tests_skip_on_a_laptop_and_every_run_fails_in_ci():
    port = str(free_port())  # bound and released: nothing listens there
    laptop = _pytest(POSTGRES_TEST, ci=False, PGPORT=port)
    assert laptop.returncode == 0, laptop.stdout + laptop.stderr
    assert f"SKIPPED [1] {POSTGRES_TEST.split('::', maxsplit=1)[0]}:" in laptop.stdout
    assert f"PostgreSQL is not reachable at 127.0.0.1:{port}" in laptop.stdout
    # With CI=true even a run that selects no PostgreSQL test fails: the project's CI must have it.
    ci = _pytest("tests/sync/core/test_crypto.py", ci=True, PGPORT=port)
    assert ci.returncode != 0 and "passed" not in ci.stdout
    assert f"PostgreSQL is not reachable at 127.0.0.1:{port}" in ci.stderr
