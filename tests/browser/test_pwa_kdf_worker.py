"""Argon2id in the browser (hash-wasm in a module Worker, under the real CSP) reproduces the Python vectors."""

from __future__ import annotations

import json

import pytest
from pwa_browser import ROOT, new_context, open_app

pytestmark = pytest.mark.browser


def test_browser_argon2id_matches_python_vectors(playwright_instance, app_url, tmp_path):
    vectors = [
        v for v in json.loads((ROOT / "tests/vectors/argon2id.json").read_text())["vectors"] if v["memory_kib"] == 19456
    ]
    assert vectors
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        outputs = page.evaluate(
            """async (vectors) => {
            const { argon2id } = await import('/js/page/argon2.js');
            const { fromHex, toHex } = await import('/js/core/bytes.js');
            const out = [];
            for (const v of vectors) {
              out.push(toHex(await argon2id(v.passphrase, v.memory_kib, v.iterations, v.lanes, fromHex(v.salt))));
            }
            return out;
        }""",
            vectors,
        )
        assert outputs == [v["output"] for v in vectors]
    finally:
        ctx.close()
