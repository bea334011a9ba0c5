"""Attachments' blobs (docs/PROTOCOL.md §17 "Attachments"): one interface over where the bytes live, and the
collector that deletes what is no longer kept.

- `FileBytes` (SQLite): a file per blob, `<data>/blobs/<first 2 hex digits>/<id hex>`. An upload's bytes are
  appended and synced (fsync) before its row counts them, so `received` never exceeds the bytes on disk; a write
  cut off by a crash leaves extra bytes past `received`, which the next upload at that offset cuts away first. One
  server process serves a SQLite database, so one lock per blob in this process orders its uploads.
- `PartBytes` (PostgreSQL): the bytes in `blob_parts`, rows of at most 1 MiB, written in the same transaction as the
  count (store/blobs.py), so every worker on every machine sees the same blobs and one `pg_dump` holds them.

`BlobService` is what the API calls: create, state, append, open for reading, collect, forget an account's."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .store import BlobRow, Blobs, PgDatabase, Store

log = logging.getLogger("between.blobs")

READ_CHUNK = 256 * 1024
COLLECT_LEASE = 600  # seconds a collector holds the task; a round takes far less
COLLECT_TASK = "collect-blobs"
ORPHAN_AGE = 3600  # a file without a row is deleted once it is this old (a crash between a row's delete and the file's)


def blob_file(root: Path, blob_id: bytes) -> Path:
    """Where the SQLite store keeps a blob's bytes: `root` is `<data>/blobs`."""
    name = blob_id.hex()
    return root / name[:2] / name


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append came to: the row after it, and whether this append moved it (False: the offset was not the
    row's, or the bytes did not fit)."""

    row: BlobRow
    moved: bool


class BlobBytes(Protocol):
    """Where a store keeps the bytes of its blobs."""

    async def append(self, row: BlobRow, offset: int, data: bytes, now: int) -> Appended | None: ...
    async def open(self, row: BlobRow, start: int, end: int) -> AsyncIterator[bytes] | None: ...  # None: gone
    async def discard(self, blob_ids: list[bytes]) -> None: ...  # after their rows are deleted
    async def sweep(self, known: set[bytes], now: float) -> int: ...  # bytes without a row (files only)


class FileBytes:
    """SQLite: a file per blob under `root`."""

    def __init__(self, root: Path, blobs: Blobs) -> None:
        self.root = root
        self.blobs = blobs
        self._locks: dict[bytes, list] = {}  # blob id -> [its lock, how many hold or wait]

    def path(self, blob_id: bytes) -> Path:
        return blob_file(self.root, blob_id)

    @contextlib.asynccontextmanager
    async def _held(self, blob_id: bytes) -> AsyncIterator[None]:
        """The blob's lock in this process: its appends and the deletion of its file, one at a time."""
        held = self._locks.setdefault(blob_id, [asyncio.Lock(), 0])
        held[1] += 1  # the lock stays in the map while anyone holds or waits for it
        try:
            async with held[0]:
                yield
        finally:
            held[1] -= 1
            if not held[1]:
                del self._locks[blob_id]

    def _unlink(self, blob_id: bytes) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(blob_id).unlink()

    async def append(self, row: BlobRow, offset: int, data: bytes, now: int) -> Appended | None:
        async with self._held(row.blob_id):
            current = await self.blobs.get(row.blob_id)
            if current is None or current.owner_id != row.owner_id:
                return None
            if current.received != offset or offset + len(data) > current.size:
                return Appended(current, False)
            done = offset + len(data) == current.size
            digest = await asyncio.to_thread(self._write, row.blob_id, offset, data, done)
            after = await self.blobs.advance(row.blob_id, offset, len(data), now, digest)
            if after is None:  # collected meanwhile: its file goes too
                self._unlink(row.blob_id)
                return None
            return Appended(after, True)

    def _write(self, blob_id: bytes, offset: int, data: bytes, done: bool) -> bytes | None:
        """On a thread: `data` at `offset` (bytes a crashed write left past it are cut first), synced; the digest of
        the whole file when this completes it."""
        path = self.path(blob_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, offset)
            at = 0
            view = memoryview(data)
            while at < len(data):
                at += os.pwrite(fd, view[at:], offset + at)
            os.fsync(fd)
            if not done:
                return None
            h = hashlib.sha256()
            os.lseek(fd, 0, os.SEEK_SET)
            while chunk := os.read(fd, READ_CHUNK):
                h.update(chunk)
            return h.digest()
        finally:
            os.close(fd)

    async def open(self, row: BlobRow, start: int, end: int) -> AsyncIterator[bytes] | None:
        """Bytes start..end-1, from a file opened now (None if it is gone: collected since its row was read); an
        unlinked file stays readable while it is open."""
        try:
            f = open(self.path(row.blob_id), "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            return None

        async def chunks() -> AsyncIterator[bytes]:
            with f:
                f.seek(start)
                left = end - start
                while left > 0:
                    chunk = await asyncio.to_thread(f.read, min(READ_CHUNK, left))
                    if not chunk:
                        return
                    left -= len(chunk)
                    yield chunk

        return chunks()

    async def discard(self, blob_ids: list[bytes]) -> None:
        """Delete the files of blobs whose rows were deleted, each under its lock and only if its row is still gone:
        between the collector's commit and this, the owner may have created the same id again and written its first
        bytes, which must stay (a later append at offset 0 cuts any old bytes away first)."""
        for blob_id in blob_ids:
            async with self._held(blob_id):
                if await self.blobs.get(blob_id) is None:
                    self._unlink(blob_id)

    async def sweep(self, known: set[bytes], now: float) -> int:
        """Delete files whose row is gone (a crash between the two deletes), once they are old enough that no
        upload is writing them."""

        def walk() -> int:
            n = 0
            if not self.root.is_dir():
                return 0
            for path in self.root.glob("??/*"):
                try:
                    blob_id = bytes.fromhex(path.name)
                except ValueError:
                    continue
                if blob_id in known or len(blob_id) != 16:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if now - path.stat().st_mtime > ORPHAN_AGE:
                        path.unlink()
                        n += 1
            return n

        return await asyncio.to_thread(walk)


class PartBytes:
    """PostgreSQL: the bytes in `blob_parts`, counted in the same transaction."""

    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs

    async def append(self, row: BlobRow, offset: int, data: bytes, now: int) -> Appended | None:
        found = await self.blobs.append_parts(row.blob_id, row.owner_id, offset, data, now)
        return None if found is None else Appended(*found)

    async def open(self, row: BlobRow, start: int, end: int) -> AsyncIterator[bytes] | None:
        async def chunks() -> AsyncIterator[bytes]:
            at = start
            while at < end:  # a few MiB per read transaction
                stop = min(end, at + 4 * 1024 * 1024)
                for offset, data in await self.blobs.read_parts(row.blob_id, at, stop):
                    lo, hi = max(at, offset), min(stop, offset + len(data))
                    if lo < hi:
                        yield data[lo - offset : hi - offset]
                at = stop

        return chunks()

    async def discard(self, blob_ids: list[bytes]) -> None:
        return None  # the parts went with their rows (ON DELETE CASCADE)

    async def sweep(self, known: set[bytes], now: float) -> int:
        return 0


class BlobService:
    """The blobs of one store: rows (store.blobs) and bytes (`bytes`)."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self.rows = store.blobs
        self.bytes: BlobBytes = (
            PartBytes(store.blobs) if isinstance(store.db, PgDatabase) else FileBytes(data_dir / "blobs", store.blobs)
        )

    async def collect(self, now: int, upload_expiry: int, history: int) -> list[bytes]:
        """One round of collection, if no other collector holds the task; the ids deleted."""
        holder = os.urandom(16)
        if not await self.rows.lease(COLLECT_TASK, holder, now, COLLECT_LEASE):
            return []
        try:
            gone: list[bytes] = []
            while True:
                some = await self.rows.collect(now, upload_expiry, history)
                await self.bytes.discard(some)
                gone += some
                if len(some) < 500:
                    break
            await self.bytes.sweep(await self.rows.ids(), time.time())
            return gone
        finally:
            await self.rows.release(COLLECT_TASK, holder)

    async def forget(self, blob_ids: list[bytes]) -> None:
        """The bytes of blobs whose rows went with their account."""
        await self.bytes.discard(blob_ids)


class Collector:
    """The background task of a server process: a round of collection every `interval` seconds (one collector at
    a time across workers: `BlobService.collect` takes a lease)."""

    def __init__(
        self, service: BlobService, clock: Callable[[], float], interval: int, upload_expiry: int, history: int
    ) -> None:
        self.service = service
        self.clock = clock
        self.interval = interval
        self.upload_expiry = upload_expiry
        self.history = history
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="between-blob-collector")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> list[bytes]:
        return await self.service.collect(int(self.clock()), self.upload_expiry, self.history)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                gone = await self.run_once()
                if gone:
                    log.info("collected %d blobs", len(gone))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a database hiccup must not end the collector; it tries again next round
                log.error("blob collection failed: %s", type(exc).__name__)
