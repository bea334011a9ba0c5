"""Settings from an injected environment: defaults, parsing, and clear errors naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from between.server.settings import Settings, SettingsError


def test_defaults():
    s = Settings.from_env({})
    assert (s.data_dir, s.registration, s.challenge_ttl, s.session_ttl, s.invite_ttl) == (
        "./var",
        "open",
        60,
        12 * 3600,
        7 * 86400,
    )
    assert s.public_origin is None and s.signup_codes == ()


def test_parsing():
    s = Settings.from_env(
        {
            "BETWEEN_DATA": "/srv/between",
            "BETWEEN_PORT": "9000",
            "BETWEEN_PUBLIC_ORIGIN": "https://between.example/",
            "BETWEEN_REGISTRATION": "invite",
            "BETWEEN_SIGNUP_CODES": " first-code-1, second-code-2 ,",
            "BETWEEN_SESSION_TTL": "2h",
            "BETWEEN_INVITE_TTL": "3d",
            "BETWEEN_MAX_REQUEST_BYTES": "4MiB",
            "PATH": "/usr/bin",  # other variables are ignored
        }
    )
    assert s.data_dir == "/srv/between" and s.port == 9000
    assert s.public_origin == "https://between.example"
    assert s.signup_codes == ("first-code-1", "second-code-2")
    assert (s.session_ttl, s.invite_ttl, s.max_request_bytes) == (7200, 3 * 86400, 4 * 1024 * 1024)


@pytest.mark.parametrize(
    "name, value",
    [
        ("BETWEEN_PORT", "eighty"),
        ("BETWEEN_PORT", "70000"),
        ("BETWEEN_REGISTRATION", "closed"),
        ("BETWEEN_SESSION_TTL", "soon"),
        ("BETWEEN_SESSION_TTL", "0"),
        ("BETWEEN_PUBLIC_ORIGIN", "between.example"),
        ("BETWEEN_MAX_REQUEST_BYTES", "12 parsecs"),
        ("BETWEEN_RATE_IP_PER_MINUTE", "-1"),
        ("BETWEEN_PROT", "8000"),
        ("BETWEEN_DATABASE", "mysql://root:hunter2@db/between"),
        ("BETWEEN_WORKERS", "0"),
        ("BETWEEN_QUOTA", "12 parsecs"),
        ("BETWEEN_RATE_PUSH_PER_MINUTE", "0"),
        ("BETWEEN_MAX_BLOB_BYTES", "lots"),
        ("BETWEEN_ATTACHMENT_QUOTA", "12"),
        ("BETWEEN_UPLOAD_EXPIRY", "0"),
        ("BETWEEN_ATTACHMENT_HISTORY", "a month"),
        ("BETWEEN_COLLECT_INTERVAL", "2d"),
    ],
)
def test_invalid_values_name_the_variable(name, value):
    with pytest.raises(SettingsError) as exc:
        Settings.from_env({name: value})
    assert name in str(exc.value)
    assert value not in str(exc.value) or value in name  # values may be secrets: not echoed


def test_attachment_settings():
    s = Settings.from_env({})
    assert (s.max_blob_bytes, s.attachment_quota) == (64 * 1024**2, 2 * 1024**3)
    assert (s.upload_expiry, s.attachment_history, s.collect_interval) == (86400, 30 * 86400, 300)
    s = Settings.from_env(
        {
            "BETWEEN_MAX_BLOB_BYTES": "16MiB",
            "BETWEEN_ATTACHMENT_QUOTA": "5GiB",
            "BETWEEN_UPLOAD_EXPIRY": "6h",
            "BETWEEN_ATTACHMENT_HISTORY": "7d",
            "BETWEEN_COLLECT_INTERVAL": "1m",
        }
    )
    assert (s.max_blob_bytes, s.attachment_quota) == (16 * 1024**2, 5 * 1024**3)
    assert (s.upload_expiry, s.attachment_history, s.collect_interval) == (6 * 3600, 7 * 86400, 60)


def test_the_store_and_its_workers():
    lite = Settings.from_env({"BETWEEN_DATA": "/srv/between"})
    assert lite.store_target == Path("/srv/between/between.sqlite3") and lite.worker_count == 1
    url = "postgresql://between@db.internal:5432/between"
    pg = Settings.from_env({"BETWEEN_DATABASE": url, "BETWEEN_WORKERS": "3", "BETWEEN_QUOTA": "2GiB"})
    assert pg.store_target == url and pg.worker_count == 3 and pg.quota_bytes == 2 * 1024**3
    assert Settings.from_env({"BETWEEN_DATABASE": url}).worker_count == (os.cpu_count() or 1)
    with pytest.raises(SettingsError, match="BETWEEN_WORKERS: several workers need PostgreSQL"):
        Settings.from_env({"BETWEEN_WORKERS": "2"})


def test_invite_codes_must_not_be_trivial():
    with pytest.raises(SettingsError, match="BETWEEN_SIGNUP_CODES"):
        Settings.from_env({"BETWEEN_REGISTRATION": "invite", "BETWEEN_SIGNUP_CODES": "abc"})


def test_server_refuses_to_start_on_a_bad_setting(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "between.server", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"BETWEEN_REGISTRATION": "maybe", "PATH": "/usr/bin"},
        timeout=30,
    )
    assert done.returncode == 2
    assert "BETWEEN_REGISTRATION" in done.stderr and "Traceback" not in done.stderr


def test_the_clis_own_variables_are_not_mistaken_for_typos():
    settings = Settings.from_env({"BETWEEN_PASSPHRASE": "x" * 12, "BETWEEN_PROFILE": "/tmp/p", "BETWEEN_PORT": "9001"})
    assert settings.port == 9001
    assert "x" * 12 not in repr(settings)
