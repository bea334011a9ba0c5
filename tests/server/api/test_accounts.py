"""server/api/accounts.py over the real app. Passphrase change: the signature covers what is stored, single-use
challenges, sessions. Sign-up: the key bundle, the rules, who is admitted (a sign-up code, or a care invite once)."""

from __future__ import annotations

import builders as b
import msgspec
import pytest
from harness import dump

from between.sync.core import crypto, keys, layout, wire

STATE = ("users", "sessions", "devices")  # what a refused change must leave exactly as it was


def _new_material(kdf: wire.KdfParams | None = None) -> tuple[wire.KdfParams, bytes, bytes]:
    """New KDF parameters, login key and envelope as a client would send them (no Argon2id: the server
    never sees the passphrase, only these)."""
    kdf = kdf or keys.new_kdf_params(layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)
    return kdf, crypto.random_bytes(32), crypto.random_bytes(60)


def _change(
    acct: b.Account,
    challenge: wire.Challenge,
    *,
    signer: str = "passphrase",
    seed: bytes | None = None,
    material: tuple[wire.KdfParams, bytes, bytes] | None = None,
    signed: tuple[wire.KdfParams, bytes, bytes] | None = None,
) -> tuple[wire.ChangePassphrase, bytes]:
    """A change request and the new login seed; `signed` lets the signature cover other material than is sent."""
    new_seed = crypto.random_bytes(32)
    kdf, _, envelope = material or _new_material()
    login_pub = crypto.ed25519_public(new_seed) if material is None else material[1]
    s_kdf, s_pub, s_env = signed or (kdf, login_pub, envelope)
    if seed is None:
        seed = acct.login_seed if signer == "passphrase" else acct.recovery_seed
    signature = keys.sign_auth(
        seed,
        b.TEST_ORIGIN,
        acct.handle,
        challenge.challenge_id,
        challenge.challenge,
        "change-passphrase",
        keys.passphrase_change_bound(s_kdf, s_pub, s_env),
    )
    body = wire.ChangePassphrase(
        signer=signer,
        challenge_id=challenge.challenge_id,
        signature=signature,
        kdf=kdf,
        login_pub=login_pub,
        pw_envelope=envelope,
    )
    return body, new_seed


def _second_device(api, acct: b.Account) -> b.Account:
    """The same account signed in on another device, with its own session."""
    other = b.Account(acct.secrets, acct.login_seed, acct.recovery_seed, acct.device_id, acct.device_seed)
    other.new_device()
    r = api.post("/auth/login", b.login(other, api.challenge(acct.handle)))
    assert r.status_code == 200, r.text
    other.token = r.json()["token"]
    return other


def test_change_replaces_the_login_key_and_ends_every_other_session(api):
    acct = api.register("alice")
    phone = _second_device(api, acct)
    old_keys = msgspec.json.decode(api.get("/account", acct).content, type=wire.AccountKeys)
    body, new_seed = _change(acct, api.challenge("alice"))
    r = api.post("/account/passphrase", body, acct)
    assert r.status_code == 204, r.text

    mine = msgspec.json.decode(api.get("/account", acct).content, type=wire.AccountKeys)
    assert (mine.kdf, mine.pw_envelope) == (body.kdf, body.pw_envelope)
    assert (mine.rk_envelope, mine.id_wrap, mine.bundle) == (old_keys.rk_envelope, old_keys.id_wrap, old_keys.bundle)
    assert api.get("/account", phone).status_code == 401  # the other session is gone
    prelogin = api.challenge("alice")
    assert prelogin.kdf == body.kdf

    # The old passphrase login key no longer signs in; the new one does.
    acct.new_device()
    old = api.post("/auth/login", b.login(acct, api.challenge("alice")))
    assert old.status_code == 401 and old.json()["code"] == "invalid_credentials"
    acct.login_seed = new_seed
    assert api.post("/auth/login", b.login(acct, api.challenge("alice"))).status_code == 200
    # The other device itself is not revoked: its key still renews a session.
    r = api.post("/auth/refresh", b.refresh(phone, api.device_challenge(phone)))
    assert r.status_code == 200, r.text


def test_the_recovery_key_may_authorise_the_change(api):
    acct = api.register("alice")
    body, new_seed = _change(acct, api.challenge("alice"), signer="recovery")
    assert api.post("/account/passphrase", body, acct).status_code == 204
    acct.new_device()
    acct.login_seed = new_seed
    assert api.post("/auth/login", b.login(acct, api.challenge("alice"))).status_code == 200
    # The recovery login key is unchanged and still recovers.
    acct.new_device()
    assert api.post("/auth/login", b.login(acct, api.challenge("alice"), action="recover")).status_code == 200


