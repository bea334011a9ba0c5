"""RFC 9457 problem bodies: the one mapping from domain and framework errors to HTTP answers."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from between.sync.core.errors import BetweenError, CryptoError, DowngradeError, ProtocolError

from .store import BadCursor, BlobQuotaFull, Conflict, QuotaFull, StoreError

log = logging.getLogger("between.problems")
# Litestar's detail when the client disconnects while the request body is read (litestar/connection/request.py)
HUNG_UP = "client disconnected prematurely"
TYPE_BASE = "https://between.invalid/problems/"
MEDIA_TYPE = "application/problem+json"

# stable code -> (status, title)
CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Bad request"),
    "invalid_body": (400, "The request body does not match the expected type"),
    "bad_cursor": (400, "The cursor is beyond the server's last change"),
    "protocol": (400, "Malformed protocol bytes"),
    "crypto": (400, "A signature or key failed to verify"),
    "kdf_below_floor": (400, "Key derivation parameters are below the floor"),
    "push_endpoint_refused": (400, "This push endpoint is not one the server sends to"),
    "unauthorized": (401, "Missing, expired or revoked session"),
    "invalid_credentials": (401, "Invalid credentials"),
    "origin_not_configured": (421, "This server answers sign-in only at its configured public origin"),
    "forbidden": (403, "Not allowed"),
    "registration_closed": (403, "Registration needs a valid invite code"),
    "not_found": (404, "Not found"),
    "invite_not_found": (404, "Invite not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "handle_taken": (409, "Handle is taken"),
    "user_exists": (409, "User id already exists"),
    "device_exists": (409, "Device id already exists"),
    "already_linked": (409, "Already linked"),
    "own_invite": (409, "A therapist cannot accept their own invite"),
    "no_subscription": (409, "This device has no push subscription: register one first"),
    "payload_too_large": (413, "Request body too large"),
    "blob_exists": (409, "This blob id is taken"),
    "upload_offset": (409, "The upload is not at this offset"),
    "upload_incomplete": (409, "The blob is not completely uploaded yet"),
    "quota_exceeded": (413, "The account's storage quota is full"),
    "range_not_satisfiable": (416, "The range is outside the blob"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "rate_limited": (429, "Too many requests"),
    "internal": (500, "Internal error"),
    "unavailable": (503, "Storage unavailable"),
}


def answers(*codes: str) -> dict[str, tuple[str, ...]]:
    """A handler's `opt`: the problem codes its own logic can answer with, for the OpenAPI document (the codes
    that follow from a handler's shape, e.g. `invalid_body` for a body, are added there)."""
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise KeyError(f"unknown problem codes {unknown}")
    return {"problems": codes}


PROBLEM_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


class Problem(Exception):
    """Raised by handlers to answer with a problem body; `detail` must never hold secrets."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail or CODES.get(code, (400, code))[1]
        self.headers = headers or {}
        self.fields = fields or {}  # more members of the body, for the codes that carry them (BODIES)


class ProblemBody(msgspec.Struct, frozen=True, kw_only=True):
    type: str
    title: str
    status: int
    detail: str
    code: str


class OffsetProblemBody(ProblemBody, frozen=True, kw_only=True):
    """409 `upload_offset`: the problem and where the upload stands (wire.BlobState's fields)."""

    id: UUID
    size: int
    received: int
    complete: bool
    digest: bytes | None = None


# Codes whose problem body carries more than ProblemBody (for the OpenAPI document).
BODIES: dict[str, type[ProblemBody]] = {"upload_offset": OffsetProblemBody}


def problem_response(
    code: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
    fields: dict[str, Any] | None = None,
) -> Response:
    default_status, title = CODES.get(code, (400, "Bad request"))
    status = status or default_status
    body = ProblemBody(type=TYPE_BASE + code, title=title, status=status, detail=detail or title, code=code)
    content = msgspec.json.encode({**msgspec.structs.asdict(body), **fields} if fields else body)
    # Raised errors skip the app's after_request hook: the headers every API answer carries are set here too.
    return Response(
        content=content,
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={**PROBLEM_HEADERS, **(headers or {})},
    )


def _scrub(message: str) -> str:
    """msgspec messages name paths and types; quoted values (a bad enum value) and unknown field names (a
    passphrase sent as a key) could be secrets."""
    return re.sub(r"`[^`]*`", "`…`", re.sub(r"'[^']*'", "'…'", message))[:300]


def _http_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
        503: "unavailable",
    }.get(status, "bad_request" if status < 500 else "internal")


