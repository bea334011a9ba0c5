"""Vectors of attachments (PROTOCOL.md section 19): attachments.json. Blobs sealed from fixed inputs, and blobs a reader
must refuse, each refused by the one step of the reader's checks that it names (the generator checks that every
earlier step passes, so a case tests what its name says).

Long data is written as a pattern repeated to a size, and a long blob by its SHA-256 (the item's digest) and the tag
of each chunk: the JSON stays small and still pins every byte."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from between.sync.core import attachments as att
from between.sync.core import crypto, layout
from between.sync.core.errors import CryptoError


def fixed(name: str, n: int = 32) -> bytes:
    return hashlib.sha256(b"bt1 vector/" + name.encode()).digest()[:n]


KEY = fixed("att/key")
OTHER_KEY = fixed("att/other_key")
PREFIX = fixed("att/prefix", 7)
# 61 bytes: no power of two, so no two chunks of a long attachment hold the same plaintext.
PATTERN = fixed("att/pattern/a") + fixed("att/pattern/b")[:29]
FULL_BLOB_UP_TO = 2048  # blobs up to this length are written out whole


def _uuid(name: str) -> uuid.UUID:
    return uuid.UUID(bytes=fixed(name, 16), version=4)


def expand(pattern: bytes, size: int) -> bytes:
    return (pattern * (size // len(pattern) + 1))[:size]


# name, attachment id, key, data
VECTORS: list[tuple[str, uuid.UUID, bytes, dict[str, Any]]] = [
    ("one_chunk", _uuid("att/id/one"), KEY, {"hex": b"Said it out loud, twice.".hex()}),
    ("padded_65536", _uuid("att/id/full"), KEY, {"pattern": PATTERN.hex(), "size": 65000}),
    ("three_chunks", _uuid("att/id/three"), KEY, {"pattern": PATTERN.hex(), "size": 140000}),
    # The same key, prefix and bytes as three_chunks under another id: only the id in the AAD tells their chunks apart.
    ("three_chunks_other_id", _uuid("att/id/other"), KEY, {"pattern": PATTERN.hex(), "size": 140000}),
]


def data_of(spec: dict[str, Any]) -> bytes:
    return bytes.fromhex(spec["hex"]) if "hex" in spec else expand(bytes.fromhex(spec["pattern"]), spec["size"])


def chunks_of(blob: bytes) -> list[bytes]:
    body = blob[att.HEADER_LEN :]
    return [body[i : i + att.SEALED_CHUNK] for i in range(0, len(body), att.SEALED_CHUNK)]


def size_for(blob_len: int) -> int:
    """The largest size whose blob has this length (the length stays right, so step 1 passes)."""
    for size in range(blob_len, 0, -1):
        if att.blob_length(size) == blob_len:
            return size
    raise SystemExit(f"no attachment size makes a blob of {blob_len} bytes")


def first_failure(key: bytes, attachment_id: uuid.UUID, blob: bytes, size: int, digest: bytes) -> int | None:
    """The first of section 19's five steps that refuses the blob (None: it opens)."""
    if len(blob) != att.blob_length(size):
        return 1
    if att.digest(blob) != digest:
        return 2
    header = blob[: att.HEADER_LEN]
    try:
        att.parse_blob_header(header)
    except CryptoError:
        return 3
    stream = b""
    chunks = chunks_of(blob)
    for i, chunk in enumerate(chunks):
        try:
            stream += att.open_chunk(key, attachment_id, header, i, i == len(chunks) - 1, chunk)
        except CryptoError:
            return 4
    try:
        if len(crypto.unpad(stream)) != size:
            return 5
    except CryptoError:
        return 5
    return None


