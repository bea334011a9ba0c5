"""Whose key is whose: the invitation's proof back to the therapist, the account's synced key verifications,
and `judge`, the one rule that says how far a peer's key is trusted (docs/PROTOCOL.md §11)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec

from . import crypto, layout, wire
from .keys import ROLE_CODES

INVITE_SECRET_LEN = 16
VERIFICATION = "key-verification"
# How a key was verified, weakest first. `tofu`: as the server gave it, on first sight (not verified).
HOW_RANK = {"tofu": 0, "invite-link": 1, "safety-number": 2}
# A verification's time: UTC, to the second or the millisecond (compared as instants, not as text).
STAMP = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{3}))?Z$")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
Proof = Literal["valid", "invalid", "none"]
State = Literal["verified", "unverified", "changed", "mismatch"]
# Nothing is shared with, granted to, assigned to or taken from a peer in these states until verified again.
BLOCKED = frozenset({"changed", "mismatch"})


# ---------------------------------------------------------------- the invitation's proof


def invite_secret(account_key: bytes, invite_id: bytes) -> bytes:
    """The `s` of an invitation link: any device of the therapist's account can make it again from the invite id."""
    return crypto.hkdf(account_key, "ak_invite", invite_id, INVITE_SECRET_LEN)


def bundle_digest(bundle: wire.KeyBundle) -> bytes:
    """SHA-256 of the signed bundle text: user id, handle, role and both public keys."""
    return hashlib.sha256(
        layout.bundle_body(bundle.user_id.bytes, bundle.handle, ROLE_CODES[bundle.role], bundle.sig_pub, bundle.kem_pub)
    ).digest()


def invite_proof(secret: bytes, invite_id: bytes, therapist_id: bytes, client: wire.KeyBundle) -> bytes:
    """What the accepting client sends: HMAC-SHA256 under the link's secret over its own bundle."""
    if len(secret) != INVITE_SECRET_LEN or len(invite_id) != 16 or len(therapist_id) != 16:
        raise ValueError("invite proof inputs have the wrong length")
    message = layout.LABELS["invite_proof"] + invite_id + therapist_id + bundle_digest(client)
    return hmac.digest(secret, message, "sha256")


def check_invite_proof(account_key: bytes, link: wire.CareLink, used: dict[str, str] | None = None) -> Proof:
    """On a therapist's device: does the client on this care link hold the key the invitation's secret vouches for?

    `used` maps invite ids to the peer an earlier verification by proof was for: an invitation vouches for one
    person, so a proof under an invite id already used for someone else is invalid (the invite id comes from the
    server, which could hand out one id, and so one secret, twice)."""
    if link.invite_id is None or link.proof is None:
        return "none"  # a link made before invitations carried a secret
    secret = invite_secret(account_key, link.invite_id.bytes)
    expected = invite_proof(secret, link.invite_id.bytes, link.therapist.user_id.bytes, link.client)
    if not hmac.compare_digest(expected, link.proof):
        return "invalid"
    other = (used or {}).get(str(link.invite_id))
    return "invalid" if other is not None and other != str(link.client.user_id) else "valid"


# ---------------------------------------------------------------- the account's key verifications


@dataclass(frozen=True, slots=True)
class Verification:
    """One verification the account recorded: `bundle` is the key that was verified, `how` the way."""

    bundle: wire.KeyBundle
    how: str
    created_at: str
    invite: str | None = None  # the invite id whose proof verified it (therapist side)


def verification_document(
    bundle: wire.KeyBundle, how: str, created_at: str, device: str, invite: str | None = None
) -> dict[str, Any]:
    """The document of an own record that says "this account verified this key, this way, at this time"; a
    verification by a client's proof names its invite id, so that invitation vouches for no one else."""
    if how not in ("invite-link", "safety-number") or (invite is not None and how != "invite-link"):
        raise ValueError("unknown verification")
    doc = {
        "v": 1,
        "type": VERIFICATION,
        "peer": str(bundle.user_id),
        "bundle": msgspec.to_builtins(bundle),
        "how": how,
        "created_at": created_at,
        "updated_at": created_at,
        "device": device,
    }
    if invite is not None:
        doc["invite"] = invite
    return doc


def used_invites(verifications: list[Verification]) -> dict[str, str]:
    """Invite id -> the peer whose key a proof under it verified."""
    return {v.invite: str(v.bundle.user_id) for v in verifications if v.invite is not None}


