#!/usr/bin/env python3
"""Seeds the fuzz corpora from vectors/tree-v1.json.

    python3 fuzz/seed_corpus.py   # writes fuzz/corpus/{proof_verify,csv_ingest}/

proof_verify: every proof and variant of the vectors, as a JSON file.
csv_ingest: every case and rejected export as a CSV, once with its own header
and once with its columns renamed to the fuzz target's assets
(BTC:8, ETH:18, USDT:6), so the fuzzer starts from exports it accepts.
"""

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
        n_c += 2
    print("seeded %d proofs into %s and %d CSVs into %s" % (n_p, proofs, n_c, csvs))


if __name__ == "__main__":
    main()
