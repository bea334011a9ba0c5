"""Record revisions of bt1 (seal, verify, open), the owner's DEK wraps, grants to a therapist, documents."""

from __future__ import annotations

import hmac
import json
import math
import re
import uuid
from typing import Any

from . import crypto, layout, wire
from .errors import CryptoError, ProtocolError, RollbackError
from .layout import GrantBody, Header

Id = bytes | uuid.UUID
_OPEN_FAILED = "revision failed verification"
_GRANT_FAILED = "grant failed verification"


def _id16(value: Id) -> bytes:
    raw = value.bytes if isinstance(value, uuid.UUID) else bytes(value)
    if len(raw) != 16:
        raise ProtocolError("bad_id", "ids are 16 bytes")
    return raw


def rev_id(header: bytes, ct: bytes) -> bytes:
    return crypto.sha256(header + ct)


def key_commit(dek: bytes, key_id: bytes) -> bytes:
    """AES-GCM is not key-committing; this binds the one DEK every reader must hold (invisible salamanders)."""
    return crypto.hkdf(dek, "key_commit", key_id)


def _rev_message(rid: bytes) -> bytes:
    return layout.LABELS["rev"] + rid


# ---------------------------------------------------------------- revisions


def seal_revision(
    *,
    owner_id: Id,
    record_id: Id,
    version: int,
    parent: bytes | None,
    key_id: bytes,
    dek: bytes,
    plaintext: bytes,
    sig_seed: bytes,
    deleted: bool = False,
    nonce: bytes | None = None,
) -> wire.Revision:
    """Pad, encrypt under the header as AAD, sign LABELS["rev"] || rev_id. parent None = zeros (version 1)."""
    header = Header(
        owner_id=_id16(owner_id),
        record_id=_id16(record_id),
        version=version,
        parent=layout.ZERO32 if parent is None else parent,
        key_id=key_id,
        key_commit=key_commit(dek, key_id),
        nonce=crypto.random_bytes(crypto.NONCE_LEN) if nonce is None else nonce,
        flags=layout.FLAG_DELETED if deleted else 0,
    ).pack()
    Header.parse(header)  # refuse to produce what no reader would accept (e.g. a parent on version 1)
    ct = crypto.gcm_encrypt(dek, header[-crypto.NONCE_LEN :], crypto.pad(plaintext), header)
    signature = crypto.ed25519_sign(sig_seed, _rev_message(rev_id(header, ct)))
    return wire.Revision(header=header, ct=ct, signature=signature)


def verify_revision(revision: wire.Revision, signer_pub: bytes) -> tuple[Header, bytes]:
    """What the server checks: a well-formed header and the owner's signature. Returns (header, rev_id)."""
    try:
        header = Header.parse(revision.header)
    except ProtocolError:
        raise CryptoError(detail=_OPEN_FAILED) from None
    if len(revision.ct) < crypto.TAG_LEN:
        raise CryptoError(detail=_OPEN_FAILED)
    rid = rev_id(revision.header, revision.ct)
    try:
        crypto.ed25519_verify(signer_pub, revision.signature, _rev_message(rid))
    except CryptoError:
        raise CryptoError(detail=_OPEN_FAILED) from None
    return header, rid


def open_revision(
    revision: wire.Revision, *, owner_id: Id, record_id: Id, dek: bytes, key_id: bytes, signer_pub: bytes
) -> tuple[Header, bytes]:
    """Every check a client makes before trusting a revision; returns (header, plaintext).
    Rollback is the caller's part: see check_high_water."""
    header, _ = verify_revision(revision, signer_pub)
    # The server chooses which revision answers which request: the context must come from the client.
    if (
        header.owner_id != _id16(owner_id)
        or header.record_id != _id16(record_id)
        or header.key_id != key_id
        or not hmac.compare_digest(header.key_commit, key_commit(dek, key_id))
    ):
        raise CryptoError(detail=_OPEN_FAILED)
    try:
        padded = crypto.gcm_decrypt(dek, header.nonce, revision.ct, revision.header)
        return header, crypto.unpad(padded)
    except CryptoError:
        raise CryptoError(detail=_OPEN_FAILED) from None


def check_high_water(seen: tuple[int, bytes] | None, version: int, rid: bytes) -> None:
    """Refuse a head older than, or forked from, the newest (version, rev_id) this device has accepted."""
    if seen is None:
        return
    seen_version, seen_rid = seen
    if version < seen_version or (version == seen_version and rid != seen_rid):
        raise RollbackError(detail="the server served an older or forked revision")


# ---------------------------------------------------------------- the owner's DEK wrap


def _dek_aad(owner_id: Id, record_id: Id, key_id: bytes) -> bytes:
    if len(key_id) != 16:
        raise ProtocolError("bad_key_id", "key_id must be 16 bytes")
    return layout.LABELS["dek"] + _id16(owner_id) + _id16(record_id) + key_id


def wrap_dek(kwk: bytes, owner_id: Id, record_id: Id, key_id: bytes, dek: bytes, nonce: bytes | None = None) -> bytes:
    return crypto.aead_seal(kwk, dek, _dek_aad(owner_id, record_id, key_id), nonce)


