"""Attachments' blobs (docs/PROTOCOL.md §17 "Attachments"): create, resume, upload in pieces, ranged download.

The upload's body is the one API body that is not JSON (`application/offset+octet-stream`, app.py lets it through
for this route only); it is read as it streams, never past BETWEEN_MAX_REQUEST_BYTES nor past the blob's size."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from between.sync.core import wire

from ..blobs import BlobService
from ..problems import Problem, answers
from ..store import BlobRow
from .context import CallerDep, current_caller, now, services

UPLOAD_MEDIA = "application/offset+octet-stream"
BINARY = {"type": "string", "format": "binary"}
# GET /blobs/{id}: the bytes, whole (200) or one range (206); the OpenAPI document says so (server/openapi.py).
DOWNLOAD = {
    "200": {"description": "The whole blob", "content": {"application/octet-stream": {"schema": BINARY}}},
    "206": {"description": "One range of the blob", "content": {"application/octet-stream": {"schema": BINARY}}},
}
UPLOAD_BODY = {
    "required": True,
    "description": "The next bytes of the blob, from `Upload-Offset` on",
    "content": {UPLOAD_MEDIA: {"schema": BINARY}},
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def blob_service(request: Request) -> BlobService:
    svc = services(request).blobs
    assert svc is not None  # made at start-up with the store
    return svc


def state_of(row: BlobRow) -> wire.BlobState:
    return wire.BlobState(
        id=UUID(bytes=row.blob_id),
        size=row.size,
        received=row.received,
        complete=row.digest is not None,
        digest=row.digest,
    )


def offset_problem(row: BlobRow, detail: str) -> Problem:
    """409 upload_offset, with where the upload stands (BlobState's fields) for the client to go on from."""
    state = state_of(row)
    return Problem("upload_offset", detail, fields=msgspec.structs.asdict(state))


async def _owned(request: Request, caller_id: bytes, blob_id: UUID) -> BlobRow:
    row = await blob_service(request).rows.get(blob_id.bytes)
    if row is None or row.owner_id != caller_id:
        raise Problem("not_found")
    return row


@post(
    "/blobs",
    status_code=201,
    opt={
        **answers("bad_request", "blob_exists", "quota_exceeded", "unavailable"),
        "also": {"200": "The blob was made before"},
    },
)
async def create(request: Request, caller: CallerDep, data: JSONBody[wire.BlobCreate]) -> wire.BlobState:
    """A new blob of `size` bytes under the attachment's id; the same id and size again: its state (200)."""
    svc = services(request)
    if data.size > svc.settings.max_blob_bytes:
        raise Problem("bad_request", f"a blob may have at most {svc.settings.max_blob_bytes} bytes")
    row, made = await blob_service(request).rows.create(
        caller.user_id, data.id.bytes, data.size, now(request), svc.settings.attachment_quota
    )
    if not made:
        return Response(content=state_of(row), status_code=200)  # type: ignore[return-value]
    return state_of(row)


@get("/blobs/{blob_id:uuid}/state", opt=answers("not_found"))
async def state(request: Request, caller: CallerDep, blob_id: FromPath[UUID]) -> wire.BlobState:
    """How far the caller's upload of this blob is."""
    return state_of(await _owned(request, caller.user_id, blob_id))


def _upload_offset(request: Request) -> int:
    raw = request.headers.get("upload-offset", "")
    if not re.fullmatch(r"\d{1,15}", raw):
        raise Problem("bad_request", "Upload-Offset must be the number of bytes the server holds")
    return int(raw)


@patch(
    "/blobs/{blob_id:uuid}",
    status_code=200,
    opt={
        **answers("bad_request", "upload_offset", "payload_too_large", "unsupported_media_type", "unavailable"),
        "body": UPLOAD_BODY,
    },
)
async def upload(request: Request, caller: CallerDep, blob_id: FromPath[UUID]) -> wire.BlobState:
    """The next bytes, at `Upload-Offset` = the bytes the server holds; on disk (or committed) before the answer."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != UPLOAD_MEDIA:
        raise Problem("unsupported_media_type", f"send the bytes as {UPLOAD_MEDIA}")
    offset = _upload_offset(request)
    row = await _owned(request, caller.user_id, blob_id)
    if row.digest is not None:
        raise offset_problem(row, "the blob is complete")
    if offset != row.received:
        raise offset_problem(row, "Upload-Offset is not the number of bytes the server holds")
    room = row.size - offset
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > room:
        raise Problem("bad_request", "the bytes go past the blob's size")  # refused before any is read
    body = bytearray()
    async for chunk in request.stream():  # Litestar stops it past BETWEEN_MAX_REQUEST_BYTES (413)
        body += chunk
        if len(body) > room:
            raise Problem("bad_request", "the bytes go past the blob's size")
    if not body:
        return state_of(row)
    done = await blob_service(request).bytes.append(row, offset, bytes(body), now(request))
    if done is None:
        raise Problem("not_found")
    if not done.moved:
        raise offset_problem(done.row, "another upload reached this offset first")
    return state_of(done.row)


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) of a single `bytes=` range, end exclusive; None for no range or one the server ignores (several
    ranges, or not the bytes unit: the whole blob, RFC 9110 §14.2). Raises 416 for a range outside the blob."""
    if not header:
        return None
    m = _RANGE.fullmatch(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # the last N bytes
        n = int(last[:20])
        if n == 0:
            raise Problem("range_not_satisfiable", headers={"Content-Range": f"bytes */{size}"})
        return max(size - n, 0), size
    start = int(first[:20])
    end = size if not last else min(int(last[:20]) + 1, size)
    if start >= size or end <= start:
        raise Problem("range_not_satisfiable", headers={"Content-Range": f"bytes */{size}"})
    return start, end


@get(
    "/blobs/{blob_id:uuid}",
    media_type="application/octet-stream",
    opt={**answers("not_found", "upload_incomplete", "range_not_satisfiable"), "responses": DOWNLOAD},
)
async def download(request: Request, caller: CallerDep, blob_id: FromPath[UUID]) -> Stream:
    """The blob's bytes, for its owner or a grantee of a revision that names it; one range on request."""
    blobs = blob_service(request)
    row = await blobs.rows.may_fetch(blob_id.bytes, caller.user_id)
    if row is None:
        raise Problem("not_found")
    if row.digest is None:
        raise Problem("upload_incomplete")
    part = _range(request.headers.get("range"), row.size)
    start, end = part or (0, row.size)
    headers = {
        "ETag": f'"{row.digest.hex()}"',
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "Content-Length": str(end - start),
    }
    if part is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{row.size}"

    async def body() -> AsyncIterator[bytes]:
        async for chunk in blobs.bytes.read(row, start, end):
            yield chunk

    return Stream(
        content=body(), status_code=206 if part else 200, headers=headers, media_type="application/octet-stream"
    )


router = Router(
    path="/",
    route_handlers=[create, state, upload, download],
    tags=["blobs"],
    dependencies={"caller": Provide(current_caller)},
)
