"""Tests of sync/core/safety.py: safety numbers, key fingerprints and invite links."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from between.sync.core import crypto, keys, safety
from between.sync.core.errors import CryptoError, ProtocolError


def bundle(handle: str, role: str = "client") -> object:
    return keys.make_bundle(
        keys.AccountSecrets(
            user_id=uuid.uuid4().bytes,
            handle=handle,
            role=role,
            account_key=crypto.random_bytes(32),
            sig_seed=crypto.random_bytes(32),
            kem_seed=crypto.random_bytes(32),
        )
    )


A, B = bundle("alice"), bundle("dr.theo", "therapist")


def test_libsignal_vector() -> None:
    alice = bytes.fromhex("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868")
    bob = bytes.fromhex("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b")
    halves = (safety.displayable_half(alice, b"+14152222222"), safety.displayable_half(bob, b"+14153333333"))
    assert safety.combine_halves(*halves) == "300354477692869396892869876765458257569162576843440918079131"
    assert safety.combine_halves(*reversed(halves)) == safety.combine_halves(*halves)


def test_safety_number_is_symmetric_and_sixty_digits() -> None:
    number = safety.safety_number(A, B)
    assert number == safety.safety_number(B, A)
    assert len(number) == 60 and number.isdigit()
    assert safety.format_safety_number(number).count(" ") == 11


def test_safety_number_changes_with_either_key_or_id() -> None:
    number = safety.safety_number(A, B)
    other_key = msgspec.structs.replace(B, sig_pub=crypto.ed25519_public(crypto.random_bytes(32)))
    other_id = msgspec.structs.replace(B, user_id=uuid.uuid4())
    assert safety.safety_number(A, other_key) != number
    assert safety.safety_number(A, other_id) != number
    # The handle is not part of it: renaming doesn't invalidate a verification; the key does.
    assert safety.safety_number(A, msgspec.structs.replace(B, handle="theo2")) == number


def test_key_fingerprint_shape_and_binding() -> None:
    fp = safety.key_fingerprint(B)
    assert len(fp) == 22 and "=" not in fp and "+" not in fp and "/" not in fp
    safety.check_key_fingerprint(B, fp)
    with pytest.raises(CryptoError):
        safety.check_key_fingerprint(A, fp)
    with pytest.raises(CryptoError):
        safety.check_key_fingerprint(B, fp[:-1] + ("A" if fp[-1] != "A" else "B"))


SECRET = bytes(range(16))


def test_invite_url_round_trip() -> None:
    url = safety.invite_url("https://between.example/", "tok_123-abc-0123456789", B, SECRET)
    assert url.startswith("https://between.example/invite#v=2&t=tok_123-abc-0123456789&fp=")
    link = safety.parse_invite_url(url)
    assert link == safety.InviteLink(
        "https://between.example", "tok_123-abc-0123456789", safety.key_fingerprint(B), "dr.theo", SECRET
    )
    safety.check_key_fingerprint(B, link.fingerprint)


def test_invite_url_under_a_path_prefix() -> None:
    link = safety.parse_invite_url(
        safety.invite_url("https://host.example:8443/between", "t0k-0123456789abcdef", B, SECRET)
    )
    assert link.origin == "https://host.example:8443/between"


def test_an_invitation_secret_must_be_16_bytes() -> None:
    with pytest.raises(ProtocolError):
        safety.invite_url("https://between.example", "t0k-0123456789abcdef", B, SECRET[:15])


@pytest.mark.parametrize(
    "url",
    [
        "https://between.example/invite?v=2&t=x&fp=y&h=z",
        "https://between.example/invite#v=1&t=x&fp=y&h=z",
        "https://between.example/invite#v=2&t=x&h=z",
        "https://between.example/join#v=2&t=x&fp=y&h=z",
        "https://between.example/invite#v=2&t=x&t=y&fp=y&h=z",
        "not a url",
    ],
)
def test_bad_invite_urls(url: str) -> None:
    with pytest.raises(ProtocolError):
        safety.parse_invite_url(url)
