"""Reminders over HTTP and the sender behind them, against the stand-in push service (tests/push_service.py): the
server keeps only fire times and opaque ids, sends each due one once (also across a restart and with two senders),
retries with backoff, and forgets a subscription its push service answered 410 for."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import stat
import threading
import time
from pathlib import Path

import builders as b
import pytest
from harness import Api, Clock, dump, make_settings
from litestar.testing import TestClient

from between.server.app import create_app
from between.server.reminders import BACKOFF_FIRST, JWT_CACHE, Sender
from between.server.store import Store
from between.server.webpush import Vapid, encrypt
from between.sync.core import wire
from tests.push_service import PushService

START = 1_800_000_000.0
LOOPBACK = {"push_loopback": "on", "reminder_scan": 1}


@pytest.fixture
def stand_in():
    service = PushService().start()
    yield service
    service.stop()


def put(api: Api, path: str, body: object, acct: b.Account):
    return api.c.put("/api/v1" + path, json=body, headers=acct.auth())


def server_key(api: Api, acct: b.Account) -> bytes:
    r = api.get("/reminders/key", acct)
    assert r.status_code == 200, r.text
    return base64.b64decode(r.json()["public_key"])


def wait_for(condition, what: str, timeout: float = 20.0):
    """The sender runs in the background: wait for what it does (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def times_held(api: Api) -> list[tuple]:
    return dump(api.db, ("reminder_times",))["reminder_times"]


def test_due_time_is_pushed_once_encrypted_and_signed(api_factory, stand_in):
    clock = Clock(START)
    stand_in.clock = clock
    api = api_factory(clock, **LOOPBACK)
    sam = api.register("sam")
    stand_in.server_key = server_key(api, sam)
    sub = stand_in.subscribe()
    assert put(api, "/reminders/subscription", sub.wire(), sam).status_code == 204
    at = int(START) + 600
    r = put(
        api,
        "/reminders/times",
        {"times": [{"id": "r1aaaaaaaaaa", "at": at}, {"id": "r2bbbbbbbbbb", "at": at + 86400}]},
        sam,
    )
    assert r.status_code == 204, r.text
    listed = api.get("/reminders", sam).json()["devices"]
    assert [(t["id"], t["at"]) for t in listed[0]["times"]] == [("r1aaaaaaaaaa", at), ("r2bbbbbbbbbb", at + 86400)]
    assert listed[0]["push_service"] == stand_in.origin and listed[0]["current"] is True

    clock.advance(599)
    time.sleep(1.5)  # one scan interval passes with nothing due: nothing may be sent early
    assert stand_in.received(sub) == []
    clock.advance(1)
    (message,) = wait_for(lambda: stand_in.received(sub), "the push")
    assert message.json() == {"r": "r1aaaaaaaaaa", "at": at}  # the opaque id and the time: nothing else
    assert message.headers["topic"] == "r1aaaaaaaaaa" and message.headers["ttl"] == "3600"
    assert message.claims["aud"] == stand_in.origin and message.claims["sub"] == b.TEST_ORIGIN
    assert stand_in.refused == []
    wait_for(lambda: len(times_held(api)) == 1, "the sent time to leave the table")
    time.sleep(1.5)  # another interval: the sent one is not sent again
    assert len(stand_in.received(sub)) == 1


def test_gone_subscription_is_removed(api_factory, stand_in):
    clock = Clock(START)
    stand_in.clock = clock
    api = api_factory(clock, **LOOPBACK)
    sam = api.register("sam")
    sub = stand_in.subscribe(status=410)
    assert put(api, "/reminders/subscription", sub.wire(), sam).status_code == 204
    at = int(START) + 60
    assert (
        put(
            api,
            "/reminders/times",
            {"times": [{"id": "goneaaaaaaaa", "at": at}, {"id": "gonebbbbbbbb", "at": at + 60}]},
            sam,
        ).status_code
        == 204
    )
    clock.advance(60)
    wait_for(lambda: stand_in.received(sub), "the push answered 410")
    wait_for(lambda: api.get("/reminders", sam).json() == {"devices": []}, "the subscription to go")
    assert dump(api.db, ("push_subscriptions", "reminder_times")) == {"push_subscriptions": [], "reminder_times": []}
    r = put(api, "/reminders/times", {"times": [{"id": "againaaaaaaa", "at": at + 600}]}, sam)
    assert r.status_code == 409 and r.json()["code"] == "no_subscription"


def test_failure_is_retried_with_backoff(api_factory, stand_in):
    clock = Clock(START)
    stand_in.clock = clock
    api = api_factory(clock, **LOOPBACK)
    sam = api.register("sam")
    sub = stand_in.subscribe(status=500)
    put(api, "/reminders/subscription", sub.wire(), sam)
    put(api, "/reminders/times", {"times": [{"id": "retryaaaaaaa", "at": int(START) + 10}]}, sam)
    clock.advance(10)
    wait_for(lambda: stand_in.received(sub), "the first try")
    (row,) = wait_for(lambda: [r for r in times_held(api) if r[5] is None], "the retry to be scheduled")
    assert row[3] == int(START) + 10 + BACKOFF_FIRST and row[4] == 1  # due_at, attempts
    sub.status = 201
    clock.advance(BACKOFF_FIRST - 1)
    time.sleep(1.5)
    assert len(stand_in.received(sub)) == 1  # not before its time
    clock.advance(1)
    wait_for(lambda: len(stand_in.received(sub)) == 2, "the retry")
    wait_for(lambda: times_held(api) == [], "the delivered time to leave the table")


def test_restart_between_scheduling_and_firing_fires_once(tmp_path: Path, stand_in):
    clock = Clock(START)
    stand_in.clock = clock
    settings = make_settings(tmp_path / "data", **LOOPBACK)
    sam = b.new_account("sam")
    sub = stand_in.subscribe()
    with TestClient(create_app(settings, clock=clock), base_url="https://between.test") as c:
        api = Api(c, tmp_path / "data")
        sam = api.register("sam")
        key = server_key(api, sam)
        put(api, "/reminders/subscription", sub.wire(), sam)
        put(api, "/reminders/times", {"times": [{"id": "restartaaaaa", "at": int(START) + 3600}]}, sam)
    assert stat.S_IMODE((tmp_path / "data" / "vapid.pem").stat().st_mode) == 0o600
    clock.advance(7200)  # the server was down at the fire time
    with TestClient(create_app(settings, clock=clock), base_url="https://between.test") as c:
        api = Api(c, tmp_path / "data")
        assert server_key(api, sam) == key  # the VAPID key is kept in the data directory
        (message,) = wait_for(lambda: stand_in.received(sub), "the push after the restart")
        assert message.json()["r"] == "restartaaaaa"
        wait_for(lambda: times_held(api) == [], "the time to leave the table")
        time.sleep(1.5)
        assert len(stand_in.received(sub)) == 1


async def seed_device(store: Store, handle: str) -> tuple[bytes, bytes]:
    """An account with one device, written straight into the store: (user id, device id)."""
    acct = b.new_account(handle)
    user, device = acct.user_id, acct.device_id.bytes

    async def op(c):
        await c.execute(
            "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, "
            "login_pub, recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, "
            "bundle_signature, created_at) VALUES (?, ?, 'client', 1, 1, 1, x'00', x'00', x'00', x'00', "
            "x'00', x'00', x'00', x'00', x'00', 0)",
            (user, handle),
        )
        await c.execute(
            "INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) "
            "VALUES (?, ?, 'phone', x'00', 0, 0)",
            (device, user),
        )

    await store.db.write(op)
    return user, device


def test_two_senders_send_each_time_once(tmp_path: Path, stand_in):
    """Two senders on one database (as several workers would be) claim under leases: 120 times, 120 pushes."""

    async def run() -> None:
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            user, device = await seed_device(store, "sam")
            sub = stand_in.subscribe()
            await store.reminders.subscribe(
                user, device, wire.PushSubscription(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth), 0
            )
            times = [wire.ReminderTime(id=f"t{i:011d}", at=int(START) - i % 7) for i in range(120)]
            assert await store.reminders.set_times(device, times, 0)
            vapid = Vapid.load_or_create(tmp_path / "vapid.pem")
            senders = [
                Sender(store.reminders, vapid, "mailto:ops@example.org", lambda: START, loopback=True) for _ in range(2)
            ]
            stand_in.clock = lambda: START
            counts = await asyncio.gather(*(s.run_once() for s in senders))
            for s in senders:
                await s.stop()
            assert sum(counts) == 120
            got = sorted(m.json()["r"] for m in stand_in.received(sub))
            assert got == sorted(t.id for t in times)
            assert await store.reminders.next_due() is None
        finally:
            await store.close()

    asyncio.run(run())


def test_bad_input_is_refused_and_stores_nothing(api_factory, stand_in):
    api = api_factory(**LOOPBACK)
    sam = api.register("sam")
    before = dump(api.db)
    sub = stand_in.subscribe()
    # no subscription yet: no times
    r = put(api, "/reminders/times", {"times": [{"id": "noneaaaaaaaa", "at": int(time.time()) + 60}]}, sam)
    assert r.status_code == 409 and r.json()["code"] == "no_subscription"
    refused_endpoints = [
        "http://push.example.org/x",
        "https://10.0.0.5/x",
        "https://printer.local/x",
        "https://192.168.1.9/x",
        "https://u:p@push.example.org/x",
    ]
    for endpoint in refused_endpoints:
        r = put(api, "/reminders/subscription", {**sub.wire(), "endpoint": endpoint}, sam)
        assert r.status_code == 400 and r.json()["code"] == "push_endpoint_refused", endpoint
    for body in (
        {**sub.wire(), "p256dh": base64.b64encode(os.urandom(64)).decode()},
        {**sub.wire(), "auth": base64.b64encode(os.urandom(15)).decode()},
        {**sub.wire(), "title": "Evening journal"},
    ):
        assert put(api, "/reminders/subscription", body, sam).status_code == 400
    assert dump(api.db) == before
    assert put(api, "/reminders/subscription", sub.wire(), sam).status_code == 204
    after_subscribe = dump(api.db)
    now = int(time.time())
    for times in (
        [{"id": "dupaaaaaaaaa", "at": now + 60}, {"id": "dupaaaaaaaaa", "at": now + 120}],
        [{"id": "faraaaaaaaaa", "at": now + 90 * 86400}],
        [{"id": "bad id!", "at": now + 60}],
        [{"id": "kindaaaaaaaa", "at": now + 60, "kind": "journal"}],
        [{"id": f"many{i:08d}", "at": now + 60} for i in range(201)],
    ):
        assert put(api, "/reminders/times", {"times": times}, sam).status_code == 400, times
    assert dump(api.db) == after_subscribe
    assert api.delete("/reminders/times/notheldaaaa", sam).status_code == 404
    # without a session: nothing
    assert api.c.get("/api/v1/reminders").status_code == 401


def test_times_replace_withdraw_and_clear(api_factory, stand_in):
    clock = Clock(START)
    api = api_factory(clock, **LOOPBACK)
    sam = api.register("sam")
    other = api.register("alex")
    # answered 500: a time that falls due stays in the table (retried), so the listing can show it
    put(api, "/reminders/subscription", stand_in.subscribe(status=500).wire(), sam)
    put(api, "/reminders/subscription", stand_in.subscribe().wire(), other)
    at = int(START) + 3600
    put(
        api,
        "/reminders/times",
        {
            "times": [
                {"id": "keepaaaaaaaa", "at": at},
                {"id": "dropaaaaaaaa", "at": at},
                {"id": "pastaaaaaaaa", "at": at - 7200},
            ]
        },
        sam,
    )
    assert [t["id"] for t in api.get("/reminders", sam).json()["devices"][0]["times"]] == [
        "dropaaaaaaaa",
        "keepaaaaaaaa",
    ]
    put(
        api,
        "/reminders/times",
        {"times": [{"id": "keepaaaaaaaa", "at": at}, {"id": "newaaaaaaaaa", "at": at + 60}]},
        sam,
    )
    assert [t["id"] for t in api.get("/reminders", sam).json()["devices"][0]["times"]] == [
        "keepaaaaaaaa",
        "newaaaaaaaaa",
    ]
    # a time that fell due stays with the sender when the device re-plans without it
    clock.advance(3600)
    put(api, "/reminders/times", {"times": [{"id": "newaaaaaaaaa", "at": at + 60}]}, sam)
    assert [t["id"] for t in api.get("/reminders", sam).json()["devices"][0]["times"]] == [
        "keepaaaaaaaa",
        "newaaaaaaaaa",
    ]
    # withdrawing one: a time not yet due (a due one may be in the sender's hands at this moment)
    assert api.delete("/reminders/times/newaaaaaaaaa", sam).status_code == 204
    # gone from the listing (the due one may be listed, or leased by the sender and left out meanwhile)
    assert "newaaaaaaaaa" not in [t["id"] for t in api.get("/reminders", sam).json()["devices"][0]["times"]]
    # another account sees only its own
    assert api.get("/reminders", other).json()["devices"][0]["times"] == []
    assert api.delete("/reminders", sam).status_code == 204
    assert api.get("/reminders", sam).json() == {"devices": []}
    assert len(api.get("/reminders", other).json()["devices"]) == 1


def test_loopback_endpoints_are_refused_in_production(api_factory, stand_in):
    api = api_factory()
    sam = api.register("sam")
    for endpoint in (stand_in.subscribe().endpoint, "https://127.0.0.1/x", "https://localhost/x", "https://[::1]/x"):
        r = put(api, "/reminders/subscription", {**stand_in.subscribe().wire(), "endpoint": endpoint}, sam)
        assert r.status_code == 400 and r.json()["code"] == "push_endpoint_refused", endpoint
    assert dump(api.db, ("push_subscriptions",)) == {"push_subscriptions": []}


def test_reminders_off_answers_404(api_factory):
    api = api_factory(reminders="off")
    sam = api.register("sam")
    r = api.get("/reminders/key", sam)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert not (api.data_dir / "vapid.pem").exists()


def test_encryption_matches_http_ece():
    """The server's RFC 8291 record opens with http_ece, and RFC 8291's own example (§5) is reproduced."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.push_service import _unb64url

    ua_private = ec.derive_private_key(
        int.from_bytes(_unb64url("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), "big"), ec.SECP256R1()
    )
    as_private = ec.derive_private_key(
        int.from_bytes(_unb64url("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"), "big"), ec.SECP256R1()
    )
    ua_public = _unb64url("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")
    auth = _unb64url("BTBZMqHH6r4Tts7J_aSIgg")
    body = encrypt(
        b"When I grow up, I want to be a watermelon",
        ua_public,
        auth,
        salt=_unb64url("DGv6ra1nlYgDCS1FRnbzlw"),
        ephemeral=as_private,
    )
    assert body == _unb64url(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    )
    import http_ece

    assert http_ece.decrypt(body, private_key=ua_private, auth_secret=auth, version="aes128gcm").startswith(b"When")


def test_endpoints_off_the_push_service_list_are_refused(api_factory, stand_in):
    """Only https on port 443 to a DNS name of the operator's list (default: the browsers' push services); every
    spelling of an address is refused, whatever a resolver would make of it."""
    api = api_factory()
    sam = api.register("sam")
    wire_sub = stand_in.subscribe().wire()
    for endpoint in (
        "https://2130706433/x",  # 127.0.0.1 as one decimal number
        "https://0x7f.1/x",  # hex and short forms
        "https://127.1/x",
        "https://0177.0.0.1/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://169.254.169.254/x",
        "https://push.example.org/x",  # a host off the list
        "https://fcm.googleapis.com.attacker.example/x",
        "https://attacker-fcm.googleapis.com/x",  # fcm.googleapis.com is listed without `*.`
        "https://push.apple.com/x",  # `*.push.apple.com` is names under it
        "https://fcm.googleapis.com:8443/fcm/send/x",  # another port
        "https://fcm.googleapis.com./fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:99999/x",
    ):
        r = put(api, "/reminders/subscription", {**wire_sub, "endpoint": endpoint}, sam)
        assert r.status_code == 400 and r.json()["code"] == "push_endpoint_refused", endpoint
    assert dump(api.db, ("push_subscriptions",)) == {"push_subscriptions": []}
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/dGVzdA",  # Chromium
        "https://updates.push.services.mozilla.com/wpush/v2/dGVzdA",  # Firefox
        "https://web.push.apple.com/QGVzdA",  # Safari
        "https://wns2-par02p.notify.windows.com/w/?token=dGVzdA",  # Edge
        "https://fcm.googleapis.com:443/fcm/send/dGVzdA",
    ):
        r = put(api, "/reminders/subscription", {**wire_sub, "endpoint": endpoint}, sam)
        assert r.status_code == 204, (endpoint, r.text)


def test_operator_list_of_push_services(api_factory, stand_in):
    api = api_factory(push_services=("push.example.org", "*.push.example.net"))
    sam = api.register("sam")
    wire_sub = stand_in.subscribe().wire()
    for endpoint, status in (
        ("https://push.example.org/x", 204),
        ("https://eu.push.example.net/x", 204),
        ("https://fcm.googleapis.com/fcm/send/x", 400),
        ("https://push.example.net/x", 400),
    ):
        r = put(api, "/reminders/subscription", {**wire_sub, "endpoint": endpoint}, sam)
        assert r.status_code == status, endpoint


class RawServer:
    """A tiny HTTP server on 127.0.0.1 for one behaviour of a bad push service: `drip` sends its answer one byte a
    second and never finishes; `flood` answers 201 with a body of 10 GiB and writes it as fast as it can."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.written = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.origin = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)  # the request (small: headers and one record)
            try:
                if self.mode == "drip":
                    for byte in b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n":
                        if self.stopped.wait(1.0):
                            return
                        conn.sendall(bytes([byte]))
                else:
                    conn.sendall(b"HTTP/1.1 201 Created\r\ncontent-length: 10737418240\r\n\r\n")
                    chunk = b"x" * 65536
                    while not self.stopped.is_set() and self.written < 10 * 1024**3:
                        conn.sendall(chunk)
                        self.written += len(chunk)
            except OSError:
                return

    def endpoint(self) -> str:
        return f"{self.origin}/push/{os.urandom(6).hex()}"

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