def read_verification(doc: dict[str, Any]) -> Verification | None:
    """A verification from a decrypted own document; None for anything else or a malformed one (ignored, kept)."""
    if doc.get("type") != VERIFICATION or doc.get("v") != 1:
        return None
    try:
        bundle = msgspec.convert(doc["bundle"], wire.KeyBundle, strict=False)
        how, created = doc["how"], doc["created_at"]
    except (KeyError, TypeError, msgspec.ValidationError):
        return None
    invite = doc.get("invite")
    if (
        how not in ("invite-link", "safety-number")
        or not isinstance(created, str)
        or not STAMP.match(created)
        or doc.get("peer") != str(bundle.user_id)
        or (invite is not None and not _is_uuid(invite))
    ):
        return None
    return Verification(bundle, how, created, invite)


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_TEXT.fullmatch(value) is not None


def same_keys(a: wire.KeyBundle | None, b: wire.KeyBundle | None) -> bool:
    return (
        a is not None
        and b is not None
        and a.user_id == b.user_id
        and a.sig_pub == b.sig_pub
        and (a.kem_pub == b.kem_pub)
    )


# ---------------------------------------------------------------- the judgement


@dataclass(frozen=True, slots=True)
class Judgement:
    """How a device treats one peer.

    `pin`: the key it trusts for them (grants are sealed to it, their records verify under it). `state`:
    verified (by `how`), unverified (first sight, the server's word), changed (the server now names another
    key: `changed` holds it) or mismatch (the invitation's proof does not match the key the server names).
    `record`: a verification this device should add to the account. `forget`: what was received from this
    peer under any other key than `pin` is dropped and pulled again."""

    pin: wire.KeyBundle
    how: str
    state: State
    changed: wire.KeyBundle | None = None
    record: str | None = None
    forget: bool = False

    @property
    def blocked(self) -> bool:
        """Nothing is shared with, granted to, assigned to or taken from this peer until verified again."""
        return self.state in BLOCKED


def _instant(stamp: str) -> tuple[str, int]:
    found = STAMP.match(stamp)
    assert found is not None  # read_verification let only such times through
    return found.group(1), int(found.group(2) or 0)


def latest(verifications: list[Verification]) -> Verification:
    """The newest decision; at the same instant the stronger way, then the larger key (any fixed order will do)."""
    return max(verifications, key=lambda v: (_instant(v.created_at), HOW_RANK[v.how], v.bundle.sig_pub))


def judge(
    served: wire.KeyBundle | None,
    pinned: wire.KeyBundle | None,
    pinned_how: str,
    verifications: list[Verification],
    proof: Proof = "none",
) -> Judgement:
    """The one trust rule (PROTOCOL.md §11, "Judging a peer's key"), pure: `served` is the bundle the server
    lists now (None when the care link ended), `pinned` and `pinned_how` this device's pin, `verifications` the
    account's for this peer, `proof` the invitation's (therapist side). `served` must already verify."""
    if served is None and pinned is None and not verifications:
        raise ValueError("nothing to judge")
    if verifications:
        trusted = latest(verifications).bundle
        how = max((v.how for v in verifications if same_keys(v.bundle, trusted)), key=HOW_RANK.__getitem__)
        forget = pinned is not None and not same_keys(pinned, trusted)
        if served is None or same_keys(served, trusted):
            return Judgement(pin=trusted, how=how, state="verified", forget=forget)
        return Judgement(pin=trusted, how=how, state="changed", changed=served, forget=forget)
    if proof == "valid" and served is not None:
        return Judgement(
            pin=served,
            how="invite-link",
            state="verified",
            record="invite-link",
            forget=pinned is not None and not same_keys(pinned, served),
        )
    if pinned is None:
        pinned, pinned_how = served, "tofu"
    assert pinned is not None
    if served is not None and not same_keys(pinned, served):
        return Judgement(pin=pinned, how=pinned_how, state="changed", changed=served)
    if pinned_how != "tofu":
        # Verified on this device before verifications were kept by the account: recorded there now.
        return Judgement(pin=pinned, how=pinned_how, state="verified", record=pinned_how)
    if proof == "invalid":
        return Judgement(pin=pinned, how="tofu", state="mismatch")
    return Judgement(pin=pinned, how="tofu", state="unverified")


def verified_at(verifications: list[Verification], now: str) -> str:
    """The time a new verification records: now, or just after the latest one if this device's clock is behind,
    so the newest decision is the one every device follows."""
    if not verifications:
        return now
    last = _instant(latest(verifications).created_at)
    if _instant(now) > last:
        return now
    moment = datetime.strptime(last[0], "%Y-%m-%dT%H:%M:%S") + timedelta(milliseconds=last[1] + 1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
