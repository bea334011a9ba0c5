"""The published OpenAPI document: Litestar's paths and operations, with bodies described by msgspec itself,
every problem answer an operation can give, and the bearer scheme where a session is needed."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from .api.context import current_caller
from .problems import BODIES, CODES, MEDIA_TYPE, TYPE_BASE, ProblemBody

REF = "#/components/schemas/{name}"
# msgspec reads and writes `bytes` as standard base64 with padding, nothing else.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
BEARER = "bearer"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Answers a status carries a header for: what the client needs to act on it.
_STATUS_HEADERS = {
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}

# Every /api/v1 answer, problems included, carries the server epoch (server/observe.py; PROTOCOL.md "Restores and the
# server epoch"): a client that sees it change knows the server was restored from a backup.
EPOCH_HEADER = {
    "Between-Epoch": {
        "description": "The server epoch: 32 lowercase hex digits, changed only by a restore from a backup",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    }
}


def config(version: str) -> OpenAPIConfig:
    # Only the JSON document: the stock viewers load unpinned scripts from CDNs onto the app's own
    # origin, where they could read IndexedDB or rewrite the service worker's cache.
    return OpenAPIConfig(
        title="Between sync API",
        version=version,
        path="/schema",
        render_plugins=[DocumentPlugin(path=["/", "/openapi.json"])],
    )


class DocumentPlugin(JsonRenderPlugin):
    """Serves `describe()`'s document in place of Litestar's own (built once per app)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rendered: bytes | None = None

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            self._rendered = self.render_json(request, describe(request.app, openapi_schema))
        return self._rendered


