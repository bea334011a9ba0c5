"""After a sign-in, GET /account (PROTOCOL.md section 17, sign-in flow): the reference client takes the account only
when it names the account signed in and exactly the KDF parameters prelogin served, and runs Argon2id once."""

from __future__ import annotations

import msgspec
import pytest

from between.sync.client.api import Api
from between.sync.client.client import Client
from between.sync.core import crypto, keys
from between.sync.core.errors import CryptoError

FLOOR = keys.new_kdf_params(19456, 2, 1)
PASSPHRASE = "a passphrase that is long enough"


@pytest.fixture
def signed_up(server, tmp_path):
    first = Client(tmp_path / "first")
    first.accounts.create(server.url, "alice", PASSPHRASE, "client", FLOOR)
    rid = first.add_entry("journal", {"body": "written on the first device"})
    first.sync()
    first.close()
    return rid


def _count_argon2id(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = crypto.argon2id

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto, "argon2id", counted)
    return calls


def test_a_sign_in_runs_argon2id_once_and_reads_the_entries(server, signed_up, tmp_path, monkeypatch):
    calls = _count_argon2id(monkeypatch)
    second = Client(tmp_path / "second")
    second.accounts.login(server.url, "alice", passphrase=PASSPHRASE)
    assert len(calls) == 1  # the login key and the KEK both come from prelogin's parameters
    second.sync()
    assert [e["id"] for e in second.entries(own=True)] == [signed_up]
    second.close()


@pytest.mark.parametrize("change", [{"memory_kib": 19457}, {"iterations": 3}, {"salt": bytes(16)}])
def test_an_account_served_with_other_kdf_parameters_is_refused(server, signed_up, tmp_path, monkeypatch, change):
    # The server (here: its answer, altered in transit) names other parameters at /account than at prelogin.
    real = Api.account

    def altered(self):
        served = real(self)
        return msgspec.structs.replace(served, kdf=msgspec.structs.replace(served.kdf, **change))

    monkeypatch.setattr(Api, "account", altered)
    calls = _count_argon2id(monkeypatch)
    second = Client(tmp_path / "second")
    with pytest.raises(CryptoError, match="key derivation parameters"):
        second.accounts.login(server.url, "alice", passphrase=PASSPHRASE)
    assert len(calls) == 1  # refused before any second derivation
    assert not (tmp_path / "second" / "keys.json").exists()
