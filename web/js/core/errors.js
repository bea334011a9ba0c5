/** Domain errors of the protocol core, mirroring sync/core/errors.py: a stable code, a detail without secrets. */

export class BetweenError extends Error {
  /** @param {string} [code] @param {string} [detail] */
  constructor(code, detail) {
    super();
    this.code = code ?? this.constructor.defaultCode;
    this.message = detail || this.code;
    this.name = this.constructor.name;
  }

  static defaultCode = 'error';
}

/** Malformed or out-of-spec bytes. */
export class ProtocolError extends BetweenError {
  static defaultCode = 'protocol';
}

/** A ciphertext, signature or key failed to verify; deliberately says nothing about why. */
export class CryptoError extends BetweenError {
  static defaultCode = 'crypto';

  /** @param {string} [detail] */
  constructor(detail) {
    super(undefined, detail);
  }
}

/** Parameters offered by a server fall below the floor the client enforces. */
export class DowngradeError extends BetweenError {
  static defaultCode = 'kdf_below_floor';

  /** @param {string} [detail] */
  constructor(detail) {
    super(undefined, detail);
  }
}

/** A server served an older or forked head of a record this device has seen newer. */
export class RollbackError extends BetweenError {
  static defaultCode = 'rollback';

  /** @param {string} [detail] */
  constructor(detail) {
    super(undefined, detail);
  }
}
