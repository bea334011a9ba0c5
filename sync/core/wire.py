"""The wire format of the /api/v1 data API: msgspec Structs shared by the server and every client.

JSON on the wire; `bytes` fields travel as standard base64, ids as canonical UUID strings.
New fields get defaults; existing fields never change type (msgspec schema evolution).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from .layout import GRANT_BODY_LEN

# (?!\n): Python's "$" alone admits a final newline
Handle = Annotated[str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{2,63}(?!\n)$")]
Bytes16 = Annotated[bytes, Meta(min_length=16, max_length=16)]
Bytes32 = Annotated[bytes, Meta(min_length=32, max_length=32)]
Sig = Annotated[bytes, Meta(min_length=64, max_length=64)]
Envelope = Annotated[bytes, Meta(min_length=28, max_length=4096)]
# nonce 12 || AES-256-GCM(32-byte key) 32 || tag 16: a record key wrapped for its owner
DekWrap = Annotated[bytes, Meta(min_length=60, max_length=60)]
# HPKE enc 32 || AES-128-GCM(32-byte record key) 32 || tag 16
Sealed = Annotated[bytes, Meta(min_length=80, max_length=80)]
GrantBodyBytes = Annotated[bytes, Meta(min_length=GRANT_BODY_LEN, max_length=GRANT_BODY_LEN)]
# Per push item: a record is shared with a handful of people, never thousands.
MAX_GRANTS_PER_ITEM = 16
# Per push item: the blobs one revision names (a kind holds a few attachments per field).
MAX_ATTACHMENTS_PER_ITEM = 64
Cursor = Annotated[int, Meta(ge=0)]
# Shown to the person on every device list: no control characters, no bidirectional overrides or isolates
# (a name could otherwise reorder the text around it).
DeviceName = Annotated[
    str, Meta(min_length=1, max_length=64, pattern="^[^\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+$")
]
Role = Literal["client", "therapist"]


class Frozen(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every wire type: immutable, keyword-only, unknown fields rejected."""


# ---------------------------------------------------------------- accounts and keys


class KdfParams(Frozen, frozen=True, kw_only=True):
    alg: Literal["argon2id"] = "argon2id"
    # Capped at 1 GiB so a hostile server cannot make a phone try to allocate more.
    memory_kib: Annotated[int, Meta(ge=1, le=1_048_576)]
    iterations: Annotated[int, Meta(ge=1, le=64)]
    lanes: Annotated[int, Meta(ge=1, le=16)]
    salt: Bytes16


class KeyBundle(Frozen, frozen=True, kw_only=True):
    """A person's public identity, signed by their own Ed25519 identity key (layout.bundle_body)."""

    user_id: UUID
    handle: Handle
    role: Role
    sig_pub: Bytes32
    kem_pub: Bytes32
    signature: Sig


class DeviceKey(Frozen, frozen=True, kw_only=True):
    device_id: UUID
    name: DeviceName
    sig_pub: Bytes32


class Signup(Frozen, frozen=True, kw_only=True):
    user_id: UUID
    handle: Handle
    kdf: KdfParams
    login_pub: Bytes32
    recovery_login_pub: Bytes32
    pw_envelope: Envelope
    rk_envelope: Envelope
    id_wrap: Envelope
    bundle: KeyBundle
    device: DeviceKey
    invite_code: Annotated[str, Meta(max_length=128)] | None = None


class Prelogin(Frozen, frozen=True, kw_only=True):
    handle: Handle


class Challenge(Frozen, frozen=True, kw_only=True):
    """A single-use challenge. For unknown handles the KDF salt is stable and fake."""

    kdf: KdfParams
    challenge_id: Bytes16
    challenge: Bytes32
    expires_in: int


AuthAction = Literal["login", "recover", "refresh", "delete-account", "change-passphrase"]


class Login(Frozen, frozen=True, kw_only=True):
    """action=login signs with the passphrase login key, recover with the recovery login key;
    the transcript binds the new device's signing key."""

    handle: Handle
    action: Literal["login", "recover"]
    challenge_id: Bytes16
    signature: Sig
    device: DeviceKey


class DeviceChallengeRequest(Frozen, frozen=True, kw_only=True):
    device_id: UUID


class Refresh(Frozen, frozen=True, kw_only=True):
    """A device proves possession of its own key to get a fresh session without the passphrase."""

    device_id: UUID
    challenge_id: Bytes16
    signature: Sig


class Session(Frozen, frozen=True, kw_only=True):
    token: str
    expires_in: int
    user_id: UUID
    device_id: UUID


class AccountKeys(Frozen, frozen=True, kw_only=True):
    """Everything a new device needs to unlock the account, all of it ciphertext or public."""

    user_id: UUID
    handle: Handle
    role: Role
    kdf: KdfParams
    pw_envelope: bytes
    rk_envelope: bytes
    id_wrap: bytes
    bundle: KeyBundle


class DeleteAccount(Frozen, frozen=True, kw_only=True):
    """Signed with the passphrase login key over action=delete-account: a stolen session can't erase."""

    challenge_id: Bytes16
    signature: Sig


