"""Tests of sync/core/records.py: revisions, DEK wraps and grants, including every single-byte tamper."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from between.sync.core import crypto, keys, layout, records, wire
from between.sync.core.errors import CryptoError, ProtocolError, RollbackError


def person(name: str, role: str) -> keys.AccountSecrets:
    return keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle=name,
        role=role,
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )


ALICE = person("alice", "client")
THEO = person("theo", "therapist")
RECORD = uuid.uuid4().bytes
KEY_ID = crypto.random_bytes(16)
DEK = crypto.random_bytes(32)
DOC = {
    "v": 1,
    "kind": "journal",
    "fields": {"body": "slept badly, walked, felt better\n"},  # PROTOCOL.md §13
    "created_at": "2026-11-25T19:46:40.000Z",
    "updated_at": "2026-11-25T19:46:40.000Z",
    "device": "4c72a971-69af-4caf-9eae-5024a410436f",
}


def seal(**changes) -> wire.Revision:
    args = dict(
        owner_id=ALICE.user_id,
        record_id=RECORD,
        version=1,
        parent=None,
        key_id=KEY_ID,
        dek=DEK,
        plaintext=records.encode_document(DOC),
        sig_seed=ALICE.sig_seed,
    )
    return records.seal_revision(**(args | changes))


def open_(rev: wire.Revision, **changes) -> tuple[layout.Header, bytes]:
    ctx = dict(owner_id=ALICE.user_id, record_id=RECORD, dek=DEK, key_id=KEY_ID, signer_pub=ALICE.sig_pub)
    return records.open_revision(rev, **(ctx | changes))


def flip(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def resign(header: bytes, ct: bytes) -> wire.Revision:
    """What a thief of the owner's signing key (or a malicious owner) could produce."""
    sig = crypto.ed25519_sign(ALICE.sig_seed, layout.LABELS["rev"] + records.rev_id(header, ct))
    return wire.Revision(header=header, ct=ct, signature=sig)


REV = seal()


def test_round_trip_and_header_fields() -> None:
    header, plaintext = open_(REV)
    assert records.decode_document(plaintext) == DOC
    assert (header.owner_id, header.record_id) == (ALICE.user_id, RECORD)
    assert (header.version, header.parent) == (1, layout.ZERO32)
    assert header.key_commit == records.key_commit(DEK, KEY_ID) and not header.deleted
    assert len(REV.ct) == 1024 + 16  # padded to the first bucket
    h, rid = records.verify_revision(REV, ALICE.sig_pub)
    assert rid == records.rev_id(REV.header, REV.ct) == crypto.sha256(REV.header + REV.ct) and h == header


def test_uuid_ids_are_accepted_and_tombstones_flagged() -> None:
    parent = records.rev_id(REV.header, REV.ct)
    rev = seal(
        owner_id=uuid.UUID(bytes=ALICE.user_id),
        record_id=uuid.UUID(bytes=RECORD),
        version=2,
        parent=parent,
        plaintext=b"",
        deleted=True,
    )
    header, plaintext = open_(rev)
    assert header.deleted and header.parent == parent and plaintext == b""


def test_seal_refuses_inconsistent_parent() -> None:
    with pytest.raises(ProtocolError):
        seal(version=2, parent=None)
    with pytest.raises(ProtocolError):
        seal(version=1, parent=b"\x01" * 32)


@pytest.mark.parametrize("field", ["header", "ct", "signature"])
def test_every_flipped_byte_is_rejected(field: str) -> None:
    value = getattr(REV, field)
    accepted = []
    for i in range(len(value)):
        rev = msgspec.structs.replace(REV, **{field: flip(value, i)})
        try:
            open_(rev)
            accepted.append(i)
        except CryptoError:
            pass
        with pytest.raises(CryptoError):
            records.verify_revision(rev, ALICE.sig_pub)
    assert accepted == []


