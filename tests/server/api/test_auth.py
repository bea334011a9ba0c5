"""server/api/auth.py over the real app: single-use challenges, uniform failures, sessions, device revocation, rate
limits."""

from __future__ import annotations

import builders as b
import msgspec
from harness import Clock

from between.sync.core import crypto, wire


def _login(api, acct, action="login", seed=None):
    return api.post("/auth/login", b.login(acct, api.challenge(acct.handle), action=action, seed=seed))


def test_login_then_session_works_and_challenge_is_single_use(api):
    acct = api.register("alice")
    ch = api.challenge("alice")
    acct.new_device()
    body = b.login(acct, ch)
    r = api.post("/auth/login", body)
    assert r.status_code == 200, r.text
    session = msgspec.json.decode(r.content, type=wire.Session)
    assert session.user_id == acct.uuid and session.device_id == acct.device_id
    acct.token = session.token
    assert api.get("/account", acct).json()["handle"] == "alice"
    # the same signed login again: the challenge is gone
    acct.new_device()
    again = api.post("/auth/login", b.login(acct, ch))
    assert again.status_code == 401 and again.json()["code"] == "invalid_credentials"


def test_failed_attempt_also_consumes_the_challenge(api):
    acct = api.register("alice")
    ch = api.challenge("alice")
    acct.new_device()
    bad = api.post("/auth/login", b.login(acct, ch, seed=crypto.random_bytes(32)))
    assert bad.status_code == 401
    good = api.post("/auth/login", b.login(acct, ch))
    assert good.status_code == 401


def test_naming_someone_elses_challenge_leaves_it_for_them(api):
    alice, mallory = api.register("alice"), api.register("mallory")
    ch = api.challenge("alice")
    mallory.new_device()
    stolen = b.login(mallory, ch)  # signed by mallory, naming alice's challenge id
    assert api.post("/auth/login", stolen).status_code == 401
    alice.new_device()
    assert api.post("/auth/login", b.login(alice, ch)).status_code == 200


def test_recovery_key_login(api):
    acct = api.register("alice")
    acct.new_device()
    assert _login(api, acct, action="recover").status_code == 200
    acct.new_device()
    # the passphrase login key does not work for action=recover
    assert _login(api, acct, action="recover", seed=acct.login_seed).status_code == 401


def test_a_challenge_works_until_its_ttl_and_not_after(api_factory):
    clock = Clock()
    api = api_factory(clock=clock, challenge_ttl=60)
    acct = api.register("alice")
    early, late = api.challenge("alice"), api.challenge("alice")
    clock.advance(59)
    acct.new_device()
    assert api.post("/auth/login", b.login(acct, early)).status_code == 200
    clock.advance(1)  # the second challenge, made at the same moment, has now lived its 60 seconds
    acct.new_device()
    r = api.post("/auth/login", b.login(acct, late))
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"


def test_wrong_signature_and_unknown_handle_are_indistinguishable(api):
    acct = api.register("alice")
    acct.new_device()
    wrong = _login(api, acct, seed=crypto.random_bytes(32))
    ghost = b.new_account("nobody-here")
    unknown = _login(api, ghost)
    foreign = api.post("/auth/login", b.login(acct, api.challenge("someone-else")))  # challenge of another handle
    assert wrong.status_code == unknown.status_code == foreign.status_code == 401
    assert wrong.content == unknown.content == foreign.content
    assert wrong.headers["content-type"] == "application/problem+json"


def test_prelogin_unknown_handle_same_shape_and_stable_salt(api):
    api.register("alice")
    known = api.post("/auth/prelogin", {"handle": "alice"}).json()
    first = api.post("/auth/prelogin", {"handle": "ghost"}).json()
    second = api.post("/auth/prelogin", {"handle": "ghost"}).json()
    other = api.post("/auth/prelogin", {"handle": "ghost2"}).json()
    assert set(known) == set(first) and set(known["kdf"]) == set(first["kdf"])
    assert first["kdf"]["salt"] == second["kdf"]["salt"] != other["kdf"]["salt"]
    assert first["challenge_id"] != second["challenge_id"]
    assert first["kdf"]["memory_kib"] == 65536 and first["expires_in"] == 60


