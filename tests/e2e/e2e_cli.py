"""The `between` CLI as a person runs it: one subprocess per command, secrets only in the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BETWEEN = Path(sys.executable).with_name("between")
FLOOR_KDF = {"BETWEEN_KDF_MEMORY_KIB": "19456", "BETWEEN_KDF_ITERATIONS": "2"}
PASSPHRASE = "tidal-marsh-lantern-42"


class Cli:
    """Runs `between --profile DIR ...` exactly as a person would, with secrets in the environment only."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def profile(self, name: str) -> Path:
        return self.root / name

    def run(
        self,
        name: str,
        *args: str,
        ok: bool = True,
        passphrase: str | None = PASSPHRASE,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("BETWEEN_")} | FLOOR_KDF
        if passphrase is not None:
            full_env["BETWEEN_PASSPHRASE"] = passphrase
        full_env |= env or {}
        proc = subprocess.run(
            [str(BETWEEN), "--profile", str(self.profile(name)), *args],
            capture_output=True,
            text=True,
            env=full_env,
            input=stdin if stdin is not None else "",
            timeout=120,
        )
        if ok:
            assert proc.returncode == 0, f"between {' '.join(args)} failed ({proc.returncode}): {proc.stderr}"
        # Expected errors never show a traceback.
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    def last_line(self, name: str, *args: str, **kw) -> str:
        return self.run(name, *args, **kw).stdout.strip().splitlines()[-1]

    def create(self, name: str, handle: str, *extra: str, passphrase: str = PASSPHRASE) -> str:
        """Create an account; returns the recovery key (the last line of the output)."""
        return self.last_line(
            name, "account", "create", "--server", self.url, "--handle", handle, *extra, passphrase=passphrase
        )

    def login(self, name: str, handle: str, passphrase: str = PASSPHRASE) -> None:
        self.run(name, "account", "login", "--server", self.url, "--handle", handle, passphrase=passphrase)

    def add(self, name: str, kind: str, **fields: str) -> str:
        args = [a for k, v in fields.items() for a in ("--field", f"{k}={v}")]
        return self.last_line(name, "entry", "add", kind, *args)

    def json(self, name: str, *args: str):
        return json.loads(self.run(name, *args, "--json").stdout)

    def link(self, therapist: str, client: str) -> str:
        """Therapist invites, client accepts: the care link of most tests."""
        link = self.last_line(therapist, "invite", "create")
        self.run(client, "invite", "accept", link)
        return link

    def keys(self, name: str) -> dict:
        return json.loads((self.profile(name) / "keys.json").read_text())