def on_problem(_: Request, exc: Problem) -> Response:
    return problem_response(exc.code, exc.detail, exc.headers, fields=exc.fields)


def on_http(_: Request, exc: HTTPException) -> Response:
    if isinstance(exc, ValidationException):
        messages = []
        for entry in exc.extra if isinstance(exc.extra, list) else []:
            if isinstance(entry, dict) and entry.get("message"):
                where = entry.get("key")
                messages.append(f"{where}: {entry['message']}" if where else str(entry["message"]))
        return problem_response("invalid_body", _scrub("; ".join(messages)) or None)
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    code = _http_code(status)
    if status == 500 and exc.detail == HUNG_UP:
        # The client went away halfway through its body: nothing is wrong with the server, and the answer below
        # reaches no one. Not an error line: 5xx alerts must not fire on a phone leaving a tunnel.
        log.info("client disconnected before its request body was complete")
        return problem_response("invalid_body", "the client disconnected before its body was complete")
    if status >= 500:
        log.error("http error %s", status)
        return problem_response(code, status=status)
    if status == 400 and (
        isinstance(exc.__cause__, msgspec.DecodeError)
        or any(w in str(exc.detail).lower() for w in ("json", "decod", "malformed", "truncated"))
    ):
        return problem_response("invalid_body", "malformed JSON")
    # What the exception says about the answer (Allow on a 405) stays with it.
    kept = {k: v for k, v in (exc.headers or {}).items() if k.lower() in ("allow", "retry-after")}
    return problem_response(code, status=status, headers=kept)


def on_domain(_: Request, exc: BetweenError) -> Response:
    if isinstance(exc, CryptoError):
        return problem_response("crypto")
    if isinstance(exc, DowngradeError):
        return problem_response("kdf_below_floor")
    code = exc.code if exc.code in CODES else "protocol"
    detail = exc.detail if isinstance(exc, ProtocolError) else None
    return problem_response(code, _scrub(detail) if detail else None)


def on_conflict(_: Request, exc: Conflict) -> Response:
    if isinstance(exc, BlobQuotaFull):
        return problem_response(
            "quota_exceeded",
            f"this blob has {exc.needed} bytes; the account's attachments take {exc.stored} of its {exc.quota}. "
            "Nothing was stored.",
        )
    if isinstance(exc, QuotaFull):
        return problem_response(
            "quota_exceeded",
            f"this push would store {exc.needed} bytes; the account stores {exc.stored} of its {exc.quota}. "
            "Nothing of the push was written.",
        )
    return problem_response(exc.code if exc.code in CODES else "bad_request")


def on_bad_cursor(_: Request, exc: BadCursor) -> Response:
    return problem_response("bad_cursor")


def on_store(_: Request, exc: StoreError) -> Response:
    return problem_response("unavailable", headers={"Retry-After": "5"})


def on_too_deep(_: Request, exc: RecursionError) -> Response:
    return problem_response("invalid_body", "JSON nested too deeply")


def on_internal(request: Request, exc: Exception) -> Response:
    # Type name and route only: an exception's text may quote request data.
    # The path is the caller's: quoted (repr) so a newline in it cannot start a forged log line.
    log.error("unhandled %s on %s %r", type(exc).__name__, request.method, request.url.path[:200])
    return problem_response("internal")


HANDLERS: ExceptionHandlersMap = {
    Problem: on_problem,
    HTTPException: on_http,
    BetweenError: on_domain,
    Conflict: on_conflict,
    BadCursor: on_bad_cursor,
    StoreError: on_store,
    RecursionError: on_too_deep,
    Exception: on_internal,
}
