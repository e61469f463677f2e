#!/usr/bin/env bash
# Tree format v2 against v1 on the same data, in the same run:
#   benches/tree-v2.sh [CUSTOMERS...]        (default: 100000 1000000)
#   STORED=1 also times `por tree proof` from the stored tree against the
#   rebuild (benches/tree-v2-proof.sh).
#   MODES="ct vartime" (default) chooses the builds: `ct` is TreeV2::build
#   (constant time), `vartime` TreeV2::build_vartime_hazmat (same bytes,
#   variable-time lookups; see docs/notes/tree-v2-security.md).
# First the primitives alone (target/release/tree-v2-ops: CPU microseconds
# per call), then for each count, 1 and 3 assets at height 32 and each mode:
# one JSON line each from target/release/tree-v2-bench (build wall and CPU
# seconds, peak RSS, v1's build on the same ledger, one proof created on
# demand and verified natively: median wall of 5 and mean CPU of 5, and the
# proof's size in bytes) plus the load average, since this machine's 2
# cores are shared.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p por-benches --bin tree-v2-bench --bin tree-v2-ops
target/release/tree-v2-ops
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100000 1000000)
for n in "${counts[@]}"; do
  for k in 1 3; do
    for mode in ${MODES:-ct vartime}; do
      target/release/tree-v2-bench "$n" "$k" 32 "$mode"
    done
  done
done
# `por tree proof` from the stored tree against the rebuild, through the
# binary (STORED=1; benches/tree-v2-proof.sh).
if [ -n "${STORED:-}" ]; then
  for n in "${counts[@]}"; do
    for k in 1 3; do
      benches/tree-v2-proof.sh "$n" "$k"
    done
  done
fi