class ChangePassphrase(Frozen, frozen=True, kw_only=True):
    """A new passphrase: new KDF parameters, login key and envelope (the account key is unchanged). Signed over
    action=change-passphrase, bound = layout.passphrase_change_bound(login_pub, kdf bytes, pw_envelope), with a
    fresh prelogin challenge of the caller's own handle, by the current passphrase login key (signer=passphrase)
    or the recovery login key (signer=recovery)."""

    signer: Literal["passphrase", "recovery"]
    challenge_id: Bytes16
    signature: Sig
    kdf: KdfParams
    login_pub: Bytes32
    pw_envelope: Envelope


class Device(Frozen, frozen=True, kw_only=True):
    device_id: UUID
    name: str
    created_at: int
    last_seen_at: int
    current: bool


# ---------------------------------------------------------------- records and sync


class Revision(Frozen, frozen=True, kw_only=True):
    """One encrypted revision. rev_id = SHA-256(header || ct) is computed, never trusted from a peer."""

    header: Annotated[bytes, Meta(min_length=136, max_length=136)]
    ct: bytes
    signature: Sig


class GrantUpload(Frozen, frozen=True, kw_only=True):
    """grant = GrantBody bytes, the HPKE enc||ct sealing the record key, and the owner's signature
    over body || SHA-256(sealed)."""

    body: GrantBodyBytes
    sealed: Sealed
    signature: Sig


class PushItem(Frozen, frozen=True, kw_only=True):
    record_id: UUID
    base_version: Annotated[int, Meta(ge=0)]
    revision: Revision
    dek_wrap: DekWrap
    grants: Annotated[list[GrantUpload], Meta(max_length=MAX_GRANTS_PER_ITEM)] = []
    revoke: Annotated[list[UUID], Meta(max_length=MAX_GRANTS_PER_ITEM)] = []
    # A revision the server once acknowledged and lost in a restore (PROTOCOL.md "Restores and the server epoch"):
    # accepted above a head older than its base_version, or for a record the server no longer holds.
    restored: bool = False
    # The blobs the item's document names (PROTOCOL.md §17 "Attachments"): each a complete blob of the pusher.
    attachments: Annotated[list[UUID], Meta(max_length=MAX_ATTACHMENTS_PER_ITEM)] = []


class Push(Frozen, frozen=True, kw_only=True):
    atomic: bool = False
    items: Annotated[list[PushItem], Meta(min_length=1, max_length=500)]


class StoredRevision(Frozen, frozen=True, kw_only=True):
    record_id: UUID
    owner_id: UUID
    version: int
    rev_id: Bytes32
    revision: Revision
    seq: int


class PushResult(Frozen, frozen=True, kw_only=True):
    record_id: UUID
    status: Literal["ok", "conflict", "invalid", "forbidden", "aborted"]
    seq: int | None = None
    head: StoredRevision | None = None
    detail: str | None = None


class PushResponse(Frozen, frozen=True, kw_only=True):
    results: list[PushResult]


class Grant(Frozen, frozen=True, kw_only=True):
    record_id: UUID
    owner_id: UUID
    grantee_id: UUID
    key_id: Bytes16
    body: bytes
    sealed: bytes
    signature: Sig
    created_at: int


class RecordState(Frozen, frozen=True, kw_only=True):
    """What changed about one record for the caller: its head (if readable), the owner's key wrap
    (owner only), the grants the caller may see, or `removed` when the caller lost access."""

    record_id: UUID
    owner_id: UUID
    seq: int
    access: Literal["owner", "granted", "removed"]
    head: StoredRevision | None = None
    dek_wrap: bytes | None = None
    grants: list[Grant] = []


class PullResponse(Frozen, frozen=True, kw_only=True):
    items: list[RecordState]
    cursor: int
    more: bool


class History(Frozen, frozen=True, kw_only=True):
    revisions: list[StoredRevision]
    more: bool


# ---------------------------------------------------------------- care links


class InviteCreated(Frozen, frozen=True, kw_only=True):
    invite_id: UUID
    token: str
    expires_at: int


class InviteInfo(Frozen, frozen=True, kw_only=True):
    invite_id: UUID
    created_at: int
    expires_at: int


class InviteToken(Frozen, frozen=True, kw_only=True):
    token: Annotated[str, Meta(min_length=16, max_length=128)]


class InviteAccept(Frozen, frozen=True, kw_only=True):
    """Accepting an invitation: `proof` = HMAC under the link's secret over the client's own bundle
    (sync/core/trust.py invite_proof), kept with the link for the therapist's devices to check."""

    token: Annotated[str, Meta(min_length=16, max_length=128)]
    proof: Bytes32


class InvitePreview(Frozen, frozen=True, kw_only=True):
    therapist: KeyBundle
    expires_at: int
    invite_id: UUID


