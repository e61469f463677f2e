#!/usr/bin/env bash
# The browser verifier's two modules compile only what the page uses:
# por-wasm (the tree, proofs, the customer verdict, the signed attestation and
# the distribution check) and por-wasm-interop (other exchanges' proofs,
# por-interop without its por-v1 feature). This fails if any crate that reads
# files (csv, toml), runs threads (rayon), checks wallet ownership
# (por-ownership and its Bitcoin/TRON encodings), computes the reserve
# (ethnum) or audits (por-audit) enters either dependency tree, or if the
# second module compiles por's tree, attestation or secp256k1 again.
set -euo pipefail
cd "$(dirname "$0")/../.."
forbidden='csv csv-core toml rayon rayon-core por-ownership por-audit por-reserve por-chain ethnum bs58 ripemd bech32 base64 bitcoin bitcoinconsensus sha3 rfc6979'
bad=0
check() { # CRATE EXTRA_FORBIDDEN
  local pkg="$1" deps crate
  deps=$(cargo tree -p "$pkg" -e normal --target wasm32-unknown-unknown --prefix none \
    | awk '{print $1}' | sort -u)
  for crate in $forbidden $2; do
    if grep -qx "$crate" <<<"$deps"; then
      echo "test-wasm-deps: $pkg depends on $crate, which it does not use:" >&2
      cargo tree -p "$pkg" -e normal --target wasm32-unknown-unknown -i "$crate" >&2 || true
      bad=1
    fi
  done
  echo "$pkg depends on $(wc -l <<<"$deps") crates, none of: $forbidden $2"
}
check por-wasm ""
check por-wasm-interop "por-tree por-attest k256"
[ "$bad" = 0 ] || exit 1
