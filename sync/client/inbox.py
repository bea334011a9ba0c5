"""The pulling half of the sync engine: pin care-link peers, verify and store pulled pages, merge onto pending edits."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import msgspec

from ..core import keys, records, trust, wire
from ..core.errors import BetweenError, CryptoError, ProtocolError, RollbackError
from ..core.layout import Header

BLOCKED = ("changed", "mismatch")

if TYPE_CHECKING:
    from .engine import SyncReport


def _grant_json(grant: wire.Grant) -> str:
    return msgspec.json.encode(grant).decode()


def _bundle(raw: str) -> wire.KeyBundle:
    return msgspec.json.decode(raw.encode(), type=wire.KeyBundle)


class Inbox:
    """Mixed into Engine: uses its `store`, `secrets`, `api`, `me`, `device`, `pull_limit`, `open_row` and `queue`."""

    _rejudge: set[str]
    _restart: bool

    def refresh_links(self, report: SyncReport) -> None:
        """Judge the other side of every care link (trust.judge) before anything is pulled: a new device pins its
        peers here first, then the account's verifications (pulled or already here) settle how far each is trusted.
        On a therapist's device, the client's invitation proof is checked here."""
        links = self.api.links()
        seen: set[str] = set()
        # One invitation vouches for one person: an invite id the server lists on two links proves neither.
        counts = Counter(str(link.invite_id) for link in links if link.invite_id is not None)
        # Ids used by earlier proofs; one recorded during this listing is in `counts` too, so read once.
        used = trust.used_invites(self._verifications(None)) if self.secrets.role == "therapist" else {}
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
                proof: trust.Proof = "none"
                if self.secrets.role == "therapist":
                    proof = trust.check_invite_proof(self.secrets.account_key, link, used)
                    if proof == "valid" and counts[str(link.invite_id)] > 1:
                        proof = "invalid"
                self.settle(db, str(other.user_id), other, str(link.link_id), proof, report,
                            invite=str(link.invite_id) if proof == "valid" else None)
            for peer in self.store.list_peers():
                if peer["linked"] and peer["user_id"] not in seen:
                    self.store.update_peer(db, peer["user_id"], linked=0)
            self.revoke_unlinked(db, report)

    def settle(self, db: sqlite3.Connection, uid: str, served: wire.KeyBundle | None, link_id: str | None,
               proof: trust.Proof, report: SyncReport, invite: str | None = None) -> trust.Judgement:
        """Judge one peer and store the verdict: the pin, a verification to add to the account, and what was
        received under a key that is no longer theirs (dropped, and pulled again from the start)."""
        peer = self.store.get_peer(user_id=uid)
        pinned = _bundle(peer["bundle_json"]) if peer else None
        verifications = self._verifications(uid)
        verdict = trust.judge(served, pinned, peer["verified_how"] if peer else "tofu", verifications, proof)
        pin = verdict.pin
        self.store.settle_peer(db, user_id=uid, bundle_json=wire.encode(pin).decode(), handle=pin.handle,
                               role=pin.role, sig_pub=pin.sig_pub, kem_pub=pin.kem_pub, verified_how=verdict.how,
                               state=verdict.state,
                               changed_bundle_json=wire.encode(verdict.changed).decode() if verdict.changed else None,
                               link_id=link_id, linked=served is not None)
        dropped = verdict.forget and self.store.forget_received_from(db, uid)
        unblocked = peer is not None and peer["held"] and peer["state"] in BLOCKED and not verdict.blocked
        if dropped or unblocked:
            # Pulled again from the start: what came under the old key comes verified under the new one, and
            # what was held back while the key was blocked comes now.
            self.store.set_meta(db, "cursor", "0")
            self._restart = True
        if verdict.record:
            self.record_verification(db, pin, verdict.record, verifications,
                                     invite=invite if verdict.record == "invite-link" else None)
        was = peer["state"] if peer else None
        if verdict.state == "changed" and was != "changed":
            report.warnings.append(f"{pin.handle}'s security key changed: nothing is shared with or taken from them "
                                   f"until you compare safety numbers (`between safety-number {pin.handle}`)")
        elif verdict.state == "mismatch" and was != "mismatch":
            report.warnings.append(f"{pin.handle}'s key does not match the invitation they accepted: nothing is "
                                   f"shared with or taken from them until you compare safety numbers "
                                   f"(`between safety-number {pin.handle}`)")
        return verdict

    def _verifications(self, uid: str | None) -> list[trust.Verification]:
        return [trust.Verification(_bundle(v["bundle_json"]), v["how"], v["created_at"], v["invite"])
                for v in self.store.verifications(uid)]

    def record_verification(self, db: sqlite3.Connection, bundle: wire.KeyBundle, how: str,
                            verifications: list[trust.Verification], invite: str | None = None) -> None:
        """Add "this key was verified, this way, now" to the account: an own record, synced to every device."""
        from .client import now_stamp  # noqa: PLC0415 - client imports this module

        at = trust.verified_at(verifications, now_stamp())
        record_id = str(uuid.uuid4())
        self.queue(db, record_id, trust.verification_document(bundle, how, at, self.device, invite), False)
        self.store.put_verification(db, record_id, str(bundle.user_id), wire.encode(bundle).decode(), how, at,
                                    invite)

    def revoke_unlinked(self, db: sqlite3.Connection, report: SyncReport) -> None:
        """Queue a re-key + revoke of every own record an unlinked peer still holds a key of.

        The server drops the grants when a link ends, but the ex-peer keeps the keys it received:
        without a new key every later version would stay readable to them. Also runs on every sync, so
        a profile that saw the link end before this rule existed (or crashed midway) catches up."""
        unlinked = {p["user_id"]: p for p in self.store.list_peers() if not p["linked"]}
        if not unlinked:
            return
        for record_id, peer_id in self.store.given_pairs():
            if peer_id not in unlinked:
                continue
            pending = self.store.get_pending(record_id)
            if pending is not None and peer_id in json.loads(pending["revoke_json"]):
                continue  # already queued
            try:
                head = self.head(record_id)
                if head is None or head.owner_id != self.me:
                    continue
                if head.deleted:
                    # A deleted entry gets no later versions to protect: only forget the share.
                    self.store.drop_given(db, record_id, peer_id)
                    continue
                self.queue(db, record_id, head.document, head.deleted, rekey=True, revoke={peer_id},
                           warnings=report.warnings)
            except BetweenError as exc:
                report.warnings.append(f"could not re-key entry {record_id} after the care link with "
                                       f"{unlinked[peer_id]['handle']} ended: {exc.detail}")
                continue
            report.warnings.append(f"the care link with {unlinked[peer_id]['handle']} ended: entry {record_id} "
                                   "gets a new key they do not hold")

    def pull(self, report: SyncReport) -> None:
        self._restart = False
        while True:
            page = self.api.pull(self.store.cursor(), self.pull_limit)
            self.apply_page(page, report)
            if self._restart:
                # A pin was replaced: what came under the old key was dropped; everything comes again.
                self._restart = False
                continue
            if not page.more:
                return

    def apply_page(self, page: wire.PullResponse, report: SyncReport) -> None:
        """Verify and store one page; the records and the cursor that covers them commit together, or neither.
        Verifications the page brought are judged at its end (which may reset the cursor to pull again)."""
        if page.cursor < self.store.cursor():
            raise RollbackError(detail="the server moved the sync cursor backwards")
        self._rejudge: set[str] = set()
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
            for uid in sorted(self._rejudge):
                peer = self.store.get_peer(user_id=uid)
                served = None
                if peer is not None and peer["linked"]:
                    served = _bundle(peer["changed_bundle_json"] or peer["bundle_json"])
                self.settle(db, uid, served, peer["link_id"] if peer else None, "none", report)

    def _apply(self, db: sqlite3.Connection, state: wire.RecordState, report: SyncReport) -> None:
        rid = str(state.record_id)
        if state.access == "removed":
            # Whose record it is comes from what this device verified, never from the server's owner_id:
            # an own record (stored, or only queued in the outbox) is never forgotten on the server's word.
            local = self.store.get_record(rid)
            if local is not None and local["owner_id"] != self.me and local["access"] == "granted":
                self.store.forget_record(db, rid)
            elif local is not None or self.store.get_pending(rid) is not None:
                report.warnings.append(f"the server said entry {rid} was removed, but it is yours; ignored")
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
            signer = self.secrets.sig_pub
        else:
            peer = self.store.get_peer(user_id=owner)
            if owner == self.me or peer is None:
                raise CryptoError(detail="shared by someone who is not a pinned contact")
            if peer["state"] in ("changed", "mismatch"):
                # Held back, not refused: it comes again (the cursor goes back to 0) once they are verified.
                self.store.hold(db, owner)
                return
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
            self._update_given(db, rid, old, header.key_id, given, stale, report)
            self._index_verification(db, rid, incoming, header.deleted)
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

    def _index_verification(self, db: sqlite3.Connection, rid: str, doc: dict[str, Any], deleted: bool) -> None:
        """An own key-verification record: kept in the verifications table, its peer judged at the page's end."""
        found = trust.read_verification(doc)
        if found is None:
            return
        uid = str(found.bundle.user_id)
        if deleted:
            self.store.drop_verification(db, rid)
        else:
            self.store.put_verification(db, rid, uid, wire.encode(found.bundle).decode(), found.how,
                                        found.created_at, found.invite)
        self._rejudge.add(uid)

    def _update_given(self, db: sqlite3.Connection, rid: str, old: dict[str, Any] | None, key_id: bytes,
                      given: list[tuple[str, bytes, str | None]], stale: set[str], report: SyncReport) -> None:
        """The share list changes only by this account's own share/unshare: a new key epoch (a re-key made
        on this or another own device) carries the owner-signed grants of everyone who shares it."""
        served = {peer for peer, _, _ in given}
        ignored = stale - served
        if ignored:
            report.warnings.append(f"the server listed old grants of entry {rid} to someone it is no longer "
                                   "shared with; ignored")
        if old is None or old["key_id"] != key_id:
            self.store.set_grants(db, "given", rid, given)
            return
        known = self.store.grantees(rid)
        gone = {p["user_id"] for p in self.store.list_peers() if not p["linked"]}
        if served - known or (known - served) - gone:
            # Same key as before: only a re-key could change who holds it, so the server's list is wrong.
            report.warnings.append(f"the server's list of who entry {rid} is shared with differs from this "
                                   "device's; kept this device's")

    def _rebase(self, db: sqlite3.Connection, pending: dict[str, Any], base_doc: dict | None, base_deleted: bool,
                remote: dict[str, Any], remote_deleted: bool, report: SyncReport) -> None:
        """Three-way merge of the pending edit onto the new server head; the result becomes the new pending edit."""
        from ..core.merge import merge_documents  # noqa: PLC0415 - keeps `between --help` fast

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
