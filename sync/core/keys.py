"""Key hierarchy of bt1: passphrase and recovery keys, account key, identity keys, envelopes, bundles, auth."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from . import crypto, layout, wire
from .errors import CryptoError, ProtocolError

ROLE_CODES = {"client": layout.ROLE_CLIENT, "therapist": layout.ROLE_THERAPIST}
_UNLOCK_FAILED = "could not unlock the account"


# ---------------------------------------------------------------- login keys (passphrase, recovery key)


@dataclass(frozen=True, slots=True)
class LoginKeys:
    """What a passphrase or recovery key yields: the envelope KEK and the Ed25519 login key."""

    kek: bytes = field(repr=False)
    login_seed: bytes = field(repr=False)
    login_pub: bytes


def new_kdf_params(
    memory_kib: int = layout.KDF_DEFAULT[0],
    iterations: int = layout.KDF_DEFAULT[1],
    lanes: int = layout.KDF_DEFAULT[2],
    salt: bytes | None = None,
) -> wire.KdfParams:
    """Fresh KDF parameters with a random salt (default: the recommended 64 MiB, t=3, p=1)."""
    salt = crypto.random_bytes(16) if salt is None else salt
    return wire.KdfParams(memory_kib=memory_kib, iterations=iterations, lanes=lanes, salt=salt)


def check_kdf(kdf: wire.KdfParams) -> None:
    if kdf.alg != "argon2id":
        raise ProtocolError("bad_kdf", "unknown key derivation function")
    crypto.check_kdf_floor(kdf.memory_kib, kdf.iterations, kdf.lanes)


def kdf_bytes(kdf: wire.KdfParams) -> bytes:
    return layout.pack_kdf_params(kdf.memory_kib, kdf.iterations, kdf.lanes, kdf.salt)


def _login_keys(ikm: bytes, kek_label: str, login_label: str) -> LoginKeys:
    seed = crypto.hkdf(ikm, login_label)
    return LoginKeys(crypto.hkdf(ikm, kek_label), seed, crypto.ed25519_public(seed))


def derive_passphrase_keys(passphrase: str, kdf: wire.KdfParams) -> LoginKeys:
    """Checks the floor before any Argon2id work (raises DowngradeError)."""
    check_kdf(kdf)
    prk = crypto.argon2id(passphrase, kdf.memory_kib, kdf.iterations, kdf.lanes, kdf.salt)
    return _login_keys(prk, "pw_kek", "pw_login")


def derive_recovery_keys(recovery_key: bytes) -> LoginKeys:
    """The recovery key is 128 random bits, so HKDF suffices: there is nothing to stretch."""
    if len(recovery_key) != 16:
        raise ProtocolError("bad_recovery_key", "recovery key must be 16 bytes")
    return _login_keys(recovery_key, "rk_kek", "rk_login")


# ---------------------------------------------------------------- recovery key text


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(CROCKFORD)} | {"O": 0, "I": 1, "L": 1}
_RK_CHARS = 29  # 18 bytes = 144 bits -> 29 symbols of 5 bits, the last bit zero
_RK_GROUPS = (5, 5, 5, 5, 5, 4)


def format_recovery_key(raw16: bytes) -> str:
    """Crockford base32 of the key and a 2-byte SHA-256 checksum, as XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXX."""
    if len(raw16) != 16:
        raise ProtocolError("bad_recovery_key", "recovery key must be 16 bytes")
    data = raw16 + crypto.sha256(raw16)[:2]
    number = int.from_bytes(data, "big") << 1
    chars = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(_RK_CHARS)))
    groups, start = [], 0
    for size in _RK_GROUPS:
        groups.append(chars[start : start + size])
        start += size
    return "-".join(groups)


def parse_recovery_key(text: str) -> bytes:
    """Case-insensitive, ignores spaces and dashes, reads O as 0 and I/L as 1; a typo fails the checksum."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    if len(cleaned) != _RK_CHARS or any(ch not in _DECODE for ch in cleaned):
        raise ProtocolError("bad_recovery_key", "recovery key is malformed")
    number = 0
    for ch in cleaned:
        number = (number << 5) | _DECODE[ch]
    data = (number >> 1).to_bytes(18, "big")
    if number & 1 or crypto.sha256(data[:16])[:2] != data[16:]:
        raise ProtocolError("bad_recovery_key", "recovery key has a typo")
    return data[:16]


# ---------------------------------------------------------------- account secrets and envelopes


