"""Domain errors of the protocol core; the server maps them to HTTP problems, the CLI to messages."""

from __future__ import annotations

from typing import Any


class BetweenError(Exception):
    """Base of every error the core raises on purpose. `code` is stable; `detail` never holds secrets.

    `key` names the exact problem for a message catalogue (the code, unless one code has several wordings) and `params`
    are what its message puts in; the CLI says `problem.<key>` from its catalogue, `detail` when it has no such key."""

    code = "error"

    def __init__(
        self, code: str | None = None, detail: str = "", *, key: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        if code is not None:
            self.code = code
        self.detail = detail or self.code
        self.key = key or self.code
        self.params = dict(params or {})
        super().__init__(self.detail)


class ProtocolError(BetweenError):
    """Malformed or out-of-spec bytes."""

    code = "protocol"


class CryptoError(BetweenError):
    """A ciphertext, signature or key failed to verify. Deliberately says nothing about why."""

    code = "crypto"


class DowngradeError(BetweenError):
    """Parameters offered by a server fall below the floor the client enforces."""

    code = "kdf_below_floor"


class RollbackError(BetweenError):
    """A server served an older or forked head of a record this device has seen newer."""

    code = "rollback"
