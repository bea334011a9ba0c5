"""Primitives of protocol bt1 over `cryptography`: Argon2id, HKDF, AES-GCM, Ed25519, X25519, HPKE, padding."""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import unicodedata
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import layout
from .errors import CryptoError, DowngradeError, ProtocolError

NONCE_LEN = 12
TAG_LEN = 16
KEY_LEN = 32


def random_bytes(n: int) -> bytes:
    return os.urandom(n)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------- KDFs


def normalize_passphrase(passphrase: str) -> bytes:
    """NFKC then UTF-8, so the same passphrase typed on any keyboard or OS derives the same key."""
    return unicodedata.normalize("NFKC", passphrase).encode("utf-8")


def check_kdf_floor(memory_kib: int, iterations: int, lanes: int) -> None:
    """Refuse parameters weaker than the floor: a server must not be able to talk a client into a cheap KDF."""
    if memory_kib < layout.KDF_FLOOR_MEMORY_KIB or iterations < layout.KDF_FLOOR_ITERATIONS or lanes < 1:
        raise DowngradeError(detail="key derivation parameters are below the accepted minimum")


def argon2id(passphrase: str, memory_kib: int, iterations: int, lanes: int, salt: bytes) -> bytes:
    """Argon2id v1.3, 32-byte output. Does not enforce the floor: callers that take parameters
    from a server call check_kdf_floor first."""
    if len(salt) != 16:
        raise ProtocolError("bad_kdf", "salt must be 16 bytes")
    kdf = Argon2id(salt=salt, length=KEY_LEN, iterations=iterations, lanes=lanes, memory_cost=memory_kib)
    return kdf.derive(normalize_passphrase(passphrase))


def hkdf(ikm: bytes, label: str, context: bytes = b"", length: int = KEY_LEN) -> bytes:
    """HKDF-SHA256 with an explicit all-zero salt; info = the label's bytes followed by the context."""
    try:
        info = layout.LABELS[label] + context
    except KeyError:
        raise ProtocolError("bad_label", "unknown HKDF label") from None
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=layout.ZERO32, info=info).derive(ikm)


# ---------------------------------------------------------------- AES-256-GCM


def gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-GCM ciphertext followed by the 16-byte tag; the nonce is the caller's to store."""
    if len(nonce) != NONCE_LEN:
        raise ProtocolError("bad_nonce", "nonce must be 12 bytes")
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def gcm_decrypt(key: bytes, nonce: bytes, ct: bytes, aad: bytes) -> bytes:
    if len(nonce) != NONCE_LEN or len(ct) < TAG_LEN or len(key) not in (16, 32):
        raise CryptoError(detail="decryption failed")
    try:
        return AESGCM(key).decrypt(nonce, ct, aad)
    except InvalidTag:
        raise CryptoError(detail="decryption failed") from None


def aead_seal(key: bytes, plaintext: bytes, aad: bytes, nonce: bytes | None = None) -> bytes:
    """AES-256-GCM with a random 12-byte nonce; returns nonce || ciphertext || tag."""
    if len(key) != KEY_LEN:
        raise ProtocolError("bad_key", "AES-256-GCM key must be 32 bytes")
    nonce = random_bytes(NONCE_LEN) if nonce is None else nonce
    return nonce + gcm_encrypt(key, nonce, plaintext, aad)


def aead_open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(key) != KEY_LEN or len(blob) < NONCE_LEN + TAG_LEN:
        raise CryptoError(detail="decryption failed")
    return gcm_decrypt(key, blob[:NONCE_LEN], blob[NONCE_LEN:], aad)


# ---------------------------------------------------------------- Ed25519 and X25519 from 32-byte seeds


# Encodings (canonical and not) of the eight small-order Edwards points. OpenSSL verifies signatures under
# them, and under the identity a single signature matches every message, so such keys (and such an R) are refused.
ED25519_SMALL_ORDER = frozenset(
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )
)


def ed25519_public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


# Ed25519's prime-order subgroup size and field prime (RFC 8032 5.1).
ED25519_L = 2**252 + 27742317777372353535851937790883648493
_P = 2**255 - 19


def ed25519_canonical(encoding: bytes) -> bool:
    """A point encoding as RFC 8032 5.1.3 decodes it: y below p, and no sign bit on x = 0 (y = 1 or p - 1)."""
    n = int.from_bytes(encoding, "little")
    y = n & ((1 << 255) - 1)
    return y < _P and not (n >> 255 and y in (1, _P - 1))


def ed25519_strict(public: bytes, signature: bytes) -> bool:
    """bt1's rules before the library runs (PROTOCOL.md section 1): S < L, A and R canonical and not of small
    order. OpenSSL and BoringSSL already refuse S >= L and a non-canonical R, and verify cofactorless, but both
    accept small-order and non-canonical keys; checking all of it here keeps every verifier of bt1 identical."""
    r = signature[:32]
    return (
        int.from_bytes(signature[32:], "little") < ED25519_L
        and ed25519_canonical(public)
        and public not in ED25519_SMALL_ORDER
        and ed25519_canonical(r)
        and r not in ED25519_SMALL_ORDER
    )


def ed25519_verify(public: bytes, signature: bytes, message: bytes) -> None:
    if len(public) != 32 or len(signature) != 64 or not ed25519_strict(public, signature):
        raise CryptoError(detail="signature verification failed")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise CryptoError(detail="signature verification failed") from None


