"""Change notices (GET /api/v1/sync/changes) against the real server process: a session is needed, a move of the
account's feed or care links is noticed with nothing but "moved", nothing is said about other accounts or about a
device's own writes, and the limits (per account, lifetime, shutdown) close streams."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import builders as b
import httpx
import msgspec
import pytest

from between.sync.core import trust, wire
from tests.conftest import LiveServer, postgres_or_skip, start_live_server
from tests.environment import fresh_database

MOVED = "event: moved\ndata: moved\n\n"
PING = ": ping\n\n"
OPENED = ": open\n\n"
VOCABULARY = {OPENED, MOVED, PING}


@pytest.fixture
def server(tmp_path, engine) -> Iterator[LiveServer]:
    """A server whose streams ping every second (so "nothing came" can be told in two pings) and live 30 s. On
    PostgreSQL it runs two worker processes: a stream and the push it must hear of are served by either, and the
    notice crosses between them through LISTEN/NOTIFY (server/store/postgres.py)."""
    env = {"BETWEEN_LIVE_HEARTBEAT": "1", "BETWEEN_LIVE_LIFETIME": "30"}
    with ExitStack() as stack:
        if engine == "postgres":
            postgres_or_skip()
            env |= {"BETWEEN_DATABASE": stack.enter_context(fresh_database()).dsn, "BETWEEN_WORKERS": "2"}
        srv = start_live_server(tmp_path, env)
        try:
            yield srv
        finally:
            srv.stop()


class Stream:
    """One open change stream, read on its own thread: `messages` are the blank-line-separated messages so far."""

    def __init__(self, url: str, token: str) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.text = ""
        self.ended = threading.Event()
        self.opened = threading.Event()
        self._close = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, token), daemon=True)
        self._thread.start()

    def _read(self, url: str, token: str) -> None:
        try:
            with httpx.stream(
                "GET", url + "/sync/changes", headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as answer:
                self.status, self.headers = answer.status_code, dict(answer.headers)
                if answer.status_code != 200:
                    answer.read()
                    self.text = answer.text
                    return
                for chunk in answer.iter_text():
                    self.text += chunk
                    if self.text.startswith(OPENED):
                        self.opened.set()
                    if self._close.is_set():
                        return
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.ended.set()

    @property
    def messages(self) -> list[str]:
        return [m + "\n\n" for m in self.text.split("\n\n")[:-1]]

    def wait_for(self, predicate, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.messages):
            assert time.monotonic() < deadline, f"stream said {self.messages!r}"
            assert not self.ended.is_set() or predicate(self.messages), f"stream ended: {self.messages!r}"
            time.sleep(0.02)

    def quiet_since(self, mark: int) -> list[str]:
        """The messages after the first `mark`, once two pings have followed them: a notice of anything that
        happened before `mark` was taken would have come before the second ping (the server wakes a stream before it
        answers the write)."""
        self.wait_for(lambda ms: ms[mark:].count(PING) >= 2)
        return self.messages[mark:]

    def close(self) -> None:
        self._close.set()


@contextmanager
def stream(server: LiveServer, acct: b.Account) -> Iterator[Stream]:
    s = Stream(server.api, acct.token or "")
    try:
        s.opened.wait(15)
        yield s
    finally:
        s.close()


def _register(http: httpx.Client, handle: str, role: str = "client") -> b.Account:
    acct = b.new_account(handle, role)
    r = http.post("/accounts", json=b.j(b.signup(acct)))
    assert r.status_code == 201, r.text
    acct.token = r.json()["token"]
    return acct


def _second_device(http: httpx.Client, server: LiveServer, acct: b.Account) -> b.Account:
    """The same account signed in on another device (its own session and device id)."""
    other = b.Account(acct.secrets, acct.login_seed, acct.recovery_seed, acct.device_id, acct.device_seed)
    other.new_device()
    ch = msgspec.json.decode(http.post("/auth/prelogin", json={"handle": acct.handle}).content, type=wire.Challenge)
    r = http.post("/auth/login", json=b.j(b.login(other, ch, origin=server.url)))
    assert r.status_code == 200, r.text
    other.token = r.json()["token"]
    return other


def _push(http: httpx.Client, acct: b.Account, item: wire.PushItem) -> None:
    r = http.post("/sync/push", json=b.push_body([item]), headers=acct.auth())
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "ok", r.text


def _link(http: httpx.Client, therapist: b.Account, client: b.Account) -> None:
    made = http.post("/invites", headers=therapist.auth()).json()
    invite_id = uuid.UUID(made["invite_id"]).bytes
    proof = trust.invite_proof(
        trust.invite_secret(therapist.secrets.account_key, invite_id), invite_id, therapist.user_id, client.bundle
    )
    r = http.post("/invites/accept", json=b.accept(made["token"], proof), headers=client.auth())
    assert r.status_code == 201, r.text


def test_the_stream_needs_a_session(server):
    for headers in ({}, {"Authorization": "Bearer " + b.new_token_like()}, {"Authorization": "Basic abc"}):
        r = httpx.get(server.api + "/sync/changes", headers=headers, timeout=10)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized", r.text


def test_another_devices_push_is_noticed_with_nothing_but_moved(server):
    http = httpx.Client(base_url=server.api, timeout=10)
    phone = _register(http, "alice")
    laptop = _second_device(http, server, phone)
    with stream(server, phone) as s:
        assert s.status == 200
        assert s.headers["content-type"].startswith("text/event-stream")
        assert "no-store" in s.headers["cache-control"]
        rec = b.Rec(laptop)
        _push(http, laptop, rec.item(b'{"secret":"canary-laptop"}'))
        s.wait_for(lambda ms: MOVED in ms)
        _push(http, laptop, rec.item())
        s.wait_for(lambda ms: ms.count(MOVED) == 2)
        assert set(s.messages) <= VOCABULARY
        for told in (str(rec.record_id), rec.record_id.hex, "alice", "canary", phone.uuid.hex, str(phone.uuid)):
            assert told not in s.text


def test_a_device_is_not_told_of_its_own_push(server):
    http = httpx.Client(base_url=server.api, timeout=10)
    phone = _register(http, "alice")
    with stream(server, phone) as s:
        mark = len(s.messages)
        _push(http, phone, b.Rec(phone).item())
        assert MOVED not in s.quiet_since(mark)


def test_nothing_is_said_about_other_accounts_and_shares_and_links_are_noticed(server):
    http = httpx.Client(base_url=server.api, timeout=10)
    therapist = _register(http, "dr-tran", "therapist")
    client = _register(http, "sam")
    stranger = _register(http, "bob")
    with stream(server, client) as c, stream(server, therapist) as t:
        # A link made: the therapist's list of care links changed (the client's device made it: not told).
        mark_c, mark_t = len(c.messages), len(t.messages)
        _link(http, therapist, client)
        t.wait_for(lambda ms: MOVED in ms[mark_t:])
        assert MOVED not in c.quiet_since(mark_c)

        # A stranger's push, and the therapist's own unshared record: nothing for the client.
        mark = len(c.messages)
        _push(http, stranger, b.Rec(stranger).item())
        _push(http, therapist, b.Rec(therapist).item())
        assert MOVED not in c.quiet_since(mark)

        # The therapist shares a record with the client (an assignment): the client's feed moved.
        mark = len(c.messages)
        _push(http, therapist, b.Rec(therapist).item(grant_to=[client]))
        c.wait_for(lambda ms: MOVED in ms[mark:])

        # The therapist's device ends the link: the client's list changed.
        mark = len(c.messages)
        [link] = http.get("/links", headers=client.auth()).json()
        assert http.delete(f"/links/{link['link_id']}", headers=therapist.auth()).status_code == 204
        c.wait_for(lambda ms: MOVED in ms[mark:])
        assert set(c.messages) <= VOCABULARY and set(t.messages) <= VOCABULARY


def test_a_stream_ends_soon_after_its_session_ends(server):
    """Sign-out and a revoked device end the session's open streams at the next heartbeat (1 s here), long before
    their lifetime (30 s here); other sessions' streams go on."""
    http = httpx.Client(base_url=server.api, timeout=10)
    phone = _register(http, "alice")
    laptop = _second_device(http, server, phone)
    tablet = _second_device(http, server, phone)
    with stream(server, phone) as p, stream(server, laptop) as lap, stream(server, tablet) as tab:
        assert p.status == lap.status == tab.status == 200
        assert http.post("/auth/logout", headers=laptop.auth()).status_code == 204
        assert lap.ended.wait(10), lap.messages
        assert http.delete(f"/devices/{tablet.device_id}", headers=phone.auth()).status_code == 204
        assert tab.ended.wait(10), tab.messages
        for ended in (lap, tab):
            assert ended.text.startswith(OPENED) and set(ended.messages) <= VOCABULARY
        # The phone's own session still stands: its stream goes on pinging.
        mark = len(p.messages)
        p.wait_for(lambda ms: ms[mark:].count(PING) >= 2)
        assert not p.ended.is_set()


