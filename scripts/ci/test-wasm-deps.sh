#!/usr/bin/env bash
# The browser verifier (por-wasm) compiles only what the page uses: the tree,
# proofs, the customer verdict and the signed attestation. This fails if any
# crate that reads files (csv, toml), runs threads (rayon), checks wallet
# ownership (por-ownership and its Bitcoin/TRON encodings), computes the
# reserve (ethnum) or audits (por-audit) enters its dependency tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
deps=$(cargo tree -p por-wasm -e normal --target wasm32-unknown-unknown --prefix none \
  | awk '{print $1}' | sort -u)
forbidden='csv csv-core toml rayon rayon-core por-ownership por-audit por-reserve por-chain ethnum bs58 ripemd bech32 base64 bitcoin bitcoinconsensus sha3 rfc6979'
bad=0
for crate in $forbidden; do
  if grep -qx "$crate" <<<"$deps"; then
    echo "test-wasm-deps: por-wasm depends on $crate, which the page does not use:" >&2
    cargo tree -p por-wasm -e normal --target wasm32-unknown-unknown -i "$crate" >&2 || true
    bad=1
  fi
done
[ "$bad" = 0 ] || exit 1
echo "por-wasm depends on $(wc -l <<<"$deps") crates, none of: $forbidden"
