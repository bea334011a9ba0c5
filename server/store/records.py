"""The SQL of records: push (judged against stored state, written set-wise), pull and history."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from between.sync.core import wire
from between.sync.core.layout import ZERO32

from .connection import AccountGone, BadCursor, Database
from .links import LINKS_OF, others
from .rows import (REV_COLS, PreparedItem, WConn, as_uuid, feed, grant_of, marks, next_seq, r_all, r_one, r_page,
                   stored_of, w_all, w_one)


def sharing_digest(granted: Iterable[bytes], revoked: Iterable[bytes]) -> bytes:
    """The sharing change a revision was pushed with, by ids only (a client that re-seals the same
    grants still matches): a replay of that revision must carry the same one."""
    g, r = sorted(granted), sorted(revoked)
    return hashlib.sha256(bytes([len(g)]) + b"".join(g) + b"".join(r)).digest()


def _push(c: WConn, owner_id: bytes, items: list[PreparedItem], atomic: bool, now: int) -> list[wire.PushResult]:
    """Every item is judged first against the stored state plus the items before it, with a
    handful of set-wise reads; then all accepted items are written with executemany. Nothing is
    written for a refused item, so an atomic push that fails writes nothing at all."""
    valid = [i for i in items if i.error is None]
    rids = list(dict.fromkeys(i.record_id for i in valid))
    heads: dict[bytes, tuple[bytes, int, bytes]] = {}  # record -> (owner, head version, head rev_id)
    seen: dict[tuple[bytes, bytes], tuple[int, bytes | None]] = {}  # (record, rev_id) -> (seq, sharing)
    # record -> {(grantee, key_id): active}: every grant row of the pushed records, updated as items are accepted
    access: dict[bytes, dict[tuple[bytes, bytes], bool]] = {}
    for chunk in range(0, len(rids), 400):
        part = rids[chunk:chunk + 400]
        for r in w_all(c, f"SELECT record_id, owner_id, head_version, head_rev_id FROM records "
                         f"WHERE record_id IN ({marks(len(part))})", part):
            heads[r[0]] = (r[1], r[2], r[3])
        for r in w_all(c, f"SELECT record_id, grantee_id, key_id, revoked_at IS NULL FROM grants "
                         f"WHERE record_id IN ({marks(len(part))})", part):
            access.setdefault(r[0], {})[(r[1], r[2])] = bool(r[3])
    pairs = [(i.record_id, i.rev_id) for i in valid if i.record_id in heads]
    for chunk in range(0, len(pairs), 400):
        part = pairs[chunk:chunk + 400]
        flat = [x for pair in part for x in pair]
        for r in w_all(c, f"SELECT record_id, rev_id, seq, sharing FROM revisions "
                         f"WHERE (record_id, rev_id) IN (VALUES {','.join(['(?,?)'] * len(part))})", flat):
            seen[(r[0], r[1])] = (r[2], r[3])
    peers: set[bytes] = set()
    kem: dict[bytes, bytes] = {}
    grantees = list({body.grantee_id for i in valid for body, _ in i.grants})
    if grantees:
        peers = others(owner_id, w_all(c, LINKS_OF, (owner_id, owner_id)))
        kem = dict(w_all(c, f"SELECT user_id, kem_pub FROM users WHERE user_id IN ({marks(len(grantees))})",
                         grantees))
    owner = w_one(c, "SELECT feed_seq FROM users WHERE user_id = ?", (owner_id,))
    if owner is None:
        # The account was deleted while this push was being checked (its session was valid when it arrived).
        raise AccountGone()
    seq = owner[0]
    pending: dict[tuple[bytes, int], tuple] = {}  # (record, version) -> revision row written by this push
    accepted: list[tuple[PreparedItem, int, bytes]] = []
    results: list[wire.PushResult] = []

    def judge(item: PreparedItem) -> wire.PushResult:
        nonlocal seq
        rid = item.record_id

        def result(status: str, detail: str | None = None, **kw: Any) -> wire.PushResult:
            return wire.PushResult(record_id=as_uuid(rid), status=status, detail=detail, **kw)

        if item.error is not None:
            return result(item.error[0], item.error[1])
        head = heads.get(rid)
        if head is not None and head[0] != owner_id:
            return result("forbidden", "only the owner writes a record")
        sharing = sharing_digest((body.grantee_id for body, _ in item.grants), item.revoke)
        if (rid, item.rev_id) in seen:
            stored_seq, stored_sharing = seen[(rid, item.rev_id)]
            if stored_sharing is not None and stored_sharing != sharing:
                # acknowledging it would tell the client grants or revokes took effect that never did
                return result("invalid", "replayed revision with different grants or revokes")
            return result("ok", seq=stored_seq)  # a replay: stored once, acknowledged again
        head_version, head_rev = (head[1], head[2]) if head else (0, ZERO32)
        if head is None and item.base_version != 0:
            # Nothing to be in conflict with: the record was never stored (or went with a deleted account).
            return result("invalid", "no such record on the server: a new record starts at base_version 0")
        if head_version != item.base_version:
            row = pending.get((rid, head_version)) or w_one(
                c, f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? AND version = ?", (rid, head_version))
            return result("conflict", "base_version is not the head", head=stored_of(owner_id, row))
        if item.header.parent != head_rev:
            return result("invalid", "parent is not the current head")
        key_id = item.header.key_id
        held = access.get(rid, {})
        granted_to = set()
        for body, _ in item.grants:
            if body.grantee_id not in peers:
                return result("forbidden", "grantee has no care link with the owner")
            if hashlib.sha256(kem.get(body.grantee_id, b"")).digest() != body.grantee_kem_hash:
                return result("invalid", "grant is not sealed to the grantee's current key")
            granted_to.add(body.grantee_id)
        for grantee in item.revoke:
            if grantee in granted_to:
                return result("invalid", "a grantee is both granted and revoked")
            if (grantee, key_id) in held:  # active or revoked: the grantee ever held this key
                return result("invalid", "revoking access needs a new record key")
        # Someone lost this key (unshared, or their care link ended) and was not given it back: they may
        # still hold it, so a new revision under it would be readable to them. Unsharing forces a new key.
        if any(k == key_id and not active and g not in granted_to for (g, k), active in held.items()):
            return result("invalid", "this record key was revoked from a reader; the revision needs a new record key")
        seq += 1
        rev = item.revision
        row = (rid, item.header.version, item.rev_id, rev.header, rev.ct, rev.signature, seq)
        pending[(rid, item.header.version)] = row
        heads[rid] = (owner_id, item.header.version, item.rev_id)
        seen[(rid, item.rev_id)] = (seq, sharing)
        if item.revoke or item.grants:
            held = access.setdefault(rid, {})
            for g, k in list(held):  # as written below: revoke every key of a revoked grantee, then grant
                if g in item.revoke:
                    held[(g, k)] = False
            held.update(((body.grantee_id, body.key_id), True) for body, _ in item.grants)
        accepted.append((item, seq, sharing))
        return result("ok", seq=seq)

    for n, item in enumerate(items):
        res = judge(item)
        if atomic and res.status != "ok":
            aborted = [wire.PushResult(record_id=as_uuid(i.record_id), status="aborted") for i in items]
            aborted[n] = res
            return aborted
        results.append(res)
    if accepted:
        _write_accepted(c, owner_id, accepted, seq, now)
    return results


def _write_accepted(c: WConn, owner_id: bytes, accepted: list[tuple[PreparedItem, int, bytes]], last_seq: int,
                    now: int) -> None:
    c.execute("UPDATE users SET feed_seq = ? WHERE user_id = ?", (last_seq, owner_id))
    c.executemany("INSERT INTO records (record_id, owner_id, head_version, head_rev_id, head_key_id) "
                  "VALUES (?,?,?,?,?) ON CONFLICT (record_id) DO UPDATE SET head_version = excluded.head_version, "
                  "head_rev_id = excluded.head_rev_id, head_key_id = excluded.head_key_id",
                  [(i.record_id, owner_id, i.header.version, i.rev_id, i.header.key_id) for i, _, _ in accepted])
    c.executemany("INSERT INTO revisions (record_id, version, rev_id, key_id, header, ct, signature, seq, sharing) "
                  "VALUES (?,?,?,?,?,?,?,?,?)",
                  [(i.record_id, i.header.version, i.rev_id, i.header.key_id, i.revision.header, i.revision.ct,
                    i.revision.signature, seq, sharing) for i, seq, sharing in accepted])
    c.executemany("INSERT INTO dek_wraps (record_id, key_id, wrap) VALUES (?,?,?) "
                  "ON CONFLICT (record_id, key_id) DO UPDATE SET wrap = excluded.wrap",
                  [(i.record_id, i.header.key_id, i.dek_wrap) for i, _, _ in accepted])
    c.executemany("INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
                  "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq",
                  [(owner_id, i.record_id, seq) for i, seq, _ in accepted])
    touched: dict[bytes, list[bytes]] = {}  # record -> its grantees to notify, revoked ones included
    for item in (i for i, _, _ in accepted if i.grants or i.revoke):
        for grantee in item.revoke:
            if w_all(c, "UPDATE grants SET revoked_at = ?, sealed = x'' WHERE record_id = ? AND grantee_id = ? "
                       "AND revoked_at IS NULL RETURNING 1", (now, item.record_id, grantee)):
                touched.setdefault(item.record_id, []).append(grantee)
        c.executemany("INSERT INTO grants (record_id, grantee_id, key_id, body, sealed, signature, created_at) "
                      "VALUES (?,?,?,?,?,?,?) ON CONFLICT (record_id, grantee_id, key_id) DO UPDATE SET "
                      "body = excluded.body, sealed = excluded.sealed, signature = excluded.signature, "
                      "created_at = excluded.created_at, revoked_at = NULL",
                      [(item.record_id, body.grantee_id, body.key_id, g.body, g.sealed, g.signature, now)
                       for body, g in item.grants])
    rids = list(dict.fromkeys(i.record_id for i, _, _ in accepted))
    for chunk in range(0, len(rids), 400):
        part = rids[chunk:chunk + 400]
        for rid, grantee in w_all(c, f"SELECT DISTINCT record_id, grantee_id FROM grants WHERE revoked_at IS NULL "
                                    f"AND record_id IN ({marks(len(part))})", part):
            touched.setdefault(rid, []).append(grantee)
    for rid, readers in sorted(touched.items()):
        for reader in sorted(set(readers)):
            feed(c, reader, rid, next_seq(c, reader))


# A page of pull or history stops once its revisions pass this many bytes (always at least one record), so a
# reader with many large records gets several pages instead of one the server must hold whole in memory.
PAGE_BYTES = 8 * 1024 * 1024


def _pulled_size(r: tuple) -> int:
    return len(r[8]) + len(r[9]) + 64  # header, ct; the rest of a row is small


def _revision_size(r: tuple) -> int:
    return len(r[3]) + len(r[4]) + 64


class Records:
    """Push, pull and history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def push(self, owner_id: bytes, items: list[PreparedItem], atomic: bool, now: int) -> list[wire.PushResult]:
        return await self.db.write(lambda c: _push(c, owner_id, items, atomic, now))

    # ------------------------------------------------------------ pull and history

    async def pull(self, user_id: bytes, after: int, limit: int) -> wire.PullResponse:
        async with self.db.read() as c:
            top = await r_one(c, "SELECT feed_seq FROM users WHERE user_id = ?", (user_id,))
            if top is None or after > top[0]:
                raise BadCursor()
            rows, more = await r_page(
                c, "SELECT f.record_id, f.seq, r.owner_id, r.head_key_id, w.wrap, "
                   "v.record_id, v.version, v.rev_id, v.header, v.ct, v.signature, v.seq "
                   "FROM feed f JOIN records r ON r.record_id = f.record_id "
                   "JOIN revisions v ON v.record_id = r.record_id AND v.version = r.head_version "
                   "LEFT JOIN dek_wraps w ON w.record_id = r.record_id AND w.key_id = r.head_key_id "
                   "WHERE f.user_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?", (user_id, after, limit + 1),
                limit, _pulled_size, PAGE_BYTES)
            grants: dict[bytes, list[tuple]] = {}
            if rows:
                for g in await r_all(
                        c, "SELECT g.record_id, g.grantee_id, g.key_id, g.body, g.sealed, g.signature, g.created_at "
                           "FROM feed f JOIN grants g ON g.record_id = f.record_id "
                           "WHERE f.user_id = ? AND f.seq > ? AND f.seq <= ? AND g.revoked_at IS NULL "
                           "ORDER BY g.created_at, g.grantee_id, g.key_id", (user_id, after, rows[-1][1])):
                    grants.setdefault(g[0], []).append(g)
        items = []
        owners: dict[bytes, uuid.UUID] = {}  # a page has few owners: build each UUID once
        for r in rows:
            rid, seq, owner, head_key = r[0], r[1], r[2], r[3]
            record_uuid = as_uuid(rid)
            owner_uuid = owners.get(owner) or owners.setdefault(owner, as_uuid(owner))
            mine = grants.get(rid, [])
            if owner != user_id:
                mine = [g for g in mine if g[1] == user_id]
                if not any(g[2] == head_key for g in mine):
                    items.append(wire.RecordState(record_id=record_uuid, owner_id=owner_uuid, seq=seq,
                                                  access="removed"))
                    continue
            head = wire.StoredRevision(
                record_id=record_uuid, owner_id=owner_uuid, version=r[6], rev_id=r[7],
                revision=wire.Revision(header=r[8], ct=r[9], signature=r[10]),
                seq=r[11] if owner == user_id else 0)  # the owner's write seq is the owner's business
            items.append(wire.RecordState(record_id=record_uuid, owner_id=owner_uuid, seq=seq,
                                          access="owner" if owner == user_id else "granted", head=head,
                                          dek_wrap=r[4] if owner == user_id else None,
                                          grants=[grant_of(owner, g) for g in mine]))
        cursor = rows[-1][1] if rows else after
        return wire.PullResponse(items=items, cursor=cursor, more=more)

    async def history(self, user_id: bytes, record_id: bytes, before: int | None, limit: int) -> wire.History | None:
        """Newest first. None when the caller may not see the record (stranger, revoked grantee)."""
        before = 0xFFFFFFFF + 1 if before is None else before
        async with self.db.read() as c:
            rec = await r_one(c, "SELECT owner_id FROM records WHERE record_id = ?", (record_id,))
            if rec is None:
                return None
            owner = rec[0]
            if owner == user_id:
                rows, more = await r_page(c, f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? AND version < ? "
                                            "ORDER BY version DESC LIMIT ?", (record_id, before, limit + 1),
                                          limit, _revision_size, PAGE_BYTES)
            else:
                keys = [r[0] for r in await r_all(c, "SELECT key_id FROM grants WHERE record_id = ? AND "
                                                    "grantee_id = ? AND revoked_at IS NULL", (record_id, user_id))]
                if not keys:
                    return None
                marks = ",".join("?" * len(keys))
                rows, more = await r_page(c, f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? AND version < ? "
                                            f"AND key_id IN ({marks}) ORDER BY version DESC LIMIT ?",
                                          (record_id, before, *keys, limit + 1), limit, _revision_size, PAGE_BYTES)
        return wire.History(revisions=[stored_of(owner, r, viewer=user_id) for r in rows], more=more)
