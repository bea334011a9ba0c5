"""HTTP calls of the reference client to /api/v1: typed requests and answers, problems mapped to errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import httpx
import msgspec

from ..core import wire
from ..core.errors import BetweenError
from . import answers

T = TypeVar("T")
API_PREFIX = "/api/v1"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class Unreachable(BetweenError):
    """The server could not be reached (connection refused, DNS, timeout)."""

    code = "unreachable"


class ApiError(BetweenError):
    """The server answered with a problem; `code` is its stable problem code, `status` the HTTP status."""

    code = "api"

    def __init__(self, code: str, detail: str, status: int) -> None:
        # The server's problems: their own keys (`server.<code>`, an answer that is no problem body `server.http`),
        # with the numbers the detail of `quota_exceeded` gives: the bytes needed, stored and allowed, in that order.
        params: dict[str, Any] = {"status": status}
        if code == "quota_exceeded":
            numbers = [int(n) for n in re.findall(r"\d+", detail)]
            params["numbers"] = "yes" if len(numbers) == 3 else "no"
            if len(numbers) == 3:
                params.update(needed=numbers[0], stored=numbers[1], quota=numbers[2])
        super().__init__(
            code, detail, key="server.http" if code.startswith("http_") else f"server.{code}", params=params
        )
        self.status = status


class SessionExpired(ApiError):
    """401 on an authenticated call: the session token is unknown, expired or revoked."""


def origin_of(server_url: str) -> str:
    """scheme://host[:port] with the default port omitted: what the server puts in auth transcripts."""
    parts = urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BetweenError("bad_server", "the server URL must look like https://host[:port]")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    port = parts.port
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


