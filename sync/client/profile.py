"""One profile directory and what unlocks it: the store, keys.json (read on first use) and the server session
(an Api, renewed with this device's own key when it expires)."""

from __future__ import annotations

import uuid
from pathlib import Path

from ..core import keys, wire
from ..core.errors import BetweenError
from ..core.keys import AccountSecrets
from .api import Api, ApiError
from .keysfile import KeysFile
from .localstore import LocalStore


class Profile:
    """The unlocked state of one profile; nothing is read before it is needed (a signed-out profile can still be
    listed, erased or signed in)."""

    def __init__(self, directory: Path) -> None:
        self.store = LocalStore(directory)
        self._keys: KeysFile | None = None
        self._api: Api | None = None

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
        self.store.close()

    @property
    def keys(self) -> KeysFile:
        if self._keys is None:
            self._keys = self.store.load_keys()
        return self._keys

    @property
    def secrets(self) -> AccountSecrets:
        k = self.keys
        return AccountSecrets(
            user_id=k.user_id,
            handle=k.handle,
            role=k.role,
            account_key=k.account_key,
            sig_seed=k.sig_seed,
            kem_seed=k.kem_seed,
        )

    @property
    def device_id(self) -> str:
        return str(uuid.UUID(bytes=self.keys.device_id))

    @property
    def api(self) -> Api:
        if self._api is None:
            self._api = Api(self.keys.server, self.keys.token, on_expired=self._refresh)
        return self._api

    def _refresh(self, api: Api) -> None:
        """Session expired: prove possession of this device's key for a new one (no passphrase needed)."""
        k = self.keys
        try:
            challenge = api.device_challenge(uuid.UUID(bytes=k.device_id))
            signature = keys.sign_auth(
                k.device_seed, api.origin, k.handle, challenge.challenge_id, challenge.challenge, "refresh", k.device_id
            )
            session = api.refresh(
                wire.Refresh(
                    device_id=uuid.UUID(bytes=k.device_id), challenge_id=challenge.challenge_id, signature=signature
                )
            )
        except ApiError as exc:
            if exc.status in (401, 403, 404):
                raise BetweenError(
                    "signed_out",
                    "this device is signed out; sign in again with `between account login` in this profile",
                ) from None
            raise
        api.token = k.token = session.token
        self.store.save_keys(k)
