#!/usr/bin/env python3
"""Seeds the fuzz corpora from the repository's own vectors and examples.

    python3 fuzz/seed_corpus.py   # writes fuzz/corpus/<target>/

The structured targets (ownership_verify, customer_verdict, ...) read a few
selector bytes and then text fields separated by 0x1F; see each target's
doc comment and fuzz/fuzz_targets/common/mod.rs.

proof_verify: every proof and variant of the vectors, as a JSON file.
csv_ingest: every case and rejected export as a CSV, once with its own header
and once with its columns renamed to the fuzz target's assets
(BTC:8, ETH:18, USDT:6), so the fuzzer starts from exports it accepts.
"""

import base64
import binascii
import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED = ["BTC", "ETH", "USDT"]


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8")


def main():
    with open(os.path.join(HERE, "..", "vectors", "tree-v1.json"), encoding="utf-8") as f:
        doc = json.load(f)
    proofs = os.path.join(HERE, "corpus", "proof_verify")
    csvs = os.path.join(HERE, "corpus", "csv_ingest")
    os.makedirs(proofs, exist_ok=True)
    os.makedirs(csvs, exist_ok=True)
    n_p = n_c = 0
    for case in doc["cases"] + doc["rejected"]:
        for pv in case.get("proofs", []):
            name = "%s--%s.json" % (case["name"], pv["name"])
            with open(os.path.join(proofs, name), "w", encoding="utf-8") as f:
                json.dump(pv["proof"], f, ensure_ascii=False, indent=1)
            n_p += 1
        symbols = [a["symbol"] for a in case["assets"]]
        rows = [[r["user_id"]] + r["balances"] for r in case["rows"]]
        with open(os.path.join(csvs, case["name"] + ".csv"), "wb") as f:
            f.write(csv_text(["user_id"] + symbols, rows))
        fixed_rows = [[r[0]] + (r[1:] + ["0"] * 3)[:3] for r in rows]
        with open(os.path.join(csvs, case["name"] + "--fixed-assets.csv"), "wb") as f:
            f.write(csv_text(["user_id"] + FIXED, fixed_rows))
        # the same customers in long form (user_id,asset,amount), zeros left out
        long_rows = [[r[0], sym, amt] for r in fixed_rows for sym, amt in zip(FIXED, r[1:]) if amt not in ("0", "")]
        with open(os.path.join(csvs, case["name"] + "--long-form.csv"), "wb") as f:
            f.write(csv_text(["user_id", "asset", "amount"], long_rows))
        n_c += 3
    print("seeded %d proofs into %s and %d CSVs into %s" % (n_p, proofs, n_c, csvs))
    seed_more(doc)

ROOT = os.path.join(HERE, "..")
SEP = b"\x1f"


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


class Seeds:
    """Writes numbered seed files into fuzz/corpus/<target>/."""

    def __init__(self):
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        n = self.counts.get(target, 0)
        with open(os.path.join(d, "seed-%04d" % n), "wb") as f:
            f.write(data)
        self.counts[target] = n + 1


