"""Record sync: push (checked per item, atomic on request), pull by feed cursor, revision history."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated
from uuid import UUID

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from between.sync.core import push as push_rules  # `push` is this module's handler
from between.sync.core import records, wire
from between.sync.core.errors import CryptoError, ProtocolError
from between.sync.core.layout import GrantBody

from ..problems import Problem, answers
from ..store import PreparedItem
from .context import CallerDep, current_caller, limit, now, services

# Signatures a push may carry and still be checked on the event loop: a small push's checks take less time
# than handing them to a thread and back (bench: the 1-record push); a large one would stall other requests.
INLINE_SIGNATURES = 4


def prepare_all(
    items: list[wire.PushItem], owner_id: bytes, sig_pub: bytes, max_ct: int, peers: frozenset[bytes] | None = None
) -> list[PreparedItem]:
    return [prepare(i, owner_id, sig_pub, max_ct, peers) for i in items]


def _strangers(item: wire.PushItem, peers: frozenset[bytes]) -> bool:
    """Whether a grant names someone without a care link with the owner (read from the unverified body: it only
    decides to refuse before paying for signature checks; an accepted grant is verified in full)."""
    for g in item.grants:
        try:
            if not push_rules.may_be_granted(GrantBody.parse(g.body).grantee_id, peers):
                return True
        except ProtocolError:
            return False  # malformed: the full check refuses it as invalid
    return False


def prepare(
    item: wire.PushItem, owner_id: bytes, sig_pub: bytes, max_ct: int, peers: frozenset[bytes] | None = None
) -> PreparedItem:
    """Stateless checks (shape, signatures, ids) before the item reaches the writer. With `peers` (the owner's
    care links, read when the push carries grants), an item granting to anyone else is refused before any
    signature is checked: up to 17 checks an item would otherwise be spent on a push that must fail."""
    rid = item.record_id.bytes

    def refuse(detail: str, status: push_rules.Status = "invalid") -> PreparedItem:
        return PreparedItem(
            record_id=rid, judged=push_rules.Verdict(status, detail), revision=item.revision, dek_wrap=item.dek_wrap
        )

    if len(item.revision.ct) > max_ct:
        return refuse("ciphertext larger than the server accepts")
    if peers is not None and _strangers(item, peers):
        return refuse("grantee has no care link with the owner", "forbidden")
    try:
        header, rev_id = records.verify_revision(item.revision, sig_pub)
    except (CryptoError, ProtocolError):
        return refuse("revision header or signature failed verification")
    if header.owner_id != owner_id:
        return refuse("header names another owner")
    if header.record_id != rid:
        return refuse("header names another record")
    if header.version != item.base_version + 1:
        return refuse("header version must be base_version + 1")
    grants: list[push_rules.GrantTo] = []
    for g in item.grants:
        try:
            body = records.verify_grant(g, sig_pub)
        except (CryptoError, ProtocolError):
            return refuse("grant failed verification")
        if body.owner_id != owner_id or body.record_id != rid or body.key_id != header.key_id:
            return refuse("grant names another owner, record or key")
        if body.grantee_id == owner_id:
            return refuse("an owner does not grant to itself")
        if any(body.grantee_id == seen.grantee_id for seen in grants):
            return refuse("a grantee appears twice in one item")
        grants.append(push_rules.GrantTo(body.grantee_id, body.grantee_kem_hash))
    revoke = tuple(u.bytes for u in item.revoke)
    if len(set(revoke)) != len(revoke):
        return refuse("a grantee is revoked twice in one item")
    judged = push_rules.Item(
        record_id=rid,
        base_version=item.base_version,
        rev_id=rev_id,
        version=header.version,
        parent=header.parent,
        key_id=header.key_id,
        grants=tuple(grants),
        revoke=revoke,
        restored=item.restored,
    )
    return PreparedItem(
        record_id=rid,
        judged=judged,
        revision=item.revision,
        dek_wrap=item.dek_wrap,
        grants=tuple(item.grants),
        attachments=tuple(dict.fromkeys(u.bytes for u in item.attachments)),
    )


@post("/sync/push", status_code=200, opt=answers("unavailable", "rate_limited", "quota_exceeded"))
async def push(request: Request, caller: CallerDep, data: JSONBody[wire.Push]) -> wire.PushResponse:
    svc = services(request)
    await limit(request, "push", caller.user_id.hex(), svc.settings.rate_push_per_minute, 60)
    peers = await svc.store.links.peer_ids(caller.user_id) if any(i.grants for i in data.items) else None
    args = (data.items, caller.user_id, caller.sig_pub, svc.settings.max_revision_bytes, peers)
    if sum(1 + len(i.grants) for i in data.items) <= INLINE_SIGNATURES:
        prepared = prepare_all(*args)  # a few checks (about 0.1 ms each) cost less than a thread hand-off
    else:
        # Up to 500 items of 17 signatures each: verified on a worker thread, not on the event loop
        prepared = await asyncio.to_thread(prepare_all, *args)
    arrived = time.perf_counter()
    results = await svc.store.records.push(
        caller.user_id, prepared, data.atomic, now(request), caller.device_id, quota=svc.settings.quota_bytes
    )
    if svc.metrics is not None:
        svc.metrics.feed_lag.observe(time.perf_counter() - arrived)
        for result in results:
            svc.metrics.pushed.labels(result.status).inc()
    return wire.PushResponse(results=results)


@get("/sync/pull", opt=answers("bad_cursor"))
async def pull(
    request: Request,
    caller: CallerDep,
    after: Annotated[int, QueryParameter(ge=0, le=2**62)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
) -> wire.PullResponse:
    svc = services(request)
    page = await svc.store.records.pull(caller.user_id, after, limit)
    if svc.metrics is not None:
        svc.metrics.pulls.inc()
        svc.metrics.pulled.inc(len(page.items))
    return page


@get("/records/{record_id:uuid}/history", opt=answers("not_found"))
async def history(
    request: Request,
    caller: CallerDep,
    record_id: FromPath[UUID],
    before: Annotated[int | None, QueryParameter(ge=1, le=2**32)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> wire.History:
    found = await services(request).store.records.history(caller.user_id, record_id.bytes, before, limit)
    if found is None:
        raise Problem("not_found")
    return found


router = Router(
    path="/", route_handlers=[push, pull, history], tags=["sync"], dependencies={"caller": Provide(current_caller)}
)
