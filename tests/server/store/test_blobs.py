"""Attachments' blobs (PROTOCOL.md §17 "Attachments"), on both engines: create and resume, upload in pieces, the
offset rule, sizes and the quota, download with ranges, who may fetch, pushes naming blobs, collection, account
deletion. Every refusal is checked to change nothing stored."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import builders as b
import msgspec
import pytest
from harness import Api, Clock, dump

from between.sync.core import wire

UPLOAD = "application/offset+octet-stream"
DAY = 86400


def create(api: Api, acct: b.Account, size: int, blob_id: uuid.UUID | None = None):
    return api.post("/blobs", {"id": str(blob_id or uuid.uuid4()), "size": size}, acct)


def patch(api: Api, acct: b.Account, blob_id: str, offset: int | str | None, data: bytes, media: str = UPLOAD):
    headers = {**acct.auth(), "Content-Type": media}
    if offset is not None:
        headers["Upload-Offset"] = str(offset)
    return api.c.patch(f"/api/v1/blobs/{blob_id}", content=data, headers=headers)


def upload(api: Api, acct: b.Account, data: bytes) -> str:
    """A complete blob of `data`; its id."""
    r = create(api, acct, len(data))
    assert r.status_code == 201, r.text
    blob_id = r.json()["id"]
    r = patch(api, acct, blob_id, 0, data)
    assert r.status_code == 200 and r.json()["complete"], r.text
    return blob_id


def naming(item: wire.PushItem, *blob_ids: str) -> wire.PushItem:
    return msgspec.structs.replace(item, attachments=[uuid.UUID(x) for x in blob_ids])


def collect(api: Api) -> list[bytes]:
    """One round of the collector, now, on the app's own event loop (what the background task runs)."""
    return api.run(api.services.collector.run_once)


def blob_file(api: Api, blob_id: str) -> Path:
    name = uuid.UUID(blob_id).hex
    return api.data_dir / "blobs" / name[:2] / name


def fetch(api: Api, acct: b.Account, blob_id: str, range_: str):
    return api.c.get(f"/api/v1/blobs/{blob_id}", headers={**acct.auth(), "Range": range_})


def stored(api: Api) -> dict[str, list]:
    return dump(api.db, ("blobs", "revision_blobs", "records", "revisions"))


def test_create_resume_upload_and_download(api: Api):
    sam = api.register("sam")
    data = os.urandom(200_000)
    blob_id = str(uuid.uuid4())
    r = create(api, sam, len(data), uuid.UUID(blob_id))
    assert r.status_code == 201, r.text
    assert r.json() == {"id": blob_id, "size": len(data), "received": 0, "complete": False, "digest": None}
    assert create(api, sam, len(data), uuid.UUID(blob_id)).status_code == 200  # a resumed upload starts here

    r = patch(api, sam, blob_id, 0, data[:70_000])
    assert r.status_code == 200 and r.json()["received"] == 70_000 and not r.json()["complete"]
    again = create(api, sam, len(data), uuid.UUID(blob_id))
    assert again.status_code == 200 and again.json()["received"] == 70_000
    assert api.get(f"/blobs/{blob_id}/state", sam).json()["received"] == 70_000
    assert api.get(f"/blobs/{blob_id}", sam).json()["code"] == "upload_incomplete"

    r = patch(api, sam, blob_id, 70_000, data[70_000:])
    assert r.status_code == 200, r.text
    digest = hashlib.sha256(data).digest()
    assert r.json()["complete"] and wire.BlobState(**{**r.json(), "id": uuid.UUID(blob_id)}) is not None
    assert msgspec.json.decode(r.content, type=wire.BlobState).digest == digest
    if api.database is None:
        assert blob_file(api, blob_id).read_bytes() == data

    got = api.get(f"/blobs/{blob_id}", sam)
    assert got.status_code == 200 and got.content == data
    assert got.headers["etag"] == f'"{digest.hex()}"'
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["content-type"] == "application/octet-stream"

    part = fetch(api, sam, blob_id, "bytes=1000-1999")
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    tail = fetch(api, sam, blob_id, "bytes=-10")
    assert tail.status_code == 206 and tail.content == data[-10:]
    rest = fetch(api, sam, blob_id, f"bytes={len(data) - 5}-")
    assert rest.status_code == 206 and rest.content == data[-5:]
    across = fetch(api, sam, blob_id, "bytes=1048570-99999999")
    assert across.status_code == 416 and across.headers["content-range"] == f"bytes */{len(data)}"
    assert across.json()["code"] == "range_not_satisfiable"
    several = fetch(api, sam, blob_id, "bytes=0-1,5-6")
    assert several.status_code == 200 and several.content == data  # one range only: the rest is ignored
    for ignored in ("items=0-5", "bytes=abc", "bytes=9-3", "bytes=-", "bytes=" + "9" * 50 + "-1"):
        r = fetch(api, sam, blob_id, ignored)
        assert r.status_code == 200 and r.content == data, ignored
    huge = fetch(api, sam, blob_id, "bytes=" + "9" * 50 + "-")
    assert huge.status_code == 416

    before = stored(api)
    done = patch(api, sam, blob_id, len(data), b"more")
    assert done.status_code == 409 and done.json()["code"] == "upload_offset" and done.json()["complete"]
    assert stored(api) == before


