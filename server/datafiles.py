"""Small files of the data directory (server.secret, server.epoch, vapid.pem): written whole, never seen half-written.

Each is written to a temporary file of this process, flushed to disk, then put in place: `create_once` links it (the
first process to link wins, so workers starting at once agree on one file), `replace` renames it over the old one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def _written(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def create_once(path: Path, data: bytes) -> None:
    """Make `path` (mode 0600) holding `data`, unless it exists: then it is kept as it is, whoever wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    tmp = _written(path, data)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace(path: Path, data: bytes) -> None:
    """Put `data` at `path` (mode 0600) in one step, over what was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _written(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
