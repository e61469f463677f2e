#!/usr/bin/env python3
"""Writes vectors/distribution-v1.json with vectors/distribution_v1.py (the
independent Python implementation of docs/distribution.md).

    python3 vectors/gen_distribution_v1.py [OUT]     (default vectors/distribution-v1.json)
    python3 vectors/gen_distribution_v1.py --check   (exit 1 if the file is stale)

Every expected value is computed here, never typed in: the cases only choose
inputs. The edges: zero balances, one customer, nothing available, more
available than owed, ties broken by leaf order, amounts near 2^128, holdback,
de-minimis, the JPY top-up (fractional prices), padding at several levels.
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distribution_v1 as d  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "distribution-v1.json")
M = (1 << 128) - 1

ALLOCATIONS = [
    ("empty", [], 5),
    ("one-customer-short", [7], 3),
    ("one-customer-more-than-owed", [7], 10),
    ("nothing-available", [4, 6, 0], 0),
    ("zero-claims", [0, 0, 0], 9),
    ("exactly-owed", [1, 2, 3], 6),
    ("more-than-owed", [1, 2, 3], 100),
    ("exact-halves", [10, 20, 30], 30),
    ("tie-three-equal-two-units", [1, 1, 1], 2),
    ("tie-seven-equal-three-units", [5] * 7, 3),
    ("tie-after-floors", [3, 3, 2, 2], 5),
    ("largest-remainder-beats-order", [1, 2], 2),
    ("one-unit-many-customers", [1] * 10, 1),
    ("zero-claim-among-others", [0, 5, 0, 5], 3),
    ("near-2^128-halves", [M // 2, M // 2 + 1], M - 1),
    ("near-2^128-three", [M // 3, M // 3, M - 2 * (M // 3)], M // 2),
    ("near-2^128-one-unit-short", [M - 1, 1], M - 1),
    ("near-2^128-tiny-claim", [1, M - 1], 12345),
    ("near-2^128-all-but-one", [M], M - 1),
    ("wide-products", [10 ** 30, 3 * 10 ** 30, 7 * 10 ** 29], 10 ** 30 + 7),
    ("primes", [101, 103, 107, 109, 113], 331),
]

SECRET = "07" * 32


def rows(n, k, f):
    return [{"user_id": f"customer-{i:03}", "balances": [str(f(i, j)) for j in range(k)]} for i in range(n)]


def case(secret=SECRET, assets=(("BTC", 8),), rows_=None, available=("0",), holdback=(), de_minimis=None, top_up=None):
    return {
        "secret": secret,
        "assets": [{"symbol": s, "decimals": dd} for s, dd in assets],
        "rows": rows_,
        "available": list(available),
        "holdback": list(holdback),
        "de_minimis": de_minimis or {},
        "top_up": top_up,
    }


PLANS = [
    ("basic-two-assets", case(assets=(("BTC", 8), ("ETH", 18)),
                              rows_=rows(5, 2, lambda i, j: (i + 1) * 10 ** (8 + 10 * j) // 7 + j),
                              available=(str(9 * 10 ** 8 // 7), str(10 ** 18)))),
    ("one-customer", case(rows_=[{"user_id": "alice", "balances": ["100000000"]}], available=("25000000",))),
    ("zero-balances-and-nothing-available", case(
        assets=(("BTC", 8), ("USDT", 6)),
        rows_=[{"user_id": "z1", "balances": ["0", "0"]}, {"user_id": "z2", "balances": ["0", "5000000"]},
               {"user_id": "z3", "balances": ["300", "0"]}],
        available=("0", "4999999"))),
    ("more-available-than-owed", case(rows_=rows(3, 1, lambda i, j: i * 1000), available=("999999",))),
    ("ties-by-leaf-order", case(rows_=rows(6, 1, lambda i, j: 1), available=("4",))),
    ("near-2^128", case(
        assets=(("A", 0), ("B", 38), ("C", 18)),
        rows_=[{"user_id": "big-1", "balances": [str(M // 2), str(M - 5), "0"]},
               {"user_id": "big-2", "balances": [str(M // 2 + 1), "5", str(M)]}],
        available=(str(M - 1), str(M - 7), str(M - 1)))),
    ("holdback-and-de-minimis", case(
        assets=(("BTC", 8), ("ETH", 18)),
        rows_=rows(9, 2, lambda i, j: (i * 37 + j * 11) % 13 * 10 ** 6 + i),
        available=("50000000", "70000000"),
        holdback=("customer-002", "customer-007"),
        de_minimis={"BTC": "3000000", "ETH": "1000000"})),
    ("top-up-fractional-prices", case(
        assets=(("BTC", 8), ("ETH", 18), ("SHIB", 18)),
        rows_=rows(7, 3, lambda i, j: [(i + 1) * 12345678, (i + 2) * 10 ** 17 + 3, (7 - i) * 10 ** 22][j]),
        available=("200000000", "900000000000000000", str(10 ** 22 * 20)),
        holdback=("customer-004",),
        de_minimis={"ETH": "100000000000000000"},
        top_up={"pool_jpy": "5000000",
                "prices": {"BTC": "15234567.5", "ETH": "498765.25", "SHIB": "0.0023456789"}})),
    ("top-up-covers-all", case(
        rows_=rows(3, 1, lambda i, j: (i + 1) * 10 ** 8), available=("100000000",),
        top_up={"pool_jpy": "999999999999", "prices": {"BTC": "15000000"}})),
    ("seventeen-customers-padding", case(
        assets=(("BTC", 8), ("ETH", 18)),
        rows_=rows(17, 2, lambda i, j: (i * 7919 + j * 104729) % 1000 * 10 ** (3 + 9 * j)),
        available=("123457", "98765432109876"))),
    ("unicode-ids", case(
        rows_=[{"user_id": u, "balances": [str(b)]} for u, b in
               [("山田太郎", 3), ("émile", 3), ("e\u0301mile-2", 3), ("a,b\"c", 3), ("🦀", 1)]],
        available=("7",))),
]


def statement_body(name, c, exp, key_hex):
    """A statement body for a plan case, as `por distribution sign` makes one."""
    assets = []
    for j, a in enumerate(c["assets"]):
        assets.append({"symbol": a["symbol"], "decimals": a["decimals"],
                       "de_minimis": c["de_minimis"].get(a["symbol"], "0"), "totals": exp["totals"][j]})
    top = None
    price_source = None
    if c["top_up"] is not None:
        top = {"price_date": "2026-11-21",
               "prices": [{"asset": a["symbol"],
                           "jpy": d.price_text(d.parse_price(c["top_up"]["prices"][a["symbol"]]))}
                          for a in c["assets"]],
               "totals": exp["totals"][len(c["assets"])]}
        price_source = "vectors: fixed prices"
    return {
        "format": "por-distribution-v1",
        "administrator_key": key_hex,
        "attestation": {"id": "ab" * 32, "exchange": "example-exchange", "snapshot": "2026-11-21",
                        "liabilities_root": exp["liabilities_root"]},
        "distribution": {"root": exp["distribution_root"]["hash"], "height": exp["distribution_root"]["height"],
                         "customers": len(exp["leaf_order"])},
        "assets": assets,
        "top_up": top,
        "price_source": price_source,
        "policy": {"name": "distribution-pro-rata", "sha256": "cd" * 32},
        "available_source": f"vectors case {name}",
    }


def tampered_proofs(name, proof, body):
    """(name, proof, expected kind) variants of one valid proof."""
    out = [(f"{name}/valid", proof, "valid")]

    def v(label, f, kind):
        p = copy.deepcopy(proof)
        f(p)
        out.append((f"{name}/{label}", p, kind))

    v("paid-raised", lambda p: p["values"].__setitem__(1, str(int(p["values"][1]) + 1)), "root-hash-mismatch")
    v("claim-lowered", lambda p: p["values"].__setitem__(0, str(max(int(p["values"][0]) - 1, 0)) if int(p["values"][0]) else "1"),
      "root-hash-mismatch")
    v("user-id-changed", lambda p: p.__setitem__("user_id", p["user_id"] + "x"), "root-hash-mismatch")
    if proof["path"]:
        v("sibling-hash", lambda p: p["path"][0].__setitem__("hash", ("00" if p["path"][0]["hash"][:2] != "00" else "11") + p["path"][0]["hash"][2:]),
          "root-hash-mismatch")
        v("path-too-short", lambda p: p["path"].pop(), "path-length")
        v("index-out-of-range", lambda p: p.__setitem__("index", 1 << len(p["path"])), "index-out-of-range")
        nonzero = [j for j, x in enumerate(proof["values"]) if int(x)]
        if nonzero:
            v("sibling-sum-overflow", lambda p: p["path"][0]["sums"].__setitem__(nonzero[0], str(M)),
              "sum-overflow")
    v("top-up-flag-flipped", lambda p: p.__setitem__("top_up", not p["top_up"]), "malformed")
    v("asset-dropped-with-its-values", lambda p: (p["assets"].pop(), [x.__setitem__("sums", x["sums"][:-4]) for x in p["path"]],
                                                  p["root"].__setitem__("sums", p["root"]["sums"][:-4]),
                                                  p.__setitem__("values", p["values"][:-4])) if len(p["assets"]) > 1 else None,
      "columns-mismatch" if len(proof["assets"]) > 1 else "valid")
    v("asset-renamed", lambda p: p["assets"][0].__setitem__("symbol", "XXX"), "columns-mismatch")
    return out


def document():
    allocations = [{"name": n, "claims": [str(c) for c in cl], "available": str(a),
                    "expected": [str(x) for x in d.pro_rata(cl, a)]} for n, cl, a in ALLOCATIONS]
    plans = []
    proof_checks = []
    statements = []
    sk = bytes.fromhex("0b" * 32)
    key_hex = d.public_key(sk).hex()
    aux = bytes(32)
    for name, c in PLANS:
        exp = d.run_case(c)
        plans.append({"name": name, "input": c, "expected": exp})
        body = statement_body(name, c, exp, key_hex)
        for pname, p, kind in tampered_proofs(name, exp["proofs"][0], body):
            proof_checks.append({"name": pname, "statement": body, "proof": p, "expected": kind})
        # the statement's totals not those of the tree: the sums differ
        wrong = copy.deepcopy(body)
        t = wrong["assets"][0]["totals"]
        if int(t["paid"]) > 0:
            t["paid"] = str(int(t["paid"]) - 1)
            t["retained"] = str(int(t["retained"]) + 1)
            proof_checks.append({"name": f"{name}/statement-totals-moved", "statement": wrong,
                                 "proof": exp["proofs"][0], "expected": "root-sum-mismatch"})
        doc = d.sign_statement(body, sk, aux)
        statements.append({"name": f"{name}/signed", "secret_key": sk.hex(), "aux_rand": aux.hex(),
                           "body": body, "document": doc, "expected": "valid"})
    # Statement failures, on the first case's document.
    base = statements[0]["document"]
    bad = copy.deepcopy(base)
    bad["assets"][0]["totals"]["available"] = str(int(bad["assets"][0]["totals"]["available"]) + 1)
    bad["assets"][0]["totals"]["kept_by_estate"] = str(int(bad["assets"][0]["totals"]["kept_by_estate"]))
    statements.append({"name": "changed-after-signing/available", "document": bad,
                       "expected": d.statement_verdict(bad)})
    bad = copy.deepcopy(base)
    bad["distribution"]["root"] = "00" * 32
    statements.append({"name": "changed-after-signing/root", "document": bad, "expected": "bad-signature"})
    bad = copy.deepcopy(base)
    del bad["signature"]
    statements.append({"name": "unsigned", "document": bad, "expected": "missing-signature"})
    bad = copy.deepcopy(statements[0]["body"])
    t = bad["assets"][0]["totals"]
    t["paid"] = str(int(t["paid"]) + 1)
    bad = d.sign_statement(bad, sk, aux)
    statements.append({"name": "signed-but-totals-inconsistent", "document": bad, "expected": "inconsistent"})
    for s in statements:
        assert d.statement_verdict(s["document"]) == s["expected"], s["name"]
    return {
        "format": "por-distribution-vectors-v1",
        "description": "docs/distribution.md; generated by vectors/gen_distribution_v1.py with vectors/distribution_v1.py",
        "allocations": allocations,
        "plans": plans,
        "proof_checks": proof_checks,
        "statements": statements,
    }


def text():
    return json.dumps(document(), indent=1, ensure_ascii=False) + "\n"


def main():
    args = sys.argv[1:]
    if args == ["--check"]:
        with open(DEFAULT_OUT, encoding="utf-8") as f:
            if f.read() != text():
                sys.exit("vectors/distribution-v1.json differs from what vectors/gen_distribution_v1.py writes;"
                         " regenerate it with: python3 vectors/gen_distribution_v1.py")
        return
    out = args[0] if args else DEFAULT_OUT
    with open(out, "w", encoding="utf-8") as f:
        f.write(text())
    doc = document()
    print(f"wrote {out}: {len(doc['allocations'])} allocations, {len(doc['plans'])} plans, "
          f"{len(doc['proof_checks'])} proof checks, {len(doc['statements'])} statements")


if __name__ == "__main__":
    main()
