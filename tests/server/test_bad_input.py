"""Bad input on every endpoint: always a 4xx problem body, never a 5xx, and the database unchanged."""

from __future__ import annotations

import copy
import uuid

import builders as b
import pytest
from harness import dump

MAX_BODY = 64 * 1024
SECRET = "Hunter2 correct horse!"  # not a valid handle, role or action


def _fixture_bodies(api, alice, therapist):
    """A valid body for every endpoint that takes one (valid in shape; the state may refuse it)."""
    rec = b.Rec(alice)
    ch = api.challenge("alice")
    fresh = b.new_account("newbie")
    return {
        "/accounts": b.j(b.signup(fresh)),
        "/auth/prelogin": {"handle": "alice"},
        "/auth/login": b.j(b.login(alice, ch)),
        "/auth/device-challenge": {"device_id": str(alice.device_id)},
        "/auth/refresh": b.j(b.refresh(alice, ch)),
        "/account/delete": b.j(b.delete_account(alice, ch)),
        "/sync/push": b.push_body([rec.item(grant_to=[therapist])]),
        "/invites/preview": {"token": "a" * 43},
        "/invites/accept": {"token": "a" * 43, "proof": "A" * 43 + "="},
    }


def _wrong_type(value):
    return "not-a-list" if isinstance(value, list) else [[1]]


def _variants(body: dict) -> list[tuple[str, bytes | dict | list | None]]:
    out: list[tuple[str, bytes | dict | list | None]] = [
        ("malformed", b'{"handle": '),
        ("not an object", [1, 2, 3]),
        ("null", None),
        ("empty", b""),
        ("unknown field", {**body, "zzz_unknown": 1}),
    ]
    for key, value in body.items():
        out.append((f"wrong type {key}", {**body, key: _wrong_type(value)}))
        missing = dict(body)
        del missing[key]
        if key not in ("invite_code", "atomic"):
            out.append((f"missing {key}", missing))
    return out


_BYTES_FIELDS = {
    "/accounts": [("login_pub",), ("bundle", "signature"), ("kdf", "salt")],
    "/auth/login": [("signature",), ("challenge_id",), ("device", "sig_pub")],
    "/auth/refresh": [("signature",), ("challenge_id",)],
    "/account/delete": [("signature",)],
    "/sync/push": [("items", 0, "revision", "header"), ("items", 0, "dek_wrap"), ("items", 0, "grants", 0, "body")],
}
_UUID_FIELDS = {
    "/accounts": [("user_id",), ("device", "device_id")],
    "/auth/login": [("device", "device_id")],
    "/auth/device-challenge": [("device_id",)],
    "/auth/refresh": [("device_id",)],
    "/sync/push": [("items", 0, "record_id"), ("items", 0, "revoke")],
}
_NESTED_OBJECTS = {  # requests stay strict at every depth (answers are what clients read leniently)
    "/accounts": [("bundle",), ("kdf",), ("device",)],
    "/auth/login": [("device",)],
    "/sync/push": [("items", 0), ("items", 0, "revision"), ("items", 0, "grants", 0)],
}
_SECRET_FIELDS = {  # a secret typed into the wrong field must not come back in the problem body
    "/accounts": [("bundle", "role"), ("handle",)],
    "/auth/login": [("action",)],
    "/auth/prelogin": [("handle",)],
}


def _set(body, path, value):
    body = copy.deepcopy(body)
    target = body
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    return body


