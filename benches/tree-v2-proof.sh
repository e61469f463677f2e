#!/usr/bin/env bash
# `por tree proof` on a v2 tree directory, end to end through the binary:
# served from the stored tree (tree-v2.bin) against the rebuild that
# directories without it (written before it existed) still need:
#   benches/tree-v2-proof.sh [CUSTOMERS] [ASSETS]      (default 100000 1)
# Builds once at height 32 with --hazmat-variable-time (the same bytes as
# the constant-time build, in about half the CPU), then times with
# /usr/bin/time -v: three proofs from the stored tree (each checked with
# `por verify` against the published root), and one proof with tree-v2.bin
# moved away (the rebuild, constant time, as `por tree proof` does it),
# whose bytes must equal the stored tree's proof. Prints wall and CPU
# seconds, peak RSS and the load average of each step (the machine's cores
# are shared: CPU seconds are the steadier figure).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
k=${2:-1}
out=${BENCH_OUT:-target/bench-v2-proof}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release -q -p por-cli
cargo build --release -q -p por-benches --bin gen-balances
csv="$out/balances-$n-$k.csv"
[ -s "$csv" ] || target/release/gen-balances "$n" "$k" "$csv"
spec=$(python3 -c "import sys; k=int(sys.argv[1]); a=['BTC:8','ETH:18','USDT:6']+['A%d:8' % i for i in range(4, k+1)]; print(','.join(a[:k]))" "$k")
printf '%064d\n' 7 > "$out/secret"
tree="$out/tree-$n-$k"
report() { # label, time -v output
  python3 - "$1" "$2" <<'PY'
import sys
label, path = sys.argv[1], sys.argv[2]
t = {}
for line in open(path):
    key, _, val = line.strip().rpartition(": ")
    t[key] = val
wall = t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
secs = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
cpu = float(t["User time (seconds)"]) + float(t["System time (seconds)"])
rss = int(t["Maximum resident set size (kbytes)"]) / 1024
load = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"{label}: {secs:.2f} s wall, {cpu:.2f} CPU-s, peak RSS {rss:.0f} MiB, load {load}")
PY
}
/usr/bin/time -v target/release/por tree build --format v2 --hazmat-variable-time --height 32 \
  --balances "$csv" --assets "$spec" --secret-file "$out/secret" --out "$tree" --force --json \
  > "$out/root.json" 2> "$out/build.txt"
report "build ($n x $k, vartime, writes tree-v2.bin)" "$out/build.txt"
ls -l "$tree" | awk 'NR > 1 {printf "  %s %d bytes\n", $NF, $5}'
for i in 0 1 2; do
  uid=$(printf 'customer-%09d' $(( (i * 7919) % n )))
  /usr/bin/time -v target/release/por tree proof --tree "$tree" --user "$uid" \
    --secret-file "$out/secret" --out "$out/stored-$i.json" 2> "$out/stored-$i.txt"
  report "proof from the stored tree ($uid)" "$out/stored-$i.txt"
  target/release/por verify --proof "$out/stored-$i.json" --published "$tree.published.json" > /dev/null
done
mv "$tree/tree-v2.bin" "$out/tree-v2.bin.aside"
trap 'mv "$out/tree-v2.bin.aside" "$tree/tree-v2.bin" 2>/dev/null || true' EXIT
/usr/bin/time -v target/release/por tree proof --tree "$tree" --user customer-000000000 \
  --secret-file "$out/secret" --out "$out/rebuilt.json" 2> "$out/rebuilt.txt"
report "proof by rebuilding (no tree-v2.bin, constant time)" "$out/rebuilt.txt"
cmp "$out/rebuilt.json" "$out/stored-0.json" && echo "  the rebuilt proof and the stored tree's proof are identical"
