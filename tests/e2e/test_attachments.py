"""Attachments end to end (issue 15, PROTOCOL.md §17 "Attachments", §19) with the `between` command and the real
server: a file attached on one device is saved out on another, and by the therapist it is shared with, byte for byte;
an upload cut half-way (a stopped client, a connection cut mid-piece) goes on where the server stands and the server
holds the blob once; a stored blob changed at the server (a byte flipped, two chunks swapped, the last chunk cut off)
is refused on download; and the server's data directory and log hold none of the attachment's bytes or its key."""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import threading
import uuid
from pathlib import Path

import pytest

from between.server.blobs import blob_file
from between.sync.client.blobs import PIECE
from between.sync.client.client import Client
from between.sync.core import attachments

from .e2e_cli import Cli
from .test_canary import find_leaks


def _jpeg_like(size: int, canary: bytes = b"") -> bytes:
    """Bytes that stand for a photo: a JPEG's first bytes, then random ones with `canary` spread through them."""
    body = bytearray(secrets.token_bytes(size))
    body[:4] = b"\xff\xd8\xff\xe0"
    for at in range(1000, size - len(canary), max(len(canary) * 50, 65_536)) if canary else ():
        body[at : at + len(canary)] = canary
    return bytes(body)


def _attach(cli: Cli, name: str, entry: str, path: Path, *extra: str) -> str:
    """`between attach`, then the new attachment's id (`attachment list`, its last line)."""
    out = cli.run(name, "attach", entry, str(path), *extra).stdout
    assert "Added " in out, out
    return cli.run(name, "attachment", "list", entry).stdout.strip().splitlines()[-1].split()[0]


def _key_of(cli: Cli, name: str, entry: str, attachment_id: str) -> str:
    """The attachment's key from the person's own saved copy (`export --format json`): the one output that holds it."""
    for item in json.loads(cli.run(name, "export", "--format", "json").stdout):
        for value in item["fields"].values():
            for a in value if isinstance(value, list) else ():
                if isinstance(a, dict) and a.get("id") == attachment_id:
                    return a["key"]
    raise AssertionError("not in the saved copy")


def test_attach_then_save_on_a_second_device_and_by_the_therapist_equal_bytes(server, tmp_path):
    cli = Cli(tmp_path / "profiles", server.url)
    cli.create("a", "alice")
    cli.create("t", "drbob", "--therapist")
    cli.login("a2", "alice")
    entry = cli.add("a", "conversation-rehearsal", goal="Tell my sister I cannot host this year.")
    photo = tmp_path / "drawing.jpg"
    photo.write_bytes(_jpeg_like(3 * PIECE + 12_345))
    voice = tmp_path / "take1.webm"
    voice.write_bytes(secrets.token_bytes(200_000))
    # The rehearsal takes audio only: a photo is refused in words, and nothing is kept.
    refused = cli.run("a", "attach", entry, str(photo), "--field", "recording", ok=False)
    assert refused.returncode == 1 and "may only hold voice recordings" in refused.stderr, refused.stderr
    unsaid = cli.run("a", "attach", entry, str(photo), ok=False)
    assert unsaid.returncode == 1 and "--field" in unsaid.stderr, unsaid.stderr
    voice_id = _attach(cli, "a", entry, voice)
    journal = cli.add("a", "journal", body="A drawing I made on paper.")
    photo_id = _attach(cli, "a", journal, photo)
    listed = cli.run("a", "attachment", "list", journal).stdout
    assert f"{photo_id}  Photo, 3.2 MB" in listed, listed

    # The key is in no output but the person's own saved copy.
    key = _key_of(cli, "a", journal, photo_id)
    outputs = [
        cli.run("a", "entry", "show", journal).stdout,
        cli.run("a", "entry", "show", journal, "--json").stdout,
        cli.run("a", "entry", "list", "--json").stdout,
        cli.run("a", "export").stdout,
        listed,
    ]
    assert all(key not in out for out in outputs)
    assert "Photos: Photo, 3.2 MB" in outputs[0]

    cli.run("a2", "sync")
    out = tmp_path / "second-device.jpg"
    saved = cli.run("a2", "attachment", "save", journal, photo_id[:8], str(out)).stdout
    assert out.read_bytes() == photo.read_bytes() and "Saved Photo, 3.2 MB" in saved
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # decrypted: this person's only
    again = cli.run("a2", "attachment", "save", journal, photo_id, str(out), ok=False)
    assert again.returncode == 1 and "already exists" in again.stderr
    take = tmp_path / "second-device.webm"
    cli.run("a2", "attachment", "save", entry, voice_id, str(take))
    assert take.read_bytes() == voice.read_bytes()

    # A grant gives the grantee the record's attachments.
    cli.link("t", "a")
    cli.run("a", "share", journal, "--with", "drbob")
    cli.run("t", "sync")
    by_therapist = tmp_path / "therapist.jpg"
    cli.run("t", "attachment", "save", journal, photo_id, str(by_therapist))
    assert by_therapist.read_bytes() == photo.read_bytes()
    # Not the rehearsal, which was not shared: the therapist has no such entry.
    assert cli.run("t", "attachment", "save", entry, voice_id, str(tmp_path / "no.webm"), ok=False).returncode == 1


