#!/usr/bin/env bash
# End-to-end timing of `por audit` over one attestation with N reserve
# entries (default 10,000) against an offline balances file:
#   benches/audit-10k.sh [N]
# The wallets are real: N/4 fresh keys from bip322-js (scripts/ci/deps-ownership.sh),
# each signing the canonical message for its P2PKH (BIP-137), P2SH-P2WPKH,
# P2WPKH and P2TR (BIP-322 simple) addresses. Reports the wall time and
# peak RSS of `por audit` (/usr/bin/time -v), and as the baseline measured in
# the same run, `por ownership verify-file` over the same N signatures: the
# audit's dominant cost alone.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
out=${BENCH_OUT:-target/bench-audit}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
[ -d tests/node/node_modules/bip322-js ] || bash scripts/ci/deps-ownership.sh
cargo build --release -q -p por-cli
por=${CARGO_TARGET_DIR:-target}/release/por

printf 'user_id,BTC\nalice,0.1\nbob,0.1\n' > "$out/liabilities.csv"
printf '%064d\n' 7 > "$out/secret"
rm -rf "$out/tree"
$por tree build --balances "$out/liabilities.csv" --assets BTC:8 --secret-file "$out/secret" \
  --out "$out/tree" --json > /dev/null
root=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['root']['hash'])" "$out/tree/tree.json")
msg=$(printf 'por reserves v1\nexchange: bench\nsnapshot: 2026-11-21\nliabilities: %s' "$root")
keys=$(( (n + 3) / 4 ))
sigs="$out/sigs-$n-$root.jsonl"
if [ ! -s "$sigs" ]; then
  echo "signing with bip322-js: $keys keys x 4 addresses (once; cached in $sigs)"
  node tests/node/sign-canonical.cjs "$keys" "$msg" > "$out/sigs.tmp"
  mv "$out/sigs.tmp" "$sigs"
fi
hash=$(printf 'ab%.0s' $(seq 32))
python3 - "$sigs" "$out" "$n" "$hash" <<'PY'
import csv, json, sys
sigs, out, n, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [json.loads(l) for l in open(sigs)][:n]
cats = ["customer", "customer", "corporate", "liability_reserve"]
tiers = ["cold", "hot", "warm", "cold"]
with open(f"{out}/reserves.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["chain", "address", "asset", "category", "tier", "balance", "scheme", "message", "signature"])
    for i, r in enumerate(rows):
        # the message column left empty: the canonical message is implied
        w.writerow(["bitcoin", r["address"], "BTC", cats[i % 4], tiers[i % 4], f"0.{i+1:08d}", "auto", "", r["signature"]])
with open(f"{out}/balances.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["chain", "address", "asset", "balance", "height", "block_hash", "source", "contract"])
    for i, r in enumerate(rows):
        w.writerow(["bitcoin", r["address"], "BTC", str(i + 1), "870000", h, "bench fixture", ""])
with open(f"{out}/claims.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["chain", "address", "message", "signature"])
    for r in rows:
        w.writerow(["bitcoin", r["address"], r["message"], r["signature"]])
print(f"{len(rows)} reserve entries")
PY
[ -s "$out/key.hex" ] || $por key generate --out "$out/key.hex" > /dev/null
rm -f "$out/att.json"
/usr/bin/time -v $por attest --tree "$out/tree" --reserves "$out/reserves.csv" --exchange bench \
  --snapshot 2026-11-21 --time 2026-11-21T00:00:00Z --chain "bitcoin=870000:$hash" \
  --key "$out/key.hex" --out "$out/att.json" > /dev/null 2> "$out/time-attest.txt"
# baseline: the ownership checks alone, over the same signatures and message
/usr/bin/time -v $por ownership verify-file "$out/claims.csv" --expect-exchange bench \
  --expect-snapshot 2026-11-21 --expect-root "$root" > /dev/null 2> "$out/time-ownership.txt" || true
set +e
/usr/bin/time -v $por audit --attestation "$out/att.json" --balances "$out/balances.csv" \
  --json "$out/report.json" --html "$out/report.html" > "$out/audit.txt" 2> "$out/time-audit.txt"
code=$?
set -e
# 0 pass, 1 fail, 3 incomplete (this run gives no export, proofs or reserve inputs)
{ [ "$code" -le 1 ] || [ "$code" -eq 3 ]; } || { cat "$out/time-audit.txt"; exit 1; }
python3 - "$out" "$n" "$code" <<'PY'
import json, sys
out, n, code = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def t(name):
    wall = rss = None
    for line in open(f"{out}/time-{name}.txt"):
        if "Elapsed (wall clock)" in line:
            p = [float(x) for x in line.split()[-1].split(":")]
            wall = p[-1] + 60 * (p[-2] if len(p) > 1 else 0) + 3600 * (p[-3] if len(p) > 2 else 0)
        if "Maximum resident set size" in line:
            rss = int(line.split()[-1]) / 1024
    return wall, rss
r = json.load(open(f"{out}/report.json"))
a, o, s = t("audit"), t("ownership"), t("attest")
print(f"por audit: {n} reserve entries, offline balances file: {a[0]:.2f} s wall, peak RSS {a[1]:.0f} MiB "
      f"(exit {code}: {r['totals']['pass']} pass, {r['totals']['fail']} fail, {r['totals']['not_checked']} not checked)")
print(f"baseline, por ownership verify-file on the same {n} signatures: {o[0]:.2f} s wall, peak RSS {o[1]:.0f} MiB")
print(f"ratio: audit = {a[0]/o[0]:.2f} x the ownership checks alone")
print(f"por attest (verifies the same {n} proofs, then signs): {s[0]:.2f} s wall")
PY
