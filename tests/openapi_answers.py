"""Every /api/ answer the test suite receives, checked against the server's published OpenAPI document.

A pytest plugin (tests/conftest.py loads it). The real servers the tests start (`python -m tests.openapi_server`,
which is `python -m between.server` with the recorder around the app) and the in-process test clients (`recorded(app)`)
append each answer to one file; when the session ends, every answer is validated against /schema/openapi.json:
its status is documented for that operation, its content type is the documented one, and its body validates
against the documented schema with every object closed (so a field the server sends must be documented too).
Any mismatch fails the run, with a list. Nothing here is part of the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.openapi_recording import ENV, AnswerRecorder, answers_file, append, recorded  # noqa: F401 - re-exported

DOC_URI = "urn:between:openapi"
_RESULT = pytest.StashKey[tuple[Counter[int], list[str], Path]]()


# ---------------------------------------------------------------- checking


def closed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every object schema closed: answers are published open (a v1 answer may gain fields),
    but what this server sends today must be documented to the last field."""
    doc = json.loads(json.dumps(document))

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(doc.get("components", {}))
    close(doc.get("paths", {}))
    return doc


class Checker:
    """Checks recorded answers against one OpenAPI document."""

    FORMATS = Draft202012Validator.FORMAT_CHECKER  # uuid, among others

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = closed(document)
        self.registry = Registry().with_resource(DOC_URI, Resource(contents=self.doc, specification=DRAFT202012))
        self._validators: dict[str, Draft202012Validator] = {}
        # static segments first, as the router matches them: /invites/preview before /invites/{invite_id}
        self.templates = sorted(self.doc["paths"], key=lambda t: (t.count("{"), t))
        self.patterns = [
            (t, re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(t)) + "$")) for t in self.templates
        ]
        # the schema of each path parameter (the same in every operation of a path)
        self.params = {
            (t, p["name"]): Draft202012Validator(p["schema"], format_checker=self.FORMATS)
            for t, item in self.doc["paths"].items()
            for op in item.values()
            for p in op.get("parameters", [])
            if p["in"] == "path"
        }

    def template(self, path: str) -> tuple[str, dict[str, str]] | tuple[None, None]:
        for t, pattern in self.patterns:
            if m := pattern.match(path):
                return t, m.groupdict()
        return None, None

    def validate(self, pointer: str, body: Any) -> str | None:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": DOC_URI + "#" + pointer}, registry=self.registry, format_checker=self.FORMATS
            )
            self._validators[pointer] = validator
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        return f"{where}: {error.message[:200]}"

    def check(self, r: dict[str, Any]) -> str | None:
        """None if the answer is what the document says, else why not."""
        template, values = self.template(r["path"])
        if template is None:
            return self._problem(r, 404, "no documented path")
        for name, value in values.items():
            if not self.params[(template, name)].is_valid(value):
                return self._problem(r, 404, f"{name} {value!r} is not a documented value")  # matches no resource
        ops = self.doc["paths"][template]
        allowed = {m.upper() for m in ops} | {"OPTIONS"}
        method = r["method"].upper()
        if method.lower() not in ops:
            if method == "OPTIONS":
                if r["status"] != 204:
                    return f"OPTIONS answered {r['status']}, not 204"
            elif why := self._problem(r, 405, f"{method} is not documented for {template}"):
                return why
            if set(re.split(r"\s*,\s*", r.get("allow") or "")) != allowed:
                return f"Allow is {r.get('allow')!r}, the document has {', '.join(sorted(allowed))}"
            return None
        status = str(r["status"])
        answer = ops[method.lower()]["responses"].get(status)
        if answer is None:
            return f"status {status} is not documented for {method} {template}"
        for name, header in answer.get("headers", {}).items():
            if header.get("required") and not r.get(name.lower().replace("-", "_")):
                return f"status {status} lacks its {name} header"
        content = answer.get("content")
        if not content:
            return None if r["body"] == "" else f"status {status} is documented without a body, got one"
        media = r["type"].split(";")[0].strip()
        if media not in content:
            return f"content type {media!r}, documented: {', '.join(content)}"
        if content[media].get("schema", {}).get("format") == "binary":
            return None  # bytes (an attachment's blob): nothing to validate but the status and the type
        if media == "text/event-stream":
            body = r["body"]  # a stream is text: its schema says which lines it may hold (server/api/live.py)
        else:
            try:
                body = json.loads(r["body"])
            except ValueError:
                return "body is not JSON"
        pointer = "/".join(
            ["/paths", _escape(template), method.lower(), "responses", status, "content", _escape(media), "schema"]
        )
        why = self.validate(pointer, body)
        return None if why is None else f"body does not match the schema: {why}"

    def _problem(self, r: dict[str, Any], status: int, context: str) -> str | None:
        if r["status"] != status:
            return f"{context}: answered {r['status']}, expected {status}"
        if r["method"].upper() == "HEAD" and r["body"] == "":
            return None
        if r["type"].split(";")[0].strip() != "application/problem+json":
            return f"{context}: {status} with content type {r['type']!r}"
        why = self.validate("/components/schemas/ProblemBody", json.loads(r["body"] or "null"))
        return None if why is None else f"{context}: problem body: {why}"


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def check_answers(document: dict[str, Any], records: Iterable[dict[str, Any]]) -> tuple[Counter[int], list[str]]:
    """How many answers of each status were checked, and one line for each distinct mismatch (with how often
    it was seen)."""
    checker = Checker(document)
    seen: Counter[int] = Counter()
    wrong: Counter[str] = Counter()
    for r in records:
        seen[r["status"]] += 1
        why = checker.check(r)
        if why is not None:
            wrong[f"{r['method']} {r['path']} -> {r['status']}: {why}"] += 1
    return seen, [f"{line} (x{n})" if n > 1 else line for line, n in sorted(wrong.items())]


