"""Recording every /api/ answer for the session's OpenAPI check (tests/openapi_answers.py): the part the servers the
tests start import (tests/openapi_server.py, tests/clock_server.py), kept apart from the checker so that each of those
starts imports neither pytest nor jsonschema."""

from __future__ import annotations

import json
import os
from typing import Any

ENV = "API_ANSWERS_FILE"  # not BETWEEN_*: the server refuses settings it does not know


# ---------------------------------------------------------------- recording


def answers_file() -> str:
    """The file this session's answers go to (set by pytest_configure, inherited by every subprocess)."""
    return os.environ[ENV]


def append(record: dict[str, Any], path: str | None = None) -> None:
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(path or answers_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write per answer: appends from several servers never interleave
    finally:
        os.close(fd)


class AnswerRecorder:
    """ASGI middleware: records (method, path, status, content type, Allow, Retry-After, Between-Epoch, body) of
    /api/ answers."""

    def __init__(self, app, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        head: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
                head.update(
                    status=message["status"],
                    type=headers.get("content-type", ""),
                    allow=headers.get("allow"),
                    retry_after=headers.get("retry-after"),
                    between_epoch=headers.get("between-epoch"),
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    append(
                        {
                            "method": scope["method"],
                            "path": scope["path"],
                            **head,
                            "body": b"".join(chunks).decode("utf-8", "replace"),
                        },
                        self.path,
                    )
            await send(message)

        await self.app(scope, receive, capture)


def recorded(app):
    """`app` with its answers recorded for the session's check (for in-process test clients)."""
    return AnswerRecorder(app, answers_file())
