"""The pushing half of sync (sync/client/engine.py) without a server: who an outbox item hands a record key to."""

from __future__ import annotations

import uuid

import pytest

from between.sync.core import keys
from between.sync.core.layout import GrantBody
from tests.sync.profiles import FakeServerHead, device, person, pin, pushed_grants

UNUSABLE = {
    "changed": {"changed": keys.make_bundle(person("dr.lee", "therapist")), "state": "changed"},
    "unlinked": {"linked": 0},
    "mismatch": {"state": "mismatch"},
}


@pytest.mark.parametrize("state", sorted(UNUSABLE))
def test_a_rekey_never_hands_the_new_key_to_a_grantee_this_device_may_not_trust(tmp_path, state):
    """queue: re-keying an entry (here: sharing it with dr.kim too) grants the new key to every current grantee
    this device may still give keys to; one whose key changed, whose link ended, or whose key does not match the
    invitation is revoked instead. Sharing with dr.kim is allowed, so only this rule keeps dr.lee from the new key."""
    sam_keys, lee_keys, kim_keys = person("sam"), person("dr.lee", "therapist"), person("dr.kim", "therapist")
    sam = device(tmp_path, "sam", sam_keys)
    pin(sam, lee_keys)
    pin(sam, kim_keys)
    server = FakeServerHead()
    rid = sam.add_entry("journal", {"body": "shared with dr.lee"})
    sam.share(rid, "dr.lee")
    server.land(sam, rid)
    lee = str(uuid.UUID(bytes=lee_keys.user_id))
    with sam.store.transaction() as db:
        sam.store.update_peer(db, lee, **UNUSABLE[state])
    sam.share(rid, "dr.kim")
    pending = sam.store.get_pending(rid)
    assert [GrantBody.parse(g.body).grantee_id for g in pushed_grants(pending)] == [kim_keys.user_id]
    assert sorted(pending.revoke) == [lee]


def test_a_grantee_only_the_server_vouches_for_still_gets_the_new_key(tmp_path):
    """Not verified is not blocked (trust on first use): a re-key hands the new key to dr.lee as to anyone."""
    sam_keys, lee_keys, kim_keys = person("sam"), person("dr.lee", "therapist"), person("dr.kim", "therapist")
    sam = device(tmp_path, "sam", sam_keys)
    pin(sam, lee_keys, "tofu")
    pin(sam, kim_keys)
    server = FakeServerHead()
    rid = sam.add_entry("journal", {"body": "shared with dr.lee"})
    sam.share(rid, "dr.lee")
    server.land(sam, rid)
    sam.share(rid, "dr.kim")
    pending = sam.store.get_pending(rid)
    assert sorted(GrantBody.parse(g.body).grantee_id for g in pushed_grants(pending)) == sorted(
        [kim_keys.user_id, lee_keys.user_id]
    )
    assert sorted(pending.revoke) == []
