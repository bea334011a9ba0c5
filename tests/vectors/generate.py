"""Deterministic test vectors of protocol bt1: `python -m tests.vectors.generate` rewrites tests/vectors/*.json."""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from between.sync.core import crypto, entry_document, keys, layout, records, safety, wire
from tests.vectors import ed25519_cases

VECTOR_DIR = Path(__file__).resolve().parent
BYTES_NOTE = "Byte strings are lowercase hex; text is a JSON string (UTF-8)."
ORIGIN = "https://between.example"


def fixed(name: str, n: int = 32) -> bytes:
    """A fixed input, named so a reader can see it is arbitrary: SHA-256("bt1 vector/" + name) truncated."""
    return hashlib.sha256(b"bt1 vector/" + name.encode()).digest()[:n]


def hx(data: bytes) -> str:
    return data.hex()


def _check(value: Any, expected: Any, what: str) -> Any:
    # External vectors are asserted at generation time: a wrong constant must never be committed.
    if value != expected:
        raise SystemExit(f"{what}: computed {value!r}, published {expected!r}")
    return value


# ---------------------------------------------------------------- identities used across files


def _person(name: str, handle: str, role: str) -> keys.AccountSecrets:
    return keys.AccountSecrets(
        user_id=fixed(name + "/user_id", 16),
        handle=handle,
        role=role,
        account_key=fixed(name + "/account_key"),
        sig_seed=fixed(name + "/sig_seed"),
        kem_seed=fixed(name + "/kem_seed"),
    )


ALICE = _person("alice", "alice", "client")
THEO = _person("theo", "dr.theo", "therapist")


def _secrets_json(s: keys.AccountSecrets) -> dict[str, Any]:
    return {
        "user_id": hx(s.user_id),
        "handle": s.handle,
        "role": s.role,
        "account_key": hx(s.account_key),
        "sig_seed": hx(s.sig_seed),
        "sig_pub": hx(s.sig_pub),
        "kem_seed": hx(s.kem_seed),
        "kem_pub": hx(s.kem_pub),
    }


# ---------------------------------------------------------------- primitives


def labels() -> dict[str, Any]:
    return {
        "description": "HKDF labels / domain strings (ASCII) and protocol constants. Both implementations "
        "must hold identical tables.",
        "labels": {name: value.decode("ascii") for name, value in layout.LABELS.items()},
        "constants": {
            "header_magic": layout.HEADER_MAGIC.decode("ascii"),
            "header_version": layout.HEADER_VERSION,
            "suite_aes256gcm": layout.SUITE_AES256GCM,
            "flag_deleted": layout.FLAG_DELETED,
            "header_len": layout.HEADER_LEN,
            "kdf_argon2id": layout.KDF_ARGON2ID,
            "kdf_default": {
                "memory_kib": layout.KDF_DEFAULT[0],
                "iterations": layout.KDF_DEFAULT[1],
                "lanes": layout.KDF_DEFAULT[2],
            },
            "kdf_floor": {
                "memory_kib": layout.KDF_FLOOR_MEMORY_KIB,
                "iterations": layout.KDF_FLOOR_ITERATIONS,
                "lanes": 1,
            },
            "kdf_params_len": layout.KDF_PARAMS_LEN,
            "role_client": layout.ROLE_CLIENT,
            "role_therapist": layout.ROLE_THERAPIST,
            "hpke_suite_id": hx(layout.HPKE_SUITE_ID),
            "grant_body_len": layout.GRANT_BODY_LEN,
            "pad_block": crypto.PAD_BLOCK,
            "pad_small_limit": crypto.PAD_SMALL_LIMIT,
            "safety_iterations": safety.ITERATIONS,
            "safety_key_type": hx(safety.KEY_TYPE_ED25519),
            "invite_version": safety.INVITE_VERSION,
        },
    }


PASSPHRASES = [
    ("ascii", "correct horse battery staple"),
    ("latin_nfc", unicodedata.normalize("NFC", "Grüße aus Zürich")),
    ("latin_nfd", unicodedata.normalize("NFD", "Grüße aus Zürich")),
    ("emoji", "🌧️ then 🌈 – je me sens mieux"),
    ("compatibility", "ﬁnally ＡＢＣ ①"),
]


def argon2id() -> dict[str, Any]:
    vectors = []
    for memory, iterations, lanes in ((19456, 2, 1), (65536, 3, 1)):
        salt = fixed(f"argon2id/salt/{memory}", 16)
        for name, passphrase in PASSPHRASES:
            vectors.append(
                {
                    "name": f"{name}/m{memory}-t{iterations}-p{lanes}",
                    "passphrase": passphrase,
                    "passphrase_utf8": hx(passphrase.encode()),
                    "normalized_utf8": hx(crypto.normalize_passphrase(passphrase)),
                    "memory_kib": memory,
                    "iterations": iterations,
                    "lanes": lanes,
                    "salt": hx(salt),
                    "output": hx(crypto.argon2id(passphrase, memory, iterations, lanes, salt)),
                }
            )
    return {
        "description": "Argon2id v1.3, 32-byte output, over the NFKC-normalised UTF-8 passphrase "
        "(latin_nfc and latin_nfd must give the same output). " + BYTES_NOTE,
        "vectors": vectors,
    }


