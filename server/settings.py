"""Server settings decoded from an injectable mapping: the only module that reads the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

# The web app. In a checkout, web/ holds the sources (package.json beside them) and web/dist/ the minified build that
# `npm ci` (or `npm run build`) makes there; installed from a wheel, between/web/ is that build itself (pyproject.toml).
# The build is served by default; `between serve --dev` serves the sources.
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
IN_CHECKOUT = (WEB_DIR / "package.json").is_file()
BUILT_WEB_DIR = WEB_DIR / "dist" if IN_CHECKOUT else WEB_DIR

Seconds = Annotated[int, Meta(ge=1, le=10 * 365 * 86400)]
PerWindow = Annotated[int, Meta(ge=1, le=1_000_000)]
# A host name of lowercase letters, digits and hyphens (the last label starting with a letter), `*.` before it for
# every name under it
PushService = Annotated[
    str, Meta(pattern=r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
]
# The default of BETWEEN_PUSH_SERVICES: the endpoint hosts of Chromium and Chrome (FCM), Firefox, Safari and Edge (WNS)
PUSH_SERVICES = ("fcm.googleapis.com", "*.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com")

# environment variable -> field name; the comment on each field says what it means
ENV_NAMES: dict[str, str] = {
    "BETWEEN_DATA": "data_dir",
    "BETWEEN_DATABASE": "database",
    "BETWEEN_WORKERS": "workers",
    "BETWEEN_RATE_PUSH_PER_MINUTE": "rate_push_per_minute",
    "BETWEEN_QUOTA": "quota_bytes",
    "BETWEEN_HOST": "host",
    "BETWEEN_PORT": "port",
    "BETWEEN_PUBLIC_ORIGIN": "public_origin",
    "BETWEEN_REGISTRATION": "registration",
    "BETWEEN_SIGNUP_CODES": "signup_codes",
    "BETWEEN_SESSION_TTL": "session_ttl",
    "BETWEEN_CHALLENGE_TTL": "challenge_ttl",
    "BETWEEN_INVITE_TTL": "invite_ttl",
    "BETWEEN_MAX_REQUEST_BYTES": "max_request_bytes",
    "BETWEEN_MAX_REVISION_BYTES": "max_revision_bytes",
    "BETWEEN_RATE_LIMIT": "rate_limit",
    "BETWEEN_RATE_IP_PER_MINUTE": "rate_ip_per_minute",
    "BETWEEN_RATE_HANDLE_PER_MINUTE": "rate_handle_per_minute",
    "BETWEEN_RATE_SIGNUP_PER_HOUR": "rate_signup_per_hour",
    "BETWEEN_LIVE": "live",
    "BETWEEN_LIVE_HEARTBEAT": "live_heartbeat",
    "BETWEEN_LIVE_LIFETIME": "live_lifetime",
    "BETWEEN_LIVE_PER_ACCOUNT": "live_per_account",
    "BETWEEN_LIVE_MAX_STREAMS": "live_max_streams",
    "BETWEEN_REMINDERS": "reminders",
    "BETWEEN_REMINDER_SCAN": "reminder_scan",
    "BETWEEN_PUSH_CONTACT": "push_contact",
    "BETWEEN_VAPID_KEY_FILE": "vapid_key_file",
    "BETWEEN_PUSH_LOOPBACK": "push_loopback",
    "BETWEEN_PUSH_SERVICES": "push_services",
    "BETWEEN_WEB_DIR": "web_dir",
    "BETWEEN_LOG_LEVEL": "log_level",
    "BETWEEN_LOG_FORMAT": "log_format",
    "BETWEEN_HEADER_TIMEOUT": "header_timeout",
    "BETWEEN_BODY_TIMEOUT": "body_timeout",
    "BETWEEN_METRICS_PORT": "metrics_port",
    "BETWEEN_CRISIS_LINES": "crisis_lines",
    "BETWEEN_MAX_BLOB_BYTES": "max_blob_bytes",
    "BETWEEN_ATTACHMENT_QUOTA": "attachment_quota",
    "BETWEEN_UPLOAD_EXPIRY": "upload_expiry",
    "BETWEEN_ATTACHMENT_HISTORY": "attachment_history",
    "BETWEEN_COLLECT_INTERVAL": "collect_interval",
}
# The CLI's own variables: they may be set in the same shell as the server, and are not typos.
CLIENT_NAMES = frozenset(
    {
        "BETWEEN_PASSPHRASE",
        "BETWEEN_RECOVERY_KEY",
        "BETWEEN_PROFILE",
        "BETWEEN_KDF_MEMORY_KIB",
        "BETWEEN_KDF_ITERATIONS",
        "BETWEEN_PULL_LIMIT",
        "BETWEEN_NEW_PASSPHRASE",
    }
)
_CHOICES = {
    "registration": "open or invite",
    "rate_limit": "on or off",
    "live": "on or off",
    "reminders": "on or off",
    "push_loopback": "on or off",
    "log_level": "debug, info, warning or error",
    "log_format": "text or json",
}
_DURATIONS = {
    "session_ttl",
    "challenge_ttl",
    "invite_ttl",
    "live_heartbeat",
    "live_lifetime",
    "header_timeout",
    "body_timeout",
    "reminder_scan",
    "upload_expiry",
    "attachment_history",
    "collect_interval",
}
_SIZES = {"max_request_bytes", "max_revision_bytes", "quota_bytes", "max_blob_bytes", "attachment_quota"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}
_SIZE_UNITS = {"": 1, "k": 1024, "kib": 1024, "m": 1024**2, "mib": 1024**2, "g": 1024**3, "gib": 1024**3}


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the environment variable."""


