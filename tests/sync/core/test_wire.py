"""Tests of sync/core/wire.py: how the wire types travel (bytes as standard base64, ids as UUID text) and the limits
they hold the server's requests and answers to (the server's own refusals: tests/server/test_bad_input.py)."""

from __future__ import annotations

import base64
import json
import uuid

import msgspec
import pytest

from between.sync.core import crypto, keys, wire


def _bundle() -> wire.KeyBundle:
    return keys.make_bundle(
        keys.AccountSecrets(
            user_id=uuid.uuid4().bytes,
            handle="dr.lee",
            role="therapist",
            account_key=crypto.random_bytes(32),
            sig_seed=crypto.random_bytes(32),
            kem_seed=crypto.random_bytes(32),
        )
    )


def test_bytes_travel_as_standard_base64_and_ids_as_uuid_text():
    bundle = _bundle()
    text = json.loads(wire.encode(bundle))
    assert text["user_id"] == str(bundle.user_id)
    assert base64.b64decode(text["sig_pub"], validate=True) == bundle.sig_pub
    assert msgspec.json.decode(wire.encode(bundle), type=wire.KeyBundle) == bundle


def test_a_field_the_type_does_not_have_is_refused():
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"handle": "alice", "extra": 1}', type=wire.Prelogin)


@pytest.mark.parametrize("handle", ["alice", "dr.lee", "a-b_c.9", "x" * 64])
def test_handles_that_are_accepted(handle):
    assert msgspec.convert({"handle": handle}, wire.Prelogin).handle == handle


@pytest.mark.parametrize("handle", ["al", "Alice", "-alice", "alice\n", "ali ce", "x" * 65, "alïce"])
def test_handles_that_are_refused(handle):
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"handle": handle}, wire.Prelogin)


@pytest.mark.parametrize("name", ["line\nbreak", "bell\x07", "\u202eevil", "a\u2066b", ""])
def test_a_device_name_cannot_hide_or_reorder_text(name):
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(
            {"device_id": str(uuid.uuid4()), "name": name, "sig_pub": base64.b64encode(bytes(32)).decode()},
            wire.DeviceKey,
        )


def test_keys_and_signatures_have_their_exact_lengths():
    good = msgspec.to_builtins(_bundle())
    assert msgspec.convert(good, wire.KeyBundle, strict=False).handle == "dr.lee"
    for field, size in (("sig_pub", 31), ("kem_pub", 33), ("signature", 63)):
        bad = dict(good, **{field: base64.b64encode(bytes(size)).decode()})
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(bad, wire.KeyBundle, strict=False)
