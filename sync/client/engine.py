"""The sync engine: read heads, seal local revisions into the outbox, push them (pulling: inbox.py)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..core import crypto, keys, records, wire
from .api import Api
from ..core.errors import BetweenError, CryptoError
from .inbox import Inbox
from ..core.layout import GrantBody, Header
from .localstore import LocalStore

PUSH_BATCH = 100
PUSH_ROUNDS = 5
PULL_LIMIT = 200


class ShareError(BetweenError):
    """Sharing is not possible right now (no care link, no pinned key, or the key changed)."""

    code = "share"


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


@dataclass(slots=True)
class SyncReport:
    pulled: int = 0
    pushed: int = 0
    merged: int = 0
    conflicts_kept: int = 0
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # outbox items the server refused (kept queued)

    def summary(self) -> str:
        return (f"pulled {self.pulled}, pushed {self.pushed}, merged {self.merged}, "
                f"conflicts kept {self.conflicts_kept}")


class Engine(Inbox):
    """Everything that reads or writes records for one unlocked profile."""

    def __init__(self, store: LocalStore, secrets: keys.AccountSecrets, api: Api | None = None,
                 device: str = "") -> None:
        self.store = store
        self.secrets = secrets
        self.api = api
        self.me = str(uuid.UUID(bytes=secrets.user_id))
        self.device = device  # this device's id, written into the documents it makes
        self.pull_limit = PULL_LIMIT
        self._kwk = secrets.kwk

    # ------------------------------------------------------------ reading

    def _dek(self, record_id: str, key_id: bytes) -> bytes:
        found = self.store.get_dek(record_id, key_id)
        if found is None:
            raise CryptoError(detail="no key for this revision on this device")
        owner, wrapped = found
        return records.unwrap_dek(self._kwk, uuid.UUID(owner), uuid.UUID(record_id), key_id, wrapped)

    def _signer(self, owner_id: str) -> bytes:
        if owner_id == self.me:
            return self.secrets.sig_pub
        peer = self.store.get_peer(user_id=owner_id)
        if peer is None:
            raise CryptoError(detail="the owner of this entry is not a pinned contact")
        return peer["sig_pub"]

    def open_row(self, row: dict[str, Any], owner_id: str | None = None) -> tuple[Header, dict[str, Any]]:
        """Verify and decrypt a stored head or outbox row: nothing decrypted is ever written back."""
        owner = owner_id or row.get("owner_id") or self.me
        revision = wire.Revision(header=row["header"], ct=row["ct"], signature=row["signature"])
        header, plaintext = records.open_revision(
            revision, owner_id=uuid.UUID(owner), record_id=uuid.UUID(row["record_id"]),
            dek=self._dek(row["record_id"], row["key_id"]), key_id=row["key_id"], signer_pub=self._signer(owner))
        return header, records.decode_document(plaintext)

    def head(self, record_id: str) -> Head | None:
        pending = self.store.get_pending(record_id)
        row = pending or self.store.get_record(record_id)
        if row is None:
            return None
        owner = self.me if pending else row["owner_id"]
        header, doc = self.open_row(row, owner)
        return Head(record_id, owner, header.version, header.key_id, doc, header.deleted, pending is not None,
                    "owner" if pending else row["access"])

    def heads(self, problems: list[str] | None = None) -> list[Head]:
        """Every readable record; one that fails verification is reported in `problems`, not fatal."""
        ids = {r["record_id"] for r in self.store.list_records()} | {p["record_id"] for p in self.store.list_pending()}
        out = []
        for rid in sorted(ids):
            try:
                h = self.head(rid)
            except BetweenError as exc:
                if problems is None:
                    raise
                problems.append(f"entry {rid} cannot be read on this device: {exc.detail}")
                continue
            if h is not None:
                out.append(h)
        return out

    # ------------------------------------------------------------ writing (outbox)

    def queue(self, db: sqlite3.Connection, record_id: str, document: dict[str, Any], deleted: bool, *,
              rekey: bool = False, share_add: set[str] = frozenset(), revoke: set[str] = frozenset(),
              warnings: list[str] | None = None) -> int:
        """Seal `document` as the next revision of an own record, replacing any pending one.
        Returns its version. The pending item keeps its base (the server head), so the push is a
        compare-and-swap against that head; share intents accumulate until acknowledged."""
        base = self.store.get_record(record_id)
        pending = self.store.get_pending(record_id)
        if base is not None and base["owner_id"] != self.me:
            raise BetweenError("forbidden", "only the owner can change an entry")
        base_key = base["key_id"] if base else None
        adds = set(json.loads(pending["share_add_json"])) if pending else set()
        revokes = set(json.loads(pending["revoke_json"])) if pending else set()
        adds = (adds - set(revoke)) | set(share_add)
        revokes = (revokes - set(share_add)) | set(revoke)
        rekeyed = rekey or bool(pending and pending["rekey"])
        if rekey:
            key_id, dek = crypto.random_bytes(16), crypto.random_bytes(32)
        elif pending and (pending["rekey"] or base is None):
            key_id = pending["key_id"]
            dek = self._dek(record_id, key_id)
        elif base is not None:
            key_id = base_key
            dek = self._dek(record_id, key_id)
        else:
            key_id, dek = crypto.random_bytes(16), crypto.random_bytes(32)
        grantees = (self.store.grantees(record_id) | adds) - revokes
        grants: list[wire.GrantUpload] = []
        if key_id != base_key and grantees:
            for grantee in sorted(grantees):
                peer = self.store.get_peer(user_id=grantee)
                usable = peer is not None and may_grant(peer)
                if not usable:
                    if grantee in adds:
                        raise ShareError(detail=_share_blocked_reason(peer))
                    # A grantee whose key changed or whose link ended loses access rather than
                    # receiving the new key under an unverified identity.
                    revokes.add(grantee)
                    if warnings is not None:
                        who = peer["handle"] if peer else grantee
                        warnings.append(f"stopped sharing entry {record_id} with {who}: {_share_blocked_reason(peer)}")
                    continue
                grants.append(records.make_grant(
                    sig_seed=self.secrets.sig_seed, owner_id=self.secrets.user_id, record_id=uuid.UUID(record_id),
                    key_id=key_id, dek=dek, grantee_id=uuid.UUID(grantee), grantee_kem_pub=peer["kem_pub"]))
        version = (base["version"] if base else 0) + 1
        revision = records.seal_revision(
            owner_id=self.secrets.user_id, record_id=uuid.UUID(record_id), version=version,
            parent=base["rev_id"] if base else None, key_id=key_id, dek=dek,
            plaintext=records.encode_document(document), sig_seed=self.secrets.sig_seed, deleted=deleted)
        dek_wrap = records.wrap_dek(self._kwk, self.secrets.user_id, uuid.UUID(record_id), key_id, dek)
        self.store.put_dek(db, record_id, key_id, self.me, dek_wrap)
        self.store.put_pending(db, {
            "record_id": record_id, "base_version": version - 1, "version": version,
            "rev_id": records.rev_id(revision.header, revision.ct), "header": revision.header, "ct": revision.ct,
            "signature": revision.signature, "key_id": key_id, "dek_wrap": dek_wrap, "rekey": int(rekeyed),
            "grants_json": msgspec.json.encode(grants).decode(), "share_add_json": json.dumps(sorted(adds)),
            "revoke_json": json.dumps(sorted(revokes)), "atomic": int(rekeyed or bool(revokes)),
            **({"queued_at": pending["queued_at"], "sent_rev_id": pending["sent_rev_id"]} if pending else {}),
        })
        return version

    # ------------------------------------------------------------ sync

    def sync(self) -> SyncReport:
        assert self.api is not None
        report = SyncReport()
        self.refresh_links(report)
        for _ in range(PUSH_ROUNDS):
            self.pull(report)
            if not self.store.list_pending() or not self.push(report):
                break
        else:
            report.warnings.append("some changes still conflict with newer ones on the server; they stay "
                                   "queued: run `between sync` again")
        for peer in self.store.list_peers():
            if peer["held"] and peer["state"] in BLOCKED:
                report.warnings.append(f"{peer['held']} change(s) from {peer['handle']} are held back: "
                                       f"{held_reason(peer)}")
        return report

    def push(self, report: SyncReport) -> bool:
        """Push the outbox; returns True when a conflict asks for another pull-merge-push round."""
        pending = self.store.list_pending()
        atomic = [[p] for p in pending if p["atomic"]]
        plain = [p for p in pending if not p["atomic"]]
        batches = atomic + [plain[i:i + PUSH_BATCH] for i in range(0, len(plain), PUSH_BATCH)]
        again = False
        for batch in batches:
            self.store.mark_sent([(p["record_id"], p["rev_id"]) for p in batch])
            push = wire.Push(atomic=len(batch) == 1 and bool(batch[0]["atomic"]),
                             items=[_push_item(p) for p in batch])
            response = self.api.push(push)
            by_id = {str(r.record_id): r for r in response.results}
            for item in batch:
                result = by_id.get(item["record_id"])
                if result is None:
                    continue
                if result.status == "ok":
                    self.acknowledge(item, result.seq or 0)
                    report.pushed += 1
                elif result.status == "conflict":
                    again = True
                elif result.status in ("invalid", "forbidden"):
                    why = result.detail or result.status
                    self.store.set_pending_error(item["record_id"], f"{result.status}: {why}")
                    report.failed.append(f"entry {item['record_id']} was refused by the server ({result.status}: "
                                         f"{why}); it stays queued on this device")
        return again

    def acknowledge(self, item: dict[str, Any], seq: int) -> None:
        """The server stored this outbox item: it becomes the known head and leaves the outbox."""
        rid = item["record_id"]
        with self.store.transaction() as db:
            current = self.store.get_record(rid)
            if current is None or current["version"] < item["version"]:
                self.store.put_record(db, {
                    "record_id": rid, "owner_id": self.me, "version": item["version"], "rev_id": item["rev_id"],
                    "header": item["header"], "ct": item["ct"], "signature": item["signature"],
                    "key_id": item["key_id"], "seq": seq, "access": "owner"})
                if item["rekey"] or json.loads(item["revoke_json"]):
                    grants = msgspec.json.decode(item["grants_json"].encode(), type=list[wire.GrantUpload])
                    given = [(str(uuid.UUID(bytes=GrantBody.parse(g.body).grantee_id)), item["key_id"], None)
                             for g in grants]
                    self.store.set_grants(db, "given", rid, given)
            self.store.clear_pending(db, rid, item["rev_id"])
            newer = self.store.get_pending(rid)
            if newer is not None and newer["base_version"] < item["version"]:
                # Edited (by another process) while this push was in flight: every pending edit descends
                # from the one before it, so it moves onto the acknowledged head unchanged, no merge needed.
                header, doc = self.open_row(newer, self.me)
                self.queue(db, rid, doc, header.deleted)


def _push_item(p: dict[str, Any]) -> wire.PushItem:
    return wire.PushItem(
        record_id=uuid.UUID(p["record_id"]), base_version=p["base_version"],
        revision=wire.Revision(header=p["header"], ct=p["ct"], signature=p["signature"]), dek_wrap=p["dek_wrap"],
        grants=msgspec.json.decode(p["grants_json"].encode(), type=list[wire.GrantUpload]),
        revoke=[uuid.UUID(u) for u in json.loads(p["revoke_json"])])


BLOCKED = ("changed", "mismatch")


def may_grant(peer: dict[str, Any]) -> bool:
    """A key may go to a linked peer whose key is not blocked (changed, or not what their invitation proved).
    An unverified key (the server's word, first sight) is used too, with a "not verified" mark where it shows."""
    return bool(peer["linked"]) and peer["state"] not in BLOCKED


def held_reason(peer: dict[str, Any]) -> str:
    """Why nothing goes to or comes from a blocked peer, and what resolves it."""
    handle = peer["handle"]
    why = ("their security key changed" if peer["state"] == "changed"
           else "their key does not match the invitation they accepted")
    return f"{why}; compare safety numbers (`between safety-number {handle}`) and confirm with --verified"


def _share_blocked_reason(peer: dict[str, Any] | None) -> str:
    if peer is None:
        return "no care link with that person on this device (sync, or accept their invite first)"
    if not peer["linked"]:
        return f"there is no active care link with {peer['handle']}"
    return held_reason(peer)