@pytest.mark.parametrize(
    "case", ["other_envelope", "other_kdf", "other_login_pub", "wrong_signer", "foreign_key", "other_action"]
)
def test_a_signature_over_anything_else_is_refused_and_nothing_changes(api, case):
    acct = api.register("alice")
    phone = _second_device(api, acct)
    ch = api.challenge("alice")
    material = _new_material()
    kdf, login_pub, envelope = material
    if case == "other_envelope":
        body, _ = _change(acct, ch, material=material, signed=(kdf, login_pub, crypto.random_bytes(60)))
    elif case == "other_kdf":
        body, _ = _change(acct, ch, material=material, signed=(keys.new_kdf_params(), login_pub, envelope))
    elif case == "other_login_pub":
        body, _ = _change(acct, ch, material=material, signed=(kdf, crypto.random_bytes(32), envelope))
    elif case == "wrong_signer":  # the recovery key's signature claimed as the passphrase key's
        body, _ = _change(acct, ch, material=material, seed=acct.recovery_seed)
    elif case == "foreign_key":  # a stolen session alone: any key but the account's
        body, _ = _change(acct, ch, material=material, seed=crypto.random_bytes(32))
    else:  # a delete-account signature does not authorise a change
        sig = keys.sign_auth(
            acct.login_seed,
            b.TEST_ORIGIN,
            "alice",
            ch.challenge_id,
            ch.challenge,
            "delete-account",
            keys.passphrase_change_bound(kdf, login_pub, envelope),
        )
        body = wire.ChangePassphrase(
            signer="passphrase",
            challenge_id=ch.challenge_id,
            signature=sig,
            kdf=kdf,
            login_pub=login_pub,
            pw_envelope=envelope,
        )
    before = dump(api.db, STATE)
    r = api.post("/account/passphrase", body, acct)
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    assert r.headers["content-type"] == "application/problem+json"
    assert dump(api.db, STATE) == before
    assert api.get("/account", phone).status_code == 200


def test_the_challenge_is_used_once_success_or_not(api):
    acct = api.register("alice")
    ch = api.challenge("alice")
    bad, _ = _change(acct, ch, seed=crypto.random_bytes(32))
    assert api.post("/account/passphrase", bad, acct).status_code == 401
    good, _ = _change(acct, ch)
    assert api.post("/account/passphrase", good, acct).status_code == 401  # consumed by the failed attempt
    ch = api.challenge("alice")
    good, _ = _change(acct, ch)
    assert api.post("/account/passphrase", good, acct).status_code == 204
    before = dump(api.db, STATE)
    replay = api.post("/account/passphrase", good, acct)
    assert replay.status_code == 401 and dump(api.db, STATE) == before


def test_a_challenge_of_another_handle_or_a_signature_by_the_old_key_is_refused(api):
    alice, bob = api.register("alice"), api.register("bob")
    body, _ = _change(alice, api.challenge("bob"))
    assert api.post("/account/passphrase", body, alice).status_code == 401
    # Signed by alice's current key, sent with bob's session: the signature names alice, the caller is bob.
    body, _ = _change(alice, api.challenge("alice"))
    assert api.post("/account/passphrase", body, bob).status_code == 401
    # Two requests signed by the same (then current) key: once the first lands, the second is stale.
    first, second = (_change(alice, api.challenge("alice"))[0] for _ in range(2))
    assert api.post("/account/passphrase", first, alice).status_code == 204
    assert api.post("/account/passphrase", second, alice).status_code == 401


def test_bad_input_is_a_4xx_problem_and_changes_nothing(api):
    acct = api.register("alice")
    phone = _second_device(api, acct)
    weak = keys.new_kdf_params(layout.KDF_FLOOR_MEMORY_KIB - 1, layout.KDF_FLOOR_ITERATIONS, 1)
    weak_body, _ = _change(acct, api.challenge("alice"), material=_new_material(weak))
    good, _ = _change(acct, api.challenge("alice"))
    raw = b.j(good)
    before = dump(api.db, STATE)
    cases = [
        (api.post("/account/passphrase", weak_body, acct), 400, "kdf_below_floor"),
        (api.post("/account/passphrase", raw | {"login_pub": raw["login_pub"][:20]}, acct), 400, "invalid_body"),
        (api.post("/account/passphrase", raw | {"signer": "device"}, acct), 400, "invalid_body"),
        (api.post("/account/passphrase", raw | {"pw_envelope": ""}, acct), 400, "invalid_body"),
        (api.post("/account/passphrase", raw | {"extra": 1}, acct), 400, "invalid_body"),
        (api.post("/account/passphrase", {k: v for k, v in raw.items() if k != "kdf"}, acct), 400, "invalid_body"),
        (api.post("/account/passphrase", raw), 401, "unauthorized"),
        (
            api.post(
                "/account/passphrase",
                raw,
                b.Account(acct.secrets, b"", b"", acct.device_id, b"", token=b.new_token_like()),
            ),
            401,
            "unauthorized",
        ),
    ]
    for r, status, code in cases:
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert dump(api.db, STATE) == before
    assert api.get("/account", phone).status_code == 200
    # The well-formed request (its challenge untouched by the refusals above) still goes through.
    assert api.post("/account/passphrase", good, acct).status_code == 204


