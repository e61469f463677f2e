#!/usr/bin/env python3
"""Independent check of the por liabilities tree, format v2.

Written from docs/tree-v2.md, not from the Rust code. ristretto255 comes
from libsodium (Debian's libsodium23) through ctypes: element derivation
(crypto_core_ristretto255_from_hash), scalar multiplication and addition,
compared as canonical 32-byte encodings (libsodium always writes canonical
encodings; every encoding read from the vector file is also checked to be
the canonical one by re-encoding it).

Usage:
    python3 vectors/por_tree_v2.py check [vectors/tree-v2.json]

For every tree of the vector file it rebuilds, from the secret and the
customers alone: salts, ids, positions, proof units (smallest power of ten
whose rounded-up column sum fits 64 bits), leaf and padding commitments,
every node hash, the root hash, the totals and the root blinding factors,
and compares them with the published root. For every proof (valid and
invalid) it recomputes the leaf opening, the path, the root hash and the
root opening, and runs the checks of docs/tree-v2.md in order.

Range proofs are NOT checked here (no Bulletproofs in this script): a case
whose expected failure is `range-proof-invalid` must pass every other check
here, which shows that only the range proof stops it; the Rust test
crates/por-tree/tests/tree_v2_vectors.rs checks the range proofs.
"""

import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import sys

L = 2**252 + 27742317777372353535851937790883648493


def load_sodium():
    name = ctypes.util.find_library("sodium") or "libsodium.so.23"
    lib = ctypes.CDLL(name)
    if lib.sodium_init() < 0:
        raise SystemExit("libsodium failed to initialise")
    return lib


SODIUM = load_sodium()


def from_hash(h64):
    out = ctypes.create_string_buffer(32)
    SODIUM.crypto_core_ristretto255_from_hash(out, h64)
    return out.raw


def is_valid(p):
    return SODIUM.crypto_core_ristretto255_is_valid_point(p) == 1


IDENTITY = bytes(32)


def add(p, q):
    if p == IDENTITY:
        return q
    if q == IDENTITY:
        return p
    out = ctypes.create_string_buffer(32)
    if SODIUM.crypto_core_ristretto255_add(out, p, q) != 0:
        raise ValueError("not a point")
    return out.raw


def mul(n, p):
    n %= L
    if n == 0 or p == IDENTITY:
        return IDENTITY
    out = ctypes.create_string_buffer(32)
    rc = SODIUM.crypto_scalarmult_ristretto255(out, n.to_bytes(32, "little"), p)
    if rc != 0:
        # -1 with an all-zero output is the identity; anything else is an error
        if out.raw == IDENTITY:
            return IDENTITY
        raise ValueError("scalar multiplication failed")
    return out.raw


def canonical(p):
    """A point read from a file: valid and canonical (re-encodes to itself)."""
    if p == IDENTITY:
        return True
    if not is_valid(p):
        return False
    return add(p, IDENTITY) == p and mul(1, p) == p


G = from_hash(hashlib.sha512(b"por/v2/generator/G").digest())
H = from_hash(hashlib.sha512(b"por/v2/generator/H").digest())


