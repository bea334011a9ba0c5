"""tests/vectors/trust.json: the invitation's secret and proof, invitation links, server origins, key-verification
documents and trust.judge (PROTOCOL.md §11). Built by `python -m tests.vectors.generate` with the other files.

Every judgement below is written out by hand; build() refuses to produce the file when sync/core/trust.py disagrees."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import msgspec

from between.sync.core import keys, safety, trust, wire
from between.sync.core.errors import ProtocolError
from tests.vectors.generate import ALICE, ORIGIN, THEO
from tests.vectors.generate import fixed as _fixed

NOTE = "Byte strings are lowercase hex unless the field is a wire bundle (standard base64, as on the wire)."
# Three keys of one therapist (the same user id): K1 is Theo's own, K2 and K3 what a server might swap in.
KEYS = {
    "K1": keys.make_bundle(THEO),
    "K2": keys.make_bundle(dataclasses.replace(THEO, sig_seed=_fixed("trust/k2/sig"), kem_seed=_fixed("trust/k2/kem"))),
    "K3": keys.make_bundle(dataclasses.replace(THEO, sig_seed=_fixed("trust/k3/sig"), kem_seed=_fixed("trust/k3/kem"))),
}
INVITE_ID = _fixed("trust/invite_id", 16)
TOKEN = safety.b64url(_fixed("trust/token"))  # the server's token: 32 random bytes, base64url without padding


def _wire(bundle: wire.KeyBundle) -> dict[str, Any]:
    return msgspec.to_builtins(bundle)


def _name(bundle: wire.KeyBundle | None) -> str | None:
    if bundle is None:
        return None
    return next(n for n, b in KEYS.items() if trust.same_keys(b, bundle))


def _v(key: str, how: str, at: str) -> dict[str, str]:
    return {"key": key, "how": how, "created_at": at}


# name, served, pinned, pinned_how, verifications, proof -> pin, how, state, changed, record, forget
JUDGE: list[tuple[str, str | None, str | None, str, list[dict[str, str]], str, dict[str, Any]]] = [
    (
        "first sight: the server's word, not verified",
        "K1",
        None,
        "tofu",
        [],
        "none",
        {"pin": "K1", "how": "tofu", "state": "unverified", "changed": None, "record": None, "forget": False},
    ),
    (
        "still the key first seen",
        "K1",
        "K1",
        "tofu",
        [],
        "none",
        {"pin": "K1", "how": "tofu", "state": "unverified", "changed": None, "record": None, "forget": False},
    ),
    (
        "the server names another key than the one first seen: blocked",
        "K2",
        "K1",
        "tofu",
        [],
        "none",
        {"pin": "K1", "how": "tofu", "state": "changed", "changed": "K2", "record": None, "forget": False},
    ),
    (
        "a therapist's device checks the client's invitation proof: verified, and the account records it",
        "K1",
        None,
        "tofu",
        [],
        "valid",
        {
            "pin": "K1",
            "how": "invite-link",
            "state": "verified",
            "changed": None,
            "record": "invite-link",
            "forget": False,
        },
    ),
    (
        "a valid proof replaces a key first seen from the server; what came under it is dropped",
        "K2",
        "K1",
        "tofu",
        [],
        "valid",
        {
            "pin": "K2",
            "how": "invite-link",
            "state": "verified",
            "changed": None,
            "record": "invite-link",
            "forget": True,
        },
    ),
    (
        "a proof that does not match the key the server names: blocked",
        "K1",
        None,
        "tofu",
        [],
        "invalid",
        {"pin": "K1", "how": "tofu", "state": "mismatch", "changed": None, "record": None, "forget": False},
    ),
    (
        "verified on this device before the account kept verifications: recorded now",
        "K1",
        "K1",
        "safety-number",
        [],
        "none",
        {
            "pin": "K1",
            "how": "safety-number",
            "state": "verified",
            "changed": None,
            "record": "safety-number",
            "forget": False,
        },
    ),
    (
        "a new device: the account verified this key by invitation",
        "K1",
        None,
        "tofu",
        [_v("K1", "invite-link", "2026-12-01T10:00:00Z")],
        "none",
        {"pin": "K1", "how": "invite-link", "state": "verified", "changed": None, "record": None, "forget": False},
    ),
    (
        "a new device the server gives another key than the account verified: the verified key stays pinned",
        "K2",
        None,
        "tofu",
        [_v("K1", "invite-link", "2026-12-01T10:00:00Z")],
        "none",
        {"pin": "K1", "how": "invite-link", "state": "changed", "changed": "K2", "record": None, "forget": False},
    ),
    (
        "a device that pinned the server's swapped key learns the account's: the swapped key's records are dropped",
        "K1",
        "K2",
        "tofu",
        [_v("K1", "safety-number", "2026-12-01T10:00:00Z")],
        "none",
        {"pin": "K1", "how": "safety-number", "state": "verified", "changed": None, "record": None, "forget": True},
    ),
    (
        "the strongest way for the same key counts",
        "K1",
        "K1",
        "invite-link",
        [_v("K1", "safety-number", "2026-12-01T10:00:00Z"), _v("K1", "invite-link", "2026-12-02T10:00:00Z")],
        "none",
        {"pin": "K1", "how": "safety-number", "state": "verified", "changed": None, "record": None, "forget": False},
    ),
    (
        "a key accepted later (numbers compared again) wins over an earlier one",
        "K2",
        "K1",
        "invite-link",
        [_v("K1", "invite-link", "2026-12-01T10:00:00Z"), _v("K2", "safety-number", "2026-12-03T09:00:00.250Z")],
        "none",
        {"pin": "K2", "how": "safety-number", "state": "verified", "changed": None, "record": None, "forget": True},
    ),
    (
        "times compare as instants: .5 seconds after the whole second is later",
        "K3",
        "K3",
        "tofu",
        [_v("K2", "safety-number", "2026-12-03T09:00:00Z"), _v("K3", "invite-link", "2026-12-03T09:00:00.500Z")],
        "none",
        {"pin": "K3", "how": "invite-link", "state": "verified", "changed": None, "record": None, "forget": False},
    ),
    (
        "the same instant: the stronger way wins",
        "K2",
        None,
        "tofu",
        [_v("K3", "invite-link", "2026-12-03T09:00:00Z"), _v("K2", "safety-number", "2026-12-03T09:00:00.000Z")],
        "none",
        {"pin": "K2", "how": "safety-number", "state": "verified", "changed": None, "record": None, "forget": False},
    ),
    (
        "the account's verifications outrank the invitation proof",
        "K2",
        None,
        "tofu",
        [_v("K1", "invite-link", "2026-12-01T10:00:00Z")],
        "valid",
        {"pin": "K1", "how": "invite-link", "state": "changed", "changed": "K2", "record": None, "forget": False},
    ),
    (
        "the care link ended: the pin stays as it was",
        None,
        "K1",
        "invite-link",
        [_v("K1", "invite-link", "2026-12-01T10:00:00Z")],
        "none",
        {"pin": "K1", "how": "invite-link", "state": "verified", "changed": None, "record": None, "forget": False},
    ),
]

VERIFIED_AT = [
    {"existing": [], "now": "2026-12-07T12:00:00.000Z", "expected": "2026-12-07T12:00:00.000Z"},
    {"existing": ["2026-12-01T10:00:00Z"], "now": "2026-12-07T12:00:00.000Z", "expected": "2026-12-07T12:00:00.000Z"},
    {"existing": ["2026-12-08T00:00:00Z"], "now": "2026-12-07T12:00:00.000Z", "expected": "2026-12-08T00:00:00.001Z"},
    {
        "existing": ["2026-12-31T23:59:59.999Z"],
        "now": "2026-12-07T12:00:00.000Z",
        "expected": "2027-01-01T00:00:00.000Z",
    },
]

ORIGINS = [
    ("https://between.example", "https://between.example"),
    ("HTTPS://Between.EXAMPLE:443/", "https://between.example"),
    ("http://127.0.0.1:80", "http://127.0.0.1"),
    ("http://127.0.0.1:8000//", "http://127.0.0.1:8000"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("http://[FE80::1]", "http://[fe80::1]"),
    ("https://host.example:8443/between/", "https://host.example:8443/between"),
    ("ftp://between.example", None),
    ("https://user@between.example", None),
    ("between.example", None),
    ("https://between.example:99999", None),
    ("https://", None),
]


def _bad_links(good: str) -> list[tuple[str, str]]:
    base, fragment = good.split("#")
    pairs = dict(p.split("=", 1) for p in fragment.split("&"))

    def link(**changes: str | None) -> str:
        merged = {**pairs, **changes}
        return base + "#" + "&".join(f"{k}={v}" for k, v in merged.items() if v is not None)

    return [
        ("version 1 (no secret)", link(v="1", s=None)),
        ("an unknown version", link(v="3")),
        ("no secret", link(s=None)),
        ("no token", link(t=None)),
        ("a secret one character short", link(s=pairs["s"][:-1])),
        ("a secret whose spare bits are set (not the one spelling of 16 bytes)", link(s=pairs["s"][:-1] + "B")),
        ("a secret with a character outside base64url", link(s=pairs["s"][:-1] + "+")),
        ("a fingerprint one character short", link(fp=pairs["fp"][:-1])),
        ("a handle in capitals", link(h="Dr.Theo")),
        ("a token too short", link(t="abc")),
        ("a key twice", good + "&t=" + pairs["t"]),
        ("a malformed percent escape in the token", link(t=pairs["t"][:-3] + "%zz")),
        ("a percent escape that is not UTF-8 in the handle", link(h="dr%FFtheo")),
        ("a query instead of a fragment", good.replace("#", "?")),
        ("another path", good.replace("/invite#", "/join#")),
        ("not a server address", "between.example/invite#" + fragment),
    ]


def build() -> dict[str, Any]:
    therapist, client = keys.make_bundle(THEO), keys.make_bundle(ALICE)
    secret = trust.invite_secret(THEO.account_key, INVITE_ID)
    digest = trust.bundle_digest(client)
    proof = trust.invite_proof(secret, INVITE_ID, THEO.user_id, client)
    url = safety.invite_url(ORIGIN, TOKEN, therapist, secret)
    equivalents = [
        ("the made link", url),
        (
            "keys in another order, an unknown key ignored",
            ORIGIN
            + "/invite#s="
            + safety.b64url(secret)
            + "&x=later"
            + "&h=dr.theo&fp="
            + safety.key_fingerprint(therapist)
            + "&t="
            + TOKEN
            + "&v=2",
        ),
        (
            "percent-encoded values, an upper-case host and the default port",
            url.replace(ORIGIN, "https://Between.Example:443").replace("h=dr.theo", "h=dr%2Etheo"),
        ),
    ]
    parsed = []
    for name, text in equivalents:
        link = safety.parse_invite_url(text)
        assert (link.origin, link.token, link.handle, link.secret) == (ORIGIN, TOKEN, "dr.theo", secret), name
        parsed.append({"name": name, "url": text})
    invalid = []
    for name, text in _bad_links(url):
        try:
            safety.parse_invite_url(text)
        except ProtocolError:
            invalid.append({"name": name, "url": text})
            continue
        raise SystemExit(f"invitation link accepted: {name}")
    origins = []
    for given, expected in ORIGINS:
        try:
            got: str | None = safety.normalise_origin(given)
        except ProtocolError:
            got = None
        if got != expected:
            raise SystemExit(f"origin {given!r}: computed {got!r}, expected {expected!r}")
        origins.append({"input": given, "origin": expected})
    judged = []
    for name, served, pinned, pinned_how, verifications, proof_is, expected in JUDGE:
        vs = [trust.Verification(KEYS[v["key"]], v["how"], v["created_at"]) for v in verifications]
        got = trust.judge(KEYS.get(served or ""), KEYS.get(pinned or ""), pinned_how, vs, proof_is)  # type: ignore[arg-type]
        computed = {
            "pin": _name(got.pin),
            "how": got.how,
            "state": got.state,
            "changed": _name(got.changed),
            "record": got.record,
            "forget": got.forget,
        }
        if computed != expected:
            raise SystemExit(f"judge {name!r}: computed {computed}, expected {expected}")
        judged.append(
            {
                "name": name,
                "served": served,
                "pinned": pinned,
                "pinned_how": pinned_how,
                "verifications": verifications,
                "proof": proof_is,
                "expected": expected,
            }
        )
    for case in VERIFIED_AT:
        vs = [trust.Verification(KEYS["K1"], "invite-link", at) for at in case["existing"]]
        if trust.verified_at(vs, case["now"]) != case["expected"]:
            raise SystemExit(f"verified_at {case}: computed {trust.verified_at(vs, case['now'])}")
    document = trust.verification_document(
        therapist,
        "invite-link",
        "2026-12-07T12:00:00.000Z",
        str(uuid.UUID(bytes=_fixed("trust/device", 16))),
        str(uuid.UUID(bytes=INVITE_ID)),
    )
    ignored = [
        ("another type", {**document, "type": "assignment"}),
        ("another document version", {**document, "v": 2}),
        ("an unknown way of verifying", {**document, "how": "tofu"}),
        ("a peer that is not the bundle's user", {**document, "peer": str(uuid.UUID(bytes=ALICE.user_id))}),
        ("a time that is not UTC", {**document, "created_at": "2026-12-07T12:00:00+01:00"}),
        ("a bundle with a key of the wrong length", {**document, "bundle": {**document["bundle"], "sig_pub": "AAAA"}}),
        ("no bundle", {k: v for k, v in document.items() if k != "bundle"}),
        ("an invite that is not a UUID", {**document, "invite": "invite-1"}),
    ]
    for name, doc in ignored:
        if trust.read_verification(doc) is not None:
            raise SystemExit(f"verification document read: {name}")
    return {
        "description": "Key trust (PROTOCOL.md §11). invite_secret = HKDF(account_key, 'between/v1/ak/invite', "
        "invite_id, 16). proof = HMAC-SHA256(secret, 'between/v1/invite-proof' || invite_id || "
        "therapist_id || SHA-256(client bundle body)). Invitation links: "
        "<origin>/invite#v=2&t=&fp=&h=&s= (fragment pairs split on '&', percent-decoded, '+' is a "
        "plus). judge: the pinned key, how it was verified and the state, from the served bundle, "
        "this device's pin, the account's verifications and the invitation proof. " + NOTE,
        "keys": {name: _wire(b) for name, b in KEYS.items()},
        "invite_secret": {"account_key": THEO.account_key.hex(), "invite_id": INVITE_ID.hex(), "secret": secret.hex()},
        "invite_proof": {
            "secret": secret.hex(),
            "invite_id": INVITE_ID.hex(),
            "therapist_id": THEO.user_id.hex(),
            "client_bundle": _wire(client),
            "bundle_digest": digest.hex(),
            "proof": proof.hex(),
            "used_by_another": str(uuid.UUID(bytes=_fixed("trust/another_client", 16))),
        },
        "invite_links": {
            "origin": ORIGIN,
            "token": TOKEN,
            "bundle": "K1",
            "secret": secret.hex(),
            "url": url,
            "fingerprint": safety.key_fingerprint(therapist),
            "handle": therapist.handle,
            "equivalent": parsed,
            "invalid": invalid,
        },
        "origins": origins,
        "verification_document": {
            "document": document,
            "reads_as": {
                "key": "K1",
                "how": "invite-link",
                "created_at": "2026-12-07T12:00:00.000Z",
                "invite": str(uuid.UUID(bytes=INVITE_ID)),
            },
            "ignored": [{"name": n, "document": d} for n, d in ignored],
        },
        "verified_at": VERIFIED_AT,
        "judge": judged,
    }
