"""The SQL of peers: key bundles, care-link invitations and care links."""

from __future__ import annotations

from typing import Any, NamedTuple

from between.sync.core import wire

from .connection import Conflict, Db
from .rows import (
    BundleRow,
    WConn,
    as_uuid,
    bundle_of,
    columns,
    feed,
    next_seq,
    r_all,
    r_exists,
    r_row,
    r_rows,
    split,
    w_all,
    w_exists,
    w_row,
    w_rows,
)


class LinkEnds(NamedTuple):
    therapist_id: bytes
    client_id: bytes

    def other(self, user_id: bytes) -> bytes:
        """The side of the link that is not `user_id`."""
        return self.therapist_id if self.therapist_id != user_id else self.client_id


LINKS_OF = f"SELECT {columns(LinkEnds)} FROM links WHERE therapist_id = ? OR client_id = ?"


class LinkRow(NamedTuple):
    """A care link's own columns; its two people's bundles follow them in LINK_SQL."""

    link_id: bytes
    created_at: int
    invite_id: bytes | None  # both None for links made before migration 0004
    proof: bytes | None


LINK_SQL = (
    f"SELECT {columns(LinkRow, 'l')}, {columns(BundleRow, 't')}, {columns(BundleRow, 'k')} FROM links l "
    "JOIN users t ON t.user_id = l.therapist_id JOIN users k ON k.user_id = l.client_id "
)


def care_link_of(row: tuple[Any, ...]) -> wire.CareLink:
    """From a row of LINK_SQL."""
    link, therapist, client = split(row, LinkRow, BundleRow, BundleRow)
    return wire.CareLink(
        link_id=as_uuid(link.link_id),
        created_at=link.created_at,
        therapist=bundle_of(therapist),
        client=bundle_of(client),
        invite_id=as_uuid(link.invite_id) if link.invite_id else None,
        proof=link.proof,
    )


class InviteRow(NamedTuple):
    invite_id: bytes
    created_at: int
    expires_at: int


class InviteHead(NamedTuple):
    """An invite's columns in a preview; the therapist's bundle follows them."""

    expires_at: int
    invite_id: bytes


class InviteTaken(NamedTuple):
    therapist_id: bytes
    invite_id: bytes


class LostGrant(NamedTuple):
    grantee_id: bytes
    record_id: bytes


