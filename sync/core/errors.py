"""Domain errors of the protocol core; the server maps them to HTTP problems, the CLI to messages."""

from __future__ import annotations


class BetweenError(Exception):
    """Base of every error the core raises on purpose. `code` is stable; `detail` never holds secrets."""

    code = "error"

    def __init__(self, code: str | None = None, detail: str = "") -> None:
        if code is not None:
            self.code = code
        self.detail = detail or self.code
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
