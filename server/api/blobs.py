"""Attachments' blobs (docs/PROTOCOL.md §17 "Attachments"): resumable upload, ranged download, who may fetch."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, Router, get
from litestar.di import Provide
from litestar.params import FromPath

from between.sync.core import wire

from ..problems import Problem, answers
from .context import CallerDep, current_caller


@get("/blobs/{blob_id:uuid}/state", opt=answers("not_found"))
async def state(request: Request, caller: CallerDep, blob_id: FromPath[UUID]) -> wire.BlobState:
    """How far the caller's upload of this blob is. (The store of blobs comes next: until then none exists.)"""
    raise Problem("not_found")


router = Router(path="/", route_handlers=[state], tags=["blobs"], dependencies={"caller": Provide(current_caller)})
