#!/usr/bin/env bash
# Installs clang (apt), idempotently. por-ownership uses rust-bitcoin, whose
# secp256k1-sys always compiles libsecp256k1 (C); for the wasm32 build of
# por-ownership and por-audit (scripts/test-all) cc needs a compiler that
# targets wasm32, which gcc is not. So does the wasm32v1-none build of
# por-tree's v2 (bulletproofs' clear_on_drop compiles one C function). The
# browser page (por-wasm) does not depend on either, so scripts/build-www
# does not need it.
set -euo pipefail
if ! command -v clang > /dev/null; then
  echo "deps-wasm-c: installing clang (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends clang
fi
echo "clang ready: $(clang --version | head -1)"