class Links:
    """Key bundles, care-link invitations and care links."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def peer_ids(self, user_id: bytes) -> frozenset[bytes]:
        """Everyone `user_id` has a care link with (the only people its grants may name)."""
        async with self.db.read() as c:
            return frozenset(r.other(user_id) for r in await r_rows(c, LinkEnds, LINKS_OF, (user_id, user_id)))

    async def bundle(self, viewer_id: bytes, user_id: bytes) -> wire.KeyBundle | None:
        async with self.db.read() as c:
            if viewer_id != user_id and not await r_exists(
                c,
                "SELECT 1 FROM links WHERE (therapist_id = ? AND client_id = ?) OR "
                "(therapist_id = ? AND client_id = ?)",
                (viewer_id, user_id, user_id, viewer_id),
            ):
                return None
            row = await r_row(c, BundleRow, f"SELECT {columns(BundleRow)} FROM users WHERE user_id = ?", (user_id,))
        return bundle_of(row) if row else None

    async def signup_invite_valid(self, token_hash: bytes, now: int) -> bool:
        async with self.db.read() as c:
            return await r_exists(
                c,
                "SELECT 1 FROM invites WHERE token_hash = ? AND expires_at > ? AND signup_used_at IS NULL",
                (token_hash, now),
            )

    async def create_invite(
        self, invite_id: bytes, therapist_id: bytes, token_hash: bytes, now: int, expires_at: int
    ) -> None:
        async def op(c: WConn) -> None:
            await c.execute("DELETE FROM invites WHERE expires_at <= ?", (now,))
            await c.execute(
                "INSERT INTO invites (invite_id, therapist_id, token_hash, created_at, expires_at) VALUES (?,?,?,?,?)",
                (invite_id, therapist_id, token_hash, now, expires_at),
            )

        await self.db.write(op)

    async def invites(self, therapist_id: bytes, now: int) -> list[wire.InviteInfo]:
        async with self.db.read() as c:
            rows = await r_rows(
                c,
                InviteRow,
                f"SELECT {columns(InviteRow)} FROM invites WHERE therapist_id = ? "
                "AND expires_at > ? ORDER BY created_at, invite_id",
                (therapist_id, now),
            )
        return [
            wire.InviteInfo(invite_id=as_uuid(r.invite_id), created_at=r.created_at, expires_at=r.expires_at)
            for r in rows
        ]

    async def delete_invite(self, therapist_id: bytes, invite_id: bytes) -> bool:
        async def op(c: WConn) -> bool:
            return await w_exists(
                c, "DELETE FROM invites WHERE invite_id = ? AND therapist_id = ? RETURNING 1", (invite_id, therapist_id)
            )

        return await self.db.write(op)

    async def invite_preview(self, token_hash: bytes, now: int) -> wire.InvitePreview | None:
        async with self.db.read() as c:
            rows = await r_all(
                c,
                f"SELECT {columns(InviteHead, 'i')}, {columns(BundleRow, 'u')} FROM invites i "
                "JOIN users u ON u.user_id = i.therapist_id "
                "WHERE i.token_hash = ? AND i.expires_at > ?",
                (token_hash, now),
            )
        if not rows:
            return None
        invite, therapist = split(rows[0], InviteHead, BundleRow)
        return wire.InvitePreview(
            therapist=bundle_of(therapist), expires_at=invite.expires_at, invite_id=as_uuid(invite.invite_id)
        )

    async def accept_invite(
        self, client_id: bytes, token_hash: bytes, proof: bytes, link_id: bytes, now: int, device: bytes | None = None
    ) -> wire.CareLink | None:
        """Single use: the invite row is deleted when the link is made, which keeps its id and the client's
        proof for the therapist's devices. None if unknown/expired. `device`: the client's device accepting (its own
        change streams are not told of the link it made)."""

        async def op(c: WConn) -> wire.CareLink | None:
            taken = await w_row(
                c,
                InviteTaken,
                "DELETE FROM invites WHERE token_hash = ? AND expires_at > ? RETURNING therapist_id, invite_id",
                (token_hash, now),
            )
            if taken is None:
                return None
            if taken.therapist_id == client_id:
                raise Conflict("own_invite")
            if await w_exists(
                c, "SELECT 1 FROM links WHERE therapist_id = ? AND client_id = ?", (taken.therapist_id, client_id)
            ):
                raise Conflict("already_linked")
            await c.execute(
                "INSERT INTO links (link_id, therapist_id, client_id, created_at, invite_id, proof) "
                "VALUES (?,?,?,?,?,?)",
                (link_id, taken.therapist_id, client_id, now, taken.invite_id, proof),
            )
            return await self._link(c, link_id)

        return await self.db.write(op, origin=device)

    @staticmethod
    async def _link(c: WConn, link_id: bytes) -> wire.CareLink:
        [row] = await w_all(c, LINK_SQL + "WHERE l.link_id = ?", (link_id,))  # just made, in this transaction
        return care_link_of(row)

    async def care_links(self, user_id: bytes) -> list[wire.CareLink]:
        async with self.db.read() as c:
            rows = await r_all(
                c,
                LINK_SQL + "WHERE l.therapist_id = ? OR l.client_id = ? ORDER BY l.created_at, l.link_id",
                (user_id, user_id),
            )
        return [care_link_of(r) for r in rows]

    async def delete_link(self, user_id: bytes, link_id: bytes, now: int, device: bytes | None = None) -> bool:
        """Either side ends the link; every grant between the two is revoked both ways and each
        grantee's feed says `removed` for the records it lost. `device`: the device ending it (see accept_invite)."""

        async def op(c: WConn) -> bool:
            # Both people's rows first, in ascending id (PostgreSQL): a push reads its owner's links under the owner's
            # row lock, so a share pushed at this moment either commits before the link goes (and its grant is
            # revoked below) or reads the link gone and is refused, as on SQLite's single writer. FOR NO KEY UPDATE, not
            # FOR UPDATE: it still waits for the push's FOR UPDATE, but not for the FOR KEY SHARE the push's new grant
            # takes on the grantee's row (its foreign key), which would deadlock with the push.
            listed = await w_row(
                c,
                LinkEnds,
                "SELECT therapist_id, client_id FROM links WHERE link_id = ? AND (therapist_id = ? OR client_id = ?)",
                (link_id, user_id, user_id),
            )
            if listed is None:
                return False
            await w_all(
                c,
                "SELECT user_id FROM users WHERE user_id IN (?, ?) ORDER BY user_id"
                + (" FOR NO KEY UPDATE" if c.engine == "postgres" else ""),
                (listed.therapist_id, listed.client_id),
            )
            ends = await w_row(
                c,
                LinkEnds,
                "DELETE FROM links WHERE link_id = ? AND (therapist_id = ? OR client_id = ?) "
                "RETURNING therapist_id, client_id",
                (link_id, user_id, user_id),
            )
            if ends is None:
                return False
            a, b = ends
            lost = await w_rows(
                c,
                LostGrant,
                "UPDATE grants SET revoked_at = ?, sealed = ? WHERE revoked_at IS NULL AND "
                "((grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?)) "
                "OR (grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?))) "
                "RETURNING grantee_id, record_id",
                (now, b"", a, b, b, a),
            )
            for grant in sorted(set(lost)):
                await feed(c, grant.grantee_id, grant.record_id, await next_seq(c, grant.grantee_id))
            return True

        return await self.db.write(op, origin=device)