def hkdf() -> dict[str, Any]:
    ikm = fixed("hkdf/ikm")
    vectors = [
        {"label": name, "info": hx(layout.LABELS[name]), "context": "", "length": 32, "okm": hx(crypto.hkdf(ikm, name))}
        for name in layout.LABELS
    ]
    key_id = fixed("hkdf/key_id", 16)
    vectors.append(
        {
            "label": "key_commit",
            "info": hx(layout.LABELS["key_commit"] + key_id),
            "context": hx(key_id),
            "length": 32,
            "okm": hx(crypto.hkdf(ikm, "key_commit", key_id)),
        }
    )
    vectors.append(
        {
            "label": "ak_local",
            "info": hx(layout.LABELS["ak_local"]),
            "context": "",
            "length": 64,
            "okm": hx(crypto.hkdf(ikm, "ak_local", length=64)),
        }
    )
    return {
        "description": "HKDF-SHA256, salt = 32 zero bytes, info = label bytes || context. " + BYTES_NOTE,
        "ikm": hx(ikm),
        "salt": hx(layout.ZERO32),
        "vectors": vectors,
    }


def aead() -> dict[str, Any]:
    key = fixed("aead/key")
    cases = [
        ("empty", b"", b""),
        ("short", b"hello", b""),
        ("with_aad", b"between sessions", b"header bytes"),
        ("two_blocks", bytes(range(40)), fixed("aead/aad", 20)),
    ]
    vectors = []
    for name, pt, aad in cases:
        nonce = fixed("aead/nonce/" + name, 12)
        vectors.append(
            {
                "name": name,
                "key": hx(key),
                "nonce": hx(nonce),
                "aad": hx(aad),
                "plaintext": hx(pt),
                "blob": hx(crypto.aead_seal(key, pt, aad, nonce)),
            }
        )
    return {"description": "AES-256-GCM; blob = nonce(12) || ciphertext || tag(16). " + BYTES_NOTE, "vectors": vectors}


RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


def ed25519() -> dict[str, Any]:
    vectors = []
    for i, (seed, public, message, signature) in enumerate(RFC8032, 1):
        s = bytes.fromhex(seed)
        _check(hx(crypto.ed25519_public(s)), public, "RFC 8032 public")
        _check(hx(crypto.ed25519_sign(s, bytes.fromhex(message))), signature, "RFC 8032 signature")
        vectors.append(
            {"name": f"rfc8032_test{i}", "seed": seed, "public": public, "message": message, "signature": signature}
        )
    seed = fixed("ed25519/seed")
    message = layout.LABELS["rev"] + fixed("ed25519/rev_id")
    vectors.append(
        {
            "name": "bt1_rev_message",
            "seed": hx(seed),
            "public": hx(crypto.ed25519_public(seed)),
            "message": hx(message),
            "signature": hx(crypto.ed25519_sign(seed, message)),
        }
    )
    small_order = sorted(crypto.ED25519_SMALL_ORDER)
    return {
        "description": "Ed25519 (RFC 8032) from 32-byte seeds; deterministic signatures. bt1's verification "
        "rule (docs/PROTOCOL.md section 1): S < L; A and R canonical (y < p, no sign bit on x = 0) "
        "and not small-order; then the cofactorless equation encode([S]B - [k]A) = R. A verifier "
        "refuses every small_order_public key (the eight small-order points, canonical and "
        "non-canonical encodings): under an encoding of the identity point universal_signature "
        "would otherwise verify every message, and small_order_signatures holds, for each key, a "
        "signature a verifier without that rule accepts. edge_cases: each must get its expect; "
        "refused_by says which part of the rule refuses it, cofactorless_equation and "
        "cofactored_equation what each equation alone says (null when S >= L). " + BYTES_NOTE,
        "vectors": vectors,
        "small_order_public": [hx(k) for k in small_order],
        "universal_signature": hx(bytes([1]) + bytes(63)),
        "small_order_signatures": ed25519_cases.small_order_signatures(small_order),
        "edge_cases": ed25519_cases.edge_cases(),
    }


RFC7748 = (
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
)

LOW_ORDER = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]


def x25519() -> dict[str, Any]:
    a, a_pub, b, b_pub, shared = RFC7748
    _check(hx(crypto.x25519_public(bytes.fromhex(a))), a_pub, "RFC 7748 alice")
    _check(hx(crypto.x25519_public(bytes.fromhex(b))), b_pub, "RFC 7748 bob")
    _check(hx(crypto.x25519(bytes.fromhex(a), bytes.fromhex(b_pub))), shared, "RFC 7748 shared")
    seed, peer = fixed("x25519/seed"), fixed("x25519/peer_seed")
    peer_pub = crypto.x25519_public(peer)
    return {
        "description": "X25519 from 32-byte seeds (RFC 7748 section 6.1 and our own). Every low_order_public "
        "must be refused (all-zero shared secret). " + BYTES_NOTE,
        "vectors": [
            {"name": "rfc7748", "seed": a, "public": a_pub, "peer_public": b_pub, "shared": shared},
            {
                "name": "bt1",
                "seed": hx(seed),
                "public": hx(crypto.x25519_public(seed)),
                "peer_public": hx(peer_pub),
                "shared": hx(crypto.x25519(seed, peer_pub)),
            },
        ],
        "low_order_public": LOW_ORDER,
    }


