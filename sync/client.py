"""The reference client: accounts and devices, entries, sharing, care links and safety numbers over one profile."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import msgspec

from . import crypto, keys, kinds, safety, wire
from .api import Api, ApiError, SessionExpired
from .engine import Engine, Head, ShareError, SyncReport
from .errors import BetweenError, CryptoError
from .layout import KDF_FLOOR_ITERATIONS, KDF_FLOOR_MEMORY_KIB
from .localstore import KeysFile, LocalStore

MIN_PASSPHRASE = 10
DEVICE_NAME = "between CLI"


class NotFound(BetweenError):
    code = "not_found"


def now_stamp() -> str:
    """UTC time in ISO 8601 with milliseconds: it sorts as text and lives only inside ciphertext."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BetweenError("weak_passphrase", f"the passphrase must have at least {MIN_PASSPHRASE} characters "
                           "(a few random words are easiest to remember)")


def check_handle(handle: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,63}", handle):
        raise BetweenError("bad_handle", "a handle has 3 to 64 characters: lowercase letters, digits, '.', '_' or "
                           "'-', starting with a letter or digit")


def kdf_from_env(environ: dict[str, str] | os._Environ) -> wire.KdfParams:
    """Default Argon2id cost, or a cheaper one for tests from BETWEEN_KDF_*, never below the floor."""
    try:
        memory = int(environ.get("BETWEEN_KDF_MEMORY_KIB") or 0) or None
        iterations = int(environ.get("BETWEEN_KDF_ITERATIONS") or 0) or None
    except ValueError:
        raise BetweenError("bad_kdf", "BETWEEN_KDF_MEMORY_KIB and BETWEEN_KDF_ITERATIONS must be numbers") from None
    params = keys.new_kdf_params()
    kdf = keys.new_kdf_params(memory or params.memory_kib, iterations or params.iterations)
    if kdf.memory_kib < KDF_FLOOR_MEMORY_KIB or kdf.iterations < KDF_FLOOR_ITERATIONS:
        raise BetweenError("kdf_below_floor", f"key derivation cost below the floor ({KDF_FLOOR_MEMORY_KIB} KiB, "
                           f"{KDF_FLOOR_ITERATIONS} iterations)")
    return kdf


