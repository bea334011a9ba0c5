"""Against the real server process: pull ordering under concurrent pushes, and kill -9 durability."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time

import builders as b
import httpx
import msgspec
import pytest

from between.sync.core import wire
from tests.conftest import workers_of

pytestmark = pytest.mark.slow


def _wait_for_workers(server, count: int, old: set[int], timeout: float = 60) -> None:
    """Until the supervisor has replaced the killed worker and the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = workers_of(server)
        if len(now) == count and set(now) != old:
            try:
                if httpx.get(server.api + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"the supervisor did not restart a worker: {workers_of(server)}")


def _register(http: httpx.Client, handle: str) -> b.Account:
    acct = b.new_account(handle)
    r = http.post("/accounts", json=b.j(b.signup(acct)))
    assert r.status_code == 201, r.text
    acct.token = r.json()["token"]
    return acct


def _push(http: httpx.Client, acct: b.Account, item: wire.PushItem) -> dict:
    r = http.post("/sync/push", json=b.push_body([item]), headers=acct.auth())
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def test_pull_pages_never_skip_under_concurrent_pushes(engine_server):
    """On PostgreSQL, two worker processes take the pushes, whose transactions commit in any order (docs/INTERNALS.md,
    "Feed order on PostgreSQL"): a reader paging by seq with pages of 1-3 must still see every revision."""
    live_server = engine_server
    if live_server.env.get("BETWEEN_DATABASE"):
        assert len(workers_of(live_server)) == 2
    http = httpx.Client(base_url=live_server.api, timeout=10)
    alice = _register(http, "alice")
    writers, per_writer, errors = 3, 30, []
    done = threading.Event()

    def writer(n: int) -> None:
        try:
            with httpx.Client(base_url=live_server.api, timeout=10) as h:
                recs = [b.Rec(alice) for _ in range(3)]
                for i in range(per_writer):
                    assert _push(h, alice, recs[i % 3].item(f"w{n} #{i}".encode()))["status"] == "ok"
        except Exception as exc:  # surfaced in the main thread
            errors.append(exc)

    seen: dict[str, int] = {}
    cursors: list[int] = []

    def read_page(h: httpx.Client, after: int) -> tuple[int, bool]:
        r = h.get("/sync/pull", params={"after": after, "limit": random.randint(1, 3)}, headers=alice.auth())
        assert r.status_code == 200, r.text
        page = msgspec.json.decode(r.content, type=wire.PullResponse)
        seqs = [i.seq for i in page.items]
        assert seqs == sorted(seqs) and all(s > after for s in seqs)
        assert page.cursor >= after and (not seqs or page.cursor == seqs[-1])
        for i in page.items:
            seen[str(i.record_id)] = i.head.version
        cursors.append(page.cursor)
        return page.cursor, page.more

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    cursor = 0
    with httpx.Client(base_url=live_server.api, timeout=10) as h:
        while not done.is_set():
            cursor, _ = read_page(h, cursor)
            if not any(t.is_alive() for t in threads):
                done.set()
        more = True
        while more:  # drain after the writers stopped
            cursor, more = read_page(h, cursor)
    for t in threads:
        t.join()
    assert not errors, errors
    assert cursors == sorted(cursors)
    final = http.get("/sync/pull", params={"after": 0, "limit": 1000}, headers=alice.auth()).json()
    heads = {i["record_id"]: i["head"]["version"] for i in final["items"]}
    assert len(heads) == writers * 3
    assert seen == heads
    assert set(heads.values()) == {per_writer // 3}


def test_acknowledged_pushes_survive_kill_9(engine_server):
    """SQLite: the server process is killed. PostgreSQL: one of its two workers is killed, mid-push; the supervisor
    starts another, and every acknowledged push is there."""
    live_server = engine_server
    postgres = bool(live_server.env.get("BETWEEN_DATABASE"))
    http = httpx.Client(base_url=live_server.api, timeout=10)
    accounts = [_register(http, f"user{n}") for n in range(4)]
    acked: list[tuple[b.Account, str, int, bytes]] = []
    lock = threading.Lock()
    stop = threading.Event()
    enough = threading.Event()  # this cycle's writers have had `target` pushes acknowledged
    target = 0

    def client(acct: b.Account) -> None:
        recs = [b.Rec(acct) for _ in range(4)]
        with httpx.Client(base_url=live_server.api, timeout=5) as h:
            i = 0
            while not stop.is_set():
                rec = recs[i % 4]
                item = rec.item(f"entry {i}".encode())
                try:
                    r = h.post("/sync/push", json=b.push_body([item]), headers=acct.auth())
                except httpx.HTTPError:
                    return  # the server died mid-request: this push may or may not have landed
                if r.status_code != 200 or r.json()["results"][0]["status"] != "ok":
                    return
                with lock:
                    acked.append((acct, str(rec.record_id), rec.version, rec.head))
                    if len(acked) >= target:
                        enough.set()
                i += 1

    for _ in range(2):
        stop.clear()
        enough.clear()
        target = len(acked) + 15
        threads = [threading.Thread(target=client, args=(a,)) for a in accounts]
        for t in threads:
            t.start()
        # Killed while the writers are busy, once they have landed pushes: progress, not a fixed time, however
        # loaded the machine is.
        assert enough.wait(timeout=120), "the writers got no pushes acknowledged"
        if postgres:
            before = workers_of(live_server)
            assert len(before) == 2
            os.kill(random.choice(before), signal.SIGKILL)
        else:
            live_server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=10)
        if postgres:
            _wait_for_workers(live_server, 2, set(before))
        else:
            live_server.restart()
        # a fresh set of records per cycle: the old Rec state may be ahead of what landed
    assert len(acked) > 20, "too few pushes to say anything"
    for acct, record_id, version, rev_id in acked:
        r = http.get(f"/records/{record_id}/history", params={"before": version + 1, "limit": 1}, headers=acct.auth())
        assert r.status_code == 200, r.text
        [rev] = r.json()["revisions"]
        assert rev["version"] == version
        assert msgspec.convert(rev, wire.StoredRevision).rev_id == rev_id
    if postgres:
        return
    conn = sqlite3.connect(live_server.data_dir / "between.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    # the log holds no bearer tokens or bodies
    log = live_server.log()
    assert all(a.token not in log for a in accounts)
    assert "entry " not in log
