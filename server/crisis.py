"""Crisis lines: the operator's file read once at start-up, and the public, cacheable document that serves it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from between.sync.core import wire

from .problems import answers
from .settings import SettingsError

NAME = "BETWEEN_CRISIS_LINES"
# Public and the same for everyone: browsers and proxies may keep it an hour, and revalidate it by its ETag.
CACHE_CONTROL = "public, max-age=3600"
MAX_FILE_BYTES = 256 * 1024


class CrisisDocument(msgspec.Struct, frozen=True):
    """The document as served: its bytes and their strong ETag, made once."""

    body: bytes
    etag: str


def load(path: str | None) -> CrisisDocument:
    """The operator's crisis lines (a JSON file in the shape of `wire.CrisisLines`), or the empty document when no
    file is configured. A file that cannot be read or does not fit refuses the start with a SettingsError naming
    the variable and what is wrong (never guessing: a wrong number shown to someone in crisis is worse than none)."""
    lines = wire.CrisisLines() if path is None else _read(Path(path))
    body = msgspec.json.encode(lines)
    return CrisisDocument(body=body, etag='"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')


def _read(path: Path) -> wire.CrisisLines:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{NAME}: cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SettingsError(f"{NAME}: {path} is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return msgspec.json.decode(raw, type=wire.CrisisLines)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"{NAME}: {path} is not a valid crisis-lines file: {_why(str(exc))}") from None
    except msgspec.DecodeError as exc:
        raise SettingsError(f"{NAME}: {path} is not JSON: {exc}") from None


def _why(message: str) -> str:
    """msgspec's message in an operator's words: which field, and what it should be (not the pattern's regex)."""
    problem, _, where = message.partition(" - at ")
    where = where.strip("`") or "the file"
    if "matching regex" in problem:
        field = where.rsplit(".", 1)[-1]
        problem = {
            "phone": "is not a phone number (digits, spaces, brackets and dashes, an optional leading +)",
            "sms": "is not a phone number (digits, spaces, brackets and dashes, an optional leading +)",
            "emergency": "is not a phone number (digits, spaces, brackets and dashes, an optional leading +)",
            "reviewed": "is not a date written YYYY-MM-DD",
            "source": "is not an http(s) address",
            "url": "is not an http(s) address",
        }.get(field, "does not have the expected form (one line of text)")
    return f"{where}: {problem}"


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


@get(
    "/crisis-lines",
    tags=["crisis"],
    opt={**answers(), "answer": wire.CrisisLines},
    responses={
        304: ResponseSpec(data_container=None, description="Not modified: the copy named by If-None-Match is current")
    },
)
async def crisis_lines(request: Request) -> Response[bytes]:
    """The crisis lines the operator configured for their region (PROTOCOL.md §17): no session, the same for
    everyone, cacheable. 304 when `If-None-Match` names the current ETag."""
    doc: CrisisDocument = request.app.state.crisis
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": doc.etag}
    if _matches(request.headers.get("if-none-match", ""), doc.etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=doc.body, status_code=200, headers=headers, media_type="application/json")