def test_a_dripping_push_service_holds_up_no_one_else(tmp_path: Path, stand_in):
    """One account's endpoint answers a byte a second: another account's reminder due at the same time is sent and
    recorded at once, and the dripping send ends at the deadline (its row waits for a retry)."""
    drip = RawServer("drip")

    async def run() -> None:
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            slow_user, slow_device = await seed_device(store, "mallory")
            user, device = await seed_device(store, "sam")
            sub = stand_in.subscribe()
            stand_in.clock = lambda: START
            for u, d, endpoint in ((slow_user, slow_device, drip.endpoint()), (user, device, sub.endpoint)):
                await store.reminders.subscribe(
                    u, d, wire.PushSubscription(endpoint=endpoint, p256dh=sub.p256dh, auth=sub.auth), 0
                )
            await store.reminders.set_times(slow_device, [wire.ReminderTime(id="slowaaaaaaaa", at=int(START))], 0)
            await store.reminders.set_times(device, [wire.ReminderTime(id="quickaaaaaaa", at=int(START))], 0)
            vapid = Vapid.load_or_create(tmp_path / "vapid.pem")
            sender = Sender(store.reminders, vapid, "mailto:ops@example.org", lambda: START, deadline=3, loopback=True)
            began = time.monotonic()
            round_ = asyncio.create_task(sender.run_once())

            async def recorded() -> bool:
                async with store.db.read() as c:
                    rows = await c.fetchall("SELECT reminder_id FROM reminder_times")
                return [r[0] for r in rows] == ["slowaaaaaaaa"]

            while not await recorded():
                assert time.monotonic() - began < 2.5, "the quick reminder waited for the dripping one"
                await asyncio.sleep(0.02)
            assert [m.json()["r"] for m in stand_in.received(sub)] == ["quickaaaaaaa"]
            assert not round_.done()  # the dripping send is still under way, and held up nothing
            assert await round_ == 1
            took = time.monotonic() - began
            assert 2.9 < took < 4.5, took  # the deadline, not the 40-odd seconds the whole answer would take
            async with store.db.read() as c:
                (row,) = await c.fetchall("SELECT reminder_id, due_at, lease FROM reminder_times")
            assert row == ("slowaaaaaaaa", int(START) + BACKOFF_FIRST, None)  # waits for its retry
            await sender.stop()
        finally:
            await store.close()

    try:
        asyncio.run(run())
    finally:
        drip.stop()


