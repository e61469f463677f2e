#!/usr/bin/env python3
"""Independent cross-check of vectors/exchange/ (Python, decimal module).

Recomputes, for each published sample, the root under the exchange's own
rule as docs/interop.md states it (preimages, decimal strings, map orders),
and asserts the verdict recorded in vectors/exchange/README.md. With a
`por` binary as argument it also runs `por verify --json` on every file and
asserts that por reports the same format, verdict and root.

    python3 vectors/exchange/check_exchange.py [path/to/por]
"""
import decimal
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
decimal.getcontext().prec = 200
D = decimal.Decimal


def load(p):
    with open(os.path.join(HERE, p), encoding="utf-8") as f:
        return json.load(f)


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def canon(d):
    """Java stripTrailingZeros().toPlainString() / shopspring String()."""
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def down(d, places):
    return d.quantize(D(1).scaleb(-places), rounding=decimal.ROUND_DOWN)


def java_hash(s):
    """Java String.hashCode over UTF-16 code units (as an unsigned 32-bit value)."""
    b = s.encode("utf-16-le")
    h = 0
    for i in range(0, len(b), 2):
        h = (31 * h + int.from_bytes(b[i:i + 2], "little")) & 0xFFFFFFFF
    return h


def hashmap_order(keys):
    cap = 16
    while len(keys) > cap * 3 // 4:
        cap *= 2
    def bucket(k):
        h = java_hash(k)
        return (h ^ (h >> 16)) & (cap - 1)
    b = [bucket(k) for k in keys]
    assert len(set(b)) == len(b), "bucket collision: not modelled"
    return [k for _, k in sorted(zip(b, keys))]


def okx_v1(doc):
    s = doc["self"]
    js = lambda b: '{"BTC":"%s","ETH":"%s","USDT":"%s"}' % (b["BTC"], b["ETH"], b["USDT"])
    assert sha(s["nonce"] + js(s["balances"])) == s["hash"]
    def add(a, b):
        return {k: canon(down(D(a[k]) + D(b[k]), 8)) for k in ("BTC", "ETH", "USDT")}
    p = doc["path"]
    assert p[0]["type"] != s["type"]
    l, r = (s["hash"], p[0]["hash"]) if s["type"] == 1 else (p[0]["hash"], s["hash"])
    bal = add(s["balances"], p[0]["balances"])
    h, height = sha(l + r + bal["BTC"] + bal["ETH"] + bal["USDT"] + "2"), 2
    for n in p[1:-1]:
        l, r = (n["hash"], h) if n["type"] == 1 else (h, n["hash"])
        bal = add(bal, n["balances"])
        height = n["height"] + 1
        h = sha(l + r + bal["BTC"] + bal["ETH"] + bal["USDT"] + str(height))
    root = p[-1]
    ok = h == root["hash"] and bal == root["balances"] and height == root["height"]
    return ("valid" if ok else "invalid"), h


