"""server/store/accounts.py on a real SQLite file: the session cache, single-use challenges, sign-ups admitted by a
care invite, passphrase changes that land only under the account's current key."""

from __future__ import annotations

import asyncio
import uuid

import builders as b
from harness import run_coroutine

from between.server.store import Conflict, Store
from between.sync.core import crypto, keys, layout, wire


def _signup(handle: str) -> wire.Signup:
    return b.signup(b.new_account(handle))


def _material() -> tuple[wire.KdfParams, bytes, bytes]:
    """New KDF parameters, login key and envelope, as a client sends them to change its passphrase."""
    kdf = keys.new_kdf_params(layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)
    return kdf, crypto.random_bytes(32), crypto.random_bytes(60)


def test_a_remembered_session_ends_with_every_write_that_ends_it(store_target):
    """The store remembers sessions it has read (no database read per request); logging out, revoking the
    device, changing the passphrase and deleting the account each end it at once, also when it was remembered."""

    async def run():
        store = await Store.open(store_target)
        try:
            for end in ("logout", "revoke", "passphrase", "delete"):
                s = _signup(f"cache-{end}")
                uid, device = s.user_id.bytes, s.device.device_id.bytes
                token, other = crypto.random_bytes(32), crypto.random_bytes(32)
                await store.accounts.create_account(s, token, 10**10, 1)
                first = await store.accounts.session(token, 2)
                assert first is not None and first.user_id == uid
                if store.db.engine == "sqlite":  # remembered: the same object, no query (PostgreSQL: never)
                    assert await store.accounts.session(token, 3) is first
                assert await store.accounts.session(token, 10**10) is None  # past its expiry, remembered or not
                if end == "logout":
                    await store.accounts.end_session(token)
                elif end == "revoke":
                    assert await store.accounts.revoke_device(uid, device)
                elif end == "passphrase":
                    assert await store.accounts.change_passphrase(
                        uid, "passphrase", s.login_pub, s.kdf, s.login_pub, s.pw_envelope, keep_session=other
                    )
                else:
                    await store.accounts.delete_account(uid, s.handle)
                assert await store.accounts.session(token, 4) is None, end
        finally:
            await store.close()

    run_coroutine(run())


def test_challenges_are_taken_once(store_target):
    async def run():
        store = await Store.open(store_target)
        try:
            cid = uuid.uuid4().bytes
            await store.accounts.create_challenge(cid, b"d" * 32, "h:alice", 100, 1)
            wrong = await store.accounts.take_challenge(cid, "h:bobby", 2)  # another subject: refused, and left alone
            first, second = (
                await store.accounts.take_challenge(cid, "h:alice", 2),
                await store.accounts.take_challenge(cid, "h:alice", 2),
            )
            await store.accounts.create_challenge(cid, b"e" * 32, "h:alice", 100, 1)
            expired = await store.accounts.take_challenge(cid, "h:alice", 100)
            return wrong, first, second, expired
        finally:
            await store.close()

    assert run_coroutine(run()) == (None, b"d" * 32, None, None)


def test_a_care_invite_admits_a_sign_up_only_while_it_lives_and_only_once(store_target):
    """The invite is checked twice, at admission (signup_invite_valid) and where the sign-up spends it
    (create_account, in the writing transaction: it may expire or be spent in between): each check on its own."""

    async def run():
        store = await Store.open(store_target)
        try:
            therapist = _signup("dr-who")
            await store.accounts.create_account(therapist, crypto.random_bytes(32), 10**10, 1)
            token = crypto.random_bytes(32)
            await store.links.create_invite(uuid.uuid4().bytes, therapist.user_id.bytes, token, 1, 100)
            admitted = [await store.links.signup_invite_valid(token, at) for at in (99, 100)]
            spent = []
            for handle, at in (("late", 100), ("sam", 99), ("mallory", 99)):
                try:
                    await store.accounts.create_account(
                        _signup(handle), crypto.random_bytes(32), 10**10, at, spend_invite=token
                    )
                    spent.append(handle)
                except Conflict as exc:
                    spent.append(exc.code)
            return admitted, spent, await store.links.signup_invite_valid(token, 99)
        finally:
            await store.close()

    assert run_coroutine(run()) == ([True, False], ["registration_closed", "sam", "registration_closed"], False)


def test_a_passphrase_change_lands_only_under_the_key_that_is_still_the_accounts(store_target):
    """The store's own check of the signing key (the handler checked the signature against the key it read
    before): of two changes signed by the same old key only the first lands, and a stranger's key never does."""

    async def run():
        store = await Store.open(store_target)
        try:
            s = _signup("alice")
            uid = s.user_id.bytes
            await store.accounts.create_account(s, crypto.random_bytes(32), 10**10, 1)
            first, second = crypto.random_bytes(32), crypto.random_bytes(32)
            results = [
                await store.accounts.change_passphrase(uid, "passphrase", pub, s.kdf, new, s.pw_envelope, b"k" * 32)
                for pub, new in ((crypto.random_bytes(32), first), (s.login_pub, first), (s.login_pub, second))
            ]
            return results, (await store.accounts.user_by_handle("alice")).login_pub, first
        finally:
            await store.close()

    results, login_pub, first = run_coroutine(run())
    assert results == [False, True, False] and login_pub == first


def test_of_two_concurrent_changes_signed_by_the_same_key_only_one_lands(store_target):
    async def run():
        store = await Store.open(store_target)
        try:
            acct = b.new_account("alice")
            signup = b.signup(acct)
            mine, other = crypto.random_bytes(32), crypto.random_bytes(32)
            await store.accounts.create_account(signup, mine, 10**10, 1)
            phone = wire.DeviceKey(
                device_id=uuid.uuid4(), name="phone", sig_pub=crypto.ed25519_public(crypto.random_bytes(32))
            )
            await store.accounts.login(acct.user_id, phone, other, 10**10, 1)
            changes = [_material() for _ in range(2)]
            landed = await asyncio.gather(
                *(
                    store.accounts.change_passphrase(acct.user_id, "passphrase", signup.login_pub, *m, mine)
                    for m in changes
                )
            )
            user = await store.accounts.user_by_handle("alice")
            sessions = (await store.accounts.session(mine, 2), await store.accounts.session(other, 2))
            return changes, landed, user, sessions
        finally:
            await store.close()

    changes, landed, user, sessions = asyncio.run(run())
    assert sorted(landed) == [False, True]
    winner = changes[landed.index(True)]
    assert (user.kdf, user.login_pub) == winner[:2]
    assert sessions[0] is not None and sessions[1] is None
