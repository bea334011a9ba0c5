"""The published OpenAPI document (server/openapi.py) tells the truth about the wire, and the session's check of
every API answer against it (tests/openapi_answers.py) reports an answer it does not describe."""

from __future__ import annotations

import base64
import math
import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import msgspec
import pytest
from jsonschema import Draft202012Validator

from between.server.problems import BODIES, MEDIA_TYPE, ProblemBody
from between.sync.core import wire
from tests import contract
from tests.openapi_answers import Checker, check_answers

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
# PROTOCOL.md §17, endpoint table: everything else needs `Authorization: Bearer <token>`.
NO_SESSION = {
    ("get", "/health"),
    ("get", "/health/ready"),
    ("get", "/crisis-lines"),
    ("post", "/accounts"),
    ("post", "/auth/prelogin"),
    ("post", "/auth/login"),
    ("post", "/auth/device-challenge"),
    ("post", "/auth/refresh"),
}


@pytest.fixture
def doc(api) -> dict:
    answer = api.c.get("/schema/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _ops(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _component(doc: dict, ref: str) -> dict:
    assert ref.startswith("#/components/schemas/"), ref
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _objects(doc: dict, schema: dict, seen: set[str] | None = None):
    """Every object schema reachable from `schema`, following references."""
    seen = set() if seen is None else seen
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            stack.append(_component(doc, ref))
        if node.get("type") == "object":
            yield node
        stack.extend(v for k, v in node.items() if k != "$ref")


def _wire_structs() -> dict[str, type[msgspec.Struct]]:
    found = {
        v.__name__: v
        for v in vars(wire).values()
        if isinstance(v, type) and issubclass(v, msgspec.Struct) and v.__module__ == wire.__name__
    }
    return {**found, ProblemBody.__name__: ProblemBody, **{body.__name__: body for body in BODIES.values()}}


def _bytes_fields(struct: type[msgspec.Struct]):
    for field in msgspec.inspect.type_info(struct).fields:
        kinds = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        for kind in kinds:
            if isinstance(kind, msgspec.inspect.BytesType):
                yield field.encode_name, kind


def _chars(n: int) -> int:
    return 4 * math.ceil(n / 3)


# ---------------------------------------------------------------- what the document says


def test_bytes_are_standard_base64_with_their_lengths_in_characters(doc):
    structs = _wire_structs()
    checked = 0
    for name, schema in doc["components"]["schemas"].items():
        struct = structs[schema["title"]]
        for field, kind in _bytes_fields(struct):
            prop = schema["properties"][field]
            prop = next((s for s in prop.get("anyOf", [prop]) if s.get("type") == "string"), prop)
            assert prop["contentEncoding"] == "base64", (name, field)
            if kind.min_length is not None:
                assert prop["minLength"] == _chars(kind.min_length), (name, field)
            if kind.max_length is not None:
                assert prop["maxLength"] == _chars(kind.max_length), (name, field)
            n = kind.min_length if kind.min_length is not None else 1
            assert Draft202012Validator(prop).is_valid(base64.b64encode((b"\xfb\xff" * n)[:n]).decode()), (name, field)
            checked += 1
    assert checked >= 31  # every bytes field of the wire types that the API carries
    assert "utf-8" not in str(doc)
    salt = doc["components"]["schemas"]["KdfParams"]["properties"]["salt"]
    assert (salt["minLength"], salt["maxLength"]) == (24, 24)  # 16 bytes
    signature = doc["components"]["schemas"]["KeyBundle"]["properties"]["signature"]
    assert (signature["minLength"], signature["maxLength"]) == (88, 88)  # 64 bytes
    check = Draft202012Validator(salt)
    raw = bytes(range(250, 256)) + bytes(10)  # a value whose base64 needs '+' and '/'
    assert check.is_valid(base64.b64encode(raw).decode())
    assert not check.is_valid(base64.urlsafe_b64encode(raw).decode())  # '-' and '_' are not the wire's
    ct = Draft202012Validator(doc["components"]["schemas"]["Revision"]["properties"]["ct"])  # any length
    assert ct.is_valid("AAA=") and ct.is_valid("") and not ct.is_valid("AAA") and not ct.is_valid("AA=A")
    assert not check.is_valid(raw.hex())


def test_the_browser_decodes_every_bytes_field_of_the_document(doc):
    """web/js/data/api.js decodes an answer's bytes by field name, from the names tests/contract.py generates
    (web/js/core/wire-contract.js): they are exactly the document's base64 properties, and none of them is ever text."""
    encoded: dict[str, set[bool]] = {}
    for schema in doc["components"]["schemas"].values():
        for obj in _objects(doc, schema):
            for field, prop in obj.get("properties", {}).items():
                options = prop.get("anyOf", [prop])
                encoded.setdefault(field, set()).add(any(o.get("contentEncoding") == "base64" for o in options))
    assert {f for f, kinds in encoded.items() if True in kinds} == set(contract.bytes_fields(contract.wire_types()))
    assert not [f for f, kinds in encoded.items() if kinds == {True, False}]


def test_every_operation_lists_its_problem_answers(doc):
    problem = doc["components"]["schemas"]["ProblemBody"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    for path, method, op in _ops(doc):
        problems = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
        assert 500 in problems, (method, path)
        for status, answer in problems.items():
            assert list(answer["content"]) == [MEDIA_TYPE], (method, path, status)
            schema = answer["content"][MEDIA_TYPE]["schema"]
            # ProblemBody, or (for the codes of problems.BODIES) a body holding every member of it and more
            body = schema["allOf"][0]["$ref"].rsplit("/", 1)[-1]
            assert body == "ProblemBody" or body in {b.__name__ for b in BODIES.values()}, (method, path, status)
            extended = doc["components"]["schemas"][body]
            assert set(problem["required"]) <= set(extended["required"])
            assert all(extended["properties"][k] == v for k, v in problem["properties"].items())
            assert schema["allOf"][1]["properties"]["status"] == {"const": status}
        if "requestBody" in op:
            assert {400, 413, 415} <= set(problems), (method, path)
        if method in ("post", "delete"):
            assert 415 in problems, (method, path)
        if op.get("security"):
            assert 401 in problems, (method, path)
    codes = {(m, p[len(API) :]): {int(s) for s in op["responses"] if int(s) >= 400} for p, m, op in _ops(doc)}
    # what PROTOCOL.md §17 says each of these can answer
    assert {403, 409, 429, 503} <= codes[("post", "/accounts")]
    assert {401, 409, 421, 429} <= codes[("post", "/auth/login")]
    assert {401, 421, 429} <= codes[("post", "/auth/refresh")]
    assert {403, 404, 409} <= codes[("post", "/invites/accept")]
    assert {403} <= codes[("post", "/invites")]
    assert {400, 401} <= codes[("get", "/sync/pull")]
    assert {404} <= codes[("get", "/records/{record_id}/history")]
    assert {404} <= codes[("get", "/bundles/{user_id}")]
    assert 429 in codes[("post", "/auth/prelogin")]
    retry = doc["paths"][API + "/auth/prelogin"]["post"]["responses"]["429"]["headers"]["Retry-After"]
    assert retry["required"] is True
    # every answer, problems included, carries the server epoch (PROTOCOL.md "Restores and the server epoch")
    for path, method, op in _ops(doc):
        for status, answer in op["responses"].items():
            epoch = answer["headers"]["Between-Epoch"]
            assert epoch["required"] is True and epoch["schema"]["pattern"] == "^[0-9a-f]{32}$", (method, path, status)


def test_bearer_scheme_applies_to_the_operations_that_need_a_session(api, doc):
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, op in _ops(doc):
        public = (method, path[len(API) :]) in NO_SESSION
        assert op.get("security") == (None if public else [{"bearer": []}]), (method, path)
        # and the server agrees: without a token, exactly these answer 401
        url = re.sub(r"{\w+}", str(uuid.uuid4()), path)
        answer = api.c.request(method.upper(), url, json={} if "requestBody" in op else None)
        assert (answer.status_code == 401) == (not public), (method, path, answer.status_code)


def test_request_bodies_are_closed_and_answers_open(doc):
    requests = answers = 0
    for path, method, op in _ops(doc):
        if "requestBody" in op:
            for media, content in op["requestBody"]["content"].items():
                if media != "application/json":
                    assert content["schema"] == {"type": "string", "format": "binary"}  # an attachment's bytes
                    continue
                for obj in _objects(doc, content["schema"]):
                    assert obj.get("additionalProperties") is False, (method, path, obj.get("title"))
                    requests += 1
        for status, answer in op["responses"].items():
            for media in answer.get("content", {}).values():
                for obj in _objects(doc, media["schema"]):
                    assert obj.get("additionalProperties") is not False, (method, path, status, obj.get("title"))
                    answers += 1
    assert requests >= 9 and answers >= 20
    # a type used both ways is described twice: closed for requests, open for answers
    assert doc["components"]["schemas"]["KeyBundleRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in doc["components"]["schemas"]["KeyBundle"]


def test_the_document_is_valid_json_schema_and_every_reference_resolves(doc):
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for _path, _method, op in _ops(doc):
        for _ in _objects(doc, op):  # raises KeyError on a reference to a missing component
            pass


def test_options_lists_every_method_of_each_path(api, doc):
    for path, item in doc["paths"].items():
        url = re.sub(r"{\w+}", str(uuid.uuid4()), path)
        expected = {m.upper() for m in item} | {"OPTIONS"}
        options = api.c.options(url)
        assert options.status_code == 204, path
        assert set(options.headers["allow"].split(", ")) == expected, path
        other = next(m for m in ("PATCH", "PUT", "DELETE") if m.lower() not in item)  # one the path does not have
        refused = api.c.request(other, url)
        assert refused.status_code == 405, path
        assert set(refused.headers["allow"].split(", ")) == expected, path
    assert api.c.options(API + "/invites").headers["allow"] == "GET, OPTIONS, POST"


def test_schema_paths_serve_the_same_document(api, doc):
    assert api.c.get("/schema").json() == doc
    assert doc["openapi"].startswith("3.1")


# ---------------------------------------------------------------- the check of every answer can fail


def _answer(method: str, path: str, status: int, body: object, content_type: str = "application/json", **extra):
    return {
        "method": method,
        "path": API + path,
        "status": status,
        "type": content_type,
        "body": body if isinstance(body, str) else msgspec.json.encode(body).decode(),
        "allow": None,
        "retry_after": None,
        "between_epoch": "0" * 32,
        **extra,
    }


def _problem(code: str, status: int) -> dict:
    return {
        "type": "https://between.invalid/problems/" + code,
        "title": "t",
        "status": status,
        "detail": "d",
        "code": code,
    }


def test_the_check_reports_every_kind_of_wrong_answer(doc):
    salt = base64.b64encode(bytes(16)).decode()
    challenge = {
        "kdf": {"alg": "argon2id", "memory_kib": 65536, "iterations": 3, "lanes": 1, "salt": salt},
        "challenge_id": salt,
        "challenge": base64.b64encode(bytes(32)).decode(),
        "expires_in": 60,
    }
    right = [
        _answer("POST", "/auth/prelogin", 200, challenge),
        _answer("POST", "/auth/prelogin", 429, _problem("rate_limited", 429), MEDIA_TYPE, retry_after="3"),
        _answer("DELETE", f"/invites/{uuid.uuid4()}", 204, ""),
        _answer("OPTIONS", "/invites", 204, "", allow="GET, OPTIONS, POST"),
        _answer("PUT", "/invites", 405, _problem("method_not_allowed", 405), MEDIA_TYPE, allow="OPTIONS, POST, GET"),
        _answer("GET", "/nowhere", 404, _problem("not_found", 404), MEDIA_TYPE),
        _answer("OPTIONS", "/devices/not-a-uuid", 404, _problem("not_found", 404), MEDIA_TYPE),
    ]
    assert Checker(doc).check(right[0]) is None
    seen, wrong = check_answers(doc, right)
    assert (sum(seen.values()), wrong) == (len(right), [])

    kdf = challenge["kdf"]
    cases = {
        "status 418 is not documented": _answer("POST", "/auth/prelogin", 418, challenge),
        "content type 'text/html'": _answer("POST", "/auth/prelogin", 200, challenge, "text/html"),
        "'challenge' is a required property": _answer(
            "POST", "/auth/prelogin", 200, {k: v for k, v in challenge.items() if k != "challenge"}
        ),
        "'extra' was unexpected": _answer("POST", "/auth/prelogin", 200, {**challenge, "extra": 1}),
        "kdf/salt": _answer(
            "POST",
            "/auth/prelogin",
            200,
            {**challenge, "kdf": {**kdf, "salt": base64.urlsafe_b64encode(b"\xfb\xff" * 8).decode()}},
        ),
        "challenge_id": _answer("POST", "/auth/prelogin", 200, {**challenge, "challenge_id": salt.rstrip("=")}),
        "lacks its Retry-After header": _answer(
            "POST", "/auth/prelogin", 429, _problem("rate_limited", 429), MEDIA_TYPE
        ),
        "lacks its Between-Epoch header": _answer("POST", "/auth/prelogin", 200, challenge, between_epoch=None),
        "own_invite' is not one of": _answer("POST", "/accounts", 409, _problem("own_invite", 409), MEDIA_TYPE),
        "Allow is 'OPTIONS, POST'": _answer("OPTIONS", "/invites", 204, "", allow="OPTIONS, POST"),
        "documented without a body": _answer("DELETE", f"/links/{uuid.uuid4()}", 204, "{}"),
        "PATCH is not documented for": _answer("PATCH", "/health", 200, {"status": "ok", "version": "1"}),
        "device_id 'not-a-uuid' is not a documented value": _answer("DELETE", "/devices/not-a-uuid", 204, ""),
    }
    for expected, record in cases.items():
        why = Checker(doc).check(record)
        assert why is not None and expected in why, (expected, why)
    seen, wrong = check_answers(doc, [*right, *cases.values()])
    assert len(wrong) == len(cases)


@pytest.mark.slow
def test_a_session_with_a_wrong_answer_fails_and_lists_it(tmp_path):
    """The whole chain: an answer recorded by the test-client wrapper, checked when the session ends."""
    (tmp_path / "test_answers.py").write_text(
        textwrap.dedent('''
        from litestar.testing import TestClient
        from between.server.app import create_app
        from between.server.settings import Settings
        from tests.openapi_answers import recorded

        async def wrong_health(scope, receive, send):
            """A stand-in server whose health answer lacks `version`."""
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"between-epoch", b"0" * 32)]})
            await send({"type": "http.response.body", "body": b'{"status": "fine"}'})

        def test_a_server_that_answers_wrong():
            assert TestClient(recorded(wrong_health)).get("/api/v1/health").status_code == 200

        def test_the_real_server(tmp_path):
            with TestClient(recorded(create_app(Settings.from_mapping({"data_dir": str(tmp_path)})))) as client:
                assert client.get("/api/v1/health").status_code == 200
    ''')
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "tests.openapi_answers",
                "-p",
                "no:cacheprovider",
                "-q",
                str(tmp_path / "test_answers.py"),
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ),
        )

    failed = run()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "2 passed" in failed.stdout
    assert "API answers the OpenAPI document does not describe" in failed.stdout
    assert "GET /api/v1/health -> 200: body does not match the schema" in failed.stdout
    assert "'version' is a required property" in failed.stdout

    passed = run("-k", "real_server")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "OpenAPI: 1 API answers validated against /schema/openapi.json (200: 1)" in passed.stdout
