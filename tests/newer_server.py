"""A newer server, as far as today's clients can tell: the real app, whose /api/v1 answers carry fields this
version does not know, at the top and at every level below (objects and list items alike).

Run as `python -m tests.newer_server --host H --port P --data DIR` (tests/conftest.py: start_live_server with
module="tests.newer_server"); it reads the same BETWEEN_* settings as `python -m between.server`. Requests pass through
untouched, so the server's own checks are what they always are.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
from typing import Any

# Names no version uses today; one of them is an object with a bytes-named member (`signature` is base64 in
# every answer it appears in, and clients that decode by name must keep coping with that).
EXTRA_SCALAR = "zz_added_later"
EXTRA_OBJECT = "zz_added_object"


def with_extras(value: Any) -> Any:
    """`value` with unknown fields added to every object in it, however deep (list items are not added)."""
    if isinstance(value, list):
        return [with_extras(v) for v in value]
    if isinstance(value, dict):
        out = {k: with_extras(v) for k, v in value.items()}
        out[EXTRA_SCALAR] = 7
        out[EXTRA_OBJECT] = {
            "note": "from a newer server",
            "list": [1, {"deep": None}],
            "signature": base64.b64encode(b"\x07" * 64).decode(),
        }
        return out
    return value


class AddFields:
    """ASGI middleware: JSON answers under /api/v1 (problem documents too) get `with_extras` applied."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def rewrite(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            media = {k.lower(): v for k, v in headers}.get(b"content-type", b"")
            if body and b"json" in media:
                body = json.dumps(with_extras(json.loads(body))).encode()
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def main() -> None:
    # Imported here: tests/sync use with_extras without loading the server.
    import uvicorn

    from between.server.app import create_app
    from between.server.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    env = dict(os.environ, BETWEEN_HOST=args.host, BETWEEN_PORT=str(args.port), BETWEEN_DATA=args.data)
    settings = Settings.from_env(env)
    uvicorn.run(
        AddFields(create_app(settings)),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        server_header=False,
    )


if __name__ == "__main__":
    main()