def test_an_offset_that_is_not_the_servers_is_refused_with_where_to_go_on(api: Api):
    sam = api.register("sam")
    blob_id = create(api, sam, 1000).json()["id"]
    assert patch(api, sam, blob_id, 0, bytes(400)).status_code == 200
    before = stored(api)
    for wrong in (0, 399, 401, 999):
        r = patch(api, sam, blob_id, wrong, bytes(10))
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["code"] == "upload_offset" and body["status"] == 409
        assert (body["id"], body["size"], body["received"], body["complete"]) == (blob_id, 1000, 400, False)
    assert stored(api) == before
    r = patch(api, sam, blob_id, 400, os.urandom(600))
    assert r.status_code == 200 and r.json()["complete"]


def test_bad_input_is_refused_and_nothing_is_stored(api_factory):
    api = api_factory(max_blob_bytes=100_000, max_request_bytes=8192)
    sam, kim = api.register("sam"), api.register("kim")
    blob_id = create(api, sam, 50_000).json()["id"]
    before = stored(api)
    for body in ({"id": str(uuid.uuid4()), "size": 0}, {"id": "not-a-uuid", "size": 5}, {"id": str(uuid.uuid4())}):
        r = api.post("/blobs", body, sam)
        assert r.status_code == 400 and r.json()["code"] == "invalid_body", r.text
    r = create(api, sam, 100_001)
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
    r = create(api, kim, 50_000, uuid.UUID(blob_id))  # another account's id
    assert r.status_code == 409 and r.json()["code"] == "blob_exists"
    r = create(api, sam, 50_001, uuid.UUID(blob_id))  # the same id with another size
    assert r.status_code == 409 and r.json()["code"] == "blob_exists"
    assert patch(api, sam, blob_id, None, b"x").json()["code"] == "bad_request"  # no Upload-Offset
    for offset in ("-1", "abc", "1e3", "9" * 40):
        assert patch(api, sam, blob_id, offset, b"x").status_code == 400
    r = patch(api, sam, blob_id, 0, b"{}", media="application/json")
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"
    r = patch(api, sam, blob_id, 0, b"x", media="application/octet-stream")
    assert r.status_code == 415
    r = patch(api, sam, blob_id, 0, bytes(8193))  # above BETWEEN_MAX_REQUEST_BYTES
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    small = create(api, sam, 100).json()["id"]
    before = stored(api)
    r = patch(api, sam, small, 0, bytes(101))  # past the blob's size
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
    assert patch(api, kim, small, 0, bytes(10)).status_code == 404  # not kim's
    assert api.get(f"/blobs/{small}/state", kim).status_code == 404
    assert api.get(f"/blobs/{uuid.uuid4()}/state", sam).status_code == 404
    assert api.get("/blobs/not-a-uuid/state", sam).status_code in (400, 404)
    assert api.get(f"/blobs/{small}/state").status_code == 401
    assert stored(api) == before
    if api.database is None:
        assert not blob_file(api, small).exists()