def test_streams_close_at_the_per_account_limit_at_their_lifetime_and_at_shutdown(tmp_path):
    srv = start_live_server(
        tmp_path, {"BETWEEN_LIVE_HEARTBEAT": "1", "BETWEEN_LIVE_LIFETIME": "3", "BETWEEN_LIVE_PER_ACCOUNT": "2"}
    )
    try:
        http = httpx.Client(base_url=srv.api, timeout=10)
        alice = _register(http, "alice")
        bo = _register(http, "bob")
        with stream(srv, alice) as first, stream(srv, alice) as second:
            assert first.status == second.status == 200
            third = httpx.get(srv.api + "/sync/changes", headers=alice.auth(), timeout=10)
            assert third.status_code == 429 and third.json()["code"] == "rate_limited", third.text
            assert int(third.headers["retry-after"]) > 0
            # The limit is per account: someone else still opens one.
            with stream(srv, bo) as other:
                assert other.status == 200
            # Each stream ends by itself at its lifetime; the account can open new ones.
            assert first.ended.wait(15) and second.ended.wait(15)
            assert first.text.startswith(OPENED) and set(first.messages) <= VOCABULARY
        with stream(srv, alice) as again:
            assert again.status == 200
            # A server that stops ends its open streams at once, not after its graceful timeout.
            started = time.monotonic()
            srv.stop()
            assert again.ended.wait(15)
            assert srv.proc.poll() is not None
            assert time.monotonic() - started < 8
    finally:
        srv.stop()