def okx_v2(info, tree_text):
    js = lambda b: '{"BTC":"%s","ETH":"%s","USDT":"%s"}' % (b["BTC"], b["ETH"], b["USDT"])
    assert sha(info["nonce"] + js(info["totalBalances"])).lower() == info["hash"].lower()
    total = None
    for n in info["nodes"]:
        b = n["balances"]
        assert sha(info["hash"] + b["BTC"] + b["ETH"] + b["USDT"]).lower() == n["hash"].lower()
        total = b if total is None else {k: canon(down(D(total[k]) + D(b[k]), 8)) for k in b}
    assert total == info["totalBalances"]
    lines = [l.split(",", 2) for l in tree_text.splitlines() if l.count(",") >= 2]
    leaves = {(h, json.dumps(json.loads(j), sort_keys=True)) for h, ht, j in lines if ht == "1"}
    found = all((n["hash"], json.dumps(n["balances"], sort_keys=True)) in leaves for n in info["nodes"])
    # por's recomputation of the whole tree: levels right to left, pad last.
    levels = {}
    for h, ht, j in lines:
        levels.setdefault(int(ht), []).append((h, json.loads(j)))
    top = max(levels)
    for ht in range(1, top):
        kids, parents = levels[ht][::-1], levels[ht + 1][::-1]
        for i in range(0, len(kids), 2):
            (lh, lb), (rh, rb) = kids[i], kids[i + 1]
            b = {k: canon(down(D(lb[k]) + D(rb[k]), 8)) for k in ("BTC", "ETH", "USDT")}
            assert sha(lh + rh + b["BTC"] + b["ETH"] + b["USDT"] + str(ht + 1)) == parents[i // 2][0]
    return ("valid" if found else "invalid"), levels[top][0][0]


def bitget(doc):
    def js(b):
        return "{" + ",".join('"%s":"%s"' % (k, canon(b[k])) for k in hashmap_order(list(b))) + "}"
    s = doc["self"]
    sb = {k: D(v) for k, v in s["balances"].items()}
    assert sha("%s,%s,%s" % (s["encryptUid"], s["nonce"], js(sb)))[:16] == s["merkelLeaf"]
    cur, level, bal = s["merkelLeaf"], s["level"], sb
    for f in doc["path"][:-1]:
        fb = {k: D(v) for k, v in f["balances"].items()}
        if f["role"] == 1:
            ll, lv, lb, rl, rb = f["merkelLeaf"], f["level"], fb, cur, bal
        else:
            ll, lv, lb, rl, rb = cur, level, bal, f["merkelLeaf"], fb
        parent = dict(lb)
        for k, v in rb.items():
            parent[k] = parent.get(k, D(0)) + v
        level = lv - 1
        cur, bal = sha("%s%s,%s,%d" % (ll, rl, js(parent), level))[:16], parent
    root = doc["path"][-1]
    ok = cur == root["merkelLeaf"] and all(D(root["balances"][k]) == v for k, v in bal.items()) and level == root["level"]
    return ("valid" if ok else "invalid"), cur


def bitunix(doc):
    def js(b):
        return "{" + ",".join('"%s":"%s"' % (k, b[k]) for k in hashmap_order(list(b))) + "}"
    s = doc["self"]
    prec = s["precisions"]
    assert sha("%s,%s,%s" % (s["encryptUid"], s["nonce"], js(s["balances"]))) == s["merkleLeaf"]
    cur, height, bal = s["merkleLeaf"], s["height"], s["balances"]
    for n in doc["path"][:-1]:
        if n["type"] == 1:
            ll, lh, lb, rl, rb = n["merkleLeaf"], n["height"], n["balances"], cur, bal
        else:
            ll, lh, lb, rl, rb = cur, height, bal, n["merkleLeaf"], n["balances"]
        parent = {k: format(down(D(lb[k]) + D(rb[k]), prec[k]), "f") for k in hashmap_order(list(lb))}
        height = lh - 1
        cur, bal = sha("%s%s,%s,%d" % (ll, rl, js(parent), height)), parent
    return ("valid" if cur == doc["path"][-1]["merkleLeaf"] else "invalid"), cur


def mexc(doc):
    s = doc["self"]
    content = "%s,%s,%s" % (s["proofId"], s["accountId"], ",".join("%s:%s" % (k, s["balances"][k]) for k in sorted(s["balances"])))
    assert sha(content)[:32] == s["hash"]
    by_level = {n["level"]: n for n in doc["pathList"]}
    root = doc["pathList"][-1]
    def inner(l, r):
        b = {}
        for k, v in (l.get("balances") or {}).items():
            b[k] = b.get(k, D(0)) + D(v)
        if (r.get("hash") or "").strip():
            for k in ("BTC", "USDT", "ETH", "USDC"):
                b.setdefault(k, D(0))
            for k, v in (r.get("balances") or {}).items():
                b[k] = b.get(k, D(0)) + D(v)
        parts = ",".join("%s:%s" % (k, canon(b[k])) for k in sorted(b))
        return {"hash": sha("%s,%s,%s" % (l["hash"], r["hash"], parts))[:32], "balances": {k: str(v) for k, v in b.items()}}
    cur, pair = dict(s), None
    for i in range(root["level"]):
        sib = by_level.get(i) or {"hash": "", "balances": {}, "type": 2 if cur["type"] == 1 else 1}
        pair = (cur, sib) if cur["type"] == 1 else (sib, cur)
        nxt = by_level.get(i + 1)
        ptype = 1 if nxt is None else (2 if nxt["type"] == 1 else 1)
        cur = dict(inner(*pair), type=ptype)
    h = inner(*pair)["hash"]
    return ("valid" if h == root["hash"] else "invalid"), h


def coinex(doc, empty_twice=True):
    def js(b):
        return "{" + ",".join('"%s":"%s"' % (k, canon(b[k])) for k in sorted(b)) + "}"
    b = {k: D(v) for k, v in doc["self"]["balances"].items()}
    h = sha(doc["self"]["nonce"] + js(b))
    for p in doc["path"]:
        if not p.get("hash"):
            h = sha(h + h + js(b)) if empty_twice else sha(h + js(b))
            continue
        for k, v in p["balances"].items():
            b[k] = b.get(k, D(0)) + D(v)
        h = sha(p["hash"] + h + js(b)) if p.get("pos") == "left" else sha(h + p["hash"] + js(b))
    rb = {k: D(v) for k, v in doc["root"]["balances"].items()}
    ok = h == doc["root"]["hash"] and b.keys() == rb.keys() and all(b[k] == rb[k] for k in b)
    return ("valid" if ok else "invalid"), h


def bitmex(text, nonce=None):
    lines = [l for l in text.splitlines() if l.strip()]
    height = int(lines[0].split(":")[1])
    rows, size, levels = [], 1, []
    for l in lines[1:]:
        h, v = l.split(",")
        rows.append((bytes.fromhex(h), int(v)))
        if len(rows) == size:
            levels.append(rows)
            rows, size = [], size * 2
    levels.reverse()
    node = lambda a, b: (hashlib.sha256(a[0] + struct.pack("<Q", a[1]) + b[0] + struct.pack("<Q", b[1])).digest(), a[1] + b[1])
    for i in range(1, len(levels)):
        for j, p in enumerate(levels[i]):
            assert node(levels[i - 1][2 * j], levels[i - 1][2 * j + 1]) == p
    root = levels[-1][0][0].hex()
    if nonce is None:
        return "unverifiable", root
    key = bytes.fromhex(nonce)
    opened = [i for i, (h, v) in enumerate(levels[0]) if hmac.new(key, struct.pack("<Q", v) + struct.pack("<Q", i), hashlib.sha256).digest() == h]
    return ("valid" if opened else "invalid"), root


def main():
    results = []
    v, r = okx_v1(load("okx/merkle_proof_file.json"))
    results.append((["okx/merkle_proof_file.json"], "okx-v1", v, r))
    with open(os.path.join(HERE, "okx/full-liabilities-merkle-tree.txt")) as f:
        v, r = okx_v2(load("okx/user_info_file.json"), f.read())
    results.append((["okx/user_info_file.json", "--tree", "okx/full-liabilities-merkle-tree.txt"], "okx-v2", v, r))
    v, r = bitget(load("bitget/merkel_tree_bg.json"))
    results.append((["bitget/merkel_tree_bg.json"], "bitget", v, r))
    v, r = bitunix(load("bitunix/merkle_tree_bitunix.json"))
    results.append((["bitunix/merkle_tree_bitunix.json"], "bitunix", v, r))
    v, r = mexc(load("mexc/merkle_proof.json"))
    results.append((["mexc/merkle_proof.json"], "mexc", v, r))
    cx = load("coinex/merkle_proof_file.json")
    v, r = coinex(cx)
    assert coinex(cx, empty_twice=False)[0] == "valid", "the README's note on CoinEx's other rule"
    results.append((["coinex/merkle_proof_file.json"], "coinex", v, r))
    with open(os.path.join(HERE, "bitmex/readme-tree.txt")) as f:
        t = f.read()
    results.append((["bitmex/readme-tree.txt"], "bitmex") + bitmex(t))
    readme_nonce = "b88860add96111d84d38a500266df715158f91375d9aaa98aa58356f9a872412"
    results.append((["bitmex/readme-tree.txt", "--account", "2", "--nonce", readme_nonce], "bitmex") + bitmex(t, readme_nonce))
    with open(os.path.join(HERE, "bitmex/generated-tree.txt")) as f:
        g = f.read()
    for a in load("bitmex/generated-accounts.json")["accounts"]:
        results.append((["bitmex/generated-tree.txt", "--account", str(a["account"]), "--nonce", a["nonce"]], "bitmex") + bitmex(g, a["nonce"]))
    expected = {"okx-v1": "valid", "okx-v2": "valid", "bitget": "valid", "bitunix": "valid", "mexc": "valid", "coinex": "invalid"}
    for args, fmt, verdict, root in results:
        if fmt in expected:
            assert verdict == expected[fmt], (fmt, verdict)
        print("%-10s %-12s %s  %s" % (fmt, verdict, root, " ".join(args)))
    if len(sys.argv) > 1:
        por = os.path.abspath(sys.argv[1])
        for args, fmt, verdict, root in results:
            out = subprocess.run([por, "verify", "--proof"] + args + ["--json"], cwd=HERE, capture_output=True, text=True)
            rep = json.loads(out.stdout)
            assert (rep["format"], rep["verdict"], rep["root"]) == (fmt, verdict, root), (args, rep, verdict, root)
        print("por verify agrees on all %d" % len(results))


if __name__ == "__main__":
    main()
