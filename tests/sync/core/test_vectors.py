"""The committed vectors in tests/vectors/*.json: reproduced byte for byte, and each checked on its own."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest

from between.sync.core import crypto, keys, layout, records, safety, wire
from between.sync.core.errors import CryptoError, ProtocolError

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _load_generator():
    # Loaded by path so the test doesn't depend on `tests` being importable as a package.
    spec = importlib.util.spec_from_file_location("bt1_vector_generator", VECTORS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()
FILES = sorted(GENERATOR.BUILDERS)


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def b(value: str) -> bytes:
    return bytes.fromhex(value)


@pytest.mark.parametrize("name", FILES)
def test_generator_reproduces_committed_file(name: str) -> None:
    assert GENERATOR.build([name])[name] == (VECTORS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", FILES)
def test_every_file_describes_itself(name: str) -> None:
    assert len(load(name)["description"]) > 40


def test_labels_match_layout() -> None:
    doc = load("labels.json")
    assert {k: v.encode() for k, v in doc["labels"].items()} == layout.LABELS
    c = doc["constants"]
    assert c["header_magic"].encode() == layout.HEADER_MAGIC and c["header_len"] == layout.HEADER_LEN
    assert b(c["hpke_suite_id"]) == layout.HPKE_SUITE_ID and c["grant_body_len"] == layout.GRANT_BODY_LEN
    assert (c["kdf_floor"]["memory_kib"], c["kdf_floor"]["iterations"]) == (
        layout.KDF_FLOOR_MEMORY_KIB,
        layout.KDF_FLOOR_ITERATIONS,
    )


def test_argon2id_vectors() -> None:
    vectors = load("argon2id.json")["vectors"]
    by_name = {}
    for v in vectors:
        assert b(v["passphrase_utf8"]) == v["passphrase"].encode()
        assert b(v["normalized_utf8"]) == unicodedata.normalize("NFKC", v["passphrase"]).encode()
        out = crypto.argon2id(v["passphrase"], v["memory_kib"], v["iterations"], v["lanes"], b(v["salt"]))
        assert out.hex() == v["output"], v["name"]
        by_name[v["name"]] = v["output"]
    for params in ("m19456-t2-p1", "m65536-t3-p1"):
        assert by_name[f"latin_nfc/{params}"] == by_name[f"latin_nfd/{params}"]
        assert by_name[f"ascii/{params}"] != by_name[f"latin_nfc/{params}"]
    assert b(next(v for v in vectors if v["name"].startswith("compatibility"))["normalized_utf8"]) == b"finally ABC 1"


def test_hkdf_vectors() -> None:
    doc = load("hkdf.json")
    assert {v["label"] for v in doc["vectors"]} == set(layout.LABELS)
    for v in doc["vectors"]:
        assert b(v["info"]) == layout.LABELS[v["label"]] + b(v["context"])
        assert crypto.hkdf(b(doc["ikm"]), v["label"], b(v["context"]), v["length"]).hex() == v["okm"]


def test_aead_vectors() -> None:
    for v in load("aead.json")["vectors"]:
        blob = b(v["blob"])
        assert crypto.aead_seal(b(v["key"]), b(v["plaintext"]), b(v["aad"]), b(v["nonce"])) == blob
        assert crypto.aead_open(b(v["key"]), blob, b(v["aad"])) == b(v["plaintext"])


def test_ed25519_vectors() -> None:
    for v in load("ed25519.json")["vectors"]:
        assert crypto.ed25519_public(b(v["seed"])).hex() == v["public"]
        assert crypto.ed25519_sign(b(v["seed"]), b(v["message"])).hex() == v["signature"]
        crypto.ed25519_verify(b(v["public"]), b(v["signature"]), b(v["message"]))
    doc = load("ed25519.json")
    assert len(doc["small_order_public"]) == 14
    for public in doc["small_order_public"]:
        with pytest.raises(CryptoError):
            crypto.ed25519_verify(b(public), b(doc["universal_signature"]), b"any message")
    # Each of these verifies in OpenSSL alone: only bt1's small-order rule refuses them.
    assert [s["public"] for s in doc["small_order_signatures"]] == doc["small_order_public"]
    for s in doc["small_order_signatures"]:
        with pytest.raises(CryptoError):
            crypto.ed25519_verify(b(s["public"]), b(s["signature"]), b(s["message"]))


def test_ed25519_edge_cases() -> None:
    cases = load("ed25519.json")["edge_cases"]
    assert {c["expect"] for c in cases} == {"accept", "reject"}
    assert {c["refused_by"] for c in cases} == {None, "encoding", "equation"}
    for c in cases:
        public, signature, message = b(c["public"]), b(c["signature"]), b(c["message"])
        if c["expect"] == "accept":
            crypto.ed25519_verify(public, signature, message)
        else:
            with pytest.raises(CryptoError):
                crypto.ed25519_verify(public, signature, message)
        # The encoding rules are checked by bt1's own code, whatever the library would say.
        assert crypto.ed25519_strict(public, signature) == (c["refused_by"] != "encoding"), c["name"]


def test_x25519_vectors() -> None:
    doc = load("x25519.json")
    for v in doc["vectors"]:
        assert crypto.x25519_public(b(v["seed"])).hex() == v["public"]
        assert crypto.x25519(b(v["seed"]), b(v["peer_public"])).hex() == v["shared"]
    for public in doc["low_order_public"]:
        with pytest.raises(CryptoError):
            crypto.x25519(b(doc["vectors"][1]["seed"]), b(public))


def test_hpke_rfc9180_a1() -> None:
    a1 = load("hpke.json")["rfc9180_a1"]
    assert crypto.x25519_public(b(a1["skRm"])).hex() == a1["pkRm"]
    ctx = crypto.hpke_setup_sender(b(a1["pkRm"]), b(a1["info"]), b(a1["skEm"]))
    assert (ctx.enc.hex(), ctx.shared_secret.hex(), ctx.key.hex(), ctx.base_nonce.hex()) == (
        a1["enc"],
        a1["shared_secret"],
        a1["key"],
        a1["base_nonce"],
    )
    assert crypto.hpke_setup_receiver(b(a1["skRm"]), ctx.enc, b(a1["info"])) == ctx
    ct = crypto.gcm_encrypt(ctx.key, ctx.base_nonce, b(a1["seq0_plaintext"]), b(a1["seq0_aad"]))
    assert ct.hex() == a1["seq0_ciphertext"]


def test_hpke_seal_vectors() -> None:
    for v in load("hpke.json")["vectors"]:
        sealed = crypto.hpke_seal(b(v["recipient_public"]), b(v["info"]), b(v["plaintext"]), b(v["ephemeral_seed"]))
        assert sealed.hex() == v["sealed"]
        assert crypto.hpke_open(b(v["recipient_seed"]), b(v["info"]), sealed) == b(v["plaintext"])


def test_padding_vectors() -> None:
    doc = load("padding.json")
    for v in doc["lengths"]:
        assert crypto.padded_length(v["length"]) == v["padded_length"]
    for v in doc["examples"]:
        assert crypto.pad(b(v["data"])).hex() == v["padded"]
        assert crypto.unpad(b(v["padded"])) == b(v["data"])
    for v in doc["invalid"]:
        with pytest.raises(CryptoError):
            crypto.unpad(b(v["padded"]))


def _kdf(p: dict[str, Any]) -> wire.KdfParams:
    return wire.KdfParams(memory_kib=p["memory_kib"], iterations=p["iterations"], lanes=p["lanes"], salt=b(p["salt"]))


def test_envelope_vectors() -> None:
    doc = load("envelopes.json")
    acct, pw, rec = doc["account"], doc["passphrase"], doc["recovery"]
    user_id, ak = b(acct["user_id"]), b(acct["account_key"])
    kdf = _kdf(pw)
    assert keys.kdf_bytes(kdf).hex() == pw["kdf_params"]
    login = keys.derive_passphrase_keys(pw["passphrase"], kdf)
    assert (login.kek.hex(), login.login_seed.hex(), login.login_pub.hex()) == (
        pw["kek"],
        pw["login_seed"],
        pw["login_pub"],
    )
    assert keys.parse_recovery_key(rec["text"]).hex() == rec["recovery_key"]
    rk = keys.derive_recovery_keys(b(rec["recovery_key"]))
    assert (rk.kek.hex(), rk.login_seed.hex(), rk.login_pub.hex()) == (rec["kek"], rec["login_seed"], rec["login_pub"])
    secrets = keys.AccountSecrets(
        user_id=user_id,
        handle=acct["handle"],
        role=acct["role"],
        account_key=ak,
        sig_seed=b(acct["sig_seed"]),
        kem_seed=b(acct["kem_seed"]),
    )
    assert (secrets.kwk.hex(), secrets.idwk.hex()) == (doc["account_keys"]["kwk"], doc["account_keys"]["idwk"])
    e = doc["pw_envelope"]
    assert keys.seal_pw_envelope(login.kek, user_id, kdf, ak, b(e["nonce"])).hex() == e["blob"]
    assert crypto.aead_open(b(e["key"]), b(e["blob"]), b(e["aad"])) == ak
    e = doc["rk_envelope"]
    assert keys.seal_rk_envelope(rk.kek, user_id, ak, b(e["nonce"])).hex() == e["blob"]
    assert keys.open_rk_envelope(rk.kek, user_id, b(e["blob"])) == ak
    e = doc["id_wrap"]
    sealed = keys.seal_id_wrap(secrets.idwk, user_id, secrets.sig_seed, secrets.kem_seed, b(e["nonce"]))
    assert sealed.hex() == e["blob"]
    assert keys.open_id_wrap(secrets.idwk, user_id, b(e["blob"])) == (secrets.sig_seed, secrets.kem_seed)
    e = doc["dek_wrap"]
    wrapped = records.wrap_dek(
        secrets.kwk, b(e["owner_id"]), b(e["record_id"]), b(e["key_id"]), b(e["plaintext"]), b(e["nonce"])
    )
    assert wrapped.hex() == e["blob"]
    unwrapped = records.unwrap_dek(secrets.kwk, b(e["owner_id"]), b(e["record_id"]), b(e["key_id"]), wrapped)
    assert unwrapped == b(e["plaintext"])
    # The whole account unlocks from these bytes, by passphrase and by recovery key.
    bundle = keys.make_bundle(secrets)
    account_keys = wire.AccountKeys(
        user_id=uuid.UUID(bytes=user_id),
        handle=acct["handle"],
        role=acct["role"],
        kdf=kdf,
        pw_envelope=b(doc["pw_envelope"]["blob"]),
        rk_envelope=b(doc["rk_envelope"]["blob"]),
        id_wrap=b(doc["id_wrap"]["blob"]),
        bundle=bundle,
    )
    assert keys.unlock_with_passphrase(account_keys, pw["passphrase"]) == secrets
    assert keys.unlock_with_recovery(account_keys, rec["text"]) == secrets


def test_bundle_vectors() -> None:
    doc = load("bundles.json")
    for v in doc["vectors"]:
        body = layout.bundle_body(b(v["user_id"]), v["handle"], v["role_code"], b(v["sig_pub"]), b(v["kem_pub"]))
        assert body.hex() == v["body"]
        assert crypto.ed25519_sign(b(v["sig_seed"]), body).hex() == v["signature"]
        bundle = wire.KeyBundle(
            user_id=uuid.UUID(v["user_id_uuid"]),
            handle=v["handle"],
            role=v["role"],
            sig_pub=b(v["sig_pub"]),
            kem_pub=b(v["kem_pub"]),
            signature=b(v["signature"]),
        )
        keys.verify_bundle(bundle)
        assert safety.key_fingerprint(bundle) == v["key_fingerprint"]
    invite, theo = doc["invite"], doc["vectors"][1]
    link = safety.parse_invite_url(invite["url"])
    assert (link.origin, link.token, link.fingerprint, link.handle, link.secret) == (
        invite["origin"],
        invite["token"],
        theo["key_fingerprint"],
        theo["handle"],
        b(invite["secret"]),
    )


def test_auth_vectors() -> None:
    for v in load("auth.json")["vectors"]:
        args = (v["origin"], v["handle"], b(v["challenge_id"]), b(v["challenge"]), v["action"], b(v["bound"]))
        assert layout.auth_transcript(*args).hex() == v["transcript"]
        assert keys.sign_auth(b(v["signer_seed"]), *args).hex() == v["signature"]
        keys.verify_auth(b(v["signer_pub"]), b(v["signature"]), *args)


def test_change_passphrase_vectors() -> None:
    env = load("envelopes.json")
    signers = {"passphrase": env["passphrase"]["login_pub"], "recovery": env["recovery"]["login_pub"]}
    found = [v for v in load("auth.json")["vectors"] if v["action"] == "change-passphrase"]
    assert sorted(v["signer"] for v in found) == ["passphrase", "recovery"]
    for v in found:
        assert v["signer_pub"] == signers[v["signer"]]
        raw = b(v["new_kdf_params"])
        kdf = wire.KdfParams(
            memory_kib=int.from_bytes(raw[1:5], "big"),
            iterations=int.from_bytes(raw[5:9], "big"),
            lanes=int.from_bytes(raw[9:13], "big"),
            salt=raw[13:],
        )
        assert keys.kdf_bytes(kdf) == raw
        login_pub, envelope = b(v["new_login_pub"]), b(v["new_pw_envelope"])
        assert keys.passphrase_change_bound(kdf, login_pub, envelope).hex() == v["bound"]
        assert crypto.sha256(login_pub + raw + envelope).hex() == v["bound"]
        new = keys.derive_passphrase_keys(v["new_passphrase"], kdf)
        assert new.login_pub == login_pub
        user_id = b(env["account"]["user_id"])
        assert keys.open_pw_envelope(new.kek, user_id, kdf, envelope).hex() == env["account"]["account_key"]
        # Any other envelope, login key or parameters give another bound: the signature no longer verifies.
        other = keys.passphrase_change_bound(kdf, login_pub, envelope[:-1] + bytes([envelope[-1] ^ 1]))
        with pytest.raises(CryptoError):
            keys.verify_auth(
                b(v["signer_pub"]),
                b(v["signature"]),
                v["origin"],
                v["handle"],
                b(v["challenge_id"]),
                b(v["challenge"]),
                v["action"],
                other,
            )


def _revision(v: dict[str, str]) -> wire.Revision:
    return wire.Revision(header=b(v["header"]), ct=b(v["ct"]), signature=b(v["signature"]))


def test_record_vectors() -> None:
    doc = load("records.json")
    owner, record, key_id, dek = b(doc["owner_id"]), b(doc["record_id"]), b(doc["key_id"]), b(doc["dek"])
    assert records.key_commit(dek, key_id).hex() == doc["key_commit"]
    parent = layout.ZERO32
    for v in doc["vectors"]:
        assert b(v["parent"]) == parent
        rev = records.seal_revision(
            owner_id=owner,
            record_id=record,
            version=v["version"],
            parent=None if v["version"] == 1 else parent,
            key_id=key_id,
            dek=dek,
            plaintext=b(v["plaintext"]),
            sig_seed=b(doc["sig_seed"]),
            deleted=v["deleted"],
            nonce=b(v["nonce"]),
        )
        assert rev == _revision(v)
        header, plaintext = records.open_revision(
            rev, owner_id=owner, record_id=record, dek=dek, key_id=key_id, signer_pub=b(doc["sig_pub"])
        )
        assert plaintext == b(v["plaintext"]) and header.deleted == v["deleted"] and header.version == v["version"]
        assert len(rev.ct) == v["padded_length"] + 16
        parent = records.rev_id(rev.header, rev.ct)
        assert parent.hex() == v["rev_id"]
    assert [v["deleted"] for v in doc["vectors"]] == [False, False, True]


def test_grant_vectors() -> None:
    doc = load("grants.json")
    o, g = doc["owner"], doc["grantee"]
    grant = records.make_grant(
        sig_seed=b(o["sig_seed"]),
        owner_id=b(o["user_id"]),
        record_id=b(doc["record_id"]),
        key_id=b(doc["key_id"]),
        dek=b(doc["dek"]),
        grantee_id=b(g["user_id"]),
        grantee_kem_pub=b(g["kem_pub"]),
        ephemeral_seed=b(doc["ephemeral_seed"]),
    )
    assert (grant.body.hex(), grant.sealed.hex(), grant.signature.hex()) == (
        doc["body"],
        doc["sealed"],
        doc["signature"],
    )
    body, dek = records.open_grant(
        grant, owner_sig_pub=b(o["sig_pub"]), me_id=b(g["user_id"]), my_kem_seed=b(g["kem_seed"])
    )
    assert dek.hex() == doc["dek"] and body.record_id.hex() == doc["record_id"]


def test_tamper_vectors() -> None:
    doc = load("tamper.json")
    outcomes = []
    for v in doc["revisions"]:
        ctx = {k: b(x) for k, x in v["context"].items()}
        try:
            rev = wire.Revision(header=b(v["header"]), ct=b(v["ct"]), signature=b(v["signature"]))
            records.open_revision(rev, **ctx)
            outcomes.append((v["name"], "accept", v["expect"]))
        except (CryptoError, ProtocolError):
            outcomes.append((v["name"], "reject", v["expect"]))
    for v in doc["grants"]:
        ctx = {k: b(x) for k, x in v["context"].items()}
        grant = wire.GrantUpload(body=b(v["body"]), sealed=b(v["sealed"]), signature=b(v["signature"]))
        try:
            records.open_grant(grant, **ctx)
            outcomes.append((v["name"], "accept", v["expect"]))
        except CryptoError:
            outcomes.append((v["name"], "reject", v["expect"]))
    assert [o for o in outcomes if o[1] != o[2]] == []
    assert sum(o[2] == "accept" for o in outcomes) == 2


def test_safety_vectors() -> None:
    doc = load("safety.json")
    ls = doc["libsignal"]
    halves = [
        safety.displayable_half(b(ls[w + "_key"]), ls[w + "_id"].encode(), ls["iterations"]) for w in ("alice", "bob")
    ]
    assert safety.combine_halves(*halves) == ls["safety_number"]
    ours = doc["ours"]
    bundles = []
    for who in ("alice", "theo"):
        p = ours[who]
        assert b(p["key"]) == safety.KEY_TYPE_ED25519 + b(p["sig_pub"])
        assert safety.displayable_half(b(p["key"]), b(p["user_id"])) == p["half"]
        bundles.append(
            wire.KeyBundle(
                user_id=uuid.UUID(bytes=b(p["user_id"])),
                handle="someone",
                role="client",
                sig_pub=b(p["sig_pub"]),
                kem_pub=bytes(32),
                signature=bytes(64),
            )
        )
    assert safety.safety_number(*bundles) == ours["safety_number"] == ours["formatted"].replace(" ", "")


def test_recovery_key_vectors() -> None:
    doc = load("recovery_key.json")
    for v in doc["vectors"]:
        assert keys.format_recovery_key(b(v["raw"])) == v["text"]
        assert keys.parse_recovery_key(v["text"]).hex() == v["raw"]
        assert crypto.sha256(b(v["raw"]))[:2].hex() == v["checksum"]
    for v in doc["parses_to_fixed"]:
        assert keys.parse_recovery_key(v["text"]).hex() == v["raw"]
    for text in doc["invalid"]:
        with pytest.raises(ProtocolError):
            keys.parse_recovery_key(text)
