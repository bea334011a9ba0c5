"""The sync engine of one unlocked profile, composed of its parts: the reader (opening what is stored), the outbox
(pushing), the care links and the inbox (pulling). `sync` runs one round of all of them."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..core import keys, trust
from .api import Api
from .inbox import PULL_LIMIT, Inbox
from .links import Links
from .localstore import LocalStore
from .outbox import Outbox, blocked_key_text
from .reader import Head, Reader
from .report import SyncReport

PUSH_ROUNDS = 5


class Engine:
    """Everything that reads or writes records for one unlocked profile."""

    def __init__(
        self,
        store: LocalStore,
        secrets: keys.AccountSecrets,
        api: Api | None = None,
        device: str = "",
        pull_limit: int = PULL_LIMIT,
    ) -> None:
        self.store = store
        self.api = api
        self.reader = Reader(store, secrets)
        self.me = self.reader.me
        self.outbox = Outbox(store, secrets, self.reader)
        # `device`: this device's id, written into the documents it makes
        self.links = Links(store, secrets, self.reader, self.outbox, device)
        self.inbox = Inbox(store, secrets, self.reader, self.outbox, self.links, pull_limit)

    def head(self, record_id: str) -> Head | None:
        return self.reader.head(record_id)

    def heads(self, problems: list[str] | None = None) -> list[Head]:
        return self.reader.heads(problems)

    def queue(
        self,
        db: sqlite3.Connection,
        record_id: str,
        document: dict[str, Any],
        deleted: bool,
        *,
        rekey: bool = False,
        share_add: set[str] | frozenset[str] = frozenset(),
        revoke: set[str] | frozenset[str] = frozenset(),
        warnings: list[str] | None = None,
    ) -> int:
        """Outbox.queue: seal `document` as the next revision of an own record."""
        return self.outbox.queue(
            db, record_id, document, deleted, rekey=rekey, share_add=share_add, revoke=revoke, warnings=warnings
        )

    def sync(self) -> SyncReport:
        api = self.api
        assert api is not None
        report = SyncReport()
        self.links.refresh(api, report)
        for _ in range(PUSH_ROUNDS):
            self.inbox.pull(api, report)
            if not self.store.list_pending() or not self.outbox.push(api, report):
                break
        else:
            report.warnings.append(
                "some changes still conflict with newer ones on the server; they stay queued: run `between sync` again"
            )
        for peer in self.store.list_peers():
            if peer.held and peer.state in trust.BLOCKED:
                report.warnings.append(
                    f"{peer.held} change(s) from {peer.handle} are held back: {blocked_key_text(peer)}"
                )
        return report
