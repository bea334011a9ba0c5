"""The rows of the reference client's store as named types; their JSON columns are encoded and decoded here, at the
store's edge, and nowhere else."""

from __future__ import annotations

import json
from dataclasses import dataclass

import msgspec

from ..core import wire


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A server head this device verified and keeps, byte for byte as on the server (table `records`)."""

    record_id: str
    owner_id: str
    version: int
    rev_id: bytes
    header: bytes
    ct: bytes
    signature: bytes
    key_id: bytes
    seq: int
    access: str  # owner, or granted (someone shared it)


@dataclass(frozen=True, slots=True)
class PendingRevision:
    """An own revision in the outbox, kept until the server acknowledges it (table `outbox`). `share_add` and
    `revoke` are the share intents it carries; `sent_rev_id` the last revision of the record actually sent."""

    record_id: str
    base_version: int
    version: int
    rev_id: bytes
    header: bytes
    ct: bytes
    signature: bytes
    key_id: bytes
    dek_wrap: bytes
    rekey: bool = False
    grants: tuple[wire.GrantUpload, ...] = ()
    share_add: frozenset[str] = frozenset()
    revoke: frozenset[str] = frozenset()
    atomic: bool = False
    queued_at: int | None = None  # None: queued now
    last_error: str | None = None
    sent_rev_id: bytes | None = None


@dataclass(frozen=True, slots=True)
class Peer:
    """The other side of a care link as this device pinned it (table `peers`): `bundle` the pinned key, `changed`
    a different one the server names now, `state` trust.judge's verdict, `held` their records held back."""

    user_id: str
    handle: str
    role: str
    sig_pub: bytes
    kem_pub: bytes
    bundle: wire.KeyBundle
    verified_how: str
    pinned_at: int
    link_id: str | None
    linked: bool
    changed: wire.KeyBundle | None
    state: str
    held: int


# ---------------------------------------------------------------- from and to SQLite rows

_BUNDLE = msgspec.json.Decoder(wire.KeyBundle)
_GRANTS = msgspec.json.Encoder()
_GRANT_LIST = msgspec.json.Decoder(list[wire.GrantUpload])


def bundle_json(bundle: wire.KeyBundle | None) -> str | None:
    """A key bundle as its column holds it (wire JSON)."""
    return None if bundle is None else wire.encode(bundle).decode()


def read_bundle(raw: str) -> wire.KeyBundle:
    return _BUNDLE.decode(raw.encode())


def peer_of(row: tuple) -> Peer:
    """A row of `peers`, in the order of localstore's peer columns."""
    (
        user_id,
        handle,
        role,
        sig_pub,
        kem_pub,
        bundle,
        verified_how,
        pinned_at,
        link_id,
        linked,
        changed,
        state,
        held,
    ) = row
    return Peer(
        user_id=user_id,
        handle=handle,
        role=role,
        sig_pub=sig_pub,
        kem_pub=kem_pub,
        bundle=read_bundle(bundle),
        verified_how=verified_how,
        pinned_at=pinned_at,
        link_id=link_id,
        linked=bool(linked),
        changed=None if changed is None else read_bundle(changed),
        state=state,
        held=held,
    )


def pending_of(row: tuple) -> PendingRevision:
    """A row of `outbox`, in the order of localstore's outbox columns."""
    (
        record_id,
        base_version,
        version,
        rev_id,
        header,
        ct,
        signature,
        key_id,
        dek_wrap,
        rekey,
        grants,
        share_add,
        revoke,
        atomic,
        queued_at,
        last_error,
        sent_rev_id,
    ) = row
    return PendingRevision(
        record_id=record_id,
        base_version=base_version,
        version=version,
        rev_id=rev_id,
        header=header,
        ct=ct,
        signature=signature,
        key_id=key_id,
        dek_wrap=dek_wrap,
        rekey=bool(rekey),
        grants=tuple(_GRANT_LIST.decode(grants.encode())),
        share_add=frozenset(json.loads(share_add)),
        revoke=frozenset(json.loads(revoke)),
        atomic=bool(atomic),
        queued_at=queued_at,
        last_error=last_error,
        sent_rev_id=sent_rev_id,
    )


def pending_row(item: PendingRevision, queued_at: int) -> tuple:
    """The `outbox` row of an item, in the order of localstore's outbox columns."""
    return (
        item.record_id,
        item.base_version,
        item.version,
        item.rev_id,
        item.header,
        item.ct,
        item.signature,
        item.key_id,
        item.dek_wrap,
        int(item.rekey),
        _GRANTS.encode(list(item.grants)).decode(),
        json.dumps(sorted(item.share_add)),
        json.dumps(sorted(item.revoke)),
        int(item.atomic),
        queued_at,
        item.last_error,
        item.sent_rev_id,
    )
