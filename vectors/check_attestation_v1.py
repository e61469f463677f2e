#!/usr/bin/env python3
"""Independent check of vectors/attestation-v1.json.

Written from the format description (docs/attestation.md), RFC 8785 and
BIP-340 alone, with the Python standard library only: no code shared with
the Rust implementation. For every case it decides the outcome (valid, or
the failure kind) and compares it with the recorded one; for a valid case it
also recomputes the id.

    python3 vectors/check_attestation_v1.py vectors/attestation-v1.json [vectors/external/bip340/test-vectors.csv]

With the second argument, its BIP-340 verification is first checked against
every row of the official test vectors.

Exit 0 when every case agrees, 1 on a disagreement (each printed as
"DISAGREEMENT: ..."), 2 when the file cannot be read.
"""

import hashlib
import json
import sys

# --- RFC 8785 for objects, arrays, strings, booleans, null, integers -----


class Kind(Exception):
    """A failure kind, as the vectors name it."""


def jcs(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if abs(v) > 2**53:
            raise Kind("number")
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")) or v != int(v) or abs(v) > 2**53:
            raise Kind("number")
        return str(int(v))
    if isinstance(v, str):
        out = ['"']
        for ch in v:
            o = ord(ch)
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch in "\b\f\n\r\t":
                out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
            elif o < 0x20:
                out.append("\\u%04x" % o)
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        # UTF-16 code-unit order = byte order of UTF-16BE.
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(jcs(k) + ":" + jcs(v[k]) for k in keys) + "}"
    raise Kind("json")


def no_duplicates(pairs):
    d = {}
    for k, val in pairs:
        if k in d:
            raise Kind("json")
        d[k] = val
    return d


# --- BIP-340 verification over secp256k1 ---------------------------------

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8


def add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    (x1, y1), (x2, y2) = a, b
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if a == b:
        m = 3 * x1 * x1 * pow(2 * y1, -1, P) % P
    else:
        m = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (m * m - x1 - x2) % P
    return (x3, (m * (x1 - x3) - y1) % P)


def mul(pt, k):
    acc = None
    while k:
        if k & 1:
            acc = add(acc, pt)
        pt = add(pt, pt)
        k >>= 1
    return acc


def lift_x(xb):
    x = int.from_bytes(xb, "big")
    if x >= P:
        return None
    c = (pow(x, 3, P) + 7) % P
    y = pow(c, (P + 1) // 4, P)
    if y * y % P != c:
        return None
    return (x, y if y % 2 == 0 else P - y)


def tagged(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def bip340_verify(pub, msg, sig):
    pt = lift_x(pub)
    r = int.from_bytes(sig[:32], "big")
    s = int.from_bytes(sig[32:], "big")
    if pt is None or r >= P or s >= N:
        return False
    e = int.from_bytes(tagged("BIP0340/challenge", sig[:32] + pub + msg), "big") % N
    R = add(mul((GX, GY), s), mul(pt, N - e))
    return R is not None and R[1] % 2 == 0 and R[0] == r


# --- the attestation -----------------------------------------------------


def is_hex(s, n):
    return isinstance(s, str) and len(s) == n and all(c in "0123456789abcdef" for c in s)


def outcome(text):
    """Returns (kind, id or None)."""
    try:
        doc = json.loads(text, object_pairs_hook=no_duplicates)
        if not isinstance(doc, dict):
            return "json", None
        full = jcs(doc)
        if "signature" not in doc:
            return "missing-signature", None
        sig = doc.pop("signature")
        if not is_hex(sig, 128):
            return "signature-encoding", None
        body = jcs(doc)
        if doc.get("format") != "por-attestation-v1":
            return "format", None
        # Amounts: base units in decimal digits, without leading zeros.
        def canonical(a):
            return isinstance(a, str) and a.isdigit() and (a == "0" or not a.startswith("0"))
        for e in doc["reserves"]:
            if not canonical(e["claimed"]):
                return "json", None
        if "format" not in doc["liabilities"]:  # a v1 root: totals in base units
            if not is_hex(doc["liabilities"]["root"], 64):
                return "json", None
            for t in doc["liabilities"]["totals"]:
                if not canonical(t["amount"]):
                    return "json", None
        key = doc["exchange"]["public_key"]
        if not is_hex(key, 64) or lift_x(bytes.fromhex(key)) is None:
            return "public-key", None
        chains = {c["chain"] for c in doc["chains"]}
        if any(e["chain"] not in chains for e in doc["reserves"]):
            return "inconsistent", None
    except Kind as k:
        return str(k), None
    except (ValueError, KeyError, TypeError):
        return "json", None
    digest = hashlib.sha256(body.encode()).digest()
    ok = bip340_verify(bytes.fromhex(key), digest, bytes.fromhex(sig))
    if not ok:
        return "bad-signature", None
    return "valid", hashlib.sha256(full.encode()).hexdigest()


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    bad = 0
    if len(sys.argv) == 3:
        import csv

        try:
            rows = list(csv.reader(open(sys.argv[2], newline="")))[1:]
        except OSError as e:
            print(f"cannot read {sys.argv[2]}: {e}", file=sys.stderr)
            return 2
        for row in rows:
            got = bip340_verify(bytes.fromhex(row[2]), bytes.fromhex(row[4]), bytes.fromhex(row[5]))
            if got != (row[6] == "TRUE"):
                print(f"DISAGREEMENT: BIP-340 vector {row[0]}: expected {row[6]}, got {got}")
                bad += 1
        print(f"{len(rows)} BIP-340 vectors checked")
    try:
        vectors = json.load(open(sys.argv[1], encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"cannot read {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    for case in vectors["cases"]:
        kind, ident = outcome(case["document"])
        if kind != case["expected"]:
            print(f"DISAGREEMENT: case {case['name']}: expected {case['expected']}, got {kind}")
            bad += 1
        elif kind == "valid" and case.get("id") != ident:
            print(f"DISAGREEMENT: case {case['name']}: id {case.get('id')}, recomputed {ident}")
            bad += 1
    print(f"{len(vectors['cases'])} cases, {bad} disagreement(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
