"""Accounts and devices of the reference client: sign-up, sign-in, passphrase change, sign-out, deletion (renewing
the session: profile.py)."""

from __future__ import annotations

import dataclasses
import os
import re
import uuid
from typing import Literal

from ..core import crypto, keys, wire
from ..core.errors import BetweenError, CryptoError
from ..core.layout import KDF_FLOOR_ITERATIONS, KDF_FLOOR_MEMORY_KIB
from .api import Api, ApiError, SessionExpired
from .keysfile import KeysFile
from .profile import Profile

MIN_PASSPHRASE = 10
DEVICE_NAME = "between CLI"


class NotFound(BetweenError):
    code = "not_found"


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BetweenError(
            "weak_passphrase",
            f"the passphrase must have at least {MIN_PASSPHRASE} characters "
            "(a few random words are easiest to remember)",
            params={"min": MIN_PASSPHRASE},
        )


def check_handle(handle: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,63}", handle):
        raise BetweenError(
            "bad_handle",
            "a handle has 3 to 64 characters: lowercase letters, digits, '.', '_' or "
            "'-', starting with a letter or digit",
        )


def kdf_from_env(environ: dict[str, str] | os._Environ) -> wire.KdfParams:
    """Default Argon2id cost, or a cheaper one for tests from BETWEEN_KDF_*, never below the floor."""
    try:
        memory = int(environ.get("BETWEEN_KDF_MEMORY_KIB") or 0) or None
        iterations = int(environ.get("BETWEEN_KDF_ITERATIONS") or 0) or None
    except ValueError:
        raise BetweenError(
            "bad_kdf", "BETWEEN_KDF_MEMORY_KIB and BETWEEN_KDF_ITERATIONS must be numbers", key="bad_kdf.env"
        ) from None
    params = keys.new_kdf_params()
    kdf = keys.new_kdf_params(memory or params.memory_kib, iterations or params.iterations)
    if kdf.memory_kib < KDF_FLOOR_MEMORY_KIB or kdf.iterations < KDF_FLOOR_ITERATIONS:
        raise BetweenError(
            "kdf_below_floor",
            f"key derivation cost below the floor ({KDF_FLOOR_MEMORY_KIB} KiB, {KDF_FLOOR_ITERATIONS} iterations)",
            key="kdf_below_floor.env",
            params={"memory": KDF_FLOOR_MEMORY_KIB, "iterations": KDF_FLOOR_ITERATIONS},
        )
    return kdf


def check_served_account(account: wire.AccountKeys, *, handle: str, user_id: uuid.UUID, kdf: wire.KdfParams) -> None:
    """What GET /account served after a sign-in must match (PROTOCOL.md section 17, sign-in flow): the handle signed
    in, the Session's user id, and exactly the KDF parameters prelogin served, under which the login key and the
    passphrase KEK were already derived (so no second Argon2id runs, and a server cannot name other parameters)."""
    if account.handle != handle or account.user_id != user_id:
        raise CryptoError(detail="the server answered for another account")
    if account.kdf != kdf:
        raise CryptoError(detail="the server changed the key derivation parameters during sign-in")


