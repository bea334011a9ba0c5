"""`between account passphrase` end to end: change it, the old one fails, the new one opens the data anywhere."""

from __future__ import annotations

import os
import subprocess

import pytest

from .e2e_cli import BETWEEN, FLOOR_KDF, PASSPHRASE, Cli

NEW = "quiet-harbour-kettle-77"


def _err(proc) -> str:
    return proc.stderr.strip()


@pytest.mark.both_engines
def test_change_then_only_the_new_passphrase_signs_in_and_reads_the_entries(cli: Cli):
    cli.create("a", "alice")
    first = cli.add("a", "journal", body="before the change")
    cli.login("b", "alice")  # a second device with its own session
    cli.run("a", "sync")

    # A wrong current passphrase changes nothing; a mistyped new one is refused before anything is sent.
    wrong = cli.run(
        "a", "account", "passphrase", passphrase="not-the-passphrase", env={"BETWEEN_NEW_PASSPHRASE": NEW}, ok=False
    )
    assert wrong.returncode == 1 and "wrong passphrase" in _err(wrong)
    short = cli.run("a", "account", "passphrase", env={"BETWEEN_NEW_PASSPHRASE": "short"}, ok=False)
    assert "at least" in _err(short)

    out = cli.run("a", "account", "passphrase", env={"BETWEEN_NEW_PASSPHRASE": NEW}).stdout
    assert "Passphrase changed" in out
    assert NEW not in out and PASSPHRASE not in out

    # The old passphrase no longer signs in anywhere; the new one does, on a new device, and reads everything.
    old = cli.run("c", "account", "login", "--server", cli.url, "--handle", "alice", ok=False)
    assert "wrong handle or passphrase" in _err(old)
    cli.login("c", "alice", passphrase=NEW)
    cli.run("c", "sync")
    assert [(e["id"], e["fields"]["body"]) for e in cli.json("c", "entry", "list")] == [(first, "before the change")]

    # This device and the other one go on syncing (the other renews its session with its device key).
    second = cli.add("a", "journal", body="after the change")
    cli.run("a", "sync")
    cli.run("b", "sync")
    assert {e["id"] for e in cli.json("b", "entry", "list")} == {first, second}

    # Deleting the account now needs the new passphrase.
    assert "wrong passphrase" in _err(cli.run("c", "account", "delete", "--yes", ok=False))


def test_after_a_recovery_login_a_new_passphrase_can_be_set(cli: Cli):
    recovery = cli.create("a", "alice")
    first = cli.add("a", "journal", body="written before I forgot")
    cli.run("a", "sync")
    cli.run(
        "r",
        "account",
        "login",
        "--server",
        cli.url,
        "--handle",
        "alice",
        "--recovery",
        env={"BETWEEN_RECOVERY_KEY": recovery},
    )

    # The forgotten passphrase is not needed: the recovery key authorises the change.
    typo = recovery[:-1] + ("0" if recovery[-1] != "0" else "1")
    assert "typo" in _err(
        cli.run(
            "r",
            "account",
            "passphrase",
            "--recovery",
            passphrase=None,
            ok=False,
            env={"BETWEEN_RECOVERY_KEY": typo, "BETWEEN_NEW_PASSPHRASE": NEW},
        )
    )
    out = cli.run(
        "r",
        "account",
        "passphrase",
        "--recovery",
        passphrase=None,
        env={"BETWEEN_RECOVERY_KEY": recovery, "BETWEEN_NEW_PASSPHRASE": NEW},
    ).stdout
    assert "Passphrase changed" in out

    assert "wrong handle or passphrase" in _err(
        cli.run("n", "account", "login", "--server", cli.url, "--handle", "alice", ok=False)
    )
    cli.login("n", "alice", passphrase=NEW)
    cli.run("n", "sync")
    assert [e["id"] for e in cli.json("n", "entry", "list")] == [first]
    # The recovery key itself still works afterwards.
    cli.run(
        "s",
        "account",
        "login",
        "--server",
        cli.url,
        "--handle",
        "alice",
        "--recovery",
        env={"BETWEEN_RECOVERY_KEY": recovery},
    )


def _typed(cli: Cli, name: str, answers: str) -> subprocess.CompletedProcess:
    """`between account passphrase` with the new passphrase typed at the prompt: in its own session there is
    no controlling terminal, so getpass reads the answers from stdin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")} | FLOOR_KDF
    env["BETWEEN_PASSPHRASE"] = PASSPHRASE
    return subprocess.run(
        [str(BETWEEN), "--profile", str(cli.profile(name)), "account", "passphrase"],
        capture_output=True,
        text=True,
        env=env,
        input=answers,
        timeout=120,
        start_new_session=True,
    )


def test_the_new_passphrase_is_asked_twice_when_typed(cli: Cli):
    cli.create("a", "alice")
    differ = _typed(cli, "a", f"{NEW}\n{NEW}x\n")
    assert differ.returncode == 1 and "differ" in _err(differ) and "Traceback" not in differ.stderr
    assert _typed(cli, "a", f"{NEW}\n{NEW}\n").returncode == 0
    cli.login("b", "alice", passphrase=NEW)
