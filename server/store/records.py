"""The SQL of records: push (judged against stored state, written set-wise), pull and history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import NamedTuple

from between.sync.core import push, wire

from .blobs import name_blobs, owned_complete
from .connection import AccountGone, BadCursor, Db, QuotaFull
from .links import LINKS_OF, LinkEnds
from .rows import (
    REV_COLS,
    GrantRow,
    RevisionRow,
    WConn,
    as_uuid,
    columns,
    feed,
    for_update,
    grant_of,
    marks,
    next_seq,
    r_page,
    r_rows,
    r_value,
    r_values,
    stored_of,
    w_all,
    w_row,
    w_rows,
)


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """A push item after the stateless checks (push rule 1, server/api/sync.py): `judged` is what the push rules read
    of it, or the verdict those checks already gave; the rest is what the store writes if it is accepted."""

    record_id: bytes
    judged: push.Item | push.Verdict
    revision: wire.Revision
    dek_wrap: bytes
    grants: tuple[wire.GrantUpload, ...] = ()  # as sent, in the order of the judged item's grants
    attachments: tuple[bytes, ...] = ()  # the blobs the revision names (PushItem.attachments), each once


class HeadRow(NamedTuple):
    record_id: bytes
    owner_id: bytes
    head_version: int
    head_rev_id: bytes


class AccessRow(NamedTuple):
    record_id: bytes
    grantee_id: bytes
    key_id: bytes
    active: int  # 1 while not revoked (revoked_at IS NULL)


class StoredRow(NamedTuple):
    record_id: bytes
    rev_id: bytes
    seq: int
    sharing: bytes | None


async def _state(c: WConn, owner_id: bytes, items: list[push.Item]) -> tuple[push.State, int]:
    """What the push rules read, for the records of one push, in a handful of set-wise reads.

    The owner's feed counter is read first, with its row lock on PostgreSQL (`for_update`): every write to the
    owner's records holds it to COMMIT, so what follows reads the state the previous push left, and the seqs this
    push takes follow its. SQLite's single writer needs no lock."""
    owner = await w_all(c, "SELECT feed_seq, stored_bytes FROM users WHERE user_id = ?" + for_update(c), (owner_id,))
    if not owner:
        # The account was deleted while this push was being checked (its session was valid when it arrived).
        raise AccountGone()
    rids = list(dict.fromkeys(i.record_id for i in items))
    state = push.State(owner_id=owner_id, seq=owner[0][0])
    for chunk in range(0, len(rids), 400):
        part = rids[chunk : chunk + 400]
        for h in await w_rows(
            c, HeadRow, f"SELECT {columns(HeadRow)} FROM records WHERE record_id IN ({marks(len(part))})", part
        ):
            state.heads[h.record_id] = push.Head(h.owner_id, h.head_version, h.head_rev_id)
        for a in await w_rows(
            c,
            AccessRow,
            f"SELECT record_id, grantee_id, key_id, revoked_at IS NULL FROM grants "
            f"WHERE record_id IN ({marks(len(part))})",
            part,
        ):
            state.access.setdefault(a.record_id, {})[(a.grantee_id, a.key_id)] = bool(a.active)
    pairs = {(i.record_id, i.rev_id) for i in items if i.record_id in state.heads}
    wanted = sorted(pairs)
    for chunk in range(0, len(wanted), 200):
        some = wanted[chunk : chunk + 200]
        records_of, revs_of = sorted({r for r, _ in some}), sorted({v for _, v in some})
        # by record and by revision id, then the pairs asked for: one statement text on both engines
        for r in await w_rows(
            c,
            StoredRow,
            f"SELECT {columns(StoredRow)} FROM revisions WHERE record_id IN ({marks(len(records_of))}) "
            f"AND rev_id IN ({marks(len(revs_of))})",
            [*records_of, *revs_of],
        ):
            if (r.record_id, r.rev_id) in pairs:
                state.stored[(r.record_id, r.rev_id)] = push.Stored(r.seq, r.sharing)
    grantees = list({g.grantee_id for i in items for g in i.grants})
    if grantees:
        state.peers = frozenset(r.other(owner_id) for r in await w_rows(c, LinkEnds, LINKS_OF, (owner_id, owner_id)))
        state.kem_pubs = dict(
            await w_all(c, f"SELECT user_id, kem_pub FROM users WHERE user_id IN ({marks(len(grantees))})", grantees)
        )
    return state, owner[0][1]


