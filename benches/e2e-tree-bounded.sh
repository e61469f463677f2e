#!/usr/bin/env bash
# End-to-end timing of `por tree build` in bounded memory (issue 17):
#   benches/e2e-tree-bounded.sh CUSTOMERS ASSETS [HELD] [-- extra build args]
# With HELD, the export is long form (`user_id,asset,amount`, gen-balances
# --long HELD: HELD non-zero balances per customer on average); without, wide.
# The build runs with the default memory budget unless `-- --memory SIZE` is
# given. Reports wall, CPU (user + sys), peak RSS and load average from
# /usr/bin/time -v, the sizes written, and one proof read from the tree
# directory just written (proof-read, 1,000 proofs). The input is reused if
# present (BENCH_OUT/balances-N-K.csv or long-N-K-HELD.csv); the tree is
# deleted at the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1; k=$2; shift 2
held=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then held=$1; shift; fi
[ "${1:-}" = "--" ] && shift
out=${BENCH_OUT:-target/bench-e2e}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release -q -p por-cli -p por-benches
if [ -n "$held" ]; then
  csv="$out/long-$n-$k-$held.csv"
  [ -s "$csv" ] || target/release/gen-balances "$n" "$k" "$csv" --long "$held"
else
  csv="$out/balances-$n-$k.csv"
  [ -s "$csv" ] || target/release/gen-balances "$n" "$k" "$csv"
fi
echo "input: $(du -h "$csv" | cut -f1) ($n customers x $k assets${held:+, long form, $held held on average})"
spec=$(python3 -c "import sys; k=int(sys.argv[1]); a=['BTC:8','ETH:18','USDT:6']+['A%d:8' % i for i in range(4, k+1)]; print(','.join(a[:k]))" "$k")
printf '%064d\n' 7 > "$out/secret"
rm -rf "$out/tree-bounded"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v target/release/por tree build --balances "$csv" --assets "$spec" \
  --secret-file "$out/secret" --out "$out/tree-bounded" --force "$@" 2> "$out/time-bounded.txt" > "$out/build-bounded.txt"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E 'Built in|customers over' "$out/build-bounded.txt" || true
grep -E 'Elapsed|User time|System time|Maximum resident' "$out/time-bounded.txt" | sed 's/^\t*/  /'
du -sh "$out/tree-bounded" | sed 's/^/  tree directory: /'
target/release/proof-read "$out/tree-bounded" "$n" 1000
[ "${KEEP:-0}" = 1 ] || rm -rf "$out/tree-bounded" "$out/tree-bounded.published.json"
