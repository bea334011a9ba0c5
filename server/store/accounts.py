"""The SQL of accounts, devices, sessions and sign-in challenges."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple, TypeVar

from between.sync.core import wire

from .connection import Conflict, Db
from .rows import Caller, UserRow, WConn, as_uuid, bundle_of, columns, r_row, r_rows, w_exists, w_row

T = TypeVar("T")

# The column holding the public key a change-passphrase signer must still match (fixed names, never input).
_SIGNER_COLUMN = {"passphrase": "login_pub", "recovery": "recovery_login_pub"}


# Sessions a server process remembers (token hash -> caller), so a bearer request costs no database read.
# Bounded: when full it starts again. Safe only because one process serves a database (its single writer is
# the group-committing thread): every write that ends sessions runs here and forgets them all. On PostgreSQL several
# workers share the database and any of them may end a session, so none remembers one: each request reads it.
SESSION_CACHE_MAX = 4096


class AccountColumns(NamedTuple):
    """An account's row as sign-in and the account's own devices read it (users table)."""

    user_id: bytes
    handle: str
    role: wire.Role
    kdf_memory_kib: int
    kdf_iterations: int
    kdf_lanes: int
    kdf_salt: bytes
    login_pub: bytes
    recovery_login_pub: bytes
    sig_pub: bytes
    kem_pub: bytes
    bundle_signature: bytes
    pw_envelope: bytes
    rk_envelope: bytes
    id_wrap: bytes

    @property
    def kdf(self) -> wire.KdfParams:
        return wire.KdfParams(
            memory_kib=self.kdf_memory_kib, iterations=self.kdf_iterations, lanes=self.kdf_lanes, salt=self.kdf_salt
        )


ACCOUNT_COLS = columns(AccountColumns)


class DeviceOwner(NamedTuple):
    user_id: bytes
    handle: str
    sig_pub: bytes  # the device's own key, which signs its refresh


class Challenge(NamedTuple):
    challenge: bytes
    expires_at: int


class SessionRow(NamedTuple):
    expires_at: int
    user_id: bytes
    device_id: bytes
    handle: str
    role: str
    sig_pub: bytes


class Remembered(NamedTuple):
    """A session in the cache, tagged with the cache's generation when it was read."""

    generation: int
    expires_at: int
    caller: Caller


class DeviceRow(NamedTuple):
    device_id: bytes
    name: str
    created_at: int
    last_seen_at: int


