"""The browser's copy of the wire contract (web/js/core/wire-contract.js) is what tests/contract.py makes from the wire
types, api.js keeps no list of its own, and the generator refuses a wire shape that api.js could not decode.
(That the names are exactly the OpenAPI document's base64 properties: tests/server/test_openapi.py.)"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
import pytest
from msgspec import Meta

from tests import contract

WEB_JS = contract.OUT.parents[1]  # web/js


def test_the_committed_module_is_what_the_wire_types_give():
    assert contract.OUT.read_text(encoding="utf-8") == contract.render(), (
        f"web/js/core/wire-contract.js is out of date: run `{contract.COMMAND}`"
    )


def test_the_module_is_small_and_says_it_is_generated():
    text = contract.OUT.read_text(encoding="utf-8")
    # The worker imports it on every phone: facts only, no code.
    assert len(text.encode()) < 2048
    assert text.startswith("// Generated from sync/core/wire.py by `make contract`")
    assert max(len(line) for line in text.splitlines()) <= contract.WIDTH


def test_every_bytes_field_and_the_converted_shapes():
    names = contract.bytes_fields(contract.wire_types())
    assert {"salt", "signature", "header", "ct", "dek_wrap", "sealed", "body", "key_id", "proof"} <= set(names)
    assert "user_id" not in names and "token" not in names  # ids and tokens stay text
    assert contract.shape(contract.wire.KeyBundle) == {
        "fields": ["user_id", "handle", "role", "sig_pub", "kem_pub", "signature"],
        "uuid": ["user_id"],
    }
    assert contract.shape(contract.wire.KdfParams) == {
        "fields": ["alg", "memory_kib", "iterations", "lanes", "salt"],
        "uuid": [],
    }


def test_api_js_keeps_no_list_of_its_own():
    api = next(WEB_JS.rglob("api.js")).read_text(encoding="utf-8")
    assert "wire-contract.js" in api
    for name in contract.bytes_fields(contract.wire_types()) + contract.shape(contract.wire.KeyBundle)["fields"]:
        assert f"'{name}'" not in api, name


class _Text(msgspec.Struct):
    signature: str


class _Bytes(msgspec.Struct):
    signature: Annotated[bytes, Meta(min_length=64, max_length=64)]
    proof: bytes | None = None
    owner: UUID | None = None


class _Listed(msgspec.Struct):
    signatures: list[bytes]


class _Mapped(msgspec.Struct):
    wraps: dict[str, bytes | None]


def test_the_generator_refuses_what_decoding_by_name_would_get_wrong():
    assert contract.bytes_fields([_Bytes]) == ["proof", "signature"]
    assert contract.shape(_Bytes)["uuid"] == ["owner"]
    with pytest.raises(ValueError, match=r"\['signature'\]"):
        contract.bytes_fields([_Bytes, _Text])
    for container in (_Listed, _Mapped):
        with pytest.raises(ValueError, match="inside a container"):
            contract.bytes_fields([container])
