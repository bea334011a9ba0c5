"""The server never sees plaintext, passphrases or keys: canaries planted everywhere a person types, and
every byte the server stores, logs or receives is searched for them in every encoding a leak could take."""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import sqlite3
import threading
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

from between.sync.core import keys as keymod
from between.sync.core import records

from .e2e_cli import Cli


class RecordingProxy:
    """A TCP forwarder on 127.0.0.1 that keeps every byte of every connection, both ways."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.streams: list[bytearray] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _stream(self) -> bytearray:
        buf = bytearray()
        with self._lock:
            self.streams.append(buf)
        return buf

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(conn, upstream, self._stream()), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, conn, self._stream()), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, record: bytearray) -> None:
        try:
            while data := src.recv(65536):
                record += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (dst, src):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_WR)

    def captured(self) -> dict[str, bytes]:
        with self._lock:
            return {f"traffic stream {i}": bytes(s) for i, s in enumerate(self.streams)}

    def close(self) -> None:
        self._listener.close()


def _b64_cores(secret: bytes) -> dict[str, bytes]:
    """The base64 characters that depend only on `secret`, whatever its offset mod 3 in a larger blob."""
    out = {}
    for k in range(3):
        start, end = -(-8 * k // 6), (8 * (k + len(secret))) // 6
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            out[f"{name}@{k}"] = enc(bytes(k) + secret)[start:end]
    return out


def forms(secret: bytes, text: str | None = None) -> dict[str, bytes]:
    found = {
        "raw": secret,
        "hex": secret.hex().encode(),
        "HEX": secret.hex().upper().encode(),
        "url": quote(secret).encode(),
        "url+": quote_plus(secret).encode(),
    } | _b64_cores(secret)
    if text is not None:
        found |= {"json": json.dumps(text)[1:-1].encode(), "utf16": text.encode("utf-16-le")}
    return {k: v for k, v in found.items() if len(v) >= 8}


def find_leaks(haystacks: dict[str, bytes], canaries: dict[str, bytes], texts: dict[str, str]) -> list[str]:
    hits = []
    for cname, secret in canaries.items():
        for fname, needle in forms(secret, texts.get(cname)).items():
            for hname, hay in haystacks.items():
                if needle in hay:
                    hits.append(f"{cname} as {fname} in {hname}")
    return hits


def test_the_search_finds_every_encoding_of_a_planted_canary():
    text = "Übung canary ÿ 41 zq"
    secret = text.encode()
    for fname, needle in forms(secret, text).items():
        for pad in range(3):
            blob = secrets.token_bytes(50) + bytes(pad) + needle + secrets.token_bytes(50)
            assert find_leaks({"control": blob}, {"c": secret}, {"c": text}), fname
    for k in range(3):  # a canary encoded inside a larger blob, at every alignment
        blob = base64.b64encode(secrets.token_bytes(k) + secret + secrets.token_bytes(7))
        assert find_leaks({"control": blob}, {"c": secret}, {})
    assert not find_leaks({"control": secrets.token_bytes(4000)}, {"c": secret}, {"c": text})


def _files(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _key_material(cli: Cli, name: str) -> dict[str, bytes]:
    k = cli.keys(name)
    raw = {f: base64.b64decode(k[f]) for f in ("account_key", "sig_seed", "kem_seed", "device_seed")}
    s = keymod.AccountSecrets(
        user_id=base64.b64decode(k["user_id"]),
        handle=k["handle"],
        role=k["role"],
        account_key=raw["account_key"],
        sig_seed=raw["sig_seed"],
        kem_seed=raw["kem_seed"],
    )
    out = {f"{name}.{f}": v for f, v in raw.items()} | {f"{name}.kwk": s.kwk, f"{name}.idwk": s.idwk}
    with sqlite3.connect(cli.profile(name) / "profile.db") as db:
        for rid, key_id, owner, wrapped in db.execute("SELECT record_id, key_id, owner_id, wrapped FROM deks"):
            dek = records.unwrap_dek(s.kwk, uuid.UUID(owner), uuid.UUID(rid), bytes(key_id), bytes(wrapped))
            out[f"{name}.dek.{rid[:8]}.{bytes(key_id).hex()[:6]}"] = dek
    return out


def test_no_canary_reaches_the_server_its_log_or_the_wire(live_server, tmp_path):
    proxy = RecordingProxy(live_server.port)
    cli = Cli(tmp_path / "profiles", proxy.url)
    texts: dict[str, str] = {}

    def canary(label: str, prefix: str = "") -> str:
        value = f"{prefix}cnry{label}{secrets.token_hex(5)}"
        texts[f"field {label}"] = value
        return value

    try:
        pass_client = "Überpass " + canary("pwclient") + " lantern"
        pass_therapist = "therapist-" + canary("pwtherapist")
        recovery = cli.create("a", "alice", passphrase=pass_client)
        t_recovery = cli.create("t", "drbob", "--therapist", passphrase=pass_therapist)
        cli.login("b", "alice", passphrase=pass_client)

        def run(name: str, *args: str, **kw):
            pp = pass_therapist if name == "t" else pass_client
            return cli.run(name, *args, passphrase=pp, **kw)

        def add(kind: str, **fields: str) -> str:
            args = [a for k, v in fields.items() for a in ("--field", f"{k}={v}")]
            return run("a", "entry", "add", kind, *args).stdout.strip().splitlines()[-1]

        journal = add("journal", title=canary("jt"), prompt=canary("jp"), body=canary("jb", "Tagebuch ä\n"))
        thought = add(
            "thought-record",
            situation=canary("ts"),
            automatic_thought=canary("ta"),
            emotions=f"{canary('te')}:80",
            evidence_for=canary("tf"),
            evidence_against=canary("tg"),
            balanced_thought=canary("tb"),
        )
        add(
            "conversation-rehearsal",
            with_whom=canary("cw"),
            goal=canary("cg"),
            opening=canary("co"),
            possible_replies=f"{canary('cr1')};{canary('cr2')}",
            how_it_went=canary("ch"),
        )
        reading = add(
            "reading",
            title=canary("rt"),
            source=canary("rs"),
            key_ideas=canary("rk"),
            reflection=canary("rr"),
            questions=canary("rq"),
        )
        add("mood", score="4", note=canary("mn"), emotions=canary("me"))
        run("a", "sync")
        run("b", "sync")
        run("b", "entry", "edit", journal, "--field", f"body={canary('jb2')}")
        run("b", "sync")
        run("a", "sync")
        link = run("t", "invite", "create").stdout.strip().splitlines()[-1]
        run("a", "invite", "accept", link)
        run("a", "share", journal, "--with", "drbob")
        run("a", "share", thought, "--with", "drbob")
        assert len(json.loads(run("t", "shared", "list", "--json").stdout)) == 2
        run("a", "unshare", thought, "--with", "drbob")
        run("a", "entry", "edit", journal, "--field", f"title={canary('jt2')}")
        run("a", "entry", "delete", reading)
        run("a", "sync")
        run("b", "sync")
        run("t", "sync")
        run("a", "safety-number", "drbob")
        shared = json.loads(run("t", "shared", "list", "--json").stdout)
        # The flow really carried the canaries end to end, so their absence below means something.
        assert [e["fields"]["title"] for e in shared] == [texts["field jt2"]]
        assert texts["field jb2"] in json.loads(run("b", "entry", "show", journal, "--json").stdout)["fields"]["body"]

        canaries = {name: value.encode() for name, value in texts.items()}
        # Profiles keep ciphertext only: no field text, passphrase or recovery key in any profile file.
        human = dict(canaries) | {
            "passphrase client": pass_client.encode(),
            "passphrase therapist": pass_therapist.encode(),
            "recovery key": recovery.encode(),
            "therapist recovery key": t_recovery.encode(),
        }
        profiles = _files(cli.root)
        assert sum("profile.db" in p for p in profiles) == 3
        assert find_leaks(profiles, human, texts | {"passphrase client": pass_client}) == []
        texts |= {
            "recovery key": recovery,
            "therapist recovery key": t_recovery,
            "passphrase client": pass_client,
            "passphrase therapist": pass_therapist,
        }
        canaries |= {
            "recovery key": recovery.encode(),
            "therapist recovery key": t_recovery.encode(),
            "recovery key raw": keymod.parse_recovery_key(recovery),
            "therapist recovery key raw": keymod.parse_recovery_key(t_recovery),
            "passphrase client": pass_client.encode(),
            "passphrase therapist": pass_therapist.encode(),
        }
        for name in ("a", "b", "t"):
            canaries |= _key_material(cli, name)
        assert sum(".dek." in c for c in canaries) >= 6

        traffic = proxy.captured()
        assert sum(b"POST /api/v1/sync/push" in s for s in traffic.values()) >= 5
        haystacks = traffic | _files(live_server.data_dir) | {"server log": live_server.log_path.read_bytes()}
        assert any(name.endswith(("-wal", ".sqlite3")) for name in haystacks)
        leaks = find_leaks(haystacks, canaries, texts)
        assert leaks == [], leaks[:20]
        # Session tokens travel (as bearer headers) but are never stored or logged in the clear.
        tokens = {f"{n}.token": cli.keys(n)["token"].encode() for n in ("a", "b", "t")}
        stored = _files(live_server.data_dir) | {"server log": live_server.log_path.read_bytes()}
        assert find_leaks(stored, tokens, {}) == []
        # The same search on real captures does find what legitimately travels or is stored there.
        token = cli.keys("t")["token"].encode()
        assert find_leaks(traffic, {"session token": token}, {})
        keys_json = {"keys.json": (cli.profile("a") / "keys.json").read_bytes()}
        assert find_leaks(keys_json, {"a.account_key": canaries["a.account_key"]}, {})
    finally:
        proxy.close()
