"""keys.json: the secrets of one profile (mode 0600), written atomically, never logged."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import BetweenError

KEYS_FILE = "keys.json"


class ProfileError(BetweenError):
    """The profile is missing, incomplete or not readable."""

    code = "profile"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


@dataclass(slots=True)
class KeysFile:
    """The secrets of one profile. repr hides everything secret."""

    server: str
    handle: str
    role: str
    user_id: bytes
    device_id: bytes
    account_key: bytes = field(repr=False)
    sig_seed: bytes = field(repr=False)
    kem_seed: bytes = field(repr=False)
    device_seed: bytes = field(repr=False)
    token: str = field(default="", repr=False)

    _BYTES = ("user_id", "device_id", "account_key", "sig_seed", "kem_seed", "device_seed")

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "v": 1,
            "server": self.server,
            "handle": self.handle,
            "role": self.role,
            "token": self.token,
        }
        data.update({name: _b64(getattr(self, name)) for name in self._BYTES})
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> KeysFile:
        try:
            data = json.loads(raw)
            return cls(
                server=data["server"],
                handle=data["handle"],
                role=data["role"],
                token=data.get("token", ""),
                **{name: _unb64(data[name]) for name in cls._BYTES},
            )
        except (ValueError, KeyError, TypeError):
            raise ProfileError("profile", "keys.json is damaged", key="profile.damaged") from None


def write_private_file(path: Path, data: bytes) -> None:
    """Atomic replace of a file readable by its owner only (created 0600, fsynced before the rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