@pytest.mark.parametrize("field", ["header", "ct"])
def test_every_flipped_byte_is_rejected_even_when_re_signed(field: str) -> None:
    # The signature is not the only guard: context checks, key commitment and AES-GCM catch each flip too.
    accepted = []
    for i in range(len(getattr(REV, field))):
        header, ct = (flip(REV.header, i), REV.ct) if field == "header" else (REV.header, flip(REV.ct, i))
        try:
            open_(resign(header, ct))
            accepted.append(i)
        except CryptoError:
            pass
    assert accepted == []


@pytest.mark.parametrize(
    "changes",
    [
        {"record_id": uuid.uuid4().bytes},
        {"owner_id": THEO.user_id},
        {"owner_id": uuid.UUID(bytes=THEO.user_id)},
        {"key_id": crypto.random_bytes(16)},
        {"signer_pub": THEO.sig_pub},
        {"dek": crypto.random_bytes(32)},
    ],
    ids=["moved_record", "other_owner", "other_owner_uuid", "other_key_id", "other_signer", "other_dek"],
)
def test_revision_out_of_context_is_rejected(changes: dict) -> None:
    with pytest.raises(CryptoError) as info:
        open_(REV, **changes)
    assert str(info.value) == "revision failed verification"


def test_revision_moved_to_another_record_and_re_signed_is_rejected() -> None:
    # Rewriting record_id in the header (even re-signed) breaks the AEAD: the header is the AAD.
    header = REV.header[:24] + uuid.uuid4().bytes + REV.header[40:]
    moved = resign(header, REV.ct)
    with pytest.raises(CryptoError):
        open_(moved, record_id=header[24:40])


def test_two_deks_invisible_salamander_is_rejected() -> None:
    """A malicious owner gives readers two DEKs. The header commits to one; the other must be refused
    before decryption, and committing to the other one breaks AES-GCM instead."""
    other = crypto.random_bytes(32)
    with pytest.raises(CryptoError):
        open_(REV, dek=other)
    recommitted = REV.header[:92] + records.key_commit(other, KEY_ID) + REV.header[124:]
    forged = resign(recommitted, REV.ct)
    with pytest.raises(CryptoError):
        open_(forged, dek=other)
    with pytest.raises(CryptoError):
        open_(forged)


def test_trailing_or_missing_bytes_are_rejected() -> None:
    for rev in (
        wire.Revision(header=REV.header, ct=REV.ct[:-1], signature=REV.signature),
        wire.Revision(header=REV.header, ct=b"", signature=REV.signature),
        resign(REV.header, REV.ct + b"\x00"),
        resign(REV.header, REV.ct[:15]),
    ):
        with pytest.raises(CryptoError):
            open_(rev)


def test_bad_padding_under_a_valid_aead_is_rejected() -> None:
    header = layout.Header.parse(REV.header)
    ct = crypto.gcm_encrypt(DEK, header.nonce, b"x" * 1024, REV.header)  # no 0x80 marker
    with pytest.raises(CryptoError):
        open_(resign(REV.header, ct))


def test_high_water_refuses_rollback_and_fork() -> None:
    rid_a, rid_b = crypto.random_bytes(32), crypto.random_bytes(32)
    records.check_high_water(None, 1, rid_a)
    records.check_high_water((3, rid_a), 3, rid_a)
    records.check_high_water((3, rid_a), 4, rid_b)
    with pytest.raises(RollbackError):
        records.check_high_water((3, rid_a), 2, rid_b)
    with pytest.raises(RollbackError):
        records.check_high_water((3, rid_a), 3, rid_b)


# ---------------------------------------------------------------- DEK wraps


