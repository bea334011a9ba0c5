"""Tests of sync/core/keys.py: account creation and unlock, envelopes, bundles, auth signatures, recovery-key text."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from between.sync.core import crypto, keys, layout, wire
from between.sync.core.errors import CryptoError, DowngradeError, ProtocolError

FLOOR = dict(memory_kib=layout.KDF_FLOOR_MEMORY_KIB, iterations=layout.KDF_FLOOR_ITERATIONS, lanes=1)
PASSPHRASE = "blue kettle sings at dawn"


@pytest.fixture(scope="module")
def account() -> keys.NewAccount:
    return keys.new_account("alice", PASSPHRASE, "client", keys.new_kdf_params(**FLOOR))


def account_keys(new: keys.NewAccount, **changes) -> wire.AccountKeys:
    f = new.signup_fields
    values = dict(
        user_id=f["user_id"],
        handle=f["handle"],
        role=new.secrets.role,
        kdf=f["kdf"],
        pw_envelope=f["pw_envelope"],
        rk_envelope=f["rk_envelope"],
        id_wrap=f["id_wrap"],
        bundle=f["bundle"],
    )
    return wire.AccountKeys(**(values | changes))


def flip(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_signup_fields_make_a_valid_signup(account: keys.NewAccount) -> None:
    device = wire.DeviceKey(device_id=uuid.uuid4(), name="phone", sig_pub=crypto.ed25519_public(bytes(32)))
    signup = wire.Signup(**account.signup_fields, device=device)
    decoded = msgspec.json.decode(wire.encode(signup), type=wire.Signup)
    assert decoded == signup
    keys.verify_bundle(decoded.bundle)
    assert decoded.login_pub != decoded.recovery_login_pub


def test_secrets_never_appear_in_repr(account: keys.NewAccount) -> None:
    s = account.secrets
    text = repr(account) + repr(s) + repr(keys.derive_recovery_keys(bytes(16)))
    for secret in (s.account_key, s.sig_seed, s.kem_seed):
        assert secret.hex() not in text and repr(secret) not in text
    assert account.recovery_key not in text and PASSPHRASE not in text


def test_unlock_with_passphrase_and_recovery_key(account: keys.NewAccount) -> None:
    ak = account_keys(account)
    assert keys.unlock_with_passphrase(ak, PASSPHRASE) == account.secrets
    messy = "  " + account.recovery_key.lower().replace("-", " ") + " "
    assert keys.unlock_with_recovery(ak, messy) == account.secrets


def test_wrong_passphrase_and_corrupt_envelope_fail_identically(account: keys.NewAccount) -> None:
    ak = account_keys(account)
    errors = []
    for candidate, envelope in (
        ("blue kettle sings at dusk", ak.pw_envelope),
        (PASSPHRASE, flip(ak.pw_envelope, 20)),
        (PASSPHRASE, ak.pw_envelope[:-1]),
    ):
        with pytest.raises(CryptoError) as info:
            keys.unlock_with_passphrase(account_keys(account, pw_envelope=envelope), candidate)
        errors.append((type(info.value), info.value.code, str(info.value)))
    assert len(set(errors)) == 1


def test_unlock_detects_a_swapped_bundle_or_id_wrap(account: keys.NewAccount) -> None:
    other = keys.new_account("mallory", "x" * 20, "client", keys.new_kdf_params(**FLOOR))
    swapped_bundle = msgspec.structs.replace(
        other.signup_fields["bundle"], user_id=account.signup_fields["user_id"], handle="alice"
    )
    # Self-consistent: signed by mallory's key, naming alice, carrying alice's own X25519 key.
    mine = account.secrets
    signed_by_another = keys.make_bundle(
        keys.AccountSecrets(
            user_id=mine.user_id,
            handle=mine.handle,
            role=mine.role,
            account_key=bytes(32),
            sig_seed=other.secrets.sig_seed,
            kem_seed=mine.kem_seed,
        )
    )
    keys.verify_bundle(signed_by_another)
    for changes in (
        {"bundle": swapped_bundle},
        {"id_wrap": other.signup_fields["id_wrap"]},
        {"role": "therapist"},
        {"id_wrap": flip(account.signup_fields["id_wrap"], 30)},
        {"bundle": signed_by_another},
        {"handle": "alice2"},
    ):
        with pytest.raises(CryptoError):
            keys.unlock_with_passphrase(account_keys(account, **changes), PASSPHRASE)


def test_changed_kdf_params_break_the_envelope(account: keys.NewAccount) -> None:
    kdf = account.signup_fields["kdf"]
    higher = msgspec.structs.replace(kdf, iterations=kdf.iterations + 1)
    with pytest.raises(CryptoError):
        keys.unlock_with_passphrase(account_keys(account, kdf=higher), PASSPHRASE)


def test_only_argon2id_is_accepted_as_the_kdf() -> None:
    """check_kdf: the wire decoder refuses another `alg` too, but a KdfParams built in code reaches this check alone;
    its costs are well above the floor."""
    other = wire.KdfParams(alg="scrypt", memory_kib=65536, iterations=3, lanes=1, salt=bytes(16))  # type: ignore[arg-type]
    with pytest.raises(ProtocolError):
        keys.check_kdf(other)
    keys.check_kdf(msgspec.structs.replace(other, alg="argon2id"))


# Each below the floor in one parameter, and each one Argon2id itself refuses with a ValueError: a DowngradeError
# can only come from the floor check having run before any Argon2id work.
NOT_EVEN_ARGON2ID = [(4, 2, 1), (19456, 0, 1), (65536, 3, 0)]


@pytest.mark.parametrize("memory,iterations,lanes", NOT_EVEN_ARGON2ID)
def test_kdf_below_floor_is_refused_before_any_argon2id_work(
    account: keys.NewAccount, memory: int, iterations: int, lanes: int
) -> None:
    with pytest.raises(ValueError):  # what Argon2id would say, had it been asked
        crypto.argon2id(PASSPHRASE, memory, iterations, lanes, bytes(16))
    weak = wire.KdfParams(memory_kib=memory, iterations=iterations, lanes=lanes, salt=bytes(16))
    with pytest.raises(DowngradeError):
        keys.unlock_with_passphrase(account_keys(account, kdf=weak), PASSPHRASE)
    with pytest.raises(DowngradeError):
        keys.derive_passphrase_keys(PASSPHRASE, weak)
    with pytest.raises(DowngradeError):
        keys.new_account("bob", PASSPHRASE, "client", weak)


def test_rk_envelope_and_id_wrap_reject_every_flipped_byte(account: keys.NewAccount) -> None:
    s = account.secrets
    rk = keys.derive_recovery_keys(keys.parse_recovery_key(account.recovery_key))
    env = account.signup_fields["rk_envelope"]
    assert keys.open_rk_envelope(rk.kek, s.user_id, env) == s.account_key
    for i in range(len(env)):
        with pytest.raises(CryptoError):
            keys.open_rk_envelope(rk.kek, s.user_id, flip(env, i))
    wrap = account.signup_fields["id_wrap"]
    for i in range(len(wrap)):
        with pytest.raises(CryptoError):
            keys.open_id_wrap(s.idwk, s.user_id, flip(wrap, i))
    with pytest.raises(CryptoError):
        keys.open_id_wrap(s.idwk, uuid.uuid4().bytes, wrap)


def test_pw_envelope_rejects_every_flipped_byte(account: keys.NewAccount) -> None:
    kdf = account.signup_fields["kdf"]
    login = keys.derive_passphrase_keys(PASSPHRASE, kdf)
    env, user_id = account.signup_fields["pw_envelope"], account.secrets.user_id
    assert keys.open_pw_envelope(login.kek, user_id, kdf, env) == account.secrets.account_key
    for i in range(len(env)):
        with pytest.raises(CryptoError):
            keys.open_pw_envelope(login.kek, user_id, kdf, flip(env, i))


def test_rewrap_passphrase_keeps_the_account_key(account: keys.NewAccount) -> None:
    kdf, login_pub, envelope = keys.rewrap_passphrase(
        account.secrets, "a new long passphrase", keys.new_kdf_params(**FLOOR)
    )
    ak = account_keys(account, kdf=kdf, pw_envelope=envelope)
    assert keys.unlock_with_passphrase(ak, "a new long passphrase") == account.secrets
    assert login_pub == keys.derive_passphrase_keys("a new long passphrase", kdf).login_pub
    with pytest.raises(CryptoError):
        keys.unlock_with_passphrase(ak, PASSPHRASE)


def test_bundle_verification(account: keys.NewAccount) -> None:
    bundle = keys.make_bundle(account.secrets)
    keys.verify_bundle(bundle)
    tampered = [
        msgspec.structs.replace(bundle, handle="alicf"),
        msgspec.structs.replace(bundle, role="therapist"),
        msgspec.structs.replace(bundle, user_id=uuid.uuid4()),
        msgspec.structs.replace(bundle, kem_pub=crypto.x25519_public(bytes(32))),
        msgspec.structs.replace(bundle, signature=flip(bundle.signature, 0)),
    ]
    for bad in tampered:
        with pytest.raises(CryptoError):
            keys.verify_bundle(bad)


def test_bundle_with_low_order_kem_key_is_rejected(account: keys.NewAccount) -> None:
    s = account.secrets
    body = layout.bundle_body(s.user_id, s.handle, layout.ROLE_CLIENT, s.sig_pub, bytes(32))
    bundle = msgspec.structs.replace(
        keys.make_bundle(s), kem_pub=bytes(32), signature=crypto.ed25519_sign(s.sig_seed, body)
    )
    with pytest.raises(CryptoError):
        keys.verify_bundle(bundle)


def test_auth_signature_binds_every_field() -> None:
    seed = crypto.random_bytes(32)
    public = crypto.ed25519_public(seed)
    args = ("https://between.example", "alice", bytes(range(16)), bytes(range(32)), "login", b"device key")
    sig = keys.sign_auth(seed, *args)
    keys.verify_auth(public, sig, *args)
    variants = [
        ("https://evil.example", *args[1:]),
        (args[0], "alicf", *args[2:]),
        (*args[:2], bytes(16), *args[3:]),
        (*args[:3], bytes(32), *args[4:]),
        (*args[:4], "recover", args[5]),
        (*args[:5], b"other device"),
        (*args[:3], b"short", *args[4:]),
    ]
    for variant in variants:
        with pytest.raises(CryptoError):
            keys.verify_auth(public, sig, *variant)


def test_recovery_key_text_round_trip_and_shape() -> None:
    for raw in (bytes(16), b"\xff" * 16, crypto.random_bytes(16)):
        text = keys.format_recovery_key(raw)
        assert [len(g) for g in text.split("-")] == [5, 5, 5, 5, 5, 4]
        assert set(text) <= set(keys.CROCKFORD + "-")
        assert keys.parse_recovery_key(text) == raw
        assert keys.parse_recovery_key(text.lower().replace("0", "o").replace("1", "l")) == raw


def test_every_single_character_typo_is_detected() -> None:
    raw = bytes.fromhex("f1f48e692f333c983fb9e340a0cc3c4b")
    compact = keys.format_recovery_key(raw).replace("-", "")
    missed = []
    for i, original in enumerate(compact):
        for ch in keys.CROCKFORD:
            if ch == original:
                continue
            typo = compact[:i] + ch + compact[i + 1 :]
            try:
                keys.parse_recovery_key(typo)
                missed.append(typo)
            except ProtocolError:
                pass
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            with pytest.raises(ProtocolError):
                keys.parse_recovery_key(swapped)
    assert missed == []


@pytest.mark.parametrize("text", ["", "ABC", "U" * 29, "Y7T8W-T9F6C-Y9GFX-SWD0A-1K1W9-C27E0"])
def test_malformed_recovery_key_text(text: str) -> None:
    with pytest.raises(ProtocolError):
        keys.parse_recovery_key(text)


def test_recovery_typo_surfaces_as_protocol_error_on_unlock(account: keys.NewAccount) -> None:
    text = account.recovery_key
    typo = ("0" if text[0] != "0" else "1") + text[1:]
    with pytest.raises(ProtocolError):
        keys.unlock_with_recovery(account_keys(account), typo)


def test_new_account_refuses_unknown_role() -> None:
    with pytest.raises(ProtocolError):
        keys.new_account("alice", PASSPHRASE, "admin", keys.new_kdf_params(**FLOOR))
