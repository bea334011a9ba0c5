"""`python -m tests.clock_server --offset-file FILE ...`: the real server (server.__main__.serve) on a clock the tests
can move: the machine's time plus the seconds written in FILE (tests/conftest.py LiveServer.advance writes it).
Only tests start it; `python -m between.server` keeps time.time."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from between.server.__main__ import serve
from between.server.app import create_app


class OffsetClock:
    """time.time() + the offset in `path` (absent or empty: no offset), read at every call: the file is the dial."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> float:
        try:
            offset = float(self.path.read_text() or 0)
        except FileNotFoundError:
            offset = 0.0
        return time.time() + offset


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.clock_server")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--data")
    parser.add_argument("--offset-file", required=True, type=Path)
    parser.add_argument(
        "--answers", help="record every /api/ answer here for the OpenAPI check (tests/openapi_answers)"
    )
    args = parser.parse_args()
    factory = create_app
    if args.answers:
        from tests.openapi_recording import AnswerRecorder

        def factory(settings, **options):  # type: ignore[no-redef]
            return AnswerRecorder(create_app(settings, **options), args.answers)

    serve(args.host, args.port, args.data, app_factory=factory, clock=OffsetClock(args.offset_file))


if __name__ == "__main__":
    main()