@dataclass(frozen=True, slots=True)
class AccountSecrets:
    """Everything an unlocked device holds. repr hides the secrets so they never reach a log."""

    user_id: bytes
    handle: str
    role: str
    account_key: bytes = field(repr=False)
    sig_seed: bytes = field(repr=False)
    kem_seed: bytes = field(repr=False)

    @property
    def kwk(self) -> bytes:
        return crypto.hkdf(self.account_key, "ak_kwk")

    @property
    def idwk(self) -> bytes:
        return crypto.hkdf(self.account_key, "ak_idwk")

    @property
    def sig_pub(self) -> bytes:
        return crypto.ed25519_public(self.sig_seed)

    @property
    def kem_pub(self) -> bytes:
        return crypto.x25519_public(self.kem_seed)


def seal_pw_envelope(
    kek: bytes, user_id: bytes, kdf: wire.KdfParams, account_key: bytes, nonce: bytes | None = None
) -> bytes:
    # The KDF parameters are in the AAD: a server that swaps them breaks the envelope instead of weakening it.
    return crypto.aead_seal(kek, account_key, layout.LABELS["env_pw"] + user_id + kdf_bytes(kdf), nonce)


def open_pw_envelope(kek: bytes, user_id: bytes, kdf: wire.KdfParams, envelope: bytes) -> bytes:
    return crypto.aead_open(kek, envelope, layout.LABELS["env_pw"] + user_id + kdf_bytes(kdf))


def seal_rk_envelope(kek: bytes, user_id: bytes, account_key: bytes, nonce: bytes | None = None) -> bytes:
    return crypto.aead_seal(kek, account_key, layout.LABELS["env_rk"] + user_id, nonce)


def open_rk_envelope(kek: bytes, user_id: bytes, envelope: bytes) -> bytes:
    return crypto.aead_open(kek, envelope, layout.LABELS["env_rk"] + user_id)


def seal_id_wrap(idwk: bytes, user_id: bytes, sig_seed: bytes, kem_seed: bytes, nonce: bytes | None = None) -> bytes:
    return crypto.aead_seal(idwk, sig_seed + kem_seed, layout.LABELS["id"] + user_id, nonce)


def open_id_wrap(idwk: bytes, user_id: bytes, wrapped: bytes) -> tuple[bytes, bytes]:
    seeds = crypto.aead_open(idwk, wrapped, layout.LABELS["id"] + user_id)
    if len(seeds) != 64:
        raise CryptoError(detail="decryption failed")
    return seeds[:32], seeds[32:]


# ---------------------------------------------------------------- key bundles


def make_bundle(secrets: AccountSecrets) -> wire.KeyBundle:
    body = layout.bundle_body(
        secrets.user_id, secrets.handle, ROLE_CODES[secrets.role], secrets.sig_pub, secrets.kem_pub
    )
    role = cast(wire.Role, secrets.role)  # ROLE_CODES just refused any other
    return wire.KeyBundle(
        user_id=uuid.UUID(bytes=secrets.user_id),
        handle=secrets.handle,
        role=role,
        sig_pub=secrets.sig_pub,
        kem_pub=secrets.kem_pub,
        signature=crypto.ed25519_sign(secrets.sig_seed, body),
    )


def verify_bundle(bundle: wire.KeyBundle) -> None:
    """Self-consistency only (signed by its own key, usable X25519 key); trust comes from safety numbers."""
    try:
        body = layout.bundle_body(
            bundle.user_id.bytes, bundle.handle, ROLE_CODES[bundle.role], bundle.sig_pub, bundle.kem_pub
        )
    except (ProtocolError, KeyError):
        raise CryptoError(detail="invalid key bundle") from None
    crypto.ed25519_verify(bundle.sig_pub, bundle.signature, body)
    crypto.check_x25519_public(bundle.kem_pub)


# ---------------------------------------------------------------- account creation and unlock


@dataclass(frozen=True, slots=True)
class NewAccount:
    signup_fields: dict[str, Any] = field(repr=False)
    secrets: AccountSecrets
    recovery_key: str = field(repr=False)


def new_account(handle: str, passphrase: str, role: str, kdf: wire.KdfParams | None = None) -> NewAccount:
    """All keys for a signup. `signup_fields` holds every wire.Signup field except device and invite_code."""
    if role not in ROLE_CODES:
        raise ProtocolError("bad_role", "unknown role")
    kdf = new_kdf_params() if kdf is None else kdf
    secrets = AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle=handle,
        role=role,
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )
    pw = derive_passphrase_keys(passphrase, kdf)
    recovery_raw = crypto.random_bytes(16)
    rk = derive_recovery_keys(recovery_raw)
    fields = {
        "user_id": uuid.UUID(bytes=secrets.user_id),
        "handle": handle,
        "kdf": kdf,
        "login_pub": pw.login_pub,
        "recovery_login_pub": rk.login_pub,
        "pw_envelope": seal_pw_envelope(pw.kek, secrets.user_id, kdf, secrets.account_key),
        "rk_envelope": seal_rk_envelope(rk.kek, secrets.user_id, secrets.account_key),
        "id_wrap": seal_id_wrap(secrets.idwk, secrets.user_id, secrets.sig_seed, secrets.kem_seed),
        "bundle": make_bundle(secrets),
    }
    return NewAccount(fields, secrets, format_recovery_key(recovery_raw))