def unwrap_dek(kwk: bytes, owner_id: Id, record_id: Id, key_id: bytes, wrapped: bytes) -> bytes:
    dek = crypto.aead_open(kwk, wrapped, _dek_aad(owner_id, record_id, key_id))
    if len(dek) != 32:
        raise CryptoError(detail="decryption failed")
    return dek


# ---------------------------------------------------------------- grants


def _grant_message(body: bytes, sealed: bytes) -> bytes:
    return body + crypto.sha256(sealed)


def make_grant(
    *,
    sig_seed: bytes,
    owner_id: Id,
    record_id: Id,
    key_id: bytes,
    dek: bytes,
    grantee_id: Id,
    grantee_kem_pub: bytes,
    ephemeral_seed: bytes | None = None,
) -> wire.GrantUpload:
    """HPKE-seal the DEK to the grantee's X25519 identity key with the grant body as info, then sign."""
    body = GrantBody(
        owner_id=_id16(owner_id),
        record_id=_id16(record_id),
        key_id=key_id,
        grantee_id=_id16(grantee_id),
        grantee_kem_hash=crypto.sha256(grantee_kem_pub),
    ).pack()
    if len(body) != layout.GRANT_BODY_LEN:
        raise ProtocolError("bad_grant", "wrong id length")
    sealed = crypto.hpke_seal(grantee_kem_pub, body, dek, ephemeral_seed)
    signature = crypto.ed25519_sign(sig_seed, _grant_message(body, sealed))
    return wire.GrantUpload(body=body, sealed=sealed, signature=signature)


def verify_grant(grant: wire.GrantUpload | wire.Grant, owner_sig_pub: bytes) -> GrantBody:
    """Body well-formed, signed by the owner, and (for a stored Grant) equal to the row it came with."""
    try:
        body = GrantBody.parse(grant.body)
    except ProtocolError:
        raise CryptoError(detail=_GRANT_FAILED) from None
    try:
        crypto.ed25519_verify(owner_sig_pub, grant.signature, _grant_message(grant.body, grant.sealed))
    except CryptoError:
        raise CryptoError(detail=_GRANT_FAILED) from None
    if isinstance(grant, wire.Grant) and (
        body.owner_id != grant.owner_id.bytes
        or body.record_id != grant.record_id.bytes
        or body.grantee_id != grant.grantee_id.bytes
        or body.key_id != grant.key_id
    ):
        raise CryptoError(detail=_GRANT_FAILED)
    return body


def open_grant(
    grant: wire.GrantUpload | wire.Grant, *, owner_sig_pub: bytes, me_id: Id, my_kem_seed: bytes
) -> tuple[GrantBody, bytes]:
    """Verify, check the grant names me and my key, open the DEK. Returns (body, dek)."""
    body = verify_grant(grant, owner_sig_pub)
    if body.grantee_id != _id16(me_id) or body.grantee_kem_hash != crypto.sha256(crypto.x25519_public(my_kem_seed)):
        raise CryptoError(detail=_GRANT_FAILED)
    try:
        dek = crypto.hpke_open(my_kem_seed, grant.body, grant.sealed)
    except CryptoError:
        raise CryptoError(detail=_GRANT_FAILED) from None
    if len(dek) != 32:
        raise CryptoError(detail=_GRANT_FAILED)
    return body, dek


# ---------------------------------------------------------------- documents (the plaintext)


def encode_document(doc: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (not \\u-escaped), no NaN or Infinity."""
    if not isinstance(doc, dict):
        raise ProtocolError("bad_document", "a document is a JSON object")
    try:
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError):
        raise ProtocolError("bad_document", "document holds a value JSON cannot carry") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ProtocolError("bad_document", "duplicate key in document")
    return result


def _no_constant(name: str) -> Any:
    raise ProtocolError("bad_document", "non-finite number in document")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses to infinity, which JSON can't carry back
        _no_constant(text)
    return value


MAX_DOCUMENT_DEPTH = 32


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a string, escapes and all
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def _depth_ok(data: bytes) -> bool:
    """Entry documents are shallow; a peer's deeply nested one must not exhaust the stack (which
    would stop every later page of a sync). Brackets inside strings are text, not nesting: a journal
    entry may hold forty "[" and must still open (the browser counts the same way)."""
    if data.count(b"[") + data.count(b"{") <= MAX_DOCUMENT_DEPTH:
        return True  # the common case, counted in C: too few openings to nest that deep
    # The text without its strings (without a backslash, every quote opens or closes one), then only its brackets,
    # both in C; the loop walks the brackets alone (a sketch of 2,000 strokes: 4,000 of them in 400 KB).
    outside = b"".join(data.split(b'"')[0::2]) if b"\\" not in data else _STRING.sub(b"", data)
    depth = 0
    for bracket in outside.translate(None, _NOT_BRACKET):
        if bracket in b"[{":
            depth += 1
            if depth > MAX_DOCUMENT_DEPTH:
                return False
        else:
            depth -= 1
    return True


def decode_document(data: bytes) -> dict[str, Any]:
    if not _depth_ok(data):
        raise ProtocolError("bad_document", "document is nested too deeply")
    try:
        doc = json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("bad_document", "document is not valid JSON") from None
    if not isinstance(doc, dict):
        raise ProtocolError("bad_document", "a document is a JSON object")
    return doc