def x25519_public(seed: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def x25519(seed: bytes, peer_public: bytes) -> bytes:
    """Raw Diffie-Hellman; a low-order or malformed peer key (all-zero shared secret) is refused."""
    if len(peer_public) != 32:
        raise CryptoError(detail="invalid public key")
    try:
        return X25519PrivateKey.from_private_bytes(seed).exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError:
        raise CryptoError(detail="invalid public key") from None


def check_x25519_public(public: bytes) -> None:
    """Raise CryptoError for a key no one could use: every clamped scalar maps a low-order point to zero."""
    x25519(b"\x01" * 32, public)


# ---------------------------------------------------------------- HPKE (RFC 9180) base mode


# DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM; RFC 9180 section 7.1 identifiers.
_KEM_SUITE = b"KEM" + struct.pack(">H", 0x0020)
_HPKE_SUITE = b"HPKE" + layout.HPKE_SUITE_ID
_HPKE_V1 = b"HPKE-v1"


def _extract(salt: bytes, ikm: bytes) -> bytes:
    # HMAC zero-pads keys, so an empty salt equals 32 zero bytes, as RFC 5869 specifies.
    return hmac.digest(salt, ikm, "sha256")


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), "sha256")
        out += block
        counter += 1
    return out[:length]


def _labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, _HPKE_V1 + suite + label + ikm)


def _labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, struct.pack(">H", length) + _HPKE_V1 + suite + label + info, length)


@dataclass(frozen=True, slots=True)
class HpkeContext:
    """The sender's single-shot base-mode context; only sequence number 0 is ever used."""

    enc: bytes
    shared_secret: bytes = field(repr=False)
    key: bytes = field(repr=False)
    base_nonce: bytes = field(repr=False)


def _key_schedule(enc: bytes, recipient_pub: bytes, dh: bytes, info: bytes) -> HpkeContext:
    eae_prk = _labeled_extract(_KEM_SUITE, b"", b"eae_prk", dh)
    shared_secret = _labeled_expand(_KEM_SUITE, eae_prk, b"shared_secret", enc + recipient_pub, 32)
    context = (
        b"\x00"
        + _labeled_extract(_HPKE_SUITE, b"", b"psk_id_hash", b"")
        + _labeled_extract(_HPKE_SUITE, b"", b"info_hash", info)
    )
    secret = _labeled_extract(_HPKE_SUITE, shared_secret, b"secret", b"")
    key = _labeled_expand(_HPKE_SUITE, secret, b"key", context, 16)
    base_nonce = _labeled_expand(_HPKE_SUITE, secret, b"base_nonce", context, NONCE_LEN)
    return HpkeContext(enc, shared_secret, key, base_nonce)


def hpke_setup_sender(recipient_pub: bytes, info: bytes, ephemeral_seed: bytes | None = None) -> HpkeContext:
    """SetupBaseS; an explicit ephemeral seed exists for test vectors only."""
    ephemeral_seed = random_bytes(32) if ephemeral_seed is None else ephemeral_seed
    enc = x25519_public(ephemeral_seed)
    return _key_schedule(enc, recipient_pub, x25519(ephemeral_seed, recipient_pub), info)


def hpke_setup_receiver(recipient_seed: bytes, enc: bytes, info: bytes) -> HpkeContext:
    return _key_schedule(enc, x25519_public(recipient_seed), x25519(recipient_seed, enc), info)


def hpke_seal(recipient_pub: bytes, info: bytes, plaintext: bytes, ephemeral_seed: bytes | None = None) -> bytes:
    """Single-shot HPKE seal with empty aad (all context goes into info); returns enc || ct."""
    ctx = hpke_setup_sender(recipient_pub, info, ephemeral_seed)
    return ctx.enc + gcm_encrypt(ctx.key, ctx.base_nonce, plaintext, b"")


def hpke_open(recipient_seed: bytes, info: bytes, sealed: bytes) -> bytes:
    if len(sealed) < 32 + TAG_LEN:
        raise CryptoError(detail="decryption failed")
    ctx = hpke_setup_receiver(recipient_seed, sealed[:32], info)
    return gcm_decrypt(ctx.key, ctx.base_nonce, sealed[32:], b"")


# ---------------------------------------------------------------- padding


PAD_SMALL_LIMIT = 16 * 1024
PAD_BLOCK = 1024


def _padme(length: int) -> int:
    """PADMÉ (Nikitin et al., PoPETs 2019): round up so that at most O(log log L) bits leak."""
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def padded_length(length: int) -> int:
    """Next multiple of 1 KiB strictly above L below 16 KiB, PADMÉ(L + 1) from there: at least one pad byte."""
    if length < PAD_SMALL_LIMIT:
        return (length | (PAD_BLOCK - 1)) + 1
    return _padme(length + 1)


def pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4: 0x80 then zeros, up to padded_length(len(data))."""
    return data + b"\x80" + bytes(padded_length(len(data)) - len(data) - 1)


def unpad(data: bytes) -> bytes:
    """Strict inverse of pad: the marker, zeros only after it, and exactly the canonical length."""
    end = len(data.rstrip(b"\x00")) - 1
    if end < 0 or data[end] != 0x80 or padded_length(end) != len(data):
        raise CryptoError(detail="decryption failed")
    return data[:end]
