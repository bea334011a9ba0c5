"""Care links on this device: the other side of each link judged (trust.judge) and pinned, the account's key
verifications recorded, and the keys of a link that ended taken back by re-keying."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from typing import NamedTuple

from ..core import keys, trust, wire
from ..core.errors import BetweenError, CryptoError
from .api import Api
from .clock import now_stamp
from .localstore import LocalStore
from .outbox import Outbox
from .reader import Reader
from .report import Notice, SyncReport


class Settled(NamedTuple):
    """A peer judged and stored: the verdict, and whether the pull must start again from the first page (what came
    under an old key was dropped, or what was held back may come now)."""

    verdict: trust.Judgement
    restart: bool


class Links:
    """The care links of one unlocked profile."""

    def __init__(
        self, store: LocalStore, secrets: keys.AccountSecrets, reader: Reader, outbox: Outbox, device: str
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.reader = reader
        self.outbox = outbox
        self.me = reader.me
        self.device = device  # this device's id, written into the verifications it records

    def refresh(self, api: Api, report: SyncReport) -> None:
        """Judge the other side of every care link (trust.judge) before anything is pulled: a new device pins its
        peers here first, then the account's verifications (pulled or already here) settle how far each is
        trusted. On a therapist's device, the client's invitation proof is checked here."""
        links = api.links()
        seen: set[str] = set()
        # One invitation vouches for one person: an invite id the server lists on two links proves neither.
        counts = Counter(str(link.invite_id) for link in links if link.invite_id is not None)
        # Ids used by earlier proofs; one recorded during this listing is in `counts` too, so read once.
        used = trust.used_invites(self.store.verifications(None)) if self.secrets.role == "therapist" else {}
        with self.store.transaction() as db:
            for link in links:
                mine, other = (
                    (link.client, link.therapist) if self.secrets.role == "client" else (link.therapist, link.client)
                )
                if str(mine.user_id) != self.me:
                    report.warnings.append(
                        Notice("the server listed a care link that is not ours; ignored", "notOurLink")
                    )
                    continue
                try:
                    keys.verify_bundle(other)
                except CryptoError:
                    report.warnings.append(
                        Notice(
                            f"{other.handle}'s key bundle does not verify; ignored", "badBundle", handle=other.handle
                        )
                    )
                    continue
                seen.add(str(other.user_id))
                proof: trust.Proof = "none"
                if self.secrets.role == "therapist":
                    proof = trust.check_invite_proof(self.secrets.account_key, link, used)
                    if proof == "valid" and counts[str(link.invite_id)] > 1:
                        proof = "invalid"
                self.settle(
                    db,
                    str(other.user_id),
                    other,
                    str(link.link_id),
                    proof,
                    report,
                    invite=str(link.invite_id) if proof == "valid" else None,
                )
            for peer in self.store.list_peers():
                if peer.linked and peer.user_id not in seen:
                    self.store.update_peer(db, peer.user_id, linked=0)
            self.revoke_unlinked(db, report)

    def settle(
        self,
        db: sqlite3.Connection,
        uid: str,
        served: wire.KeyBundle | None,
        link_id: str | None,
        proof: trust.Proof,
        report: SyncReport,
        invite: str | None = None,
    ) -> Settled:
        """Judge one peer and store the verdict: the pin, a verification to add to the account, and what was
        received under a key that is no longer theirs (dropped, and pulled again from the start)."""
        peer = self.store.get_peer(user_id=uid)
        verifications = self.store.verifications(uid)
        verdict = trust.judge(
            served, peer.bundle if peer else None, peer.verified_how if peer else "tofu", verifications, proof
        )
        pin = verdict.pin
        self.store.settle_peer(
            db,
            user_id=uid,
            bundle=pin,
            verified_how=verdict.how,
            state=verdict.state,
            changed=verdict.changed,
            link_id=link_id,
            linked=served is not None,
        )
        dropped = verdict.forget and self.store.forget_received_from(db, uid)
        unblocked = peer is not None and peer.held and peer.state in trust.BLOCKED and not verdict.blocked
        restart = bool(dropped or unblocked)
        if restart:
            # Pulled again from the start: what came under the old key comes verified under the new one, and
            # what was held back while the key was blocked comes now.
            self.store.set_meta(db, "cursor", "0")
        if verdict.record:
            self.record_verification(
                db, pin, verdict.record, verifications, invite=invite if verdict.record == "invite-link" else None
            )
        was = peer.state if peer else None
        if verdict.state == "changed" and was != "changed":
            report.warnings.append(
                Notice(
                    f"{pin.handle}'s security key changed: nothing is shared with or taken from them "
                    f"until you compare safety numbers (`between safety-number {pin.handle}`)",
                    "keyChanged",
                    handle=pin.handle,
                )
            )
        elif verdict.state == "mismatch" and was != "mismatch":
            report.warnings.append(
                Notice(
                    f"{pin.handle}'s key does not match the invitation they accepted: nothing is "
                    f"shared with or taken from them until you compare safety numbers "
                    f"(`between safety-number {pin.handle}`)",
                    "keyMismatch",
                    handle=pin.handle,
                )
            )
        return Settled(verdict, restart)

    def record_verification(
        self,
        db: sqlite3.Connection,
        bundle: wire.KeyBundle,
        how: str,
        verifications: list[trust.Verification],
        invite: str | None = None,
    ) -> None:
        """Add "this key was verified, this way, now" to the account: an own record, synced to every device."""
        at = trust.verified_at(verifications, now_stamp())
        record_id = str(uuid.uuid4())
        self.outbox.queue(db, record_id, trust.verification_document(bundle, how, at, self.device, invite), False)
        self.store.put_verification(db, record_id, trust.Verification(bundle, how, at, invite))

    def revoke_unlinked(self, db: sqlite3.Connection, report: SyncReport) -> None:
        """Queue a re-key + revoke of every own record an unlinked peer still holds a key of.

        The server drops the grants when a link ends, but the ex-peer keeps the keys it received:
        without a new key every later version would stay readable to them. Also runs on every sync, so
        a profile that saw the link end before this rule existed (or crashed midway) catches up."""
        unlinked = {p.user_id: p for p in self.store.list_peers() if not p.linked}
        if not unlinked:
            return
        for record_id, peer_id in self.store.given_pairs():
            if peer_id not in unlinked:
                continue
            pending = self.store.get_pending(record_id)
            if pending is not None and peer_id in pending.revoke:
                continue  # already queued
            try:
                head = self.reader.head(record_id)
                if head is None or head.owner_id != self.me:
                    continue
                if head.deleted:
                    # A deleted entry gets no later versions to protect: only forget the share.
                    self.store.drop_given(db, record_id, peer_id)
                    continue
                self.outbox.queue(
                    db, record_id, head.document, head.deleted, rekey=True, revoke={peer_id}, warnings=report.warnings
                )
            except BetweenError as exc:
                report.warnings.append(
                    Notice(
                        f"could not re-key entry {record_id} after the care link with "
                        f"{unlinked[peer_id].handle} ended: {exc.detail}",
                        "rekeyFailed",
                        id=record_id,
                        handle=unlinked[peer_id].handle,
                    )
                )
                continue
            report.warnings.append(
                Notice(
                    f"the care link with {unlinked[peer_id].handle} ended: entry {record_id} "
                    "gets a new key they do not hold",
                    "linkEnded",
                    id=record_id,
                    handle=unlinked[peer_id].handle,
                )
            )