def walk(value):
    """Every JSON object inside value."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def chain_selectors(address):
    """(chain, network) selector bytes of ownership_verify for an address."""
    a = address.strip()
    if a.lower().startswith("0x"):
        return 1, 0
    if a.startswith("T"):
        return 7, 0
    if a.startswith(("tb1", "m", "n", "2")):
        return 0, 1
    if a.startswith("bcrt1"):
        return 0, 3
    if a.startswith(("L", "ltc1", "M")):
        return 2, 0
    if a.startswith("D"):
        return 3, 0
    if a.startswith("X"):
        return 4, 0
    return 0, 0


BIP322_ADDRESSES = [
    "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
    "bc1pcquvhrqv0q68t4m0hfq6tpn006qrskyc7yrqnp2uyrf2emg3wynsdjyk38",
    "3PGZjFkYBL1m9WBWkWbCW5FEFTaS1Hj4EB",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
]


def ownership_seeds(s):
    """ownership_verify and bip322_psbt from the external signature vectors."""
    folder = os.path.join(ROOT, "vectors", "external")
    for sub in ("bip322", "legacy-signmessage", "ethereum"):
        for name in sorted(os.listdir(os.path.join(folder, sub))):
            if not name.endswith(".json"):
                continue
            doc = json.loads(read("vectors", "external", sub, name))
            for obj in walk(doc):
                address = obj.get("address")
                if not isinstance(address, str):
                    continue
                message = obj.get("message", "")
                if not isinstance(message, str):
                    continue
                sigs = []
                for key in ("signature", "bip322_signature", "sig"):
                    if isinstance(obj.get(key), str):
                        sigs.append(obj[key])
                for key in ("bip322_signatures", "signatures"):
                    if isinstance(obj.get(key), list):
                        sigs += [x for x in obj[key] if isinstance(x, str)]
                chain, network = chain_selectors(address)
                for sig in sigs[:4]:
                    head = bytes([chain, 0, network, 0, 0])
                    s.add("ownership_verify", head + SEP.join(
                        [address.encode(), message.encode(), sig.encode()]))
                    mode = {"smp": 0, "ful": 1, "pof": 2}.get(sig[:3])
                    body = sig[3:] if mode is not None else sig
                    if mode is None:
                        mode = 0
                    try:
                        raw = base64.b64decode(body, validate=True)
                    except (ValueError, binascii.Error):
                        continue
                    if address in BIP322_ADDRESSES:
                        idx = BIP322_ADDRESSES.index(address)
                    else:
                        idx = 0
                    s.add("bip322_psbt", bytes([mode, idx]) + raw)
                    if mode == 1:
                        s.add("bip322_psbt", bytes([3, 0]) + raw)
    # A multisig-shaped and an EIP-191 claim with an expected reserves message.
    s.add("ownership_verify", bytes([0, 3, 0, 0, 1]) + SEP.join(
        [b"3PGZjFkYBL1m9WBWkWbCW5FEFTaS1Hj4EB", b"m", b"H" + b"A" * 87, b"H" + b"A" * 87, b"5221" + b"02" + b"11" * 33 + b"52ae"]))


def exchange_file_seeds(s):
    """ownership_file from the exchanges' published files (first lines)."""
    folder = os.path.join(ROOT, "vectors", "external", "exchange-por-ownership")
    for sub in sorted(os.listdir(folder)):
        path = os.path.join(folder, sub)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith(".csv"):
                lines = read("vectors", "external", "exchange-por-ownership", sub, name).splitlines(True)
                s.add("ownership_file", b"".join(lines[:12]))
    s.add("ownership_file", "chain,address,message,signature\n"
          "bitcoin,bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l,Hello World,"
          "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=\n")
    s.add("ownership_file", json.dumps([{
        "chain": "bitcoin", "address": "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
        "message": "Hello World", "signature": "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="}]))


def reserve_seeds(s):
    """reserve_files: the example inputs (TOML, and as JSON), the policies and the scenarios."""
    inputs = read("examples", "reserve-inputs.toml")
    s.add("reserve_files", b"\x00" + inputs)
    try:
        import tomllib
        s.add("reserve_files", b"\x01" + json.dumps(tomllib.loads(inputs.decode("utf-8")), default=str).encode())
    except ImportError:
        pass
    for name in sorted(os.listdir(os.path.join(ROOT, "policies"))):
        if name.endswith(".toml"):
            s.add("reserve_files", b"\x02" + read("policies", name))
    for name in sorted(os.listdir(os.path.join(ROOT, "scenarios"))):
        if name.endswith(".toml"):
            s.add("reserve_files", b"\x03" + read("scenarios", name))


BALANCES = (
    "chain,address,asset,balance,height,block_hash,source,contract\n"
    "bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,50012345,100,"
    "00000000000000000001aa0000000000000000000000000000000000000000ab,bitcoin-rpc http://127.0.0.1:8332,\n"
    "ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,ETH,340282366920938463463374607431768211455,7,"
    "0x1111111111111111111111111111111111111111111111111111111111111111,evm-rpc http://127.0.0.1:8545,\n"
    "ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,PTT,1,7,"
    "0x1111111111111111111111111111111111111111111111111111111111111111,\"evm-rpc http://127.0.0.1:8545, token\","
    "0xe78a0f7e598cc8b0bb87894b0f60dd2a88d6a8ab\n"
)
ADDRESSES = (
    "chain,address,asset,contract,decimals\n"
    "bitcoin,BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4,BTC,,\n"
    "ethereum,0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1,ETH,,18\n"
    "ethereum,0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1,USDT,0xdAC17F958D2ee523a2206206994597C13D831ec7,6\n"
)


