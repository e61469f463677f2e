#!/usr/bin/env python3
"""Generates vectors/tree-v1.json with the independent Python implementation.

    python3 vectors/gen_tree_v1.py [vectors/tree-v1.json]

Deterministic: secrets and balances derive from fixed labels, so running it
again gives the same bytes. Every invalid variant declares the failure kind
its tampering must produce; the generator stops if por_tree_v1.py disagrees,
so the file never records a verdict nobody intended. The Rust core is then
held to the file by crates/por-tree/tests/tree_vectors.rs.
"""

import copy
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import por_tree_v1 as v1  # noqa: E402

U128_MAX = v1.U128_MAX

BTC = {"symbol": "BTC", "decimals": 8}
ETH = {"symbol": "ETH", "decimals": 18}
USDT = {"symbol": "USDT", "decimals": 6}


def secret_of(label):
    return hashlib.sha256(("por tree-v1 vector secret: " + label).encode()).digest()


def det_amount(label, bound):
    """A deterministic pseudo-random integer in [0, bound)."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") % bound


def rows_of(assets, customers):
    """customers: [(user_id, [base units])] -> vector rows."""
    return [
        {
            "user_id": uid,
            "balances": [v1.format_amount(b, a["decimals"]) for a, b in zip(assets, bal)],
            "base_units": [str(b) for b in bal],
        }
        for uid, bal in customers
    ]


# ------------------------------------------------------------ tampering


def flip_hex(h, nibble=63):
    """Flips the lowest bit of one hex digit."""
    c = "%x" % (int(h[nibble], 16) ^ 1)
    return h[:nibble] + c + h[nibble + 1:]


def add_str(s, d):
    return str(int(s) + d)


class Variants:
    """Builds a case's valid proofs and invalid variants, checking each verdict."""

    def __init__(self, case_name, tree, assets):
        self.case_name = case_name
        self.tree = tree
        self.assets = assets
        self.items = []
        rh, rs = tree.root
        self.published = (rh, rs, tree.height)

    def _add(self, name, description, proof, kind, against):
        got = v1.verdict(proof, [(a["symbol"], a["decimals"]) for a in self.assets], self.published, against)
        if got != kind:
            raise SystemExit("generator: %s/%s: intended %r, por_tree_v1.py says %r" % (self.case_name, name, kind, got))
        expect = {"valid": True} if kind is None else {"valid": False, "kind": kind}
        self.items.append({"name": name, "description": description, "against": against, "proof": proof, "expect": expect})

    def valid(self, index, description=None):
        p = self.tree.proof(self.assets, index)
        uid = p["user_id"]
        self._add(
            "valid-%d" % index,
            description or "the proof of leaf %d (%r), exactly as the tree produces it" % (index, uid),
            p,
            None,
            "published",
        )
        return p

    def bad(self, base, name, description, mutate, kind, against="published"):
        p = copy.deepcopy(base)
        mutate(p)
        self._add(name, description, p, kind, against)