class Client:
    """One profile directory, unlocked from keys.json on first use."""

    def __init__(self, profile: Path) -> None:
        self.store = LocalStore(profile)
        self._keys: KeysFile | None = None
        self._api: Api | None = None
        self._engine: Engine | None = None

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
        self.store.close()

    # ------------------------------------------------------------ unlocked state

    @property
    def keys(self) -> KeysFile:
        if self._keys is None:
            self._keys = self.store.load_keys()
        return self._keys

    @property
    def secrets(self) -> keys.AccountSecrets:
        k = self.keys
        return keys.AccountSecrets(user_id=k.user_id, handle=k.handle, role=k.role, account_key=k.account_key,
                                   sig_seed=k.sig_seed, kem_seed=k.kem_seed)

    @property
    def api(self) -> Api:
        if self._api is None:
            self._api = Api(self.keys.server, self.keys.token, on_expired=self._refresh)
        return self._api

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.store, self.secrets, self.api)
            # A debugging and test knob: small pages exercise the paging path.
            limit = os.environ.get("BETWEEN_PULL_LIMIT", "")
            if limit.isdigit() and 1 <= int(limit) <= 1000:
                self._engine.pull_limit = int(limit)
        return self._engine

    def _refresh(self, api: Api) -> None:
        """Session expired: prove possession of this device's key for a new one (no passphrase needed)."""
        k = self.keys
        try:
            challenge = api.device_challenge(uuid.UUID(bytes=k.device_id))
            signature = keys.sign_auth(k.device_seed, api.origin, k.handle, challenge.challenge_id,
                                       challenge.challenge, "refresh", k.device_id)
            session = api.refresh(wire.Refresh(device_id=uuid.UUID(bytes=k.device_id),
                                               challenge_id=challenge.challenge_id, signature=signature))
        except ApiError as exc:
            if exc.status in (401, 403, 404):
                raise BetweenError("signed_out", "this device is signed out (revoked or expired); run "
                                   "`between account login`") from None
            raise
        api.token = k.token = session.token
        self.store.save_keys(k)

    # ------------------------------------------------------------ accounts

    def _new_device(self, name: str) -> tuple[bytes, wire.DeviceKey]:
        seed = crypto.random_bytes(32)
        return seed, wire.DeviceKey(device_id=uuid.uuid4(), name=name, sig_pub=crypto.ed25519_public(seed))

    def create_account(self, server: str, handle: str, passphrase: str, role: str, kdf: wire.KdfParams,
                       invite_code: str | None = None, device_name: str = DEVICE_NAME) -> str:
        """Register; returns the recovery key text (shown once, never stored)."""
        check_handle(handle)
        check_passphrase(passphrase)
        self.store.prepare()
        new = keys.new_account(handle, passphrase, role, kdf)
        seed, device = self._new_device(device_name)
        api = Api(server)
        try:
            session = api.signup(wire.Signup(**new.signup_fields, device=device, invite_code=invite_code))
        finally:
            api.close()
        self._save_new_profile(server, new.secrets, seed, session)
        return new.recovery_key

    def login(self, server: str, handle: str, *, passphrase: str | None = None, recovery: str | None = None,
              device_name: str = DEVICE_NAME) -> None:
        check_handle(handle)
        self.store.prepare()
        if recovery is not None:
            login_keys = keys.derive_recovery_keys(keys.parse_recovery_key(recovery))
        api = Api(server)
        try:
            challenge = api.prelogin(handle)
            if recovery is None:
                assert passphrase is not None
                login_keys = keys.derive_passphrase_keys(passphrase, challenge.kdf)  # refuses a weak KDF first
            seed, device = self._new_device(device_name)
            action = "login" if recovery is None else "recover"
            signature = keys.sign_auth(login_keys.login_seed, api.origin, handle, challenge.challenge_id,
                                       challenge.challenge, action, device.sig_pub)
            try:
                session = api.login(wire.Login(handle=handle, action=action, challenge_id=challenge.challenge_id,
                                               signature=signature, device=device))
            except ApiError as exc:
                if exc.status == 401:
                    what = "recovery key" if recovery is not None else "passphrase"
                    raise BetweenError("invalid_credentials", f"wrong handle or {what}") from None
                raise
            api.token = session.token
            account = api.account()
        finally:
            api.close()
        if account.handle != handle or account.user_id != session.user_id:
            raise CryptoError(detail="the server answered for another account")
        secrets = (keys.unlock_with_recovery(account, recovery) if recovery is not None
                   else keys.unlock_with_passphrase(account, passphrase or ""))
        self._save_new_profile(server, secrets, seed, session)

    def _save_new_profile(self, server: str, secrets: keys.AccountSecrets, device_seed: bytes,
                          session: wire.Session) -> None:
        self.store.create(KeysFile(server=server.rstrip("/"), handle=secrets.handle, role=secrets.role,
                                   user_id=secrets.user_id, device_id=session.device_id.bytes,
                                   account_key=secrets.account_key, sig_seed=secrets.sig_seed,
                                   kem_seed=secrets.kem_seed, device_seed=device_seed, token=session.token))
        with self.store.transaction() as db:
            for key, value in (("server", server.rstrip("/")), ("handle", secrets.handle),
                               ("user_id", str(uuid.UUID(bytes=secrets.user_id))), ("role", secrets.role),
                               ("device_id", str(session.device_id)), ("cursor", "0")):
                self.store.set_meta(db, key, value)

    def logout(self, force: bool = False) -> bool:
        """End this device's session and erase the profile. Returns False if the server was unreachable."""
        pending = self.store.list_pending()
        if pending and not force:
            raise BetweenError("unsynced", f"{len(pending)} change(s) are not synced yet; run `between sync` "
                               "first, or log out with --force to discard them")
        reached = True
        try:
            self.api.logout()
        except SessionExpired:
            pass
        except BetweenError as exc:
            if exc.code == "unreachable":
                reached = False
            elif exc.code != "signed_out":  # a revoked device still erases its local copy
                raise
        self.store.erase()
        return reached

    def delete_account(self, passphrase: str) -> None:
        k = self.keys
        challenge = self.api.prelogin(k.handle)
        login = keys.derive_passphrase_keys(passphrase, challenge.kdf)
        signature = keys.sign_auth(login.login_seed, self.api.origin, k.handle, challenge.challenge_id,
                                   challenge.challenge, "delete-account", k.user_id)
        try:
            self.api.delete_account(wire.DeleteAccount(challenge_id=challenge.challenge_id, signature=signature))
        except ApiError as exc:
            if exc.status in (401, 403):
                raise BetweenError("invalid_credentials", "wrong passphrase; nothing was deleted") from None
            raise
        self.store.erase()

    def devices(self) -> list[wire.Device]:
        return self.api.devices()

    def revoke_device(self, device_id: str) -> None:
        try:
            target = uuid.UUID(device_id)
        except ValueError:
            raise NotFound(detail=f"no device with id {device_id}") from None
        try:
            self.api.revoke_device(target)
        except ApiError as exc:
            if exc.status == 404:
                raise NotFound(detail=f"no device with id {device_id}") from None
            raise

    # ------------------------------------------------------------ entries

    def resolve(self, prefix: str) -> str:
        """An entry id from its full form or a unique prefix of at least 6 characters."""
        ids = ({r["record_id"] for r in self.store.list_records()}
               | {p["record_id"] for p in self.store.list_pending()})
        prefix = prefix.strip().lower()
        matches = [i for i in ids if i == prefix or (len(prefix) >= 6 and i.startswith(prefix))]
        if len(matches) != 1:
            what = "more than one entry starts with" if matches else "no entry with id"
            raise NotFound(detail=f"{what} {prefix}")
        return matches[0]

    def add_entry(self, kind: str, fields: dict[str, Any]) -> str:
        clean = kinds.validate_fields(kind, fields)
        record_id = str(uuid.uuid4())
        stamp = now_stamp()
        doc = {"v": 1, "kind": kind, "fields": clean, "created_at": stamp, "updated_at": stamp,
               "device": str(uuid.UUID(bytes=self.keys.device_id))}
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, doc, False)
        return record_id

    def _own_head(self, record_id: str) -> Head:
        head = self.engine.head(record_id)
        if head is None:
            raise NotFound(detail=f"no entry with id {record_id}")
        if head.owner_id != self.engine.me:
            raise BetweenError("forbidden", "this entry was shared with you; only its owner can change it")
        if head.deleted:
            raise NotFound("deleted", f"entry {record_id} was deleted")
        return head

    def edit_entry(self, record_id: str, changes: dict[str, Any]) -> int:
        """`changes` maps field ids to new values; None clears a field. Returns the new local version."""
        head = self._own_head(record_id)
        kind = head.document.get("kind", "")
        fields = dict(head.document.get("fields", {}))
        for name, value in changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        doc = dict(head.document, fields=kinds.validate_fields(kind, fields), updated_at=now_stamp(),
                   device=str(uuid.UUID(bytes=self.keys.device_id)))
        with self.store.transaction() as db:
            return self.engine.queue(db, record_id, doc, False)

    def delete_entry(self, record_id: str) -> None:
        head = self._own_head(record_id)
        doc = dict(head.document, fields={}, updated_at=now_stamp(), device=str(uuid.UUID(bytes=self.keys.device_id)))
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, doc, True)

    def describe(self, head: Head) -> dict[str, Any]:
        doc = head.document
        shared = []
        if head.owner_id == self.engine.me:
            grantees = self.store.grantees(head.record_id)
            pending = self.store.get_pending(head.record_id)
            if pending is not None:
                grantees = (grantees | set(json.loads(pending["share_add_json"]))) - set(
                    json.loads(pending["revoke_json"]))
            for uid in sorted(grantees):
                peer = self.store.get_peer(user_id=uid)
                shared.append(peer["handle"] if peer else uid)
        out = {"id": head.record_id, "kind": doc.get("kind"), "fields": doc.get("fields", {}),
               "created_at": doc.get("created_at"), "updated_at": doc.get("updated_at"),
               "shared_with": shared, "pending": head.pending}
        if doc.get("conflicts"):
            out["conflicts"] = doc["conflicts"]  # what a concurrent edit kept aside, for the person to see
        if head.owner_id != self.engine.me:
            peer = self.store.get_peer(user_id=head.owner_id)
            out["owner"] = peer["handle"] if peer else head.owner_id
        return out

    def entries(self, *, own: bool = True, problems: list[str] | None = None) -> list[dict[str, Any]]:
        """Own entries (or, with own=False, entries others shared with me), newest first, tombstones hidden."""
        heads = [h for h in self.engine.heads(problems)
                 if not h.deleted and (h.owner_id == self.engine.me) == own]
        heads.sort(key=lambda h: (h.document.get("created_at") or "", h.record_id), reverse=True)
        return [self.describe(h) for h in heads]

    def entry(self, record_id: str) -> dict[str, Any]:
        head = self.engine.head(self.resolve(record_id))
        if head is None or head.deleted:
            raise NotFound(detail=f"entry {record_id} was deleted")
        return self.describe(head)

    # ------------------------------------------------------------ sync and sharing

    def sync(self) -> SyncReport:
        return self.engine.sync()

    def _peer(self, handle: str) -> dict[str, Any]:
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise ShareError(detail=f"no care link with {handle} on this device (accept their invite, or sync)")
        return peer

    def share(self, record_id: str, handle: str) -> None:
        """Queue an atomic re-key + grant; the caller then tries to sync."""
        head = self._own_head(record_id)
        peer = self._peer(handle)
        if not peer["linked"]:
            raise ShareError(detail=f"there is no active care link with {handle}")
        if peer["changed_bundle_json"]:
            raise ShareError(detail=f"{handle}'s security key changed; compare safety numbers "
                             f"(`between safety-number {handle}`) and mark it verified first")
        if handle in self.describe(head)["shared_with"]:
            raise BetweenError("already_shared", f"entry {record_id} is already shared with {handle}")
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, head.document, False, rekey=True, share_add={peer["user_id"]})

    def unshare(self, record_id: str, handle: str) -> list[str]:
        head = self.engine.head(record_id)
        if head is None or head.owner_id != self.engine.me:
            raise NotFound(detail=f"no entry with id {record_id}")
        peer = self._peer(handle)
        if handle not in self.describe(head)["shared_with"]:
            raise BetweenError("not_shared", f"entry {record_id} is not shared with {handle}")
        warnings: list[str] = []
        with self.store.transaction() as db:
            self.engine.queue(db, record_id, head.document, head.deleted, rekey=True, revoke={peer["user_id"]},
                              warnings=warnings)
        return warnings

    def shared_with_me(self, from_handle: str | None = None, problems: list[str] | None = None
                       ) -> list[dict[str, Any]]:
        items = self.entries(own=False, problems=problems)
        if from_handle is not None:
            items = [i for i in items if i.get("owner") == from_handle]
        return items

    def export(self, problems: list[str] | None = None) -> list[dict[str, Any]]:
        return self.entries(own=True, problems=problems)

    # ------------------------------------------------------------ care links and safety numbers

    def create_invite(self) -> str:
        if self.keys.role != "therapist":
            raise BetweenError("forbidden", "only a therapist account can create invites")
        created = self.api.create_invite()
        return safety.invite_url(self.api.origin, created.token, keys.make_bundle(self.secrets))

    def accept_invite(self, link: str) -> str:
        invite = safety.parse_invite_url(link)
        if invite.origin.rstrip("/") != self.api.origin:
            raise BetweenError("wrong_server", f"this invitation is for {invite.origin}, but this profile uses "
                               f"{self.api.origin}")
        preview = self.api.preview_invite(invite.token)
        bundle = preview.therapist
        # Checked before accepting: a server that swapped the therapist's key gets nothing from us.
        keys.verify_bundle(bundle)
        safety.check_key_fingerprint(bundle, invite.fingerprint)
        if bundle.handle != invite.handle or bundle.role != "therapist":
            raise CryptoError(detail="the invitation does not match the therapist the server named")
        link_info = self.api.accept_invite(invite.token)
        if (link_info.therapist != bundle or str(link_info.client.user_id) != self.engine.me):
            raise CryptoError(detail="the server answered the invitation with different keys")
        with self.store.transaction() as db:
            self.store.pin_peer(db, user_id=str(bundle.user_id), handle=bundle.handle, role=bundle.role,
                                sig_pub=bundle.sig_pub, kem_pub=bundle.kem_pub,
                                bundle_json=wire.encode(bundle).decode(), verified_how="invite-link",
                                link_id=str(link_info.link_id))
        return bundle.handle

    def _bundle_of(self, peer: dict[str, Any], changed: bool) -> wire.KeyBundle:
        raw = peer["changed_bundle_json"] if changed and peer["changed_bundle_json"] else peer["bundle_json"]
        return msgspec.json.decode(raw.encode(), type=wire.KeyBundle)

    def safety_number(self, handle: str) -> tuple[str, dict[str, Any]]:
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise NotFound(detail=f"no contact called {handle} on this device")
        number = safety.safety_number(keys.make_bundle(self.secrets), self._bundle_of(peer, changed=True))
        return safety.format_safety_number(number), peer

    def mark_verified(self, handle: str) -> bool:
        """Record that the safety numbers matched; accepts a changed key. Returns True if a key was re-pinned."""
        peer = self.store.get_peer(handle=handle)
        if peer is None:
            raise NotFound(detail=f"no contact called {handle} on this device")
        changed = bool(peer["changed_bundle_json"])
        with self.store.transaction() as db:
            if changed:
                bundle = self._bundle_of(peer, changed=True)
                self.store.pin_peer(db, user_id=peer["user_id"], handle=bundle.handle, role=bundle.role,
                                    sig_pub=bundle.sig_pub, kem_pub=bundle.kem_pub,
                                    bundle_json=wire.encode(bundle).decode(), verified_how="safety-number",
                                    link_id=peer["link_id"])
                # Entries refused under the old key come back on the next sync.
                self.store.set_meta(db, "cursor", "0")
            else:
                self.store.update_peer(db, peer["user_id"], verified_how="safety-number")
        return changed