def chain_seeds(s):
    """chain_files: the por-chain unit tests' files."""
    s.add("chain_files", b"\x00" + BALANCES.encode())
    s.add("chain_files", b"\x00" + "\n".join(BALANCES.split("\n")[:2]).replace(",contract", "").replace("8332,", "8332").encode() + b"\n")
    s.add("chain_files", b"\x01" + ADDRESSES.encode())
    s.add("chain_files", b"\x01chain,address,asset\nbitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC\n")


RESERVES_CSV = (
    "chain,address,asset,category,tier,balance,scheme,message,signature\n"
    "bitcoin,bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4,BTC,customer,cold,1.5,bip322,,AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=\n"
    "ethereum,0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1,ETH,own,hot,0.25,eip191,hello,0x" + "ab" * 65 + "\n"
)
RESERVES_TOML = (
    "[[reserve]]\nchain = \"bitcoin\"\naddress = \"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\"\n"
    "asset = \"BTC\"\ncategory = \"customer\"\ntier = \"cold\"\nbalance = \"2\"\n"
    "scheme = \"auto\"\nsignature = \"IC0=\"\nsecond_signature = \"\"\nredeem_script = \"\"\n"
)


def reserves_file_seeds(s):
    """reserves_file: a CSV and a TOML reserves file as `por attest` reads them."""
    s.add("reserves_file", b"\x00" + RESERVES_CSV.encode())
    s.add("reserves_file", b"\x01" + RESERVES_TOML.encode())


def distribution_seeds(s):
    """distribution_files: the policies, and the vectors' proofs and statements."""
    for name in sorted(os.listdir(os.path.join(ROOT, "policies"))):
        if name.startswith("distribution") and name.endswith(".toml"):
            s.add("distribution_files", b"\x00" + read("policies", name))
    s.add("distribution_files", b"\x00" + read("examples", "distribution-policy.toml"))
    doc = json.loads(read("vectors", "distribution-v1.json"))
    for case in doc["proof_checks"][:40]:
        s.add("distribution_files", b"\x01" + json.dumps(case["proof"], indent=1).encode())
    for case in doc["statements"]:
        s.add("distribution_files", b"\x02" + json.dumps(case["document"], indent=1).encode())


def exchange_proof_seeds(s):
    """exchange_proof: every file of vectors/exchange, recognised (0) and
    named (1..=10); OKX v2 with its tree after a NUL; BitMEX with a nonce."""
    formats = ["por-v1", "okx-v1", "okx-v2", "bitget", "bitunix", "mexc", "coinex", "bitmex", "gate-zk", "binance-zk"]
    base = os.path.join(ROOT, "vectors", "exchange")
    files = {
        "okx-v1": ["okx/merkle_proof_file.json"],
        "bitget": ["bitget/merkel_tree_bg.json"],
        "bitunix": ["bitunix/merkle_tree_bitunix.json"],
        "mexc": ["mexc/merkle_proof.json"],
        "coinex": ["coinex/merkle_proof_file.json"],
        "bitmex": ["bitmex/readme-tree.txt", "bitmex/generated-tree.txt"],
        "gate-zk": ["gate/user_config.json", "gate/proof.csv"],
        "binance-zk": ["binance-zk/user_config.json"],
    }
    for fmt, paths in files.items():
        for p in paths:
            data = read(base, p)
            s.add("exchange_proof", b"\x00" + data)
            s.add("exchange_proof", bytes([formats.index(fmt) + 1]) + data)
            if fmt == "bitmex":
                s.add("exchange_proof", b"\x88" + data)
    okx2 = read(base, "okx", "user_info_file.json") + b"\x00" + read(base, "okx", "full-liabilities-merkle-tree.txt")
    s.add("exchange_proof", b"\x00" + okx2)
    s.add("exchange_proof", bytes([3]) + okx2)


