"""Ed25519 edge cases for tests/vectors/ed25519.json: signatures that verifiers disagree on unless a rule decides.

Building them needs curve arithmetic that no library exposes (a public key with a small-order component, a
non-canonical point encoding, S >= L), so this module carries a small, slow, textbook implementation of the
Edwards curve (RFC 8032 section 5.1, extended coordinates). It is used only to write vectors; the clients never
run it. Every case names the rule of docs/PROTOCOL.md section 1 that decides it.
"""

from __future__ import annotations

import hashlib
from typing import Any

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z
IDENTITY: Point = (0, 1, 1, 0)


def add(p: Point, q: Point) -> Point:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def mul(k: int, p: Point) -> Point:
    out = IDENTITY
    while k > 0:
        if k & 1:
            out = add(out, p)
        p = add(p, p)
        k >>= 1
    return out


def neg(p: Point) -> Point:
    x, y, z, t = p
    return (-x % P, y, z, -t % P)


def x_of(y: int, sign: int) -> int | None:
    """The x with the given sign bit for y (y already reduced), or None when y is not on the curve."""
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == (-u) % P:
        x = x * SQRT_M1 % P
    if v * x * x % P != u:
        return None
    if x == 0 and sign:
        return None
    return P - x if x & 1 != sign else x


def decode(raw: bytes, *, strict: bool = False) -> Point | None:
    """The point of a 32-byte encoding. `strict`: refuse y >= p and a set sign bit on x = 0 (RFC 8032 5.1.3).
    Not strict: y is taken mod p and a sign bit on x = 0 is ignored, as OpenSSL's and BoringSSL's decoders do."""
    n = int.from_bytes(raw, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    if y >= P:
        if strict:
            return None
        y -= P
    x = x_of(y, sign)
    if x is None and not strict and x_of(y, 0) == 0:
        x = 0
    if x is None:
        return None
    return x, y, 1, x * y % P


def encode(p: Point) -> bytes:
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def equal(p: Point, q: Point) -> bool:
    return encode(p) == encode(q)


BASE = decode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))
assert BASE is not None


def challenge(r: bytes, a: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + a + message).digest(), "little") % L


def secret(seed: bytes) -> tuple[int, bytes]:
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return a, h[32:]


def verify(public: bytes, signature: bytes, message: bytes, *, cofactored: bool) -> bool:
    """A permissive reference verifier (S < L only), cofactorless or cofactored, for labelling the cases."""
    a_point, r_point = decode(public), decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a_point is None or r_point is None or s >= L:
        return False
    k = challenge(signature[:32], public, message)
    left, right = mul(s, BASE), add(r_point, mul(k, a_point))
    if cofactored:
        return equal(mul(8, left), mul(8, right))
    return encode(add(left, neg(mul(k, a_point)))) == signature[:32]  # encode(SB - kA) == R, byte for byte


def _small_order_points() -> list[Point]:
    # The eight points of order dividing 8: the identity, (0, -1), the two with y = 0, four with x*y != 0.
    seen: dict[bytes, Point] = {}
    for start in range(2, 40):
        point = decode(start.to_bytes(32, "little"))
        if point is None:
            continue
        t = mul(L, point)  # removes the prime-order part, leaving a torsion point
        for i in range(8):
            seen.setdefault(encode(mul(i, t)), mul(i, t))
        if len(seen) == 8:
            break
    return list(seen.values())


SMALL_ORDER = _small_order_points()
ORDER_8 = next(p for p in SMALL_ORDER if not equal(mul(4, p), IDENTITY))


def _small(encoding: bytes) -> bool:
    point = decode(encoding)
    return point is not None and equal(mul(8, point), IDENTITY)


def _fixed(name: str, n: int = 32) -> bytes:
    return hashlib.sha256(b"bt1 vector/ed25519/edge/" + name.encode()).digest()[:n]


def _sign(a: int, prefix: bytes, public: bytes, message: bytes, *, r_extra: Point = IDENTITY) -> bytes:
    r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
    r_enc = encode(add(mul(r, BASE), r_extra))
    s = (r + challenge(r_enc, public, message) * a) % L
    return r_enc + s.to_bytes(32, "little")


def _message_where(test, name: str) -> bytes:
    for i in range(1000):
        message = f"{name} #{i}".encode()
        if test(message):
            return message
    raise AssertionError(f"no message found for {name}")