def _check(r, label):
    assert 400 <= r.status_code < 500, (label, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json"), label
    problem = r.json()
    assert problem["status"] == r.status_code and problem["code"] and problem["type"].endswith(problem["code"])
    return problem


@pytest.fixture
def world(api_factory):
    api = api_factory(max_request_bytes=MAX_BODY)
    alice = api.register("alice")
    therapist = api.register("dr-tran", "therapist")
    api.link(therapist, alice)
    b.Rec(alice)
    rec = b.Rec(alice)
    api.push(alice, [rec.item(grant_to=[therapist])])
    return api, alice, therapist, rec


def test_every_body_endpoint_refuses_bad_input_without_writing(world):
    api, alice, therapist, _ = world
    bodies = _fixture_bodies(api, alice, therapist)
    before = dump(api.db)
    tried = 0
    for path, body in bodies.items():
        cases = _variants(body)
        cases += [(f"bad base64 {p}", _set(body, p, "!!not*base64!!")) for p in _BYTES_FIELDS.get(path, [])]
        cases += [(f"short bytes {p}", _set(body, p, "AAAA")) for p in _BYTES_FIELDS.get(path, [])]
        cases += [
            (f"bad uuid {p}", _set(body, p, "not-a-uuid" if p[-1] != "revoke" else ["nope"]))
            for p in _UUID_FIELDS.get(path, [])
        ]
        cases += [(f"secret {p}", _set(body, p, SECRET)) for p in _SECRET_FIELDS.get(path, [])]
        cases += [
            (f"unknown field in {p}", _set(body, (*p, "zz_added_later"), 1)) for p in _NESTED_OBJECTS.get(path, [])
        ]
        cases.append(("oversized", b'{"x": "' + b"a" * MAX_BODY + b'"}'))
        for label, payload in cases:
            headers = {**alice.auth(), "content-type": "application/json"}
            if isinstance(payload, bytes):
                r = api.c.post("/api/v1" + path, content=payload, headers=headers)
            else:
                r = api.c.post("/api/v1" + path, json=payload, headers=headers)
            if path == "/sync/push" and r.status_code == 200:
                # well-formed JSON with bytes the protocol refuses: a per-item verdict, nothing stored
                assert [x["status"] for x in r.json()["results"]] == ["invalid"], label
                tried += 1
                continue
            problem = _check(r, (path, label))
            assert SECRET not in r.text, (path, label)
            if label == "oversized":
                assert r.status_code == 413 and problem["code"] == "payload_too_large"
            if label.startswith("unknown field"):
                assert r.status_code == 400 and problem["code"] == "invalid_body", (path, label)
            tried += 1
    assert tried > 100
    after = dump(api.db)
    after["challenges"] = before["challenges"]  # the fixture bodies' own prelogin made one; bad input made none
    assert after == before


def test_every_path_and_query_parameter_is_checked(world):
    api, alice, _, rec = world
    before = dump(api.db)
    bad = ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%00", "..%2F..%2Fetc"]
    for template, method in (
        ("/devices/{}", "delete"),
        ("/invites/{}", "delete"),
        ("/links/{}", "delete"),
        ("/bundles/{}", "get"),
        ("/records/{}/history", "get"),
    ):
        for value in bad:
            r = getattr(api.c, method)("/api/v1" + template.format(value), headers=alice.auth())
            _check(r, (template, value))
    queries = [
        "after=-1",
        "after=abc",
        "limit=0",
        "limit=1001",
        "limit=1.5",
        "limit=",
        "after=99999999999999999999999",
        "after=100000",
    ]
    for q in queries:
        _check(api.c.get(f"/api/v1/sync/pull?{q}", headers=alice.auth()), q)
    assert api.c.get("/api/v1/sync/pull?after=100000", headers=alice.auth()).json()["code"] == "bad_cursor"
    for q in ["before=0", "before=abc", "limit=0", "limit=5000"]:
        _check(api.c.get(f"/api/v1/records/{rec.record_id}/history?{q}", headers=alice.auth()), q)
    assert dump(api.db) == before


def test_every_bearer_endpoint_needs_a_valid_session(world):
    api, alice, _, rec = world
    some = uuid.uuid4()
    endpoints = [
        ("get", "/account"),
        ("post", "/account/delete"),
        ("get", "/devices"),
        ("delete", f"/devices/{some}"),
        ("get", "/sync/pull"),
        ("post", "/sync/push"),
        ("get", f"/records/{rec.record_id}/history"),
        ("get", f"/bundles/{alice.uuid}"),
        ("post", "/invites"),
        ("get", "/invites"),
        ("delete", f"/invites/{some}"),
        ("post", "/invites/preview"),
        ("post", "/invites/accept"),
        ("get", "/links"),
        ("delete", f"/links/{some}"),
        ("post", "/auth/logout"),
    ]
    before = dump(api.db)
    for auth in (
        {},
        {"Authorization": "Bearer " + b.new_token_like()},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ):
        for method, path in endpoints:
            r = getattr(api.c, method)("/api/v1" + path, headers=auth)
            assert r.status_code == 401, (method, path, auth, r.text)
            _check(r, path)
    assert dump(api.db) == before


def test_unknown_routes_and_methods(world):
    api, alice, _, _ = world
    assert _check(api.c.get("/api/v1/nope"), "nope")["code"] == "not_found"
    assert _check(api.c.put("/api/v1/sync/push", headers=alice.auth()), "put")["status"] in (404, 405)
    assert _check(api.c.get("/api/v2/health"), "v2")["code"] == "not_found"


def test_wrong_content_type_is_a_client_error(world):
    api, _alice, _, _ = world
    r = api.c.post(
        "/api/v1/auth/prelogin", content=b"handle=alice", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    _check(r, "form")


def test_handles_with_a_trailing_newline_and_oversized_grant_parts_are_refused_by_the_wire_types():
    import msgspec

    from between.sync.core import wire

    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'"dr-lee\\n"', type=wire.Handle)
    grant = {"body": "AA==", "sealed": "AA==", "signature": "AA=="}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode(grant), type=wire.GrantUpload)