# An item naming a blob that is not a complete blob of the pusher (PROTOCOL.md §17 "Attachments").
UNKNOWN_BLOB = "unknown_blob"


async def _push(
    c: WConn, owner_id: bytes, items: list[PreparedItem], atomic: bool, now: int, quota: int | None = None
) -> list[wire.PushResult]:
    """Every item is judged first (sync/core/push.py) against the stored state plus the items before it; then all
    accepted items are written with executemany. Nothing is written for a refused item, so an atomic push that fails
    writes nothing at all."""
    state, stored = await _state(c, owner_id, [i.judged for i in items if isinstance(i.judged, push.Item)])
    named = sorted({b for i in items if isinstance(i.judged, push.Item) for b in i.attachments})
    have = await owned_complete(c, owner_id, named) if named else set()
    judged = [
        push.Verdict("invalid", UNKNOWN_BLOB)
        if isinstance(i.judged, push.Item) and not have.issuperset(i.attachments)
        else i.judged
        for i in items
    ]
    verdicts = push.judge_push(judged, state, atomic)
    results = [await _result(c, owner_id, items, state, item, v) for item, v in zip(items, verdicts, strict=True)]
    # (a new verdict always has its item and seq; the type checker is told so)
    accepted = [
        (p, p.judged, v.seq)
        for p, v in zip(items, verdicts, strict=True)
        if v.new and isinstance(p.judged, push.Item) and v.seq is not None
    ]
    needed = sum(len(p.revision.header) + len(p.revision.ct) for p, _, _ in accepted)
    if quota is not None and needed and stored + needed > quota:
        raise QuotaFull(stored, needed, quota)  # the whole push, so a client never half-syncs a batch
    if accepted:
        await _write_accepted(c, owner_id, accepted, state.seq, now)
    return results


async def _result(
    c: WConn, owner_id: bytes, items: list[PreparedItem], state: push.State, item: PreparedItem, verdict: push.Verdict
) -> wire.PushResult:
    """The answer of one item; a conflict carries the head, read before this push writes anything."""
    head = None
    if verdict.head is not None:
        h, rid = verdict.head, item.record_id
        if h.item is not None:  # written by an earlier item of this push
            rev = items[h.item].revision
            row = RevisionRow(
                rid, h.version, h.rev_id, rev.header, rev.ct, rev.signature, state.stored[(rid, h.rev_id)].seq
            )
        else:
            stored = await w_row(
                c,
                RevisionRow,
                f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? AND version = ?",
                (rid, h.version),
            )
            if stored is None:  # never: a record's head revision is stored with it, in one transaction
                raise LookupError("a record without its head revision")
            row = stored
        head = stored_of(owner_id, row)
    return wire.PushResult(
        record_id=as_uuid(item.record_id), status=verdict.status, detail=verdict.detail, seq=verdict.seq, head=head
    )