def operations(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    """(path as in the document, lower-case method, handler) of every operation in the schema."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.resolve_include_in_schema():
                    for method in handler.http_methods:
                        yield route.path_format or "/", method.lower(), handler


def needs_bearer(handler: HTTPRouteHandler) -> bool:
    """Whether the handler asks for the caller that current_caller() resolves from a bearer token."""
    params = handler.parsed_fn_signature.parameters
    return any(p.dependency is current_caller for name, p in handler.resolve_dependencies().items() if name in params)


def problem_codes(path: str, method: str, handler: HTTPRouteHandler) -> list[str]:
    """The problem codes the handler's own logic declares (opt["problems"]) and those that follow from its
    shape: a body, query or path parameters, a session, a method that may carry a body."""
    params = handler.parsed_fn_signature.parameters
    in_path = set(re.findall(r"{(\w+)}", path))
    plain = set(params) - {"request", "data"} - set(handler.resolve_dependencies())
    codes = list(handler.opt.get("problems", ()))
    if "data" in params:
        codes += ["invalid_body", "payload_too_large"]
    if plain - in_path:
        codes.append("invalid_body")  # a malformed or out-of-range query parameter
    if method.upper() in _BODY_METHODS:
        codes.append("unsupported_media_type")  # any body that is not JSON, before the handler runs
    if in_path:
        codes.append("not_found")  # a malformed id matches no resource
    if needs_bearer(handler):
        codes.append("unauthorized")
    codes.append("internal")
    return list(dict.fromkeys(codes))


def problem_responses(codes: list[str]) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(CODES[code][0], []).append(code)
    responses = {}
    for status, group in sorted(by_status.items()):
        bodies = list(dict.fromkeys(BODIES.get(c, ProblemBody).__name__ for c in group))
        body: dict[str, Any] = (
            {"$ref": REF.format(name=bodies[0])}
            if len(bodies) == 1
            else {"anyOf": [{"$ref": REF.format(name=name)} for name in bodies]}
        )
        answer: dict[str, Any] = {
            "description": "; ".join(f"`{c}`: {CODES[c][1]}" for c in group),
            "content": {
                MEDIA_TYPE: {
                    "schema": {
                        "allOf": [
                            body,
                            {
                                "properties": {
                                    "status": {"const": status},
                                    "code": {"enum": group},
                                    "type": {"enum": [TYPE_BASE + c for c in group]},
                                }
                            },
                        ]
                    }
                }
            },
        }
        if status in _STATUS_HEADERS:
            answer["headers"] = copy.deepcopy(_STATUS_HEADERS[status])
        responses[str(status)] = answer
    return responses


def describe(app: Litestar, generated: dict[str, Any]) -> dict[str, Any]:
    """Litestar's document with every body described by msgspec (base64 bytes with their lengths in
    characters, closed request objects), the problem answers and the bearer requirement of each operation."""
    doc = copy.deepcopy(generated)
    ops = [(path, method, h) for path, method, h in operations(app) if method in doc["paths"].get(path, {})]
    signatures = {id(h): h.parsed_fn_signature for _, _, h in ops}
    requests = {key: sig.parameters["data"].annotation for key, sig in signatures.items() if "data" in sig.parameters}
    # A handler that builds its own Response (headers, a 304) names the type of its body in opt["answer"].
    answer_types = {id(h): h.opt.get("answer", signatures[id(h)].return_type.annotation) for _, _, h in ops}
    answers = {key: kind for key, kind in answer_types.items() if _describable(kind)}
    request_schemas, answer_schemas, components = wire_schemas(
        list(requests.values()), [*answers.values(), ProblemBody, *BODIES.values()]
    )
    request_by_handler = dict(zip(requests, request_schemas, strict=True))
    answer_by_handler = dict(zip(answers, answer_schemas, strict=False))  # the last schemas are the problems'

    for path, method, handler in ops:
        op = doc["paths"][path][method]
        if id(handler) in request_by_handler:
            for media in op["requestBody"]["content"].values():
                media["schema"] = request_by_handler[id(handler)]
        success = op["responses"].get(str(handler.status_code))
        if id(handler) in answer_by_handler and success and "content" in success:
            for media in success["content"].values():
                media["schema"] = answer_by_handler[id(handler)]
        stream = handler.opt.get("stream")
        if stream and success:
            # A stream's body is not JSON: the handler says what its text is (server/api/live.py STREAM).
            success["description"] = stream["description"]
            success["content"] = {handler.media_type: {"schema": copy.deepcopy(stream["schema"])}}
        # More successes with the same body (opt["also"]: status -> description), answers Litestar cannot describe
        # (opt["responses"]: bytes), and a body that is not JSON (opt["body"]).
        for status, description in handler.opt.get("also", {}).items():
            if success:
                op["responses"][status] = {**copy.deepcopy(success), "description": description}
        if "responses" in handler.opt:
            op["responses"] = copy.deepcopy(handler.opt["responses"])
        if "body" in handler.opt:
            op["requestBody"] = copy.deepcopy(handler.opt["body"])
        op["responses"] = {s: r for s, r in op["responses"].items() if int(s) < 400}
        op["responses"].update(problem_responses(problem_codes(path, method, handler)))
        if needs_bearer(handler):
            op["security"] = [{BEARER: []}]
        for answer in op["responses"].values():
            answer.setdefault("headers", {}).update(copy.deepcopy(EPOCH_HEADER))

    comps = doc.setdefault("components", {})
    comps["schemas"] = _reachable({**comps.get("schemas", {}), **components}, doc)
    comps["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "The `token` of a Session (POST /accounts, /auth/login, /auth/refresh): "
            "`Authorization: Bearer <token>`",
        }
    }
    return doc


def wire_schemas(
    requests: list[Any], answers: list[Any]
) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...], dict[str, Any]]:
    """msgspec's own JSON Schema of the request and answer types, and their components. Requests stay as
    msgspec says (a Struct that forbids unknown fields is closed: the server refuses them); answers are open,
    since within v1 an answer may gain fields. A type used both ways is two components: `<Name>` for
    answers, `<Name>Request` for requests."""
    req_tops, req_comps = msgspec.json.schema_components(requests, ref_template=REF)
    ans_tops, ans_comps = msgspec.json.schema_components(answers, ref_template=REF)
    for schema in [*ans_tops, *ans_comps.values()]:
        _walk(schema, _open)
    renamed = {name: name + "Request" for name, s in req_comps.items() if name in ans_comps and ans_comps[name] != s}
    clash = set(renamed.values()) & (set(req_comps) | set(ans_comps))
    if clash:
        raise RuntimeError(f"OpenAPI component names clash: {sorted(clash)}")
    for schema in [*req_tops, *req_comps.values()]:
        _walk(schema, lambda node: _rename(node, renamed))
    components = {**ans_comps, **{renamed.get(name, name): s for name, s in req_comps.items()}}
    for schema in [*req_tops, *ans_tops, *components.values()]:
        _walk(schema, _base64)
    return req_tops, ans_tops, components


def _describable(annotation: Any) -> bool:
    """A body msgspec encodes (not None: no body; not a Litestar Response, whose body Litestar describes)."""
    if annotation is type(None):
        return False
    try:
        msgspec.json.schema(annotation)
    except (TypeError, ValueError):
        return False
    return True


def _walk(node: Any, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _open(node: dict) -> None:
    if node.get("type") == "object" and node.get("additionalProperties") is False:
        del node["additionalProperties"]


def _rename(node: dict, renamed: dict[str, str]) -> None:
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in renamed:
            node["$ref"] = REF.format(name=renamed[name])


def _base64(node: dict) -> None:
    # contentEncoding is only an annotation to validators; the pattern is what they check.
    if node.get("contentEncoding") == "base64":
        node["pattern"] = BASE64_PATTERN


def _reachable(schemas: dict[str, dict], doc: dict[str, Any]) -> dict[str, dict]:
    """The components the paths refer to, directly or through other components; the rest is Litestar's
    description of types that msgspec's replaced."""
    seen: set[str] = set()
    refs: list[str] = []  # met in the node being walked
    todo = [doc["paths"]]
    while todo:
        _walk(todo.pop(), lambda node: refs.append(node["$ref"]) if isinstance(node.get("$ref"), str) else None)
        for ref in refs:
            name = ref.rsplit("/", 1)[-1]
            if ref.startswith("#/components/schemas/") and name not in seen and name in schemas:
                seen.add(name)
                todo.append(schemas[name])
        refs.clear()
    return {name: schemas[name] for name in sorted(seen)}
