"""The reference client: one profile's entries, sharing, care links and safety numbers, over its account (accounts.py)
and its sync engine (engine.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core import attachments, entry_document, keys, kinds, safety, sharing, trust
from ..core.assignments import WORKSHEET
from ..core.errors import BetweenError, CryptoError
from ..core.keys import AccountSecrets
from ..core.sharing import ShareError
from . import saved_copy
from .accounts import DEVICE_NAME, MIN_PASSPHRASE, Accounts, NotFound, check_handle, check_passphrase, kdf_from_env
from .api import Api
from .clock import now_stamp
from .engine import Engine
from .inbox import PULL_LIMIT
from .keysfile import KeysFile
from .outbox import not_shared
from .profile import Profile
from .reader import Head
from .report import SyncReport
from .rows import Peer

__all__ = [
    "DEVICE_NAME",
    "MIN_PASSPHRASE",
    "Client",
    "NotFound",
    "check_handle",
    "check_passphrase",
    "kdf_from_env",
    "now_stamp",
]


class Client:
    """One profile directory, unlocked from keys.json on first use: its account (`accounts`) and its entries."""

    def __init__(self, profile: Path) -> None:
        self.profile = Profile(profile)
        self.store = self.profile.store
        self.accounts = Accounts(self.profile)
        self._engine: Engine | None = None

    def close(self) -> None:
        self.profile.close()

    @property
    def keys(self) -> KeysFile:
        return self.profile.keys

    @property
    def secrets(self) -> AccountSecrets:
        return self.profile.secrets

    @property
    def api(self) -> Api:
        return self.profile.api

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # A debugging and test knob: small pages exercise the paging path.
            limit = os.environ.get("BETWEEN_PULL_LIMIT", "")
            pull_limit = int(limit) if limit.isdigit() and 1 <= int(limit) <= 1000 else PULL_LIMIT
            self._engine = Engine(
                self.store, self.secrets, self.api, device=self.profile.device_id, pull_limit=pull_limit
            )
        return self._engine

    # ------------------------------------------------------------ entries

    def resolve(self, prefix: str) -> str:
        """An entry id from its full form or a unique prefix of at least 6 characters."""
        ids = self.store.record_ids()
        prefix = prefix.strip().lower()
        matches = [i for i in ids if i == prefix or (len(prefix) >= 6 and i.startswith(prefix))]
        if len(matches) != 1:
            what = "more than one entry starts with" if matches else "no entry with id"
            raise NotFound(
                detail=f"{what} {prefix}",
                key="not_found.prefix",
                params={"prefix": prefix, "matches": "many" if matches else "none"},
            )
        return matches[0]

    def add_entry(self, kind: str, fields: dict[str, Any], files: Sequence[tuple[bytes, str, str | None]] = ()) -> str:
        """A new entry; `files`: attachments made with it, (bytes, media type, field or None), as `attach` makes
        them (a voice journal entry needs its recording from the start)."""
        fields, blobs = dict(fields), []
        for data, media, field_id in files:
            field = self._attachment_field(kinds.get_kind(kind), media, field_id)
            item, blob = attachments.new_attachment(data, media)
            fields[field.id] = [*(fields.get(field.id) or []), item]
            blobs.append((item["id"], blob))
        clean = kinds.validate_fields(kind, fields)
        record_id = str(uuid.uuid4())
        stamp = now_stamp()
        doc = entry_document.new_entry(kind, clean, stamp, self.profile.device_id)
        for blob_id, blob in blobs:
            self.engine.blobs.stage(blob_id, blob)
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, doc, False)
        return record_id

    def import_copy(self, items: Any) -> dict[str, int]:
        """Bring back the entries of a saved JSON copy (`export --format json`, or the app's "Save a copy") that
        this profile does not hold, by the rules of saved_copy.read_copy (the app's too): each is stored as a new
        record with its own times; assignments, answers and notes are left to sync."""
        found = saved_copy.read_copy(items, lambda: [(e["kind"], e["created_at"]) for e in self.entries(own=True)])
        device = self.profile.device_id
        with self.store.transaction() as db:
            for e in found.entries:
                doc = dict(entry_document.new_entry(e.kind, e.fields, e.created_at, device), updated_at=e.updated_at)
                self.engine.queue(db, str(uuid.uuid4()), doc, False)
        return {
            "brought_back": len(found.entries),
            "already": found.already,
            "unreadable": found.unreadable,
            "not_entries": found.not_entries,
        }

    def _own_head(self, record_id: str) -> Head:
        head = self.engine.head(record_id)
        if head is None:
            raise NotFound(detail=f"no entry with id {record_id}", key="not_found.entry", params={"id": record_id})
        if head.owner_id != self.engine.me:
            raise BetweenError(
                "forbidden", "this entry was shared with you; only its owner can change it", key="forbidden.notOwner"
            )
        if head.deleted:
            raise NotFound("deleted", f"entry {record_id} was deleted", params={"id": record_id})
        if "type" in head.document:
            # Assignments and answers have their own rules (docs/ASSIGNMENTS.md); the browser app edits them.
            raise BetweenError(
                "not_an_entry",
                f"{record_id} is {head.document['type']}, not an entry; open it in the app to change it",
                params={"id": record_id, "type": str(head.document["type"])},
            )
        return head

    def editable_kind(self, record_id: str) -> str:
        """The kind of an own entry, if this version can edit it (see _editable)."""
        return self._editable(self._own_head(record_id)).id

    @staticmethod
    def _editable(head: Head) -> kinds.Kind:
        # Fields of a kind this version does not know (a newer version's) cannot be checked: such an entry is
        # kept as it is, to be shown, synced, merged and deleted here.
        kind = kinds.find_kind(head.document.get("kind"))
        if kind is None:
            shown = str(head.document.get("kind"))[:40]
            raise BetweenError(
                "unknown_kind",
                f"entry {head.record_id} is of a kind this version does not know "
                f"('{shown}', perhaps from a newer version of Between); it can be shown, synced and "
                "deleted here, and edited where that kind is known",
                key="unknown_kind.edit",
                params={"id": head.record_id, "kind": shown},
            )
        return kind

    def edit_entry(self, record_id: str, changes: dict[str, Any]) -> int:
        """`changes` maps field ids to new values; None clears a field. Returns the new local version.

        Fields this version does not know (a newer version's) are kept as they are, like unknown top-level keys."""
        head = self._own_head(record_id)
        kind = self._editable(head)
        for name in changes:
            kind.field(name)  # a change names a field this version knows; only the document's own are kept
        fields = dict(head.document.get("fields", {}))
        for name, value in changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        doc = dict(
            head.document,
            fields=kinds.validate_fields(kind.id, fields, keep_unknown=True),
            updated_at=now_stamp(),
            device=self.profile.device_id,
        )
        with self.store.transaction() as db:
            return self.engine.queue(db, record_id, doc, False)

    # ------------------------------------------------------------ attachments (PROTOCOL.md §19)

    def attach(
        self, record_id: str, data: bytes, media: str, field_id: str | None = None, **extra: int
    ) -> dict[str, Any]:
        """Add an attachment to an own entry: sealed here, its blob kept in the profile until the server holds it
        (the next sync uploads it, then sends the new revision that names it). `extra`: duration_ms, or width and
        height. Returns the new item (whose key the caller never shows)."""
        head = self._own_head(record_id)
        kind = self._editable(head)
        field = self._attachment_field(kind, media, field_id)
        item, blob = attachments.new_attachment(data, media, **extra)
        fields = dict(head.document.get("fields", {}))
        fields[field.id] = [*(fields.get(field.id) or []), item]
        doc = dict(
            head.document,
            fields=kinds.validate_fields(kind.id, fields, keep_unknown=True),  # before anything is kept
            updated_at=now_stamp(),
            device=self.profile.device_id,
        )
        self.engine.blobs.stage(item["id"], blob)  # first: an entry never names a blob this device lost
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, doc, False)
        return item

    @staticmethod
    def _attachment_field(kind: kinds.Kind, media: str, field_id: str | None) -> kinds.Field:
        """The field an attachment goes to: the one named, or the kind's only attachments field for its media."""
        if field_id is not None:
            return kind.field(field_id)
        top = attachments.MEDIA_TYPES.get(media)
        fits = [f for f in kind.fields if f.type == "attachments" and top in f.constraints.media]
        if len(fits) != 1:
            names = ", ".join(f.id for f in kind.fields if f.type == "attachments") or "none"
            raise BetweenError(
                "attachment_field",
                f"say which field with --field (attachment fields of {kind.id}: {names})",
                params={"kind": kind.id, "names": names},
            )
        return fits[0]

    def attachment_items(self, record_id: str) -> list[dict[str, Any]]:
        """The attachments an entry (own or shared with me) names, in its order."""
        head = self.engine.head(self.resolve(record_id))
        if head is None or head.deleted:
            raise NotFound(detail=f"entry {record_id} was deleted", key="deleted", params={"id": record_id})
        return attachments.named_items(head.document)

    def attachment(self, record_id: str, attachment_id: str) -> tuple[dict[str, Any], bytes]:
        """(item, bytes) of one attachment of an entry: from this device while it waits to upload, else fetched from
        the server and verified (PROTOCOL.md §19). `attachment_id`: the id or a unique prefix of at least 6."""
        wanted = attachment_id.strip().lower()
        items = self.attachment_items(record_id)
        found = [i for i in items if i["id"] == wanted or (len(wanted) >= 6 and i["id"].startswith(wanted))]
        if len(found) != 1:
            raise NotFound(
                detail=f"no attachment {wanted} in entry {record_id}",
                key="not_found.attachment",
                params={"id": wanted, "entry": record_id},
            )
        item = found[0]
        blobs = self.engine.blobs
        if item["id"] in blobs.waiting():
            return item, attachments.open_item(item, blobs.read(item["id"]))
        return item, blobs.download(self.api, item)

    def delete_entry(self, record_id: str) -> None:
        head = self._own_head(record_id)
        doc = entry_document.tombstone(head.document, now_stamp(), self.profile.device_id)
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, doc, True)

    def describe(self, head: Head) -> dict[str, Any]:
        doc = head.document
        shared = []
        if head.owner_id == self.engine.me:
            grantees = self.store.grantees(head.record_id)
            pending = self.store.get_pending(head.record_id)
            if pending is not None:
                grantees = sharing.grantees_after(grantees, pending.share_add, pending.revoke)
            for uid in sorted(grantees):
                peer = self.store.get_peer(user_id=uid)
                shared.append(peer.handle if peer else uid)
        out = {
            "id": head.record_id,
            "kind": doc.get("kind"),
            "fields": doc.get("fields", {}),
            "created_at": doc.get("created_at"),
            "updated_at": doc.get("updated_at"),
            "shared_with": shared,
            "pending": head.pending,
        }
        if doc.get("conflicts"):
            out["conflicts"] = doc["conflicts"]  # what a concurrent edit kept aside, for the person to see
        if doc.get("kind") == WORKSHEET and "type" not in doc:
            # An answer to a therapist's worksheet: its questions (labels, choices) give the answers their words.
            out["worksheet"] = doc.get("worksheet")
            out["title"] = doc.get("title")
        if "type" in doc:
            # An assignment, an answer to one, or a session log (docs/ASSIGNMENTS.md): not an entry.
            out["type"] = doc["type"]
            out["document"] = doc
        if head.owner_id != self.engine.me:
            peer = self.store.get_peer(user_id=head.owner_id)
            out["owner"] = peer.handle if peer else head.owner_id
        return out

    def entries(
        self, *, own: bool = True, problems: list[str] | None = None, documents: bool = False
    ) -> list[dict[str, Any]]:
        """Own entries (or, with own=False, entries others shared with me), newest first, tombstones hidden.

        Records whose document has a `type` (assignments, answers, session logs, written by the browser app)
        are not entries; `documents=True` includes them (an export holds everything)."""
        heads = [
            h
            for h in self.engine.heads(problems)
            if not h.deleted and (h.owner_id == self.engine.me) == own and (documents or "type" not in h.document)
        ]
        heads.sort(key=lambda h: (h.document.get("created_at") or "", h.record_id), reverse=True)
        return [self.describe(h) for h in heads]

    def entry(self, record_id: str) -> dict[str, Any]:
        head = self.engine.head(self.resolve(record_id))
        if head is None or head.deleted:
            raise NotFound(detail=f"entry {record_id} was deleted", key="deleted", params={"id": record_id})
        return self.describe(head)

    # ------------------------------------------------------------ sync and sharing

    def sync(self) -> SyncReport:
        return self.engine.sync()

    def _peer(self, handle: str) -> Peer:
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise ShareError(
                detail=f"no care link with {handle} on this device (accept their invite, or sync)",
                key="share.noLink",
                params={"handle": handle},
            )
        return peer

    def share(self, record_id: str, handle: str) -> None:
        """Queue an atomic re-key + grant; the caller then tries to sync."""
        head = self._own_head(record_id)
        peer = self._peer(handle)
        if not sharing.may_grant(peer.linked, peer.state):
            # An unverified key (the server's word) is shared with, marked as such; a blocked one never.
            raise not_shared(peer)
        if handle in self.describe(head)["shared_with"]:
            raise BetweenError(
                "already_shared",
                f"entry {record_id} is already shared with {handle}",
                params={"id": record_id, "handle": handle},
            )
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, head.document, False, rekey=True, share_add={peer.user_id})

    def unshare(self, record_id: str, handle: str) -> list[str]:
        head = self.engine.head(record_id)
        if head is None or head.owner_id != self.engine.me:
            raise NotFound(detail=f"no entry with id {record_id}", key="not_found.entry", params={"id": record_id})
        peer = self._peer(handle)
        if handle not in self.describe(head)["shared_with"]:
            raise BetweenError(
                "not_shared",
                f"entry {record_id} is not shared with {handle}",
                params={"id": record_id, "handle": handle},
            )
        warnings: list[str] = []
        with self.store.transaction() as db:
            self.engine.queue(
                db, record_id, head.document, head.deleted, rekey=True, revoke={peer.user_id}, warnings=warnings
            )
        return warnings

    def shared_with_me(self, from_handle: str | None = None, problems: list[str] | None = None) -> list[dict[str, Any]]:
        items = self.entries(own=False, problems=problems)
        if from_handle is not None:
            items = [i for i in items if i.get("owner") == from_handle]
        # Entries are signed by the owner's pinned key; say whether that key was ever confirmed here.
        unverified: set[str] = set()
        verified: dict[Any, bool] = {}  # one peer lookup per owner, not per entry
        for item in items:
            owner = item.get("owner")
            if owner not in verified:
                peer = self.store.get_peer(handle=owner)
                verified[owner] = peer is not None and peer.state == "verified"
            item["owner_verified"] = verified[owner]
            if not item["owner_verified"]:
                unverified.add(str(item.get("owner")))
        if problems is not None:
            problems.extend(
                f"{h}'s key is not verified: it came from the server, not from an invitation or a "
                f"compared safety number (`between safety-number {h}`)"
                for h in sorted(unverified)
            )
        return items

    def export(self, problems: list[str] | None = None) -> list[dict[str, Any]]:
        return self.entries(own=True, problems=problems, documents=True)

    # ------------------------------------------------------------ care links and safety numbers

    def create_invite(self) -> str:
        """A new invitation link. Its secret (`s`) comes from the account key and the invite id, so any device of
        this account can check the proof the client sends back; the server sees neither."""
        if self.keys.role != "therapist":
            raise BetweenError("forbidden", "only a therapist account can create invites", key="forbidden.invite")
        created = self.api.create_invite()
        secret = trust.invite_secret(self.keys.account_key, created.invite_id.bytes)
        return safety.invite_url(self.api.origin, created.token, keys.make_bundle(self.secrets), secret)

    def accept_invite(self, link: str) -> str:
        invite = safety.parse_invite_url(link)
        if invite.origin != safety.normalise_origin(self.api.origin):
            raise BetweenError(
                "wrong_server",
                f"this invitation is for {invite.origin}, but this profile uses {self.api.origin}",
                params={"invited": invite.origin, "mine": self.api.origin},
            )
        preview = self.api.preview_invite(invite.token)
        bundle = preview.therapist
        # Checked before accepting: a server that swapped the therapist's key gets nothing from us.
        keys.verify_bundle(bundle)
        safety.check_key_fingerprint(bundle, invite.fingerprint)
        if bundle.handle != invite.handle or bundle.role != "therapist":
            raise CryptoError(detail="the invitation does not match the therapist the server named")
        mine = keys.make_bundle(self.secrets)
        proof = trust.invite_proof(invite.secret, preview.invite_id.bytes, bundle.user_id.bytes, mine)
        link_info = self.api.accept_invite(invite.token, proof)
        if link_info.therapist != bundle or str(link_info.client.user_id) != self.engine.me:
            raise CryptoError(detail="the server answered the invitation with different keys")
        uid = str(bundle.user_id)
        links = self.engine.links
        with self.store.transaction() as db:
            # Checked against the link: the account records it, for every own device (unless it says so already).
            verifications = self.store.verifications(uid)
            if not verifications or not trust.same_keys(trust.latest(verifications).bundle, bundle):
                links.record_verification(db, bundle, "invite-link", verifications)
            links.settle(db, uid, bundle, str(link_info.link_id), "none", SyncReport())
        return bundle.handle

    def safety_number(self, handle: str) -> tuple[str, Peer]:
        """The safety number with a contact, for the key the server names now (a changed one if it changed)."""
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise NotFound(
                detail=f"no contact called {handle} on this device", key="not_found.contact", params={"handle": handle}
            )
        number = safety.safety_number(keys.make_bundle(self.secrets), peer.changed or peer.bundle)
        return safety.format_safety_number(number), peer

    def mark_verified(self, handle: str) -> bool:
        """Record that the safety numbers matched, for the key the server names now (a changed key is accepted
        only this way). The account keeps it, so every own device follows. Returns True if the pinned key changed."""
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise NotFound(
                detail=f"no contact called {handle} on this device", key="not_found.contact", params={"handle": handle}
            )
        served = peer.changed or peer.bundle
        links = self.engine.links
        with self.store.transaction() as db:
            links.record_verification(db, served, "safety-number", self.store.verifications(peer.user_id))
            links.settle(db, peer.user_id, served if peer.linked else None, peer.link_id, "none", SyncReport())
            # What was held back, or refused under the old key, comes again on the next sync.
            self.store.set_meta(db, "cursor", "0")
        return peer.changed is not None
