#!/usr/bin/env bash
# The tree-v1 vector cross-check, as its own visible step (cargo test runs it
# too, in crates/por-tree/tests/tree_vectors.rs):
#  1. the independent Python implementation recomputes every expected value
#     and verdict in vectors/tree-v1.json;
#  2. the committed file is exactly what the generator writes (provenance).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null 2>&1 || {
  echo "test-vectors: python3 is missing: run scripts/ci/deps-vectors.sh" >&2
  exit 1
}
python3 vectors/por_tree_v1.py check vectors/tree-v1.json
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
python3 vectors/gen_tree_v1.py "$tmp" >/dev/null
if ! cmp -s "$tmp" vectors/tree-v1.json; then
  echo "test-vectors: vectors/tree-v1.json differs from what vectors/gen_tree_v1.py writes;" >&2
  echo "  regenerate it with: python3 vectors/gen_tree_v1.py" >&2
  exit 1
fi
echo "vectors/tree-v1.json is the generator's output"
python3 vectors/gen_publication_v1.py --check
echo "vectors/publication-v1.json is the generator's output"
# Other exchanges' published customer proofs (docs/interop.md): an
# independent Python recomputation of each file's root under its exchange's
# rule; with a built binary, `por verify --json` must agree on every file.
if [ -x target/debug/por ]; then
  python3 vectors/exchange/check_exchange.py target/debug/por
else
  python3 vectors/exchange/check_exchange.py
fi
# The reserve engine's 2026 figures (issue 15) against an independent
# recomputation; needs a built binary (cargo test -p por-cli --test
# reserve_cli runs the same check).
if [ -x target/debug/por ]; then
  python3 vectors/check_reserve_2026.py target/debug/por
else
  echo "test-vectors: no target/debug/por, reserve 2026 check NOT run here (reserve_cli runs it)"
fi
# The distribution (docs/distribution.md): the independent Python
# implementation recomputes every case, and the committed file is the
# generator's output (cargo test runs the Rust side of the same file in
# crates/por-distribute/tests/distribution_vectors.rs).
python3 vectors/distribution_v1.py check vectors/distribution-v1.json
python3 vectors/gen_distribution_v1.py --check
echo "vectors/distribution-v1.json is the generator's output"
# Tree format v2 (docs/tree-v2.md): the independent Python check rebuilds
# every tree and recomputes every proof's commitments, hashes and root
# opening with libsodium's ristretto255 (ctypes). Range proofs are checked by
# the Rust side only (crates/por-tree/tests/tree_v2_vectors.rs, which also
# checks the committed file is the generator's output).
python3 vectors/por_tree_v2.py check vectors/tree-v2.json
