"""Attachments (PROTOCOL.md section 19): the committed vectors, and every way a chunk can be moved or changed."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from between.sync.core import attachments as att
from between.sync.core import crypto, layout
from between.sync.core.errors import CryptoError, ProtocolError

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "attachments.json").read_text())
h = bytes.fromhex


def _data(spec: dict) -> bytes:
    if "hex" in spec:
        return h(spec["hex"])
    pattern = h(spec["pattern"])
    return (pattern * (spec["size"] // len(pattern) + 1))[: spec["size"]]


def _chunks(blob: bytes) -> list[bytes]:
    return [blob[i : i + att.SEALED_CHUNK] for i in range(att.HEADER_LEN, len(blob), att.SEALED_CHUNK)]


def test_constants_and_lengths() -> None:
    c = VECTORS["constants"]
    assert c["label"].encode() == layout.LABELS["att"] == b"between/v1/att"
    assert (c["magic"].encode(), c["version"], c["chunk_shift"], c["header_len"]) == (
        att.MAGIC,
        att.VERSION,
        att.CHUNK_SHIFT,
        att.HEADER_LEN,
    )
    assert c["max_attachment_bytes"] == att.MAX_ATTACHMENT_BYTES == 48 * 1024 * 1024
    assert c["max_blob_bytes"] == att.MAX_BLOB_BYTES == att.blob_length(att.MAX_ATTACHMENT_BYTES)
    for row in VECTORS["lengths"]:
        n = row["size"]
        assert (crypto.padded_length(n), att.chunk_count(n), att.blob_length(n)) == (
            row["padded_length"],
            row["chunks"],
            row["blob_length"],
        )
        assert row["blob_length"] == 16 + row["padded_length"] + 16 * row["chunks"]


@pytest.mark.parametrize("v", VECTORS["vectors"], ids=lambda v: v["name"])
def test_vector_seals_and_opens(v: dict) -> None:
    data = _data(v["data"])
    blob = att.seal_blob(h(v["key"]), uuid.UUID(v["attachment_id"]), data, prefix=h(v["prefix"]))
    assert len(blob) == v["blob_length"] and att.chunk_count(len(data)) == v["chunks"]
    assert blob[:16].hex() == v["header"]
    assert [c[-16:].hex() for c in _chunks(blob)] == v["tags"]
    assert att.digest(blob).hex() == v["digest"]
    if "blob" in v:
        assert blob.hex() == v["blob"]
    assert att.open_blob(h(v["key"]), uuid.UUID(v["attachment_id"]), blob, v["size"], h(v["digest"])) == data


def _assemble(case: dict) -> bytes:
    blobs = {}
    for v in VECTORS["vectors"]:
        blobs[v["name"]] = att.seal_blob(
            h(v["key"]), uuid.UUID(v["attachment_id"]), _data(v["data"]), prefix=h(v["prefix"])
        )
    blob = h(case["header"]) + b"".join(_chunks(blobs[c["from"]])[c["index"]] for c in case["chunks"])
    if case["flip"] is not None:
        blob = blob[: case["flip"]] + bytes([blob[case["flip"]] ^ 1]) + blob[case["flip"] + 1 :]
    return blob[: len(blob) - case["cut"]]


@pytest.mark.parametrize("case", VECTORS["reject"], ids=lambda c: c["name"])
def test_reject_vector_is_refused(case: dict) -> None:
    blob = _assemble(case)
    assert att.digest(blob).hex() == case["digest"] or case["step"] <= 2
    with pytest.raises(CryptoError) as err:
        att.open_blob(h(case["key"]), uuid.UUID(case["attachment_id"]), blob, case["size"], h(case["digest"]))
    assert err.value.detail == "attachment failed verification"


def test_item_names_the_blob() -> None:
    one = VECTORS["vectors"][0]
    item, blob = att.new_attachment(
        _data(one["data"]),
        "audio/webm",
        duration_ms=5000,
        key=h(one["key"]),
        attachment_id=uuid.UUID(one["attachment_id"]),
        prefix=h(one["prefix"]),
    )
    assert item == VECTORS["item"]
    assert blob.hex() == one["blob"]
    assert att.open_item(item, blob) == _data(one["data"])


def _sealed(size: int) -> tuple[bytes, uuid.UUID, bytes, bytes]:
    key, aid, data = os.urandom(32), uuid.uuid4(), os.urandom(size)
    return key, aid, data, att.seal_blob(key, aid, data)


def _size_fitting(length: int, size: int) -> int:
    """`size` when a blob of `length` bytes fits it, else a size that it fits (the largest whose padding ends there)."""
    if att.blob_length(size) == length:
        return size
    for n in range(1, length // att.SEALED_CHUNK + 2):
        padded = length - att.HEADER_LEN - crypto.TAG_LEN * n
        if padded > 0 and att.chunk_count(padded - 1) == n and crypto.padded_length(padded - 1) == padded:
            assert att.blob_length(padded - 1) == length
            return padded - 1
    return size


def test_every_chunk_moved_or_changed_is_refused_even_with_the_digest_recomputed() -> None:
    """A reader checking chunks as they stream (without the digest) still refuses each change: the digest given is
    that of the changed blob, and its size one whose length fits it."""
    key, aid, data, blob = _sealed(5 * att.CHUNK_SIZE + 1000)
    chunks = _chunks(blob)
    n = len(chunks)
    assert att.open_blob(key, aid, blob, len(data), att.digest(blob)) == data
    bad: list[bytes] = []
    for i in range(n):
        for where in (0, len(chunks[i]) // 2, len(chunks[i]) - 1):  # ciphertext start, middle, tag
            changed = bytearray(chunks[i])
            changed[where] ^= 0x80
            bad.append(blob[:16] + b"".join([*chunks[:i], bytes(changed), *chunks[i + 1 :]]))
        if i + 1 < n - 1:
            bad.append(blob[:16] + b"".join([*chunks[:i], chunks[i + 1], chunks[i], *chunks[i + 2 :]]))
        if i < n - 1:
            bad.append(blob[:16] + b"".join(chunks[:i] + chunks[i + 1 :]))  # dropped
    bad.append(blob[:16] + b"".join(chunks[:-1]))  # truncated at a chunk boundary
    for changed_blob in bad:
        with pytest.raises(CryptoError):
            att.open_blob(key, aid, changed_blob, _size_fitting(len(changed_blob), len(data)), att.digest(changed_blob))


def test_streaming_reader_opens_chunk_by_chunk_and_needs_the_final_flag() -> None:
    key, aid, data, blob = _sealed(3 * att.CHUNK_SIZE)  # padded to four chunks, the last all padding
    header, chunks = blob[:16], _chunks(blob)
    assert len(chunks) == att.chunk_count(len(data)) == 4
    stream = b"".join(att.open_chunk(key, aid, header, i, i == 3, c) for i, c in enumerate(chunks))
    assert crypto.unpad(stream) == data
    with pytest.raises(CryptoError):
        att.open_chunk(key, aid, header, 2, True, chunks[2])  # not the last: cannot pass as the end
    with pytest.raises(CryptoError):
        att.open_chunk(key, aid, header, 3, False, chunks[3])
    with pytest.raises(CryptoError):
        att.open_chunk(key, aid, header, 1, False, chunks[0])
    for i in range(4):
        start, end = att.chunk_span(len(data), i)
        assert blob[start:end] == chunks[i]


def test_sizes_at_the_edges() -> None:
    for size in (1, 1023, 1024, 65535, 65536, 65537):
        key, aid, data, blob = _sealed(size)
        assert len(blob) == att.blob_length(size)
        assert att.open_blob(key, aid, blob, size, att.digest(blob)) == data
    with pytest.raises(ProtocolError):
        att.seal_blob(os.urandom(32), uuid.uuid4(), b"")
    with pytest.raises(ProtocolError):
        att.seal_blob(os.urandom(31), uuid.uuid4(), b"x")
    key, aid, data, blob = _sealed(10)
    for size in (0, -1, True, 10.0, att.MAX_ATTACHMENT_BYTES + 1):
        with pytest.raises(CryptoError):
            att.open_blob(key, aid, blob, size, att.digest(blob))  # type: ignore[arg-type]


def test_item_keys_and_refusals() -> None:
    item, blob = att.new_attachment(b"\x89PNG...", "image/png", width=640, height=480)
    assert set(item) == {"id", "key", "size", "digest", "media", "width", "height"}
    assert len(item["key"]) == len(item["digest"]) == 43 and uuid.UUID(item["id"]).version == 4
    assert att.open_item(item, blob) == b"\x89PNG..."
    with pytest.raises(ProtocolError):
        att.new_attachment(b"x", "video/mp4")
    with pytest.raises(ProtocolError):
        att.new_attachment(b"x", "image/png", width=10)
    other_key = ("B" if item["key"][0] != "B" else "C") + item["key"][1:]
    for broken in ({**item, "key": other_key}, {**item, "key": "!" * 43}, {**item, "id": "x"}, {}):
        with pytest.raises(CryptoError):
            att.open_item(broken, blob)
    with pytest.raises(ProtocolError):
        att.from_b64url(item["key"][:-1] + "B", 32)  # spare bits set: not the one canonical spelling


def test_named_items_hand_out_only_allowed_media_but_every_blob_is_named() -> None:
    base = {"key": "k", "size": 3, "digest": "d"}
    ids = [str(uuid.UUID(int=i + 1)) for i in range(4)]
    doc = {
        "fields": {
            "photos": [
                {**base, "id": ids[0], "media": "image/png"},
                {**base, "id": ids[1], "media": "text/html"},
                {**base, "id": ids[2], "media": "image/svg+xml"},
                {**base, "id": ids[3]},
            ]
        }
    }
    assert [i["id"] for i in att.named_items(doc)] == [ids[0]]
    assert att.named_ids(doc) == sorted(uuid.UUID(i) for i in ids)


@pytest.mark.parametrize("size", [0, -1, att.MAX_ATTACHMENT_BYTES + 1, 2**40, True, "3", 1.5])
def test_a_download_checks_the_items_size_before_it_asks_for_a_byte(tmp_path, size) -> None:
    from between.sync.client.blobs import Blobs

    class Asked:
        calls = 0

        def get_blob(self, *args):  # the server: never reached for an item out of bounds
            Asked.calls += 1
            return b""

    item = {"id": str(uuid.uuid4()), "key": "k", "size": size, "digest": "d", "media": "image/png"}
    with pytest.raises(CryptoError):
        Blobs(tmp_path).download(Asked(), item)  # type: ignore[arg-type]
    assert Asked.calls == 0