def test_fake_salt_survives_restart(api_factory, tmp_path):
    api = api_factory()
    salt = api.post("/auth/prelogin", {"handle": "ghost"}).json()["kdf"]["salt"]
    secret = api.data_dir / "server.secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32
    api.c.__exit__(None, None, None)
    from harness import Api, make_settings
    from litestar.testing import TestClient

    from between.server.app import create_app
    from tests.openapi_answers import recorded

    with TestClient(recorded(create_app(make_settings(api.data_dir)))) as c2:
        again = Api(c2, api.data_dir).post("/auth/prelogin", {"handle": "ghost"}).json()["kdf"]["salt"]
    assert again == salt
    api.c.__enter__()  # the fixture closes it again


def test_refresh_gives_a_new_session(api):
    acct = api.register("alice")
    r = api.post("/auth/refresh", b.refresh(acct, api.device_challenge(acct)))
    assert r.status_code == 200, r.text
    new = r.json()["token"]
    assert new != acct.token
    acct.token = new
    assert api.get("/devices", acct).status_code == 200


def test_refresh_challenge_is_bound_to_the_device(api):
    alice, bob = api.register("alice"), api.register("bobby")
    ch = api.device_challenge(bob)  # a challenge for another device
    r = api.post("/auth/refresh", b.refresh(alice, ch))
    assert r.status_code == 401


def test_revoking_a_device_ends_its_sessions_and_refresh(api):
    acct = api.register("alice")
    laptop_token, laptop_id, laptop_seed = acct.token, acct.device_id, acct.device_seed
    acct.new_device()
    r = _login(api, acct)
    assert r.status_code == 200
    phone_token = r.json()["token"]
    acct.token = phone_token
    devices = api.get("/devices", acct).json()
    assert {d["device_id"] for d in devices} == {str(laptop_id), str(acct.device_id)}
    assert [d["current"] for d in devices if d["device_id"] == str(acct.device_id)] == [True]
    assert api.delete(f"/devices/{laptop_id}", acct).status_code == 204
    acct.token = laptop_token
    gone = api.get("/account", acct)
    assert gone.status_code == 401 and gone.json()["code"] == "unauthorized"
    acct.device_id, acct.device_seed = laptop_id, laptop_seed
    assert api.post("/auth/refresh", b.refresh(acct, api.device_challenge(acct))).status_code == 401
    acct.token = phone_token
    assert api.get("/account", acct).status_code == 200
    assert api.delete(f"/devices/{laptop_id}", acct).status_code == 404


def test_logout_ends_only_this_session(api):
    acct = api.register("alice")
    first = acct.token
    acct.new_device()
    second = _login(api, acct).json()["token"]
    acct.token = first
    assert api.post("/auth/logout", None, acct).status_code == 204
    assert api.get("/account", acct).status_code == 401
    acct.token = second
    assert api.get("/account", acct).status_code == 200


def test_a_session_works_until_its_ttl_and_not_after(api_factory):
    clock = Clock()
    api = api_factory(clock=clock, session_ttl=3600)
    acct = api.register("alice")
    assert api.get("/account", acct).status_code == 200  # now also in the per-process session cache
    clock.advance(3599)
    assert api.get("/account", acct).status_code == 200
    clock.advance(1)
    r = api.get("/account", acct)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_rate_limit_per_handle_answers_429_with_retry_after(api_factory):
    api = api_factory(rate_handle_per_minute=3)
    codes = [api.post("/auth/prelogin", {"handle": "alice"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = api.post("/auth/prelogin", {"handle": "alice"})
    assert r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
    assert api.post("/auth/prelogin", {"handle": "bobby"}).status_code == 200


def test_rate_limit_per_ip(api_factory):
    api = api_factory(rate_ip_per_minute=2)
    codes = [api.post("/auth/prelogin", {"handle": f"user{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_rate_limit_can_be_switched_off(api_factory):
    api = api_factory(rate_limit="off", rate_handle_per_minute=1, rate_ip_per_minute=1)
    assert {api.post("/auth/prelogin", {"handle": "alice"}).status_code for _ in range(5)} == {200}