def tree_v2_seeds(s):
    """proof_v2_verify: every proof (0x00 + JSON) and root (0x01 + JSON) of
    vectors/tree-v2.json, valid and invalid; wasm_v2_report: proof and root
    pairs."""
    with open(os.path.join(HERE, "..", "vectors", "tree-v2.json"), encoding="utf-8") as f:
        doc = json.load(f)
    for t in doc["trees"]:
        s.add("proof_v2_verify", b"\x01" + json.dumps(t["root"]).encode())
    for c in doc["valid"] + doc["invalid"]:
        s.add("proof_v2_verify", b"\x00" + json.dumps(c["proof"], ensure_ascii=False).encode())
        if "root" in c:
            s.add("proof_v2_verify", b"\x01" + json.dumps(c["root"]).encode())
    # wasm_v2_report: proof, 0x1F, then its tree's por-root-v2, its root
    # hash alone, or nothing; each invalid case with its own root.
    for c in doc["valid"]:
        proof = json.dumps(c["proof"], ensure_ascii=False).encode()
        root = doc["trees"][c["tree"]]["root"]
        for r in (json.dumps(root).encode(), root["hash"].encode(), b""):
            s.add("wasm_v2_report", proof + b"\x1f" + r)
    for c in doc["invalid"]:
        s.add("wasm_v2_report", json.dumps(c["proof"], ensure_ascii=False).encode() + b"\x1f" + json.dumps(c["root"]).encode())
    # ... and the three-asset proof against the signed attestation carrying
    # its root (crates/por-wasm-v2/tests/fixtures).
    fixture = os.path.join(HERE, "..", "crates", "por-wasm-v2", "tests", "fixtures", "three-assets-h32")
    with open(os.path.join(fixture, "proof-alice.json"), "rb") as f:
        proof = f.read()
    with open(os.path.join(fixture, "attestation.json"), "rb") as f:
        s.add("wasm_v2_report", proof + b"\x1f" + f.read())


def seed_more(tree_doc):
    s = Seeds()
    distribution_seeds(s)
    exchange_proof_seeds(s)
    tree_v2_seeds(s)
    # attestation_jcs: the attestation vectors, the example body, RFC 8785's inputs.
    att = json.loads(read("vectors", "attestation-v1.json"))
    attestations = []
    for case in att["cases"]:
        doc = case["document"]
        text = doc if isinstance(doc, str) else json.dumps(doc, indent=1)
        attestations.append(text)
        s.add("attestation_jcs", text)
    s.add("attestation_jcs", read("vectors", "attestation-v1-body.example.json"))
    # Attestations whose liabilities are a format v2 root (the first
    # tree-v2 vector's por-root-v2): the signature no longer verifies, but
    # the structure parses past it into the v2 section.
    v2_root = json.loads(read("vectors", "tree-v2.json"))["trees"][0]["root"]
    for case in att["cases"][:2]:
        doc = case["document"]
        doc = json.loads(doc) if isinstance(doc, str) else dict(doc)
        if isinstance(doc, dict) and "liabilities" in doc:
            doc["liabilities"] = v2_root
            s.add("attestation_jcs", json.dumps(doc, indent=1))
    rfc = os.path.join(ROOT, "vectors", "external", "rfc8785", "input")
    for name in sorted(os.listdir(rfc)):
        s.add("attestation_jcs", read("vectors", "external", "rfc8785", "input", name))
    ownership_seeds(s)
    exchange_file_seeds(s)
    reserve_seeds(s)
    chain_seeds(s)
    reserves_file_seeds(s)
    # registry_toml: the built-in registry.
    s.add("registry_toml", read("registry", "assets.toml"))
    # customer_verdict: every vector proof against its root hash, its tree
    # summary and (page path) the attestations; core path with defaults.
    for case in tree_doc["cases"] + tree_doc["rejected"]:
        for pv in case.get("proofs", [])[:3]:
            proof = json.dumps(pv["proof"]).encode()
            root = pv["proof"].get("root", {})
            if not isinstance(root, dict):
                continue
            summary = json.dumps({
                "root": root.get("hash"), "height": root.get("height"),
                "customers": len(case.get("rows", [])),
                "totals": dict(zip([a["symbol"] for a in case["assets"]], root.get("sums", []))),
            }).encode()
            s.add("customer_verdict", SEP + proof)
            s.add("customer_verdict", b"\x01" + SEP + proof + SEP + str(root.get("hash")).encode())
            s.add("customer_verdict", b"\x01" + SEP + proof + SEP + summary)
            s.add("customer_verdict", b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x01\x01" + SEP + proof)
    for text in attestations[:3]:
        first = tree_doc["cases"][0]["proofs"][0]["proof"]
        s.add("customer_verdict", b"\x01" + SEP + json.dumps(first).encode() + SEP + text.encode())
    # publication: every text of the publication vectors.
    for case in json.loads(read("vectors", "publication-v1.json"))["cases"]:
        s.add("publication", case["text"].encode())
    print("seeded " + ", ".join("%s: %d" % kv for kv in sorted(s.counts.items())))


if __name__ == "__main__":
    main()
