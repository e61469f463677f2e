#!/usr/bin/env bash
# Installs what the browser verifier's build and tests need (idempotent):
# Debian's chromium (apt), playwright-core and axe-core (npm ci in
# tests/browser; playwright-core downloads no browser), binaryen's wasm-opt
# (npm ci in www/tools), the wasm32 rustup target and wasm-bindgen-cli at the
# crate's pinned version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' Cargo.toml)"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "deps-browser: no exact wasm-bindgen pin (wasm-bindgen = \"=X.Y.Z\") in Cargo.toml" >&2
  exit 2
fi

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ] || ! command -v npm > /dev/null; then
  echo "deps-browser: needs node >= 20 and npm (playwright-core requires node 20); found node major ${node_major}" >&2
  exit 2
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "deps-browser: installing chromium (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-cjk
fi
# Latin and Japanese glyphs, so the screenshots are readable (the page itself
# loads no font file).
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! fc-list 2>/dev/null | grep -qi "Liberation"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends fonts-liberation fonts-noto-cjk \
    || { apt-get update && apt-get install -y --no-install-recommends fonts-liberation fonts-noto-cjk; }
fi

if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "deps-browser: npm ci in tests/browser" >&2
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -f www/tools/node_modules/binaryen/bin/wasm-opt ]; then
  echo "deps-browser: npm ci in www/tools" >&2
  (cd www/tools && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen ${WASM_BINDGEN_VERSION}" ]; then
  echo "deps-browser: cargo install wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (a few minutes)" >&2
  # Not --locked: its lockfile wants a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi
echo "deps-browser: ok ($(/usr/bin/chromium --version 2>/dev/null | head -n 1); wasm-bindgen ${WASM_BINDGEN_VERSION})" >&2