RFC9180_A1 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "pkEm": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "seq0_plaintext": "4265617574792069732074727574682c20747275746820626561757479",
    "seq0_aad": "436f756e742d30",
    "seq0_ciphertext": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
}


def hpke() -> dict[str, Any]:
    a1 = RFC9180_A1
    ctx = crypto.hpke_setup_sender(bytes.fromhex(a1["pkRm"]), bytes.fromhex(a1["info"]), bytes.fromhex(a1["skEm"]))
    for name, value in (
        ("enc", ctx.enc),
        ("shared_secret", ctx.shared_secret),
        ("key", ctx.key),
        ("base_nonce", ctx.base_nonce),
    ):
        _check(hx(value), a1[name], "RFC 9180 A.1 " + name)
    ct = crypto.gcm_encrypt(ctx.key, ctx.base_nonce, bytes.fromhex(a1["seq0_plaintext"]), bytes.fromhex(a1["seq0_aad"]))
    _check(hx(ct), a1["seq0_ciphertext"], "RFC 9180 A.1 ciphertext")
    vectors = []
    for name, info, pt in (
        ("empty_info", b"", b"a record key"),
        ("grant_like", fixed("hpke/info", 40), fixed("hpke/dek")),
    ):
        seed = fixed(f"hpke/{name}/recipient_seed")
        eph = fixed(f"hpke/{name}/ephemeral_seed")
        pub = crypto.x25519_public(seed)
        vectors.append(
            {
                "name": name,
                "recipient_seed": hx(seed),
                "recipient_public": hx(pub),
                "ephemeral_seed": hx(eph),
                "info": hx(info),
                "plaintext": hx(pt),
                "sealed": hx(crypto.hpke_seal(pub, info, pt, eph)),
            }
        )
    return {
        "description": "HPKE RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM "
        "(suite 0x0020/0x0001/0x0001), single shot, sequence 0 only. rfc9180_a1 reproduces "
        "appendix A.1 (its first encryption uses aad 'Count-0'); bt1 seals use empty aad and "
        "sealed = enc(32) || ciphertext || tag. " + BYTES_NOTE,
        "rfc9180_a1": a1,
        "vectors": vectors,
    }


PAD_LENGTHS = [
    0,
    1,
    2,
    1022,
    1023,
    1024,
    1025,
    2047,
    2048,
    10000,
    16382,
    16383,
    16384,
    16385,
    17408,
    17409,
    32768,
    100000,
    1048576,
    5000000,
]


def padding() -> dict[str, Any]:
    examples = []
    for data in (b"", b"hi", bytes(1023), b"\x80" * 3):
        examples.append({"data": hx(data), "padded": hx(crypto.pad(data))})
    bad = [
        ("no_marker", bytes(1024)),
        ("nonzero_after_marker", b"hi\x80" + b"\x01" + bytes(1020)),
        ("not_canonical_length", b"hi\x80" + bytes(2045)),
        ("marker_0x81", b"hi\x81" + bytes(1021)),
    ]
    return {
        "description": "ISO/IEC 7816-4 padding (0x80 then zeros). padded_length(L) = next multiple of 1024 "
        "strictly above L when L < 16384, else PADME(L + 1); there is always at least one pad "
        "byte. unpad is strict: it rejects every 'invalid' entry. " + BYTES_NOTE,
        "lengths": [{"length": n, "padded_length": crypto.padded_length(n)} for n in PAD_LENGTHS],
        "examples": examples,
        "invalid": [{"name": name, "padded": hx(data)} for name, data in bad],
    }


# ---------------------------------------------------------------- key hierarchy, envelopes, bundles


KDF = wire.KdfParams(
    memory_kib=layout.KDF_FLOOR_MEMORY_KIB,
    iterations=layout.KDF_FLOOR_ITERATIONS,
    lanes=1,
    salt=fixed("envelopes/salt", 16),
)
PASSPHRASE = "correct horse battery staple"
RECOVERY_RAW = fixed("envelopes/recovery_key", 16)


