"""The browser's protocol code, checked from Python: vectors made by web/tools/js-vectors.js must match sync/."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from between.sync.core import crypto, keys, layout, records, safety, wire

JS_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "js"
h = bytes.fromhex


def load(name: str):
    path = JS_VECTORS / name
    assert path.exists(), f"{path} is missing: run `node web/tools/js-vectors.js`"
    return json.loads(path.read_text())


def test_primitives_match_python():
    ops = load("primitives.json")
    assert {v["op"] for v in ops} == {"hkdf", "aead", "ed25519", "x25519", "hpke", "pad"}
    for v in ops:
        if v["op"] == "hkdf":
            assert crypto.hkdf(h(v["ikm"]), v["label"], h(v["context"])).hex() == v["out"]
        elif v["op"] == "aead":
            assert crypto.aead_seal(h(v["key"]), h(v["plaintext"]), h(v["aad"]), h(v["nonce"])).hex() == v["out"]
            assert crypto.aead_open(h(v["key"]), h(v["out"]), h(v["aad"])) == h(v["plaintext"])
        elif v["op"] == "ed25519":
            assert crypto.ed25519_public(h(v["seed"])).hex() == v["public"]
            assert crypto.ed25519_sign(h(v["seed"]), h(v["message"])).hex() == v["signature"]
            crypto.ed25519_verify(h(v["public"]), h(v["signature"]), h(v["message"]))
        elif v["op"] == "x25519":
            assert crypto.x25519_public(h(v["seed"])).hex() == v["public"]
            assert crypto.x25519(h(v["seed"]), h(v["peer"])).hex() == v["shared"]
        elif v["op"] == "hpke":
            sealed = crypto.hpke_seal(h(v["recipient_pub"]), h(v["info"]), h(v["plaintext"]), h(v["ephemeral_seed"]))
            assert sealed.hex() == v["sealed"]
            assert crypto.hpke_open(h(v["recipient_seed"]), h(v["info"]), h(v["sealed"])) == h(v["plaintext"])
        elif v["op"] == "pad":
            assert crypto.padded_length(v["length"]) == v["padded_length"]


def test_revisions_open_in_python_and_reseal_identically():
    v = load("records.json")
    owner, record, key_id, dek = h(v["owner_id"]), h(v["record_id"]), h(v["key_id"]), h(v["dek"])
    parent = None
    for r in v["revisions"]:
        rev = wire.Revision(header=h(r["header"]), ct=h(r["ct"]), signature=h(r["signature"]))
        header, plaintext = records.open_revision(
            rev, owner_id=owner, record_id=record, dek=dek, key_id=key_id, signer_pub=h(v["sig_pub"])
        )
        assert plaintext == h(r["plaintext"])
        assert header.version == r["version"] and header.deleted == r.get("deleted", False)
        assert records.rev_id(rev.header, rev.ct).hex() == r["rev_id"]
        again = records.seal_revision(
            owner_id=owner,
            record_id=record,
            version=r["version"],
            parent=parent,
            key_id=key_id,
            dek=dek,
            plaintext=plaintext,
            sig_seed=h(v["sig_seed"]),
            deleted=header.deleted,
            nonce=header.nonce,
        )
        assert again == rev
        parent = h(r["rev_id"])
    kwk = crypto.hkdf(h(v["account_key"]), "ak_kwk")
    assert records.unwrap_dek(kwk, owner, record, key_id, h(v["dek_wrap"])) == dek
    assert records.encode_document(v["document"]["doc"]).hex() == v["document"]["encoded"]


def test_tampered_js_revision_is_refused():
    v = load("records.json")
    r = v["revisions"][0]
    ct = bytearray(h(r["ct"]))
    ct[0] ^= 1
    rev = wire.Revision(header=h(r["header"]), ct=bytes(ct), signature=h(r["signature"]))
    with pytest.raises(crypto.CryptoError):
        records.open_revision(
            rev,
            owner_id=h(v["owner_id"]),
            record_id=h(v["record_id"]),
            dek=h(v["dek"]),
            key_id=h(v["key_id"]),
            signer_pub=h(v["sig_pub"]),
        )


def test_grant_opens_in_python_and_matches_python_grant():
    v = load("grants.json")
    grant = wire.GrantUpload(body=h(v["body"]), sealed=h(v["sealed"]), signature=h(v["signature"]))
    body, dek = records.open_grant(
        grant, owner_sig_pub=h(v["owner_sig_pub"]), me_id=h(v["grantee_id"]), my_kem_seed=h(v["grantee_kem_seed"])
    )
    assert dek == h(v["dek"]) and body.record_id == h(v["record_id"])
    prim = {p["op"]: p for p in load("primitives.json")}
    again = records.make_grant(
        sig_seed=h(load("records.json")["sig_seed"]),
        owner_id=h(v["owner_id"]),
        record_id=h(v["record_id"]),
        key_id=h(v["key_id"]),
        dek=dek,
        grantee_id=h(v["grantee_id"]),
        grantee_kem_pub=crypto.x25519_public(h(v["grantee_kem_seed"])),
        ephemeral_seed=h(prim["hpke"]["ephemeral_seed"]),
    )
    assert again == grant


def test_account_material_matches_python():
    v = load("accounts.json")
    assert "kek" not in v and "rk_envelope" not in v  # one KEK per envelope, named for it
    user_id, ak, pw_kek = h(v["user_id"]), h(v["account_key"]), h(v["pw_kek"])
    k = v["kdf"]
    kdf = wire.KdfParams(memory_kib=k["memory_kib"], iterations=k["iterations"], lanes=k["lanes"], salt=h(k["salt"]))
    assert keys.kdf_bytes(kdf).hex() == k["packed"]
    assert keys.open_pw_envelope(pw_kek, user_id, kdf, h(v["pw_envelope"])) == ak
    idwk = crypto.hkdf(ak, "ak_idwk")
    assert keys.open_id_wrap(idwk, user_id, h(v["id_wrap"])) == (h(v["sig_seed"]), h(v["kem_seed"]))
    rk = v["recovery"]
    assert keys.format_recovery_key(h(rk["raw"])) == rk["text"]
    assert keys.parse_recovery_key(rk["text"].lower()) == h(rk["raw"])
    login = keys.derive_recovery_keys(h(rk["raw"]))
    assert login.kek.hex() == rk["kek"] and login.login_pub.hex() == rk["login_pub"]
    # The recovery envelope opens under the KEK derived from the recovery key, and under nothing else.
    assert keys.open_rk_envelope(login.kek, user_id, h(rk["rk_envelope"])) == ak
    with pytest.raises(crypto.CryptoError):
        keys.open_rk_envelope(pw_kek, user_id, h(rk["rk_envelope"]))
    bundles = [
        wire.KeyBundle(
            user_id=uuid.UUID(bytes=h(b["user_id"])),
            handle=b["handle"],
            role=b["role"],
            sig_pub=h(b["sig_pub"]),
            kem_pub=h(b["kem_pub"]),
            signature=h(b["signature"]),
        )
        for b in v["bundles"]
    ]
    for b in bundles:
        keys.verify_bundle(b)
    assert safety.safety_number(bundles[0], bundles[1]) == v["safety_number"]
    assert safety.safety_number(bundles[1], bundles[0]) == v["safety_number"]
    assert safety.key_fingerprint(bundles[1]) == v["fingerprint"]
    a = v["auth"]
    transcript = layout.auth_transcript(
        a["origin"], a["handle"], h(a["challenge_id"]), h(a["challenge"]), a["action"], h(a["bound"])
    )
    assert transcript.hex() == a["transcript"]
    keys.verify_auth(
        h(a["public"]),
        h(a["signature"]),
        a["origin"],
        a["handle"],
        h(a["challenge_id"]),
        h(a["challenge"]),
        a["action"],
        h(a["bound"]),
    )
    with pytest.raises(crypto.CryptoError):
        keys.verify_auth(
            h(a["public"]),
            h(a["signature"]),
            "http://evil.example",
            a["handle"],
            h(a["challenge_id"]),
            h(a["challenge"]),
            a["action"],
            h(a["bound"]),
        )


def test_browser_field_validation_matches_python():
    from between.sync.core import kinds

    cases = load("kinds.json")
    assert any("valid" in c for c in cases) and any("error_field" in c for c in cases)
    for c in cases:
        if "valid" in c:
            assert kinds.validate_fields(c["kind"], c["fields"]) == c["valid"], c
        else:
            with pytest.raises(kinds.FieldError) as err:
                kinds.validate_fields(c["kind"], c["fields"])
            assert err.value.field_id == c["error_field"], c


def test_browser_attachments_match_python():
    from between.sync.core import attachments as att

    v = load("attachments.json")
    assert len(v["vectors"]) >= 2 and any(x["size"] > att.CHUNK_SIZE for x in v["vectors"])
    by_name = {}
    for x in v["vectors"]:
        if "hex" in x["data"]:
            data = h(x["data"]["hex"])
        else:
            pattern = h(x["data"]["pattern"])
            data = (pattern * (x["data"]["size"] // len(pattern) + 1))[: x["data"]["size"]]
        aid = uuid.UUID(x["attachment_id"])
        blob = att.seal_blob(h(x["key"]), aid, data, prefix=h(x["prefix"]))
        assert len(blob) == x["blob_length"] == att.blob_length(x["size"]), x["name"]
        assert [
            blob[att.chunk_span(len(data), i)[1] - 16 : att.chunk_span(len(data), i)[1]].hex()
            for i in range(len(x["tags"]))
        ] == x["tags"]
        assert att.digest(blob).hex() == x["digest"], x["name"]
        if "blob" in x:
            assert blob.hex() == x["blob"]
            assert att.open_blob(h(x["key"]), aid, h(x["blob"]), x["size"], h(x["digest"])) == data
        assert att.open_blob(h(x["key"]), aid, blob, x["size"], h(x["digest"])) == data
        by_name[x["name"]] = (x, data)
    x, data = by_name["voice_note"]
    item, blob = att.new_attachment(
        data,
        "image/jpeg",
        width=1200,
        height=900,
        key=h(x["key"]),
        attachment_id=uuid.UUID(x["attachment_id"]),
        prefix=h(x["prefix"]),
    )
    assert item == v["item"]
    assert att.open_item(v["item"], blob) == data
