"""Safety numbers (Signal's numeric fingerprint) and the invite link's key fingerprint."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from . import wire
from .errors import CryptoError, ProtocolError

FINGERPRINT_VERSION = b"\x00\x00"
ITERATIONS = 5200
KEY_TYPE_ED25519 = b"\x01"  # our key encoding: type byte then the raw Ed25519 identity key
INVITE_VERSION = "1"


def _iterated_hash(key: bytes, stable_id: bytes, iterations: int) -> bytes:
    digest = hashlib.sha512(FINGERPRINT_VERSION + key + stable_id + key).digest()
    for _ in range(1, iterations):
        digest = hashlib.sha512(digest + key).digest()
    return digest


def displayable_half(key: bytes, stable_id: bytes, iterations: int = ITERATIONS) -> str:
    """30 digits: six 5-byte big-endian chunks of the iterated SHA-512, each mod 100000."""
    digest = _iterated_hash(key, stable_id, iterations)
    return "".join(f"{int.from_bytes(digest[i:i + 5], 'big') % 100000:05d}" for i in range(0, 30, 5))


def combine_halves(a: str, b: str) -> str:
    """The smaller half first, so both parties see the same 60 digits."""
    return a + b if a < b else b + a


def safety_number(a: wire.KeyBundle, b: wire.KeyBundle) -> str:
    """60 digits over both identity signing keys (0x01 || sig_pub) and user ids (16 bytes)."""
    return combine_halves(displayable_half(KEY_TYPE_ED25519 + a.sig_pub, a.user_id.bytes),
                          displayable_half(KEY_TYPE_ED25519 + b.sig_pub, b.user_id.bytes))


def format_safety_number(number: str) -> str:
    """Twelve groups of five digits, as people read them aloud."""
    return " ".join(number[i:i + 5] for i in range(0, len(number), 5))


def key_fingerprint(bundle: wire.KeyBundle) -> str:
    """base64url (no padding) of the first 16 bytes of SHA-256(0x01 || sig_pub): 22 characters."""
    digest = hashlib.sha256(KEY_TYPE_ED25519 + bundle.sig_pub).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def check_key_fingerprint(bundle: wire.KeyBundle, fingerprint: str) -> None:
    """The bundle the server serves for an invite must carry the key the link's fragment names."""
    if not hmac.compare_digest(key_fingerprint(bundle).encode(), fingerprint.encode()):
        raise CryptoError(detail="key does not match the invitation")


# ---------------------------------------------------------------- invite links


@dataclass(frozen=True, slots=True)
class InviteLink:
    origin: str
    token: str
    fingerprint: str
    handle: str


def invite_url(origin: str, token: str, bundle: wire.KeyBundle) -> str:
    """`<origin>/invite#v=1&t=<token>&fp=<fingerprint>&h=<handle>`; the fragment never reaches a server."""
    return (f"{origin.rstrip('/')}/invite#v={INVITE_VERSION}&t={quote(token, safe='')}"
            f"&fp={key_fingerprint(bundle)}&h={quote(bundle.handle, safe='')}")


def parse_invite_url(url: str) -> InviteLink:
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc or not parts.path.endswith("/invite"):
        raise ProtocolError("bad_invite", "not an invitation link")
    fields = parse_qs(parts.fragment, keep_blank_values=True, strict_parsing=False)
    try:
        values = {k: fields[k] for k in ("v", "t", "fp", "h")}
    except KeyError:
        raise ProtocolError("bad_invite", "invitation link is incomplete") from None
    if any(len(v) != 1 for v in values.values()) or values["v"][0] != INVITE_VERSION:
        raise ProtocolError("bad_invite", "unsupported invitation link")
    origin = f"{parts.scheme}://{parts.netloc}{parts.path[:-len('/invite')]}"
    return InviteLink(origin, values["t"][0], values["fp"][0], values["h"][0])