def envelopes() -> dict[str, Any]:
    s = ALICE
    prk = crypto.argon2id(PASSPHRASE, KDF.memory_kib, KDF.iterations, KDF.lanes, KDF.salt)
    pw = keys.derive_passphrase_keys(PASSPHRASE, KDF)
    rk = keys.derive_recovery_keys(RECOVERY_RAW)
    kdf_bytes = keys.kdf_bytes(KDF)
    owner, record = s.user_id, fixed("envelopes/record_id", 16)
    key_id, dek = fixed("envelopes/key_id", 16), fixed("envelopes/dek")
    nonces = {name: fixed("envelopes/nonce/" + name, 12) for name in ("pw", "rk", "id", "dek")}
    return {
        "description": "Key hierarchy and AES-256-GCM envelopes of one account (blob = nonce || ct || tag). "
        "prk = Argon2id(passphrase); kek/login seeds = HKDF(prk or recovery key, label); "
        "kwk/idwk = HKDF(account_key, label). " + BYTES_NOTE,
        "account": _secrets_json(s),
        "passphrase": {
            "passphrase": PASSPHRASE,
            "memory_kib": KDF.memory_kib,
            "iterations": KDF.iterations,
            "lanes": KDF.lanes,
            "salt": hx(KDF.salt),
            "kdf_params": hx(kdf_bytes),
            "prk": hx(prk),
            "kek": hx(pw.kek),
            "login_seed": hx(pw.login_seed),
            "login_pub": hx(pw.login_pub),
        },
        "recovery": {
            "recovery_key": hx(RECOVERY_RAW),
            "text": keys.format_recovery_key(RECOVERY_RAW),
            "kek": hx(rk.kek),
            "login_seed": hx(rk.login_seed),
            "login_pub": hx(rk.login_pub),
        },
        "account_keys": {"kwk": hx(s.kwk), "idwk": hx(s.idwk)},
        "pw_envelope": {
            "key": hx(pw.kek),
            "nonce": hx(nonces["pw"]),
            "plaintext": hx(s.account_key),
            "aad": hx(layout.LABELS["env_pw"] + s.user_id + kdf_bytes),
            "blob": hx(keys.seal_pw_envelope(pw.kek, s.user_id, KDF, s.account_key, nonces["pw"])),
        },
        "rk_envelope": {
            "key": hx(rk.kek),
            "nonce": hx(nonces["rk"]),
            "plaintext": hx(s.account_key),
            "aad": hx(layout.LABELS["env_rk"] + s.user_id),
            "blob": hx(keys.seal_rk_envelope(rk.kek, s.user_id, s.account_key, nonces["rk"])),
        },
        "id_wrap": {
            "key": hx(s.idwk),
            "nonce": hx(nonces["id"]),
            "plaintext": hx(s.sig_seed + s.kem_seed),
            "aad": hx(layout.LABELS["id"] + s.user_id),
            "blob": hx(keys.seal_id_wrap(s.idwk, s.user_id, s.sig_seed, s.kem_seed, nonces["id"])),
        },
        "dek_wrap": {
            "key": hx(s.kwk),
            "nonce": hx(nonces["dek"]),
            "plaintext": hx(dek),
            "owner_id": hx(owner),
            "record_id": hx(record),
            "key_id": hx(key_id),
            "aad": hx(layout.LABELS["dek"] + owner + record + key_id),
            "blob": hx(records.wrap_dek(s.kwk, owner, record, key_id, dek, nonces["dek"])),
        },
    }


def bundles() -> dict[str, Any]:
    vectors = []
    for s in (ALICE, THEO):
        bundle = keys.make_bundle(s)
        body = layout.bundle_body(s.user_id, s.handle, keys.ROLE_CODES[s.role], s.sig_pub, s.kem_pub)
        vectors.append(
            {
                "user_id": hx(s.user_id),
                "user_id_uuid": str(uuid.UUID(bytes=s.user_id)),
                "handle": s.handle,
                "role": s.role,
                "role_code": keys.ROLE_CODES[s.role],
                "sig_seed": hx(s.sig_seed),
                "sig_pub": hx(s.sig_pub),
                "kem_seed": hx(s.kem_seed),
                "kem_pub": hx(s.kem_pub),
                "body": hx(body),
                "signature": hx(bundle.signature),
                "key_fingerprint": safety.key_fingerprint(bundle),
            }
        )
    token = safety.b64url(fixed("bundles/invite_token"))  # as the server makes them: 32 random bytes, base64url
    secret = fixed("bundles/invite_secret", 16)
    return {
        "description": "Key bundles: body = 'between/v1/bundle' || user_id(16) || lp(handle) || role(1) || "
        "sig_pub(32) || kem_pub(32), signed by sig_pub. key_fingerprint = base64url-nopad("
        "SHA-256(0x01 || sig_pub)[:16]); the invite link carries it in its fragment. " + BYTES_NOTE,
        "vectors": vectors,
        "invite": {
            "origin": ORIGIN,
            "token": token,
            "handle": THEO.handle,
            "secret": hx(secret),
            "url": safety.invite_url(ORIGIN, token, keys.make_bundle(THEO), secret),
        },
    }


def auth() -> dict[str, Any]:
    s = ALICE
    login = keys.derive_passphrase_keys(PASSPHRASE, KDF)
    rk = keys.derive_recovery_keys(RECOVERY_RAW)
    device_seed = fixed("auth/device_seed")
    device_pub, device_id = crypto.ed25519_public(device_seed), fixed("auth/device_id", 16)
    cid, challenge = fixed("auth/challenge_id", 16), fixed("auth/challenge")
    cases = [
        ("login", login.login_seed, device_pub),
        ("recover", rk.login_seed, device_pub),
        ("refresh", device_seed, device_id),
        ("delete-account", login.login_seed, s.user_id),
    ]
    vectors = []
    for action, seed, bound in cases:
        transcript = layout.auth_transcript(ORIGIN, s.handle, cid, challenge, action, bound)
        vectors.append(
            {
                "action": action,
                "origin": ORIGIN,
                "handle": s.handle,
                "challenge_id": hx(cid),
                "challenge": hx(challenge),
                "bound": hx(bound),
                "signer_seed": hx(seed),
                "signer_pub": hx(crypto.ed25519_public(seed)),
                "transcript": hx(transcript),
                "signature": hx(keys.sign_auth(seed, ORIGIN, s.handle, cid, challenge, action, bound)),
            }
        )
    vectors += change_passphrase_vectors(login.login_seed, rk.login_seed, cid, challenge)
    return {
        "description": "Auth transcripts: 'between/v1/auth' || lp(origin) || lp(handle) || challenge_id(16) || "
        "challenge(32) || lp(action) || lp(bound), lp = u16 big-endian length || bytes; "
        "Ed25519 signatures. login/delete-account use the passphrase login key and recover the "
        "recovery login key of envelopes.json; refresh uses a device key. " + BYTES_NOTE,
        "vectors": vectors,
    }


