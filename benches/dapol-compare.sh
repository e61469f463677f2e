#!/usr/bin/env bash
# por's tree format v2 beside dapol 0.4.0 (DAPOL+), in the same run:
#   benches/dapol-compare.sh [CUSTOMERS...]        (default: 10000 100000)
# For each count, 1 asset at height 32: one JSON line from dapol
# (benches/dapol, a workspace of its own so dapol's dependencies never enter
# por's) and one from target/release/tree-v2-bench, run one after the other
# so both see the same machine; por in both build modes (MODES="ct vartime"
# by default, as benches/tree-v2.sh). dapol's range proofs are 64-bit with its
# default maximum liability (it rounds 2^32 up to the next allowed size), as
# por's are. dapol builds from crates.io (about 70 s on a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p por-benches --bin tree-v2-bench
cargo build --release -q --manifest-path benches/dapol/Cargo.toml
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10000 100000)
for n in "${counts[@]}"; do
  benches/dapol/target/release/por-dapol-bench "$n" 32 5
  for mode in ${MODES:-ct vartime}; do
    target/release/tree-v2-bench "$n" 1 32 "$mode"
  done
done
