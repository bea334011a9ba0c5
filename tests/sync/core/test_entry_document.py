"""Entry documents (docs/PROTOCOL.md section 13): every vector plaintext is one, and what the CLI writes is one."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from between.sync.client.client import Client
from between.sync.client.keysfile import KeysFile
from between.sync.core import entry_document, keys, records, wire
from between.sync.core.errors import ProtocolError
from between.sync.core.kinds import FieldError

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
h = bytes.fromhex


def _load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _check(plaintext: bytes, deleted: bool) -> dict:
    """Decode a revision's plaintext and validate it as its deleted flag says; it must be normalised already."""
    doc = records.decode_document(plaintext)
    assert records.encode_document(doc) == plaintext  # canonical JSON, byte for byte
    assert entry_document.document_type(doc) == "entry"
    assert entry_document.validate_entry_document(doc, deleted=deleted) == doc
    return doc


def test_every_python_record_vector_carries_an_entry_document():
    vectors = _load("records.json")["vectors"]
    docs = [_check(h(v["plaintext"]), v["deleted"]) for v in vectors]
    assert [v["plaintext_text"].encode() for v in vectors] == [h(v["plaintext"]) for v in vectors]
    assert [d.get("deleted", False) for d in docs] == [False, False, True]
    assert docs[-1]["fields"] == {} and docs[-1]["kind"] == docs[0]["kind"]


def test_every_js_record_vector_carries_an_entry_document():
    revisions = _load("js/records.json")["revisions"]
    docs = [_check(h(r["plaintext"]), r.get("deleted", False)) for r in revisions]
    assert docs[-1]["deleted"] is True


def test_the_revision_tamper_json_accepts_carries_an_entry_document():
    t = _load("tamper.json")
    ctx = {k: h(v) for k, v in t["revision_context"].items()}
    for case in t["revisions"]:
        if case["expect"] != "accept":
            continue
        rev = wire.Revision(header=h(case["header"]), ct=h(case["ct"]), signature=h(case["signature"]))
        header, plaintext = records.open_revision(rev, **ctx)
        _check(plaintext, header.deleted)


def test_the_browser_decodes_plaintexts_as_python_does():
    cases = _load("js/documents.json")["plaintexts"]
    assert {c["decodes"] for c in cases} == {True, False}
    for c in cases:
        if c["decodes"]:
            records.decode_document(h(c["plaintext"]))
        else:
            with pytest.raises(ProtocolError):
                records.decode_document(h(c["plaintext"]))


def test_the_browser_validates_documents_as_python_does():
    cases = _load("js/documents.json")["documents"]
    assert any("valid" in c for c in cases) and any("error" in c for c in cases)
    for c in cases:
        if "valid" in c:
            assert entry_document.validate_entry_document(c["doc"], deleted=c["deleted"]) == c["valid"], c["name"]
            assert entry_document.validate_entry_document(c["valid"], deleted=c["deleted"]) == c["valid"], c["name"]
        else:
            with pytest.raises(FieldError) as err:
                entry_document.validate_entry_document(c["doc"], deleted=c["deleted"])
            assert (err.value.code, err.value.field_id) == (c["error"]["code"], c["error"]["field"]), c["name"]


def test_the_flag_and_the_document_must_agree():
    doc = json.loads(_load("records.json")["vectors"][0]["plaintext_text"])
    with pytest.raises(FieldError, match="deleted"):
        entry_document.validate_entry_document(doc, deleted=True)
    gone = entry_document.tombstone(doc, doc["updated_at"], doc["device"])
    with pytest.raises(FieldError, match="deleted"):
        entry_document.validate_entry_document(gone, deleted=False)
    assert entry_document.validate_entry_document(gone, deleted=True) == gone


def test_what_the_cli_writes_is_an_entry_document(tmp_path):
    secrets = keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle="alice",
        role="client",
        account_key=b"\x01" * 32,
        sig_seed=b"\x02" * 32,
        kem_seed=b"\x03" * 32,
    )
    client = Client(tmp_path / "cli")
    device = uuid.uuid4()
    client.store.create(
        KeysFile(
            server="http://127.0.0.1:9",
            handle="alice",
            role="client",
            user_id=secrets.user_id,
            device_id=device.bytes,
            account_key=secrets.account_key,
            sig_seed=secrets.sig_seed,
            kem_seed=secrets.kem_seed,
            device_seed=b"\x04" * 32,
            token="",
        )
    )
    rid = client.add_entry("mood", {"score": 4, "emotions": [" calm ", "tired"]})
    client.edit_entry(rid, {"note": "Better after lunch.\r\n"})
    edited = client.engine.head(rid)
    assert entry_document.validate_entry_document(edited.document, deleted=False) == edited.document
    assert edited.document["device"] == str(device)
    assert edited.document["fields"] == {"score": 4, "emotions": ["calm", "tired"], "note": "Better after lunch.\n"}
    client.delete_entry(rid)
    gone = client.engine.head(rid)
    assert gone.deleted
    assert entry_document.validate_entry_document(gone.document, deleted=True) == gone.document
    assert gone.document["deleted"] is True and gone.document["fields"] == {}
    assert gone.document["created_at"] == edited.document["created_at"]