def test_dek_wrap_binds_owner_record_and_key_id() -> None:
    wrapped = records.wrap_dek(ALICE.kwk, ALICE.user_id, RECORD, KEY_ID, DEK)
    assert records.unwrap_dek(ALICE.kwk, uuid.UUID(bytes=ALICE.user_id), RECORD, KEY_ID, wrapped) == DEK
    for args in (
        (THEO.kwk, ALICE.user_id, RECORD, KEY_ID),
        (ALICE.kwk, THEO.user_id, RECORD, KEY_ID),
        (ALICE.kwk, ALICE.user_id, uuid.uuid4().bytes, KEY_ID),
        (ALICE.kwk, ALICE.user_id, RECORD, crypto.random_bytes(16)),
    ):
        with pytest.raises(CryptoError):
            records.unwrap_dek(*args, wrapped)
    for i in range(len(wrapped)):
        with pytest.raises(CryptoError):
            records.unwrap_dek(ALICE.kwk, ALICE.user_id, RECORD, KEY_ID, flip(wrapped, i))


def test_a_wrap_that_opens_but_holds_no_32_byte_dek_is_refused() -> None:
    """unwrap_dek: the AEAD and its AAD hold (right key, owner, record and key id); only the length check is left."""
    for size in (31, 33):
        wrapped = records.wrap_dek(ALICE.kwk, ALICE.user_id, RECORD, KEY_ID, crypto.random_bytes(size))
        with pytest.raises(CryptoError):
            records.unwrap_dek(ALICE.kwk, ALICE.user_id, RECORD, KEY_ID, wrapped)


# ---------------------------------------------------------------- grants


def grant(**changes) -> wire.GrantUpload:
    args = dict(
        sig_seed=ALICE.sig_seed,
        owner_id=ALICE.user_id,
        record_id=RECORD,
        key_id=KEY_ID,
        dek=DEK,
        grantee_id=THEO.user_id,
        grantee_kem_pub=THEO.kem_pub,
    )
    return records.make_grant(**(args | changes))


GRANT = grant()


def open_grant(g: wire.GrantUpload | wire.Grant, **changes) -> tuple[layout.GrantBody, bytes]:
    ctx = dict(owner_sig_pub=ALICE.sig_pub, me_id=THEO.user_id, my_kem_seed=THEO.kem_seed)
    return records.open_grant(g, **(ctx | changes))


def test_grant_round_trip_and_body() -> None:
    body, dek = open_grant(GRANT)
    assert dek == DEK
    assert (body.owner_id, body.record_id) == (ALICE.user_id, RECORD)
    assert (body.key_id, body.grantee_id) == (KEY_ID, THEO.user_id)
    assert body.grantee_kem_hash == crypto.sha256(THEO.kem_pub)
    assert records.verify_grant(GRANT, ALICE.sig_pub) == body
    # The therapist can then open the revision with the granted DEK.
    assert open_(REV, dek=dek)[1] == records.encode_document(DOC)


def test_stored_grant_must_match_its_row() -> None:
    row = dict(
        record_id=uuid.UUID(bytes=RECORD),
        owner_id=uuid.UUID(bytes=ALICE.user_id),
        grantee_id=uuid.UUID(bytes=THEO.user_id),
        key_id=KEY_ID,
        body=GRANT.body,
        sealed=GRANT.sealed,
        signature=GRANT.signature,
        created_at=0,
    )
    assert open_grant(wire.Grant(**row))[1] == DEK
    for changes in ({"record_id": uuid.uuid4()}, {"grantee_id": uuid.uuid4()}, {"key_id": crypto.random_bytes(16)}):
        with pytest.raises(CryptoError):
            open_grant(wire.Grant(**(row | changes)))


@pytest.mark.parametrize("field", ["body", "sealed", "signature"])
def test_every_flipped_grant_byte_is_rejected(field: str) -> None:
    value = getattr(GRANT, field)
    for i in range(len(value)):
        g = msgspec.structs.replace(GRANT, **{field: flip(value, i)})
        with pytest.raises(CryptoError):
            open_grant(g)
        with pytest.raises(CryptoError):
            records.verify_grant(g, ALICE.sig_pub)


@pytest.mark.parametrize("field", ["body", "sealed"])
def test_every_flipped_grant_byte_is_rejected_even_when_re_signed(field: str) -> None:
    value = getattr(GRANT, field)
    for i in range(len(value)):
        g = msgspec.structs.replace(GRANT, **{field: flip(value, i)})
        g = msgspec.structs.replace(g, signature=crypto.ed25519_sign(ALICE.sig_seed, g.body + crypto.sha256(g.sealed)))
        with pytest.raises(CryptoError):
            open_grant(g)


