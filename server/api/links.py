"""Care links: a therapist's invites, a client accepting one, the links, and peers' key bundles."""

from __future__ import annotations

import uuid
from uuid import UUID

from litestar import Request, Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from between.sync.core import crypto, wire

from ..problems import Problem, answers
from ..store import Conflict
from .context import CallerDep, current_caller, new_token, now, services, token_hash


@post("/invites", status_code=201, opt=answers("forbidden", "unavailable"))
async def create_invite(request: Request, caller: CallerDep) -> wire.InviteCreated:
    if caller.role != "therapist":
        raise Problem("forbidden", "only therapists invite")
    svc = services(request)
    token = new_token(crypto.random_bytes(32))
    invite_id = uuid.uuid4()
    at = now(request)
    expires_at = at + svc.settings.invite_ttl
    await svc.store.links.create_invite(invite_id.bytes, caller.user_id, token_hash(token), at, expires_at)
    return wire.InviteCreated(invite_id=invite_id, token=token, expires_at=expires_at)


@get("/invites")
async def list_invites(request: Request, caller: CallerDep) -> list[wire.InviteInfo]:
    return await services(request).store.links.invites(caller.user_id, now(request))


@delete("/invites/{invite_id:uuid}", status_code=204, opt=answers("invite_not_found", "unavailable"))
async def revoke_invite(request: Request, caller: CallerDep, invite_id: FromPath[UUID]) -> None:
    if not await services(request).store.links.delete_invite(caller.user_id, invite_id.bytes):
        raise Problem("invite_not_found")


@post("/invites/preview", status_code=200, opt=answers("invite_not_found"))
async def preview_invite(request: Request, caller: CallerDep, data: JSONBody[wire.InviteToken]) -> wire.InvitePreview:
    found = await services(request).store.links.invite_preview(token_hash(data.token), now(request))
    if found is None:
        raise Problem("invite_not_found")
    return found


@post(
    "/invites/accept",
    status_code=201,
    opt=answers("forbidden", "invite_not_found", "already_linked", "own_invite", "unavailable"),
)
async def accept_invite(request: Request, caller: CallerDep, data: JSONBody[wire.InviteAccept]) -> wire.CareLink:
    """The proof is opaque here: only the therapist's devices can check it (the secret is in the link's fragment)."""
    if caller.role != "client":
        raise Problem("forbidden", "only clients accept invites")
    try:
        link = await services(request).store.links.accept_invite(
            caller.user_id, token_hash(data.token), data.proof, uuid.uuid4().bytes, now(request), caller.device_id
        )
    except Conflict as exc:
        raise Problem(exc.code) from None
    if link is None:
        raise Problem("invite_not_found")
    return link


@get("/links")
async def list_links(request: Request, caller: CallerDep) -> list[wire.CareLink]:
    return await services(request).store.links.care_links(caller.user_id)


@delete("/links/{link_id:uuid}", status_code=204, opt=answers("not_found", "unavailable"))
async def end_link(request: Request, caller: CallerDep, link_id: FromPath[UUID]) -> None:
    """Either side; every grant between the two is revoked, both ways."""
    if not await services(request).store.links.delete_link(
        caller.user_id, link_id.bytes, now(request), caller.device_id
    ):
        raise Problem("not_found")


@get("/bundles/{user_id:uuid}", opt=answers("not_found"))
async def bundle(request: Request, caller: CallerDep, user_id: FromPath[UUID]) -> wire.KeyBundle:
    found = await services(request).store.links.bundle(caller.user_id, user_id.bytes)
    if found is None:
        raise Problem("not_found")
    return found


router = Router(
    path="/",
    route_handlers=[
        create_invite,
        list_invites,
        revoke_invite,
        preview_invite,
        accept_invite,
        list_links,
        end_link,
        bundle,
    ],
    tags=["links"],
    dependencies={"caller": Provide(current_caller)},
)
