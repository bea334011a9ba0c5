"""The sync engine of one unlocked profile, composed of its parts: the reader (opening what is stored), the outbox
(pushing), the care links and the inbox (pulling). `sync` runs one round of all of them."""

from __future__ import annotations

from ..core import keys, trust
from .api import Api
from .inbox import PULL_LIMIT, Inbox
from .links import Links
from .localstore import LocalStore
from .outbox import Outbox, blocked_key_text
from .reader import Reader
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
        # What callers use most, named here rather than wrapped: heads opened, and a revision queued in the outbox.
        self.head = self.reader.head
        self.heads = self.reader.heads
        self.queue = self.outbox.queue

    def sync(self) -> SyncReport:
        api = self.api
        assert api is not None
        report = SyncReport()
        self.links.refresh(api, report)
        known = self.store.get_meta("epoch")
        if api.epoch is not None and known is None:
            with self.store.transaction() as db:
                self.store.set_meta(db, "epoch", api.epoch)
        elif api.epoch is not None and api.epoch != known:
            self._after_restore(api, report)
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

    def _after_restore(self, api: Api, report: SyncReport) -> None:
        """The server was restored from a backup (its epoch changed; PROTOCOL.md "Restores and the server epoch"):
        pull the whole feed again without taking anything older than this device holds, send again the own records
        the server lost, and only then keep the new epoch (an interrupted round starts over)."""
        epoch = api.epoch
        assert epoch is not None
        with self.store.transaction() as db:
            self.store.set_meta(db, "cursor", "0")
        self.inbox.restoring, self.inbox.served, self.inbox.holders = set(), {}, {}
        try:
            self.inbox.pull(api, report)
            lost = set(self.inbox.restoring)
            served = self.inbox.served
            holders = self.inbox.holders
        finally:
            self.inbox.restoring = None
        for rid in self.store.record_ids():
            row = self.store.get_record(rid)
            if row is not None and row.owner_id == self.me and row.version > served.get(rid, 0):
                lost.add(rid)
        self.outbox.resend(api, sorted(lost), report, holders)
        with self.store.transaction() as db:
            self.store.set_meta(db, "epoch", epoch)
        report.restored = True