# ---------------------------------------------------------------- sign-up: the key bundle, the rules, who is admitted


def test_a_signup_bundle_must_verify_on_its_own(api):
    """signup: keys.verify_bundle. Each bundle names the signing-up user and handle (the check before it passes):
    one carries a signature its key never made, one a signed but unusable X25519 key."""
    acct = b.new_account("alice")
    good = acct.bundle
    body = layout.bundle_body(acct.user_id, acct.handle, layout.ROLE_CLIENT, good.sig_pub, bytes(32))
    bad_signature = msgspec.structs.replace(good, signature=good.signature[:-1] + bytes([good.signature[-1] ^ 1]))
    low_order_kem = msgspec.structs.replace(
        good, kem_pub=bytes(32), signature=crypto.ed25519_sign(acct.secrets.sig_seed, body)
    )
    before = dump(api.db)
    for bundle in (bad_signature, low_order_kem):
        r = api.post("/accounts", msgspec.structs.replace(b.signup(acct), bundle=bundle))
        assert (r.status_code, r.json()["code"]) == (400, "crypto")
    assert dump(api.db) == before
    assert api.post("/accounts", b.signup(acct)).status_code == 201


def test_signup_rules(api_factory):
    api = api_factory()
    acct = api.register("alice")
    again = b.new_account("alice")
    r = api.post("/accounts", b.signup(again))
    assert r.status_code == 409 and r.json()["code"] == "handle_taken"
    forged = b.new_account("mallory")
    body = b.j(b.signup(forged))
    body["bundle"] = b.j(acct.bundle)  # someone else's bundle
    assert api.post("/accounts", body).status_code == 400
    body = b.j(b.signup(b.new_account("weak")))
    body["kdf"]["memory_kib"] = 1024
    r = api.post("/accounts", body)
    assert r.status_code == 400 and r.json()["code"] == "kdf_below_floor"


def test_invite_only_registration(api_factory):
    api = api_factory(registration="invite", signup_codes=("letmein-2026",))
    r = api.post("/accounts", b.signup(b.new_account("alice")))
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    assert api.post("/accounts", b.signup(b.new_account("alice"), "wrong-code")).status_code == 403
    therapist = api.register("dr-who", "therapist", invite_code="letmein-2026")
    token = api.post("/invites", None, therapist).json()["token"]
    client = api.register("sam", invite_code=token)  # a therapist's care invite admits its client
    assert api.post("/invites/accept", b.accept(token), client).status_code == 201


def _invite_only(api_factory):
    api = api_factory(registration="invite", signup_codes=("letmein-2026",))
    therapist = api.register("dr-who", "therapist", invite_code="letmein-2026")
    token = api.post("/invites", None, therapist).json()["token"]
    return api, therapist, token


def test_a_care_invite_admits_one_sign_up(api_factory):
    api, _therapist, token = _invite_only(api_factory)
    client = api.register("sam", invite_code=token)
    r = api.post("/accounts", b.signup(b.new_account("mallory"), token))
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    assert [u[0] for u in dump(api.db, ("users",))["users"] if u[1] == "mallory"] == []
    # the invite still makes the link for the client it admitted
    assert api.post("/invites/accept", b.accept(token), client).status_code == 201


def test_a_care_invite_does_not_admit_a_therapist(api_factory):
    api, _, token = _invite_only(api_factory)
    r = api.post("/accounts", b.signup(b.new_account("dr-fake", "therapist"), token))
    assert r.status_code == 403 and r.json()["code"] == "registration_closed"
    # the refused therapist did not spend it
    api.register("sam", invite_code=token)


def test_a_failed_sign_up_does_not_spend_the_invite(api_factory):
    api, _therapist, token = _invite_only(api_factory)
    r = api.post("/accounts", b.signup(b.new_account("dr-who"), token))  # handle taken: rolled back whole
    assert r.status_code == 409
    api.register("sam", invite_code=token)


def test_configured_sign_up_codes_stay_reusable(api_factory):
    api, _, _ = _invite_only(api_factory)
    for handle, role in (("ann", "client"), ("ben", "client"), ("dr-new", "therapist")):
        api.register(handle, role, invite_code="letmein-2026")
    assert sorted(u[1] for u in dump(api.db, ("users",))["users"]) == ["ann", "ben", "dr-new", "dr-who"]