def standard_variants(vs, base, k, *, overflow=True):
    """The tampering every proof of height >= 1 must withstand.

    overflow=False for a tree whose totals are 2^128-1: there, tampering
    subtracts a base unit instead of adding one (adding would overflow).
    """
    h = len(base["path"])
    d1 = 1 if overflow else -1
    sign = "+" if overflow else "-"
    top = h - 1
    vs.bad(base, "tampered-balance", "balances[0] %s 1 base unit" % sign,
           lambda p: p["balances"].__setitem__(0, add_str(p["balances"][0], d1)), "root-hash-mismatch")
    vs.bad(base, "tampered-sibling-hash", "one bit of path[%d].hash flipped" % top,
           lambda p: p["path"][top].__setitem__("hash", flip_hex(p["path"][top]["hash"])), "root-hash-mismatch")
    vs.bad(base, "tampered-sibling-sum", "path[0].sums[%d] %s 1 base unit" % (k - 1, sign),
           lambda p: p["path"][0]["sums"].__setitem__(k - 1, add_str(p["path"][0]["sums"][k - 1], d1)),
           "root-hash-mismatch")
    vs.bad(base, "tampered-index", "index with bit 0 flipped: the leaf is hashed on the other side",
           lambda p: p.__setitem__("index", p["index"] ^ 1), "root-hash-mismatch")
    vs.bad(base, "index-out-of-range", "index = 2^height: no such leaf in a tree of this height",
           lambda p: p.__setitem__("index", 1 << h), "index-out-of-range")
    vs.bad(base, "path-too-short", "the last path step removed",
           lambda p: p["path"].pop(), "path-length")
    vs.bad(base, "path-too-long", "path[0] repeated at the end",
           lambda p: p["path"].append(copy.deepcopy(p["path"][0])), "path-length")
    vs.bad(base, "claimed-height-changed",
           "root.height in the file + 1, checked against the file's own root (por verify without --root)",
           lambda p: p["root"].__setitem__("height", h + 1), "path-length", against="claimed")
    vs.bad(base, "claimed-totals-changed",
           "root.sums[0] in the file %s 1, checked against the file's own root: the hash matches, the totals do not"
           % sign,
           lambda p: p["root"]["sums"].__setitem__(0, add_str(p["root"]["sums"][0], d1)),
           "root-sum-mismatch", against="claimed")
    vs.bad(base, "claimed-root-hash-changed",
           "one bit of root.hash in the file flipped, checked against the file's own root",
           lambda p: p["root"].__setitem__("hash", flip_hex(p["root"]["hash"])), "root-hash-mismatch",
           against="claimed")
    vs.bad(base, "tampered-user-id", "user_id with a character appended",
           lambda p: p.__setitem__("user_id", p["user_id"] + "x"), "root-hash-mismatch")
    vs.bad(base, "tampered-salt", "one bit of salt flipped",
           lambda p: p.__setitem__("salt", flip_hex(p["salt"], 0)), "root-hash-mismatch")

    # Value moved between the leaf and its level-0 sibling: every parent sum
    # and the root totals stay the same; only hashing both child sums catches it.
    bal0, sib0 = int(base["balances"][0]), int(base["path"][0]["sums"][0])
    if bal0 > 0:
        d = min(bal0, 1000)

        def move_leaf(p):
            p["balances"][0] = str(bal0 - d)
            p["path"][0]["sums"][0] = str(sib0 + d)

        vs.bad(base, "value-moved-to-sibling",
               "%d base units moved from balances[0] to path[0].sums[0]: parent total unchanged" % d,
               move_leaf, "root-hash-mismatch")
    if h >= 2:
        s0, s1 = int(base["path"][0]["sums"][0]), int(base["path"][1]["sums"][0])
        if s1 > 0:
            d = min(s1, 1000)

            def move_up(p):
                p["path"][0]["sums"][0] = str(s0 + d)
                p["path"][1]["sums"][0] = str(s1 - d)

            vs.bad(base, "value-moved-between-levels",
                   "%d base units moved from path[1].sums[0] to path[0].sums[0]: the level-2 total is unchanged" % d,
                   move_up, "root-hash-mismatch")
    if overflow:
        vs.bad(base, "sibling-sum-overflows", "path[%d].sums[0] = 2^128-1: the parent sum overflows" % top,
               lambda p: p["path"][top]["sums"].__setitem__(0, str(U128_MAX)), "sum-overflow")

    # The asset list is not hashed: a verifier must compare it with the published one.
    vs.bad(base, "asset-decimals-changed", "assets[0].decimals + 1 (the same hashes would read as other amounts)",
           lambda p: p["assets"][0].__setitem__("decimals", p["assets"][0]["decimals"] + 1), "asset-mismatch")
    if k > 1:
        def drop_last_asset(p):
            p["assets"].pop()
            p["balances"].pop()
            for step in p["path"]:
                step["sums"].pop()
            p["root"]["sums"].pop()

        vs.bad(base, "asset-dropped", "the last asset removed from assets, balances and every sum list",
               drop_last_asset, "asset-mismatch")


