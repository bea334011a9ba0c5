"""The SQL of peers: key bundles, care-link invitations and care links."""

from __future__ import annotations

from collections.abc import Iterable

from between.sync.core import wire

from .connection import Conflict, Database
from .rows import BUNDLE_COLS, WConn, as_uuid, bundle_of, feed, next_seq, r_all, r_one, w_all, w_one

LINK_SQL = ("SELECT l.link_id, l.created_at, " + ", ".join("t." + x for x in BUNDLE_COLS.split(", ")) + ", "
            + ", ".join("k." + x for x in BUNDLE_COLS.split(", ")) + ", l.invite_id, l.proof FROM links l "
            "JOIN users t ON t.user_id = l.therapist_id JOIN users k ON k.user_id = l.client_id ")


LINKS_OF = "SELECT therapist_id, client_id FROM links WHERE therapist_id = ? OR client_id = ?"


def others(user_id: bytes, links: Iterable[tuple]) -> set[bytes]:
    """The other side of each (therapist, client) link row of `user_id`: the people it has a care link with."""
    return {r[0] if r[0] != user_id else r[1] for r in links}


def care_link_of(row: tuple) -> wire.CareLink:
    return wire.CareLink(link_id=as_uuid(row[0]), created_at=row[1], therapist=bundle_of(row, 2),
                         client=bundle_of(row, 8), invite_id=as_uuid(row[14]) if row[14] else None, proof=row[15])


class Links:
    """Key bundles, care-link invitations and care links."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def peer_ids(self, user_id: bytes) -> frozenset[bytes]:
        """Everyone `user_id` has a care link with (the only people its grants may name)."""
        async with self.db.read() as c:
            return frozenset(others(user_id, await r_all(c, LINKS_OF, (user_id, user_id))))

    async def bundle(self, viewer_id: bytes, user_id: bytes) -> wire.KeyBundle | None:
        async with self.db.read() as c:
            if viewer_id != user_id and not await r_one(
                    c, "SELECT 1 FROM links WHERE (therapist_id = ? AND client_id = ?) OR "
                       "(therapist_id = ? AND client_id = ?)", (viewer_id, user_id, user_id, viewer_id)):
                return None
            row = await r_one(c, f"SELECT {BUNDLE_COLS} FROM users WHERE user_id = ?", (user_id,))
        return bundle_of(row) if row else None

    async def signup_invite_valid(self, token_hash: bytes, now: int) -> bool:
        async with self.db.read() as c:
            return bool(await r_one(c, "SELECT 1 FROM invites WHERE token_hash = ? AND expires_at > ? "
                                       "AND signup_used_at IS NULL", (token_hash, now)))

    async def create_invite(self, invite_id: bytes, therapist_id: bytes, token_hash: bytes, now: int,
                            expires_at: int) -> None:
        def op(c: WConn) -> None:
            c.execute("DELETE FROM invites WHERE expires_at <= ?", (now,))
            c.execute("INSERT INTO invites (invite_id, therapist_id, token_hash, created_at, expires_at) "
                      "VALUES (?,?,?,?,?)", (invite_id, therapist_id, token_hash, now, expires_at))

        await self.db.write(op)

    async def invites(self, therapist_id: bytes, now: int) -> list[wire.InviteInfo]:
        async with self.db.read() as c:
            rows = await r_all(c, "SELECT invite_id, created_at, expires_at FROM invites WHERE therapist_id = ? "
                                  "AND expires_at > ? ORDER BY created_at, invite_id", (therapist_id, now))
        return [wire.InviteInfo(invite_id=as_uuid(r[0]), created_at=r[1], expires_at=r[2]) for r in rows]

    async def delete_invite(self, therapist_id: bytes, invite_id: bytes) -> bool:
        def op(c: WConn) -> bool:
            return bool(w_one(c, "DELETE FROM invites WHERE invite_id = ? AND therapist_id = ? RETURNING 1",
                              (invite_id, therapist_id)))

        return await self.db.write(op)

    async def invite_preview(self, token_hash: bytes, now: int) -> wire.InvitePreview | None:
        async with self.db.read() as c:
            row = await r_one(c, f"SELECT i.expires_at, i.invite_id, u.{BUNDLE_COLS.replace(', ', ', u.')} "
                                 "FROM invites i JOIN users u ON u.user_id = i.therapist_id "
                                 "WHERE i.token_hash = ? AND i.expires_at > ?", (token_hash, now))
        return wire.InvitePreview(therapist=bundle_of(row, 2), expires_at=row[0],
                                  invite_id=as_uuid(row[1])) if row else None

    async def accept_invite(self, client_id: bytes, token_hash: bytes, proof: bytes, link_id: bytes,
                            now: int) -> wire.CareLink | None:
        """Single use: the invite row is deleted when the link is made, which keeps its id and the client's
        proof for the therapist's devices. None if unknown/expired."""
        def op(c: WConn) -> wire.CareLink | None:
            row = w_one(c, "DELETE FROM invites WHERE token_hash = ? AND expires_at > ? "
                           "RETURNING therapist_id, invite_id", (token_hash, now))
            if row is None:
                return None
            therapist_id, invite_id = row
            if therapist_id == client_id:
                raise Conflict("own_invite")
            if w_one(c, "SELECT 1 FROM links WHERE therapist_id = ? AND client_id = ?",
                     (therapist_id, client_id)):
                raise Conflict("already_linked")
            c.execute("INSERT INTO links (link_id, therapist_id, client_id, created_at, invite_id, proof) "
                      "VALUES (?,?,?,?,?,?)", (link_id, therapist_id, client_id, now, invite_id, proof))
            return self._link(c, link_id)

        return await self.db.write(op)

    @staticmethod
    def _link(c: WConn, link_id: bytes) -> wire.CareLink:
        return care_link_of(w_one(c, LINK_SQL + "WHERE l.link_id = ?", (link_id,)))

    async def care_links(self, user_id: bytes) -> list[wire.CareLink]:
        async with self.db.read() as c:
            rows = await r_all(c, LINK_SQL + "WHERE l.therapist_id = ? OR l.client_id = ? "
                                             "ORDER BY l.created_at, l.link_id", (user_id, user_id))
        return [care_link_of(r) for r in rows]

    async def delete_link(self, user_id: bytes, link_id: bytes, now: int) -> bool:
        """Either side ends the link; every grant between the two is revoked both ways and each
        grantee's feed says `removed` for the records it lost."""
        def op(c: WConn) -> bool:
            row = w_one(c, "DELETE FROM links WHERE link_id = ? AND (therapist_id = ? OR client_id = ?) "
                           "RETURNING therapist_id, client_id", (link_id, user_id, user_id))
            if row is None:
                return False
            a, b = row
            lost = w_all(c, "UPDATE grants SET revoked_at = ?, sealed = x'' WHERE revoked_at IS NULL AND "
                            "((grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?)) "
                            "OR (grantee_id = ? AND record_id IN (SELECT record_id FROM records WHERE owner_id = ?))) "
                            "RETURNING grantee_id, record_id", (now, a, b, b, a))
            for grantee, rid in sorted(set(lost)):
                feed(c, grantee, rid, next_seq(c, grantee))
            return True

        return await self.db.write(op)