def edge_cases() -> list[dict[str, Any]]:
    """Each case: public, message, signature, expect ("accept"/"reject") under bt1's rule, and why."""
    seed = _fixed("seed")
    a, prefix = secret(seed)
    public = encode(mul(a, BASE))
    cases: list[dict[str, Any]] = []

    def case(name: str, rule: str, pub: bytes, message: bytes, signature: bytes, expect: str) -> None:
        s_ok = int.from_bytes(signature[32:], "little") < L
        encodings_ok = s_ok and all(decode(x, strict=True) is not None and not _small(x) for x in (pub, signature[:32]))
        cofactorless = verify(pub, signature, message, cofactored=False) if s_ok else None
        assert (expect == "accept") == (encodings_ok and bool(cofactorless)), name
        cases.append(
            {
                "name": name,
                "rule": rule,
                "public": pub.hex(),
                "message": message.hex(),
                "signature": signature.hex(),
                "expect": expect,
                "refused_by": None if expect == "accept" else "encoding" if not encodings_ok else "equation",
                "cofactorless_equation": cofactorless,
                "cofactored_equation": verify(pub, signature, message, cofactored=True) if s_ok else None,
            }
        )

    message = b"bt1 edge: a valid signature"
    good = _sign(a, prefix, public, message)
    case("valid", "baseline: an ordinary signature", public, message, good, "accept")
    s = int.from_bytes(good[32:], "little")
    case(
        "s_plus_l",
        "S must be below L: S + L names the same scalar but is refused (malleability)",
        public,
        message,
        good[:32] + (s + L).to_bytes(32, "little"),
        "reject",
    )
    case(
        "s_high_bits",
        "S must be below L: S + 14L sets the top bits of the last byte",
        public,
        message,
        good[:32] + (s + 14 * L).to_bytes(32, "little"),
        "reject",
    )

    # R an encoding of the identity: S = k*a makes SB - kA the identity. Only the canonical encoding is accepted.
    for name, r_enc, expect, rule in (
        (
            "r_small_order",
            encode(IDENTITY),
            "reject",
            "R must not be a small-order point: here the identity, canonically encoded, with S = k*a",
        ),
        (
            "r_noncanonical_y",
            (P + 1).to_bytes(32, "little"),
            "reject",
            "R must be canonical: y = p + 1 encodes the identity with y >= p",
        ),
        (
            "r_noncanonical_sign",
            (1 | 1 << 255).to_bytes(32, "little"),
            "reject",
            "R must be canonical: the identity (x = 0) with the sign bit set",
        ),
    ):
        msg = f"bt1 edge: {name}".encode()
        sig = r_enc + (challenge(r_enc, public, msg) * a % L).to_bytes(32, "little")
        case(name, rule, public, msg, sig, expect)

    # R with a small-order component: only a cofactored verifier accepts it.
    msg = b"bt1 edge: mixed-order R"
    case(
        "r_mixed_order",
        "cofactorless: [S]B = R + [k]A exactly; R = rB + T8 passes only the cofactored equation",
        public,
        msg,
        _sign(a, prefix, public, msg, r_extra=ORDER_8),
        "reject",
    )

    # A with a small-order component (A = aB + T8): SB - kA = R - kT8, so the outcome depends on k mod 8.
    mixed = encode(add(mul(a, BASE), ORDER_8))
    fails = _message_where(
        lambda m: challenge(_sign(a, prefix, mixed, m)[:32], mixed, m) % 8 != 0,
        "bt1 edge: mixed-order A, k not a multiple of 8",
    )
    case(
        "a_mixed_order_cofactored_only",
        "cofactorless: a key with a small-order component and k mod 8 != 0 passes only the cofactored equation",
        mixed,
        fails,
        _sign(a, prefix, mixed, fails),
        "reject",
    )
    passes = _message_where(
        lambda m: challenge(_sign(a, prefix, mixed, m)[:32], mixed, m) % 8 == 0,
        "bt1 edge: mixed-order A, k a multiple of 8",
    )
    case(
        "a_mixed_order_both",
        "a key with a small-order component is not refused by itself: with k mod 8 = 0 both equations hold",
        mixed,
        passes,
        _sign(a, prefix, mixed, passes),
        "accept",
    )

    # A non-canonical A that is not small-order: the smallest y >= p on the curve. Nobody knows its discrete log,
    # so no signature can verify; the encoding rule refuses it before any arithmetic.
    y = next(y for y in range(2, 19) if x_of(y, 0) is not None)
    odd = (y + P).to_bytes(32, "little")
    case("a_noncanonical_y", f"A must be canonical: y = p + {y} (a point of large order)", odd, message, good, "reject")
    return cases


def small_order_signatures(small_order_public: list[bytes]) -> list[dict[str, str]]:
    """For every small-order key encoding, a (message, signature) that a verifier without the small-order rule
    accepts: S = 0 and R = encode(-kA), found by trying messages until k mod 8 makes R match."""
    out = []
    for public in small_order_public:
        point = decode(public)
        assert point is not None

        def fits(m: bytes, public: bytes = public, point: Point = point) -> bool:
            return any(encode(neg(mul(challenge(r, public, m), point))) == r for r in map(encode, SMALL_ORDER))

        m = _message_where(fits, f"bt1 edge: small-order key {public.hex()}")
        r = next(r for r in map(encode, SMALL_ORDER) if encode(neg(mul(challenge(r, public, m), point))) == r)
        sig = r + bytes(32)
        assert verify(public, sig, m, cofactored=False)
        out.append({"public": public.hex(), "message": m.hex(), "signature": sig.hex()})
    return out
