"""Profiles of the client tests without a server: devices of real accounts (real keys, real SQLite files) and what
a server would serve them (wire.RecordState, wire.CareLink), built from what the owner's device pushed."""

from __future__ import annotations

import uuid

from between.sync.client.client import Client
from between.sync.client.keysfile import KeysFile
from between.sync.client.report import SyncReport
from between.sync.client.rows import PendingRevision
from between.sync.core import crypto, keys, records, wire
from between.sync.core.layout import GrantBody


def person(handle: str, role: str = "client") -> keys.AccountSecrets:
    return keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle=handle,
        role=role,
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )


def device(tmp_path, name: str, secrets: keys.AccountSecrets) -> Client:
    client = Client(tmp_path / name)
    client.store.create(
        KeysFile(
            server="http://127.0.0.1:9",
            handle=secrets.handle,
            role=secrets.role,
            user_id=secrets.user_id,
            device_id=uuid.uuid4().bytes,
            account_key=secrets.account_key,
            sig_seed=secrets.sig_seed,
            kem_seed=secrets.kem_seed,
            device_seed=b"\x04" * 32,
            token="",
        )
    )
    return client


def pin(client: Client, peer: keys.AccountSecrets, how: str = "invite-link") -> None:
    """`peer` pinned on `client` as linking does (how: invite-link, safety-number, or tofu: the server's word
    only); a verified pin is recorded by the account as trust.judge says."""
    bundle = keys.make_bundle(peer)
    uid = str(uuid.UUID(bytes=peer.user_id))
    with client.store.transaction() as db:
        if how != "tofu":
            client.store.settle_peer(
                db,
                user_id=uid,
                bundle=bundle,
                verified_how=how,
                state="verified",
                changed=None,
                link_id=str(uuid.uuid4()),
                linked=True,
            )
        assert not client.engine.links.settle(db, uid, bundle, None, "none", SyncReport()).verdict.blocked


def care_pair(tmp_path) -> tuple[Client, Client, keys.AccountSecrets, keys.AccountSecrets]:
    """sam (client) and dr.lee (therapist), each pinned on the other's device as an invite link leaves them."""
    sam_keys, lee_keys = person("sam"), person("dr.lee", "therapist")
    sam, lee = device(tmp_path, "sam", sam_keys), device(tmp_path, "lee", lee_keys)
    pin(sam, lee_keys)
    pin(lee, sam_keys, "safety-number")
    return sam, lee, sam_keys, lee_keys


def shared_entry(sam: Client, server: FakeServerHead, body: str = "for my therapist") -> str:
    """An entry of sam's, shared with dr.lee and landed on `server`."""
    rid = sam.add_entry("journal", {"body": body})
    sam.share(rid, "dr.lee")
    server.land(sam, rid)
    return rid


def deliver(client: Client, *states: wire.RecordState, cursor: int | None = None) -> SyncReport:
    report = SyncReport()
    page = wire.PullResponse(
        items=list(states), cursor=max(s.seq for s in states) if cursor is None else cursor, more=False
    )
    client.engine.inbox.apply_page(page, report)
    return report


def stored_grant(upload: wire.GrantUpload, created_at: int = 1) -> wire.Grant:
    """A pushed grant as the server serves it back: its row fields read from its own body."""
    body = GrantBody.parse(upload.body)
    return wire.Grant(
        record_id=uuid.UUID(bytes=body.record_id),
        owner_id=uuid.UUID(bytes=body.owner_id),
        grantee_id=uuid.UUID(bytes=body.grantee_id),
        key_id=body.key_id,
        body=upload.body,
        sealed=upload.sealed,
        signature=upload.signature,
        created_at=created_at,
    )


def pushed_grants(item: PendingRevision) -> list[wire.GrantUpload]:
    return list(item.grants)


class FakeServerHead:
    """Turns an outbox item into what the server would serve: its sequence number, the owner's wrap, and (to a
    grantee) the grants it was pushed with. `items` keeps every landed item by record id."""

    def __init__(self) -> None:
        self.seq = 0
        self.items: dict[str, PendingRevision] = {}

    def land(self, client: Client, record_id: str) -> wire.RecordState:
        item = client.store.get_pending(record_id)
        self.seq += 1
        client.engine.outbox.acknowledge(item, self.seq)
        self.items[record_id] = item
        return self.state(client, item, self.seq)

    @staticmethod
    def state(client: Client, item: PendingRevision, seq: int, grants: list[wire.Grant] = ()) -> wire.RecordState:
        owner = uuid.UUID(client.engine.me)
        rev = wire.Revision(header=item.header, ct=item.ct, signature=item.signature)
        head = wire.StoredRevision(
            record_id=uuid.UUID(item.record_id),
            owner_id=owner,
            version=item.version,
            rev_id=records.rev_id(rev.header, rev.ct),
            revision=rev,
            seq=seq,
        )
        return wire.RecordState(
            record_id=head.record_id,
            owner_id=owner,
            seq=seq,
            access="owner",
            head=head,
            dek_wrap=item.dek_wrap,
            grants=list(grants),
        )

    def granted(
        self, record_id: str, grantee: keys.AccountSecrets, seq: int, grants: list[wire.Grant] | None = None
    ) -> wire.RecordState:
        """The landed head of `record_id` as its grantee pulls it: no wrap, only the grants naming the grantee."""
        item = self.items[record_id]
        rev = wire.Revision(header=item.header, ct=item.ct, signature=item.signature)
        owner = (
            uuid.UUID(bytes=GrantBody.parse(pushed_grants(item)[0].body).owner_id)
            if grants is None
            else (grants[0].owner_id)
        )
        if grants is None:
            grants = [
                stored_grant(g) for g in pushed_grants(item) if GrantBody.parse(g.body).grantee_id == grantee.user_id
            ]
        head = wire.StoredRevision(
            record_id=uuid.UUID(record_id),
            owner_id=owner,
            version=item.version,
            rev_id=records.rev_id(rev.header, rev.ct),
            revision=rev,
            seq=0,
        )
        return wire.RecordState(
            record_id=head.record_id, owner_id=owner, seq=seq, access="granted", head=head, grants=grants
        )


def care_link(
    therapist: keys.AccountSecrets | wire.KeyBundle, client: keys.AccountSecrets | wire.KeyBundle
) -> wire.CareLink:
    def bundle(x):
        return x if isinstance(x, wire.KeyBundle) else keys.make_bundle(x)

    return wire.CareLink(link_id=uuid.uuid4(), therapist=bundle(therapist), client=bundle(client), created_at=1)


class LinksServed:
    """The server's answer to GET /links (what refresh_links asks), as the test sets it."""

    def __init__(self, *links: wire.CareLink) -> None:
        self.served = list(links)

    def links(self) -> list[wire.CareLink]:
        return self.served


class InviteServer:
    """A server's two answers about an invite (preview, then accept), as the test sets them; `accepted` counts the
    accepts asked for. `origin` is the one of every profile made by `device`."""

    origin = "http://127.0.0.1:9"

    invite_id = uuid.UUID("3b9ac9ff-0000-4000-8000-000000000001")
    token = "token-0123456789abcdef"

    def __init__(self, preview: wire.KeyBundle, answer: wire.CareLink) -> None:
        self.preview, self.answer, self.accepted, self.proof = preview, answer, 0, None

    def preview_invite(self, token: str) -> wire.InvitePreview:
        return wire.InvitePreview(therapist=self.preview, expires_at=2_000_000_000, invite_id=self.invite_id)

    def accept_invite(self, token: str, proof: bytes) -> wire.CareLink:
        self.accepted += 1
        self.proof = proof
        return self.answer
