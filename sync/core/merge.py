"""Deterministic three-way merge of entry documents (docs/MERGE.md); the browser's port must agree byte for byte."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import msgspec

from .assignments import WORKSHEET, worksheet_kind
from .errors import ProtocolError
from .kinds import FieldError, Kind, find_kind

# Marker lines around the two versions of a text hunk both devices changed. Plain words rather than
# git's <<<<<<< because the person reading them is a client, not a programmer.
MARK_START = "──── Edited on two devices. This device's version: ────"
MARK_OTHER = "──── The other device's version: ────"
MARK_END = "──── End of the two versions ────"

# Past this edit distance the line diff gives up and reports no common lines between the trimmed
# middles: the hunk then keeps both texts whole, which loses nothing and bounds time and memory.
MAX_EDIT_DISTANCE = 2000

NOTE_TEXT = "Edited on two devices at once: both versions are kept in the text."
NOTE_VALUE = "Changed on two devices at once: this device's value was kept; the other one is saved here."
NOTE_LIST = "Changed on two devices at once: items from both were kept; the other device's list is saved here."
NOTE_ITEM = "Changed on two devices at once: this device's item was kept; the other one is saved here."
NOTE_DELETE = "Deleted on one device but edited on another: the edited entry was kept."

# Document keys the merge treats specially; any other top-level key is merged as a scalar and kept.
_RESERVED = frozenset({"v", "kind", "fields", "created_at", "updated_at", "device", "conflicts", "deleted"})
_CONTENT_IGNORED = frozenset({"updated_at", "device", "conflicts", "deleted"})
TIMESTAMP = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?(?:Z|\+00:00)$")
_SPACES = re.compile(r"[ \t\n\r]+")


class _Missing:
    """A value absent from a document (not the same as JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class MergeResult(msgspec.Struct, frozen=True, kw_only=True):
    document: dict[str, Any]
    deleted: bool
    conflicted: bool  # a new entry was added to document["conflicts"]


def _plain(value: Any) -> Any:
    # JSON has one number type: 2.0 and 2 must compare equal here as they do in JavaScript.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _canon(value: Any) -> str:
    if value is MISSING:
        return "\x00missing"
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _same(a: Any, b: Any) -> bool:
    return _canon(a) == _canon(b)


# ---- line diff (Myers 1986, greedy forward, with common prefix and suffix trimmed first) ----


def _myers(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return []
    limit = min(n + m, MAX_EDIT_DISTANCE)
    off = limit + 1  # v[off + k] is the furthest x reached on diagonal k
    v = [0] * (2 * limit + 3)
    trace: list[list[int]] = []  # trace[d] holds v for k in -d-1 .. d+1 as it was before round d
    for d in range(limit + 1):
        trace.append(v[off - d - 1 : off + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):  # noqa: SIM108 - Myers' step as published
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[off + k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return []


def _backtrack(trace: list[list[int]], x: int, y: int) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for d in range(len(trace) - 1, -1, -1):
        v = trace[d]  # v[d + 1 + k] is diagonal k
        k = x - y
        prev_k = k + 1 if k == -d or (k != d and v[d + k] < v[d + k + 2]) else k - 1
        prev_x = v[d + 1 + prev_k]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            pairs.append((x - 1, y - 1))
            x, y = x - 1, y - 1
        x, y = prev_x, prev_y
    pairs.reverse()
    return pairs


def matching(a: list[str], b: list[str]) -> dict[int, int]:
    """Index in `a` -> index in `b` of the lines the diff keeps in common."""
    pre = 0
    while pre < len(a) and pre < len(b) and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < len(a) - pre and suf < len(b) - pre and a[-1 - suf] == b[-1 - suf]:
        suf += 1
    out = {i: i for i in range(pre)}
    for i, j in _myers(a[pre : len(a) - suf], b[pre : len(b) - suf]):
        out[pre + i] = pre + j
    for s in range(suf):
        out[len(a) - suf + s] = len(b) - suf + s
    return out


def diff3(o: list[str], a: list[str], b: list[str]) -> list[tuple[list[str], list[str], list[str]]]:
    """Split three sequences into chunks (base, a, b): stable chunks have all three equal."""
    ma, mb = matching(o, a), matching(o, b)
    chunks = []
    io = ia = ib = 0
    while True:
        i = 0
        while io + i < len(o) and ma.get(io + i) == ia + i and mb.get(io + i) == ib + i:
            i += 1
        if i:
            chunks.append((o[io : io + i],) * 3)
            io, ia, ib = io + i, ia + i, ib + i
            continue
        j = io
        while j < len(o) and not (j in ma and j in mb):
            j += 1
        if j < len(o):
            chunks.append((o[io:j], a[ia : ma[j]], b[ib : mb[j]]))
            io, ia, ib = j, ma[j], mb[j]
            continue
        if io < len(o) or ia < len(a) or ib < len(b):
            chunks.append((o[io:], a[ia:], b[ib:]))
        return chunks


def split_lines(text: str) -> list[str]:
    """Lines with their terminators. Only "\\n" ends a line: a "\\r" before it stays part of the line,
    and unlike str.splitlines no other character (\\v, \\u2028, ...) splits, as in JavaScript's split("\\n")."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def merge_text(base: str, local: str, remote: str) -> tuple[str, int]:
    """Three-way merge over lines; returns the text and how many hunks kept both versions between markers."""
    if local == remote or base == remote:
        return local, 0
    if base == local:
        return remote, 0
    crlf = "\r\n" in local or ("\n" not in local and "\r\n" in remote)
    eol = "\r\n" if crlf else "\n"
    out: list[str] = []
    hunks = 0
    for ob, ac, bc in diff3(split_lines(base), split_lines(local), split_lines(remote)):
        if ac == bc or bc == ob:
            out.extend(ac)
        elif ac == ob:
            out.extend(bc)
        else:
            hunks += 1
            out.append(MARK_START + eol)
            out.extend(_terminated(ac, eol))
            out.append(MARK_OTHER + eol)
            out.extend(_terminated(bc, eol))
            out.append(MARK_END + eol)
    return "".join(out), hunks


def _terminated(lines: list[str], eol: str) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + eol]
    return lines


# ---- field strategies ----


class _Context:
    """What every new conflict note says about the other side, and the notes collected so far."""

    def __init__(self, remote: dict[str, Any]) -> None:
        self.about_other = {k: remote[k] for k in ("device", "updated_at") if isinstance(remote.get(k), str)}
        self.notes: list[dict[str, Any]] = []

    def note(self, at: str, strategy: str, text: str, **extra: Any) -> None:
        entry = {"at": at, "strategy": strategy, "note": text, **extra}
        for key, value in self.about_other.items():
            entry["other_" + key] = value
        self.notes.append(entry)


def _merge_value(strategy: str, at: str, base: Any, local: Any, remote: Any, ctx: _Context) -> Any:
    if _same(local, remote) or _same(base, remote):
        return local
    if _same(base, local):
        return remote
    if local is MISSING:  # cleared here, changed there: the change is kept
        return remote
    if remote is MISSING:
        return local
    if strategy == "text" and isinstance(local, str) and isinstance(remote, str):
        text, hunks = merge_text(base if isinstance(base, str) else "", local, remote)
        if hunks:
            ctx.note(at, "text", NOTE_TEXT, hunks=hunks)
        return text
    if strategy in ("set", "list", "union") and isinstance(local, list) and isinstance(remote, list):
        base_list = base if isinstance(base, list) else []
        if strategy == "set":
            return _merge_set(base_list, local, remote)
        if strategy == "union":
            return _merge_set(base_list, local, remote, key=_stroke_key)
        if all(_named(x) for x in base_list + local + remote):
            return _merge_named(at, base_list, local, remote, ctx)
        return _merge_positions(at, base_list, local, remote, ctx)
    ctx.note(at, "scalar", NOTE_VALUE, other_value=remote)
    return local


def _merge_set(base: list[Any], local: list[Any], remote: list[Any], key: Callable[[Any], str] = _canon) -> list[Any]:
    b, lo, r = ({key(x) for x in s} for s in (base, local, remote))
    removed = (b - lo) | (b - r)
    out, seen = [], set()
    for item in local + [x for x in remote if key(x) not in lo]:
        k = key(item)
        if k not in removed and k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _stroke_key(item: Any) -> str:
    """A sketch's stroke is known by its id (strokes never change: one id, one stroke); anything else by its value."""
    sid = item.get("id") if isinstance(item, dict) else None
    if isinstance(sid, str):
        return "id:" + sid
    return "value:" + _canon(item)


def _named(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("name"), str)


def _keyed(items: list[Any]) -> dict[tuple[str, int], Any]:
    # Identity is the name ignoring case and spacing (lower() and these four spaces behave the same in
    # JavaScript); a repeated name is told apart by its occurrence.
    out: dict[tuple[str, int], Any] = {}
    for item in items:
        name = _SPACES.sub(" ", item["name"]).strip(" ").lower()
        n = 0
        while (name, n) in out:
            n += 1
        out[(name, n)] = item
    return out


def _merge_named(at: str, base: list[Any], local: list[Any], remote: list[Any], ctx: _Context) -> list[Any]:
    b, lo, r = _keyed(base), _keyed(local), _keyed(remote)
    out = []
    for key, mine in lo.items():
        theirs, old = r.get(key, MISSING), b.get(key, MISSING)
        if _same(old, mine) and not _same(mine, theirs):
            if theirs is not MISSING:
                out.append(theirs)
        elif _same(mine, theirs) or _same(old, theirs) or theirs is MISSING:
            out.append(mine)  # removed there but changed here counts as an edit, and edits win
        else:
            ctx.note(at, "list", NOTE_ITEM, item=theirs["name"], other_value=theirs)
            out.append(mine)
    for key, theirs in r.items():
        if key not in lo and not _same(b.get(key, MISSING), theirs):
            out.append(theirs)  # added there, or removed here but changed there
    return out


def _merge_positions(at: str, base: list[Any], local: list[Any], remote: list[Any], ctx: _Context) -> list[Any]:
    items: dict[str, Any] = {}
    for x in base + local + remote:
        items.setdefault(_canon(x), x)
    o, a, b = ([_canon(x) for x in s] for s in (base, local, remote))
    out: list[str] = []
    for ob, ac, bc in diff3(o, a, b):
        if ac == bc or bc == ob:
            out.extend(ac)
        elif ac == ob:
            out.extend(bc)
        else:
            out.extend(ac + [x for x in bc if x not in ac])
            if ob:  # both only inserted at the same place: keeping both is no conflict
                ctx.note(at, "list", NOTE_LIST, other_value=remote)
    return [items[k] for k in out]


# ---- documents ----


def _instant(value: Any) -> tuple[str, str] | None:
    m = TIMESTAMP.match(value) if isinstance(value, str) else None
    return (m.group(1), (m.group(2) or "").ljust(9, "0")) if m else None


def _pick_time(local: Any, remote: Any, latest: bool) -> Any:
    """The earliest (or latest) of two timestamps as instants; local's wins a tie or when neither parses."""
    mine, theirs = _instant(local), _instant(remote)
    if mine is None:
        return remote if theirs is not None or local is MISSING else local
    if theirs is not None and (theirs > mine if latest else theirs < mine):
        return remote
    return local


def _content(doc: dict[str, Any]) -> str:
    return _canon({k: v for k, v in doc.items() if k not in _CONTENT_IGNORED})


def _check_version(doc: object) -> None:
    if doc is not None and not isinstance(doc, dict):
        raise ProtocolError("merge_input", "An entry document must be a JSON object.")
    if doc and doc.get("v", 1) != 1:
        raise ProtocolError("merge_version", "An entry document has a version this app cannot merge; update the app.")


def _finish(doc: dict[str, Any], local: dict[str, Any], remote: dict[str, Any], deleted: bool) -> dict[str, Any]:
    doc["v"] = 1
    for key, latest in (("created_at", False), ("updated_at", True)):
        value = _pick_time(local.get(key, MISSING), remote.get(key, MISSING), latest)
        if value is not MISSING:
            doc[key] = value
    doc.pop("deleted", None)
    if deleted:
        doc["deleted"] = True
    if not doc.get("conflicts"):
        doc.pop("conflicts", None)
    return copy.deepcopy(doc)


def _survive_delete(
    base: dict[str, Any] | None, local: dict[str, Any], remote: dict[str, Any], local_deleted: bool
) -> MergeResult:
    survivor, deleter = (remote, local) if local_deleted else (local, remote)
    if base is not None and _content(survivor) == _content(base):
        return MergeResult(document=_finish(dict(deleter), local, remote, True), deleted=True, conflicted=False)
    doc = dict(survivor)
    if isinstance(local.get("device"), str):
        doc["device"] = local["device"]  # the merged revision is written by this device
    entry: dict[str, Any] = {"at": "", "strategy": "delete", "note": NOTE_DELETE}
    if isinstance(deleter.get("device"), str):
        entry["deleted_on_device"] = deleter["device"]
    conflicts = list(doc["conflicts"]) if isinstance(doc.get("conflicts"), list) else []
    if not any(_same(entry, c) for c in conflicts):
        conflicts.append(entry)
    doc["conflicts"] = conflicts
    return MergeResult(document=_finish(doc, local, remote, False), deleted=False, conflicted=True)


def _worksheet_schema(*docs: dict[str, Any]) -> Kind | None:
    """Answers to a worksheet merge by the strategies its questions carry (the worksheet travels in each answer
    document): local's worksheet first, then remote's, then the base's. None if none is readable (all scalar)."""
    for d in docs:
        sheet = d.get("worksheet")
        if isinstance(sheet, dict):
            try:
                return worksheet_kind(sheet)
            except (FieldError, msgspec.ValidationError):
                continue
    return None


def merge_documents(
    base: dict[str, Any] | None,
    local: dict[str, Any],
    remote: dict[str, Any],
    *,
    local_deleted: bool = False,
    remote_deleted: bool = False,
) -> MergeResult:
    """Merge two concurrent revisions of one entry against their common ancestor `base` (None: unknown).

    Pure and deterministic; `local` wins ties and the result is what this device pushes next.
    """
    for given in (base, local, remote):
        _check_version(given)
    local, remote = local or {}, remote or {}
    local_deleted = local_deleted or local.get("deleted") is True
    remote_deleted = remote_deleted or remote.get("deleted") is True
    if local_deleted and remote_deleted:
        return MergeResult(document=_finish(dict(local), local, remote, True), deleted=True, conflicted=False)
    if local_deleted or remote_deleted:
        return _survive_delete(base, local, remote, local_deleted)

    old = base or {}
    ctx = _Context(remote)
    doc: dict[str, Any] = {}
    kind = _merge_value(
        "scalar", "/kind", old.get("kind", MISSING), local.get("kind", MISSING), remote.get("kind", MISSING), ctx
    )
    if kind is not MISSING:
        doc["kind"] = kind
    schema = find_kind(kind) if kind != WORKSHEET else _worksheet_schema(local, remote, old)
    strategies = {f.id: f.merge for f in schema.fields} if schema else {}

    parts = [d.get("fields", MISSING) for d in (old, local, remote)]
    if all(p is MISSING or isinstance(p, dict) for p in parts):
        fb, fl, fr = ({} if p is MISSING else p for p in parts)
        fields = {}
        for fid in sorted(set(fb) | set(fl) | set(fr)):
            value = _merge_value(
                strategies.get(fid, "scalar"),
                "/fields/" + fid,
                fb.get(fid, MISSING),
                fl.get(fid, MISSING),
                fr.get(fid, MISSING),
                ctx,
            )
            if value is not MISSING:
                fields[fid] = value
        doc["fields"] = fields
    else:
        value = _merge_value("scalar", "/fields", parts[0], parts[1], parts[2], ctx)
        if value is not MISSING:
            doc["fields"] = value

    for key in sorted((set(old) | set(local) | set(remote)) - _RESERVED):
        value = _merge_value(
            "scalar", "/" + key, old.get(key, MISSING), local.get(key, MISSING), remote.get(key, MISSING), ctx
        )
        if value is not MISSING:
            doc[key] = value

    device = local.get("device", remote.get("device", MISSING))
    if device is not MISSING:
        doc["device"] = device
    base_notes, local_notes, remote_notes = (
        d["conflicts"] if isinstance(d.get("conflicts"), list) else [] for d in (old, local, remote)
    )
    conflicts = _merge_set(base_notes, local_notes, remote_notes)
    fresh = [n for n in ctx.notes if not any(_same(n, c) for c in conflicts)]
    doc["conflicts"] = conflicts + fresh
    return MergeResult(document=_finish(doc, local, remote, False), deleted=False, conflicted=bool(ctx.notes))
