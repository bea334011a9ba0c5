"""Web Push on `cryptography` alone: the server's VAPID key (RFC 8292) and message encryption (RFC 8291, aes128gcm).

Why not pywebpush and py-vapid: pywebpush 2.5 sends with `requests` or `aiohttp`, two more HTTP stacks beside the
httpx the project already uses, and encrypts through `http-ece`; py-vapid's part we need is one ES256 signature.
What Between needs is one record of at most a few dozen bytes to a known key, and a JWT: about sixty lines here,
checked against `http-ece` (the RFC 8188 author's implementation) and an independent JWT check in the tests'
stand-in push service (tests/push_service.py)."""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from between.server.datafiles import create_once

RECORD_SIZE = 4096  # rs of the one aes128gcm record (RFC 8188 §2.1); a reminder's payload is far smaller
JWT_LIFETIME = 12 * 3600  # RFC 8292 §2: at most 24 hours


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


class Vapid:
    """The application server's P-256 key: its public point is the applicationServerKey every subscription names."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self.private = private
        self.public = _point(private.public_key())

    @classmethod
    def load_or_create(cls, path: Path) -> Vapid:
        """The PEM key at `path`, or a new one written there (mode 0600) on first start. Several workers may start at
        once: each writes its own key to a file of its own and links it into place, the first link wins, and every
        worker then reads the one that won (never a half-written file)."""
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            create_once(path, pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey) or loaded.curve.name != "secp256r1":
            raise RuntimeError(f"{path}: expected a P-256 private key (PEM)")
        return cls(loaded)

    def authorization(self, endpoint: str, subject: str, now: int) -> str:
        """The `Authorization: vapid t=<JWT>, k=<key>` header for a push to `endpoint` (RFC 8292 §3)."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        header = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
        claims = {"aud": audience, "exp": now + JWT_LIFETIME, "sub": subject}
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode()
        r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants r‖s, not DER
        return f"vapid t={header}.{body}.{b64url(signature)}, k={b64url(self.public)}"


def encrypt(
    plaintext: bytes,
    ua_public: bytes,
    auth_secret: bytes,
    *,
    salt: bytes | None = None,
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
) -> bytes:
    """One aes128gcm record for the subscription's `p256dh` (65-byte point) and 16-byte `auth` (RFC 8291 §3.4)."""
    if len(plaintext) > RECORD_SIZE - 17 - 86:
        raise ValueError("push payload too long for one record")
    ua_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    as_private = ephemeral or ec.generate_private_key(ec.SECP256R1())
    as_public = _point(as_private.public_key())
    shared = as_private.exchange(ec.ECDH(), ua_key)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    salt = salt or os.urandom(16)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    record = AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)  # 0x02: the last (and only) record
    return salt + struct.pack("!IB", RECORD_SIZE, len(as_public)) + as_public + record