def build() -> dict[str, Any]:
    vectors, blobs = [], {}
    for name, attachment_id, key, spec in VECTORS:
        data = data_of(spec)
        blob = att.seal_blob(key, attachment_id, data, prefix=PREFIX)
        blobs[name] = (attachment_id, key, blob, len(data))
        v: dict[str, Any] = {
            "name": name,
            "key": key.hex(),
            "attachment_id": str(attachment_id),
            "prefix": PREFIX.hex(),
            "data": spec,
            "size": len(data),
            "padded_length": crypto.padded_length(len(data)),
            "chunks": att.chunk_count(len(data)),
            "blob_length": len(blob),
            "header": blob[: att.HEADER_LEN].hex(),
            "tags": [chunk[-crypto.TAG_LEN :].hex() for chunk in chunks_of(blob)],
            "digest": att.digest(blob).hex(),
        }
        if len(blob) <= FULL_BLOB_UP_TO:
            v["blob"] = blob.hex()
        vectors.append(v)

    base_id, _, base, base_size = blobs["three_chunks"]
    parts = {name: chunks_of(b[2]) for name, b in blobs.items()}
    head = base[: att.HEADER_LEN]
    other_prefix = fixed("att/other_prefix", 7)

    def header_with(offset: int, value: int) -> bytes:
        return head[:offset] + bytes([value]) + head[offset + 1 :]

    # name, header, chunks as (vector, index), a byte to flip (offset in the blob), size, digest (None: the blob's
    # own, so step 2 passes), attachment id and key of the reader, the step that must refuse it
    T = tuple[str, bytes, list[tuple[str, int]], int | None, int | None, bytes | None, uuid.UUID, bytes, int]
    b = "three_chunks"
    cases: list[T] = [
        (
            "byte_flipped_in_chunk_1",
            head,
            [(b, 0), (b, 1), (b, 2)],
            16 + att.SEALED_CHUNK + 100,
            None,
            None,
            base_id,
            KEY,
            4,
        ),
        ("tag_flipped_in_last_chunk", head, [(b, 0), (b, 1), (b, 2)], len(base) - 1, None, None, base_id, KEY, 4),
        ("chunks_0_and_1_swapped", head, [(b, 1), (b, 0), (b, 2)], None, None, None, base_id, KEY, 4),
        ("chunk_1_dropped", head, [(b, 0), (b, 2)], None, None, None, base_id, KEY, 4),
        ("truncated_last_chunk_removed", head, [(b, 0), (b, 1)], None, None, None, base_id, KEY, 4),
        # After a final chunk of full length (after a short one a reader would take the two as one chunk).
        (
            "chunk_appended_after_final",
            head,
            [("padded_65536", 0), ("padded_65536", 0)],
            None,
            None,
            None,
            blobs["padded_65536"][0],
            KEY,
            4,
        ),
        (
            "chunk_1_spliced_from_another_attachment",
            head,
            [(b, 0), ("three_chunks_other_id", 1), (b, 2)],
            None,
            None,
            None,
            base_id,
            KEY,
            4,
        ),
        ("opened_under_another_id", head, [(b, 0), (b, 1), (b, 2)], None, None, None, _uuid("att/id/other"), KEY, 4),
        ("opened_under_another_key", head, [(b, 0), (b, 1), (b, 2)], None, None, None, base_id, OTHER_KEY, 4),
        (
            "header_of_another_prefix",
            att.blob_header(other_prefix),
            [(b, 0), (b, 1), (b, 2)],
            None,
            None,
            None,
            base_id,
            KEY,
            4,
        ),
        ("wrong_digest", head, [(b, 0), (b, 1), (b, 2)], None, base_size, fixed("att/wrong_digest"), base_id, KEY, 2),
        (
            "digest_of_another_blob",
            head,
            [(b, 0), (b, 1), (b, 2)],
            None,
            base_size,
            att.digest(blobs["three_chunks_other_id"][2]),
            base_id,
            KEY,
            2,
        ),
        ("wrong_size_other_length", head, [(b, 0), (b, 1), (b, 2)], None, base_size + 10_000, None, base_id, KEY, 1),
        ("wrong_size_same_length", head, [(b, 0), (b, 1), (b, 2)], None, base_size - 1, None, base_id, KEY, 5),
        ("blob_cut_one_byte_short", head, [(b, 0), (b, 1), (b, 2)], None, base_size, None, base_id, KEY, 1),
        ("bad_magic", header_with(0, ord("X")), [(b, 0), (b, 1), (b, 2)], None, None, None, base_id, KEY, 3),
        ("bad_version", header_with(4, 2), [(b, 0), (b, 1), (b, 2)], None, None, None, base_id, KEY, 3),
        ("bad_chunk_shift", header_with(5, 17), [(b, 0), (b, 1), (b, 2)], None, None, None, base_id, KEY, 3),
        ("reserved_byte_set", header_with(7, 1), [(b, 0), (b, 1), (b, 2)], None, None, None, base_id, KEY, 3),
    ]
    reject = []
    for name, header, chunk_refs, flip, given_size, given_digest, reader_id, reader_key, step in cases:
        blob = header + b"".join(parts[v][i] for v, i in chunk_refs)
        if flip is not None:
            blob = blob[:flip] + bytes([blob[flip] ^ 0x01]) + blob[flip + 1 :]
        if name == "blob_cut_one_byte_short":
            blob = blob[:-1]
        # Unless given: the attachment's own size when the length still fits it, else one that fits the length.
        size = given_size or (base_size if att.blob_length(base_size) == len(blob) else size_for(len(blob)))
        digest = given_digest or att.digest(blob)
        got = first_failure(reader_key, reader_id, blob, size, digest)
        if got != step:
            raise SystemExit(f"attachments.json {name}: refused at step {got}, meant for step {step}")
        try:
            att.open_blob(reader_key, reader_id, blob, size, digest)
        except CryptoError:
            pass
        else:
            raise SystemExit(f"attachments.json {name}: opened")
        reject.append(
            {
                "name": name,
                "header": header.hex(),
                "chunks": [{"from": v, "index": i} for v, i in chunk_refs],
                "flip": flip,
                "cut": 1 if name == "blob_cut_one_byte_short" else 0,
                "attachment_id": str(reader_id),
                "key": reader_key.hex(),
                "size": size,
                "digest": digest.hex(),
                "step": step,
            }
        )

    one_id, _, _, _ = blobs["one_chunk"]
    item_data = data_of(VECTORS[0][3])
    item, item_blob = att.new_attachment(
        item_data, "audio/webm", duration_ms=5000, key=KEY, attachment_id=one_id, prefix=PREFIX
    )
    if item_blob != blobs["one_chunk"][2] or att.open_item(item, item_blob) != item_data:
        raise SystemExit("attachments.json: the item does not name the one_chunk blob")
    sizes = [1, 1023, 1024, 16383, 16384, 63487, 63488, 65535, 65536, 131071, 140000, 10_000_000]
    return {
        "description": "Attachments (PROTOCOL.md section 19). blob = header(16) || chunk_0 || ... ; header = 'BTA1' "
        "|| 01 || 10 || 000000 || prefix(7); the stream pad(data) (padding.json) cut into chunks of 65536 bytes; "
        "chunk_i = AES-256-GCM(key, nonce = prefix || u32(i) || final(1), aad = 'between/v1/att' || attachment_id(16) "
        "|| header, pt = chunk) as ciphertext || tag; final = 01 on the last chunk only. digest = SHA-256(blob). "
        "vectors: data is 'hex', or 'pattern' repeated to 'size'; 'blob' is written out when short, and otherwise "
        "pinned by 'digest' and each chunk's tag. reject: a blob made of 'header' then the named chunks of the "
        "vectors, then the byte at 'flip' XOR 01 (when not null), then 'cut' bytes removed from the end; opening it "
        "with key, attachment_id, size and digest must fail, and fails at 'step' (1 length, 2 digest, 3 header, "
        "4 a chunk, 5 unpadding to size; every earlier step passes). item: new_attachment(one_chunk's data, "
        "'audio/webm', duration_ms=5000) with one_chunk's key, id and prefix. Byte strings are lowercase hex.",
        "constants": {
            "label": layout.LABELS["att"].decode(),
            "magic": att.MAGIC.decode(),
            "version": att.VERSION,
            "chunk_shift": att.CHUNK_SHIFT,
            "header_len": att.HEADER_LEN,
            "max_attachment_bytes": att.MAX_ATTACHMENT_BYTES,
            "max_blob_bytes": att.MAX_BLOB_BYTES,
        },
        "lengths": [
            {
                "size": n,
                "padded_length": crypto.padded_length(n),
                "chunks": att.chunk_count(n),
                "blob_length": att.blob_length(n),
            }
            for n in [*sizes, att.MAX_ATTACHMENT_BYTES]
        ],
        "vectors": vectors,
        "reject": reject,
        "item": item,
    }
