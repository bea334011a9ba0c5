"""The protocol code running in Chromium's own WebCrypto (not Node's) reproduces the Python vectors."""

from __future__ import annotations

import json

import pytest
from pwa_browser import ROOT, new_context, open_app

pytestmark = pytest.mark.browser

VECTORS = ROOT / "tests" / "vectors"

# Runs in the page: every output the browser computes, keyed so Python can compare them with the files.
IN_PAGE = """async (v) => {
  const { fromHex: h, toHex: x } = await import('/js/core/bytes.js');
  const c = await import('/js/core/crypto.js');
  const records = await import('/js/core/records.js');
  const keys = await import('/js/core/keys.js');
  const safety = await import('/js/core/safety.js');
  const refused = async (p) => { try { await p; return false; } catch (e) { return e.code === 'crypto'; } };
  const out = {};
  out.ed25519 = await Promise.all(v.ed25519.vectors.map(async (t) =>
    [x(await c.ed25519Public(h(t.seed))), x(await c.ed25519Sign(h(t.seed), h(t.message)))]));
  // Chromium's WebCrypto is BoringSSL: bt1's rule must give the same verdicts there as in OpenSSL.
  const verdict = async (t) => ((await refused(c.ed25519Verify(h(t.public), h(t.signature), h(t.message))))
    ? 'reject' : 'accept');
  out.ed25519Edges = await Promise.all(v.ed25519.edge_cases.map(verdict));
  out.ed25519SmallOrder = await Promise.all(v.ed25519.small_order_signatures.map(verdict));
  out.x25519 = await Promise.all(v.x25519.vectors.map(async (t) => x(await c.x25519(h(t.seed), h(t.peer_public)))));
  out.lowOrderRefused = await Promise.all(v.x25519.low_order_public.map((p) => refused(c.checkX25519Public(h(p)))));
  out.hpke = await Promise.all(v.hpke.vectors.map(async (t) =>
    x(await c.hpkeSeal(h(t.recipient_public), h(t.info), h(t.plaintext), h(t.ephemeral_seed)))));
  const r = v.records;
  const ctx = { ownerId: h(r.owner_id), recordId: h(r.record_id), keyId: h(r.key_id), dek: h(r.dek),
    signerPub: h(r.sig_pub) };
  out.revisions = [];
  for (const t of r.vectors) {
    const rev = await records.sealRevision({ ...ctx, version: t.version, parent: t.version === 1 ? null : h(t.parent),
      plaintext: h(t.plaintext), sigSeed: h(r.sig_seed), deleted: t.deleted, nonce: h(t.nonce) });
    const [, plain] = await records.openRevision(rev, ctx);
    out.revisions.push([x(rev.header), x(rev.ct), x(rev.signature), x(plain)]);
  }
  const g = v.grants;
  const grant = await records.makeGrant({ sigSeed: h(g.owner.sig_seed), ownerId: h(g.owner.user_id),
    recordId: h(g.record_id), keyId: h(g.key_id), dek: h(g.dek), granteeId: h(g.grantee.user_id),
    granteeKemPub: h(g.grantee.kem_pub), ephemeralSeed: h(g.ephemeral_seed) });
  out.grant = [x(grant.body), x(grant.sealed), x(grant.signature)];
  const t = v.tamper;
  const asCtx = (z) => ({ ownerId: h(z.owner_id), recordId: h(z.record_id), keyId: h(z.key_id), dek: h(z.dek),
    signerPub: h(z.signer_pub) });
  out.tamper = await Promise.all(t.revisions.map(async (z) => (await refused(records.openRevision(
    { header: h(z.header), ct: h(z.ct), signature: h(z.signature) },
    asCtx({ ...t.revision_context, ...z.context })))) ? 'reject' : 'accept'));
  out.tamperGrants = await Promise.all(t.grants.map(async (z) => {
    const k = { ...t.grant_context, ...z.context };
    return (await refused(records.openGrant({ body: h(z.body), sealed: h(z.sealed), signature: h(z.signature) },
      { ownerSigPub: h(k.owner_sig_pub), meId: h(k.me_id), myKemSeed: h(k.my_kem_seed) }))) ? 'reject' : 'accept';
  }));
  const e = v.envelopes;
  const kdf = keys.newKdfParams({ memoryKib: e.passphrase.memory_kib, iterations: e.passphrase.iterations,
    lanes: e.passphrase.lanes }, h(e.passphrase.salt));
  out.pwEnvelope = x(await keys.sealPwEnvelope(h(e.passphrase.kek), h(e.account.user_id), kdf, h(e.account.account_key),
    h(e.pw_envelope.nonce)));
  out.recoveryText = await keys.formatRecoveryKey(h(e.recovery.recovery_key));
  const s = v.safety.ours;
  out.safety = await safety.safetyNumber({ userId: h(s.alice.user_id), sigPub: h(s.alice.sig_pub) },
    { userId: h(s.theo.user_id), sigPub: h(s.theo.sig_pub) });
  return out;
}"""


def test_chromium_webcrypto_reproduces_the_python_vectors(playwright_instance, app_url, tmp_path):
    names = ["ed25519", "x25519", "hpke", "records", "grants", "tamper", "envelopes", "safety"]
    v = {n: json.loads((VECTORS / f"{n}.json").read_text()) for n in names}
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        out = page.evaluate(IN_PAGE, v)
    finally:
        ctx.close()
    assert out["ed25519"] == [[t["public"], t["signature"]] for t in v["ed25519"]["vectors"]]
    assert out["ed25519Edges"] == [t["expect"] for t in v["ed25519"]["edge_cases"]]
    assert out["ed25519SmallOrder"] == ["reject"] * 14
    assert out["x25519"] == [t["shared"] for t in v["x25519"]["vectors"]]
    assert out["lowOrderRefused"] == [True] * len(v["x25519"]["low_order_public"])
    assert out["hpke"] == [t["sealed"] for t in v["hpke"]["vectors"]]
    assert out["revisions"] == [[t["header"], t["ct"], t["signature"], t["plaintext"]] for t in v["records"]["vectors"]]
    assert out["grant"] == [v["grants"]["body"], v["grants"]["sealed"], v["grants"]["signature"]]
    assert out["tamper"] == [t["expect"] for t in v["tamper"]["revisions"]]
    assert out["tamperGrants"] == [t["expect"] for t in v["tamper"]["grants"]]
    assert out["pwEnvelope"] == v["envelopes"]["pw_envelope"]["blob"]
    assert out["recoveryText"] == v["envelopes"]["recovery"]["text"]
    assert out["safety"] == v["safety"]["ours"]["safety_number"]