async def _write_accepted(
    c: WConn, owner_id: bytes, accepted: list[tuple[PreparedItem, push.Item, int]], last_seq: int, now: int
) -> None:
    added = sum(len(p.revision.header) + len(p.revision.ct) for p, _, _ in accepted)
    await c.execute(
        "UPDATE users SET feed_seq = ?, stored_bytes = stored_bytes + ? WHERE user_id = ?", (last_seq, added, owner_id)
    )
    await c.executemany(
        "INSERT INTO records (record_id, owner_id, head_version, head_rev_id, head_key_id) "
        "VALUES (?,?,?,?,?) ON CONFLICT (record_id) DO UPDATE SET head_version = excluded.head_version, "
        "head_rev_id = excluded.head_rev_id, head_key_id = excluded.head_key_id",
        [(i.record_id, owner_id, i.version, i.rev_id, i.key_id) for _, i, _ in accepted],
    )
    await c.executemany(
        "INSERT INTO revisions (record_id, version, rev_id, key_id, header, ct, signature, seq, sharing) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                i.record_id,
                i.version,
                i.rev_id,
                i.key_id,
                p.revision.header,
                p.revision.ct,
                p.revision.signature,
                seq,
                i.sharing,
            )
            for p, i, seq in accepted
        ],
    )
    await c.executemany(
        "INSERT INTO dek_wraps (record_id, key_id, wrap) VALUES (?,?,?) "
        "ON CONFLICT (record_id, key_id) DO UPDATE SET wrap = excluded.wrap",
        [(i.record_id, i.key_id, p.dek_wrap) for p, i, _ in accepted],
    )
    await c.executemany(
        "INSERT INTO feed (user_id, record_id, seq) VALUES (?,?,?) "
        "ON CONFLICT (user_id, record_id) DO UPDATE SET seq = excluded.seq",
        [(owner_id, i.record_id, seq) for _, i, seq in accepted],
    )
    touched: dict[bytes, list[bytes]] = {}  # record -> its grantees to notify, revoked ones included
    for p, item, _ in accepted:
        if not (item.grants or item.revoke):
            continue
        for grantee in item.revoke:
            if await w_all(
                c,
                "UPDATE grants SET revoked_at = ?, sealed = ? WHERE record_id = ? AND grantee_id = ? "
                "AND revoked_at IS NULL RETURNING 1",
                (now, b"", item.record_id, grantee),
            ):
                touched.setdefault(item.record_id, []).append(grantee)
        await c.executemany(
            "INSERT INTO grants (record_id, grantee_id, key_id, body, sealed, signature, created_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT (record_id, grantee_id, key_id) DO UPDATE SET "
            "body = excluded.body, sealed = excluded.sealed, signature = excluded.signature, "
            "created_at = excluded.created_at, revoked_at = NULL",
            [
                (item.record_id, to.grantee_id, item.key_id, g.body, g.sealed, g.signature, now)
                for to, g in zip(item.grants, p.grants, strict=True)
            ],
        )
    rids = list(dict.fromkeys(i.record_id for _, i, _ in accepted))
    for chunk in range(0, len(rids), 400):
        part = rids[chunk : chunk + 400]
        for rid, grantee in await w_all(
            c,
            f"SELECT DISTINCT record_id, grantee_id FROM grants WHERE revoked_at IS NULL "
            f"AND record_id IN ({marks(len(part))})",
            part,
        ):
            touched.setdefault(rid, []).append(grantee)
    # Each reader's counter once per record, readers in ascending id: two pushes that both bump the same readers
    # take their row locks (PostgreSQL) in one order, and cannot deadlock over them.
    by_reader: dict[bytes, set[bytes]] = {}
    for rid, readers in touched.items():
        for reader in readers:
            by_reader.setdefault(reader, set()).add(rid)
    for reader in sorted(by_reader):
        for rid in sorted(by_reader[reader]):
            await feed(c, reader, rid, await next_seq(c, reader))
    await name_blobs(c, [(i.record_id, i.version, b) for p, i, _ in accepted for b in p.attachments], rids, now)


# A page of pull or history stops once its revisions pass this many bytes (always at least one record), so a
# reader with many large records gets several pages instead of one the server must hold whole in memory.
PAGE_BYTES = 8 * 1024 * 1024


def _size(r: PulledRow | RevisionRow) -> int:
    return len(r.header) + len(r.ct) + 64  # the rest of a row is small


class PulledRow(NamedTuple):
    """A reader's feed row with the record's head (PULL_SQL)."""

    record_id: bytes
    feed_seq: int  # the reader's seq of the change
    owner_id: bytes
    head_key_id: bytes
    wrap: bytes | None  # the owner's dek_wrap of the head's key
    version: int
    rev_id: bytes
    header: bytes
    ct: bytes
    signature: bytes
    seq: int  # the owner's seq of the head's write


PULL_SQL = (
    "SELECT f.record_id, f.seq, r.owner_id, r.head_key_id, w.wrap, "
    "v.version, v.rev_id, v.header, v.ct, v.signature, v.seq "
    "FROM feed f JOIN records r ON r.record_id = f.record_id "
    "JOIN revisions v ON v.record_id = r.record_id AND v.version = r.head_version "
    "LEFT JOIN dek_wraps w ON w.record_id = r.record_id AND w.key_id = r.head_key_id "
    "WHERE f.user_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?"
)


