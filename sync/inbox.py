"""The pulling half of the sync engine: pin care-link peers, verify and store pulled pages, merge onto pending edits."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import msgspec

from . import keys, records, wire
from .errors import CryptoError, ProtocolError, RollbackError
from .layout import Header

if TYPE_CHECKING:
    from .engine import SyncReport


def _grant_json(grant: wire.Grant) -> str:
    return msgspec.json.encode(grant).decode()


class Inbox:
    """Mixed into Engine: uses its `store`, `secrets`, `api`, `me`, `pull_limit`, `open_row` and `queue`."""

    def refresh_links(self, report: SyncReport) -> None:
        """Pin the other side of every care link on first sight (tofu); a changed bundle blocks sharing."""
        links = self.api.links()
        seen: set[str] = set()
        with self.store.transaction() as db:
            for link in links:
                mine, other = ((link.client, link.therapist) if self.secrets.role == "client"
                               else (link.therapist, link.client))
                if str(mine.user_id) != self.me:
                    report.warnings.append("the server listed a care link that is not ours; ignored")
                    continue
                try:
                    keys.verify_bundle(other)
                except CryptoError:
                    report.warnings.append(f"{other.handle}'s key bundle does not verify; ignored")
                    continue
                seen.add(str(other.user_id))
                warning = self.pin(db, other, "tofu", str(link.link_id))
                if warning:
                    report.warnings.append(warning)
            for peer in self.store.list_peers():
                if peer["linked"] and peer["user_id"] not in seen:
                    self.store.update_peer(db, peer["user_id"], linked=0)

    def pin(self, db: sqlite3.Connection, bundle: wire.KeyBundle, how: str, link_id: str | None) -> str | None:
        """Pin a peer on first sight; return a warning if it differs from the pinned bundle."""
        uid = str(bundle.user_id)
        peer = self.store.get_peer(user_id=uid)
        if peer is None:
            self.store.pin_peer(db, user_id=uid, handle=bundle.handle, role=bundle.role, sig_pub=bundle.sig_pub,
                                kem_pub=bundle.kem_pub, bundle_json=wire.encode(bundle).decode(),
                                verified_how=how, link_id=link_id)
            return None
        same = (peer["sig_pub"] == bundle.sig_pub and peer["kem_pub"] == bundle.kem_pub
                and peer["handle"] == bundle.handle and peer["role"] == bundle.role)
        if same:
            self.store.update_peer(db, uid, link_id=link_id, linked=1, changed_bundle_json=None)
            return None
        self.store.update_peer(db, uid, link_id=link_id, linked=1, changed_bundle_json=wire.encode(bundle).decode())
        return (f"{peer['handle']}'s security key changed: sharing with them is blocked until you compare "
                f"safety numbers (`between safety-number {peer['handle']}`)")

    def pull(self, report: SyncReport) -> None:
        while True:
            page = self.api.pull(self.store.cursor(), self.pull_limit)
            self.apply_page(page, report)
            if not page.more:
                return

    def apply_page(self, page: wire.PullResponse, report: SyncReport) -> None:
        """Verify and store one page; the records and the cursor that covers them commit together, or neither."""
        if page.cursor < self.store.cursor():
            raise RollbackError(detail="the server moved the sync cursor backwards")
        with self.store.transaction() as db:
            for state in page.items:
                db.execute("SAVEPOINT item")  # a refused item leaves no trace, the others still apply
                try:
                    self._apply(db, state, report)
                except (CryptoError, ProtocolError, RollbackError) as exc:
                    db.execute("ROLLBACK TO item")
                    report.warnings.append(f"refused a change to entry {state.record_id}: {exc.detail}")
                db.execute("RELEASE item")
            self.store.set_meta(db, "cursor", str(page.cursor))

    def _apply(self, db: sqlite3.Connection, state: wire.RecordState, report: SyncReport) -> None:
        rid = str(state.record_id)
        if state.access == "removed":
            if str(state.owner_id) != self.me:
                self.store.forget_record(db, rid)
            return
        head = state.head
        if head is None or head.record_id != state.record_id or head.owner_id != state.owner_id:
            raise ProtocolError("bad_state", "the server sent an inconsistent record")
        owner = str(state.owner_id)
        header = Header.parse(head.revision.header)
        if state.access == "owner":
            if owner != self.me or state.dek_wrap is None:
                raise ProtocolError("bad_state", "an own record without its key")
            records.unwrap_dek(self._kwk, self.secrets.user_id, state.record_id, header.key_id, state.dek_wrap)
            self.store.put_dek(db, rid, header.key_id, owner, state.dek_wrap)
            given = []
            for g in state.grants:
                body = records.verify_grant(g, self.secrets.sig_pub)
                if body.owner_id != self.secrets.user_id or body.record_id != state.record_id.bytes:
                    raise CryptoError(detail="a grant for another record")
                given.append((str(g.grantee_id), g.key_id, None))
            signer = self.secrets.sig_pub
        else:
            peer = self.store.get_peer(user_id=owner)
            if owner == self.me or peer is None:
                raise CryptoError(detail="shared by someone who is not a pinned contact")
            if peer["changed_bundle_json"]:
                raise CryptoError(detail=f"{peer['handle']}'s key changed; verify it again to receive their entries")
            signer = peer["sig_pub"]
            received = []
            for g in state.grants:
                body, dek = records.open_grant(g, owner_sig_pub=signer, me_id=self.secrets.user_id,
                                               my_kem_seed=self.secrets.kem_seed)
                if body.owner_id != state.owner_id.bytes or body.record_id != state.record_id.bytes:
                    raise CryptoError(detail="a grant for another record")
                wrapped = records.wrap_dek(self._kwk, state.owner_id, state.record_id, body.key_id, dek)
                self.store.put_dek(db, rid, body.key_id, owner, wrapped)
                received.append((owner, body.key_id, _grant_json(g)))
        row = {"record_id": rid, "owner_id": owner, "version": header.version, "rev_id": head.rev_id,
               "header": head.revision.header, "ct": head.revision.ct, "signature": head.revision.signature,
               "key_id": header.key_id, "seq": head.seq, "access": state.access}
        # Verifies signature, context, key commitment and decrypts: a head we cannot open is not stored.
        _, incoming = self.open_row(row, owner)
        rid_bytes = records.rev_id(head.revision.header, head.revision.ct)
        if rid_bytes != head.rev_id or header.version != head.version:
            raise CryptoError(detail="revision id or version does not match its bytes")
        records.check_high_water(self.store.high_water(rid), header.version, rid_bytes)
        old = self.store.get_record(rid)
        unchanged = old is not None and old["rev_id"] == rid_bytes
        if state.access == "owner":
            self.store.set_grants(db, "given", rid, given)
        else:
            self.store.set_grants(db, "received", rid, received)
        if unchanged:
            return
        pending = self.store.get_pending(rid)
        base_doc = base_deleted = None
        if pending is not None and old is not None:
            base_header, base_doc = self.open_row(old, owner)
            base_deleted = base_header.deleted
        self.store.put_record(db, row)
        report.pulled += 1
        if pending is None:
            return
        if pending["rev_id"] == rid_bytes:
            self.store.clear_pending(db, rid, rid_bytes)  # our own push landed; its answer was lost
            return
        if pending["base_version"] >= header.version:
            return
        if pending["sent_rev_id"] == rid_bytes:
            # Our earlier push landed (its answer was lost) and we edited since: it is the base, not a rival.
            base_doc, base_deleted = incoming, header.deleted
        self._rebase(db, pending, base_doc, bool(base_deleted), incoming, header.deleted, report)

    def _rebase(self, db: sqlite3.Connection, pending: dict[str, Any], base_doc: dict | None, base_deleted: bool,
                remote: dict[str, Any], remote_deleted: bool, report: SyncReport) -> None:
        """Three-way merge of the pending edit onto the new server head; the result becomes the new pending edit."""
        from .merge import merge_documents  # noqa: PLC0415 - keeps `between --help` fast

        local_header, local = self.open_row(pending, self.me)
        result = merge_documents(base_doc if not base_deleted else None, local, remote,
                                 local_deleted=local_header.deleted, remote_deleted=remote_deleted)
        merged, deleted, conflict = result.document, result.deleted, result.conflicted
        report.merged += 1
        report.conflicts_kept += int(conflict)
        intents = json.loads(pending["share_add_json"]) or json.loads(pending["revoke_json"]) or pending["rekey"]
        if merged == remote and deleted == remote_deleted and not intents:
            self.store.drop_pending(db, pending["record_id"])
            return
        self.queue(db, pending["record_id"], merged, deleted, warnings=report.warnings)
