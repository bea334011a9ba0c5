"""The client library is safe to use from several threads from the first call on.

msgspec 0.22 builds a Struct type's decoding information on its first decode and publishes it before it is
complete: two threads making their first decode of a type at the same moment can crash the whole process (a
segfault). between.sync.core.wire and between.sync.core.kinds build it while they are imported, and
between.sync.client.answers builds its own under a lock. Each child below is a fresh process whose 16 threads,
started together, make their first typed decodes through the library's public calls (the Api's answers, the kinds);
without those fixes about one child in three crashed here, so among 40 a crash would all but surely show.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHILDREN = 40

CHILD = r"""
import base64, sys, threading, uuid
import httpx

# Frequent thread switches: a thread that is building a type's decoding information gives way inside it,
# as it may on a loaded machine.
sys.setswitchinterval(1e-4)

from between.sync.core import kinds
from between.sync.client.api import Api

def b64(n):
    return base64.b64encode(b"\x01" * n).decode()

U = str(uuid.uuid4())
BUNDLE = {"user_id": U, "handle": "alice", "role": "client", "sig_pub": b64(32), "kem_pub": b64(32),
          "signature": b64(64)}
HEAD = {"record_id": U, "owner_id": U, "version": 1, "rev_id": b64(32), "seq": 1,
        "revision": {"header": b64(136), "ct": b64(40), "signature": b64(64)}}
KDF = {"alg": "argon2id", "memory_kib": 19456, "iterations": 2, "lanes": 1, "salt": b64(16)}
ANSWERS = {
    "/api/v1/sync/pull": {"items": [{"record_id": U, "owner_id": U, "seq": 1, "access": "owner", "head": HEAD,
                                     "dek_wrap": b64(60), "grants": []}], "cursor": 1, "more": False},
    "/api/v1/links": [{"link_id": U, "therapist": BUNDLE, "client": BUNDLE, "created_at": 1}],
    "/api/v1/account": {"user_id": U, "handle": "alice", "role": "client", "kdf": KDF, "pw_envelope": b64(60),
                        "rk_envelope": b64(60), "id_wrap": b64(60), "bundle": BUNDLE},
    f"/api/v1/records/{U}/history": {"revisions": [HEAD], "more": False},
    f"/api/v1/bundles/{U}": BUNDLE,
}
# The answers come from memory, so that the threads decode at the same moment rather than as a network allows.
api = Api("http://127.0.0.1:9", "token",
          transport=httpx.MockTransport(lambda request: httpx.Response(200, json=ANSWERS[request.url.path])))
calls = 2 * [lambda: api.pull(0), api.links, api.account, lambda: api.history(uuid.UUID(U)),
             lambda: api.bundle(uuid.UUID(U)), lambda: kinds.validate_fields("journal", {"body": "x"}),
             lambda: kinds.all_kinds(), lambda: api.pull(0)]
start = threading.Barrier(len(calls))
failed = []

def run(call):
    start.wait()
    try:
        call()
    except BaseException as exc:
        failed.append(repr(exc))

threads = [threading.Thread(target=run, args=(call,)) for call in calls]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(failed), file=sys.stderr)
sys.exit(1 if failed else 0)
"""


def _child(_: int) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stderr[-2000:]


@pytest.mark.slow
def test_first_decodes_from_many_threads_at_once_do_not_crash():
    with ThreadPoolExecutor(max_workers=2) as pool:  # two at a time: the machine has few cores
        results = list(pool.map(_child, range(CHILDREN)))
    crashed = [code for code, _ in results if code < 0]  # killed by a signal: -11 is a segfault
    failed = [err for code, err in results if code > 0]
    assert not crashed, f"{len(crashed)} of {CHILDREN} processes crashed (signals {sorted(set(crashed))})"
    assert not failed, failed[0]