NEW_PASSPHRASE = "a new passphrase, longer still"


def change_passphrase_vectors(
    login_seed: bytes, recovery_seed: bytes, cid: bytes, challenge: bytes
) -> list[dict[str, Any]]:
    """Action change-passphrase: bound = SHA-256(new login_pub || new KDF parameter bytes || new pw_envelope)."""
    s = ALICE
    kdf = wire.KdfParams(
        memory_kib=layout.KDF_FLOOR_MEMORY_KIB,
        iterations=layout.KDF_FLOOR_ITERATIONS,
        lanes=1,
        salt=fixed("auth/new_salt", 16),
    )
    new = keys.derive_passphrase_keys(NEW_PASSPHRASE, kdf)
    envelope = keys.seal_pw_envelope(new.kek, s.user_id, kdf, s.account_key, fixed("auth/new_pw_nonce", 12))
    params = keys.kdf_bytes(kdf)
    bound = _check(
        keys.passphrase_change_bound(kdf, new.login_pub, envelope),
        hashlib.sha256(new.login_pub + params + envelope).digest(),
        "change-passphrase bound",
    )
    out = []
    for signer, seed in (("passphrase", login_seed), ("recovery", recovery_seed)):
        transcript = layout.auth_transcript(ORIGIN, s.handle, cid, challenge, "change-passphrase", bound)
        out.append(
            {
                "action": "change-passphrase",
                "origin": ORIGIN,
                "handle": s.handle,
                "challenge_id": hx(cid),
                "challenge": hx(challenge),
                "bound": hx(bound),
                "signer_seed": hx(seed),
                "signer_pub": hx(crypto.ed25519_public(seed)),
                "transcript": hx(transcript),
                "signature": hx(keys.sign_auth(seed, ORIGIN, s.handle, cid, challenge, "change-passphrase", bound)),
                "signer": signer,
                "new_passphrase": NEW_PASSPHRASE,
                "new_kdf_params": hx(params),
                "new_login_pub": hx(new.login_pub),
                "new_pw_envelope": hx(envelope),
                "note": "signer 'passphrase' is the current passphrase login key of envelopes.json, 'recovery' "
                "the recovery login key; bound = SHA-256(new_login_pub || new_kdf_params || "
                "new_pw_envelope); the new envelope opens with the KEK of new_passphrase under "
                "new_kdf_params and holds the unchanged account key",
            }
        )
    return out


# ---------------------------------------------------------------- records, grants


RECORD_ID = fixed("records/record_id", 16)
KEY_ID = fixed("records/key_id", 16)
DEK = fixed("records/dek")
# Entry documents as docs/PROTOCOL.md section 13 defines them: a journal entry written on a phone, edited on a
# laptop, deleted on the phone (the tombstone keeps the kind and times, drops the fields, says deleted).
PHONE = str(uuid.UUID(bytes=fixed("records/device/phone", 16), version=4))
LAPTOP = str(uuid.UUID(bytes=fixed("records/device/laptop", 16), version=4))
DOCS = [
    entry_document.new_entry(
        "journal", {"body": "Nervous before the meeting. Breathing helped.\n"}, "2026-11-25T19:46:40.000Z", PHONE
    ),
    {
        **entry_document.new_entry(
            "journal",
            {
                "title": "Before the meeting",
                "body": "Nervous before the meeting. Breathing helped.\nSpäter: ruhiger 🙂\n",
            },
            "2026-11-25T19:46:40.000Z",
            LAPTOP,
        ),
        "updated_at": "2026-11-25T21:02:13.250Z",
    },
]
DOCS.append(entry_document.tombstone(DOCS[1], "2026-11-26T08:00:05.500Z", PHONE))


def _revision_chain() -> list[tuple[dict[str, Any], wire.Revision]]:
    chain, parent = [], None
    steps = [(records.encode_document(d), "deleted" in d) for d in DOCS]
    for version, (plaintext, deleted) in enumerate(steps, 1):
        nonce = fixed(f"records/nonce/{version}", 12)
        rev = records.seal_revision(
            owner_id=ALICE.user_id,
            record_id=RECORD_ID,
            version=version,
            parent=parent,
            key_id=KEY_ID,
            dek=DEK,
            plaintext=plaintext,
            sig_seed=ALICE.sig_seed,
            deleted=deleted,
            nonce=nonce,
        )
        rid = records.rev_id(rev.header, rev.ct)
        inputs = {
            "version": version,
            "parent": hx(parent or layout.ZERO32),
            "deleted": deleted,
            "nonce": hx(nonce),
            "plaintext": hx(plaintext),
            "plaintext_text": plaintext.decode(),
        }
        chain.append((inputs, rev))
        parent = rid
    return chain


