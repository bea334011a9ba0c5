"""Byte layouts and labels of protocol bt1: the fixed formats both clients and the server parse."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from .errors import ProtocolError

# HKDF labels and signature/AAD domain strings. The browser keeps an identical table;
# tests/vectors/labels.json pins both.
LABELS: dict[str, bytes] = {
    "pw_kek": b"between/v1/pw/kek",
    "pw_login": b"between/v1/pw/login",
    "rk_kek": b"between/v1/rk/kek",
    "rk_login": b"between/v1/rk/login",
    "ak_kwk": b"between/v1/ak/kwk",
    "ak_idwk": b"between/v1/ak/idwk",
    "ak_local": b"between/v1/ak/local",
    "ak_invite": b"between/v1/ak/invite",
    "key_commit": b"between/v1/key-commit",
    "env_pw": b"between/v1/env/pw",
    "env_rk": b"between/v1/env/rk",
    "dek": b"between/v1/dek",
    "id": b"between/v1/id",
    "bundle": b"between/v1/bundle",
    "rev": b"between/v1/rev",
    "grant": b"between/v1/grant",
    "auth": b"between/v1/auth",
    "invite_proof": b"between/v1/invite-proof",
    "att": b"between/v1/att",
}

HEADER_MAGIC = b"BTW1"
HEADER_VERSION = 1
SUITE_AES256GCM = 1
FLAG_DELETED = 0x01
KNOWN_FLAGS = FLAG_DELETED
HEADER_LEN = 136
ZERO32 = bytes(32)

# Argon2id is kdf id 1. The floor is OWASP's minimum; the client refuses anything weaker.
KDF_ARGON2ID = 1
KDF_DEFAULT = (65536, 3, 1)  # memory KiB, iterations, lanes
KDF_FLOOR_MEMORY_KIB = 19456
KDF_FLOOR_ITERATIONS = 2
KDF_PARAMS_LEN = 1 + 4 + 4 + 4 + 16

ROLE_CLIENT = 1
ROLE_THERAPIST = 2

# HPKE suite of every grant: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM (RFC 9180 A.1).
HPKE_SUITE_ID = bytes.fromhex("002000010001")

_HEADER = struct.Struct(">4sBBBB16s16sI32s16s32s12s")
assert _HEADER.size == HEADER_LEN


@dataclass(frozen=True, slots=True)
class Header:
    """The 136-byte record header; it is the AEAD associated data of the revision it heads."""

    owner_id: bytes
    record_id: bytes
    version: int
    parent: bytes
    key_id: bytes
    key_commit: bytes
    nonce: bytes
    flags: int = 0

    @property
    def deleted(self) -> bool:
        return bool(self.flags & FLAG_DELETED)

    def pack(self) -> bytes:
        for name, value, size in (
            ("owner_id", self.owner_id, 16),
            ("record_id", self.record_id, 16),
            ("parent", self.parent, 32),
            ("key_id", self.key_id, 16),
            ("key_commit", self.key_commit, 32),
            ("nonce", self.nonce, 12),
        ):
            if len(value) != size:
                raise ProtocolError("bad_header", f"{name} must be {size} bytes")
        if not 1 <= self.version <= 0xFFFFFFFF:
            raise ProtocolError("bad_header", "version out of range")
        if self.flags & ~KNOWN_FLAGS:
            raise ProtocolError("bad_header", "unknown flags")
        return _HEADER.pack(
            HEADER_MAGIC,
            HEADER_VERSION,
            SUITE_AES256GCM,
            self.flags,
            0,
            self.owner_id,
            self.record_id,
            self.version,
            self.parent,
            self.key_id,
            self.key_commit,
            self.nonce,
        )

    @classmethod
    def parse(cls, data: bytes) -> Header:
        if len(data) != HEADER_LEN:
            raise ProtocolError("bad_header", "header must be 136 bytes")
        (magic, hver, suite, flags, reserved, owner, record, version, parent, key_id, key_commit, nonce) = (
            _HEADER.unpack(data)
        )
        if magic != HEADER_MAGIC or hver != HEADER_VERSION or suite != SUITE_AES256GCM:
            raise ProtocolError("bad_header", "unknown header magic, version or suite")
        if reserved != 0 or flags & ~KNOWN_FLAGS:
            raise ProtocolError("bad_header", "unknown flags")
        if version < 1:
            raise ProtocolError("bad_header", "version must be at least 1")
        if (version == 1) != (parent == ZERO32):
            raise ProtocolError("bad_header", "parent must be zero exactly for version 1")
        return cls(owner, record, version, parent, key_id, key_commit, nonce, flags)


def lp(data: bytes) -> bytes:
    """A u16 big-endian length prefix and the bytes: the only way variable data enters signed text."""
    if len(data) > 0xFFFF:
        raise ProtocolError("too_long", "field longer than 65535 bytes")
    return struct.pack(">H", len(data)) + data


def pack_kdf_params(memory_kib: int, iterations: int, lanes: int, salt: bytes) -> bytes:
    if len(salt) != 16:
        raise ProtocolError("bad_kdf", "salt must be 16 bytes")
    return struct.pack(">BIII", KDF_ARGON2ID, memory_kib, iterations, lanes) + salt


def bundle_body(user_id: bytes, handle: str, role: int, sig_pub: bytes, kem_pub: bytes) -> bytes:
    """The signed text of a key bundle: binds a user id, handle and role to both identity keys."""
    if len(user_id) != 16 or len(sig_pub) != 32 or len(kem_pub) != 32:
        raise ProtocolError("bad_bundle", "wrong key or id length")
    if role not in (ROLE_CLIENT, ROLE_THERAPIST):
        raise ProtocolError("bad_bundle", "unknown role")
    return LABELS["bundle"] + user_id + lp(handle.encode()) + bytes([role]) + sig_pub + kem_pub


def auth_transcript(
    origin: str, handle: str, challenge_id: bytes, challenge: bytes, action: str, bound: bytes = b""
) -> bytes:
    """What a login, recovery, refresh or account deletion signs; `bound` is the action's own data
    (for login: the new device's signing key)."""
    if len(challenge_id) != 16 or len(challenge) != 32:
        raise ProtocolError("bad_challenge", "wrong challenge length")
    return (
        LABELS["auth"]
        + lp(origin.encode())
        + lp(handle.encode())
        + challenge_id
        + challenge
        + lp(action.encode())
        + lp(bound)
    )


def passphrase_change_bound(login_pub: bytes, kdf_params: bytes, pw_envelope: bytes) -> bytes:
    """`bound` of action change-passphrase: SHA-256(new login_pub(32) ‖ new KDF parameter bytes(29) ‖ new
    pw_envelope), so the signature covers exactly what the server stores (only the envelope varies in length)."""
    if len(login_pub) != 32 or len(kdf_params) != KDF_PARAMS_LEN:
        raise ProtocolError("bad_passphrase_change", "wrong login key or KDF parameter length")
    return hashlib.sha256(login_pub + kdf_params + pw_envelope).digest()


GRANT_BODY_LEN = len(LABELS["grant"]) + 6 + 16 + 16 + 16 + 16 + 32


@dataclass(frozen=True, slots=True)
class GrantBody:
    """Who may open which key of which record: the HPKE info and the signed part of a grant."""

    owner_id: bytes
    record_id: bytes
    key_id: bytes
    grantee_id: bytes
    grantee_kem_hash: bytes  # SHA-256 of the grantee's X25519 identity key

    def pack(self) -> bytes:
        for name, value, size in (
            ("owner_id", self.owner_id, 16),
            ("record_id", self.record_id, 16),
            ("key_id", self.key_id, 16),
            ("grantee_id", self.grantee_id, 16),
            ("grantee_kem_hash", self.grantee_kem_hash, 32),
        ):
            if len(value) != size:
                raise ProtocolError("bad_grant", f"{name} must be {size} bytes")
        return (
            LABELS["grant"]
            + HPKE_SUITE_ID
            + self.owner_id
            + self.record_id
            + self.key_id
            + self.grantee_id
            + self.grantee_kem_hash
        )

    @classmethod
    def parse(cls, data: bytes) -> GrantBody:
        if len(data) != GRANT_BODY_LEN:
            raise ProtocolError("bad_grant", "grant body has the wrong length")
        n = len(LABELS["grant"])
        if data[:n] != LABELS["grant"] or data[n : n + 6] != HPKE_SUITE_ID:
            raise ProtocolError("bad_grant", "unknown grant label or HPKE suite")
        o = n + 6
        return cls(
            data[o : o + 16], data[o + 16 : o + 32], data[o + 32 : o + 48], data[o + 48 : o + 64], data[o + 64 : o + 96]
        )