class Settings(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    data_dir: str = "./var"  # SQLite database and the server secret live here
    # A postgresql:// URL (libpq form: user, password, host, port, database, ?sslmode=...): the store lives there
    # instead of in data_dir's SQLite file (the server secret stays in data_dir). Needs `between[postgres]`.
    database: Annotated[str, Meta(pattern=r"^postgres(ql)?://")] | None = None
    # Worker processes serving the port (PostgreSQL only; SQLite is one process). None: one per CPU core.
    workers: Annotated[int, Meta(ge=1, le=256)] | None = None
    # Pushes one account may make per minute (all its devices together), and the bytes of ciphertext it may store.
    rate_push_per_minute: PerWindow = 600
    quota_bytes: Annotated[int, Meta(ge=1024, le=1 << 50)] = 1024**3
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=0, le=65535)] = 8000
    public_origin: Annotated[str, Meta(pattern=r"^https?://[A-Za-z0-9.\-\[\]:]+$")] | None = None
    registration: Literal["open", "invite"] = "open"
    signup_codes: tuple[str, ...] = ()
    session_ttl: Seconds = 12 * 3600
    challenge_ttl: Seconds = 60
    invite_ttl: Seconds = 7 * 86400
    max_request_bytes: Annotated[int, Meta(ge=4096, le=1 << 30)] = 16 * 1024 * 1024
    max_revision_bytes: Annotated[int, Meta(ge=256, le=1 << 28)] = 1024 * 1024
    rate_limit: Literal["on", "off"] = "on"  # off only for benchmarks and closed test setups
    rate_ip_per_minute: PerWindow = 60
    rate_handle_per_minute: PerWindow = 10
    rate_signup_per_hour: PerWindow = 20
    # Change notices (GET /api/v1/sync/changes, server/live.py). Off: the endpoint answers 404 and clients poll.
    live: Literal["on", "off"] = "on"
    # A comment line this often keeps proxies from closing an idle stream; clients give up on a stream silent for
    # 45 s (web/js/page/live.js), so at most 30.
    live_heartbeat: Annotated[int, Meta(ge=1, le=30)] = 15
    # A stream ends after this long and the client opens a new one: a restart or rebalancing never waits on streams
    # older than this. (Its session is checked again at each heartbeat, so an ended session ends it sooner.)
    live_lifetime: Annotated[int, Meta(ge=1, le=3600)] = 600
    live_per_account: Annotated[int, Meta(ge=1, le=1000)] = 8  # open streams of one account (tabs and devices)
    live_max_streams: Annotated[int, Meta(ge=1, le=1_000_000)] = 2000  # open streams of this process
    # Reminders (Web Push, server/reminders.py). Off: the /reminders endpoints answer 404 and nothing is sent.
    reminders: Literal["on", "off"] = "on"
    reminder_scan: Annotated[int, Meta(ge=1, le=3600)] = 60  # seconds between looks for due fire times, at most
    # The VAPID `sub` claim, how a push service reaches the operator: mailto: or https:. Default: the public origin,
    # else mailto:between@localhost (Apple refuses pushes whose sub is not a valid mailto:/https: URL).
    push_contact: Annotated[str, Meta(pattern=r"^(mailto:[^\s@]+@[^\s@]+|https://[^\s]+)$")] | None = None
    vapid_key_file: str | None = None  # PEM P-256 key; default: vapid.pem in the data directory, made on first start
    # on: push endpoints may be http:// on loopback (the tests' stand-in push service). Never in production.
    push_loopback: Literal["on", "off"] = "off"
    # The push services the server posts to: host names, or `*.name` for any name under one (comma-separated in the
    # environment). Endpoints elsewhere are refused (400 push_endpoint_refused) and never posted to.
    push_services: tuple[PushService, ...] = PUSH_SERVICES
    web_dir: str = str(BUILT_WEB_DIR)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # json: one JSON object a line (time, level, logger, message, request id); never bodies, tokens or queries.
    log_format: Literal["text", "json"] = "text"
    # Slow clients (server/protocol.py): a request's line and headers must arrive within header_timeout of the
    # connection being ready for them; a body that stalls for body_timeout closes the connection.
    header_timeout: Annotated[int, Meta(ge=1, le=600)] = 30
    body_timeout: Annotated[int, Meta(ge=1, le=600)] = 30
    # Prometheus metrics (server/observe.py) on 127.0.0.1 at this port, apart from the app's; 0: none. Several
    # workers: the supervisor serves their sum.
    metrics_port: Annotated[int, Meta(ge=0, le=65535)] = 0
    # A JSON file of the crisis lines for the operator's region (deploy/README.md, "Crisis lines"), served to
    # everyone at GET /api/v1/crisis-lines. Unset: no lines, and the app says to call the local emergency number.
    crisis_lines: str | None = None
    # Attachments (docs/PROTOCOL.md §17 "Attachments", server/blobs.py): the largest blob; the sum of an account's
    # blobs' sizes, complete or not (apart from quota_bytes); how long an upload not written to is kept; how long a
    # blob no head revision names any more is kept; how often the collector looks.
    max_blob_bytes: Annotated[int, Meta(ge=1024, le=1 << 40)] = 64 * 1024**2
    attachment_quota: Annotated[int, Meta(ge=1024, le=1 << 50)] = 2 * 1024**3
    upload_expiry: Seconds = 24 * 3600
    attachment_history: Seconds = 30 * 86400
    collect_interval: Annotated[int, Meta(ge=1, le=86400)] = 300

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Decode from BETWEEN_* variables; unknown BETWEEN_* names are errors (typos must not pass)."""
        environ = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for name, value in environ.items():
            if not name.startswith("BETWEEN_") or name in CLIENT_NAMES:
                continue
            field = ENV_NAMES.get(name)
            if field is None:
                raise SettingsError(f"{name}: unknown setting")
            raw[field] = _parse(name, field, value)
        return cls.from_mapping(raw)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> Settings:
        try:
            settings = msgspec.convert(dict(raw), cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(_name_variable(str(exc))) from None
        if settings.workers not in (None, 1) and settings.database is None:
            raise SettingsError(
                "BETWEEN_WORKERS: several workers need PostgreSQL (BETWEEN_DATABASE); SQLite is served by one process"
            )
        if settings.registration == "invite" and any(len(c) < 8 for c in settings.signup_codes):
            raise SettingsError("BETWEEN_SIGNUP_CODES: every code must have at least 8 characters")
        return settings

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "between.sqlite3"

    @property
    def store_target(self) -> Path | str:
        """What the store opens: the PostgreSQL URL, else the SQLite file in data_dir."""
        return self.database or self.db_path

    @property
    def worker_count(self) -> int:
        """Worker processes: one with SQLite (its writer and session cache are the process's own), else as set, or one
        per CPU core."""
        if self.database is None:
            return 1
        return self.workers or os.cpu_count() or 1

    @property
    def vapid_path(self) -> Path:
        return Path(self.vapid_key_file) if self.vapid_key_file else Path(self.data_dir) / "vapid.pem"

    @property
    def vapid_contact(self) -> str:
        return (
            self.push_contact
            or (self.public_origin if (self.public_origin or "").startswith("https://") else None)
            or "mailto:between@localhost"
        )


def _parse(name: str, field: str, value: str) -> object:
    value = value.strip()
    if field == "signup_codes":
        return tuple(c.strip() for c in value.split(",") if c.strip())
    if field == "push_services":
        return tuple(c.strip().lower() for c in value.split(",") if c.strip())
    if field == "crisis_lines":
        return value or None
    if field == "public_origin":
        return value.rstrip("/") or None
    if field in _DURATIONS:
        m = re.fullmatch(r"(\d+)\s*([smhd]?)", value)
        if not m:
            raise SettingsError(f"{name}: expected seconds or a number with s/m/h/d, got an invalid value")
        return int(m.group(1)) * _UNITS[m.group(2)]
    if field in _SIZES:
        m = re.fullmatch(r"(\d+)\s*([A-Za-z]*)", value)
        if not m or m.group(2).lower() not in _SIZE_UNITS:
            raise SettingsError(f"{name}: expected bytes or a number with KiB/MiB, got an invalid value")
        return int(m.group(1)) * _SIZE_UNITS[m.group(2).lower()]
    return value


def _name_variable(message: str) -> str:
    """Turn msgspec's `$.port` path into the environment variable the operator has to fix."""
    by_field = {v: k for k, v in ENV_NAMES.items()}
    message = re.sub(r"'[^']*'", "(value hidden)", message)  # a mistyped secret must not reach a log
    m = re.search(r"\$\.(\w+)", message)
    if m and m.group(1) in by_field:
        hint = _CHOICES.get(m.group(1))
        return f"{by_field[m.group(1)]}: {message.split(' - at ')[0]}" + (f" (expected {hint})" if hint else "")
    return f"invalid settings: {message}"
