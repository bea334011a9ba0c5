"""A stand-in for the receiving side of Web Push (RFC 8030), on 127.0.0.1, for tests and benchmarks.

It holds subscriptions as a browser would (a P-256 key pair and a 16-byte auth secret each), and on every POST:
checks the VAPID JWT (RFC 8292: ES256 over r‖s with the key in `k`, `aud` its own origin, `exp` within 24 h, a
mailto:/https: `sub`), checks the headers RFC 8030 requires, and decrypts the body (RFC 8291) with `http_ece`, the
encrypted-content-encoding implementation by RFC 8188's author, so the server's own encryption is checked by code
it does not share. Each subscription answers 201, or what a test sets (410 for one that expired)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StandInSubscription:
    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    status: int = 201

    @property
    def p256dh(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def wire(self) -> dict[str, str]:
        """The body of PUT /api/v1/reminders/subscription (bytes as standard base64, as the wire says)."""
        b64 = base64.b64encode
        return {"endpoint": self.endpoint, "p256dh": b64(self.p256dh).decode(), "auth": b64(self.auth).decode()}

    def browser_json(self) -> dict[str, object]:
        """What a browser's PushSubscription.toJSON() gives: keys in unpadded base64url."""
        url = base64.urlsafe_b64encode
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": url(self.p256dh).rstrip(b"=").decode(), "auth": url(self.auth).rstrip(b"=").decode()},
        }


@dataclass
class Received:
    token: str
    plaintext: bytes
    headers: dict[str, str]
    claims: dict[str, object]
    answered: int
    size: int

    def json(self) -> dict[str, object]:
        return json.loads(self.plaintext)


@dataclass
class Refused:
    token: str
    reason: str


@dataclass
class PushService:
    """Start with `start()`; `messages` lists every push decrypted, `refused` every push that failed a check."""

    server_key: bytes | None = None  # the application server's VAPID public key, when the test knows it
    clock: Callable[[], float] = time.time
    messages: list[Received] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    plain_posts: int = 0
    _subs: dict[str, StandInSubscription] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None
    origin: str = ""

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = service._receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                if status == 201:
                    self.send_header("location", f"{service.origin}/message/{os.urandom(6).hex()}")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            request_queue_size = 512  # the sender opens many connections at once

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def subscribe(self, status: int = 201) -> StandInSubscription:
        token = base64.urlsafe_b64encode(os.urandom(12)).decode()
        sub = StandInSubscription(
            token, f"{self.origin}/push/{token}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16), status
        )
        with self._lock:
            self._subs[token] = sub
        return sub

    def received(self, sub: StandInSubscription) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if m.token == sub.token]

    # ------------------------------------------------------------ one POST

    def _receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        if path == "/plain":  # the benchmark's baseline: the same bytes, no checks
            with self._lock:
                self.plain_posts += 1
            return 201
        token = path.removeprefix("/push/")
        with self._lock:
            sub = self._subs.get(token)
        if sub is None:
            return 404
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            claims = self._check_vapid(lower.get("authorization", ""))
            if not lower.get("ttl", "").isdigit():
                raise ValueError("TTL header missing (RFC 8030 §5.2)")
            if lower.get("content-encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            plaintext = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
        except Exception as exc:
            with self._lock:
                self.refused.append(Refused(token, f"{type(exc).__name__}: {exc}"))
            return 400 if not isinstance(exc, PermissionError) else 403
        with self._lock:
            self.messages.append(Received(token, plaintext, lower, claims, sub.status, len(body)))
        return sub.status

    def _check_vapid(self, authorization: str) -> dict[str, object]:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise PermissionError("Authorization is not vapid")
        params = dict(p.strip().split("=", 1) for p in rest.split(","))
        jwt, key = params["t"], _unb64url(params["k"])
        if self.server_key is not None and key != self.server_key:
            raise PermissionError("k is not the application server's key")
        head_b64, body_b64, sig_b64 = jwt.split(".")
        header = json.loads(_unb64url(head_b64))
        if header.get("alg") != "ES256":
            raise PermissionError("JWT alg is not ES256")
        signature = _unb64url(sig_b64)
        if len(signature) != 64:
            raise PermissionError("ES256 signature must be r‖s, 64 bytes")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{head_b64}.{body_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise PermissionError("VAPID signature does not verify") from None
        claims = json.loads(_unb64url(body_b64))
        if claims.get("aud") != self.origin:
            raise PermissionError("aud is not this push service's origin")
        exp = claims.get("exp")
        if not isinstance(exp, int) or not (self.clock() < exp <= self.clock() + 24 * 3600):
            raise PermissionError("exp is not within the next 24 hours")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
            raise PermissionError("sub is not a mailto: or https: contact")
        return claims