def read_answers(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def served_document() -> dict[str, Any]:
    """/schema/openapi.json as the server publishes it."""
    from litestar.testing import TestClient

    from between.server.app import create_app
    from between.server.settings import Settings

    data_dir = tempfile.mkdtemp(prefix="between-openapi-")
    try:
        with TestClient(create_app(Settings.from_mapping({"data_dir": data_dir}))) as client:
            answer = client.get("/schema/openapi.json")
            answer.raise_for_status()
            return answer.json()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# ---------------------------------------------------------------- pytest hooks


def _xdist_worker(config: pytest.Config) -> bool:
    """A worker of `pytest -n N` (pytest-xdist): it runs tests, the controller that started it checks the answers."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    # A fresh file per session, also for a pytest run inside a test (it must not write into ours). The workers of
    # `pytest -n N` append to their controller's (they inherit its environment; appends never interleave), and only
    # the controller checks them, once every worker is done.
    if _xdist_worker(config):
        assert os.environ.get(ENV), "an xdist worker without its controller's answers file"
        return
    folder = Path(tempfile.mkdtemp(prefix="between-answers-"))
    os.environ[ENV] = str(folder / "answers.jsonl")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _xdist_worker(session.config):
        return
    path = Path(os.environ[ENV])
    records = read_answers(path)
    if not records:
        shutil.rmtree(path.parent, ignore_errors=True)
        return
    seen, wrong = check_answers(served_document(), records)
    session.config.stash[_RESULT] = (seen, wrong, path)
    if wrong:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        shutil.rmtree(path.parent, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    result = config.stash.get(_RESULT, None)
    if result is None:
        return
    seen, wrong, path = result
    total = sum(seen.values())
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(seen.items()))
    if not wrong:
        terminalreporter.write_line(f"OpenAPI: {total} API answers validated against /schema/openapi.json ({statuses})")
        return
    terminalreporter.section("API answers the OpenAPI document does not describe", red=True)
    for line in wrong[:100]:
        terminalreporter.write_line(line)
    if len(wrong) > 100:
        terminalreporter.write_line(f"... and {len(wrong) - 100} more")
    terminalreporter.write_line(
        f"OpenAPI: {len(wrong)} kinds of mismatch among {total} answers ({statuses}); all answers in {path}"
    )