class CuttingProxy:
    """A TCP forwarder on 127.0.0.1 that, once armed, cuts the connection on which the next `cut_after` bytes to the
    server run out (then lets everything through again), as a phone losing its network half-way through a piece."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_after: int | None = None
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(conn, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, conn, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, to_server: bool) -> None:
        try:
            while data := src.recv(65536):
                with self._lock:
                    budget = self.cut_after if to_server else None
                    if budget is not None:
                        self.cut_after = budget - len(data)
                    cut = budget is not None and len(data) > budget
                    if cut:
                        self.cut_after, self.cuts = None, self.cuts + 1
                if cut:
                    dst.sendall(data[:budget])
                    for s in (src, dst):
                        with contextlib.suppress(OSError):
                            s.shutdown(socket.SHUT_RDWR)
                    return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (dst, src):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread: no connection is taken after
        self._listener.close()


def _stored_files(server) -> list[Path]:
    root = server.data_dir / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def test_an_upload_cut_halfway_goes_on_where_the_server_stands_and_is_stored_once(server, tmp_path):
    proxy = CuttingProxy(server.port)
    cli = Cli(tmp_path / "profiles", proxy.url)
    try:
        cli.create("a", "alice")
        entry = cli.add("a", "journal", body="Evening.")
        data = secrets.token_bytes(5 * PIECE + 777)
        client = Client(cli.profile("a"))
        try:
            item = client.attach(entry, data, "image/png")
            blob_id, total = item["id"], attachments.blob_length(len(data))

            # 1. The client stops (the app is closed) after two pieces.
            class Stopped(Exception):
                pass

            seen: list[int] = []

            def stop_after_two(state) -> None:
                seen.append(state.received)
                if len(seen) == 2:
                    raise Stopped

            with pytest.raises(Stopped):
                client.engine.blobs.upload(client.api, blob_id, on_piece=stop_after_two)
            assert seen == [PIECE, 2 * PIECE]
            assert client.api.blob_state(uuid.UUID(blob_id)).received == 2 * PIECE
            # The entry that names it waits: a sync now would be refused (unknown_blob) and is not sent.
            assert client.store.get_pending(entry) is not None

            # 2. Started again: the connection is cut in the middle of the next piece; the client goes on.
            proxy.cut_after = PIECE // 2
            seen.clear()
            state = client.engine.blobs.upload(client.api, blob_id, on_piece=lambda s: seen.append(s.received))
            assert proxy.cuts == 1
            assert state.complete and state.received == state.size == total
            # After the cut, where the server stood (two pieces: the cut one never counted), then on from there.
            assert seen[:2] == [2 * PIECE, 3 * PIECE] and seen[-1] == total
            assert blob_id not in client.engine.blobs.waiting()
            report = client.sync()
            assert report.pushed == 1 and not report.failed, report
        finally:
            client.close()
        # Stored once: one blob of the blob's exact length (SQLite keeps a file per blob).
        files = _stored_files(server)
        if (server.data_dir / "blobs").is_dir():
            assert [p.stat().st_size for p in files] == [total]
        cli.login("a2", "alice")
        cli.run("a2", "sync")
        out = tmp_path / "out.png"
        cli.run("a2", "attachment", "save", entry, blob_id, str(out))
        assert out.read_bytes() == data
    finally:
        proxy.close()


def test_attach_offline_keeps_it_queued_and_says_so(live_server, tmp_path):
    proxy = CuttingProxy(live_server.port)
    cli = Cli(tmp_path / "profiles", proxy.url)
    cli.create("a", "alice")
    entry = cli.add("a", "journal", body="Offline.")
    proxy.close()  # the network is gone
    photo = tmp_path / "p.webp"
    photo.write_bytes(secrets.token_bytes(10_000))
    offline = cli.run("a", "attach", entry, str(photo), ok=False)
    assert offline.returncode == 1
    assert "(queued)" in offline.stdout and "will sync later" in offline.stderr, offline
    waiting = list((cli.profile("a") / "blobs").glob("*.blob"))
    assert len(waiting) == 1 and oct(waiting[0].stat().st_mode & 0o777) == "0o600"


def _swap(blob: bytes, i: int, j: int) -> bytes:
    head, chunks = blob[:16], [blob[k : k + attachments.SEALED_CHUNK] for k in range(16, len(blob), 65552)]
    chunks[i], chunks[j] = chunks[j], chunks[i]
    return head + b"".join(chunks)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda b: b[:70_000] + bytes([b[70_000] ^ 1]) + b[70_001:], id="byte-flipped-in-chunk-1"),
        pytest.param(lambda b: _swap(b, 0, 1), id="chunks-0-and-1-swapped"),
        pytest.param(lambda b: b[: 16 + 2 * attachments.SEALED_CHUNK], id="last-chunk-cut-off"),
        pytest.param(lambda b: b[:16] + b[16 + attachments.SEALED_CHUNK :], id="chunk-0-dropped"),
    ],
)
def test_a_blob_changed_at_the_server_is_refused_on_download(live_server, tmp_path, tamper):
    cli = Cli(tmp_path / "profiles", live_server.url)
    cli.create("a", "alice")
    entry = cli.add("a", "journal", body="Tampered.")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(_jpeg_like(140_000))  # three chunks
    blob_id = _attach(cli, "a", entry, photo)
    stored = blob_file(live_server.data_dir / "blobs", uuid.UUID(blob_id).bytes)
    stored.write_bytes(tamper(stored.read_bytes()))
    cli.login("a2", "alice")
    cli.run("a2", "sync")
    out = tmp_path / "out.jpg"
    refused = cli.run("a2", "attachment", "save", entry, blob_id, str(out), ok=False)
    assert refused.returncode == 1 and "failed verification" in refused.stderr, refused.stderr
    assert not out.exists()


def test_the_server_keeps_none_of_an_attachments_bytes_nor_its_key(live_server, tmp_path):
    canary = b"cnryattachment" + secrets.token_hex(6).encode()
    cli = Cli(tmp_path / "profiles", live_server.url)
    cli.create("a", "alice")
    entry = cli.add("a", "journal", body="Canary.")
    photo = tmp_path / "p.jpg"
    data = _jpeg_like(600_000, canary)
    photo.write_bytes(data)
    blob_id = _attach(cli, "a", entry, photo)
    cli.login("a2", "alice")
    cli.run("a2", "sync")
    cli.run("a2", "attachment", "save", entry, blob_id, str(tmp_path / "out.jpg"))
    key = base64.urlsafe_b64decode(_key_of(cli, "a", entry, blob_id) + "=")
    assert len(_stored_files(live_server)) == 1
    haystacks = {str(p): p.read_bytes() for p in sorted(live_server.data_dir.rglob("*")) if p.is_file()}
    haystacks["server log"] = live_server.log_path.read_bytes()
    # The canary, a run of the photo's own bytes from each chunk, and the attachment's key.
    plain = {"canary": canary, "key": key} | {f"bytes@{at}": data[at : at + 32] for at in range(5, len(data), 65_536)}
    assert find_leaks(haystacks, plain, {}) == []


def test_a_voice_journal_entry_is_made_with_its_recording(live_server, tmp_path):
    cli = Cli(tmp_path / "profiles", live_server.url)
    cli.create("a", "alice")
    bare = cli.run("a", "entry", "add", "voice", "--field", "title=Walk home", ok=False)
    assert bare.returncode == 1 and "Recording" in bare.stderr, bare.stderr
    take = tmp_path / "walk.ogg"
    take.write_bytes(secrets.token_bytes(90_000))
    entry = cli.last_line("a", "entry", "add", "voice", "--field", "title=Walk home", "--attach", str(take))
    assert len(list((cli.profile("a") / "blobs").glob("*.blob"))) == 1  # kept until the server holds it
    cli.run("a", "sync")
    assert list((cli.profile("a") / "blobs").glob("*.blob")) == []
    listed = cli.run("a", "attachment", "list", entry).stdout.split()
    out = tmp_path / "out.ogg"
    cli.run("a", "attachment", "save", entry, listed[0], str(out))  # from the server, verified
    assert out.read_bytes() == take.read_bytes()
    assert "Recording: Voice recording, 90 KB" in cli.run("a", "entry", "show", entry).stdout
