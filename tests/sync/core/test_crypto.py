"""Tests of the primitives in sync/core/crypto.py: interop with pyca's HPKE, padding, floors, failure modes."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from between.sync.core import crypto, layout
from between.sync.core.errors import CryptoError, DowngradeError, ProtocolError

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
LOW_ORDER = [
    bytes(32),
    bytes([1]) + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
]


def test_hpke_sealed_by_us_opens_with_pyca() -> None:
    seed = crypto.random_bytes(32)
    sealed = crypto.hpke_seal(crypto.x25519_public(seed), b"grant body", b"a record key of 32 bytes........")
    opened = SUITE.decrypt(sealed, X25519PrivateKey.from_private_bytes(seed), info=b"grant body")
    assert opened == b"a record key of 32 bytes........"


def test_hpke_sealed_by_pyca_opens_with_us() -> None:
    key = X25519PrivateKey.generate()
    sealed = SUITE.encrypt(b"dek", key.public_key(), info=b"info")
    assert crypto.hpke_open(key.private_bytes_raw(), b"info", sealed) == b"dek"


def test_hpke_open_refuses_other_info_and_other_key() -> None:
    seed = crypto.random_bytes(32)
    sealed = crypto.hpke_seal(crypto.x25519_public(seed), b"info", b"dek")
    with pytest.raises(CryptoError):
        crypto.hpke_open(seed, b"inf0", sealed)
    with pytest.raises(CryptoError):
        crypto.hpke_open(crypto.random_bytes(32), b"info", sealed)
    with pytest.raises(CryptoError):
        crypto.hpke_open(seed, b"info", sealed[:40])


@pytest.mark.parametrize("public", LOW_ORDER, ids=lambda p: p.hex()[:8])
def test_low_order_x25519_keys_are_refused(public: bytes) -> None:
    with pytest.raises(CryptoError):
        crypto.hpke_seal(public, b"", b"dek")
    with pytest.raises(CryptoError):
        crypto.check_x25519_public(public)
    with pytest.raises(CryptoError):
        crypto.hpke_open(crypto.random_bytes(32), b"", public + bytes(16))


def test_aead_round_trip_and_nonce_prefix() -> None:
    key, nonce = crypto.random_bytes(32), bytes(range(12))
    blob = crypto.aead_seal(key, b"text", b"aad", nonce)
    assert blob[:12] == nonce and len(blob) == 12 + 4 + 16
    assert crypto.aead_open(key, blob, b"aad") == b"text"
    assert crypto.aead_seal(key, b"text", b"aad")[:12] != crypto.aead_seal(key, b"text", b"aad")[:12]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda k, b, a: (k, b, a + b"x"),
        lambda k, b, a: (bytes(32), b, a),
        lambda k, b, a: (k, b[:-1], a),
        lambda k, b, a: (k, b[:27], a),
        lambda k, b, a: (k[:16], b, a),
    ],
    ids=["aad", "key", "truncated", "too_short", "aes128_key"],
)
def test_aead_open_failures_are_crypto_errors(mutate) -> None:
    key = crypto.random_bytes(32)
    blob = crypto.aead_seal(key, b"text", b"aad")
    with pytest.raises(CryptoError) as info:
        crypto.aead_open(*mutate(key, blob, b"aad"))
    assert str(info.value) == "decryption failed"


def test_aead_seal_refuses_a_short_key() -> None:
    with pytest.raises(ProtocolError):
        crypto.aead_seal(bytes(16), b"x", b"")


def test_ed25519_verify_rejects_other_message_key_and_garbage() -> None:
    seed = crypto.random_bytes(32)
    public, sig = crypto.ed25519_public(seed), crypto.ed25519_sign(seed, b"message")
    crypto.ed25519_verify(public, sig, b"message")
    for args in (
        (public, sig, b"messagE"),
        (crypto.ed25519_public(bytes(32)), sig, b"message"),
        (public, sig[:63], b"message"),
        (public[:31], sig, b"message"),
        (bytes(32), sig, b"message"),
    ):
        with pytest.raises(CryptoError):
            crypto.ed25519_verify(*args)


def test_small_order_ed25519_keys_are_refused() -> None:
    # Under the identity point, R = identity and S = 0 is a valid signature of every message.
    universal = bytes([1]) + bytes(31) + bytes(32)
    for public in crypto.ED25519_SMALL_ORDER:
        for message in (b"login", b"delete-account"):
            with pytest.raises(CryptoError):
                crypto.ed25519_verify(public, universal, message)


def test_hkdf_separates_labels_and_contexts_and_refuses_unknown_labels() -> None:
    ikm = bytes(32)
    outputs = {crypto.hkdf(ikm, label) for label in layout.LABELS}
    assert len(outputs) == len(layout.LABELS)
    assert crypto.hkdf(ikm, "key_commit", b"a") != crypto.hkdf(ikm, "key_commit", b"b")
    assert len(crypto.hkdf(ikm, "ak_local", length=64)) == 64
    with pytest.raises(ProtocolError):
        crypto.hkdf(ikm, "tjs1/pw/kek")


def test_argon2id_normalises_the_passphrase() -> None:
    salt = bytes(16)
    nfc = crypto.argon2id("Z\u00fcrich", 19456, 2, 1, salt)
    nfd = crypto.argon2id("Zu\u0308rich", 19456, 2, 1, salt)
    assert nfc == nfd and len(nfc) == 32
    assert crypto.argon2id("\ufb01", 19456, 2, 1, salt) == crypto.argon2id("fi", 19456, 2, 1, salt)
    assert crypto.argon2id("Zurich", 19456, 2, 1, salt) != nfc


@pytest.mark.parametrize(
    "memory,iterations,lanes", [(19455, 2, 1), (19456, 1, 1), (65536, 0, 1), (65536, 3, 0), (1024, 10, 1)]
)
def test_kdf_floor_refuses_weak_parameters(memory: int, iterations: int, lanes: int) -> None:
    with pytest.raises(DowngradeError):
        crypto.check_kdf_floor(memory, iterations, lanes)


def test_kdf_floor_accepts_floor_and_default() -> None:
    crypto.check_kdf_floor(layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)
    crypto.check_kdf_floor(*layout.KDF_DEFAULT)


# Sizes written out (as padding.json does), not computed by the code under test: a wrong padded_length must not
# pass by agreeing with itself.
@pytest.mark.parametrize(
    "length,padded_length",
    [
        (0, 1024),
        (1, 1024),
        (1023, 1024),
        (1024, 2048),
        (1025, 2048),
        (16383, 16384),
        (16384, 17408),
        (16385, 17408),
        (70000, 71680),
    ],
)
def test_pad_round_trip_and_lengths(length: int, padded_length: int) -> None:
    data = bytes([0x80]) * length  # worst case: the data itself ends in the marker value
    padded = crypto.pad(data)
    assert len(padded) == padded_length
    assert crypto.unpad(padded) == data


def test_padded_length_buckets() -> None:
    assert [crypto.padded_length(n) for n in (0, 1023, 1024, 16383)] == [1024, 1024, 2048, 16384]
    # PADME above 16 KiB: at most 12% overhead, and lengths collapse into few buckets.
    assert crypto.padded_length(16384) == 17408
    for n in (20000, 100000, 1 << 20, 5_000_000):
        assert n < crypto.padded_length(n) <= n * 1.12


@pytest.mark.parametrize(
    "padded",
    [b"", bytes(1024), b"x" * 1024, b"hi\x80" + bytes(2045), b"hi\x80\x01" + bytes(1020), b"hi\x81" + bytes(1021)],
    ids=["empty", "zeros", "no_marker", "non_canonical", "junk_after", "bad_marker"],
)
def test_unpad_is_strict(padded: bytes) -> None:
    with pytest.raises(CryptoError):
        crypto.unpad(padded)


def test_random_bytes_are_fresh() -> None:
    assert len(crypto.random_bytes(16)) == 16
    assert crypto.random_bytes(32) != crypto.random_bytes(32)
