// One checker per Python-made vector file of tests/vectors/: each checks every case and returns how many it checked.
import assert from 'node:assert/strict';
import { argon2id as hashWasmArgon2id } from 'hash-wasm';
import { concat, fromHex, toHex, utf8, uuidString } from '../js/core/bytes.js';
import * as att from '../js/core/attachments.js';
import * as c from '../js/core/crypto.js';
import * as keys from '../js/core/keys.js';
import * as layout from '../js/core/layout.js';
import * as records from '../js/core/records.js';
import * as safety from '../js/core/safety.js';
import * as trust from '../js/core/trust.js';
import { CryptoError, ProtocolError } from '../js/core/errors.js';

const h = fromHex;
const eqHex = (actual, expected, what) => assert.equal(toHex(actual), expected, what);

/** The browser's Argon2id (hash-wasm, here without the Worker) over the same normalisation the app uses. */
export async function argon2id(passphrase, memoryKib, iterations, lanes, salt) {
  return hashWasmArgon2id({ password: c.normalizePassphrase(passphrase), salt, parallelism: lanes, iterations,
    memorySize: memoryKib, hashLength: 32, outputType: 'binary' });
}

const rejects = (promise, ErrorType, what) => assert.rejects(promise, ErrorType, what);

/** An attachment's data in attachments.json: `hex`, or `pattern` repeated to `size`. */
export function attachmentData(spec) {
  if (spec.hex !== undefined) return h(spec.hex);
  const pattern = h(spec.pattern);
  return Uint8Array.from({ length: spec.size }, (_, i) => pattern[i % pattern.length]);
}

/** The sealed chunks of a blob, as views. @param {Uint8Array} blob */
export function attachmentChunks(blob) {
  const chunks = [];
  for (let i = att.HEADER_LEN; i < blob.length; i += att.SEALED_CHUNK) chunks.push(blob.subarray(i, i + att.SEALED_CHUNK));
  return chunks;
}

/** A wire bundle (as in trust.json) in keys.js form. */
const bundleOf = (w) => trust.bundleFromDocument(w);

