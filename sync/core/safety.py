"""Safety numbers (Signal's numeric fingerprint) and the invite link's key fingerprint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from . import wire
from .errors import CryptoError, ProtocolError

FINGERPRINT_VERSION = b"\x00\x00"
ITERATIONS = 5200
KEY_TYPE_ED25519 = b"\x01"  # our key encoding: type byte then the raw Ed25519 identity key
INVITE_VERSION = "2"


def _iterated_hash(key: bytes, stable_id: bytes, iterations: int) -> bytes:
    digest = hashlib.sha512(FINGERPRINT_VERSION + key + stable_id + key).digest()
    for _ in range(1, iterations):
        digest = hashlib.sha512(digest + key).digest()
    return digest


def displayable_half(key: bytes, stable_id: bytes, iterations: int = ITERATIONS) -> str:
    """30 digits: six 5-byte big-endian chunks of the iterated SHA-512, each mod 100000."""
    digest = _iterated_hash(key, stable_id, iterations)
    return "".join(f"{int.from_bytes(digest[i : i + 5], 'big') % 100000:05d}" for i in range(0, 30, 5))


def combine_halves(a: str, b: str) -> str:
    """The smaller half first, so both parties see the same 60 digits."""
    return a + b if a < b else b + a


def safety_number(a: wire.KeyBundle, b: wire.KeyBundle) -> str:
    """60 digits over both identity signing keys (0x01 || sig_pub) and user ids (16 bytes)."""
    return combine_halves(
        displayable_half(KEY_TYPE_ED25519 + a.sig_pub, a.user_id.bytes),
        displayable_half(KEY_TYPE_ED25519 + b.sig_pub, b.user_id.bytes),
    )


def format_safety_number(number: str) -> str:
    """Twelve groups of five digits, as people read them aloud."""
    return " ".join(number[i : i + 5] for i in range(0, len(number), 5))


def key_fingerprint(bundle: wire.KeyBundle) -> str:
    """base64url (no padding) of the first 16 bytes of SHA-256(0x01 || sig_pub): 22 characters."""
    digest = hashlib.sha256(KEY_TYPE_ED25519 + bundle.sig_pub).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def check_key_fingerprint(bundle: wire.KeyBundle, fingerprint: str) -> None:
    """The bundle the server serves for an invite must carry the key the link's fragment names."""
    if not hmac.compare_digest(key_fingerprint(bundle).encode(), fingerprint.encode()):
        raise CryptoError(detail="key does not match the invitation")


# ---------------------------------------------------------------- invite links

INVITE_KEYS = ("v", "t", "fp", "h", "s")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_HANDLE = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class InviteLink:
    origin: str
    token: str
    fingerprint: str
    handle: str
    secret: bytes  # 16 bytes: proves the client's key back to the therapist (sync/core/trust.py invite_proof)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def normalise_origin(url: str) -> str:
    """`scheme://host[:port][/prefix]` as every client compares it: scheme and host lower-cased, the default
    port left out, an IPv6 host in brackets, no trailing slash. Anything else is not a server address."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None or parts.password is not None:
        raise ProtocolError("bad_origin", "not a server address")
    try:
        port = parts.port
    except ValueError:
        raise ProtocolError("bad_origin", "not a server address") from None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def invite_url(origin: str, token: str, bundle: wire.KeyBundle, secret: bytes) -> str:
    """`<origin>/invite#v=2&t=<token>&fp=<fingerprint>&h=<handle>&s=<secret>`; the fragment never reaches a server."""
    if len(secret) != 16:
        raise ProtocolError("bad_invite", "the invitation secret must be 16 bytes")
    return (
        f"{normalise_origin(origin)}/invite#v={INVITE_VERSION}&t={quote(token, safe='')}"
        f"&fp={key_fingerprint(bundle)}&h={quote(bundle.handle, safe='')}&s={b64url(secret)}"
    )


def _fragment(fragment: str) -> dict[str, str]:
    """`k=v` pairs split on `&`, percent-decoded as UTF-8 (`+` is a plus, not a space). Each known key exactly
    once; unknown keys are ignored, so a later version can add one without breaking this one."""
    values: dict[str, str] = {}
    for pair in fragment.split("&"):
        key, sep, value = pair.partition("=")
        if not sep or key not in INVITE_KEYS:
            continue
        if key in values:
            raise ProtocolError("bad_invite", "unsupported invitation link")
        try:
            values[key] = unquote(value, errors="strict")
        except UnicodeDecodeError:
            raise ProtocolError("bad_invite", "invitation link is damaged") from None
    return values


def parse_invite_url(url: str) -> InviteLink:
    parts = urlsplit(url.strip())
    if parts.query or not parts.path.endswith("/invite"):
        raise ProtocolError("bad_invite", "not an invitation link")
    try:
        origin = normalise_origin(f"{parts.scheme}://{parts.netloc}{parts.path[: -len('/invite')]}")
    except ProtocolError:
        raise ProtocolError("bad_invite", "not an invitation link") from None
    values = _fragment(parts.fragment)
    if "v" in values and values["v"] != INVITE_VERSION:
        raise ProtocolError("bad_invite", "unsupported invitation link")
    if any(k not in values for k in INVITE_KEYS):
        raise ProtocolError("bad_invite", "invitation link is incomplete")
    token, fp, handle, secret = values["t"], values["fp"], values["h"], values["s"]
    if (
        not _TOKEN.fullmatch(token)
        or len(fp) != 22
        or not _B64URL.fullmatch(fp)
        or not _HANDLE.fullmatch(handle)
        or len(secret) != 22
        or not _B64URL.fullmatch(secret)
    ):
        raise ProtocolError("bad_invite", "invitation link is damaged")
    raw = base64.urlsafe_b64decode(secret + "==")
    if b64url(raw) != secret:  # the two spare bits of the last character must be zero: one spelling per secret
        raise ProtocolError("bad_invite", "invitation link is damaged")
    return InviteLink(origin, token, fp, handle, raw)
