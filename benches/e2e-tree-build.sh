#!/usr/bin/env bash
# End-to-end timing of `por tree build` on a synthetic export:
#   benches/e2e-tree-build.sh [CUSTOMERS] [ASSETS]     (default 10000000 3)
# Reports wall time, CPU time, minor page faults and peak RSS from
# /usr/bin/time -v, the SHA-256 floor for the same tree measured in the same
# run (sha-floor), as a ratio, and then the time to read one customer's
# proof from the tree directory just written (proof-read, 10,000 proofs).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000000}
k=${2:-3}
out=${BENCH_OUT:-target/bench-e2e}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release -q -p por-cli -p por-benches
csv="$out/balances-$n-$k.csv"
[ -s "$csv" ] || { echo "generating $csv"; target/release/gen-balances "$n" "$k" "$csv"; }
echo "input: $(du -h "$csv" | cut -f1) ($n customers x $k assets)"
spec=$(python3 -c "import sys; k=int(sys.argv[1]); a=['BTC:8','ETH:18','USDT:6']+['A%d:8' % i for i in range(4, k+1)]; print(','.join(a[:k]))" "$k")
printf '%064d\n' 7 > "$out/secret"
rm -rf "$out/tree"
# drop the input from the page cache's "cold" effects: read it once
cat "$csv" > /dev/null
/usr/bin/time -v target/release/por tree build --balances "$csv" --assets "$spec" \
  --secret-file "$out/secret" --out "$out/tree" --force --json 2> "$out/time.txt" > "$out/root.json"
wall=$(grep 'Elapsed (wall clock)' "$out/time.txt" | awk '{print $NF}')
grep -E 'User time|System time|Minor' "$out/time.txt" | sed 's/^\t*/  /'
ls -l "$out/tree" | awk 'NR > 1 {printf "  %s %d bytes\n", $NF, $5}'
rss_kb=$(grep 'Maximum resident set size' "$out/time.txt" | awk '{print $NF}')
floor=$(target/release/sha-floor "$n" "$k")
python3 - "$wall" "$rss_kb" "$floor" "$out/root.json" <<'PY'
import json, sys
wall, rss_kb, floor, root = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), json.load(open(sys.argv[4]))
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + 60 * (parts[-2] if len(parts) > 1 else 0) + 3600 * (parts[-3] if len(parts) > 2 else 0)
print(f"por tree build: {secs:.2f} s wall, peak RSS {rss_kb/1024/1024:.2f} GiB, {root['customers']} customers, height {root['height']}")
print(f"SHA-256 floor for the same tree ({floor['compressions']} compressions on {floor['threads']} threads): {floor['floor_seconds']:.2f} s")
print(f"ratio: build = {secs/floor['floor_seconds']:.2f} x the hashing floor (includes reading and parsing the CSV and writing the tree)")
PY
target/release/proof-read "$out/tree" "$n" 10000
