// Generated from sync/core/wire.py by `make contract` (tests/contract.py): do not edit by hand.
// tests/test_contract.py fails while this file differs from what the wire types give.

/** Every field name that holds bytes in the wire types (standard base64 on the wire, Uint8Array here). */
export const BYTES_FIELDS = Object.freeze(['auth', 'body', 'challenge', 'challenge_id', 'ct', 'dek_wrap', 'digest',
  'header', 'id_wrap', 'kem_pub', 'key_id', 'login_pub', 'p256dh', 'proof', 'public_key', 'pw_envelope',
  'recovery_login_pub', 'rev_id', 'rk_envelope', 'salt', 'sealed', 'sig_pub', 'signature']);

/** The wire types api.js converts to the app's objects: their fields in order, and which are ids. */
export const SHAPES = Object.freeze({
  KdfParams: { fields: ['alg', 'memory_kib', 'iterations', 'lanes', 'salt'], uuid: [] },
  KeyBundle: { fields: ['user_id', 'handle', 'role', 'sig_pub', 'kem_pub', 'signature'], uuid: ['user_id'] },
});
