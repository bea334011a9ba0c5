"""server/store/links.py on a real SQLite file and through the app: who sees whose key bundle, invites that are single
use and expire, links that keep the invitation and proof they were made from, and ending a link, which revokes every
grant between the two people, both ways."""

from __future__ import annotations

import asyncio
import base64
import uuid

import builders as b
import msgspec
import pytest
from harness import Clock, dump, run_coroutine

from between.server.store import Conflict, Store
from between.sync.core import crypto, wire


def _states(api, acct, after=0):
    items, cursor = api.pull_all(acct, after)
    return [msgspec.convert(i, wire.RecordState) for i in items], cursor


async def _people(store: Store, *handles_and_roles: tuple[str, str]) -> list[b.Account]:
    people = [b.new_account(handle, role) for handle, role in handles_and_roles]
    for acct in people:
        await store.accounts.create_account(b.signup(acct), crypto.random_bytes(32), 10**10, 1)
    return people


async def _invite(store: Store, therapist: b.Account, now: int = 1, expires_at: int = 100) -> bytes:
    token = crypto.random_bytes(32)
    await store.links.create_invite(uuid.uuid4().bytes, therapist.user_id, token, now, expires_at)
    return token


def test_a_bundle_is_shown_to_its_owner_and_to_linked_people_only(store_target):
    async def run():
        store = await Store.open(store_target)
        try:
            therapist, client, stranger = await _people(
                store, ("dr-tran", "therapist"), ("sam", "client"), ("eve", "client")
            )
            before = await store.links.bundle(client.user_id, therapist.user_id)
            token = await _invite(store, therapist)
            await store.links.accept_invite(client.user_id, token, bytes(32), uuid.uuid4().bytes, 2)
            seen = {
                (viewer.handle, shown.handle): await store.links.bundle(viewer.user_id, shown.user_id)
                for viewer in (therapist, client, stranger)
                for shown in (therapist, client, stranger)
            }
            unknown = await store.links.bundle(client.user_id, uuid.uuid4().bytes)
            return before, seen, unknown, (therapist, client, stranger)
        finally:
            await store.close()

    before, seen, unknown, people = run_coroutine(run())
    assert before is None and unknown is None
    shown = {pair for pair, bundle in seen.items() if bundle is not None}
    assert shown == {("dr-tran", "dr-tran"), ("sam", "sam"), ("eve", "eve"), ("dr-tran", "sam"), ("sam", "dr-tran")}
    for acct in people:
        assert seen[(acct.handle, acct.handle)] == acct.bundle  # every column in its place


def test_accepting_an_invite_refuses_ones_own_and_a_second_link_and_keeps_the_invite_for_its_client(store_target):
    """The store's own checks: a refused accept changes nothing (the invite stays for the client it was made for);
    an accepted one is used up."""

    async def run():
        store = await Store.open(store_target)
        try:
            therapist, client = await _people(store, ("dr-tran", "therapist"), ("sam", "client"))
            outcomes = []
            first = await _invite(store, therapist)
            for who, token in (
                (therapist, first),
                (client, first),
                (client, first),
                (client, await _invite(store, therapist)),
            ):
                try:
                    link = await store.links.accept_invite(who.user_id, token, b"p" * 32, uuid.uuid4().bytes, 2)
                    outcomes.append(None if link is None else (link.therapist.handle, link.client.handle, link.proof))
                except Conflict as exc:
                    outcomes.append(exc.code)
            peers = (await store.links.peer_ids(therapist.user_id), await store.links.peer_ids(client.user_id))
            return outcomes, peers, therapist, client
        finally:
            await store.close()

    outcomes, peers, therapist, client = run_coroutine(run())
    assert outcomes == ["own_invite", ("dr-tran", "sam", b"p" * 32), None, "already_linked"]
    assert peers == (frozenset({client.user_id}), frozenset({therapist.user_id}))


def test_invites_are_listed_while_they_live_and_deleted_by_their_therapist_only(store_target):
    async def run():
        store = await Store.open(store_target)
        try:
            therapist, other = await _people(store, ("dr-tran", "therapist"), ("dr-lee", "therapist"))
            await _invite(store, therapist, now=1, expires_at=50)
            await _invite(store, therapist, now=2, expires_at=100)
            listed = [(i.created_at, i.expires_at) for i in await store.links.invites(therapist.user_id, 50)]
            [kept] = await store.links.invites(therapist.user_id, 50)
            by_other = await store.links.delete_invite(other.user_id, kept.invite_id.bytes)
            by_owner = await store.links.delete_invite(therapist.user_id, kept.invite_id.bytes)
            return listed, by_other, by_owner, await store.links.invites(therapist.user_id, 50)
        finally:
            await store.close()

    assert run_coroutine(run()) == ([(2, 100)], False, True, [])


