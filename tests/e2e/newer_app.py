"""A newer version of the app on another device of the same account, as far as this version can tell: it writes
documents with top-level keys, fields and kinds this version does not know, and reads back what came of them."""

from __future__ import annotations

from pathlib import Path

from between.sync.client.client import Client

STAMP = "2026-03-24T19:00:00.000Z"


def write(profile: Path, record_id: str, doc: dict) -> None:
    """Write `doc` as the next version of `record_id` (a new record if it has none), then sync."""
    newer = Client(profile)
    try:
        with newer.store.transaction() as db:
            newer.engine.queue(db, record_id, doc, False)
        newer.sync()
    finally:
        newer.close()


def read(profile: Path, record_id: str) -> dict:
    """The record's document after a sync, with "deleted": True once it is a tombstone."""
    newer = Client(profile)
    try:
        newer.sync()
        head = newer.engine.head(record_id)
        return {**head.document, "deleted": True} if head.deleted else head.document
    finally:
        newer.close()
