"""Tests of sync/client/answers.py: a client reads answers that carry fields it does not know, at any depth, into the
ordinary wire types, and still checks every field it knows; requests stay strict."""

from __future__ import annotations

import json
import os
import uuid

import msgspec
import pytest

from between.sync.client import answers
from between.sync.core import wire
from tests.newer_server import EXTRA_OBJECT, with_extras


def _bundle(role: str = "client") -> wire.KeyBundle:
    return wire.KeyBundle(
        user_id=uuid.uuid4(),
        handle=f"{role}-x",
        role=role,
        sig_pub=os.urandom(32),
        kem_pub=os.urandom(32),
        signature=os.urandom(64),
    )


def _head(seq: int) -> wire.StoredRevision:
    rid, owner = uuid.uuid4(), uuid.uuid4()
    revision = wire.Revision(header=os.urandom(136), ct=os.urandom(300), signature=os.urandom(64))
    return wire.StoredRevision(
        record_id=rid, owner_id=owner, version=2, rev_id=os.urandom(32), revision=revision, seq=seq
    )


def _grant(head: wire.StoredRevision) -> wire.Grant:
    return wire.Grant(
        record_id=head.record_id,
        owner_id=head.owner_id,
        grantee_id=uuid.uuid4(),
        key_id=os.urandom(16),
        body=os.urandom(120),
        sealed=os.urandom(80),
        signature=os.urandom(64),
        created_at=1_770_000_000,
    )


def _kdf() -> wire.KdfParams:
    return wire.KdfParams(memory_kib=19456, iterations=2, lanes=1, salt=os.urandom(16))


def _answers() -> list[tuple[object, object]]:
    """(type, a value of it) for every kind of answer the reference client reads."""
    head = _head(3)
    pull = wire.PullResponse(
        cursor=4,
        more=False,
        items=[
            wire.RecordState(
                record_id=head.record_id,
                owner_id=head.owner_id,
                seq=3,
                access="owner",
                head=head,
                dek_wrap=os.urandom(60),
                grants=[_grant(head), _grant(head)],
            ),
            wire.RecordState(record_id=uuid.uuid4(), owner_id=uuid.uuid4(), seq=4, access="removed"),
        ],
    )
    therapist, client = _bundle("therapist"), _bundle()
    return [
        (wire.PullResponse, pull),
        (
            wire.PushResponse,
            wire.PushResponse(
                results=[
                    wire.PushResult(record_id=head.record_id, status="conflict", head=head, detail="stale base"),
                    wire.PushResult(record_id=uuid.uuid4(), status="ok", seq=9),
                ]
            ),
        ),
        (wire.History, wire.History(revisions=[head, _head(1)], more=True)),
        (
            list[wire.CareLink],
            [
                wire.CareLink(
                    link_id=uuid.uuid4(),
                    therapist=therapist,
                    client=client,
                    created_at=1_770_000_000,
                    invite_id=uuid.uuid4(),
                    proof=os.urandom(32),
                )
            ],
        ),
        (wire.InvitePreview, wire.InvitePreview(therapist=therapist, expires_at=1_770_000_000, invite_id=uuid.uuid4())),
        (wire.InviteCreated, wire.InviteCreated(invite_id=uuid.uuid4(), token="t" * 43, expires_at=1_770_000_000)),
        (
            wire.AccountKeys,
            wire.AccountKeys(
                user_id=client.user_id,
                handle=client.handle,
                role="client",
                kdf=_kdf(),
                pw_envelope=os.urandom(60),
                rk_envelope=os.urandom(60),
                id_wrap=os.urandom(60),
                bundle=client,
            ),
        ),
        (
            wire.Challenge,
            wire.Challenge(kdf=_kdf(), challenge_id=os.urandom(16), challenge=os.urandom(32), expires_in=60),
        ),
        (wire.Session, wire.Session(token="s" * 43, expires_in=43200, user_id=uuid.uuid4(), device_id=uuid.uuid4())),
        (
            list[wire.Device],
            [wire.Device(device_id=uuid.uuid4(), name="phone", created_at=1, last_seen_at=2, current=True)],
        ),
        (wire.KeyBundle, client),
        (wire.Health, wire.Health(status="ok", version="9.9.9")),
    ]


@pytest.mark.parametrize(
    ("answer_type", "value"), [pytest.param(t, v, id=getattr(t, "__name__", "list")) for t, v in _answers()]
)
def test_an_answer_with_fields_added_at_every_level_reads_as_todays_type(answer_type, value):
    plain = wire.encode(value)
    newer = json.dumps(with_extras(json.loads(plain))).encode()
    assert newer.count(EXTRA_OBJECT.encode()) == json.dumps(json.loads(plain)).count("{")  # in every object
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(newer, type=answer_type)  # what the client did before: refuse the whole answer
    got = answers.decode(newer, answer_type)
    assert got == value == answers.decode(plain, answer_type)
    first = got[0] if isinstance(got, list) else got
    assert type(first) is type(value[0] if isinstance(value, list) else value)  # the wire type itself, no stand-in


def test_fields_the_client_knows_are_checked_as_strictly_as_before():
    pull = json.loads(wire.encode(_answers()[0][1]))
    item = pull["items"][0]

    def refused(change) -> str:
        bad = with_extras(json.loads(json.dumps(pull)))
        change(bad["items"][0])
        with pytest.raises(msgspec.ValidationError) as exc:
            answers.decode(json.dumps(bad).encode(), wire.PullResponse)
        return str(exc.value)

    assert "$.items[0].head.revision.signature" in refused(
        lambda i: i["head"]["revision"].update(signature=item["head"]["revision"]["signature"][:40])
    )
    assert "$.items[0].grants[1].key_id" in refused(lambda i: i["grants"][1].update(key_id="not base64!"))
    assert "$.items[0].owner_id" in refused(lambda i: i.update(owner_id="not-a-uuid"))
    assert "$.items[0].access" in refused(lambda i: i.update(access="borrowed"))
    assert "record_id" in refused(lambda i: i.pop("record_id"))
    with pytest.raises(msgspec.DecodeError):
        answers.decode(b'{"items": [', wire.PullResponse)


def test_requests_stay_strict():
    """The server decodes requests with the same wire types: an unknown field at any level is refused there."""
    head = _head(0)
    push = wire.Push(
        items=[wire.PushItem(record_id=head.record_id, base_version=0, revision=head.revision, dek_wrap=os.urandom(60))]
    )
    body = json.loads(wire.encode(push))
    body["items"][0]["revision"]["zz_added_later"] = 1
    with pytest.raises(msgspec.ValidationError, match=r"unknown field .* at `\$.items\[0\].revision`"):
        msgspec.json.decode(json.dumps(body).encode(), type=wire.Push)