def test_grant_for_someone_else_or_signed_by_someone_else_is_rejected() -> None:
    eve = person("eve", "client")
    with pytest.raises(CryptoError):
        open_grant(GRANT, me_id=eve.user_id, my_kem_seed=eve.kem_seed)
    with pytest.raises(CryptoError):
        open_grant(GRANT, my_kem_seed=eve.kem_seed)
    with pytest.raises(CryptoError):
        open_grant(GRANT, owner_sig_pub=eve.sig_pub)
    # Sealed to eve's key but naming theo: the kem hash in the body gives it away.
    to_eve = grant(grantee_kem_pub=eve.kem_pub)
    with pytest.raises(CryptoError):
        open_grant(to_eve)


def test_grant_to_low_order_key_is_refused() -> None:
    with pytest.raises(CryptoError):
        grant(grantee_kem_pub=bytes(32))


# ---------------------------------------------------------------- documents


def test_document_encoding_is_canonical() -> None:
    doc = {"b": 1, "a": {"z": "ü 🙂", "y": [1, 2]}}
    assert records.encode_document(doc) == '{"a":{"y":[1,2],"z":"ü 🙂"},"b":1}'.encode()
    assert records.decode_document(records.encode_document(doc)) == doc


@pytest.mark.parametrize("data", [b"[1]", b'{"a":1,"a":2}', b'{"a":NaN}', b'{"a":-1e999}', b"\xff", b"{"])
def test_bad_documents_are_refused(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        records.decode_document(data)


@pytest.mark.parametrize("doc", [{"a": float("inf")}, {"a": b"bytes"}, [1]], ids=["inf", "bytes", "list"])
def test_encode_refuses_what_json_cannot_carry(doc) -> None:
    with pytest.raises(ProtocolError):
        records.encode_document(doc)


def test_a_deeply_nested_document_is_refused_before_parsing():
    """A linked peer's document nested past the limit must be a ProtocolError, never a RecursionError
    that would stop every later page of a sync."""
    deep = b'{"a":' + b"[" * (records.MAX_DOCUMENT_DEPTH + 1) + b"]" * (records.MAX_DOCUMENT_DEPTH + 1) + b"}"
    with pytest.raises(ProtocolError, match="nested too deeply"):
        records.decode_document(deep)
    huge = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(ProtocolError):
        records.decode_document(huge)
    # many brackets side by side are not depth: a list of 100 small lists still decodes
    wide = b'{"a":[' + b",".join([b"[1]"] * 100) + b"]}"
    assert len(records.decode_document(wide)["a"]) == 100


@pytest.mark.parametrize("escaped", [False, True], ids=["no-backslash", "backslash"])
def test_brackets_in_strings_are_not_depth_with_or_without_escapes(escaped) -> None:
    """The depth check drops the strings first: split at quotes when the text has no backslash, else by a pattern
    that knows escapes; both ways a string's brackets are text and the document's own are counted."""
    text = '\\"' if escaped else "q"
    brackets = "[" * 40 + "{" * 40
    shallow = f'{{"a":"{text}{brackets}","b":[' + ",".join(["{}"] * 40) + "]}"
    assert records.decode_document(shallow.encode())["a"] == text.replace("\\", "") + brackets
    n = records.MAX_DOCUMENT_DEPTH + 1
    deep = f'{{"a":"{text}]]]}}}}}}","b":' + "[" * n + "]" * n + "}"
    with pytest.raises(ProtocolError, match="nested too deeply"):
        records.decode_document(deep.encode())
    at_limit = f'{{"a":"{text}","b":' + "[" * (n - 2) + "]" * (n - 2) + "}"
    assert records.decode_document(at_limit.encode())["a"] == text.replace("\\", "")