def records_json() -> dict[str, Any]:
    vectors = []
    for inputs, rev in _revision_chain():
        vectors.append(
            inputs
            | {
                "padded_length": crypto.padded_length(len(bytes.fromhex(inputs["plaintext"]))),
                "header": hx(rev.header),
                "ct": hx(rev.ct),
                "rev_id": hx(records.rev_id(rev.header, rev.ct)),
                "signature": hx(rev.signature),
            }
        )
    return {
        "description": "Record revisions of one record (create, edit, tombstone). Each plaintext is an entry "
        "document (docs/PROTOCOL.md section 13; plaintext_text is the same UTF-8), valid for its "
        "revision's deleted flag. header (136 bytes) is the AES-GCM "
        "AAD; ct = AES-256-GCM(dek, header.nonce, pad(plaintext), aad=header) = ciphertext || tag; "
        "key_commit = HKDF(dek, 'key_commit', key_id); rev_id = SHA-256(header || ct); signature = "
        "Ed25519(owner sig_seed, 'between/v1/rev' || rev_id). " + BYTES_NOTE,
        "owner_id": hx(ALICE.user_id),
        "record_id": hx(RECORD_ID),
        "key_id": hx(KEY_ID),
        "dek": hx(DEK),
        "key_commit": hx(records.key_commit(DEK, KEY_ID)),
        "sig_seed": hx(ALICE.sig_seed),
        "sig_pub": hx(ALICE.sig_pub),
        "vectors": vectors,
    }


def _grant() -> wire.GrantUpload:
    return records.make_grant(
        sig_seed=ALICE.sig_seed,
        owner_id=ALICE.user_id,
        record_id=RECORD_ID,
        key_id=KEY_ID,
        dek=DEK,
        grantee_id=THEO.user_id,
        grantee_kem_pub=THEO.kem_pub,
        ephemeral_seed=fixed("grants/ephemeral_seed"),
    )


def grants() -> dict[str, Any]:
    g = _grant()
    return {
        "description": "A grant of records.json's DEK from alice (owner) to theo (grantee). body = "
        "'between/v1/grant' || hpke_suite(6) || owner_id || record_id || key_id || grantee_id || "
        "SHA-256(grantee kem_pub); sealed = HPKE seal(grantee kem_pub, info=body, aad='', "
        "pt=dek) = enc || ct; signature = Ed25519(owner, body || SHA-256(sealed)). " + BYTES_NOTE,
        "owner": {"user_id": hx(ALICE.user_id), "sig_seed": hx(ALICE.sig_seed), "sig_pub": hx(ALICE.sig_pub)},
        "grantee": {"user_id": hx(THEO.user_id), "kem_seed": hx(THEO.kem_seed), "kem_pub": hx(THEO.kem_pub)},
        "record_id": hx(RECORD_ID),
        "key_id": hx(KEY_ID),
        "dek": hx(DEK),
        "ephemeral_seed": hx(fixed("grants/ephemeral_seed")),
        "body": hx(g.body),
        "sealed": hx(g.sealed),
        "signature": hx(g.signature),
    }


def _one_check_revision_cases(header: bytes, other_dek: bytes) -> list[tuple]:
    """Revisions that only one check refuses: each header is encrypted under the right DEK with itself as AAD and
    signed by the owner, so signature, context and decryption all pass. key_commit_only: the header commits to
    another DEK (a malicious owner who could commit two readers to two DEKs could show them two plaintexts).
    key_id_only: the header names another key than the reader's, while its commitment is to the reader's key."""
    plaintext = bytes.fromhex(_revision_chain()[0][0]["plaintext"])

    def sealed(name: str, h: bytes) -> tuple:
        ct = crypto.gcm_encrypt(DEK, h[-crypto.NONCE_LEN :], crypto.pad(plaintext), h)
        signature = crypto.ed25519_sign(ALICE.sig_seed, layout.LABELS["rev"] + records.rev_id(h, ct))
        return (name, h, ct, signature, {}, "reject")

    return [
        sealed("key_commit_only", header[:92] + records.key_commit(other_dek, KEY_ID) + header[124:]),
        sealed("key_id_only", header[:76] + fixed("tamper/key_id", 16) + header[92:]),
    ]


def _one_check_grant_cases() -> list[tuple]:
    """Grants that only one check of open_grant refuses: each is signed by the owner and HPKE-sealed to theo's key
    with its body as info. names_another_grantee: the body names someone else. kem_hash_of_another_key: the body
    commits to another key than the one it is sealed to. dek_31_bytes: what it seals is no DEK."""
    eph = fixed("tamper/grant_ephemeral_seed")

    def signed(name: str, body: bytes, dek: bytes = DEK) -> tuple:
        sealed = crypto.hpke_seal(THEO.kem_pub, body, dek, eph)
        return (name, body, sealed, crypto.ed25519_sign(ALICE.sig_seed, body + crypto.sha256(sealed)), {}, "reject")

    def body(grantee_id: bytes = THEO.user_id, kem_pub: bytes = THEO.kem_pub) -> bytes:
        return layout.GrantBody(
            owner_id=ALICE.user_id,
            record_id=RECORD_ID,
            key_id=KEY_ID,
            grantee_id=grantee_id,
            grantee_kem_hash=crypto.sha256(kem_pub),
        ).pack()

    return [
        signed("names_another_grantee", body(grantee_id=fixed("tamper/grantee_id", 16))),
        signed("kem_hash_of_another_key", body(kem_pub=ALICE.kem_pub)),
        signed("dek_31_bytes", body(), DEK[:31]),
    ]