export const CHECKERS = {
  'trust.json': async (v) => {
    let n = 0;
    const named = Object.fromEntries(Object.entries(v.keys).map(([k, w]) => [k, bundleOf(w)]));
    const nameOf = (b) => (b ? Object.keys(named).find((k) => trust.sameKeys(named[k], b)) : null);
    const s = v.invite_secret;
    eqHex(await trust.inviteSecret(h(s.account_key), h(s.invite_id)), s.secret, 'invite secret');
    const p = v.invite_proof;
    const client = bundleOf(p.client_bundle);
    await keys.verifyBundle(client);
    eqHex(await trust.bundleDigest(client), p.bundle_digest, 'bundle digest');
    eqHex(await trust.inviteProof(h(p.secret), h(p.invite_id), h(p.therapist_id), client), p.proof, 'proof');
    const link = { invite_id: uuidString(h(p.invite_id)), proof: h(p.proof),
      therapist: { user_id: uuidString(h(p.therapist_id)) } };
    assert.equal(await trust.checkInviteProof(h(s.account_key), link, client), 'valid');
    assert.equal(await trust.checkInviteProof(h(s.account_key), { ...link, proof: new Uint8Array(32) }, client), 'invalid');
    assert.equal(await trust.checkInviteProof(h(s.account_key), { ...link, proof: null }, client), 'none');
    // One invitation vouches for one person: an invite id already used for someone else proves nothing.
    assert.equal(await trust.checkInviteProof(h(s.account_key), link, client,
      new Map([[link.invite_id, p.used_by_another]])), 'invalid');
    assert.equal(await trust.checkInviteProof(h(s.account_key), link, client,
      new Map([[link.invite_id, uuidString(client.userId)]])), 'valid');
    n += 3;
    const l = v.invite_links;
    assert.equal(await safety.inviteUrl(l.origin, l.token, named[l.bundle], h(l.secret)), l.url);
    for (const c of l.equivalent) {
      assert.deepEqual(safety.parseInviteUrl(c.url), { origin: l.origin, token: l.token, fingerprint: l.fingerprint,
        handle: l.handle, secret: h(l.secret) }, c.name);
      n++;
    }
    for (const c of l.invalid) {
      assert.throws(() => safety.parseInviteUrl(c.url), ProtocolError, c.name);
      n++;
    }
    for (const c of v.origins) {
      if (c.origin === null) assert.throws(() => safety.normaliseOrigin(c.input), ProtocolError, c.input);
      else assert.equal(safety.normaliseOrigin(c.input), c.origin, c.input);
      n++;
    }
    const d = v.verification_document;
    const read = trust.readVerification(d.document);
    assert.deepEqual([nameOf(read.bundle), read.how, read.createdAt, read.invite], [d.reads_as.key, d.reads_as.how,
      d.reads_as.created_at, d.reads_as.invite]);
    assert.deepEqual(trust.verificationDocument(read.bundle, read.how, read.createdAt, d.document.device, read.invite),
      d.document);
    for (const c of d.ignored) {
      assert.equal(trust.readVerification(c.document), null, c.name);
      n++;
    }
    const verifications = (c) => c.verifications.map((x) => ({ bundle: named[x.key], how: x.how,
      createdAt: x.created_at }));
    for (const c of v.judge) {
      for (const order of [verifications(c), verifications(c).reverse()]) {
        const got = trust.judge(named[c.served] ?? null, named[c.pinned] ?? null, c.pinned_how, order, c.proof);
        assert.deepEqual({ pin: nameOf(got.pin), how: got.how, state: got.state, changed: nameOf(got.changed),
          record: got.record, forget: got.forget }, c.expected, c.name);
      }
      n++;
    }
    for (const c of v.verified_at) {
      const vs = c.existing.map((at) => ({ bundle: named.K1, how: 'invite-link', createdAt: at }));
      assert.equal(trust.verifiedAt(vs, c.now), c.expected);
      n++;
    }
    return n;
  },

  'labels.json': async (v) => {
    const table = Object.fromEntries(Object.entries(layout.LABELS).map(([k, b]) => [k, new TextDecoder().decode(b)]));
    assert.deepEqual(table, v.labels);
    const k = v.constants;
    assert.equal(new TextDecoder().decode(layout.HEADER_MAGIC), k.header_magic);
    assert.deepEqual([layout.HEADER_VERSION, layout.SUITE_AES256GCM, layout.FLAG_DELETED, layout.HEADER_LEN,
      layout.KDF_ARGON2ID, layout.KDF_PARAMS_LEN, layout.ROLE_CLIENT, layout.ROLE_THERAPIST, layout.GRANT_BODY_LEN,
      c.PAD_BLOCK, c.PAD_SMALL_LIMIT, safety.ITERATIONS],
    [k.header_version, k.suite_aes256gcm, k.flag_deleted, k.header_len, k.kdf_argon2id, k.kdf_params_len,
      k.role_client, k.role_therapist, k.grant_body_len, k.pad_block, k.pad_small_limit, k.safety_iterations]);
    assert.deepEqual({ memory_kib: layout.KDF_DEFAULT.memoryKib, iterations: layout.KDF_DEFAULT.iterations,
      lanes: layout.KDF_DEFAULT.lanes }, k.kdf_default);
    assert.deepEqual({ memory_kib: layout.KDF_FLOOR_MEMORY_KIB, iterations: layout.KDF_FLOOR_ITERATIONS, lanes: 1 },
      k.kdf_floor);
    eqHex(layout.HPKE_SUITE_ID, k.hpke_suite_id);
    return Object.keys(v.labels).length;
  },

  'hkdf.json': async (v) => {
    for (const t of v.vectors) {
      eqHex(await c.hkdf(h(v.ikm), t.label, h(t.context), t.length), t.okm, t.label);
      eqHex(concat(layout.LABELS[t.label], h(t.context)), t.info, t.label);
    }
    return v.vectors.length;
  },

  'aead.json': async (v) => {
    for (const t of v.vectors) {
      eqHex(await c.aeadSeal(h(t.key), h(t.plaintext), h(t.aad), h(t.nonce)), t.blob, t.name);
      eqHex(await c.aeadOpen(h(t.key), h(t.blob), h(t.aad)), t.plaintext, t.name);
      const bad = h(t.blob);
      bad[bad.length - 1] ^= 1;
      await rejects(c.aeadOpen(h(t.key), bad, h(t.aad)), CryptoError, t.name);
    }
    return v.vectors.length;
  },

  'ed25519.json': async (v) => {
    for (const t of v.vectors) {
      eqHex(await c.ed25519Public(h(t.seed)), t.public, t.name);
      eqHex(await c.ed25519Sign(h(t.seed), h(t.message)), t.signature, t.name);
      await c.ed25519Verify(h(t.public), h(t.signature), h(t.message));
      await rejects(c.ed25519Verify(h(t.public), h(t.signature), utf8('other')), CryptoError, t.name);
    }
    // Each verifies in WebCrypto alone: only bt1's small-order rule refuses them.
    assert.deepEqual(v.small_order_signatures.map((s) => s.public), v.small_order_public);
    for (const s of v.small_order_signatures) {
      await rejects(c.ed25519Verify(h(s.public), h(s.signature), h(s.message)), CryptoError, s.public);
    }
    for (const t of v.edge_cases) {
      const verifying = c.ed25519Verify(h(t.public), h(t.signature), h(t.message));
      if (t.expect === 'accept') await verifying;
      else await rejects(verifying, CryptoError, t.name);
      // The encoding rules are checked by bt1's own code, whatever WebCrypto would say.
      assert.equal(c.ed25519Strict(h(t.public), h(t.signature)), t.refused_by !== 'encoding', t.name);
    }
    return v.vectors.length + v.small_order_signatures.length + v.edge_cases.length;
  },

  'x25519.json': async (v) => {
    for (const t of v.vectors) {
      eqHex(await c.x25519Public(h(t.seed)), t.public, t.name);
      eqHex(await c.x25519(h(t.seed), h(t.peer_public)), t.shared, t.name);
    }
    for (const bad of v.low_order_public) await rejects(c.checkX25519Public(h(bad)), CryptoError, bad);
    return v.vectors.length + v.low_order_public.length;
  },

  'hpke.json': async (v) => {
    const a = v.rfc9180_a1;
    const ctx = await c.hpkeSetupSender(h(a.pkRm), h(a.info), h(a.skEm));
    eqHex(ctx.enc, a.enc);
    eqHex(ctx.sharedSecret, a.shared_secret);
    eqHex(ctx.key, a.key);
    eqHex(ctx.baseNonce, a.base_nonce);
    eqHex(await c.gcmEncrypt(ctx.key, ctx.baseNonce, h(a.seq0_plaintext), h(a.seq0_aad)), a.seq0_ciphertext);
    const rx = await c.hpkeSetupReceiver(h(a.skRm), h(a.enc), h(a.info));
    eqHex(rx.key, a.key);
    for (const t of v.vectors) {
      eqHex(await c.x25519Public(h(t.recipient_seed)), t.recipient_public, t.name);
      eqHex(await c.hpkeSeal(h(t.recipient_public), h(t.info), h(t.plaintext), h(t.ephemeral_seed)), t.sealed, t.name);
      eqHex(await c.hpkeOpen(h(t.recipient_seed), h(t.info), h(t.sealed)), t.plaintext, t.name);
      await rejects(c.hpkeOpen(h(t.recipient_seed), utf8('other info'), h(t.sealed)), CryptoError, t.name);
    }
    return 1 + v.vectors.length;
  },

  'padding.json': async (v) => {
    for (const t of v.lengths) assert.equal(c.paddedLength(t.length), t.padded_length, `L=${t.length}`);
    for (const t of v.examples) {
      eqHex(c.pad(h(t.data)), t.padded);
      eqHex(c.unpad(h(t.padded)), t.data);
    }
    for (const t of v.invalid) assert.throws(() => c.unpad(h(t.padded)), CryptoError, t.name);
    return v.lengths.length + v.examples.length + v.invalid.length;
  },

  'argon2id.json': async (v) => {
    for (const t of v.vectors) {
      eqHex(c.normalizePassphrase(t.passphrase), t.normalized_utf8, t.name);
      eqHex(await argon2id(t.passphrase, t.memory_kib, t.iterations, t.lanes, h(t.salt)), t.output, t.name);
    }
    return v.vectors.length;
  },

  'envelopes.json': async (v) => {
    const acct = v.account;
    const p = v.passphrase;
    const kdf = keys.newKdfParams({ memoryKib: p.memory_kib, iterations: p.iterations, lanes: p.lanes }, h(p.salt));
    eqHex(keys.kdfBytes(kdf), p.kdf_params);
    const login = await keys.derivePassphraseKeys(p.passphrase, kdf, argon2id);
    eqHex(login.kek, p.kek);
    eqHex(login.loginSeed, p.login_seed);
    eqHex(login.loginPub, p.login_pub);
    const r = v.recovery;
    const raw = await keys.parseRecoveryKey(r.text);
    eqHex(raw, r.recovery_key);
    const rk = await keys.deriveRecoveryKeys(raw);
    eqHex(rk.kek, r.kek);
    eqHex(rk.loginPub, r.login_pub);
    const ak = h(acct.account_key);
    const uid = h(acct.user_id);
    eqHex(await keys.deriveKwk(ak), v.account_keys.kwk);
    eqHex(await keys.deriveIdwk(ak), v.account_keys.idwk);
    eqHex(await keys.sealPwEnvelope(h(p.kek), uid, kdf, ak, h(v.pw_envelope.nonce)), v.pw_envelope.blob);
    eqHex(await keys.openPwEnvelope(h(p.kek), uid, kdf, h(v.pw_envelope.blob)), acct.account_key);
    eqHex(await keys.sealRkEnvelope(h(r.kek), uid, ak, h(v.rk_envelope.nonce)), v.rk_envelope.blob);
    eqHex(await keys.openRkEnvelope(h(r.kek), uid, h(v.rk_envelope.blob)), acct.account_key);
    const idwk = h(v.account_keys.idwk);
    eqHex(await keys.sealIdWrap(idwk, uid, h(acct.sig_seed), h(acct.kem_seed), h(v.id_wrap.nonce)), v.id_wrap.blob);
    const [sigSeed, kemSeed] = await keys.openIdWrap(idwk, uid, h(v.id_wrap.blob));
    eqHex(sigSeed, acct.sig_seed);
    eqHex(kemSeed, acct.kem_seed);
    const d = v.dek_wrap;
    eqHex(await records.wrapDek(h(d.key), h(d.owner_id), h(d.record_id), h(d.key_id), h(d.plaintext), h(d.nonce)), d.blob);
    eqHex(await records.unwrapDek(h(d.key), h(d.owner_id), h(d.record_id), h(d.key_id), h(d.blob)), d.plaintext);
    // The KDF parameters are bound: a server that lowers them breaks the envelope.
    const weaker = keys.newKdfParams({ memoryKib: p.memory_kib + 1, iterations: p.iterations, lanes: p.lanes }, h(p.salt));
    await rejects(keys.openPwEnvelope(h(p.kek), uid, weaker, h(v.pw_envelope.blob)), CryptoError);
    return 8;
  },

  'recovery_key.json': async (v) => {
    for (const t of v.vectors) {
      assert.equal(await keys.formatRecoveryKey(h(t.raw)), t.text, t.name);
      eqHex(await keys.parseRecoveryKey(t.text), t.raw, t.name);
    }
    for (const t of v.parses_to_fixed) eqHex(await keys.parseRecoveryKey(t.text), t.raw, t.text);
    for (const bad of v.invalid) await rejects(keys.parseRecoveryKey(bad), ProtocolError, bad);
    return v.vectors.length + v.parses_to_fixed.length + v.invalid.length;
  },

  'bundles.json': async (v) => {
    const made = [];
    for (const t of v.vectors) {
      const b = await keys.makeBundle({ userId: h(t.user_id), handle: t.handle, role: t.role, sigSeed: h(t.sig_seed),
        kemSeed: h(t.kem_seed) });
      eqHex(b.sigPub, t.sig_pub);
      eqHex(b.kemPub, t.kem_pub);
      eqHex(layout.bundleBody(b.userId, b.handle, layout.ROLE_CODES[b.role], b.sigPub, b.kemPub), t.body);
      eqHex(b.signature, t.signature);
      await keys.verifyBundle(b);
      await rejects(keys.verifyBundle({ ...b, handle: `${b.handle}x` }), CryptoError);
      assert.equal(await safety.keyFingerprint(b), t.key_fingerprint);
      made.push(b);
    }
    const inv = v.invite;
    const therapist = made.find((b) => b.handle === inv.handle);
    assert.equal(await safety.inviteUrl(inv.origin, inv.token, therapist, h(inv.secret)), inv.url);
    const parsed = safety.parseInviteUrl(inv.url);
    assert.deepEqual(parsed, { origin: inv.origin, token: inv.token, fingerprint: await safety.keyFingerprint(therapist),
      handle: inv.handle, secret: h(inv.secret) });
    await safety.checkKeyFingerprint(therapist, parsed.fingerprint);
    await rejects(safety.checkKeyFingerprint(made.find((b) => b !== therapist), parsed.fingerprint), CryptoError);
    return v.vectors.length + 1;
  },

  'auth.json': async (v) => {
    for (const t of v.vectors) {
      const args = [t.origin, t.handle, h(t.challenge_id), h(t.challenge), t.action, h(t.bound)];
      eqHex(layout.authTranscript(...args), t.transcript, t.action);
      eqHex(await c.ed25519Public(h(t.signer_seed)), t.signer_pub);
      eqHex(await keys.signAuth(h(t.signer_seed), ...args), t.signature, t.action);
      await keys.verifyAuth(h(t.signer_pub), h(t.signature), ...args);
      await rejects(keys.verifyAuth(h(t.signer_pub), h(t.signature), 'https://evil.example', ...args.slice(1)), CryptoError);
      if (t.action === 'change-passphrase') {
        // What the app signs when it changes a passphrase: its new login key and the bound over what is stored.
        const p = h(t.new_kdf_params);
        const view = new DataView(p.buffer, p.byteOffset);
        const kdf = { alg: 'argon2id', memoryKib: view.getUint32(1), iterations: view.getUint32(5), lanes: view.getUint32(9),
          salt: p.slice(13, 29) };
        eqHex(keys.kdfBytes(kdf), t.new_kdf_params, 'kdf bytes');
        const fresh = await keys.derivePassphraseKeys(t.new_passphrase, kdf, argon2id);
        eqHex(fresh.loginPub, t.new_login_pub, 'new login_pub');
        eqHex(await keys.passphraseChangeBound(fresh.loginPub, kdf, h(t.new_pw_envelope)), t.bound, 'bound');
      }
    }
    return v.vectors.length;
  },

  'records.json': async (v) => {
    const ctx = { ownerId: h(v.owner_id), recordId: h(v.record_id), keyId: h(v.key_id), dek: h(v.dek),
      signerPub: h(v.sig_pub) };
    eqHex(await records.keyCommit(ctx.dek, ctx.keyId), v.key_commit);
    eqHex(await c.ed25519Public(h(v.sig_seed)), v.sig_pub);
    let seen = null;
    for (const t of v.vectors) {
      const rev = await records.sealRevision({ ...ctx, version: t.version, parent: t.version === 1 ? null : h(t.parent),
        plaintext: h(t.plaintext), sigSeed: h(v.sig_seed), deleted: t.deleted, nonce: h(t.nonce) });
      eqHex(rev.header, t.header, `v${t.version} header`);
      eqHex(rev.ct, t.ct, `v${t.version} ct`);
      eqHex(rev.signature, t.signature, `v${t.version} signature`);
      assert.equal(rev.ct.length - c.TAG_LEN, t.padded_length);
      eqHex(await records.revId(rev.header, rev.ct), t.rev_id);
      const opened = { header: h(t.header), ct: h(t.ct), signature: h(t.signature) };
      const [header, plaintext] = await records.openRevision(opened, ctx);
      eqHex(plaintext, t.plaintext);
      assert.equal(header.version, t.version);
      assert.equal(Boolean(header.flags & layout.FLAG_DELETED), t.deleted);
      records.checkHighWater(seen, header.version, h(t.rev_id));
      seen = [header.version, h(t.rev_id)];
      if (t.plaintext_text) {
        const doc = records.decodeDocument(h(t.plaintext));
        assert.equal(new TextDecoder().decode(records.encodeDocument(doc)), t.plaintext_text);
      }
    }
    assert.throws(() => records.checkHighWater(seen, 1, h(v.vectors[0].rev_id)), { code: 'rollback' });
    return v.vectors.length;
  },

  'grants.json': async (v) => {
    const g = await records.makeGrant({ sigSeed: h(v.owner.sig_seed), ownerId: h(v.owner.user_id), recordId: h(v.record_id),
      keyId: h(v.key_id), dek: h(v.dek), granteeId: h(v.grantee.user_id), granteeKemPub: h(v.grantee.kem_pub),
      ephemeralSeed: h(v.ephemeral_seed) });
    eqHex(g.body, v.body);
    eqHex(g.sealed, v.sealed);
    eqHex(g.signature, v.signature);
    const [body, dek] = await records.openGrant({ body: h(v.body), sealed: h(v.sealed), signature: h(v.signature) },
      { ownerSigPub: h(v.owner.sig_pub), meId: h(v.grantee.user_id), myKemSeed: h(v.grantee.kem_seed) });
    eqHex(dek, v.dek);
    eqHex(body.recordId, v.record_id);
    return 1;
  },

  'safety.json': async (v) => {
    const s = v.libsignal;
    const a = await safety.displayableHalf(h(s.alice_key), utf8(s.alice_id), s.iterations);
    const b = await safety.displayableHalf(h(s.bob_key), utf8(s.bob_id), s.iterations);
    assert.equal(safety.combineHalves(a, b), s.safety_number);
    const o = v.ours;
    const alice = { userId: h(o.alice.user_id), sigPub: h(o.alice.sig_pub) };
    const theo = { userId: h(o.theo.user_id), sigPub: h(o.theo.sig_pub) };
    assert.equal(await safety.displayableHalf(h(o.alice.key), alice.userId), o.alice.half);
    assert.equal(await safety.safetyNumber(alice, theo), o.safety_number);
    assert.equal(await safety.safetyNumber(theo, alice), o.safety_number);
    assert.equal(safety.formatSafetyNumber(o.safety_number), o.formatted);
    return 2;
  },

  'attachments.json': async (v) => {
    const k = v.constants;
    assert.deepEqual([new TextDecoder().decode(layout.LABELS.att), new TextDecoder().decode(att.MAGIC), att.VERSION,
      att.CHUNK_SHIFT, att.HEADER_LEN, att.MAX_ATTACHMENT_BYTES, att.MAX_BLOB_BYTES],
    [k.label, k.magic, k.version, k.chunk_shift, k.header_len, k.max_attachment_bytes, k.max_blob_bytes]);
    for (const t of v.lengths) {
      assert.deepEqual([c.paddedLength(t.size), att.chunkCount(t.size), att.blobLength(t.size)],
        [t.padded_length, t.chunks, t.blob_length], `size ${t.size}`);
    }
    const blobs = {};
    for (const t of v.vectors) {
      const data = attachmentData(t.data);
      const blob = await att.sealBlob(h(t.key), t.attachment_id, data, { prefix: h(t.prefix) });
      // The same bytes a chunk at a time, from a Blob (as the app reads a recording).
      const pieces = [];
      for await (const piece of att.sealChunks(h(t.key), t.attachment_id, new Blob([data]), { prefix: h(t.prefix) })) {
        pieces.push(piece);
      }
      assert.deepEqual(concat(...pieces), blob, t.name);
      assert.equal(blob.length, t.blob_length, t.name);
      eqHex(blob.subarray(0, att.HEADER_LEN), t.header, t.name);
      assert.deepEqual(attachmentChunks(blob).map((x) => toHex(x.subarray(x.length - 16))), t.tags, t.name);
      eqHex(await att.digest(blob), t.digest, t.name);
      if (t.blob) eqHex(blob, t.blob, t.name);
      assert.deepEqual(await att.openBlob(h(t.key), t.attachment_id, blob, t.size, h(t.digest)), data, t.name);
      blobs[t.name] = blob;
    }
    for (const t of v.reject) {
      let blob = concat(h(t.header), ...t.chunks.map((x) => attachmentChunks(blobs[x.from])[x.index]));
      if (t.flip !== null) blob[t.flip] ^= 1;
      blob = blob.subarray(0, blob.length - t.cut);
      await rejects(att.openBlob(h(t.key), t.attachment_id, blob, t.size, h(t.digest)), CryptoError, t.name);
    }
    const one = v.vectors[0];
    const { item, blob } = await att.newAttachment(attachmentData(one.data), 'audio/webm', { durationMs: 5000,
      key: h(one.key), attachmentId: one.attachment_id, prefix: h(one.prefix) });
    assert.deepEqual(item, v.item);
    eqHex(blob, one.blob);
    assert.deepEqual(await att.openItem(item, blob), attachmentData(one.data));
    return v.vectors.length + v.reject.length + 1;
  },

  'tamper.json': async (v) => {
    const asCtx = (x) => ({ ownerId: h(x.owner_id), recordId: h(x.record_id), keyId: h(x.key_id), dek: h(x.dek),
      signerPub: h(x.signer_pub) });
    for (const t of v.revisions) {
      const opening = records.openRevision({ header: h(t.header), ct: h(t.ct), signature: h(t.signature) },
        asCtx({ ...v.revision_context, ...t.context }));
      if (t.expect === 'accept') await opening;
      else await rejects(opening, CryptoError, t.name);
    }
    for (const t of v.grants) {
      const x = { ...v.grant_context, ...t.context };
      const opening = records.openGrant({ body: h(t.body), sealed: h(t.sealed), signature: h(t.signature) },
        { ownerSigPub: h(x.owner_sig_pub), meId: h(x.me_id), myKemSeed: h(x.my_kem_seed) });
      if (t.expect === 'accept') await opening;
      else await rejects(opening, CryptoError, t.name);
    }
    return v.revisions.length + v.grants.length;
  },
};
