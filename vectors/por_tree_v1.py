#!/usr/bin/env python3
"""Independent implementation of the por liabilities tree, format v1.

Written from the format description in DESIGN.md ("Liabilities tree, format
v1"), not from the Rust code, using only the Python standard library. It
builds the Merkle-sum tree from (secret, assets, rows), produces the root,
height, totals and `por-proof-v1` inclusion proofs, and verifies proofs with
the same failure kinds as the Rust core.

Usage:
    python3 vectors/por_tree_v1.py check [vectors/tree-v1.json]
        Recompute every expected value and every verdict in the vector file;
        exit 1 with a message naming the case on any disagreement.

The vector file itself is written by vectors/gen_tree_v1.py, which uses the
functions below; the Rust core must then agree with it
(crates/por-tree/tests/tree_vectors.rs).

Format v1, byte for byte (H = SHA-256, be128 = 16-byte big-endian):
    salt(u)    = HMAC-SHA256(S, "por/v1/salt" || 0x00 || utf8(user_id))
    pad_key    = HMAC-SHA256(S, "por/v1/pad")
    id(u)      = H(0x10 || salt(u) || utf8(user_id))
    leaf(u)    = H(0x00 || id(u) || be128(b_0) .. be128(b_{k-1}))
    node(L, R) = H(0x01 || L.hash || be128(L.s_i).. || R.hash || be128(R.s_i)..)
    pad(l, p)  = H(0x02 || pad_key || u8(l) || be64(p)), sums all 0
Leaves are sorted by id ascending; a level with an odd count (> 1) gets
pad(l, count) appended before pairing.
"""

import hashlib
import hmac
import json
import re
import sys
import unicodedata

U128_MAX = (1 << 128) - 1
FORMAT = "por-proof-v1"

# Failure kinds, as `VerifyError::kind()` in the Rust core names them, plus
# "malformed" for a proof document that does not parse.
KINDS = (
    "malformed",
    "asset-mismatch",
    "path-length",
    "index-out-of-range",
    "sum-overflow",
    "root-hash-mismatch",
    "root-sum-mismatch",
)


def sha256(data):
    return hashlib.sha256(data).digest()


def be128(v):
    if not 0 <= v <= U128_MAX:
        raise ValueError("amount %d does not fit u128" % v)
    return v.to_bytes(16, "big")


def salt_of(secret, user_id):
    return hmac.new(secret, b"por/v1/salt\x00" + user_id.encode("utf-8"), hashlib.sha256).digest()


def pad_key_of(secret):
    return hmac.new(secret, b"por/v1/pad", hashlib.sha256).digest()


def id_hash(salt, user_id):
    return sha256(b"\x10" + salt + user_id.encode("utf-8"))


def leaf_hash(idh, balances):
    return sha256(b"\x00" + idh + b"".join(be128(b) for b in balances))


def node_hash(lh, ls, rh, rs):
    return sha256(b"\x01" + lh + b"".join(be128(s) for s in ls) + rh + b"".join(be128(s) for s in rs))


def pad_hash(pad_key, level, position):
    if not 0 <= level <= 255:
        raise ValueError("level %d does not fit u8" % level)
    return sha256(b"\x02" + pad_key + bytes([level]) + position.to_bytes(8, "big"))


class SumOverflow(Exception):
    pass


def add_sums(a, b):
    out = []
    for x, y in zip(a, b):
        s = x + y
        if s > U128_MAX:
            raise SumOverflow("sum %d + %d exceeds u128" % (x, y))
        out.append(s)
    return out



# ---------------------------------------------------------------- amounts


