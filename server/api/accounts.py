"""Accounts: signup, the encrypted key material of the signed-in account, passphrase change, deletion, devices."""

from __future__ import annotations

import hmac
from uuid import UUID

from litestar import Request, Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from between.sync.core import keys, wire

from ..problems import Problem, answers
from ..store import Conflict
from .auth import check_signature, issue_session
from .context import CallerDep, client_ip, current_caller, limit, limit_auth, now, origin_of, services, token_hash

_bearer = {"caller": Provide(current_caller)}


async def _admission(request: Request, code: str | None) -> bytes | None:
    """None when registration is open or `code` is a configured sign-up code; else the token hash of the
    care invite that `code` must be (create_account spends it). Refuses a sign-up no rule admits."""
    svc = services(request)
    if svc.settings.registration == "open":
        return None
    if not code:
        raise Problem("registration_closed")
    if any(hmac.compare_digest(code.encode(), c.encode()) for c in svc.settings.signup_codes):
        return None
    # a therapist's pending care invite admits the one client it was made for
    invite = token_hash(code)
    if not await svc.store.links.signup_invite_valid(invite, now(request)):
        raise Problem("registration_closed")
    return invite


@post(
    "/accounts",
    status_code=201,
    opt=answers(
        "bad_request",
        "crypto",
        "kdf_below_floor",
        "registration_closed",
        "handle_taken",
        "user_exists",
        "device_exists",
        "rate_limited",
        "unavailable",
    ),
)
async def signup(request: Request, data: JSONBody[wire.Signup]) -> wire.Session:
    svc = services(request)
    await limit(request, "signup", client_ip(request), svc.settings.rate_signup_per_hour, 3600)
    invite = await _admission(request, data.invite_code)
    b = data.bundle
    if invite is not None and b.role != "client":
        raise Problem("registration_closed", "a care invite admits a client sign-up only")
    if b.user_id != data.user_id or b.handle != data.handle:
        raise Problem("bad_request", "the key bundle names another user or handle")
    keys.check_kdf(data.kdf)
    keys.verify_bundle(b)
    session, th, expires_at = await issue_session(request, data.user_id.bytes, data.device.device_id.bytes)
    try:
        await svc.store.accounts.create_account(data, th, expires_at, now(request), spend_invite=invite)
    except Conflict as exc:
        raise Problem(exc.code) from None
    return session


@get("/account", dependencies=_bearer)
async def account(request: Request, caller: CallerDep) -> wire.AccountKeys:
    found = await services(request).store.accounts.account_keys(caller.user_id)
    if found is None:
        raise Problem("unauthorized")
    return found


@post(
    "/account/delete",
    status_code=204,
    dependencies=_bearer,
    opt=answers("invalid_credentials", "origin_not_configured", "unavailable"),
)
async def delete_account(request: Request, caller: CallerDep, data: JSONBody[wire.DeleteAccount]) -> None:
    """Needs the passphrase login key over a fresh challenge: a stolen session alone can't erase."""
    svc = services(request)
    challenge = await svc.store.accounts.take_challenge(data.challenge_id, "h:" + caller.handle, now(request))
    user = await svc.store.accounts.user_by_handle(caller.handle)
    public = user.login_pub if user is not None and challenge is not None else None
    if not check_signature(
        public,
        data.signature,
        origin_of(request, svc.settings),
        caller.handle,
        data.challenge_id,
        challenge or bytes(32),
        "delete-account",
        caller.user_id,
    ):
        raise Problem("invalid_credentials")
    blob_ids = await svc.store.blobs.of_account(caller.user_id)
    await svc.store.accounts.delete_account(caller.user_id, caller.handle)
    if svc.blobs is not None:
        await svc.blobs.forget(blob_ids)  # their rows went with the account; with SQLite, their files go now


@post(
    "/account/passphrase",
    status_code=204,
    dependencies=_bearer,
    opt=answers("kdf_below_floor", "invalid_credentials", "origin_not_configured", "rate_limited", "unavailable"),
)
async def change_passphrase(request: Request, caller: CallerDep, data: JSONBody[wire.ChangePassphrase]) -> None:
    """Signed by the current passphrase login key or the recovery login key over a fresh challenge, binding
    the new material: a stolen session alone can neither lock the owner out nor plant its own envelope.
    Every other session of the account ends (devices stay: each renews with its own key)."""
    svc = services(request)
    await limit_auth(request, caller.handle)
    keys.check_kdf(data.kdf)  # never store parameters below the floor, whoever signed them
    challenge = await svc.store.accounts.take_challenge(data.challenge_id, "h:" + caller.handle, now(request))
    user = await svc.store.accounts.user_by_handle(caller.handle)
    public = None
    if user is not None and challenge is not None and user.user_id == caller.user_id:
        public = user.login_pub if data.signer == "passphrase" else user.recovery_login_pub
    bound = keys.passphrase_change_bound(data.kdf, data.login_pub, data.pw_envelope)
    if (
        not check_signature(
            public,
            data.signature,
            origin_of(request, svc.settings),
            caller.handle,
            data.challenge_id,
            challenge or bytes(32),
            "change-passphrase",
            bound,
        )
        or public is None
    ):
        raise Problem("invalid_credentials")  # (a signature that verifies had a public key: `or` is for the types)
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    if not await svc.store.accounts.change_passphrase(
        caller.user_id, data.signer, public, data.kdf, data.login_pub, data.pw_envelope, token_hash(token)
    ):
        raise Problem("invalid_credentials")


@get("/devices", dependencies=_bearer)
async def devices(request: Request, caller: CallerDep) -> list[wire.Device]:
    return await services(request).store.accounts.devices(caller.user_id, caller.device_id)


@delete("/devices/{device_id:uuid}", status_code=204, dependencies=_bearer, opt=answers("not_found", "unavailable"))
async def revoke_device(request: Request, caller: CallerDep, device_id: FromPath[UUID]) -> None:
    """Deleting the device ends all its sessions; a later refresh by it fails."""
    if not await services(request).store.accounts.revoke_device(caller.user_id, device_id.bytes):
        raise Problem("not_found")


router = Router(
    path="/",
    route_handlers=[signup, account, delete_account, change_passphrase, devices, revoke_device],
    tags=["accounts"],
)
