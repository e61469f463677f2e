#!/usr/bin/env python3
"""An independent BitMEX-style liabilities tree with known nonces, so that a
leaf can be opened (the README's own nonces open none of its printed tree).

Written from the algorithm stated in readme-example.json ("algorithm"), not
from BitMEX's code: leaf = HMAC-SHA256(key=sub_nonce, le64(value) ||
le64(index)); node = sha256(L || le64(Lv) || R || le64(Rv)); file =
"block_height:N" then root first, each level left to right.
sub_nonce = sha256(account_nonce || le64(block_height) || le64(account)).
Deterministic: account nonces are sha256("por-bitmex-vector-<account>").
Writes generated-tree.txt and generated-accounts.json (account, account
nonce, sub nonce, leaf indices, total)."""
import hashlib, hmac, json, struct, os

HERE = os.path.dirname(os.path.abspath(__file__))
le = lambda v: struct.pack("<Q", v)
height = 800000
# (account, value) per leaf, in leaf order; account 2 holds two leaves.
leaves = [(7, 1500), (2, 250000), (9, 0), (2, 4750000), (4, 123456789), (11, 42), (5, 100000000), (3, 7)]
acct_nonce = {a: hashlib.sha256(f"por-bitmex-vector-{a}".encode()).digest() for a, _ in leaves}
sub = {a: hashlib.sha256(n + le(height) + le(a)).digest() for a, n in acct_nonce.items()}
level = [(hmac.new(sub[a], le(v) + le(i), hashlib.sha256).digest(), v) for i, (a, v) in enumerate(leaves)]
levels = [level]
while len(level) > 1:
    level = [(hashlib.sha256(l[0] + le(l[1]) + r[0] + le(r[1])).digest(), l[1] + r[1]) for l, r in zip(level[::2], level[1::2])]
    levels.append(level)
lines = [f"block_height:{height}"]
for lv in reversed(levels):
    lines += [f"{h.hex()},{v}" for h, v in lv]
open(os.path.join(HERE, "generated-tree.txt"), "w").write("\n".join(lines) + "\n")
accounts = []
for a in sorted(acct_nonce):
    idx = [i for i, (x, _) in enumerate(leaves) if x == a]
    accounts.append({"account": a, "account_nonce": acct_nonce[a].hex(), "nonce": sub[a].hex(),
                     "leaves": idx, "total": sum(leaves[i][1] for i in idx)})
json.dump({"block_height": height, "root": levels[-1][0][0].hex(), "total": levels[-1][0][1],
           "accounts": accounts}, open(os.path.join(HERE, "generated-accounts.json"), "w"), indent=1)
