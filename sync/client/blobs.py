"""Attachments' blobs of one profile (PROTOCOL.md §17 "Attachments", §19): those waiting to upload, kept as files in
the profile's `blobs/` folder (ciphertext, mode 0600) until the server holds them whole; uploads in pieces that
resume where the server stands; downloads in ranges, verified against the entry's item before anything is used."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core import attachments, crypto, wire
from ..core.errors import BetweenError, CryptoError
from .api import Api, ApiError, Unreachable
from .keysfile import write_private_file
from .report import SyncReport

BLOB_DIR = "blobs"
PIECE = 1024 * 1024  # bytes per PATCH and per ranged GET
RETRIES = 5  # a cut connection is tried again this many times in a row, waiting longer each time
FIRST_WAIT = 0.2  # seconds

# Answers that a later try may mend: the server is busy or briefly failing.
_PASSING = {429, 500, 502, 503, 504}


class Blobs:
    """The blobs of one profile directory that wait to upload, and the transfers themselves."""

    def __init__(self, directory: Path, *, wait: Callable[[float], None] = time.sleep) -> None:
        self.dir = Path(directory) / BLOB_DIR
        self.wait = wait

    def _path(self, blob_id: str) -> Path:
        return self.dir / f"{uuid.UUID(blob_id)}.blob"

    def stage(self, blob_id: str, blob: bytes) -> None:
        """Keep a sealed blob until the server holds it (written whole or not at all)."""
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private_file(self._path(blob_id), blob)

    def read(self, blob_id: str) -> bytes:
        return self._path(blob_id).read_bytes()

    def waiting(self) -> set[str]:
        """The ids of the blobs not yet uploaded whole."""
        if not self.dir.is_dir():
            return set()
        return {p.stem for p in self.dir.glob("*.blob")}

    # ------------------------------------------------------------ upload

    def upload(
        self, api: Api, blob_id: str, *, on_piece: Callable[[wire.BlobState], None] | None = None
    ) -> wire.BlobState:
        """Send a waiting blob in pieces of 1 MiB from where the server stands (a resumed upload goes on from its
        `received`; nothing is sent twice), trying again after a cut connection. Once the server holds it whole and
        its digest is the one of our bytes, the local copy goes. `on_piece` sees the state after each piece."""
        path = self._path(blob_id)
        blob = self.read(blob_id)
        bid = uuid.UUID(blob_id)
        state = self._again(lambda: api.create_blob(bid, len(blob)))
        while not state.complete:
            start = state.received
            piece = blob[start : start + PIECE]
            state = self._again(lambda at=start, p=piece: api.patch_blob(bid, at, p), lambda: api.blob_state(bid))
            if on_piece is not None:
                on_piece(state)
        if state.size != len(blob) or state.digest != crypto.sha256(blob):
            raise BetweenError(
                "blob_mismatch",
                f"the server holds other bytes under attachment {blob_id}; it stays on this device",
                params={"id": blob_id},
            )
        path.unlink(missing_ok=True)
        return state

    def _again(self, step: Callable[[], Any], where: Callable[[], wire.BlobState] | None = None) -> Any:
        """`step`, tried again after a cut connection or a passing failure (waiting longer each time). A piece that
        the server answers with where the upload stands instead (409 upload_offset: an earlier try did arrive) asks
        `where` and goes on from there."""
        for attempt in range(RETRIES + 1):
            try:
                return step()
            except Unreachable:
                if attempt == RETRIES:
                    raise
            except ApiError as exc:
                if where is not None and exc.code == "upload_offset":
                    return self._again(where)
                if exc.status not in _PASSING or attempt == RETRIES:
                    raise
            self.wait(FIRST_WAIT * 2**attempt)
            if where is not None:
                return self._again(where)  # where the server stands now: maybe past the piece that was cut
        raise AssertionError("unreachable")

    def upload_waiting(self, api: Api, report: SyncReport) -> None:
        """Upload every waiting blob. A full quota keeps them here, said once; an unreachable server ends the round
        (the next one goes on where this one stopped)."""
        for blob_id in sorted(self.waiting()):
            try:
                self.upload(api, blob_id)
            except ApiError as exc:
                if exc.code == "quota_exceeded":
                    report.warnings.append(
                        "your space for attachments on the server is full: attachments wait on this device, and "
                        "the entries that hold them are not sent until there is room"
                    )
                    return
                report.warnings.append(f"attachment {blob_id} could not be uploaded ({exc.code}); it stays here")
            except BetweenError as exc:
                if exc.code == "unreachable":
                    raise
                report.warnings.append(exc.detail)

    # ------------------------------------------------------------ download

    def download(self, api: Api, item: dict[str, Any]) -> bytes:
        """The attachment's bytes from the server, fetched in ranges of 1 MiB (a cut connection goes on from what
        arrived) and verified against the document's item (PROTOCOL.md §19): a CryptoError when they fail."""
        try:
            bid, size = uuid.UUID(item["id"]), item["size"]
            # The bound first: a hostile item (or server) must not make this buffer more than the largest blob.
            if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= attachments.MAX_ATTACHMENT_BYTES:
                raise ValueError("size")
            total = attachments.blob_length(size)
        except (KeyError, TypeError, ValueError):
            raise CryptoError(detail="attachment failed verification") from None
        blob = bytearray()
        while len(blob) < total:
            start = len(blob)
            try:
                piece = self._again(lambda at=start: api.get_blob(bid, at, min(at + PIECE, total)))
            except ApiError as exc:
                if exc.status == 416:  # the server holds fewer bytes than the item says
                    raise CryptoError(detail="attachment failed verification") from None
                raise
            except Unreachable:
                # Every try of this range was cut. A server that answers otherwise but never delivers the bytes it
                # announces (it holds fewer than the item names) is refusing the attachment, not unreachable.
                try:
                    api.health()
                except BetweenError:
                    raise Unreachable(
                        detail=f"server unreachable ({api.origin})", params={"origin": api.origin}
                    ) from None
                raise CryptoError(detail="attachment failed verification") from None
            if not piece:
                break
            blob += piece
        return attachments.open_item(item, bytes(blob))