def test_api_bodies_must_be_declared_json(world):
    """A cross-site form can post text/plain without a preflight; the API must not read it as JSON."""
    api, _, _, _ = world
    before = dump(api.db)
    r = api.c.post("/api/v1/auth/prelogin", content=b'{"handle":"alice"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"
    r = api.c.post(
        "/api/v1/auth/prelogin",
        content=b'{"handle":"alice"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200
    assert dump(api.db)["users"] == before["users"]


def test_schema_serves_the_document_only(world):
    api, _, _, _ = world
    assert api.c.get("/schema/openapi.json").status_code == 200
    assert api.c.get("/schema/swagger").status_code == 404
    assert b"<script" not in api.c.get("/schema").content


@pytest.mark.parametrize("payload", [b"[" * 1000, b'{"handle":' + b"[" * 1000, b"{", b'{"handle": "al'])
def test_deep_or_truncated_json_is_an_invalid_body_not_a_server_error(world, payload):
    api, _, _, _ = world
    r = api.c.post("/api/v1/auth/prelogin", content=payload, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_body"


def test_refusals_carry_the_headers_of_every_api_answer(world):
    """Raised problems skip after_request: they must still be no-store, nosniff and no-referrer."""
    api, alice, _, _ = world
    answers = {
        "invalid body": api.c.post(
            "/api/v1/auth/prelogin", content=b'{"handle": ', headers={"content-type": "application/json"}
        ),
        "no session": api.c.get("/api/v1/sync/pull"),
        "media type": api.c.post("/api/v1/auth/prelogin", content=b"x", headers={"content-type": "text/plain"}),
        "unknown route": api.c.get("/api/v1/nope"),
        "wrong method": api.c.put("/api/v1/sync/push", headers=alice.auth()),
    }
    for name, r in answers.items():
        assert 400 <= r.status_code < 500, name
        assert r.headers["cache-control"] == "no-store", name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "no-referrer", name


def test_a_wrong_method_says_which_are_allowed_and_unknown_keys_are_not_echoed(world):
    api, alice, _, _ = world
    r = api.c.put("/api/v1/sync/push", headers=alice.auth())
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    secret_key = "correct horse battery staple 1984"
    r = api.c.post("/api/v1/auth/prelogin", json={"handle": "alice", secret_key: 1})
    assert r.status_code == 400 and secret_key not in r.text


@pytest.mark.parametrize("name", ["phone\u202egnp.exe", "line\nbreak", "nul\x00", "\u2066isolate"])
def test_device_names_with_controls_or_direction_overrides_are_refused(world, name):
    """A device name is shown on every device list: it may not reorder or break the text around it."""
    api, _, _, _ = world
    before = dump(api.db)
    body = b.j(b.signup(b.new_account("newbie")))
    body["device"]["name"] = name
    r = api.post("/accounts", body)
    assert r.status_code == 400 and r.json()["code"] == "invalid_body"
    assert dump(api.db) == before
