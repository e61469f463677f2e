#!/usr/bin/env bash
# The browser verifier's three modules compile only what the page uses:
# por-wasm (the tree, proofs, the customer verdict, the signed attestation and
# the distribution check) and por-wasm-interop (other exchanges' proofs,
# por-interop without its por-v1 feature) and por-wasm-v2 (por-tree's v2).
# This fails if any crate that reads files (csv, toml), runs threads (rayon),
# checks wallet ownership (por-ownership and its Bitcoin/TRON encodings),
# computes the reserve (ethnum) or audits (por-audit) enters any of the
# dependency trees, if the first module compiles the curve of tree v2
# (curve25519-dalek, bulletproofs), or if the
# second module compiles por's tree, attestation or secp256k1 again, or the
# third (por-wasm-v2: tree format v2, the curve and the range proofs, and
# por-attest to read an attestation carrying a v2 root with the one reader
# and check por verify uses) the distribution or other exchanges' formats.
set -euo pipefail
cd "$(dirname "$0")/../.."
forbidden='csv csv-core toml rayon rayon-core por-ownership por-audit por-reserve por-chain ethnum bs58 ripemd bech32 base64 bitcoin bitcoinconsensus sha3 rfc6979'
bad=0
check() { # CRATE EXTRA_FORBIDDEN [ALLOWED]
  local pkg="$1" deps crate list
  deps=$(cargo tree -p "$pkg" -e normal --target wasm32-unknown-unknown --prefix none \
    | awk '{print $1}' | sort -u)
  list=$(for crate in $forbidden $2; do grep -qxF "$crate" <<<"$(tr ' ' '\n' <<<"${3:-}")" || echo "$crate"; done | tr '\n' ' ')
  for crate in $list; do
    if grep -qx "$crate" <<<"$deps"; then
      echo "test-wasm-deps: $pkg depends on $crate, which it does not use:" >&2
      cargo tree -p "$pkg" -e normal --target wasm32-unknown-unknown -i "$crate" >&2 || true
      bad=1
    fi
  done
  echo "$pkg depends on $(wc -l <<<"$deps") crates, none of: $list"
}
check por-wasm "curve25519-dalek bulletproofs merlin"
check por-wasm-interop "por-tree por-attest k256"
# base64 is the encoding of a v2 proof's path and range proofs; sha3 (SHAKE256)
# is how bulletproofs derives its generators.
check por-wasm-v2 "por-interop por-distribute" "base64 sha3"
[ "$bad" = 0 ] || exit 1
