"""Sign-in: prelogin challenges, login and recovery, device refresh, logout."""

from __future__ import annotations

import uuid

from litestar import Request, Router, post
from litestar.di import Provide
from litestar.params import JSONBody

from between.sync.core import crypto, keys, layout, wire
from between.sync.core.errors import CryptoError

from ..problems import Problem, answers
from ..store import Conflict
from .context import CallerDep, current_caller, fake_salt, limit_auth, new_token, now, origin_of, services, token_hash

# Verified against on a failed lookup so an unknown handle costs the same work as a wrong signature.
_DUMMY_PUB = crypto.ed25519_public(bytes(32))


def default_kdf(salt: bytes) -> wire.KdfParams:
    memory, iterations, lanes = layout.KDF_DEFAULT
    return wire.KdfParams(memory_kib=memory, iterations=iterations, lanes=lanes, salt=salt)


def device_subject(device_id: bytes) -> str:
    return "d:" + device_id.hex()


async def issue_session(request: Request, user_id: bytes, device_id: bytes) -> tuple[wire.Session, bytes, int]:
    """A fresh token; the caller stores only its hash."""
    ttl = services(request).settings.session_ttl
    token = new_token(crypto.random_bytes(32))
    session = wire.Session(
        token=token, expires_in=ttl, user_id=uuid.UUID(bytes=user_id), device_id=uuid.UUID(bytes=device_id)
    )
    return session, token_hash(token), now(request) + ttl


async def _challenge(request: Request, subject: str, kdf: wire.KdfParams) -> wire.Challenge:
    svc = services(request)
    ttl = svc.settings.challenge_ttl
    cid, ch = crypto.random_bytes(16), crypto.random_bytes(32)
    at = now(request)
    await svc.store.accounts.create_challenge(cid, ch, subject, at + ttl, at)
    return wire.Challenge(kdf=kdf, challenge_id=cid, challenge=ch, expires_in=ttl)


@post("/prelogin", status_code=200, opt=answers("rate_limited", "unavailable"))
async def prelogin(request: Request, data: JSONBody[wire.Prelogin]) -> wire.Challenge:
    """Same shape for unknown handles: default parameters and a stable fake salt."""
    await limit_auth(request, data.handle)
    svc = services(request)
    user = await svc.store.accounts.user_by_handle(data.handle)
    kdf = user.kdf if user else default_kdf(fake_salt(svc.secret, "h:" + data.handle))
    return await _challenge(request, "h:" + data.handle, kdf)


def check_signature(public: bytes | None, signature: bytes, *args) -> bool:
    try:
        keys.verify_auth(public or _DUMMY_PUB, signature, *args)
    except CryptoError:
        return False
    return public is not None


@post(
    "/login",
    status_code=200,
    opt=answers("invalid_credentials", "device_exists", "origin_not_configured", "rate_limited", "unavailable"),
)
async def login(request: Request, data: JSONBody[wire.Login]) -> wire.Session:
    """One answer for every failure: unknown handle, wrong key, used, expired or foreign challenge."""
    await limit_auth(request, data.handle)
    svc = services(request)
    challenge = await svc.store.accounts.take_challenge(data.challenge_id, "h:" + data.handle, now(request))
    user = await svc.store.accounts.user_by_handle(data.handle)
    public = None
    if user is not None and challenge is not None:
        public = user.login_pub if data.action == "login" else user.recovery_login_pub
    ok = check_signature(
        public,
        data.signature,
        origin_of(request, svc.settings),
        data.handle,
        data.challenge_id,
        challenge or bytes(32),
        data.action,
        data.device.sig_pub,
    )
    if not ok or user is None:
        raise Problem("invalid_credentials")
    session, th, expires_at = await issue_session(request, user.user_id, data.device.device_id.bytes)
    try:
        await svc.store.accounts.login(user.user_id, data.device, th, expires_at, now(request))
    except Conflict as exc:
        raise Problem(exc.code) from None
    return session


@post("/device-challenge", status_code=200, opt=answers("rate_limited", "unavailable"))
async def device_challenge(request: Request, data: JSONBody[wire.DeviceChallengeRequest]) -> wire.Challenge:
    """Unknown devices get a challenge too; it can never succeed."""
    subject = device_subject(data.device_id.bytes)
    await limit_auth(request, subject)
    svc = services(request)
    return await _challenge(request, subject, default_kdf(fake_salt(svc.secret, subject)))


@post(
    "/refresh",
    status_code=200,
    opt=answers("invalid_credentials", "origin_not_configured", "rate_limited", "unavailable"),
)
async def refresh(request: Request, data: JSONBody[wire.Refresh]) -> wire.Session:
    device_id = data.device_id.bytes
    await limit_auth(request, device_subject(device_id))
    svc = services(request)
    challenge = await svc.store.accounts.take_challenge(data.challenge_id, device_subject(device_id), now(request))
    owner = await svc.store.accounts.device_owner(device_id)
    public = owner.sig_pub if owner and challenge else None
    handle = owner.handle if owner else "unknown"
    ok = check_signature(
        public,
        data.signature,
        origin_of(request, svc.settings),
        handle,
        data.challenge_id,
        challenge or bytes(32),
        "refresh",
        device_id,
    )
    if not ok or owner is None:
        raise Problem("invalid_credentials")
    session, th, expires_at = await issue_session(request, owner.user_id, device_id)
    if not await svc.store.accounts.refresh(owner.user_id, device_id, th, expires_at, now(request)):
        raise Problem("invalid_credentials")  # revoked between the lookup and the write
    return session


@post("/logout", status_code=204, dependencies={"caller": Provide(current_caller)}, opt=answers("unavailable"))
async def logout(request: Request, caller: CallerDep) -> None:
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    await services(request).store.accounts.end_session(token_hash(token))


router = Router(path="/auth", route_handlers=[prelogin, login, device_challenge, refresh, logout], tags=["auth"])
