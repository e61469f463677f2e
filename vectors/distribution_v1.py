#!/usr/bin/env python3
"""The administrator's distribution, format v1, in Python's standard library.

Written from docs/distribution.md and docs/tree-v1.md, sharing no code with
the Rust implementation (crates/por-distribute): the allocation rule on
Python's unbounded integers, the liabilities tree (for the leaf order and the
attested root), the distribution tree and its proofs, and the signed
statement (RFC 8785 canonical JSON, BIP-340).

    python3 vectors/distribution_v1.py check vectors/distribution-v1.json

recomputes every expected value and verdict in the vectors file and exits 1
on the first difference.
"""

import hashlib
import hmac
import json
import sys
import unicodedata

U128 = (1 << 128) - 1
PRICE_SCALE = 18


# ---------------------------------------------------------------- allocation

def pro_rata(claims, available):
    """docs/distribution.md, 'Allocation rule (one column)'."""
    total = sum(claims)
    if total > U128:
        raise ValueError("claims-overflow")
    if available >= total:
        return list(claims)
    floors = [c * available // total for c in claims]
    rems = [c * available % total for c in claims]
    left = available - sum(floors)
    order = sorted(range(len(claims)), key=lambda i: (-rems[i], i))
    out = list(floors)
    for i in order[:left]:
        out[i] += 1
    assert sum(out) == available
    return out


def split(claim, alloc, held, de_minimis):
    """(claim, paid, held, retained)."""
    if held:
        return (claim, 0, alloc, 0)
    if alloc < de_minimis:
        return (claim, 0, 0, alloc)
    return (claim, alloc, 0, 0)


def parse_price(s):
    """Yen per whole unit as a decimal string -> yen x 10^18 (exact)."""
    if not s or s.count(".") > 1 or not all(c.isdigit() or c == "." for c in s):
        raise ValueError("price")
    whole, _, frac = s.partition(".")
    if not whole or ("." in s and not frac) or len(frac) > PRICE_SCALE:
        raise ValueError("price")
    v = int(whole) * 10 ** PRICE_SCALE + int((frac or "0").ljust(PRICE_SCALE, "0"))
    if v > U128:
        raise ValueError("price")
    return v


def price_text(scaled):
    whole, frac = divmod(scaled, 10 ** PRICE_SCALE)
    frac = str(frac).rjust(PRICE_SCALE, "0").rstrip("0")
    return f"{whole}.{frac}" if frac else str(whole)


def value_jpy(quantity, price_scaled, decimals):
    v = quantity * price_scaled // 10 ** (decimals + PRICE_SCALE)
    if v > U128:
        raise ValueError("value-overflow")
    return v


def plan(assets, claims, available, held, de_minimis, top_up):
    """claims: one list of k claims per customer, in leaf order.
    Returns (values per leaf: flat 4 x columns, totals per column)."""
    k = len(assets)
    n = len(claims)
    columns = k + (1 if top_up else 0)
    values = [[] for _ in range(n)]
    totals = []
    top_claims = [0] * n
    for j in range(k):
        col = [claims[i][j] for i in range(n)]
        alloc = pro_rata(col, available[j])
        for i in range(n):
            values[i].extend(split(col[i], alloc[i], held[i], de_minimis[j]))
            if top_up:
                top_claims[i] += value_jpy(col[i] - alloc[i], top_up["prices"][j], assets[j][1])
                if top_claims[i] > U128:
                    raise ValueError("value-overflow")
        totals.append(column_totals(values, j, available[j]))
    if top_up:
        alloc = pro_rata(top_claims, top_up["pool_jpy"])
        for i in range(n):
            values[i].extend(split(top_claims[i], alloc[i], held[i], 0))
        totals.append(column_totals(values, k, top_up["pool_jpy"]))
    assert all(len(v) == 4 * columns for v in values)
    return values, totals


def column_totals(values, j, available):
    s = [sum(v[4 * j + x] for v in values) for x in range(4)]
    distributable = min(available, s[0])
    assert s[1] + s[2] + s[3] == distributable
    return {
        "claims": s[0],
        "available": available,
        "paid": s[1],
        "held_back": s[2],
        "retained": s[3],
        "kept_by_estate": available - distributable,
    }


# ---------------------------------------------------------------- trees

def H(b):
    return hashlib.sha256(b).digest()


def be128(x):
    return x.to_bytes(16, "big")


def salt(secret, uid):
    return hmac.new(secret, b"por/v1/salt\x00" + uid.encode(), hashlib.sha256).digest()


def leaf_id(salt_bytes, uid):
    return H(b"\x10" + salt_bytes + uid.encode())


def merkle(leaves, pad, node_prefix):
    """leaves: [(hash, sums)]. Returns levels (list of [(hash, sums)])."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        cur = levels[-1]
        if len(cur) % 2 == 1:
            cur.append((pad(len(levels) - 1, len(cur)), [0] * len(cur[0][1])))
        nxt = []
        for p in range(len(cur) // 2):
            (lh, ls), (rh, rs) = cur[2 * p], cur[2 * p + 1]
            h = H(node_prefix + lh + b"".join(map(be128, ls)) + rh + b"".join(map(be128, rs)))
            sums = [a + b for a, b in zip(ls, rs)]
            assert all(s <= U128 for s in sums)
            nxt.append((h, sums))
        levels.append(nxt)
    return levels


def liabilities(secret, rows):
    """rows: [(user_id, [balances])] in export order. Returns
    (root hash, root sums, height, customers in leaf order as
    (uid, salt, balances))."""
    for i, (u, _) in enumerate(rows):
        for v, _ in rows[:i]:
            if unicodedata.normalize("NFC", u) == unicodedata.normalize("NFC", v):
                raise ValueError("duplicate")
    custs = []
    for uid, bal in rows:
        s = salt(secret, uid)
        custs.append((leaf_id(s, uid), uid, s, bal))
    custs.sort(key=lambda c: c[0])
    pad_key = hmac.new(secret, b"por/v1/pad", hashlib.sha256).digest()
    pad = lambda l, p: H(b"\x02" + pad_key + bytes([l]) + p.to_bytes(8, "big"))
    leaves = [(H(b"\x00" + c[0] + b"".join(map(be128, c[3]))), list(c[3])) for c in custs]
    levels = merkle(leaves, pad, b"\x01")
    root = levels[-1][0]
    return root[0], root[1], len(levels) - 1, [(c[1], c[2], c[3]) for c in custs]


def dpad_key(secret):
    return hmac.new(secret, b"por/distribution/v1/pad", hashlib.sha256).digest()


def distribution_tree(secret, leaf_customers, values):
    key = dpad_key(secret)
    pad = lambda l, p: H(b"\x22" + key + bytes([l]) + p.to_bytes(8, "big"))
    leaves = []
    for (uid, s, _), v in zip(leaf_customers, values):
        leaves.append((H(b"\x20" + leaf_id(s, uid) + b"".join(map(be128, v))), list(v)))
    return merkle(leaves, pad, b"\x21")


def strs(xs):
    return [str(x) for x in xs]


def make_proof(levels, leaf_customers, assets, top_up, index):
    uid, s, _ = leaf_customers[index]
    path = []
    i = index
    for level in levels[:-1]:
        h, sums = level[i ^ 1]
        path.append({"hash": h.hex(), "sums": strs(sums)})
        i >>= 1
    root = levels[-1][0]
    return {
        "format": "por-distribution-proof-v1",
        "assets": [{"symbol": a, "decimals": d} for a, d in assets],
        "top_up": bool(top_up),
        "user_id": uid,
        "salt": s.hex(),
        "index": index,
        "values": strs(levels[0][index][1]),
        "path": path,
        "root": {"hash": root[0].hex(), "sums": strs(root[1]), "height": len(levels) - 1},
    }


def verify_proof(proof, root_hash, root_sums, height, assets, top_up):
    """The failure kind of checking `proof` against a statement's root, or
    None when it verifies (docs/distribution.md, 'Checking a proof')."""
    pw = 4 * (len(proof["assets"]) + (1 if proof["top_up"] else 0))
    if len(proof["values"]) != pw or len(proof["root"]["sums"]) != pw \
            or any(len(s["sums"]) != pw for s in proof["path"]):
        return "malformed"
    if [(a["symbol"], a["decimals"]) for a in proof["assets"]] != [tuple(a) for a in assets] \
            or proof["top_up"] != bool(top_up):
        return "columns-mismatch"
    w = 4 * (len(assets) + (1 if top_up else 0))
    if len(root_sums) != w:
        return "asset-mismatch"
    if len(proof["path"]) != height:
        return "path-length"
    index = proof["index"]
    if height < 64 and index >> height:
        return "index-out-of-range"
    vals = [int(x) for x in proof["values"]]
    node = H(b"\x20" + leaf_id(bytes.fromhex(proof["salt"]), proof["user_id"]) + b"".join(map(be128, vals)))
    sums = vals
    for level, step in enumerate(proof["path"]):
        ss = [int(x) for x in step["sums"]]
        if len(ss) != w:
            return "asset-mismatch"
        sh = bytes.fromhex(step["hash"])
        if (index >> level) & 1 == 0:
            node = H(b"\x21" + node + b"".join(map(be128, sums)) + sh + b"".join(map(be128, ss)))
        else:
            node = H(b"\x21" + sh + b"".join(map(be128, ss)) + node + b"".join(map(be128, sums)))
        sums = [a + b for a, b in zip(sums, ss)]
        if any(s > U128 for s in sums):
            return "sum-overflow"
    if node.hex() != root_hash:
        return "root-hash-mismatch"
    if sums != list(root_sums):
        return "root-sum-mismatch"
    return None


# ---------------------------------------------------------------- statement

def jcs(v):
    """RFC 8785 for the values a statement holds (no floats)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        assert abs(v) < 2 ** 53
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def ec_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def ec_mul(pt, k):
    r = None
    while k:
        if k & 1:
            r = ec_add(r, pt)
        pt = ec_add(pt, pt)
        k >>= 1
    return r


def tagged(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def xb(pt):
    return pt[0].to_bytes(32, "big")


def lift_x(b):
    x = int.from_bytes(b, "big")
    if x >= P:
        return None
    y2 = (pow(x, 3, P) + 7) % P
    y = pow(y2, (P + 1) // 4, P)
    if y * y % P != y2:
        return None
    return (x, y if y % 2 == 0 else P - y)


def bip340_sign(sk, msg, aux):
    d0 = int.from_bytes(sk, "big")
    assert 0 < d0 < N
    pk = ec_mul(G, d0)
    d = d0 if pk[1] % 2 == 0 else N - d0
    t = (d ^ int.from_bytes(tagged("BIP0340/aux", aux), "big")).to_bytes(32, "big")
    k0 = int.from_bytes(tagged("BIP0340/nonce", t + xb(pk) + msg), "big") % N
    r = ec_mul(G, k0)
    k = k0 if r[1] % 2 == 0 else N - k0
    e = int.from_bytes(tagged("BIP0340/challenge", xb(r) + xb(pk) + msg), "big") % N
    return xb(r) + ((k + e * d) % N).to_bytes(32, "big")


def bip340_verify(pub, msg, sig):
    pk = lift_x(pub)
    if pk is None or len(sig) != 64:
        return False
    r = int.from_bytes(sig[:32], "big")
    s = int.from_bytes(sig[32:], "big")
    if r >= P or s >= N:
        return False
    e = int.from_bytes(tagged("BIP0340/challenge", sig[:32] + pub + msg), "big") % N
    R = ec_add(ec_mul(G, s), ec_mul(pk, N - e))
    return R is not None and R[1] % 2 == 0 and R[0] == r


def public_key(sk):
    return xb(ec_mul(G, int.from_bytes(sk, "big")))


def sign_statement(body, sk, aux):
    digest = hashlib.sha256(jcs(body).encode()).digest()
    doc = dict(body)
    doc["signature"] = bip340_sign(sk, digest, aux).hex()
    return doc


def statement_verdict(doc):
    """'valid', or why not: 'missing-signature', 'bad-signature', 'inconsistent'."""
    if "signature" not in doc:
        return "missing-signature"
    body = {k: v for k, v in doc.items() if k != "signature"}
    lines = [a["totals"] for a in body["assets"]] + ([body["top_up"]["totals"]] if body["top_up"] else [])
    for t in lines:
        t = {k: int(v) for k, v in t.items()}
        d = min(t["available"], t["claims"])
        if t["paid"] + t["held_back"] + t["retained"] != d or t["kept_by_estate"] != t["available"] - d:
            return "inconsistent"
    digest = hashlib.sha256(jcs(body).encode()).digest()
    ok = bip340_verify(bytes.fromhex(body["administrator_key"]), digest, bytes.fromhex(doc["signature"]))
    return "valid" if ok else "bad-signature"


def root_of_statement(body):
    lines = [a["totals"] for a in body["assets"]] + ([body["top_up"]["totals"]] if body["top_up"] else [])
    sums = []
    for t in lines:
        sums += [int(t["claims"]), int(t["paid"]), int(t["held_back"]), int(t["retained"])]
    return body["distribution"]["root"], sums, body["distribution"]["height"]


# ---------------------------------------------------------------- a case

def run_case(case):
    """Everything a plan case expects, recomputed from its inputs."""
    secret = bytes.fromhex(case["secret"])
    assets = [(a["symbol"], a["decimals"]) for a in case["assets"]]
    rows = [(r["user_id"], [int(x) for x in r["balances"]]) for r in case["rows"]]
    lroot, lsums, lheight, custs = liabilities(secret, rows)
    ids = [c[0] for c in custs]
    for h in case["holdback"]:
        if h not in ids:
            raise ValueError("holdback-unknown")
    held = [c[0] in case["holdback"] for c in custs]
    sym = [a for a, _ in assets]
    de_minimis = [int(case["de_minimis"].get(s, "0")) for s in sym]
    top = None
    if case["top_up"] is not None:
        top = {"pool_jpy": int(case["top_up"]["pool_jpy"]),
               "prices": [parse_price(case["top_up"]["prices"][s]) for s in sym]}
    avail = [int(x) for x in case["available"]]
    values, totals = plan(assets, [c[2] for c in custs], avail, held, de_minimis, top)
    levels = distribution_tree(secret, custs, values)
    root = levels[-1][0]
    return {
        "liabilities_root": lroot.hex(),
        "leaf_order": ids,
        "values": [strs(v) for v in values],
        "totals": [{k: str(v) for k, v in t.items()} for t in totals],
        "dpad_key": dpad_key(secret).hex(),
        "leaf_hashes": [levels[0][i][0].hex() for i in range(len(custs))],
        "distribution_root": {"hash": root[0].hex(), "sums": strs(root[1]), "height": len(levels) - 1},
        "proofs": [make_proof(levels, custs, assets, top, i) for i in range(len(custs))],
    }


def check(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    n = 0
    for c in doc["allocations"]:
        got = pro_rata([int(x) for x in c["claims"]], int(c["available"]))
        if strs(got) != c["expected"]:
            sys.exit(f"allocation {c['name']}: expected {c['expected']}, computed {strs(got)}")
        n += 1
    for c in doc["plans"]:
        got = run_case(c["input"])
        for key, want in c["expected"].items():
            if got[key] != want:
                sys.exit(f"plan {c['name']}: {key} differs")
        n += 1
    for c in doc["proof_checks"]:
        st = c["statement"]
        rh, rs, h = root_of_statement(st)
        assets = [(a["symbol"], a["decimals"]) for a in st["assets"]]
        got = verify_proof(c["proof"], rh, rs, h, assets, st["top_up"] is not None)
        if (got or "valid") != c["expected"]:
            sys.exit(f"proof check {c['name']}: expected {c['expected']}, computed {got or 'valid'}")
        n += 1
    for c in doc["statements"]:
        got = statement_verdict(c["document"])
        if got != c["expected"]:
            sys.exit(f"statement {c['name']}: expected {c['expected']}, computed {got}")
        if "body" in c:
            resigned = sign_statement(c["body"], bytes.fromhex(c["secret_key"]), bytes.fromhex(c["aux_rand"]))
            if resigned != c["document"]:
                sys.exit(f"statement {c['name']}: signing the body does not give the document")
        n += 1
    print(f"{path}: {n} cases agree with the Python implementation")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