def test_a_huge_answer_is_not_read(tmp_path: Path, stand_in):
    """A push service answering 201 with 10 GiB: the push counts as sent at once, and the sender reads none of the
    body (what the server managed to write is what the sockets' buffers hold)."""
    flood = RawServer("flood")

    async def run() -> None:
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            user, device = await seed_device(store, "sam")
            sub = stand_in.subscribe()
            await store.reminders.subscribe(
                user, device, wire.PushSubscription(endpoint=flood.endpoint(), p256dh=sub.p256dh, auth=sub.auth), 0
            )
            await store.reminders.set_times(device, [wire.ReminderTime(id="floodaaaaaaa", at=int(START))], 0)
            vapid = Vapid.load_or_create(tmp_path / "vapid.pem")
            sender = Sender(store.reminders, vapid, "mailto:ops@example.org", lambda: START, loopback=True)
            began = time.monotonic()
            assert await sender.run_once() == 1
            assert time.monotonic() - began < 3
            assert await store.reminders.next_due() is None
            await sender.stop()
        finally:
            await store.close()

    try:
        asyncio.run(run())
        time.sleep(0.3)  # the server thread sees the closed connection
        assert flood.written < 64 * 1024**2, flood.written
    finally:
        flood.stop()


def test_sender_checks_the_endpoint_again_when_sending(tmp_path: Path, stand_in):
    """A subscription stored before the rules changed (or by an older server) is not posted to."""

    async def run() -> None:
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            user, device = await seed_device(store, "sam")
            sub = stand_in.subscribe()
            await store.reminders.subscribe(
                user, device, wire.PushSubscription(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth), 0
            )
            await store.reminders.set_times(device, [wire.ReminderTime(id="oldruleaaaaa", at=int(START))], 0)
            vapid = Vapid.load_or_create(tmp_path / "vapid.pem")
            sender = Sender(store.reminders, vapid, "mailto:ops@example.org", lambda: START)  # loopback off
            assert await sender.run_once() == 0
            assert stand_in.received(sub) == [] and stand_in.plain_posts == 0
            assert await store.reminders.next_due() is None  # dropped, not retried
            await sender.stop()
        finally:
            await store.close()

    asyncio.run(run())


def test_jwt_cache_is_bounded(tmp_path: Path):
    async def run() -> None:
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            sender = Sender(store.reminders, Vapid.load_or_create(tmp_path / "vapid.pem"), "mailto:a@b.org", time.time)
            for i in range(JWT_CACHE + 50):
                sender._authorization(f"https://h{i}.push.apple.com/x", 0)
            assert len(sender._jwt) == JWT_CACHE
            assert "https://h0.push.apple.com" not in sender._jwt
            await sender.stop()
        finally:
            await store.close()

    asyncio.run(run())
