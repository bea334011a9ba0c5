"""The pulling half of sync: pulled pages verified and stored (what to do with each item is core/pull.py's
`decide`), the account's verifications indexed, and pending edits rebased onto newer heads."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Literal

import msgspec

from ..core import keys, records, sharing, trust, wire
from ..core.errors import CryptoError, ProtocolError, RollbackError
from ..core.layout import Header
from ..core.pull import Here, Pending, Pulled, Revision, decide, refusal
from .api import Api
from .links import Links
from .localstore import LocalStore
from .outbox import Outbox
from .reader import Reader
from .report import SyncReport
from .rows import PendingRevision, StoredRecord

PULL_LIMIT = 200
Given = list[tuple[str, bytes, str | None]]  # (peer_id, key_id, grant_json) rows of the grants table


class Inbox:
    """The pulling half of sync for one unlocked profile."""

    def __init__(
        self,
        store: LocalStore,
        secrets: keys.AccountSecrets,
        reader: Reader,
        outbox: Outbox,
        links: Links,
        pull_limit: int = PULL_LIMIT,
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.reader = reader
        self.outbox = outbox
        self.links = links
        self.me = reader.me
        self.pull_limit = pull_limit
        # After a restore (a new server epoch): the own records the restored server lacks at the version this device
        # holds are collected here, to be sent again, instead of refusing the older feed as a rollback.
        self.restoring: set[str] | None = None
        self.served: dict[str, int] = {}  # record -> version the server served while restoring
        # record -> grantees the restored server still lists grants for (an unshare after the backup is undone there)
        self.holders: dict[str, set[str]] = {}

    def pull(self, api: Api, report: SyncReport) -> None:
        while True:
            page = api.pull(self.store.cursor(), self.pull_limit)
            if self.apply_page(page, report):
                continue  # a pin was replaced: what came under the old key was dropped; everything comes again
            if not page.more:
                return

    def apply_page(self, page: wire.PullResponse, report: SyncReport) -> bool:
        """Verify and store one page; the records and the cursor that covers them commit together, or neither.
        Verifications the page brought are judged at its end; returns True when that sent the cursor back to 0."""
        if page.cursor < self.store.cursor():
            raise RollbackError(detail="the server moved the sync cursor backwards")
        rejudge: set[str] = set()
        restart = False
        with self.store.transaction() as db:
            for state in page.items:
                db.execute("SAVEPOINT item")  # a refused item leaves no trace, the others still apply
                try:
                    self._apply(db, state, report, rejudge)
                except (CryptoError, ProtocolError, RollbackError) as exc:
                    db.execute("ROLLBACK TO item")
                    report.warnings.append(f"refused a change to entry {state.record_id}: {exc.detail}")
                db.execute("RELEASE item")
            self.store.set_meta(db, "cursor", str(page.cursor))
            for uid in sorted(rejudge):
                peer = self.store.get_peer(user_id=uid)
                served = (peer.changed or peer.bundle) if peer is not None and peer.linked else None
                settled = self.links.settle(db, uid, served, peer.link_id if peer else None, "none", report)
                restart = restart or settled.restart
        return restart

    def _here(self, rid: str, state: wire.RecordState) -> tuple[Here, StoredRecord | None, PendingRevision | None]:
        """What this device holds under the record's id, for pull.decide (and the rows it was read from)."""
        old = self.store.get_record(rid)
        pending = self.store.get_pending(rid)
        received = old is not None and old.owner_id != self.me and old.access == "granted"
        holds: Literal["own", "received"] | None = (
            "received" if received else "own" if old is not None or pending is not None else None
        )
        peer = self.store.get_peer(user_id=str(state.owner_id)) if state.access == "granted" else None
        here = Here(
            me=self.me,
            holds=holds,
            synced=(old.version, old.rev_id) if old else None,
            high_water=self.store.high_water(rid),
            owner_key=peer.state if peer else None,
            pending=Pending(pending.rev_id, pending.base_version, pending.sent_rev_id) if pending else None,
        )
        return here, old, pending

    def _apply(self, db: sqlite3.Connection, state: wire.RecordState, report: SyncReport, rejudge: set[str]) -> None:
        rid = str(state.record_id)
        here, old, pending = self._here(rid, state)
        action = decide(_pulled(state), here)
        if self.restoring is not None and state.head is not None and state.access != "removed":
            self.served[rid] = state.head.version
        if self.restoring is not None and state.access == "owner":
            self.holders.setdefault(rid, set()).update(str(g.grantee_id) for g in state.grants)
        if self.restoring is not None and action.kind == "refuse" and action.reason == "rollback":
            # The restored server is behind this device (PROTOCOL.md "Restores and the server epoch"): nothing here
            # goes back. An own record is sent again; someone else's stays as it is until their device sends it.
            if here.holds == "own":
                self.restoring.add(rid)
            return
        if action.kind == "refuse":
            assert action.reason is not None
            raise refusal(action.reason)
        if action.kind == "forget":
            self.store.forget_record(db, rid)
            return
        if action.kind == "keep_own":
            report.warnings.append(f"the server said entry {rid} was removed, but it is yours; ignored")
            return
        if action.kind == "hold":
            self.store.hold(db, str(state.owner_id))  # comes again (the cursor goes back to 0) once verified
            return
        if action.kind == "ignore":
            return
        head = state.head
        assert head is not None
        header = Header.parse(head.revision.header)
        owner = str(state.owner_id)
        if state.access == "owner":
            given, stale = self._own_keys(db, state, header)
        else:
            received = self._received_keys(db, state)
        row = StoredRecord(
            record_id=rid,
            owner_id=owner,
            version=header.version,
            rev_id=head.rev_id,
            header=head.revision.header,
            ct=head.revision.ct,
            signature=head.revision.signature,
            key_id=header.key_id,
            seq=head.seq,
            access=state.access,
        )
        # Verifies signature, context, key commitment and decrypts: a head we cannot open is not stored.
        _, incoming = self.reader.open_row(row, owner)
        if state.access == "owner":
            self._update_given(db, rid, old, header.key_id, given, stale, report)
            self._index_verification(db, rid, incoming, header.deleted, rejudge)
        else:
            self.store.set_grants(db, "received", rid, received)
        if action.kind == "unchanged":
            return
        base_doc, base_deleted = None, False
        if pending is not None and old is not None and action.kind == "merge":
            base_header, base_doc = self.reader.open_row(old, owner)
            base_deleted = base_header.deleted
        self.store.put_record(db, row)
        report.pulled += 1
        if action.kind == "landed":
            self.store.clear_pending(db, rid, head.rev_id)  # our own push landed; its answer was lost
        elif action.kind == "landed_earlier":
            # Our earlier push landed (its answer was lost) and we edited since: it is the base, not a rival.
            assert pending is not None
            self._rebase(db, pending, incoming, header.deleted, incoming, header.deleted, report)
        elif action.kind == "merge":
            assert pending is not None
            self._rebase(db, pending, base_doc, base_deleted, incoming, header.deleted, report)

    def _own_keys(self, db: sqlite3.Connection, state: wire.RecordState, header: Header) -> tuple[Given, set[str]]:
        """Check and keep the key wrap of an own record; read the owner-signed grants served with it (those for
        the head's key, and who held an older key only)."""
        assert state.dek_wrap is not None
        rid = str(state.record_id)
        records.unwrap_dek(self.reader.kwk, self.secrets.user_id, state.record_id, header.key_id, state.dek_wrap)
        self.store.put_dek(db, rid, header.key_id, self.me, state.dek_wrap)
        given: Given = []
        stale: set[str] = set()
        for g in state.grants:
            body = records.verify_grant(g, self.secrets.sig_pub)
            if body.owner_id != self.secrets.user_id or body.record_id != state.record_id.bytes:
                raise CryptoError(detail="a grant for another record")
            if body.key_id == header.key_id:
                given.append((str(g.grantee_id), g.key_id, None))
            else:
                # A grant for an older key says who COULD read once, not who shares now: a replayed
                # one must not put an unshared therapist back on the list.
                stale.add(str(g.grantee_id))
        return given, stale

    def _received_keys(self, db: sqlite3.Connection, state: wire.RecordState) -> Given:
        """Open the grants someone gave this account for their record: each key re-wrapped under our KWK."""
        owner = str(state.owner_id)
        signer = self.reader.signer(owner)
        received: Given = []
        for g in state.grants:
            body, dek = records.open_grant(
                g, owner_sig_pub=signer, me_id=self.secrets.user_id, my_kem_seed=self.secrets.kem_seed
            )
            if body.owner_id != state.owner_id.bytes or body.record_id != state.record_id.bytes:
                raise CryptoError(detail="a grant for another record")
            wrapped = records.wrap_dek(self.reader.kwk, state.owner_id, state.record_id, body.key_id, dek)
            self.store.put_dek(db, str(state.record_id), body.key_id, owner, wrapped)
            received.append((owner, body.key_id, msgspec.json.encode(g).decode()))
        return received

    def _index_verification(
        self, db: sqlite3.Connection, rid: str, doc: dict[str, Any], deleted: bool, rejudge: set[str]
    ) -> None:
        """An own key-verification record: kept in the verifications table, its peer judged at the page's end."""
        found = trust.read_verification(doc)
        if found is None:
            return
        if deleted:
            self.store.drop_verification(db, rid)
        else:
            self.store.put_verification(db, rid, found)
        rejudge.add(str(found.bundle.user_id))

    def _update_given(
        self,
        db: sqlite3.Connection,
        rid: str,
        old: StoredRecord | None,
        key_id: bytes,
        given: Given,
        stale: set[str],
        report: SyncReport,
    ) -> None:
        """The share list changes only by this account's own share/unshare: a new key epoch (a re-key made
        on this or another own device) carries the owner-signed grants of everyone who shares it."""
        known = None if old is None else dict.fromkeys(self.store.grantees(rid))
        gone = {p.user_id for p in self.store.list_peers() if not p.linked}
        judged = sharing.share_list_after_pull(
            known=known,
            known_key=old.key_id if old else None,
            key=key_id,
            served=dict.fromkeys(peer for peer, _, _ in given),
            stale=stale,
            gone=gone,
        )
        if "old_grants_ignored" in judged.warnings:
            report.warnings.append(
                f"the server listed old grants of entry {rid} to someone it is no longer shared with; ignored"
            )
        if "share_list_differs" in judged.warnings:
            # Same key as before: only a re-key could change who holds it, so the server's list is wrong.
            report.warnings.append(
                f"the server's list of who entry {rid} is shared with differs from this device's; kept this device's"
            )
        if known is None or old is None or old.key_id != key_id:
            self.store.set_grants(db, "given", rid, given)

    def _rebase(
        self,
        db: sqlite3.Connection,
        pending: PendingRevision,
        base_doc: dict | None,
        base_deleted: bool,
        remote: dict[str, Any],
        remote_deleted: bool,
        report: SyncReport,
    ) -> None:
        """Three-way merge of the pending edit onto the new server head; the result becomes the new pending edit."""
        from ..core.merge import merge_documents  # noqa: PLC0415 - keeps `between --help` fast

        local_header, local = self.reader.open_row(pending, self.me)
        result = merge_documents(
            base_doc if not base_deleted else None,
            local,
            remote,
            local_deleted=local_header.deleted,
            remote_deleted=remote_deleted,
        )
        merged, deleted, conflict = result.document, result.deleted, result.conflicted
        report.merged += 1
        report.conflicts_kept += int(conflict)
        intents = pending.share_add or pending.revoke or pending.rekey
        if merged == remote and deleted == remote_deleted and not intents:
            self.store.drop_pending(db, pending.record_id)
            return
        self.outbox.queue(db, pending.record_id, merged, deleted, warnings=report.warnings)


def _pulled(state: wire.RecordState) -> Pulled:
    """A pulled item as pull.decide reads it: the server's labels, and what the head's own bytes say."""
    head = state.head
    labels = read = None
    if head is not None and state.access != "removed":
        header = Header.parse(head.revision.header)  # a malformed header refuses the item (ProtocolError)
        labels = Revision(str(head.record_id), str(head.owner_id), head.version, head.rev_id)
        read = Revision(
            str(uuid.UUID(bytes=header.record_id)),
            str(uuid.UUID(bytes=header.owner_id)),
            header.version,
            records.rev_id(head.revision.header, head.revision.ct),
            header.parent,
        )
    return Pulled(state.access, str(state.record_id), str(state.owner_id), state.dek_wrap is not None, labels, read)