def test_a_full_attachment_quota_makes_nothing(api_factory):
    api = api_factory(attachment_quota=10_000)
    sam, kim = api.register("sam"), api.register("kim")
    create(api, sam, 6_000)
    before = stored(api)
    r = create(api, sam, 4_001)
    assert r.status_code == 413 and r.json()["code"] == "quota_exceeded"
    assert "4001" in r.json()["detail"] and "6000" in r.json()["detail"] and "10000" in r.json()["detail"]
    assert stored(api) == before
    assert create(api, sam, 4_000).status_code == 201  # up to the quota exactly
    assert create(api, kim, 10_000).status_code == 201  # each account its own


def test_who_may_fetch_a_blob(two_linked):
    api, therapist, client = two_linked
    stranger = api.register("stranger")
    data = os.urandom(3000)
    blob_id = upload(api, client, data)
    rec = b.Rec(client)
    assert api.push(client, [naming(rec.item(grant_to=[therapist]), blob_id)])[0]["status"] == "ok"
    assert api.get(f"/blobs/{blob_id}", client).content == data
    assert api.get(f"/blobs/{blob_id}", therapist).content == data  # a grantee of the revision's key
    assert api.get(f"/blobs/{blob_id}", stranger).status_code == 404
    assert api.get(f"/blobs/{blob_id}/state", therapist).status_code == 404  # the upload is the owner's
    own = upload(api, client, os.urandom(100))  # named by no revision the therapist can read
    assert api.get(f"/blobs/{own}", therapist).status_code == 404

    rec.rekey()  # unshare: a new key, the same attachment
    assert api.push(client, [naming(rec.item(revoke=[therapist]), blob_id)])[0]["status"] == "ok"
    r = api.get(f"/blobs/{blob_id}", therapist)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api.get(f"/blobs/{blob_id}", client).content == data


def test_a_push_names_only_complete_blobs_of_its_own(two_linked):
    api, therapist, client = two_linked
    mine = upload(api, client, os.urandom(500))
    theirs = upload(api, therapist, os.urandom(500))
    partial = create(api, client, 500).json()["id"]
    patch(api, client, partial, 0, bytes(100))
    for bad in (str(uuid.uuid4()), theirs, partial):
        before = stored(api)
        [res] = api.push(client, [naming(b.Rec(client).item(), mine, bad)])
        assert (res["status"], res["detail"]) == ("invalid", "unknown_blob")
        assert stored(api) == before
    before = stored(api)
    good, bad = b.Rec(client), b.Rec(client)
    results = api.push(client, [naming(good.item(), mine), naming(bad.item(), partial)], atomic=True)
    assert [r["status"] for r in results] == ["aborted", "invalid"] and results[1]["detail"] == "unknown_blob"
    assert stored(api) == before
    [res] = api.push(client, [naming(b.Rec(client).item(), mine, mine)])  # the same blob twice: once
    assert res["status"] == "ok"


def test_collection_keeps_what_is_named_and_takes_the_rest_in_time(api_factory):
    clock = Clock()
    api = api_factory(clock=clock, attachment_quota=1_000_000, session_ttl=400 * DAY)
    sam = api.register("sam")
    aborted = create(api, sam, 300_000).json()["id"]
    patch(api, sam, aborted, 0, bytes(1000))
    unnamed = upload(api, sam, os.urandom(300_000))
    kept = upload(api, sam, os.urandom(300_000))
    rec = b.Rec(sam)
    assert api.push(sam, [naming(rec.item(), kept)])[0]["status"] == "ok"
    assert create(api, sam, 300_000).status_code == 413  # 900 000 of 1 000 000 taken

    clock.advance(DAY - 60)
    assert collect(api) == []
    clock.advance(120)  # a day after their last write
    assert {uuid.UUID(bytes=x) for x in collect(api)} == {uuid.UUID(aborted), uuid.UUID(unnamed)}
    assert api.get(f"/blobs/{aborted}/state", sam).status_code == 404
    assert api.get(f"/blobs/{unnamed}", sam).status_code == 404
    if api.database is None:
        assert not blob_file(api, unnamed).exists() and blob_file(api, kept).exists()

    clock.advance(40 * DAY)  # named by the head all this while: kept
    assert collect(api) == []
    assert api.push(sam, [naming(rec.item(b'{"v":2}'), kept)])[0]["status"] == "ok"  # still named by the head
    clock.advance(40 * DAY)
    assert collect(api) == []

    # the record is deleted: its tombstone names no blob; kept for the history window from then, then collected
    assert api.push(sam, [rec.item(b'{"deleted":true}')])[0]["status"] == "ok"
    clock.advance(30 * DAY - 60)
    assert collect(api) == []
    assert api.get(f"/blobs/{kept}", sam).status_code == 200
    clock.advance(120)
    assert collect(api) == [uuid.UUID(kept).bytes]
    assert api.get(f"/blobs/{kept}", sam).status_code == 404
    if api.database is None:
        assert not blob_file(api, kept).exists()
    assert stored(api)["blobs"] == [] and stored(api)["revision_blobs"] == []
    assert create(api, sam, 1_000_000).status_code == 201  # the collected bytes left the quota


