"""server/api/links.py over the real app: who may invite and accept, previews, single use, deleting an invite, and a
proof that must be well formed."""

from __future__ import annotations

import base64

import builders as b
import pytest
from harness import dump


def test_invites(api):
    therapist, client, other = api.register("dr-tran", "therapist"), api.register("sam"), api.register("kim")
    assert api.post("/invites", None, client).status_code == 403
    inv = api.post("/invites", None, therapist).json()
    assert [i["invite_id"] for i in api.get("/invites", therapist).json()] == [inv["invite_id"]]
    preview = api.post("/invites/preview", {"token": inv["token"]}, client).json()
    assert preview["therapist"]["handle"] == "dr-tran"
    assert api.post("/invites/accept", b.accept(inv["token"]), therapist).status_code == 403
    link = api.post("/invites/accept", b.accept(inv["token"]), client)
    assert link.status_code == 201 and link.json()["client"]["handle"] == "sam"
    used = api.post("/invites/accept", b.accept(inv["token"]), other)
    assert used.status_code == 404 and used.json()["code"] == "invite_not_found"
    assert api.post("/invites/preview", {"token": inv["token"]}, other).status_code == 404
    inv2 = api.post("/invites", None, therapist).json()
    assert api.delete(f"/invites/{inv2['invite_id']}", other).status_code == 404
    assert api.delete(f"/invites/{inv2['invite_id']}", therapist).status_code == 204
    assert api.post("/invites/accept", b.accept(inv2["token"]), other).status_code == 404
    assert api.get("/invites", therapist).json() == []


@pytest.mark.parametrize("proof", [None, "", "AAAA", base64.b64encode(bytes(31)).decode(), 7])
def test_accepting_without_a_well_formed_proof_is_refused_and_links_nobody(api, proof):
    therapist, client = api.register("dr-tran", "therapist"), api.register("sam")
    inv = api.post("/invites", None, therapist).json()
    before = dump(api.db)
    body = {"token": inv["token"]} if proof is None else {"token": inv["token"], "proof": proof}
    r = api.post("/invites/accept", body, client)
    assert r.status_code == 400 and r.json()["code"] == "invalid_body"
    assert dump(api.db) == before
    assert api.post("/invites/accept", b.accept(inv["token"]), client).status_code == 201  # the invite still works