class Accounts:
    """Accounts, devices, sessions and sign-in challenges."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._session_cache: dict[bytes, Remembered] = {}  # token hash -> session
        self._session_generation = 0
        self._remember = db.engine == "sqlite"

    async def create_account(
        self, s: wire.Signup, token_hash: bytes, expires_at: int, now: int, spend_invite: bytes | None = None
    ) -> None:
        """`spend_invite`: the token hash of the care invite admitting this sign-up; it admits one only
        (marked in this transaction; the invite itself stays for the link)."""
        b = s.bundle

        async def op(c: WConn) -> None:
            if spend_invite is not None and not await w_exists(
                c,
                "UPDATE invites SET signup_used_at = ? WHERE token_hash = ? AND expires_at > ? "
                "AND signup_used_at IS NULL RETURNING 1",
                (now, spend_invite, now),
            ):
                raise Conflict("registration_closed")
            if await w_exists(c, "SELECT 1 FROM users WHERE handle = ?", (s.handle,)):
                raise Conflict("handle_taken")
            if await w_exists(c, "SELECT 1 FROM users WHERE user_id = ?", (s.user_id.bytes,)):
                raise Conflict("user_exists")
            if await w_exists(c, "SELECT 1 FROM devices WHERE device_id = ?", (s.device.device_id.bytes,)):
                raise Conflict("device_exists")
            await c.execute(
                "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, "
                "login_pub, recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, "
                "bundle_signature, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    s.user_id.bytes,
                    s.handle,
                    b.role,
                    s.kdf.memory_kib,
                    s.kdf.iterations,
                    s.kdf.lanes,
                    s.kdf.salt,
                    s.login_pub,
                    s.recovery_login_pub,
                    s.pw_envelope,
                    s.rk_envelope,
                    s.id_wrap,
                    b.sig_pub,
                    b.kem_pub,
                    b.signature,
                    now,
                ),
            )
            await self._add_device(c, s.user_id.bytes, s.device, now)
            await self._add_session(c, token_hash, s.user_id.bytes, s.device.device_id.bytes, expires_at)

        await self.db.write(op)

    @staticmethod
    async def _add_device(c: WConn, user_id: bytes, d: wire.DeviceKey, now: int) -> None:
        await c.execute(
            "INSERT INTO devices (device_id, user_id, name, sig_pub, created_at, last_seen_at) VALUES (?,?,?,?,?,?)",
            (d.device_id.bytes, user_id, d.name, d.sig_pub, now, now),
        )

    @staticmethod
    async def _add_session(c: WConn, token_hash: bytes, user_id: bytes, device_id: bytes, expires_at: int) -> None:
        await c.execute(
            "INSERT INTO sessions (token_hash, user_id, device_id, expires_at) VALUES (?,?,?,?)",
            (token_hash, user_id, device_id, expires_at),
        )

    async def user_by_handle(self, handle: str) -> UserRow | None:
        u = await self.db.read_row(AccountColumns, f"SELECT {ACCOUNT_COLS} FROM users WHERE handle = ?", (handle,))
        if u is None:
            return None
        return UserRow(
            user_id=u.user_id,
            handle=u.handle,
            role=u.role,
            kdf=u.kdf,
            login_pub=u.login_pub,
            recovery_login_pub=u.recovery_login_pub,
            sig_pub=u.sig_pub,
            kem_pub=u.kem_pub,
        )

    async def account_keys(self, user_id: bytes) -> wire.AccountKeys | None:
        async with self.db.read() as c:
            u = await r_row(c, AccountColumns, f"SELECT {ACCOUNT_COLS} FROM users WHERE user_id = ?", (user_id,))
        if u is None:
            return None
        return wire.AccountKeys(
            user_id=as_uuid(u.user_id),
            handle=u.handle,
            role=u.role,
            kdf=u.kdf,
            pw_envelope=u.pw_envelope,
            rk_envelope=u.rk_envelope,
            id_wrap=u.id_wrap,
            bundle=bundle_of(u),
        )

    async def device_owner(self, device_id: bytes) -> DeviceOwner | None:
        return await self.db.read_row(
            DeviceOwner,
            "SELECT d.user_id, u.handle, d.sig_pub FROM devices d JOIN users u USING (user_id) WHERE d.device_id = ?",
            (device_id,),
        )

    async def create_challenge(
        self, challenge_id: bytes, challenge: bytes, subject: str, expires_at: int, now: int
    ) -> None:
        async def op(c: WConn) -> None:
            await c.execute("DELETE FROM challenges WHERE expires_at <= ?", (now,))
            await c.execute(
                "INSERT INTO challenges (challenge_id, challenge, subject, expires_at) VALUES (?,?,?,?)",
                (challenge_id, challenge, subject, expires_at),
            )

        await self.db.write(op)

    async def take_challenge(self, challenge_id: bytes, subject: str, now: int) -> bytes | None:
        """Delete this subject's challenge (used once, success or not); its bytes if it is alive. A request naming
        another subject's challenge leaves it alone: refused requests change nothing stored."""

        async def op(c: WConn) -> bytes | None:
            row = await w_row(
                c,
                Challenge,
                "DELETE FROM challenges WHERE challenge_id = ? AND subject = ? RETURNING challenge, expires_at",
                (challenge_id, subject),
            )
            if row is None or row.expires_at <= now:
                return None
            return row.challenge

        return await self.db.write(op)

    async def login(self, user_id: bytes, device: wire.DeviceKey, token_hash: bytes, expires_at: int, now: int) -> None:
        async def op(c: WConn) -> None:
            if await w_exists(c, "SELECT 1 FROM devices WHERE device_id = ?", (device.device_id.bytes,)):
                raise Conflict("device_exists")
            await c.execute("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", (user_id, now))
            await self._add_device(c, user_id, device, now)
            await self._add_session(c, token_hash, user_id, device.device_id.bytes, expires_at)

        await self.db.write(op)

    async def refresh(self, user_id: bytes, device_id: bytes, token_hash: bytes, expires_at: int, now: int) -> bool:
        """A new session for a device that still exists (revoked devices are deleted)."""

        async def op(c: WConn) -> bool:
            if not await w_exists(
                c,
                "UPDATE devices SET last_seen_at = ? WHERE device_id = ? AND user_id = ? RETURNING 1",
                (now, device_id, user_id),
            ):
                return False
            await c.execute("DELETE FROM sessions WHERE device_id = ? AND expires_at <= ?", (device_id, now))
            await self._add_session(c, token_hash, user_id, device_id, expires_at)
            return True

        return await self.db.write(op)

    async def session(self, token_hash: bytes, now: int) -> Caller | None:
        cache, generation = self._session_cache, self._session_generation
        hit = cache.get(token_hash)
        if hit is not None and hit.generation == generation and now < hit.expires_at:
            return hit.caller
        row = await self.db.read_row(
            SessionRow,
            "SELECT s.expires_at, s.user_id, s.device_id, u.handle, u.role, "
            "u.sig_pub FROM sessions s JOIN users u USING (user_id) "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now),
        )
        if row is None:
            return None
        caller = Caller(
            user_id=row.user_id, device_id=row.device_id, handle=row.handle, role=row.role, sig_pub=row.sig_pub
        )
        if not self._remember:
            return caller
        # Tagged with the generation read before the query: a session ended while it ran is never served later.
        if len(cache) >= SESSION_CACHE_MAX:
            cache.clear()
        cache[token_hash] = Remembered(generation, row.expires_at, caller)
        return caller

    async def _write_ending_sessions(self, op: Callable[[WConn], Awaitable[T]]) -> T:
        """A write that ends sessions or changes a user; afterwards (committed or not) every remembered session is
        read again, and one read while the write ran is never served (the generation moved on)."""
        try:
            return await self.db.write(op)
        finally:
            self._session_generation += 1
            self._session_cache.clear()

    async def end_session(self, token_hash: bytes) -> None:
        async def op(c: WConn) -> None:
            await c.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

        await self._write_ending_sessions(op)

    async def devices(self, user_id: bytes, current: bytes) -> list[wire.Device]:
        async with self.db.read() as c:
            rows = await r_rows(
                c,
                DeviceRow,
                f"SELECT {columns(DeviceRow)} FROM devices WHERE user_id = ? ORDER BY created_at, device_id",
                (user_id,),
            )
        return [
            wire.Device(
                device_id=as_uuid(r.device_id),
                name=r.name,
                created_at=r.created_at,
                last_seen_at=r.last_seen_at,
                current=r.device_id == current,
            )
            for r in rows
        ]

    async def revoke_device(self, user_id: bytes, device_id: bytes) -> bool:
        """Deleting the device cascades to all its sessions."""

        async def op(c: WConn) -> bool:
            return await w_exists(
                c, "DELETE FROM devices WHERE device_id = ? AND user_id = ? RETURNING 1", (device_id, user_id)
            )

        return await self._write_ending_sessions(op)

    async def change_passphrase(
        self,
        user_id: bytes,
        signer: str,
        signer_pub: bytes,
        kdf: wire.KdfParams,
        login_pub: bytes,
        pw_envelope: bytes,
        keep_session: bytes,
    ) -> bool:
        """Replace the passphrase material and end every session of the account but `keep_session`, in one
        transaction. False (nothing written) if the key that signed is no longer the account's: of two
        changes signed by the same old key only the first lands."""
        check = _SIGNER_COLUMN[signer]

        async def op(c: WConn) -> bool:
            if not await w_exists(
                c,
                "UPDATE users SET kdf_memory_kib = ?, kdf_iterations = ?, kdf_lanes = ?, "
                f"kdf_salt = ?, login_pub = ?, pw_envelope = ? WHERE user_id = ? AND {check} = ? "
                "RETURNING 1",
                (kdf.memory_kib, kdf.iterations, kdf.lanes, kdf.salt, login_pub, pw_envelope, user_id, signer_pub),
            ):
                return False
            await c.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash != ?", (user_id, keep_session))
            return True

        return await self._write_ending_sessions(op)

    async def delete_account(self, user_id: bytes, handle: str) -> None:
        """Foreign keys cascade from users to every table holding the account's rows."""

        async def op(c: WConn) -> None:
            await c.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            await c.execute("DELETE FROM challenges WHERE subject = ?", ("h:" + handle,))

        await self._write_ending_sessions(op)
