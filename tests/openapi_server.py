"""`python -m tests.openapi_server ANSWERS_FILE [python -m between.server's arguments]`: the real server, run as
`python -m between.server` runs it, with every /api/ answer recorded for the session's OpenAPI check."""

from __future__ import annotations

import sys

from between.server.__main__ import main
from between.server.app import create_app
from tests.openapi_recording import AnswerRecorder

if __name__ == "__main__":
    answers = sys.argv[1]
    main(sys.argv[2:], app_factory=lambda settings, **options: AnswerRecorder(create_app(settings, **options), answers))