def malformed_variants(vs, base):
    """Documents that are not well-formed por-proof-v1."""
    def setter(*keys_value):
        *keys, value = keys_value

        def f(p):
            o = p
            for key in keys[:-1]:
                o = o[key]
            o[keys[-1]] = value
        return f

    def delete(key):
        return lambda p: p.pop(key)

    cases = [
        ("malformed-negative-balance", "balances[0] is \"-1\": amounts are unsigned", setter("balances", 0, "-1")),
        ("malformed-plus-sign", "balances[0] has a leading '+'", setter("balances", 0, "+" + base["balances"][0])),
        ("malformed-decimal-point", "balances[0] is \"1.5\": base units are integers", setter("balances", 0, "1.5")),
        ("malformed-exponent", "balances[0] is \"1e3\"", setter("balances", 0, "1e3")),
        ("malformed-balance-number", "balances[0] is a JSON number, not a string", setter("balances", 0, 5)),
        ("malformed-balance-over-u128", "balances[0] is 2^128", setter("balances", 0, str(1 << 128))),
        ("malformed-empty-balance", "balances[0] is \"\"", setter("balances", 0, "")),
        ("malformed-salt-not-hex", "salt has a 'g'", setter("salt", "g" + base["salt"][1:])),
        ("malformed-salt-short", "salt has 62 hex digits", setter("salt", base["salt"][:62])),
        ("malformed-format", "format is por-proof-v2", setter("format", "por-proof-v2")),
        ("malformed-missing-salt", "the salt field is absent", delete("salt")),
        ("malformed-unknown-field", "an extra top-level field", setter("comment", "hello")),
        ("malformed-negative-index", "index is -1", setter("index", -1)),
        ("malformed-index-over-u64", "index is 2^64", setter("index", 1 << 64)),
        ("malformed-height-too-large", "root.height is 65 (indices are u64)", setter("root", "height", 65)),
        ("malformed-empty-user-id", "user_id is empty", setter("user_id", "")),
        ("malformed-sum-count", "balances has one amount more than there are assets",
         lambda p: p["balances"].append("0")),
        ("malformed-no-assets", "assets is empty", setter("assets", [])),
        ("malformed-asset-symbol", "assets[0].symbol has a space", setter("assets", 0, "symbol", "B TC")),
    ]
    if base["path"]:
        cases.append(("malformed-path-hash", "path[0].hash has 66 hex digits",
                      setter("path", 0, "hash", base["path"][0]["hash"] + "00")))
    for name, description, mutate in cases:
        vs.bad(base, name, description, mutate, "malformed")


def malformed_path_variants(vs, base):
    """Malformed path and root entries of a proof with a non-empty path."""
    cases = [
        ("malformed-path-sum-sign", "path[0].sums[0] is \"-5\"",
         lambda p: p["path"][0]["sums"].__setitem__(0, "-5")),
        ("malformed-path-sum-count", "path[1].sums lacks its last amount",
         lambda p: p["path"][1]["sums"].pop()),
        ("malformed-path-step-missing-sums", "path[0] has no sums field",
         lambda p: p["path"][0].pop("sums")),
        ("malformed-path-step-extra-field", "path[0] has an extra field",
         lambda p: p["path"][0].__setitem__("side", "left")),
        ("malformed-path-not-list", "path is an object",
         lambda p: p.__setitem__("path", {})),
        ("malformed-root-hash", "root.hash is 63 hex digits",
         lambda p: p["root"].__setitem__("hash", p["root"]["hash"][:63])),
        ("malformed-root-sum-count", "root.sums has an extra amount",
         lambda p: p["root"]["sums"].append("0")),
        ("malformed-asset-duplicate", "assets[1] repeats assets[0]'s symbol",
         lambda p: p["assets"][1].__setitem__("symbol", p["assets"][0]["symbol"])),
        ("malformed-asset-decimals", "assets[0].decimals is 39 (at most 38)",
         lambda p: p["assets"][0].__setitem__("decimals", 39)),
    ]
    for name, description, mutate in cases:
        vs.bad(base, name, description, mutate, "malformed")


# ------------------------------------------------------------ cases


def make_case(name, description, assets, customers, proofs=None, secret=None):
    """proofs(vs, tree) adds the case's proofs; None for a case without proofs."""
    secret = secret if secret is not None else secret_of(name)
    tree = v1.Tree(secret, len(assets), customers)
    rh, rs = tree.root
    case = {
        "name": name,
        "description": description,
        "secret": secret.hex(),
        "assets": assets,
        "rows": rows_of(assets, customers),
        "expected": {
            "root": rh.hex(),
            "height": tree.height,
            "customers": len(customers),
            "totals": {a["symbol"]: str(s) for a, s in zip(assets, rs)},
            "pad_key": tree.pad_key.hex(),
            "leaves": [
                {"index": i, "user_id": uid, "user_id_utf8": uid.encode("utf-8").hex(), "salt": salt.hex(),
                 "id": idh.hex(), "hash": tree.levels[0][i][0].hex()}
                for i, (idh, uid, salt, _) in enumerate(tree.leaves)
            ],
            "pads": [{"level": lv, "position": pos, "hash": h.hex()} for lv, pos, h in tree.pads],
        },
    }
    # The rows must read back (as a CSV would) to exactly these base units.
    back = v1.ledger_from_rows(assets, case["rows"])
    assert back == [(u, list(b)) for u, b in customers], name
    if proofs is not None:
        vs = Variants(name, tree, assets)
        proofs(vs, tree)
        case["proofs"] = vs.items
    return case


