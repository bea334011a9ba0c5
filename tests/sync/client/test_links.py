"""Care links on a device (sync/client/links.py) without a server: what the care-link list the server serves leads
to, each case built so that every other check passes (docs/INTERNALS.md, "Testing")."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from between.sync.client.report import SyncReport
from between.sync.core import keys, records, wire
from between.sync.core.errors import CryptoError
from between.sync.core.sharing import ShareError
from tests.sync.profiles import FakeServerHead, LinksServed, care_link, care_pair, person, pushed_grants, shared_entry


@pytest.fixture
def care(tmp_path):
    return care_pair(tmp_path)


def _refresh(client, *links: wire.CareLink) -> SyncReport:
    report = SyncReport()
    client.engine.links.refresh(LinksServed(*links), report)
    return report


def test_a_listed_link_that_is_not_ours_is_ignored(care):
    sam, _, _, lee_keys = care
    stranger = person("eve")
    report = _refresh(sam, care_link(lee_keys, stranger))
    assert report.warnings == ["the server listed a care link that is not ours; ignored"]
    assert sam.store.get_peer(user_id=str(uuid.UUID(bytes=stranger.user_id))) is None


def test_a_listed_peer_whose_bundle_does_not_verify_is_not_pinned(care):
    sam, _, sam_keys, _ = care
    kim = keys.make_bundle(person("dr.kim", "therapist"))
    forged = msgspec.structs.replace(kim, signature=kim.signature[:-1] + bytes([kim.signature[-1] ^ 1]))
    report = _refresh(sam, care_link(forged, sam_keys))
    assert report.warnings == ["dr.kim's key bundle does not verify; ignored"]
    assert sam.store.get_peer(handle="dr.kim") is None


def test_a_listed_peer_with_new_keys_blocks_sharing_until_compared(care):
    """pin: a self-consistent bundle with the same id and handle but other keys (the server swapping keys) is
    kept aside as changed, not pinned over the old one."""
    sam, _, sam_keys, lee_keys = care
    swapped = keys.make_bundle(
        keys.AccountSecrets(
            **{
                **{f: getattr(person("x"), f) for f in ("account_key", "sig_seed", "kem_seed")},
                "user_id": lee_keys.user_id,
                "handle": "dr.lee",
                "role": "therapist",
            }
        )
    )
    report = _refresh(sam, care_link(swapped, sam_keys))
    assert any("security key changed" in w for w in report.warnings)
    peer = sam.store.get_peer(handle="dr.lee")
    assert peer.sig_pub == lee_keys.sig_pub and peer.changed
    rid = sam.add_entry("journal", {"body": "not for a swapped key"})
    with pytest.raises(ShareError):
        sam.share(rid, "dr.lee")


def test_the_end_of_a_care_link_rekeys_every_entry_the_peer_could_read(care):
    """The server stops listing the link: the peer is marked unlinked, and each entry it could read is queued
    under a new key it never held, revoking it, with no grant to anyone."""
    sam, _, sam_keys, lee_keys = care
    server = FakeServerHead()
    rid = shared_entry(sam, server)
    [grant] = pushed_grants(server.items[rid])
    body, lee_dek = records.open_grant(
        grant, owner_sig_pub=sam_keys.sig_pub, me_id=lee_keys.user_id, my_kem_seed=lee_keys.kem_seed
    )
    report = _refresh(sam, care_link(lee_keys, sam_keys))  # still linked: nothing to do
    assert report.warnings == [] and sam.store.get_pending(rid) is None
    report = _refresh(sam)
    assert not sam.store.get_peer(handle="dr.lee").linked
    assert any("the care link with dr.lee ended" in w for w in report.warnings)
    pending = sam.store.get_pending(rid)
    assert pending.rekey and pending.key_id != body.key_id
    assert sorted(pending.revoke) == [str(uuid.UUID(bytes=lee_keys.user_id))]
    assert pushed_grants(pending) == []
    revision = wire.Revision(header=pending.header, ct=pending.ct, signature=pending.signature)
    with pytest.raises(CryptoError):
        records.open_revision(
            revision,
            owner_id=sam_keys.user_id,
            record_id=uuid.UUID(rid),
            dek=lee_dek,
            key_id=pending.key_id,
            signer_pub=sam_keys.sig_pub,
        )  # lee's key: not this one
