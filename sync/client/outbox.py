"""The outbox: own edits sealed as the next revision of their record, pushed as compare-and-swaps against the head
they were made on, and acknowledged. Who a new record key goes to follows core/sharing.py."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from ..core import crypto, keys, records, sharing, wire
from ..core.errors import BetweenError
from ..core.layout import GrantBody
from .api import Api
from .localstore import LocalStore
from .reader import Reader
from .report import SyncReport
from .rows import Peer, PendingRevision, StoredRecord

PUSH_BATCH = 100


class Outbox:
    """The pushing half of sync for one unlocked profile."""

    def __init__(self, store: LocalStore, secrets: keys.AccountSecrets, reader: Reader) -> None:
        self.store = store
        self.secrets = secrets
        self.reader = reader
        self.me = reader.me

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
        """Seal `document` as the next revision of an own record, replacing any pending one.
        Returns its version. The pending item keeps its base (the server head), so the push is a
        compare-and-swap against that head; share intents accumulate until acknowledged."""
        base = self.store.get_record(record_id)
        pending = self.store.get_pending(record_id)
        if base is not None and base.owner_id != self.me:
            raise BetweenError("forbidden", "only the owner can change an entry")
        adds = (set(pending.share_add) if pending else set()) - set(revoke) | set(share_add)
        revokes = (set(pending.revoke) if pending else set()) - set(share_add) | set(revoke)
        rekeyed = rekey or bool(pending and pending.rekey)
        key_id, dek = self._key(record_id, base, pending, rekey)
        grants: list[wire.GrantUpload] = []
        if key_id != (base.key_id if base else None):
            grants = self._grants(record_id, key_id, dek, adds, revokes, warnings)
        version = (base.version if base else 0) + 1
        revision = records.seal_revision(
            owner_id=self.secrets.user_id,
            record_id=uuid.UUID(record_id),
            version=version,
            parent=base.rev_id if base else None,
            key_id=key_id,
            dek=dek,
            plaintext=records.encode_document(document),
            sig_seed=self.secrets.sig_seed,
            deleted=deleted,
        )
        dek_wrap = records.wrap_dek(self.reader.kwk, self.secrets.user_id, uuid.UUID(record_id), key_id, dek)
        self.store.put_dek(db, record_id, key_id, self.me, dek_wrap)
        self.store.put_pending(
            db,
            PendingRevision(
                record_id=record_id,
                base_version=version - 1,
                version=version,
                rev_id=records.rev_id(revision.header, revision.ct),
                header=revision.header,
                ct=revision.ct,
                signature=revision.signature,
                key_id=key_id,
                dek_wrap=dek_wrap,
                rekey=rekeyed,
                grants=tuple(grants),
                share_add=frozenset(adds),
                revoke=frozenset(revokes),
                atomic=rekeyed or bool(revokes),
                queued_at=pending.queued_at if pending else None,
                sent_rev_id=pending.sent_rev_id if pending else None,
            ),
        )
        return version

    def _key(
        self, record_id: str, base: StoredRecord | None, pending: PendingRevision | None, rekey: bool
    ) -> tuple[bytes, bytes]:
        """(key_id, DEK) of the next revision: a new key for a re-key or a new record, else the one in use."""
        if rekey:
            return crypto.random_bytes(16), crypto.random_bytes(32)
        if pending and (pending.rekey or base is None):
            return pending.key_id, self.reader.dek(record_id, pending.key_id)
        if base is not None:
            return base.key_id, self.reader.dek(record_id, base.key_id)
        return crypto.random_bytes(16), crypto.random_bytes(32)

    def _grants(
        self, record_id: str, key_id: bytes, dek: bytes, adds: set[str], revokes: set[str], warnings: list[str] | None
    ) -> list[wire.GrantUpload]:
        """A new key goes to everyone who shares the record then and may be given one; a grantee who may not (key
        changed, link ended) is revoked instead (added to `revokes`), and asking to add one is refused."""
        grants = []
        for grantee in sorted(sharing.grantees_after(self.store.grantees(record_id), adds, revokes)):
            peer = self.store.get_peer(user_id=grantee)
            if peer is None or not sharing.may_grant(peer.linked, peer.state):
                if grantee in adds:
                    raise sharing.ShareError(detail=not_shared_text(peer))
                # Loses access rather than receiving the new key under an unverified identity.
                revokes.add(grantee)
                if warnings is not None:
                    who = peer.handle if peer else grantee
                    warnings.append(f"stopped sharing entry {record_id} with {who}: {not_shared_text(peer)}")
                continue
            grants.append(
                records.make_grant(
                    sig_seed=self.secrets.sig_seed,
                    owner_id=self.secrets.user_id,
                    record_id=uuid.UUID(record_id),
                    key_id=key_id,
                    dek=dek,
                    grantee_id=uuid.UUID(grantee),
                    grantee_kem_pub=peer.kem_pub,
                )
            )
        return grants

    def push(self, api: Api, report: SyncReport) -> bool:
        """Push the outbox; returns True when a conflict asks for another pull-merge-push round."""
        pending = self.store.list_pending()
        atomic = [[p] for p in pending if p.atomic]
        plain = [p for p in pending if not p.atomic]
        batches = atomic + [plain[i : i + PUSH_BATCH] for i in range(0, len(plain), PUSH_BATCH)]
        again = False
        for batch in batches:
            self.store.mark_sent([(p.record_id, p.rev_id) for p in batch])
            push = wire.Push(atomic=len(batch) == 1 and batch[0].atomic, items=[push_item(p) for p in batch])
            response = api.push(push)
            by_id = {str(r.record_id): r for r in response.results}
            for item in batch:
                result = by_id.get(item.record_id)
                if result is None:
                    continue
                if result.status == "ok":
                    self.acknowledge(item, result.seq or 0)
                    report.pushed += 1
                elif result.status == "conflict":
                    again = True
                elif result.status in ("invalid", "forbidden"):
                    why = result.detail or result.status
                    self.store.set_pending_error(item.record_id, f"{result.status}: {why}")
                    report.failed.append(
                        f"entry {item.record_id} was refused by the server ({result.status}: "
                        f"{why}); it stays queued on this device"
                    )
        return again

    def resend(
        self, api: Api, record_ids: list[str], report: SyncReport, holders: dict[str, set[str]] | None = None
    ) -> None:
        """After a restore: send again the head this device holds of each own record in `record_ids` (one the
        server lost), as it was signed, marked `restored`, with its key granted again to whoever shares it now.
        A reader the restored server still lists (`holders`: record -> grantee ids) who no longer shares it is
        revoked again: the head's key is one that reader never held (the unshare re-keyed), so push rule 7 takes it."""
        items = []
        for rid in record_ids:
            row = self.store.get_record(rid)
            found = self.store.get_dek(rid, row.key_id) if row is not None else None
            if row is None or found is None or row.owner_id != self.me:
                continue
            grants = []
            for grantee in sorted(self.store.grantees(rid)):
                peer = self.store.get_peer(user_id=grantee)
                if peer is None or not sharing.may_grant(peer.linked, peer.state):
                    continue  # a key is given again only where it could be given now
                grants.append(
                    records.make_grant(
                        sig_seed=self.secrets.sig_seed,
                        owner_id=self.secrets.user_id,
                        record_id=uuid.UUID(rid),
                        key_id=row.key_id,
                        dek=self.reader.dek(rid, row.key_id),
                        grantee_id=uuid.UUID(grantee),
                        grantee_kem_pub=peer.kem_pub,
                    )
                )
            sharing_now = set(self.store.grantees(rid))
            revoke = sorted(uid for uid in (holders or {}).get(rid, set()) if uid not in sharing_now)
            items.append(
                wire.PushItem(
                    record_id=uuid.UUID(rid),
                    base_version=row.version - 1,
                    revision=wire.Revision(header=row.header, ct=row.ct, signature=row.signature),
                    dek_wrap=found[1],
                    grants=grants,
                    revoke=[uuid.UUID(uid) for uid in revoke],
                    restored=True,
                )
            )
        for start in range(0, len(items), PUSH_BATCH):
            response = api.push(wire.Push(items=items[start : start + PUSH_BATCH]))
            for result in response.results:
                if result.status == "ok":
                    report.pushed += 1
                elif result.status in ("invalid", "forbidden"):
                    report.failed.append(
                        f"entry {result.record_id} could not be sent again after the server's restore "
                        f"({result.status}: {result.detail or result.status}); it stays on this device"
                    )
                # conflict: a newer revision reached the restored server first; the next pull brings it

    def acknowledge(self, item: PendingRevision, seq: int) -> None:
        """The server stored this outbox item: it becomes the known head and leaves the outbox."""
        rid = item.record_id
        with self.store.transaction() as db:
            current = self.store.get_record(rid)
            if current is None or current.version < item.version:
                self.store.put_record(
                    db,
                    StoredRecord(
                        record_id=rid,
                        owner_id=self.me,
                        version=item.version,
                        rev_id=item.rev_id,
                        header=item.header,
                        ct=item.ct,
                        signature=item.signature,
                        key_id=item.key_id,
                        seq=seq,
                        access="owner",
                    ),
                )
                if item.rekey or item.revoke:
                    given = [
                        (str(uuid.UUID(bytes=GrantBody.parse(g.body).grantee_id)), item.key_id, None)
                        for g in item.grants
                    ]
                    self.store.set_grants(db, "given", rid, given)
            self.store.clear_pending(db, rid, item.rev_id)
            newer = self.store.get_pending(rid)
            if newer is not None and newer.base_version < item.version:
                # Edited (by another process) while this push was in flight: every pending edit descends
                # from the one before it, so it moves onto the acknowledged head unchanged, no merge needed.
                header, doc = self.reader.open_row(newer, self.me)
                self.queue(db, rid, doc, header.deleted)


def push_item(p: PendingRevision) -> wire.PushItem:
    return wire.PushItem(
        record_id=uuid.UUID(p.record_id),
        base_version=p.base_version,
        revision=wire.Revision(header=p.header, ct=p.ct, signature=p.signature),
        dek_wrap=p.dek_wrap,
        grants=list(p.grants),
        revoke=[uuid.UUID(u) for u in sorted(p.revoke)],
    )


def blocked_key_text(peer: Peer) -> str:
    """Why nothing goes to or comes from a blocked peer, and what resolves it."""
    why = (
        "their security key changed"
        if peer.state == "changed"
        else "their key does not match the invitation they accepted"
    )
    return f"{why}; compare safety numbers (`between safety-number {peer.handle}`) and confirm with --verified"


def not_shared_text(peer: Peer | None) -> str:
    """Why no record key goes to `peer` (sharing.held_back), in the words of the command line."""
    why = sharing.held_back(peer.linked if peer else None, peer.state if peer else None)
    if peer is None or why == "no_peer":
        return "no care link with that person on this device (sync, or accept their invite first)"
    if why == "link_ended":
        return f"there is no active care link with {peer.handle}"
    return blocked_key_text(peer)