def numbered(prefix, n, assets, label):
    out = []
    for i in range(n):
        uid = "%s-%03d" % (prefix, i + 1)
        out.append((uid, [det_amount("%s/%s/%s" % (label, uid, a["symbol"]), 10 ** (a["decimals"] + 3))
                          for a in assets]))
    return out


def build_cases():
    cases = []

    # 1 customer: height 0, the root is the leaf.
    def p1(vs, tree):
        base = vs.valid(0, "the only customer: empty path, the root is the leaf itself")
        vs.bad(base, "tampered-balance", "balances[0] + 1 base unit",
               lambda p: p["balances"].__setitem__(0, add_str(p["balances"][0], 1)), "root-hash-mismatch")
        vs.bad(base, "index-out-of-range", "index 1 in a tree of height 0", lambda p: p.__setitem__("index", 1),
               "index-out-of-range")
        vs.bad(base, "path-too-long", "one path step where the height is 0",
               lambda p: p["path"].append({"hash": "00" * 32, "sums": ["0"]}), "path-length")
        vs.bad(base, "claimed-totals-changed", "root.sums[0] + 1, checked against the file's own root",
               lambda p: p["root"]["sums"].__setitem__(0, add_str(p["root"]["sums"][0], 1)),
               "root-sum-mismatch", against="claimed")
        malformed_variants(vs, base)

    cases.append(make_case("one-customer", "1 customer, 1 asset: height 0, no padding", [BTC],
                           [("alice", [150_000_000])], p1))

    # 2 customers: one level, no padding.
    def p2(vs, tree):
        for i in range(2):
            vs.valid(i)
        standard_variants(vs, tree.proof(vs.assets, 0), 1)

    cases.append(make_case("two-customers", "2 customers, 1 asset: height 1, no padding", [BTC],
                           [("alice", [50_000_000]), ("bob", [200_000_000])], p2))

    # 3 customers, 3 assets: pad at level 0.
    def p3(vs, tree):
        for i in range(3):
            vs.valid(i)
        # Leaf 2's level-0 sibling is the pad node.
        standard_variants(vs, tree.proof(vs.assets, 2), 3)

    cases.append(make_case(
        "three-customers-three-assets",
        "3 customers, 3 assets (BTC:8, ETH:18, USDT:6): pad(0, 3) is leaf 2's sibling; zero balances",
        [BTC, ETH, USDT],
        [("alice", [50_000_000, 1_250_000_000_000_000_000, 0]),
         ("bob", [0, 0, 1_000_000]),
         ("carol", [100_000_001, 10 ** 18, 99_999_999_999])],
        p3))

    # 5 customers: pads at levels 0 and 1.
    def p5(vs, tree):
        for i in range(5):
            vs.valid(i)
        standard_variants(vs, tree.proof(vs.assets, 4), 1)

    cases.append(make_case("five-customers", "5 customers, 1 asset: pad(0, 5) and pad(1, 3); height 3",
                           [BTC], numbered("customer", 5, [BTC], "five"), p5))

    # 8 customers, 3 assets: a full tree, no padding.
    def p8(vs, tree):
        for i in (0, 3, 5, 7):
            vs.valid(i)
        standard_variants(vs, tree.proof(vs.assets, 5), 3)
        malformed_path_variants(vs, tree.proof(vs.assets, 5))

    cases.append(make_case("eight-customers-three-assets",
                           "8 customers, 3 assets: a full tree of height 3, no padding",
                           [BTC, ETH, USDT], numbered("user", 8, [BTC, ETH, USDT], "eight"), p8))

    # 17 customers: pads at levels 0, 1, 2, 3.
    def p17(vs, tree):
        for i in (0, 1, 8, 15, 16):
            vs.valid(i)
        # Leaf 16 has a pad as sibling at levels 0 to 3.
        standard_variants(vs, tree.proof(vs.assets, 16), 1)

    cases.append(make_case("seventeen-customers",
                           "17 customers, 1 asset: pads at levels 0, 1, 2 and 3; leaf 16's siblings are pads up to level 3",
                           [BTC], numbered("c", 17, [BTC], "seventeen"), p17))

    # Totals that exactly fit in u128.
    def plimit1(vs, tree):
        base = vs.valid(0)
        vs.valid(1)
        vs.bad(base, "sibling-sum-plus-one-overflows",
               "path[0].sums[0] + 1: leaf + sibling = 2^128, one more than fits",
               lambda p: p["path"][0]["sums"].__setitem__(0, add_str(p["path"][0]["sums"][0], 1)), "sum-overflow")
        standard_variants(vs, base, 1, overflow=False)

    big = U128_MAX // 3
    cases.append(make_case("u128-limit-one-asset",
                           "2 customers whose balances add up to exactly 2^128-1 base units (asset with 0 decimals)",
                           [{"symbol": "UNIT", "decimals": 0}],
                           [("whale", [U128_MAX - big]), ("minnow", [big])], plimit1))

    def plimit3(vs, tree):
        for i in range(3):
            vs.valid(i)
        base = tree.proof(vs.assets, 0)
        vs.bad(base, "sibling-sum-plus-one-overflows",
               "path[1].sums[2] + 1 where the total of asset 2 is 2^128-1: the root sum overflows",
               lambda p: p["path"][1]["sums"].__setitem__(2, add_str(p["path"][1]["sums"][2], 1)), "sum-overflow")

    d38 = {"symbol": "X38", "decimals": 38}
    cases.append(make_case(
        "u128-limit-three-assets",
        "3 customers, 3 assets incl. one with 38 decimals; every total is exactly 2^128-1 base units",
        [BTC, ETH, d38],
        [("a", [U128_MAX - 2, U128_MAX - 10 ** 30, 10 ** 38]),
         ("b", [1, 10 ** 30 - 1, U128_MAX - 10 ** 38 - 1]),
         ("c", [1, 1, 1])],
        plimit3))

    # Non-ASCII user ids: UTF-8 bytes as given, no Unicode normalisation
    # (an id not in NFC is hashed as it is; only an NFC twin is refused).
    def pna(vs, tree):
        for i in range(len(tree.leaves)):
            vs.valid(i)
        standard_variants(vs, tree.proof(vs.assets, 0), 2)

    cases.append(make_case(
        "non-ascii-user-ids",
        "7 customers, 2 assets; user ids in Japanese, emoji, Arabic, one with a combining accent "
        "(not NFC: hashed as given, never normalised) and one precomposed (NFC) that differs from it "
        "after normalisation too, and ASCII ids that need CSV quoting or hold an inner space",
        [BTC, ETH],
        [("山田太郎", [12_345_678, 0]),
         ("🦀💰", [1, 2]),
         ("e\u0301lise", [100_000_000, 10 ** 17]),
         ("\u00e9lise-2", [200_000_000, 3 * 10 ** 17]),
         ("مستخدم-٧", [0, 5]),
         ("smith, \"jr\"", [7, 7]),
         ("inner space", [3, 0])],
        pna))

    # Many customers with one asset of 0 decimals and only zero balances.
    cases.append(make_case("three-zero-balances", "3 customers with zero balances only: totals 0",
                           [{"symbol": "PTS", "decimals": 0}],
                           [("x", [0]), ("y", [0]), ("z", [0])],
                           lambda vs, tree: [vs.valid(i) for i in range(3)]))

    return cases