def tamper() -> dict[str, Any]:
    """Concrete cases every reader must reject (and one it must accept), built from records.json and grants.json."""
    (_, rev), (_, rev2) = _revision_chain()[:2]
    ctx = {"owner_id": ALICE.user_id, "record_id": RECORD_ID, "key_id": KEY_ID, "dek": DEK, "signer_pub": ALICE.sig_pub}
    other_dek = fixed("tamper/other_dek")
    flipped_ct = rev.ct[:-1] + bytes([rev.ct[-1] ^ 1])
    header_other_flag = rev.header[:7] + b"\x01" + rev.header[8:]  # byte 7 is the reserved zero byte
    # A malicious owner commits to another DEK and re-signs: commitment and signature pass, decryption must not.
    recommitted = rev.header[:92] + records.key_commit(other_dek, KEY_ID) + rev.header[124:]
    resigned = crypto.ed25519_sign(ALICE.sig_seed, layout.LABELS["rev"] + records.rev_id(recommitted, rev.ct))
    revision_cases = [
        ("valid", rev.header, rev.ct, rev.signature, {}, "accept"),
        ("other_record_id", rev.header, rev.ct, rev.signature, {"record_id": fixed("tamper/record", 16)}, "reject"),
        ("other_owner_id", rev.header, rev.ct, rev.signature, {"owner_id": THEO.user_id}, "reject"),
        ("other_key_id", rev.header, rev.ct, rev.signature, {"key_id": fixed("tamper/key_id", 16)}, "reject"),
        ("other_dek_key_commit_mismatch", rev.header, rev.ct, rev.signature, {"dek": other_dek}, "reject"),
        ("other_signer", rev.header, rev.ct, rev.signature, {"signer_pub": THEO.sig_pub}, "reject"),
        ("ct_tag_flipped", rev.header, flipped_ct, rev.signature, {}, "reject"),
        ("reserved_byte_set", header_other_flag, rev.ct, rev.signature, {}, "reject"),
        ("header_of_v2_ct_of_v1", rev2.header, rev.ct, rev.signature, {}, "reject"),
        ("header_truncated", rev.header[:-1], rev.ct, rev.signature, {}, "reject"),
        ("recommitted_and_resigned_other_dek", recommitted, rev.ct, resigned, {"dek": other_dek}, "reject"),
        *_one_check_revision_cases(rev.header, other_dek),
    ]
    g = _grant()
    gctx = {"me_id": THEO.user_id, "my_kem_seed": THEO.kem_seed, "owner_sig_pub": ALICE.sig_pub}
    body_flip = g.body[:-1] + bytes([g.body[-1] ^ 1])
    grant_cases = [
        ("valid", g.body, g.sealed, g.signature, {}, "accept"),
        ("body_flipped", body_flip, g.sealed, g.signature, {}, "reject"),
        ("sealed_flipped", g.body, g.sealed[:-1] + bytes([g.sealed[-1] ^ 1]), g.signature, {}, "reject"),
        (
            "wrong_grantee",
            g.body,
            g.sealed,
            g.signature,
            {"me_id": ALICE.user_id, "my_kem_seed": ALICE.kem_seed},
            "reject",
        ),
        ("wrong_owner_key", g.body, g.sealed, g.signature, {"owner_sig_pub": THEO.sig_pub}, "reject"),
        *_one_check_grant_cases(),
    ]

    def enc(context: dict[str, bytes]) -> dict[str, str]:
        return {k: hx(v) for k, v in context.items()}

    return {
        "description": "Cases a reader must reject: open_revision(header, ct, signature, context) and "
        "open_grant(body, sealed, signature, context). context overrides the defaults given. "
        "key_commit_only, key_id_only, names_another_grantee, kem_hash_of_another_key and dek_31_bytes "
        "are signed and decrypt: each fails one check only. " + BYTES_NOTE,
        "revision_context": enc(ctx),
        "revisions": [
            {"name": n, "header": hx(h), "ct": hx(c), "signature": hx(s), "context": enc(ctx | o), "expect": e}
            for n, h, c, s, o, e in revision_cases
        ],
        "grant_context": enc(gctx),
        "grants": [
            {"name": n, "body": hx(b), "sealed": hx(c), "signature": hx(s), "context": enc(gctx | o), "expect": e}
            for n, b, c, s, o, e in grant_cases
        ],
    }


# ---------------------------------------------------------------- safety numbers, recovery keys


LIBSIGNAL = {
    "iterations": 5200,
    "alice_key": "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868",
    "alice_id": "+14152222222",
    "alice_hash32": "1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df",
    "bob_key": "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b",
    "bob_id": "+14153333333",
    "bob_hash32": "d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d",
    "safety_number": "300354477692869396892869876765458257569162576843440918079131",
}


