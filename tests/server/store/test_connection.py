"""server/store/connection.py on real SQLite files: migrations and the schema snapshot, pragmas, the group-committing
writer and its failures, one process per database."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import builders as b
import pytest
from harness import run_coroutine

from between.server.settings import Settings
from between.server.store import Conflict, InUse, Store, StoreError, migration_files
from between.server.store.postgres import migration_files as postgres_migration_files
from between.sync.core import crypto, wire

SNAPSHOT = Path(__file__).with_name("schema.sql")
HEADER = (
    "-- Schema after every migration. Regenerate with: PYTHONPATH=tests/server .venv/bin/python "
    "tests/server/store/test_connection.py\n\n"
)


def render(rows: list[tuple[str, str, str]]) -> str:
    return HEADER + "".join(f"-- {kind} {name}\n{sql};\n\n" for kind, name, sql in rows)


async def _schema_of(path: Path) -> str:
    store = await Store.open(path)
    try:
        return render(await store.db.schema())
    finally:
        await store.close()


def test_schema_snapshot(tmp_path):
    """Migrating an empty database gives exactly the committed schema (a migration changing it must
    update tests/server/schema.sql in the same commit)."""
    assert run_coroutine(_schema_of(tmp_path / "db.sqlite3")) == SNAPSHOT.read_text()


def test_migrations_are_numbered_and_idempotent(tmp_path):
    numbers = [n for n, _ in migration_files()]
    assert numbers == list(range(1, len(numbers) + 1))
    path = tmp_path / "db.sqlite3"
    first = run_coroutine(_schema_of(path))
    second = run_coroutine(_schema_of(path))  # reopening applies nothing twice
    assert first == second
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == numbers[-1]
        # no plaintext by construction: every column is an id, key, ciphertext, hash, number or handle
        cols = {
            (t, c[1])
            for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            for c in conn.execute(f"PRAGMA table_info({t})")
        }
        text_cols = {
            (t, c)
            for t, c in cols
            if t not in ("sqlite_stat1",)
            and conn.execute(f"SELECT type FROM pragma_table_info('{t}') WHERE name = ?", (c,)).fetchone()[0] == "TEXT"
        }
        # a push endpoint is the push service's URL for a browser; a reminder id is the device's opaque HMAC text; a
        # task lease's name is the server's own (server/blobs.py COLLECT_TASK)
        assert text_cols == {
            ("users", "handle"),
            ("users", "role"),
            ("devices", "name"),
            ("challenges", "subject"),
            ("push_subscriptions", "endpoint"),
            ("reminder_times", "reminder_id"),
            ("task_leases", "name"),
        }
    finally:
        conn.close()


def test_migration_3_keeps_every_revision(tmp_path):
    """Revisions rebuilt as a rowid table (0003): a database written at version 2 keeps every row, byte for
    byte, and its keys still refuse a duplicate version or rev_id."""
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    for number, file in migration_files()[:2]:
        conn.executescript(f"BEGIN;\n{file.read_text()}\nPRAGMA user_version = {number};\nCOMMIT;")
    user, record = crypto.random_bytes(16), crypto.random_bytes(16)
    conn.execute(
        "INSERT INTO users (user_id, handle, role, kdf_memory_kib, kdf_iterations, kdf_lanes, kdf_salt, "
        "login_pub, recovery_login_pub, pw_envelope, rk_envelope, id_wrap, sig_pub, kem_pub, "
        "bundle_signature, created_at) VALUES (?, 'ana', 'client', 65536, 3, 1, x'', x'', x'', x'', x'', "
        "x'', x'', x'', x'', 0)",
        (user,),
    )
    conn.execute(
        "INSERT INTO records (record_id, owner_id, head_version, head_rev_id, head_key_id) VALUES (?, ?, 5, x'', x'')",
        (record, user),
    )
    rows = [
        (
            record,
            v,
            crypto.random_bytes(32),
            crypto.random_bytes(16),
            crypto.random_bytes(140),
            crypto.random_bytes(1040),
            crypto.random_bytes(64),
            10 + v,
            crypto.random_bytes(32) if v % 2 else None,
        )
        for v in range(1, 6)
    ]
    cols = "record_id, version, rev_id, key_id, header, ct, signature, seq, sharing"
    conn.executemany(f"INSERT INTO revisions ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    run_coroutine(_schema_of(path))  # opening the store applies 0003
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 3
        assert conn.execute(f"SELECT {cols} FROM revisions ORDER BY seq").fetchall() == rows
        without_rowid = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'revisions'").fetchone()[0]
        assert "WITHOUT ROWID" not in without_rowid
        for dup in ((rows[0][0], 1, crypto.random_bytes(32)), (rows[0][0], 99, rows[0][2])):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(
                    "INSERT INTO revisions (record_id, version, rev_id, key_id, header, ct, signature, seq) "
                    "VALUES (?,?,?,x'',x'',x'',x'',0)",
                    dup,
                )
    finally:
        conn.close()


def test_pragmas_on_every_connection(tmp_path):
    async def run():
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            return await store.db.pragmas()
        finally:
            await store.close()

    p = run_coroutine(run())
    for role in ("writer", "reader"):
        assert p[role]["journal_mode"] == "wal"
        assert p[role]["synchronous"] == 2  # FULL: a commit is on disk when it returns
        assert p[role]["foreign_keys"] == 1 and p[role]["busy_timeout"] >= 1000
    assert p["reader"]["query_only"] == 1
    assert p["writer"]["cache_size"] == -65536  # 64 MiB: pushes stay fast as the database grows


def _signup(handle: str) -> wire.Signup:
    return b.signup(b.new_account(handle))


def test_group_commit_batches_and_isolates_failures(tmp_path):
    async def run():
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            signups = [_signup(f"user{i}") for i in range(40)] + [_signup("user7")]  # one duplicate handle
            outcomes = await asyncio.gather(
                *(store.accounts.create_account(s, crypto.random_bytes(32), 10**10, 1) for s in signups),
                return_exceptions=True,
            )
            return outcomes, store.db.batches, store.db.ops
        finally:
            await store.close()

    outcomes, batches, ops = run_coroutine(run())
    assert outcomes[:40] == [None] * 40
    assert isinstance(outcomes[40], Conflict) and outcomes[40].code == "handle_taken"
    assert ops == 41 and batches < 41  # grouped
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 40
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 40
    finally:
        conn.close()


def test_disk_full_fails_the_batch_cleanly_and_the_writer_recovers(tmp_path):
    async def run():
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            pages = await store.db.write(lambda c: c.raw.execute("PRAGMA page_count").fetchone()[0])
            await store.db.write(lambda c: c.raw.execute(f"PRAGMA max_page_count = {pages}"))
            big = b.new_account("big-one")
            s = b.signup(big)
            s = wire.Signup(
                **{f: getattr(s, f) for f in s.__struct_fields__ if f != "pw_envelope"},
                pw_envelope=crypto.random_bytes(4096),
            )
            with pytest.raises(StoreError):
                await asyncio.gather(
                    *(
                        store.accounts.create_account(x, crypto.random_bytes(32), 10**10, 1)
                        for x in [s] + [_signup(f"bulk{i}") for i in range(30)]
                    )
                )
            await store.db.write(lambda c: c.raw.execute("PRAGMA max_page_count = 1073741823"))
            await store.accounts.create_account(_signup("after-full"), crypto.random_bytes(32), 10**10, 1)
            return await store.accounts.user_by_handle("after-full"), await store.accounts.user_by_handle("big-one")
        finally:
            await store.close()

    after, big = run_coroutine(run())
    assert after is not None and big is None
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_close_lets_the_interpreter_exit(tmp_path):
    code = (
        "import asyncio, sys; from pathlib import Path; from between.server.store import Store\n"
        "async def main():\n"
        f"    s = await Store.open(Path({str(tmp_path / 'db.sqlite3')!r}))\n"
        "    await s.accounts.create_challenge(b'1'*16, b'2'*32, 'h:x', 10**10, 1)\n"
        "    await s.close()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=30, capture_output=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks are POSIX")
def test_one_process_per_database(tmp_path):
    """A second store on the same file is refused while the first is open, and the server says so and exits 2
    rather than serving beside it; closing (or the holder dying) frees it."""
    path = Path(Settings.from_env({"BETWEEN_DATA": str(tmp_path)}).db_path)

    async def run():
        first = await Store.open(path)
        try:
            with pytest.raises(InUse):
                await Store.open(path)
            done = subprocess.run(
                [sys.executable, "-m", "between.server", "--port", "1", "--data", str(tmp_path)],
                timeout=30,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 2
            assert "another Between server is using" in done.stderr and "Traceback" not in done.stderr
        finally:
            await first.close()
        again = await Store.open(path)
        await again.close()

    run_coroutine(run())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import asyncio, sys; from pathlib import Path; "
            "from between.server.store import Store\nasync def main():\n"
            f"    await Store.open(Path({str(path)!r})); print('open', flush=True); "
            "await asyncio.sleep(60)\nasyncio.run(main())",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(InUse):
            run_coroutine(Store.open(path))
    finally:
        holder.kill()
        holder.wait(10)
    run_coroutine(_schema_of(path))  # the lock died with its process


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        SNAPSHOT.write_text(run_coroutine(_schema_of(Path(d) / "db.sqlite3")))
    print(f"wrote {SNAPSHOT}")


def test_both_engines_have_the_same_tables_and_columns(tmp_path, postgres_database):
    """PostgreSQL's schema is SQLite's migrations in one step (server/migrations/postgres/0001_initial.sql): the same
    tables and columns in the same order, so one set of SQL runs on both. Opening twice applies nothing again."""
    import asyncpg

    async def run() -> tuple[dict[str, list[str]], list[int]]:
        for _ in range(2):
            store = await Store.open(postgres_database.dsn)
            await store.close()
        conn = await asyncpg.connect(postgres_database.dsn)
        try:
            # PostgreSQL's own: shared rate limits, its migrations, and blobs' bytes (SQLite keeps them in files)
            rows = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name NOT IN ('rate_buckets', 'schema_migrations', 'blob_parts') "
                "ORDER BY table_name, ordinal_position"
            )
            versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")]
        finally:
            await conn.close()
        tables: dict[str, list[str]] = {}
        for table, column in rows:
            tables.setdefault(table, []).append(column)
        return tables, versions

    pg, versions = run_coroutine(run())
    assert versions == [n for n, _ in postgres_migration_files()]
    run_coroutine(_schema_of(tmp_path / "db.sqlite3"))
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        lite = {t: [c[1] for c in conn.execute(f"PRAGMA table_info({t})")] for t in names if t != "sqlite_stat1"}
    finally:
        conn.close()
    assert pg == lite


def test_rate_limits_are_shared_by_every_worker(postgres_database):
    """Two stores on one PostgreSQL database stand for two workers: a bucket of 3 gives 3 tokens in all, however
    the takes are spread, and says how long until the next; another key has its own bucket."""
    from between.server.app import limiter_for

    async def run() -> list[int | None]:
        one, two = await Store.open(postgres_database.dsn), await Store.open(postgres_database.dsn)
        try:
            limiters = [limiter_for(one), limiter_for(two)]
            waits = [await limiters[i % 2].take("push:alice", 3, 60) for i in range(5)]
            waits.append(await limiters[1].take("push:bob", 3, 60))
            return waits
        finally:
            await one.close()
            await two.close()

    waits = run_coroutine(run())
    assert waits[:3] == [None, None, None] and waits[5] is None
    assert all(w is not None and 1 <= w <= 20 for w in waits[3:5])