class Accounts:
    """Account and device operations on one profile; each that reaches an existing account uses its session."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.store = profile.store

    def _new_device(self, name: str) -> tuple[bytes, wire.DeviceKey]:
        seed = crypto.random_bytes(32)
        return seed, wire.DeviceKey(device_id=uuid.uuid4(), name=name, sig_pub=crypto.ed25519_public(seed))

    def create(
        self,
        server: str,
        handle: str,
        passphrase: str,
        role: str,
        kdf: wire.KdfParams,
        invite_code: str | None = None,
        device_name: str = DEVICE_NAME,
    ) -> str:
        """Register; returns the recovery key text (shown once, never stored)."""
        check_handle(handle)
        check_passphrase(passphrase)
        self.store.prepare()
        new = keys.new_account(handle, passphrase, role, kdf)
        seed, device = self._new_device(device_name)
        api = Api(server)
        try:
            session = api.signup(wire.Signup(**new.signup_fields, device=device, invite_code=invite_code))
        finally:
            api.close()
        self._save_new_profile(server, new.secrets, seed, session)
        return new.recovery_key

    def login(
        self,
        server: str,
        handle: str,
        *,
        passphrase: str | None = None,
        recovery: str | None = None,
        device_name: str = DEVICE_NAME,
    ) -> None:
        check_handle(handle)
        # A profile of this account on this server signs in again (signed out: revoked, or the server was restored
        # from a backup) and keeps everything it holds; any other profile is refused before anything is sent.
        again = self.store.load_keys() if self.store.exists() else None
        if again is None or again.server != server.rstrip("/") or again.handle != handle:
            self.store.prepare()
        if recovery is not None:
            login_keys = keys.derive_recovery_keys(keys.parse_recovery_key(recovery))
        api = Api(server)
        try:
            challenge = api.prelogin(handle)
            if recovery is None:
                assert passphrase is not None
                login_keys = keys.derive_passphrase_keys(passphrase, challenge.kdf)  # refuses a weak KDF first
            seed, device = self._new_device(device_name)
            action: Literal["login", "recover"] = "login" if recovery is None else "recover"
            signature = keys.sign_auth(
                login_keys.login_seed,
                api.origin,
                handle,
                challenge.challenge_id,
                challenge.challenge,
                action,
                device.sig_pub,
            )
            try:
                session = api.login(
                    wire.Login(
                        handle=handle,
                        action=action,
                        challenge_id=challenge.challenge_id,
                        signature=signature,
                        device=device,
                    )
                )
            except ApiError as exc:
                if exc.status == 401:
                    what = "recovery key" if recovery is not None else "passphrase"
                    raise BetweenError(
                        "invalid_credentials",
                        f"wrong handle or {what}",
                        key="invalid_credentials.signIn",
                        params={"secret": "recovery" if recovery is not None else "passphrase"},
                    ) from None
                raise
            api.token = session.token
            account = api.account()
        finally:
            api.close()
        check_served_account(account, handle=handle, user_id=session.user_id, kdf=challenge.kdf)
        secrets = (
            keys.unlock_with_recovery(account, recovery)
            if recovery is not None
            else keys.unlock_with_login_keys(account, login_keys)
        )
        if again is None:
            self._save_new_profile(server, secrets, seed, session)
            return
        if secrets.user_id != again.user_id:  # the handle now names another account (the old one was deleted)
            self.store.prepare()  # refuses: this profile holds the other account's data
        self.store.save_keys(
            dataclasses.replace(
                again,
                role=secrets.role,
                device_id=session.device_id.bytes,
                account_key=secrets.account_key,
                sig_seed=secrets.sig_seed,
                kem_seed=secrets.kem_seed,
                device_seed=seed,
                token=session.token,
            )
        )
        with self.store.transaction() as db:
            self.store.set_meta(db, "device_id", str(session.device_id))

    def _save_new_profile(
        self, server: str, secrets: keys.AccountSecrets, device_seed: bytes, session: wire.Session
    ) -> None:
        self.store.create(
            KeysFile(
                server=server.rstrip("/"),
                handle=secrets.handle,
                role=secrets.role,
                user_id=secrets.user_id,
                device_id=session.device_id.bytes,
                account_key=secrets.account_key,
                sig_seed=secrets.sig_seed,
                kem_seed=secrets.kem_seed,
                device_seed=device_seed,
                token=session.token,
            )
        )
        with self.store.transaction() as db:
            for key, value in (
                ("server", server.rstrip("/")),
                ("handle", secrets.handle),
                ("user_id", str(uuid.UUID(bytes=secrets.user_id))),
                ("role", secrets.role),
                ("device_id", str(session.device_id)),
                ("cursor", "0"),
            ):
                self.store.set_meta(db, key, value)

    def logout(self, force: bool = False) -> bool:
        """End this device's session and erase the profile. Returns False if the server was unreachable."""
        pending = self.store.list_pending()
        if pending and not force:
            raise BetweenError(
                "unsynced",
                f"{len(pending)} change(s) are not synced yet; run `between sync` "
                "first, or log out with --force to discard them",
                params={"count": len(pending)},
            )
        reached = True
        try:
            self.profile.api.logout()
        except SessionExpired:
            pass
        except BetweenError as exc:
            if exc.code == "unreachable":
                reached = False
            elif exc.code != "signed_out":  # a revoked device still erases its local copy
                raise
        self.store.erase()
        return reached

    def delete(self, passphrase: str) -> None:
        k, api = self.profile.keys, self.profile.api
        challenge = api.prelogin(k.handle)
        login = keys.derive_passphrase_keys(passphrase, challenge.kdf)
        signature = keys.sign_auth(
            login.login_seed,
            api.origin,
            k.handle,
            challenge.challenge_id,
            challenge.challenge,
            "delete-account",
            k.user_id,
        )
        try:
            api.delete_account(wire.DeleteAccount(challenge_id=challenge.challenge_id, signature=signature))
        except ApiError as exc:
            if exc.status in (401, 403):
                raise BetweenError(
                    "invalid_credentials", "wrong passphrase; nothing was deleted", key="invalid_credentials.delete"
                ) from None
            raise
        self.store.erase()

    def change_passphrase(
        self, new_passphrase: str, kdf: wire.KdfParams, *, passphrase: str | None = None, recovery: str | None = None
    ) -> None:
        """Re-wrap the account key under a new passphrase, authorised by the current passphrase or the
        recovery key. The account key is unchanged, so every entry stays readable; the server ends the
        account's other sessions."""
        check_passphrase(new_passphrase)
        k, api = self.profile.keys, self.profile.api
        signer: Literal["passphrase", "recovery"]
        if recovery is not None:
            signer, login = "recovery", keys.derive_recovery_keys(keys.parse_recovery_key(recovery))
        challenge = api.prelogin(k.handle)
        if recovery is None:
            signer, login = "passphrase", keys.derive_passphrase_keys(passphrase or "", challenge.kdf)
        new_kdf, login_pub, envelope = keys.rewrap_passphrase(self.profile.secrets, new_passphrase, kdf)
        bound = keys.passphrase_change_bound(new_kdf, login_pub, envelope)
        signature = keys.sign_auth(
            login.login_seed,
            api.origin,
            k.handle,
            challenge.challenge_id,
            challenge.challenge,
            "change-passphrase",
            bound,
        )
        try:
            api.change_passphrase(
                wire.ChangePassphrase(
                    signer=signer,
                    challenge_id=challenge.challenge_id,
                    signature=signature,
                    kdf=new_kdf,
                    login_pub=login_pub,
                    pw_envelope=envelope,
                )
            )
        except ApiError as exc:
            if exc.status == 401 and exc.code == "invalid_credentials":
                what = "recovery key" if recovery is not None else "passphrase"
                raise BetweenError(
                    "invalid_credentials",
                    f"wrong {what}; the passphrase was not changed",
                    key="invalid_credentials.change",
                    params={"secret": "recovery" if recovery is not None else "passphrase"},
                ) from None
            raise

    def devices(self) -> list[wire.Device]:
        return self.profile.api.devices()

    def revoke_device(self, device_id: str) -> None:
        try:
            target = uuid.UUID(device_id)
        except ValueError:
            raise NotFound(
                detail=f"no device with id {device_id}", key="not_found.device", params={"id": device_id}
            ) from None
        try:
            self.profile.api.revoke_device(target)
        except ApiError as exc:
            if exc.status == 404:
                raise NotFound(
                    detail=f"no device with id {device_id}", key="not_found.device", params={"id": device_id}
                ) from None
            raise