def test_a_blob_named_again_by_a_new_head_is_kept(api_factory):
    clock = Clock()
    api = api_factory(clock=clock, session_ttl=400 * DAY)
    sam = api.register("sam")
    blob_id = upload(api, sam, os.urandom(1000))
    rec = b.Rec(sam)
    api.push(sam, [naming(rec.item(), blob_id)])
    api.push(sam, [rec.item(b'{"v":2}')])  # the head names it no more
    clock.advance(20 * DAY)
    api.push(sam, [naming(rec.item(b'{"v":3}'), blob_id)])  # named again (an undo)
    clock.advance(20 * DAY)
    assert collect(api) == []
    assert api.get(f"/blobs/{blob_id}", sam).status_code == 200


def test_a_deleted_account_takes_its_blobs(api: Api):
    sam, kim = api.register("sam"), api.register("kim")
    gone = upload(api, sam, os.urandom(2000))
    half = create(api, sam, 2000).json()["id"]
    patch(api, sam, half, 0, bytes(10))
    stays = upload(api, kim, os.urandom(2000))
    r = api.post("/account/delete", b.delete_account(sam, api.challenge("sam")), sam)
    assert r.status_code == 204, r.text
    assert [bytes(row[0]) for row in stored(api)["blobs"]] == [uuid.UUID(stays).bytes]
    if api.database is None:
        assert not blob_file(api, gone).exists() and not blob_file(api, half).exists()
        assert blob_file(api, stays).exists()


def test_the_count_never_passes_the_bytes_on_disk_and_a_cut_write_resumes(api: Api):
    """A crash between writing a piece and counting it leaves bytes past `received` (SQLite: in the file; PostgreSQL
    writes both in one transaction). The next upload at `received` cuts them away first."""
    sam = api.register("sam")
    data = os.urandom(50_000)
    blob_id = create(api, sam, len(data)).json()["id"]
    assert patch(api, sam, blob_id, 0, data[:20_000]).json()["received"] == 20_000
    if api.database is None:
        path = blob_file(api, blob_id)
        assert path.stat().st_size == 20_000
        with path.open("ab") as f:  # what a write cut off before its count leaves
            f.write(b"\xff" * 7_000)
        assert path.stat().st_size >= api.get(f"/blobs/{blob_id}/state", sam).json()["received"]
    state = api.get(f"/blobs/{blob_id}/state", sam).json()
    assert state["received"] == 20_000
    r = patch(api, sam, blob_id, 20_000, data[20_000:])
    assert r.status_code == 200 and r.json()["complete"], r.text
    assert msgspec.json.decode(r.content, type=wire.BlobState).digest == hashlib.sha256(data).digest()
    assert api.get(f"/blobs/{blob_id}", sam).content == data


@pytest.mark.parametrize("first", [0, 1])
def test_two_uploads_at_one_offset_one_lands(api: Api, first: int):
    """Two appends at the same offset at once, on the app's own loop: one lands, the other finds the row moved on;
    the bytes are the winner's alone."""
    import asyncio

    sam = api.register("sam")
    pieces = [os.urandom(300_000), os.urandom(300_000)]
    blob_id = create(api, sam, 600_000).json()["id"]
    svc = api.services.blobs

    async def race():
        row = await svc.rows.get(uuid.UUID(blob_id).bytes)
        order = pieces if first == 0 else pieces[::-1]
        return await asyncio.gather(*(svc.bytes.append(row, 0, p, 1) for p in order))

    outcomes = api.run(race)
    assert sorted(o.moved for o in outcomes) == [False, True]
    winner = pieces[0] if first == 0 else pieces[1]
    if outcomes[1].moved:
        winner = pieces[1] if first == 0 else pieces[0]
    loser = next(o for o in outcomes if not o.moved)
    assert loser.row.received == 300_000
    assert patch(api, sam, blob_id, 300_000, winner).status_code == 200
    assert api.get(f"/blobs/{blob_id}", sam).content == winner + winner


