#!/usr/bin/env python3
"""Writes vectors/publication-v1.json: what a customer may give as the
exchange's publication (docs/publication.md), and what a reader must make of
it.

Written from docs/publication.md alone, with the Python standard library
only: no code shared with the Rust implementation. The figures of valid
cases come from the independent files vectors/tree-v1.json (the tree
summaries, recomputed by vectors/por_tree_v1.py) and
vectors/attestation-v1.json (signed documents, checked by
vectors/check_attestation_v1.py); this script decides each case's expected
form or error kind by the rules of docs/publication.md.

    python3 vectors/gen_publication_v1.py [OUT]     (default vectors/publication-v1.json)
    python3 vectors/gen_publication_v1.py --check   (exit 1 if the file is stale)
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUMMARY_MEMBERS = {"root", "height", "customers", "totals"}
ATTESTATION_FORMAT = "por-attestation-v1"


class Refused(Exception):
    """The text is refused; the argument is the error kind."""


def pairs(items):
    keys = [k for k, _ in items]
    if len(keys) != len(set(keys)):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise Refused(("duplicate", dup))
    return dict(items)


def decide(text, attestation_outcomes):
    """The expected outcome of reading `text`, by docs/publication.md."""
    t = text.strip(" \t\r\n")
    if t.startswith("{"):
        try:
            doc = json.loads(t, object_pairs_hook=pairs)
        except Refused as r:
            # A repeated `totals` symbol is the summary's error; other
            # repeated members are the JSON reader's (kind summary as well).
            return {"error": "summary"}
        except ValueError:
            return {"error": "summary"}
        if not isinstance(doc, dict):
            return {"error": "summary"}
        if "format" in doc:
            if doc["format"] == ATTESTATION_FORMAT:
                outcome = attestation_outcomes.get(t)
                if outcome is None:
                    raise SystemExit("attestation case without a recorded outcome")
                return outcome
            return {"error": "unknown-format"}
        return summary(doc)
    # White space inside a hash (copied across lines or in groups) is not
    # part of it.
    h = re.sub(r"[ \t\r\n]", "", t)
    if re.fullmatch(r"[0-9a-fA-F]{64}", h):
        return {"form": "hash", "root": h.lower(), "trusted": True}
    return {"error": "unrecognized"}


def summary(doc):
    if set(doc) - SUMMARY_MEMBERS or not {"root", "height", "totals"} <= set(doc):
        return {"error": "summary"}
    root, height, totals = doc["root"], doc["height"], doc["totals"]
    customers = doc.get("customers")
    if not (isinstance(root, str) and re.fullmatch(r"[0-9a-fA-F]{64}", root)):
        return {"error": "summary"}
    if not (type(height) is int and 0 <= height < 2**32):
        return {"error": "summary"}
    if customers is not None and not (type(customers) is int and 0 <= customers < 2**64):
        return {"error": "summary"}
    if not isinstance(totals, dict) or not totals:
        return {"error": "summary"}
    for v in totals.values():
        if not (isinstance(v, str) and re.fullmatch(r"[0-9]+", v) and int(v) < 2**128):
            return {"error": "summary"}
    return {
        "form": "tree-summary",
        "root": root.lower(),
        "height": height,
        "customers": customers,
        "totals": [[k, str(int(v))] for k, v in totals.items()],
        "trusted": True,
    }


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def cases():
    tree = json.load(open(os.path.join(HERE, "tree-v1.json"), encoding="utf-8"))
    att = json.load(open(os.path.join(HERE, "attestation-v1.json"), encoding="utf-8"))
    out = []
    first = tree["cases"][3]["expected"]
    multi = next(c for c in tree["cases"] if len(c["assets"]) == 3)["expected"]
    for name, e in [("summary-one-asset", first), ("summary-three-assets", multi)]:
        s = {"root": e["root"], "height": e["height"], "customers": e["customers"],
             "totals": e["totals"]}
        out.append((name, "a tree summary as `por tree build --json` prints it", compact(s) + "\n"))
    s = {"root": first["root"], "height": first["height"], "customers": first["customers"],
         "totals": first["totals"]}
    no_customers = {k: v for k, v in s.items() if k != "customers"}
    out += [
        ("summary-pretty", "the same summary, indented (white space is free)", json.dumps(s, indent=2)),
        ("summary-without-customers", "the customer count may be left out; it is then not compared",
         compact(no_customers)),
        ("summary-customers-null", "null customers is the same as leaving it out",
         compact(dict(s, customers=None))),
        ("summary-upper-case-root", "the root in upper-case hex", compact(dict(s, root=s["root"].upper()))),
        ("hash", "the root hash alone", first["root"]),
        ("hash-upper-case-with-white-space", "surrounding white space is ignored",
         "  " + first["root"].upper() + "\n"),
        ("hash-in-two-lines", "white space inside the hash is ignored too",
         first["root"][:32] + "\n  " + first["root"][32:]),
        ("hash-too-short", "63 hex digits", first["root"][:63]),
        ("hash-0x", "a 0x prefix is not part of the form", "0x" + first["root"]),
        ("empty", "nothing", ""),
        ("summary-unknown-member", "a member the summary does not have is refused, not ignored",
         compact(dict(s, decimals=8))),
        ("summary-missing-totals", "totals are required", compact({k: v for k, v in s.items() if k != "totals"})),
        ("summary-missing-height", "height is required", compact({k: v for k, v in s.items() if k != "height"})),
        ("summary-empty-totals", "at least one total", compact(dict(s, totals={}))),
        ("summary-duplicate-total", "a symbol given twice is refused (a map would keep the last)",
         compact(s).replace('"totals":{', '"totals":{"BTC":"1",')),
        ("summary-fractional-total", "totals are base units", compact(dict(s, totals={"BTC": "1.5"}))),
        ("summary-numeric-total", "totals are decimal strings", compact(dict(s, totals={"BTC": 1}))),
        ("summary-negative-total", "no sign", compact(dict(s, totals={"BTC": "-1"}))),
        ("summary-total-overflow", "2^128 base units do not fit",
         compact(dict(s, totals={"BTC": str(2**128)}))),
        ("summary-negative-height", "height is unsigned", compact(dict(s, height=-1))),
        ("summary-short-root", "the root is 64 hex digits", compact(dict(s, root=s["root"][:62]))),
        ("summary-array", "not an object", compact([s])),
        ("summary-truncated", "not JSON", compact(s)[:-1]),
        ("unknown-format", "another format name is refused, not read as a summary",
         compact(dict(s, format="por-attestation-v9"))),
        ("unknown-format-null", "a format member that is null is refused too",
         compact(dict(s, format=None))),
    ]
    outcomes = {}
    for c in att["cases"]:
        name = c["name"]
        if name not in ("valid", "signature-bit-flipped", "claimed-balance-raised", "unsigned"):
            continue
        doc = c["document"]
        text = doc if isinstance(doc, str) else compact(doc)
        expected = c["expected"]
        if expected == "valid":
            lia = json.loads(text)["liabilities"]
            outcome = {"form": "attestation", "root": lia["root"].lower(), "height": lia["height"],
                       "customers": lia["customers"],
                       "totals": [[t["asset"], t["amount"]] for t in lia["totals"]],
                       "trusted": True}
        elif expected in ("bad-signature", "unexpected-key"):
            outcome = {"form": "attestation", "trusted": False, "signature_error": expected}
        else:
            outcome = {"error": "attestation"}
        outcomes[text.strip()] = outcome
        out.append(("attestation-" + name, c["description"], text))
    return [
        {"name": n, "description": d, "text": t, "expected": decide(t, outcomes)}
        for n, d, t in out
    ]


def document():
    return {
        "format": "por-publication-v1-vectors",
        "description": "Texts a customer may give as the exchange's publication, with the form a "
                       "reader must find (hash, tree-summary, attestation; trusted or not) and its "
                       "figures, or the error kind (summary, attestation, unknown-format, "
                       "unrecognized). See docs/publication.md.",
        "generator": "vectors/gen_publication_v1.py",
        "cases": cases(),
    }


def main():
    path = os.path.join(HERE, "publication-v1.json")
    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    if sys.argv[1:] == ["--check"]:
        if open(path, encoding="utf-8").read() != text:
            print("vectors/publication-v1.json differs from what vectors/gen_publication_v1.py writes",
                  file=sys.stderr)
            sys.exit(1)
        return
    if sys.argv[1:]:
        path = sys.argv[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