def safety_json() -> dict[str, Any]:
    ls = LIBSIGNAL
    halves = []
    for who in ("alice", "bob"):
        key, sid = bytes.fromhex(ls[who + "_key"]), ls[who + "_id"].encode()
        _check(hx(safety._iterated_hash(key, sid, ls["iterations"])[:32]), ls[who + "_hash32"], "libsignal hash")
        halves.append(safety.displayable_half(key, sid, ls["iterations"]))
    _check(safety.combine_halves(*halves), ls["safety_number"], "libsignal safety number")
    a, t = keys.make_bundle(ALICE), keys.make_bundle(THEO)
    ours = {
        "alice": {
            "user_id": hx(ALICE.user_id),
            "sig_pub": hx(ALICE.sig_pub),
            "key": hx(safety.KEY_TYPE_ED25519 + ALICE.sig_pub),
            "half": safety.displayable_half(safety.KEY_TYPE_ED25519 + ALICE.sig_pub, ALICE.user_id),
        },
        "theo": {
            "user_id": hx(THEO.user_id),
            "sig_pub": hx(THEO.sig_pub),
            "key": hx(safety.KEY_TYPE_ED25519 + THEO.sig_pub),
            "half": safety.displayable_half(safety.KEY_TYPE_ED25519 + THEO.sig_pub, THEO.user_id),
        },
        "safety_number": safety.safety_number(a, t),
        "formatted": safety.format_safety_number(safety.safety_number(a, t)),
    }
    return {
        "description": "Signal numeric fingerprint: h = SHA-512(0x0000 || key || stable_id || key), then 5199 "
        "times h = SHA-512(h || key); half = six 5-byte big-endian chunks of h mod 100000 as 5 "
        "digits; safety number = the smaller half first. libsignal: its own vector (keys 0x05 || "
        "X25519, ids = phone numbers as UTF-8). ours: key = 0x01 || Ed25519 sig_pub, stable_id = "
        "user_id (16 bytes). " + BYTES_NOTE,
        "libsignal": ls,
        "ours": ours,
    }


def recovery_key() -> dict[str, Any]:
    vectors = []
    for name, raw in (
        ("zeros", bytes(16)),
        ("ones", b"\xff" * 16),
        ("fixed", RECOVERY_RAW),
        ("fixed2", fixed("recovery/second", 16)),
    ):
        text = keys.format_recovery_key(raw)
        vectors.append({"name": name, "raw": hx(raw), "checksum": hx(crypto.sha256(raw)[:2]), "text": text})
    text = keys.format_recovery_key(RECOVERY_RAW)
    compact = text.replace("-", "")
    lenient = [
        text.lower(),
        " ".join(text.split("-")),
        compact,
        compact.replace("0", "O").replace("1", "I"),
        compact.replace("1", "l"),
    ]
    typo_pos = 3
    swapped = compact[:typo_pos] + ("A" if compact[typo_pos] != "A" else "B") + compact[typo_pos + 1 :]
    invalid = [swapped, compact[:-1], compact + "0", compact[:5] + "U" + compact[6:]]
    for bad in invalid:
        try:
            keys.parse_recovery_key(bad)
        except Exception:
            continue
        raise SystemExit(f"invalid recovery key text accepted: {bad}")
    return {
        "description": "Recovery key text: Crockford base32 (alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ) of "
        "raw(16) || SHA-256(raw)[:2], big-endian, 144 bits followed by one zero bit = 29 symbols, "
        "grouped 5-5-5-5-5-4 with '-'. Parsing: case-insensitive, spaces and '-' ignored, O -> 0, "
        "I and L -> 1. " + BYTES_NOTE,
        "vectors": vectors,
        "parses_to_fixed": [{"text": v, "raw": hx(RECOVERY_RAW)} for v in lenient],
        "invalid": invalid,
    }


# ---------------------------------------------------------------- output


BUILDERS = {
    "labels.json": labels,
    "argon2id.json": argon2id,
    "hkdf.json": hkdf,
    "aead.json": aead,
    "ed25519.json": ed25519,
    "x25519.json": x25519,
    "hpke.json": hpke,
    "padding.json": padding,
    "envelopes.json": envelopes,
    "records.json": records_json,
    "grants.json": grants,
    "bundles.json": bundles,
    "auth.json": auth,
    "safety.json": safety_json,
    "recovery_key.json": recovery_key,
    "tamper.json": tamper,
    "trust.json": lambda: __import__("tests.vectors.trust_cases", fromlist=["build"]).build(),
    "restore.json": lambda: __import__("tests.vectors.restore_cases", fromlist=["build"]).build(),
    "push.json": lambda: __import__("tests.vectors.push_cases", fromlist=["build"]).build(),
    "pull.json": lambda: __import__("tests.vectors.pull_cases", fromlist=["build"]).build(),
    "sharing.json": lambda: __import__("tests.vectors.sharing_cases", fromlist=["build"]).build(),
    "attachments.json": lambda: __import__("tests.vectors.attachment_cases", fromlist=["build"]).build(),
}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def build(names: list[str] | None = None) -> dict[str, str]:
    return {name: render(BUILDERS[name]()) for name in (names or BUILDERS)}


def main(argv: list[str]) -> int:
    for name, text in build(argv or None).items():
        (VECTOR_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