def test_a_sealed_attachment_goes_up_in_pieces_and_opens_from_its_chunks(api: Api):
    """A real blob (sync/core/attachments.py): uploaded in pieces that cut across its chunks, read back chunk by chunk
    with ranges (as a player streams it) and whole; the server's digest is the one the document names, and the
    plaintext appears nowhere in the server's data directory (SQLite: files and database)."""
    from between.sync.core import attachments, crypto

    assert api.services.settings.max_blob_bytes >= attachments.MAX_BLOB_BYTES  # the largest attachment fits
    sam = api.register("sam")
    plaintext = b"CANARY-voice-note-" + os.urandom(150_000) + b"-CANARY"
    key, att_id = crypto.random_bytes(32), uuid.uuid4()
    blob = attachments.seal_blob(key, att_id.bytes, plaintext)
    assert len(blob) == attachments.blob_length(len(plaintext))
    blob_id = str(att_id)
    assert create(api, sam, len(blob), att_id).status_code == 201
    at = 0
    for piece in (50_001, 40_000, len(blob)):
        r = patch(api, sam, blob_id, at, blob[at : at + piece])
        assert r.status_code == 200, r.text
        at = r.json()["received"]
    state = msgspec.json.decode(r.content, type=wire.BlobState)
    assert state.complete and state.digest == attachments.digest(blob)

    header = fetch(api, sam, blob_id, f"bytes=0-{attachments.HEADER_LEN - 1}").content
    prefix = attachments.parse_blob_header(header)
    n = attachments.chunk_count(len(plaintext))
    opened = bytearray()
    for i in range(n):
        start = attachments.HEADER_LEN + i * attachments.SEALED_CHUNK
        end = min(start + attachments.SEALED_CHUNK, len(blob)) - 1
        chunk = fetch(api, sam, blob_id, f"bytes={start}-{end}")
        assert chunk.status_code == 206
        opened += attachments.open_chunk(key, att_id.bytes, header, i, i == n - 1, chunk.content)
    assert prefix and bytes(opened[: len(plaintext)]) == plaintext
    whole = api.get(f"/blobs/{blob_id}", sam).content
    assert attachments.open_blob(key, att_id.bytes, whole, len(plaintext), state.digest) == plaintext

    if api.database is None:
        for path in api.data_dir.rglob("*"):
            if path.is_file():
                assert b"CANARY" not in path.read_bytes(), path


def test_a_late_file_delete_spares_an_id_created_again_meanwhile(api_factory):
    """SQLite: the collector deletes rows, commits, then deletes their files. If the owner creates the same id again
    and writes to it in between, the late delete must leave the new upload's file (audit 2 A8): it takes the blob's
    lock and deletes only while the row is still gone."""
    clock = Clock()
    api = api_factory(clock=clock, session_ttl=400 * DAY)
    if api.database is not None:
        pytest.skip("PostgreSQL keeps the bytes in rows that go with theirs")
    sam = api.register("sam")
    blob_id = upload(api, sam, os.urandom(1000))
    clock.advance(DAY + 60)  # unnamed a day after its last write: due
    service = api.services.blobs
    gone = api.run(lambda: service.rows.collect(int(clock()), DAY, 30 * DAY))  # the rows' commit, files not yet
    assert gone == [uuid.UUID(blob_id).bytes] and blob_file(api, blob_id).exists()
    again = os.urandom(700)
    assert create(api, sam, len(again), uuid.UUID(blob_id)).status_code == 201
    assert patch(api, sam, blob_id, 0, again[:300]).status_code == 200
    api.run(lambda: service.bytes.discard(gone))  # the collector's late file delete
    assert blob_file(api, blob_id).read_bytes() == again[:300]
    r = patch(api, sam, blob_id, 300, again[300:])
    assert r.status_code == 200 and r.json()["complete"], r.text
    assert api.c.get(f"/api/v1/blobs/{blob_id}", headers=sam.auth()).content == again
