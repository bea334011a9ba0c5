"""Test-side builders of valid API requests: accounts, sign-in transcripts, revisions, grants."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from between.sync.core import crypto, keys, layout, records, wire

TEST_ORIGIN = "https://between.test"


def new_token_like() -> str:
    """Shaped like a session token, valid for nothing."""
    return base64.urlsafe_b64encode(crypto.random_bytes(32)).rstrip(b"=").decode()


def accept(token: str, proof: bytes = bytes(32)) -> dict[str, str]:
    """An invite-accept body. The proof is opaque to the server (only the therapist's devices can check it)."""
    return {"token": token, "proof": base64.b64encode(proof).decode()}


def j(obj: Any) -> Any:
    """A wire Struct as JSON-ready builtins (bytes -> base64, UUID -> str)."""
    return msgspec.to_builtins(obj)


@dataclass
class Account:
    """An account with its keys held directly: no Argon2id, so tests stay fast; the server never
    sees the passphrase anyway, only login_pub."""

    secrets: keys.AccountSecrets
    login_seed: bytes
    recovery_seed: bytes
    device_id: uuid.UUID
    device_seed: bytes
    token: str | None = None

    @property
    def user_id(self) -> bytes:
        return self.secrets.user_id

    @property
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.secrets.user_id)

    @property
    def handle(self) -> str:
        return self.secrets.handle

    @property
    def bundle(self) -> wire.KeyBundle:
        return keys.make_bundle(self.secrets)

    def device_key(self, name: str = "laptop") -> wire.DeviceKey:
        return wire.DeviceKey(device_id=self.device_id, name=name, sig_pub=crypto.ed25519_public(self.device_seed))

    def new_device(self) -> None:
        self.device_id, self.device_seed = uuid.uuid4(), crypto.random_bytes(32)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_account(handle: str, role: str = "client") -> Account:
    secrets = keys.AccountSecrets(
        user_id=uuid.uuid4().bytes,
        handle=handle,
        role=role,
        account_key=crypto.random_bytes(32),
        sig_seed=crypto.random_bytes(32),
        kem_seed=crypto.random_bytes(32),
    )
    return Account(secrets, crypto.random_bytes(32), crypto.random_bytes(32), uuid.uuid4(), crypto.random_bytes(32))


def signup(acct: Account, invite_code: str | None = None) -> wire.Signup:
    kdf = keys.new_kdf_params(layout.KDF_FLOOR_MEMORY_KIB, layout.KDF_FLOOR_ITERATIONS, 1)
    return wire.Signup(
        user_id=acct.uuid,
        handle=acct.handle,
        kdf=kdf,
        login_pub=crypto.ed25519_public(acct.login_seed),
        recovery_login_pub=crypto.ed25519_public(acct.recovery_seed),
        pw_envelope=crypto.random_bytes(60),
        rk_envelope=crypto.random_bytes(60),
        id_wrap=crypto.random_bytes(92),
        bundle=acct.bundle,
        device=acct.device_key(),
        invite_code=invite_code,
    )


def login(
    acct: Account,
    challenge: wire.Challenge,
    origin: str = TEST_ORIGIN,
    action: str = "login",
    seed: bytes | None = None,
) -> wire.Login:
    device = acct.device_key()
    if seed is None:
        seed = acct.login_seed if action == "login" else acct.recovery_seed
    sig = keys.sign_auth(seed, origin, acct.handle, challenge.challenge_id, challenge.challenge, action, device.sig_pub)
    return wire.Login(
        handle=acct.handle, action=action, challenge_id=challenge.challenge_id, signature=sig, device=device
    )


def refresh(acct: Account, challenge: wire.Challenge, origin: str = TEST_ORIGIN) -> wire.Refresh:
    sig = keys.sign_auth(
        acct.device_seed,
        origin,
        acct.handle,
        challenge.challenge_id,
        challenge.challenge,
        "refresh",
        acct.device_id.bytes,
    )
    return wire.Refresh(device_id=acct.device_id, challenge_id=challenge.challenge_id, signature=sig)


def delete_account(acct: Account, challenge: wire.Challenge, origin: str = TEST_ORIGIN) -> wire.DeleteAccount:
    sig = keys.sign_auth(
        acct.login_seed,
        origin,
        acct.handle,
        challenge.challenge_id,
        challenge.challenge,
        "delete-account",
        acct.user_id,
    )
    return wire.DeleteAccount(challenge_id=challenge.challenge_id, signature=sig)


@dataclass
class Rec:
    """A record as its owner's device tracks it: key, version and head."""

    owner: Account
    record_id: uuid.UUID = field(default_factory=uuid.uuid4)
    dek: bytes = field(default_factory=lambda: crypto.random_bytes(32))
    key_id: bytes = field(default_factory=lambda: crypto.random_bytes(16))
    version: int = 0
    head: bytes = layout.ZERO32

    def rekey(self) -> None:
        self.dek, self.key_id = crypto.random_bytes(32), crypto.random_bytes(16)

    def item(
        self,
        text: bytes = b'{"mood":3}',
        *,
        grant_to: list[Account] = (),
        revoke: list[Account] = (),
        advance: bool = True,
    ) -> wire.PushItem:
        """The next revision as a push item; `advance` assumes the server will accept it."""
        o = self.owner
        rev = records.seal_revision(
            owner_id=o.user_id,
            record_id=self.record_id,
            version=self.version + 1,
            parent=None if self.version == 0 else self.head,
            key_id=self.key_id,
            dek=self.dek,
            plaintext=text,
            sig_seed=o.secrets.sig_seed,
        )
        grants = [
            records.make_grant(
                sig_seed=o.secrets.sig_seed,
                owner_id=o.user_id,
                record_id=self.record_id,
                key_id=self.key_id,
                dek=self.dek,
                grantee_id=g.user_id,
                grantee_kem_pub=g.secrets.kem_pub,
            )
            for g in grant_to
        ]
        item = wire.PushItem(
            record_id=self.record_id,
            base_version=self.version,
            revision=rev,
            dek_wrap=records.wrap_dek(o.secrets.kwk, o.user_id, self.record_id, self.key_id, self.dek),
            grants=grants,
            revoke=[g.uuid for g in revoke],
        )
        if advance:
            self.version += 1
            self.head = records.rev_id(rev.header, rev.ct)
        return item


def tampered(rec: Rec, **header_changes: Any) -> wire.PushItem:
    """The record's next item with a header that differs as given, signed by its owner: only the changed field is
    wrong."""
    item = rec.item(advance=False)
    h = layout.Header.parse(item.revision.header)
    fields = {f: getattr(h, f) for f in layout.Header.__slots__} | header_changes
    header = layout.Header(**fields).pack()
    o = rec.owner
    sig = crypto.ed25519_sign(o.secrets.sig_seed, b"between/v1/rev" + records.rev_id(header, item.revision.ct))
    rev = wire.Revision(header=header, ct=item.revision.ct, signature=sig)
    return wire.PushItem(record_id=item.record_id, base_version=item.base_version, revision=rev, dek_wrap=item.dek_wrap)


def push_body(items: list[wire.PushItem], atomic: bool = False) -> dict:
    return j(wire.Push(atomic=atomic, items=items))
