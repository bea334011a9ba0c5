"""The store's tests run on both engines: `api_factory` (and so `api`) here starts the app on the `engine` fixture's
store (tests/conftest.py), a fresh PostgreSQL database per app when it is PostgreSQL."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest
from harness import Api, Clock, make_settings
from litestar.testing import TestClient

from between.server.app import create_app
from tests.conftest import postgres_or_skip
from tests.environment import fresh_database
from tests.openapi_answers import recorded


@pytest.fixture
def api_factory(tmp_path: Path, engine: str):
    opened: list[TestClient] = []
    with ExitStack() as databases:

        def start(clock: Clock | None = None, **overrides) -> Api:
            data_dir = tmp_path / f"data{len(opened)}"
            database = None
            if engine == "postgres":
                postgres_or_skip()
                database = databases.enter_context(fresh_database())
                overrides.setdefault("database", database.dsn)
            app = create_app(make_settings(data_dir, **overrides), **({"clock": clock} if clock else {}))
            client = TestClient(recorded(app), base_url="https://between.test")
            client.__enter__()
            opened.append(client)
            return Api(client, data_dir, database, app)

        try:
            yield start
        finally:
            for client in opened:
                client.__exit__(None, None, None)