def com(x, r):
    return add(mul(x, G), mul(r, H))


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def hmac256(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def hmac512(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha512).digest()


class Secret:
    def __init__(self, s):
        self.s = s
        self.pad_key = hmac256(s, b"por/v2/pad")

    def salt(self, uid):
        return hmac256(self.s, b"por/v2/salt\x00", uid.encode())

    def pos(self, id_, c, h):
        x = int.from_bytes(hmac256(self.s, b"por/v2/position\x00", id_, c.to_bytes(4, "big"))[:8], "big")
        return x if h == 64 else x >> (64 - h)

    def r(self, l, p, i):
        w = hmac512(self.s, b"por/v2/blinding\x00", bytes([l]), p.to_bytes(8, "big"), i.to_bytes(2, "big"))
        return int.from_bytes(w, "little") % L

    def pad_hash(self, l, p):
        return sha256(b"\x42", self.pad_key, bytes([l]), p.to_bytes(8, "big"))


def leaf_id(salt, uid):
    return sha256(b"\x10", salt, uid.encode())


def leaf_hash(id_, cs):
    return sha256(b"\x40", id_, *cs)


def node_hash(lh, lc, rh, rc):
    return sha256(b"\x41", lh, *lc, rh, *rc)


def root_hash(assets, h, top_hash, top_c):
    parts = [b"\x43", bytes([2, h, len(assets)])]
    for a in assets:
        sym = a["symbol"].encode()
        parts += [bytes([len(sym)]), sym, bytes([a["decimals"], a["unit_exponent"]])]
    parts += [top_hash] + list(top_c)
    return sha256(*parts)


def ceil_div(a, b):
    return -(-a // b)


def units(balance, e):
    return ceil_div(balance, 10**e)


def build(tree):
    """Rebuilds a tree from secret and customers; returns the published root."""
    sec = Secret(bytes.fromhex(tree["secret"]))
    h = tree["height"]
    specs = [a.split(":") for a in tree["assets"].split(",")]
    k = len(specs)
    rows = [(c["user_id"], [int(b) for b in c["balances"]]) for c in tree["customers"]]
    exps = []
    for i in range(k):
        e = 0
        while sum(units(b[i], e) for _, b in rows) > 2**64 - 1:
            e += 1
        exps.append(e)
    assets = [{"symbol": s, "decimals": int(d), "unit_exponent": e} for (s, d), e in zip(specs, exps)]
    keyed = []
    for uid, b in rows:
        salt = sec.salt(uid)
        keyed.append((leaf_id(salt, uid), uid, b))
    keyed.sort()
    taken = {}
    for id_, uid, b in keyed:
        c = 0
        while sec.pos(id_, c, h) in taken:
            c += 1
        taken[sec.pos(id_, c, h)] = (id_, uid, [units(x, e) for x, e in zip(b, exps)])
    positions = sorted(taken)
    blind_sum = [0] * k

    def occupied(l, p):
        lo, hi = p << l, (p + 1) << l
        return any(lo <= q < hi for q in positions)

    def node(l, p):
        """(hash, commitments) of the existing node at (l, p)."""
        if l == 0:
            id_, _, xs = taken[p]
            cs = []
            for i, x in enumerate(xs):
                r = sec.r(0, p, i)
                blind_sum[i] = (blind_sum[i] + r) % L
                cs.append(com(x, r))
            return leaf_hash(id_, cs), cs
        kids = []
        for c in (2 * p, 2 * p + 1):
            if occupied(l - 1, c):
                kids.append(node(l - 1, c))
            else:
                cs = []
                for i in range(k):
                    r = sec.r(l - 1, c, i)
                    blind_sum[i] = (blind_sum[i] + r) % L
                    cs.append(mul(r, H))
                kids.append((sec.pad_hash(l - 1, c), cs))
        (lh, lc), (rh, rc) = kids
        return node_hash(lh, lc, rh, rc), [add(a, b) for a, b in zip(lc, rc)]

    top_h, top_c = node(h, 0)
    totals = [sum(xs[i] for _, _, xs in taken.values()) for i in range(k)]
    for i in range(k):
        if com(totals[i], blind_sum[i]) != top_c[i]:
            raise AssertionError("root does not open to the rebuilt totals")
    return {
        "format": "por-root-v2",
        "hash": root_hash(assets, h, top_h, top_c).hex(),
        "height": h,
        "assets": assets,
        "totals": [str(t) for t in totals],
        "blindings": [b.to_bytes(32, "little").hex() for b in blind_sum],
    }


def scalar(hexstr):
    b = bytes.fromhex(hexstr)
    n = int.from_bytes(b, "little")
    if len(b) != 32 or n >= L:
        raise ValueError("not a canonical scalar")
    return n


def verify(proof, root):
    """The checks of docs/tree-v2.md "Verification" except the range proofs.
    Returns None when all pass, else the failure name."""
    assets = proof["assets"]
    k = len(assets)
    h = proof["height"]
    raw = base64.b64decode(proof["path"], validate=True)
    if base64.b64encode(raw).decode() != proof["path"]:
        raise ValueError("path: not canonical base64")
    entry = 32 * (k + 1)
    if len(raw) % entry != 0:
        raise ValueError("path length")
    path = [raw[i:i + entry] for i in range(0, len(raw), entry)]
    if len(path) != h:
        return "path-length"
    p = proof["position"]
    if h < 64 and p >= 2**h:
        return "position-out-of-range"
    xs = [units(int(b), a["unit_exponent"]) for b, a in zip(proof["balances"], assets)]
    if any(x >= 2**64 for x in xs):
        return "balance-out-of-range"
    cs = [com(x, scalar(r)) for x, r in zip(xs, proof["blindings"])]
    node = leaf_hash(leaf_id(bytes.fromhex(proof["salt"]), proof["user_id"]), cs)
    for l, e in enumerate(path):
        sh = e[:32]
        sc = [e[32 * (j + 1): 32 * (j + 2)] for j in range(k)]
        if not all(canonical(c) for c in sc):
            raise ValueError("non-canonical commitment")
        if (p >> l) & 1 == 0:
            node = node_hash(node, cs, sh, sc)
        else:
            node = node_hash(sh, sc, node, cs)
        cs = [add(a, b) for a, b in zip(cs, sc)]
    # One aggregated range proof over the k*h sibling commitments padded to
    # the next power of two m = 2^b: (2*(6 + b) + 9)*32 bytes. Only its
    # length is checked here (a proof of another length is one for another
    # number of parties, which the Rust verifier rejects as
    # range-proof-invalid, its last check); the proof itself is checked by
    # the Rust side only.
    b = max(0, (k * h - 1).bit_length())
    rp = base64.b64decode(proof["range_proof"], validate=True)
    if base64.b64encode(rp).decode() != proof["range_proof"]:
        raise ValueError("range_proof: not canonical base64")
    rp_length_ok = len(rp) == (2 * (6 + b) + 9) * 32
    if root_hash(assets, h, node, cs).hex() != root["hash"]:
        return "root-hash-mismatch"
    if root["height"] != h:
        return "height-mismatch"
    if root["assets"] != assets:
        return "asset-mismatch"
    for i in range(k):
        if com(int(root["totals"][i]), scalar(root["blindings"][i])) != cs[i]:
            return "root-opening-mismatch"
    if not rp_length_ok:
        return "range-proof-invalid"
    return None


def check(path):
    v = json.load(open(path, encoding="utf-8"))
    failures = 0
    if v["generators"]["G"] != G.hex() or v["generators"]["H"] != H.hex():
        print("FAIL generators differ")
        failures += 1
    roots = []
    for t in v["trees"]:
        root = build(t)
        if root != t["root"]:
            print(f"FAIL tree {t['name']}: rebuilt root {json.dumps(root)} differs")
            failures += 1
        roots.append(root)
    for c in v["valid"]:
        proof = c["proof"]
        got = verify(proof, roots[c["tree"]])
        claimed = dict(roots[c["tree"]], hash=proof["root"]["hash"], totals=proof["root"]["totals"],
                       blindings=proof["root"]["blindings"])
        if got is not None or verify(proof, claimed) is not None:
            print(f"FAIL valid {c['name']}: {got}")
            failures += 1
    for c in v["invalid"]:
        got = verify(c["proof"], c["root"])
        want = c["expected"]
        if want == "range-proof-invalid":
            ok = got is None  # every check but the range proof passes
        else:
            ok = got == want
        if not ok:
            print(f"FAIL invalid {c['name']}: expected {want}, got {got}")
            failures += 1
    n = len(v["trees"]) + len(v["valid"]) + len(v["invalid"])
    print(f"tree-v2 (Python, no range proofs): {n - failures} passed, {failures} failed")
    return failures


def main():
    if len(sys.argv) < 2 or sys.argv[1] != "check":
        print(__doc__)
        return 2
    path = sys.argv[2] if len(sys.argv) > 2 else "vectors/tree-v2.json"
    return 1 if check(path) else 0


if __name__ == "__main__":
    sys.exit(main())