class CareLink(Frozen, frozen=True, kw_only=True):
    """`invite_id` and `proof` are those of the invitation it was made from (None for links made before
    invitations carried a secret)."""

    link_id: UUID
    therapist: KeyBundle
    client: KeyBundle
    created_at: int
    invite_id: UUID | None = None
    proof: bytes | None = None


# ---------------------------------------------------------------- reminders (Web Push)

# An uncompressed P-256 point (RFC 8291's p256dh; the server's VAPID key)
PushPoint = Annotated[bytes, Meta(min_length=65, max_length=65)]
# The device's own name for one fire time: random, meaningless to the server (it is also the push's Topic)
ReminderId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{8,32}(?!\n)$")]
PushEndpoint = Annotated[str, Meta(min_length=12, max_length=2048, pattern=r"^https?://[^\s]+$")]
MAX_REMINDER_TIMES = 200  # per device: two weeks of a dozen reminders a day


class PushKey(Frozen, frozen=True, kw_only=True):
    """The server's VAPID public key: the applicationServerKey a device subscribes with."""

    public_key: PushPoint


class PushSubscription(Frozen, frozen=True, kw_only=True):
    """A browser's PushSubscription (its endpoint, and the keys messages to it are encrypted for)."""

    endpoint: PushEndpoint
    p256dh: PushPoint
    auth: Bytes16


class ReminderTime(Frozen, frozen=True, kw_only=True):
    """One coming instant (UTC seconds) the device asks to be woken at, under its own opaque id."""

    id: ReminderId
    at: Annotated[int, Meta(ge=0, le=1 << 40)]


class ReminderTimes(Frozen, frozen=True, kw_only=True):
    """Every coming fire time of this device: it replaces those the server holds."""

    times: Annotated[list[ReminderTime], Meta(max_length=MAX_REMINDER_TIMES)]


class ReminderDevice(Frozen, frozen=True, kw_only=True):
    """One device's subscription as the server holds it: where pushes go (the push service's origin) and when."""

    device_id: UUID
    push_service: str
    created_at: int
    current: bool
    times: list[ReminderTime]


class Reminders(Frozen, frozen=True, kw_only=True):
    devices: list[ReminderDevice]


class Health(Frozen, frozen=True, kw_only=True):
    status: Literal["ok"]
    version: str


# ---------------------------------------------------------------- attachments (blobs)

# A blob's length in bytes; the server's own limit (BETWEEN_MAX_BLOB_BYTES) is lower.
BlobSize = Annotated[int, Meta(ge=1, le=1 << 40)]


class BlobCreate(Frozen, frozen=True, kw_only=True):
    """POST /blobs: announce a blob of `size` bytes under the attachment's id (PROTOCOL.md §17 "Attachments")."""

    id: UUID
    size: BlobSize


class BlobState(Frozen, frozen=True, kw_only=True):
    """How far an upload is: `received` bytes of `size`; once complete, the SHA-256 of the whole blob."""

    id: UUID
    size: int
    received: int
    complete: bool
    digest: Bytes32 | None = None


# ---------------------------------------------------------------- crisis lines (public, operator-configured)

# A number people dial or text: digits, spaces, brackets and dashes, an optional leading +; at least 2 digits.
PhoneNumber = Annotated[str, Meta(pattern=r"^\+?[0-9][0-9 ()\-]{0,28}[0-9](?!\n)$", max_length=30)]
WebAddress = Annotated[str, Meta(pattern=r"^https?://[^\s]+$", max_length=500)]
OneLine = Annotated[str, Meta(pattern=r"^[^\x00-\x1f\x7f]+$", min_length=1, max_length=200)]


class CrisisLine(Frozen, frozen=True, kw_only=True):
    """One crisis line as the operator configured it; `source` is where the number was checked, `reviewed` when."""

    name: OneLine
    phone: PhoneNumber | None = None  # to call
    sms: PhoneNumber | None = None  # to text
    url: WebAddress | None = None
    hours: OneLine | None = None  # "24 hours, every day"
    about: Annotated[str, Meta(max_length=500)] | None = None  # who it is for, in a sentence
    source: WebAddress
    reviewed: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class CrisisLines(Frozen, frozen=True, kw_only=True):
    """GET /api/v1/crisis-lines: the same for everyone. Nothing configured: no region, no emergency number, no lines
    (the app then says to call the local emergency number, and never shows a number of its own)."""

    region: OneLine | None = None
    emergency: PhoneNumber | None = None  # the local emergency number, when the operator gives it
    lines: Annotated[list[CrisisLine], Meta(max_length=50)] = []


def encode(obj: object) -> bytes:
    return _encoder.encode(obj)


_encoder = msgspec.json.Encoder()


def _make_ready(base: type[Struct]) -> None:
    """Have msgspec build its decoding information of every wire type now, while this module is imported.

    msgspec (0.22) builds it on a type's first decode or convert and publishes it before it is complete, so
    two threads decoding a type for the first time at the same moment can crash the process. Built here,
    under the import lock, it is complete before any thread can use the type."""
    for cls in base.__subclasses__():
        msgspec.json.Decoder(cls)
        _make_ready(cls)


_make_ready(Frozen)
