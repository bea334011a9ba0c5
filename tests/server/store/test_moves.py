"""The writer tells its watchers which accounts a commit moved (server/store/connection.py MOVE_TRIGGERS): pushes,
grants, links made and ended; never for a read, a refused write or a rolled-back op."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import builders as b
import pytest
from harness import Api, make_settings
from litestar import Litestar
from litestar.testing import TestClient

from between.server.app import create_app
from between.server.store import Database
from tests.openapi_answers import recorded


@pytest.fixture
def app(tmp_path) -> Litestar:
    return create_app(make_settings(tmp_path / "data"))


@pytest.fixture
def api(app, tmp_path) -> Iterator[Api]:
    with TestClient(recorded(app), base_url="https://between.test") as client:
        yield Api(client, tmp_path / "data")


@pytest.fixture
def db(api, app) -> Database:
    return app.state.services.store.db


@pytest.fixture
def moves(db):
    """Every move the app's writer announces, as (user id, devices) pairs in order."""
    seen: list[tuple[bytes, frozenset[bytes | None]]] = []

    def watcher(moved):
        seen.extend((user, frozenset(devices)) for user, devices in moved.items())

    db.watch(watcher)
    return seen


def _users(seen) -> set[bytes]:
    return {user for user, _ in seen}


def test_a_push_moves_its_owner_from_its_device_and_each_grantee(api, moves):
    therapist, client, stranger = api.register("dr-tran", "therapist"), api.register("sam"), api.register("bob")
    api.link(therapist, client)
    moves.clear()
    api.push(therapist, [b.Rec(therapist).item(grant_to=[client])])
    assert dict(moves) == {
        therapist.user_id: frozenset({therapist.device_id.bytes}),
        client.user_id: frozenset({therapist.device_id.bytes}),
    }
    assert stranger.user_id not in _users(moves)


def test_reads_and_refused_pushes_move_nobody(api, moves):
    alice = api.register("alice")
    rec = b.Rec(alice)
    api.push(alice, [rec.item()])
    moves.clear()
    api.pull_all(alice)
    assert api.get("/links", alice).status_code == 200
    # An atomic push with a stale item: refused whole, nothing written, nothing announced.
    stale = b.Rec(alice, record_id=rec.record_id, dek=rec.dek, key_id=rec.key_id)
    [first, second] = api.push(alice, [b.Rec(alice).item(), stale.item()], atomic=True)
    assert {first["status"], second["status"]} == {"aborted", "conflict"}
    assert moves == []


def test_links_made_and_ended_move_both_sides(api, moves):
    therapist, client = api.register("dr-tran", "therapist"), api.register("sam")
    api.link(therapist, client)
    assert _users(moves) == {therapist.user_id, client.user_id}
    moves.clear()
    [link] = api.get("/links", client).json()
    assert api.delete(f"/links/{link['link_id']}", therapist).status_code == 204
    assert _users(moves) == {therapist.user_id, client.user_id}


def test_an_op_rolled_back_inside_a_batch_announces_nothing(api, db, moves):
    alice, bob = api.register("alice"), api.register("bob")
    moves.clear()

    async def bump_then_refuse(c):
        await c.execute("UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ?", (alice.user_id,))
        raise ValueError("refused after writing")

    async def bump(c):
        await c.execute("UPDATE users SET feed_seq = feed_seq + 1 WHERE user_id = ?", (bob.user_id,))

    async def both() -> None:
        refused, done = await asyncio.gather(db.write(bump_then_refuse), db.write(bump), return_exceptions=True)
        assert isinstance(refused, ValueError) and done is None

    api.c.blocking_portal.call(both)
    assert moves == [(bob.user_id, frozenset({None}))]
