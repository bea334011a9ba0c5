"""Reading what one profile holds: every stored head and outbox item is verified and decrypted when read, never
written back decrypted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..core import keys, records, wire
from ..core.errors import BetweenError, CryptoError
from ..core.layout import Header
from .localstore import LocalStore
from .report import Notice
from .rows import PendingRevision, StoredRecord


@dataclass(slots=True)
class Head:
    """One record as this device currently sees it (the pending revision if any, else the server head)."""

    record_id: str
    owner_id: str
    version: int
    key_id: bytes
    document: dict[str, Any]
    deleted: bool
    pending: bool
    access: str


class Reader:
    """Opens the records of one unlocked profile: record keys unwrapped under its KWK, signatures checked against
    its own key or a pinned peer's."""

    def __init__(self, store: LocalStore, secrets: keys.AccountSecrets) -> None:
        self.store = store
        self.secrets = secrets
        self.me = str(uuid.UUID(bytes=secrets.user_id))
        self.kwk = secrets.kwk

    def dek(self, record_id: str, key_id: bytes) -> bytes:
        found = self.store.get_dek(record_id, key_id)
        if found is None:
            raise CryptoError(detail="no key for this revision on this device")
        owner, wrapped = found
        return records.unwrap_dek(self.kwk, uuid.UUID(owner), uuid.UUID(record_id), key_id, wrapped)

    def signer(self, owner_id: str) -> bytes:
        if owner_id == self.me:
            return self.secrets.sig_pub
        peer = self.store.get_peer(user_id=owner_id)
        if peer is None:
            raise CryptoError(detail="the owner of this entry is not a pinned contact")
        return peer.sig_pub

    def open_row(
        self, row: StoredRecord | PendingRevision, owner_id: str | None = None
    ) -> tuple[Header, dict[str, Any]]:
        """Verify and decrypt a stored head or outbox row: nothing decrypted is ever written back."""
        owner = owner_id or (row.owner_id if isinstance(row, StoredRecord) else self.me)
        revision = wire.Revision(header=row.header, ct=row.ct, signature=row.signature)
        header, plaintext = records.open_revision(
            revision,
            owner_id=uuid.UUID(owner),
            record_id=uuid.UUID(row.record_id),
            dek=self.dek(row.record_id, row.key_id),
            key_id=row.key_id,
            signer_pub=self.signer(owner),
        )
        return header, records.decode_document(plaintext)

    def head(self, record_id: str) -> Head | None:
        pending = self.store.get_pending(record_id)
        if pending is not None:
            header, doc = self.open_row(pending, self.me)
            return Head(record_id, self.me, header.version, header.key_id, doc, header.deleted, True, "owner")
        row = self.store.get_record(record_id)
        if row is None:
            return None
        header, doc = self.open_row(row, row.owner_id)
        return Head(record_id, row.owner_id, header.version, header.key_id, doc, header.deleted, False, row.access)

    def heads(self, problems: list[str] | None = None) -> list[Head]:
        """Every readable record; one that fails verification is reported in `problems`, not fatal."""
        out = []
        for rid in sorted(self.store.record_ids()):
            try:
                h = self.head(rid)
            except BetweenError as exc:
                if problems is None:
                    raise
                problems.append(
                    Notice(f"entry {rid} cannot be read on this device: {exc.detail}", "unreadable", id=rid)
                )
                continue
            if h is not None:
                out.append(h)
        return out
