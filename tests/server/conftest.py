"""Fixtures of the server tests: an app on a real SQLite file behind Litestar's test client."""

from __future__ import annotations

from pathlib import Path

import builders as b
import pytest
from harness import Api, Clock, make_settings
from litestar.testing import TestClient

from between.server.app import create_app
from tests.openapi_answers import recorded


@pytest.fixture
def api_factory(tmp_path: Path):
    """Start an app with chosen settings (and, to reach an expiry, a harness.Clock); every client is closed (and
    its store shut) at the end. Its answers are recorded for the session's OpenAPI check (tests/openapi_answers.py)."""
    opened: list[TestClient] = []

    def start(clock: Clock | None = None, **overrides) -> Api:
        data_dir = tmp_path / f"data{len(opened)}"
        app = create_app(make_settings(data_dir, **overrides), **({"clock": clock} if clock else {}))
        client = TestClient(recorded(app), base_url="https://between.test")
        client.__enter__()
        opened.append(client)
        return Api(client, data_dir, app=app)

    yield start
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def api(api_factory) -> Api:
    return api_factory()


@pytest.fixture
def two_linked(api: Api) -> tuple[Api, b.Account, b.Account]:
    therapist = api.register("dr-tran", "therapist")
    client = api.register("sam")
    api.link(therapist, client)
    return api, therapist, client