class Records:
    """Push, pull and history."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def push(
        self,
        owner_id: bytes,
        items: list[PreparedItem],
        atomic: bool,
        now: int,
        device: bytes | None = None,
        quota: int | None = None,
    ) -> list[wire.PushResult]:
        """`device`: the device pushing, so its own change streams are not told of what it wrote (server/live.py).
        `quota`: the bytes of header and ciphertext the owner may store in all; a push that would pass it raises
        QuotaFull and writes nothing."""
        return await self.db.write(lambda c: _push(c, owner_id, items, atomic, now, quota), origin=device)

    # ------------------------------------------------------------ pull and history

    async def pull(self, user_id: bytes, after: int, limit: int) -> wire.PullResponse:
        async with self.db.read() as c:
            top = await r_value(c, "SELECT feed_seq FROM users WHERE user_id = ?", (user_id,))
            if top is None or after > top:
                raise BadCursor()
            rows, more = await r_page(c, PulledRow, PULL_SQL, (user_id, after, limit + 1), limit, _size, PAGE_BYTES)
            grants: dict[bytes, list[GrantRow]] = {}
            if rows:
                for g in await r_rows(
                    c,
                    GrantRow,
                    f"SELECT {columns(GrantRow, 'g')} FROM feed f JOIN grants g ON g.record_id = "
                    "f.record_id WHERE f.user_id = ? AND f.seq > ? AND f.seq <= ? AND g.revoked_at "
                    "IS NULL ORDER BY g.created_at, g.grantee_id, g.key_id",
                    (user_id, after, rows[-1].feed_seq),
                ):
                    grants.setdefault(g.record_id, []).append(g)
        items = []
        owners: dict[bytes, uuid.UUID] = {}  # a page has few owners: build each UUID once
        for r in rows:
            owner = r.owner_id
            record_uuid = as_uuid(r.record_id)
            owner_uuid = owners.get(owner) or owners.setdefault(owner, as_uuid(owner))
            mine = grants.get(r.record_id, [])
            if owner != user_id:
                mine = [g for g in mine if g.grantee_id == user_id]
                if not any(g.key_id == r.head_key_id for g in mine):
                    items.append(
                        wire.RecordState(record_id=record_uuid, owner_id=owner_uuid, seq=r.feed_seq, access="removed")
                    )
                    continue
            head = wire.StoredRevision(
                record_id=record_uuid,
                owner_id=owner_uuid,
                version=r.version,
                rev_id=r.rev_id,
                revision=wire.Revision(header=r.header, ct=r.ct, signature=r.signature),
                seq=r.seq if owner == user_id else 0,
            )  # the owner's write seq is the owner's business
            items.append(
                wire.RecordState(
                    record_id=record_uuid,
                    owner_id=owner_uuid,
                    seq=r.feed_seq,
                    access="owner" if owner == user_id else "granted",
                    head=head,
                    dek_wrap=r.wrap if owner == user_id else None,
                    grants=[grant_of(owner, g) for g in mine],
                )
            )
        cursor = rows[-1].feed_seq if rows else after
        return wire.PullResponse(items=items, cursor=cursor, more=more)

    async def history(self, user_id: bytes, record_id: bytes, before: int | None, limit: int) -> wire.History | None:
        """Newest first. None when the caller may not see the record (stranger, revoked grantee)."""
        before = 0xFFFFFFFF + 1 if before is None else before
        async with self.db.read() as c:
            owner = await r_value(c, "SELECT owner_id FROM records WHERE record_id = ?", (record_id,))
            if owner is None:
                return None
            if owner == user_id:
                rows, more = await r_page(
                    c,
                    RevisionRow,
                    f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? "
                    "AND version < ? ORDER BY version DESC LIMIT ?",
                    (record_id, before, limit + 1),
                    limit,
                    _size,
                    PAGE_BYTES,
                )
            else:
                keys = await r_values(
                    c,
                    "SELECT key_id FROM grants WHERE record_id = ? AND grantee_id = ? AND revoked_at IS NULL",
                    (record_id, user_id),
                )
                if not keys:
                    return None
                rows, more = await r_page(
                    c,
                    RevisionRow,
                    f"SELECT {REV_COLS} FROM revisions WHERE record_id = ? "
                    f"AND version < ? AND key_id IN ({marks(len(keys))}) "
                    "ORDER BY version DESC LIMIT ?",
                    (record_id, before, *keys, limit + 1),
                    limit,
                    _size,
                    PAGE_BYTES,
                )
        return wire.History(revisions=[stored_of(owner, r, viewer=user_id) for r in rows], more=more)
