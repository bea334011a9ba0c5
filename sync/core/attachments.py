"""Attachments of bt1 (PROTOCOL.md section 19): a blob per voice recording or photo, sealed in STREAM chunks.

`blob = header(16) || chunk_0 || ... || chunk_(n-1)`; the plaintext stream is the attachment padded as a revision's
plaintext (crypto.pad) and cut into chunks of 65 536 bytes, chunk i sealed under the attachment's own key with the
nonce prefix(7) || u32(i) || final(1) and the AAD LABELS[att] || attachment_id || header. The entry document names
the blob by id with its key, exact size and the SHA-256 of the whole blob (`new_attachment`, `open_item`)."""

from __future__ import annotations

import base64
import hmac
import struct
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import crypto, layout
from .errors import CryptoError, ProtocolError

Id = bytes | uuid.UUID

MAGIC = b"BTA1"
VERSION = 1
CHUNK_SHIFT = 16
CHUNK_SIZE = 1 << CHUNK_SHIFT  # plaintext bytes of every chunk but the last
HEADER_LEN = 16
PREFIX_LEN = 7
SEALED_CHUNK = CHUNK_SIZE + crypto.TAG_LEN
MAX_ATTACHMENT_BYTES = 48 * 1024 * 1024
FINAL = 0x01

# The MIME types an item may name, by their top-level type (a field's `media` in kinds.json).
MEDIA_TYPES: dict[str, str] = {
    "audio/webm": "audio",
    "audio/ogg": "audio",
    "audio/mp4": "audio",
    "image/jpeg": "image",
    "image/webp": "image",
    "image/png": "image",
}
MAX_DURATION_MS = 3_600_000
MAX_DIMENSION = 8192

_OPEN_FAILED = "attachment failed verification"


def _id16(value: Id) -> bytes:
    raw = value.bytes if isinstance(value, uuid.UUID) else bytes(value)
    if len(raw) != 16:
        raise ProtocolError("bad_id", "ids are 16 bytes")
    return raw