def _finish_unlock(keys: wire.AccountKeys, account_key: bytes) -> AccountSecrets:
    user_id = keys.user_id.bytes
    idwk = crypto.hkdf(account_key, "ak_idwk")
    sig_seed, kem_seed = open_id_wrap(idwk, user_id, keys.id_wrap)
    secrets = AccountSecrets(
        user_id=user_id,
        handle=keys.handle,
        role=keys.role,
        account_key=account_key,
        sig_seed=sig_seed,
        kem_seed=kem_seed,
    )
    # The server hands out the bundle too: it must be ours, or the server swapped keys.
    b = keys.bundle
    if (
        b.user_id != keys.user_id
        or b.handle != keys.handle
        or b.role != keys.role
        or b.sig_pub != secrets.sig_pub
        or b.kem_pub != secrets.kem_pub
    ):
        raise CryptoError(detail=_UNLOCK_FAILED)
    verify_bundle(b)
    return secrets


def unlock_with_passphrase(keys: wire.AccountKeys, passphrase: str) -> AccountSecrets:
    """Raises DowngradeError below the KDF floor, else one generic CryptoError whatever failed."""
    return unlock_with_login_keys(keys, derive_passphrase_keys(passphrase, keys.kdf))


def unlock_with_login_keys(keys: wire.AccountKeys, login: LoginKeys) -> AccountSecrets:
    """As unlock_with_passphrase, from keys already derived under exactly `keys.kdf` (a sign-in derives them from
    prelogin's parameters, which must equal these): one generic CryptoError whatever failed."""
    try:
        account_key = open_pw_envelope(login.kek, keys.user_id.bytes, keys.kdf, keys.pw_envelope)
        return _finish_unlock(keys, account_key)
    except CryptoError:
        raise CryptoError(detail=_UNLOCK_FAILED) from None


def unlock_with_recovery(keys: wire.AccountKeys, recovery_text: str) -> AccountSecrets:
    """A typo in the text raises ProtocolError (local checksum); anything else one generic CryptoError."""
    login = derive_recovery_keys(parse_recovery_key(recovery_text))
    try:
        account_key = open_rk_envelope(login.kek, keys.user_id.bytes, keys.rk_envelope)
        return _finish_unlock(keys, account_key)
    except CryptoError:
        raise CryptoError(detail=_UNLOCK_FAILED) from None


def rewrap_passphrase(
    secrets: AccountSecrets, passphrase: str, kdf: wire.KdfParams | None = None
) -> tuple[wire.KdfParams, bytes, bytes]:
    """New (kdf, login_pub, pw_envelope) for a passphrase change or a KDF upgrade; AK is unchanged."""
    kdf = new_kdf_params() if kdf is None else kdf
    login = derive_passphrase_keys(passphrase, kdf)
    return kdf, login.login_pub, seal_pw_envelope(login.kek, secrets.user_id, kdf, secrets.account_key)


def passphrase_change_bound(kdf: wire.KdfParams, login_pub: bytes, pw_envelope: bytes) -> bytes:
    """What a change-passphrase signature binds: the new material exactly as the server will store it."""
    return layout.passphrase_change_bound(login_pub, kdf_bytes(kdf), pw_envelope)


# ---------------------------------------------------------------- auth signatures


def sign_auth(
    seed: bytes, origin: str, handle: str, challenge_id: bytes, challenge: bytes, action: str, bound: bytes = b""
) -> bytes:
    return crypto.ed25519_sign(seed, layout.auth_transcript(origin, handle, challenge_id, challenge, action, bound))


def verify_auth(
    public: bytes,
    signature: bytes,
    origin: str,
    handle: str,
    challenge_id: bytes,
    challenge: bytes,
    action: str,
    bound: bytes = b"",
) -> None:
    try:
        transcript = layout.auth_transcript(origin, handle, challenge_id, challenge, action, bound)
    except ProtocolError:
        raise CryptoError(detail="signature verification failed") from None
    crypto.ed25519_verify(public, signature, transcript)