def test_ending_the_link_revokes_every_grant(two_linked):
    api, therapist, client = two_linked
    rec = b.Rec(client)
    api.push(client, [rec.item(grant_to=[therapist])])
    states, cursor = _states(api, therapist)
    assert states[0].access == "granted"
    [link] = api.get("/links", therapist).json()
    assert api.delete(f"/links/{link['link_id']}", therapist).status_code == 204
    states, _ = _states(api, therapist, cursor)
    assert [(s.record_id, s.access) for s in states] == [(rec.record_id, "removed")]
    assert api.get("/links", client).json() == []
    assert api.get(f"/bundles/{client.uuid}", therapist).status_code == 404
    rec.rekey()
    assert api.push(client, [rec.item(grant_to=[therapist])])[0]["status"] == "forbidden"


def test_an_invite_works_until_its_ttl_and_not_after(api_factory):
    """Accepting checks the invite's expiry itself: the preview a person sees first is a separate request."""
    clock = Clock()
    api = api_factory(clock=clock, invite_ttl=3600)
    therapist, sam, kim = api.register("dr-tran", "therapist"), api.register("sam"), api.register("kim")
    early, late = (api.post("/invites", None, therapist).json() for _ in range(2))
    clock.advance(3599)
    assert api.post("/invites/accept", b.accept(early["token"]), sam).status_code == 201
    clock.advance(1)  # the second invite, made at the same moment, has now lived its hour
    before = dump(api.db)
    r = api.post("/invites/accept", b.accept(late["token"]), kim)
    assert r.status_code == 404 and r.json()["code"] == "invite_not_found"
    assert api.post("/invites/preview", {"token": late["token"]}, kim).status_code == 404
    assert api.get("/invites", therapist).json() == [] and api.get("/links", kim).json() == []
    assert dump(api.db) == before


def test_a_link_keeps_the_invitation_it_was_made_from_and_the_clients_proof(api):
    """The server stores the proof opaquely and lists it, with the invite id, to both sides: the therapist's
    devices check it (sync/core/trust.py); the server can neither make nor check one."""
    therapist, client = api.register("dr-tran", "therapist"), api.register("sam")
    inv = api.post("/invites", None, therapist).json()
    preview = api.post("/invites/preview", {"token": inv["token"]}, client).json()
    assert preview["invite_id"] == inv["invite_id"]
    proof = crypto.random_bytes(32)
    made = api.post("/invites/accept", b.accept(inv["token"], proof), client).json()
    for side in (therapist, client):
        [link] = api.get("/links", side).json()
        assert link == made
        assert (link["invite_id"], base64.b64decode(link["proof"])) == (inv["invite_id"], proof)


@pytest.mark.parametrize("engine", ["postgres"])
def test_ending_a_link_waits_for_a_share_in_flight_and_revokes_it_too(api_factory, engine):
    """F8, PostgreSQL: a push reads its owner's links under the owner's row lock. A share that read the link before it
    ended (stood in for here by a transaction holding that lock and then writing a grant) commits first, and ending
    the link, which takes both people's rows first, revokes that grant too: no active grant outlives the link."""
    import threading
    import time

    import asyncpg

    api = api_factory()
    therapist = api.register("dr-tran", "therapist")
    client = api.register("sam")
    api.link(therapist, client)
    rec = b.Rec(client)
    assert api.push(client, [rec.item(grant_to=[therapist])])[0]["status"] == "ok"
    locked, errors = threading.Event(), []

    def share_in_flight() -> None:
        async def run() -> None:
            conn = await asyncpg.connect(api.database.dsn)
            try:
                async with conn.transaction():
                    await conn.execute("SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE", client.user_id)
                    locked.set()
                    await asyncio.sleep(1.0)
                    await conn.execute(
                        "INSERT INTO grants (record_id, grantee_id, key_id, body, sealed, signature, created_at) "
                        "VALUES ($1, $2, $3, '\\x00', '\\x00', '\\x00', 1)",
                        rec.record_id.bytes,
                        therapist.user_id,
                        crypto.random_bytes(16),
                    )
            finally:
                await conn.close()

        try:
            asyncio.run(run())
        except Exception as exc:  # reported below
            errors.append(repr(exc))
            locked.set()

    holder = threading.Thread(target=share_in_flight)
    holder.start()
    assert locked.wait(10)
    [link] = api.get("/links", therapist).json()
    began = time.monotonic()
    assert api.delete(f"/links/{link['link_id']}", therapist).status_code == 204
    waited = time.monotonic() - began
    holder.join()
    assert errors == []
    assert waited > 0.5, waited  # it waited for the share's transaction

    async def counts() -> tuple[int, int]:
        conn = await asyncpg.connect(api.database.dsn)
        try:
            row = await conn.fetchrow("SELECT count(*), count(*) FILTER (WHERE revoked_at IS NULL) FROM grants")
            return row[0], row[1]
        finally:
            await conn.close()

    assert run_coroutine(counts()) == (2, 0)  # both grants, the late one too, are revoked