def test_notices_can_be_turned_off(tmp_path):
    srv = start_live_server(tmp_path, {"BETWEEN_LIVE": "off"})
    try:
        http = httpx.Client(base_url=srv.api, timeout=10)
        alice = _register(http, "alice")
        r = http.get("/sync/changes", headers=alice.auth())
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    finally:
        srv.stop()


def test_a_push_through_one_process_is_noticed_by_a_stream_on_another(tmp_path):
    """PostgreSQL: two server processes on one database (as two workers are, but each on its own port, so which one
    serves what is certain): a stream held by one hears of a push taken by the other, through LISTEN/NOTIFY."""
    postgres_or_skip()
    env = {"BETWEEN_LIVE_HEARTBEAT": "1", "BETWEEN_LIVE_LIFETIME": "30", "BETWEEN_WORKERS": "1"}
    with fresh_database() as database:
        env["BETWEEN_DATABASE"] = database.dsn
        (tmp_path / "one").mkdir()
        (tmp_path / "two").mkdir()
        one, two = start_live_server(tmp_path / "one", env), start_live_server(tmp_path / "two", env)
        try:
            phone = _register(httpx.Client(base_url=one.api, timeout=10), "alice")
            http_two = httpx.Client(base_url=two.api, timeout=10)
            laptop = _second_device(http_two, two, phone)
            with stream(one, phone) as s:
                assert s.status == 200
                mark = len(s.messages)
                _push(http_two, laptop, b.Rec(laptop).item())
                s.wait_for(lambda ms: MOVED in ms[mark:])
            with stream(two, laptop) as s:  # and the other way round; a device's own push is still not told
                mark = len(s.messages)
                _push(httpx.Client(base_url=one.api, timeout=10), phone, b.Rec(phone).item())
                s.wait_for(lambda ms: MOVED in ms[mark:])
                mark = len(s.messages)
                _push(http_two, laptop, b.Rec(laptop).item())
                assert MOVED not in s.quiet_since(mark)
        finally:
            one.stop()
            two.stop()