def chunk_count(size: int) -> int:
    """How many chunks the blob of an attachment of `size` bytes has: ceil(padded_length(size) / 65 536)."""
    return -(-crypto.padded_length(size) // CHUNK_SIZE)


def blob_length(size: int) -> int:
    """The exact length of the blob of an attachment of `size` bytes: 16 + padded_length(size) + 16 per chunk."""
    return HEADER_LEN + crypto.padded_length(size) + crypto.TAG_LEN * chunk_count(size)


MAX_BLOB_BYTES = blob_length(MAX_ATTACHMENT_BYTES)


def chunk_span(size: int, index: int) -> tuple[int, int]:
    """Where chunk `index` lies in the blob (start, end): for a ranged download of one chunk."""
    n = chunk_count(size)
    if not 0 <= index < n:
        raise ProtocolError("bad_attachment", "no such chunk")
    start = HEADER_LEN + index * SEALED_CHUNK
    return start, min(start + SEALED_CHUNK, blob_length(size))


def blob_header(prefix: bytes) -> bytes:
    """magic `BTA1`, version 1, chunk shift 16, three reserved zero bytes, the 7-byte nonce prefix."""
    if len(prefix) != PREFIX_LEN:
        raise ProtocolError("bad_attachment", "the nonce prefix is 7 bytes")
    return MAGIC + bytes([VERSION, CHUNK_SHIFT, 0, 0, 0]) + prefix


def parse_blob_header(header: bytes) -> bytes:
    """The nonce prefix of a well-formed header; CryptoError for anything else (section 19, step 3)."""
    if len(header) != HEADER_LEN or header[:9] != blob_header(bytes(PREFIX_LEN))[:9]:
        raise CryptoError(detail=_OPEN_FAILED)
    return bytes(header[9:])


def chunk_nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", index, FINAL if final else 0)


def chunk_aad(attachment_id: Id, header: bytes) -> bytes:
    return layout.LABELS["att"] + _id16(attachment_id) + header


def _padded_piece(data: bytes | memoryview, size: int, start: int, end: int) -> bytes | bytearray | memoryview:
    """Bytes start..end of pad(data) without making the padded copy (only a chunk that reaches the padding is new)."""
    if end <= size:
        return data[start:end]
    piece = bytearray(end - start)
    if start < size:
        piece[: size - start] = data[start:size]
    if start <= size:
        piece[size - start] = 0x80
    return piece


def _check_key(key: bytes) -> None:
    if len(key) != crypto.KEY_LEN:
        raise ProtocolError("bad_key", "an attachment key is 32 bytes")


def seal_chunk(key: bytes, attachment_id: Id, header: bytes, index: int, final: bool, plaintext: bytes) -> bytes:
    """Chunk `index` of a blob: AES-256-GCM ciphertext || tag."""
    _check_key(key)
    aad = chunk_aad(attachment_id, header)
    return AESGCM(key).encrypt(chunk_nonce(parse_blob_header(header), index, final), plaintext, aad)


def open_chunk(key: bytes, attachment_id: Id, header: bytes, index: int, final: bool, chunk: bytes) -> bytes:
    """One chunk opened: its plaintext, or CryptoError (open_blob's step 4). Not for use before the whole blob's
    digest is checked (PROTOCOL.md §19 "No plaintext before the digest": a chunk that opens is no proof it is the
    owner's)."""
    if len(key) != crypto.KEY_LEN or len(chunk) < crypto.TAG_LEN:
        raise CryptoError(detail=_OPEN_FAILED)
    prefix = parse_blob_header(header)
    try:
        return AESGCM(key).decrypt(chunk_nonce(prefix, index, final), chunk, chunk_aad(attachment_id, header))
    except InvalidTag:
        raise CryptoError(detail=_OPEN_FAILED) from None


def seal_blob(key: bytes, attachment_id: Id, data: bytes, *, prefix: bytes | None = None) -> bytes:
    """The blob of an attachment (1..48 MiB); `prefix` (7 bytes) is random unless a vector fixes it."""
    _check_key(key)
    size = len(data)
    if not 1 <= size <= MAX_ATTACHMENT_BYTES:
        raise ProtocolError("bad_attachment", "an attachment holds 1 byte to 48 MiB")
    header = blob_header(crypto.random_bytes(PREFIX_LEN) if prefix is None else prefix)
    aes, aad, nonce = AESGCM(key), chunk_aad(attachment_id, header), header[9:]
    padded, n = crypto.padded_length(size), chunk_count(size)
    view = memoryview(data)
    out = [header]
    for i in range(n):
        start = i * CHUNK_SIZE
        piece = _padded_piece(view, size, start, min(start + CHUNK_SIZE, padded))
        out.append(aes.encrypt(chunk_nonce(nonce, i, i == n - 1), piece, aad))
    return b"".join(out)


def digest(blob: bytes) -> bytes:
    """What the document names the blob by: SHA-256 of the whole blob."""
    return crypto.sha256(blob)


def open_blob(key: bytes, attachment_id: Id, blob: bytes, size: int, expected_digest: bytes) -> bytes:
    """The attachment's bytes after every check of section 19, in its order (length, digest, header, each chunk,
    strict unpadding to exactly `size`); any failure is one CryptoError("attachment failed verification")."""
    if (
        not isinstance(size, int)
        or isinstance(size, bool)
        or not 1 <= size <= MAX_ATTACHMENT_BYTES
        or len(blob) != blob_length(size)
        or len(expected_digest) != 32
        or not hmac.compare_digest(digest(blob), expected_digest)
        or len(key) != crypto.KEY_LEN
    ):
        raise CryptoError(detail=_OPEN_FAILED)
    view = memoryview(blob)
    header = bytes(view[:HEADER_LEN])
    prefix = parse_blob_header(header)
    aes, aad, n = AESGCM(key), chunk_aad(attachment_id, header), chunk_count(size)
    stream = bytearray()
    try:
        for i in range(n):
            start = HEADER_LEN + i * SEALED_CHUNK
            stream += aes.decrypt(chunk_nonce(prefix, i, i == n - 1), view[start : start + SEALED_CHUNK], aad)
    except InvalidTag:
        raise CryptoError(detail=_OPEN_FAILED) from None
    # Strict unpadding to exactly `size`: the marker at `size` and zeros after it (the length is right by step 1).
    if stream[size] != 0x80 or stream.count(0, size + 1) != len(stream) - size - 1:
        raise CryptoError(detail=_OPEN_FAILED)
    del stream[size:]
    return bytes(stream)


# ---------------------------------------------------------------- the item in the entry document


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str, length: int) -> bytes:
    """Exactly `length` bytes in their one canonical base64url spelling, without padding."""
    if not isinstance(text, str) or len(text) != -(-length * 4 // 3):
        raise ProtocolError("bad_attachment", "not base64url of the right length")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise ProtocolError("bad_attachment", "not base64url") from None
    if len(raw) != length or b64url(raw) != text:
        raise ProtocolError("bad_attachment", "not base64url of the right length")
    return raw


def new_attachment(
    data: bytes,
    media: str,
    *,
    duration_ms: int | None = None,
    width: int | None = None,
    height: int | None = None,
    key: bytes | None = None,
    attachment_id: uuid.UUID | None = None,
    prefix: bytes | None = None,
) -> tuple[dict[str, Any], bytes]:
    """A new attachment: (its item for the entry document, its blob to upload). Key, id and prefix are random unless
    a vector fixes them."""
    if media not in MEDIA_TYPES:
        raise ProtocolError("bad_attachment", "unknown media type")
    key = crypto.random_bytes(crypto.KEY_LEN) if key is None else key
    attachment_id = uuid.uuid4() if attachment_id is None else attachment_id
    blob = seal_blob(key, attachment_id, data, prefix=prefix)
    item: dict[str, Any] = {
        "id": str(attachment_id),
        "key": b64url(key),
        "size": len(data),
        "digest": b64url(digest(blob)),
        "media": media,
    }
    if duration_ms is not None:
        item["duration_ms"] = duration_ms
    if width is not None or height is not None:
        if width is None or height is None:
            raise ProtocolError("bad_attachment", "an image has both width and height, or neither")
        item["width"], item["height"] = width, height
    return item, blob


def open_item(item: dict[str, Any], blob: bytes) -> bytes:
    """The bytes of a document's item, from its blob; CryptoError when they fail any check (or the item is not
    well formed)."""
    try:
        key = from_b64url(item["key"], crypto.KEY_LEN)
        expected = from_b64url(item["digest"], 32)
        attachment_id = uuid.UUID(item["id"])
        size = item["size"]
    except (KeyError, TypeError, ValueError, ProtocolError):
        raise CryptoError(detail=_OPEN_FAILED) from None
    return open_blob(key, attachment_id, blob, size, expected)


def _shaped_items(document: Any) -> list[dict[str, Any]]:
    """Every value with the shape of an attachment item (an id and a key), field by field in its order."""
    fields = document.get("fields") if isinstance(document, dict) else None
    out: list[dict[str, Any]] = []
    for value in fields.values() if isinstance(fields, dict) else ():
        if isinstance(value, list):
            out += [v for v in value if isinstance(v, dict) and isinstance(v.get("id"), str) and "key" in v]
    return out


def named_items(document: Any) -> list[dict[str, Any]]:
    """Every attachment item a document names that may be opened and saved, field by field in its order: any field
    whose items carry an id, a key and a digest (a newer version's field too, since an edit keeps it), of a media type
    in MEDIA_TYPES. An item that says `text/html` (the sharer writes it) is no attachment this client hands out."""
    return [v for v in _shaped_items(document) if isinstance(v.get("media"), str) and v["media"] in MEDIA_TYPES]


def named_ids(document: Any) -> list[uuid.UUID]:
    """The distinct blob ids a document names, sorted (PushItem.attachments), whatever their media type (the server
    keeps every blob an item names); an id that is no UUID is left out."""
    ids = set()
    for item in _shaped_items(document):
        try:
            ids.add(uuid.UUID(item["id"]))
        except ValueError:
            continue
    return sorted(ids)