class Api:
    """A thin, typed wrapper over httpx. `token` is sent as a bearer; `on_expired` may refresh it once."""

    def __init__(
        self,
        server_url: str,
        token: str = "",
        *,
        on_expired: Callable[[Api], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.origin = origin_of(server_url)
        self.token = token
        # The server epoch of the last answer (its Between-Epoch header; PROTOCOL.md "Restores and the server epoch")
        self.epoch: str | None = None
        self.on_expired = on_expired
        self._http = httpx.Client(
            base_url=self.origin + API_PREFIX,
            timeout=TIMEOUT,
            transport=transport,
            headers={"accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------ transport

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        auth: bool,
        params: dict[str, Any] | None,
        raw: tuple[bytes, dict[str, str]] | None = None,
    ) -> httpx.Response:
        """`raw`: bytes and their headers instead of a JSON body (a blob's piece, a ranged download)."""
        headers = {"content-type": "application/json"} if body is not None else {}
        content = wire.encode(body) if body is not None else None
        if raw is not None:
            content, headers = (raw[0] or None), dict(raw[1])
        if auth:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            response = self._http.request(method, path, content=content, headers=headers, params=params)
        except httpx.TransportError:
            # The URL is not a secret; the exception text (which may hold request data) is not shown.
            raise Unreachable(detail=f"server unreachable ({self.origin})", params={"origin": self.origin}) from None
        epoch = response.headers.get("between-epoch")
        if epoch is not None and len(epoch) == 32 and all(c in "0123456789abcdef" for c in epoch):
            self.epoch = epoch
        return response

    def call(
        self,
        method: str,
        path: str,
        answer: type[T] | None = None,
        body: Any = None,
        *,
        auth: bool = True,
        params: dict[str, Any] | None = None,
        raw: tuple[bytes, dict[str, str]] | None = None,
    ) -> T:
        response = self.request(method, path, body, auth=auth, params=params, raw=raw)
        if answer is None or response.status_code == 204:
            return None  # type: ignore[return-value]
        try:
            # Fields a newer server added are ignored (PROTOCOL.md §14); everything known is checked.
            return answers.decode(response.content, answer)
        except msgspec.ValidationError as exc:
            raise BetweenError(
                "bad_response",
                f"the server sent a malformed answer ({exc})",
                key="bad_response.why",
                params={"why": str(exc)},
            ) from None
        except msgspec.DecodeError:
            raise BetweenError("bad_response", "the server sent a malformed answer") from None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        auth: bool = True,
        params: dict[str, Any] | None = None,
        raw: tuple[bytes, dict[str, str]] | None = None,
    ) -> httpx.Response:
        """One request, its session renewed once when it expired; a problem answer raised as ApiError."""
        response = self._send(method, path, body, auth, params, raw)
        if response.status_code == 401 and auth and self.on_expired is not None:
            problem = _problem(response, auth)
            if problem.code == "invalid_credentials":  # a wrong signature, not an expired session
                raise problem
            self.on_expired(self)  # raises if the device can no longer refresh
            response = self._send(method, path, body, auth, params, raw)
        if response.status_code >= 400:
            raise _problem(response, auth)
        return response

    # ------------------------------------------------------------ accounts and sessions

    def health(self) -> wire.Health:
        return self.call("GET", "/health", wire.Health, auth=False)

    def signup(self, signup: wire.Signup) -> wire.Session:
        return self.call("POST", "/accounts", wire.Session, signup, auth=False)

    def prelogin(self, handle: str) -> wire.Challenge:
        return self.call("POST", "/auth/prelogin", wire.Challenge, wire.Prelogin(handle=handle), auth=False)

    def login(self, login: wire.Login) -> wire.Session:
        return self.call("POST", "/auth/login", wire.Session, login, auth=False)

    def device_challenge(self, device_id: UUID) -> wire.Challenge:
        return self.call(
            "POST",
            "/auth/device-challenge",
            wire.Challenge,
            wire.DeviceChallengeRequest(device_id=device_id),
            auth=False,
        )

    def refresh(self, refresh: wire.Refresh) -> wire.Session:
        return self.call("POST", "/auth/refresh", wire.Session, refresh, auth=False)

    def logout(self) -> None:
        self.call("POST", "/auth/logout")

    def account(self) -> wire.AccountKeys:
        return self.call("GET", "/account", wire.AccountKeys)

    def delete_account(self, request: wire.DeleteAccount) -> None:
        self.call("POST", "/account/delete", None, request)

    def change_passphrase(self, request: wire.ChangePassphrase) -> None:
        self.call("POST", "/account/passphrase", None, request)

    def devices(self) -> list[wire.Device]:
        return self.call("GET", "/devices", list[wire.Device])

    def revoke_device(self, device_id: UUID) -> None:
        self.call("DELETE", f"/devices/{device_id}")

    # ------------------------------------------------------------ sync

    def pull(self, after: int, limit: int = 200) -> wire.PullResponse:
        return self.call("GET", "/sync/pull", wire.PullResponse, params={"after": after, "limit": limit})

    def push(self, push: wire.Push) -> wire.PushResponse:
        return self.call("POST", "/sync/push", wire.PushResponse, push)

    def history(self, record_id: UUID, before: int | None = None, limit: int = 100) -> wire.History:
        params: dict[str, Any] = {"limit": limit} | ({"before": before} if before is not None else {})
        return self.call("GET", f"/records/{record_id}/history", wire.History, params=params)

    def bundle(self, user_id: UUID) -> wire.KeyBundle:
        return self.call("GET", f"/bundles/{user_id}", wire.KeyBundle)

    # ------------------------------------------------------------ attachments' blobs (PROTOCOL.md §17 "Attachments")

    def create_blob(self, blob_id: UUID, size: int) -> wire.BlobState:
        """POST /blobs: a new upload, or (same id and size) where an earlier one stands."""
        return self.call("POST", "/blobs", wire.BlobState, wire.BlobCreate(id=blob_id, size=size))

    def blob_state(self, blob_id: UUID) -> wire.BlobState:
        return self.call("GET", f"/blobs/{blob_id}/state", wire.BlobState)

    def patch_blob(self, blob_id: UUID, offset: int, piece: bytes) -> wire.BlobState:
        """The next bytes of an upload, from `offset` (the server's `received`)."""
        headers = {"content-type": "application/offset+octet-stream", "upload-offset": str(offset)}
        return self.call("PATCH", f"/blobs/{blob_id}", wire.BlobState, raw=(piece, headers))

    def get_blob(self, blob_id: UUID, start: int = 0, end: int | None = None) -> bytes:
        """Bytes start..end (exclusive; None: to the end) of a complete blob, asked for as one range."""
        headers = {"accept": "application/octet-stream"}
        if start or end is not None:
            headers["range"] = f"bytes={start}-{'' if end is None else end - 1}"
        response = self.request("GET", f"/blobs/{blob_id}", raw=(b"", headers))
        if (start or end is not None) and response.status_code != 206:
            raise BetweenError("bad_response", "the server did not answer the range asked for")
        return response.content

    # ------------------------------------------------------------ care links

    def create_invite(self) -> wire.InviteCreated:
        return self.call("POST", "/invites", wire.InviteCreated)

    def preview_invite(self, token: str) -> wire.InvitePreview:
        return self.call("POST", "/invites/preview", wire.InvitePreview, wire.InviteToken(token=token))

    def accept_invite(self, token: str, proof: bytes) -> wire.CareLink:
        return self.call("POST", "/invites/accept", wire.CareLink, wire.InviteAccept(token=token, proof=proof))

    def links(self) -> list[wire.CareLink]:
        return self.call("GET", "/links", list[wire.CareLink])

    def delete_link(self, link_id: UUID) -> None:
        self.call("DELETE", f"/links/{link_id}")


def _problem(response: httpx.Response, auth: bool) -> ApiError:
    code, detail = f"http_{response.status_code}", response.reason_phrase or "request failed"
    try:
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code") or code)
            detail = str(body.get("detail") or body.get("title") or detail)
    except ValueError:
        pass
    cls = SessionExpired if response.status_code == 401 and auth else ApiError
    return cls(code, detail[:300], response.status_code)
