"""server/api/context.py's origin_of: sign-in signatures are bound to the server's origin, which a request's Host
header cannot choose."""

from __future__ import annotations

import uuid

import builders as b
import msgspec
import pytest
from harness import FAST, dump
from litestar.testing import TestClient

from between.server.app import create_app
from between.server.settings import Settings, SettingsError
from between.sync.core import wire
from tests.openapi_answers import recorded


def _settings(tmp_path, **overrides) -> Settings:
    return Settings.from_mapping({"data_dir": str(tmp_path), **FAST, **overrides})


def _login(client: TestClient, acct: b.Account, origin: str, host: str | None = None):
    acct.device_id = uuid.uuid4()  # each sign-in registers a new device
    headers = {"host": host} if host else {}
    ch = msgspec.json.decode(
        client.post("/api/v1/auth/prelogin", json={"handle": acct.handle}).content, type=wire.Challenge
    )
    body = b.login(acct, ch, origin=origin)
    return client.post(
        "/api/v1/auth/login", content=wire.encode(body), headers={"content-type": "application/json", **headers}
    )


def test_without_a_configured_origin_only_loopback_origins_are_accepted(tmp_path):
    app = create_app(_settings(tmp_path))
    with TestClient(recorded(app), base_url="http://127.0.0.1:8000") as client:
        acct = b.new_account("origin-alice")
        assert (
            client.post(
                "/api/v1/accounts", content=wire.encode(b.signup(acct)), headers={"content-type": "application/json"}
            ).status_code
            == 201
        )
        assert _login(client, acct, "http://127.0.0.1:8000").status_code == 200
        before = dump(tmp_path / "between.sqlite3", ("sessions", "devices"))
        # a phishing origin, relayed with the phishing host: the signature must not open a session
        refused = _login(client, acct, "http://evil.example", host="evil.example")
        assert refused.status_code == 421
        assert refused.json()["code"] == "origin_not_configured"
        assert dump(tmp_path / "between.sqlite3", ("sessions", "devices")) == before


def test_serving_beyond_loopback_needs_a_public_origin(tmp_path):
    with pytest.raises(SettingsError, match="BETWEEN_PUBLIC_ORIGIN"):
        create_app(_settings(tmp_path, host="0.0.0.0"))
    create_app(_settings(tmp_path, host="0.0.0.0", public_origin="https://between.example.org"))


def test_a_configured_origin_ignores_the_host_header(tmp_path):
    app = create_app(_settings(tmp_path, public_origin="https://between.example.org"))
    with TestClient(recorded(app), base_url="http://127.0.0.1:8000") as client:
        acct = b.new_account("origin-bob")
        client.post(
            "/api/v1/accounts", content=wire.encode(b.signup(acct)), headers={"content-type": "application/json"}
        )
        assert _login(client, acct, "http://127.0.0.1:8000").status_code == 401
        assert _login(client, acct, "https://between.example.org", host="evil.example").status_code == 200
