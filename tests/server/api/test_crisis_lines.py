"""GET /api/v1/crisis-lines (server/crisis.py): the operator's lines as one public, cacheable document; nothing
configured is an empty document, never a made-up number; a bad file stops the server at start-up, saying why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from between.server import crisis
from between.server.settings import Settings, SettingsError
from tests.conftest import SERVED_WEB

LINES = {
    "region": "Testland",
    "emergency": "112",
    "lines": [
        {
            "name": "Night Line",
            "phone": "+49 800 111 0 111",
            "sms": "85258",
            "hours": "24 hours, every day",
            "about": "Someone to talk to, for anyone in distress.",
            "url": "https://nightline.example.org",
            "source": "https://nightline.example.org/contact",
            "reviewed": "2026-11-30",
        }
    ],
}


def write(tmp_path: Path, content: str | bytes, name: str = "lines.json") -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def test_configured_lines_are_served_to_anyone_with_cache_headers(api_factory, tmp_path):
    api = api_factory(crisis_lines=write(tmp_path, json.dumps(LINES)))
    answer = api.c.get("/api/v1/crisis-lines")  # no session
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.json() == LINES
    etag = answer.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = api.c.get("/api/v1/crisis-lines", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = api.c.get("/api/v1/crisis-lines", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.json() == LINES


def test_nothing_configured_is_an_empty_document_without_any_number(api):
    answer = api.c.get("/api/v1/crisis-lines")
    assert answer.status_code == 200
    assert answer.json() == {"region": None, "emergency": None, "lines": []}
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["etag"]


def test_a_changed_file_gives_a_new_etag_at_the_next_start(tmp_path):
    first = crisis.load(write(tmp_path, json.dumps(LINES)))
    changed = {**LINES, "lines": [{**LINES["lines"][0], "hours": "evenings"}]}
    second = crisis.load(write(tmp_path, json.dumps(changed), "other.json"))
    assert first.etag != second.etag
    assert crisis.load(None).etag == crisis.load(None).etag


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "is not JSON"),
        (json.dumps({"lines": [{"name": "No source", "phone": "988", "reviewed": "2026-11-30"}]}), "source"),
        (json.dumps({**LINES, "lines": [{**LINES["lines"][0], "phone": "call 988"}]}), "$.lines[0].phone: is not a"),
        (json.dumps({**LINES, "emergency": "nine one one"}), "$.emergency: is not a phone number"),
        (json.dumps({**LINES, "lines": [{**LINES["lines"][0], "reviewed": "last week"}]}), "YYYY-MM-DD"),
        (json.dumps({**LINES, "extra": 1}), "extra"),
        (json.dumps([LINES]), "is not a valid crisis-lines file"),
    ],
)
def test_a_bad_file_refuses_the_start_and_names_the_problem(tmp_path, content, why):
    path = write(tmp_path, content)
    with pytest.raises(SettingsError) as err:
        crisis.load(path)
    assert str(err.value).startswith("BETWEEN_CRISIS_LINES: ") and why in str(err.value)


def test_a_missing_file_refuses_the_start(tmp_path):
    with pytest.raises(SettingsError, match=r"^BETWEEN_CRISIS_LINES: cannot read .*missing\.json"):
        crisis.load(str(tmp_path / "missing.json"))


def test_the_setting_comes_from_the_environment(tmp_path):
    path = write(tmp_path, json.dumps(LINES))
    assert Settings.from_env({"BETWEEN_CRISIS_LINES": path}).crisis_lines == path
    assert Settings.from_env({"BETWEEN_CRISIS_LINES": "  "}).crisis_lines is None
    assert Settings.from_env({}).crisis_lines is None


def test_the_server_process_stops_at_start_up_with_a_clear_message(tmp_path):
    """`python -m between.server` with a broken file: exit status 2 and one line saying what to fix, no traceback."""
    path = write(tmp_path, json.dumps({**LINES, "emergency": "nine one one"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")}
    env.update(
        {
            "BETWEEN_CRISIS_LINES": path,
            "BETWEEN_DATA": str(tmp_path / "data"),
            "BETWEEN_PORT": "0",
            "BETWEEN_WEB_DIR": str(SERVED_WEB),
        }
    )
    done = subprocess.run([sys.executable, "-m", "between.server"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    said = [line for line in done.stderr.splitlines() if line.startswith("between: ")]
    assert said == [
        f"between: BETWEEN_CRISIS_LINES: {path} is not a valid crisis-lines file: $.emergency: is not a "
        "phone number (digits, spaces, brackets and dashes, an optional leading +)"
    ]
    assert "Traceback" not in done.stderr