def build_rejected():
    def rej(name, description, assets, rows, kind, line):
        return {
            "name": name,
            "description": description,
            "assets": assets,
            "rows": [{"user_id": u, "balances": b} for u, b in rows],
            "expect": {"kind": kind, "line": line},
        }

    return [
        rej("duplicate-user-id", "bob appears on lines 3 and 4", [BTC],
            [("alice", ["1"]), ("bob", ["2"]), ("bob", ["3"])], "duplicate-user-id", 4),
        rej("duplicate-non-ascii-user-id", "the same Japanese id twice (byte-identical)", [BTC],
            [("山田", ["1"]), ("x", ["0"]), ("山田", ["1"])], "duplicate-user-id", 4),
        rej("too-many-decimals", "0.000000001 BTC has 9 decimals; BTC has 8. Never rounded", [BTC],
            [("alice", ["1"]), ("bob", ["0.000000001"])], "too-many-decimals", 3),
        rej("too-many-decimals-zero-digits", "1.0 for an asset with 0 decimals", [{"symbol": "PTS", "decimals": 0}],
            [("alice", ["1.0"])], "too-many-decimals", 2),
        rej("negative-amount", "-1 BTC", [BTC], [("alice", ["-1"])], "amount-sign", 2),
        rej("exponent-amount", "1e8 instead of digits", [BTC], [("alice", ["1e8"])], "amount-exponent", 2),
        rej("amount-over-u128", "2^128 base units in one field", [{"symbol": "UNIT", "decimals": 0}],
            [("alice", [str(1 << 128)])], "amount-overflow", 2),
        rej("amount-over-u128-after-scaling", "fits as an integer but not once scaled by 10^18", [ETH],
            [("alice", ["340282366920938463464"])], "amount-overflow", 2),
        rej("total-over-u128", "each row fits, the column total is 2^128", [{"symbol": "UNIT", "decimals": 0}],
            [("a", [str(U128_MAX)]), ("b", ["1"])], "total-overflow", None),
        rej("missing-digits", "\".5\" needs a digit before the point", [BTC], [("alice", [".5"])],
            "amount-missing-digits", 2),
        rej("invalid-char-space", "\"1 000\": a space inside an amount", [BTC], [("alice", ["1 000"])],
            "amount-invalid-char", 2),
        rej("invalid-char-two-points", "\"1.2.3\" has two decimal points", [BTC, ETH],
            [("alice", ["1", "0"]), ("bob", ["0", "1.2.3"])], "amount-invalid-char", 3),
        rej("empty-amount", "an empty BTC field", [BTC, ETH], [("alice", ["1", ""])], "amount-empty", 2),
        rej("empty-user-id", "an empty user id", [BTC], [("alice", ["1"]), ("", ["1"])], "empty-user-id", 3),
        rej("nfc-duplicate-user-id", "a precomposed \u00e9 on line 2 and e + combining acute on line 4: "
            "different bytes, equal after NFC normalisation, so one customer twice", [BTC],
            [("\u00e9lise", ["1"]), ("bob", ["1"]), ("e\u0301lise", ["2"])], "normalized-duplicate-user-id", 4),
        rej("nfc-duplicate-kelvin-sign", "KELVIN SIGN (U+212A) normalises to the ASCII K of line 2", [BTC],
            [("K", ["1"]), ("\u212a", ["1"])], "normalized-duplicate-user-id", 3),
        rej("user-id-control-bel", "BEL (U+0007) at the end of an id", [BTC],
            [("alice", ["1"]), ("bob\u0007", ["1"])], "user-id-control", 3),
        rej("user-id-terminal-escape", "an ANSI escape sequence (ESC, U+001B) that would recolour a terminal",
            [BTC], [("\u001b[32mPASS", ["1"])], "user-id-control", 2),
        rej("user-id-c1-control", "NEL (U+0085), a C1 control (and whitespace)", [BTC],
            [("x\u0085", ["1"])], "user-id-control", 2),
        rej("user-id-bidi-override", "RIGHT-TO-LEFT OVERRIDE (U+202E) reorders how the id is shown", [BTC],
            [("abc\u202efed", ["1"])], "user-id-control", 2),
        rej("user-id-control-before-amount", "a control character in the id is reported before the "
            "row's bad amount", [BTC], [("a\u0000b", ["-1"])], "user-id-control", 2),
        rej("user-id-leading-space", "\" alice\": a leading space", [BTC],
            [("alice", ["1"]), (" alice", ["1"])], "user-id-whitespace", 3),
        rej("user-id-trailing-space", "\"alice \": a trailing space", [BTC],
            [("alice ", ["1"])], "user-id-whitespace", 2),
        rej("user-id-trailing-ideographic-space", "IDEOGRAPHIC SPACE (U+3000) after a Japanese name", [BTC],
            [("\u5c71\u7530\u3000", ["1"])], "user-id-whitespace", 2),
        rej("user-id-leading-no-break-space", "NO-BREAK SPACE (U+00A0) before the id", [BTC],
            [("\u00a0bob", ["1"])], "user-id-whitespace", 2),
    ]


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "tree-v1.json")
    doc = {
        "format": "por-tree-v1-vectors",
        "description": "Test vectors for the por liabilities tree, format v1, and por-proof-v1 inclusion proofs. "
                       "See vectors/README.md for every field.",
        "generator": "vectors/gen_tree_v1.py (independent Python implementation vectors/por_tree_v1.py)",
        "cases": build_cases(),
        "rejected": build_rejected(),
    }
    for r in doc["rejected"]:
        v1.check_rejected(r)
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    n_proofs = sum(len(c.get("proofs", [])) for c in doc["cases"])
    print("wrote %s: %d cases, %d proofs and variants, %d rejected ledgers"
          % (path, len(doc["cases"]), n_proofs, len(doc["rejected"])))


if __name__ == "__main__":
    main(sys.argv)
