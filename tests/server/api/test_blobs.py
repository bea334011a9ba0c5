"""Blob uploads against the real server (PROTOCOL.md §17 "Attachments"): two connections uploading at one offset at
once (SQLite, and PostgreSQL with two worker processes), and a server killed in the middle of an upload."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid

import builders as b
import httpx
import pytest

from tests.conftest import LiveServer, start_live_server

UPLOAD = "application/offset+octet-stream"


def _register(http: httpx.Client, handle: str) -> b.Account:
    acct = b.new_account(handle)
    r = http.post("/accounts", json=b.j(b.signup(acct)))
    assert r.status_code == 201, r.text
    acct.token = r.json()["token"]
    return acct


def _patch(http: httpx.Client, acct: b.Account, blob_id: str, offset: int, content) -> httpx.Response:
    headers = {**acct.auth(), "Content-Type": UPLOAD, "Upload-Offset": str(offset)}
    return http.patch(f"/blobs/{blob_id}", content=content, headers=headers)


def _race(api: str, acct: b.Account, blob_id: str, pieces: list[bytes]) -> list[httpx.Response]:
    """Both pieces PATCHed at offset 0 at once, each on a connection of its own; the two answers."""
    answers: list[httpx.Response | None] = [None, None]
    start = threading.Barrier(2)

    def send(n: int) -> None:
        with httpx.Client(base_url=api, timeout=60) as own:
            start.wait()
            answers[n] = _patch(own, acct, blob_id, 0, pieces[n])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers[0] is not None and answers[1] is not None
    return [answers[0], answers[1]]


def test_two_connections_at_one_offset_one_lands_and_the_other_is_told_where_to_go_on(engine_server: LiveServer):
    piece = 3 * 1024 * 1024
    with httpx.Client(base_url=engine_server.api, timeout=60) as http:
        sam = _register(http, "sam")
        for _ in range(3):  # a few rounds: the two bodies arrive in either order, or at once
            blob_id = str(uuid.uuid4())
            assert http.post("/blobs", json={"id": blob_id, "size": 2 * piece}, headers=sam.auth()).status_code == 201
            pieces = [os.urandom(piece), os.urandom(piece)]
            answers = _race(engine_server.api, sam, blob_id, pieces)
            assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
            won = 0 if answers[0].status_code == 200 else 1
            lost = answers[1 - won].json()
            assert lost["code"] == "upload_offset" and lost["received"] == piece
            done = _patch(http, sam, blob_id, piece, pieces[won])
            assert done.status_code == 200 and done.json()["complete"], done.text
            got = http.get(f"/blobs/{blob_id}", headers=sam.auth())
            assert got.content == pieces[won] * 2  # the winner's bytes alone, nothing of the other's
            assert got.headers["etag"] == f'"{hashlib.sha256(pieces[won] * 2).hexdigest()}"'


@pytest.mark.slow
def test_a_server_killed_mid_upload_leaves_a_state_to_resume_from(tmp_path):
    server = start_live_server(tmp_path)
    try:
        data = os.urandom(6 * 1024 * 1024)
        with httpx.Client(base_url=server.api, timeout=30) as http:
            sam = _register(http, "sam")
            blob_id = str(uuid.uuid4())
            assert http.post("/blobs", json={"id": blob_id, "size": len(data)}, headers=sam.auth()).status_code == 201
            assert _patch(http, sam, blob_id, 0, data[: 2 << 20]).json()["received"] == 2 << 20

            sent = threading.Event()

            def slow_body():
                yield data[2 << 20 : 3 << 20]
                sent.set()
                time.sleep(30)  # the server dies while it waits for the rest
                yield data[3 << 20 :]

            def upload() -> None:
                try:
                    with httpx.Client(base_url=server.api, timeout=60) as own:
                        _patch(own, sam, blob_id, 2 << 20, slow_body())
                except httpx.HTTPError:
                    pass

            thread = threading.Thread(target=upload, daemon=True)
            thread.start()
            assert sent.wait(10)
            time.sleep(0.3)
            server.kill()
        server.restart()
        with httpx.Client(base_url=server.api, timeout=30) as http:
            state = http.get(f"/blobs/{blob_id}/state", headers=sam.auth()).json()
            assert state["received"] == 2 << 20 and not state["complete"]  # the cut piece never counted
            name = uuid.UUID(blob_id).hex
            on_disk = (server.data_dir / "blobs" / name[:2] / name).stat().st_size
            assert on_disk >= state["received"]  # the count never passes the bytes on disk
            done = _patch(http, sam, blob_id, state["received"], data[state["received"] :])
            assert done.status_code == 200 and done.json()["complete"], done.text
            assert http.get(f"/blobs/{blob_id}", headers=sam.auth()).content == data
    finally:
        server.stop()