class AmountError(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


def parse_amount(text, decimals):
    """Exact decimal string in asset units ("0.5", "12") -> base units (int).

    No sign, no exponent, digits on both sides of a decimal point, at most
    `decimals` fractional digits (never rounded), at most 2^128-1 base units.
    The first problem found scanning left to right is reported.
    """
    if text == "":
        raise AmountError("amount-empty", "empty amount")
    if text[0] in "+-":
        raise AmountError("amount-sign", "%r has a sign" % text)
    for ch in text:
        if ch in "eE":
            raise AmountError("amount-exponent", "%r uses exponent notation" % text)
        if not ("0" <= ch <= "9" or ch == "."):
            raise AmountError("amount-invalid-char", "%r has %r" % (text, ch))
    whole, point, frac = text.partition(".")
    if "." in frac:
        raise AmountError("amount-invalid-char", "%r has a second '.'" % text)
    if point and (whole == "" or frac == ""):
        raise AmountError("amount-missing-digits", "%r needs digits on both sides of '.'" % text)
    if int(whole) > U128_MAX:
        raise AmountError("amount-overflow", "%r exceeds u128" % text)
    if len(frac) > decimals:
        raise AmountError("too-many-decimals", "%r has %d decimals, at most %d" % (text, len(frac), decimals))
    v = int(whole) * 10**decimals + (int(frac) * 10 ** (decimals - len(frac)) if frac else 0)
    if v > U128_MAX:
        raise AmountError("amount-overflow", "%r exceeds u128 base units" % text)
    return v


def format_amount(v, decimals):
    """Base units -> shortest exact decimal string in asset units."""
    whole, frac = divmod(v, 10**decimals)
    frac_s = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return str(whole) + ("." + frac_s if frac_s else "")


# ---------------------------------------------------------------- ledger


class LedgerReject(Exception):
    def __init__(self, kind, line, message):
        Exception.__init__(self, "line %s: %s" % (line, message))
        self.kind = kind
        self.line = line


# Unicode White_Space (PropList.txt): the characters a user id may not start
# or end with. Listed rather than taken from str.isspace(), whose set differs
# (it includes U+001C..U+001F, which are control characters here anyway).
WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + ["\u0020", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)

# Bidirectional formatting characters, refused like control characters: they
# reorder how the text around them is shown.
BIDI_FORMATTING = frozenset(
    ["\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def check_user_id(user_id, line):
    """A user id is hashed exactly as given, but refused when empty, when it
    has a control character (general category Cc) or a bidirectional
    formatting character anywhere, or whitespace at either end."""
    if user_id == "":
        raise LedgerReject("empty-user-id", line, "empty user id")
    for pos, ch in enumerate(user_id, 1):
        if unicodedata.category(ch) == "Cc" or ch in BIDI_FORMATTING:
            raise LedgerReject("user-id-control", line,
                               "control character U+%04X at character %d" % (ord(ch), pos))
    if user_id[0] in WHITE_SPACE or user_id[-1] in WHITE_SPACE:
        raise LedgerReject("user-id-whitespace", line, "user id %r starts or ends with whitespace" % user_id)


def ledger_from_rows(assets, rows):
    """Rows of asset-unit strings -> [(user_id, [base units])], as a CSV export
    with a header on line 1 and row i on line i + 2 would be read.

    In row order, a row's user id problems and then its amount errors; then
    a column total over u128; then a duplicate user id (found when the tree
    is built): first ids equal as given, then ids equal after Unicode NFC
    normalisation (ids are hashed as given, never normalised, but two ids a
    person cannot tell apart are one customer twice).
    """
    out = []
    for i, row in enumerate(rows):
        line = i + 2
        check_user_id(row["user_id"], line)
        bal = []
        for a, text in zip(assets, row["balances"]):
            try:
                bal.append(parse_amount(text, a["decimals"]))
            except AmountError as e:
                raise LedgerReject(e.kind, line, str(e))
        out.append((row["user_id"], bal))
    for j, a in enumerate(assets):
        if sum(b[j] for _, b in out) > U128_MAX:
            raise LedgerReject("total-overflow", None, "total of %s exceeds u128" % a["symbol"])
    seen = {}
    for i, (uid, _) in enumerate(out):
        if uid in seen:
            raise LedgerReject("duplicate-user-id", i + 2, "duplicate user id %r (first on line %d)" % (uid, seen[uid]))
        seen[uid] = i + 2
    seen_nfc = {}
    for i, (uid, _) in enumerate(out):
        key = unicodedata.normalize("NFC", uid)
        if key in seen_nfc:
            raise LedgerReject("normalized-duplicate-user-id", i + 2,
                               "user id %r equals %r on line %d after NFC normalisation"
                               % (uid, out[seen_nfc[key] - 2][0], seen_nfc[key]))
        seen_nfc[key] = i + 2
    return out


# ---------------------------------------------------------------- tree


class Tree:
    """A built liabilities tree: every level, bottom first (pads included)."""

    def __init__(self, secret, n_assets, customers):
        """customers: list of (user_id, [base-unit balances]), user ids distinct."""
        self.k = n_assets
        self.pad_key = pad_key_of(secret)
        leaves = []
        for user_id, balances in customers:
            salt = salt_of(secret, user_id)
            leaves.append((id_hash(salt, user_id), user_id, salt, list(balances)))
        leaves.sort(key=lambda t: t[0])
        self.leaves = leaves  # (id, user_id, salt, balances), ordered by id
        level = [(leaf_hash(idh, bal), bal) for idh, _, _, bal in leaves]
        self.levels = [level]
        self.pads = []  # (level, position, hash) of every pad node
        while len(level) > 1:
            lnum = len(self.levels) - 1
            if len(level) % 2 == 1:
                ph = pad_hash(self.pad_key, lnum, len(level))
                self.pads.append((lnum, len(level), ph))
                level = level + [(ph, [0] * n_assets)]
                self.levels[-1] = level
            nxt = []
            for i in range(0, len(level), 2):
                (lh, ls), (rh, rs) = level[i], level[i + 1]
                nxt.append((node_hash(lh, ls, rh, rs), add_sums(ls, rs)))
            level = nxt
            self.levels.append(level)

    @property
    def root(self):
        return self.levels[-1][0]

    @property
    def height(self):
        return len(self.levels) - 1

    def index_of(self, user_id):
        return next(i for i, leaf in enumerate(self.leaves) if leaf[1] == user_id)

    def proof(self, assets, index):
        """The por-proof-v1 document of leaf `index`."""
        _, user_id, salt, balances = self.leaves[index]
        path = []
        pos = index
        for level in self.levels[:-1]:
            sh, ss = level[pos ^ 1]
            path.append({"hash": sh.hex(), "sums": [str(s) for s in ss]})
            pos >>= 1
        rh, rs = self.root
        return {
            "format": FORMAT,
            "assets": [{"symbol": a["symbol"], "decimals": a["decimals"]} for a in assets],
            "user_id": user_id,
            "salt": salt.hex(),
            "balances": [str(b) for b in balances],
            "index": index,
            "path": path,
            "root": {"hash": rh.hex(), "sums": [str(s) for s in rs], "height": self.height},
        }


# ---------------------------------------------------------------- proofs


class Malformed(Exception):
    pass


_SYMBOL = re.compile(r"\A[A-Za-z0-9._-]{1,32}\Z")
MAX_DECIMALS = 38
MAX_ASSETS = 256
MAX_HEIGHT = 64


def _fields(obj, names, where):
    if not isinstance(obj, dict):
        raise Malformed("%s: expected an object" % where)
    missing = [n for n in names if n not in obj]
    unknown = [n for n in obj if n not in names]
    if missing or unknown:
        raise Malformed("%s: missing %s, unknown %s" % (where, missing, unknown))


def _hex32(v, field):
    # Readers accept either case; writers produce lower case.
    if not isinstance(v, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", v):
        raise Malformed("%s: expected 64 hex digits, got %r" % (field, v))
    return bytes.fromhex(v)


def _amount_str(v, field):
    if not isinstance(v, str) or not re.fullmatch(r"[0-9]+", v):
        raise Malformed("%s: expected a decimal string of base units, got %r" % (field, v))
    n = int(v)
    if n > U128_MAX:
        raise Malformed("%s: %s exceeds u128" % (field, v))
    return n


def _uint(v, field, bits):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < (1 << bits):
        raise Malformed("%s: expected an integer in [0, 2^%d), got %r" % (field, bits, v))
    return v


def parse_assets(v, field="assets"):
    if not isinstance(v, list) or not 1 <= len(v) <= MAX_ASSETS:
        raise Malformed("%s: expected a list of 1 to %d assets" % (field, MAX_ASSETS))
    out = []
    for i, a in enumerate(v):
        where = "%s[%d]" % (field, i)
        _fields(a, ("symbol", "decimals"), where)
        if not isinstance(a["symbol"], str) or not _SYMBOL.match(a["symbol"]):
            raise Malformed("%s.symbol: expected 1 to 32 of A-Z a-z 0-9 . - _" % where)
        if _uint(a["decimals"], where + ".decimals", 8) > MAX_DECIMALS:
            raise Malformed("%s.decimals: at most %d" % (where, MAX_DECIMALS))
        if any(s == a["symbol"] for s, _ in out):
            raise Malformed("%s.symbol: %s listed twice" % (where, a["symbol"]))
        out.append((a["symbol"], a["decimals"]))
    return out


def parse_proof(doc):
    """Structural parse of a por-proof-v1 document (a dict). Raises Malformed."""
    _fields(doc, ("format", "assets", "user_id", "salt", "balances", "index", "path", "root"), "proof")
    if doc["format"] != FORMAT:
        raise Malformed("format: expected %r, got %r" % (FORMAT, doc["format"]))
    assets = parse_assets(doc["assets"])
    k = len(assets)
    if not isinstance(doc["user_id"], str) or doc["user_id"] == "":
        raise Malformed("user_id: expected a non-empty string")
    salt = _hex32(doc["salt"], "salt")

    def sums(v, field):
        if not isinstance(v, list) or len(v) != k:
            raise Malformed("%s: expected a list of %d amounts (one per asset)" % (field, k))
        return [_amount_str(x, "%s[%d]" % (field, i)) for i, x in enumerate(v)]

    balances = sums(doc["balances"], "balances")
    index = _uint(doc["index"], "index", 64)
    if not isinstance(doc["path"], list):
        raise Malformed("path: expected a list")
    path = []
    for i, step in enumerate(doc["path"]):
        _fields(step, ("hash", "sums"), "path[%d]" % i)
        path.append((_hex32(step["hash"], "path[%d].hash" % i), sums(step["sums"], "path[%d].sums" % i)))
    root = doc["root"]
    _fields(root, ("hash", "sums", "height"), "root")
    height = _uint(root["height"], "root.height", 32)
    if height > MAX_HEIGHT:
        raise Malformed("root.height: %d, at most %d" % (height, MAX_HEIGHT))
    return {
        "assets": assets,
        "user_id": doc["user_id"],
        "salt": salt,
        "balances": balances,
        "index": index,
        "path": path,
        "root": (_hex32(root["hash"], "root.hash"), sums(root["sums"], "root.sums"), height),
    }


def verify(proof, assets, root_hash, root_sums, height):
    """Verify a parsed proof against a published asset list and root.

    Returns None when the proof verifies, else its failure kind. The checks
    run in this order; the first that fails decides the kind.
    """
    if proof["assets"] != assets or len(root_sums) != len(assets):
        return "asset-mismatch"
    if len(proof["path"]) != height:
        return "path-length"
    if height < 64 and proof["index"] >> height != 0:
        return "index-out-of-range"
    h = leaf_hash(id_hash(proof["salt"], proof["user_id"]), proof["balances"])
    s = proof["balances"]
    for level, (sh, ss) in enumerate(proof["path"]):
        try:
            if (proof["index"] >> level) & 1 == 0:
                h, s = node_hash(h, s, sh, ss), add_sums(s, ss)
            else:
                h, s = node_hash(sh, ss, h, s), add_sums(ss, s)
        except SumOverflow:
            return "sum-overflow"
    if h != root_hash:
        return "root-hash-mismatch"
    if s != root_sums:
        return "root-sum-mismatch"
    return None


def verdict(doc, assets, published, against):
    """Verdict on an untrusted proof document: None (valid) or a failure kind.

    `published` is (root hash, sums, height); `against` is "published" or
    "claimed" (the root written in the proof itself, which only tells what
    the proof claims). In "claimed" mode the asset list is the proof's own.
    """
    try:
        p = parse_proof(doc)
    except Malformed:
        return "malformed"
    if against == "claimed":
        return verify(p, p["assets"], *p["root"])
    return verify(p, assets, *published)


# ---------------------------------------------------------------- check


def _no_duplicate_keys(pairs):
    d = {}
    for key, value in pairs:
        if key in d:
            raise ValueError("duplicate key %r" % key)
        d[key] = value
    return d


class Disagreement(Exception):
    pass


def _expect_equal(case, what, got, expected):
    if got != expected:
        raise Disagreement("case %r: %s: computed %r, the file says %r" % (case, what, got, expected))


def check_case(case):
    name = case["name"]
    secret = bytes.fromhex(case["secret"])
    _expect_equal(name, "secret length", len(secret), 32)
    assets = [(a["symbol"], a["decimals"]) for a in case["assets"]]
    parse_assets(case["assets"])
    amap = [{"symbol": s, "decimals": d} for s, d in assets]
    customers = ledger_from_rows(amap, case["rows"])
    for row, (_, bal) in zip(case["rows"], customers):
        _expect_equal(name, "base units of %r" % row["user_id"], [str(b) for b in bal], row["base_units"])
    tree = Tree(secret, len(assets), customers)
    exp = case["expected"]
    rh, rs = tree.root
    _expect_equal(name, "root", rh.hex(), exp["root"])
    _expect_equal(name, "height", tree.height, exp["height"])
    _expect_equal(name, "customers", len(customers), exp["customers"])
    _expect_equal(name, "totals", {s: str(v) for (s, _), v in zip(assets, rs)}, exp["totals"])
    _expect_equal(name, "pad_key", tree.pad_key.hex(), exp["pad_key"])
    leaves = [
        {"index": i, "user_id": uid, "user_id_utf8": uid.encode("utf-8").hex(), "salt": salt.hex(),
         "id": idh.hex(), "hash": tree.levels[0][i][0].hex()}
        for i, (idh, uid, salt, _) in enumerate(tree.leaves)
    ]
    _expect_equal(name, "leaves", leaves, exp["leaves"])
    pads = [{"level": l, "position": p, "hash": h.hex()} for l, p, h in tree.pads]
    _expect_equal(name, "pads", pads, exp["pads"])
    published = (rh, rs, tree.height)
    n_valid = 0
    for pv in case.get("proofs", []):
        what = "proof %r" % pv["name"]
        if pv["expect"]["valid"]:
            n_valid += 1
            # A valid proof must be exactly the one this tree produces.
            index = tree.index_of(pv["proof"]["user_id"])
            _expect_equal(name, what + " document", tree.proof(amap, index), pv["proof"])
        got = verdict(pv["proof"], assets, published, pv["against"])
        want = None if pv["expect"]["valid"] else pv["expect"]["kind"]
        _expect_equal(name, what + " verdict", got, want)
    return n_valid, len(case.get("proofs", [])) - n_valid


def check_rejected(case):
    name = case["name"]
    try:
        ledger_from_rows(case["assets"], case["rows"])
    except LedgerReject as e:
        _expect_equal(name, "rejection kind", e.kind, case["expect"]["kind"])
        _expect_equal(name, "rejection line", e.line, case["expect"]["line"])
        return
    raise Disagreement("case %r: the rows were accepted, the file says %r" % (name, case["expect"]))


def check(path):
    with open(path, "rb") as f:
        data = json.loads(f.read().decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    if data.get("format") != "por-tree-v1-vectors":
        raise Disagreement("%s: format is %r, expected 'por-tree-v1-vectors'" % (path, data.get("format")))
    valid = invalid = 0
    for case in data["cases"]:
        v, i = check_case(case)
        valid += v
        invalid += i
    for case in data["rejected"]:
        check_rejected(case)
    print("%s: %d cases, %d valid proofs, %d invalid proofs, %d rejected ledgers: all agree"
          % (path, len(data["cases"]), valid, invalid, len(data["rejected"])))


def main(argv):
    if len(argv) < 2 or argv[1] not in ("check",):
        sys.stderr.write(__doc__)
        return 2
    path = argv[2] if len(argv) > 2 else "vectors/tree-v1.json"
    try:
        check(path)
    except Disagreement as e:
        sys.stderr.write("DISAGREEMENT: %s\n" % e)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write("error: %s: %s: %s\n" % (path, type(e).__name__, e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
